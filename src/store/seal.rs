//! At-rest envelope for key material: AES-256-GCM under the master key.
//!
//! Stand-in with the contract of `crate::crypto::symmetric::{seal, open}`
//! (random 12-byte nonce; output `nonce || ciphertext || 16-byte tag`) until
//! the crypto layer lands; the store switches to it then. The associated data
//! is the object's identifier, so a sealed blob copied under another
//! identifier does not open.

use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};
use zeroize::Zeroizing;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Sealing or opening failed. Carries no detail: OpenSSL's error stack could
/// only say "bad tag", and nothing about the key may leak.
#[derive(Debug)]
pub(crate) struct SealError;

/// Encrypts `plaintext` under `key`, binding `aad`; returns nonce || ct || tag.
pub(crate) fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut nonce = [0u8; NONCE_LEN];
    openssl::rand::rand_bytes(&mut nonce).map_err(|_| SealError)?;
    let mut tag = [0u8; TAG_LEN];
    let ct = encrypt_aead(Cipher::aes_256_gcm(), key, Some(&nonce), aad, plaintext, &mut tag).map_err(|_| SealError)?;
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Decrypts and authenticates the output of [`seal`] made with the same `key` and `aad`.
pub(crate) fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let (nonce, rest) = sealed.split_at_checked(NONCE_LEN).ok_or(SealError)?;
    let ct_len = rest.len().checked_sub(TAG_LEN).ok_or(SealError)?;
    let (ct, tag) = rest.split_at_checked(ct_len).ok_or(SealError)?;
    decrypt_aead(Cipher::aes_256_gcm(), key, Some(nonce), aad, ct, tag).map(Zeroizing::new).map_err(|_| SealError)
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
