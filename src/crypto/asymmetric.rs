//! RSA, EC and Ed25519 keys: generation, parsed key handles, and RSA
//! encryption with OAEP or PKCS#1 v1.5 (also the RSA-OAEP key wrap).
//!
//! Keys cross this module's edge as DER: private keys as PKCS#8 (PKCS#1 and
//! SEC1 are accepted on input), public keys as SubjectPublicKeyInfo.
//! [`PrivateKey`] and [`PublicKey`] hold a parsed key so that a caller that
//! signs many times parses once; OpenSSL clears private key numbers when the
//! key is freed.

use std::fmt;

use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::{Padding, Rsa};
use zeroize::Zeroizing;

use super::hash::HashAlgorithm;
use super::{backend, CryptoError};

/// The smallest RSA modulus we generate or accept, in bits (KMIP clients still ask for 1024).
pub const RSA_MIN_BITS: u32 = 1024;
/// The largest RSA modulus we generate or accept, in bits.
pub const RSA_MAX_BITS: u32 = 16384;

/// A NIST prime curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// P-256 (secp256r1, prime256v1).
    P256,
    /// P-384 (secp384r1).
    P384,
    /// P-521 (secp521r1).
    P521,
}

impl Curve {
    pub(crate) fn nid(self) -> Nid {
        match self {
            Self::P256 => Nid::X9_62_PRIME256V1,
            Self::P384 => Nid::SECP384R1,
            Self::P521 => Nid::SECP521R1,
        }
    }

    pub(crate) fn from_nid(nid: Nid) -> Result<Self, CryptoError> {
        match nid {
            Nid::X9_62_PRIME256V1 => Ok(Self::P256),
            Nid::SECP384R1 => Ok(Self::P384),
            Nid::SECP521R1 => Ok(Self::P521),
            _ => Err(CryptoError::Unsupported("an EC curve other than P-256, P-384 or P-521".into())),
        }
    }

    /// The size of the curve's field in bits (256, 384, 521): KMIP's
    /// Cryptographic Length of its keys.
    pub fn bits(self) -> u32 {
        match self {
            Self::P256 => 256,
            Self::P384 => 384,
            Self::P521 => 521,
        }
    }

    /// The length in bytes of a field element or private scalar (32, 48, 66).
    pub fn field_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    pub(crate) fn group(self) -> Result<EcGroup, CryptoError> {
        EcGroup::from_curve_name(self.nid()).map_err(|e| backend("EC group", &e))
    }
}

/// What kind of key pair to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPairSpec {
    /// RSA with a modulus of this many bits ([`RSA_MIN_BITS`]..=[`RSA_MAX_BITS`], a multiple of 8),
    /// public exponent 65537.
    Rsa(u32),
    /// ECDSA on a NIST curve.
    Ec(Curve),
    /// Ed25519 (RFC 8032).
    Ed25519,
}

/// What a parsed key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with a modulus of this many bits.
    Rsa(u32),
    /// EC on this curve.
    Ec(Curve),
    /// Ed25519.
    Ed25519,
}

/// A freshly generated key pair, as DER.
pub struct GeneratedKeyPair {
    /// The private key, PKCS#8 `PrivateKeyInfo` DER (wiped on drop).
    pub private_pkcs8_der: Zeroizing<Vec<u8>>,
    /// The public key, X.509 `SubjectPublicKeyInfo` DER.
    pub public_spki_der: Vec<u8>,
}

impl fmt::Debug for GeneratedKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedKeyPair")
            .field("private_pkcs8_der", &"<redacted>")
            .field("public_spki_der_len", &self.public_spki_der.len())
            .finish()
    }
}

/// Generates a key pair. RSA generation takes from tens of milliseconds
/// (2048 bits) to minutes (16384): async callers run it on a blocking thread.
pub fn generate(spec: KeyPairSpec) -> Result<GeneratedKeyPair, CryptoError> {
    let key = match spec {
        KeyPairSpec::Rsa(bits) => {
            check_rsa_bits(bits)?;
            let rsa = Rsa::generate(bits).map_err(|e| backend("RSA key generation", &e))?;
            PKey::from_rsa(rsa).map_err(|e| backend("RSA key", &e))?
        }
        KeyPairSpec::Ec(curve) => {
            let group = curve.group()?;
            let ec = EcKey::generate(&group).map_err(|e| backend("EC key generation", &e))?;
            PKey::from_ec_key(ec).map_err(|e| backend("EC key", &e))?
        }
        KeyPairSpec::Ed25519 => PKey::generate_ed25519().map_err(|e| backend("Ed25519 key generation", &e))?,
    };
    let key = PrivateKey(key);
    Ok(GeneratedKeyPair { private_pkcs8_der: key.to_pkcs8_der()?, public_spki_der: key.public_key()?.to_spki_der()? })
}

fn check_rsa_bits(bits: u32) -> Result<(), CryptoError> {
    if (RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) && bits.is_multiple_of(8) {
        Ok(())
    } else {
        Err(CryptoError::InvalidKeyLength {
            expected: "an RSA modulus of 1024 to 16384 bits, a multiple of 8",
            actual: bits as usize,
        })
    }
}

/// A parsed private key (RSA, EC on a NIST curve, or Ed25519). Its `Debug` shows only the kind.
pub struct PrivateKey(pub(crate) PKey<Private>);

/// A parsed public key (RSA, EC on a NIST curve, or Ed25519).
#[derive(Clone)]
pub struct PublicKey(pub(crate) PKey<Public>);

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({:?})", kind_of(&self.0).ok())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({:?})", kind_of(&self.0).ok())
    }
}

impl PrivateKey {
    /// Parses a private key from DER: PKCS#8 `PrivateKeyInfo`, or the
    /// traditional PKCS#1 `RSAPrivateKey` or SEC1 `ECPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        Self::parse(der, PKey::private_key_from_der, "not a DER private key (PKCS#8, PKCS#1 or SEC1)")
    }

    /// Parses a PKCS#8 `PrivateKeyInfo` DER only (not PKCS#1 or SEC1): for
    /// input whose format is named, where another one is an error.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        Self::parse(der, PKey::private_key_from_pkcs8, "not a DER PKCS#8 private key")
    }

    /// The common PKCS#8 fast path first (OpenSSL 3.0's DER decoders cost
    /// about a millisecond a key), then `decode`.
    fn parse(
        der: &[u8],
        decode: fn(&[u8]) -> Result<PKey<Private>, openssl::error::ErrorStack>,
        refusal: &str,
    ) -> Result<Self, CryptoError> {
        let key = match fast::private_pkcs8(der) {
            Some(key) => key,
            None => decode(der).map_err(|_| CryptoError::InvalidInput(refusal.into()))?,
        };
        kind_of(&key)?;
        Ok(Self(key))
    }

    /// Parses a PEM private key (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`; not encrypted).
    pub fn from_pem(pem: &[u8]) -> Result<Self, CryptoError> {
        let key = PKey::private_key_from_pem(pem)
            .map_err(|_| CryptoError::InvalidInput("not an unencrypted PEM private key".into()))?;
        kind_of(&key)?;
        Ok(Self(key))
    }

    /// The key's algorithm and size.
    pub fn kind(&self) -> Result<KeyKind, CryptoError> {
        kind_of(&self.0)
    }

    /// The private key as PKCS#8 `PrivateKeyInfo` DER.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.0.private_key_to_pkcs8().map(Zeroizing::new).map_err(|e| backend("PKCS#8 encoding", &e))
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as `openssl genpkey` writes it.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.0.private_key_to_pem_pkcs8().map(Zeroizing::new).map_err(|e| backend("PKCS#8 PEM encoding", &e))
    }

    /// The matching public key.
    pub fn public_key(&self) -> Result<PublicKey, CryptoError> {
        let der = self.0.public_key_to_der().map_err(|e| backend("public key encoding", &e))?;
        PublicKey::from_der(&der)
    }
}

impl PublicKey {
    /// Parses an X.509 `SubjectPublicKeyInfo` DER public key.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        let key = match fast::public_spki(der) {
            Some(key) => key,
            None => PKey::public_key_from_der(der)
                .map_err(|_| CryptoError::InvalidInput("not a DER SubjectPublicKeyInfo".into()))?,
        };
        kind_of(&key)?;
        Ok(Self(key))
    }

    /// Parses a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub fn from_pem(pem: &[u8]) -> Result<Self, CryptoError> {
        let key =
            PKey::public_key_from_pem(pem).map_err(|_| CryptoError::InvalidInput("not a PEM public key".into()))?;
        kind_of(&key)?;
        Ok(Self(key))
    }

    /// The key's algorithm and size.
    pub fn kind(&self) -> Result<KeyKind, CryptoError> {
        kind_of(&self.0)
    }

    /// The public key as `SubjectPublicKeyInfo` DER.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, CryptoError> {
        self.0.public_key_to_der().map_err(|e| backend("public key encoding", &e))
    }

    /// The public key as PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> Result<Vec<u8>, CryptoError> {
        self.0.public_key_to_pem().map_err(|e| backend("public key PEM encoding", &e))
    }
}

/// The kind of any OpenSSL key, refusing the algorithms and curves we do not offer.
pub(crate) fn kind_of<T: openssl::pkey::HasPublic>(key: &PKey<T>) -> Result<KeyKind, CryptoError> {
    match key.id() {
        Id::RSA => {
            let bits = key.bits();
            if (RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
                Ok(KeyKind::Rsa(bits))
            } else {
                Err(CryptoError::InvalidKeyLength {
                    expected: "an RSA modulus of 1024 to 16384 bits",
                    actual: bits as usize,
                })
            }
        }
        Id::EC => {
            let ec = key.ec_key().map_err(|e| backend("EC key", &e))?;
            let nid = ec
                .group()
                .curve_name()
                .ok_or_else(|| CryptoError::Unsupported("EC keys with explicit curve parameters".into()))?;
            Curve::from_nid(nid).map(KeyKind::Ec)
        }
        Id::ED25519 => Ok(KeyKind::Ed25519),
        _ => Err(CryptoError::Unsupported("a key algorithm other than RSA, EC or Ed25519".into())),
    }
}

/// RSA encryption padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsaPadding<'a> {
    /// RSAES-PKCS1-v1_5 (RFC 8017 section 7.2): for legacy clients only.
    Pkcs1v15,
    /// RSAES-OAEP (RFC 8017 section 7.1).
    Oaep {
        /// The hash of the label and of the padding (SHA-1, SHA-224 or SHA-2).
        hash: HashAlgorithm,
        /// The hash MGF1 uses; usually the same as `hash`.
        mgf1_hash: HashAlgorithm,
        /// The OAEP label (usually empty).
        label: &'a [u8],
    },
}

impl<'a> RsaPadding<'a> {
    /// OAEP with one hash for both the label and MGF1, and no label.
    pub fn oaep(hash: HashAlgorithm) -> Self {
        Self::Oaep { hash, mgf1_hash: hash, label: &[] }
    }
}

/// Encrypts `plaintext` (a message or a key to wrap) under an RSA public key.
///
/// Errors: [`CryptoError::Unsupported`] for a non-RSA key or a SHA-3 OAEP
/// hash; [`CryptoError::InvalidInput`] when the plaintext is too long for the
/// modulus and padding (k - 2h - 2 bytes for OAEP, k - 11 for PKCS#1 v1.5).
pub fn rsa_encrypt(key: &PublicKey, padding: RsaPadding<'_>, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let k = rsa_len(&key.0)?;
    let max = match padding {
        RsaPadding::Pkcs1v15 => k.saturating_sub(11),
        RsaPadding::Oaep { hash, .. } => k.saturating_sub(2 * hash.output_len() + 2),
    };
    if plaintext.len() > max {
        return Err(CryptoError::InvalidInput(format!(
            "{} bytes is too long for this RSA key and padding (at most {max})",
            plaintext.len()
        )));
    }
    let mut ctx = PkeyCtx::new(&key.0).map_err(|e| backend("RSA context", &e))?;
    ctx.encrypt_init().map_err(|e| backend("RSA encrypt init", &e))?;
    set_padding(&mut ctx, padding)?;
    let mut out = Vec::with_capacity(k);
    ctx.encrypt_to_vec(plaintext, &mut out).map_err(|e| backend("RSA encrypt", &e))?;
    Ok(out)
}

/// Decrypts an RSA ciphertext (exactly the modulus length) with the private key.
///
/// Every padding or range failure is the one [`CryptoError::AuthenticationFailed`],
/// so that a caller cannot tell which check failed (Bleichenbacher, Manger).
/// OpenSSL 3.0's PKCS#1 v1.5 decryption is still not constant-time in its
/// padding check (the Marvin attack; implicit rejection came in 3.2): offer
/// [`RsaPadding::Pkcs1v15`] only to clients that cannot use OAEP.
pub fn rsa_decrypt(
    key: &PrivateKey,
    padding: RsaPadding<'_>,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let k = rsa_len(&key.0)?;
    if ciphertext.len() != k {
        return Err(CryptoError::InvalidInput(format!(
            "an RSA ciphertext for this key is {k} bytes, got {}",
            ciphertext.len()
        )));
    }
    let mut ctx = PkeyCtx::new(&key.0).map_err(|e| backend("RSA context", &e))?;
    ctx.decrypt_init().map_err(|e| backend("RSA decrypt init", &e))?;
    set_padding(&mut ctx, padding)?;
    let mut out = Zeroizing::new(vec![0u8; k]);
    let len = ctx.decrypt(ciphertext, Some(&mut out)).map_err(|_| CryptoError::AuthenticationFailed)?;
    out.truncate(len);
    Ok(out)
}

fn set_padding(ctx: &mut PkeyCtx<impl openssl::pkey::HasPublic>, padding: RsaPadding<'_>) -> Result<(), CryptoError> {
    match padding {
        RsaPadding::Pkcs1v15 => ctx.set_rsa_padding(Padding::PKCS1).map_err(|e| backend("RSA padding", &e)),
        RsaPadding::Oaep { hash, mgf1_hash, label } => {
            for h in [hash, mgf1_hash] {
                if matches!(h, HashAlgorithm::Sha3_256 | HashAlgorithm::Sha3_384 | HashAlgorithm::Sha3_512) {
                    return Err(CryptoError::Unsupported("OAEP with a SHA-3 hash".into()));
                }
            }
            ctx.set_rsa_padding(Padding::PKCS1_OAEP).map_err(|e| backend("RSA padding", &e))?;
            ctx.set_rsa_oaep_md(hash.md()).map_err(|e| backend("OAEP hash", &e))?;
            ctx.set_rsa_mgf1_md(mgf1_hash.md()).map_err(|e| backend("MGF1 hash", &e))?;
            if !label.is_empty() {
                ctx.set_rsa_oaep_label(label).map_err(|e| backend("OAEP label", &e))?;
            }
            Ok(())
        }
    }
}

/// The modulus length in bytes of an RSA key; refuses other key types.
fn rsa_len<T: openssl::pkey::HasPublic>(key: &PKey<T>) -> Result<usize, CryptoError> {
    match kind_of(key)? {
        KeyKind::Rsa(bits) => Ok((bits as usize).div_ceil(8)),
        other => Err(CryptoError::Unsupported(format!("RSA encryption with a {other:?} key"))),
    }
}

/// A big-endian unsigned integer as an OpenSSL number (for the Transparent key forms).
pub(crate) fn bignum(bytes: &[u8]) -> Result<BigNum, CryptoError> {
    BigNum::from_slice(bytes).map_err(|e| backend("big number", &e))
}

/// Fast paths for the DER forms we store.
///
/// OpenSSL 3.0's generic decoders (`d2i_AutoPrivateKey`, `d2i_PUBKEY`) try
/// every registered decoder and cost about 1 ms a key here, more than the
/// signature they precede; the type-specific parsers take 2-40 µs. So the
/// PKCS#8 and SPKI envelopes of RSA, named-curve EC and Ed25519 keys are
/// opened here and the inner key handed to those parsers. Anything else
/// (other algorithms, attributes, explicit curves, odd encodings) returns
/// `None` and goes through the generic decoder, which stays the authority.
mod fast {
    use openssl::bn::{BigNum, BigNumContext};
    use openssl::ec::{EcKey, EcPoint};
    use openssl::pkey::{Id, PKey, Private, Public};
    use openssl::rsa::Rsa;

    use super::Curve;

    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    const NULL: &[u8] = &[0x05, 0x00];

    /// A strict DER reader over one level of TLVs (definite, minimal lengths).
    struct Der<'a>(&'a [u8]);

    impl<'a> Der<'a> {
        fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
            let (&t, rest) = self.0.split_first()?;
            if t != tag {
                return None;
            }
            let (&first, rest) = rest.split_first()?;
            let (len, rest) = if first < 0x80 {
                (usize::from(first), rest)
            } else {
                let n = usize::from(first & 0x7f);
                let (bytes, rest) = rest.split_at_checked(n)?;
                if n == 0 || n > 3 || bytes.first() == Some(&0) {
                    return None;
                }
                let len = bytes.iter().fold(0usize, |acc, &b| acc << 8 | usize::from(b));
                if len < 0x80 {
                    return None;
                }
                (len, rest)
            };
            let (content, rest) = rest.split_at_checked(len)?;
            self.0 = rest;
            Some(content)
        }

        fn peek(&self) -> Option<u8> {
            self.0.first().copied()
        }

        fn done(&self) -> bool {
            self.0.is_empty()
        }
    }

    /// One complete TLV of `tag` that fills `bytes`.
    fn only(bytes: &[u8], tag: u8) -> Option<&[u8]> {
        let mut der = Der(bytes);
        let content = der.read(tag)?;
        der.done().then_some(content)
    }

    fn curve(oid: &[u8]) -> Option<Curve> {
        match oid {
            [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07] => Some(Curve::P256),
            [0x2b, 0x81, 0x04, 0x00, 0x22] => Some(Curve::P384),
            [0x2b, 0x81, 0x04, 0x00, 0x23] => Some(Curve::P521),
            _ => None,
        }
    }

    /// (algorithm OID, parameters TLV bytes) of an AlgorithmIdentifier.
    fn algorithm(alg: &[u8]) -> Option<(&[u8], &[u8])> {
        let mut der = Der(alg);
        let oid = der.read(0x06)?;
        Some((oid, der.0))
    }

    /// PKCS#8 `PrivateKeyInfo` (RFC 5208) without attributes.
    pub(super) fn private_pkcs8(der: &[u8]) -> Option<PKey<Private>> {
        let mut info = Der(only(der, 0x30)?);
        if info.read(0x02)? != [0] {
            return None;
        }
        let (oid, params) = algorithm(info.read(0x30)?)?;
        let key = info.read(0x04)?;
        if !info.done() {
            return None;
        }
        match oid {
            RSA if params == NULL => PKey::from_rsa(Rsa::private_key_from_der(key).ok()?).ok(),
            EC => ec_private(curve(only(params, 0x06)?)?, key),
            ED25519 if params.is_empty() => PKey::private_key_from_raw_bytes(only(key, 0x04)?, Id::ED25519).ok(),
            _ => None,
        }
    }

    /// SEC1 `ECPrivateKey` (RFC 5915) inside PKCS#8: version 1, the scalar,
    /// optional parameters (must match) and optional public point.
    fn ec_private(curve: Curve, sec1: &[u8]) -> Option<PKey<Private>> {
        let mut der = Der(only(sec1, 0x30)?);
        if der.read(0x02)? != [1] {
            return None;
        }
        let scalar = der.read(0x04)?;
        if der.peek() == Some(0xa0) && Some(curve) != self::curve(only(der.read(0xa0)?, 0x06)?) {
            return None;
        }
        let point = if der.peek() == Some(0xa1) { Some(only(der.read(0xa1)?, 0x03)?) } else { None };
        if !der.done() {
            return None;
        }
        let group = curve.group().ok()?;
        let mut d = BigNum::from_slice(scalar).ok()?;
        let mut ctx = BigNumContext::new().ok()?;
        let q = match point {
            Some([0, point @ ..]) => EcPoint::from_bytes(&group, point, &mut ctx).ok(),
            Some(_) => None,
            None => EcPoint::new(&group).ok().and_then(|mut q| q.mul_generator2(&group, &d, &mut ctx).ok().map(|()| q)),
        };
        let key = q.and_then(|q| EcKey::from_private_components(&group, &d, &q).ok());
        // BN_free does not wipe; the EC_KEY holds its own copy.
        d.clear();
        PKey::from_ec_key(key?).ok()
    }

    /// X.509 `SubjectPublicKeyInfo` (RFC 5280 section 4.1).
    pub(super) fn public_spki(der: &[u8]) -> Option<PKey<Public>> {
        let mut info = Der(only(der, 0x30)?);
        let (oid, params) = algorithm(info.read(0x30)?)?;
        let bits = match info.read(0x03)? {
            [0, bits @ ..] => bits,
            _ => return None,
        };
        if !info.done() {
            return None;
        }
        match oid {
            RSA if params == NULL => PKey::from_rsa(Rsa::public_key_from_der_pkcs1(bits).ok()?).ok(),
            EC => {
                let group = curve(only(params, 0x06)?)?.group().ok()?;
                let mut ctx = BigNumContext::new().ok()?;
                let point = EcPoint::from_bytes(&group, bits, &mut ctx).ok()?;
                PKey::from_ec_key(EcKey::from_public_key(&group, &point).ok()?).ok()
            }
            ED25519 if params.is_empty() => PKey::public_key_from_raw_bytes(bits, Id::ED25519).ok(),
            _ => None,
        }
    }
}

// Tests unwrap and index values they built themselves.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_generates_a_pair_that_parses_back() {
        for (spec, kind) in [
            (KeyPairSpec::Rsa(1024), KeyKind::Rsa(1024)),
            (KeyPairSpec::Rsa(2048), KeyKind::Rsa(2048)),
            (KeyPairSpec::Ec(Curve::P256), KeyKind::Ec(Curve::P256)),
            (KeyPairSpec::Ec(Curve::P384), KeyKind::Ec(Curve::P384)),
            (KeyPairSpec::Ec(Curve::P521), KeyKind::Ec(Curve::P521)),
            (KeyPairSpec::Ed25519, KeyKind::Ed25519),
        ] {
            let pair = generate(spec).unwrap();
            let private = PrivateKey::from_der(&pair.private_pkcs8_der).unwrap();
            assert_eq!(private.kind().unwrap(), kind);
            assert_eq!(PrivateKey::from_pkcs8_der(&pair.private_pkcs8_der).unwrap().kind().unwrap(), kind);
            let public = PublicKey::from_der(&pair.public_spki_der).unwrap();
            assert_eq!(public.kind().unwrap(), kind);
            assert_eq!(private.public_key().unwrap().to_spki_der().unwrap(), pair.public_spki_der);
            assert!(!format!("{pair:?} {private:?}").contains("30 82"), "Debug shows no DER");
        }
    }

    #[test]
    fn rsa_sizes_outside_the_range_are_refused() {
        for bits in [0u32, 512, 1023, 1028, 16392] {
            assert!(matches!(generate(KeyPairSpec::Rsa(bits)), Err(CryptoError::InvalidKeyLength { .. })), "{bits}");
        }
    }

    #[test]
    fn rsa_encryption_round_trips_with_every_padding() {
        let pair = generate(KeyPairSpec::Rsa(2048)).unwrap();
        let private = PrivateKey::from_der(&pair.private_pkcs8_der).unwrap();
        let public = PublicKey::from_der(&pair.public_spki_der).unwrap();
        let paddings = [
            RsaPadding::Pkcs1v15,
            RsaPadding::oaep(HashAlgorithm::Sha1),
            RsaPadding::oaep(HashAlgorithm::Sha256),
            RsaPadding::oaep(HashAlgorithm::Sha384),
            RsaPadding::oaep(HashAlgorithm::Sha512),
            RsaPadding::Oaep { hash: HashAlgorithm::Sha256, mgf1_hash: HashAlgorithm::Sha1, label: b"label" },
        ];
        for padding in paddings {
            let ct = rsa_encrypt(&public, padding, b"a 32-byte AES key goes here....").unwrap();
            assert_eq!(ct.len(), 256);
            assert_eq!(&rsa_decrypt(&private, padding, &ct).unwrap()[..], b"a 32-byte AES key goes here....");
            // The wrong padding never decrypts to the plaintext.
            let other = if padding == RsaPadding::Pkcs1v15 {
                RsaPadding::oaep(HashAlgorithm::Sha256)
            } else {
                RsaPadding::Pkcs1v15
            };
            match rsa_decrypt(&private, other, &ct) {
                Err(e) => assert_eq!(e, CryptoError::AuthenticationFailed),
                // OpenSSL's PKCS#1 v1.5 implicit rejection (its Marvin
                // countermeasure) answers a bad block with a synthetic
                // plaintext instead of an error, now and then: never ours.
                Ok(p) => {
                    assert_eq!(other, RsaPadding::Pkcs1v15, "OAEP must refuse a PKCS#1 v1.5 block");
                    assert_ne!(&p[..], b"a 32-byte AES key goes here....");
                }
            }
        }
        // Longest OAEP-SHA-512 message: 256 - 2*64 - 2 = 126 bytes.
        let oaep512 = RsaPadding::oaep(HashAlgorithm::Sha512);
        assert!(rsa_encrypt(&public, oaep512, &[1u8; 126]).is_ok());
        assert!(matches!(rsa_encrypt(&public, oaep512, &[1u8; 127]), Err(CryptoError::InvalidInput(_))));
        assert!(matches!(rsa_decrypt(&private, oaep512, &[1u8; 255]), Err(CryptoError::InvalidInput(_))));
    }

    #[test]
    fn rsa_encryption_with_an_ec_key_is_unsupported() {
        let pair = generate(KeyPairSpec::Ec(Curve::P256)).unwrap();
        let public = PublicKey::from_der(&pair.public_spki_der).unwrap();
        assert!(matches!(rsa_encrypt(&public, RsaPadding::Pkcs1v15, b"x"), Err(CryptoError::Unsupported(_))));
    }

    #[test]
    fn the_fast_parsers_agree_with_openssls_decoders() {
        for spec in [
            KeyPairSpec::Rsa(1024),
            KeyPairSpec::Ec(Curve::P256),
            KeyPairSpec::Ec(Curve::P384),
            KeyPairSpec::Ec(Curve::P521),
            KeyPairSpec::Ed25519,
        ] {
            let pair = generate(spec).unwrap();
            let fast = fast::private_pkcs8(&pair.private_pkcs8_der).unwrap();
            let slow = PKey::private_key_from_der(&pair.private_pkcs8_der).unwrap();
            assert_eq!(fast.private_key_to_pkcs8().unwrap(), slow.private_key_to_pkcs8().unwrap(), "{spec:?}");
            assert!(fast.public_eq(&slow), "{spec:?}");
            let fast = fast::public_spki(&pair.public_spki_der).unwrap();
            assert_eq!(fast.public_key_to_der().unwrap(), pair.public_spki_der, "{spec:?}");
            // A trailing byte or a changed tag sends the input to the generic decoder.
            let mut long = pair.private_pkcs8_der.to_vec();
            long.push(0);
            assert!(fast::private_pkcs8(&long).is_none());
            let mut other = pair.public_spki_der.clone();
            other[0] = 0x31;
            assert!(fast::public_spki(&other).is_none());
        }
        // An EC key in PKCS#8 without its public point (RFC 5915 makes it optional) loads,
        // with the point computed: built by hand, since OpenSSL always writes the point.
        let ec = EcKey::generate(&Curve::P256.group().unwrap()).unwrap();
        let d = ec.private_key().to_vec_padded(32).unwrap();
        let mut der = hex::decode("3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420").unwrap();
        der.extend_from_slice(&d);
        let key = fast::private_pkcs8(&der).unwrap();
        assert!(key.public_eq(&PKey::from_ec_key(ec).unwrap()));
        assert!(PKey::private_key_from_der(&der).unwrap().public_eq(&key), "OpenSSL reads it the same way");
    }

    #[test]
    fn garbage_is_not_a_key() {
        assert!(matches!(PrivateKey::from_der(b"\x30\x03\x02\x01\x00"), Err(CryptoError::InvalidInput(_))));
        assert!(matches!(PublicKey::from_der(b""), Err(CryptoError::InvalidInput(_))));
    }
}
