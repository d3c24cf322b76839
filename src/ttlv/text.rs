//! What the JSON and XML encodings share: the error type, how a tag, an
//! enumeration, a mask, a date and bytes are written as text, and how the
//! meaning of a value is found (its own tag, or the tag named by a sibling
//! KMIP 1.x Attribute Name).
//!
//! Choices made where the KMIP profiles allow more than one form (the
//! decoders accept every form listed; the encoders write the first):
//!
//! - tag: the table's name, else `0x540001` (six hex digits);
//! - Enumeration: the table's name for the value, else `0x0000000A`;
//!   Attribute Reference (KMIP 2.x) holds a tag, so its name is a tag name;
//! - Integer with a mask: flag names (XML space separated, JSON `|` joined)
//!   plus one `0x` token for bits the table does not know; without a mask,
//!   decimal; `0x` hex is accepted everywhere;
//! - Byte String: lowercase hex; Big Integer: lowercase hex (JSON with a
//!   `0x` prefix);
//! - Date Time: ISO 8601 `2001-01-01T10:00:00+00:00` when the year is
//!   0-9999, else `0x` and sixteen hex digits; Date Time Extended the same
//!   with six fractional digits;
//! - Long Integer: decimal (JSON: a number within +-2^53, else `0x` hex).

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{ItemType, Tag, Ttlv};
use crate::kmip::table::{enum_for_tag, mask_for_tag, tag_by_name, tag_info, ENUMS};

/// The deepest nesting the text decoders accept, so hostile input cannot
/// exhaust the stack.
pub(crate) const MAX_DEPTH: usize = 64;

/// Why a JSON or XML text could not be turned into a [`Ttlv`] tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextError {
    /// The element path, outermost first (`RequestMessage/BatchItem/Operation`).
    pub path: String,
    /// What was wrong.
    pub kind: TextErrorKind,
}

/// The kinds of bad JSON or XML input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextErrorKind {
    /// The text is not well-formed JSON or XML.
    Syntax(String),
    /// A tag is neither a known name nor `0x` and six hex digits.
    UnknownTag(String),
    /// A type is not a KMIP item type name.
    UnknownType(String),
    /// A required attribute or member is missing.
    Missing(&'static str),
    /// A value does not fit its item type.
    BadValue {
        /// The item type that was expected.
        item_type: ItemType,
        /// The text that was found.
        value: String,
    },
    /// Something that does not belong where it was found.
    Unexpected(String),
    /// Structures nest deeper than the decoder accepts.
    TooDeep,
}

impl fmt::Display for TextErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextErrorKind::Syntax(msg) => write!(f, "malformed text: {msg}"),
            TextErrorKind::UnknownTag(t) => write!(f, "unknown tag {t:?}"),
            TextErrorKind::UnknownType(t) => write!(f, "unknown item type {t:?}"),
            TextErrorKind::Missing(what) => write!(f, "missing {what}"),
            TextErrorKind::BadValue { item_type, value } => write!(f, "{value:?} is not a valid {item_type}"),
            TextErrorKind::Unexpected(what) => write!(f, "unexpected {what}"),
            TextErrorKind::TooDeep => write!(f, "structures nested deeper than {MAX_DEPTH}"),
        }
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "at {}: {}", self.path, self.kind)
        }
    }
}

impl std::error::Error for TextError {}

impl TextError {
    pub(crate) fn new(path: &[String], kind: TextErrorKind) -> TextError {
        TextError { path: path.join("/"), kind }
    }
}

/// The text of a tag: its name, or `0x540001`.
pub(crate) fn tag_text(tag: Tag) -> String {
    match tag_info(tag) {
        Some(info) => info.name.to_owned(),
        None => format!("0x{:06X}", tag.value()),
    }
}

/// The tag for a name or `0x` hex text.
pub(crate) fn parse_tag(text: &str) -> Option<Tag> {
    if let Some(hex) = hex_digits(text) {
        return u32::from_str_radix(hex, 16).ok().filter(|v| *v <= 0x00FF_FFFF).map(Tag::new);
    }
    tag_by_name(text)
}

/// The item type for a type name, including the KMIP 2.x XML profile's
/// aliases: `Identifier`, `Reference` and `NameReference` all stand for a
/// Text String on the wire (a Unique Identifier, a link to one, and a Name
/// used as a link).
pub(crate) fn parse_type(text: &str) -> Option<ItemType> {
    match text {
        "Identifier" | "Reference" | "NameReference" => Some(ItemType::TextString),
        _ => ItemType::from_name(text),
    }
}

/// The tag whose meaning a value carries: a KMIP 1.x Attribute Value means
/// what its sibling Attribute Name names; anything else means its own tag.
pub(crate) fn meaning_tag(tag: Tag, attribute_name: Option<Tag>) -> Tag {
    match attribute_name {
        Some(named) if tag == attribute_value_tag() => named,
        _ => tag,
    }
}

/// The tag named by a structure's Attribute Name child, if any.
pub(crate) fn attribute_name_in(children: &[Ttlv]) -> Option<Tag> {
    children
        .iter()
        .find_map(|c| match &c.value {
            super::Value::TextString(name) if c.tag == attribute_name_tag() => Some(name),
            _ => None,
        })
        .and_then(|name| tag_by_name(name))
}

pub(crate) fn attribute_name_tag() -> Tag {
    Tag::new(0x42_000A)
}

fn attribute_value_tag() -> Tag {
    Tag::new(0x42_000B)
}

/// Tags whose Enumeration value is itself a tag (KMIP 2.x Attribute Reference).
fn is_tag_valued(tag: Tag) -> bool {
    tag_by_name("AttributeReference") == Some(tag)
}

/// The enumeration for a tag, including Unique Identifier's KMIP 2.x
/// enumeration form (`IDPlaceholder`), which the table keeps apart because
/// the tag's own type is Text String.
fn enumeration_of(tag: Tag) -> Option<&'static crate::kmip::table::EnumInfo> {
    enum_for_tag(tag).or_else(|| {
        if tag_by_name("UniqueIdentifier") == Some(tag) {
            ENUMS.iter().find(|e| e.name == "UniqueIdentifierEnumeration" || e.name == "UniqueIdentifierValue")
        } else {
            None
        }
    })
}

/// The text of an Enumeration value.
pub(crate) fn enum_text(tag: Tag, value: u32) -> String {
    if is_tag_valued(tag) {
        if let Some(info) = tag_info(Tag::new(value)).filter(|i| i.tag.value() == value) {
            return info.name.to_owned();
        }
    } else if let Some(name) = enumeration_of(tag).and_then(|e| e.name_of(value)) {
        return name.to_owned();
    }
    format!("0x{value:08X}")
}

/// The Enumeration value for a name or `0x` hex text.
pub(crate) fn parse_enum(tag: Tag, text: &str) -> Option<u32> {
    if let Some(hex) = hex_digits(text) {
        return u32::from_str_radix(hex, 16).ok();
    }
    if is_tag_valued(tag) {
        return tag_by_name(text).map(Tag::value);
    }
    enumeration_of(tag).and_then(|e| e.value_of(text))
}

/// The text of an Integer: flag names where the tag is a mask, else decimal.
pub(crate) fn int_text(tag: Tag, value: i32, separator: &str) -> Option<String> {
    let mask = mask_for_tag(tag)?;
    // Masks are bit sets; the casts reinterpret the bits (bit 31 is a flag too).
    let bits = value as u32;
    let mut rest = bits;
    let mut words: Vec<String> = Vec::new();
    for bit in mask.bits {
        if bit.value != 0 && rest & bit.value == bit.value {
            words.push(bit.name.to_owned());
            rest &= !bit.value;
        }
    }
    if rest != 0 || words.is_empty() {
        words.push(format!("0x{rest:08X}"));
    }
    Some(words.join(separator))
}

/// The Integer for decimal, `0x` hex, or mask flag names (separated by
/// white space or `|`).
pub(crate) fn parse_int(tag: Tag, text: &str) -> Option<i32> {
    let trimmed = text.trim();
    if let Ok(v) = trimmed.parse::<i32>() {
        return Some(v);
    }
    if let Some(hex) = hex_digits(trimmed) {
        // Hex gives the 32 bits; the cast reinterprets them as signed.
        return u32::from_str_radix(hex, 16).ok().map(|v| v as i32);
    }
    let mask = mask_for_tag(tag);
    let mut bits = 0u32;
    let mut any = false;
    for word in trimmed.split(|c: char| c == '|' || c.is_whitespace()).filter(|w| !w.is_empty()) {
        any = true;
        bits |= match hex_digits(word) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => mask?.bits.iter().find(|b| b.name == word)?.value,
        };
    }
    any.then_some(bits as i32)
}

/// The Long Integer for decimal or `0x` hex (sixteen digits, two's complement).
pub(crate) fn parse_long(text: &str) -> Option<i64> {
    match hex_digits(text) {
        // Hex gives the 64 bits (two's complement); the cast reinterprets them.
        Some(hex) => u64::from_str_radix(hex, 16).ok().map(|v| v as i64),
        None => text.parse().ok(),
    }
}

/// `0x` and sixteen hex digits of a 64-bit value.
pub(crate) fn hex64(value: i64) -> String {
    // Hex formatting of a signed integer writes its two's complement.
    format!("0x{value:016X}")
}

/// The Interval for decimal or `0x` hex.
pub(crate) fn parse_interval(text: &str) -> Option<u32> {
    match hex_digits(text) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// The Boolean for `true`/`false` or `0x` hex (0 or 1).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => match hex_digits(text).and_then(|h| u64::from_str_radix(h, 16).ok()) {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
    }
}

/// Bytes from hex (an optional `0x` prefix is allowed).
pub(crate) fn parse_hex_bytes(text: &str) -> Option<Vec<u8>> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    hex::decode(digits).ok()
}

/// Date Time text: ISO 8601 in UTC, or `0x` hex outside years 0-9999.
pub(crate) fn datetime_text(seconds: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) if (0..=9999).contains(&t.year()) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        _ => hex64(seconds),
    }
}

/// Date Time Extended text: ISO 8601 with microseconds, or `0x` hex.
pub(crate) fn datetime_ext_text(micros: i64) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    match OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) if (0..=9999).contains(&t.year()) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            fraction
        ),
        _ => hex64(micros),
    }
}

/// Seconds since the epoch for ISO 8601 (RFC 3339) or `0x` hex text.
pub(crate) fn parse_datetime(text: &str) -> Option<i64> {
    if hex_digits(text).is_some() {
        return parse_long(text);
    }
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    // Date Time has whole seconds; a fraction would be lost silently.
    (t.nanosecond() == 0).then(|| t.unix_timestamp())
}

/// Microseconds since the epoch for ISO 8601 (RFC 3339) or `0x` hex text.
pub(crate) fn parse_datetime_ext(text: &str) -> Option<i64> {
    if hex_digits(text).is_some() {
        return parse_long(text);
    }
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let nanos = t.nanosecond();
    if nanos % 1000 != 0 {
        return None;
    }
    t.unix_timestamp().checked_mul(1_000_000)?.checked_add(i64::from(nanos / 1000))
}

/// The digits after a `0x` prefix, if the text has one and some digits.
fn hex_digits(text: &str) -> Option<&str> {
    text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).filter(|d| !d.is_empty())
}
