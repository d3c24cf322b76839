//! Create (KMIP 1.4 §4.1, 2.1 §6.1.11): generates a symmetric key (AES,
//! 3DES, HMAC, and the Camellia and IDEA keys PyKMIP's suite asks for)
//! from OpenSSL's private DRBG.
//!
//! Required attributes, as KMIP 1.4 §4.1 and 2.1 §6.1.11 list them and as
//! PyKMIP's server enforces: Cryptographic Algorithm and Cryptographic
//! Usage Mask (the mask is what later lets Encrypt or MAC use the key, so a
//! key created without one would be useless), and Cryptographic Length for
//! block cipher keys. For HMAC the length defaults to the hash's output
//! size, the key size RFC 2104 recommends.

use crate::crypto::rng;
use crate::error::Error;
use crate::kmip::attributes::Attribute;
use crate::kmip::objects::{KeyBlock, KeyMaterial, Object, SymmetricKey};
use crate::kmip::payloads::{CreateRequest, CreateResponse};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    CryptographicAlgorithm as Alg, DRBGAlgorithm, KeyFormatType, ObjectType, Operation, RNGAlgorithm,
};
use crate::operations::context::RequestContext;
use crate::operations::new_object::{self, find};
use crate::ttlv::{Tag, Ttlv, Value};

/// The shortest and longest HMAC keys Create makes, in bits.
const HMAC_BITS: std::ops::RangeInclusive<i32> = 128..=4096;

/// The shortest symmetric key that stays quantum safe: Grover's search
/// halves a key's strength, so 256 bits keep 128 (CNSA 2.0 asks AES-256).
const QUANTUM_SAFE_BITS: i32 = 256;

/// Refuses a key the client asked to be Quantum Safe (KMIP 2.0 attribute)
/// that would not be: one under [`QUANTUM_SAFE_BITS`], as the OASIS case
/// QS-M-2 refuses AES-128 for a 13-year High protection.
fn check_quantum_safe(client: &[Attribute], algorithm: Alg, bits: i32) -> Result<(), Error> {
    let asked = client
        .iter()
        .any(|a| matches!(a, Attribute::Other(t) if t.tag == Tag::QuantumSafe && t.value == Value::Boolean(true)));
    if asked && bits < QUANTUM_SAFE_BITS {
        let name = algorithm.name().unwrap_or("the algorithm");
        return Err(Error::NotQuantumSafe(format!(
            "a {bits}-bit {name} key is not quantum safe; Quantum Safe keys need at least {QUANTUM_SAFE_BITS} bits"
        )));
    }
    Ok(())
}

/// Runs Create.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: CreateRequest) -> Result<CreateResponse, Error> {
    if req.object_type != ObjectType::SymmetricKey {
        return Err(Error::WrongObjectType { id: None, object_type: req.object_type, operation: Operation::Create });
    }
    new_object::refuse_protection_storage_masks(&[&req.protection_storage_masks])?;
    let client = new_object::client_attributes(&req.attributes, req.object_type)?;
    let algorithm = find(&client, |a| match a {
        Attribute::CryptographicAlgorithm(x) => Some(*x),
        _ => None,
    })
    .ok_or_else(|| Error::MissingData("Create needs the Cryptographic Algorithm attribute".into()))?;
    let length = find(&client, |a| match a {
        Attribute::CryptographicLength(x) => Some(*x),
        _ => None,
    });
    if !client.iter().any(|a| matches!(a, Attribute::CryptographicUsageMask(_))) {
        return Err(Error::MissingData("Create needs the Cryptographic Usage Mask attribute".into()));
    }
    let bits = key_length(algorithm, length)?;
    check_quantum_safe(&client, algorithm, bits)?;
    new_object::check_names_unique(ctx, &client).await?;
    let object = generate_symmetric_key(algorithm, bits)?;
    let mut managed = new_object::build(ctx, object, Some(KeyFormatType::Raw), client);
    managed.attributes.push(Attribute::RandomNumberGenerator(rng_parameters()));
    // A rotation policy given at creation: its first rotation date is shown.
    crate::operations::rotation::show_next(&mut managed);
    ctx.save(&[&managed]).await?;
    ctx.id_placeholder = Some(managed.id.clone());
    Ok(CreateResponse { object_type: ObjectType::SymmetricKey, unique_identifier: managed.id, attributes: None })
}

/// The key lengths in bits of the block ciphers Create makes: AES; 3DES,
/// which the Symmetric Key Foundry profile requires (SKFF-M-4: 168 bits,
/// three keys; 112 for two); and Camellia and IDEA, which PyKMIP's own
/// suite creates.
fn block_cipher_lengths(algorithm: Alg) -> Option<&'static [i32]> {
    match algorithm {
        Alg::AES | Alg::Camellia => Some(&[128, 192, 256]),
        Alg::DES3 => Some(&[112, 168]),
        Alg::IDEA => Some(&[128]),
        _ => None,
    }
}

/// Gives each byte odd parity, as DES keys carry it in their low bit
/// (FIPS 46-3 §3); the other 7 bits of each byte stay random.
pub(crate) fn set_des_parity(key: &mut [u8]) {
    for b in key.iter_mut() {
        let ones = (*b >> 1).count_ones();
        *b = (*b & 0xFE) | u8::from(ones % 2 == 0);
    }
}

/// The generator of the keys Create makes (KMIP 1.4 §3.44, set by the
/// server): OpenSSL's default private DRBG, CTR_DRBG over AES-256 (NIST SP
/// 800-90A).
pub(crate) fn rng_parameters() -> Ttlv {
    let enumeration = |tag, value| Ttlv::new(tag, Value::Enumeration(value));
    Ttlv::structure(
        Tag::RandomNumberGenerator,
        vec![
            enumeration(Tag::RNGAlgorithm, RNGAlgorithm::DRBG.value()),
            enumeration(Tag::CryptographicAlgorithm, Alg::AES.value()),
            Ttlv::new(Tag::CryptographicLength, Value::Integer(256)),
            enumeration(Tag::DRBGAlgorithm, DRBGAlgorithm::CTR.value()),
        ],
    )
}

/// The key length in bits Create makes for `algorithm`, or why not.
fn key_length(algorithm: Alg, length: Option<i32>) -> Result<i32, Error> {
    let name = algorithm.name().unwrap_or("this algorithm");
    if let Some(lengths) = block_cipher_lengths(algorithm) {
        return match length {
            Some(bits) if lengths.contains(&bits) => Ok(bits),
            Some(other) => Err(Error::InvalidField(format!(
                "Cryptographic Length {other} is not a key length of {name}; use one of {lengths:?}"
            ))),
            None => Err(Error::MissingData(format!("Create of a {name} key needs the Cryptographic Length attribute"))),
        };
    }
    let hmac_output = match algorithm {
        Alg::HMAC_SHA1 => 160,
        Alg::HMAC_SHA224 => 224,
        Alg::HMAC_SHA256 => 256,
        Alg::HMAC_SHA384 => 384,
        Alg::HMAC_SHA512 => 512,
        Alg::Unknown(v) => {
            return Err(Error::InvalidField(format!("Cryptographic Algorithm 0x{v:08X} is not a known algorithm")))
        }
        _ => {
            return Err(Error::FeatureNotSupported(format!(
                "Create generates AES, 3DES, Camellia, IDEA and HMAC-SHA1/224/256/384/512 keys; {name} is not supported"
            )))
        }
    };
    let bits = length.unwrap_or(hmac_output);
    if bits % 8 != 0 || !HMAC_BITS.contains(&bits) {
        return Err(Error::InvalidField(format!(
            "Cryptographic Length {bits} is not usable for an HMAC key: a multiple of 8 from {} to {} bits",
            HMAC_BITS.start(),
            HMAC_BITS.end()
        )));
    }
    Ok(bits)
}

/// A fresh Raw symmetric key of `algorithm` and `bits` (3DES with its parity
/// bits set), from OpenSSL's private DRBG: Create's and ReKey's material.
pub(crate) fn generate_symmetric_key(algorithm: Alg, bits: i32) -> Result<Object, Error> {
    // A failure here is the server's, not the request's.
    let mut key = rng::generate_key(new_object::key_bytes(algorithm, bits))
        .map_err(|e| Error::Internal(format!("key generation: {e}")))?;
    if algorithm == Alg::DES3 {
        set_des_parity(&mut key);
    }
    Ok(Object::SymmetricKey(SymmetricKey {
        key_block: KeyBlock::plain(
            KeyFormatType::Raw,
            KeyMaterial::Bytes(Secret::from_slice(&key)),
            Some(algorithm),
            Some(bits),
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::attributes::Name;
    use crate::kmip::codec::DateTime;
    use crate::kmip::objects::KeyValue;
    use crate::kmip::payloads::{GetRequest, RequestPayload as Rq, ResponsePayload as Rs};
    use crate::kmip::table::{CryptographicUsageMask as Mask, ResultReason as R, State};
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::new_object::test_support::*;

    fn create(attributes: Vec<Attribute>) -> Rq {
        Rq::Create(CreateRequest {
            object_type: ObjectType::SymmetricKey,
            attributes: attrs(attributes),
            protection_storage_masks: None,
        })
    }

    fn aes(bits: i32) -> Vec<Attribute> {
        vec![
            Attribute::CryptographicAlgorithm(Alg::AES),
            Attribute::CryptographicLength(bits),
            Attribute::CryptographicUsageMask(Mask::Encrypt | Mask::Decrypt),
        ]
    }

    async fn created(engine: &crate::operations::Engine, v: V, attributes: Vec<Attribute>) -> String {
        match ok(one(engine, v, create(attributes)).await) {
            Rs::Create(r) => {
                assert_eq!(r.object_type, ObjectType::SymmetricKey);
                r.unique_identifier
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn creates_aes_keys_of_each_length_in_every_version_shape() {
        for v in SHAPES {
            for (algorithm, bits) in [(Alg::AES, 128), (Alg::AES, 192), (Alg::AES, 256), (Alg::IDEA, 128)] {
                let engine = engine();
                let mut a = aes(bits);
                if let Some(first) = a.first_mut() {
                    *first = Attribute::CryptographicAlgorithm(algorithm);
                }
                a.push(name("k"));
                let id = created(&engine, v, a).await;
                assert_eq!(uuid::Uuid::parse_str(&id).map(|u| u.get_version_num()).ok(), Some(7));
                let stored = engine.store().get(&id).await.ok().flatten().expect("stored");
                let key = crate::operations::managed::ManagedObject::from_stored(&stored).expect("record");
                assert_eq!(key.state(), State::PreActive);
                let block = key.object.as_ref().and_then(Object::key_block).expect("key block");
                assert_eq!(block.cryptographic_length, Some(bits));
                match &block.key_value {
                    Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => {
                        assert_eq!(b.len() * 8, usize::try_from(bits).unwrap_or(0));
                        assert_ne!(b.expose(), vec![0u8; b.len()].as_slice());
                    }
                    other => panic!("unexpected key value {other:?}"),
                }
                assert_eq!(key.names().collect::<Vec<_>>(), vec!["k"]);
                for server_set in [Tag::InitialDate, Tag::LastChangeDate, Tag::Digest, Tag::OriginalCreationDate] {
                    assert!(key.attributes.iter().any(|a| a.tag() == server_set), "{server_set:?} set");
                }
            }
        }
    }

    #[tokio::test]
    async fn two_keys_differ_and_an_hmac_length_defaults_to_the_hash_size() {
        let engine = engine();
        let a = created(&engine, V::V1_4, aes(256)).await;
        let b = created(&engine, V::V1_4, aes(256)).await;
        let key = |id: String| {
            let engine = engine.clone();
            async move {
                match ok(one(&engine, V::V1_4, Rq::Get(get(id))).await) {
                    Rs::Get(r) => r.object,
                    other => panic!("{other:?}"),
                }
            }
        };
        assert_ne!(key(a).await, key(b).await);
        let hmac = vec![
            Attribute::CryptographicAlgorithm(Alg::HMAC_SHA384),
            Attribute::CryptographicUsageMask(Mask::MACGenerate),
        ];
        let id = created(&engine, V::V2_1, hmac).await;
        match key(id).await.key_block() {
            Some(block) => assert_eq!(block.cryptographic_length, Some(384)),
            None => panic!("no key block"),
        }
    }

    fn get(id: String) -> GetRequest {
        GetRequest::new(Some(id))
    }

    #[tokio::test]
    async fn a_3des_key_has_its_declared_length_and_odd_parity_bytes() {
        for (bits, bytes) in [(168, 24), (112, 16)] {
            let engine = engine();
            let mut a = aes(bits);
            if let Some(first) = a.first_mut() {
                *first = Attribute::CryptographicAlgorithm(Alg::DES3);
            }
            let id = created(&engine, V::V1_4, a).await;
            let stored = engine.store().get(&id).await.ok().flatten().expect("stored");
            let key = crate::operations::managed::ManagedObject::from_stored(&stored).expect("record");
            let block = key.object.as_ref().and_then(Object::key_block).expect("key block");
            assert_eq!(block.cryptographic_length, Some(bits));
            match &block.key_value {
                Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => {
                    assert_eq!(b.len(), bytes);
                    assert!(b.expose().iter().all(|x| x.count_ones() % 2 == 1), "odd parity");
                }
                other => panic!("unexpected key value {other:?}"),
            }
        }
        failed(
            &one(
                &engine(),
                V::V2_1,
                create(vec![
                    Attribute::CryptographicAlgorithm(Alg::DES3),
                    Attribute::CryptographicLength(192),
                    Attribute::CryptographicUsageMask(Mask::Encrypt),
                ]),
            )
            .await,
            R::InvalidField,
            "[112, 168]",
        );
    }

    #[tokio::test]
    async fn an_activation_date_that_has_come_makes_the_key_active() {
        let engine = engine();
        let mut a = aes(128);
        a.push(Attribute::ActivationDate(DateTime(1_000)));
        let id = created(&engine, V::V2_0, a).await;
        let stored = engine.store().get(&id).await.ok().flatten().expect("stored");
        let key = crate::operations::managed::ManagedObject::from_stored(&stored).expect("record");
        assert_eq!(key.state(), State::Active);
    }

    #[tokio::test]
    async fn the_id_placeholder_lets_a_later_item_omit_the_identifier() {
        let engine = engine();
        let mut get = get(String::new());
        get.unique_identifier = None;
        let items = run(&engine, V::V1_2, vec![create(aes(128)), Rq::Get(get)]).await;
        let ids: Vec<String> = items
            .into_iter()
            .map(|i| match ok(i) {
                Rs::Create(r) => r.unique_identifier,
                Rs::Get(r) => r.unique_identifier,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(ids.len(), 2);
        assert_eq!(ids.first(), ids.get(1));
    }

    #[tokio::test]
    async fn refusals_name_the_fault_with_the_reason_of_each_version() {
        let engine = engine();
        let mask = || Attribute::CryptographicUsageMask(Mask::Encrypt);
        // (request, 1.x reason, 2.x reason, words in the message)
        let cases: Vec<(Rq, R, R, &str)> = vec![
            (
                Rq::Create(CreateRequest {
                    object_type: ObjectType::SecretData,
                    attributes: attrs(aes(128)),
                    protection_storage_masks: None,
                }),
                R::InvalidField,
                R::InvalidObjectType,
                "Create makes Symmetric Keys, and key pairs come from Create Key Pair",
            ),
            (create(aes(100)), R::InvalidField, R::InvalidField, "Cryptographic Length 100 is not a key length of AES"),
            (
                create(vec![Attribute::CryptographicAlgorithm(Alg::AES), mask()]),
                R::MissingData,
                R::MissingData,
                "Cryptographic Length",
            ),
            (create(vec![Attribute::CryptographicLength(128), mask()]), R::MissingData, R::MissingData, "Algorithm"),
            (
                create(vec![Attribute::CryptographicAlgorithm(Alg::AES), Attribute::CryptographicLength(128)]),
                R::MissingData,
                R::MissingData,
                "Cryptographic Usage Mask",
            ),
            (
                create(vec![
                    Attribute::CryptographicAlgorithm(Alg::Blowfish),
                    Attribute::CryptographicLength(128),
                    mask(),
                ]),
                R::FeatureNotSupported,
                R::FeatureNotSupported,
                "Blowfish is not supported",
            ),
            (
                create(vec![
                    Attribute::CryptographicAlgorithm(Alg::HMAC_SHA256),
                    Attribute::CryptographicLength(12),
                    mask(),
                ]),
                R::InvalidField,
                R::InvalidField,
                "HMAC",
            ),
            (
                create([aes(128), vec![Attribute::State(State::Active)]].concat()),
                R::PermissionDenied,
                R::AttributeReadOnly,
                "State",
            ),
            (
                create([aes(128), vec![Attribute::UniqueIdentifier("mine".into())]].concat()),
                R::PermissionDenied,
                R::AttributeReadOnly,
                "Unique Identifier",
            ),
            (
                create([aes(128), vec![Attribute::CryptographicUsageMask(Mask::Sign)]].concat()),
                R::InvalidField,
                R::AttributeSingleValued,
                "Cryptographic Usage Mask",
            ),
            (
                create([aes(128), vec![Attribute::ObjectType(ObjectType::SecretData)]].concat()),
                R::InvalidField,
                R::InvalidField,
                "Object Type",
            ),
            (create([aes(128), vec![name("")]].concat()), R::InvalidField, R::InvalidField, "Name Value"),
            (
                Rq::Create(CreateRequest {
                    object_type: ObjectType::SymmetricKey,
                    attributes: attrs(aes(128)),
                    protection_storage_masks: Some(crate::ttlv::Ttlv::structure(
                        crate::ttlv::Tag::ProtectionStorageMasks,
                        vec![],
                    )),
                }),
                R::FeatureNotSupported,
                R::FeatureNotSupported,
                "Protection Storage Masks are not supported",
            ),
        ];
        for (request, legacy, modern, words) in cases {
            failed(&one(&engine, V::V1_4, request.clone()).await, legacy, words);
            failed(&one(&engine, V::V2_1, request).await, modern, words);
        }
        assert!(engine.store().list("default").await.map(|l| l.is_empty()).unwrap_or(false), "nothing stored");
    }

    #[tokio::test]
    async fn a_template_name_is_item_not_found_and_a_used_name_is_non_unique() {
        let engine = engine();
        let mut templated = attrs(aes(128));
        templated
            .template_names
            .push(Name { value: "gold".into(), name_type: crate::kmip::table::NameType::UninterpretedTextString });
        let request = Rq::Create(CreateRequest {
            object_type: ObjectType::SymmetricKey,
            attributes: templated,
            protection_storage_masks: None,
        });
        failed(&one(&engine, V::V1_1, request).await, R::ItemNotFound, "template \"gold\"");

        created(&engine, V::V1_4, [aes(128), vec![name("disk")]].concat()).await;
        let again = create([aes(256), vec![name("disk")]].concat());
        failed(&one(&engine, V::V1_4, again.clone()).await, R::InvalidField, "\"disk\"");
        failed(&one(&engine, V::V2_1, again.clone()).await, R::NonUniqueNameAttribute, "\"disk\"");
        // Another key store may use the name.
        let other = client_of("other");
        let items = run_as(&engine, &other, V::V2_1, vec![again]).await;
        assert!(matches!(items.into_iter().next().map(ok), Some(Rs::Create(_))));
    }

    #[tokio::test]
    async fn a_quantum_safe_key_must_have_256_bits_as_in_qs_m_2() {
        let engine = engine();
        let quantum_safe = || Attribute::Other(Ttlv::new(Tag::QuantumSafe, Value::Boolean(true)));
        let mut asked = aes(128);
        asked.push(quantum_safe());
        failed(&one(&engine, V::V2_1, create(asked)).await, R::GeneralFailure, "not quantum safe");
        let mut asked = aes(256);
        asked.push(quantum_safe());
        created(&engine, V::V2_1, asked).await;
        // Without Quantum Safe, AES-128 is still made.
        created(&engine, V::V2_1, aes(128)).await;
    }
}
