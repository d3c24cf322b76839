//! The KMIP JSON encoding (KMIP Profiles 1.3+ and 2.x, "JSON Encoding").
//!
//! Each item is an object `{"tag": ..., "type": ..., "value": ...}`; a
//! Structure leaves out `type` and its value is an array of items. The tag
//! is the table's name or `"0x540001"`. Values, as written (the decoder also
//! accepts the alternatives listed in the shared `text` module):
//!
//! - Integer: a number, or for a mask a string of flag names joined by `|`
//!   (`"Encrypt|Decrypt"`), with unknown bits as one `0x` token;
//! - Long Integer: a number within +-(2^53 - 1), which a JSON number holds
//!   exactly, else `"0x"` and sixteen hex digits;
//! - Big Integer: `"0x"` and hex; Byte String: hex;
//! - Enumeration: the name, else `"0x0000000A"`;
//! - Boolean: `true`/`false`; Text String: a string; Interval: a number;
//! - Date Time and Date Time Extended: ISO 8601 strings (hex outside years
//!   0-9999).

use bytes::Bytes;
use serde_json::{Map, Value as Json};

pub use super::text::TextError;
use super::text::{
    attribute_name_in, attribute_name_tag, datetime_ext_text, datetime_text, enum_text, hex64, int_text, meaning_tag,
    parse_bool, parse_datetime, parse_datetime_ext, parse_enum, parse_hex_bytes, parse_int, parse_interval, parse_long,
    parse_tag, parse_type, tag_text, TextErrorKind, MAX_DEPTH,
};
use super::{ItemType, Tag, Ttlv, Value};
use crate::kmip::table::tag_by_name;

/// The largest magnitude a JSON number (an IEEE double) holds exactly.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The JSON encoding of a tree.
pub fn to_json(item: &Ttlv) -> Json {
    item_to_json(item, None)
}

/// The JSON encoding of a tree, as compact text.
pub fn to_json_string(item: &Ttlv) -> String {
    to_json(item).to_string()
}

/// The tree for the JSON encoding of one item.
pub fn from_json(json: &Json) -> Result<Ttlv, TextError> {
    json_to_ttlv(json, None, &mut Vec::new())
}

/// The tree for JSON text.
pub fn from_json_str(text: &str) -> Result<Ttlv, TextError> {
    let json: Json =
        serde_json::from_str(text).map_err(|e| TextError::new(&[], TextErrorKind::Syntax(e.to_string())))?;
    from_json(&json)
}

fn item_to_json(item: &Ttlv, attribute_name: Option<Tag>) -> Json {
    let meaning = meaning_tag(item.tag, attribute_name);
    let mut object = Map::new();
    object.insert("tag".into(), Json::String(tag_text(item.tag)));
    let value = match &item.value {
        Value::Structure(children) => {
            let named = attribute_name_in(children);
            Json::Array(children.iter().map(|c| item_to_json(c, named)).collect())
        }
        Value::Integer(v) => int_text(meaning, *v, "|").map_or_else(|| Json::from(*v), Json::String),
        Value::LongInteger(v) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(v) => Json::from(*v),
        Value::LongInteger(v) => Json::String(hex64(*v)),
        Value::BigInteger(b) => Json::String(format!("0x{}", hex::encode(b))),
        Value::Enumeration(v) => Json::String(enum_text(meaning, *v)),
        Value::Boolean(v) => Json::Bool(*v),
        Value::TextString(s) => Json::String(s.clone()),
        Value::ByteString(b) => Json::String(hex::encode(b)),
        Value::DateTime(v) => Json::String(datetime_text(*v)),
        Value::Interval(v) => Json::from(*v),
        Value::DateTimeExtended(v) => Json::String(datetime_ext_text(*v)),
    };
    if !matches!(item.value, Value::Structure(_)) {
        object.insert("type".into(), Json::String(item.item_type().name().to_owned()));
    }
    object.insert("value".into(), value);
    Json::Object(object)
}

fn json_to_ttlv(json: &Json, attribute_name: Option<Tag>, path: &mut Vec<String>) -> Result<Ttlv, TextError> {
    let Json::Object(object) = json else {
        return Err(TextError::new(
            path,
            TextErrorKind::Unexpected(format!("{} where an item object belongs", kind(json))),
        ));
    };
    let tag_text = match object.get("tag") {
        Some(Json::String(t)) => t.clone(),
        Some(other) => return Err(TextError::new(path, TextErrorKind::Unexpected(format!("{} as tag", kind(other))))),
        None => return Err(TextError::new(path, TextErrorKind::Missing("tag"))),
    };
    path.push(tag_text.clone());
    let result = convert(object, &tag_text, attribute_name, path);
    path.pop();
    result
}

fn convert(
    object: &Map<String, Json>,
    tag_text: &str,
    attribute_name: Option<Tag>,
    path: &mut Vec<String>,
) -> Result<Ttlv, TextError> {
    if let Some(key) = object.keys().find(|k| !matches!(k.as_str(), "tag" | "type" | "value")) {
        return Err(TextError::new(path, TextErrorKind::Unexpected(format!("member {key:?}"))));
    }
    let tag =
        parse_tag(tag_text).ok_or_else(|| TextError::new(path, TextErrorKind::UnknownTag(tag_text.to_owned())))?;
    let item_type = match object.get("type") {
        None => ItemType::Structure,
        Some(Json::String(ty)) => {
            parse_type(ty).ok_or_else(|| TextError::new(path, TextErrorKind::UnknownType(ty.clone())))?
        }
        Some(other) => return Err(TextError::new(path, TextErrorKind::Unexpected(format!("{} as type", kind(other))))),
    };
    let json = object.get("value").ok_or_else(|| TextError::new(path, TextErrorKind::Missing("value")))?;
    let meaning = meaning_tag(tag, attribute_name);
    let bad = || TextError::new(path, TextErrorKind::BadValue { item_type, value: json.to_string() });
    let value = match (item_type, json) {
        (ItemType::Structure, Json::Array(items)) => {
            if path.len() > MAX_DEPTH {
                return Err(TextError::new(path, TextErrorKind::TooDeep));
            }
            let named = attribute_name_of(items);
            let children = items.iter().map(|c| json_to_ttlv(c, named, path)).collect::<Result<Vec<_>, _>>()?;
            Value::Structure(children)
        }
        (ItemType::Integer, Json::Number(n)) => {
            Value::Integer(n.as_i64().and_then(|v| i32::try_from(v).ok()).ok_or_else(bad)?)
        }
        (ItemType::Integer, Json::String(s)) => Value::Integer(parse_int(meaning, s).ok_or_else(bad)?),
        (ItemType::LongInteger, Json::Number(n)) => Value::LongInteger(n.as_i64().ok_or_else(bad)?),
        (ItemType::LongInteger, Json::String(s)) => Value::LongInteger(parse_long(s).ok_or_else(bad)?),
        (ItemType::BigInteger, Json::String(s)) => Value::BigInteger(Bytes::from(parse_hex_bytes(s).ok_or_else(bad)?)),
        (ItemType::Enumeration, Json::String(s)) => Value::Enumeration(parse_enum(meaning, s).ok_or_else(bad)?),
        (ItemType::Enumeration, Json::Number(n)) => {
            Value::Enumeration(n.as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(bad)?)
        }
        (ItemType::Boolean, Json::Bool(b)) => Value::Boolean(*b),
        (ItemType::Boolean, Json::String(s)) => Value::Boolean(parse_bool(s).ok_or_else(bad)?),
        (ItemType::TextString, Json::String(s)) => Value::TextString(s.clone()),
        (ItemType::ByteString, Json::String(s)) => Value::ByteString(Bytes::from(parse_hex_bytes(s).ok_or_else(bad)?)),
        (ItemType::DateTime, Json::String(s)) => Value::DateTime(parse_datetime(s).ok_or_else(bad)?),
        (ItemType::DateTime, Json::Number(n)) => Value::DateTime(n.as_i64().ok_or_else(bad)?),
        (ItemType::Interval, Json::Number(n)) => {
            Value::Interval(n.as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(bad)?)
        }
        (ItemType::Interval, Json::String(s)) => Value::Interval(parse_interval(s).ok_or_else(bad)?),
        (ItemType::DateTimeExtended, Json::String(s)) => {
            Value::DateTimeExtended(parse_datetime_ext(s).ok_or_else(bad)?)
        }
        (ItemType::DateTimeExtended, Json::Number(n)) => Value::DateTimeExtended(n.as_i64().ok_or_else(bad)?),
        _ => return Err(bad()),
    };
    Ok(Ttlv::new(tag, value))
}

/// The tag named by an Attribute Name item among these siblings.
fn attribute_name_of(items: &[Json]) -> Option<Tag> {
    items
        .iter()
        .find(|item| {
            item.get("tag").and_then(Json::as_str).and_then(parse_tag) == Some(attribute_name_tag())
                && item.get("type").and_then(Json::as_str).and_then(parse_type) == Some(ItemType::TextString)
        })
        .and_then(|item| item.get("value"))
        .and_then(Json::as_str)
        .and_then(tag_by_name)
}

fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}
