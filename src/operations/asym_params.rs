//! What Sign, Signature Verify and RSA Encrypt/Decrypt share: the
//! asymmetric key they may use, parsed from its key block (the checks of
//! type, state and usage mask are crypto_params's, shared with the
//! symmetric operations), and the Cryptographic Parameters turned into the
//! crypto layer's [`SignatureScheme`] or [`RsaPadding`].

use crate::crypto::asymmetric::{PrivateKey, PublicKey, RsaPadding};
use crate::crypto::hash::HashAlgorithm as Digest;
use crate::crypto::signature::SignatureScheme as Scheme;
use crate::crypto::{formats, CryptoError};
use crate::error::Error;
use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::table::{
    CryptographicAlgorithm as Alg, DigitalSignatureAlgorithm as Dsa, HashingAlgorithm, KeyFormatType, ObjectType,
    Operation, PaddingMethod,
};
use crate::operations::crypto_params;
use crate::operations::managed::ManagedObject;

/// The key bytes, format and algorithm of an asymmetric key held in clear.
fn key_bytes(key: &ManagedObject, operation: Operation) -> Result<(&[u8], KeyFormatType, Option<Alg>), Error> {
    let (block, bytes) = crypto_params::key_block(key, &[ObjectType::PrivateKey, ObjectType::PublicKey], operation)?;
    let bytes = bytes.ok_or_else(|| not_der(key))?;
    Ok((bytes, block.key_format_type, block.cryptographic_algorithm))
}

fn not_der(key: &ManagedObject) -> Error {
    Error::FeatureNotSupported(format!(
        "object {:?} is not held as PKCS#8, PKCS#1 or X.509 (SubjectPublicKeyInfo) DER; the server uses keys in \
         those formats only",
        key.id
    ))
}

/// The private key of a Private Key object (PKCS#8, or PKCS#1 / SEC1 DER) and its algorithm.
pub(crate) fn private_key(key: &ManagedObject, operation: Operation) -> Result<(PrivateKey, Option<Alg>), Error> {
    let (der, format, algorithm) = key_bytes(key, operation)?;
    // The type-specific parsers: OpenSSL 3.0's generic DER decoder costs
    // about a millisecond per key, paid on every Sign or Decrypt.
    let parsed = match format {
        // Raw: the DER as registered, PKCS#8, PKCS#1 or SEC1 (see key_forms::keep_raw).
        KeyFormatType::PKCS_8 | KeyFormatType::Raw => PrivateKey::from_der(der),
        KeyFormatType::PKCS_1 => formats::from_pkcs1_private_der(der),
        KeyFormatType::ECPrivateKey => formats::from_sec1_der(der),
        _ => return Err(not_der(key)),
    };
    Ok((parsed.map_err(Error::Crypto)?, algorithm))
}

/// The public key of a Public Key object (SubjectPublicKeyInfo or PKCS#1 DER) and its algorithm.
pub(crate) fn public_key(key: &ManagedObject, operation: Operation) -> Result<(PublicKey, Option<Alg>), Error> {
    let (der, format, algorithm) = key_bytes(key, operation)?;
    let parsed = match format {
        KeyFormatType::X_509 => PublicKey::from_der(der),
        KeyFormatType::Raw => PublicKey::from_der(der).or_else(|_| formats::from_pkcs1_public_der(der)),
        KeyFormatType::PKCS_1 => formats::from_pkcs1_public_der(der),
        _ => return Err(not_der(key)),
    };
    Ok((parsed.map_err(Error::Crypto)?, algorithm))
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
        HashingAlgorithm::SHA3_256 => Digest::Sha3_256,
        HashingAlgorithm::SHA3_384 => Digest::Sha3_384,
        HashingAlgorithm::SHA3_512 => Digest::Sha3_512,
        other => {
            return Err(unsupported(format!(
                "Hashing Algorithm {}; this server offers SHA-1, SHA-224/256/384/512 and SHA3-256/384/512",
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
    let pss_salt = |d: Digest| -> Result<u32, Error> {
        match params.and_then(|p| p.salt_length) {
            None => u32::try_from(d.output_len()).map_err(|_| Error::Internal("digest length".into())),
            Some(n) => u32::try_from(n).map_err(|_| Error::InvalidField(format!("Salt Length {n} is negative"))),
        }
    };
    if let Some(dsa) = params.and_then(|p| p.digital_signature_algorithm) {
        let scheme = match dsa {
            Dsa::SHA_1WithRSAEncryption => Scheme::RsaPkcs1v15(Digest::Sha1),
            Dsa::SHA_224WithRSAEncryption => Scheme::RsaPkcs1v15(Digest::Sha224),
            Dsa::SHA_256WithRSAEncryption => Scheme::RsaPkcs1v15(Digest::Sha256),
            Dsa::SHA_384WithRSAEncryption => Scheme::RsaPkcs1v15(Digest::Sha384),
            Dsa::SHA_512WithRSAEncryption => Scheme::RsaPkcs1v15(Digest::Sha512),
            Dsa::SHA3_256WithRSAEncryption => Scheme::RsaPkcs1v15(Digest::Sha3_256),
            Dsa::SHA3_384WithRSAEncryption => Scheme::RsaPkcs1v15(Digest::Sha3_384),
            Dsa::SHA3_512WithRSAEncryption => Scheme::RsaPkcs1v15(Digest::Sha3_512),
            Dsa::RSASSA_PSS => {
                let d = hash.unwrap_or(Digest::Sha256);
                Scheme::RsaPss { hash: d, salt_len: pss_salt(d)? }
            }
            Dsa::ECDSAWithSHA_1 => Scheme::Ecdsa(Digest::Sha1),
            Dsa::ECDSAWithSHA224 => Scheme::Ecdsa(Digest::Sha224),
            Dsa::ECDSAWithSHA256 => Scheme::Ecdsa(Digest::Sha256),
            Dsa::ECDSAWithSHA384 => Scheme::Ecdsa(Digest::Sha384),
            Dsa::ECDSAWithSHA512 => Scheme::Ecdsa(Digest::Sha512),
            other => {
                return Err(unsupported(format!(
                "Digital Signature Algorithm {}; this server offers SHA-x with RSA, RSASSA-PSS and ECDSA with SHA-x",
                other.name().unwrap_or("(unknown)")
            )))
            }
        };
        return Ok(scheme);
    }
    let algorithm = params.and_then(|p| p.cryptographic_algorithm).or(key_algorithm);
    let d = hash.unwrap_or(Digest::Sha256);
    match algorithm {
        Some(Alg::RSA) => match params.and_then(|p| p.padding_method) {
            None | Some(PaddingMethod::PKCS1V1_5) => Ok(Scheme::RsaPkcs1v15(d)),
            Some(PaddingMethod::PSS) => Ok(Scheme::RsaPss { hash: d, salt_len: pss_salt(d)? }),
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

/// Whether the parameters name a PSS Salt Length (else the verifier also
/// accepts the other usual length, see [`pss_alternative`]).
pub(crate) fn salt_named(params: Option<&CryptographicParameters>) -> bool {
    params.and_then(|p| p.salt_length).is_some()
}

/// For a PSS signature checked with no Salt Length named: the scheme with
/// the longest salt the key allows (emLen - hLen - 2, what OpenSSL and
/// many signers use by default), tried after the hash-length salt fails.
pub(crate) fn pss_alternative(scheme: Scheme, key: &PublicKey) -> Option<Scheme> {
    let Scheme::RsaPss { hash, salt_len } = scheme else { return None };
    let crate::crypto::asymmetric::KeyKind::Rsa(bits) = key.kind().ok()? else { return None };
    // emLen = ceil((modBits - 1) / 8).
    let em_len = (bits.checked_sub(1)?).div_ceil(8);
    let max = em_len.checked_sub(u32::try_from(hash.output_len()).ok()?)?.checked_sub(2)?;
    (max != salt_len).then_some(Scheme::RsaPss { hash, salt_len: max })
}

/// The RSA encryption padding: OAEP (SHA-1 by default, as PKCS#1 v2.2 and
/// OpenSSL's CLI default) or PKCS#1 v1.5. No Padding Method means OAEP.
pub(crate) fn rsa_padding(params: Option<&CryptographicParameters>) -> Result<RsaPadding<'_>, Error> {
    if let Some(algorithm) = params.and_then(|p| p.cryptographic_algorithm) {
        if algorithm != Alg::RSA {
            return Err(unsupported(format!("{} with an RSA key", algorithm.name().unwrap_or("a non-RSA algorithm"))));
        }
    }
    match params.and_then(|p| p.padding_method) {
        None | Some(PaddingMethod::OAEP) => oaep(params),
        Some(PaddingMethod::PKCS1V1_5) => Ok(RsaPadding::Pkcs1v15),
        Some(other) => Err(unsupported(format!(
            "Padding Method {} for RSA encryption; this server offers OAEP and PKCS1 v1.5",
            other.name().unwrap_or("(unknown)")
        ))),
    }
}

/// RSA-OAEP with the parameters' Hashing Algorithm (SHA-1 by default) and
/// Mask Generator Hashing Algorithm (the same by default); used by Encrypt,
/// Decrypt and key wrapping.
pub(crate) fn oaep(params: Option<&CryptographicParameters>) -> Result<RsaPadding<'_>, Error> {
    let d = params.and_then(|p| p.hashing_algorithm).map(digest).transpose()?.unwrap_or(Digest::Sha1);
    let mgf1_hash = params.and_then(|p| p.mask_generator_hashing_algorithm).map(digest).transpose()?;
    // P Source is the OAEP label (CS-AC-M-OAEP-10); none means the empty label.
    let label = params.and_then(|p| p.p_source.as_deref()).unwrap_or(&[]);
    Ok(RsaPadding::Oaep { hash: d, mgf1_hash: mgf1_hash.unwrap_or(d), label })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::asymmetric::{generate, Curve, KeyPairSpec};
    use crate::kmip::objects::{KeyBlock, KeyMaterial, Object, PrivateKey as PrivateKeyObject, SymmetricKey};
    use crate::kmip::secret::Secret;

    fn managed(object: Object) -> ManagedObject {
        ManagedObject::new("k".into(), "default".into(), object, vec![])
    }

    fn private(format: KeyFormatType, der: &[u8]) -> ManagedObject {
        let block = KeyBlock::plain(format, KeyMaterial::Bytes(Secret::from_slice(der)), Some(Alg::EC), Some(256));
        managed(Object::PrivateKey(PrivateKeyObject { key_block: block }))
    }

    #[test]
    fn a_private_key_is_read_in_each_stored_format_and_a_raw_one_as_its_der() {
        let pkcs8 = generate(KeyPairSpec::Ec(Curve::P256)).expect("generate").private_pkcs8_der;
        let key = PrivateKey::from_der(&pkcs8).expect("parse");
        let sec1 = formats::to_sec1_der(&key).expect("sec1");
        // Register keeps a Raw key as the client sent it (key_forms::keep_raw).
        for (format, der) in [
            (KeyFormatType::PKCS_8, &pkcs8[..]),
            (KeyFormatType::ECPrivateKey, &sec1[..]),
            (KeyFormatType::Raw, &sec1[..]),
            (KeyFormatType::Raw, &pkcs8[..]),
        ] {
            let (parsed, algorithm) = private_key(&private(format, der), Operation::Sign).expect("parsed");
            assert_eq!(parsed.to_pkcs8_der().expect("der"), pkcs8, "{format:?}");
            assert_eq!(algorithm, Some(Alg::EC));
        }
        assert!(matches!(
            private_key(&private(KeyFormatType::X_509, &pkcs8), Operation::Sign),
            Err(Error::FeatureNotSupported(_))
        ));
    }

    #[test]
    fn a_symmetric_key_is_not_an_asymmetric_one() {
        let block = KeyBlock::plain(KeyFormatType::Raw, KeyMaterial::Bytes(Secret::from_slice(&[1; 16])), None, None);
        let key = managed(Object::SymmetricKey(SymmetricKey { key_block: block }));
        match private_key(&key, Operation::Sign) {
            Err(Error::WrongObjectType { id: Some(id), object_type: ObjectType::SymmetricKey, .. }) => {
                assert_eq!(id, "k")
            }
            other => panic!("{other:?}"),
        }
    }
}
