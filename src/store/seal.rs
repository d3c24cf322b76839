//! At-rest envelope for key material: AES-256-GCM under the master key
//! (`crate::crypto::symmetric::{seal, open}`: random 12-byte nonce, output
//! `nonce || ciphertext || 16-byte tag`). The associated data is the
//! object's identifier, so a sealed blob copied under another identifier
//! does not open.

use zeroize::Zeroizing;

use crate::crypto::symmetric;

#[cfg(test)]
const NONCE_LEN: usize = 12;
#[cfg(test)]
const TAG_LEN: usize = 16;

/// Sealing or opening failed. Carries no detail: the only failure that
/// matters is "does not authenticate", and nothing about the key may leak.
#[derive(Debug)]
pub(crate) struct SealError;

/// Encrypts `plaintext` under `key`, binding `aad`; returns nonce || ct || tag.
pub(crate) fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    symmetric::seal(key, aad, plaintext).map_err(|_| SealError)
}

/// Decrypts and authenticates the output of [`seal`] made with the same `key` and `aad`.
pub(crate) fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
    symmetric::open(key, aad, sealed).map_err(|_| SealError)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let key = [7u8; 32];
        let sealed = seal(&key, b"id-1", b"secret bytes").unwrap();
        assert_eq!(sealed.len(), NONCE_LEN + 12 + TAG_LEN);
        assert_eq!(open(&key, b"id-1", &sealed).unwrap().as_slice(), b"secret bytes");
        assert!(open(&key, b"id-2", &sealed).is_err(), "other associated data");
        assert!(open(&[8u8; 32], b"id-1", &sealed).is_err(), "other key");
        let mut bad = sealed.clone();
        bad[NONCE_LEN] ^= 1;
        assert!(open(&key, b"id-1", &bad).is_err(), "tampered ciphertext");
        assert!(open(&key, b"id-1", &sealed[..20]).is_err(), "truncated");
        assert!(open(&key, b"id-1", &[]).is_err(), "empty");
        assert_ne!(seal(&key, b"id-1", b"secret bytes").unwrap(), sealed, "fresh nonce each time");
    }
}
