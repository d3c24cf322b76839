//! A readable text form of a [`Ttlv`] tree that parses back exactly.
//!
//! One line per item, two spaces of indentation per level of nesting:
//!
//! ```text
//! RequestMessage Structure
//!   RequestHeader Structure
//!     ProtocolVersion Structure
//!       ProtocolVersionMajor Integer 1
//!       ProtocolVersionMinor Integer 2
//!     BatchCount Integer 1
//!   BatchItem Structure
//!     Operation Enumeration Create (0x00000001)
//!     RequestPayload Structure
//!       ObjectType Enumeration SymmetricKey (0x00000002)
//!       CryptographicUsageMask Integer Encrypt|Decrypt (0x0000000C)
//!       Name TextString "key \"one\"\n"
//!       KeyMaterial ByteString 00112233 (4 bytes)
//!       ActivationDate DateTime 2024-01-01T00:00:00Z (1704067200)
//! ```
//!
//! Each line is the tag (the table's name, or `0x` and six hex digits for a
//! tag the table does not know), the item type, and the value:
//!
//! | type | value |
//! |---|---|
//! | Structure | nothing; the children follow, indented |
//! | Integer | decimal; a bit mask's flag names and its raw value in hex, `Sign\|0x00100000 (0x00100001)` |
//! | LongInteger, Interval | decimal |
//! | BigInteger | `0x` and the exact two's-complement bytes, then the decimal value in parentheses when it fits 128 bits |
//! | Enumeration | the value's name and the raw value, `Create (0x00000001)`, or the raw value alone |
//! | Boolean | `true` or `false` |
//! | TextString | a JSON string literal |
//! | ByteString | hex, then the length: `0011 (2 bytes)`, `(0 bytes)` when empty |
//! | DateTime | ISO 8601 (UTC) and the raw seconds, `2024-01-01T00:00:00Z (1704067200)` |
//! | DateTimeExtended | ISO 8601 with microseconds and the raw microseconds |
//!
//! Where a line gives a raw value in parentheses, the parser takes it and
//! ignores the names, so the text parses back to the same tree whatever the
//! table says; hand-written input may give the names alone (`Encrypt|Decrypt`,
//! `SymmetricKey`, an ISO 8601 date). Blank lines and lines starting with `#`
//! are ignored. Names of enumerations and masks are looked up by tag; inside a
//! KMIP 1.x `Attribute`, the `AttributeValue` is read as the attribute that
//! its sibling `AttributeName` names.

use std::fmt::{self, Write as _};

use bytes::Bytes;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{ItemType, Tag, Ttlv, Value};
use crate::kmip::table;

/// Renders `item` as indented text, one line per item, each ending in `\n`.
pub fn to_text(item: &Ttlv) -> String {
    let mut out = String::new();
    write_item(item, None, 0, &mut out);
    out
}

/// Parses the text form back into a tree.
pub fn from_text(text: &str) -> Result<Ttlv, TextError> {
    let mut parser = Parser { stack: Vec::new(), root: None };
    let mut last_line = 0;
    for (index, raw_line) in text.lines().enumerate() {
        let line_no = index.saturating_add(1);
        last_line = line_no;
        let content = raw_line.trim_start_matches(' ');
        let body = content.trim_end();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if content.starts_with('\t') {
            return Err(TextError { line: line_no, kind: TextErrorKind::Indentation });
        }
        let indent = raw_line.len().saturating_sub(content.len());
        parser.line(indent, body).map_err(|kind| TextError { line: line_no, kind })?;
    }
    parser.finish().map_err(|kind| TextError { line: last_line, kind })
}

/// Why a text tree could not be parsed, and on which line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextError {
    /// The line (from 1) at fault.
    pub line: usize,
    /// What was wrong.
    pub kind: TextErrorKind,
}

/// The kinds of malformed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextErrorKind {
    /// The input holds no item.
    Empty,
    /// More than one item at the top level.
    SeveralRoots,
    /// An item is indented inconsistently with its siblings, or under an
    /// item that is not a structure, or with tabs.
    Indentation,
    /// A line has a tag but no item type.
    MissingType,
    /// The tag is neither a known name nor `0x` and hex.
    UnknownTag(String),
    /// The item type is not one of the eleven TTLV types.
    UnknownType(String),
    /// A structure line carries a value.
    StructureValue(String),
    /// The value does not fit the item type.
    BadValue {
        /// The item's type.
        item_type: ItemType,
        /// The text that was given.
        text: String,
        /// Why it does not fit.
        reason: &'static str,
    },
}

impl fmt::Display for TextErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextErrorKind::Empty => f.write_str("no item found"),
            TextErrorKind::SeveralRoots => f.write_str("a second item at the top level (one message per input)"),
            TextErrorKind::Indentation => {
                f.write_str("indentation does not match the siblings, or the parent is not a structure (spaces only)")
            }
            TextErrorKind::MissingType => f.write_str("expected a tag followed by an item type"),
            TextErrorKind::UnknownTag(t) => write!(f, "unknown tag {t:?} (use a table name or 0x and six hex digits)"),
            TextErrorKind::UnknownType(t) => write!(f, "unknown item type {t:?}"),
            TextErrorKind::StructureValue(v) => write!(f, "a Structure takes no value, found {v:?}"),
            TextErrorKind::BadValue { item_type, text, reason } => {
                write!(f, "bad {item_type} value {text:?}: {reason}")
            }
        }
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl std::error::Error for TextError {}

// ---------------------------------------------------------------- rendering

/// The tag's name where the name leads back to it, else its hex value.
fn tag_token(tag: Tag) -> String {
    match tag.name() {
        Some(name) if table::tag_by_name(name) == Some(tag) => name.to_owned(),
        _ => format!("0x{:06X}", tag.value()),
    }
}

/// The tag whose enumeration or mask gives names to this item's value: the
/// item's own tag, or, for a 1.x `AttributeValue`, the named attribute's.
fn meaning_tag(tag: Tag, attribute_name: Option<&str>) -> Tag {
    if tag == Tag::AttributeValue {
        if let Some(named) = attribute_name.and_then(table::tag_by_name) {
            return named;
        }
    }
    tag
}

/// The text of the `AttributeName` child of a structure, if it has one.
fn attribute_name_of(children: &[Ttlv]) -> Option<&str> {
    children.iter().find_map(|c| match (&c.value, c.tag == Tag::AttributeName) {
        (Value::TextString(name), true) => Some(name.as_str()),
        _ => None,
    })
}

fn write_item(item: &Ttlv, attribute_name: Option<&str>, depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str(&tag_token(item.tag));
    out.push(' ');
    out.push_str(item.item_type().name());
    if let Value::Structure(children) = &item.value {
        out.push('\n');
        let name = attribute_name_of(children);
        for child in children {
            write_item(child, name, depth.saturating_add(1), out);
        }
        return;
    }
    // Writing into a String cannot fail.
    let _ = write_value(&item.value, meaning_tag(item.tag, attribute_name), out);
    out.push('\n');
}

/// Writes ` value` for a leaf item; `meaning` names its enumeration or mask.
fn write_value(value: &Value, meaning: Tag, out: &mut String) -> fmt::Result {
    match value {
        Value::Structure(_) => Ok(()),
        Value::Integer(v) => match table::mask_for_tag(meaning) {
            Some(mask) => {
                let bits = *v as u32;
                let mut rest = bits;
                let mut names = Vec::new();
                for bit in mask.bits {
                    if bit.value != 0 && rest & bit.value == bit.value {
                        names.push(bit.name.to_owned());
                        rest &= !bit.value;
                    }
                }
                if rest != 0 || names.is_empty() {
                    names.push(format!("0x{rest:08X}"));
                }
                write!(out, " {} (0x{bits:08X})", names.join("|"))
            }
            None => write!(out, " {v}"),
        },
        Value::LongInteger(v) => write!(out, " {v}"),
        Value::BigInteger(bytes) => {
            write!(out, " 0x{}", hex::encode_upper(bytes))?;
            match big_to_i128(bytes) {
                Some(n) => write!(out, " ({n})"),
                None => Ok(()),
            }
        }
        Value::Enumeration(v) => match table::enum_for_tag(meaning).and_then(|e| e.name_of(*v)) {
            Some(name) => write!(out, " {name} (0x{v:08X})"),
            None => write!(out, " 0x{v:08X}"),
        },
        Value::Boolean(b) => write!(out, " {b}"),
        Value::TextString(s) => write!(out, " {}", json_quote(s)),
        Value::ByteString(bytes) if bytes.is_empty() => write!(out, " (0 bytes)"),
        Value::ByteString(bytes) => write!(out, " {} ({} bytes)", hex::encode(bytes), bytes.len()),
        Value::DateTime(secs) => match OffsetDateTime::from_unix_timestamp(*secs).ok().and_then(iso8601) {
            Some(iso) => write!(out, " {iso} ({secs})"),
            None => write!(out, " {secs}"),
        },
        Value::DateTimeExtended(micros) => {
            let nanos = i128::from(*micros).saturating_mul(1000);
            match OffsetDateTime::from_unix_timestamp_nanos(nanos).ok().and_then(iso8601) {
                Some(iso) => write!(out, " {iso} ({micros})"),
                None => write!(out, " {micros}"),
            }
        }
        Value::Interval(v) => write!(out, " {v}"),
    }
}

fn iso8601(t: OffsetDateTime) -> Option<String> {
    t.format(&Rfc3339).ok()
}

/// A string as a JSON string literal: quoted, with control characters,
/// quotes and backslashes escaped, so it always sits on one line.
fn json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(2));
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Line and paragraph separators too: some tools break lines on them.
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The value of a two's-complement big-endian integer, if it fits in 128 bits.
fn big_to_i128(bytes: &[u8]) -> Option<i128> {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let fill = if negative { 0xFF } else { 0x00 };
    let significant = bytes.iter().position(|&b| b != fill).unwrap_or(bytes.len());
    let rest = bytes.get(significant..)?;
    // Keep one byte of sign when the first significant byte has the wrong top bit.
    if rest.len() > 16 || (rest.len() == 16 && rest.first().is_some_and(|b| (b & 0x80 != 0) != negative)) {
        return None;
    }
    let mut buf = [fill; 16];
    let start = 16usize.saturating_sub(rest.len());
    buf.get_mut(start..)?.copy_from_slice(rest);
    Some(i128::from_be_bytes(buf))
}

// ------------------------------------------------------------------ parsing

struct Frame {
    indent: usize,
    child_indent: Option<usize>,
    tag: Tag,
    children: Vec<Ttlv>,
}

struct Parser {
    stack: Vec<Frame>,
    root: Option<Ttlv>,
}

impl Parser {
    fn line(&mut self, indent: usize, body: &str) -> Result<(), TextErrorKind> {
        // Close every structure this line is not inside.
        while self.stack.last().is_some_and(|f| f.indent >= indent) {
            self.close()?;
        }
        if self.root.is_some() {
            return Err(TextErrorKind::SeveralRoots);
        }
        let attribute_name = match self.stack.last_mut() {
            Some(frame) => {
                match frame.child_indent {
                    Some(expected) if expected != indent => return Err(TextErrorKind::Indentation),
                    Some(_) => {}
                    None => frame.child_indent = Some(indent),
                }
                attribute_name_of(&frame.children)
            }
            None => None,
        };
        let (tag, item_type, rest) = split_line(body)?;
        if item_type == ItemType::Structure {
            if !rest.is_empty() {
                return Err(TextErrorKind::StructureValue(rest.to_owned()));
            }
            self.stack.push(Frame { indent, child_indent: None, tag, children: Vec::new() });
            return Ok(());
        }
        let value = parse_value(item_type, meaning_tag(tag, attribute_name), rest)?;
        self.push(Ttlv::new(tag, value));
        Ok(())
    }

    fn push(&mut self, item: Ttlv) {
        match self.stack.last_mut() {
            Some(frame) => frame.children.push(item),
            None => self.root = Some(item),
        }
    }

    fn close(&mut self) -> Result<(), TextErrorKind> {
        if let Some(frame) = self.stack.pop() {
            if self.stack.is_empty() && self.root.is_some() {
                return Err(TextErrorKind::SeveralRoots);
            }
            self.push(Ttlv::structure(frame.tag, frame.children));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Ttlv, TextErrorKind> {
        while !self.stack.is_empty() {
            self.close()?;
        }
        self.root.ok_or(TextErrorKind::Empty)
    }
}

/// Splits `Tag Type rest` and resolves the tag and the type.
fn split_line(body: &str) -> Result<(Tag, ItemType, &str), TextErrorKind> {
    let (tag_text, after_tag) = body.split_once(' ').ok_or(TextErrorKind::MissingType)?;
    let after_tag = after_tag.trim_start();
    let (type_text, rest) = after_tag.split_once(' ').unwrap_or((after_tag, ""));
    let tag = parse_tag(tag_text)?;
    let item_type = ItemType::from_name(type_text).ok_or_else(|| TextErrorKind::UnknownType(type_text.to_owned()))?;
    Ok((tag, item_type, rest.trim()))
}

fn parse_tag(text: &str) -> Result<Tag, TextErrorKind> {
    if let Some(hex_digits) = strip_hex_prefix(text) {
        if hex_digits.len() == 6 {
            if let Ok(v) = u32::from_str_radix(hex_digits, 16) {
                return Ok(Tag::new(v));
            }
        }
    }
    table::tag_by_name(text).ok_or_else(|| TextErrorKind::UnknownTag(text.to_owned()))
}

fn strip_hex_prefix(text: &str) -> Option<&str> {
    text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"))
}

/// Splits a trailing ` (note)` off a value: `Create (0x00000001)` gives
/// `("Create", Some("0x00000001"))`.
fn split_note(text: &str) -> (&str, Option<&str>) {
    if let Some(inner) = text.strip_suffix(')') {
        if let Some((main, note)) = inner.rsplit_once('(') {
            return (main.trim_end(), Some(note.trim()));
        }
    }
    (text, None)
}

/// A number in decimal, or in hex after `0x`, as an i128 (so both signed and
/// unsigned 64-bit values fit before the caller narrows it).
fn parse_number(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let magnitude = match strip_hex_prefix(digits) {
        Some(h) => i128::from_str_radix(&h.replace('_', ""), 16).ok()?,
        None => digits.replace('_', "").parse::<i128>().ok()?,
    };
    Some(if negative { magnitude.checked_neg()? } else { magnitude })
}

fn parse_value(item_type: ItemType, meaning: Tag, text: &str) -> Result<Value, TextErrorKind> {
    let bad = |reason: &'static str| TextErrorKind::BadValue { item_type, text: text.to_owned(), reason };
    Ok(match item_type {
        ItemType::Structure => Value::Structure(Vec::new()),
        ItemType::Integer => {
            let (main, note) = split_note(text);
            let n = match note.and_then(parse_number).or_else(|| parse_number(main)) {
                Some(n) => n,
                None => parse_mask(meaning, main).ok_or_else(|| bad("expected a number or mask flag names"))?,
            };
            // A mask's raw value is an unsigned 32-bit pattern.
            let v =
                i32::try_from(n).or_else(|_| u32::try_from(n).map(|u| u as i32)).map_err(|_| bad("out of range"))?;
            Value::Integer(v)
        }
        ItemType::LongInteger => {
            let n = parse_number(text).ok_or_else(|| bad("expected a number"))?;
            Value::LongInteger(i64::try_from(n).map_err(|_| bad("out of range"))?)
        }
        ItemType::Interval => {
            let n = parse_number(text).ok_or_else(|| bad("expected a number"))?;
            Value::Interval(u32::try_from(n).map_err(|_| bad("out of range"))?)
        }
        ItemType::Enumeration => {
            let (main, note) = split_note(text);
            let n = match note.and_then(parse_number).or_else(|| parse_number(main)) {
                Some(n) => n,
                None => table::enum_for_tag(meaning)
                    .and_then(|e| e.value_of(main))
                    .map(i128::from)
                    .ok_or_else(|| bad("expected a number or a name of this tag's enumeration"))?,
            };
            Value::Enumeration(u32::try_from(n).map_err(|_| bad("out of range"))?)
        }
        ItemType::Boolean => match text {
            "true" => Value::Boolean(true),
            "false" => Value::Boolean(false),
            _ => return Err(bad("expected true or false")),
        },
        ItemType::TextString => {
            Value::TextString(serde_json::from_str::<String>(text).map_err(|_| bad("expected a JSON string literal"))?)
        }
        ItemType::ByteString => {
            let (main, _length) = split_note(text);
            let digits: String = main.split_whitespace().collect();
            Value::ByteString(Bytes::from(hex::decode(digits).map_err(|_| bad("expected hex digits"))?))
        }
        ItemType::BigInteger => {
            let (main, _decimal) = split_note(text);
            match strip_hex_prefix(main) {
                Some(h) => {
                    let digits: String = h.chars().filter(|c| *c != '_' && !c.is_whitespace()).collect();
                    let bytes = hex::decode(digits).map_err(|_| bad("expected 0x and hex digits"))?;
                    if bytes.len() % 8 != 0 {
                        return Err(bad("a Big Integer takes a multiple of eight bytes"));
                    }
                    Value::BigInteger(Bytes::from(bytes))
                }
                None => {
                    let n = parse_number(main).ok_or_else(|| bad("expected 0x and hex digits, or a decimal number"))?;
                    Value::BigInteger(Bytes::from(i128_to_big(n)))
                }
            }
        }
        ItemType::DateTime => {
            let (main, note) = split_note(text);
            let secs = match note.and_then(parse_number).or_else(|| parse_number(main)) {
                Some(n) => n,
                None => {
                    i128::from(parse_iso(main).ok_or_else(|| bad("expected ISO 8601 or seconds"))?.unix_timestamp())
                }
            };
            Value::DateTime(i64::try_from(secs).map_err(|_| bad("out of range"))?)
        }
        ItemType::DateTimeExtended => {
            let (main, note) = split_note(text);
            let micros = match note.and_then(parse_number).or_else(|| parse_number(main)) {
                Some(n) => n,
                None => {
                    parse_iso(main).ok_or_else(|| bad("expected ISO 8601 or microseconds"))?.unix_timestamp_nanos()
                        / 1000
                }
            };
            Value::DateTimeExtended(i64::try_from(micros).map_err(|_| bad("out of range"))?)
        }
    })
}

fn parse_iso(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// Flag names joined by `|`, each a name of the tag's mask or a number.
fn parse_mask(meaning: Tag, text: &str) -> Option<i128> {
    let mask = table::mask_for_tag(meaning);
    let mut bits: u32 = 0;
    for part in text.split('|').map(str::trim) {
        let bit = match parse_number(part) {
            Some(n) => u32::try_from(n).ok()?,
            None => mask?.bits.iter().find(|b| b.name == part)?.value,
        };
        bits |= bit;
    }
    Some(i128::from(bits))
}

/// The shortest eight-byte-multiple two's-complement encoding of `n`.
fn i128_to_big(n: i128) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    if i128::from(n as i64) == n {
        bytes.get(8..).map(<[u8]>::to_vec).unwrap_or_default()
    } else {
        bytes.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ttlv::{decode, encode_to_vec, Limits};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// The error of a parse that must fail.
    fn parse_error(text: &str) -> Option<TextErrorKind> {
        from_text(text).err().map(|e| e.kind)
    }

    fn int(tag: Tag, v: i32) -> Ttlv {
        Ttlv::new(tag, Value::Integer(v))
    }

    fn sample() -> Ttlv {
        Ttlv::structure(
            Tag::RequestMessage,
            vec![
                Ttlv::structure(
                    Tag::RequestHeader,
                    vec![
                        Ttlv::structure(
                            Tag::ProtocolVersion,
                            vec![int(Tag::ProtocolVersionMajor, 1), int(Tag::ProtocolVersionMinor, 2)],
                        ),
                        int(Tag::BatchCount, 1),
                    ],
                ),
                Ttlv::structure(
                    Tag::BatchItem,
                    vec![
                        Ttlv::new(Tag::Operation, Value::Enumeration(0x0000_0001)),
                        Ttlv::structure(
                            Tag::RequestPayload,
                            vec![
                                Ttlv::new(Tag::ObjectType, Value::Enumeration(2)),
                                int(Tag::CryptographicUsageMask, 0x0C),
                                Ttlv::new(Tag::UniqueIdentifier, Value::TextString("key \"one\"\n".into())),
                                Ttlv::new(Tag::new(0x54_0001), Value::ByteString(Bytes::from_static(&[0, 0x11]))),
                                Ttlv::new(Tag::new(0x54_0002), Value::DateTime(1_704_067_200)),
                                Ttlv::new(Tag::new(0x54_0003), Value::Boolean(true)),
                                Ttlv::new(Tag::new(0x54_0004), Value::BigInteger(Bytes::from_static(&[0xFF; 8]))),
                                Ttlv::new(Tag::new(0x54_0005), Value::LongInteger(-5)),
                                Ttlv::new(Tag::new(0x54_0006), Value::Interval(86_400)),
                                Ttlv::new(Tag::new(0x54_0007), Value::DateTimeExtended(1_704_067_200_123_456)),
                                Ttlv::new(Tag::new(0x54_0008), Value::ByteString(Bytes::new())),
                            ],
                        ),
                    ],
                ),
            ],
        )
    }

    #[test]
    fn renders_a_small_message_exactly() {
        // Operation 1 is named once the table has the Operation enumeration;
        // the raw value is there either way.
        let operation = match table::enum_for_tag(Tag::Operation).and_then(|e| e.name_of(1)) {
            Some(name) => format!("{name} (0x00000001)"),
            None => "0x00000001".to_owned(),
        };
        let expected = format!(
            "RequestMessage Structure
  RequestHeader Structure
    ProtocolVersion Structure
      ProtocolVersionMajor Integer 1
      ProtocolVersionMinor Integer 2
    BatchCount Integer 1
  BatchItem Structure
    Operation Enumeration {operation}
    RequestPayload Structure
      ObjectType Enumeration SymmetricKey (0x00000002)
      CryptographicUsageMask Integer Encrypt|Decrypt (0x0000000C)
      UniqueIdentifier TextString \"key \\\"one\\\"\\n\"
      0x540001 ByteString 0011 (2 bytes)
      0x540002 DateTime 2024-01-01T00:00:00Z (1704067200)
      0x540003 Boolean true
      0x540004 BigInteger 0xFFFFFFFFFFFFFFFF (-1)
      0x540005 LongInteger -5
      0x540006 Interval 86400
      0x540007 DateTimeExtended 2024-01-01T00:00:00.123456Z (1704067200123456)
      0x540008 ByteString (0 bytes)
"
        );
        assert_eq!(to_text(&sample()), expected);
    }

    #[test]
    fn parses_its_own_rendering() -> TestResult {
        let tree = sample();
        assert_eq!(from_text(&to_text(&tree))?, tree);
        Ok(())
    }

    #[test]
    fn raw_values_win_over_names() -> TestResult {
        // A wrong name beside the raw value still gives the raw value.
        let tree = from_text("ObjectType Enumeration PublicKey (0x00000002)")?;
        assert_eq!(tree.value, Value::Enumeration(2));
        Ok(())
    }

    #[test]
    fn accepts_hand_written_names() -> TestResult {
        let text = "RequestPayload Structure
  # a comment, then a blank line

  ObjectType Enumeration SymmetricKey
  CryptographicUsageMask Integer Encrypt | Decrypt
  0x540002 DateTime 2024-01-01T00:00:00Z
  0x540004 BigInteger 1
  0x540005 BigInteger -1
";
        let tree = from_text(text)?;
        let values: Vec<&Value> = tree.children().iter().map(|c| &c.value).collect();
        assert_eq!(
            values,
            vec![
                &Value::Enumeration(2),
                &Value::Integer(12),
                &Value::DateTime(1_704_067_200),
                &Value::BigInteger(Bytes::from_static(&[0, 0, 0, 0, 0, 0, 0, 1])),
                &Value::BigInteger(Bytes::from_static(&[0xFF; 8])),
            ]
        );
        Ok(())
    }

    #[test]
    fn names_a_1x_attribute_value_by_its_attribute_name() -> TestResult {
        let attribute = Ttlv::structure(
            Tag::Attribute,
            vec![
                Ttlv::new(Tag::AttributeName, Value::TextString("Cryptographic Usage Mask".into())),
                int(Tag::AttributeValue, 0x0C),
            ],
        );
        let text = to_text(&attribute);
        assert!(text.contains("AttributeValue Integer Encrypt|Decrypt (0x0000000C)"), "{text}");
        let hand_written = "Attribute Structure\n  AttributeName TextString \"Cryptographic Usage Mask\"\n  \
                            AttributeValue Integer Sign|Verify\n";
        let parsed = from_text(hand_written)?;
        assert_eq!(parsed.child(Tag::AttributeValue).map(|c| &c.value), Some(&Value::Integer(3)));
        Ok(())
    }

    #[test]
    fn unknown_mask_bits_are_kept() -> TestResult {
        let item = int(Tag::CryptographicUsageMask, 0x0010_0001);
        let text = to_text(&item);
        assert_eq!(text, "CryptographicUsageMask Integer Sign|0x00100000 (0x00100001)\n");
        assert_eq!(from_text(&text)?, item);
        let negative = int(Tag::CryptographicUsageMask, i32::MIN);
        assert_eq!(from_text(&to_text(&negative))?, negative);
        Ok(())
    }

    #[test]
    fn text_strings_round_trip_with_any_characters() -> TestResult {
        for s in ["", "plain", "tab\there", "quote\" back\\slash", "\u{0}\u{1f}\u{7f}", "ünïcødé ✓", "a\u{2028}b\r\n"]
        {
            let item = Ttlv::new(Tag::UniqueIdentifier, Value::TextString(s.into()));
            let text = to_text(&item);
            assert_eq!(text.lines().count(), 1, "{text}");
            assert_eq!(from_text(&text)?, item, "{text}");
        }
        Ok(())
    }

    #[test]
    fn extreme_dates_and_big_integers_round_trip() -> TestResult {
        for v in [i64::MIN, -1, 0, 253_402_300_800, i64::MAX] {
            for item in [
                Ttlv::new(Tag::new(0x54_0000), Value::DateTime(v)),
                Ttlv::new(Tag::new(0x54_0000), Value::DateTimeExtended(v)),
                Ttlv::new(Tag::new(0x54_0000), Value::LongInteger(v)),
            ] {
                assert_eq!(from_text(&to_text(&item))?, item);
            }
        }
        for bytes in [&[0u8; 8][..], &[0x80; 16], &[0x7F; 16], &[0xFF; 24], &[1; 32], &[]] {
            let item = Ttlv::new(Tag::new(0x54_0000), Value::BigInteger(Bytes::copy_from_slice(bytes)));
            assert_eq!(from_text(&to_text(&item))?, item, "{}", to_text(&item));
        }
        Ok(())
    }

    #[test]
    fn decimal_of_big_integers() {
        assert_eq!(big_to_i128(&[0x80; 16]), Some(i128::from_be_bytes([0x80; 16])));
        assert_eq!(big_to_i128(&[0x00, 0x80, 0, 0, 0, 0, 0, 0]), Some(0x0080_0000_0000_0000));
        let mut minus_big = vec![0xFF; 24];
        if let Some(b) = minus_big.get_mut(8) {
            *b = 0x7F;
        }
        assert_eq!(big_to_i128(&minus_big), None);
        assert_eq!(big_to_i128(&[]), Some(0));
    }

    #[test]
    fn a_byte_exact_round_trip_through_text() -> TestResult {
        let bytes = encode_to_vec(&sample())?;
        let decoded = decode(&Bytes::from(bytes.clone()), &Limits::DEFAULT)?;
        let again = encode_to_vec(&from_text(&to_text(&decoded))?)?;
        assert_eq!(again, bytes);
        Ok(())
    }

    #[test]
    fn reports_the_line_at_fault() {
        let err = from_text("RequestMessage Structure\n  BatchCount Integer one\n").err();
        assert_eq!(err.as_ref().map(|e| e.line), Some(2));
        assert!(matches!(err.map(|e| e.kind), Some(TextErrorKind::BadValue { item_type: ItemType::Integer, .. })));
        assert_eq!(parse_error("NoSuchTag Integer 1"), Some(TextErrorKind::UnknownTag("NoSuchTag".into())));
        assert_eq!(parse_error("BatchCount Integr 1"), Some(TextErrorKind::UnknownType("Integr".into())));
        assert_eq!(parse_error("\n# nothing\n"), Some(TextErrorKind::Empty));
        assert_eq!(parse_error("BatchCount Integer 1\nBatchCount Integer 2"), Some(TextErrorKind::SeveralRoots));
        let bad_indent = "RequestMessage Structure\n    BatchCount Integer 1\n  BatchCount Integer 2\n";
        assert_eq!(parse_error(bad_indent), Some(TextErrorKind::Indentation));
        let under_leaf = "RequestMessage Structure\n  BatchCount Integer 1\n    BatchCount Integer 2\n";
        assert_eq!(parse_error(under_leaf), Some(TextErrorKind::Indentation));
    }

    #[test]
    fn empty_structures_round_trip() -> TestResult {
        let item = Ttlv::structure(
            Tag::RequestMessage,
            vec![Ttlv::structure(Tag::RequestHeader, vec![]), Ttlv::structure(Tag::BatchItem, vec![])],
        );
        assert_eq!(from_text(&to_text(&item))?, item);
        Ok(())
    }
}
