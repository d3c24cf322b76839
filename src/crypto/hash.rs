//! Message digests for KMIP Hash and Digest: SHA-1, SHA-2 and SHA-3.

use openssl::md::{Md, MdRef};
use openssl::md_ctx::MdCtx;

use super::{backend, CryptoError};

/// A hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-1 (20 bytes); kept for legacy verification and KMIP Digest only.
    Sha1,
    /// SHA-224 (28 bytes).
    Sha224,
    /// SHA-256 (32 bytes).
    Sha256,
    /// SHA-384 (48 bytes).
    Sha384,
    /// SHA-512 (64 bytes).
    Sha512,
    /// SHA3-256 (32 bytes).
    Sha3_256,
    /// SHA3-384 (48 bytes).
    Sha3_384,
    /// SHA3-512 (64 bytes).
    Sha3_512,
}

impl HashAlgorithm {
    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 | Self::Sha3_256 => 32,
            Self::Sha384 | Self::Sha3_384 => 48,
            Self::Sha512 | Self::Sha3_512 => 64,
        }
    }

    /// OpenSSL's digest for this algorithm (the built-in table: no per-call fetch by name).
    pub(crate) fn md(self) -> &'static MdRef {
        match self {
            Self::Sha1 => Md::sha1(),
            Self::Sha224 => Md::sha224(),
            Self::Sha256 => Md::sha256(),
            Self::Sha384 => Md::sha384(),
            Self::Sha512 => Md::sha512(),
            Self::Sha3_256 => Md::sha3_256(),
            Self::Sha3_384 => Md::sha3_384(),
            Self::Sha3_512 => Md::sha3_512(),
        }
    }

    /// The same digest as a legacy `MessageDigest` (for the APIs that still take one).
    pub(crate) fn message_digest(self) -> openssl::hash::MessageDigest {
        use openssl::hash::MessageDigest;
        match self {
            Self::Sha1 => MessageDigest::sha1(),
            Self::Sha224 => MessageDigest::sha224(),
            Self::Sha256 => MessageDigest::sha256(),
            Self::Sha384 => MessageDigest::sha384(),
            Self::Sha512 => MessageDigest::sha512(),
            Self::Sha3_256 => MessageDigest::sha3_256(),
            Self::Sha3_384 => MessageDigest::sha3_384(),
            Self::Sha3_512 => MessageDigest::sha3_512(),
        }
    }
}

/// The digest of `data`.
pub fn hash(alg: HashAlgorithm, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut ctx = MdCtx::new().map_err(|e| backend("digest context", &e))?;
    ctx.digest_init(alg.md()).map_err(|e| backend("digest init", &e))?;
    ctx.digest_update(data).map_err(|e| backend("digest update", &e))?;
    let mut out = vec![0u8; alg.output_len()];
    let len = ctx.digest_final(&mut out).map_err(|e| backend("digest final", &e))?;
    out.truncate(len);
    Ok(out)
}

/// SHA-256 of `data`: for digests the server computes of its own bytes
/// (object Digests, Short Unique Identifiers), where no algorithm is chosen
/// and nothing can fail.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    openssl::sha::sha256(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_gives_its_length() {
        for alg in [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha224,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
            HashAlgorithm::Sha3_256,
            HashAlgorithm::Sha3_384,
            HashAlgorithm::Sha3_512,
        ] {
            assert_eq!(hash(alg, b"abc").unwrap().len(), alg.output_len(), "{alg:?}");
        }
        assert_eq!(sha256(b"abc").to_vec(), hash(HashAlgorithm::Sha256, b"abc").unwrap());
    }
}
