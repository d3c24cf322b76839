//! [`Secret`]: key material bytes that are wiped from memory when dropped.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::kmip::codec::{FromTtlv, ModelError, ModelErrorKind, Out, ToTtlv};
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{Item, ItemType, Tag};

/// Secret bytes (key material, secret data): copied out of the frame into
/// memory that is zeroized on drop, and never printed.
///
/// Decoding copies the bytes out of the request frame, so that the frame
/// holds no view of them and the connection layer can wipe it; writing
/// copies them straight into the output buffer (no temporary copy), which
/// the writer wipes when it grows it and its owner wipes after use.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Takes ownership of `bytes`; they are wiped when the secret is dropped.
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(Zeroizing::new(bytes))
    }

    /// A copy of `bytes` held as a secret.
    pub fn from_slice(bytes: &[u8]) -> Secret {
        Secret::new(bytes.to_vec())
    }

    /// The secret bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Wipes the bytes now (dropping the secret does the same).
impl Zeroize for Secret {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

// The bytes live in a `Zeroizing`, which wipes them on drop.
impl ZeroizeOnDrop for Secret {}

/// Shows only the length, never the bytes.
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([REDACTED; {} bytes])", self.0.len())
    }
}

impl FromTtlv for Secret {
    fn read<'a, I: Item<'a>>(item: I, _v: ProtocolVersion) -> Result<Self, ModelError> {
        match item.byte_string() {
            Some(b) => Ok(Secret::from_slice(b)),
            _ => Err(ModelError::new(
                item.tag(),
                ModelErrorKind::WrongType { expected: ItemType::ByteString, found: item.item_type() },
            )),
        }
    }
}

/// Written straight from the secret into the output buffer, which the
/// caller wipes (the server holds responses in `Zeroizing`).
impl ToTtlv for Secret {
    fn write_ttlv(&self, tag: Tag, out: &mut Out<'_>) {
        out.writer().bytes(tag, self.expose());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ttlv::Value;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::from_slice(&[0xAB; 4]);
        assert_eq!(format!("{s:?}"), "Secret([REDACTED; 4 bytes])");
        assert_eq!(s.expose(), &[0xAB; 4]);
    }

    fn wiped_on_drop<T: ZeroizeOnDrop>(_: &T) {}

    #[test]
    fn zeroize_wipes_the_bytes_and_drop_does_the_same() {
        let mut s = Secret::from_slice(&[0xAB; 32]);
        wiped_on_drop(&s);
        s.zeroize();
        // Zeroizing<Vec> overwrites every byte, then truncates.
        assert!(s.is_empty());
        assert_eq!(format!("{s:?}"), "Secret([REDACTED; 0 bytes])");
    }

    #[test]
    fn a_written_item_holds_its_own_copy() {
        let s = Secret::from_slice(&[7; 16]);
        let item = s.to_ttlv(Tag::Key, ProtocolVersion::V2_1).unwrap();
        drop(s);
        assert_eq!(item.value, Value::ByteString(bytes::Bytes::from_static(&[7; 16])));
    }
}
