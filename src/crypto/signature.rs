//! Signatures: RSA PKCS#1 v1.5 and PSS, ECDSA (DER `Ecdsa-Sig-Value`) and
//! Ed25519, over data or over a digest the client computed.
//!
//! RSA and ECDSA hash the data here and then sign the digest through
//! `EVP_PKEY_sign` with the signature digest set, so "sign data" and "sign
//! this digest" are one code path and give interchangeable signatures.
//! Ed25519 signs the message itself (PureEdDSA), so it has no digest form.

use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Signer, Verifier};

use super::asymmetric::{KeyKind, PrivateKey, PublicKey};
use super::hash::{hash, HashAlgorithm};
use super::{backend, CryptoError};

/// A signature algorithm with its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2).
    RsaPkcs1v15(HashAlgorithm),
    /// RSASSA-PSS (RFC 8017 section 8.1) with MGF1 over the same hash.
    RsaPss {
        /// The message hash, also used by MGF1.
        hash: HashAlgorithm,
        /// The salt length in bytes (usually the hash length).
        salt_len: u32,
    },
    /// ECDSA; the signature is DER `SEQUENCE { r INTEGER, s INTEGER }`.
    Ecdsa(HashAlgorithm),
    /// Ed25519 (RFC 8032, pure): 64-byte signatures over the whole message.
    Ed25519,
}

impl SignatureScheme {
    /// RSA-PSS with a salt as long as the hash, the usual choice.
    pub fn rsa_pss(hash: HashAlgorithm) -> Self {
        Self::RsaPss { hash, salt_len: hash.output_len() as u32 }
    }

    fn hash(self) -> Option<HashAlgorithm> {
        match self {
            Self::RsaPkcs1v15(h) | Self::Ecdsa(h) | Self::RsaPss { hash: h, .. } => Some(h),
            Self::Ed25519 => None,
        }
    }
}

/// Signs `data` with `key`.
///
/// Errors: [`CryptoError::Unsupported`] when the scheme does not fit the key
/// (ECDSA with an RSA key...) or uses SHA-1, SHA-224 or SHA-3 (we only make
/// SHA-256/384/512 signatures); [`CryptoError::InvalidInput`] when a PSS salt
/// does not fit the modulus.
pub fn sign(key: &PrivateKey, scheme: SignatureScheme, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_scheme(key.kind()?, scheme, Purpose::Sign)?;
    match scheme.hash() {
        None => {
            let mut signer = Signer::new_without_digest(&key.0).map_err(|e| backend("Ed25519 signer", &e))?;
            signer.sign_oneshot_to_vec(data).map_err(|e| backend("Ed25519 sign", &e))
        }
        Some(h) => sign_prehashed(key, scheme, &hash(h, data)?),
    }
}

/// Signs a digest the caller computed with the scheme's hash (KMIP's Digested Data).
///
/// Errors as [`sign`], plus [`CryptoError::InvalidInput`] when `digest` is not
/// the hash's length, and [`CryptoError::Unsupported`] for Ed25519.
pub fn sign_digest(key: &PrivateKey, scheme: SignatureScheme, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_scheme(key.kind()?, scheme, Purpose::Sign)?;
    sign_prehashed(key, scheme, digest)
}

/// Checks `signature` over `data`. A wrong or malformed signature is `Ok(false)`;
/// errors are for a scheme that does not fit the key, or a backend fault.
///
/// SHA-1 is accepted here (RSA and ECDSA) so that old signatures still verify.
pub fn verify(key: &PublicKey, scheme: SignatureScheme, data: &[u8], signature: &[u8]) -> Result<bool, CryptoError> {
    check_scheme(key.kind()?, scheme, Purpose::Verify)?;
    match scheme.hash() {
        None => {
            // RFC 8032 signatures are exactly 64 bytes; OpenSSL checks S < L and the encodings.
            if signature.len() != 64 {
                return Ok(false);
            }
            let mut verifier = Verifier::new_without_digest(&key.0).map_err(|e| backend("Ed25519 verifier", &e))?;
            // A malformed signature or point is a failed check, not a fault.
            Ok(verifier.verify_oneshot(signature, data).unwrap_or(false))
        }
        Some(h) => verify_prehashed(key, scheme, &hash(h, data)?, signature),
    }
}

/// Checks `signature` over a digest the caller computed with the scheme's hash.
pub fn verify_digest(
    key: &PublicKey,
    scheme: SignatureScheme,
    digest: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    check_scheme(key.kind()?, scheme, Purpose::Verify)?;
    verify_prehashed(key, scheme, digest, signature)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Sign,
    Verify,
}

fn check_scheme(kind: KeyKind, scheme: SignatureScheme, purpose: Purpose) -> Result<(), CryptoError> {
    let fits = matches!(
        (kind, scheme),
        (KeyKind::Rsa(_), SignatureScheme::RsaPkcs1v15(_) | SignatureScheme::RsaPss { .. })
            | (KeyKind::Ec(_), SignatureScheme::Ecdsa(_))
            | (KeyKind::Ed25519, SignatureScheme::Ed25519)
    );
    if !fits {
        return Err(CryptoError::Unsupported(format!("{scheme:?} with a {kind:?} key")));
    }
    match scheme.hash() {
        None | Some(HashAlgorithm::Sha256 | HashAlgorithm::Sha384 | HashAlgorithm::Sha512) => Ok(()),
        Some(HashAlgorithm::Sha1) if purpose == Purpose::Verify => Ok(()),
        Some(h) => Err(CryptoError::Unsupported(format!(
            "{h:?} signatures (we sign with SHA-256, SHA-384 or SHA-512, and verify SHA-1 too)"
        ))),
    }
}

fn check_digest(scheme: SignatureScheme, digest: &[u8]) -> Result<HashAlgorithm, CryptoError> {
    let h = scheme.hash().ok_or_else(|| CryptoError::Unsupported("Ed25519 over a digest (Ed25519ph)".into()))?;
    if digest.len() != h.output_len() {
        return Err(CryptoError::InvalidInput(format!(
            "a {h:?} digest is {} bytes, got {}",
            h.output_len(),
            digest.len()
        )));
    }
    Ok(h)
}

fn sign_prehashed(key: &PrivateKey, scheme: SignatureScheme, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let h = check_digest(scheme, digest)?;
    let mut ctx = PkeyCtx::new(&key.0).map_err(|e| backend("signature context", &e))?;
    ctx.sign_init().map_err(|e| backend("sign init", &e))?;
    configure(&mut ctx, scheme, h)?;
    let mut sig = Vec::new();
    ctx.sign_to_vec(digest, &mut sig).map_err(|e| match scheme {
        // The only input-dependent failure: a salt too long for the modulus.
        SignatureScheme::RsaPss { salt_len, .. } => {
            CryptoError::InvalidInput(format!("a PSS salt of {salt_len} bytes does not fit this RSA key"))
        }
        _ => backend("sign", &e),
    })?;
    Ok(sig)
}

fn verify_prehashed(
    key: &PublicKey,
    scheme: SignatureScheme,
    digest: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let h = check_digest(scheme, digest)?;
    let mut ctx = PkeyCtx::new(&key.0).map_err(|e| backend("signature context", &e))?;
    ctx.verify_init().map_err(|e| backend("verify init", &e))?;
    configure(&mut ctx, scheme, h)?;
    // OpenSSL reports a bad signature either as 0 or as an error (bad encoding,
    // wrong length): both mean "does not verify". It clears its error queue on drop.
    Ok(ctx.verify(digest, signature).unwrap_or(false))
}

fn configure<T>(ctx: &mut PkeyCtx<T>, scheme: SignatureScheme, h: HashAlgorithm) -> Result<(), CryptoError> {
    match scheme {
        SignatureScheme::RsaPkcs1v15(_) => {
            ctx.set_rsa_padding(Padding::PKCS1).map_err(|e| backend("RSA padding", &e))?;
        }
        SignatureScheme::RsaPss { salt_len, .. } => {
            let salt = i32::try_from(salt_len)
                .map_err(|_| CryptoError::InvalidInput(format!("a PSS salt of {salt_len} bytes")))?;
            ctx.set_rsa_padding(Padding::PKCS1_PSS).map_err(|e| backend("RSA padding", &e))?;
            ctx.set_rsa_pss_saltlen(RsaPssSaltlen::custom(salt)).map_err(|e| backend("PSS salt length", &e))?;
            ctx.set_rsa_mgf1_md(h.md()).map_err(|e| backend("MGF1 hash", &e))?;
        }
        SignatureScheme::Ecdsa(_) | SignatureScheme::Ed25519 => {}
    }
    ctx.set_signature_md(h.md()).map_err(|e| backend("signature hash", &e))
}

// Tests index signatures they made themselves.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::crypto::asymmetric::{generate, Curve, KeyPairSpec};

    fn pair(spec: KeyPairSpec) -> (PrivateKey, PublicKey) {
        let pair = generate(spec).unwrap();
        (PrivateKey::from_der(&pair.private_pkcs8_der).unwrap(), PublicKey::from_der(&pair.public_spki_der).unwrap())
    }

    #[test]
    fn every_scheme_signs_and_verifies_on_data_and_on_digest() {
        let rsa = pair(KeyPairSpec::Rsa(2048));
        let hashes = [HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512];
        let mut cases: Vec<(&(PrivateKey, PublicKey), SignatureScheme)> = Vec::new();
        for h in hashes {
            cases.push((&rsa, SignatureScheme::RsaPkcs1v15(h)));
            cases.push((&rsa, SignatureScheme::rsa_pss(h)));
        }
        let ecs = [
            pair(KeyPairSpec::Ec(Curve::P256)),
            pair(KeyPairSpec::Ec(Curve::P384)),
            pair(KeyPairSpec::Ec(Curve::P521)),
        ];
        for ec in &ecs {
            for h in hashes {
                cases.push((ec, SignatureScheme::Ecdsa(h)));
            }
        }
        for ((private, public), scheme) in cases {
            let sig = sign(private, scheme, b"message").unwrap();
            assert!(verify(public, scheme, b"message", &sig).unwrap(), "{scheme:?}");
            assert!(!verify(public, scheme, b"messagf", &sig).unwrap(), "{scheme:?}");
            let mut bad = sig.clone();
            bad[10] ^= 1;
            assert!(!verify(public, scheme, b"message", &bad).unwrap(), "{scheme:?}");
            // Signing the digest gives a signature that verifies over the data, and back.
            let digest = hash(scheme.hash().unwrap(), b"message").unwrap();
            let sig2 = sign_digest(private, scheme, &digest).unwrap();
            assert!(verify(public, scheme, b"message", &sig2).unwrap(), "{scheme:?}");
            assert!(verify_digest(public, scheme, &digest, &sig).unwrap(), "{scheme:?}");
            assert!(matches!(sign_digest(private, scheme, &digest[1..]), Err(CryptoError::InvalidInput(_))));
        }
        // PKCS#1 v1.5 is deterministic.
        let s = SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256);
        assert_eq!(sign(&rsa.0, s, b"m").unwrap(), sign(&rsa.0, s, b"m").unwrap());
    }

    #[test]
    fn ed25519_signs_and_verifies_and_has_no_digest_form() {
        let (private, public) = pair(KeyPairSpec::Ed25519);
        let sig = sign(&private, SignatureScheme::Ed25519, b"hello").unwrap();
        assert_eq!(sig.len(), 64);
        assert!(verify(&public, SignatureScheme::Ed25519, b"hello", &sig).unwrap());
        assert!(!verify(&public, SignatureScheme::Ed25519, b"hellp", &sig).unwrap());
        assert!(!verify(&public, SignatureScheme::Ed25519, b"hello", &sig[..63]).unwrap());
        assert!(matches!(
            sign_digest(&private, SignatureScheme::Ed25519, &[0u8; 32]),
            Err(CryptoError::Unsupported(_))
        ));
    }

    #[test]
    fn mismatched_schemes_and_weak_hashes_are_refused() {
        let (rsa, rsa_pub) = pair(KeyPairSpec::Rsa(1024));
        let (ec, _) = pair(KeyPairSpec::Ec(Curve::P256));
        assert!(matches!(
            sign(&rsa, SignatureScheme::Ecdsa(HashAlgorithm::Sha256), b"x"),
            Err(CryptoError::Unsupported(_))
        ));
        assert!(matches!(sign(&ec, SignatureScheme::Ed25519, b"x"), Err(CryptoError::Unsupported(_))));
        let sha1 = SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha1);
        assert!(matches!(sign(&rsa, sha1, b"x"), Err(CryptoError::Unsupported(_))));
        // SHA-1 still verifies (legacy): a signature made outside this module.
        let mut signer = Signer::new(openssl::hash::MessageDigest::sha1(), &rsa.0).unwrap();
        let legacy = signer.sign_oneshot_to_vec(b"old").unwrap();
        assert!(verify(&rsa_pub, sha1, b"old", &legacy).unwrap());
        // A 1024-bit key cannot hold SHA-512 PSS with a 200-byte salt.
        let big_salt = SignatureScheme::RsaPss { hash: HashAlgorithm::Sha512, salt_len: 200 };
        assert!(matches!(sign(&rsa, big_salt, b"x"), Err(CryptoError::InvalidInput(_))));
    }
}
