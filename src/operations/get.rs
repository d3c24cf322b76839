//! Get (KMIP 1.4 §4.11, 2.1 §6.1.24): returns an object of the client's key
//! store. Symmetric keys come as stored (Raw) or as a Transparent Symmetric
//! Key; private and public keys in any format they convert to (see
//! key_forms); Secret Data, certificates, split keys and Opaque Objects as
//! registered. A Key Wrapping Specification wraps the key block (key_wrap).
//! Key compression is refused.

use crate::error::Error;
use crate::kmip::attributes::{Attribute, Attributes};
use crate::kmip::objects::{
    KeyBlock, KeyMaterial, KeyValue, KeyWrappingSpecification, Object, TransparentKey, TransparentValue,
};
use crate::kmip::payloads::{GetRequest, GetResponse};
use crate::kmip::table::KeyFormatType;
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;
use crate::operations::new_object::{format_name, type_name};
use crate::operations::{key_forms, key_wrap};
use crate::stats::UsageKind;
use crate::store::StoreError;
use crate::ttlv::{Tag, Value};

/// Runs Get.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: GetRequest) -> Result<GetResponse, Error> {
    let id = ctx.resolve_id(req.unique_identifier)?;
    if req.key_compression_type.is_some() {
        return Err(Error::KeyCompressionNotSupported(
            "Key Compression Type applies to elliptic curve keys; this server stores none".into(),
        ));
    }
    let (managed, cached) = ctx.load_live_cached(&id).await?;
    // What Get asks of the attributes, read once per stored revision (a refresh changes only the State).
    let Release { not_extractable, sensitive, fresh, registered } = *cached.release(Release::of);
    // Not Extractable: never released, not even wrapped (TC-EXTRACTABLE-1).
    if not_extractable {
        return Err(Error::NotExtractable { id });
    }
    // Sensitive: released only wrapped (TC-SENSITIVE-1).
    if req.key_wrapping_specification.is_none() && sensitive {
        return Err(Error::Sensitive { id });
    }
    // One copy of the object, converted in place: it is large, and every move of it a copy.
    let mut object = managed.object.clone().ok_or_else(|| Error::ObjectDestroyed { id: id.clone() })?;
    match &mut object {
        Object::SymmetricKey(key) => symmetric_key(&mut key.key_block, req.key_format_type.or(registered))?,
        Object::SecretData(secret) => {
            match req.key_format_type {
                // Raw and Opaque are both the bytes as they are.
                Some(f @ (KeyFormatType::Raw | KeyFormatType::Opaque)) => secret.key_block.key_format_type = f,
                Some(other) => {
                    return Err(Error::KeyFormatNotSupported(format!(
                        "Secret Data is returned in the Raw or Opaque Key Format Type, not {}",
                        format_name(other)
                    )))
                }
                None => {}
            }
        }
        // Stored as PKCS#8 and SubjectPublicKeyInfo; returned as registered
        // unless another format is asked for.
        Object::PrivateKey(key) => {
            let format = req.key_format_type.or(registered).unwrap_or(KeyFormatType::PKCS_8);
            key.key_block = key_forms::private_as(&key.key_block, format)?;
        }
        Object::PublicKey(key) => {
            let format = req.key_format_type.or(registered).unwrap_or(KeyFormatType::X_509);
            key.key_block = key_forms::public_as(&key.key_block, format)?;
        }
        Object::SplitKey(_) if matches!(req.key_format_type, None | Some(KeyFormatType::Raw)) => {}
        other => {
            if let Some(f) = req.key_format_type {
                return Err(Error::KeyFormatNotSupported(format!(
                    "a {} has no key block to return in the {} Key Format Type",
                    type_name(other.object_type()),
                    format_name(f)
                )));
            }
        }
    }
    if let Some(spec) = &req.key_wrapping_specification {
        // Boxed, as the Fresh write below: rare paths kept out of every Get's future.
        object = Box::pin(wrap_object(ctx, spec, object)).await?;
    }
    ctx.record_use_cached(&cached, UsageKind::Get);
    if fresh {
        // Boxed: once per key, and its copy of the object would otherwise sit in every Get's future.
        Box::pin(clear_fresh(ctx, &managed)).await?;
    }
    Ok(GetResponse { object_type: object.object_type(), unique_identifier: id, object })
}

/// What Get reads of an object's attributes before it releases it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Release {
    not_extractable: bool,
    sensitive: bool,
    fresh: bool,
    /// The Key Format Type it was registered in, if recorded.
    registered: Option<KeyFormatType>,
}

impl Release {
    /// One pass over the attributes (the first recorded Key Format Type counts).
    pub(crate) fn of(object: &ManagedObject) -> Release {
        let mut release = Release { not_extractable: false, sensitive: false, fresh: false, registered: None };
        for a in &object.attributes {
            match a {
                Attribute::Extractable(false) => release.not_extractable = true,
                Attribute::Sensitive(true) => release.sensitive = true,
                Attribute::Fresh(true) => release.fresh = true,
                // Absent a Key Format Type, a key comes in the format it was registered in.
                Attribute::Other(t) if release.registered.is_none() && t.tag == Tag::KeyFormatType => {
                    if let Value::Enumeration(e) = t.value {
                        release.registered = Some(KeyFormatType::from_value(e));
                    }
                }
                _ => {}
            }
        }
        release
    }
}

/// Served once: no longer Fresh (KMIP 1.4 §3.34). A concurrent Get that
/// cleared it first makes this write conflict, which is fine.
async fn clear_fresh(ctx: &RequestContext<'_>, managed: &ManagedObject) -> Result<(), Error> {
    let mut managed = ManagedObject::clone(managed);
    managed.set(Attribute::Fresh(false));
    match ctx.save(&[&managed]).await {
        Ok(()) | Err(Error::Store(StoreError::Conflict { .. })) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The object with its key block wrapped as `spec` says.
async fn wrap_object(
    ctx: &RequestContext<'_>,
    spec: &KeyWrappingSpecification,
    mut object: Object,
) -> Result<Object, Error> {
    let object_type = object.object_type();
    let Some(block) = object.key_block_mut() else {
        return Err(Error::FeatureNotSupported(format!("a {} has no key block to wrap", type_name(object_type))));
    };
    // The plain block is dropped (and wiped) as the wrapped one replaces it.
    *block = key_wrap::wrap(ctx, spec, block).await?;
    Ok(object)
}

/// A stored (Raw) symmetric key block put, in place, in the format asked for.
fn symmetric_key(block: &mut KeyBlock, format: Option<KeyFormatType>) -> Result<(), Error> {
    match format {
        None | Some(KeyFormatType::Raw) => Ok(()),
        Some(KeyFormatType::TransparentSymmetricKey) => {
            let material = match &block.key_value {
                Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => b,
                _ => return Err(Error::Internal("a stored symmetric key is not Raw bytes".into())),
            };
            // KMIP 1.4 §2.1.7.1: a structure holding the Key byte string.
            let structure = TransparentKey::new().with(Tag::Key, TransparentValue::ByteString(material.clone()));
            block.key_format_type = KeyFormatType::TransparentSymmetricKey;
            // The Raw key value is dropped (and wiped) as the transparent one replaces it.
            block.key_value = Some(KeyValue::Plain {
                key_material: KeyMaterial::Transparent(structure),
                attributes: Attributes::default(),
            });
            Ok(())
        }
        Some(other) => Err(Error::KeyFormatNotSupported(format!(
            "a Symmetric Key is returned in the Raw or Transparent Symmetric Key format, not {}",
            format_name(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::codec::ToTtlv;
    use crate::kmip::objects::{OpaqueObject, SecretData};
    use crate::kmip::payloads::{RequestPayload as Rq, ResponsePayload as Rs};
    use crate::kmip::secret::Secret;
    use crate::kmip::table::{KeyCompressionType, OpaqueDataType, ResultReason as R, SecretDataType, WrappingMethod};
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::managed::ManagedObject;
    use crate::operations::new_object::test_support::*;
    use crate::operations::Engine;

    async fn got(engine: &Engine, v: V, req: GetRequest) -> GetResponse {
        match ok(one(engine, v, Rq::Get(req)).await) {
            Rs::Get(r) => *r,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn returns_each_object_as_registered_in_every_version_and_counts_the_use() {
        let engine = engine();
        let key = aes_object(&[0x2a; 32], Some(256));
        let secret = Object::SecretData(SecretData {
            secret_data_type: SecretDataType::Seed,
            key_block: KeyBlock {
                key_format_type: KeyFormatType::Opaque,
                key_compression_type: None,
                key_value: Some(KeyValue::Plain {
                    key_material: KeyMaterial::Bytes(Secret::from_slice(b"seed")),
                    attributes: Attributes::default(),
                }),
                cryptographic_algorithm: None,
                cryptographic_length: None,
                key_wrapping_data: None,
            },
        });
        let opaque = Object::OpaqueObject(OpaqueObject {
            opaque_data_type: OpaqueDataType::Unknown(0x8000_0001),
            opaque_data_value: Secret::from_slice(b"blob"),
        });
        for object in [key, secret, opaque] {
            let id = register(&engine, V::V2_1, object.clone(), vec![]).await;
            for v in SHAPES {
                let r = got(&engine, v, get(&id)).await;
                assert_eq!(r.unique_identifier, id);
                assert_eq!(r.object_type, object.object_type());
                assert_eq!(r.object, object);
            }
            assert_eq!(engine.store().usage(&id).count(UsageKind::Get), 4);
        }
    }

    #[tokio::test]
    async fn the_first_get_clears_fresh_and_a_transparent_key_comes_back_transparent() {
        let engine = engine();
        let mut transparent = aes_object(&[4; 16], Some(128));
        if let Object::SymmetricKey(k) = &mut transparent {
            k.key_block.key_format_type = KeyFormatType::TransparentSymmetricKey;
            k.key_block.key_value = Some(KeyValue::Plain {
                key_material: KeyMaterial::Transparent(
                    TransparentKey::new().with(Tag::Key, TransparentValue::ByteString(Secret::from_slice(&[4; 16]))),
                ),
                attributes: Attributes::default(),
            });
        }
        let id = register(&engine, V::V2_1, transparent.clone(), vec![]).await;
        let fresh = |engine: Engine, id: String| async move {
            let stored = engine.store().get(&id).await.ok().flatten().expect("stored");
            let object = ManagedObject::from_stored(&stored).expect("record");
            object.find(|a| match a {
                Attribute::Fresh(f) => Some(*f),
                _ => None,
            })
        };
        assert_eq!(fresh(engine.clone(), id.clone()).await, Some(true));
        // BL-M-3: registered Transparent, returned Transparent.
        assert_eq!(got(&engine, V::V2_1, get(&id)).await.object, transparent);
        assert_eq!(fresh(engine.clone(), id.clone()).await, Some(false));
        let mut raw = get(&id);
        raw.key_format_type = Some(KeyFormatType::Raw);
        assert_eq!(got(&engine, V::V1_4, raw).await.object, aes_object(&[4; 16], Some(128)));
    }

    #[tokio::test]
    async fn a_symmetric_key_comes_as_a_transparent_symmetric_key_when_asked() {
        let engine = engine();
        let id = register(&engine, V::V2_1, aes_object(&[7; 16], Some(128)), vec![]).await;
        let mut req = get(&id);
        req.key_format_type = Some(KeyFormatType::TransparentSymmetricKey);
        let r = got(&engine, V::V1_4, req.clone()).await;
        let block = r.object.key_block().expect("key block");
        assert_eq!(block.key_format_type, KeyFormatType::TransparentSymmetricKey);
        assert_eq!(block.cryptographic_length, Some(128));
        match &block.key_value {
            Some(KeyValue::Plain { key_material: KeyMaterial::Transparent(s), .. }) => {
                assert_eq!(s.get(Tag::Key), Some(&TransparentValue::ByteString(Secret::from_slice(&[7; 16]))));
            }
            other => panic!("{other:?}"),
        }
        req.key_format_type = Some(KeyFormatType::Raw);
        assert_eq!(got(&engine, V::V2_1, req).await.object, aes_object(&[7; 16], Some(128)));
    }

    #[tokio::test]
    async fn a_1x_client_is_not_sent_2x_only_fields() {
        // The object as a 1.0 client receives it holds only 1.0 tags.
        let engine = engine();
        let id = register(&engine, V::V2_1, aes_object(&[1; 16], Some(128)), vec![]).await;
        let r = got(&engine, V::V1_0, get(&id)).await;
        let tree = r.to_ttlv(Tag::ResponsePayload, V::V1_0).unwrap();
        let mut stack = vec![&tree];
        while let Some(item) = stack.pop() {
            let since = crate::kmip::table::tag_info(item.tag).map(|i| i.since);
            assert!(since.is_none_or(|s| s <= V::V1_0), "{:?} is newer than 1.0", item.tag);
            if let Value::Structure(children) = &item.value {
                stack.extend(children.iter());
            }
        }
        // And the stored record's attributes (2.x) do not leak into the key value.
        match &r.object.key_block().and_then(|b| b.key_value.clone()) {
            Some(KeyValue::Plain { attributes, .. }) => assert!(attributes.items.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn refusals_name_the_fault_with_the_reason_of_each_version() {
        let engine = engine();
        let id = register(&engine, V::V2_1, aes_object(&[1; 16], Some(128)), vec![]).await;
        let secret_id =
            register(&engine, V::V2_1, aes_object(&[2; 16], Some(128)), vec![Attribute::Sensitive(true)]).await;
        let kept_id =
            register(&engine, V::V2_1, aes_object(&[3; 16], Some(128)), vec![Attribute::Extractable(false)]).await;
        let with = |f: &dyn Fn(&mut GetRequest)| {
            let mut r = get(&id);
            f(&mut r);
            Rq::Get(r)
        };
        let cases: Vec<(Rq, R, R, &str)> = vec![
            (Rq::Get(get("no-such-id")), R::ItemNotFound, R::ObjectNotFound, "no-such-id"),
            (
                with(&|r| r.key_format_type = Some(KeyFormatType::PKCS_1)),
                R::KeyFormatTypeNotSupported,
                R::KeyFormatTypeNotSupported,
                "PKCS_1",
            ),
            (
                with(&|r| r.key_compression_type = Some(KeyCompressionType::ECPublicKeyTypeUncompressed)),
                R::KeyCompressionTypeNotSupported,
                R::KeyCompressionTypeNotSupported,
                "Key Compression Type",
            ),
            (
                with(&|r| {
                    r.key_wrapping_specification = Some(KeyWrappingSpecification {
                        wrapping_method: WrappingMethod::Encrypt,
                        encryption_key_information: None,
                        mac_signature_key_information: None,
                        attribute_names: vec![],
                        encoding_option: None,
                    })
                }),
                R::MissingData,
                R::MissingData,
                "Key Wrapping Specification",
            ),
            (Rq::Get(get(&secret_id)), R::Sensitive, R::Sensitive, "Sensitive"),
            (Rq::Get(get(&kept_id)), R::NotExtractable, R::NotExtractable, "not Extractable"),
        ];
        for (request, legacy, modern, words) in cases {
            failed(&one(&engine, V::V1_4, request.clone()).await, legacy, words);
            failed(&one(&engine, V::V2_1, request).await, modern, words);
        }
        // Sensitive is 1.4: an older client hears Permission Denied.
        failed(&one(&engine, V::V1_3, Rq::Get(get(&secret_id))).await, R::PermissionDenied, "Sensitive");
        // No identifier and no ID Placeholder.
        let mut none = get("");
        none.unique_identifier = None;
        failed(&one(&engine, V::V2_1, Rq::Get(none)).await, R::MissingData, "Unique Identifier");
    }

    #[tokio::test]
    async fn another_key_stores_object_and_a_destroyed_one_are_refused() {
        let engine = engine();
        let id = register(&engine, V::V2_1, aes_object(&[1; 16], Some(128)), vec![]).await;
        let other = client_of("other");
        let items = run_as(&engine, &other, V::V2_1, vec![Rq::Get(get(&id))]).await;
        failed(items.first().expect("one item"), R::ObjectNotFound, &id);

        // Destroyed: the record keeps its attributes, not its material.
        let stored = engine.store().get(&id).await.ok().flatten().expect("stored");
        let mut object = ManagedObject::from_stored(&stored).expect("record");
        object.object = None;
        object.set(Attribute::State(crate::kmip::table::State::Destroyed));
        engine.store().commit(vec![object.change().expect("change")]).await.expect("commit");
        failed(&one(&engine, V::V1_4, Rq::Get(get(&id))).await, R::ItemNotFound, "destroyed");
        failed(&one(&engine, V::V2_1, Rq::Get(get(&id))).await, R::ObjectDestroyed, "destroyed");
    }
}
