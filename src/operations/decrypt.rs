//! Decrypt (KMIP 1.4 §4.30, 2.1 §6.1.16): AES in ECB, CBC, CTR or GCM with
//! a managed symmetric key; the plaintext is held in zeroizing memory.

use crate::crypto::symmetric::{aes_decrypt, Mode};
use crate::crypto::CryptoError;
use crate::error::Error;
use crate::kmip::payloads::{DecryptRequest, DecryptResponse};
use crate::kmip::secret::Secret;
use crate::kmip::table::{CryptographicUsageMask, Operation};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::crypto_params;
use crate::stats::UsageKind;

/// Decrypts the request's Data with the named key.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: DecryptRequest) -> Result<DecryptResponse, Error> {
    crypto_params::refuse_streaming(req.correlation_value.is_some(), req.init_indicator, req.final_indicator)?;
    let id = ctx.resolve_id(req.unique_identifier)?;
    let key = ctx.load_live(&id).await?;
    crypto_params::check_key(ctx, &key, Operation::Decrypt, Use::Process, CryptographicUsageMask::Decrypt, "Decrypt")?;
    let (key_bytes, algorithm) = crypto_params::key_bytes(&key)?;
    crypto_params::require_aes(&key, algorithm)?;
    let data = req.data.ok_or_else(|| Error::MissingData("Decrypt needs Data".into()))?;

    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let aad = req.authenticated_encryption_additional_data.as_deref().unwrap_or(&[]);
    let aes = crypto_params::aes_params(params, req.iv_counter_nonce.as_deref(), aad)?;
    if aes.mode != Mode::Ecb && aes.iv.is_none() {
        return Err(Error::IvMissing(format!(
            "Decrypt in {:?} mode needs the IV/Counter/Nonce used to encrypt, and the request has none",
            aes.mode
        )));
    }
    let tag = req.authenticated_encryption_tag.as_deref();
    if aes.mode == Mode::Gcm {
        match tag {
            None => return Err(Error::MissingData("GCM Decrypt needs the Authenticated Encryption Tag".into())),
            Some(t) if t.len() != aes.tag_len => {
                return Err(Error::InvalidField(format!(
                    "the Authenticated Encryption Tag is {} bytes but the Tag Length is {}",
                    t.len(),
                    aes.tag_len
                )))
            }
            Some(_) => {}
        }
    }
    // Only GCM takes a tag; one sent with another mode is ignored, as the
    // spec defines it for authenticated modes only.
    let tag = if aes.mode == Mode::Gcm { tag } else { None };

    let mut plaintext = aes_decrypt(key_bytes, &aes, &data, tag).map_err(|e| match e {
        CryptoError::AuthenticationFailed if aes.mode == Mode::Gcm => Error::CryptographicFailure(format!(
            "the Authenticated Encryption Tag did not verify with object {id:?}: wrong key, IV, data, additional \
             data or tag"
        )),
        CryptoError::AuthenticationFailed => Error::CryptographicFailure(format!(
            "the PKCS#5 padding did not verify after decrypting with object {id:?}: wrong key, IV or data"
        )),
        other => Error::Crypto(other),
    })?;
    ctx.usage(&id).record(UsageKind::Decrypt);
    Ok(DecryptResponse {
        unique_identifier: id,
        // Moved, not copied, out of the zeroizing buffer into the secret.
        data: Some(Secret::new(std::mem::take(&mut *plaintext))),
        correlation_value: None,
    })
}
