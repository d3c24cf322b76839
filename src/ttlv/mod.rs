//! The TTLV codec: bytes <-> [`Ttlv`] tree.
//!
//! This layer knows item types, lengths and padding (KMIP 1.4 §9.1, KMIP 2.1
//! §9.1), not what a tag means. Decoding is strict (lengths must match item
//! types, padding must be zero, a structure's children must fill it exactly,
//! nothing may trail) and bounded by [`Limits`] given to every call, so a
//! peer can make the decoder neither panic nor allocate more than it sent.
//! Byte strings are slices of the input [`Bytes`]: no copy.
//!
//! The same tree has two text encodings, [`json`] and [`xml`], after the
//! KMIP profiles' JSON and XML encodings, and a readable indented form,
//! [`tree`], that `coffer ttlv` prints and parses.

pub mod fuzzing;
pub mod json;
mod reader;
mod tag;
mod text;
pub mod tree;
mod writer;
pub mod xml;

use bytes::Bytes;

pub use reader::{
    decode, decode_header, decode_view, Children, DecodeError, DecodeErrorKind, FrameHeader, Item, ItemRef, Limits,
    ValueRef, View,
};
pub use tag::Tag;
pub use text::{TextError, TextErrorKind};
pub use writer::{encode, encode_to_vec, encoded_len, EncodeError, Open, Sink, Writer};

/// The length of an item's tag, type and length fields.
pub const HEADER_LEN: usize = 8;

/// One TTLV item: a tag and a typed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ttlv {
    /// The item's tag (three bytes on the wire).
    pub tag: Tag,
    /// The item's value; its variant is the item type.
    pub value: Value,
}

/// A TTLV value. The variant is the wire item type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// An ordered list of items.
    Structure(Vec<Ttlv>),
    /// A 32-bit signed integer (also used for bit masks).
    Integer(i32),
    /// A 64-bit signed integer.
    LongInteger(i64),
    /// A two's-complement big-endian integer, as the bytes on the wire.
    ///
    /// The encoder sign-extends to a multiple of eight bytes; the decoder
    /// keeps the bytes it read, so a decoded value re-encodes identically.
    BigInteger(Bytes),
    /// A 32-bit enumeration value; its meaning comes from the tag.
    Enumeration(u32),
    /// A boolean (0 or 1 on the wire, in eight bytes).
    Boolean(bool),
    /// A UTF-8 string.
    TextString(String),
    /// An opaque byte string.
    ByteString(Bytes),
    /// Seconds since the POSIX epoch.
    DateTime(i64),
    /// A duration in seconds.
    Interval(u32),
    /// Microseconds since the POSIX epoch (KMIP 2.0 and later).
    DateTimeExtended(i64),
}

/// The item type byte of a TTLV item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemType {
    /// 0x01
    Structure,
    /// 0x02
    Integer,
    /// 0x03
    LongInteger,
    /// 0x04
    BigInteger,
    /// 0x05
    Enumeration,
    /// 0x06
    Boolean,
    /// 0x07
    TextString,
    /// 0x08
    ByteString,
    /// 0x09
    DateTime,
    /// 0x0A
    Interval,
    /// 0x0B
    DateTimeExtended,
}

impl ItemType {
    /// Every item type, in wire order.
    pub const ALL: [ItemType; 11] = [
        ItemType::Structure,
        ItemType::Integer,
        ItemType::LongInteger,
        ItemType::BigInteger,
        ItemType::Enumeration,
        ItemType::Boolean,
        ItemType::TextString,
        ItemType::ByteString,
        ItemType::DateTime,
        ItemType::Interval,
        ItemType::DateTimeExtended,
    ];

    /// The wire byte.
    pub const fn code(self) -> u8 {
        match self {
            ItemType::Structure => 0x01,
            ItemType::Integer => 0x02,
            ItemType::LongInteger => 0x03,
            ItemType::BigInteger => 0x04,
            ItemType::Enumeration => 0x05,
            ItemType::Boolean => 0x06,
            ItemType::TextString => 0x07,
            ItemType::ByteString => 0x08,
            ItemType::DateTime => 0x09,
            ItemType::Interval => 0x0A,
            ItemType::DateTimeExtended => 0x0B,
        }
    }

    /// The item type for a wire byte, if it is one.
    pub const fn from_code(code: u8) -> Option<ItemType> {
        Some(match code {
            0x01 => ItemType::Structure,
            0x02 => ItemType::Integer,
            0x03 => ItemType::LongInteger,
            0x04 => ItemType::BigInteger,
            0x05 => ItemType::Enumeration,
            0x06 => ItemType::Boolean,
            0x07 => ItemType::TextString,
            0x08 => ItemType::ByteString,
            0x09 => ItemType::DateTime,
            0x0A => ItemType::Interval,
            0x0B => ItemType::DateTimeExtended,
            _ => return None,
        })
    }

    /// The name used by the KMIP JSON and XML encodings ("TextString", ...).
    pub const fn name(self) -> &'static str {
        match self {
            ItemType::Structure => "Structure",
            ItemType::Integer => "Integer",
            ItemType::LongInteger => "LongInteger",
            ItemType::BigInteger => "BigInteger",
            ItemType::Enumeration => "Enumeration",
            ItemType::Boolean => "Boolean",
            ItemType::TextString => "TextString",
            ItemType::ByteString => "ByteString",
            ItemType::DateTime => "DateTime",
            ItemType::Interval => "Interval",
            ItemType::DateTimeExtended => "DateTimeExtended",
        }
    }

    /// The item type for a JSON/XML type name.
    pub fn from_name(name: &str) -> Option<ItemType> {
        ItemType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The value length this type must have on the wire, where it is fixed.
    pub const fn fixed_len(self) -> Option<u32> {
        match self {
            ItemType::Integer | ItemType::Enumeration | ItemType::Interval => Some(4),
            ItemType::LongInteger | ItemType::Boolean | ItemType::DateTime | ItemType::DateTimeExtended => Some(8),
            ItemType::Structure | ItemType::BigInteger | ItemType::TextString | ItemType::ByteString => None,
        }
    }
}

impl std::fmt::Display for ItemType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Value {
    /// The wire item type of this value.
    pub const fn item_type(&self) -> ItemType {
        match self {
            Value::Structure(_) => ItemType::Structure,
            Value::Integer(_) => ItemType::Integer,
            Value::LongInteger(_) => ItemType::LongInteger,
            Value::BigInteger(_) => ItemType::BigInteger,
            Value::Enumeration(_) => ItemType::Enumeration,
            Value::Boolean(_) => ItemType::Boolean,
            Value::TextString(_) => ItemType::TextString,
            Value::ByteString(_) => ItemType::ByteString,
            Value::DateTime(_) => ItemType::DateTime,
            Value::Interval(_) => ItemType::Interval,
            Value::DateTimeExtended(_) => ItemType::DateTimeExtended,
        }
    }
}

impl Ttlv {
    /// An item from a tag and a value.
    pub fn new(tag: Tag, value: Value) -> Ttlv {
        Ttlv { tag, value }
    }

    /// A structure item.
    pub fn structure(tag: Tag, children: Vec<Ttlv>) -> Ttlv {
        Ttlv::new(tag, Value::Structure(children))
    }

    /// The item type of the value.
    pub fn item_type(&self) -> ItemType {
        self.value.item_type()
    }

    /// The children of a structure; empty for any other item.
    pub fn children(&self) -> &[Ttlv] {
        match &self.value {
            Value::Structure(children) => children,
            _ => &[],
        }
    }

    /// The first child with this tag.
    pub fn child(&self, tag: Tag) -> Option<&Ttlv> {
        self.children().iter().find(|c| c.tag == tag)
    }

    /// Every child with this tag, in order.
    pub fn children_with(&self, tag: Tag) -> impl Iterator<Item = &Ttlv> {
        self.children().iter().filter(move |c| c.tag == tag)
    }
}
