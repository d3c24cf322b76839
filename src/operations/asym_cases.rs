//! Engine-level tests of the asymmetric operations: Create Key Pair (each
//! size and curve, 1.x and 2.x attribute shapes, links, formats, the ID
//! Placeholder), Sign and Signature Verify (each scheme, Data and Digested
//! Data), RSA Encrypt/Decrypt and Hash, and their refusals by version.
//! The OASIS AKLC cases run in tests/it/oasis_replay.rs, the CS-AC cases in `crypto_cases`.

use bytes::Bytes;

use crate::crypto::asymmetric::{self, PublicKey};
use crate::crypto::formats;
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::signature::{self, SignatureScheme};
use crate::kmip::attributes::{Attribute, CryptographicDomainParameters, CryptographicParameters};
use crate::kmip::objects::{KeyMaterial, KeyValue, Object};
use crate::kmip::payloads::{
    ActivateRequest, CreateKeyPairRequest, DecryptRequest, EncryptRequest, HashRequest, RequestPayload as Rq,
    ResponsePayload as Rs, SignRequest, SignatureVerifyRequest,
};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    CryptographicAlgorithm as Alg, CryptographicUsageMask as M, DigitalSignatureAlgorithm as Dsa,
    HashingAlgorithm as H, KeyFormatType, LinkType, ObjectType, Operation, PaddingMethod, RecommendedCurve,
    ResultReason as R, State, ValidityIndicator,
};
use crate::kmip::version::ProtocolVersion as V;
use crate::operations::crypto_params::none;
use crate::operations::managed::ManagedObject;
use crate::operations::new_object::test_support::*;
use crate::operations::Engine;
use crate::stats::UsageKind;

/// Create Key Pair of `algorithm` with these common attributes, a Sign (or
/// `private_mask`) private key and a Verify (or `public_mask`) public key.
fn create_pair(common: Vec<Attribute>, private_mask: Option<M>, public_mask: Option<M>) -> Rq {
    let private = private_mask.map(Attribute::CryptographicUsageMask).into_iter().collect();
    let public = public_mask.map(Attribute::CryptographicUsageMask).into_iter().collect();
    create_pair_with(common, private, public)
}

fn create_pair_with(common: Vec<Attribute>, private: Vec<Attribute>, public: Vec<Attribute>) -> Rq {
    Rq::CreateKeyPair(CreateKeyPairRequest {
        common_attributes: Some(attrs(common)),
        private_key_attributes: Some(attrs(private)),
        public_key_attributes: Some(attrs(public)),
        common_protection_storage_masks: None,
        private_protection_storage_masks: None,
        public_protection_storage_masks: None,
    })
}

fn algorithm(alg: Alg, bits: Option<i32>) -> Vec<Attribute> {
    let mut a = vec![Attribute::CryptographicAlgorithm(alg)];
    a.extend(bits.map(Attribute::CryptographicLength));
    a
}

/// Creates a pair at `v`; (private id, public id).
async fn pair(engine: &Engine, v: V, common: Vec<Attribute>, masks: (Option<M>, Option<M>)) -> (String, String) {
    match ok(one(engine, v, create_pair(common, masks.0, masks.1)).await) {
        Rs::CreateKeyPair(r) => (r.private_key_unique_identifier, r.public_key_unique_identifier),
        other => panic!("unexpected {other:?}"),
    }
}

async fn activate(engine: &Engine, v: V, id: &str) {
    ok(one(engine, v, Rq::Activate(ActivateRequest { unique_identifier: Some(id.into()) })).await);
}

/// An active pair with the default masks.
async fn active_pair(engine: &Engine, v: V, common: Vec<Attribute>) -> (String, String) {
    let (private, public) = pair(engine, v, common, (None, None)).await;
    activate(engine, v, &private).await;
    activate(engine, v, &public).await;
    (private, public)
}

async fn stored(engine: &Engine, id: &str) -> ManagedObject {
    let record = engine.store().get(id).await.expect("read").expect("present");
    ManagedObject::from_stored(&record).expect("record")
}

fn key_bytes(object: &ManagedObject) -> (KeyFormatType, Vec<u8>) {
    let block = object.object.as_ref().and_then(Object::key_block).expect("a key block");
    match &block.key_value {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => {
            (block.key_format_type, b.expose().to_vec())
        }
        other => panic!("{other:?}"),
    }
}

/// The public key as the crypto layer reads it, from the stored object.
async fn public_key(engine: &Engine, id: &str) -> PublicKey {
    let (format, der) = key_bytes(&stored(engine, id).await);
    match format {
        KeyFormatType::PKCS_1 => formats::from_pkcs1_public_der(&der).expect("PKCS#1"),
        _ => PublicKey::from_der(&der).expect("SPKI"),
    }
}

fn sign(id: &str, params: Option<CryptographicParameters>, data: Option<&[u8]>, digest: Option<&[u8]>) -> Rq {
    Rq::Sign(SignRequest {
        unique_identifier: Some(id.into()),
        cryptographic_parameters: params,
        data: data.map(Bytes::copy_from_slice),
        digested_data: digest.map(Bytes::copy_from_slice),
        correlation_value: None,
        init_indicator: None,
        final_indicator: None,
    })
}

fn verify(id: &str, params: Option<CryptographicParameters>, data: &[u8], sig: &[u8]) -> Rq {
    Rq::SignatureVerify(SignatureVerifyRequest {
        unique_identifier: Some(id.into()),
        cryptographic_parameters: params,
        data: Some(Bytes::copy_from_slice(data)),
        digested_data: None,
        signature_data: Some(Bytes::copy_from_slice(sig)),
        correlation_value: None,
        init_indicator: None,
        final_indicator: None,
    })
}

async fn signed(engine: &Engine, v: V, request: Rq) -> Vec<u8> {
    match ok(one(engine, v, request).await) {
        Rs::Sign(r) => r.signature_data.expect("signature").to_vec(),
        other => panic!("unexpected {other:?}"),
    }
}

async fn validity(engine: &Engine, v: V, request: Rq) -> ValidityIndicator {
    match ok(one(engine, v, request).await) {
        Rs::SignatureVerify(r) => r.validity_indicator,
        other => panic!("unexpected {other:?}"),
    }
}

fn dsa(d: Dsa) -> Option<CryptographicParameters> {
    Some(CryptographicParameters { digital_signature_algorithm: Some(d), ..none() })
}

fn params(alg: Alg, hash: H, padding: Option<PaddingMethod>) -> Option<CryptographicParameters> {
    Some(CryptographicParameters {
        cryptographic_algorithm: Some(alg),
        hashing_algorithm: Some(hash),
        padding_method: padding,
        ..none()
    })
}

#[tokio::test]
async fn create_key_pair_makes_each_size_and_curve_linked_both_ways_in_every_version_shape() {
    let p256 = Attribute::CryptographicDomainParameters(CryptographicDomainParameters {
        qlength: None,
        recommended_curve: Some(RecommendedCurve::P_256),
    });
    let cases: Vec<(V, Vec<Attribute>, i32, KeyFormatType, KeyFormatType)> = vec![
        (V::V1_0, algorithm(Alg::RSA, Some(2048)), 2048, KeyFormatType::PKCS_1, KeyFormatType::PKCS_1),
        (V::V1_4, algorithm(Alg::RSA, Some(3072)), 3072, KeyFormatType::PKCS_1, KeyFormatType::PKCS_1),
        (V::V2_1, algorithm(Alg::RSA, Some(4096)), 4096, KeyFormatType::PKCS_1, KeyFormatType::PKCS_1),
        (
            V::V1_2,
            vec![Attribute::CryptographicAlgorithm(Alg::EC), p256],
            256,
            KeyFormatType::PKCS_8,
            KeyFormatType::X_509,
        ),
        (V::V1_4, algorithm(Alg::ECDSA, Some(384)), 384, KeyFormatType::PKCS_8, KeyFormatType::X_509),
        (V::V2_1, algorithm(Alg::EC, Some(521)), 521, KeyFormatType::PKCS_8, KeyFormatType::X_509),
        (V::V2_1, algorithm(Alg::Ed25519, None), 256, KeyFormatType::PKCS_8, KeyFormatType::X_509),
    ];
    for (v, common, bits, private_format, public_format) in cases {
        let engine = engine();
        let request = create_pair_with(common, vec![name("pair")], vec![name("pair.pub")]);
        let Rs::CreateKeyPair(created) = ok(one(&engine, v, request).await) else {
            panic!("no Create Key Pair answer")
        };
        let (private_id, public_id) = (created.private_key_unique_identifier, created.public_key_unique_identifier);
        let private = stored(&engine, &private_id).await;
        let public = stored(&engine, &public_id).await;
        assert_eq!(private.object_type(), Some(ObjectType::PrivateKey));
        assert_eq!(public.object_type(), Some(ObjectType::PublicKey));
        assert_eq!((private.state(), public.state()), (State::PreActive, State::PreActive));
        assert_eq!((private.usage_mask(), public.usage_mask()), (Some(M::Sign), Some(M::Verify)), "default masks");
        let link = |o: &ManagedObject, t: LinkType| {
            o.find(|a| match a {
                Attribute::Link(l) if l.link_type == t => Some(l.linked_object_identifier.clone()),
                _ => None,
            })
        };
        assert_eq!(link(&private, LinkType::PublicKeyLink), Some(public_id.clone()), "{v:?} {bits}");
        assert_eq!(link(&public, LinkType::PrivateKeyLink), Some(private_id.clone()));
        let length = |o: &ManagedObject| {
            o.find(|a| match a {
                Attribute::CryptographicLength(l) => Some(*l),
                _ => None,
            })
        };
        assert_eq!((length(&private), length(&public)), (Some(bits), Some(bits)));
        assert_eq!(private.names().collect::<Vec<_>>(), vec!["pair"]);
        assert_eq!(public.names().collect::<Vec<_>>(), vec!["pair.pub"]);
        let (format, private_der) = key_bytes(&private);
        assert_eq!(format, private_format);
        let (format, _) = key_bytes(&public);
        assert_eq!(format, public_format);
        // The private key's public half is the stored public key.
        let parsed = asymmetric::PrivateKey::from_der(&private_der).expect("private key parses");
        let from_private = parsed.public_key().and_then(|p| p.to_spki_der()).expect("public half");
        assert_eq!(public_key(&engine, &public_id).await.to_spki_der().expect("spki"), from_private);
    }
}

#[tokio::test]
async fn private_and_public_attributes_win_over_common_and_the_placeholder_is_the_private_key() {
    let engine = engine();
    let mut common = algorithm(Alg::EC, Some(256));
    common.push(Attribute::CryptographicUsageMask(M::Encrypt));
    let (private, public) = pair(&engine, V::V2_1, common, (Some(M::Sign | M::Decrypt), None)).await;
    assert_eq!(stored(&engine, &private).await.usage_mask(), Some(M::Sign | M::Decrypt));
    assert_eq!(stored(&engine, &public).await.usage_mask(), Some(M::Encrypt), "Common applies when not overridden");

    // A batch: Create Key Pair, then Activate and Sign naming no identifier.
    let engine = crate::operations::new_object::test_support::engine();
    let mut common = algorithm(Alg::ECDSA, Some(256));
    common.push(Attribute::CryptographicUsageMask(M::Sign | M::Verify));
    let items = run(
        &engine,
        V::V1_4,
        vec![
            create_pair(common, None, None),
            Rq::Activate(ActivateRequest { unique_identifier: None }),
            Rq::Sign(SignRequest {
                unique_identifier: None,
                cryptographic_parameters: None,
                data: Some(Bytes::from_static(b"placeholder")),
                digested_data: None,
                correlation_value: None,
                init_indicator: None,
                final_indicator: None,
            }),
        ],
    )
    .await;
    let mut items = items.into_iter();
    let Some(Rs::CreateKeyPair(created)) = items.next().map(ok) else { panic!("no Create Key Pair answer") };
    ok(items.next().expect("Activate answered"));
    let Some(Rs::Sign(s)) = items.next().map(ok) else { panic!("no Sign answer") };
    assert_eq!(s.unique_identifier, created.private_key_unique_identifier);
}

#[tokio::test]
async fn create_key_pair_refusals() {
    let engine = engine();
    let cases = [
        (algorithm(Alg::RSA, Some(1000)), R::InvalidField),
        (algorithm(Alg::RSA, None), R::MissingData),
        (algorithm(Alg::EC, None), R::MissingData),
        (algorithm(Alg::EC, Some(255)), R::InvalidField),
        (algorithm(Alg::AES, Some(256)), R::FeatureNotSupported),
        (vec![Attribute::CryptographicLength(2048)], R::MissingData),
    ];
    for (common, reason) in cases {
        let item = one(&engine, V::V2_1, create_pair(common.clone(), None, None)).await;
        assert_eq!(item.result_reason, Some(reason), "{common:?}: {:?}", item.result_message);
    }
    // A name already used, and a name that would go to both keys.
    let named = || create_pair_with(algorithm(Alg::EC, Some(256)), vec![name("taken")], vec![]);
    ok(one(&engine, V::V2_1, named()).await);
    assert_eq!(one(&engine, V::V2_1, named()).await.result_reason, Some(R::NonUniqueNameAttribute));
    let mut common = algorithm(Alg::EC, Some(256));
    common.push(name("both"));
    let item = one(&engine, V::V2_1, create_pair(common, None, None)).await;
    assert_eq!(item.result_reason, Some(R::InvalidField));
    assert!(item.result_message.unwrap_or_default().contains("Common"));
}

/// Create Key Pair and ReKey Key Pair refuse each of the three Protection
/// Storage Masks (KMIP 2.0) before doing anything else.
#[tokio::test]
async fn key_pair_operations_refuse_protection_storage_masks() {
    let engine = engine();
    let (private, _) = pair(&engine, V::V2_1, algorithm(Alg::EC, Some(256)), (None, None)).await;
    let mask = || Some(crate::ttlv::Ttlv::structure(crate::ttlv::Tag::ProtectionStorageMasks, vec![]));
    for which in 0..3 {
        let masks =
            [(which == 0).then(mask).flatten(), (which == 1).then(mask).flatten(), (which == 2).then(mask).flatten()];
        let [common, private_masks, public] = masks.clone();
        let create = Rq::CreateKeyPair(CreateKeyPairRequest {
            common_attributes: Some(attrs(algorithm(Alg::EC, Some(256)))),
            private_key_attributes: None,
            public_key_attributes: None,
            common_protection_storage_masks: common,
            private_protection_storage_masks: private_masks,
            public_protection_storage_masks: public,
        });
        let [common, private_masks, public] = masks;
        let rekey = Rq::ReKeyKeyPair(crate::kmip::payloads::ReKeyKeyPairRequest {
            private_key_unique_identifier: Some(private.clone()),
            offset: None,
            common_attributes: None,
            private_key_attributes: None,
            public_key_attributes: None,
            common_protection_storage_masks: common,
            private_protection_storage_masks: private_masks,
            public_protection_storage_masks: public,
        });
        for request in [create, rekey] {
            let item = one(&engine, V::V2_1, request).await;
            assert_eq!(item.result_reason, Some(R::FeatureNotSupported), "mask {which}");
            assert_eq!(item.result_message.as_deref(), Some("Protection Storage Masks are not supported"));
        }
    }
}

#[tokio::test]
async fn each_signature_scheme_signs_and_verifies_and_a_changed_message_is_invalid() {
    let engine = engine();
    let (rsa_private, rsa_public) = active_pair(&engine, V::V2_1, algorithm(Alg::RSA, Some(2048))).await;
    let (ec_private, ec_public) = active_pair(&engine, V::V2_1, algorithm(Alg::EC, Some(384))).await;
    let (ed_private, ed_public) = active_pair(&engine, V::V2_1, algorithm(Alg::Ed25519, None)).await;
    let pss = Some(PaddingMethod::PSS);
    let cases: Vec<(&str, &str, Option<CryptographicParameters>, SignatureScheme)> = vec![
        (&rsa_private, &rsa_public, None, SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256)),
        (
            &rsa_private,
            &rsa_public,
            dsa(Dsa::SHA_384WithRSAEncryption),
            SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha384),
        ),
        (
            &rsa_private,
            &rsa_public,
            dsa(Dsa::SHA_512WithRSAEncryption),
            SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha512),
        ),
        (&rsa_private, &rsa_public, params(Alg::RSA, H::SHA_256, pss), SignatureScheme::rsa_pss(HashAlgorithm::Sha256)),
        (&rsa_private, &rsa_public, params(Alg::RSA, H::SHA_384, pss), SignatureScheme::rsa_pss(HashAlgorithm::Sha384)),
        (&rsa_private, &rsa_public, params(Alg::RSA, H::SHA_512, pss), SignatureScheme::rsa_pss(HashAlgorithm::Sha512)),
        (&ec_private, &ec_public, None, SignatureScheme::Ecdsa(HashAlgorithm::Sha256)),
        (&ec_private, &ec_public, dsa(Dsa::ECDSAWithSHA384), SignatureScheme::Ecdsa(HashAlgorithm::Sha384)),
        (&ec_private, &ec_public, params(Alg::ECDSA, H::SHA_512, None), SignatureScheme::Ecdsa(HashAlgorithm::Sha512)),
        (&ed_private, &ed_public, None, SignatureScheme::Ed25519),
    ];
    for (private, public, p, scheme) in cases {
        let sig = signed(&engine, V::V2_1, sign(private, p.clone(), Some(b"the message"), None)).await;
        // The crypto layer, independently, accepts it under the scheme the parameters name.
        let key = public_key(&engine, public).await;
        assert!(signature::verify(&key, scheme, b"the message", &sig).expect("verify"), "{scheme:?}");
        assert_eq!(
            validity(&engine, V::V2_1, verify(public, p.clone(), b"the message", &sig)).await,
            ValidityIndicator::Valid
        );
        assert_eq!(
            validity(&engine, V::V1_4, verify(public, p.clone(), b"the messagf", &sig)).await,
            ValidityIndicator::Invalid,
            "{scheme:?}"
        );
    }
    assert_eq!(engine.store().usage(&rsa_private).count(UsageKind::Sign), 6);
    assert_eq!(engine.store().usage(&rsa_public).count(UsageKind::SignatureVerify), 12);
}

#[tokio::test]
async fn digested_data_signs_as_the_whole_message_does() {
    let engine = engine();
    let (private, public) = active_pair(&engine, V::V2_1, algorithm(Alg::ECDSA, Some(256))).await;
    let digest = openssl::sha::sha256(b"pre-hashed");
    let sig = signed(&engine, V::V2_1, sign(&private, None, None, Some(&digest))).await;
    assert_eq!(validity(&engine, V::V2_1, verify(&public, None, b"pre-hashed", &sig)).await, ValidityIndicator::Valid);
    // A digest of the wrong length for the hash is refused.
    let item = one(&engine, V::V2_1, sign(&private, None, None, Some(&digest[..20]))).await;
    assert_eq!(item.result_reason, Some(R::InvalidField), "{:?}", item.result_message);
    // Ed25519 has no pre-hashed form.
    let (ed, _) = active_pair(&engine, V::V2_1, algorithm(Alg::Ed25519, None)).await;
    let item = one(&engine, V::V2_1, sign(&ed, None, None, Some(&digest))).await;
    assert_eq!(item.result_reason, Some(R::UnsupportedCryptographicParameters), "{:?}", item.result_message);
}

#[tokio::test]
async fn sign_and_verify_refusals_by_version() {
    let engine = engine();
    let (private, public) = pair(&engine, V::V2_1, algorithm(Alg::RSA, Some(2048)), (None, None)).await;
    // Pre-Active.
    let item = one(&engine, V::V2_1, sign(&private, None, Some(b"x"), None)).await;
    assert_eq!(item.result_reason, Some(R::WrongKeyLifecycleState));
    let item = one(&engine, V::V1_4, sign(&private, None, Some(b"x"), None)).await;
    assert_eq!(item.result_reason, Some(R::PermissionDenied));
    activate(&engine, V::V2_1, &private).await;
    activate(&engine, V::V2_1, &public).await;
    // The wrong half of the pair.
    let item = one(&engine, V::V2_1, sign(&public, None, Some(b"x"), None)).await;
    assert_eq!(item.result_reason, Some(R::IllegalObjectType));
    let item = one(&engine, V::V2_1, verify(&private, None, b"x", b"sig")).await;
    assert_eq!(item.result_reason, Some(R::IllegalObjectType));
    // A scheme of another algorithm.
    let item = one(&engine, V::V2_1, sign(&private, dsa(Dsa::ECDSAWithSHA256), Some(b"x"), None)).await;
    assert_eq!(item.result_reason, Some(R::UnsupportedCryptographicParameters), "{:?}", item.result_message);
    let item = one(&engine, V::V1_4, sign(&private, dsa(Dsa::ECDSAWithSHA256), Some(b"x"), None)).await;
    assert_eq!(item.result_reason, Some(R::FeatureNotSupported));
    // Neither Data nor Digested Data.
    let item = one(&engine, V::V2_1, sign(&private, None, None, None)).await;
    assert_eq!(item.result_reason, Some(R::MissingData));
    // A usage mask without Sign / Verify.
    let engine = crate::operations::new_object::test_support::engine();
    let (private, public) =
        pair(&engine, V::V2_1, algorithm(Alg::EC, Some(256)), (Some(M::Decrypt), Some(M::Encrypt))).await;
    activate(&engine, V::V2_1, &private).await;
    activate(&engine, V::V2_1, &public).await;
    let item = one(&engine, V::V2_1, sign(&private, None, Some(b"x"), None)).await;
    assert_eq!(item.result_reason, Some(R::IncompatibleCryptographicUsageMask));
    let item = one(&engine, V::V1_4, verify(&public, None, b"x", b"sig")).await;
    assert_eq!(item.result_reason, Some(R::PermissionDenied));
    assert_eq!(engine.store().usage(&private).count(UsageKind::Sign), 0, "refusals are not counted");
}

fn encrypt(id: &str, p: Option<CryptographicParameters>, data: &[u8]) -> Rq {
    Rq::Encrypt(EncryptRequest::new(Some(id.into()), p, Secret::from_slice(data)))
}

fn decrypt(id: &str, p: Option<CryptographicParameters>, data: &[u8]) -> Rq {
    Rq::Decrypt(DecryptRequest::new(Some(id.into()), p, Bytes::copy_from_slice(data)))
}

#[tokio::test]
async fn a_public_key_encrypts_and_its_private_key_decrypts_with_oaep_and_pkcs1() {
    let engine = engine();
    let (private, public) =
        pair(&engine, V::V1_4, algorithm(Alg::RSA, Some(2048)), (Some(M::Decrypt), Some(M::Encrypt))).await;
    activate(&engine, V::V1_4, &private).await;
    activate(&engine, V::V1_4, &public).await;
    let oaep = |h| {
        Some(CryptographicParameters {
            padding_method: Some(PaddingMethod::OAEP),
            hashing_algorithm: Some(h),
            ..none()
        })
    };
    let pkcs1 = Some(CryptographicParameters { padding_method: Some(PaddingMethod::PKCS1V1_5), ..none() });
    for p in [None, oaep(H::SHA_1), oaep(H::SHA_256), pkcs1] {
        let Rs::Encrypt(out) = ok(one(&engine, V::V1_4, encrypt(&public, p.clone(), b"wrapped secret")).await) else {
            panic!("no Encrypt answer")
        };
        let ciphertext = out.data.expect("ciphertext");
        assert_eq!(ciphertext.len(), 256);
        let Rs::Decrypt(plain) = ok(one(&engine, V::V2_1, decrypt(&private, p.clone(), &ciphertext)).await) else {
            panic!("no Decrypt answer")
        };
        assert_eq!(plain.data.map(|d| d.expose().to_vec()), Some(b"wrapped secret".to_vec()), "{p:?}");
    }
    // SHA-256 OAEP ciphertext decrypted as SHA-1 OAEP: one failure reason whatever went wrong.
    let Rs::Encrypt(out) = ok(one(&engine, V::V2_1, encrypt(&public, oaep(H::SHA_256), b"x")).await) else {
        panic!("no Encrypt answer")
    };
    let item = one(&engine, V::V2_1, decrypt(&private, oaep(H::SHA_1), &out.data.expect("data"))).await;
    assert_eq!(item.result_reason, Some(R::CryptographicFailure));
    // The private key does not encrypt, the public key does not decrypt; EC keys do neither.
    assert_eq!(one(&engine, V::V2_1, encrypt(&private, None, b"x")).await.result_reason, Some(R::IllegalObjectType));
    assert_eq!(
        one(&engine, V::V2_1, decrypt(&public, None, &[0; 256])).await.result_reason,
        Some(R::IllegalObjectType)
    );
    let (_, ec_public) = pair(&engine, V::V2_1, algorithm(Alg::EC, Some(256)), (None, Some(M::Encrypt))).await;
    activate(&engine, V::V2_1, &ec_public).await;
    let item = one(&engine, V::V2_1, encrypt(&ec_public, None, b"x")).await;
    assert_eq!(item.result_reason, Some(R::UnsupportedCryptographicParameters), "{:?}", item.result_message);
    assert_eq!(engine.store().usage(&public).count(UsageKind::Encrypt), 5);
    assert_eq!(engine.store().usage(&private).count(UsageKind::Decrypt), 4);
}

fn hash(h: H, data: &[u8]) -> Rq {
    Rq::Hash(HashRequest {
        cryptographic_parameters: CryptographicParameters { hashing_algorithm: Some(h), ..none() },
        data: Some(Bytes::copy_from_slice(data)),
        correlation_value: None,
        init_indicator: None,
        final_indicator: None,
    })
}

#[tokio::test]
async fn hash_matches_the_fips_180_and_202_vectors() {
    let engine = engine();
    // FIPS 180-2 and FIPS 202 examples for "abc".
    let cases = [
        (H::SHA_1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (H::SHA_224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
        (H::SHA_256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            H::SHA_384,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            H::SHA_512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd\
             454d4423643ce80e2a9ac94fa54ca49f",
        ),
        (H::SHA3_256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
    ];
    for (h, expected) in cases {
        let Rs::Hash(out) = ok(one(&engine, V::V1_4, hash(h, b"abc")).await) else { panic!("no Hash answer") };
        assert_eq!(out.data.map(hex::encode).as_deref(), Some(expected), "{h:?}");
    }
    assert_eq!(
        one(&engine, V::V2_1, hash(H::MD5, b"abc")).await.result_reason,
        Some(R::UnsupportedCryptographicParameters)
    );
    let no_algorithm = Rq::Hash(HashRequest {
        cryptographic_parameters: none(),
        data: Some(Bytes::from_static(b"abc")),
        correlation_value: None,
        init_indicator: None,
        final_indicator: None,
    });
    assert_eq!(one(&engine, V::V2_1, no_algorithm).await.result_reason, Some(R::MissingData));
}

#[tokio::test]
async fn query_lists_the_asymmetric_operations_and_object_types() {
    for op in [Operation::CreateKeyPair, Operation::Sign, Operation::SignatureVerify, Operation::Hash] {
        assert!(super::SUPPORTED_OPERATIONS.contains(&op), "{op:?}");
    }
    assert!(super::SUPPORTED_OBJECT_TYPES.contains(&ObjectType::PrivateKey));
    assert!(super::SUPPORTED_OBJECT_TYPES.contains(&ObjectType::PublicKey));
}

#[tokio::test]
async fn an_operation_the_clients_version_does_not_define_is_not_supported() {
    let engine = engine();
    let (private, _) = active_pair(&engine, V::V1_2, algorithm(Alg::EC, Some(256))).await;
    // Sign is defined from 1.2 on: served at 1.2, Operation Not Supported at 1.0 and 1.1.
    let served = signed(&engine, V::V1_2, sign(&private, dsa(Dsa::ECDSAWithSHA256), Some(b"x"), None)).await;
    assert!(!served.is_empty());
    for v in [V::V1_0, V::V1_1] {
        let item = one(&engine, v, sign(&private, dsa(Dsa::ECDSAWithSHA256), Some(b"x"), None)).await;
        assert_eq!(item.operation, Some(Operation::Sign), "{v:?}");
        assert_eq!(item.result_reason, Some(R::OperationNotSupported), "{v:?}: {:?}", item.result_message);
    }
    assert_eq!(engine.store().usage(&private).count(UsageKind::Sign), 1, "the refused Signs never ran");
    // Hash likewise (1.2 on).
    let item = one(&engine, V::V1_1, hash(H::SHA_256, b"abc")).await;
    assert_eq!(item.result_reason, Some(R::OperationNotSupported));
    // Discover Versions (1.1) is the negotiation a 1.0 client starts with: served.
    let discover = Rq::DiscoverVersions(crate::kmip::payloads::DiscoverVersionsRequest { protocol_versions: vec![] });
    ok(one(&engine, V::V1_0, discover).await);
}
