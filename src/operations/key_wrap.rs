//! Key wrapping for Get (KMIP 1.4 §2.1.5-2.1.6) and unwrapping for
//! Register: Wrapping Method Encrypt with an AES key (AES key wrap, RFC 3394
//! or RFC 5649) or an RSA public key (OAEP).
//!
//! Only the No Encoding option is done: the key material bytes are wrapped.
//! TTLV encoding is refused. Written over openssl here because the shared
//! key-wrap layer (crypto/keywrap.rs) was not on main yet.

use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::CipherCtx;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::objects::{
    KeyBlock, KeyInformation, KeyMaterial, KeyValue, KeyWrappingData, KeyWrappingSpecification,
};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    BlockCipherMode, CryptographicAlgorithm as Alg, CryptographicUsageMask as Mask, EncodingOption, HashingAlgorithm,
    ObjectType, Operation, WrappingMethod,
};
use crate::lifecycle::{self, Use};
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;

/// How AES wraps: RFC 3394 (no padding) or RFC 5649 (with padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AesWrap {
    /// RFC 3394, NIST SP 800-38F KW: whole 8-byte blocks, at least 16 bytes.
    Rfc3394,
    /// RFC 5649, NIST SP 800-38F KWP: any length.
    Rfc5649,
}

fn cipher(mode: AesWrap, kek_len: usize) -> Result<&'static CipherRef, Error> {
    Ok(match (mode, kek_len) {
        (AesWrap::Rfc3394, 16) => Cipher::aes_128_wrap(),
        (AesWrap::Rfc3394, 24) => Cipher::aes_192_wrap(),
        (AesWrap::Rfc3394, 32) => Cipher::aes_256_wrap(),
        (AesWrap::Rfc5649, 16) => Cipher::aes_128_wrap_pad(),
        (AesWrap::Rfc5649, 24) => Cipher::aes_192_wrap_pad(),
        (AesWrap::Rfc5649, 32) => Cipher::aes_256_wrap_pad(),
        (_, n) => return Err(Error::InvalidField(format!("an AES wrapping key is 16, 24 or 32 bytes, not {n}"))),
    })
}

fn aes(mode: AesWrap, kek: &[u8], input: &[u8], encrypt: bool) -> Result<Zeroizing<Vec<u8>>, Error> {
    let failed = |_| {
        if encrypt {
            Error::CryptographicFailure("AES key wrap failed".into())
        } else {
            // A wrong key or a tampered blob: the integrity check failed.
            Error::CryptographicFailure("AES key unwrap failed: wrong key or corrupted wrapped key".into())
        }
    };
    let cipher = cipher(mode, kek.len())?;
    let mut ctx = CipherCtx::new().map_err(failed)?;
    if encrypt {
        ctx.encrypt_init(Some(cipher), Some(kek), None).map_err(failed)?;
    } else {
        ctx.decrypt_init(Some(cipher), Some(kek), None).map_err(failed)?;
    }
    let mut out = Zeroizing::new(vec![0u8; input.len().saturating_add(32)]);
    let n = ctx.cipher_update(input, Some(&mut out)).map_err(failed)?;
    let m = ctx.cipher_final(out.get_mut(n..).unwrap_or_default()).map_err(failed)?;
    out.truncate(n.saturating_add(m));
    Ok(out)
}

/// AES-wraps `key` under `kek`.
pub(crate) fn aes_wrap(mode: AesWrap, kek: &[u8], key: &[u8]) -> Result<Vec<u8>, Error> {
    if mode == AesWrap::Rfc3394 && (!key.len().is_multiple_of(8) || key.len() < 16) {
        return Err(Error::BadCryptographicParameters(format!(
            "NIST Key Wrap (RFC 3394) wraps a multiple of 8 bytes, at least 16; this key is {} bytes \
             (AES Key Wrap Padding takes any length)",
            key.len()
        )));
    }
    Ok(aes(mode, kek, key, true)?.to_vec())
}

/// AES-unwraps `wrapped` under `kek`.
pub(crate) fn aes_unwrap(mode: AesWrap, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    aes(mode, kek, wrapped, false)
}

fn digest(hash: Option<HashingAlgorithm>) -> Result<MessageDigest, Error> {
    match hash {
        None | Some(HashingAlgorithm::SHA_1) => Ok(MessageDigest::sha1()),
        Some(HashingAlgorithm::SHA_224) => Ok(MessageDigest::sha224()),
        Some(HashingAlgorithm::SHA_256) => Ok(MessageDigest::sha256()),
        Some(HashingAlgorithm::SHA_384) => Ok(MessageDigest::sha384()),
        Some(HashingAlgorithm::SHA_512) => Ok(MessageDigest::sha512()),
        Some(other) => Err(Error::BadCryptographicParameters(format!(
            "RSA-OAEP wrapping takes SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512, not {}",
            other.name().unwrap_or("unknown")
        ))),
    }
}

fn oaep<T>(ctx: &mut PkeyCtx<T>, params: Option<&CryptographicParameters>) -> Result<(), Error> {
    let md = digest(params.and_then(|p| p.hashing_algorithm))?;
    let mgf =
        digest(params.and_then(|p| p.mask_generator_hashing_algorithm).or(params.and_then(|p| p.hashing_algorithm)))?;
    let setup = |_| Error::CryptographicFailure("setting up RSA-OAEP failed".into());
    ctx.set_rsa_padding(Padding::PKCS1_OAEP).map_err(setup)?;
    ctx.set_rsa_oaep_md(openssl::md::Md::from_nid(md.type_()).ok_or(Error::Internal("digest".into()))?)
        .map_err(setup)?;
    ctx.set_rsa_mgf1_md(openssl::md::Md::from_nid(mgf.type_()).ok_or(Error::Internal("digest".into()))?)
        .map_err(setup)?;
    Ok(())
}

/// The wrapping method, key and parameters, checked and ready to use.
struct Wrapper {
    key: ManagedObject,
    params: Option<CryptographicParameters>,
}

fn key_material(key: &ManagedObject) -> Result<(&KeyBlock, &[u8]), Error> {
    let block =
        key.object.as_ref().and_then(|o| o.key_block()).ok_or_else(|| Error::ObjectDestroyed { id: key.id.clone() })?;
    match &block.key_value {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => Ok((block, b.expose())),
        _ => Err(Error::InvalidField(format!("object {:?} holds no key the server can wrap with", key.id))),
    }
}

/// Loads the wrapping (or unwrapping) key named in `info` and checks that
/// it may be used now for `bit`.
async fn wrapper(
    ctx: &RequestContext<'_>,
    info: &KeyInformation,
    operation: Operation,
    what: Use,
    bit: Mask,
    usage: &'static str,
) -> Result<Wrapper, Error> {
    let key = ctx.load_live(&info.unique_identifier).await?;
    match key.object_type() {
        Some(ObjectType::SymmetricKey | ObjectType::PublicKey | ObjectType::PrivateKey) => {}
        Some(object_type) => return Err(Error::WrongObjectType { id: key.id.clone(), object_type, operation }),
        None => return Err(Error::Internal(format!("object {} has no Object Type", key.id))),
    }
    lifecycle::check_use(&key, operation, what, ctx.now_kmip())?;
    match key.usage_mask() {
        Some(mask) if mask.contains(bit) || mask.contains(Mask::Unrestricted) => {}
        // Unlike Encrypt's keys, a wrapping key must say so: wrapping hands key material out.
        _ => return Err(Error::UsageNotAllowed { id: key.id.clone(), usage }),
    }
    let stored = key.find(|a| match a {
        crate::kmip::attributes::Attribute::CryptographicParameters(p) => Some(p.clone()),
        _ => None,
    });
    Ok(Wrapper { params: info.cryptographic_parameters.clone().or(stored), key })
}

fn aes_mode(params: Option<&CryptographicParameters>, len: usize) -> Result<AesWrap, Error> {
    match params.and_then(|p| p.block_cipher_mode) {
        Some(BlockCipherMode::NISTKeyWrap) => Ok(AesWrap::Rfc3394),
        Some(BlockCipherMode::AESKeyWrapPadding) => Ok(AesWrap::Rfc5649),
        None if len.is_multiple_of(8) && len >= 16 => Ok(AesWrap::Rfc3394),
        None => Ok(AesWrap::Rfc5649),
        Some(other) => Err(Error::BadCryptographicParameters(format!(
            "an AES key wraps with NIST Key Wrap or AES Key Wrap Padding, not {}",
            other.name().unwrap_or("unknown")
        ))),
    }
}

fn check_encoding(encoding: Option<EncodingOption>) -> Result<(), Error> {
    match encoding {
        None | Some(EncodingOption::NoEncoding) => Ok(()),
        Some(_) => Err(Error::FeatureNotSupported(
            "only the No Encoding option of key wrapping is supported: the key material bytes are wrapped".into(),
        )),
    }
}

/// Wraps a key block as Get was asked to (`spec`), under a key that allows
/// Wrap Key and is Active.
pub(crate) async fn wrap(
    ctx: &RequestContext<'_>,
    spec: &KeyWrappingSpecification,
    block: KeyBlock,
) -> Result<KeyBlock, Error> {
    if spec.wrapping_method != WrappingMethod::Encrypt {
        return Err(Error::FeatureNotSupported(format!(
            "Wrapping Method {} is not supported; Encrypt is",
            spec.wrapping_method.name().unwrap_or("unknown")
        )));
    }
    check_encoding(spec.encoding_option)?;
    if !spec.attribute_names.is_empty() {
        return Err(Error::FeatureNotSupported("wrapping attributes with the key is not supported".into()));
    }
    let info = spec.encryption_key_information.as_ref().ok_or_else(|| {
        Error::MissingData("the Key Wrapping Specification names no Encryption Key Information".into())
    })?;
    let w = wrapper(ctx, info, Operation::Get, Use::Protect, Mask::WrapKey, "Wrap Key").await?;
    let plain = match &block.key_value {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => b.expose(),
        _ => {
            return Err(Error::KeyFormatNotSupported(
                "a Transparent key cannot be wrapped without TTLV encoding; ask for a byte format".into(),
            ))
        }
    };
    let (kek_block, kek) = key_material(&w.key)?;
    // The response names the parameters used (PyKMIP reads them unconditionally).
    let mut used = w.params.clone().unwrap_or_else(crate::operations::crypto_params::none);
    let wrapped = match (w.key.object_type(), kek_block.cryptographic_algorithm) {
        (Some(ObjectType::SymmetricKey), Some(Alg::AES)) => {
            let mode = aes_mode(w.params.as_ref(), plain.len())?;
            used.block_cipher_mode = Some(match mode {
                AesWrap::Rfc3394 => BlockCipherMode::NISTKeyWrap,
                AesWrap::Rfc5649 => BlockCipherMode::AESKeyWrapPadding,
            });
            aes_wrap(mode, kek, plain)?
        }
        (Some(ObjectType::PublicKey), Some(Alg::RSA)) => {
            let public = PKey::public_key_from_der(kek)
                .map_err(|_| Error::Internal(format!("public key {} is not stored as SPKI", w.key.id)))?;
            let failed = |_| Error::CryptographicFailure("RSA-OAEP wrapping failed (is the key too long?)".into());
            used.padding_method = Some(crate::kmip::table::PaddingMethod::OAEP);
            used.hashing_algorithm = Some(used.hashing_algorithm.unwrap_or(HashingAlgorithm::SHA_1));
            let mut pctx = PkeyCtx::new(&public).map_err(failed)?;
            pctx.encrypt_init().map_err(failed)?;
            oaep(&mut pctx, w.params.as_ref())?;
            let mut out = Vec::new();
            pctx.encrypt_to_vec(plain, &mut out).map_err(failed)?;
            out
        }
        (t, a) => {
            return Err(Error::FeatureNotSupported(format!(
                "wrapping under a {} {} key is not supported (AES symmetric keys and RSA public keys are)",
                a.and_then(|a| a.name()).unwrap_or("unknown"),
                t.map(crate::operations::new_object::type_name).unwrap_or_default()
            )))
        }
    };
    Ok(KeyBlock {
        // A Key Value structure whose Key Material is the wrapped bytes (No
        // Encoding, KMIP 1.4 §2.1.5: "SHALL NOT contain any attributes"), the
        // form PyKMIP reads; a bare Byte String Key Value it cannot parse.
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Secret::new(wrapped)),
            attributes: Default::default(),
        }),
        key_wrapping_data: Some(KeyWrappingData {
            wrapping_method: WrappingMethod::Encrypt,
            encryption_key_information: Some(KeyInformation {
                unique_identifier: w.key.id.clone(),
                cryptographic_parameters: Some(used),
            }),
            mac_signature_key_information: None,
            mac_signature: None,
            iv_counter_nonce: None,
            encoding_option: Some(EncodingOption::NoEncoding),
        }),
        ..block
    })
}

/// A wrapped key block that Register received, unwrapped with the key its
/// Key Wrapping Data names (which must allow Unwrap Key); other blocks are
/// returned as they are.
pub(crate) async fn unwrap(ctx: &RequestContext<'_>, block: KeyBlock) -> Result<KeyBlock, Error> {
    let Some(data) = block.key_wrapping_data.as_ref() else { return Ok(block) };
    if data.wrapping_method != WrappingMethod::Encrypt {
        return Err(Error::FeatureNotSupported(format!(
            "Wrapping Method {} is not supported; Encrypt is",
            data.wrapping_method.name().unwrap_or("unknown")
        )));
    }
    check_encoding(data.encoding_option)?;
    let info = data
        .encryption_key_information
        .as_ref()
        .ok_or_else(|| Error::MissingData("the Key Wrapping Data names no Encryption Key Information".into()))?;
    let wrapped = match &block.key_value {
        Some(KeyValue::Wrapped(b)) => b.expose(),
        // A Key Value whose Key Material is the wrapped byte string.
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => b.expose(),
        _ => return Err(Error::InvalidField("a wrapped key's Key Value is a Byte String".into())),
    };
    let w = wrapper(ctx, info, Operation::Register, Use::Process, Mask::UnwrapKey, "Unwrap Key").await?;
    let (kek_block, kek) = key_material(&w.key)?;
    let plain = match (w.key.object_type(), kek_block.cryptographic_algorithm) {
        (Some(ObjectType::SymmetricKey), Some(Alg::AES)) => {
            // The padded form's length is also a multiple of 8: only the parameters or a retry tell.
            match aes_mode(w.params.as_ref(), wrapped.len().saturating_sub(8))? {
                AesWrap::Rfc3394 if w.params.as_ref().and_then(|p| p.block_cipher_mode).is_none() => {
                    aes_unwrap(AesWrap::Rfc3394, kek, wrapped)
                        .or_else(|_| aes_unwrap(AesWrap::Rfc5649, kek, wrapped))?
                }
                mode => aes_unwrap(mode, kek, wrapped)?,
            }
        }
        (Some(ObjectType::PrivateKey), Some(Alg::RSA)) => {
            let private = Zeroizing::new(kek.to_vec());
            let private = PKey::private_key_from_pkcs8(&private)
                .map_err(|_| Error::Internal(format!("private key {} is not stored as PKCS#8", w.key.id)))?;
            let failed = |_| Error::CryptographicFailure("RSA-OAEP unwrapping failed".into());
            let mut pctx = PkeyCtx::new(&private).map_err(failed)?;
            pctx.decrypt_init().map_err(failed)?;
            oaep(&mut pctx, w.params.as_ref())?;
            let mut out = Zeroizing::new(Vec::new());
            pctx.decrypt_to_vec(wrapped, &mut out).map_err(failed)?;
            out
        }
        (t, a) => {
            return Err(Error::FeatureNotSupported(format!(
                "unwrapping with a {} {} key is not supported (AES symmetric keys and RSA private keys are)",
                a.and_then(|a| a.name()).unwrap_or("unknown"),
                t.map(crate::operations::new_object::type_name).unwrap_or_default()
            )))
        }
    };
    Ok(KeyBlock {
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Secret::from_slice(&plain)),
            attributes: Default::default(),
        }),
        key_wrapping_data: None,
        ..block
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).expect("hex")
    }

    #[test]
    fn rfc3394_and_rfc5649_known_answers() {
        // RFC 3394 §4.6: 256-bit KEK, 256-bit key.
        let kek = unhex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
        let key = unhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
        let wrapped = aes_wrap(AesWrap::Rfc3394, &kek, &key).expect("wrap");
        assert_eq!(
            hex::encode_upper(&wrapped),
            "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"
        );
        assert_eq!(aes_unwrap(AesWrap::Rfc3394, &kek, &wrapped).expect("unwrap").as_slice(), key.as_slice());
        // RFC 5649 §6: 192-bit KEK, 7-byte key.
        let kek = unhex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
        let key = unhex("466f7250617369");
        let wrapped = aes_wrap(AesWrap::Rfc5649, &kek, &key).expect("wrap");
        assert_eq!(hex::encode(&wrapped), "afbeb0f07dfbf5419200f2ccb50bb24f");
        assert_eq!(aes_unwrap(AesWrap::Rfc5649, &kek, &wrapped).expect("unwrap").as_slice(), key.as_slice());
        // A flipped bit fails the integrity check.
        let mut bad = wrapped;
        if let Some(b) = bad.first_mut() {
            *b ^= 1;
        }
        assert!(matches!(aes_unwrap(AesWrap::Rfc5649, &kek, &bad), Err(Error::CryptographicFailure(_))));
        assert!(matches!(aes_wrap(AesWrap::Rfc3394, &kek, &key), Err(Error::BadCryptographicParameters(_))));
    }
}
