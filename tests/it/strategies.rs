//! Reusable proptest strategies for arbitrary [`Ttlv`] trees.
//!
//! Trees mix every item type, nested structures, tags the table knows,
//! vendor `0x54xxxx` tags and arbitrary 24-bit tags, enumeration values the
//! table knows and ones it does not, mask values (known flags plus unknown
//! bits), KMIP 2.x Attribute References (tag-valued enumerations) and
//! KMIP 1.x Attribute structures whose value's meaning comes from the
//! sibling Attribute Name. Nothing here is specific to one encoding.
#![allow(dead_code)]

use bytes::Bytes;
use coffer::kmip::table::{enum_for_tag, mask_for_tag, tag_by_name, TAGS};
use coffer::ttlv::{Tag, Ttlv, Value};
use proptest::prelude::*;
use proptest::sample::select;

/// Any tag: mostly ones the table knows, some vendor tags, some arbitrary.
pub fn tag() -> impl Strategy<Value = Tag> {
    let known: Vec<Tag> = TAGS.iter().map(|info| info.tag).collect();
    prop_oneof![
        4 => select(known),
        2 => (0x54_0000u32..=0x54_FFFF).prop_map(Tag::new),
        1 => (0u32..=0x00FF_FFFF).prop_map(Tag::new),
    ]
}

/// Text that every encoding can carry: any Unicode except U+0000, which
/// XML 1.0 cannot hold. Markup characters and white space come up often.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[^\u{0}]{0,16}",
        1 => "[ &<>\"'\t\r\n|a-z]{0,8}",
    ]
}

/// A bytes value.
pub fn bytes() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..24).prop_map(Bytes::from)
}

/// A Big Integer as the wire carries it: whole eight-byte words, so that the
/// binary codec gives back the same bytes.
pub fn big_integer() -> impl Strategy<Value = Bytes> {
    (0usize..4).prop_flat_map(|words| prop::collection::vec(any::<u8>(), words * 8).prop_map(Bytes::from))
}

/// An Enumeration value for a tag: a name the table knows for it (or, for
/// Attribute Reference, a known tag), or any value.
pub fn enumeration_for(tag: Tag) -> BoxedStrategy<u32> {
    let mut known: Vec<u32> =
        enum_for_tag(tag).map(|e| e.variants.iter().map(|v| v.value).collect()).unwrap_or_default();
    if tag_by_name("AttributeReference") == Some(tag) {
        known.extend(TAGS.iter().map(|info| info.tag.value()));
    }
    if known.is_empty() {
        any::<u32>().boxed()
    } else {
        prop_oneof![3 => select(known), 1 => any::<u32>()].boxed()
    }
}

/// An Integer value for a tag: for a mask, a set of known flags plus maybe
/// unknown bits; otherwise (and sometimes anyway) any value.
pub fn integer_for(tag: Tag) -> BoxedStrategy<i32> {
    match mask_for_tag(tag) {
        Some(mask) => {
            let flags: Vec<u32> = mask.bits.iter().map(|b| b.value).collect();
            prop_oneof![
                3 => (prop::collection::vec(select(flags), 0..4), prop_oneof![Just(0u32), any::<u32>()])
                    .prop_map(|(set, extra)| set.into_iter().fold(extra, |acc, b| acc | b) as i32),
                1 => any::<i32>(),
            ]
            .boxed()
        }
        None => any::<i32>().boxed(),
    }
}

/// A value of any non-structure item type, fitting the tag where it has an
/// enumeration or a mask.
pub fn leaf_value_for(tag: Tag) -> BoxedStrategy<Value> {
    prop_oneof![
        integer_for(tag).prop_map(Value::Integer),
        any::<i64>().prop_map(Value::LongInteger),
        big_integer().prop_map(Value::BigInteger),
        enumeration_for(tag).prop_map(Value::Enumeration),
        any::<bool>().prop_map(Value::Boolean),
        text().prop_map(Value::TextString),
        bytes().prop_map(Value::ByteString),
        prop_oneof![any::<i64>(), -62_135_596_800i64..253_402_300_800].prop_map(Value::DateTime),
        any::<u32>().prop_map(Value::Interval),
        prop_oneof![any::<i64>(), -62_135_596_800_000_000i64..253_402_300_800_000_000]
            .prop_map(Value::DateTimeExtended),
    ]
    .boxed()
}

/// One non-structure item.
pub fn leaf() -> impl Strategy<Value = Ttlv> {
    tag().prop_flat_map(|tag| leaf_value_for(tag).prop_map(move |value| Ttlv::new(tag, value)))
}

/// A KMIP 1.x Attribute: an Attribute Name holding a tag's spec name, and an
/// Attribute Value whose enumeration or mask is that tag's.
pub fn attribute_1x() -> impl Strategy<Value = Ttlv> {
    let infos: Vec<(Tag, &'static str)> = TAGS.iter().map(|info| (info.tag, info.spec_name)).collect();
    select(infos).prop_flat_map(|(tag, spec_name)| {
        leaf_value_for(tag).prop_map(move |value| {
            Ttlv::structure(
                Tag::new(0x42_0008),
                vec![
                    Ttlv::new(Tag::new(0x42_000A), Value::TextString(spec_name.to_owned())),
                    Ttlv::new(Tag::new(0x42_000B), value),
                ],
            )
        })
    })
}

/// Any tree, up to `depth` structures deep.
pub fn ttlv_tree(depth: u32) -> impl Strategy<Value = Ttlv> {
    let base = prop_oneof![3 => leaf(), 1 => attribute_1x()];
    base.prop_recursive(depth, 64, 6, |inner| {
        (tag(), prop::collection::vec(inner, 0..6)).prop_map(|(tag, children)| Ttlv::structure(tag, children))
    })
}

/// Any tree of the default depth.
pub fn ttlv() -> impl Strategy<Value = Ttlv> {
    ttlv_tree(4)
}
