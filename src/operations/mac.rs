//! MAC (KMIP 1.4 §4.33, 2.1 §6.1.34): HMAC with an HMAC key, or CMAC with
//! an AES key, as the Cryptographic Parameters or the key's algorithm say.

use bytes::Bytes;

use crate::crypto::mac::mac;
use crate::error::Error;
use crate::kmip::payloads::{MACRequest, MACResponse};
use crate::kmip::table::{CryptographicUsageMask, Operation};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::crypto_params;
use crate::stats::UsageKind;

/// Computes the MAC of the request's Data with the named key.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: MACRequest) -> Result<MACResponse, Error> {
    crypto_params::refuse_streaming(req.correlation_value.is_some(), req.init_indicator, req.final_indicator)?;
    let id = ctx.resolve_id(req.unique_identifier)?;
    let key = ctx.load_live(&id).await?;
    crypto_params::check_key(
        ctx,
        &key,
        Operation::MAC,
        Use::Protect,
        CryptographicUsageMask::MACGenerate,
        "MAC Generate",
    )?;
    let (key_bytes, key_algorithm) = crypto_params::key_bytes(&key)?;
    let data = req.data.ok_or_else(|| Error::MissingData("MAC needs Data".into()))?;
    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let algorithm = crypto_params::mac_algorithm(&key, params, key_algorithm)?;
    let mac_data = mac(algorithm, key_bytes, &data)?;
    ctx.usage(&id).record(UsageKind::Mac);
    Ok(MACResponse { unique_identifier: id, mac_data: Some(Bytes::from(mac_data)), correlation_value: None })
}
