//! [`Secret`]: key material bytes that are wiped from memory when dropped.

use std::fmt;

use zeroize::Zeroizing;

use crate::kmip::codec::{FromTtlv, ModelError, ModelErrorKind, ToTtlv};
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::{ItemType, Tag, Ttlv, Value};

/// Secret bytes (key material, secret data): copied out of the frame into
/// memory that is zeroized on drop, and never printed.
///
/// Writing a TTLV item copies the bytes into a [`bytes::Bytes`] that cannot
/// be wiped; the connection layer wipes its frame buffers instead.
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

/// Shows only the length, never the bytes.
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([REDACTED; {} bytes])", self.0.len())
    }
}

impl FromTtlv for Secret {
    fn from_ttlv(item: &Ttlv, _v: ProtocolVersion) -> Result<Self, ModelError> {
        match &item.value {
            Value::ByteString(b) => Ok(Secret::from_slice(b)),
            _ => Err(ModelError::new(
                item.tag,
                ModelErrorKind::WrongType { expected: ItemType::ByteString, found: item.item_type() },
            )),
        }
    }
}

impl ToTtlv for Secret {
    fn to_ttlv(&self, tag: Tag, _v: ProtocolVersion) -> Ttlv {
        Ttlv::new(tag, Value::ByteString(bytes::Bytes::copy_from_slice(self.expose())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::from_slice(&[0xAB; 4]);
        assert_eq!(format!("{s:?}"), "Secret([REDACTED; 4 bytes])");
        assert_eq!(s.expose(), &[0xAB; 4]);
    }
}
