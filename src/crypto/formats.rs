//! Key format conversions for KMIP Get with a Key Format Type, and X.509
//! certificate facts for the console.
//!
//! The stored forms are PKCS#8 DER (private keys) and SubjectPublicKeyInfo DER
//! (public keys); everything here converts from or to those: PKCS#1 (RSA
//! private and public), SEC1 (EC private), the KMIP Transparent forms (the
//! key's numbers as big-endian byte strings), raw Ed25519 keys, and PEM.

use std::fmt;

use openssl::bn::{BigNum, BigNumContext, BigNumRef};
use openssl::ec::{EcKey, EcPoint, PointConversionForm};
use openssl::hash::MessageDigest;
use openssl::pkey::{Id, PKey};
use openssl::rsa::{Rsa, RsaPrivateKeyBuilder};
use openssl::x509::X509;
use zeroize::Zeroizing;

use super::asymmetric::{bignum, kind_of, Curve, KeyKind, PrivateKey, PublicKey};
use super::{backend, CryptoError};

/// A Transparent RSA private key: every number big-endian, without leading zeros.
pub struct RsaPrivateNumbers {
    /// n.
    pub modulus: Vec<u8>,
    /// e.
    pub public_exponent: Vec<u8>,
    /// d.
    pub private_exponent: Zeroizing<Vec<u8>>,
    /// p.
    pub p: Zeroizing<Vec<u8>>,
    /// q.
    pub q: Zeroizing<Vec<u8>>,
    /// d mod (p - 1).
    pub dp: Zeroizing<Vec<u8>>,
    /// d mod (q - 1).
    pub dq: Zeroizing<Vec<u8>>,
    /// q^-1 mod p.
    pub qinv: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for RsaPrivateNumbers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPrivateNumbers({} bits, <redacted>)", self.modulus.len() * 8)
    }
}

/// A Transparent RSA public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaPublicNumbers {
    /// n, big-endian.
    pub modulus: Vec<u8>,
    /// e, big-endian.
    pub public_exponent: Vec<u8>,
}

/// A Transparent EC private key: the curve and the scalar d, left-padded to the field length.
pub struct EcPrivateNumbers {
    /// The curve.
    pub curve: Curve,
    /// d, big-endian, [`Curve::field_len`] bytes.
    pub d: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for EcPrivateNumbers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EcPrivateNumbers({:?}, <redacted>)", self.curve)
    }
}

/// A Transparent EC public key: the curve and the point Q, uncompressed (`04 || x || y`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcPublicNumbers {
    /// The curve.
    pub curve: Curve,
    /// Q as an uncompressed SEC1 point.
    pub q: Vec<u8>,
}

fn bytes(n: &BigNumRef) -> Vec<u8> {
    n.to_vec()
}

fn secret(n: Option<&BigNumRef>) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    n.map(|n| Zeroizing::new(n.to_vec()))
        .ok_or_else(|| CryptoError::InvalidInput("the RSA key has no CRT parameters".into()))
}

fn rsa_of(key: &PrivateKey) -> Result<Rsa<openssl::pkey::Private>, CryptoError> {
    match key.kind()? {
        KeyKind::Rsa(_) => key.0.rsa().map_err(|e| backend("RSA key", &e)),
        other => Err(CryptoError::Unsupported(format!("an RSA format for a {other:?} key"))),
    }
}

fn ec_of(key: &PrivateKey) -> Result<(Curve, EcKey<openssl::pkey::Private>), CryptoError> {
    match key.kind()? {
        KeyKind::Ec(curve) => Ok((curve, key.0.ec_key().map_err(|e| backend("EC key", &e))?)),
        other => Err(CryptoError::Unsupported(format!("an EC format for a {other:?} key"))),
    }
}

/// The RSA private key as PKCS#1 `RSAPrivateKey` DER.
pub fn to_pkcs1_private_der(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    rsa_of(key)?.private_key_to_der().map(Zeroizing::new).map_err(|e| backend("PKCS#1 encoding", &e))
}

/// Parses a PKCS#1 `RSAPrivateKey` DER.
pub fn from_pkcs1_private_der(der: &[u8]) -> Result<PrivateKey, CryptoError> {
    let rsa =
        Rsa::private_key_from_der(der).map_err(|_| CryptoError::InvalidInput("not a PKCS#1 RSA private key".into()))?;
    private_from_rsa(rsa)
}

fn private_from_rsa(rsa: Rsa<openssl::pkey::Private>) -> Result<PrivateKey, CryptoError> {
    let key = PKey::from_rsa(rsa).map_err(|e| backend("RSA key", &e))?;
    kind_of(&key)?;
    Ok(PrivateKey(key))
}

/// The EC private key as SEC1 `ECPrivateKey` DER (with the named curve and the public point).
pub fn to_sec1_der(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    ec_of(key)?.1.private_key_to_der().map(Zeroizing::new).map_err(|e| backend("SEC1 encoding", &e))
}

/// Parses a SEC1 `ECPrivateKey` DER.
pub fn from_sec1_der(der: &[u8]) -> Result<PrivateKey, CryptoError> {
    let ec =
        EcKey::private_key_from_der(der).map_err(|_| CryptoError::InvalidInput("not a SEC1 EC private key".into()))?;
    let key = PKey::from_ec_key(ec).map_err(|e| backend("EC key", &e))?;
    kind_of(&key)?;
    Ok(PrivateKey(key))
}

/// The RSA public key as PKCS#1 `RSAPublicKey` DER.
pub fn to_pkcs1_public_der(key: &PublicKey) -> Result<Vec<u8>, CryptoError> {
    match key.kind()? {
        KeyKind::Rsa(_) => {}
        other => return Err(CryptoError::Unsupported(format!("PKCS#1 for a {other:?} key"))),
    }
    let rsa = key.0.rsa().map_err(|e| backend("RSA key", &e))?;
    rsa.public_key_to_der_pkcs1().map_err(|e| backend("PKCS#1 encoding", &e))
}

/// Parses a PKCS#1 `RSAPublicKey` DER.
pub fn from_pkcs1_public_der(der: &[u8]) -> Result<PublicKey, CryptoError> {
    let rsa = Rsa::public_key_from_der_pkcs1(der)
        .map_err(|_| CryptoError::InvalidInput("not a PKCS#1 RSA public key".into()))?;
    public_from_rsa(rsa)
}

fn public_from_rsa(rsa: Rsa<openssl::pkey::Public>) -> Result<PublicKey, CryptoError> {
    let key = PKey::from_rsa(rsa).map_err(|e| backend("RSA key", &e))?;
    kind_of(&key)?;
    Ok(PublicKey(key))
}

/// The RSA private key's numbers (KMIP Transparent RSA Private Key).
pub fn to_rsa_private_numbers(key: &PrivateKey) -> Result<RsaPrivateNumbers, CryptoError> {
    let rsa = rsa_of(key)?;
    Ok(RsaPrivateNumbers {
        modulus: bytes(rsa.n()),
        public_exponent: bytes(rsa.e()),
        private_exponent: Zeroizing::new(rsa.d().to_vec()),
        p: secret(rsa.p())?,
        q: secret(rsa.q())?,
        dp: secret(rsa.dmp1())?,
        dq: secret(rsa.dmq1())?,
        qinv: secret(rsa.iqmp())?,
    })
}

/// Builds an RSA private key from its numbers, and checks that they agree
/// (n = pq, the exponents and CRT values match): a wrong set is refused.
pub fn from_rsa_private_numbers(numbers: &RsaPrivateNumbers) -> Result<PrivateKey, CryptoError> {
    let rsa = RsaPrivateKeyBuilder::new(
        bignum(&numbers.modulus)?,
        bignum(&numbers.public_exponent)?,
        bignum(&numbers.private_exponent)?,
    )
    .and_then(|b| b.set_factors(bn(&numbers.p)?, bn(&numbers.q)?))
    .and_then(|b| b.set_crt_params(bn(&numbers.dp)?, bn(&numbers.dq)?, bn(&numbers.qinv)?))
    .map_err(|e| backend("RSA key from numbers", &e))?
    .build();
    if !rsa.check_key().unwrap_or(false) {
        return Err(CryptoError::InvalidInput("the RSA numbers do not form a consistent key".into()));
    }
    private_from_rsa(rsa)
}

fn bn(bytes: &[u8]) -> Result<BigNum, openssl::error::ErrorStack> {
    BigNum::from_slice(bytes)
}

/// The RSA public key's numbers (KMIP Transparent RSA Public Key).
pub fn to_rsa_public_numbers(key: &PublicKey) -> Result<RsaPublicNumbers, CryptoError> {
    match key.kind()? {
        KeyKind::Rsa(_) => {}
        other => return Err(CryptoError::Unsupported(format!("RSA numbers for a {other:?} key"))),
    }
    let rsa = key.0.rsa().map_err(|e| backend("RSA key", &e))?;
    Ok(RsaPublicNumbers { modulus: bytes(rsa.n()), public_exponent: bytes(rsa.e()) })
}

/// Builds an RSA public key from n and e.
pub fn from_rsa_public_numbers(numbers: &RsaPublicNumbers) -> Result<PublicKey, CryptoError> {
    let rsa = Rsa::from_public_components(bignum(&numbers.modulus)?, bignum(&numbers.public_exponent)?)
        .map_err(|e| backend("RSA key from numbers", &e))?;
    public_from_rsa(rsa)
}

/// The EC private key's curve and scalar (KMIP Transparent EC Private Key).
pub fn to_ec_private_numbers(key: &PrivateKey) -> Result<EcPrivateNumbers, CryptoError> {
    let (curve, ec) = ec_of(key)?;
    let len = i32::try_from(curve.field_len()).map_err(|_| CryptoError::Backend("field length".into()))?;
    let d = ec.private_key().to_vec_padded(len).map_err(|e| backend("EC scalar", &e))?;
    Ok(EcPrivateNumbers { curve, d: Zeroizing::new(d) })
}

/// Builds an EC private key from its curve and scalar (the public point is
/// computed); a scalar of 0 or not below the group order is refused.
pub fn from_ec_private_numbers(numbers: &EcPrivateNumbers) -> Result<PrivateKey, CryptoError> {
    let group = numbers.curve.group()?;
    let mut d = bignum(&numbers.d)?;
    let built = ec_key_from_scalar(&group, &d);
    // BN_free does not wipe (OpenSSL 1.1+); EC_KEY keeps its own copy of d.
    d.clear();
    built
}

fn ec_key_from_scalar(group: &openssl::ec::EcGroupRef, d: &BigNumRef) -> Result<PrivateKey, CryptoError> {
    let mut ctx = BigNumContext::new().map_err(|e| backend("big number context", &e))?;
    let mut order = BigNum::new().map_err(|e| backend("big number", &e))?;
    group.order(&mut order, &mut ctx).map_err(|e| backend("EC order", &e))?;
    if d.num_bits() == 0 || d >= &*order {
        return Err(CryptoError::InvalidInput("the EC private scalar is not in 1..n-1".into()));
    }
    let mut q = EcPoint::new(group).map_err(|e| backend("EC point", &e))?;
    q.mul_generator2(group, d, &mut ctx).map_err(|e| backend("EC public point", &e))?;
    let ec = EcKey::from_private_components(group, d, &q).map_err(|e| backend("EC key from numbers", &e))?;
    let key = PKey::from_ec_key(ec).map_err(|e| backend("EC key", &e))?;
    Ok(PrivateKey(key))
}

/// The EC public key's curve and uncompressed point (KMIP Transparent EC Public Key).
pub fn to_ec_public_numbers(key: &PublicKey) -> Result<EcPublicNumbers, CryptoError> {
    let curve = match key.kind()? {
        KeyKind::Ec(curve) => curve,
        other => return Err(CryptoError::Unsupported(format!("EC numbers for a {other:?} key"))),
    };
    let ec = key.0.ec_key().map_err(|e| backend("EC key", &e))?;
    let mut ctx = BigNumContext::new().map_err(|e| backend("big number context", &e))?;
    let q = ec
        .public_key()
        .to_bytes(ec.group(), PointConversionForm::UNCOMPRESSED, &mut ctx)
        .map_err(|e| backend("EC point encoding", &e))?;
    Ok(EcPublicNumbers { curve, q })
}

/// Builds an EC public key from its curve and a SEC1 point (compressed or
/// not); a point not on the curve is refused.
pub fn from_ec_public_numbers(numbers: &EcPublicNumbers) -> Result<PublicKey, CryptoError> {
    let group = numbers.curve.group()?;
    let mut ctx = BigNumContext::new().map_err(|e| backend("big number context", &e))?;
    let q = EcPoint::from_bytes(&group, &numbers.q, &mut ctx)
        .map_err(|_| CryptoError::InvalidInput("not a point on the curve".into()))?;
    let ec = EcKey::from_public_key(&group, &q).map_err(|e| backend("EC key", &e))?;
    ec.check_key().map_err(|_| CryptoError::InvalidInput("not a valid EC public key".into()))?;
    let key = PKey::from_ec_key(ec).map_err(|e| backend("EC key", &e))?;
    Ok(PublicKey(key))
}

/// The 32-byte Ed25519 private key (the RFC 8032 seed), KMIP's Raw form.
pub fn to_ed25519_raw_private(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if key.0.id() != Id::ED25519 {
        return Err(CryptoError::Unsupported("a raw Ed25519 key from another key type".into()));
    }
    key.0.raw_private_key().map(Zeroizing::new).map_err(|e| backend("Ed25519 raw key", &e))
}

/// An Ed25519 private key from its 32-byte seed.
pub fn from_ed25519_raw_private(seed: &[u8]) -> Result<PrivateKey, CryptoError> {
    if seed.len() != 32 {
        return Err(CryptoError::InvalidKeyLength { expected: "32 bytes", actual: seed.len() });
    }
    PKey::private_key_from_raw_bytes(seed, Id::ED25519).map(PrivateKey).map_err(|e| backend("Ed25519 key", &e))
}

/// The 32-byte Ed25519 public key.
pub fn to_ed25519_raw_public(key: &PublicKey) -> Result<Vec<u8>, CryptoError> {
    if key.0.id() != Id::ED25519 {
        return Err(CryptoError::Unsupported("a raw Ed25519 key from another key type".into()));
    }
    key.0.raw_public_key().map_err(|e| backend("Ed25519 raw key", &e))
}

/// An Ed25519 public key from its 32 bytes.
pub fn from_ed25519_raw_public(raw: &[u8]) -> Result<PublicKey, CryptoError> {
    if raw.len() != 32 {
        return Err(CryptoError::InvalidKeyLength { expected: "32 bytes", actual: raw.len() });
    }
    PKey::public_key_from_raw_bytes(raw, Id::ED25519)
        .map(PublicKey)
        .map_err(|_| CryptoError::InvalidInput("not an Ed25519 public key".into()))
}

/// What the console shows about a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The subject's common name, if it has one.
    pub subject_cn: Option<String>,
    /// The subject, as `CN=..., O=...` (OpenSSL's short names, in certificate order).
    pub subject: String,
    /// The issuer, in the same form.
    pub issuer: String,
    /// The serial number, upper-case hex.
    pub serial_hex: String,
    /// Not Before, seconds since the Unix epoch.
    pub not_before_unix: i64,
    /// Not After, seconds since the Unix epoch.
    pub not_after_unix: i64,
    /// DNS names, IP addresses, e-mail addresses and URIs from the Subject Alternative Name.
    pub subject_alt_names: Vec<String>,
    /// The public key: "RSA 2048", "EC P-256", "Ed25519" or "other".
    pub public_key_algorithm: String,
    /// SHA-256 of the DER certificate.
    pub sha256_fingerprint: Vec<u8>,
}

/// Parses a certificate given as DER or PEM and reads its facts.
pub fn certificate_info(cert: &[u8]) -> Result<CertificateInfo, CryptoError> {
    let x509 = parse_certificate(cert)?;
    let name = |n: &openssl::x509::X509NameRef| {
        n.entries()
            .map(|e| {
                let key = e.object().nid().short_name().unwrap_or("?");
                let value = e.data().to_string().unwrap_or_default();
                format!("{key}={value}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let subject_cn = x509
        .subject_name()
        .entries_by_nid(openssl::nid::Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok());
    let mut subject_alt_names = Vec::new();
    for gn in x509.subject_alt_names().into_iter().flatten() {
        if let Some(dns) = gn.dnsname() {
            subject_alt_names.push(format!("DNS:{dns}"));
        } else if let Some(ip) = gn.ipaddress() {
            let text = match ip.len() {
                4 => <[u8; 4]>::try_from(ip).map(|a| std::net::IpAddr::from(a).to_string()).unwrap_or_default(),
                16 => <[u8; 16]>::try_from(ip).map(|a| std::net::IpAddr::from(a).to_string()).unwrap_or_default(),
                _ => hex::encode(ip),
            };
            subject_alt_names.push(format!("IP:{text}"));
        } else if let Some(email) = gn.email() {
            subject_alt_names.push(format!("email:{email}"));
        } else if let Some(uri) = gn.uri() {
            subject_alt_names.push(format!("URI:{uri}"));
        }
    }
    let public_key_algorithm = match x509.public_key().ok().map(|k| kind_of(&k)) {
        Some(Ok(KeyKind::Rsa(bits))) => format!("RSA {bits}"),
        Some(Ok(KeyKind::Ec(Curve::P256))) => "EC P-256".into(),
        Some(Ok(KeyKind::Ec(Curve::P384))) => "EC P-384".into(),
        Some(Ok(KeyKind::Ec(Curve::P521))) => "EC P-521".into(),
        Some(Ok(KeyKind::Ed25519)) => "Ed25519".into(),
        _ => "other".into(),
    };
    let serial_hex = x509
        .serial_number()
        .to_bn()
        .and_then(|bn| bn.to_hex_str().map(|s| s.to_string()))
        .map_err(|e| backend("serial number", &e))?;
    let fingerprint = x509.digest(MessageDigest::sha256()).map_err(|e| backend("fingerprint", &e))?;
    Ok(CertificateInfo {
        subject_cn,
        subject: name(x509.subject_name()),
        issuer: name(x509.issuer_name()),
        serial_hex,
        not_before_unix: unix_time(x509.not_before())?,
        not_after_unix: unix_time(x509.not_after())?,
        subject_alt_names,
        public_key_algorithm,
        sha256_fingerprint: fingerprint.to_vec(),
    })
}

fn unix_time(t: &openssl::asn1::Asn1TimeRef) -> Result<i64, CryptoError> {
    let epoch = openssl::asn1::Asn1Time::from_unix(0).map_err(|e| backend("epoch", &e))?;
    let diff = epoch.diff(t).map_err(|e| backend("certificate time", &e))?;
    Ok(i64::from(diff.days) * 86_400 + i64::from(diff.secs))
}

fn parse_certificate(cert: &[u8]) -> Result<X509, CryptoError> {
    let pem = cert.trim_ascii_start().starts_with(b"-----BEGIN");
    let parsed = if pem { X509::from_pem(cert) } else { X509::from_der(cert) };
    parsed.map_err(|_| CryptoError::InvalidInput("not an X.509 certificate (DER or PEM)".into()))
}

/// Checks that `der` is a DER X.509 certificate (KMIP's Certificate Value; PEM is not).
pub fn check_der_certificate(der: &[u8]) -> Result<(), CryptoError> {
    X509::from_der(der).map(drop).map_err(|_| CryptoError::InvalidInput("not a DER X.509 certificate".into()))
}

/// A certificate (DER or PEM) as DER, KMIP's X.509 form.
pub fn certificate_to_der(cert: &[u8]) -> Result<Vec<u8>, CryptoError> {
    parse_certificate(cert)?.to_der().map_err(|e| backend("certificate encoding", &e))
}

/// A certificate (DER or PEM) as PEM.
pub fn certificate_to_pem(cert: &[u8]) -> Result<Vec<u8>, CryptoError> {
    parse_certificate(cert)?.to_pem().map_err(|e| backend("certificate encoding", &e))
}

/// The certificate's public key as SubjectPublicKeyInfo DER.
pub fn certificate_public_key(cert: &[u8]) -> Result<PublicKey, CryptoError> {
    let key = parse_certificate(cert)?.public_key().map_err(|e| backend("certificate public key", &e))?;
    kind_of(&key)?;
    Ok(PublicKey(key))
}

// Tests index values they built themselves.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::crypto::asymmetric::{generate, KeyPairSpec};

    fn private(spec: KeyPairSpec) -> PrivateKey {
        PrivateKey::from_der(&generate(spec).unwrap().private_pkcs8_der).unwrap()
    }

    #[test]
    fn rsa_private_round_trips_through_pkcs1_and_numbers() {
        let key = private(KeyPairSpec::Rsa(2048));
        let pkcs8 = key.to_pkcs8_der().unwrap();
        let pkcs1 = to_pkcs1_private_der(&key).unwrap();
        assert_ne!(&pkcs1[..], &pkcs8[..]);
        assert_eq!(&from_pkcs1_private_der(&pkcs1).unwrap().to_pkcs8_der().unwrap()[..], &pkcs8[..]);
        // PrivateKey::from_der takes PKCS#1 too.
        assert_eq!(&PrivateKey::from_der(&pkcs1).unwrap().to_pkcs8_der().unwrap()[..], &pkcs8[..]);
        let numbers = to_rsa_private_numbers(&key).unwrap();
        assert_eq!(numbers.modulus.len(), 256);
        assert_eq!(numbers.public_exponent, vec![1, 0, 1]);
        assert_eq!(&from_rsa_private_numbers(&numbers).unwrap().to_pkcs8_der().unwrap()[..], &pkcs8[..]);
        // A wrong CRT value is refused.
        let mut bad = to_rsa_private_numbers(&key).unwrap();
        bad.dp[5] ^= 1;
        assert!(matches!(from_rsa_private_numbers(&bad), Err(CryptoError::InvalidInput(_))));
        assert_eq!(format!("{numbers:?}"), "RsaPrivateNumbers(2048 bits, <redacted>)");
    }

    #[test]
    fn rsa_public_round_trips_through_pkcs1_and_numbers() {
        let key = private(KeyPairSpec::Rsa(1024)).public_key().unwrap();
        let spki = key.to_spki_der().unwrap();
        let pkcs1 = to_pkcs1_public_der(&key).unwrap();
        assert_eq!(from_pkcs1_public_der(&pkcs1).unwrap().to_spki_der().unwrap(), spki);
        let numbers = to_rsa_public_numbers(&key).unwrap();
        assert_eq!(from_rsa_public_numbers(&numbers).unwrap().to_spki_der().unwrap(), spki);
    }

    #[test]
    fn ec_keys_round_trip_through_sec1_and_numbers_on_every_curve() {
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            let key = private(KeyPairSpec::Ec(curve));
            let pkcs8 = key.to_pkcs8_der().unwrap();
            let sec1 = to_sec1_der(&key).unwrap();
            assert_eq!(&from_sec1_der(&sec1).unwrap().to_pkcs8_der().unwrap()[..], &pkcs8[..]);
            let numbers = to_ec_private_numbers(&key).unwrap();
            assert_eq!(numbers.d.len(), curve.field_len());
            let rebuilt = from_ec_private_numbers(&numbers).unwrap();
            assert_eq!(&rebuilt.to_pkcs8_der().unwrap()[..], &pkcs8[..], "{curve:?}");
            let public = key.public_key().unwrap();
            let q = to_ec_public_numbers(&public).unwrap();
            assert_eq!(q.q.len(), 1 + 2 * curve.field_len());
            assert_eq!(q.q[0], 4);
            assert_eq!(from_ec_public_numbers(&q).unwrap().to_spki_der().unwrap(), public.to_spki_der().unwrap());
            let mut off = q.clone();
            off.q[5] ^= 1;
            assert!(matches!(from_ec_public_numbers(&off), Err(CryptoError::InvalidInput(_))));
        }
        let zero = EcPrivateNumbers { curve: Curve::P256, d: Zeroizing::new(vec![0u8; 32]) };
        assert!(matches!(from_ec_private_numbers(&zero), Err(CryptoError::InvalidInput(_))));
        let too_big = EcPrivateNumbers { curve: Curve::P256, d: Zeroizing::new(vec![0xffu8; 32]) };
        assert!(matches!(from_ec_private_numbers(&too_big), Err(CryptoError::InvalidInput(_))));
    }

    #[test]
    fn ed25519_round_trips_through_raw_bytes() {
        let key = private(KeyPairSpec::Ed25519);
        let seed = to_ed25519_raw_private(&key).unwrap();
        assert_eq!(seed.len(), 32);
        assert_eq!(
            &from_ed25519_raw_private(&seed).unwrap().to_pkcs8_der().unwrap()[..],
            &key.to_pkcs8_der().unwrap()[..]
        );
        let public = key.public_key().unwrap();
        let raw = to_ed25519_raw_public(&public).unwrap();
        assert_eq!(from_ed25519_raw_public(&raw).unwrap().to_spki_der().unwrap(), public.to_spki_der().unwrap());
    }

    #[test]
    fn formats_for_the_wrong_key_type_are_unsupported() {
        let ec = private(KeyPairSpec::Ec(Curve::P256));
        let rsa = private(KeyPairSpec::Rsa(1024));
        assert!(matches!(to_pkcs1_private_der(&ec), Err(CryptoError::Unsupported(_))));
        assert!(matches!(to_sec1_der(&rsa), Err(CryptoError::Unsupported(_))));
        assert!(matches!(to_ed25519_raw_private(&rsa), Err(CryptoError::Unsupported(_))));
        assert!(matches!(to_rsa_public_numbers(&ec.public_key().unwrap()), Err(CryptoError::Unsupported(_))));
    }
}
