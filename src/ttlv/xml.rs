//! The KMIP XML encoding (KMIP Profiles 1.3+ and 2.x, "XML Encoding").
//!
//! Each item is an element named after its tag:
//! `<ActivationDate type="DateTime" value="2001-01-01T10:00:00+00:00"/>`;
//! a Structure is an element without `type` whose children are its items.
//! A tag the table does not know is written `<TTLV tag="0x540001" ...>`,
//! since `0x540001` is not a valid XML element name. How each value is
//! written is described in the shared `text` module; in short: enumerations
//! and masks by name where the table knows them, bytes in hex, dates in
//! ISO 8601.
//!
//! The decoder also accepts the KMIP 2.x profile's types `Identifier`,
//! `Reference` and `NameReference`, which stand for a Text String on the
//! wire; they are read as Text String, so they are written back as
//! `TextString`.
//!
//! Text Strings that hold U+0000 cannot be written in XML 1.0; the encoder
//! writes `&#0;`, which the decoder refuses.

use std::fmt::Write as _;

use bytes::Bytes;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

pub use super::text::TextError;
use super::text::{
    attribute_name_tag, datetime_ext_text, datetime_text, enum_text, int_text, meaning_tag, parse_bool, parse_datetime,
    parse_datetime_ext, parse_enum, parse_hex_bytes, parse_int, parse_interval, parse_long, parse_tag, parse_type,
    tag_text, TextErrorKind, MAX_DEPTH,
};
use super::{ItemType, Tag, Ttlv, Value};
use crate::kmip::table::{tag_by_name, tag_info};

/// The element name for tags the table does not know; the tag goes in a
/// `tag` attribute.
const UNKNOWN_TAG_ELEMENT: &str = "TTLV";

/// The XML encoding of a tree, indented by two spaces per level.
pub fn to_xml(item: &Ttlv) -> String {
    let mut out = String::new();
    write_item(&mut out, item, None, 0);
    out
}

/// The tree for the XML encoding of one item.
pub fn from_xml(text: &str) -> Result<Ttlv, TextError> {
    let mut roots = parse_elements(text, false)?;
    match (roots.pop(), roots.is_empty()) {
        (Some(root), true) => element_to_ttlv(&root, None, &mut Vec::new()),
        (None, _) => Err(TextError::new(&[], TextErrorKind::Missing("an element"))),
        (Some(_), false) => Err(TextError::new(&[], TextErrorKind::Unexpected("second top-level element".into()))),
    }
}

/// Every message in an OASIS test-case file: a `<KMIP>` (or, in the KMIP 1.0
/// set, `<KmipTestCase>`) root holding Request and Response Message elements.
/// Comments are ignored, and so is free text directly inside the root: some
/// OASIS files carry `# ...` notes between messages.
pub fn from_xml_document(text: &str) -> Result<Vec<Ttlv>, TextError> {
    let mut roots = parse_elements(text, true)?;
    let root = match (roots.pop(), roots.is_empty()) {
        (Some(root), true) => root,
        (None, _) => return Err(TextError::new(&[], TextErrorKind::Missing("a root element"))),
        (Some(_), false) => {
            return Err(TextError::new(&[], TextErrorKind::Unexpected("second top-level element".into())))
        }
    };
    if root.name != "KMIP" && root.name != "KmipTestCase" {
        return Err(TextError::new(&[], TextErrorKind::Unexpected(format!("root element <{}>", root.name))));
    }
    let mut path = vec![root.name.clone()];
    root.children.iter().map(|child| element_to_ttlv(child, None, &mut path)).collect()
}

fn write_item(out: &mut String, item: &Ttlv, attribute_name: Option<Tag>, depth: usize) {
    let indent = "  ".repeat(depth);
    let (name, tag_attr) = match tag_info(item.tag) {
        Some(info) => (info.name.to_owned(), String::new()),
        None => (UNKNOWN_TAG_ELEMENT.to_owned(), format!(" tag=\"{}\"", tag_text(item.tag))),
    };
    let meaning = meaning_tag(item.tag, attribute_name);
    let value = match &item.value {
        Value::Structure(children) => {
            if children.is_empty() {
                let _ = writeln!(out, "{indent}<{name}{tag_attr}/>");
            } else {
                let _ = writeln!(out, "{indent}<{name}{tag_attr}>");
                let named = super::text::attribute_name_in(children);
                for child in children {
                    write_item(out, child, named, depth.saturating_add(1));
                }
                let _ = writeln!(out, "{indent}</{name}>");
            }
            return;
        }
        Value::Integer(v) => int_text(meaning, *v, " ").unwrap_or_else(|| v.to_string()),
        Value::LongInteger(v) => v.to_string(),
        Value::BigInteger(b) | Value::ByteString(b) => hex::encode(b),
        Value::Enumeration(v) => enum_text(meaning, *v),
        Value::Boolean(v) => v.to_string(),
        Value::TextString(s) => escape_attr(s),
        Value::DateTime(v) => datetime_text(*v),
        Value::Interval(v) => v.to_string(),
        Value::DateTimeExtended(v) => datetime_ext_text(*v),
    };
    let _ = writeln!(out, "{indent}<{name}{tag_attr} type=\"{}\" value=\"{value}\"/>", item.item_type().name());
}

/// Escapes an attribute value; white space and control characters become
/// character references so attribute-value normalization cannot alter them.
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// One XML element, before its text is interpreted.
#[derive(Debug, Default)]
struct Element {
    name: String,
    tag: Option<String>,
    ty: Option<String>,
    value: Option<String>,
    children: Vec<Element>,
}

/// Reads the elements of a text, without interpreting them. Iterative, and
/// bounded by [`MAX_DEPTH`], so no input can exhaust the stack. With
/// `root_notes`, text directly inside the root element is skipped.
fn parse_elements(text: &str, root_notes: bool) -> Result<Vec<Element>, TextError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut roots: Vec<Element> = Vec::new();
    let path_of = |stack: &[Element]| stack.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
    loop {
        let event = reader.read_event().map_err(|e| {
            TextError::new(&path_of(&stack), TextErrorKind::Syntax(format!("{e} at byte {}", reader.error_position())))
        })?;
        match event {
            Event::Start(start) => {
                if stack.len() > MAX_DEPTH {
                    return Err(TextError::new(&path_of(&stack), TextErrorKind::TooDeep));
                }
                let element = read_start(&start, &path_of(&stack))?;
                stack.push(element);
            }
            Event::Empty(start) => {
                let element = read_start(&start, &path_of(&stack))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => roots.push(element),
                }
            }
            Event::End(_) => {
                let Some(element) = stack.pop() else {
                    return Err(TextError::new(&[], TextErrorKind::Unexpected("closing tag".into())));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => roots.push(element),
                }
            }
            Event::Text(t) => {
                let content = t.unescape().unwrap_or_default();
                let note = root_notes && stack.len() == 1;
                if !note && !content.trim().is_empty() {
                    return Err(TextError::new(
                        &path_of(&stack),
                        TextErrorKind::Unexpected(format!("text {:?}", content.trim())),
                    ));
                }
            }
            Event::CData(_) => {
                return Err(TextError::new(&path_of(&stack), TextErrorKind::Unexpected("CDATA".into())));
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(TextError::new(&path_of(&stack), TextErrorKind::Syntax("unclosed element".into())));
    }
    Ok(roots)
}

fn read_start(start: &BytesStart<'_>, path: &[String]) -> Result<Element, TextError> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut element = Element { name, ..Element::default() };
    let mut here = path.to_vec();
    here.push(element.name.clone());
    for attr in start.attributes() {
        let attr = attr.map_err(|e| TextError::new(&here, TextErrorKind::Syntax(e.to_string())))?;
        let value = attr
            .unescape_value()
            .map_err(|e| TextError::new(&here, TextErrorKind::Syntax(e.to_string())))?
            .into_owned();
        match attr.key.as_ref() {
            b"type" => element.ty = Some(value),
            b"value" => element.value = Some(value),
            b"tag" => element.tag = Some(value),
            other => {
                let other = String::from_utf8_lossy(other).into_owned();
                return Err(TextError::new(&here, TextErrorKind::Unexpected(format!("attribute {other:?}"))));
            }
        }
    }
    Ok(element)
}

fn element_to_ttlv(element: &Element, attribute_name: Option<Tag>, path: &mut Vec<String>) -> Result<Ttlv, TextError> {
    path.push(element.name.clone());
    let result = convert(element, attribute_name, path);
    path.pop();
    result
}

fn convert(element: &Element, attribute_name: Option<Tag>, path: &mut Vec<String>) -> Result<Ttlv, TextError> {
    let tag_text = match (&element.tag, element.name.as_str()) {
        (Some(tag), UNKNOWN_TAG_ELEMENT) => tag.as_str(),
        (Some(_), _) => {
            return Err(TextError::new(path, TextErrorKind::Unexpected("attribute \"tag\" on a named element".into())))
        }
        (None, name) => name,
    };
    let tag =
        parse_tag(tag_text).ok_or_else(|| TextError::new(path, TextErrorKind::UnknownTag(tag_text.to_owned())))?;
    let item_type = match &element.ty {
        None => ItemType::Structure,
        Some(ty) => parse_type(ty).ok_or_else(|| TextError::new(path, TextErrorKind::UnknownType(ty.clone())))?,
    };
    if item_type == ItemType::Structure {
        if element.value.is_some() {
            return Err(TextError::new(path, TextErrorKind::Unexpected("value on a Structure".into())));
        }
        let named = attribute_name_of(&element.children);
        let children =
            element.children.iter().map(|child| element_to_ttlv(child, named, path)).collect::<Result<Vec<_>, _>>()?;
        return Ok(Ttlv::new(tag, Value::Structure(children)));
    }
    if !element.children.is_empty() {
        return Err(TextError::new(path, TextErrorKind::Unexpected(format!("child elements in a {item_type}"))));
    }
    let text = element.value.as_deref().ok_or_else(|| TextError::new(path, TextErrorKind::Missing("value")))?;
    let meaning = meaning_tag(tag, attribute_name);
    let bad = || TextError::new(path, TextErrorKind::BadValue { item_type, value: text.to_owned() });
    let value = match item_type {
        ItemType::Structure => Value::Structure(Vec::new()),
        ItemType::Integer => Value::Integer(parse_int(meaning, text).ok_or_else(bad)?),
        ItemType::LongInteger => Value::LongInteger(parse_long(text).ok_or_else(bad)?),
        ItemType::BigInteger => Value::BigInteger(Bytes::from(parse_hex_bytes(text).ok_or_else(bad)?)),
        ItemType::Enumeration => Value::Enumeration(parse_enum(meaning, text).ok_or_else(bad)?),
        ItemType::Boolean => Value::Boolean(parse_bool(text).ok_or_else(bad)?),
        ItemType::TextString => Value::TextString(text.to_owned()),
        ItemType::ByteString => Value::ByteString(Bytes::from(parse_hex_bytes(text).ok_or_else(bad)?)),
        ItemType::DateTime => Value::DateTime(parse_datetime(text).ok_or_else(bad)?),
        ItemType::Interval => Value::Interval(parse_interval(text).ok_or_else(bad)?),
        ItemType::DateTimeExtended => Value::DateTimeExtended(parse_datetime_ext(text).ok_or_else(bad)?),
    };
    Ok(Ttlv::new(tag, value))
}

/// The tag named by an Attribute Name element among these siblings.
fn attribute_name_of(children: &[Element]) -> Option<Tag> {
    children
        .iter()
        .find(|c| {
            c.tag.is_none()
                && parse_tag(&c.name) == Some(attribute_name_tag())
                && c.ty.as_deref().and_then(parse_type) == Some(ItemType::TextString)
        })
        .and_then(|c| c.value.as_deref())
        .and_then(tag_by_name)
}
