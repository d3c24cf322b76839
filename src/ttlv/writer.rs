//! The TTLV encoder.

use std::fmt;

use bytes::{BufMut, BytesMut};

use super::{ItemType, Tag, Ttlv, Value, HEADER_LEN};

/// A tree that cannot be written as TTLV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// A value or structure is longer than a TTLV length field can say.
    TooLong(Tag),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::TooLong(tag) => write!(f, "{tag} is longer than 4 GiB"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Appends the encoding of `item` to `out`. On error `out` is left as it was.
///
/// One pass over the tree: a structure's length is written into its header
/// once its children are written (the previous writer summed every subtree's
/// length at each level above it, quadratic in depth).
pub fn encode(item: &Ttlv, out: &mut BytesMut) -> Result<(), EncodeError> {
    let start = out.len();
    write_item(item, out).map_err(|TooLong| {
        out.truncate(start);
        // The outermost item is the one too long: it holds the one that
        // failed, so its length is at least as large.
        EncodeError::TooLong(item.tag)
    })
}

/// The encoding of `item` as a new vector, allocated once at its exact size.
pub fn encode_to_vec(item: &Ttlv) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(encoded_len(item));
    write_item(item, &mut out).map_err(|TooLong| EncodeError::TooLong(item.tag))?;
    Ok(out)
}

/// The number of bytes `item` takes on the wire, padding included.
pub fn encoded_len(item: &Ttlv) -> usize {
    HEADER_LEN.saturating_add(padded(value_len(&item.value)))
}

fn padded(len: usize) -> usize {
    len.div_ceil(8).saturating_mul(8)
}

/// The value length written in the header (before padding).
fn value_len(value: &Value) -> usize {
    match value {
        Value::Structure(children) => children.iter().map(encoded_len).fold(0, usize::saturating_add),
        Value::BigInteger(bytes) => padded(bytes.len()),
        Value::TextString(s) => s.len(),
        Value::ByteString(b) => b.len(),
        other => other.item_type().fixed_len().unwrap_or(0) as usize,
    }
}

/// Some length does not fit the four-byte length field.
struct TooLong;

/// Tag, type and length as the eight header bytes, in one big-endian word.
fn header(tag: Tag, item_type: ItemType, len: u32) -> u64 {
    (u64::from(tag.value()) << 40) | (u64::from(item_type.code()) << 32) | u64::from(len)
}

/// Appends `value` and the zeros that pad it to the eight-byte boundary.
fn put_padded<B: BufMut>(value: &[u8], out: &mut B) {
    out.put_slice(value);
    let zeros = [0u8; 8];
    out.put_slice(zeros.get(..padded(value.len()).saturating_sub(value.len())).unwrap_or_default());
}

/// Writes `item` into any growable byte buffer (`BytesMut` for `encode`,
/// `Vec<u8>` for `encode_to_vec`, so that one is not copied into the other).
fn write_item<B: BufMut + AsMut<[u8]>>(item: &Ttlv, out: &mut B) -> Result<(), TooLong> {
    let tag = item.tag;
    let item_type = item.item_type();
    // A fixed-size item is two words: header, then value and padding.
    let fixed = |len: u32, word: u64, out: &mut B| {
        out.put_u64(header(tag, item_type, len));
        out.put_u64(word);
    };
    match &item.value {
        Value::Structure(children) => {
            let header_at = out.as_mut().len();
            out.put_u64(header(tag, item_type, 0));
            for child in children {
                write_item(child, out)?;
            }
            let written = out.as_mut().len().saturating_sub(header_at).saturating_sub(HEADER_LEN);
            let len = u32::try_from(written).map_err(|_| TooLong)?;
            // Back-patch the length field (bytes 4..8 of the header).
            if let Some(field) = out.as_mut().get_mut(header_at.saturating_add(4)..header_at.saturating_add(HEADER_LEN))
            {
                field.copy_from_slice(&len.to_be_bytes());
            }
        }
        Value::Integer(v) => fixed(4, u64::from(u32::from_be_bytes(v.to_be_bytes())) << 32, out),
        Value::Enumeration(v) | Value::Interval(v) => fixed(4, u64::from(*v) << 32, out),
        Value::LongInteger(v) | Value::DateTime(v) | Value::DateTimeExtended(v) => {
            fixed(8, u64::from_be_bytes(v.to_be_bytes()), out)
        }
        Value::Boolean(v) => fixed(8, u64::from(*v), out),
        Value::TextString(s) => {
            out.put_u64(header(tag, item_type, u32::try_from(s.len()).map_err(|_| TooLong)?));
            put_padded(s.as_bytes(), out);
        }
        Value::ByteString(b) => {
            out.put_u64(header(tag, item_type, u32::try_from(b.len()).map_err(|_| TooLong)?));
            put_padded(b, out);
        }
        Value::BigInteger(b) => {
            // Sign-extend on the left to a multiple of eight bytes.
            let len = padded(b.len());
            out.put_u64(header(tag, item_type, u32::try_from(len).map_err(|_| TooLong)?));
            let fill = if b.first().is_some_and(|&first| first & 0x80 != 0) { 0xFF } else { 0x00 };
            out.put_bytes(fill, len.saturating_sub(b.len()));
            out.put_slice(b);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    #[test]
    fn writes_the_spec_structure_example() {
        // KMIP 1.4 §9.1.2: a Structure holding an Enumeration 254 and an Integer 255.
        let item = Ttlv::structure(
            Tag::new(0x420020),
            vec![
                Ttlv::new(Tag::new(0x420004), Value::Enumeration(254)),
                Ttlv::new(Tag::new(0x420005), Value::Integer(255)),
            ],
        );
        assert_eq!(
            hex::encode(encode_to_vec(&item).unwrap()),
            "42002001000000204200040500000004000000fe000000004200050200000004000000ff00000000"
        );
    }

    #[test]
    fn nested_lengths_are_patched_in_place_after_what_the_buffer_held() {
        // Structure(Structure(Text "abc")), appended after three bytes already there.
        let item = Ttlv::structure(
            Tag::new(0x420078),
            vec![Ttlv::structure(
                Tag::new(0x420077),
                vec![Ttlv::new(Tag::new(0x420094), Value::TextString("abc".into()))],
            )],
        );
        let mut out = BytesMut::from(&b"xyz"[..]);
        encode(&item, &mut out).unwrap();
        assert_eq!(
            hex::encode(&out),
            concat!("78797a", "4200780100000018", "4200770100000010", "4200940700000003", "6162630000000000")
        );
        assert_eq!(out.len() - 3, encoded_len(&item));
        assert_eq!(out.get(3..).unwrap(), encode_to_vec(&item).unwrap());
    }

    #[test]
    fn big_integers_are_sign_extended() {
        let item = Ttlv::new(Tag::new(0x420020), Value::BigInteger(Bytes::from_static(&[0x80, 0x01])));
        assert_eq!(hex::encode(encode_to_vec(&item).unwrap()), "4200200400000008ffffffffffff8001");
    }
}
