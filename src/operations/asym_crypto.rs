//! The asymmetric primitives Create Key Pair, Sign, Signature Verify, RSA
//! Encrypt/Decrypt and Hash need, over OpenSSL: key pair generation, the
//! signature schemes, RSA OAEP / PKCS#1 v1.5 and the digests.
//!
//! Written here, under `operations`, because branch `crypto2` (which will own
//! `src/crypto/{asymmetric,signature,hash}.rs`) had not landed when these
//! operations were built; the functions take and return DER (PKCS#8 for
//! private keys, SubjectPublicKeyInfo for public keys) so that switching to
//! crypto2's types later touches this file only. Nothing here sees a KMIP
//! message; errors are [`CryptoError`]s that never carry key bytes.

use openssl::hash::{Hasher, MessageDigest};
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Signer, Verifier};
use zeroize::Zeroizing;

use crate::crypto::CryptoError;

/// What kind of key pair to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PairSpec {
    /// RSA with a modulus of this many bits, public exponent 65537.
    Rsa(u32),
    /// An elliptic curve key on this named curve (P-256, P-384, P-521).
    Ec(Nid),
    /// Ed25519 (RFC 8032).
    Ed25519,
}

/// A generated key pair: the private key as PKCS#8 DER (zeroized when
/// dropped) and the public key as SubjectPublicKeyInfo DER.
pub(crate) struct Pair {
    /// PKCS#8 PrivateKeyInfo.
    pub pkcs8: Zeroizing<Vec<u8>>,
    /// SubjectPublicKeyInfo.
    pub spki: Vec<u8>,
}

fn backend(step: &'static str) -> impl Fn(openssl::error::ErrorStack) -> CryptoError {
    move |e| CryptoError::Backend(format!("{step}: {e}"))
}

/// Generates a key pair from OpenSSL's DRBG.
pub(crate) fn generate(spec: PairSpec) -> Result<Pair, CryptoError> {
    let key: PKey<Private> = match spec {
        PairSpec::Rsa(bits) => {
            let rsa = openssl::rsa::Rsa::generate(bits).map_err(backend("RSA key generation"))?;
            PKey::from_rsa(rsa).map_err(backend("RSA key generation"))?
        }
        PairSpec::Ec(nid) => {
            let group = openssl::ec::EcGroup::from_curve_name(nid).map_err(backend("EC curve"))?;
            let ec = openssl::ec::EcKey::generate(&group).map_err(backend("EC key generation"))?;
            PKey::from_ec_key(ec).map_err(backend("EC key generation"))?
        }
        PairSpec::Ed25519 => PKey::generate_ed25519().map_err(backend("Ed25519 key generation"))?,
    };
    let pkcs8 = Zeroizing::new(key.private_key_to_pkcs8().map_err(backend("PKCS#8 encoding"))?);
    let spki = key.public_key_to_der().map_err(backend("SubjectPublicKeyInfo encoding"))?;
    Ok(Pair { pkcs8, spki })
}

/// Reads a PKCS#8 (or, leniently, a PKCS#1 / SEC1 "traditional") private key.
pub(crate) fn private_key(der: &[u8]) -> Result<PKey<Private>, CryptoError> {
    PKey::private_key_from_pkcs8(der)
        .or_else(|_| PKey::private_key_from_der(der))
        .map_err(|_| CryptoError::InvalidInput("the private key is not PKCS#8 or PKCS#1 DER".into()))
}

/// Reads a SubjectPublicKeyInfo (or, leniently, a PKCS#1 RSAPublicKey) public key.
pub(crate) fn public_key(der: &[u8]) -> Result<PKey<Public>, CryptoError> {
    PKey::public_key_from_der(der)
        .or_else(|_| {
            openssl::rsa::Rsa::public_key_from_der_pkcs1(der).and_then(PKey::from_rsa).map_err(|e| e.to_string())
        })
        .map_err(|_| CryptoError::InvalidInput("the public key is not SubjectPublicKeyInfo or PKCS#1 DER".into()))
}

/// A digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Digest {
    /// SHA-1 (legacy: OAEP, old signatures).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA3-224.
    Sha3_224,
    /// SHA3-256.
    Sha3_256,
    /// SHA3-384.
    Sha3_384,
    /// SHA3-512.
    Sha3_512,
}

impl Digest {
    fn md(self) -> MessageDigest {
        match self {
            Digest::Sha1 => MessageDigest::sha1(),
            Digest::Sha224 => MessageDigest::sha224(),
            Digest::Sha256 => MessageDigest::sha256(),
            Digest::Sha384 => MessageDigest::sha384(),
            Digest::Sha512 => MessageDigest::sha512(),
            Digest::Sha3_224 => MessageDigest::sha3_224(),
            Digest::Sha3_256 => MessageDigest::sha3_256(),
            Digest::Sha3_384 => MessageDigest::sha3_384(),
            Digest::Sha3_512 => MessageDigest::sha3_512(),
        }
    }

    /// The output length in bytes.
    pub(crate) fn len(self) -> usize {
        self.md().size()
    }
}

/// The digest of `data`.
pub(crate) fn hash(digest: Digest, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut hasher = Hasher::new(digest.md()).map_err(backend("hash"))?;
    hasher.update(data).map_err(backend("hash"))?;
    Ok(hasher.finish().map_err(backend("hash"))?.to_vec())
}

/// A signature scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    RsaPkcs1(Digest),
    /// RSASSA-PSS (RFC 8017 §8.1), MGF1 with the same digest, this salt length in bytes.
    RsaPss(Digest, usize),
    /// ECDSA (FIPS 186-4), DER-encoded signature as OpenSSL writes it.
    Ecdsa(Digest),
    /// Ed25519 (RFC 8032), pure: over the whole message only.
    Ed25519,
}

impl Scheme {
    fn digest(self) -> Option<Digest> {
        match self {
            Scheme::RsaPkcs1(d) | Scheme::RsaPss(d, _) | Scheme::Ecdsa(d) => Some(d),
            Scheme::Ed25519 => None,
        }
    }
}

/// Checks that the key's type is the one the scheme is for.
fn check_kind<T>(key: &PKey<T>, scheme: Scheme) -> Result<(), CryptoError> {
    let ok = match scheme {
        Scheme::RsaPkcs1(_) | Scheme::RsaPss(..) => key.id() == openssl::pkey::Id::RSA,
        Scheme::Ecdsa(_) => key.id() == openssl::pkey::Id::EC,
        Scheme::Ed25519 => key.id() == openssl::pkey::Id::ED25519,
    };
    if ok {
        Ok(())
    } else {
        Err(CryptoError::Unsupported(format!("{scheme:?} with a key of another algorithm")))
    }
}

fn salt(len: usize) -> Result<RsaPssSaltlen, CryptoError> {
    i32::try_from(len)
        .map(RsaPssSaltlen::custom)
        .map_err(|_| CryptoError::InvalidInput("the PSS salt length is too large".into()))
}

/// Signs `data` (the whole message).
pub(crate) fn sign(key_der: &[u8], scheme: Scheme, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = private_key(key_der)?;
    check_kind(&key, scheme)?;
    let mut signer = match scheme.digest() {
        Some(d) => Signer::new(d.md(), &key),
        None => Signer::new_without_digest(&key),
    }
    .map_err(backend("signature"))?;
    if let Scheme::RsaPss(d, salt_len) = scheme {
        signer.set_rsa_padding(Padding::PKCS1_PSS).map_err(backend("PSS padding"))?;
        signer.set_rsa_mgf1_md(d.md()).map_err(backend("PSS MGF1"))?;
        signer.set_rsa_pss_saltlen(salt(salt_len)?).map_err(backend("PSS salt"))?;
    }
    signer.sign_oneshot_to_vec(data).map_err(backend("signature"))
}

/// Verifies a signature over `data` (the whole message); false when it does not match.
pub(crate) fn verify(key_der: &[u8], scheme: Scheme, data: &[u8], signature: &[u8]) -> Result<bool, CryptoError> {
    let key = public_key(key_der)?;
    check_kind(&key, scheme)?;
    let mut verifier = match scheme.digest() {
        Some(d) => Verifier::new(d.md(), &key),
        None => Verifier::new_without_digest(&key),
    }
    .map_err(backend("signature verification"))?;
    if let Scheme::RsaPss(d, salt_len) = scheme {
        verifier.set_rsa_padding(Padding::PKCS1_PSS).map_err(backend("PSS padding"))?;
        verifier.set_rsa_mgf1_md(d.md()).map_err(backend("PSS MGF1"))?;
        verifier.set_rsa_pss_saltlen(salt(salt_len)?).map_err(backend("PSS salt"))?;
    }
    // A malformed signature (wrong length, bad DER) is an invalid one, not an error.
    Ok(verifier.verify_oneshot(signature, data).unwrap_or(false))
}

/// Sets up a context for a signature over a digest computed by the client.
fn digest_ctx<T>(ctx: &mut PkeyCtx<T>, scheme: Scheme, digest: &[u8]) -> Result<(), CryptoError> {
    let Some(d) = scheme.digest() else {
        return Err(CryptoError::Unsupported("Ed25519 signs whole messages only, not digested data".into()));
    };
    if digest.len() != d.len() {
        return Err(CryptoError::InvalidInput(format!(
            "the digested data is {} bytes; {d:?} digests are {} bytes",
            digest.len(),
            d.len()
        )));
    }
    ctx.set_signature_md(
        openssl::md::Md::from_nid(d.md().type_())
            .ok_or_else(|| CryptoError::Unsupported(format!("{d:?} for signatures over digested data")))?,
    )
    .map_err(backend("signature digest"))?;
    match scheme {
        Scheme::RsaPkcs1(_) => ctx.set_rsa_padding(Padding::PKCS1).map_err(backend("PKCS#1 padding"))?,
        Scheme::RsaPss(_, salt_len) => {
            ctx.set_rsa_padding(Padding::PKCS1_PSS).map_err(backend("PSS padding"))?;
            ctx.set_rsa_pss_saltlen(salt(salt_len)?).map_err(backend("PSS salt"))?;
        }
        Scheme::Ecdsa(_) | Scheme::Ed25519 => {}
    }
    Ok(())
}

/// Signs a digest the client computed (KMIP 2.x Digested Data).
pub(crate) fn sign_digest(key_der: &[u8], scheme: Scheme, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = private_key(key_der)?;
    check_kind(&key, scheme)?;
    let mut ctx = PkeyCtx::new(&key).map_err(backend("signature"))?;
    ctx.sign_init().map_err(backend("signature"))?;
    digest_ctx(&mut ctx, scheme, digest)?;
    let mut out = Vec::new();
    ctx.sign_to_vec(digest, &mut out).map_err(backend("signature"))?;
    Ok(out)
}

/// Verifies a signature over a digest the client computed; false when it does not match.
pub(crate) fn verify_digest(
    key_der: &[u8],
    scheme: Scheme,
    digest: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let key = public_key(key_der)?;
    check_kind(&key, scheme)?;
    let mut ctx = PkeyCtx::new(&key).map_err(backend("signature verification"))?;
    ctx.verify_init().map_err(backend("signature verification"))?;
    digest_ctx(&mut ctx, scheme, digest)?;
    Ok(ctx.verify(digest, signature).unwrap_or(false))
}

/// An RSA encryption padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RsaPadding {
    /// RSAES-OAEP with this digest for both the label hash and MGF1, empty label.
    Oaep(Digest),
    /// RSAES-PKCS1-v1_5.
    Pkcs1,
}

fn rsa_ctx<T>(ctx: &mut PkeyCtx<T>, padding: RsaPadding) -> Result<(), CryptoError> {
    match padding {
        RsaPadding::Pkcs1 => ctx.set_rsa_padding(Padding::PKCS1).map_err(backend("PKCS#1 padding")),
        RsaPadding::Oaep(d) => {
            let md = openssl::md::Md::from_nid(d.md().type_())
                .ok_or_else(|| CryptoError::Unsupported(format!("{d:?} for OAEP")))?;
            ctx.set_rsa_padding(Padding::PKCS1_OAEP).map_err(backend("OAEP padding"))?;
            ctx.set_rsa_oaep_md(md).map_err(backend("OAEP digest"))?;
            ctx.set_rsa_mgf1_md(md).map_err(backend("OAEP MGF1"))
        }
    }
}

/// Encrypts with an RSA public key.
pub(crate) fn rsa_encrypt(key_der: &[u8], padding: RsaPadding, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = public_key(key_der)?;
    if key.id() != openssl::pkey::Id::RSA {
        return Err(CryptoError::Unsupported("encryption with a non-RSA public key".into()));
    }
    let mut ctx = PkeyCtx::new(&key).map_err(backend("RSA encryption"))?;
    ctx.encrypt_init().map_err(backend("RSA encryption"))?;
    rsa_ctx(&mut ctx, padding)?;
    let mut out = Vec::new();
    ctx.encrypt_to_vec(plaintext, &mut out)
        .map_err(|_| CryptoError::InvalidInput("the data is too long for this RSA key and padding".into()))?;
    Ok(out)
}

/// Decrypts with an RSA private key; the plaintext is zeroized when dropped.
pub(crate) fn rsa_decrypt(
    key_der: &[u8],
    padding: RsaPadding,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let key = private_key(key_der)?;
    if key.id() != openssl::pkey::Id::RSA {
        return Err(CryptoError::Unsupported("decryption with a non-RSA private key".into()));
    }
    let mut ctx = PkeyCtx::new(&key).map_err(backend("RSA decryption"))?;
    ctx.decrypt_init().map_err(backend("RSA decryption"))?;
    rsa_ctx(&mut ctx, padding)?;
    let mut out = Zeroizing::new(Vec::new());
    // One message for every failure: padding oracles learn nothing from the text.
    ctx.decrypt_to_vec(ciphertext, &mut out).map_err(|_| CryptoError::AuthenticationFailed)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scheme_signs_and_verifies_and_a_changed_message_fails() -> Result<(), CryptoError> {
        let rsa = generate(PairSpec::Rsa(2048))?;
        let p256 = generate(PairSpec::Ec(Nid::X9_62_PRIME256V1))?;
        let ed = generate(PairSpec::Ed25519)?;
        let cases = [
            (&rsa, Scheme::RsaPkcs1(Digest::Sha256)),
            (&rsa, Scheme::RsaPss(Digest::Sha384, 48)),
            (&p256, Scheme::Ecdsa(Digest::Sha256)),
            (&ed, Scheme::Ed25519),
        ];
        for (pair, scheme) in cases {
            let sig = sign(&pair.pkcs8, scheme, b"message")?;
            assert!(verify(&pair.spki, scheme, b"message", &sig)?, "{scheme:?}");
            assert!(!verify(&pair.spki, scheme, b"messagf", &sig)?, "{scheme:?}");
            if let Some(d) = scheme.digest() {
                let digest = hash(d, b"message")?;
                let sig2 = sign_digest(&pair.pkcs8, scheme, &digest)?;
                assert!(verify(&pair.spki, scheme, b"message", &sig2)?, "{scheme:?} digest-signed");
                assert!(verify_digest(&pair.spki, scheme, &digest, &sig)?, "{scheme:?} digest-verified");
            }
        }
        assert!(matches!(sign(&p256.pkcs8, Scheme::Ed25519, b"m"), Err(CryptoError::Unsupported(_))));
        Ok(())
    }

    #[test]
    fn rsa_oaep_and_pkcs1_round_trip_and_a_wrong_padding_fails() -> Result<(), CryptoError> {
        let rsa = generate(PairSpec::Rsa(2048))?;
        for padding in [RsaPadding::Oaep(Digest::Sha1), RsaPadding::Oaep(Digest::Sha256), RsaPadding::Pkcs1] {
            let c = rsa_encrypt(&rsa.spki, padding, b"secret")?;
            assert_eq!(rsa_decrypt(&rsa.pkcs8, padding, &c)?.as_slice(), b"secret");
        }
        let c = rsa_encrypt(&rsa.spki, RsaPadding::Oaep(Digest::Sha256), b"secret")?;
        assert_eq!(rsa_decrypt(&rsa.pkcs8, RsaPadding::Oaep(Digest::Sha1), &c), Err(CryptoError::AuthenticationFailed));
        Ok(())
    }

    #[test]
    fn sha256_of_abc_matches_fips_180_2() -> Result<(), CryptoError> {
        assert_eq!(
            hex::encode(hash(Digest::Sha256, b"abc")?),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        Ok(())
    }
}
