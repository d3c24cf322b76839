//! HMAC (RFC 2104, with SHA-1 and SHA-2) and CMAC-AES (RFC 4493 / NIST SP 800-38B).

use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::sign::Signer;
use openssl::symm::Cipher;

use super::{backend, CryptoError};

/// A MAC algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacAlgorithm {
    /// HMAC-SHA-1 (20-byte MAC).
    HmacSha1,
    /// HMAC-SHA-224 (28-byte MAC).
    HmacSha224,
    /// HMAC-SHA-256 (32-byte MAC).
    HmacSha256,
    /// HMAC-SHA-384 (48-byte MAC).
    HmacSha384,
    /// HMAC-SHA-512 (64-byte MAC).
    HmacSha512,
    /// CMAC over AES-128/192/256, picked by the key length (16-byte MAC).
    CmacAes,
}

impl MacAlgorithm {
    /// The length in bytes of the full MAC this algorithm produces.
    pub fn output_len(self) -> usize {
        match self {
            Self::HmacSha1 => 20,
            Self::HmacSha224 => 28,
            Self::HmacSha256 => 32,
            Self::HmacSha384 => 48,
            Self::HmacSha512 => 64,
            Self::CmacAes => 16,
        }
    }
}

/// The largest input one call takes; OpenSSL's MAC key length is an `int`.
const MAX_KEY: usize = 1 << 20;

/// Computes the full-length MAC of `data` under `key`.
///
/// HMAC takes a key of 1 byte to 1 MiB (RFC 2104 allows any length; longer
/// than a block is hashed first); CMAC takes an AES key of 16, 24 or 32 bytes.
pub fn mac(alg: MacAlgorithm, key: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let pkey = mac_key(alg, key)?;
    let mut signer = match hmac_digest(alg) {
        Some(md) => Signer::new(md, &pkey),
        None => Signer::new_without_digest(&pkey),
    }
    .map_err(|e| backend("MAC init", &e))?;
    signer.update(data).map_err(|e| backend("MAC update", &e))?;
    signer.sign_to_vec().map_err(|e| backend("MAC final", &e))
}

/// Checks `expected` against the MAC of `data` under `key`, in constant time.
///
/// A length other than the algorithm's full MAC length is `Ok(false)`: we do
/// not accept truncated MACs here. Errors only for a bad key or a backend fault.
pub fn mac_verify(alg: MacAlgorithm, key: &[u8], data: &[u8], expected: &[u8]) -> Result<bool, CryptoError> {
    let computed = mac(alg, key, data)?;
    // The lengths are public; only the bytes need a constant-time compare
    // (and `memcmp::eq` panics on unequal lengths).
    Ok(computed.len() == expected.len() && openssl::memcmp::eq(&computed, expected))
}

fn hmac_digest(alg: MacAlgorithm) -> Option<MessageDigest> {
    match alg {
        MacAlgorithm::HmacSha1 => Some(MessageDigest::sha1()),
        MacAlgorithm::HmacSha224 => Some(MessageDigest::sha224()),
        MacAlgorithm::HmacSha256 => Some(MessageDigest::sha256()),
        MacAlgorithm::HmacSha384 => Some(MessageDigest::sha384()),
        MacAlgorithm::HmacSha512 => Some(MessageDigest::sha512()),
        MacAlgorithm::CmacAes => None,
    }
}

/// Wraps `key` in an OpenSSL MAC key, which OpenSSL clears when it is freed.
fn mac_key(alg: MacAlgorithm, key: &[u8]) -> Result<PKey<Private>, CryptoError> {
    let made = match alg {
        MacAlgorithm::CmacAes => {
            let cipher = match key.len() {
                16 => Cipher::aes_128_cbc(),
                24 => Cipher::aes_192_cbc(),
                32 => Cipher::aes_256_cbc(),
                n => return Err(CryptoError::InvalidKeyLength { expected: "16, 24 or 32 bytes", actual: n }),
            };
            PKey::cmac(&cipher, key)
        }
        _ => {
            if key.is_empty() || key.len() > MAX_KEY {
                return Err(CryptoError::InvalidKeyLength { expected: "1 byte to 1 MiB", actual: key.len() });
            }
            PKey::hmac(key)
        }
    };
    made.map_err(|e| backend("MAC key", &e))
}

// Tests index fixed-size values they built themselves.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    const ALL: [MacAlgorithm; 6] = [
        MacAlgorithm::HmacSha1,
        MacAlgorithm::HmacSha224,
        MacAlgorithm::HmacSha256,
        MacAlgorithm::HmacSha384,
        MacAlgorithm::HmacSha512,
        MacAlgorithm::CmacAes,
    ];

    #[test]
    fn every_algorithm_gives_its_length_and_verifies_its_own_mac_only() {
        let key = [7u8; 32];
        for alg in ALL {
            let tag = mac(alg, &key, b"data").unwrap();
            assert_eq!(tag.len(), alg.output_len(), "{alg:?}");
            assert!(mac_verify(alg, &key, b"data", &tag).unwrap(), "{alg:?}");
            assert!(!mac_verify(alg, &key, b"datb", &tag).unwrap(), "{alg:?}");
            let mut flipped = tag.clone();
            if let Some(b) = flipped.last_mut() {
                *b ^= 1;
            }
            assert!(!mac_verify(alg, &key, b"data", &flipped).unwrap(), "{alg:?}");
            assert!(!mac_verify(alg, &key, b"data", &tag[..tag.len() - 1]).unwrap(), "{alg:?}");
            assert!(!mac_verify(alg, &key, b"data", &[]).unwrap(), "{alg:?}");
        }
    }

    #[test]
    fn cmac_refuses_a_key_that_is_not_an_aes_key() {
        assert_eq!(
            mac(MacAlgorithm::CmacAes, &[0u8; 20], b"x").unwrap_err(),
            CryptoError::InvalidKeyLength { expected: "16, 24 or 32 bytes", actual: 20 }
        );
    }

    #[test]
    fn hmac_refuses_an_empty_key_and_takes_a_long_one() {
        assert!(matches!(mac(MacAlgorithm::HmacSha256, &[], b"x"), Err(CryptoError::InvalidKeyLength { .. })));
        // RFC 4231 case 6 uses a 131-byte key: longer than the block, hashed first.
        assert_eq!(mac(MacAlgorithm::HmacSha256, &[0xaa; 131], b"x").unwrap().len(), 32);
    }
}
