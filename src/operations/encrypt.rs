//! Encrypt (KMIP 1.4 §4.29, 2.1 §6.1.21): AES in ECB, CBC, CTR or GCM with
//! a managed symmetric key.
//!
//! The hot path: one store read, no copy of the key bytes (borrowed from
//! the loaded object, which wipes them when dropped), one cipher call, the
//! ciphertext moved into the response, one atomic counter. No disk write,
//! except for a key that carries Usage Limits, whose count must be durable.

use bytes::Bytes;

use crate::error::Error;
use crate::kmip::payloads::{EncryptRequest, EncryptResponse};
use crate::kmip::table::{CryptographicUsageMask, ObjectType, Operation};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::crypto_params;
use crate::stats::UsageKind;

/// Encrypts the request's Data with the named key.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, mut req: EncryptRequest) -> Result<EncryptResponse, Error> {
    crypto_params::refuse_streaming(req.correlation_value.is_some(), req.init_indicator, req.final_indicator)?;
    let id = ctx.resolve_id(req.unique_identifier.take())?;
    let (key, cached) = ctx.load_live_cached(&id).await?;
    // RSA: a public key encrypts, its private key decrypts. Boxed: a rare
    // path whose future would otherwise enlarge every AES request's.
    if matches!(cached.object_type(), Some(ObjectType::PublicKey | ObjectType::PrivateKey)) {
        return Box::pin(crate::operations::rsa_crypt::encrypt(ctx, (*key).clone(), req)).await;
    }
    crypto_params::check_key_cached(
        ctx,
        &cached,
        Operation::Encrypt,
        Use::Protect,
        CryptographicUsageMask::Encrypt,
        "Encrypt",
    )?;
    // The bytes are used below through the cached contexts; a key without usable ones is refused first.
    let algorithm = crypto_params::key_algorithm(&cached, Operation::Encrypt)?;
    let data = req.data.ok_or_else(|| Error::MissingData("Encrypt needs Data".into()))?;

    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    crypto_params::require_aes(&key, algorithm, params)?;
    let random_iv = params.and_then(|p| p.random_iv) == Some(true);
    if random_iv && req.iv_counter_nonce.is_some() {
        return Err(Error::InvalidField(
            "IV/Counter/Nonce is given but the Cryptographic Parameters ask for a Random IV".into(),
        ));
    }
    let aad = req.authenticated_encryption_additional_data.as_deref().unwrap_or(&[]);
    let mut aes = crypto_params::aes_params(params, req.iv_counter_nonce.as_deref(), aad)?;
    crypto_params::check_mode_in_version(aes.mode, ctx.version)?;
    // An IV of the client's IV Length, when it names one and no IV.
    let sized_iv = match aes.iv {
        None => crypto_params::generated_iv(params, aes.mode)?,
        Some(_) => None,
    };
    if let Some(iv) = &sized_iv {
        aes.iv = Some(iv);
    }

    if cached.limited() {
        crypto_params::consume_usage_limit(ctx, &key, Operation::Encrypt, data.len()).await?;
    }
    let encrypted = crypto_params::aes_key(&cached, Operation::Encrypt)?.encrypt(&aes, data.expose())?;
    drop(data);
    ctx.record_use_cached(&cached, UsageKind::Encrypt);
    Ok(EncryptResponse {
        data: Some(Bytes::from(encrypted.ciphertext)),
        iv_counter_nonce: encrypted.iv.or(sized_iv).map(Bytes::from),
        correlation_value: None,
        authenticated_encryption_tag: encrypted.tag.map(Bytes::from),
        unique_identifier: id,
    })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use crate::kmip::attributes::{Attribute, CryptographicParameters, UsageLimits};
    use crate::kmip::objects::{Object, SecretData};
    use crate::kmip::payloads::{DecryptRequest, EncryptRequest, RequestPayload, ResponsePayload};
    use crate::kmip::secret::Secret;
    use crate::kmip::table::{
        BlockCipherMode, CryptographicAlgorithm, CryptographicUsageMask as M, PaddingMethod, ResultReason as R,
        ResultStatus, SecretDataType, State,
    };
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::crypto_cases::{aes_key, key_attributes, Bench};
    use crate::operations::crypto_params::none;
    use crate::stats::UsageKind;

    const KEY: [u8; 16] = *b"0123456789abcdef";

    fn cbc() -> CryptographicParameters {
        CryptographicParameters {
            block_cipher_mode: Some(BlockCipherMode::CBC),
            padding_method: Some(PaddingMethod::PKCS5),
            ..none()
        }
    }

    fn encrypt(id: Option<&str>, params: Option<CryptographicParameters>, iv: Option<&[u8]>) -> RequestPayload {
        RequestPayload::Encrypt(EncryptRequest {
            iv_counter_nonce: iv.map(Bytes::copy_from_slice),
            ..EncryptRequest::new(id.map(str::to_owned), params, Secret::from_slice(b"attack at dawn"))
        })
    }

    async fn bench_with(state: State, mask: M) -> Bench {
        let bench = Bench::new();
        bench.put("k", aes_key(&KEY), key_attributes(state, mask)).await;
        bench
    }

    #[tokio::test]
    async fn cbc_without_an_iv_gets_a_server_iv_that_decrypts_as_mongodb_does_at_1_2() {
        let bench = bench_with(State::Active, M::Encrypt | M::Decrypt).await;
        let item = bench.run(V::V1_2, encrypt(Some("k"), Some(cbc()), None)).await;
        assert_eq!(item.result_status, ResultStatus::Success, "{item:?}");
        let Some(ResponsePayload::Encrypt(out)) = item.payload else { panic!("{item:?}") };
        let iv = out.iv_counter_nonce.expect("a generated IV");
        assert_eq!(iv.len(), 16);
        let data = out.data.expect("ciphertext");
        assert_eq!(data.len(), 16, "14 bytes padded to one block");
        assert_eq!(out.authenticated_encryption_tag, None);
        let decrypt = RequestPayload::Decrypt(DecryptRequest {
            iv_counter_nonce: Some(iv),
            ..DecryptRequest::new(Some("k".into()), Some(cbc()), data)
        });
        let item = bench.run(V::V1_2, decrypt).await;
        let Some(ResponsePayload::Decrypt(out)) = item.payload else { panic!("{item:?}") };
        assert_eq!(out.data.as_ref().map(Secret::expose), Some(&b"attack at dawn"[..]));
        let usage = bench.store.usage("k");
        assert_eq!((usage.count(UsageKind::Encrypt), usage.count(UsageKind::Decrypt)), (1, 1));
    }

    #[tokio::test]
    async fn the_engines_clock_dates_the_response_header_and_the_keys_last_use() {
        use crate::kmip::codec::{DateTime, FromTtlv, ToTtlv};
        use crate::kmip::message::{RequestMessage, ResponseMessage};
        use crate::operations::{Engine, EngineLimits, Reply};
        use crate::ttlv::{self, Tag};
        // One clock read per request: the injected time, not the system's, in both places.
        let bench = bench_with(State::Active, M::Encrypt).await;
        let at = time::OffsetDateTime::from_unix_timestamp(1_000_000_000).expect("a time");
        let clock = std::sync::Arc::new(crate::clock::TestClock::at(at));
        let engine = Engine::with_clock(bench.store.clone(), EngineLimits::default(), clock);
        let message = RequestMessage::new(V::V1_2, vec![encrypt(Some("k"), Some(cbc()), None)]);
        let frame = message.encode_ttlv(Tag::RequestMessage, V::V1_2).expect("encodes");
        let client = crate::operations::new_object::test_support::client_of("default");
        let Reply::Send(bytes) = engine.process(&client, Bytes::from(frame)).await else { panic!("no response") };
        let tree = ttlv::decode(&Bytes::from(bytes), &ttlv::Limits::UNBOUNDED).expect("decodes");
        let response = ResponseMessage::from_ttlv(&tree, V::V1_2).expect("a response");
        assert_eq!(response.header.time_stamp, DateTime(1_000_000_000));
        assert_eq!(response.batch_items.first().map(|i| i.result_status), Some(ResultStatus::Success));
        let usage = bench.store.usage("k");
        assert_eq!((usage.count(UsageKind::Encrypt), usage.last_used()), (1, Some(at)));
    }

    #[tokio::test]
    async fn two_encryptions_without_an_iv_use_different_ivs() {
        let bench = bench_with(State::Active, M::Encrypt).await;
        let mut ivs = Vec::new();
        for _ in 0..2 {
            let item = bench.run(V::V1_4, encrypt(Some("k"), Some(cbc()), None)).await;
            let Some(ResponsePayload::Encrypt(out)) = item.payload else { panic!("{item:?}") };
            ivs.push(out.iv_counter_nonce.expect("IV"));
        }
        assert_ne!(ivs.first(), ivs.get(1));
    }

    #[tokio::test]
    async fn a_client_iv_is_used_and_not_echoed() {
        let bench = bench_with(State::Active, M::Encrypt).await;
        let item = bench.run(V::V2_1, encrypt(Some("k"), Some(cbc()), Some(&[7; 16]))).await;
        let Some(ResponsePayload::Encrypt(out)) = item.payload else { panic!("{item:?}") };
        assert_eq!(out.iv_counter_nonce, None);
        // Random IV asked for while naming one: refused rather than ignored.
        let random = CryptographicParameters { random_iv: Some(true), ..cbc() };
        let (reason, _) = bench.refused(V::V2_1, encrypt(Some("k"), Some(random), Some(&[7; 16]))).await;
        assert_eq!(reason, R::InvalidField);
    }

    #[tokio::test]
    async fn refusals_by_version() {
        let pre_active = bench_with(State::PreActive, M::Encrypt).await;
        let deactivated = bench_with(State::Deactivated, M::Encrypt | M::Decrypt).await;
        let no_bit = bench_with(State::Active, M::Decrypt).await;
        let wrong_type = Bench::new();
        let secret = Object::SecretData(SecretData {
            secret_data_type: SecretDataType::Password,
            key_block: crate::operations::crypto_cases::symmetric_key(&KEY, CryptographicAlgorithm::AES)
                .key_block()
                .cloned()
                .expect("key block"),
        });
        wrong_type.put("k", secret, key_attributes(State::Active, M::Encrypt)).await;
        // Encrypt is defined from 1.2 on (a 1.0 client is refused by the version gate).
        for (v, lifecycle, usage, object_type, not_found) in [
            (V::V1_2, R::PermissionDenied, R::PermissionDenied, R::PermissionDenied, R::ItemNotFound),
            (V::V1_4, R::PermissionDenied, R::PermissionDenied, R::PermissionDenied, R::ItemNotFound),
            (
                V::V2_0,
                R::WrongKeyLifecycleState,
                R::IncompatibleCryptographicUsageMask,
                R::IllegalObjectType,
                R::ObjectNotFound,
            ),
            (
                V::V2_1,
                R::WrongKeyLifecycleState,
                R::IncompatibleCryptographicUsageMask,
                R::IllegalObjectType,
                R::ObjectNotFound,
            ),
        ] {
            let request = || encrypt(Some("k"), Some(cbc()), None);
            let (reason, message) = pre_active.refused(v, request()).await;
            assert_eq!(reason, lifecycle, "pre-active at {v:?}");
            assert!(message.contains("Pre-Active") || message.contains("PreActive"), "{message}");
            assert_eq!(deactivated.refused(v, request()).await.0, lifecycle, "revoked at {v:?}");
            let (reason, message) = no_bit.refused(v, request()).await;
            assert_eq!(reason, usage, "usage mask at {v:?}");
            assert!(message.contains("Encrypt"), "{message}");
            assert_eq!(wrong_type.refused(v, request()).await.0, object_type, "object type at {v:?}");
            assert_eq!(no_bit.refused(v, encrypt(Some("nope"), None, None)).await.0, not_found, "unknown id at {v:?}");
        }
        // Nothing refused was counted.
        assert_eq!(pre_active.store.usage("k").count(UsageKind::Encrypt), 0);
    }

    #[tokio::test]
    async fn bad_parameters_are_refused_with_what_was_wrong() {
        let bench = bench_with(State::Active, M::Encrypt).await;
        let (reason, message) = bench.refused(V::V1_4, encrypt(Some("k"), Some(cbc()), Some(&[1; 8]))).await;
        assert_eq!(reason, R::InvalidField);
        assert!(message.contains("IV") && message.contains('8'), "{message}");
        let cfb = CryptographicParameters { block_cipher_mode: Some(BlockCipherMode::CFB), ..none() };
        assert_eq!(bench.refused(V::V1_4, encrypt(Some("k"), Some(cfb.clone()), None)).await.0, R::FeatureNotSupported);
        assert_eq!(
            bench.refused(V::V2_1, encrypt(Some("k"), Some(cfb), None)).await.0,
            R::UnsupportedCryptographicParameters
        );
        // ECB without padding needs whole blocks: 14 bytes are not.
        let ecb = CryptographicParameters { block_cipher_mode: Some(BlockCipherMode::ECB), ..none() };
        assert_eq!(bench.refused(V::V2_1, encrypt(Some("k"), Some(ecb), None)).await.0, R::InvalidField);
        // GCM needs 1.4's tag field.
        let gcm = CryptographicParameters { block_cipher_mode: Some(BlockCipherMode::GCM), ..none() };
        assert_eq!(bench.refused(V::V1_2, encrypt(Some("k"), Some(gcm.clone()), None)).await.0, R::FeatureNotSupported);
        let item = bench.run(V::V1_4, encrypt(Some("k"), Some(gcm), None)).await;
        let Some(ResponsePayload::Encrypt(out)) = item.payload else { panic!("{item:?}") };
        assert_eq!(out.iv_counter_nonce.map(|iv| iv.len()), Some(12));
        assert_eq!(out.authenticated_encryption_tag.map(|t| t.len()), Some(16));
        // Streaming is not offered yet.
        let RequestPayload::Encrypt(mut streaming) = encrypt(Some("k"), Some(cbc()), None) else { unreachable!() };
        streaming.init_indicator = Some(true);
        assert_eq!(bench.refused(V::V2_1, RequestPayload::Encrypt(streaming)).await.0, R::FeatureNotSupported);
        // No identifier and no ID Placeholder.
        assert_eq!(bench.refused(V::V2_1, encrypt(None, Some(cbc()), None)).await.0, R::MissingData);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_encryptions_never_overspend_usage_limits() {
        let bench = Bench::new();
        let mut attributes = key_attributes(State::Active, M::Encrypt);
        // 14-byte requests, 40 bytes allowed: exactly two succeed.
        attributes.push(Attribute::UsageLimits(UsageLimits { total: Some(40), count: None, unit: None }));
        bench.put("k", aes_key(&KEY), attributes).await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let bench = bench.clone();
            tasks.spawn(async move { bench.run(V::V2_1, encrypt(Some("k"), Some(cbc()), None)).await });
        }
        let mut statuses = Vec::new();
        while let Some(item) = tasks.join_next().await {
            let item = item.expect("task");
            statuses.push((item.result_status, item.result_reason));
        }
        let ok = statuses.iter().filter(|(s, _)| *s == ResultStatus::Success).count();
        assert_eq!(ok, 2, "{statuses:?}");
        assert!(
            statuses.iter().all(|s| matches!(s, (ResultStatus::Success, None) | (_, Some(R::PermissionDenied)))),
            "{statuses:?}"
        );
        assert_eq!(bench.store.usage("k").count(UsageKind::Encrypt), 2);
    }

    #[tokio::test]
    async fn keys_and_algorithms_other_than_aes_are_refused() {
        let bench = Bench::new();
        let chacha = crate::operations::crypto_cases::symmetric_key(&[0; 32], CryptographicAlgorithm::ChaCha20);
        bench.put("k", chacha, key_attributes(State::Active, M::Encrypt)).await;
        assert_eq!(bench.refused(V::V1_4, encrypt(Some("k"), Some(cbc()), None)).await.0, R::FeatureNotSupported);
        let (reason, message) = bench.refused(V::V2_1, encrypt(Some("k"), Some(cbc()), None)).await;
        assert_eq!(reason, R::UnsupportedCryptographicParameters);
        assert!(message.contains("ChaCha20"), "{message}");
        let aes = bench_with(State::Active, M::Encrypt).await;
        let des = CryptographicParameters { cryptographic_algorithm: Some(CryptographicAlgorithm::DES3), ..cbc() };
        assert_eq!(
            aes.refused(V::V2_1, encrypt(Some("k"), Some(des), None)).await.0,
            R::UnsupportedCryptographicParameters
        );
    }

    #[tokio::test]
    async fn an_iv_length_makes_the_server_generate_an_iv_of_that_length() {
        let bench = bench_with(State::Active, M::Encrypt).await;
        let gcm = CryptographicParameters {
            block_cipher_mode: Some(BlockCipherMode::GCM),
            iv_length: Some(128),
            tag_length: Some(12),
            ..none()
        };
        let item = bench.run(V::V2_1, encrypt(Some("k"), Some(gcm), None)).await;
        let Some(ResponsePayload::Encrypt(out)) = item.payload else { panic!("{item:?}") };
        assert_eq!(out.iv_counter_nonce.map(|iv| iv.len()), Some(16));
        assert_eq!(out.authenticated_encryption_tag.map(|t| t.len()), Some(12));
    }

    #[tokio::test]
    async fn the_keys_cryptographic_parameters_apply_when_the_request_has_none() {
        let bench = Bench::new();
        let mut attributes = key_attributes(State::Active, M::Encrypt);
        let ctr = CryptographicParameters { block_cipher_mode: Some(BlockCipherMode::CTR), ..none() };
        attributes.push(Attribute::CryptographicParameters(ctr));
        bench.put("k", aes_key(&KEY), attributes).await;
        let item = bench.run(V::V1_4, encrypt(Some("k"), None, Some(&[0; 16]))).await;
        let Some(ResponsePayload::Encrypt(out)) = item.payload else { panic!("{item:?}") };
        // CTR is a stream mode: as long as the plaintext.
        assert_eq!(out.data.map(|d| d.len()), Some(14));
    }
}
