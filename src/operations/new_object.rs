//! What Create and Register share: the attributes of a new object. The
//! server sets Unique Identifier, Object Type, State, the dates, the
//! Digest, Fresh, the 2.x Key Format Type and the cryptographic attributes
//! of the key block; the client's own attributes are checked (none of the
//! server's, one value for a single-valued one, names unique in the key
//! store) and kept.
//!
//! Also here, under `cfg(test)`: the engine-level test helpers of the four
//! operations. (PyKMIP 0.11's captured suite is replayed in
//! tests/it/pykmip_capture_replay.rs.)

use bytes::Bytes;

use crate::error::Error;
use crate::kmip::attributes::{Attribute, Attributes, Digest};
use crate::kmip::codec::{DateTime, Interval};
use crate::kmip::objects::{KeyMaterial, KeyValue, Object};
use crate::kmip::table::{CryptographicAlgorithm, HashingAlgorithm, KeyFormatType, ObjectType, State};
use crate::operations::attribute_rules;
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;
use crate::ttlv::{Tag, Ttlv, Value};

/// The client's attributes of a Create or Register request, checked: no
/// template names, none that only the server sets, one value of each
/// single-valued one ([`attribute_rules::check_initial_all`]), no empty
/// Name, and an Object Type attribute (tolerated: some clients repeat the
/// request's field) equal to `object_type`. Cryptographic Algorithm and
/// Cryptographic Length are left in: the caller compares them with the
/// object.
pub(crate) fn client_attributes(list: &Attributes, object_type: ObjectType) -> Result<Vec<Attribute>, Error> {
    if let Some(template) = list.template_names.first() {
        return Err(Error::TemplateNotFound { name: template.value.clone() });
    }
    let mut out: Vec<Attribute> = Vec::with_capacity(list.items.len());
    for attribute in list.iter() {
        match attribute {
            Attribute::ObjectType(t) if *t == object_type => continue,
            Attribute::ObjectType(t) => {
                return Err(Error::InvalidField(format!(
                    "the Object Type attribute ({}) differs from the request's Object Type ({})",
                    type_name(*t),
                    type_name(object_type)
                )))
            }
            Attribute::Name(name) if name.value.is_empty() => {
                return Err(Error::InvalidField("a Name's Name Value must not be empty".into()))
            }
            _ => out.push(attribute.clone()),
        }
    }
    attribute_rules::check_initial_all(&out)?;
    Ok(out)
}

/// Refuses a name already used in the client's key store (and a name given
/// twice in the request). A destroyed object does not hold its name: a
/// client that destroys a key may register a new one under the same name,
/// and Locate by that name still finds exactly one (destroyed objects are
/// not on-line storage).
///
/// This read gives the early, exact answer; two requests racing for one
/// name can both pass it, and the store's commit refuses the later one
/// atomically (`StoreError::NameTaken`, answered the same way).
pub(crate) async fn check_names_unique(ctx: &RequestContext<'_>, attributes: &[Attribute]) -> Result<(), Error> {
    let names: Vec<&str> = attributes
        .iter()
        .filter_map(|a| match a {
            Attribute::Name(n) => Some(n.value.as_str()),
            _ => None,
        })
        .collect();
    for (i, name) in names.iter().enumerate() {
        if names.iter().take(i).any(|earlier| earlier == name) {
            return Err(Error::NonUniqueName((*name).to_owned()));
        }
        for id in ctx.store.ids_by_name(&ctx.client.keystore, name).await? {
            if ctx.store.get(&id).await?.is_some_and(|o| o.material.is_some()) {
                return Err(Error::NonUniqueName((*name).to_owned()));
            }
        }
    }
    Ok(())
}

/// The Digest (KMIP 1.4 §3.17) of an object's value: SHA-256 over the key
/// material of a key block held as bytes, or over an opaque object's value,
/// as the OASIS SKLC cases show it (Hashing Algorithm, Digest Value, Key
/// Format Type).
fn digest(object: &Object) -> Option<Digest> {
    let (bytes, format) = match object {
        Object::OpaqueObject(o) => (o.opaque_data_value.expose(), None),
        Object::Certificate(c) => (&c.certificate_value[..], None),
        other => {
            let block = other.key_block()?;
            match &block.key_value {
                Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => {
                    (b.expose(), Some(block.key_format_type))
                }
                _ => return None,
            }
        }
    };
    Some(Digest {
        hashing_algorithm: HashingAlgorithm::SHA_256,
        digest_value: Some(Bytes::copy_from_slice(&crate::crypto::hash::sha256(bytes))),
        key_format_type: format.map(|f| Ttlv::new(Tag::KeyFormatType, Value::Enumeration(f.value()))),
    })
}

/// The Lease Time (seconds) every new cryptographic object is given: the
/// server's policy default, the value the OASIS reference server uses.
pub(crate) const DEFAULT_LEASE_TIME: u32 = 3600;

/// Protection Storage Mask "Software" (KMIP 2.0 §9.1.3.3.?): no HSM holds
/// the object.
const PROTECTION_STORAGE_SOFTWARE: i32 = 0x0000_0001;

/// Builds the new object of `ctx`'s key store from the object and the
/// client's checked attributes (see [`client_attributes`]): server-set
/// attributes first, then the client's. State is Pre-Active, or Active when
/// the client gave an Activation Date that has come; opaque objects have no
/// State (KMIP 1.4 §3.22: cryptographic objects only).
pub(crate) fn build(
    ctx: &RequestContext<'_>,
    object: Object,
    format: Option<KeyFormatType>,
    client: Vec<Attribute>,
) -> ManagedObject {
    let now: DateTime = ctx.now_kmip();
    let id = uuid::Uuid::now_v7().to_string();
    let object_type = object.object_type();
    let mut attributes = vec![Attribute::UniqueIdentifier(id.clone()), Attribute::ObjectType(object_type)];
    // KMIP 2.0 §4.51: a fixed-size name for clients short of room, the
    // SHA-256 of the Unique Identifier (written in 2.x answers only).
    let short = crate::crypto::hash::sha256(id.as_bytes());
    attributes.push(Attribute::Other(Ttlv::new(
        Tag::ShortUniqueIdentifier,
        Value::ByteString(Bytes::copy_from_slice(&short)),
    )));
    let from_block = object
        .key_block()
        .map_or((false, false), |b| (b.cryptographic_algorithm.is_some(), b.cryptographic_length.is_some()));
    if let Some(block) = object.key_block() {
        if let Some(algorithm) = block.cryptographic_algorithm {
            attributes.push(Attribute::CryptographicAlgorithm(algorithm));
        }
        if let Some(length) = block.cryptographic_length {
            attributes.push(Attribute::CryptographicLength(length));
        }
    }
    if let Some(d) = digest(&object) {
        attributes.push(Attribute::Digest(d));
    }
    // The 2.x Key Format Type attribute: the format the key was registered
    // in (or Raw when generated), which Get returns by default (BL-M-3).
    if let Some(format) = format {
        attributes.push(Attribute::Other(Ttlv::new(Tag::KeyFormatType, Value::Enumeration(format.value()))));
    }
    if object_type != ObjectType::OpaqueObject {
        let activation = client.iter().find_map(|a| match a {
            Attribute::ActivationDate(d) => Some(*d),
            _ => None,
        });
        let state = if activation.is_some_and(|d| d.0 <= now.0) { State::Active } else { State::PreActive };
        attributes.push(Attribute::State(state));
    }
    if object_type != ObjectType::OpaqueObject {
        // The server's policy: a client may use the object for this long
        // before it must obtain a new lease (KMIP 1.4 §3.15); the OASIS
        // cases' reference server says 3600 seconds, and so does this one.
        attributes.push(Attribute::LeaseTime(Interval(DEFAULT_LEASE_TIME)));
    }
    // KMIP 2.0 §4.54: where the object is protected; keys live in the
    // store, sealed in software (2.x answers only).
    attributes
        .push(Attribute::Other(Ttlv::new(Tag::ProtectionStorageMask, Value::Integer(PROTECTION_STORAGE_SOFTWARE))));
    attributes.push(Attribute::InitialDate(now));
    attributes.push(Attribute::LastChangeDate(now));
    // A client registering an object made elsewhere may give its own.
    if !client.iter().any(|a| matches!(a, Attribute::OriginalCreationDate(_))) {
        attributes.push(Attribute::OriginalCreationDate(now));
    }
    // Fresh until first served by Get (KMIP 1.4 §3.34); Sensitive false and
    // Extractable true unless the client says otherwise (§3.48, §3.50).
    if !client.iter().any(|a| matches!(a, Attribute::Fresh(_))) {
        attributes.push(Attribute::Fresh(true));
    }
    let sensitive = find(&client, |a| match a {
        Attribute::Sensitive(s) => Some(*s),
        _ => None,
    });
    let extractable = find(&client, |a| match a {
        Attribute::Extractable(e) => Some(*e),
        _ => None,
    });
    if sensitive.is_none() {
        attributes.push(Attribute::Sensitive(false));
    }
    if extractable.is_none() {
        attributes.push(Attribute::Extractable(true));
    }
    attributes.push(Attribute::AlwaysSensitive(sensitive.unwrap_or(false)));
    attributes.push(Attribute::NeverExtractable(!extractable.unwrap_or(true)));
    // Where the key block carries these, the client's copies were compared with it.
    attributes.extend(client.into_iter().filter(|a| match a {
        Attribute::CryptographicAlgorithm(_) => !from_block.0,
        Attribute::CryptographicLength(_) => !from_block.1,
        _ => true,
    }));
    ManagedObject::new(id, ctx.client.keystore.clone(), object, attributes)
}

/// The one value of a single-valued attribute among `attributes`.
pub(crate) fn find<T>(attributes: &[Attribute], pick: impl Fn(&Attribute) -> Option<T>) -> Option<T> {
    attributes.iter().find_map(pick)
}

/// The bytes of a symmetric key of `bits` for `algorithm`: 3DES keys carry
/// a parity bit per byte that their length does not count (168 bits in 24
/// bytes, 112 in 16).
pub(crate) fn key_bytes(algorithm: CryptographicAlgorithm, bits: i32) -> usize {
    let bits = usize::try_from(bits).unwrap_or(0);
    if algorithm == CryptographicAlgorithm::DES3 {
        bits / 7
    } else {
        bits / 8
    }
}

/// The Cryptographic Lengths `len` bytes of a key of `algorithm` may be
/// declared with: its bits, or for 3DES its bits without parity.
pub(crate) fn lengths_of(algorithm: CryptographicAlgorithm, len: usize) -> Vec<i32> {
    let bits = i32::try_from(len.saturating_mul(8)).unwrap_or(i32::MAX);
    match (algorithm, len) {
        (CryptographicAlgorithm::DES3, 16 | 24) => vec![bits / 8 * 7, bits],
        _ => vec![bits],
    }
}

/// Refuses a request that names Protection Storage Masks (KMIP 2.0): coffer
/// keeps every object the one way, so a mask asked for could not be honoured,
/// and ignoring it would tell the client its object is stored as it asked.
pub(crate) fn refuse_protection_storage_masks(masks: &[&Option<Ttlv>]) -> Result<(), Error> {
    if masks.iter().any(|m| m.is_some()) {
        return Err(Error::FeatureNotSupported("Protection Storage Masks are not supported".into()));
    }
    Ok(())
}

/// An Object Type's spec name.
pub(crate) fn type_name(t: ObjectType) -> String {
    t.name().map_or_else(|| format!("0x{:08X}", t.value()), str::to_owned)
}

/// A Key Format Type's spec name.
pub(crate) fn format_name(f: KeyFormatType) -> String {
    f.name().map_or_else(|| format!("0x{:08X}", f.value()), str::to_owned)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Engine-level helpers shared by the tests of Create, Register, Get and Locate.

    use bytes::Bytes;

    use crate::auth::ClientIdentity;
    use crate::kmip::attributes::{Attribute, Attributes, Name};
    use crate::kmip::codec::{FromTtlv, ToTtlv};
    use crate::kmip::message::{RequestMessage, ResponseBatchItem, ResponseMessage};
    use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue, Object, SymmetricKey};
    use crate::kmip::payloads::{RequestPayload, ResponsePayload};
    use crate::kmip::secret::Secret;
    use crate::kmip::table::{CryptographicAlgorithm, KeyFormatType, NameType, ResultReason, ResultStatus};
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::{Engine, EngineLimits, Reply};
    use crate::store::Store;
    use crate::ttlv::{self, Tag, Ttlv, Value};

    /// A client of key store `keystore`.
    pub fn client_of(keystore: &str) -> ClientIdentity {
        ClientIdentity {
            peer: ([127, 0, 0, 1], 5696).into(),
            credential: "test".into(),
            keystore: keystore.into(),
            handle: None,
        }
    }

    /// An engine over a fresh in-memory store.
    pub fn engine() -> Engine {
        Engine::new(Store::default(), EngineLimits::default())
    }

    /// Runs one request message of `payloads` for `client`; the response's batch items.
    pub async fn run_as(
        engine: &Engine,
        client: &ClientIdentity,
        v: ProtocolVersion,
        payloads: Vec<RequestPayload>,
    ) -> Vec<ResponseBatchItem> {
        let frame = RequestMessage::new(v, payloads).encode_ttlv(Tag::RequestMessage, v).unwrap_or_default();
        let reply = engine.process(client, Bytes::from(frame)).await;
        let Reply::Send(bytes) = reply else { return Vec::new() };
        let tree = ttlv::decode(&Bytes::from(bytes), &ttlv::Limits::UNBOUNDED).ok();
        // Decoding in the message's own version checks that what was
        // written is valid for that version.
        tree.and_then(|t| ResponseMessage::from_ttlv(&t, v).ok()).map(|m| m.batch_items).unwrap_or_default()
    }

    /// Runs one request of the default key store's client.
    pub async fn run(engine: &Engine, v: ProtocolVersion, payloads: Vec<RequestPayload>) -> Vec<ResponseBatchItem> {
        run_as(engine, &client_of("default"), v, payloads).await
    }

    /// A Get of `id` as stored (no format, no wrapping).
    pub fn get(id: &str) -> crate::kmip::payloads::GetRequest {
        crate::kmip::payloads::GetRequest::new(Some(id.into()))
    }

    /// A Register of `object` with `attributes`.
    pub fn register_request(object: Object, attributes: Vec<crate::kmip::attributes::Attribute>) -> RequestPayload {
        RequestPayload::Register(crate::kmip::payloads::RegisterRequest {
            object_type: object.object_type(),
            attributes: attrs(attributes),
            object,
            protection_storage_masks: None,
        })
    }

    /// Registers `object` at version `v`; its new identifier.
    pub async fn register(
        engine: &Engine,
        v: ProtocolVersion,
        object: Object,
        attributes: Vec<crate::kmip::attributes::Attribute>,
    ) -> String {
        match ok(one(engine, v, register_request(object, attributes)).await) {
            ResponsePayload::Register(r) => r.unique_identifier,
            other => panic!("{other:?}"),
        }
    }

    /// Runs a single batch item; its response item.
    pub async fn one(engine: &Engine, v: ProtocolVersion, payload: RequestPayload) -> ResponseBatchItem {
        let mut items = run(engine, v, vec![payload]).await;
        assert_eq!(items.len(), 1, "one batch item answered");
        items.remove(0)
    }

    /// Asserts the item succeeded; its payload.
    pub fn ok(item: ResponseBatchItem) -> ResponsePayload {
        assert_eq!(item.result_status, ResultStatus::Success, "{:?}: {:?}", item.result_reason, item.result_message);
        item.payload.unwrap_or(ResponsePayload::Other {
            operation: crate::kmip::table::Operation::Ping,
            raw: crate::ttlv::Ttlv::structure(Tag::ResponsePayload, vec![]),
        })
    }

    /// Asserts the item failed with `reason` and a message containing `words`.
    pub fn failed(item: &ResponseBatchItem, reason: ResultReason, words: &str) {
        assert_eq!(item.result_status, ResultStatus::OperationFailed, "{item:?}");
        assert_eq!(item.result_reason, Some(reason), "{:?}", item.result_message);
        let message = item.result_message.as_deref().unwrap_or("");
        assert!(message.contains(words), "message {message:?} should name {words:?}");
    }

    /// A Name attribute.
    pub fn name(value: &str) -> Attribute {
        Attribute::Name(Name { value: value.into(), name_type: NameType::UninterpretedTextString })
    }

    /// A custom (`x-`) attribute with a Text String value and no vendor.
    pub fn custom(name: &str, value: &str) -> Attribute {
        Attribute::Custom {
            vendor: None,
            name: name.into(),
            value: Ttlv::new(Tag::AttributeValue, Value::TextString(value.into())),
        }
    }

    /// An attribute list.
    pub fn attrs(items: Vec<Attribute>) -> Attributes {
        Attributes::new(items)
    }

    /// A Raw AES key object of `bytes`.
    pub fn aes_object(bytes: &[u8], length: Option<i32>) -> Object {
        raw_key_object(bytes, CryptographicAlgorithm::AES, length)
    }

    /// A Raw symmetric key object of `bytes` for `algorithm`, declaring `length` bits.
    pub fn raw_key_object(bytes: &[u8], algorithm: CryptographicAlgorithm, length: Option<i32>) -> Object {
        Object::SymmetricKey(SymmetricKey {
            key_block: KeyBlock {
                key_format_type: KeyFormatType::Raw,
                key_compression_type: None,
                key_value: Some(KeyValue::Plain {
                    key_material: KeyMaterial::Bytes(Secret::from_slice(bytes)),
                    attributes: Attributes::default(),
                }),
                cryptographic_algorithm: Some(algorithm),
                cryptographic_length: length,
                key_wrapping_data: None,
            },
        })
    }

    /// ReKey Key Pair of the private key `id` (the ID Placeholder when `None`), nothing else set.
    pub fn rekey_key_pair(id: Option<&str>) -> RequestPayload {
        RequestPayload::ReKeyKeyPair(crate::kmip::payloads::ReKeyKeyPairRequest {
            private_key_unique_identifier: id.map(str::to_owned),
            offset: None,
            common_attributes: None,
            private_key_attributes: None,
            public_key_attributes: None,
            common_protection_storage_masks: None,
            private_protection_storage_masks: None,
            public_protection_storage_masks: None,
        })
    }

    /// Import of a 256-bit Raw AES key (Encrypt) as `id`, with Replace Existing `replace`.
    pub fn import_aes(id: &str, replace: Option<bool>) -> RequestPayload {
        RequestPayload::Import(crate::kmip::payloads::ImportRequest {
            unique_identifier: id.into(),
            object_type: crate::kmip::table::ObjectType::SymmetricKey,
            replace_existing: replace,
            key_wrap_type: None,
            attributes: attrs(vec![Attribute::CryptographicUsageMask(
                crate::kmip::table::CryptographicUsageMask::Encrypt,
            )]),
            object: aes_object(&[0x66; 32], Some(256)),
        })
    }

    /// The versions whose attribute shape differs: 1.x Template-Attribute, 2.x Attributes.
    pub const SHAPES: [ProtocolVersion; 4] =
        [ProtocolVersion::V1_0, ProtocolVersion::V1_2, ProtocolVersion::V1_4, ProtocolVersion::V2_1];
}
