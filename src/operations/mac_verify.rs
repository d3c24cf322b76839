//! MAC Verify (KMIP 1.4 §4.34, 2.1 §6.1.35): answers Valid or Invalid; a
//! MAC that does not match is an answer, not an error.

use crate::crypto::mac::mac_verify;
use crate::error::Error;
use crate::kmip::payloads::{MACVerifyRequest, MACVerifyResponse};
use crate::kmip::table::{CryptographicUsageMask, Operation, ValidityIndicator};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::crypto_params;
use crate::stats::UsageKind;

/// Checks the request's MAC Data against its Data with the named key.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: MACVerifyRequest) -> Result<MACVerifyResponse, Error> {
    crypto_params::refuse_streaming(req.correlation_value.is_some(), req.init_indicator, req.final_indicator)?;
    let id = ctx.resolve_id(req.unique_identifier)?;
    let key = ctx.load_live(&id).await?;
    crypto_params::check_key(
        ctx,
        &key,
        Operation::MACVerify,
        Use::Process,
        CryptographicUsageMask::MACVerify,
        "MAC Verify",
    )?;
    let (key_bytes, key_algorithm) = crypto_params::key_bytes(&key)?;
    let data = req.data.ok_or_else(|| Error::MissingData("MAC Verify needs Data".into()))?;
    let expected = req.mac_data.ok_or_else(|| Error::MissingData("MAC Verify needs MAC Data".into()))?;
    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let algorithm = crypto_params::mac_algorithm(&key, params, key_algorithm)?;
    let valid = mac_verify(algorithm, key_bytes, &data, &expected)?;
    ctx.usage(&id).record(UsageKind::MacVerify);
    Ok(MACVerifyResponse {
        unique_identifier: id,
        validity_indicator: if valid { ValidityIndicator::Valid } else { ValidityIndicator::Invalid },
        correlation_value: None,
    })
}
