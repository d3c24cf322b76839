//! Key derivation for KMIP Derive Key: PBKDF2 (RFC 8018), the NIST SP 800-108
//! counter-mode KDF with HMAC, HKDF (RFC 5869, which KMIP's "HMAC" method
//! maps to, as PyKMIP's server does) and encryption-based derivation.
//!
//! The `openssl` crate exposes no KBKDF, so the SP 800-108 loop is written
//! here over [`super::mac`]; the CAVP vectors in the tests pin it.

use openssl::pkey::Id;
use openssl::pkey_ctx::{HkdfMode, PkeyCtx};
use zeroize::Zeroizing;

use super::hash::HashAlgorithm;
use super::mac::{mac, MacAlgorithm};
use super::symmetric::{aes_encrypt, AesParams};
use super::{backend, CryptoError};

/// The longest derived key we produce (64 KiB: far above any key, and bounded
/// so a request cannot make the server loop for long).
pub const MAX_DERIVED_LEN: usize = 1 << 16;
/// The most PBKDF2 iterations a request may ask for (10 million: seconds of CPU).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

fn check_len(len: usize) -> Result<(), CryptoError> {
    if len == 0 || len > MAX_DERIVED_LEN {
        return Err(CryptoError::InvalidInput(format!("a derived key of 1 to {MAX_DERIVED_LEN} bytes, asked {len}")));
    }
    Ok(())
}

/// PBKDF2 (RFC 8018 section 5.2) with HMAC over `prf`'s hash: `len` bytes from
/// `password` and `salt` after `iterations` rounds (1..=[`MAX_PBKDF2_ITERATIONS`]).
pub fn pbkdf2(
    prf: HashAlgorithm,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_len(len)?;
    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
        return Err(CryptoError::InvalidInput(format!(
            "PBKDF2 takes 1 to {MAX_PBKDF2_ITERATIONS} iterations, asked {iterations}"
        )));
    }
    let mut out = Zeroizing::new(vec![0u8; len]);
    openssl::pkcs5::pbkdf2_hmac(password, salt, iterations as usize, prf.message_digest(), &mut out)
        .map_err(|e| backend("PBKDF2", &e))?;
    Ok(out)
}

/// Where the SP 800-108 counter sits, and how wide it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterSpec {
    /// The counter's width in bits: 8, 16, 24 or 32 (CAVP's `RLEN`).
    pub bits: u8,
}

impl Default for CounterSpec {
    /// A 32-bit counter, as OpenSSL's KBKDF and PyKMIP use.
    fn default() -> Self {
        Self { bits: 32 }
    }
}

/// NIST SP 800-108 section 5.1 KDF in counter mode with an HMAC PRF:
/// `K(i) = HMAC(key, [i]_r || fixed_input)` for i = 1, 2, ..., concatenated
/// and cut to `len` bytes. The counter comes before the fixed input data
/// (CAVP's `BEFORE_FIXED`); the caller builds `fixed_input`, usually
/// `Label || 0x00 || Context || [L]_32`.
pub fn kbkdf_counter_hmac(
    prf: MacAlgorithm,
    key: &[u8],
    fixed_input: &[u8],
    counter: CounterSpec,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_len(len)?;
    if prf == MacAlgorithm::CmacAes {
        return Err(CryptoError::Unsupported("SP 800-108 with CMAC".into()));
    }
    let width = match counter.bits {
        8 => 1usize,
        16 => 2,
        24 => 3,
        32 => 4,
        other => return Err(CryptoError::InvalidInput(format!("a counter of 8, 16, 24 or 32 bits, not {other}"))),
    };
    let blocks = len.div_ceil(prf.output_len());
    // SP 800-108: n must fit in the counter (2^r - 1 blocks at most).
    if (blocks as u64) >= (1u64 << counter.bits) {
        return Err(CryptoError::InvalidInput(format!(
            "{len} bytes needs more blocks than a {}-bit counter",
            counter.bits
        )));
    }
    let mut out = Zeroizing::new(Vec::with_capacity(blocks * prf.output_len()));
    let mut input = Zeroizing::new(Vec::with_capacity(width + fixed_input.len()));
    for i in 1..=blocks as u32 {
        input.clear();
        let be = i.to_be_bytes();
        input.extend_from_slice(be.get(4 - width..).unwrap_or(&be));
        input.extend_from_slice(fixed_input);
        let block = Zeroizing::new(mac(prf, key, &input)?);
        out.extend_from_slice(&block);
    }
    out.truncate(len);
    Ok(out)
}

/// HKDF (RFC 5869): extract with `salt` (empty means a zero salt), expand with
/// `info` to `len` bytes (at most 255 hash lengths).
pub fn hkdf(
    hash: HashAlgorithm,
    key: &[u8],
    salt: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_len(len)?;
    if len > 255 * hash.output_len() {
        return Err(CryptoError::InvalidInput(format!(
            "HKDF-{hash:?} gives at most {} bytes, asked {len}",
            255 * hash.output_len()
        )));
    }
    if key.is_empty() {
        return Err(CryptoError::InvalidKeyLength { expected: "1 byte or more", actual: 0 });
    }
    let mut ctx = PkeyCtx::new_id(Id::HKDF).map_err(|e| backend("HKDF context", &e))?;
    ctx.derive_init().map_err(|e| backend("HKDF init", &e))?;
    ctx.set_hkdf_mode(HkdfMode::EXTRACT_THEN_EXPAND).map_err(|e| backend("HKDF mode", &e))?;
    ctx.set_hkdf_md(hash.md()).map_err(|e| backend("HKDF hash", &e))?;
    ctx.set_hkdf_key(key).map_err(|e| backend("HKDF key", &e))?;
    if !salt.is_empty() {
        ctx.set_hkdf_salt(salt).map_err(|e| backend("HKDF salt", &e))?;
    }
    if !info.is_empty() {
        ctx.add_hkdf_info(info).map_err(|e| backend("HKDF info", &e))?;
    }
    let mut out = Zeroizing::new(vec![0u8; len]);
    let written = ctx.derive(Some(&mut out)).map_err(|e| backend("HKDF", &e))?;
    out.truncate(written);
    Ok(out)
}

/// KMIP's "HMAC" derivation in its plain reading: `HMAC(key, data)`, cut to
/// `len` bytes (at most one MAC). Use [`hkdf`] for PyKMIP-compatible output.
pub fn hmac_derive(prf: MacAlgorithm, key: &[u8], data: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_len(len)?;
    if len > prf.output_len() {
        return Err(CryptoError::InvalidInput(format!(
            "{prf:?} gives at most {} bytes, asked {len}",
            prf.output_len()
        )));
    }
    let mut out = Zeroizing::new(mac(prf, key, data)?);
    out.truncate(len);
    Ok(out)
}

/// KMIP's "encrypt" derivation: the derivation data encrypted under `key` with
/// AES as `params` say (ECB or CBC, usually), cut to `len` bytes; the
/// ciphertext must be at least `len` bytes long.
pub fn encrypt_derive(
    key: &[u8],
    params: &AesParams<'_>,
    data: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_len(len)?;
    let encrypted = aes_encrypt(key, params, data)?;
    let mut out = Zeroizing::new(encrypted.ciphertext);
    if out.len() < len {
        return Err(CryptoError::InvalidInput(format!(
            "the encrypted derivation data is {} bytes, shorter than the {len} asked",
            out.len()
        )));
    }
    out.truncate(len);
    Ok(out)
}

// Tests index outputs they made themselves.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::crypto::symmetric::{Mode, Padding};

    #[test]
    fn lengths_and_counts_out_of_range_are_refused() {
        assert!(matches!(pbkdf2(HashAlgorithm::Sha256, b"p", b"s", 0, 32), Err(CryptoError::InvalidInput(_))));
        assert!(matches!(pbkdf2(HashAlgorithm::Sha256, b"p", b"s", 1, 0), Err(CryptoError::InvalidInput(_))));
        let spec = CounterSpec { bits: 8 };
        // 255 blocks of 32 bytes fit an 8-bit counter; 256 do not.
        assert!(kbkdf_counter_hmac(MacAlgorithm::HmacSha256, b"k", b"", spec, 255 * 32).is_ok());
        assert!(matches!(
            kbkdf_counter_hmac(MacAlgorithm::HmacSha256, b"k", b"", spec, 255 * 32 + 1),
            Err(CryptoError::InvalidInput(_))
        ));
        assert!(matches!(
            kbkdf_counter_hmac(MacAlgorithm::HmacSha256, b"k", b"", CounterSpec { bits: 12 }, 16),
            Err(CryptoError::InvalidInput(_))
        ));
        assert!(matches!(hkdf(HashAlgorithm::Sha256, b"k", b"", b"", 255 * 32 + 1), Err(CryptoError::InvalidInput(_))));
        assert!(matches!(hmac_derive(MacAlgorithm::HmacSha256, b"k", b"d", 33), Err(CryptoError::InvalidInput(_))));
    }

    #[test]
    fn kbkdf_output_is_a_prefix_of_a_longer_output() {
        let spec = CounterSpec::default();
        let long = kbkdf_counter_hmac(MacAlgorithm::HmacSha256, b"key", b"fixed", spec, 100).unwrap();
        let short = kbkdf_counter_hmac(MacAlgorithm::HmacSha256, b"key", b"fixed", spec, 40).unwrap();
        assert_eq!(&long[..40], &short[..]);
        // The first block is HMAC(key, 00 00 00 01 || fixed).
        assert_eq!(&long[..32], &mac(MacAlgorithm::HmacSha256, b"key", b"\0\0\0\x01fixed").unwrap()[..]);
    }

    #[test]
    fn encrypt_derive_is_the_ciphertext_prefix() {
        let key = [3u8; 16];
        let params = AesParams::new(Mode::Ecb, Padding::None);
        let out = encrypt_derive(&key, &params, &[5u8; 32], 24).unwrap();
        let full = aes_encrypt(&key, &params, &[5u8; 32]).unwrap().ciphertext;
        assert_eq!(&out[..], &full[..24]);
        assert!(matches!(encrypt_derive(&key, &params, &[5u8; 16], 24), Err(CryptoError::InvalidInput(_))));
    }
}
