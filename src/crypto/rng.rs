//! Random bytes and key generation from OpenSSL's DRBGs.

use zeroize::Zeroizing;

use super::{backend, CryptoError};

/// The most bytes one call returns; a client's RNG Retrieve cannot ask for more.
pub const MAX_RANDOM_LEN: usize = 1 << 20;

/// Returns `len` bytes from OpenSSL's public DRBG (`RAND_bytes`).
///
/// Refuses `len` over [`MAX_RANDOM_LEN`] (1 MiB) with [`CryptoError::InvalidInput`],
/// so that a request cannot make the server allocate without bound.
pub fn random_bytes(len: usize) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if len > MAX_RANDOM_LEN {
        return Err(CryptoError::InvalidInput(format!(
            "at most {MAX_RANDOM_LEN} random bytes per request, asked {len}"
        )));
    }
    let mut out = Zeroizing::new(vec![0u8; len]);
    openssl::rand::rand_bytes(&mut out).map_err(|e| backend("random bytes", &e))?;
    Ok(out)
}

/// Returns `len_bytes` of fresh key material from OpenSSL's private DRBG
/// (`RAND_priv_bytes`, kept apart from the one whose output is public, such as IVs).
///
/// Accepts 1 byte to 1 MiB; the caller checks the length an algorithm needs.
pub fn generate_key(len_bytes: usize) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if len_bytes == 0 || len_bytes > MAX_RANDOM_LEN {
        return Err(CryptoError::InvalidKeyLength { expected: "1 byte to 1 MiB", actual: len_bytes });
    }
    let mut out = Zeroizing::new(vec![0u8; len_bytes]);
    openssl::rand::rand_priv_bytes(&mut out).map_err(|e| backend("key generation", &e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_bytes_has_the_asked_length_and_differs_between_calls() {
        assert!(random_bytes(0).unwrap().is_empty());
        let a = random_bytes(32).unwrap();
        let b = random_bytes(32).unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(*a, *b);
        assert_eq!(random_bytes(MAX_RANDOM_LEN).unwrap().len(), MAX_RANDOM_LEN);
    }

    #[test]
    fn random_bytes_refuses_more_than_one_mib() {
        assert!(matches!(random_bytes(MAX_RANDOM_LEN + 1), Err(CryptoError::InvalidInput(_))));
    }

    #[test]
    fn generate_key_refuses_zero_and_oversized_lengths() {
        assert_eq!(generate_key(32).unwrap().len(), 32);
        assert_eq!(
            generate_key(0).unwrap_err(),
            CryptoError::InvalidKeyLength { expected: "1 byte to 1 MiB", actual: 0 }
        );
        assert!(matches!(generate_key(MAX_RANDOM_LEN + 1), Err(CryptoError::InvalidKeyLength { .. })));
    }
}
