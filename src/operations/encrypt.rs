//! Encrypt (KMIP 1.4 §4.29, 2.1 §6.1.21): AES in ECB, CBC, CTR or GCM with
//! a managed symmetric key.
//!
//! The hot path: one store read, no copy of the key bytes (borrowed from
//! the loaded object, which wipes them when dropped), one cipher call, the
//! ciphertext moved into the response, one atomic counter. No disk write.

use bytes::Bytes;

use crate::error::Error;
use crate::kmip::payloads::{EncryptRequest, EncryptResponse};
use crate::kmip::table::{CryptographicUsageMask, Operation};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::crypto_params;
use crate::stats::UsageKind;

/// Encrypts the request's Data with the named key.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: EncryptRequest) -> Result<EncryptResponse, Error> {
    crypto_params::refuse_streaming(req.correlation_value.is_some(), req.init_indicator, req.final_indicator)?;
    let id = ctx.resolve_id(req.unique_identifier)?;
    let key = ctx.load_live(&id).await?;
    crypto_params::check_key(ctx, &key, Operation::Encrypt, Use::Protect, CryptographicUsageMask::Encrypt, "Encrypt")?;
    let (key_bytes, algorithm) = crypto_params::key_bytes(&key)?;
    crypto_params::require_aes(&key, algorithm)?;
    let data = req.data.ok_or_else(|| Error::MissingData("Encrypt needs Data".into()))?;

    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let random_iv = params.and_then(|p| p.random_iv) == Some(true);
    if random_iv && req.iv_counter_nonce.is_some() {
        return Err(Error::InvalidField(
            "IV/Counter/Nonce is given but the Cryptographic Parameters ask for a Random IV".into(),
        ));
    }
    let aad = req.authenticated_encryption_additional_data.as_deref().unwrap_or(&[]);
    let mut aes = crypto_params::aes_params(params, req.iv_counter_nonce.as_deref(), aad)?;
    // An IV of the client's IV Length, when it names one and no IV.
    let sized_iv = match aes.iv {
        None => crypto_params::generated_iv(params, aes.mode)?,
        Some(_) => None,
    };
    if let Some(iv) = &sized_iv {
        aes.iv = Some(iv);
    }

    let encrypted = crate::crypto::symmetric::aes_encrypt(key_bytes, &aes, data.expose())?;
    drop(data);
    ctx.usage(&id).record(UsageKind::Encrypt);
    Ok(EncryptResponse {
        data: Some(Bytes::from(encrypted.ciphertext)),
        iv_counter_nonce: encrypted.iv.or(sized_iv).map(Bytes::from),
        correlation_value: None,
        authenticated_encryption_tag: encrypted.tag.map(Bytes::from),
        unique_identifier: id,
    })
}
