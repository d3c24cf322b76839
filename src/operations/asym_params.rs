//! What Sign, Signature Verify and RSA Encrypt/Decrypt share: the
//! asymmetric key they may use (type, state, usage mask), its DER bytes, and
//! the Cryptographic Parameters turned into an [`asym_crypto`] scheme.

use crate::crypto::CryptoError;
use crate::error::Error;
use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::objects::{KeyMaterial, KeyValue, Object};
use crate::kmip::table::{
    CryptographicAlgorithm as Alg, CryptographicUsageMask, DigitalSignatureAlgorithm as Dsa, HashingAlgorithm,
    KeyFormatType, ObjectType, Operation, PaddingMethod,
};
use crate::lifecycle::{self, Use};
use crate::operations::asym_crypto::{Digest, RsaPadding, Scheme};
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;

/// Checks that `key` is of `object_type`, that `operation` may use it now
/// for `what`, and that its usage mask (if it has one) has `bit`.
pub(crate) fn check_key(
    ctx: &RequestContext<'_>,
    key: &ManagedObject,
    object_type: ObjectType,
    operation: Operation,
    what: Use,
    bit: CryptographicUsageMask,
    usage: &'static str,
) -> Result<(), Error> {
    match key.object_type() {
        Some(t) if t == object_type => {}
        Some(t) => return Err(Error::WrongObjectType { id: key.id.clone(), object_type: t, operation }),
        None => return Err(Error::Internal(format!("object {} has no Object Type", key.id))),
    }
    lifecycle::check_use(key, operation, what, ctx.now_kmip())?;
    match key.usage_mask() {
        Some(mask) if !mask.contains(bit) && !mask.contains(CryptographicUsageMask::Unrestricted) => {
            Err(Error::UsageNotAllowed { id: key.id.clone(), usage })
        }
        _ => Ok(()),
    }
}

/// The DER bytes (PKCS#8 / PKCS#1 for private keys, SubjectPublicKeyInfo /
/// PKCS#1 for public keys) and the algorithm of an asymmetric key.
pub(crate) fn key_der(key: &ManagedObject, operation: Operation) -> Result<(&[u8], Option<Alg>), Error> {
    let block = match &key.object {
        Some(Object::PrivateKey(k)) => &k.key_block,
        Some(Object::PublicKey(k)) => &k.key_block,
        Some(other) => {
            return Err(Error::WrongObjectType { id: key.id.clone(), object_type: other.object_type(), operation })
        }
        None => return Err(Error::ObjectDestroyed { id: key.id.clone() }),
    };
    match (&block.key_value, block.key_format_type) {
        (
            Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(bytes), .. }),
            KeyFormatType::PKCS_8 | KeyFormatType::PKCS_1 | KeyFormatType::X_509,
        ) => Ok((bytes.expose(), block.cryptographic_algorithm)),
        (Some(KeyValue::Wrapped(_)), _) => Err(Error::FeatureNotSupported(format!(
            "object {:?} is stored wrapped; the server cannot use it for cryptography",
            key.id
        ))),
        _ => Err(Error::FeatureNotSupported(format!(
            "object {:?} is not held as PKCS#8, PKCS#1 or X.509 (SubjectPublicKeyInfo) DER; the server signs and \
             encrypts with those only",
            key.id
        ))),
    }
}

fn unsupported(what: String) -> Error {
    Error::Crypto(CryptoError::Unsupported(what))
}

/// The digest a Hashing Algorithm names.
pub(crate) fn digest(h: HashingAlgorithm) -> Result<Digest, Error> {
    Ok(match h {
        HashingAlgorithm::SHA_1 => Digest::Sha1,
        HashingAlgorithm::SHA_224 => Digest::Sha224,
        HashingAlgorithm::SHA_256 => Digest::Sha256,
        HashingAlgorithm::SHA_384 => Digest::Sha384,
        HashingAlgorithm::SHA_512 => Digest::Sha512,
        HashingAlgorithm::SHA3_224 => Digest::Sha3_224,
        HashingAlgorithm::SHA3_256 => Digest::Sha3_256,
        HashingAlgorithm::SHA3_384 => Digest::Sha3_384,
        HashingAlgorithm::SHA3_512 => Digest::Sha3_512,
        other => {
            return Err(unsupported(format!(
                "Hashing Algorithm {}; this server offers SHA-1, SHA-224/256/384/512 and SHA3-224/256/384/512",
                other.name().unwrap_or("(unknown)")
            )))
        }
    })
}

/// The signature scheme: the Digital Signature Algorithm when named, else
/// the Cryptographic Algorithm (or the key's) with the Hashing Algorithm
/// (SHA-256 by default) and, for RSA, the Padding Method (PKCS#1 v1.5 by
/// default, or PSS).
pub(crate) fn signature_scheme(
    params: Option<&CryptographicParameters>,
    key_algorithm: Option<Alg>,
) -> Result<Scheme, Error> {
    let hash = params.and_then(|p| p.hashing_algorithm).map(digest).transpose()?;
    let pss_salt = |d: Digest| -> Result<usize, Error> {
        match params.and_then(|p| p.salt_length) {
            None => Ok(d.len()),
            Some(n) => usize::try_from(n).map_err(|_| Error::InvalidField(format!("Salt Length {n} is negative"))),
        }
    };
    if let Some(dsa) = params.and_then(|p| p.digital_signature_algorithm) {
        let scheme = match dsa {
            Dsa::SHA_1WithRSAEncryption => Scheme::RsaPkcs1(Digest::Sha1),
            Dsa::SHA_224WithRSAEncryption => Scheme::RsaPkcs1(Digest::Sha224),
            Dsa::SHA_256WithRSAEncryption => Scheme::RsaPkcs1(Digest::Sha256),
            Dsa::SHA_384WithRSAEncryption => Scheme::RsaPkcs1(Digest::Sha384),
            Dsa::SHA_512WithRSAEncryption => Scheme::RsaPkcs1(Digest::Sha512),
            Dsa::SHA3_256WithRSAEncryption => Scheme::RsaPkcs1(Digest::Sha3_256),
            Dsa::SHA3_384WithRSAEncryption => Scheme::RsaPkcs1(Digest::Sha3_384),
            Dsa::SHA3_512WithRSAEncryption => Scheme::RsaPkcs1(Digest::Sha3_512),
            Dsa::RSASSA_PSS => {
                let d = hash.unwrap_or(Digest::Sha256);
                Scheme::RsaPss(d, pss_salt(d)?)
            }
            Dsa::ECDSAWithSHA_1 => Scheme::Ecdsa(Digest::Sha1),
            Dsa::ECDSAWithSHA224 => Scheme::Ecdsa(Digest::Sha224),
            Dsa::ECDSAWithSHA256 => Scheme::Ecdsa(Digest::Sha256),
            Dsa::ECDSAWithSHA384 => Scheme::Ecdsa(Digest::Sha384),
            Dsa::ECDSAWithSHA512 => Scheme::Ecdsa(Digest::Sha512),
            other => return Err(unsupported(format!(
                "Digital Signature Algorithm {}; this server offers SHA-x with RSA, RSASSA-PSS and ECDSA with SHA-x",
                other.name().unwrap_or("(unknown)")
            ))),
        };
        return Ok(scheme);
    }
    let algorithm = params.and_then(|p| p.cryptographic_algorithm).or(key_algorithm);
    let d = hash.unwrap_or(Digest::Sha256);
    match algorithm {
        Some(Alg::RSA) => match params.and_then(|p| p.padding_method) {
            None | Some(PaddingMethod::PKCS1V1_5) => Ok(Scheme::RsaPkcs1(d)),
            Some(PaddingMethod::PSS) => Ok(Scheme::RsaPss(d, pss_salt(d)?)),
            Some(other) => Err(unsupported(format!(
                "Padding Method {} for RSA signatures; this server offers PKCS1 v1.5 and PSS",
                other.name().unwrap_or("(unknown)")
            ))),
        },
        Some(Alg::ECDSA | Alg::EC) => Ok(Scheme::Ecdsa(d)),
        Some(Alg::Ed25519) => Ok(Scheme::Ed25519),
        Some(other) => Err(unsupported(format!(
            "signatures with {}; this server signs with RSA, ECDSA and Ed25519",
            other.name().unwrap_or("(unknown)")
        ))),
        None => Err(Error::MissingData("the key has no Cryptographic Algorithm and the request names none".into())),
    }
}

/// The RSA encryption padding: OAEP (SHA-1 by default, as PKCS#1 v2.2 and
/// OpenSSL's CLI default) or PKCS#1 v1.5. No Padding Method means OAEP.
pub(crate) fn rsa_padding(params: Option<&CryptographicParameters>) -> Result<RsaPadding, Error> {
    if let Some(algorithm) = params.and_then(|p| p.cryptographic_algorithm) {
        if algorithm != Alg::RSA {
            return Err(unsupported(format!("{} with an RSA key", algorithm.name().unwrap_or("a non-RSA algorithm"))));
        }
    }
    match params.and_then(|p| p.padding_method) {
        None | Some(PaddingMethod::OAEP) => {
            let d = params.and_then(|p| p.hashing_algorithm).map(digest).transpose()?.unwrap_or(Digest::Sha1);
            // OpenSSL uses one digest for the label hash and MGF1; refuse a
            // differing MGF1 digest rather than silently ignoring it.
            if let Some(mgf) = params.and_then(|p| p.mask_generator_hashing_algorithm) {
                if digest(mgf)? != d {
                    return Err(unsupported("an OAEP MGF1 digest other than the Hashing Algorithm".into()));
                }
            }
            Ok(RsaPadding::Oaep(d))
        }
        Some(PaddingMethod::PKCS1V1_5) => Ok(RsaPadding::Pkcs1),
        Some(other) => Err(unsupported(format!(
            "Padding Method {} for RSA encryption; this server offers OAEP and PKCS1 v1.5",
            other.name().unwrap_or("(unknown)")
        ))),
    }
}
