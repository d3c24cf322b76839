//! Asymmetric key blocks in every Key Format Type (KMIP 1.4 §9.1.3.2.3):
//! what Register accepts and what Get returns.
//!
//! Private keys are stored as PKCS#8 and public keys as SubjectPublicKeyInfo
//! (Key Format Type X.509), as Create Key Pair stores them; Get converts
//! from there. Written over openssl here because the shared conversion
//! layer (crypto/formats.rs) was not on main yet.

use bytes::Bytes;
use openssl::bn::{BigNum, BigNumRef};
use openssl::ec::{EcGroup, EcKey, EcPoint, PointConversionForm};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private, Public};
use openssl::rsa::Rsa;

use crate::error::Error;
use crate::kmip::attributes::Attributes;
use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue};
use crate::kmip::secret::Secret;
use crate::kmip::table::{CryptographicAlgorithm as Alg, KeyFormatType as F, RecommendedCurve};
use crate::operations::new_object::format_name;
use crate::ttlv::{Tag, Ttlv, Value};

/// A private key parsed from a client's key block, with what it is.
pub(crate) struct ParsedKey<T> {
    /// The key.
    pub key: PKey<T>,
    /// Its KMIP algorithm (RSA, EC or Ed25519).
    pub algorithm: Alg,
    /// Its length in bits (modulus or field size).
    pub bits: i32,
}

fn bad(what: &str) -> Error {
    // openssl's message would say nothing a client needs and might echo input.
    Error::InvalidField(format!("the Key Material is not a valid {what}"))
}

fn describe<T: openssl::pkey::HasPublic>(key: PKey<T>) -> Result<ParsedKey<T>, Error> {
    let algorithm = match key.id() {
        Id::RSA => Alg::RSA,
        Id::EC => Alg::EC,
        Id::ED25519 => Alg::Ed25519,
        _ => return Err(Error::InvalidField("only RSA, EC and Ed25519 keys are supported".into())),
    };
    let bits = i32::try_from(key.bits()).unwrap_or(i32::MAX);
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

/// The children of a Transparent* Key Material structure.
fn fields(block: &KeyBlock) -> Result<&[Ttlv], Error> {
    match &block.key_value {
        Some(KeyValue::Plain {
            key_material: KeyMaterial::Structure(Ttlv { value: Value::Structure(c), .. }), ..
        }) => Ok(c),
        Some(KeyValue::Plain { .. }) => Err(Error::InvalidField(format!(
            "Key Material must be a structure in the {} Key Format Type",
            format_name(block.key_format_type)
        ))),
        _ => Err(Error::MissingData("the Key Block has no plain Key Value".into())),
    }
}

fn big(children: &[Ttlv], tag: Tag) -> Result<Option<BigNum>, Error> {
    match children.iter().find(|c| c.tag == tag).map(|c| &c.value) {
        None => Ok(None),
        Some(Value::BigInteger(b)) => BigNum::from_slice(b).map(Some).map_err(|_| bad("Big Integer")),
        Some(_) => Err(Error::InvalidField(format!("{tag:?} must be a Big Integer"))),
    }
}

fn need(n: Option<BigNum>, tag: Tag) -> Result<BigNum, Error> {
    n.ok_or_else(|| Error::MissingData(format!("the transparent key lacks {tag:?}")))
}

fn curve_nid(curve: RecommendedCurve) -> Result<Nid, Error> {
    match curve {
        RecommendedCurve::P_256 => Ok(Nid::X9_62_PRIME256V1),
        RecommendedCurve::P_384 => Ok(Nid::SECP384R1),
        RecommendedCurve::P_521 => Ok(Nid::SECP521R1),
        other => Err(Error::InvalidField(format!(
            "Recommended Curve {} is not supported (P-256, P-384, P-521 are)",
            other.name().unwrap_or("unknown")
        ))),
    }
}

fn curve_of(nid: Nid) -> Result<RecommendedCurve, Error> {
    match nid {
        Nid::X9_62_PRIME256V1 => Ok(RecommendedCurve::P_256),
        Nid::SECP384R1 => Ok(RecommendedCurve::P_384),
        Nid::SECP521R1 => Ok(RecommendedCurve::P_521),
        _ => Err(Error::KeyFormatNotSupported("the key's curve has no KMIP Recommended Curve here".into())),
    }
}

fn curve(children: &[Ttlv]) -> Result<EcGroup, Error> {
    let curve = match children.iter().find(|c| c.tag == Tag::RecommendedCurve).map(|c| &c.value) {
        Some(Value::Enumeration(e)) => RecommendedCurve::from_value(*e),
        _ => return Err(Error::MissingData("the transparent EC key lacks its Recommended Curve".into())),
    };
    EcGroup::from_curve_name(curve_nid(curve)?).map_err(|_| bad("curve"))
}

/// Parses a private key block in any supported format.
pub(crate) fn parse_private(block: &KeyBlock) -> Result<ParsedKey<Private>, Error> {
    let key = match block.key_format_type {
        // Raw: DER in whichever of PKCS#8, PKCS#1 or SEC1 it parses as (PyKMIP's clients send such keys).
        F::Raw => {
            let der = bytes_of(block)?;
            PKey::private_key_from_pkcs8(der)
                .or_else(|_| Rsa::private_key_from_der(der).and_then(PKey::from_rsa))
                .or_else(|_| EcKey::private_key_from_der(der).and_then(PKey::from_ec_key))
                .map_err(|_| bad("DER private key (PKCS#8, PKCS#1 or SEC1)"))?
        }
        F::PKCS_8 => PKey::private_key_from_pkcs8(bytes_of(block)?).map_err(|_| bad("PKCS#8 private key"))?,
        // PKCS#1 is RSA's; an EC key in "PKCS#1" is its SEC1 ECPrivateKey (as PyKMIP sends it).
        F::PKCS_1 => {
            let der = bytes_of(block)?;
            match Rsa::private_key_from_der(der) {
                Ok(rsa) => PKey::from_rsa(rsa).map_err(|_| bad("PKCS#1 private key"))?,
                Err(_) => EcKey::private_key_from_der(der)
                    .and_then(PKey::from_ec_key)
                    .map_err(|_| bad("PKCS#1 private key"))?,
            }
        }
        F::TransparentRSAPrivateKey => {
            let c = fields(block)?;
            let n = need(big(c, Tag::Modulus)?, Tag::Modulus)?;
            let e = need(big(c, Tag::PublicExponent)?, Tag::PublicExponent)?;
            let d = need(big(c, Tag::PrivateExponent)?, Tag::PrivateExponent)?;
            let p = need(big(c, Tag::P)?, Tag::P)?;
            let q = need(big(c, Tag::Q)?, Tag::Q)?;
            let dp = need(big(c, Tag::PrimeExponentP)?, Tag::PrimeExponentP)?;
            let dq = need(big(c, Tag::PrimeExponentQ)?, Tag::PrimeExponentQ)?;
            let qi = need(big(c, Tag::CRTCoefficient)?, Tag::CRTCoefficient)?;
            let rsa = Rsa::from_private_components(n, e, d, p, q, dp, dq, qi).map_err(|_| bad("RSA private key"))?;
            if !rsa.check_key().unwrap_or(false) {
                return Err(bad("RSA private key"));
            }
            PKey::from_rsa(rsa).map_err(|_| bad("RSA private key"))?
        }
        F::TransparentECPrivateKey => {
            let c = fields(block)?;
            let group = curve(c)?;
            let mut d = need(big(c, Tag::D)?, Tag::D)?;
            let built = (|| {
                let mut ctx = openssl::bn::BigNumContext::new()?;
                let mut point = EcPoint::new(&group)?;
                point.mul_generator2(&group, &d, &mut ctx)?;
                EcKey::from_private_components(&group, &d, &point).and_then(PKey::from_ec_key)
            })();
            // The key holds its own copy; BN_free would not wipe this one.
            d.clear();
            built.map_err(|_| bad("EC private key"))?
        }
        other => {
            return Err(Error::KeyFormatNotSupported(format!(
                "a Private Key is registered as PKCS#1, PKCS#8, Transparent RSA or Transparent EC, not {}",
                format_name(other)
            )))
        }
    };
    describe(key)
}

/// Parses a public key block in any supported format.
pub(crate) fn parse_public(block: &KeyBlock) -> Result<ParsedKey<Public>, Error> {
    let key = match block.key_format_type {
        F::Raw => {
            let der = bytes_of(block)?;
            PKey::public_key_from_der(der)
                .or_else(|_| Rsa::public_key_from_der_pkcs1(der).and_then(PKey::from_rsa))
                .map_err(|_| bad("DER public key (SubjectPublicKeyInfo or PKCS#1)"))?
        }
        F::X_509 => PKey::public_key_from_der(bytes_of(block)?).map_err(|_| bad("SubjectPublicKeyInfo"))?,
        F::PKCS_1 => Rsa::public_key_from_der_pkcs1(bytes_of(block)?)
            .and_then(PKey::from_rsa)
            .map_err(|_| bad("PKCS#1 public key"))?,
        F::TransparentRSAPublicKey => {
            let c = fields(block)?;
            let n = need(big(c, Tag::Modulus)?, Tag::Modulus)?;
            let e = need(big(c, Tag::PublicExponent)?, Tag::PublicExponent)?;
            Rsa::from_public_components(n, e).and_then(PKey::from_rsa).map_err(|_| bad("RSA public key"))?
        }
        F::TransparentECPublicKey => {
            let c = fields(block)?;
            let group = curve(c)?;
            let q = match c.iter().find(|x| x.tag == Tag::QString).map(|x| &x.value) {
                Some(Value::ByteString(b)) => b.clone(),
                _ => return Err(Error::MissingData("the transparent EC key lacks its Q String".into())),
            };
            let mut ctx = openssl::bn::BigNumContext::new().map_err(|_| bad("EC public key"))?;
            let point = EcPoint::from_bytes(&group, &q, &mut ctx).map_err(|_| bad("EC public key"))?;
            EcKey::from_public_key(&group, &point).and_then(PKey::from_ec_key).map_err(|_| bad("EC public key"))?
        }
        other => {
            return Err(Error::KeyFormatNotSupported(format!(
                "a Public Key is registered as PKCS#1, X.509 (SubjectPublicKeyInfo), Transparent RSA or \
                 Transparent EC, not {}",
                format_name(other)
            )))
        }
    };
    describe(key)
}

fn block(format: F, material: KeyMaterial, algorithm: Alg, bits: i32) -> KeyBlock {
    KeyBlock {
        key_format_type: format,
        key_compression_type: None,
        key_value: Some(KeyValue::Plain { key_material: material, attributes: Attributes::default() }),
        cryptographic_algorithm: Some(algorithm),
        cryptographic_length: Some(bits),
        key_wrapping_data: None,
    }
}

fn bn(tag: Tag, n: &BigNumRef) -> Ttlv {
    Ttlv::new(tag, Value::BigInteger(Bytes::from(n.to_vec())))
}

fn unsupported(kind: &str, from: Alg, to: F) -> Error {
    Error::KeyFormatNotSupported(format!(
        "a {} {kind} cannot be returned in the {} Key Format Type",
        from.name().unwrap_or("unknown"),
        format_name(to)
    ))
}

fn failed(_: openssl::error::ErrorStack) -> Error {
    Error::CryptographicFailure("converting the key's format failed".into())
}

/// A key block registered as Raw is kept as given (its DER is returned as
/// registered), with its algorithm and length filled in when absent.
pub(crate) fn keep_raw<T>(given: KeyBlock, key: &ParsedKey<T>) -> KeyBlock {
    KeyBlock {
        cryptographic_algorithm: given.cryptographic_algorithm.or(Some(key.algorithm)),
        cryptographic_length: given.cryptographic_length.or(Some(key.bits)),
        ..given
    }
}

/// The stored form of a private key: PKCS#8.
pub(crate) fn store_private(key: &ParsedKey<Private>) -> Result<KeyBlock, Error> {
    let der = zeroize::Zeroizing::new(key.key.private_key_to_pkcs8().map_err(failed)?);
    Ok(block(F::PKCS_8, KeyMaterial::Bytes(Secret::from_slice(&der)), key.algorithm, key.bits))
}

/// The stored form of a public key: SubjectPublicKeyInfo.
pub(crate) fn store_public(key: &ParsedKey<Public>) -> Result<KeyBlock, Error> {
    let der = key.key.public_key_to_der().map_err(failed)?;
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
            let rsa = parsed.key.rsa().map_err(failed)?;
            KeyMaterial::Bytes(Secret::new(rsa.private_key_to_der().map_err(failed)?))
        }
        (F::PKCS_1, Alg::EC) => {
            let ec = parsed.key.ec_key().map_err(failed)?;
            KeyMaterial::Bytes(Secret::new(ec.private_key_to_der().map_err(failed)?))
        }
        (F::TransparentRSAPrivateKey, Alg::RSA) => {
            let rsa = parsed.key.rsa().map_err(failed)?;
            let mut c =
                vec![bn(Tag::Modulus, rsa.n()), bn(Tag::PrivateExponent, rsa.d()), bn(Tag::PublicExponent, rsa.e())];
            let parts = [
                (Tag::P, rsa.p()),
                (Tag::Q, rsa.q()),
                (Tag::PrimeExponentP, rsa.dmp1()),
                (Tag::PrimeExponentQ, rsa.dmq1()),
                (Tag::CRTCoefficient, rsa.iqmp()),
            ];
            c.extend(parts.into_iter().filter_map(|(t, n)| n.map(|n| bn(t, n))));
            KeyMaterial::Structure(Ttlv::structure(Tag::KeyMaterial, c))
        }
        (F::TransparentECPrivateKey, Alg::EC) => {
            let ec = parsed.key.ec_key().map_err(failed)?;
            let nid = ec.group().curve_name().ok_or_else(|| unsupported("key", alg, format))?;
            let c = vec![
                Ttlv::new(Tag::RecommendedCurve, Value::Enumeration(curve_of(nid)?.value())),
                bn(Tag::D, ec.private_key()),
            ];
            KeyMaterial::Structure(Ttlv::structure(Tag::KeyMaterial, c))
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
            let rsa = parsed.key.rsa().map_err(failed)?;
            KeyMaterial::Bytes(Secret::new(rsa.public_key_to_der_pkcs1().map_err(failed)?))
        }
        (F::TransparentRSAPublicKey, Alg::RSA) => {
            let rsa = parsed.key.rsa().map_err(failed)?;
            let c = vec![bn(Tag::Modulus, rsa.n()), bn(Tag::PublicExponent, rsa.e())];
            KeyMaterial::Structure(Ttlv::structure(Tag::KeyMaterial, c))
        }
        (F::TransparentECPublicKey, Alg::EC) => {
            let ec = parsed.key.ec_key().map_err(failed)?;
            let nid = ec.group().curve_name().ok_or_else(|| unsupported("key", alg, format))?;
            let mut ctx = openssl::bn::BigNumContext::new().map_err(failed)?;
            let q =
                ec.public_key().to_bytes(ec.group(), PointConversionForm::UNCOMPRESSED, &mut ctx).map_err(failed)?;
            let c = vec![
                Ttlv::new(Tag::RecommendedCurve, Value::Enumeration(curve_of(nid)?.value())),
                Ttlv::new(Tag::QString, Value::ByteString(Bytes::from(q))),
            ];
            KeyMaterial::Structure(Ttlv::structure(Tag::KeyMaterial, c))
        }
        _ => return Err(unsupported("Public Key", alg, format)),
    };
    Ok(block(format, material, alg, bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rsa() -> PKey<Private> {
        PKey::from_rsa(Rsa::generate(1024).expect("rsa")).expect("pkey")
    }

    fn ec() -> PKey<Private> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("group");
        PKey::from_ec_key(EcKey::generate(&group).expect("ec")).expect("pkey")
    }

    fn pkcs8(key: &PKey<Private>) -> KeyBlock {
        let der = key.private_key_to_pkcs8().expect("der");
        block(F::PKCS_8, KeyMaterial::Bytes(Secret::new(der)), Alg::RSA, 0)
    }

    #[test]
    fn private_keys_go_round_every_format_they_have() {
        for (key, formats) in [
            (rsa(), vec![F::PKCS_1, F::PKCS_8, F::TransparentRSAPrivateKey]),
            (ec(), vec![F::PKCS_1, F::PKCS_8, F::TransparentECPrivateKey]),
        ] {
            let stored = store_private(&parse_private(&pkcs8(&key)).expect("parse")).expect("store");
            for format in formats {
                let out = private_as(&stored, format).expect("convert");
                assert_eq!(out.key_format_type, format);
                let back = store_private(&parse_private(&out).expect("reparse")).expect("store");
                assert_eq!(back, stored, "{format:?}");
            }
            let wrong = if key.id() == Id::RSA { F::TransparentECPrivateKey } else { F::TransparentRSAPrivateKey };
            assert!(matches!(private_as(&stored, wrong), Err(Error::KeyFormatNotSupported(_))));
            assert!(matches!(private_as(&stored, F::Raw), Err(Error::KeyFormatNotSupported(_))));
        }
    }

    #[test]
    fn public_keys_go_round_every_format_they_have() {
        for (key, formats) in [
            (rsa(), vec![F::PKCS_1, F::X_509, F::TransparentRSAPublicKey]),
            (ec(), vec![F::X_509, F::TransparentECPublicKey]),
        ] {
            let spki = key.public_key_to_der().expect("spki");
            let given = block(F::X_509, KeyMaterial::Bytes(Secret::new(spki.clone())), Alg::RSA, 0);
            let stored = store_public(&parse_public(&given).expect("parse")).expect("store");
            for format in formats {
                let out = public_as(&stored, format).expect("convert");
                let back = store_public(&parse_public(&out).expect("reparse")).expect("store");
                assert_eq!(back, stored, "{format:?}");
            }
            assert_eq!(bytes_of(&stored).expect("bytes"), spki.as_slice());
        }
        let ec_stored = store_public(
            &parse_public(&block(
                F::X_509,
                KeyMaterial::Bytes(Secret::new(ec().public_key_to_der().expect("der"))),
                Alg::EC,
                0,
            ))
            .expect("parse"),
        )
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
    }
}
