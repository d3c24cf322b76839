//! Who may set, change and delete each attribute, and how many values it
//! may have: the "Initially set by", "Modifiable by client", "Deletable by
//! client" and "Multiple instances permitted" rows of KMIP 1.4 §3 (2.1 §4),
//! in one table ([`rule`]), and the checks Create / Register and the
//! attribute operations make with it.
//!
//! Where the spec and PyKMIP's server policy table (kmip/services/server/
//! policy.py) differ, the spec wins: Operation Policy Name is modifiable by
//! a client (PyKMIP forbids it because its policies grant access).
//!
//! Attributes the model does not type (`Attribute::Other`: certificate
//! fields, 2.x attributes coffer does not manage) are server-set: a client
//! may read them but never write them (BL-M-10-21: Modify of Certificate
//! Length is Attribute Read Only).
//!
//! A 1.x Attribute Index is an instance's rank among the instances of its
//! attribute, in the order they were added: deleting an instance renumbers
//! the later ones (KMIP 1.x would keep their indices; PyKMIP renumbers too).

use crate::error::Error;
use crate::kmip::attributes::{Attribute, AttributeReference};
use crate::kmip::codec::DateTime;
use crate::kmip::table::{tag_by_name, tag_info, Operation, State};
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;
use crate::store::StoreError;
use crate::ttlv::Tag;

/// When a client may change an attribute's value (Modify / Add / Set).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Never: the value is the server's, or fixed at creation.
    Never,
    /// Whenever.
    Always,
    /// Only while the object is in one of these states, and, for the
    /// usage-period dates, only until the current value has been reached.
    InStates(&'static [State]),
}

/// The rules for one attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// A client may give it at Create / Register (false: only the server
    /// sets it, and naming it in a template is refused).
    pub client_sets_initially: bool,
    /// When a client may change it afterwards.
    pub client_change: Change,
    /// A client may delete it.
    pub client_deletes: bool,
    /// It may have several instances (Name, Object Group, Link, ...).
    pub multi_valued: bool,
}

/// The server sets it; nobody else touches it.
const SERVER: Rule =
    Rule { client_sets_initially: false, client_change: Change::Never, client_deletes: false, multi_valued: false };
/// Fixed at creation: a client may give it then, never change it later.
const FIXED: Rule =
    Rule { client_sets_initially: true, client_change: Change::Never, client_deletes: false, multi_valued: false };
/// The client's own single value: set, changed and deleted freely.
const FREE: Rule =
    Rule { client_sets_initially: true, client_change: Change::Always, client_deletes: true, multi_valued: false };
/// The client's own list of values.
const FREE_LIST: Rule = Rule { multi_valued: true, ..FREE };

const PRE_ACTIVE: &[State] = &[State::PreActive];
const PRE_ACTIVE_OR_ACTIVE: &[State] = &[State::PreActive, State::Active];

/// The rules for the attribute with `tag` (standard attributes only; see
/// [`rule`] for custom ones).
pub fn rule_for_tag(tag: Tag) -> Rule {
    match tag {
        // Identity and server bookkeeping (KMIP 1.4 §3.1, 3.3, 3.22, 3.23,
        // 3.28-3.32, 3.38, 3.41; 2.1 §4.48-4.53 for rotation).
        Tag::UniqueIdentifier
        | Tag::ObjectType
        | Tag::State
        | Tag::InitialDate
        | Tag::LastChangeDate
        | Tag::DestroyDate
        | Tag::CompromiseDate
        | Tag::CompromiseOccurrenceDate
        | Tag::RevocationReason
        | Tag::ArchiveDate
        | Tag::LeaseTime
        | Tag::KeyValuePresent
        | Tag::AlwaysSensitive
        | Tag::NeverExtractable
        | Tag::RotateDate
        | Tag::RotateGeneration
        | Tag::RotateLatest => SERVER,
        // Derived from the object by the server (§3.9, 3.16).
        Tag::CertificateLength | Tag::DigitalSignatureAlgorithm => SERVER,
        // One digest per hashing algorithm (§3.17).
        Tag::Digest => Rule { multi_valued: true, ..SERVER },
        // Given at creation, fixed after (§3.4, 3.5, 3.7, 3.19, 3.34, 3.42-3.44).
        Tag::CryptographicAlgorithm
        | Tag::CryptographicLength
        | Tag::CryptographicDomainParameters
        | Tag::CryptographicUsageMask
        | Tag::Fresh
        | Tag::OriginalCreationDate
        | Tag::RandomNumberGenerator
        // A Register of a certificate may say its type (BL-M-10-21).
        | Tag::CertificateType
        // 2.x (2.1 §4.28, 4.32, 4.35).
        | Tag::QuantumSafe
        | Tag::NISTKeyType
        | Tag::ProtectionStorageMasks => FIXED,
        Tag::KeyValueLocation => Rule { multi_valued: true, ..FIXED },
        // The lifecycle dates a client may move, while the state allows it
        // (§3.24-3.27; SKLC-M-3: Activation Date only while Pre-Active).
        Tag::ActivationDate => Rule { client_change: Change::InStates(PRE_ACTIVE), client_deletes: false, ..FREE },
        Tag::ProcessStartDate | Tag::ProtectStopDate | Tag::DeactivationDate => {
            Rule { client_change: Change::InStates(PRE_ACTIVE_OR_ACTIVE), client_deletes: false, ..FREE }
        }
        // Sensitive may be set, Extractable cleared, by the client; neither
        // deleted (§3.48, 3.50).
        Tag::Sensitive | Tag::Extractable => Rule { client_deletes: false, ..FREE },
        // The client's own (§3.2, 3.6, 3.18, 3.21, 3.33, 3.35-3.37, 3.40, 3.46, 3.47).
        Tag::Name
        | Tag::CryptographicParameters
        | Tag::ObjectGroup
        | Tag::Link
        | Tag::ApplicationSpecificInformation
        | Tag::AlternativeName => FREE_LIST,
        Tag::OperationPolicyName
        | Tag::UsageLimits
        | Tag::ContactInformation
        | Tag::Description
        | Tag::Comment
        | Tag::RotateInterval
        | Tag::RotateAutomatic
        | Tag::RotateOffset
        | Tag::ProtectionLevel
        | Tag::ProtectionPeriod
        | Tag::ObjectGroupMember => FREE,
        // Anything else the model does not manage is the server's.
        _ => SERVER,
    }
}

/// The rules for `attribute`. Custom attributes (1.x `x-` names, 2.x vendor
/// attributes) are the client's own and multi-valued (KMIP 1.4 §3.39);
/// `y-` names are the server's.
pub fn rule(attribute: &Attribute) -> Rule {
    match attribute {
        Attribute::Custom { name, .. } => custom_rule(name),
        other => rule_for_tag(other.tag()),
    }
}

/// The rules for the attribute a reference names.
pub fn rule_for_reference(reference: &AttributeReference) -> Rule {
    match reference {
        AttributeReference::Name(name) if is_custom_name(name) || tag_by_name(name).is_none() => custom_rule(name),
        AttributeReference::Vendor { vendor, name } => match tag_by_name(name) {
            Some(tag) if vendor.is_empty() && !is_custom_name(name) => rule_for_tag(tag),
            _ => custom_rule(name),
        },
        other => other.tag().map_or(SERVER, rule_for_tag),
    }
}

fn custom_rule(name: &str) -> Rule {
    if name.starts_with("y-") {
        Rule { multi_valued: true, ..SERVER }
    } else {
        FREE_LIST
    }
}

fn is_custom_name(name: &str) -> bool {
    name.starts_with("x-") || name.starts_with("y-")
}

/// A custom attribute's name as a 1.x client sees it (`x-` prefixed).
pub fn custom_v1_name(name: &str) -> String {
    if is_custom_name(name) {
        name.to_owned()
    } else {
        format!("x-{name}")
    }
}

/// The attribute's name as the spec (1.x Attribute Name) spells it, for
/// messages and 1.x answers.
pub fn display_name(attribute: &Attribute) -> String {
    match attribute {
        Attribute::Custom { name, .. } => custom_v1_name(name),
        other => tag_name(other.tag()),
    }
}

/// The spec name of a tag (`"Activation Date"`), or its number.
pub fn tag_name(tag: Tag) -> String {
    tag_info(tag).map_or_else(|| tag.to_string(), |info| info.spec_name.to_owned())
}

/// Which custom attribute a vendor and name denote: 1.x `x-foo`, a 2.x
/// vendor `x` attribute `foo` and one stored as vendor `x` name `x-foo`
/// (a 1.x one read back) are the same; other vendors keep their own.
fn custom_key(vendor: Option<&str>, name: &str) -> (Option<String>, String) {
    match vendor {
        None | Some("" | "x") => (None, custom_v1_name(name)),
        Some(v) => (Some(v.to_owned()), name.to_owned()),
    }
}

/// True when `a` and `b` are instances of the same attribute: the same tag,
/// or custom attributes of the same name (see `custom_key`).
pub fn same_attribute(a: &Attribute, b: &Attribute) -> bool {
    match (a, b) {
        (Attribute::Custom { vendor: va, name: na, .. }, Attribute::Custom { vendor: vb, name: nb, .. }) => {
            custom_key(va.as_deref(), na) == custom_key(vb.as_deref(), nb)
        }
        (Attribute::Custom { .. }, _) | (_, Attribute::Custom { .. }) => false,
        (a, b) => a.tag() == b.tag(),
    }
}

/// True when `reference` names `attribute` (1.x Attribute Name, 2.x tag or
/// vendor reference).
pub fn names(reference: &AttributeReference, attribute: &Attribute) -> bool {
    match (reference, attribute) {
        (AttributeReference::Name(n), Attribute::Custom { vendor, name, .. }) => {
            custom_key(None, n) == custom_key(vendor.as_deref(), name)
        }
        (AttributeReference::Name(n), other) => !is_custom_name(n) && tag_by_name(n) == Some(other.tag()),
        (AttributeReference::Vendor { vendor, name }, Attribute::Custom { vendor: v, name: n, .. }) => {
            custom_key(Some(vendor), name) == custom_key(v.as_deref(), n)
        }
        // PyKMIP names a standard attribute with an empty Vendor Identification.
        (AttributeReference::Vendor { vendor, name }, other) => {
            vendor.is_empty() && !is_custom_name(name) && tag_by_name(name) == Some(other.tag())
        }
        (AttributeReference::Tag(_), Attribute::Custom { .. }) => false,
        (AttributeReference::Tag(t), other) => *t == other.tag(),
    }
}

/// Refuses a 1.x Attribute Name that is neither a KMIP attribute nor a
/// custom `x-` / `y-` name (the model keeps such names as custom ones).
pub fn check_known(attribute: &Attribute) -> Result<(), Error> {
    // The rotation policy's own limits (a 30-day minimum interval), wherever a client sets it.
    crate::operations::rotation::check_attribute(attribute)?;
    match attribute {
        Attribute::Custom { vendor: None, name, .. } if !is_custom_name(name) => Err(Error::InvalidField(format!(
            "Attribute Name {name:?} is not a KMIP attribute; custom attribute names start with \"x-\""
        ))),
        _ => Ok(()),
    }
}

/// Refuses a Name that an object of the client's key store already has
/// (the object itself included, as BL-M-8-21 shows): Non Unique Name
/// Attribute, Invalid Field in 1.x.
/// The store's commit refuses atomically what a racing request took
/// meanwhile (a name held by an object with key material).
pub async fn check_name_free(ctx: &RequestContext<'_>, attribute: &Attribute) -> Result<(), Error> {
    if let Attribute::Name(name) = attribute {
        if !ctx.store.ids_by_name(&ctx.client.keystore, &name.value).await?.is_empty() {
            return Err(Error::NonUniqueName(name.value.clone()));
        }
    }
    Ok(())
}

/// The objects of the client's key store that already have the Name
/// `attribute` gives (none when it is not a Name).
pub async fn ids_named(ctx: &RequestContext<'_>, attribute: &Attribute) -> Result<Vec<String>, Error> {
    match attribute {
        Attribute::Name(name) => Ok(ctx.store.ids_by_name(&ctx.client.keystore, &name.value).await?),
        _ => Ok(Vec::new()),
    }
}

/// Records a change of the object: its Last Change Date becomes `now`.
pub fn touch(object: &mut ManagedObject, now: DateTime) {
    object.set(Attribute::LastChangeDate(now));
}

/// How many times [`update`] tries a change when other writers keep
/// changing the object between its load and its save.
const WRITE_ATTEMPTS: usize = 32;

/// Loads object `id`, applies `change` to it, records the change (Last
/// Change Date) and saves it durably. When another request saved the object
/// in between (the store's revision check), the change is redone on the
/// fresh object, so concurrent changes all land and none is lost.
///
/// `change` is a plain closure (an async one would make the request's
/// future lose `Send`): what it needs from the store is fetched before.
pub(crate) async fn update<T>(
    ctx: &RequestContext<'_>,
    id: &str,
    mut change: impl FnMut(&mut ManagedObject) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut attempt = 1;
    loop {
        let mut object = ctx.load(id).await?;
        let out = change(&mut object)?;
        touch(&mut object, ctx.now_kmip());
        match ctx.save(&[&object]).await {
            Err(Error::Store(StoreError::Conflict { .. })) if attempt < WRITE_ATTEMPTS => {
                attempt += 1;
                tokio::task::yield_now().await;
            }
            Err(e) => return Err(e),
            Ok(()) => return Ok(out),
        }
    }
}

/// The position in `object.attributes` of the `n`th instance (0-based, in
/// the order they were added) of the attribute `like` is an instance of.
pub fn nth_instance(object: &ManagedObject, like: &Attribute, n: usize) -> Option<usize> {
    object.attributes.iter().enumerate().filter(|(_, a)| same_attribute(a, like)).nth(n).map(|(i, _)| i)
}

/// Create / Register: refuses an attribute in the client's template that
/// only the server sets (Attribute Read Only; Permission Denied in 1.x).
pub fn check_initial(attribute: &Attribute) -> Result<(), Error> {
    check_known(attribute)?;
    if rule(attribute).client_sets_initially {
        Ok(())
    } else {
        Err(Error::AttributeReadOnly(display_name(attribute)))
    }
}

/// Create / Register: refuses a template giving a single-valued attribute
/// twice (Attribute Single Valued; Invalid Field in 1.x), after
/// [`check_initial`] on each.
pub fn check_initial_all(attributes: &[Attribute]) -> Result<(), Error> {
    for (i, a) in attributes.iter().enumerate() {
        check_initial(a)?;
        let earlier = attributes.get(..i).unwrap_or_default();
        if !rule(a).multi_valued && earlier.iter().any(|b| same_attribute(a, b)) {
            return Err(Error::AttributeSingleValued(display_name(a)));
        }
    }
    Ok(())
}

/// Add Attribute: the attribute must be client-changeable, and a
/// single-valued one must not exist yet; dates follow [`check_change`]'s
/// state rules.
pub fn check_add(object: &ManagedObject, attribute: &Attribute, now: DateTime) -> Result<(), Error> {
    check_change(object, attribute, Operation::AddAttribute, now)?;
    if !rule(attribute).multi_valued && object.attributes.iter().any(|a| same_attribute(a, attribute)) {
        return Err(Error::AttributeSingleValued(display_name(attribute)));
    }
    Ok(())
}

/// Modify / Add / Set Attribute: refuses an attribute the client may not
/// change (Attribute Read Only), or a date whose state rule forbids the
/// change now (Wrong Key Lifecycle State; Permission Denied in 1.x, as
/// SKLC-M-3 shows).
pub fn check_change(
    object: &ManagedObject,
    attribute: &Attribute,
    operation: Operation,
    now: DateTime,
) -> Result<(), Error> {
    check_known(attribute)?;
    match rule(attribute).client_change {
        Change::Always => Ok(()),
        Change::Never => Err(Error::AttributeReadOnly(display_name(attribute))),
        Change::InStates(states) => {
            let state = object.state();
            let locked = |why: &'static str| Error::AttributeLocked {
                id: object.id.clone(),
                attribute: display_name(attribute),
                state,
                operation,
                why,
            };
            if !states.contains(&state) {
                return Err(locked(if states == PRE_ACTIVE {
                    "it can be changed only while the object is Pre-Active"
                } else {
                    "it can be changed only while the object is Pre-Active or Active"
                }));
            }
            // A usage period that has begun (or ended) cannot be rewritten.
            let current = object.attributes.iter().find(|a| same_attribute(a, attribute)).and_then(|a| match a {
                Attribute::ProcessStartDate(d) | Attribute::ProtectStopDate(d) => Some(*d),
                _ => None,
            });
            if current.is_some_and(|d| d.0 <= now.0) {
                return Err(locked("its date has been reached"));
            }
            Ok(())
        }
    }
}

/// Delete Attribute: refuses an attribute the client may not delete
/// (Attribute Read Only; Permission Denied in 1.x).
pub fn check_delete(attribute: &Attribute) -> Result<(), Error> {
    if rule(attribute).client_deletes {
        Ok(())
    } else {
        Err(Error::AttributeReadOnly(display_name(attribute)))
    }
}

/// Delete Attribute by reference, before the instance is looked up.
pub fn check_delete_reference(reference: &AttributeReference) -> Result<(), Error> {
    if rule_for_reference(reference).client_deletes {
        Ok(())
    } else {
        let name = match reference {
            AttributeReference::Name(n) => n.clone(),
            AttributeReference::Vendor { vendor, name } => format!("{vendor}:{name}"),
            AttributeReference::Tag(t) => tag_name(*t),
        };
        Err(Error::AttributeReadOnly(name))
    }
}

/// Engine-level test support for the attribute and lifecycle operations:
/// a real engine over a fresh store, objects seeded as Create would leave
/// them, request messages built with the typed model, responses decoded.
#[cfg(test)]
pub(crate) mod harness {
    use bytes::Bytes;

    use crate::auth::ClientIdentity;
    use crate::kmip::attributes::{Attribute, Name};
    use crate::kmip::codec::{DateTime, FromTtlv, ToTtlv};
    use crate::kmip::message::{RequestMessage, ResponseBatchItem, ResponseMessage};
    use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue, Object, SymmetricKey};
    use crate::kmip::payloads::{RequestPayload, ResponsePayload};
    use crate::kmip::secret::Secret;
    use crate::kmip::table::{
        CryptographicAlgorithm, CryptographicUsageMask, KeyFormatType, NameType, ObjectType, ResultReason,
        ResultStatus, State,
    };
    use crate::kmip::version::ProtocolVersion;
    use crate::operations::managed::ManagedObject;
    use crate::operations::{Engine, EngineLimits, Reply};
    use crate::store::Store;
    use crate::ttlv::{self, Tag};

    /// A date long past, so a test can see Last Change Date move.
    pub const LONG_AGO: DateTime = DateTime(1_000_000_000);

    /// An engine, its store and one client.
    pub struct Harness {
        /// The engine.
        pub engine: Engine,
        /// The client every request comes from.
        pub client: ClientIdentity,
        next: std::sync::atomic::AtomicU32,
    }

    /// A Name attribute.
    pub fn name(value: &str) -> Attribute {
        Attribute::Name(Name { value: value.into(), name_type: NameType::UninterpretedTextString })
    }

    /// Now, as the engine will see it (give or take the test's duration).
    pub fn now() -> DateTime {
        DateTime(time::OffsetDateTime::now_utc().unix_timestamp())
    }

    impl Harness {
        /// A fresh engine and store; the client is in key store "default".
        pub fn new() -> Harness {
            Harness {
                engine: Engine::new(Store::default(), EngineLimits::default()),
                client: ClientIdentity {
                    peer: ([127, 0, 0, 1], 5696).into(),
                    credential: "test".into(),
                    keystore: "default".into(),
                    handle: None,
                },
                next: std::sync::atomic::AtomicU32::new(1),
            }
        }

        /// Stores an AES-256 key of key store `keystore` in `state`, named
        /// `name`, with the server-set attributes Create gives it plus `more`.
        pub async fn seed_in(&self, keystore: &str, state: State, name: &str, more: Vec<Attribute>) -> String {
            let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let id = format!("key-{n}");
            let object = Object::SymmetricKey(SymmetricKey {
                key_block: KeyBlock {
                    key_format_type: KeyFormatType::Raw,
                    key_compression_type: None,
                    key_value: Some(KeyValue::Plain {
                        key_material: KeyMaterial::Bytes(Secret::from_slice(&[0x5a; 32])),
                        attributes: Default::default(),
                    }),
                    cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
                    cryptographic_length: Some(256),
                    key_wrapping_data: None,
                },
            });
            let mut attributes = vec![
                Attribute::UniqueIdentifier(id.clone()),
                Attribute::ObjectType(ObjectType::SymmetricKey),
                Attribute::CryptographicAlgorithm(CryptographicAlgorithm::AES),
                Attribute::CryptographicLength(256),
                Attribute::CryptographicUsageMask(CryptographicUsageMask::Encrypt | CryptographicUsageMask::Decrypt),
                Attribute::State(state),
                Attribute::InitialDate(LONG_AGO),
                Attribute::LastChangeDate(LONG_AGO),
                self::name(name),
            ];
            attributes.extend(more);
            let managed = ManagedObject::new(id.clone(), keystore.into(), object, attributes);
            let change = managed.change().expect("record");
            self.engine.store().commit(vec![change]).await.expect("stored");
            id
        }

        /// [`Harness::seed_in`] the client's key store.
        pub async fn seed(&self, state: State, name: &str, more: Vec<Attribute>) -> String {
            self.seed_in("default", state, name, more).await
        }

        /// The object as stored now.
        pub async fn stored(&self, id: &str) -> ManagedObject {
            let stored = self.engine.store().get(id).await.expect("store").expect("present");
            ManagedObject::from_stored(&stored).expect("decodes")
        }

        /// Runs one request message of `payloads` (Continue on error) and
        /// answers its batch items.
        pub async fn batch(&self, v: ProtocolVersion, payloads: Vec<RequestPayload>) -> Vec<ResponseBatchItem> {
            let mut message = RequestMessage::new(v, payloads);
            message.header.batch_error_continuation_option =
                Some(crate::kmip::table::BatchErrorContinuationOption::Continue);
            let frame = message.encode_ttlv(Tag::RequestMessage, v).expect("encodes");
            let bytes = match self.engine.process(&self.client, Bytes::from(frame)).await {
                Reply::Send(b) => b,
                other => panic!("unexpected reply {other:?}"),
            };
            let tree = ttlv::decode(&Bytes::from(bytes), &ttlv::Limits::UNBOUNDED).expect("TTLV");
            let response = ResponseMessage::from_ttlv(&tree, v).expect("response message");
            assert_eq!(response.header.protocol_version, v);
            response.batch_items
        }

        /// Runs one payload and answers its response payload, or the
        /// failure's reason and message.
        pub async fn run(
            &self,
            v: ProtocolVersion,
            payload: RequestPayload,
        ) -> Result<ResponsePayload, (ResultReason, String)> {
            let item = self.batch(v, vec![payload]).await.into_iter().next().expect("one item");
            match item.result_status {
                ResultStatus::Success => Ok(item.payload.expect("a payload")),
                _ => Err((item.result_reason.expect("a reason"), item.result_message.unwrap_or_default())),
            }
        }

        /// The reason a payload fails with.
        pub async fn reason(&self, v: ProtocolVersion, payload: RequestPayload) -> ResultReason {
            match self.run(v, payload).await {
                Ok(p) => panic!("expected a failure at {v:?}, got {p:?}"),
                Err((reason, _)) => reason,
            }
        }
    }

    /// The value of the first attribute `pick` accepts.
    pub fn find<T>(object: &ManagedObject, pick: impl Fn(&Attribute) -> Option<T>) -> Option<T> {
        object.attributes.iter().find_map(pick)
    }

    /// The stored Last Change Date.
    pub fn last_change(object: &ManagedObject) -> Option<DateTime> {
        find(object, |a| match a {
            Attribute::LastChangeDate(d) => Some(*d),
            _ => None,
        })
    }

    /// Both clients the issue names: a 1.4 one and a 2.1 one.
    pub const V14: ProtocolVersion = ProtocolVersion::V1_4;
    /// The 2.1 client.
    pub const V21: ProtocolVersion = ProtocolVersion::V2_1;

    /// Asserts the state is `state`.
    pub fn assert_state(object: &ManagedObject, state: State) {
        assert_eq!(object.state(), state, "{:?}", object.attributes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::attributes::Name;
    use crate::kmip::objects::{Object, OpaqueObject};
    use crate::kmip::table::{NameType, ObjectType, OpaqueDataType};
    use crate::ttlv::{Ttlv, Value};

    const NOW: DateTime = DateTime(1_700_000_000);

    fn object(state: State, more: Vec<Attribute>) -> ManagedObject {
        let opaque = Object::OpaqueObject(OpaqueObject {
            opaque_data_type: OpaqueDataType::Unknown(0x8000_0000),
            opaque_data_value: crate::kmip::secret::Secret::from_slice(b"x"),
        });
        let mut attributes = vec![Attribute::ObjectType(ObjectType::SymmetricKey), Attribute::State(state)];
        attributes.extend(more);
        ManagedObject::new("k".into(), "default".into(), opaque, attributes)
    }

    fn name(v: &str) -> Attribute {
        Attribute::Name(Name { value: v.into(), name_type: NameType::UninterpretedTextString })
    }

    fn custom(vendor: Option<&str>, n: &str) -> Attribute {
        Attribute::Custom {
            vendor: vendor.map(str::to_owned),
            name: n.into(),
            value: Ttlv::new(Tag::AttributeValue, Value::TextString("v".into())),
        }
    }

    #[test]
    fn server_attributes_are_refused_in_templates_and_changes() {
        for a in [
            Attribute::UniqueIdentifier("x".into()),
            Attribute::State(State::Active),
            Attribute::InitialDate(NOW),
            Attribute::LastChangeDate(NOW),
            Attribute::DestroyDate(NOW),
            Attribute::CompromiseDate(NOW),
        ] {
            assert!(matches!(check_initial(&a), Err(Error::AttributeReadOnly(_))), "{a:?}");
            assert!(matches!(check_add(&object(State::PreActive, vec![]), &a, NOW), Err(Error::AttributeReadOnly(_))));
            assert!(matches!(check_delete(&a), Err(Error::AttributeReadOnly(_))));
        }
        // Certificate Length is not typed by the model: still the server's (BL-M-10).
        let other = Attribute::Other(Ttlv::new(Tag::CertificateLength, Value::Integer(1)));
        assert!(matches!(
            check_change(&object(State::Active, vec![]), &other, Operation::ModifyAttribute, NOW),
            Err(Error::AttributeReadOnly(_))
        ));
    }

    /// Every attribute a Create, Create Key Pair, Register, Derive Key,
    /// Re-key or Certify request of the OASIS 1.4 and 2.1 test cases gives.
    #[test]
    fn every_attribute_the_oasis_cases_create_with_is_accepted() {
        for tag in [
            Tag::CryptographicUsageMask,
            Tag::ActivationDate,
            Tag::Name,
            Tag::CryptographicAlgorithm,
            Tag::CryptographicLength,
            Tag::CryptographicParameters,
            Tag::ContactInformation,
            Tag::ProtectStopDate,
            Tag::ProcessStartDate,
            Tag::UsageLimits,
            Tag::AlternativeName,
            Tag::ApplicationSpecificInformation,
            Tag::ProtectionLevel,
            Tag::ProtectionPeriod,
            Tag::QuantumSafe,
            Tag::Sensitive,
            Tag::DeactivationDate,
            Tag::Fresh,
            Tag::CertificateType,
            Tag::ObjectGroup,
        ] {
            assert!(rule_for_tag(tag).client_sets_initially, "{tag:?}");
        }
        assert!(check_initial(&custom(None, "x-ID")).is_ok());
        assert!(check_initial(&custom(Some("x"), "ID")).is_ok());
        assert!(check_initial(&Attribute::Other(Ttlv::new(Tag::QuantumSafe, Value::Boolean(true)))).is_ok());
    }

    #[test]
    fn creation_only_attributes_may_be_given_but_not_changed() {
        let alg = Attribute::CryptographicAlgorithm(crate::kmip::table::CryptographicAlgorithm::AES);
        assert!(check_initial(&alg).is_ok());
        let key = object(State::PreActive, vec![]);
        assert!(matches!(check_change(&key, &alg, Operation::ModifyAttribute, NOW), Err(Error::AttributeReadOnly(_))));
        assert!(matches!(check_delete(&alg), Err(Error::AttributeReadOnly(_))));
    }

    #[test]
    fn activation_date_changes_only_while_pre_active_as_in_sklc_m_3() {
        let date = Attribute::ActivationDate(NOW);
        assert!(check_change(&object(State::PreActive, vec![]), &date, Operation::ModifyAttribute, NOW).is_ok());
        let refused = check_change(&object(State::Active, vec![]), &date, Operation::ModifyAttribute, NOW);
        assert!(matches!(refused, Err(Error::AttributeLocked { state: State::Active, .. })), "{refused:?}");
        assert!(matches!(check_delete(&date), Err(Error::AttributeReadOnly(_))));
        // Deactivation Date: still while Active, not once Deactivated.
        let date = Attribute::DeactivationDate(NOW);
        assert!(check_change(&object(State::Active, vec![]), &date, Operation::ModifyAttribute, NOW).is_ok());
        assert!(check_change(&object(State::Deactivated, vec![]), &date, Operation::ModifyAttribute, NOW).is_err());
    }

    #[test]
    fn a_usage_period_date_already_reached_cannot_be_moved() {
        let key = object(State::Active, vec![Attribute::ProtectStopDate(DateTime(NOW.0 - 1))]);
        let new = Attribute::ProtectStopDate(DateTime(NOW.0 + 3600));
        assert!(check_change(&key, &new, Operation::ModifyAttribute, NOW).is_err());
        let key = object(State::Active, vec![Attribute::ProtectStopDate(DateTime(NOW.0 + 60))]);
        assert!(check_change(&key, &new, Operation::ModifyAttribute, NOW).is_ok());
    }

    #[test]
    fn single_valued_attributes_take_one_value_and_lists_many() {
        let key = object(State::PreActive, vec![name("a"), Attribute::Description("d".into())]);
        assert!(check_add(&key, &name("b"), NOW).is_ok());
        assert!(matches!(
            check_add(&key, &Attribute::Description("e".into()), NOW),
            Err(Error::AttributeSingleValued(_))
        ));
        assert!(matches!(
            check_initial_all(&[Attribute::Comment("a".into()), Attribute::Comment("b".into())]),
            Err(Error::AttributeSingleValued(_))
        ));
        assert!(check_initial_all(&[name("a"), name("b")]).is_ok());
    }

    #[test]
    fn custom_attributes_are_the_clients_and_match_across_versions() {
        let v1 = custom(None, "x-vmware");
        let v2 = custom(Some("x"), "vmware");
        assert!(same_attribute(&v1, &v2));
        assert!(!same_attribute(&v1, &custom(None, "x-other")));
        assert!(same_attribute(&v1, &custom(Some("x"), "x-vmware")), "a 1.x one read back from the record");
        assert!(!same_attribute(&v1, &custom(Some("acme"), "vmware")));
        assert!(check_initial(&v1).is_ok());
        assert!(check_delete(&v1).is_ok());
        assert!(rule(&v1).multi_valued);
        assert!(matches!(check_initial(&custom(None, "y-server")), Err(Error::AttributeReadOnly(_))));
        assert!(names(&AttributeReference::Name("x-vmware".into()), &v2));
        assert!(names(&AttributeReference::Vendor { vendor: "x".into(), name: "vmware".into() }, &v2));
        assert!(names(&AttributeReference::Vendor { vendor: "x".into(), name: "vmware".into() }, &v1));
        assert!(!names(&AttributeReference::Tag(Tag::Attribute), &v1));
        assert!(names(&AttributeReference::Name("Name".into()), &name("a")));
        assert!(names(&AttributeReference::Tag(Tag::Name), &name("a")));
        assert!(!names(&AttributeReference::Name("x-Name".into()), &name("a")));
        // PyKMIP's 2.0 Delete Attribute: an empty vendor and the spec name.
        let pykmip = AttributeReference::Vendor { vendor: String::new(), name: "Contact Information".into() };
        assert!(names(&pykmip, &Attribute::ContactInformation("c".into())));
        assert!(rule_for_reference(&pykmip).client_deletes);
        let state = AttributeReference::Vendor { vendor: String::new(), name: "State".into() };
        assert!(!rule_for_reference(&state).client_deletes);
        assert!(!names(&AttributeReference::Vendor { vendor: "acme".into(), name: "Name".into() }, &name("a")));
    }

    /// Every refusal of these operations, asked by each 1.x version, is
    /// answered with a reason that version defines.
    #[tokio::test]
    async fn a_1x_client_never_hears_a_2x_reason() {
        use super::harness::{name as named, Harness};
        use crate::kmip::attributes::IndexedAttribute;
        use crate::kmip::payloads::{
            ActivateRequest, AddAttributeRequest, DeleteAttributeRequest, DestroyRequest, GetAttributesRequest,
            ModifyAttributeRequest, RequestPayload,
        };
        use crate::kmip::version::ProtocolVersion;

        let h = Harness::new();
        let active = h.seed(State::Active, "active", vec![Attribute::ContactInformation("c".into())]).await;
        let destroyed = h.seed(State::PreActive, "destroyed", vec![]).await;
        let gone = RequestPayload::Destroy(DestroyRequest { unique_identifier: Some(destroyed.clone()) });
        assert!(h.run(ProtocolVersion::V2_1, gone).await.is_ok());
        let id = || Some(active.clone());
        let add = |a: Attribute| {
            RequestPayload::AddAttribute(AddAttributeRequest {
                unique_identifier: id(),
                attribute: IndexedAttribute { attribute: a, index: None },
            })
        };
        let modify = |a: Attribute| {
            RequestPayload::ModifyAttribute(ModifyAttributeRequest {
                unique_identifier: id(),
                current_attribute: None,
                attribute: IndexedAttribute { attribute: a, index: None },
            })
        };
        let failing = || {
            vec![
                add(Attribute::State(State::Compromised)),
                add(Attribute::ContactInformation("again".into())),
                add(named("active")),
                add(Attribute::ActivationDate(NOW)),
                modify(Attribute::ActivationDate(NOW)),
                modify(Attribute::ObjectGroup("none".into())),
                RequestPayload::DeleteAttribute(DeleteAttributeRequest {
                    unique_identifier: id(),
                    current_attribute: None,
                    attribute_reference: Some(AttributeReference::Name("State".into())),
                    attribute_index: None,
                }),
                RequestPayload::Activate(ActivateRequest { unique_identifier: id() }),
                RequestPayload::Destroy(DestroyRequest { unique_identifier: id() }),
                RequestPayload::Destroy(DestroyRequest { unique_identifier: Some(destroyed.clone()) }),
                RequestPayload::GetAttributes(GetAttributesRequest {
                    unique_identifier: Some("missing".into()),
                    attribute_references: Vec::new(),
                }),
            ]
        };
        let count = failing().len();
        for v in [
            ProtocolVersion::V1_0,
            ProtocolVersion::V1_1,
            ProtocolVersion::V1_2,
            ProtocolVersion::V1_3,
            ProtocolVersion::V1_4,
        ] {
            let items = h.batch(v, failing()).await;
            assert_eq!(items.len(), count);
            for (i, item) in items.iter().enumerate() {
                let reason = item.result_reason.unwrap_or_else(|| panic!("item {i} at {v:?} did not fail"));
                assert!(reason.since().is_some_and(|s| s <= v), "item {i} at {v:?}: {reason:?}");
            }
        }
        // The same at 2.1 uses the 2.x reasons.
        let items = h.batch(ProtocolVersion::V2_1, failing()).await;
        let reasons: Vec<_> = items.iter().filter_map(|i| i.result_reason).collect();
        use crate::kmip::table::ResultReason as R;
        assert_eq!(
            reasons,
            vec![
                R::AttributeReadOnly,
                R::AttributeSingleValued,
                R::NonUniqueNameAttribute,
                R::WrongKeyLifecycleState,
                R::WrongKeyLifecycleState,
                R::AttributeNotFound,
                R::AttributeReadOnly,
                R::WrongKeyLifecycleState,
                R::WrongKeyLifecycleState,
                R::ObjectDestroyed,
                R::ObjectNotFound,
            ]
        );
    }
}
