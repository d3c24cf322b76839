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
    let key = ctx.load_live_shared(&id).await?;
    crypto_params::check_key(
        ctx,
        &key,
        Operation::MACVerify,
        Use::Process,
        CryptographicUsageMask::MACVerify,
        "MAC Verify",
    )?;
    let (key_bytes, key_algorithm) = crypto_params::key_bytes(&key, Operation::MACVerify)?;
    let data = req.data.ok_or_else(|| Error::MissingData("MAC Verify needs Data".into()))?;
    let expected = req.mac_data.ok_or_else(|| Error::MissingData("MAC Verify needs MAC Data".into()))?;
    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let algorithm = crypto_params::mac_algorithm(&key, params, key_algorithm)?;
    let valid = mac_verify(algorithm, key_bytes, &data, &expected)?;
    ctx.record_use(&id, UsageKind::MacVerify);
    Ok(MACVerifyResponse {
        unique_identifier: id,
        validity_indicator: if valid { ValidityIndicator::Valid } else { ValidityIndicator::Invalid },
        correlation_value: None,
    })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use crate::kmip::payloads::{MACVerifyRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{
        CryptographicAlgorithm, CryptographicUsageMask as M, ResultReason as R, State, ValidityIndicator,
    };
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::crypto_cases::{key_attributes, symmetric_key, Bench};
    use crate::stats::UsageKind;

    /// RFC 4231 test case 2 (HMAC-SHA-256, key "Jefe").
    const MAC: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    fn verify(mac: &[u8]) -> RequestPayload {
        RequestPayload::MACVerify(MACVerifyRequest {
            unique_identifier: Some("k".into()),
            cryptographic_parameters: None,
            data: Some(Bytes::from_static(b"what do ya want for nothing?")),
            mac_data: Some(Bytes::copy_from_slice(mac)),
            correlation_value: None,
            init_indicator: None,
            final_indicator: None,
        })
    }

    async fn bench_with(state: State, mask: M) -> Bench {
        let bench = Bench::new();
        bench.put("k", symmetric_key(b"Jefe", CryptographicAlgorithm::HMAC_SHA256), key_attributes(state, mask)).await;
        bench
    }

    async fn validity(bench: &Bench, v: V, mac: &[u8]) -> ValidityIndicator {
        let item = bench.run(v, verify(mac)).await;
        match item.payload {
            Some(ResponsePayload::MACVerify(out)) => out.validity_indicator,
            _ => panic!("{item:?}"),
        }
    }

    #[tokio::test]
    async fn a_matching_mac_is_valid_any_other_invalid() {
        let bench = bench_with(State::Active, M::MACVerify).await;
        let good = hex::decode(MAC).expect("hex");
        assert_eq!(validity(&bench, V::V1_4, &good).await, ValidityIndicator::Valid);
        let mut bad = good.clone();
        if let Some(b) = bad.last_mut() {
            *b ^= 1;
        }
        assert_eq!(validity(&bench, V::V2_1, &bad).await, ValidityIndicator::Invalid);
        assert_eq!(validity(&bench, V::V2_1, good.get(..16).unwrap_or_default()).await, ValidityIndicator::Invalid);
        assert_eq!(bench.store.usage("k").count(UsageKind::MacVerify), 3);
    }

    #[tokio::test]
    async fn refusals_by_version() {
        let good = hex::decode(MAC).expect("hex");
        let bench = bench_with(State::Active, M::MACGenerate).await;
        assert_eq!(bench.refused(V::V1_4, verify(&good)).await.0, R::PermissionDenied);
        let (reason, message) = bench.refused(V::V2_1, verify(&good)).await;
        assert_eq!(reason, R::IncompatibleCryptographicUsageMask);
        assert!(message.contains("MAC Verify"), "{message}");
        // Processing is allowed after deactivation, not before activation.
        let bench = bench_with(State::Deactivated, M::MACVerify).await;
        assert_eq!(validity(&bench, V::V2_1, &good).await, ValidityIndicator::Valid);
        let bench = bench_with(State::PreActive, M::MACVerify).await;
        assert_eq!(bench.refused(V::V1_4, verify(&good)).await.0, R::PermissionDenied);
        assert_eq!(bench.refused(V::V2_1, verify(&good)).await.0, R::WrongKeyLifecycleState);
    }
}
