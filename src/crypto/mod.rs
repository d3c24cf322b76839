//! Cryptographic primitives over OpenSSL 3 (the `openssl` crate).
//!
//! This layer never sees a KMIP type: callers translate KMIP's Cryptographic
//! Parameters into [`symmetric::AesParams`] or a [`mac::MacAlgorithm`], and map
//! [`CryptoError`] to a Result Reason in one place above this module.
//!
//! - [`symmetric`]: AES in ECB, CBC, CTR and GCM ([`symmetric::AesKey`] reuses
//!   contexts keyed once per key), and [`symmetric::seal`] / [`symmetric::open`]
//!   for records at rest.
//! - [`mac`]: HMAC (SHA-1, SHA-2) and CMAC-AES, with a constant-time verify.
//! - [`rng`]: random bytes and fresh key material from OpenSSL's DRBGs.
//! - [`hash`]: SHA-1, SHA-2 and SHA-3 digests.
//! - [`asymmetric`]: RSA, EC and Ed25519 key pairs; RSA-OAEP and PKCS#1 v1.5.
//! - [`signature`]: RSA PKCS#1 v1.5 / PSS, ECDSA and Ed25519, on data or digests.
//! - [`keywrap`]: AES key wrap, RFC 3394 and RFC 5649.
//! - [`derive`](mod@derive): PBKDF2, SP 800-108 counter mode, HKDF, HMAC and encryption derivation.
//! - [`formats`]: PKCS#1 / PKCS#8 / SEC1 / SPKI / Transparent conversions, X.509 facts.
//!
//! Plaintext and key material produced here is returned in
//! [`zeroize::Zeroizing`] buffers, and errors never carry secret bytes.

pub mod asymmetric;
pub mod derive;
pub mod formats;
pub mod hash;
pub mod keywrap;
pub mod mac;
pub mod rng;
pub mod signature;
pub mod symmetric;

use std::fmt;

/// Why a primitive failed. Display texts are safe to show a client: never key bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// The key is not a length the algorithm accepts.
    InvalidKeyLength {
        /// The accepted lengths, in words (e.g. "16, 24 or 32 bytes").
        expected: &'static str,
        /// The length the caller gave.
        actual: usize,
    },
    /// The IV or nonce is not a length the mode accepts (0 expected means "no IV").
    InvalidIvLength {
        /// The length the mode needs (for GCM, the upper bound of 1..=128).
        expected: usize,
        /// The length the caller gave.
        actual: usize,
    },
    /// A GCM tag length outside 4..=16 bytes.
    InvalidTagLength(usize),
    /// The input does not fit the mode (e.g. a partial block without padding).
    InvalidInput(String),
    /// A GCM tag mismatch, or bad padding on decrypt.
    AuthenticationFailed,
    /// A mode/padding or algorithm combination we do not offer.
    Unsupported(String),
    /// OpenSSL failed unexpectedly (the text names the step, never a secret).
    Backend(String),
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidKeyLength { expected, actual } => {
                write!(f, "invalid key length: expected {expected}, got {actual} bytes")
            }
            Self::InvalidIvLength { expected: 0, actual } => {
                write!(f, "invalid IV length: this mode takes no IV, got {actual} bytes")
            }
            Self::InvalidIvLength { expected, actual } => {
                write!(f, "invalid IV length: expected {expected} bytes, got {actual}")
            }
            Self::InvalidTagLength(len) => write!(f, "invalid tag length: expected 4 to 16 bytes, got {len}"),
            Self::InvalidInput(why) => write!(f, "invalid input: {why}"),
            Self::AuthenticationFailed => f.write_str("authentication failed"),
            Self::Unsupported(what) => write!(f, "unsupported: {what}"),
            Self::Backend(what) => write!(f, "cryptographic backend failure: {what}"),
        }
    }
}

impl std::error::Error for CryptoError {}

/// Wraps an OpenSSL error stack, keeping only the step and OpenSSL's reason
/// strings: those name what failed, never the data it failed on.
pub(crate) fn backend(step: &str, err: &openssl::error::ErrorStack) -> CryptoError {
    let reason = err.errors().first().and_then(|e| e.reason()).unwrap_or("unknown error");
    CryptoError::Backend(format!("{step}: {reason}"))
}
