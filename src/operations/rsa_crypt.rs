//! RSA Encrypt with a managed public key and Decrypt with its private key
//! (OAEP with SHA-1 or SHA-256, PKCS#1 v1.5): the asymmetric branch of
//! Encrypt and Decrypt, which hand over when the key named is a Public or
//! Private Key.

use bytes::Bytes;

use crate::crypto::asymmetric;
use crate::crypto::CryptoError;
use crate::error::Error;
use crate::kmip::payloads::{DecryptRequest, DecryptResponse, EncryptRequest, EncryptResponse};
use crate::kmip::secret::Secret;
use crate::kmip::table::{CryptographicUsageMask, ObjectType, Operation};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;
use crate::operations::{asym_params, crypto_params};
use crate::stats::UsageKind;

/// Encrypts with an RSA public key.
pub(crate) async fn encrypt(
    ctx: &mut RequestContext<'_>,
    key: ManagedObject,
    req: EncryptRequest,
) -> Result<EncryptResponse, Error> {
    crypto_params::check_use(
        ctx,
        &key,
        ObjectType::PublicKey,
        Operation::Encrypt,
        Use::Protect,
        CryptographicUsageMask::Encrypt,
        "Encrypt",
    )?;
    if req.iv_counter_nonce.is_some() || req.authenticated_encryption_additional_data.is_some() {
        return Err(Error::InvalidField("RSA encryption takes no IV/Counter/Nonce nor additional data".into()));
    }
    let (public, _) = asym_params::public_key(&key, Operation::Encrypt)?;
    let data = req.data.ok_or_else(|| Error::MissingData("Encrypt needs Data".into()))?;
    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let padding = asym_params::rsa_padding(params)?;
    crypto_params::consume_usage_limit(ctx, &key, Operation::Encrypt, data.len()).await?;
    let ciphertext = asymmetric::rsa_encrypt(&public, padding, data.expose()).map_err(Error::Crypto)?;
    drop(data);
    ctx.record_use(&key.id, UsageKind::Encrypt);
    Ok(EncryptResponse {
        data: Some(Bytes::from(ciphertext)),
        iv_counter_nonce: None,
        correlation_value: None,
        authenticated_encryption_tag: None,
        unique_identifier: key.id,
    })
}

/// Decrypts with an RSA private key.
pub(crate) async fn decrypt(
    ctx: &mut RequestContext<'_>,
    key: ManagedObject,
    req: DecryptRequest,
) -> Result<DecryptResponse, Error> {
    crypto_params::check_use(
        ctx,
        &key,
        ObjectType::PrivateKey,
        Operation::Decrypt,
        Use::Process,
        CryptographicUsageMask::Decrypt,
        "Decrypt",
    )?;
    let (private, _) = asym_params::private_key(&key, Operation::Decrypt)?;
    let data = req.data.ok_or_else(|| Error::MissingData("Decrypt needs Data".into()))?;
    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let padding = asym_params::rsa_padding(params)?;
    crypto_params::consume_usage_limit(ctx, &key, Operation::Decrypt, data.len()).await?;
    let plaintext = asymmetric::rsa_decrypt(&private, padding, &data).map_err(|e| match e {
        CryptoError::AuthenticationFailed => Error::CryptographicFailure(format!(
            "the RSA ciphertext did not decrypt with object {:?}: wrong key, padding or data",
            key.id
        )),
        other => Error::Crypto(other),
    })?;
    ctx.record_use(&key.id, UsageKind::Decrypt);
    Ok(DecryptResponse {
        unique_identifier: key.id,
        data: Some(Secret::from_slice(&plaintext)),
        correlation_value: None,
    })
}
