//! Signature Verify (KMIP 1.4 §4.32, 2.1 §6.1.52): checks a signature with
//! a managed public key and answers a Validity Indicator. A signature that
//! does not match is a successful operation answering Invalid, not a failure.

use crate::crypto::signature;
use crate::error::Error;
use crate::kmip::payloads::{SignatureVerifyRequest, SignatureVerifyResponse};
use crate::kmip::table::{CryptographicUsageMask, ObjectType, Operation, ValidityIndicator};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::{asym_params, crypto_params};
use crate::stats::UsageKind;

/// Verifies the request's Signature Data over its Data (or Digested Data).
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: SignatureVerifyRequest,
) -> Result<SignatureVerifyResponse, Error> {
    crypto_params::refuse_streaming(req.correlation_value.is_some(), req.init_indicator, req.final_indicator)?;
    let id = ctx.resolve_id(req.unique_identifier)?;
    let key = ctx.load_live(&id).await?;
    crypto_params::check_use(
        ctx,
        &key,
        ObjectType::PublicKey,
        Operation::SignatureVerify,
        Use::Process,
        CryptographicUsageMask::Verify,
        "Verify",
    )?;
    let (public, algorithm) = asym_params::public_key(&key, Operation::SignatureVerify)?;
    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let scheme = asym_params::signature_scheme(params, algorithm)?;
    let signature =
        req.signature_data.ok_or_else(|| Error::MissingData("Signature Verify needs Signature Data".into()))?;
    let check = |scheme| match (&req.data, &req.digested_data) {
        (Some(data), None) => signature::verify(&public, scheme, data, &signature).map_err(Error::Crypto),
        (None, Some(digest)) => signature::verify_digest(&public, scheme, digest, &signature).map_err(Error::Crypto),
        (Some(_), Some(_)) => Err(Error::InvalidField("Signature Verify takes Data or Digested Data, not both".into())),
        (None, None) => Err(Error::MissingData("Signature Verify needs Data or Digested Data".into())),
    };
    let mut valid = check(scheme)?;
    // A PSS signature's salt length is the signer's choice; with none named,
    // the maximum length is accepted too (CS-AC-M-2's reference signatures).
    if !valid && !asym_params::salt_named(params) {
        if let Some(alternative) = asym_params::pss_alternative(scheme, &public) {
            valid = check(alternative)?;
        }
    }
    ctx.record_use(&id, UsageKind::SignatureVerify);
    Ok(SignatureVerifyResponse {
        unique_identifier: id,
        validity_indicator: if valid { ValidityIndicator::Valid } else { ValidityIndicator::Invalid },
        data: None,
        correlation_value: None,
    })
}
