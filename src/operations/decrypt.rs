//! Decrypt (KMIP 1.4 §4.30, 2.1 §6.1.16): AES in ECB, CBC, CTR or GCM with
//! a managed symmetric key; the plaintext is held in zeroizing memory.

use crate::crypto::symmetric::Mode;
use crate::crypto::CryptoError;
use crate::error::Error;
use crate::kmip::payloads::{DecryptRequest, DecryptResponse};
use crate::kmip::secret::Secret;
use crate::kmip::table::{CryptographicUsageMask, ObjectType, Operation};
use crate::lifecycle::Use;
use crate::operations::context::RequestContext;
use crate::operations::crypto_params;
use crate::stats::UsageKind;

/// Decrypts the request's Data with the named key.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, mut req: DecryptRequest) -> Result<DecryptResponse, Error> {
    crypto_params::refuse_streaming(req.correlation_value.is_some(), req.init_indicator, req.final_indicator)?;
    let id = ctx.resolve_id(req.unique_identifier.take())?;
    let (key, cached) = ctx.load_live_cached(&id).await?;
    // RSA: a public key encrypts, its private key decrypts. Boxed: a rare
    // path whose future would otherwise enlarge every AES request's.
    if matches!(cached.object_type(), Some(ObjectType::PublicKey | ObjectType::PrivateKey)) {
        return Box::pin(crate::operations::rsa_crypt::decrypt(ctx, (*key).clone(), req)).await;
    }
    crypto_params::check_key_cached(
        ctx,
        &cached,
        Operation::Decrypt,
        Use::Process,
        CryptographicUsageMask::Decrypt,
        "Decrypt",
    )?;
    // The bytes are used below through the cached contexts; a key without usable ones is refused first.
    let algorithm = crypto_params::key_algorithm(&cached, Operation::Decrypt)?;
    let data = req.data.ok_or_else(|| Error::MissingData("Decrypt needs Data".into()))?;

    let params = crypto_params::effective(req.cryptographic_parameters.as_ref(), &key);
    crypto_params::require_aes(&key, algorithm, params)?;
    let aad = req.authenticated_encryption_additional_data.as_deref().unwrap_or(&[]);
    let aes = crypto_params::aes_params(params, req.iv_counter_nonce.as_deref(), aad)?;
    crypto_params::check_mode_in_version(aes.mode, ctx.version)?;
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

    let aes_key = crypto_params::aes_key(&cached, Operation::Decrypt)?;
    let mut plaintext = aes_key.decrypt(&aes, &data, tag).map_err(|e| match e {
        CryptoError::AuthenticationFailed if aes.mode == Mode::Gcm => Error::CryptographicFailure(format!(
            "the Authenticated Encryption Tag did not verify with object {id:?}: wrong key, IV, data, additional \
             data or tag"
        )),
        CryptoError::AuthenticationFailed => Error::CryptographicFailure(format!(
            "the PKCS#5 padding did not verify after decrypting with object {id:?}: wrong key, IV or data"
        )),
        other => Error::Crypto(other),
    })?;
    ctx.record_use_cached(&cached, UsageKind::Decrypt);
    Ok(DecryptResponse {
        unique_identifier: id,
        // Moved, not copied, out of the zeroizing buffer into the secret.
        data: Some(Secret::new(std::mem::take(&mut *plaintext))),
        correlation_value: None,
    })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use crate::kmip::attributes::CryptographicParameters;
    use crate::kmip::payloads::{DecryptRequest, RequestPayload, ResponsePayload};
    use crate::kmip::secret::Secret;
    use crate::kmip::table::{
        BlockCipherMode, CryptographicUsageMask as M, PaddingMethod, ResultReason as R, ResultStatus, State,
    };
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::crypto_cases::{aes_key, key_attributes, Bench};
    use crate::operations::crypto_params::none;
    use crate::operations::managed::ManagedObject;
    use crate::stats::UsageKind;

    /// AES-128 GCM test case 2 of the GCM specification (McGrew and Viega):
    /// zero key, zero 96-bit IV, one zero block.
    const GCM_CIPHERTEXT: [u8; 16] =
        [0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92, 0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe, 0x78];
    const GCM_TAG: [u8; 16] =
        [0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd, 0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57, 0xbd, 0xdf];

    fn gcm(tag_length: Option<i32>) -> CryptographicParameters {
        CryptographicParameters { block_cipher_mode: Some(BlockCipherMode::GCM), tag_length, ..none() }
    }

    fn decrypt(params: CryptographicParameters, data: &[u8], iv: Option<&[u8]>, tag: Option<&[u8]>) -> RequestPayload {
        RequestPayload::Decrypt(DecryptRequest {
            iv_counter_nonce: iv.map(Bytes::copy_from_slice),
            authenticated_encryption_tag: tag.map(Bytes::copy_from_slice),
            ..DecryptRequest::new(Some("k".into()), Some(params), Bytes::copy_from_slice(data))
        })
    }

    async fn bench_with(state: State, mask: M) -> Bench {
        let bench = Bench::new();
        bench.put("k", aes_key(&[0; 16]), key_attributes(state, mask)).await;
        bench
    }

    #[tokio::test]
    async fn gcm_decrypts_the_specifications_vector_and_refuses_a_bad_tag() {
        let bench = bench_with(State::Active, M::Decrypt).await;
        let item = bench.run(V::V2_1, decrypt(gcm(Some(16)), &GCM_CIPHERTEXT, Some(&[0; 12]), Some(&GCM_TAG))).await;
        let Some(ResponsePayload::Decrypt(out)) = item.payload else { panic!("{item:?}") };
        assert_eq!(out.data.as_ref().map(Secret::expose), Some(&[0u8; 16][..]));
        let mut bad = GCM_TAG;
        bad[0] ^= 1;
        for v in [V::V1_4, V::V2_1] {
            let (reason, message) =
                bench.refused(v, decrypt(gcm(Some(16)), &GCM_CIPHERTEXT, Some(&[0; 12]), Some(&bad))).await;
            assert_eq!(reason, R::CryptographicFailure);
            assert!(message.contains("Tag did not verify"), "{message}");
        }
        // A tag shorter than the Tag Length, and a missing tag.
        let (reason, _) =
            bench.refused(V::V2_1, decrypt(gcm(None), &GCM_CIPHERTEXT, Some(&[0; 12]), Some(&[1; 12]))).await;
        assert_eq!(reason, R::InvalidField);
        assert_eq!(
            bench.refused(V::V2_1, decrypt(gcm(None), &GCM_CIPHERTEXT, Some(&[0; 12]), None)).await.0,
            R::MissingData
        );
        assert_eq!(bench.store.usage("k").count(UsageKind::Decrypt), 1, "only the success counted");
    }

    #[tokio::test]
    async fn a_missing_iv_is_an_invalid_message_as_cs_bc_m_11_says() {
        let bench = bench_with(State::Active, M::Decrypt).await;
        let cbc = CryptographicParameters { block_cipher_mode: Some(BlockCipherMode::CBC), ..none() };
        for v in [V::V1_2, V::V1_4, V::V2_1] {
            let (reason, message) = bench.refused(v, decrypt(cbc.clone(), &[0; 16], None, None)).await;
            assert_eq!(reason, R::InvalidMessage);
            assert!(message.contains("IV"), "{message}");
        }
    }

    #[tokio::test]
    async fn bad_padding_is_a_cryptographic_failure() {
        let bench = bench_with(State::Active, M::Decrypt).await;
        let cbc = CryptographicParameters {
            block_cipher_mode: Some(BlockCipherMode::CBC),
            padding_method: Some(PaddingMethod::PKCS5),
            ..none()
        };
        // A zero block under a zero key and IV decrypts to 140f0f10...d9ec3a: 0x3a is no PKCS#5 padding.
        let (reason, message) = bench.refused(V::V2_1, decrypt(cbc, &[0; 16], Some(&[0; 16]), None)).await;
        assert_eq!(reason, R::CryptographicFailure);
        assert!(message.contains("padding"), "{message}");
    }

    #[tokio::test]
    async fn deactivated_and_compromised_keys_still_decrypt_pre_active_ones_do_not() {
        let cbc = CryptographicParameters { block_cipher_mode: Some(BlockCipherMode::CBC), ..none() };
        for state in [State::Deactivated, State::Compromised] {
            let bench = bench_with(state, M::Decrypt).await;
            let item = bench.run(V::V2_1, decrypt(cbc.clone(), &[0; 16], Some(&[0; 16]), None)).await;
            assert_eq!(item.result_status, ResultStatus::Success, "{state:?}: {item:?}");
        }
        let bench = bench_with(State::PreActive, M::Decrypt).await;
        assert_eq!(
            bench.refused(V::V1_4, decrypt(cbc.clone(), &[0; 16], Some(&[0; 16]), None)).await.0,
            R::PermissionDenied
        );
        assert_eq!(
            bench.refused(V::V2_1, decrypt(cbc.clone(), &[0; 16], Some(&[0; 16]), None)).await.0,
            R::WrongKeyLifecycleState
        );
        let bench = bench_with(State::Active, M::Encrypt).await;
        let (reason, message) = bench.refused(V::V2_1, decrypt(cbc.clone(), &[0; 16], Some(&[0; 16]), None)).await;
        assert_eq!(reason, R::IncompatibleCryptographicUsageMask);
        assert!(message.contains("Decrypt"), "{message}");
        assert_eq!(bench.refused(V::V1_4, decrypt(cbc, &[0; 16], Some(&[0; 16]), None)).await.0, R::PermissionDenied);
    }

    #[tokio::test]
    async fn a_destroyed_key_is_refused() {
        let bench = Bench::new();
        let mut key = ManagedObject::new(
            "k".into(),
            "default".into(),
            aes_key(&[0; 16]),
            key_attributes(State::Destroyed, M::Decrypt),
        );
        key.object = None;
        bench.store.commit(vec![key.change().expect("record")]).await.expect("stored");
        let cbc = CryptographicParameters { block_cipher_mode: Some(BlockCipherMode::CBC), ..none() };
        assert_eq!(
            bench.refused(V::V1_4, decrypt(cbc.clone(), &[0; 16], Some(&[0; 16]), None)).await.0,
            R::ItemNotFound
        );
        assert_eq!(bench.refused(V::V2_1, decrypt(cbc, &[0; 16], Some(&[0; 16]), None)).await.0, R::ObjectDestroyed);
    }
}
