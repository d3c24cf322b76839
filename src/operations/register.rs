//! Register (KMIP 1.4 §4.3, 2.1 §6.1.43): stores a client's Symmetric Key
//! (Raw, or Transparent Symmetric Key kept as Raw), Secret Data (Raw or
//! Opaque bytes) or Opaque Object.
//!
//! No attribute is required: MongoDB registers Secret Data and the OASIS
//! BL-M-4 case a password with no Cryptographic Usage Mask, and a key's
//! algorithm and length may come from its key block alone.

use crate::error::Error;
use crate::kmip::attributes::{Attribute, Attributes};
use crate::kmip::objects::{
    KeyBlock, KeyMaterial, KeyValue, Object, PrivateKey, PublicKey, SymmetricKey, TransparentValue,
};
use crate::kmip::payloads::{RegisterRequest, RegisterResponse};
use crate::kmip::secret::Secret;
use crate::kmip::table::{CertificateType, CryptographicAlgorithm as Alg, KeyFormatType, Operation, SecretDataType};
use crate::operations::context::RequestContext;
use crate::operations::new_object::{self, find, format_name, type_name};
use crate::operations::{key_forms, key_wrap};
use crate::ttlv::Tag;

/// Runs Register.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: RegisterRequest) -> Result<RegisterResponse, Error> {
    let object_type = req.object.object_type();
    if req.object_type != object_type {
        return Err(Error::InvalidField(format!(
            "Object Type is {} but the object sent is a {}",
            type_name(req.object_type),
            type_name(object_type)
        )));
    }
    new_object::refuse_protection_storage_masks(&[&req.protection_storage_masks])?;
    let mut client = new_object::client_attributes(&req.attributes, object_type)?;
    let format = req.object.key_block().map(|b| b.key_format_type);
    let object = checked_object(ctx, req.object, &mut client, Operation::Register).await?;
    new_object::check_names_unique(ctx, &client).await?;
    let managed = new_object::build(ctx, object, format, client);
    ctx.save(&[&managed]).await?;
    ctx.id_placeholder = Some(managed.id.clone());
    Ok(RegisterResponse { unique_identifier: managed.id, attributes: None })
}

/// The object a client sent, checked and in the form it is stored in (keys
/// unwrapped and normalised); server-derived attributes (a certificate's
/// type and length) are added to `client`. Import stores objects this way
/// too (`operation` names which of the two refuses an object type).
pub(crate) async fn checked_object(
    ctx: &RequestContext<'_>,
    object: Object,
    client: &mut Vec<Attribute>,
    operation: Operation,
) -> Result<Object, Error> {
    let object = unwrap_object(ctx, object).await?;
    let object = match object {
        Object::PrivateKey(key) => {
            refuse_compressed(&key.key_block)?;
            let parsed = key_forms::parse_private(&key.key_block)?;
            check_algorithm(client, parsed.algorithm, parsed.bits)?;
            let key_block = if key.key_block.key_format_type == KeyFormatType::Raw {
                key_forms::keep_raw(key.key_block, &parsed)
            } else {
                key_forms::store_private(&parsed)?
            };
            Object::PrivateKey(PrivateKey { key_block })
        }
        Object::PublicKey(key) => {
            refuse_compressed(&key.key_block)?;
            let parsed = key_forms::parse_public(&key.key_block)?;
            check_algorithm(client, parsed.algorithm, parsed.bits)?;
            let key_block = if key.key_block.key_format_type == KeyFormatType::Raw {
                key_forms::keep_raw(key.key_block, &parsed)
            } else {
                key_forms::store_public(&parsed)?
            };
            Object::PublicKey(PublicKey { key_block })
        }
        Object::Certificate(cert) => {
            if cert.certificate_type != CertificateType::X_509 {
                return Err(Error::InvalidField(format!(
                    "Certificate Type {} is not supported; X.509 is",
                    cert.certificate_type.name().unwrap_or("unknown")
                )));
            }
            if crate::crypto::formats::check_der_certificate(&cert.certificate_value).is_err() {
                return Err(Error::InvalidField("the Certificate Value is not a DER X.509 certificate".into()));
            }
            client.retain(|a| !matches!(a, Attribute::CertificateType(_) | Attribute::CertificateLength(_)));
            client.push(Attribute::CertificateType(CertificateType::X_509));
            client.push(Attribute::CertificateLength(i32::try_from(cert.certificate_value.len()).unwrap_or(i32::MAX)));
            Object::Certificate(cert)
        }
        Object::SplitKey(split) => {
            // Stored as given: the server does not combine the parts.
            if split.key_part_identifier < 1 || split.key_part_identifier > split.split_key_parts {
                return Err(Error::InvalidField(format!(
                    "Key Part Identifier {} is outside 1..={} (Split Key Parts)",
                    split.key_part_identifier, split.split_key_parts
                )));
            }
            if split.split_key_threshold < 1 || split.split_key_threshold > split.split_key_parts {
                return Err(Error::InvalidField(format!(
                    "Split Key Threshold {} is outside 1..={} (Split Key Parts)",
                    split.split_key_threshold, split.split_key_parts
                )));
            }
            if plain_bytes(&split.key_block)?.is_empty() {
                return Err(Error::InvalidField("the Split Key's Key Material is empty".into()));
            }
            Object::SplitKey(split)
        }
        Object::Template(template) => Object::Template(template),
        Object::SymmetricKey(key) => {
            Object::SymmetricKey(SymmetricKey { key_block: symmetric_key(key.key_block, client)? })
        }
        Object::SecretData(mut secret) => {
            if matches!(secret.secret_data_type, SecretDataType::Unknown(_)) {
                return Err(Error::InvalidField(format!(
                    "Secret Data Type 0x{:08X} is not Password or Seed",
                    secret.secret_data_type.value()
                )));
            }
            let block = &mut secret.key_block;
            if !matches!(block.key_format_type, KeyFormatType::Raw | KeyFormatType::Opaque) {
                return Err(Error::KeyFormatNotSupported(format!(
                    "Secret Data is registered in the Raw or Opaque Key Format Type, not {}",
                    format_name(block.key_format_type)
                )));
            }
            let bytes = plain_bytes(block)?;
            if bytes.is_empty() {
                return Err(Error::InvalidField("the Secret Data's Key Material is empty".into()));
            }
            let bytes = bytes.clone();
            // Key Value attributes would be a second, unchecked attribute list.
            block.key_value =
                Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(bytes), attributes: Attributes::default() });
            Object::SecretData(secret)
        }
        Object::OpaqueObject(opaque) => Object::OpaqueObject(opaque),
        other => return Err(Error::WrongObjectType { id: None, object_type: other.object_type(), operation }),
    };
    Ok(object)
}

/// The object with its key block unwrapped, when the client sent it wrapped
/// (KMIP 1.4 §2.1.5): the named key must allow Unwrap Key; the plain key is
/// what is stored.
async fn unwrap_object(ctx: &RequestContext<'_>, mut object: Object) -> Result<Object, Error> {
    // A wrapped Split Key is refused below (stored as given otherwise); a PGP Key is not stored.
    if matches!(object, Object::SplitKey(_) | Object::PGPKey(_)) {
        return Ok(object);
    }
    if let Some(block) = object.key_block_mut() {
        if let Some(plain) = key_wrap::unwrap(ctx, block).await? {
            *block = plain;
        }
    }
    Ok(object)
}

fn refuse_compressed(block: &KeyBlock) -> Result<(), Error> {
    if block.key_compression_type.is_some() {
        return Err(Error::KeyCompressionNotSupported("compressed EC keys are not supported".into()));
    }
    Ok(())
}

/// The client's Cryptographic Algorithm and Length, if given, must be the key's.
fn check_algorithm(client: &[Attribute], algorithm: Alg, bits: i32) -> Result<(), Error> {
    if let Some(given) = find(client, |a| match a {
        Attribute::CryptographicAlgorithm(x) => Some(*x),
        _ => None,
    }) {
        // ECDSA and ECDH name EC keys in 1.x.
        let same = given == algorithm || (algorithm == Alg::EC && matches!(given, Alg::ECDSA | Alg::ECDH));
        if !same {
            return Err(Error::InvalidField(format!(
                "the Cryptographic Algorithm attribute ({}) is not the key's ({})",
                given.name().unwrap_or("unknown"),
                algorithm.name().unwrap_or("unknown")
            )));
        }
    }
    if let Some(given) = find(client, |a| match a {
        Attribute::CryptographicLength(x) => Some(*x),
        _ => None,
    }) {
        if given != bits {
            return Err(Error::InvalidField(format!(
                "the Cryptographic Length attribute is {given} but the key is {bits} bits"
            )));
        }
    }
    Ok(())
}

/// The key material of an unwrapped, uncompressed key block.
fn plain_bytes(block: &KeyBlock) -> Result<&Secret, Error> {
    if block.key_wrapping_data.is_some() || matches!(block.key_value, Some(KeyValue::Wrapped(_))) {
        return Err(Error::FeatureNotSupported(
            "registering a wrapped key (Key Wrapping Data) is not supported yet".into(),
        ));
    }
    if block.key_compression_type.is_some() {
        return Err(Error::KeyCompressionNotSupported(
            "Key Compression Type applies to elliptic curve keys only".into(),
        ));
    }
    match &block.key_value {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => Ok(b),
        Some(KeyValue::Plain { key_material: KeyMaterial::Transparent(_), .. }) => Err(Error::InvalidField(format!(
            "Key Material must be a Byte String in the {} Key Format Type",
            format_name(block.key_format_type)
        ))),
        _ => Err(Error::MissingData("the Key Block has no Key Value".into())),
    }
}

/// A symmetric key's block as stored: Raw, with its algorithm and length,
/// checked against the bytes and against the client's attributes.
fn symmetric_key(block: KeyBlock, client: &[Attribute]) -> Result<KeyBlock, Error> {
    let bytes = match block.key_format_type {
        KeyFormatType::Raw => plain_bytes(&block)?.clone(),
        KeyFormatType::TransparentSymmetricKey => transparent_key(&block)?,
        other => {
            return Err(Error::KeyFormatNotSupported(format!(
                "a Symmetric Key is registered in the Raw or Transparent Symmetric Key format, not {}",
                format_name(other)
            )))
        }
    };
    if bytes.is_empty() {
        return Err(Error::InvalidField("the Symmetric Key's Key Material is empty".into()));
    }
    let attribute_algorithm = find(client, |a| match a {
        Attribute::CryptographicAlgorithm(x) => Some(*x),
        _ => None,
    });
    let attribute_length = find(client, |a| match a {
        Attribute::CryptographicLength(x) => Some(*x),
        _ => None,
    });
    let algorithm = match (block.cryptographic_algorithm, attribute_algorithm) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::InvalidField(format!(
                "the Cryptographic Algorithm attribute ({}) differs from the Key Block's ({})",
                b.name().unwrap_or("unknown"),
                a.name().unwrap_or("unknown")
            )))
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => {
            return Err(Error::MissingData(
                "a Symmetric Key needs a Cryptographic Algorithm, in its Key Block or its attributes".into(),
            ))
        }
    };
    // 3DES lengths leave out the parity bits: 24 bytes are 168 bits (or 192).
    let allowed = new_object::lengths_of(algorithm, bytes.len());
    for (what, length) in [("Key Block's", block.cryptographic_length), ("attribute", attribute_length)] {
        if let Some(length) = length {
            if !allowed.contains(&length) {
                return Err(Error::InvalidField(format!(
                    "the {what} Cryptographic Length is {length} but the Key Material is {} bits",
                    bytes.len().saturating_mul(8)
                )));
            }
        }
    }
    let actual = block.cryptographic_length.or(attribute_length).or(allowed.first().copied()).unwrap_or(0);
    // 64 bytes: the double key of XTS-AES-256 (IEEE 1619), which Encrypt's
    // XTS mode uses and PyKMIP's suite registers.
    if algorithm == Alg::AES && !matches!(bytes.len(), 16 | 24 | 32 | 64) {
        return Err(Error::InvalidField(format!(
            "an AES key is 16, 24 or 32 bytes (128, 192 or 256 bits), or 64 for XTS, not {} bytes",
            bytes.len()
        )));
    }
    Ok(KeyBlock::plain(KeyFormatType::Raw, KeyMaterial::Bytes(bytes), Some(algorithm), Some(actual)))
}

/// The Key of a Transparent Symmetric Key (KMIP 1.4 §2.1.7.1: a structure
/// holding one Key, a Byte String).
fn transparent_key(block: &KeyBlock) -> Result<Secret, Error> {
    if block.key_wrapping_data.is_some() || matches!(block.key_value, Some(KeyValue::Wrapped(_))) {
        return Err(Error::FeatureNotSupported(
            "registering a wrapped key (Key Wrapping Data) is not supported yet".into(),
        ));
    }
    let material = match &block.key_value {
        Some(KeyValue::Plain { key_material: KeyMaterial::Transparent(t), .. }) => t,
        Some(KeyValue::Plain { .. }) => {
            return Err(Error::InvalidField("a Transparent Symmetric Key's Key Material is a structure".into()))
        }
        _ => return Err(Error::MissingData("the Key Block has no Key Value".into())),
    };
    match material.fields() {
        [(tag, value)] if *tag == Tag::Key => match value {
            TransparentValue::ByteString(b) => Ok(b.clone()),
            _ => Err(Error::InvalidField("the Transparent Symmetric Key's Key must be a Byte String".into())),
        },
        _ => Err(Error::InvalidField("a Transparent Symmetric Key's Key Material holds exactly one Key".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::codec::DateTime;
    use crate::kmip::objects::{KeyWrappingData, OpaqueObject, SecretData, TransparentKey};
    use crate::kmip::payloads::{GetRequest, RequestPayload as Rq, ResponsePayload as Rs};
    use crate::kmip::table::{
        CryptographicUsageMask as Mask, ObjectType, OpaqueDataType, ResultReason as R, State, WrappingMethod,
    };
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::managed::ManagedObject;
    use crate::operations::new_object::test_support::*;

    fn secret(bytes: &[u8], format: KeyFormatType) -> Object {
        Object::SecretData(SecretData {
            secret_data_type: SecretDataType::Password,
            key_block: KeyBlock {
                key_format_type: format,
                key_compression_type: None,
                key_value: Some(KeyValue::Plain {
                    key_material: KeyMaterial::Bytes(Secret::from_slice(bytes)),
                    attributes: Attributes::default(),
                }),
                cryptographic_algorithm: None,
                cryptographic_length: None,
                key_wrapping_data: None,
            },
        })
    }

    async fn registered(engine: &crate::operations::Engine, v: V, request: Rq) -> ManagedObject {
        let id = match ok(one(engine, v, request).await) {
            Rs::Register(r) => r.unique_identifier,
            other => panic!("unexpected {other:?}"),
        };
        let stored = engine.store().get(&id).await.ok().flatten().expect("stored");
        ManagedObject::from_stored(&stored).expect("record")
    }

    #[tokio::test]
    async fn registers_each_supported_object_in_every_version_shape() {
        for v in SHAPES {
            let engine = engine();
            // BL-M-2: the key's algorithm and length also as attributes.
            let key = registered(
                &engine,
                v,
                register_request(
                    aes_object(&[0x01; 16], Some(128)),
                    vec![
                        Attribute::CryptographicUsageMask(Mask::Encrypt),
                        Attribute::CryptographicAlgorithm(Alg::AES),
                        Attribute::CryptographicLength(128),
                        name("pg-master"),
                    ],
                ),
            )
            .await;
            assert_eq!(key.state(), State::PreActive);
            assert_eq!(key.object_type(), Some(ObjectType::SymmetricKey));
            assert_eq!(key.names().collect::<Vec<_>>(), vec!["pg-master"]);
            assert_eq!(key.usage_mask(), Some(Mask::Encrypt));
            assert_eq!(key.object, Some(aes_object(&[0x01; 16], Some(128))));

            // MongoDB, Synology, BL-M-4: Secret Data, no usage mask.
            let password =
                registered(&engine, v, register_request(secret(b"password", KeyFormatType::Opaque), vec![])).await;
            assert_eq!(password.object, Some(secret(b"password", KeyFormatType::Opaque)));
            assert_eq!(password.state(), State::PreActive);

            let opaque = Object::OpaqueObject(OpaqueObject {
                opaque_data_type: OpaqueDataType::Unknown(0x8000_0001),
                opaque_data_value: Secret::from_slice(b"SecretPassword"),
            });
            let stored = registered(&engine, v, register_request(opaque.clone(), vec![name("OMOS-M-1")])).await;
            assert_eq!(stored.object, Some(opaque));
            assert!(
                !stored.attributes.iter().any(|a| matches!(a, Attribute::State(_))),
                "opaque objects have no State"
            );
        }
    }

    #[tokio::test]
    async fn mongodb_registers_a_seed_activates_it_and_gets_it_back() {
        // libmongocrypt's KMIP 1.4 requests: Register Secret Data (Seed, Raw,
        // 96 bytes) with an empty Template-Attribute; Activate; Get.
        let engine = engine();
        let seed = [0x5a; 96];
        let mut object = secret(&seed, KeyFormatType::Raw);
        if let Object::SecretData(s) = &mut object {
            s.secret_data_type = SecretDataType::Seed;
        }
        let id = match ok(one(&engine, V::V1_4, register_request(object.clone(), vec![])).await) {
            Rs::Register(r) => r.unique_identifier,
            other => panic!("{other:?}"),
        };
        let activate = Rq::Activate(crate::kmip::payloads::ActivateRequest { unique_identifier: Some(id.clone()) });
        assert!(matches!(ok(one(&engine, V::V1_4, activate).await), Rs::Activate(_)));
        let get = Rq::Get(GetRequest::new(Some(id)));
        match ok(one(&engine, V::V1_4, get).await) {
            Rs::Get(r) => assert_eq!(r.object, object),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_transparent_key_is_stored_raw_with_its_length() {
        let engine = engine();
        let mut object = aes_object(&[0; 1], None);
        if let Object::SymmetricKey(k) = &mut object {
            k.key_block.key_format_type = KeyFormatType::TransparentSymmetricKey;
            k.key_block.key_value = Some(KeyValue::Plain {
                key_material: KeyMaterial::Transparent(
                    TransparentKey::new().with(Tag::Key, TransparentValue::ByteString(Secret::from_slice(&[9; 32]))),
                ),
                attributes: Attributes::default(),
            });
        }
        let key = registered(&engine, V::V1_2, register_request(object, vec![])).await;
        assert_eq!(key.object, Some(aes_object(&[9; 32], Some(256))));
    }

    #[tokio::test]
    async fn a_past_activation_date_registers_an_active_key_and_the_id_placeholder_is_set() {
        let engine = engine();
        let request = register_request(aes_object(&[3; 32], Some(256)), vec![Attribute::ActivationDate(DateTime(5))]);
        let get = Rq::Get(GetRequest { unique_identifier: None, ..get("") });
        let items = run(&engine, V::V1_0, vec![request, get]).await;
        let mut ids = items.into_iter().map(|i| match ok(i) {
            Rs::Register(r) => r.unique_identifier,
            Rs::Get(r) => r.unique_identifier,
            other => panic!("{other:?}"),
        });
        let (first, second) = (ids.next(), ids.next());
        assert_eq!(first, second);
        let stored = engine.store().get(&first.unwrap_or_default()).await.ok().flatten().expect("stored");
        assert_eq!(ManagedObject::from_stored(&stored).map(|o| o.state()).ok(), Some(State::Active));
    }

    #[tokio::test]
    async fn refusals_name_the_fault_with_the_reason_of_each_version() {
        let engine = engine();
        let mut wrapped = aes_object(&[1; 16], None);
        if let Object::SymmetricKey(k) = &mut wrapped {
            k.key_block.key_wrapping_data = Some(KeyWrappingData {
                wrapping_method: WrappingMethod::Encrypt,
                encryption_key_information: None,
                mac_signature_key_information: None,
                mac_signature: None,
                iv_counter_nonce: None,
                encoding_option: None,
            });
        }
        let mut pkcs8 = aes_object(&[1; 16], None);
        if let Object::SymmetricKey(k) = &mut pkcs8 {
            k.key_block.key_format_type = KeyFormatType::PKCS_8;
        }
        let mut no_algorithm = aes_object(&[1; 16], None);
        if let Object::SymmetricKey(k) = &mut no_algorithm {
            k.key_block.cryptographic_algorithm = None;
        }
        let mut mismatched = register_request(aes_object(&[1; 16], None), vec![]);
        if let Rq::Register(r) = &mut mismatched {
            r.object_type = ObjectType::SecretData;
        }
        let certificate = Object::Certificate(crate::kmip::objects::Certificate {
            certificate_type: crate::kmip::table::CertificateType::X_509,
            certificate_value: bytes::Bytes::from_static(b"0"),
        });
        let cases: Vec<(Rq, R, R, &str)> = vec![
            (register_request(aes_object(&[1; 20], None), vec![]), R::InvalidField, R::InvalidField, "20 bytes"),
            (
                register_request(aes_object(&[1; 16], Some(256)), vec![]),
                R::InvalidField,
                R::InvalidField,
                "Length is 256",
            ),
            (
                register_request(aes_object(&[1; 16], None), vec![Attribute::CryptographicLength(192)]),
                R::InvalidField,
                R::InvalidField,
                "Length is 192",
            ),
            (
                register_request(aes_object(&[1; 16], None), vec![Attribute::CryptographicAlgorithm(Alg::HMAC_SHA256)]),
                R::InvalidField,
                R::InvalidField,
                "differs",
            ),
            (register_request(no_algorithm, vec![]), R::MissingData, R::MissingData, "Cryptographic Algorithm"),
            (register_request(wrapped, vec![]), R::MissingData, R::MissingData, "Encryption Key Information"),
            (register_request(pkcs8, vec![]), R::KeyFormatTypeNotSupported, R::KeyFormatTypeNotSupported, "PKCS_8"),
            (register_request(aes_object(&[], None), vec![]), R::InvalidField, R::InvalidField, "empty"),
            (register_request(certificate, vec![]), R::InvalidField, R::InvalidField, "not a DER X.509 certificate"),
            (mismatched, R::InvalidField, R::InvalidField, "Object Type is SecretData"),
            (
                register_request(secret(b"x", KeyFormatType::Raw), vec![Attribute::InitialDate(DateTime(1))]),
                R::PermissionDenied,
                R::AttributeReadOnly,
                "Initial Date",
            ),
            (
                register_request(secret(b"x", KeyFormatType::PKCS_1), vec![]),
                R::KeyFormatTypeNotSupported,
                R::KeyFormatTypeNotSupported,
                "Raw or Opaque",
            ),
        ];
        for (request, legacy, modern, words) in cases {
            failed(&one(&engine, V::V1_4, request.clone()).await, legacy, words);
            failed(&one(&engine, V::V2_1, request).await, modern, words);
        }
        assert!(engine.store().list("default").await.map(|l| l.is_empty()).unwrap_or(false), "nothing stored");

        let first =
            registered(&engine, V::V1_4, register_request(secret(b"x", KeyFormatType::Raw), vec![name("tde")])).await;
        let again = register_request(secret(b"y", KeyFormatType::Raw), vec![name("tde")]);
        failed(&one(&engine, V::V1_4, again.clone()).await, R::InvalidField, "\"tde\"");
        failed(&one(&engine, V::V2_1, again.clone()).await, R::NonUniqueNameAttribute, "\"tde\"");
        // A name given twice in one request.
        let twice = register_request(secret(b"z", KeyFormatType::Raw), vec![name("dup"), name("dup")]);
        failed(&one(&engine, V::V2_1, twice).await, R::NonUniqueNameAttribute, "\"dup\"");

        // Once the first is destroyed, its name may be used again.
        let mut destroyed = first;
        destroyed.object = None;
        destroyed.set(Attribute::State(State::Destroyed));
        engine.store().commit(vec![destroyed.change().expect("change")]).await.expect("commit");
        registered(&engine, V::V2_1, again).await;
    }
}
