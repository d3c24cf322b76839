//! What Encrypt, Decrypt, MAC and MAC Verify share: the key they may use
//! (type, state, usage mask, algorithm), and the Cryptographic Parameters
//! that apply, turned into the crypto layer's [`AesParams`] or
//! [`MacAlgorithm`].
//!
//! The parameters are the request's Cryptographic Parameters when it has
//! them, else the key's Cryptographic Parameters attribute, else defaults
//! (KMIP 1.4 §4.29: "If the Cryptographic Parameters are omitted, then the
//! Cryptographic Parameters associated with the key, if any, SHALL be used").

use crate::crypto::mac::MacAlgorithm;
use crate::crypto::rng;
use crate::crypto::symmetric::{AesKey, AesParams, Mode, Padding};
use crate::crypto::CryptoError;
use crate::error::Error;
use crate::kmip::attributes::{Attribute, CryptographicParameters, UsageLimits};
use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue};
use crate::kmip::table::{
    BlockCipherMode, CryptographicAlgorithm, CryptographicUsageMask, ObjectType, Operation, PaddingMethod,
    UsageLimitsUnit,
};
use crate::kmip::version::ProtocolVersion;
use crate::lifecycle::{self, Use};
use crate::operations::context::{CachedObject, RequestContext};
use crate::operations::managed::ManagedObject;
use crate::store::StoreError;
use crate::ttlv::{Ttlv, Value};

/// The full GCM tag, used when the parameters name no Tag Length.
const DEFAULT_TAG_LEN: usize = 16;

/// Checks that `key` is a symmetric key that `operation` may use now for
/// `what`, and that its Cryptographic Usage Mask has `bit` (see [`check_use`]).
pub(crate) fn check_key(
    ctx: &RequestContext<'_>,
    key: &ManagedObject,
    operation: Operation,
    what: Use,
    bit: CryptographicUsageMask,
    usage: &'static str,
) -> Result<(), Error> {
    check_use(ctx, key, ObjectType::SymmetricKey, operation, what, bit, usage)
}

/// Checks that `key` is of `object_type`, that `operation` may use it now
/// for `what`, and that its Cryptographic Usage Mask has `bit`: what every
/// operation that computes with a managed key checks first.
///
/// A key with no usage mask at all is not restricted (keys registered by
/// KMIP 1.0 clients often carry none); one with the 2.x Unrestricted bit
/// neither.
pub(crate) fn check_use(
    ctx: &RequestContext<'_>,
    key: &ManagedObject,
    object_type: ObjectType,
    operation: Operation,
    what: Use,
    bit: CryptographicUsageMask,
    usage: &'static str,
) -> Result<(), Error> {
    check_type(&key.id, key.object_type(), object_type, operation)?;
    lifecycle::check_use(key, operation, what, ctx.now_kmip())?;
    check_mask(&key.id, key.usage_mask(), bit, usage)
}

/// [`check_key`] of the object `cached` holds, from what its cache entry
/// read of it once (type, mask, State and dates): no attribute is scanned.
/// The same checks in the same order, so the same refusals.
pub(crate) fn check_key_cached(
    ctx: &RequestContext<'_>,
    cached: &CachedObject,
    operation: Operation,
    what: Use,
    bit: CryptographicUsageMask,
    usage: &'static str,
) -> Result<(), Error> {
    let id = &cached.object().id;
    check_type(id, cached.object_type(), ObjectType::SymmetricKey, operation)?;
    cached.dates().check_use(id, operation, what, ctx.now_kmip())?;
    check_mask(id, cached.usage_mask(), bit, usage)
}

/// The object `id`, of type `found`, must be of type `wanted`.
fn check_type(id: &str, found: Option<ObjectType>, wanted: ObjectType, operation: Operation) -> Result<(), Error> {
    match found {
        Some(t) if t == wanted => Ok(()),
        Some(t) => Err(Error::WrongObjectType { id: Some(id.to_owned()), object_type: t, operation }),
        None => Err(Error::Internal(format!("object {id} has no Object Type"))),
    }
}

/// The object `id`'s usage mask, if any, must have `bit` (or Unrestricted).
fn check_mask(
    id: &str,
    mask: Option<CryptographicUsageMask>,
    bit: CryptographicUsageMask,
    usage: &'static str,
) -> Result<(), Error> {
    match mask {
        Some(mask) if !mask.contains(bit) && !mask.contains(CryptographicUsageMask::Unrestricted) => {
            Err(Error::UsageNotAllowed { id: id.to_owned(), usage })
        }
        _ => Ok(()),
    }
}

/// How many times a Usage Limits reservation is retried when another
/// request changed the key meanwhile. Each conflict means another request
/// went through, so this bounds the concurrent users of one limited key
/// that are served rather than failed.
const USAGE_LIMIT_TRIES: usize = 64;

/// Takes `bytes` (or one object) off the key's Usage Limits Count, durably,
/// before the key is used; refuses the use when the count does not cover it
/// (CS-BC-M-7: Permission Denied at 1.4 and 2.1).
///
/// Only keys that carry Usage Limits pay for this write: for every other
/// key it is one attribute scan of the object already loaded.
pub(crate) async fn consume_usage_limit(
    ctx: &RequestContext<'_>,
    key: &ManagedObject,
    operation: Operation,
    bytes: usize,
) -> Result<(), Error> {
    if limits(key).is_none() {
        return Ok(());
    }
    // Boxed: only keys with Usage Limits get here, and the inline future
    // would enlarge every Encrypt's and Decrypt's.
    Box::pin(reserve_usage(ctx, key, operation, |limit| match &limit.unit {
        Some(Ttlv { value: Value::Enumeration(u), .. }) if *u == UsageLimitsUnit::Object.value() => 1,
        _ => i64::try_from(bytes).unwrap_or(i64::MAX),
    }))
    .await
}

/// Takes `amount(limits)` off the key's Usage Limits Count, durably (the
/// mechanism of [`consume_usage_limit`] and of Get Usage Allocation);
/// a key without Usage Limits has nothing to take from and passes.
pub(crate) async fn reserve_usage(
    ctx: &RequestContext<'_>,
    key: &ManagedObject,
    operation: Operation,
    amount: impl Fn(&UsageLimits) -> i64,
) -> Result<(), Error> {
    for _ in 0..USAGE_LIMIT_TRIES {
        // Read afresh each try: the revision the save checks is this read's.
        let mut object = ctx.load_live(&key.id).await?;
        let Some(mut limit) = limits(&object).cloned() else { return Ok(()) };
        let amount = amount(&limit);
        let remaining = limit.count.or(limit.total).unwrap_or(0);
        if amount > remaining {
            return Err(Error::PermissionDenied(format!(
                "{} is not allowed: object {:?} has {remaining} of its Usage Limits left and this use needs {amount}",
                operation.name().unwrap_or("the operation"),
                key.id
            )));
        }
        limit.count = Some(remaining - amount);
        object.set(Attribute::UsageLimits(limit));
        match ctx.save(&[&object]).await {
            Ok(()) => return Ok(()),
            Err(Error::Store(StoreError::Conflict { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    Err(Error::Internal(format!("Usage Limits of {} kept changing under concurrent use", key.id)))
}

/// How much of the key's Usage Limits is left (in its Usage Limits Unit), or
/// `None` when the key has no Usage Limits; the figure [`consume_usage_limit`]
/// takes from.
pub(crate) fn usage_left(key: &ManagedObject) -> Option<i64> {
    limits(key).map(|limit| limit.count.or(limit.total).unwrap_or(0))
}

fn limits(key: &ManagedObject) -> Option<&UsageLimits> {
    key.find(|a| match a {
        Attribute::UsageLimits(l) => Some(l),
        _ => None,
    })
}

/// The key bytes of a symmetric key (borrowed: nothing is copied), and the
/// Cryptographic Algorithm of its key block.
pub(crate) fn key_bytes(
    key: &ManagedObject,
    operation: Operation,
) -> Result<(&[u8], Option<CryptographicAlgorithm>), Error> {
    let (block, bytes) = key_block(key, &[ObjectType::SymmetricKey], operation)?;
    let bytes = bytes.ok_or_else(|| {
        Error::InvalidField(format!("object {:?} has no raw key material the server can use", key.id))
    })?;
    Ok((bytes, block.cryptographic_algorithm))
}

/// [`key_bytes`]'s check and Cryptographic Algorithm for the key `cached`
/// holds, kept beside that revision once it passed (a refusal is made
/// afresh each time, so it reads the same).
pub(crate) fn key_algorithm(
    cached: &CachedObject,
    operation: Operation,
) -> Result<Option<CryptographicAlgorithm>, Error> {
    cached.algorithm(|object| key_bytes(object, operation).map(|(_, algorithm)| algorithm))
}

/// The AES contexts of `cached`'s key, kept beside that revision in the
/// store's cache: built from its key bytes on first use, reused after.
pub(crate) fn aes_key(cached: &CachedObject, operation: Operation) -> Result<&AesKey, Error> {
    cached.aes_key(|object| {
        let (bytes, _) = key_bytes(object, operation)?;
        Ok(AesKey::new(bytes)?)
    })
}

/// The key block of `key`, which must be one of `types`, and its key bytes
/// when it holds them in clear (`None` for a Transparent structure or no
/// Key Value); a key stored wrapped cannot be computed with.
pub(crate) fn key_block<'a>(
    key: &'a ManagedObject,
    types: &[ObjectType],
    operation: Operation,
) -> Result<(&'a KeyBlock, Option<&'a [u8]>), Error> {
    let block = match &key.object {
        Some(object) if types.contains(&object.object_type()) => {
            object.key_block().ok_or_else(|| Error::Internal(format!("object {} has no key block", key.id)))?
        }
        Some(other) => {
            let object_type = other.object_type();
            return Err(Error::WrongObjectType { id: Some(key.id.clone()), object_type, operation });
        }
        None => return Err(Error::ObjectDestroyed { id: key.id.clone() }),
    };
    match &block.key_value {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(bytes), .. }) => Ok((block, Some(bytes.expose()))),
        Some(KeyValue::Wrapped(_)) => Err(Error::FeatureNotSupported(format!(
            "object {:?} is stored wrapped; the server cannot use it for cryptography",
            key.id
        ))),
        Some(KeyValue::Plain { key_material: KeyMaterial::Transparent(_), .. }) | None => Ok((block, None)),
    }
}

/// The Cryptographic Parameters that apply: the request's, else the key's.
pub(crate) fn effective<'a>(
    request: Option<&'a CryptographicParameters>,
    key: &'a ManagedObject,
) -> Option<&'a CryptographicParameters> {
    request.or_else(|| {
        key.find(|a| match a {
            Attribute::CryptographicParameters(p) => Some(p),
            _ => None,
        })
    })
}

/// Refuses a request that asks for streaming (Init/Update/Final through a
/// Correlation Value), which is not implemented yet.
pub(crate) fn refuse_streaming(
    correlation_value: bool,
    init_indicator: Option<bool>,
    final_indicator: Option<bool>,
) -> Result<(), Error> {
    if correlation_value || init_indicator == Some(true) || final_indicator == Some(true) {
        return Err(Error::FeatureNotSupported(
            "streaming (Correlation Value, Init Indicator, Final Indicator) is not supported; send the whole data \
             in one request"
                .into(),
        ));
    }
    Ok(())
}

/// Checks that the key, and the algorithm the parameters name if any, are
/// AES: the only block cipher offered.
pub(crate) fn require_aes(
    key: &ManagedObject,
    key_algorithm: Option<CryptographicAlgorithm>,
    params: Option<&CryptographicParameters>,
) -> Result<(), Error> {
    let asked = params.and_then(|p| p.cryptographic_algorithm);
    for algorithm in [key_algorithm, asked].into_iter().flatten() {
        if algorithm != CryptographicAlgorithm::AES {
            return Err(Error::Crypto(CryptoError::Unsupported(format!(
                "{} with object {:?}; this server encrypts with AES keys only",
                algorithm.name().unwrap_or("a non-AES algorithm"),
                key.id
            ))));
        }
    }
    Ok(())
}

/// The AES parameters of one Encrypt or Decrypt.
///
/// With no Block Cipher Mode named, CBC with PKCS#5 padding (what MongoDB
/// uses) unless a Padding Method is named; with a Block Cipher Mode and no
/// Padding Method, no padding (CS-BC-M-4).
pub(crate) fn aes_params<'a>(
    params: Option<&CryptographicParameters>,
    iv: Option<&'a [u8]>,
    aad: &'a [u8],
) -> Result<AesParams<'a>, Error> {
    let mode = match params.and_then(|p| p.block_cipher_mode) {
        None | Some(BlockCipherMode::CBC) => Mode::Cbc,
        Some(BlockCipherMode::ECB) => Mode::Ecb,
        Some(BlockCipherMode::CTR) => Mode::Ctr,
        Some(BlockCipherMode::GCM) => Mode::Gcm,
        Some(other) => {
            return Err(Error::Crypto(CryptoError::Unsupported(format!(
                "Block Cipher Mode {}; this server offers ECB, CBC, CTR and GCM",
                other.name().unwrap_or("(unknown)")
            ))))
        }
    };
    let padding = match params.and_then(|p| p.padding_method) {
        None if params.and_then(|p| p.block_cipher_mode).is_none() => Padding::Pkcs7,
        None | Some(PaddingMethod::None) => Padding::None,
        Some(PaddingMethod::PKCS5) => Padding::Pkcs7,
        Some(other) => {
            return Err(Error::Crypto(CryptoError::Unsupported(format!(
                "Padding Method {}; this server offers None and PKCS5",
                other.name().unwrap_or("(unknown)")
            ))))
        }
    };
    let tag_len = match params.and_then(|p| p.tag_length) {
        None => DEFAULT_TAG_LEN,
        // A negative or zero length is as invalid as one over 16; 0 would
        // otherwise mean "the default" to the crypto layer.
        Some(n) => match usize::try_from(n) {
            Ok(n) if n > 0 => n,
            _ => return Err(Error::Crypto(CryptoError::InvalidTagLength(0))),
        },
    };
    if mode != Mode::Gcm && !aad.is_empty() {
        return Err(Error::Crypto(CryptoError::InvalidInput(
            "Authenticated Encryption Additional Data is only used with GCM".into(),
        )));
    }
    Ok(AesParams { mode, padding, iv, aad, tag_len })
}

/// GCM needs the Authenticated Encryption Tag and Additional Data fields,
/// which KMIP defines from 1.4 on: a client of an older version could not
/// send or receive the tag.
pub(crate) fn check_mode_in_version(mode: Mode, v: ProtocolVersion) -> Result<(), Error> {
    if mode == Mode::Gcm && v < ProtocolVersion::V1_4 {
        return Err(Error::Crypto(CryptoError::Unsupported(format!(
            "GCM needs KMIP 1.4 or later (the Authenticated Encryption Tag field); this request is KMIP {}.{}",
            v.major, v.minor
        ))));
    }
    Ok(())
}

/// For an Encrypt that names no IV but an IV Length: an IV of that many
/// bits, generated here (the crypto layer generates only its default lengths).
pub(crate) fn generated_iv(params: Option<&CryptographicParameters>, mode: Mode) -> Result<Option<Vec<u8>>, Error> {
    let Some(bits) = params.and_then(|p| p.iv_length) else { return Ok(None) };
    if mode == Mode::Ecb {
        return Ok(None);
    }
    let bytes = usize::try_from(bits).ok().filter(|b| *b > 0 && b % 8 == 0 && *b <= 1024).ok_or_else(|| {
        Error::InvalidField(format!("IV Length {bits} bits is not a positive multiple of 8 up to 1024"))
    })?;
    let mut iv = rng::random_bytes(bytes / 8)?;
    // An IV is not secret: it is sent back to the client.
    Ok(Some(std::mem::take(&mut *iv)))
}

/// The MAC algorithm: the parameters' Cryptographic Algorithm, else the
/// key block's (an HMAC key, or AES for CMAC).
pub(crate) fn mac_algorithm(
    key: &ManagedObject,
    params: Option<&CryptographicParameters>,
    key_algorithm: Option<CryptographicAlgorithm>,
) -> Result<MacAlgorithm, Error> {
    let cmac = params.and_then(|p| p.block_cipher_mode) == Some(BlockCipherMode::CMAC);
    let algorithm = params.and_then(|p| p.cryptographic_algorithm).or(key_algorithm);
    match algorithm {
        Some(CryptographicAlgorithm::HMAC_SHA1) if !cmac => Ok(MacAlgorithm::HmacSha1),
        Some(CryptographicAlgorithm::HMAC_SHA224) if !cmac => Ok(MacAlgorithm::HmacSha224),
        Some(CryptographicAlgorithm::HMAC_SHA256) if !cmac => Ok(MacAlgorithm::HmacSha256),
        Some(CryptographicAlgorithm::HMAC_SHA384) if !cmac => Ok(MacAlgorithm::HmacSha384),
        Some(CryptographicAlgorithm::HMAC_SHA512) if !cmac => Ok(MacAlgorithm::HmacSha512),
        Some(CryptographicAlgorithm::AES) => Ok(MacAlgorithm::CmacAes),
        Some(other) => Err(Error::Crypto(CryptoError::Unsupported(format!(
            "MAC with {}; this server offers HMAC-SHA1/224/256/384/512 and CMAC with AES",
            other.name().unwrap_or("(unknown)")
        )))),
        None => Err(Error::MissingData(format!(
            "object {:?} has no Cryptographic Algorithm and the request names none",
            key.id
        ))),
    }
}

/// Cryptographic Parameters with no field set, for building requests and
/// the parameters a wrapped key's Key Wrapping Data names.
pub(crate) fn none() -> CryptographicParameters {
    CryptographicParameters::none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(mode: Option<BlockCipherMode>, padding: Option<PaddingMethod>) -> CryptographicParameters {
        CryptographicParameters { block_cipher_mode: mode, padding_method: padding, ..none() }
    }

    #[test]
    fn no_mode_means_cbc_with_pkcs5_and_a_mode_alone_means_no_padding() -> Result<(), Error> {
        let p = aes_params(None, None, &[])?;
        assert_eq!((p.mode, p.padding, p.tag_len), (Mode::Cbc, Padding::Pkcs7, 16));
        let algorithm_only =
            CryptographicParameters { cryptographic_algorithm: Some(CryptographicAlgorithm::AES), ..none() };
        let p = aes_params(Some(&algorithm_only), None, &[])?;
        assert_eq!((p.mode, p.padding), (Mode::Cbc, Padding::Pkcs7));
        let ecb = params(Some(BlockCipherMode::ECB), None);
        let p = aes_params(Some(&ecb), None, &[])?;
        assert_eq!((p.mode, p.padding), (Mode::Ecb, Padding::None));
        let gcm = CryptographicParameters { tag_length: Some(12), ..params(Some(BlockCipherMode::GCM), None) };
        assert_eq!(aes_params(Some(&gcm), None, b"aad")?.tag_len, 12);
        Ok(())
    }

    #[test]
    fn unsupported_modes_paddings_and_lengths_are_refused() {
        let cfb = params(Some(BlockCipherMode::CFB), None);
        assert!(matches!(aes_params(Some(&cfb), None, &[]), Err(Error::Crypto(CryptoError::Unsupported(_)))));
        let oaep = params(Some(BlockCipherMode::CBC), Some(PaddingMethod::OAEP));
        assert!(matches!(aes_params(Some(&oaep), None, &[]), Err(Error::Crypto(CryptoError::Unsupported(_)))));
        let negative = CryptographicParameters { tag_length: Some(-1), ..params(Some(BlockCipherMode::GCM), None) };
        assert!(matches!(aes_params(Some(&negative), None, &[]), Err(Error::Crypto(CryptoError::InvalidTagLength(_)))));
        let cbc = params(Some(BlockCipherMode::CBC), None);
        assert!(matches!(aes_params(Some(&cbc), None, b"aad"), Err(Error::Crypto(CryptoError::InvalidInput(_)))));
    }
}
