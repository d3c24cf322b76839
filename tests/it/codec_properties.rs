//! Properties of the binary TTLV codec: arbitrary trees round-trip, no input
//! makes the decoder panic, and every limit is enforced with its own error.

use std::sync::OnceLock;

use bytes::{Bytes, BytesMut};
use coffer::ttlv::{self, decode, decode_header, DecodeErrorKind, ItemType, Limits, Tag, Ttlv, Value};
use proptest::prelude::*;

use crate::golden_ttlv::all_well_formed;
use crate::strategies;

fn vectors() -> &'static [Bytes] {
    static VECTORS: OnceLock<Vec<Bytes>> = OnceLock::new();
    VECTORS.get_or_init(|| all_well_formed().into_iter().map(|v| v.bytes).collect())
}

/// One way to damage a message.
#[derive(Clone, Debug)]
enum Mutation {
    Flip { at: usize, mask: u8 },
    Set { at: usize, byte: u8 },
    Truncate { at: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        (at, 1u8..).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (at, prop_oneof![Just(0u8), Just(0xFF), Just(0x80), 0u8..16, any::<u8>()])
            .prop_map(|(at, byte)| Mutation::Set { at, byte }),
        at.prop_map(|at| Mutation::Truncate { at }),
        (at, prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (at, 1usize..16).prop_map(|(at, len)| Mutation::Remove { at, len }),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    let n = data.len().max(1);
    match m {
        Mutation::Flip { at, mask } => {
            if let Some(b) = data.get_mut(at % n) {
                *b ^= mask;
            }
        }
        Mutation::Set { at, byte } => {
            if let Some(b) = data.get_mut(at % n) {
                *b = *byte;
            }
        }
        Mutation::Truncate { at } => data.truncate(at % n),
        Mutation::Insert { at, bytes } => {
            let at = at % (data.len() + 1);
            data.splice(at..at, bytes.iter().copied());
        }
        Mutation::Remove { at, len } => {
            let at = at % n;
            let end = (at + len).min(data.len());
            data.drain(at.min(end)..end);
        }
    }
}

/// Decodes `data` with `limits`; Ok or a typed error are both fine, and an
/// accepted input must re-encode to itself.
fn decode_is_total(data: &[u8], limits: &Limits) {
    let input = Bytes::copy_from_slice(data);
    match decode(&input, limits) {
        Ok(tree) => {
            assert_eq!(ttlv::encode_to_vec(&tree).unwrap(), data, "accepted input does not re-encode to itself")
        }
        Err(e) => {
            assert!(e.offset <= data.len(), "error offset {} beyond the input ({} bytes): {e}", e.offset, data.len());
            assert!(!e.to_string().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_tree_decodes_back_to_itself_after_encoding(tree in strategies::ttlv()) {
        let bytes = ttlv::encode_to_vec(&tree).unwrap();
        prop_assert_eq!(bytes.len(), ttlv::encoded_len(&tree));
        prop_assert_eq!(bytes.len() % 8, 0);
        let again = decode(&Bytes::from(bytes.clone()), &Limits::UNBOUNDED).unwrap();
        prop_assert_eq!(&again, &tree);
        // encode() into a buffer that already holds data appends the same bytes.
        let mut out = BytesMut::from(&b"prefix"[..]);
        ttlv::encode(&tree, &mut out).unwrap();
        prop_assert_eq!(&out[6..], &bytes[..]);
    }

    #[test]
    fn random_bytes_decode_to_a_tree_or_a_typed_error(data in prop::collection::vec(any::<u8>(), 0..256)) {
        decode_is_total(&data, &Limits::DEFAULT);
        coffer::ttlv::fuzzing::decode_encode_roundtrip(&data);
    }

    #[test]
    fn random_bytes_behind_a_valid_header_decode_to_a_tree_or_a_typed_error(
        tag in strategies::tag(),
        type_byte in 0u8..=0x0C,
        body in prop::collection::vec(prop_oneof![3 => Just(0u8), 1 => any::<u8>()], 0..200),
    ) {
        let mut data = tag.to_bytes().to_vec();
        data.push(type_byte);
        data.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes());
        data.extend_from_slice(&body);
        decode_is_total(&data, &Limits::DEFAULT);
    }

    #[test]
    fn mutated_vectors_decode_to_a_tree_or_a_typed_error(
        index in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut data = index.get(vectors()).to_vec();
        for m in &mutations {
            apply(&mut data, m);
        }
        decode_is_total(&data, &Limits::DEFAULT);
        decode_is_total(&data, &Limits { max_depth: 3, max_items_per_structure: 4, max_field_length: 16, ..Limits::DEFAULT });
    }

    #[test]
    fn mutated_encodings_of_random_trees_decode_to_a_tree_or_a_typed_error(
        tree in strategies::ttlv(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut data = ttlv::encode_to_vec(&tree).unwrap();
        for m in &mutations {
            apply(&mut data, m);
        }
        decode_is_total(&data, &Limits::DEFAULT);
    }
}

#[test]
fn the_mutation_test_draws_from_all_2069_well_formed_vectors() {
    assert_eq!(vectors().len(), 174 + 77 + 85 + 1730);
}

#[test]
fn a_header_announcing_a_huge_message_is_refused_by_decode_header_before_any_allocation() {
    let head = [0x42, 0x00, 0x78, 0x01, 0xFF, 0xFF, 0xFF, 0xF8];
    // decode_header sees only these eight bytes, so it cannot have read or
    // allocated the body it refuses.
    let e = decode_header(&head, &Limits::DEFAULT).unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::MessageTooLarge { length: 8 + 0xFFFF_FFF8, max: Limits::DEFAULT.max_message_size }
    );
    assert_eq!((e.offset, e.path), (0, vec![Tag::new(0x420078)]));

    // Exactly at the limit is fine; one word over is not.
    let limits = Limits { max_message_size: 1024, ..Limits::DEFAULT };
    let at_limit = decode_header(&[0x42, 0x00, 0x78, 0x01, 0, 0, 0x03, 0xF8], &limits).unwrap();
    assert_eq!(
        (at_limit.tag, at_limit.item_type, at_limit.length, at_limit.total_len()),
        (Tag::new(0x420078), ItemType::Structure, 1016, 1024)
    );
    let over = decode_header(&[0x42, 0x00, 0x78, 0x01, 0, 0, 0x04, 0x00], &limits).unwrap_err();
    assert_eq!(over.kind, DecodeErrorKind::MessageTooLarge { length: 1032, max: 1024 });
}

#[test]
fn decode_refuses_input_over_the_message_limit_and_a_short_input_announcing_4_gib_as_truncated() {
    // A whole input over the limit: MessageTooLarge before anything is read.
    let limits = Limits { max_message_size: 16, ..Limits::DEFAULT };
    let big = Bytes::from(vec![0u8; 24]);
    let e = decode(&big, &limits).unwrap_err();
    assert_eq!((e.offset, e.kind), (0, DecodeErrorKind::MessageTooLarge { length: 24, max: 16 }));

    // Eight bytes announcing 4 GiB of structure, text or bytes, even with no
    // limits: refused as truncated at the header, before any value is read
    // (the crate forbids unsafe code, so the test cannot count allocations;
    // the lengths are checked against the bytes present before any buffer
    // is made, see reader.rs).
    for type_byte in [0x01, 0x04, 0x07, 0x08] {
        let input = Bytes::from(vec![0x42, 0x00, 0x78, type_byte, 0xFF, 0xFF, 0xFF, 0xF8]);
        let e = decode(&input, &Limits::UNBOUNDED).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::Truncated { needed: 0xFFFF_FFF8, available: 0 }, "type {type_byte:#04x}");
        assert_eq!((e.offset, e.path), (0, vec![Tag::new(0x420078)]));
    }
}

/// `depth` structures, each holding the next; the innermost holds an Integer.
fn nested(depth: usize) -> Ttlv {
    let mut item = Ttlv::new(Tag::new(0x420020), Value::Integer(7));
    for _ in 0..depth {
        item = Ttlv::structure(Tag::new(0x420001), vec![item]);
    }
    item
}

#[test]
fn nesting_up_to_max_depth_is_accepted_and_one_more_level_is_refused_with_too_deep() {
    let limits = Limits { max_depth: 16, ..Limits::DEFAULT };
    let ok = Bytes::from(ttlv::encode_to_vec(&nested(16)).unwrap());
    assert_eq!(decode(&ok, &limits).unwrap(), nested(16));

    let deep = Bytes::from(ttlv::encode_to_vec(&nested(17)).unwrap());
    let e = decode(&deep, &limits).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::TooDeep(16));
    assert_eq!(e.offset, 16 * 8, "the 17th structure header starts after 16 headers");
    assert_eq!(e.path, vec![Tag::new(0x420001); 17]);
}

#[test]
fn a_hostile_nesting_of_100000_structures_is_refused_without_exhausting_the_stack() {
    // Built by hand: 100 000 structure headers, each announcing the rest.
    let depth = 100_000usize;
    let mut data = Vec::with_capacity(depth * 8);
    for level in 0..depth {
        let rest = u32::try_from((depth - level - 1) * 8).unwrap();
        data.extend_from_slice(&[0x42, 0x00, 0x01, 0x01]);
        data.extend_from_slice(&rest.to_be_bytes());
    }
    let e = decode(&Bytes::from(data), &Limits::DEFAULT).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::TooDeep(Limits::DEFAULT.max_depth));
}

#[test]
fn a_structure_may_hold_max_items_and_one_more_is_refused_with_too_many_items() {
    let limits = Limits { max_items_per_structure: 10, ..Limits::DEFAULT };
    let with = |n: i32| {
        Ttlv::structure(Tag::new(0x420078), (0..n).map(|i| Ttlv::new(Tag::new(0x420020), Value::Integer(i))).collect())
    };
    let ok = Bytes::from(ttlv::encode_to_vec(&with(10)).unwrap());
    assert_eq!(decode(&ok, &limits).unwrap(), with(10));

    let over = Bytes::from(ttlv::encode_to_vec(&with(11)).unwrap());
    let e = decode(&over, &limits).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::TooManyItems(10));
    assert_eq!(e.offset, 8 + 10 * 16, "refused at the 11th child");
    assert_eq!(e.path, vec![Tag::new(0x420078)]);
}

#[test]
fn strings_and_big_integers_over_max_field_length_are_refused_with_field_too_long() {
    let limits = Limits { max_field_length: 16, ..Limits::DEFAULT };
    let cases = [
        Value::TextString("x".repeat(17)),
        Value::ByteString(Bytes::from(vec![1; 17])),
        Value::BigInteger(Bytes::from(vec![1; 24])),
    ];
    for value in cases {
        let len = match &value {
            Value::TextString(s) => s.len(),
            Value::ByteString(b) | Value::BigInteger(b) => b.len(),
            _ => unreachable!(),
        };
        let item = Ttlv::new(Tag::new(0x4200C2), value.clone());
        let e = decode(&Bytes::from(ttlv::encode_to_vec(&item).unwrap()), &limits).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::FieldTooLong { length: len, max: 16 }, "{value:?}");
        assert_eq!(e.path, vec![Tag::new(0x4200C2)]);

        let at_limit = Ttlv::new(
            Tag::new(0x4200C2),
            match value {
                Value::TextString(_) => Value::TextString("x".repeat(16)),
                Value::ByteString(_) => Value::ByteString(Bytes::from(vec![1; 16])),
                _ => Value::BigInteger(Bytes::from(vec![1; 16])),
            },
        );
        assert_eq!(decode(&Bytes::from(ttlv::encode_to_vec(&at_limit).unwrap()), &limits).unwrap(), at_limit);
    }
}
