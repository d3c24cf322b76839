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
    let key = ctx.load_live_shared(&id).await?;
    crypto_params::check_key(
        ctx,
        &key,
        Operation::MAC,
        Use::Protect,
        CryptographicUsageMask::MACGenerate,
        "MAC Generate",
    )?;
    let (key_bytes, key_algorithm) = crypto_params::key_bytes(&key, Operation::MAC)?;
    let data = req.data.ok_or_else(|| Error::MissingData("MAC needs Data".into()))?;
    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    let algorithm = crypto_params::mac_algorithm(&key, params, key_algorithm)?;
    crypto_params::consume_usage_limit(ctx, &key, Operation::MAC, data.len()).await?;
    let mac_data = mac(algorithm, key_bytes, &data)?;
    ctx.record_use(&id, UsageKind::Mac);
    Ok(MACResponse { unique_identifier: id, mac_data: Some(Bytes::from(mac_data)), correlation_value: None })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use crate::kmip::attributes::{Attribute, CryptographicParameters, UsageLimits};
    use crate::kmip::payloads::{MACRequest, RequestPayload, ResponsePayload};
    use crate::kmip::table::{CryptographicAlgorithm, CryptographicUsageMask as M, ResultReason as R, State};
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::crypto_cases::{aes_key, key_attributes, symmetric_key, Bench};
    use crate::operations::crypto_params::none;
    use crate::operations::managed::ManagedObject;
    use crate::stats::UsageKind;

    pub(crate) fn mac(params: Option<CryptographicParameters>, data: &[u8]) -> RequestPayload {
        RequestPayload::MAC(MACRequest {
            unique_identifier: Some("k".into()),
            cryptographic_parameters: params,
            data: Some(Bytes::copy_from_slice(data)),
            correlation_value: None,
            init_indicator: None,
            final_indicator: None,
        })
    }

    fn mac_data(item: crate::kmip::message::ResponseBatchItem) -> Vec<u8> {
        match item.payload {
            Some(ResponsePayload::MAC(out)) => out.mac_data.map(|m| m.to_vec()).unwrap_or_default(),
            _ => panic!("{item:?}"),
        }
    }

    #[tokio::test]
    async fn cmac_with_an_aes_key_matches_rfc_4493() {
        // RFC 4493 §4, example 2: 16-byte message.
        let key = hex::decode("2b7e151628aed2a6abf7158809cf4f3c").expect("hex");
        let message = hex::decode("6bc1bee22e409f96e93d7e117393172a").expect("hex");
        let bench = Bench::new();
        bench.put("k", aes_key(&key), key_attributes(State::Active, M::MACGenerate)).await;
        let out = mac_data(bench.run(V::V1_4, mac(None, &message)).await);
        assert_eq!(hex::encode(out), "070a16b46b4d4144f79bdd9dd04a287c");
        assert_eq!(bench.store.usage("k").count(UsageKind::Mac), 1);
    }

    #[tokio::test]
    async fn hmac_with_an_hmac_key_matches_rfc_4231() {
        // RFC 4231 test case 2: key "Jefe".
        let bench = Bench::new();
        let key = symmetric_key(b"Jefe", CryptographicAlgorithm::HMAC_SHA256);
        bench.put("k", key, key_attributes(State::Active, M::MACGenerate)).await;
        let out = mac_data(bench.run(V::V2_1, mac(None, b"what do ya want for nothing?")).await);
        assert_eq!(hex::encode(out), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // The request's algorithm wins over the key's.
        let sha512 =
            CryptographicParameters { cryptographic_algorithm: Some(CryptographicAlgorithm::HMAC_SHA512), ..none() };
        assert_eq!(mac_data(bench.run(V::V2_1, mac(Some(sha512), b"x")).await).len(), 64);
    }

    #[tokio::test]
    async fn usage_limits_in_objects_allow_that_many_macs_and_are_stored() {
        let bench = Bench::new();
        let mut attributes = key_attributes(State::Active, M::MACGenerate);
        let unit = crate::ttlv::Ttlv::new(
            crate::ttlv::Tag::UsageLimitsUnit,
            crate::ttlv::Value::Enumeration(crate::kmip::table::UsageLimitsUnit::Object.value()),
        );
        attributes.push(Attribute::UsageLimits(UsageLimits { total: Some(2), count: None, unit: Some(unit) }));
        bench.put("k", aes_key(&[1; 16]), attributes).await;
        for _ in 0..2 {
            assert_eq!(mac_data(bench.run(V::V2_1, mac(None, &[0; 100])).await).len(), 16);
        }
        let (reason, message) = bench.refused(V::V2_1, mac(None, b"x")).await;
        assert_eq!(reason, R::PermissionDenied);
        assert!(message.contains("Usage Limits"), "{message}");
        assert_eq!(bench.refused(V::V1_4, mac(None, b"x")).await.0, R::PermissionDenied);
        let stored = bench.store.get("k").await.expect("read").expect("present");
        let key = ManagedObject::from_stored(&stored).expect("record");
        let count = key.find(|a| match a {
            Attribute::UsageLimits(l) => l.count,
            _ => None,
        });
        assert_eq!(count, Some(0));
        assert_eq!(bench.store.usage("k").count(UsageKind::Mac), 2);
    }

    #[tokio::test]
    async fn refusals_by_version() {
        let bench = Bench::new();
        bench.put("k", aes_key(&[1; 16]), key_attributes(State::Active, M::Encrypt)).await;
        assert_eq!(bench.refused(V::V1_4, mac(None, b"x")).await.0, R::PermissionDenied);
        let (reason, message) = bench.refused(V::V2_1, mac(None, b"x")).await;
        assert_eq!(reason, R::IncompatibleCryptographicUsageMask);
        assert!(message.contains("MAC Generate"), "{message}");
        let bench = Bench::new();
        bench.put("k", aes_key(&[1; 16]), key_attributes(State::PreActive, M::MACGenerate)).await;
        assert_eq!(bench.refused(V::V1_2, mac(None, b"x")).await.0, R::PermissionDenied);
        assert_eq!(bench.refused(V::V2_1, mac(None, b"x")).await.0, R::WrongKeyLifecycleState);
        let bench = Bench::new();
        bench
            .put(
                "k",
                symmetric_key(&[1; 16], CryptographicAlgorithm::DES3),
                key_attributes(State::Active, M::MACGenerate),
            )
            .await;
        assert_eq!(bench.refused(V::V1_4, mac(None, b"x")).await.0, R::FeatureNotSupported);
        assert_eq!(bench.refused(V::V2_1, mac(None, b"x")).await.0, R::UnsupportedCryptographicParameters);
    }
}
