//! AES key wrap: RFC 3394 (KW, no padding) and RFC 5649 (KWP, with padding),
//! as NIST SP 800-38F names them, over OpenSSL's `id-aes*-wrap[-pad]` ciphers.
//!
//! OpenSSL refuses the wrap ciphers unless the context allows them
//! (`EVP_CIPHER_CTX_FLAG_WRAP_ALLOW`), and the `symm` helpers do not set it, so
//! this goes through `CipherCtx`. For RSA-OAEP key wrapping use
//! [`super::asymmetric::rsa_encrypt`] with [`super::asymmetric::RsaPadding::Oaep`].

use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::{CipherCtx, CipherCtxFlags};
use zeroize::Zeroizing;

use super::{backend, CryptoError};

/// The semiblock: KW works on 8-byte units.
const SEMIBLOCK: usize = 8;
/// The largest key we wrap: far above any key, and inside OpenSSL's `int` lengths.
const MAX_WRAP_INPUT: usize = 1 << 20;

/// Which AES key wrap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrapMode {
    /// RFC 3394 / SP 800-38F KW: the key is a multiple of 8 bytes, at least 16.
    Rfc3394,
    /// RFC 5649 / SP 800-38F KWP: any key of 1 byte or more.
    Rfc5649,
}

/// Wraps `key` under the AES key-encryption key `kek` (16, 24 or 32 bytes).
///
/// Errors: [`CryptoError::InvalidKeyLength`] for the KEK,
/// [`CryptoError::InvalidInput`] for a key KW cannot wrap (empty, not a
/// multiple of 8, or shorter than 16 bytes) or over 1 MiB.
pub fn wrap(mode: WrapMode, kek: &[u8], key: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let cipher = wrap_cipher(mode, kek.len())?;
    let ok = match mode {
        WrapMode::Rfc3394 => key.len() >= 2 * SEMIBLOCK && key.len().is_multiple_of(SEMIBLOCK),
        WrapMode::Rfc5649 => !key.is_empty(),
    };
    if !ok || key.len() > MAX_WRAP_INPUT {
        return Err(CryptoError::InvalidInput(match mode {
            WrapMode::Rfc3394 => format!("RFC 3394 wraps a multiple of 8 bytes, 16 or more; got {}", key.len()),
            WrapMode::Rfc5649 => format!("RFC 5649 wraps 1 byte to 1 MiB; got {}", key.len()),
        }));
    }
    let mut ctx = new_ctx()?;
    ctx.encrypt_init(Some(cipher), Some(kek), None).map_err(|e| backend("key wrap init", &e))?;
    // The output is the key rounded up to semiblocks plus the 8-byte integrity block;
    // the `openssl` crate asks for one more cipher block of room.
    let mut out = vec![0u8; key.len() + 3 * SEMIBLOCK];
    let written = ctx.cipher_update(key, Some(&mut out)).map_err(|e| backend("key wrap", &e))?;
    out.truncate(written);
    Ok(out)
}

/// Unwraps what [`wrap`] (or any RFC 3394 / 5649 implementation) produced.
///
/// Errors: [`CryptoError::InvalidKeyLength`] for the KEK,
/// [`CryptoError::InvalidInput`] when the wrapped length is impossible for the
/// mode, and [`CryptoError::AuthenticationFailed`] when the integrity check
/// (the IV, and for KWP the length and padding) fails: a wrong KEK or a
/// modified wrapped key.
pub fn unwrap(mode: WrapMode, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let cipher = wrap_cipher(mode, kek.len())?;
    let min = match mode {
        WrapMode::Rfc3394 => 3 * SEMIBLOCK,
        WrapMode::Rfc5649 => 2 * SEMIBLOCK,
    };
    if wrapped.len() < min || !wrapped.len().is_multiple_of(SEMIBLOCK) || wrapped.len() > MAX_WRAP_INPUT + 2 * SEMIBLOCK
    {
        return Err(CryptoError::InvalidInput(format!(
            "a {mode:?} wrapped key is a multiple of 8 bytes, {min} or more; got {}",
            wrapped.len()
        )));
    }
    let mut ctx = new_ctx()?;
    ctx.decrypt_init(Some(cipher), Some(kek), None).map_err(|e| backend("key unwrap init", &e))?;
    let mut out = Zeroizing::new(vec![0u8; wrapped.len() + 2 * SEMIBLOCK]);
    // After the length checks above, the only failure left is the integrity check.
    let written = ctx.cipher_update(wrapped, Some(&mut out)).map_err(|_| CryptoError::AuthenticationFailed)?;
    out.truncate(written);
    Ok(out)
}

fn new_ctx() -> Result<CipherCtx, CryptoError> {
    let mut ctx = CipherCtx::new().map_err(|e| backend("cipher context", &e))?;
    ctx.set_flags(CipherCtxFlags::FLAG_WRAP_ALLOW);
    Ok(ctx)
}

fn wrap_cipher(mode: WrapMode, kek_len: usize) -> Result<&'static CipherRef, CryptoError> {
    Ok(match (mode, kek_len) {
        (WrapMode::Rfc3394, 16) => Cipher::aes_128_wrap(),
        (WrapMode::Rfc3394, 24) => Cipher::aes_192_wrap(),
        (WrapMode::Rfc3394, 32) => Cipher::aes_256_wrap(),
        (WrapMode::Rfc5649, 16) => Cipher::aes_128_wrap_pad(),
        (WrapMode::Rfc5649, 24) => Cipher::aes_192_wrap_pad(),
        (WrapMode::Rfc5649, 32) => Cipher::aes_256_wrap_pad(),
        _ => return Err(CryptoError::InvalidKeyLength { expected: "16, 24 or 32 bytes", actual: kek_len }),
    })
}

// Tests index buffers they built themselves.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn both_modes_round_trip_every_kek_size() {
        for kek_len in [16usize, 24, 32] {
            let kek = vec![0x42u8; kek_len];
            for len in [16usize, 24, 32, 64, 256] {
                let key: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let w = wrap(WrapMode::Rfc3394, &kek, &key).unwrap();
                assert_eq!(w.len(), len + 8);
                assert_eq!(&unwrap(WrapMode::Rfc3394, &kek, &w).unwrap()[..], &key[..]);
            }
            for len in [1usize, 7, 8, 9, 20, 31, 32, 33] {
                let key: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let w = wrap(WrapMode::Rfc5649, &kek, &key).unwrap();
                assert_eq!(w.len(), len.div_ceil(8) * 8 + 8, "KWP {len}");
                assert_eq!(&unwrap(WrapMode::Rfc5649, &kek, &w).unwrap()[..], &key[..]);
            }
        }
    }

    #[test]
    fn tampering_or_a_wrong_kek_fails_authentication() {
        let kek = [7u8; 32];
        for mode in [WrapMode::Rfc3394, WrapMode::Rfc5649] {
            let w = wrap(mode, &kek, &[9u8; 32]).unwrap();
            for i in 0..w.len() {
                let mut bad = w.clone();
                bad[i] ^= 0x10;
                assert_eq!(unwrap(mode, &kek, &bad).unwrap_err(), CryptoError::AuthenticationFailed, "{mode:?} {i}");
            }
            assert_eq!(unwrap(mode, &[8u8; 32], &w).unwrap_err(), CryptoError::AuthenticationFailed);
        }
        // A KW output does not unwrap as KWP, nor the reverse.
        let kw = wrap(WrapMode::Rfc3394, &kek, &[1u8; 16]).unwrap();
        assert_eq!(unwrap(WrapMode::Rfc5649, &kek, &kw).unwrap_err(), CryptoError::AuthenticationFailed);
    }

    #[test]
    fn impossible_lengths_are_invalid_input() {
        let kek = [1u8; 16];
        for len in [0usize, 8, 15, 17] {
            assert!(
                matches!(wrap(WrapMode::Rfc3394, &kek, &vec![0u8; len]), Err(CryptoError::InvalidInput(_))),
                "{len}"
            );
        }
        assert!(matches!(wrap(WrapMode::Rfc5649, &kek, &[]), Err(CryptoError::InvalidInput(_))));
        for len in [0usize, 8, 16, 23, 25] {
            assert!(
                matches!(unwrap(WrapMode::Rfc3394, &kek, &vec![0u8; len]), Err(CryptoError::InvalidInput(_))),
                "{len}"
            );
        }
        assert!(matches!(wrap(WrapMode::Rfc3394, &[1u8; 15], &[0u8; 16]), Err(CryptoError::InvalidKeyLength { .. })));
    }
}
