//! The readable tree: an indented text form of a [`Ttlv`] that parses back
//! exactly. `coffer ttlv decode` prints it and `coffer ttlv encode` reads it.
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
//!       ActivationDate DateTime 2024-01-01T00:00:00+00:00 (1704067200)
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
//! | DateTime | ISO 8601 (UTC) and the raw seconds, `2024-01-01T00:00:00+00:00 (1704067200)` |
//! | DateTimeExtended | ISO 8601 with microseconds and the raw microseconds |
//!
//! Where a line gives a raw value in parentheses, the parser takes it and
//! ignores the names, so the text parses back to the same tree whatever the
//! table says; hand-written input may give the names alone (`Encrypt|Decrypt`,
//! `SymmetricKey`, an ISO 8601 date). Blank lines and lines starting with `#`
//! are ignored. Names of tags, enumerations and masks, and the date forms,
//! are those of the KMIP JSON and XML encodings (shared in `ttlv::text`):
//! inside a KMIP 1.x `Attribute`, the `AttributeValue` is named as the
//! attribute its sibling `AttributeName` names.

use std::fmt::{self, Write as _};

use bytes::Bytes;

use super::text::{
    attribute_name_in, datetime_ext_text, datetime_text, enum_text, int_text, meaning_tag, parse_bool, parse_datetime,
    parse_datetime_ext, parse_enum, parse_int, parse_interval, parse_long, parse_tag, parse_type, tag_text,
};
use super::{ItemType, Tag, Ttlv, Value};

/// The deepest nesting [`from_text`] accepts, so that encoding what it
/// built cannot exhaust the stack.
pub const MAX_DEPTH: usize = 256;

/// Renders `item` as indented text, one line per item, each ending in `\n`.
pub fn to_text(item: &Ttlv) -> String {
    let mut out = String::new();
    write_item(item, None, 0, &mut out);
    out
}

/// Parses the text form back into a tree.
pub fn from_text(text: &str) -> Result<Ttlv, TreeError> {
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
            return Err(TreeError { line: line_no, kind: TreeErrorKind::Indentation });
        }
        let indent = raw_line.len().saturating_sub(content.len());
        parser.line(indent, body).map_err(|kind| TreeError { line: line_no, kind })?;
    }
    parser.finish().map_err(|kind| TreeError { line: last_line, kind })
}

/// Why a tree could not be parsed, and on which line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeError {
    /// The line (from 1) at fault.
    pub line: usize,
    /// What was wrong.
    pub kind: TreeErrorKind,
}

/// The kinds of malformed tree text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeErrorKind {
    /// The input holds no item.
    Empty,
    /// More than one item at the top level.
    SeveralRoots,
    /// An item is indented inconsistently with its siblings, or under an
    /// item that is not a structure, or with tabs.
    Indentation,
    /// Structures nest deeper than [`MAX_DEPTH`].
    TooDeep,
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
        /// What was expected.
        expected: &'static str,
    },
}

impl fmt::Display for TreeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeErrorKind::Empty => f.write_str("no item found"),
            TreeErrorKind::SeveralRoots => f.write_str("a second item at the top level (one message per input)"),
            TreeErrorKind::Indentation => {
                f.write_str("indentation does not match the siblings, or the parent is not a structure (spaces only)")
            }
            TreeErrorKind::TooDeep => write!(f, "structures nest deeper than {MAX_DEPTH}"),
            TreeErrorKind::MissingType => f.write_str("expected a tag followed by an item type"),
            TreeErrorKind::UnknownTag(t) => write!(f, "unknown tag {t:?} (use a table name or 0x and six hex digits)"),
            TreeErrorKind::UnknownType(t) => write!(f, "unknown item type {t:?}"),
            TreeErrorKind::StructureValue(v) => write!(f, "a Structure takes no value, found {v:?}"),
            TreeErrorKind::BadValue { item_type, text, expected } => {
                write!(f, "bad {item_type} value {text:?}: expected {expected}")
            }
        }
    }
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl std::error::Error for TreeError {}

// ---------------------------------------------------------------- rendering

fn write_item(item: &Ttlv, attribute_name: Option<Tag>, depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str(&tag_text(item.tag));
    out.push(' ');
    out.push_str(item.item_type().name());
    if let Value::Structure(children) = &item.value {
        out.push('\n');
        let name = attribute_name_in(children);
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
        Value::Integer(v) => match int_text(meaning, *v, "|") {
            // The cast shows the mask's 32 bits.
            Some(flags) => write!(out, " {flags} (0x{:08X})", *v as u32),
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
        Value::Enumeration(v) => match enum_text(meaning, *v) {
            raw if raw.starts_with("0x") => write!(out, " {raw}"),
            name => write!(out, " {name} (0x{v:08X})"),
        },
        Value::Boolean(b) => write!(out, " {b}"),
        Value::TextString(s) => write!(out, " {}", json_quote(s)),
        Value::ByteString(bytes) if bytes.is_empty() => write!(out, " (0 bytes)"),
        Value::ByteString(bytes) => write!(out, " {} ({} bytes)", hex::encode(bytes), bytes.len()),
        Value::DateTime(secs) => match datetime_text(*secs) {
            hex if hex.starts_with("0x") => write!(out, " {secs}"),
            iso => write!(out, " {iso} ({secs})"),
        },
        Value::DateTimeExtended(micros) => match datetime_ext_text(*micros) {
            hex if hex.starts_with("0x") => write!(out, " {micros}"),
            iso => write!(out, " {iso} ({micros})"),
        },
        Value::Interval(v) => write!(out, " {v}"),
    }
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
    // Sixteen significant bytes fit only when their top bit is the sign.
    if rest.len() > 16 || (rest.len() == 16 && rest.first().is_some_and(|b| (b & 0x80 != 0) != negative)) {
        return None;
    }
    let mut buf = [fill; 16];
    let start = 16usize.saturating_sub(rest.len());
    buf.get_mut(start..)?.copy_from_slice(rest);
    Some(i128::from_be_bytes(buf))
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
    fn line(&mut self, indent: usize, body: &str) -> Result<(), TreeErrorKind> {
        // Close every structure this line is not inside.
        while self.stack.last().is_some_and(|f| f.indent >= indent) {
            self.close();
        }
        if self.root.is_some() {
            return Err(TreeErrorKind::SeveralRoots);
        }
        let attribute_name = match self.stack.last_mut() {
            Some(frame) => {
                match frame.child_indent {
                    Some(expected) if expected != indent => return Err(TreeErrorKind::Indentation),
                    Some(_) => {}
                    None => frame.child_indent = Some(indent),
                }
                attribute_name_in(&frame.children)
            }
            None => None,
        };
        let (tag, item_type, rest) = split_line(body)?;
        if item_type == ItemType::Structure {
            if !rest.is_empty() {
                return Err(TreeErrorKind::StructureValue(rest.to_owned()));
            }
            if self.stack.len() >= MAX_DEPTH {
                return Err(TreeErrorKind::TooDeep);
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

    /// Closes the innermost open structure.
    fn close(&mut self) {
        if let Some(frame) = self.stack.pop() {
            self.push(Ttlv::structure(frame.tag, frame.children));
        }
    }

    fn finish(mut self) -> Result<Ttlv, TreeErrorKind> {
        while !self.stack.is_empty() {
            self.close();
        }
        self.root.ok_or(TreeErrorKind::Empty)
    }
}

/// Splits `Tag Type rest` and resolves the tag and the type.
fn split_line(body: &str) -> Result<(Tag, ItemType, &str), TreeErrorKind> {
    let (tag_name, after_tag) = body.split_once(' ').ok_or(TreeErrorKind::MissingType)?;
    let after_tag = after_tag.trim_start();
    let (type_name, rest) = after_tag.split_once(' ').unwrap_or((after_tag, ""));
    let tag = parse_tag(tag_name).ok_or_else(|| TreeErrorKind::UnknownTag(tag_name.to_owned()))?;
    let item_type = parse_type(type_name).ok_or_else(|| TreeErrorKind::UnknownType(type_name.to_owned()))?;
    Ok((tag, item_type, rest.trim()))
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

/// A value's raw form in its note, or else its main text, read by `parse`.
fn raw_or_main<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
    let (main, note) = split_note(text);
    note.and_then(&parse).or_else(|| parse(main))
}

fn parse_value(item_type: ItemType, meaning: Tag, text: &str) -> Result<Value, TreeErrorKind> {
    let bad = |expected: &'static str| TreeErrorKind::BadValue { item_type, text: text.to_owned(), expected };
    let value = match item_type {
        ItemType::Structure => Some(Value::Structure(Vec::new())),
        ItemType::Integer => raw_or_main(text, |t| parse_int(meaning, t)).map(Value::Integer),
        ItemType::LongInteger => parse_long(text).map(Value::LongInteger),
        ItemType::Interval => parse_interval(text).map(Value::Interval),
        ItemType::Boolean => parse_bool(text).map(Value::Boolean),
        ItemType::Enumeration => {
            raw_or_main(text, |t| parse_enum(meaning, t).or_else(|| t.parse().ok())).map(Value::Enumeration)
        }
        ItemType::DateTime => raw_or_main(text, |t| t.parse().ok().or_else(|| parse_datetime(t))).map(Value::DateTime),
        ItemType::DateTimeExtended => {
            raw_or_main(text, |t| t.parse().ok().or_else(|| parse_datetime_ext(t))).map(Value::DateTimeExtended)
        }
        ItemType::TextString => serde_json::from_str::<String>(text).ok().map(Value::TextString),
        ItemType::ByteString => {
            let (digits, _length) = split_note(text);
            hex::decode(digits.split_whitespace().collect::<String>()).ok().map(|b| Value::ByteString(Bytes::from(b)))
        }
        ItemType::BigInteger => {
            let (main, _decimal) = split_note(text);
            let bytes = match main.strip_prefix("0x").or_else(|| main.strip_prefix("0X")) {
                Some(digits) => hex::decode(digits).ok().filter(|b| b.len() % 8 == 0),
                None => main.parse::<i128>().ok().map(i128_to_big),
            };
            bytes.map(|b| Value::BigInteger(Bytes::from(b)))
        }
    };
    value.ok_or_else(|| bad(expected_form(item_type)))
}

/// What a value of each type may look like, for error messages.
fn expected_form(item_type: ItemType) -> &'static str {
    match item_type {
        ItemType::Structure => "nothing",
        ItemType::Integer => "a number, 0x hex, or mask flag names joined by |",
        ItemType::LongInteger | ItemType::Interval => "a number or 0x hex",
        ItemType::Boolean => "true or false",
        ItemType::Enumeration => "a name of this tag's enumeration, 0x hex, or a number",
        ItemType::DateTime => "ISO 8601 (2024-01-01T00:00:00Z) or seconds since 1970",
        ItemType::DateTimeExtended => "ISO 8601 with microseconds or microseconds since 1970",
        ItemType::TextString => "a JSON string literal",
        ItemType::ByteString => "hex digits",
        ItemType::BigInteger => "0x and a multiple of 16 hex digits, or a decimal number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ttlv::{decode, encode_to_vec, Limits};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// The error of a parse that must fail.
    fn parse_error(text: &str) -> Option<TreeErrorKind> {
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
        let expected = "RequestMessage Structure
  RequestHeader Structure
    ProtocolVersion Structure
      ProtocolVersionMajor Integer 1
      ProtocolVersionMinor Integer 2
    BatchCount Integer 1
  BatchItem Structure
    Operation Enumeration Create (0x00000001)
    RequestPayload Structure
      ObjectType Enumeration SymmetricKey (0x00000002)
      CryptographicUsageMask Integer Encrypt|Decrypt (0x0000000C)
      UniqueIdentifier TextString \"key \\\"one\\\"\\n\"
      0x540001 ByteString 0011 (2 bytes)
      0x540002 DateTime 2024-01-01T00:00:00+00:00 (1704067200)
      0x540003 Boolean true
      0x540004 BigInteger 0xFFFFFFFFFFFFFFFF (-1)
      0x540005 LongInteger -5
      0x540006 Interval 86400
      0x540007 DateTimeExtended 2024-01-01T00:00:00.123456+00:00 (1704067200123456)
      0x540008 ByteString (0 bytes)
";
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
        let item = int(Tag::CryptographicUsageMask, 0x4000_0001);
        let text = to_text(&item);
        assert_eq!(text, "CryptographicUsageMask Integer Sign|0x40000000 (0x40000001)\n");
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
        assert!(matches!(err.map(|e| e.kind), Some(TreeErrorKind::BadValue { item_type: ItemType::Integer, .. })));
        assert_eq!(parse_error("NoSuchTag Integer 1"), Some(TreeErrorKind::UnknownTag("NoSuchTag".into())));
        assert_eq!(parse_error("BatchCount Integr 1"), Some(TreeErrorKind::UnknownType("Integr".into())));
        assert_eq!(parse_error("\n# nothing\n"), Some(TreeErrorKind::Empty));
        assert_eq!(parse_error("BatchCount Integer 1\nBatchCount Integer 2"), Some(TreeErrorKind::SeveralRoots));
        let bad_indent = "RequestMessage Structure\n    BatchCount Integer 1\n  BatchCount Integer 2\n";
        assert_eq!(parse_error(bad_indent), Some(TreeErrorKind::Indentation));
        let under_leaf = "RequestMessage Structure\n  BatchCount Integer 1\n    BatchCount Integer 2\n";
        assert_eq!(parse_error(under_leaf), Some(TreeErrorKind::Indentation));
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
