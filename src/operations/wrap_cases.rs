//! Engine-level tests of Register / Get for asymmetric keys, certificates,
//! split keys and secret data, key format conversion and key wrapping
//! (issue 4, deliverable 3).

use bytes::Bytes;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;

use crate::kmip::attributes::{Attribute, Attributes, CryptographicParameters};
use crate::kmip::codec::DateTime;
use crate::kmip::objects::{
    Certificate, KeyBlock, KeyInformation, KeyMaterial, KeyValue, KeyWrappingData, KeyWrappingSpecification, Object,
    PrivateKey, PublicKey, SecretData, SplitKey,
};
use crate::kmip::payloads::{DestroyRequest, GetRequest, LocateRequest, RequestPayload as Rq, ResponsePayload as Rs};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    BlockCipherMode, CertificateType, CryptographicAlgorithm as Alg, CryptographicUsageMask as Mask, EncodingOption,
    KeyFormatType as F, ResultReason as R, SecretDataType, SplitKeyMethod, WrappingMethod,
};
use crate::kmip::version::ProtocolVersion as V;
use crate::operations::new_object::test_support::*;
use crate::operations::Engine;
use crate::ttlv::Tag;

fn block(format: F, bytes: &[u8], algorithm: Option<Alg>, length: Option<i32>) -> KeyBlock {
    KeyBlock {
        key_format_type: format,
        key_compression_type: None,
        key_value: Some(KeyValue::Plain {
            key_material: KeyMaterial::Bytes(Secret::from_slice(bytes)),
            attributes: Attributes::default(),
        }),
        cryptographic_algorithm: algorithm,
        cryptographic_length: length,
        key_wrapping_data: None,
    }
}

fn get_as(id: &str, format: F) -> GetRequest {
    GetRequest { key_format_type: Some(format), ..get(id) }
}

async fn got(engine: &Engine, v: V, req: GetRequest) -> Object {
    match ok(one(engine, v, Rq::Get(req)).await) {
        Rs::Get(r) => r.object,
        other => panic!("{other:?}"),
    }
}

fn bytes(object: &Object) -> Vec<u8> {
    match object.key_block().and_then(|b| b.key_value.as_ref()) {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) | Some(KeyValue::Wrapped(b)) => {
            b.expose().to_vec()
        }
        other => panic!("{other:?}"),
    }
}

fn rsa() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("pkey")
}

fn active(mask: Mask) -> Vec<Attribute> {
    vec![Attribute::CryptographicUsageMask(mask), Attribute::ActivationDate(DateTime(1))]
}

fn wrap_spec(kek: &str, mode: Option<BlockCipherMode>) -> KeyWrappingSpecification {
    KeyWrappingSpecification {
        wrapping_method: WrappingMethod::Encrypt,
        encryption_key_information: Some(KeyInformation {
            unique_identifier: kek.into(),
            cryptographic_parameters: mode.map(|m| CryptographicParameters {
                block_cipher_mode: Some(m),
                ..crate::operations::crypto_params::none()
            }),
        }),
        mac_signature_key_information: None,
        attribute_names: vec![],
        encoding_option: Some(EncodingOption::NoEncoding),
    }
}

#[tokio::test]
async fn private_and_public_keys_come_back_as_registered_and_in_every_format_they_convert_to() {
    let engine = engine();
    let key = rsa();
    let pkcs1 = key.rsa().expect("rsa").private_key_to_der().expect("der");
    let pkcs8 = key.private_key_to_pkcs8().expect("pkcs8");
    let spki = key.public_key_to_der().expect("spki");
    let pub_pkcs1 = key.rsa().expect("rsa").public_key_to_der_pkcs1().expect("der");
    for v in [V::V1_4, V::V2_1] {
        let private =
            Object::PrivateKey(PrivateKey { key_block: block(F::PKCS_1, &pkcs1, Some(Alg::RSA), Some(2048)) });
        let id = register(&engine, v, private.clone(), vec![Attribute::CryptographicUsageMask(Mask::Sign)]).await;
        // As registered (PKCS#1), and converted to PKCS#8 and Transparent RSA.
        assert_eq!(got(&engine, v, get(&id)).await, private);
        let as8 = got(&engine, v, get_as(&id, F::PKCS_8)).await;
        assert_eq!(bytes(&as8), pkcs8);
        let transparent = got(&engine, v, get_as(&id, F::TransparentRSAPrivateKey)).await;
        let block = transparent.key_block().expect("block");
        match &block.key_value {
            Some(KeyValue::Plain { key_material: KeyMaterial::Transparent(s), .. }) => {
                let want = key.rsa().expect("rsa").n().to_vec();
                let n = match s.get(Tag::Modulus) {
                    Some(crate::kmip::objects::TransparentValue::BigInteger(n)) => n.expose().to_vec(),
                    other => panic!("{other:?}"),
                };
                // A non-negative Big Integer: zero bytes before the modulus's top bit.
                assert_eq!(n.first(), Some(&0));
                assert_eq!(n.iter().copied().skip_while(|b| *b == 0).collect::<Vec<u8>>(), want);
            }
            other => panic!("{other:?}"),
        }
        // Impossible conversions are refused with Key Format Type Not Supported.
        failed(
            &one(&engine, v, Rq::Get(get_as(&id, F::TransparentECPrivateKey))).await,
            R::KeyFormatTypeNotSupported,
            "",
        );
        failed(&one(&engine, v, Rq::Get(get_as(&id, F::X_509))).await, R::KeyFormatTypeNotSupported, "X_509");

        let public = Object::PublicKey(PublicKey { key_block: block_of(F::X_509, &spki) });
        let pid = register(&engine, v, public.clone(), vec![]).await;
        assert_eq!(bytes(&got(&engine, v, get(&pid)).await), spki);
        assert_eq!(bytes(&got(&engine, v, get_as(&pid, F::PKCS_1)).await), pub_pkcs1);
        failed(&one(&engine, v, Rq::Get(get_as(&pid, F::PKCS_8))).await, R::KeyFormatTypeNotSupported, "PKCS_8");
    }
    // EC: registered PKCS#8, read back as SEC1 ("PKCS#1") and Transparent EC; its public key as Transparent EC.
    let ec = PKey::from_ec_key(EcKey::generate(&EcGroup::from_curve_name(Nid::SECP384R1).expect("group")).expect("ec"))
        .expect("pkey");
    let ec_private =
        Object::PrivateKey(PrivateKey { key_block: block_of(F::PKCS_8, &ec.private_key_to_pkcs8().expect("der")) });
    let id = register(&engine, V::V2_1, ec_private, vec![]).await;
    let sec1 = got(&engine, V::V2_1, get_as(&id, F::PKCS_1)).await;
    assert_eq!(bytes(&sec1), ec.ec_key().expect("ec").private_key_to_der().expect("der"));
    assert_eq!(sec1.key_block().and_then(|b| b.cryptographic_length), Some(384));
    assert_eq!(sec1.key_block().and_then(|b| b.cryptographic_algorithm), Some(Alg::EC));
    got(&engine, V::V1_4, get_as(&id, F::TransparentECPrivateKey)).await;
    // A wrong algorithm attribute and garbage are refused before anything is stored.
    let wrong = register_request(
        Object::PrivateKey(PrivateKey { key_block: block_of(F::PKCS_8, &ec.private_key_to_pkcs8().expect("der")) }),
        vec![Attribute::CryptographicAlgorithm(Alg::RSA)],
    );
    failed(&one(&engine, V::V2_1, wrong).await, R::InvalidField, "not the key's");
    let junk = register_request(Object::PublicKey(PublicKey { key_block: block_of(F::X_509, b"junk") }), vec![]);
    failed(&one(&engine, V::V1_4, junk).await, R::InvalidField, "not a valid SubjectPublicKeyInfo");
}

fn block_of(format: F, der: &[u8]) -> KeyBlock {
    block(format, der, None, None)
}

fn certificate() -> Vec<u8> {
    let key = rsa();
    let mut name = openssl::x509::X509NameBuilder::new().expect("name");
    name.append_entry_by_text("CN", "coffer test").expect("cn");
    let name = name.build();
    let mut b = openssl::x509::X509Builder::new().expect("builder");
    b.set_subject_name(&name).expect("subject");
    b.set_issuer_name(&name).expect("issuer");
    b.set_pubkey(&key).expect("key");
    b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).expect("t")).expect("nb");
    b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(1).expect("t")).expect("na");
    b.sign(&key, openssl::hash::MessageDigest::sha256()).expect("sign");
    b.build().to_der().expect("der")
}

#[tokio::test]
async fn a_certificate_is_stored_as_its_der_with_type_length_and_digest() {
    let engine = engine();
    let der = certificate();
    let cert = Object::Certificate(Certificate {
        certificate_type: CertificateType::X_509,
        certificate_value: Bytes::from(der.clone()),
    });
    for v in [V::V1_2, V::V1_4, V::V2_1] {
        let id = register(&engine, v, cert.clone(), vec![name(&format!("cert-{v}"))]).await;
        assert_eq!(got(&engine, v, get(&id)).await, cert);
        let stored = engine.store().get(&id).await.ok().flatten().expect("stored");
        let managed = crate::operations::managed::ManagedObject::from_stored(&stored).expect("record");
        assert!(managed.attributes.contains(&Attribute::CertificateType(CertificateType::X_509)));
        let length = i32::try_from(der.len()).expect("len");
        assert!(managed.attributes.contains(&Attribute::CertificateLength(length)));
        assert!(managed.attributes.iter().any(|a| matches!(a, Attribute::Digest(_))));
        failed(&one(&engine, v, Rq::Get(get_as(&id, F::PKCS_8))).await, R::KeyFormatTypeNotSupported, "Certificate");
    }
}

#[tokio::test]
async fn get_wraps_with_aes_key_wrap_and_register_unwraps_what_was_wrapped() {
    let engine = engine();
    let kek = [0x4b; 32];
    let kek_id = register(&engine, V::V1_4, aes_object(&kek, Some(256)), active(Mask::WrapKey | Mask::UnwrapKey)).await;
    let key = [0x11; 32];
    let id = register(&engine, V::V1_4, aes_object(&key, Some(256)), vec![Attribute::Sensitive(true)]).await;
    // Sensitive: refused plain (TC-SENSITIVE-1), released wrapped.
    failed(&one(&engine, V::V1_4, Rq::Get(get(&id))).await, R::Sensitive, "Sensitive");
    for (mode, v) in [(Some(BlockCipherMode::NISTKeyWrap), V::V1_4), (None, V::V2_1)] {
        let req = GetRequest { key_wrapping_specification: Some(wrap_spec(&kek_id, mode)), ..get(&id) };
        let wrapped = got(&engine, v, req).await;
        let blob = bytes(&wrapped);
        let kek_aes = openssl::aes::AesKey::new_decrypt(&kek).expect("kek");
        let mut plain = [0u8; 32];
        openssl::aes::unwrap_key(&kek_aes, None, &mut plain, &blob).expect("RFC 3394 unwrap");
        assert_eq!(plain, key);
        let block = wrapped.key_block().expect("block");
        assert_eq!(block.key_format_type, F::Raw);
        let data = block.key_wrapping_data.as_ref().expect("wrapping data");
        assert_eq!(data.encoding_option, Some(EncodingOption::NoEncoding));
        assert_eq!(data.encryption_key_information.as_ref().map(|i| i.unique_identifier.as_str()), Some(&*kek_id));
        // Register the wrapped key: it is unwrapped and stored plain.
        let back = register(&engine, v, wrapped.clone(), vec![]).await;
        assert_eq!(got(&engine, v, get(&back)).await, aes_object(&key, Some(256)));
    }
    // Secret data of 20 bytes: not a multiple of 8, so RFC 5649 (AES Key Wrap Padding).
    let secret = Object::SecretData(SecretData {
        secret_data_type: SecretDataType::Password,
        key_block: block(F::Raw, b"twenty bytes secret!", None, None),
    });
    let sid = register(&engine, V::V2_1, secret.clone(), vec![]).await;
    let req = GetRequest { key_wrapping_specification: Some(wrap_spec(&kek_id, None)), ..get(&sid) };
    let wrapped = got(&engine, V::V2_1, req).await;
    assert_eq!(bytes(&wrapped).len(), 32);
    let unwrapped =
        crate::crypto::keywrap::unwrap(crate::crypto::keywrap::WrapMode::Rfc5649, &kek, &bytes(&wrapped)).expect("kwp");
    assert_eq!(unwrapped.as_slice(), b"twenty bytes secret!");
    let back = register(&engine, V::V2_1, wrapped, vec![]).await;
    assert_eq!(got(&engine, V::V2_1, get(&back)).await, secret);
    // NIST Key Wrap asked for a 20-byte secret: refused.
    let req = GetRequest {
        key_wrapping_specification: Some(wrap_spec(&kek_id, Some(BlockCipherMode::NISTKeyWrap))),
        ..get(&sid)
    };
    failed(&one(&engine, V::V2_1, Rq::Get(req)).await, R::BadCryptographicParameters, "multiple of 8");
}

#[tokio::test]
async fn wrapping_refusals_name_the_fault() {
    let engine = engine();
    let no_wrap = register(&engine, V::V1_4, aes_object(&[1; 16], Some(128)), active(Mask::Encrypt)).await;
    let pre_active = register(
        &engine,
        V::V1_4,
        aes_object(&[2; 16], Some(128)),
        vec![Attribute::CryptographicUsageMask(Mask::WrapKey)],
    )
    .await;
    let kek = register(&engine, V::V1_4, aes_object(&[3; 16], Some(128)), active(Mask::WrapKey)).await;
    let kept = register(&engine, V::V1_4, aes_object(&[4; 16], Some(128)), vec![Attribute::Extractable(false)]).await;
    let id = register(&engine, V::V1_4, aes_object(&[5; 16], Some(128)), vec![]).await;
    let wrapped = |target: &str, kek: &str| {
        Rq::Get(GetRequest { key_wrapping_specification: Some(wrap_spec(kek, None)), ..get(target) })
    };
    let cases: Vec<(Rq, R, R, &str)> = vec![
        (wrapped(&id, &no_wrap), R::PermissionDenied, R::IncompatibleCryptographicUsageMask, "Wrap Key"),
        (wrapped(&id, &pre_active), R::PermissionDenied, R::WrongKeyLifecycleState, "PreActive"),
        (wrapped(&kept, &kek), R::NotExtractable, R::NotExtractable, "Extractable"),
        (wrapped(&id, "no-such-kek"), R::ItemNotFound, R::ObjectNotFound, "no-such-kek"),
    ];
    for (request, legacy, modern, words) in cases {
        failed(&one(&engine, V::V1_4, request.clone()).await, legacy, words);
        failed(&one(&engine, V::V2_1, request).await, modern, words);
    }
    // Unwrapping needs Unwrap Key on the key named; a wrong key fails the integrity check.
    let other = register(&engine, V::V1_4, aes_object(&[6; 16], Some(128)), active(Mask::UnwrapKey)).await;
    let mut blob = aes_object(&[0; 16], Some(128));
    if let Object::SymmetricKey(k) = &mut blob {
        k.key_block.key_value = Some(KeyValue::Wrapped(Secret::new(
            crate::crypto::keywrap::wrap(crate::crypto::keywrap::WrapMode::Rfc3394, &[3; 16], &[7; 16]).expect("wrap"),
        )));
        k.key_block.key_wrapping_data = Some(KeyWrappingData {
            wrapping_method: WrappingMethod::Encrypt,
            encryption_key_information: Some(KeyInformation {
                unique_identifier: kek.clone(),
                cryptographic_parameters: None,
            }),
            mac_signature_key_information: None,
            mac_signature: None,
            iv_counter_nonce: None,
            encoding_option: Some(EncodingOption::NoEncoding),
        });
    }
    failed(
        &one(&engine, V::V2_1, register_request(blob.clone(), vec![])).await,
        R::IncompatibleCryptographicUsageMask,
        "Unwrap Key",
    );
    if let Object::SymmetricKey(k) = &mut blob {
        if let Some(d) = k.key_block.key_wrapping_data.as_mut().and_then(|d| d.encryption_key_information.as_mut()) {
            d.unique_identifier = other.clone();
        }
    }
    failed(&one(&engine, V::V2_1, register_request(blob, vec![])).await, R::CryptographicFailure, "unwrap failed");
}

#[tokio::test]
async fn get_wraps_with_rsa_oaep_and_register_unwraps_with_the_private_key() {
    let engine = engine();
    let key = rsa();
    let public =
        Object::PublicKey(PublicKey { key_block: block_of(F::X_509, &key.public_key_to_der().expect("spki")) });
    let private =
        Object::PrivateKey(PrivateKey { key_block: block_of(F::PKCS_8, &key.private_key_to_pkcs8().expect("der")) });
    let pub_id = register(&engine, V::V2_1, public, active(Mask::WrapKey)).await;
    let priv_id = register(&engine, V::V2_1, private, active(Mask::UnwrapKey)).await;
    let aes = [0x77; 32];
    let id = register(&engine, V::V2_1, aes_object(&aes, Some(256)), vec![]).await;
    let mut spec = wrap_spec(&pub_id, None);
    let wrapped =
        got(&engine, V::V1_4, GetRequest { key_wrapping_specification: Some(spec.clone()), ..get(&id) }).await;
    // openssl's RSA-OAEP (SHA-1) decrypts it.
    let mut out = vec![0u8; 256];
    let n = key
        .rsa()
        .expect("rsa")
        .private_decrypt(&bytes(&wrapped), &mut out, openssl::rsa::Padding::PKCS1_OAEP)
        .expect("oaep");
    assert_eq!(out.get(..n), Some(&aes[..]));
    // Registered back, naming the private key: unwrapped and stored plain.
    let mut blob = wrapped;
    if let Object::SymmetricKey(k) = &mut blob {
        if let Some(d) = k.key_block.key_wrapping_data.as_mut().and_then(|d| d.encryption_key_information.as_mut()) {
            d.unique_identifier = priv_id.clone();
        }
    }
    let back = register(&engine, V::V2_1, blob, vec![]).await;
    assert_eq!(got(&engine, V::V2_1, get(&back)).await, aes_object(&aes, Some(256)));
    // SHA-256 OAEP as asked in the parameters.
    spec.encryption_key_information = Some(KeyInformation {
        unique_identifier: pub_id,
        cryptographic_parameters: Some(CryptographicParameters {
            hashing_algorithm: Some(crate::kmip::table::HashingAlgorithm::SHA_256),
            ..crate::operations::crypto_params::none()
        }),
    });
    let wrapped = got(&engine, V::V2_1, GetRequest { key_wrapping_specification: Some(spec), ..get(&id) }).await;
    let mut ctx = openssl::pkey_ctx::PkeyCtx::new(&key).expect("ctx");
    ctx.decrypt_init().expect("init");
    ctx.set_rsa_padding(openssl::rsa::Padding::PKCS1_OAEP).expect("pad");
    ctx.set_rsa_oaep_md(openssl::md::Md::sha256()).expect("md");
    ctx.set_rsa_mgf1_md(openssl::md::Md::sha256()).expect("mgf");
    let mut plain = Vec::new();
    ctx.decrypt_to_vec(&bytes(&wrapped), &mut plain).expect("oaep-256");
    assert_eq!(plain, aes);
}

#[tokio::test]
async fn split_keys_are_registered_fetched_and_destroyed_like_any_object() {
    let engine = engine();
    let split = Object::SplitKey(SplitKey {
        split_key_parts: 3,
        key_part_identifier: 2,
        split_key_threshold: 2,
        split_key_method: SplitKeyMethod::XOR,
        prime_field_size: None,
        key_block: block(F::Raw, &[9; 16], Some(Alg::AES), Some(128)),
    });
    for v in [V::V1_2, V::V2_1] {
        let id = register(&engine, v, split.clone(), vec![]).await;
        assert_eq!(got(&engine, v, get(&id)).await, split);
        match ok(one(&engine, v, Rq::Destroy(DestroyRequest { unique_identifier: Some(id.clone()) })).await) {
            Rs::Destroy(_) => {}
            other => panic!("{other:?}"),
        }
        failed(
            &one(&engine, v, Rq::Get(get(&id))).await,
            if v == V::V2_1 { R::ObjectDestroyed } else { R::ItemNotFound },
            "",
        );
    }
    let mut bad = split;
    if let Object::SplitKey(s) = &mut bad {
        s.key_part_identifier = 4;
    }
    failed(&one(&engine, V::V1_4, register_request(bad, vec![])).await, R::InvalidField, "Key Part Identifier");
}

#[tokio::test]
async fn secret_data_registered_by_name_is_found_by_name_and_read_back() {
    let engine = engine();
    let secret = Object::SecretData(SecretData {
        secret_data_type: SecretDataType::Password,
        key_block: block(F::Opaque, b"confidential data", None, None),
    });
    for v in [V::V1_0, V::V1_4, V::V2_1] {
        let label = format!("confidential-{v}");
        let id = register(&engine, v, secret.clone(), vec![name(&label)]).await;
        let locate = LocateRequest {
            maximum_items: None,
            offset_items: None,
            storage_status_mask: None,
            object_group_member: None,
            attributes: attrs(vec![name(&label)]),
        };
        let found = match ok(one(&engine, v, Rq::Locate(locate)).await) {
            Rs::Locate(r) => r.unique_identifiers,
            other => panic!("{other:?}"),
        };
        assert_eq!(found, vec![id.clone()]);
        assert_eq!(got(&engine, v, get(&id)).await, secret);
    }
}

mod derive {
    use super::*;
    use crate::kmip::payloads::DeriveKeyRequest;
    use crate::kmip::table::{DerivationMethod, HashingAlgorithm, LinkType};
    use crate::ttlv::{Ttlv, Value};

    fn derive(base: &str, method: DerivationMethod, params: Vec<Ttlv>, bits: i32) -> Rq {
        Rq::DeriveKey(DeriveKeyRequest {
            object_type: crate::kmip::table::ObjectType::SymmetricKey,
            unique_identifiers: vec![base.into()],
            derivation_method: Ttlv::new(Tag::DerivationMethod, Value::Enumeration(method.value())),
            derivation_parameters: Ttlv::structure(Tag::DerivationParameters, params),
            attributes: attrs(vec![
                Attribute::CryptographicAlgorithm(Alg::AES),
                Attribute::CryptographicLength(bits),
                Attribute::CryptographicUsageMask(Mask::Encrypt),
            ]),
        })
    }

    fn hash(h: HashingAlgorithm) -> Ttlv {
        Ttlv::structure(
            Tag::CryptographicParameters,
            vec![Ttlv::new(Tag::HashingAlgorithm, Value::Enumeration(h.value()))],
        )
    }

    fn b(tag: Tag, v: &[u8]) -> Ttlv {
        Ttlv::new(tag, Value::ByteString(Bytes::copy_from_slice(v)))
    }

    async fn derived(engine: &Engine, v: V, rq: Rq) -> (String, Vec<u8>) {
        let id = match ok(one(engine, v, rq).await) {
            Rs::DeriveKey(r) => r.unique_identifier,
            other => panic!("{other:?}"),
        };
        let key = bytes(&got(engine, v, get(&id)).await);
        (id, key)
    }

    #[tokio::test]
    async fn each_method_gives_the_published_or_openssl_answer_and_links_both_ways() {
        let engine = engine();
        let base_bytes = [0x0b; 32];
        let base = register(&engine, V::V1_4, aes_object(&base_bytes, Some(256)), active(Mask::DeriveKey)).await;

        // PBKDF2-HMAC-SHA256, checked against openssl's.
        let params = vec![
            hash(HashingAlgorithm::SHA_256),
            b(Tag::Salt, b"salt"),
            Ttlv::new(Tag::IterationCount, Value::Integer(1000)),
        ];
        let (id, key) = derived(&engine, V::V1_4, derive(&base, DerivationMethod::PBKDF2, params, 256)).await;
        let mut want = [0u8; 32];
        openssl::pkcs5::pbkdf2_hmac(&base_bytes, b"salt", 1000, openssl::hash::MessageDigest::sha256(), &mut want)
            .expect("pbkdf2");
        assert_eq!(key, want);
        let stored = engine.store().get(&id).await.ok().flatten().expect("stored");
        let record = crate::operations::managed::ManagedObject::from_stored(&stored).expect("record");
        assert!(record.attributes.iter().any(|a| matches!(a, Attribute::Link(l)
            if l.link_type == LinkType::DerivationBaseObjectLink && l.linked_object_identifier == base)));
        let stored = engine.store().get(&base).await.ok().flatten().expect("stored");
        let record = crate::operations::managed::ManagedObject::from_stored(&stored).expect("record");
        assert!(record.attributes.iter().any(|a| matches!(a, Attribute::Link(l)
            if l.link_type == LinkType::DerivedKeyLink && l.linked_object_identifier == id)));

        // SP 800-108 counter mode: the first block is HMAC(key, [1]_32 || data).
        let params = vec![hash(HashingAlgorithm::SHA_256), b(Tag::DerivationData, b"fixed input")];
        let (_, key) = derived(&engine, V::V2_1, derive(&base, DerivationMethod::NIST800_108_C, params, 128)).await;
        let pkey = PKey::hmac(&base_bytes).expect("hmac key");
        let mut signer = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &pkey).expect("signer");
        signer.update(b"\0\0\0\x01fixed input").expect("update");
        assert_eq!(Some(key.as_slice()), signer.sign_to_vec().expect("mac").get(..16));

        // HMAC (HKDF with salt and info), 128 bits; and Encrypt (AES-ECB of the data).
        let params = vec![hash(HashingAlgorithm::SHA_256), b(Tag::DerivationData, b"info"), b(Tag::Salt, b"s")];
        let (_, hkdf) = derived(&engine, V::V2_1, derive(&base, DerivationMethod::HMAC, params, 128)).await;
        assert_eq!(hkdf.len(), 16);
        let ecb = Ttlv::structure(
            Tag::CryptographicParameters,
            vec![
                Ttlv::new(Tag::BlockCipherMode, Value::Enumeration(BlockCipherMode::ECB.value())),
                Ttlv::new(Tag::PaddingMethod, Value::Enumeration(crate::kmip::table::PaddingMethod::None.value())),
            ],
        );
        let params = vec![ecb, b(Tag::DerivationData, &[0x42; 16])];
        let (_, key) = derived(&engine, V::V2_1, derive(&base, DerivationMethod::ENCRYPT, params, 128)).await;
        let mut c = openssl::symm::Crypter::new(
            openssl::symm::Cipher::aes_256_ecb(),
            openssl::symm::Mode::Encrypt,
            &base_bytes,
            None,
        )
        .expect("crypter");
        c.pad(false);
        let mut out = vec![0u8; 32];
        let n = c.update(&[0x42; 16], &mut out).expect("ecb");
        assert_eq!(out.get(..n), Some(key.as_slice()));
    }

    #[tokio::test]
    async fn derivation_refusals() {
        let engine = engine();
        let no_derive = register(&engine, V::V1_4, aes_object(&[1; 16], Some(128)), active(Mask::Encrypt)).await;
        let base = register(&engine, V::V1_4, aes_object(&[2; 16], Some(128)), active(Mask::DeriveKey)).await;
        let params = || vec![hash(HashingAlgorithm::SHA_256), b(Tag::DerivationData, b"x")];
        failed(
            &one(&engine, V::V2_1, derive(&no_derive, DerivationMethod::NIST800_108_C, params(), 128)).await,
            R::IncompatibleCryptographicUsageMask,
            "Derive Key",
        );
        failed(
            &one(&engine, V::V1_4, derive(&base, DerivationMethod::PBKDF2, vec![hash(HashingAlgorithm::SHA_256)], 128))
                .await,
            R::MissingData,
            "Salt",
        );
        failed(
            &one(&engine, V::V1_4, derive(&base, DerivationMethod::NIST800_108_DPI, params(), 128)).await,
            R::FeatureNotSupported,
            "NIST800_108_DPI",
        );
        failed(
            &one(&engine, V::V2_1, derive(&base, DerivationMethod::HMAC, vec![b(Tag::DerivationData, b"x")], 128))
                .await,
            R::MissingData,
            "Hashing Algorithm",
        );
    }
}

/// Interop with the `openssl` command line (installed by tests/setup.sh).
mod openssl_cli {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("coffer-wrap-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    fn openssl(args: &[&str]) -> Vec<u8> {
        let out = Command::new("openssl").args(args).output().expect("the openssl CLI (tests/setup.sh)");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    #[tokio::test]
    async fn a_pkcs8_export_loads_in_openssl() {
        let engine = engine();
        let key = rsa();
        let pkcs1 = key.rsa().expect("rsa").private_key_to_der().expect("der");
        let private = Object::PrivateKey(PrivateKey { key_block: block_of(F::PKCS_1, &pkcs1) });
        let id = register(&engine, V::V1_4, private, vec![]).await;
        let exported = bytes(&got(&engine, V::V1_4, get_as(&id, F::PKCS_8)).await);
        let dir = scratch("pkcs8");
        let file = dir.join("key.p8");
        std::fs::write(&file, &exported).expect("write");
        let path = file.to_str().expect("path");
        // openssl reads it as PKCS#8 DER and derives the same public key.
        let spki = openssl(&["pkey", "-inform", "DER", "-in", path, "-pubout", "-outform", "DER"]);
        assert_eq!(spki, key.public_key_to_der().expect("spki"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[tokio::test]
    async fn an_aes_kw_key_wrapped_by_openssl_registers_and_unwraps() {
        let engine = engine();
        let kek: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(7)).collect();
        let kek_id = register(&engine, V::V2_1, aes_object(&kek, Some(256)), active(Mask::UnwrapKey)).await;
        let key: Vec<u8> = (0u8..32).map(|i| i ^ 0x5c).collect();
        let dir = scratch("kw");
        let (plain, wrapped) = (dir.join("key.bin"), dir.join("key.kw"));
        std::fs::write(&plain, &key).expect("write");
        openssl(&[
            "enc",
            "-id-aes256-wrap",
            "-K",
            &hex::encode(&kek),
            "-iv",
            "A6A6A6A6A6A6A6A6",
            "-in",
            plain.to_str().expect("path"),
            "-out",
            wrapped.to_str().expect("path"),
        ]);
        let blob = std::fs::read(&wrapped).expect("read");
        assert_eq!(blob.len(), 40);
        let mut object = aes_object(&blob, None);
        if let Object::SymmetricKey(k) = &mut object {
            k.key_block.cryptographic_length = Some(256);
            k.key_block.key_wrapping_data = Some(KeyWrappingData {
                wrapping_method: WrappingMethod::Encrypt,
                encryption_key_information: Some(KeyInformation {
                    unique_identifier: kek_id.clone(),
                    cryptographic_parameters: Some(CryptographicParameters {
                        block_cipher_mode: Some(BlockCipherMode::NISTKeyWrap),
                        ..crate::operations::crypto_params::none()
                    }),
                }),
                mac_signature_key_information: None,
                mac_signature: None,
                iv_counter_nonce: None,
                encoding_option: Some(EncodingOption::NoEncoding),
            });
        }
        for v in [V::V1_4, V::V2_1] {
            let id = register(&engine, v, object.clone(), vec![]).await;
            assert_eq!(got(&engine, v, get(&id)).await, aes_object(&key, Some(256)));
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[tokio::test]
async fn export_then_import_moves_an_object_with_its_attributes_and_replace_existing_is_honoured() {
    use crate::kmip::payloads::{ExportRequest, ImportRequest};
    let (source, target) = (engine(), engine());
    let id = register(
        &source,
        V::V2_1,
        aes_object(&[8; 32], Some(256)),
        vec![name("moved"), Attribute::CryptographicUsageMask(Mask::Encrypt)],
    )
    .await;
    let export = ExportRequest::new(Some(id.clone()));
    let exported = match ok(one(&source, V::V2_1, Rq::Export(export)).await) {
        Rs::Export(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(exported.object, aes_object(&[8; 32], Some(256)));
    assert!(exported.attributes.items.iter().any(|a| a.attribute == name("moved")));
    let import = |object: Object, replace: Option<bool>| {
        Rq::Import(ImportRequest {
            unique_identifier: id.clone(),
            object_type: object.object_type(),
            replace_existing: replace,
            key_wrap_type: None,
            attributes: exported.attributes.clone(),
            object,
        })
    };
    match ok(one(&target, V::V2_1, import(exported.object.clone(), None)).await) {
        Rs::Import(r) => assert_eq!(r.unique_identifier, id),
        other => panic!("{other:?}"),
    }
    assert_eq!(got(&target, V::V2_1, get(&id)).await, exported.object);
    let stored = target.store().get(&id).await.ok().flatten().expect("stored");
    let record = crate::operations::managed::ManagedObject::from_stored(&stored).expect("record");
    assert_eq!(record.names().collect::<Vec<_>>(), vec!["moved"]);
    assert_eq!(record.usage_mask(), Some(Mask::Encrypt));
    // Again without Replace Existing: refused; with it: replaced.
    failed(
        &one(&target, V::V2_1, import(aes_object(&[9; 32], Some(256)), None)).await,
        R::ObjectAlreadyExists,
        "Replace Existing",
    );
    failed(
        &one(&target, V::V1_4, import(aes_object(&[9; 32], Some(256)), Some(false))).await,
        R::ObjectAlreadyExists,
        "Replace Existing",
    );
    ok(one(&target, V::V2_1, import(aes_object(&[9; 32], Some(256)), Some(true))).await);
    assert_eq!(got(&target, V::V2_1, get(&id)).await, aes_object(&[9; 32], Some(256)));
}
