//! Sign (KMIP 1.4 §4.31, 2.1 §6.1.51): RSA PKCS#1 v1.5 and PSS, ECDSA and
//! Ed25519 with a managed private key, over Data, or over Digested Data
//! (2.x) that the client hashed itself.

use bytes::Bytes;

use crate::crypto::signature;
use crate::error::Error;
use crate::kmip::payloads::{SignRequest, SignResponse};
use crate::kmip::table::{CryptographicUsageMask, ObjectType, Operation};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::{asym_params, crypto_params};
use crate::stats::UsageKind;

/// Signs the request's Data (or Digested Data) with the named private key.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: SignRequest) -> Result<SignResponse, Error> {
    crypto_params::refuse_streaming(req.correlation_value.is_some(), req.init_indicator, req.final_indicator)?;
    let id = ctx.resolve_id(req.unique_identifier)?;
    let key = ctx.load_live(&id).await?;
    crypto_params::check_use(
        ctx,
        &key,
        ObjectType::PrivateKey,
        Operation::Sign,
        Use::Protect,
        CryptographicUsageMask::Sign,
        "Sign",
    )?;
    let (private, algorithm) = asym_params::private_key(&key, Operation::Sign)?;
    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let scheme = asym_params::signature_scheme(params, algorithm)?;
    let signature = match (&req.data, &req.digested_data) {
        (Some(data), None) => {
            crypto_params::consume_usage_limit(ctx, &key, Operation::Sign, data.len()).await?;
            signature::sign(&private, scheme, data)
        }
        (None, Some(digest)) => {
            crypto_params::consume_usage_limit(ctx, &key, Operation::Sign, digest.len()).await?;
            signature::sign_digest(&private, scheme, digest)
        }
        (Some(_), Some(_)) => return Err(Error::InvalidField("Sign takes Data or Digested Data, not both".into())),
        (None, None) => return Err(Error::MissingData("Sign needs Data or Digested Data".into())),
    }
    .map_err(Error::Crypto)?;
    drop(private);
    ctx.record_use(&id, UsageKind::Sign);
    Ok(SignResponse { unique_identifier: id, signature_data: Some(Bytes::from(signature)), correlation_value: None })
}
