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

/// Appends the encoding of `item` to `out`.
pub fn encode(item: &Ttlv, out: &mut BytesMut) -> Result<(), EncodeError> {
    out.reserve(encoded_len(item));
    write_item(item, out)
}

/// The encoding of `item` as a new vector.
pub fn encode_to_vec(item: &Ttlv) -> Result<Vec<u8>, EncodeError> {
    let mut out = BytesMut::with_capacity(encoded_len(item));
    write_item(item, &mut out)?;
    Ok(out.to_vec())
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

fn write_header(tag: Tag, item_type: ItemType, len: usize, out: &mut BytesMut) -> Result<(), EncodeError> {
    let len = u32::try_from(len).map_err(|_| EncodeError::TooLong(tag))?;
    out.put_slice(&tag.to_bytes());
    out.put_u8(item_type.code());
    out.put_u32(len);
    Ok(())
}

fn write_item(item: &Ttlv, out: &mut BytesMut) -> Result<(), EncodeError> {
    let len = value_len(&item.value);
    write_header(item.tag, item.item_type(), len, out)?;
    match &item.value {
        Value::Structure(children) => {
            for child in children {
                write_item(child, out)?;
            }
        }
        Value::Integer(v) => out.put_i32(*v),
        Value::Enumeration(v) | Value::Interval(v) => out.put_u32(*v),
        Value::LongInteger(v) | Value::DateTime(v) | Value::DateTimeExtended(v) => out.put_i64(*v),
        Value::Boolean(v) => out.put_u64(u64::from(*v)),
        Value::TextString(s) => out.put_slice(s.as_bytes()),
        Value::ByteString(b) => out.put_slice(b),
        Value::BigInteger(b) => {
            // Sign-extend on the left to a multiple of eight bytes.
            let fill = if b.first().is_some_and(|&first| first & 0x80 != 0) { 0xFF } else { 0x00 };
            out.put_bytes(fill, len.saturating_sub(b.len()));
            out.put_slice(b);
        }
    }
    out.put_bytes(0, padded(len).saturating_sub(len));
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
    fn big_integers_are_sign_extended() {
        let item = Ttlv::new(Tag::new(0x420020), Value::BigInteger(Bytes::from_static(&[0x80, 0x01])));
        assert_eq!(hex::encode(encode_to_vec(&item).unwrap()), "4200200400000008ffffffffffff8001");
    }
}
