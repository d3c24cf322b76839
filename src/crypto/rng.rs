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

/// How many bytes the IV pool draws from the DRBG at a time.
const IV_POOL_LEN: usize = 4096;

/// A per-thread buffer of public random bytes for IVs and nonces.
///
/// One `RAND_bytes` call costs 2-4 µs in OpenSSL 3.0, more than the AES-GCM
/// operation it feeds; drawing 4 KiB at a time makes an IV cost a copy. Only
/// public values come from here (keys use [`generate_key`]). The process id is
/// checked on every draw, so a forked child refills instead of repeating its
/// parent's IVs.
struct IvPool {
    bytes: Vec<u8>,
    used: usize,
    pid: u32,
}

thread_local! {
    static IV_POOL: std::cell::RefCell<IvPool> =
        const { std::cell::RefCell::new(IvPool { bytes: Vec::new(), used: 0, pid: 0 }) };
}

/// Fills `out` with public random bytes (an IV or nonce), from the thread's pool.
pub(crate) fn fill_public(out: &mut [u8]) -> Result<(), CryptoError> {
    let direct = |out: &mut [u8]| openssl::rand::rand_bytes(out).map_err(|e| backend("IV generation", &e));
    if out.len() > IV_POOL_LEN / 16 {
        return direct(out);
    }
    IV_POOL.with(|cell| {
        let Ok(mut pool) = cell.try_borrow_mut() else {
            return direct(out);
        };
        let pid = std::process::id();
        let end = pool.used + out.len();
        if pool.pid != pid || end > pool.bytes.len() {
            pool.bytes.resize(IV_POOL_LEN, 0);
            direct(&mut pool.bytes)?;
            pool.used = 0;
            pool.pid = pid;
        }
        let start = pool.used;
        let Some(fresh) = pool.bytes.get_mut(start..start + out.len()) else {
            return direct(out);
        };
        out.copy_from_slice(fresh);
        // Served bytes are wiped so that nothing can hand them out twice.
        fresh.fill(0);
        pool.used = start + out.len();
        Ok(())
    })
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
    fn pooled_ivs_never_repeat_across_refills() {
        let mut seen = std::collections::HashSet::new();
        // 2000 x 12 bytes crosses the 4 KiB pool five times.
        for _ in 0..2000 {
            let mut iv = [0u8; 12];
            fill_public(&mut iv).unwrap();
            assert!(seen.insert(iv), "an IV repeated");
        }
        let mut big = [0u8; 1024];
        fill_public(&mut big).unwrap();
        assert!(big.iter().any(|&b| b != 0));
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
