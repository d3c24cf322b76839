//! Asymmetric key blocks in every Key Format Type (KMIP 1.4 §9.1.3.2.3):
//! what Register accepts and what Get returns.
//!
//! Private keys are stored as PKCS#8 and public keys as SubjectPublicKeyInfo
//! (Key Format Type X.509), as Create Key Pair stores them; Get converts
//! from there. This file only translates between KMIP key blocks and the
//! crypto layer's keys and numbers (crypto/formats.rs does every conversion).

use zeroize::Zeroizing;

use crate::crypto::asymmetric::{Curve, KeyKind, PrivateKey, PublicKey};
use crate::crypto::formats::{self, EcPrivateNumbers, EcPublicNumbers, RsaPrivateNumbers, RsaPublicNumbers};
use crate::crypto::CryptoError;
use crate::error::Error;
use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue, TransparentKey, TransparentValue};
use crate::kmip::secret::Secret;
use crate::kmip::table::{CryptographicAlgorithm as Alg, KeyFormatType as F, RecommendedCurve};
use crate::operations::new_object::format_name;
use crate::ttlv::Tag;

/// A key parsed from a client's key block, with what it is.
pub(crate) struct ParsedKey<K> {
    /// The key ([`PrivateKey`] or [`PublicKey`]).
    pub key: K,
    /// Its KMIP algorithm (RSA, EC or Ed25519).
    pub algorithm: Alg,
    /// Its length in bits (modulus or field size).
    pub bits: i32,
}

fn bad(what: &str) -> Error {
    // The crypto layer's message would say nothing a client needs.
    Error::InvalidField(format!("the Key Material is not a valid {what}"))
}

fn describe<K>(key: K, kind: Result<KeyKind, CryptoError>) -> Result<ParsedKey<K>, Error> {
    let (algorithm, bits) = match kind {
        Ok(KeyKind::Rsa(bits)) => (Alg::RSA, i32::try_from(bits).unwrap_or(i32::MAX)),
        Ok(KeyKind::Ec(curve)) => (Alg::EC, i32::try_from(curve.bits()).unwrap_or(i32::MAX)),
        Ok(KeyKind::Ed25519) => (Alg::Ed25519, 256),
        Err(_) => return Err(Error::InvalidField("only RSA, EC and Ed25519 keys are supported".into())),
    };
    Ok(ParsedKey { key, algorithm, bits })
}

/// The bytes of a plain key block, whatever its format.
fn bytes_of(block: &KeyBlock) -> Result<&[u8], Error> {
    match &block.key_value {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => Ok(b.expose()),
        Some(KeyValue::Plain { .. }) => Err(Error::InvalidField(format!(
            "Key Material must be a Byte String in the {} Key Format Type",
            format_name(block.key_format_type)
        ))),
        _ => Err(Error::MissingData("the Key Block has no plain Key Value".into())),
    }
}

/// The fields of a Transparent* Key Material structure.
fn fields(block: &KeyBlock) -> Result<&TransparentKey, Error> {
    match &block.key_value {
        Some(KeyValue::Plain { key_material: KeyMaterial::Transparent(t), .. }) => Ok(t),
        Some(KeyValue::Plain { .. }) => Err(Error::InvalidField(format!(
            "Key Material must be a structure in the {} Key Format Type",
            format_name(block.key_format_type)
        ))),
        _ => Err(Error::MissingData("the Key Block has no plain Key Value".into())),
    }
}

/// A Big Integer field, as the unsigned big-endian bytes the crypto layer
/// reads (leading zero bytes do not matter there).
fn big(key: &TransparentKey, tag: Tag) -> Result<&[u8], Error> {
    match key.get(tag) {
        Some(TransparentValue::BigInteger(b)) => Ok(b.expose()),
        Some(_) => Err(Error::InvalidField(format!("{tag:?} must be a Big Integer"))),
        None => Err(Error::MissingData(format!("the transparent key lacks {tag:?}"))),
    }
}

fn secret_big(key: &TransparentKey, tag: Tag) -> Result<Zeroizing<Vec<u8>>, Error> {
    big(key, tag).map(|b| Zeroizing::new(b.to_vec()))
}

fn curve_from(curve: RecommendedCurve) -> Result<Curve, Error> {
    match curve {
        RecommendedCurve::P_256 => Ok(Curve::P256),
        RecommendedCurve::P_384 => Ok(Curve::P384),
        RecommendedCurve::P_521 => Ok(Curve::P521),
        other => Err(Error::InvalidField(format!(
            "Recommended Curve {} is not supported (P-256, P-384, P-521 are)",
            other.name().unwrap_or("unknown")
        ))),
    }
}

fn recommended(curve: Curve) -> RecommendedCurve {
    match curve {
        Curve::P256 => RecommendedCurve::P_256,
        Curve::P384 => RecommendedCurve::P_384,
        Curve::P521 => RecommendedCurve::P_521,
    }
}

fn curve(key: &TransparentKey) -> Result<Curve, Error> {
    match key.get(Tag::RecommendedCurve) {
        Some(TransparentValue::Enumeration(e)) => curve_from(RecommendedCurve::from_value(*e)),
        _ => Err(Error::MissingData("the transparent EC key lacks its Recommended Curve".into())),
    }
}

/// Parses a private key block in any supported format.
pub(crate) fn parse_private(block: &KeyBlock) -> Result<ParsedKey<PrivateKey>, Error> {
    let key = match block.key_format_type {
        // Raw: DER in whichever of PKCS#8, PKCS#1 or SEC1 it parses as (PyKMIP's clients send such keys).
        F::Raw => {
            PrivateKey::from_der(bytes_of(block)?).map_err(|_| bad("DER private key (PKCS#8, PKCS#1 or SEC1)"))?
        }
        F::PKCS_8 => PrivateKey::from_pkcs8_der(bytes_of(block)?).map_err(|_| bad("PKCS#8 private key"))?,
        // PKCS#1 is RSA's; an EC key in "PKCS#1" is its SEC1 ECPrivateKey (as PyKMIP sends it).
        F::PKCS_1 => {
            let der = bytes_of(block)?;
            formats::from_pkcs1_private_der(der)
                .or_else(|_| formats::from_sec1_der(der))
                .map_err(|_| bad("PKCS#1 private key"))?
        }
        F::TransparentRSAPrivateKey => {
            let t = fields(block)?;
            let numbers = RsaPrivateNumbers {
                modulus: big(t, Tag::Modulus)?.to_vec(),
                public_exponent: big(t, Tag::PublicExponent)?.to_vec(),
                private_exponent: secret_big(t, Tag::PrivateExponent)?,
                p: secret_big(t, Tag::P)?,
                q: secret_big(t, Tag::Q)?,
                dp: secret_big(t, Tag::PrimeExponentP)?,
                dq: secret_big(t, Tag::PrimeExponentQ)?,
                qinv: secret_big(t, Tag::CRTCoefficient)?,
            };
            formats::from_rsa_private_numbers(&numbers).map_err(|_| bad("RSA private key"))?
        }
        F::TransparentECPrivateKey => {
            let t = fields(block)?;
            let numbers = EcPrivateNumbers { curve: curve(t)?, d: secret_big(t, Tag::D)? };
            formats::from_ec_private_numbers(&numbers).map_err(|_| bad("EC private key"))?
        }
        other => {
            return Err(Error::KeyFormatNotSupported(format!(
                "a Private Key is registered as PKCS#1, PKCS#8, Transparent RSA or Transparent EC, not {}",
                format_name(other)
            )))
        }
    };
    let kind = key.kind();
    describe(key, kind)
}

/// Parses a public key block in any supported format.
pub(crate) fn parse_public(block: &KeyBlock) -> Result<ParsedKey<PublicKey>, Error> {
    let key = match block.key_format_type {
        F::Raw => {
            let der = bytes_of(block)?;
            PublicKey::from_der(der)
                .or_else(|_| formats::from_pkcs1_public_der(der))
                .map_err(|_| bad("DER public key (SubjectPublicKeyInfo or PKCS#1)"))?
        }
        F::X_509 => PublicKey::from_der(bytes_of(block)?).map_err(|_| bad("SubjectPublicKeyInfo"))?,
        F::PKCS_1 => formats::from_pkcs1_public_der(bytes_of(block)?).map_err(|_| bad("PKCS#1 public key"))?,
        F::TransparentRSAPublicKey => {
            let t = fields(block)?;
            let numbers = RsaPublicNumbers {
                modulus: big(t, Tag::Modulus)?.to_vec(),
                public_exponent: big(t, Tag::PublicExponent)?.to_vec(),
            };
            formats::from_rsa_public_numbers(&numbers).map_err(|_| bad("RSA public key"))?
        }
        F::TransparentECPublicKey => {
            let t = fields(block)?;
            let curve = curve(t)?;
            let q = match t.get(Tag::QString) {
                Some(TransparentValue::ByteString(b)) => b.expose().to_vec(),
                _ => return Err(Error::MissingData("the transparent EC key lacks its Q String".into())),
            };
            formats::from_ec_public_numbers(&EcPublicNumbers { curve, q }).map_err(|_| bad("EC public key"))?
        }
        other => {
            return Err(Error::KeyFormatNotSupported(format!(
                "a Public Key is registered as PKCS#1, X.509 (SubjectPublicKeyInfo), Transparent RSA or \
                 Transparent EC, not {}",
                format_name(other)
            )))
        }
    };
    let kind = key.kind();
    describe(key, kind)
}

fn block(format: F, material: KeyMaterial, algorithm: Alg, bits: i32) -> KeyBlock {
    KeyBlock::plain(format, material, Some(algorithm), Some(bits))
}

fn unsupported(kind: &str, from: Alg, to: F) -> Error {
    Error::KeyFormatNotSupported(format!(
        "a {} {kind} cannot be returned in the {} Key Format Type",
        from.name().unwrap_or("unknown"),
        format_name(to)
    ))
}

fn failed(_: CryptoError) -> Error {
    Error::CryptographicFailure("converting the key's format failed".into())
}

/// A key block registered as Raw is kept as given (its DER is returned as
/// registered), with its algorithm and length filled in when absent.
pub(crate) fn keep_raw<K>(given: KeyBlock, key: &ParsedKey<K>) -> KeyBlock {
    KeyBlock {
        cryptographic_algorithm: given.cryptographic_algorithm.or(Some(key.algorithm)),
        cryptographic_length: given.cryptographic_length.or(Some(key.bits)),
        ..given
    }
}

/// The stored form of a private key: PKCS#8.
pub(crate) fn store_private(key: &ParsedKey<PrivateKey>) -> Result<KeyBlock, Error> {
    let der = key.key.to_pkcs8_der().map_err(failed)?;
    Ok(block(F::PKCS_8, KeyMaterial::Bytes(Secret::from_slice(&der)), key.algorithm, key.bits))
}

/// The stored form of a public key: SubjectPublicKeyInfo.
pub(crate) fn store_public(key: &ParsedKey<PublicKey>) -> Result<KeyBlock, Error> {
    let der = key.key.to_spki_der().map_err(failed)?;
    Ok(block(F::X_509, KeyMaterial::Bytes(Secret::new(der)), key.algorithm, key.bits))
}

/// A stored private key block in `format`.
pub(crate) fn private_as(stored: &KeyBlock, format: F) -> Result<KeyBlock, Error> {
    if format == stored.key_format_type {
        return Ok(stored.clone());
    }
    let parsed = parse_private(stored)?;
    let (alg, bits) = (parsed.algorithm, parsed.bits);
    let material = match (format, alg) {
        (F::PKCS_8, _) => return store_private(&parsed),
        (F::PKCS_1, Alg::RSA) => {
            KeyMaterial::Bytes(Secret::from_slice(&formats::to_pkcs1_private_der(&parsed.key).map_err(failed)?))
        }
        (F::PKCS_1, Alg::EC) => {
            KeyMaterial::Bytes(Secret::from_slice(&formats::to_sec1_der(&parsed.key).map_err(failed)?))
        }
        (F::TransparentRSAPrivateKey, Alg::RSA) => {
            let n = formats::to_rsa_private_numbers(&parsed.key).map_err(failed)?;
            // KMIP 1.4 §2.1.7.3's order.
            KeyMaterial::Transparent(
                TransparentKey::new()
                    .with_unsigned(Tag::Modulus, &n.modulus)
                    .with_unsigned(Tag::PrivateExponent, &n.private_exponent)
                    .with_unsigned(Tag::PublicExponent, &n.public_exponent)
                    .with_unsigned(Tag::P, &n.p)
                    .with_unsigned(Tag::Q, &n.q)
                    .with_unsigned(Tag::PrimeExponentP, &n.dp)
                    .with_unsigned(Tag::PrimeExponentQ, &n.dq)
                    .with_unsigned(Tag::CRTCoefficient, &n.qinv),
            )
        }
        (F::TransparentECPrivateKey, Alg::EC) => {
            let n = formats::to_ec_private_numbers(&parsed.key).map_err(failed)?;
            KeyMaterial::Transparent(
                TransparentKey::new()
                    .with(Tag::RecommendedCurve, TransparentValue::Enumeration(recommended(n.curve).value()))
                    .with_unsigned(Tag::D, &n.d),
            )
        }
        _ => return Err(unsupported("Private Key", alg, format)),
    };
    Ok(block(format, material, alg, bits))
}

/// A stored public key block in `format`.
pub(crate) fn public_as(stored: &KeyBlock, format: F) -> Result<KeyBlock, Error> {
    if format == stored.key_format_type {
        return Ok(stored.clone());
    }
    let parsed = parse_public(stored)?;
    let (alg, bits) = (parsed.algorithm, parsed.bits);
    let material = match (format, alg) {
        (F::X_509, _) => return store_public(&parsed),
        (F::PKCS_1, Alg::RSA) => {
            KeyMaterial::Bytes(Secret::new(formats::to_pkcs1_public_der(&parsed.key).map_err(failed)?))
        }
        (F::TransparentRSAPublicKey, Alg::RSA) => {
            let n = formats::to_rsa_public_numbers(&parsed.key).map_err(failed)?;
            KeyMaterial::Transparent(
                TransparentKey::new()
                    .with_unsigned(Tag::Modulus, &n.modulus)
                    .with_unsigned(Tag::PublicExponent, &n.public_exponent),
            )
        }
        (F::TransparentECPublicKey, Alg::EC) => {
            let n = formats::to_ec_public_numbers(&parsed.key).map_err(failed)?;
            KeyMaterial::Transparent(
                TransparentKey::new()
                    .with(Tag::RecommendedCurve, TransparentValue::Enumeration(recommended(n.curve).value()))
                    .with(Tag::QString, TransparentValue::ByteString(Secret::new(n.q))),
            )
        }
        _ => return Err(unsupported("Public Key", alg, format)),
    };
    Ok(block(format, material, alg, bits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::asymmetric::{generate, KeyPairSpec};

    fn key(spec: KeyPairSpec) -> PrivateKey {
        PrivateKey::from_der(&generate(spec).expect("generate").private_pkcs8_der).expect("parse")
    }

    fn pkcs8(key: &PrivateKey) -> KeyBlock {
        let der = key.to_pkcs8_der().expect("der");
        block(F::PKCS_8, KeyMaterial::Bytes(Secret::from_slice(&der)), Alg::RSA, 0)
    }

    #[test]
    fn private_keys_go_round_every_format_they_have() {
        for (spec, formats) in [
            (KeyPairSpec::Rsa(1024), vec![F::PKCS_1, F::PKCS_8, F::TransparentRSAPrivateKey]),
            (KeyPairSpec::Ec(Curve::P256), vec![F::PKCS_1, F::PKCS_8, F::TransparentECPrivateKey]),
            (KeyPairSpec::Ec(Curve::P521), vec![F::PKCS_1, F::PKCS_8, F::TransparentECPrivateKey]),
        ] {
            let key = key(spec);
            let stored = store_private(&parse_private(&pkcs8(&key)).expect("parse")).expect("store");
            for format in formats {
                let out = private_as(&stored, format).expect("convert");
                assert_eq!(out.key_format_type, format);
                let back = store_private(&parse_private(&out).expect("reparse")).expect("store");
                assert_eq!(back, stored, "{format:?}");
            }
            let rsa = matches!(spec, KeyPairSpec::Rsa(_));
            let wrong = if rsa { F::TransparentECPrivateKey } else { F::TransparentRSAPrivateKey };
            assert!(matches!(private_as(&stored, wrong), Err(Error::KeyFormatNotSupported(_))));
            assert!(matches!(private_as(&stored, F::Raw), Err(Error::KeyFormatNotSupported(_))));
        }
    }

    #[test]
    fn transparent_numbers_are_never_negative_big_integers() {
        use crate::kmip::codec::ToTtlv;
        use crate::kmip::version::ProtocolVersion;
        use crate::ttlv::Value;
        // With many keys, some number has its top bit set at a length that is
        // not a multiple of 8, where the writer's sign extension would bite.
        for _ in 0..8 {
            let stored = store_private(&parse_private(&pkcs8(&key(KeyPairSpec::Rsa(1024)))).expect("p")).expect("s");
            let out = private_as(&stored, F::TransparentRSAPrivateKey).expect("convert");
            let Some(KeyValue::Plain { key_material, .. }) = &out.key_value else { panic!("no key value") };
            let bytes = key_material.encode_ttlv(Tag::KeyMaterial, ProtocolVersion::V2_1).expect("encode");
            let tree =
                crate::ttlv::decode(&bytes::Bytes::from(bytes), &crate::ttlv::Limits::UNBOUNDED).expect("decode");
            for child in tree.children() {
                let Value::BigInteger(b) = &child.value else { panic!("{:?}", child.tag) };
                assert!(b.first().is_some_and(|top| top & 0x80 == 0), "{:?} reads as negative", child.tag);
            }
        }
    }

    #[test]
    fn public_keys_go_round_every_format_they_have() {
        for (spec, formats) in [
            (KeyPairSpec::Rsa(1024), vec![F::PKCS_1, F::X_509, F::TransparentRSAPublicKey]),
            (KeyPairSpec::Ec(Curve::P256), vec![F::X_509, F::TransparentECPublicKey]),
        ] {
            let spki = key(spec).public_key().expect("public").to_spki_der().expect("spki");
            let given = block(F::X_509, KeyMaterial::Bytes(Secret::new(spki.clone())), Alg::RSA, 0);
            let stored = store_public(&parse_public(&given).expect("parse")).expect("store");
            for format in formats {
                let out = public_as(&stored, format).expect("convert");
                let back = store_public(&parse_public(&out).expect("reparse")).expect("store");
                assert_eq!(back, stored, "{format:?}");
            }
            assert_eq!(bytes_of(&stored).expect("bytes"), spki.as_slice());
        }
        let ec = key(KeyPairSpec::Ec(Curve::P256)).public_key().expect("public").to_spki_der().expect("der");
        let ec_stored =
            store_public(&parse_public(&block(F::X_509, KeyMaterial::Bytes(Secret::new(ec)), Alg::EC, 0)).expect("p"))
                .expect("store");
        assert!(matches!(public_as(&ec_stored, F::PKCS_1), Err(Error::KeyFormatNotSupported(_))));
    }

    #[test]
    fn garbage_is_refused_without_echoing_it() {
        let junk = block(F::PKCS_8, KeyMaterial::Bytes(Secret::from_slice(b"not a key")), Alg::RSA, 0);
        match parse_private(&junk) {
            Err(Error::InvalidField(m)) => assert!(!m.contains("not a key")),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("parsed junk"),
        }
        // PKCS#1 bytes labelled PKCS#8 (as PyKMIP's own suite registers them) are not PKCS#8.
        let pkcs1 = formats::to_pkcs1_private_der(&key(KeyPairSpec::Rsa(1024))).expect("pkcs1");
        let mislabelled = block(F::PKCS_8, KeyMaterial::Bytes(Secret::from_slice(&pkcs1)), Alg::RSA, 0);
        assert!(matches!(parse_private(&mislabelled), Err(Error::InvalidField(_))));
        let labelled = block(F::PKCS_1, KeyMaterial::Bytes(Secret::from_slice(&pkcs1)), Alg::RSA, 0);
        assert_eq!(parse_private(&labelled).expect("PKCS#1").bits, 1024);
    }
}
