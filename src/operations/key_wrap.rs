//! Key wrapping for Get (KMIP 1.4 §2.1.5-2.1.6) and unwrapping for
//! Register: Wrapping Method Encrypt with an AES key (AES key wrap, RFC 3394
//! or RFC 5649) or an RSA public key (OAEP).
//!
//! Only the No Encoding option is done: the key material bytes are wrapped.
//! TTLV encoding is refused. The wrapping itself is crypto/keywrap.rs (AES)
//! and crypto/asymmetric.rs (RSA-OAEP); this file chooses the key and the
//! parameters, and builds the KMIP key blocks.

use zeroize::Zeroizing;

use crate::crypto::asymmetric::{self, RsaPadding};
use crate::crypto::keywrap::{self, WrapMode};
use crate::crypto::CryptoError;
use crate::error::Error;
use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::objects::{
    KeyBlock, KeyInformation, KeyMaterial, KeyValue, KeyWrappingData, KeyWrappingSpecification,
};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    BlockCipherMode, CryptographicAlgorithm as Alg, CryptographicUsageMask as Mask, EncodingOption, HashingAlgorithm,
    ObjectType, Operation, PaddingMethod, WrappingMethod,
};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;
use crate::operations::{asym_params, crypto_params};

/// AES-wraps `key` under `kek`.
fn aes_wrap(mode: WrapMode, kek: &[u8], key: &[u8]) -> Result<Vec<u8>, Error> {
    keywrap::wrap(mode, kek, key).map_err(|e| match e {
        CryptoError::InvalidKeyLength { actual, .. } => {
            Error::InvalidField(format!("an AES wrapping key is 16, 24 or 32 bytes, not {actual}"))
        }
        CryptoError::InvalidInput(_) if mode == WrapMode::Rfc3394 => Error::BadCryptographicParameters(format!(
            "NIST Key Wrap (RFC 3394) wraps a multiple of 8 bytes, at least 16; this key is {} bytes \
             (AES Key Wrap Padding takes any length)",
            key.len()
        )),
        _ => Error::CryptographicFailure("AES key wrap failed".into()),
    })
}

/// AES-unwraps `wrapped` under `kek`.
fn aes_unwrap(mode: WrapMode, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    keywrap::unwrap(mode, kek, wrapped).map_err(|e| match e {
        CryptoError::InvalidKeyLength { actual, .. } => {
            Error::InvalidField(format!("an AES wrapping key is 16, 24 or 32 bytes, not {actual}"))
        }
        // A wrong key, a tampered blob or an impossible length: the integrity check failed.
        _ => Error::CryptographicFailure("AES key unwrap failed: wrong key or corrupted wrapped key".into()),
    })
}

/// RSA-OAEP as the wrapping parameters say: the hash defaults to SHA-1, MGF1's
/// to the hash; P Source is the label.
fn oaep(params: Option<&CryptographicParameters>) -> Result<RsaPadding<'_>, Error> {
    for h in [params.and_then(|p| p.hashing_algorithm), params.and_then(|p| p.mask_generator_hashing_algorithm)] {
        match h {
            None
            | Some(
                HashingAlgorithm::SHA_1
                | HashingAlgorithm::SHA_224
                | HashingAlgorithm::SHA_256
                | HashingAlgorithm::SHA_384
                | HashingAlgorithm::SHA_512,
            ) => {}
            Some(other) => {
                return Err(Error::BadCryptographicParameters(format!(
                    "RSA-OAEP wrapping takes SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512, not {}",
                    other.name().unwrap_or("unknown")
                )))
            }
        }
    }
    // Wrapping always pads with OAEP, whatever Padding Method the key's parameters name.
    asym_params::oaep(params)
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
    let object_type = match key.object_type() {
        Some(t @ (ObjectType::SymmetricKey | ObjectType::PublicKey | ObjectType::PrivateKey)) => t,
        Some(object_type) => return Err(Error::WrongObjectType { id: Some(key.id.clone()), object_type, operation }),
        None => return Err(Error::Internal(format!("object {} has no Object Type", key.id))),
    };
    crypto_params::check_use(ctx, &key, object_type, operation, what, bit, usage)?;
    // Unlike Encrypt's keys, a wrapping key must say so: wrapping hands key material out.
    if key.usage_mask().is_none() {
        return Err(Error::UsageNotAllowed { id: key.id.clone(), usage });
    }
    let params = crypto_params::effective(info.cryptographic_parameters.as_ref(), &key).cloned();
    Ok(Wrapper { params, key })
}

fn aes_mode(params: Option<&CryptographicParameters>, len: usize) -> Result<WrapMode, Error> {
    match params.and_then(|p| p.block_cipher_mode) {
        Some(BlockCipherMode::NISTKeyWrap) => Ok(WrapMode::Rfc3394),
        Some(BlockCipherMode::AESKeyWrapPadding) => Ok(WrapMode::Rfc5649),
        None if len.is_multiple_of(8) && len >= 16 => Ok(WrapMode::Rfc3394),
        None => Ok(WrapMode::Rfc5649),
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
    block: &KeyBlock,
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
                WrapMode::Rfc3394 => BlockCipherMode::NISTKeyWrap,
                WrapMode::Rfc5649 => BlockCipherMode::AESKeyWrapPadding,
            });
            aes_wrap(mode, kek, plain)?
        }
        (Some(ObjectType::PublicKey), Some(Alg::RSA)) => {
            let (public, _) = asym_params::public_key(&w.key, Operation::Get)?;
            used.padding_method = Some(PaddingMethod::OAEP);
            used.hashing_algorithm = Some(used.hashing_algorithm.unwrap_or(HashingAlgorithm::SHA_1));
            asymmetric::rsa_encrypt(&public, oaep(w.params.as_ref())?, plain)
                .map_err(|_| Error::CryptographicFailure("RSA-OAEP wrapping failed (is the key too long?)".into()))?
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
        key_format_type: block.key_format_type,
        key_compression_type: block.key_compression_type,
        cryptographic_algorithm: block.cryptographic_algorithm,
        cryptographic_length: block.cryptographic_length,
    })
}

/// A wrapped key block that Register received, unwrapped with the key its
/// Key Wrapping Data names (which must allow Unwrap Key); `None` for a
/// block that is not wrapped.
pub(crate) async fn unwrap(ctx: &RequestContext<'_>, block: &KeyBlock) -> Result<Option<KeyBlock>, Error> {
    let Some(data) = block.key_wrapping_data.as_ref() else { return Ok(None) };
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
                WrapMode::Rfc3394 if w.params.as_ref().and_then(|p| p.block_cipher_mode).is_none() => {
                    aes_unwrap(WrapMode::Rfc3394, kek, wrapped)
                        .or_else(|_| aes_unwrap(WrapMode::Rfc5649, kek, wrapped))?
                }
                mode => aes_unwrap(mode, kek, wrapped)?,
            }
        }
        (Some(ObjectType::PrivateKey), Some(Alg::RSA)) => {
            let (private, _) = asym_params::private_key(&w.key, Operation::Register)?;
            asymmetric::rsa_decrypt(&private, oaep(w.params.as_ref())?, wrapped)
                .map_err(|_| Error::CryptographicFailure("RSA-OAEP unwrapping failed".into()))?
        }
        (t, a) => {
            return Err(Error::FeatureNotSupported(format!(
                "unwrapping with a {} {} key is not supported (AES symmetric keys and RSA private keys are)",
                a.and_then(|a| a.name()).unwrap_or("unknown"),
                t.map(crate::operations::new_object::type_name).unwrap_or_default()
            )))
        }
    };
    Ok(Some(KeyBlock {
        key_compression_type: block.key_compression_type,
        ..KeyBlock::plain(
            block.key_format_type,
            KeyMaterial::Bytes(Secret::from_slice(&plain)),
            block.cryptographic_algorithm,
            block.cryptographic_length,
        )
    }))
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
        let wrapped = aes_wrap(WrapMode::Rfc3394, &kek, &key).expect("wrap");
        assert_eq!(
            hex::encode_upper(&wrapped),
            "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"
        );
        assert_eq!(aes_unwrap(WrapMode::Rfc3394, &kek, &wrapped).expect("unwrap").as_slice(), key.as_slice());
        // RFC 5649 §6: 192-bit KEK, 7-byte key.
        let kek = unhex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
        let key = unhex("466f7250617369");
        let wrapped = aes_wrap(WrapMode::Rfc5649, &kek, &key).expect("wrap");
        assert_eq!(hex::encode(&wrapped), "afbeb0f07dfbf5419200f2ccb50bb24f");
        assert_eq!(aes_unwrap(WrapMode::Rfc5649, &kek, &wrapped).expect("unwrap").as_slice(), key.as_slice());
        // A flipped bit fails the integrity check.
        let mut bad = wrapped;
        if let Some(b) = bad.first_mut() {
            *b ^= 1;
        }
        assert!(matches!(aes_unwrap(WrapMode::Rfc5649, &kek, &bad), Err(Error::CryptographicFailure(_))));
        assert!(matches!(aes_wrap(WrapMode::Rfc3394, &kek, &key), Err(Error::BadCryptographicParameters(_))));
    }
}
