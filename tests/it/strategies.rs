//! Proptest strategies for TTLV trees, shared by the codec tests.
//!
//! Generic on purpose: every item type, nested structures, KMIP (0x42xxxx),
//! vendor (0x54xxxx) and arbitrary 24-bit tags. Values are those the binary
//! decoder gives back unchanged (a Big Integer is a whole number of
//! eight-byte words, as it is on the wire).

use bytes::Bytes;
use coffer::ttlv::{Tag, Ttlv, Value};
use proptest::prelude::*;

/// Any 24-bit tag, biased to the KMIP and extension ranges.
pub fn tag() -> impl Strategy<Value = Tag> {
    prop_oneof![
        4 => (0x42_0000u32..=0x42_FFFF).prop_map(Tag::new),
        2 => (0x54_0000u32..=0x54_FFFF).prop_map(Tag::new),
        1 => (0u32..=0xFF_FFFF).prop_map(Tag::new),
    ]
}

/// Any non-structure value.
pub fn leaf_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Integer),
        any::<i64>().prop_map(Value::LongInteger),
        prop::collection::vec(any::<u8>(), 0..4)
            .prop_flat_map(|words| prop::collection::vec(any::<u8>(), words.len() * 8))
            .prop_map(|b| Value::BigInteger(Bytes::from(b))),
        any::<u32>().prop_map(Value::Enumeration),
        any::<bool>().prop_map(Value::Boolean),
        any::<String>().prop_map(Value::TextString),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| Value::ByteString(Bytes::from(b))),
        any::<i64>().prop_map(Value::DateTime),
        any::<u32>().prop_map(Value::Interval),
        any::<i64>().prop_map(Value::DateTimeExtended),
    ]
}

/// Any TTLV tree: up to 5 levels of structures, up to 8 children each.
pub fn ttlv() -> impl Strategy<Value = Ttlv> {
    let leaf = (tag(), leaf_value()).prop_map(|(tag, value)| Ttlv::new(tag, value));
    leaf.prop_recursive(5, 96, 8, |inner| {
        (tag(), prop::collection::vec(inner, 0..8)).prop_map(|(tag, children)| Ttlv::structure(tag, children))
    })
}
