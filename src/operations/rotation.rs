//! Rotation with versions: what ReKey and the background rotator
//! ([`crate::scheduler`]) share.
//!
//! **Versions and names.** A rotation makes a new object (fresh key
//! material, the same algorithm, length and attributes) linked to its
//! predecessor: Replacement Object on the old, Replaced Object on the new
//! (KMIP 1.4 §4.4). The new version takes the predecessor's Names (as KMIP
//! says: the replacement takes over the name) and the predecessor keeps
//! them too, so that SPEC §1 holds: every version of a chain is "under the
//! same Name", Locate by Name answers newest first (Locate orders newest
//! first) and an older version keeps decrypting, by its identifier, until
//! it is destroyed. The Name-uniqueness rule is untouched: only a rotation
//! gives a used Name to a new object; Create, Register and Add Attribute
//! still refuse it (BL-M-8). KMIP resolves keys by identifier, so "Encrypt
//! by name uses the newest version" is for the REST API, which will pick
//! the first identifier Locate by Name returns.
//!
//! **Policy.** The KMIP 2.x attributes Rotate Interval and Rotate Automatic,
//! or for 1.x clients (which cannot name them) the custom attributes
//! [`X_INTERVAL`] (seconds: Integer, Long Integer, Interval or a decimal
//! Text String) and [`X_AUTOMATIC`] (Boolean or "true"/"false"); the 2.x
//! attribute wins when both are set ([`policy`] is the one mapping). An
//! interval of 0 disables automatic rotation; any other is at least
//! [`MIN_INTERVAL_SECS`] (30 days). An interval with no Rotate Automatic
//! means automatic; Rotate Automatic false keeps the interval informative.
//!
//! **Schedule.** A version is due at its Initial Date (the time it was
//! made, by Create or by the rotation that made it) plus the interval; the
//! rotation sets Rotate Date on the new version to that next date (shown to
//! 1.x clients as [`Y_DATE`]), Rotate Generation to the predecessor's + 1
//! and moves Rotate Latest to it. Since the schedule derives from persisted
//! attributes, a restart changes nothing, and a key that missed several
//! periods is rotated once: the new version is due one interval after *its*
//! creation.
//!
//! **Imported keys** are never rotated automatically. A key is "generated"
//! when it carries the Random Number Generator attribute, which the server
//! sets on the keys it makes (Create, ReKey) and Register does not.
//! (Register accepts a client's Random Number Generator attribute, so a
//! client can make its own registered key look generated; it then only
//! gets a server-made replacement on schedule, which it asked for.)

use crate::error::Error;
use crate::kmip::attributes::{Attribute, Link, Name};
use crate::kmip::codec::{DateTime, Interval};
use crate::kmip::objects::Object;
use crate::kmip::table::{CryptographicAlgorithm as Alg, KeyFormatType, LinkType, ObjectType, Operation, State};
use crate::operations::attribute_rules::{self, same_attribute};
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;
use crate::operations::new_object;
use crate::ttlv::{Tag, Ttlv, Value};

/// The shortest rotation interval other than 0 (disabled): 30 days.
pub const MIN_INTERVAL_SECS: u32 = 30 * 24 * 3600;
/// 1.x spelling of Rotate Interval (seconds).
pub const X_INTERVAL: &str = "x-coffer-rotate-interval";
/// 1.x spelling of Rotate Automatic.
pub const X_AUTOMATIC: &str = "x-coffer-rotate-automatic";
/// Server-set 1.x mirror of Rotate Date (the next scheduled rotation).
pub const Y_DATE: &str = "y-coffer-rotate-date";
/// Server-set 1.x mirror of Rotate Generation.
pub const Y_GENERATION: &str = "y-coffer-rotate-generation";
/// Server-set 1.x mirror of Rotate Latest.
pub const Y_LATEST: &str = "y-coffer-rotate-latest";

/// An object's rotation policy, from either spelling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Seconds between rotations; 0 or absent: never automatically.
    pub interval: Option<u32>,
    /// Rotate Automatic, when given.
    pub automatic: Option<bool>,
}

impl Policy {
    /// The interval when the object is to be rotated automatically.
    pub fn automatic_interval(&self) -> Option<u32> {
        match (self.interval, self.automatic) {
            (Some(0) | None, _) | (_, Some(false)) => None,
            (Some(i), _) => Some(i),
        }
    }
}

fn custom(name: &str) -> Attribute {
    Attribute::Custom { vendor: None, name: name.into(), value: Ttlv::new(Tag::AttributeValue, Value::Boolean(false)) }
}

/// True when `a` is the custom attribute `name` (in either version's spelling).
fn is_custom(a: &Attribute, name: &str) -> bool {
    matches!(a, Attribute::Custom { .. }) && same_attribute(a, &custom(name))
}

/// A custom attribute's value as seconds.
fn seconds(value: &Ttlv) -> Result<u32, Error> {
    let bad = || Error::InvalidField(format!("{X_INTERVAL} must be a whole number of seconds"));
    match &value.value {
        Value::Interval(s) => Ok(*s),
        Value::Integer(i) => u32::try_from(*i).map_err(|_| bad()),
        Value::LongInteger(i) => u32::try_from(*i).map_err(|_| bad()),
        Value::TextString(t) => t.trim().parse::<u32>().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// A custom attribute's value as a boolean.
fn boolean(value: &Ttlv) -> Result<bool, Error> {
    match &value.value {
        Value::Boolean(b) => Ok(*b),
        Value::TextString(t) if t.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::TextString(t) if t.trim().eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(Error::InvalidField(format!("{X_AUTOMATIC} must be a Boolean or \"true\"/\"false\""))),
    }
}

/// Refuses a rotation interval other than 0 and below 30 days.
fn check_interval(seconds: u32, attribute: &str) -> Result<(), Error> {
    if seconds != 0 && seconds < MIN_INTERVAL_SECS {
        return Err(Error::InvalidField(format!(
            "{attribute} of {seconds} seconds is too short: the minimum is 30 days ({MIN_INTERVAL_SECS} seconds); \
             0 disables automatic rotation"
        )));
    }
    Ok(())
}

/// Checks a rotation policy attribute a client sets (Create, Register,
/// ReKey templates; Add, Modify, Set Attribute): the interval's minimum and
/// the value types of the custom spellings. Other attributes pass.
pub fn check_attribute(attribute: &Attribute) -> Result<(), Error> {
    match attribute {
        Attribute::RotateInterval(Interval(s)) => check_interval(*s, "Rotate Interval"),
        Attribute::Custom { value, .. } if is_custom(attribute, X_INTERVAL) => {
            check_interval(seconds(value)?, X_INTERVAL)
        }
        Attribute::Custom { value, .. } if is_custom(attribute, X_AUTOMATIC) => boolean(value).map(|_| ()),
        _ => Ok(()),
    }
}

/// The object's rotation policy: the 2.x attributes, else their 1.x custom
/// spellings. A stored value that no longer parses counts as absent.
pub fn policy(attributes: &[Attribute]) -> Policy {
    let interval = attributes
        .iter()
        .find_map(|a| match a {
            Attribute::RotateInterval(Interval(s)) => Some(*s),
            _ => None,
        })
        .or_else(|| attributes.iter().find_map(|a| custom_value(a, X_INTERVAL).and_then(|v| seconds(v).ok())));
    let automatic = attributes
        .iter()
        .find_map(|a| match a {
            Attribute::RotateAutomatic(b) => Some(*b),
            _ => None,
        })
        .or_else(|| attributes.iter().find_map(|a| custom_value(a, X_AUTOMATIC).and_then(|v| boolean(v).ok())));
    Policy { interval, automatic }
}

fn custom_value<'a>(a: &'a Attribute, name: &str) -> Option<&'a Ttlv> {
    match a {
        Attribute::Custom { value, .. } if is_custom(a, name) => Some(value),
        _ => None,
    }
}

/// True when the server made the object's key material (see the module
/// notes on imported keys).
pub fn is_generated(object: &ManagedObject) -> bool {
    object.attributes.iter().any(|a| a.tag() == Tag::RandomNumberGenerator)
}

/// The object's replacement, when it has been rotated.
pub fn replacement(object: &ManagedObject) -> Option<&str> {
    object.find(|a| match a {
        Attribute::Link(l) if l.link_type == LinkType::ReplacementObjectLink => {
            Some(l.linked_object_identifier.as_str())
        }
        _ => None,
    })
}

/// Rotate Generation (0 for a key never rotated).
pub fn generation(object: &ManagedObject) -> i32 {
    object
        .find(|a| match a {
            Attribute::RotateGeneration(g) => Some(*g),
            _ => None,
        })
        .unwrap_or(0)
}

/// When the background rotator is to rotate the object, if ever: a
/// generated symmetric key, the newest of its chain, Pre-Active or Active
/// (so neither destroyed nor compromised), with an automatic policy. Reads
/// attributes only, so it works on Locate-style attribute-only records.
pub fn next_rotation(object: &ManagedObject) -> Option<DateTime> {
    if object.object_type() != Some(ObjectType::SymmetricKey)
        || !is_generated(object)
        || replacement(object).is_some()
        || !matches!(object.state(), State::PreActive | State::Active)
    {
        return None;
    }
    let interval = policy(&object.attributes).automatic_interval()?;
    let made = object.find(|a| match a {
        Attribute::InitialDate(d) => Some(d.0),
        _ => None,
    })?;
    Some(DateTime(made.saturating_add(i64::from(interval))))
}

/// Makes the shown schedule (Rotate Date and its 1.x mirror [`Y_DATE`])
/// agree with [`next_rotation`]: set, moved or removed. True when changed.
/// The schedule itself never depends on it (see the module notes).
pub fn show_next(object: &mut ManagedObject) -> bool {
    let shown = object.find(|a| match a {
        Attribute::RotateDate(d) => Some(*d),
        _ => None,
    });
    let next = next_rotation(object);
    if shown == next {
        return false;
    }
    object.remove(Tag::RotateDate);
    object.attributes.retain(|a| !is_custom(a, Y_DATE));
    if let Some(next) = next {
        object.attributes.push(Attribute::RotateDate(next));
        object.attributes.push(mirror(Y_DATE, Value::DateTime(next.0)));
    }
    true
}

/// Attributes a new version does not inherit: the server sets its own, or
/// they describe the predecessor's history.
fn inherited(a: &Attribute) -> bool {
    let tag = a.tag();
    let server_set = matches!(
        tag,
        Tag::UniqueIdentifier
            | Tag::ObjectType
            | Tag::State
            | Tag::InitialDate
            | Tag::LastChangeDate
            | Tag::Digest
            | Tag::Fresh
            | Tag::DestroyDate
            | Tag::CompromiseDate
            | Tag::CompromiseOccurrenceDate
            | Tag::RevocationReason
            | Tag::ArchiveDate
            | Tag::OriginalCreationDate
            | Tag::RandomNumberGenerator
            | Tag::RotateDate
            | Tag::RotateGeneration
            | Tag::RotateLatest
            | Tag::KeyValuePresent
            | Tag::LeaseTime
            | Tag::AlwaysSensitive
            | Tag::NeverExtractable
            | Tag::CryptographicAlgorithm
            | Tag::CryptographicLength
            | Tag::KeyFormatType
    );
    // The chain's links, and a key pair's own (its new pair links itself).
    let chain_link = matches!(a, Attribute::Link(l)
        if matches!(l.link_type, LinkType::ReplacedObjectLink | LinkType::ReplacementObjectLink
            | LinkType::PublicKeyLink | LinkType::PrivateKeyLink));
    let mirror = [Y_DATE, Y_GENERATION, Y_LATEST].iter().any(|n| is_custom(a, n));
    !server_set && !chain_link && !mirror
}

/// The lifecycle dates of the new version when the client gives an Offset
/// (KMIP 1.4 §4.4): Activation = now + Offset, and Process Start, Protect
/// Stop and Deactivation keep their distance from the Activation Date.
fn offset_dates(old: &[Attribute], now: DateTime, offset: Interval) -> Vec<Attribute> {
    let activation = DateTime(now.0.saturating_add(i64::from(offset.0)));
    let old_activation = old.iter().find_map(|a| match a {
        Attribute::ActivationDate(d) => Some(d.0),
        _ => None,
    });
    let mut out = vec![Attribute::ActivationDate(activation)];
    if let Some(at1) = old_activation {
        let shift = |d: DateTime| DateTime(activation.0.saturating_add(d.0.saturating_sub(at1)));
        for a in old {
            match a {
                Attribute::ProcessStartDate(d) => out.push(Attribute::ProcessStartDate(shift(*d))),
                Attribute::ProtectStopDate(d) => out.push(Attribute::ProtectStopDate(shift(*d))),
                Attribute::DeactivationDate(d) => out.push(Attribute::DeactivationDate(shift(*d))),
                _ => {}
            }
        }
    }
    out
}

fn is_offset_date(a: &Attribute) -> bool {
    matches!(
        a,
        Attribute::ActivationDate(_)
            | Attribute::ProcessStartDate(_)
            | Attribute::ProtectStopDate(_)
            | Attribute::DeactivationDate(_)
    )
}

fn mirror(name: &str, value: Value) -> Attribute {
    Attribute::Custom { vendor: None, name: name.into(), value: Ttlv::new(Tag::AttributeValue, value) }
}

/// The Cryptographic Algorithm and Length of a key: its key block's, else its attributes'.
pub(crate) fn algorithm_and_length(old: &ManagedObject) -> Result<(Alg, i32), Error> {
    let block = old.object.as_ref().and_then(Object::key_block);
    let algorithm = block.and_then(|b| b.cryptographic_algorithm).or_else(|| {
        old.find(|a| match a {
            Attribute::CryptographicAlgorithm(x) => Some(*x),
            _ => None,
        })
    });
    let length = block.and_then(|b| b.cryptographic_length).or_else(|| {
        old.find(|a| match a {
            Attribute::CryptographicLength(x) => Some(*x),
            _ => None,
        })
    });
    match (algorithm, length) {
        (Some(algorithm), Some(bits)) => Ok((algorithm, bits)),
        _ => Err(Error::MissingData(format!(
            "object {} has no Cryptographic Algorithm and Length to make its replacement with",
            old.id
        ))),
    }
}

/// The attributes of `old`'s new version: the predecessor's (see
/// `inherited`), the lifecycle dates moved by `offset`, then the client's
/// template (checked as at Create; names not yet the predecessor's must be
/// free; the algorithm and length cannot change). Refuses a predecessor
/// already replaced.
pub(crate) async fn successor_attributes(
    ctx: &RequestContext<'_>,
    old: &ManagedObject,
    offset: Option<Interval>,
    client: Vec<Attribute>,
    (algorithm, bits): (Alg, i32),
) -> Result<Vec<Attribute>, Error> {
    if let Some(next) = replacement(old) {
        return Err(Error::PermissionDenied(format!(
            "object {} was already rotated: its replacement is {next}; rotate the newest version",
            old.id
        )));
    }
    attribute_rules::check_initial_all(&client)?;
    for a in &client {
        let differs = match a {
            Attribute::CryptographicAlgorithm(x) => *x != algorithm,
            Attribute::CryptographicLength(x) => *x != bits,
            Attribute::Name(n) if n.value.is_empty() => {
                return Err(Error::InvalidField("a Name's Name Value must not be empty".into()))
            }
            _ => false,
        };
        if differs {
            return Err(Error::InvalidField(format!(
                "a rotation keeps the key's {}: the replacement cannot change it",
                attribute_rules::display_name(a)
            )));
        }
    }
    let new_names: Vec<Attribute> = client
        .iter()
        .filter(|a| matches!(a, Attribute::Name(n) if !old.names().any(|o| o == n.value)))
        .cloned()
        .collect();
    new_object::check_names_unique(ctx, &new_names).await?;

    let now = ctx.now_kmip();
    let mut attributes: Vec<Attribute> =
        old.attributes.iter().filter(|a| inherited(a) && !(offset.is_some() && is_offset_date(a))).cloned().collect();
    if let Some(offset) = offset {
        attributes.extend(offset_dates(&old.attributes, now, offset));
    }
    for a in client {
        if matches!(a, Attribute::CryptographicAlgorithm(_) | Attribute::CryptographicLength(_)) {
            continue;
        }
        if let Attribute::Name(Name { value, .. }) = &a {
            if attributes.iter().any(|b| matches!(b, Attribute::Name(n) if n.value == *value)) {
                continue;
            }
        }
        if !attribute_rules::rule(&a).multi_valued {
            attributes.retain(|b| !same_attribute(b, &a));
        }
        attributes.push(a);
    }
    Ok(attributes)
}

/// Links a new version to its predecessor both ways and moves the chain's
/// bookkeeping to it: Random Number Generator (the server made it), Rotate
/// Generation + 1, Rotate Latest, the shown schedule; the predecessor's
/// Last Change Date.
pub(crate) fn link_versions(old: &mut ManagedObject, new: &mut ManagedObject, now: DateTime) {
    new.attributes.push(Attribute::RandomNumberGenerator(crate::operations::create::rng_parameters()));
    new.attributes.push(Attribute::Link(Link {
        link_type: LinkType::ReplacedObjectLink,
        linked_object_identifier: old.id.clone(),
    }));
    let generation = generation(old).saturating_add(1);
    new.set(Attribute::RotateGeneration(generation));
    new.set(Attribute::RotateLatest(true));
    new.set(mirror(Y_GENERATION, Value::Integer(generation)));
    new.set(mirror(Y_LATEST, Value::Boolean(true)));
    show_next(new);

    old.attributes.push(Attribute::Link(Link {
        link_type: LinkType::ReplacementObjectLink,
        linked_object_identifier: new.id.clone(),
    }));
    // Replaced: no longer scheduled.
    show_next(old);
    old.set(Attribute::RotateGeneration(generation.saturating_sub(1)));
    old.set(Attribute::RotateLatest(false));
    old.set(mirror(Y_GENERATION, Value::Integer(generation.saturating_sub(1))));
    old.set(mirror(Y_LATEST, Value::Boolean(false)));
    attribute_rules::touch(old, now);
}

/// Rotates `old` (loaded by the caller, with its key material): makes the
/// new version and saves both in one transaction (the predecessor's
/// revision is checked, so two rotations of one key cannot both land).
/// `client` are the ReKey request's template attributes (checked here),
/// `offset` its Offset. Returns the new version.
pub(crate) async fn rotate(
    ctx: &RequestContext<'_>,
    mut old: ManagedObject,
    offset: Option<Interval>,
    client: Vec<Attribute>,
) -> Result<ManagedObject, Error> {
    let object_type = old.object_type().unwrap_or(ObjectType::SymmetricKey);
    if object_type != ObjectType::SymmetricKey {
        return Err(Error::WrongObjectType { id: Some(old.id.clone()), object_type, operation: Operation::ReKey });
    }
    let (algorithm, bits) = algorithm_and_length(&old)?;
    let attributes = successor_attributes(ctx, &old, offset, client, (algorithm, bits)).await?;

    let object = crate::operations::create::generate_symmetric_key(algorithm, bits)?;
    let mut new = new_object::build(ctx, object, Some(KeyFormatType::Raw), attributes);
    link_versions(&mut old, &mut new, ctx.now_kmip());
    ctx.save(&[&old, &new]).await?;
    Ok(new)
}

/// One pass of the background rotator over the key store of `ctx`'s
/// client: rotates each key due by `ctx.now` once, and corrects a shown
/// Rotate Date that a later change of the policy made stale. Returns the
/// (old, new) identifiers rotated. Records are read attributes-only; only
/// the keys due are loaded whole. A key another writer changed meanwhile
/// (a client's ReKey) is left to the next pass; other failures are logged.
pub(crate) async fn rotate_due(ctx: &RequestContext<'_>) -> Result<Vec<(String, String)>, Error> {
    let now = ctx.now_kmip();
    let keystore = &ctx.client.keystore;
    let mut done = Vec::new();
    for stored in ctx.store.list(keystore).await? {
        if stored.material.is_none() {
            continue;
        }
        let mut record = super::locate::attributes_only(&stored)?;
        crate::lifecycle::refresh(&mut record, now);
        let next = next_rotation(&record);
        let shown = record.find(|a| match a {
            Attribute::RotateDate(d) => Some(*d),
            _ => None,
        });
        let outcome = if next.is_some_and(|due| due.0 <= now.0) {
            match ctx.load_live(&record.id).await {
                Ok(old) => rotate(ctx, old, None, Vec::new()).await.map(|new| {
                    tracing::info!(keystore = %keystore, old = %record.id, new = %new.id, "rotated a due key");
                    done.push((record.id.clone(), new.id));
                }),
                Err(e) => Err(e),
            }
        } else if shown != next {
            match ctx.load(&record.id).await {
                Ok(mut object) => {
                    if show_next(&mut object) {
                        ctx.save(&[&object]).await
                    } else {
                        Ok(())
                    }
                }
                Err(e) => Err(e),
            }
        } else {
            Ok(())
        };
        match outcome {
            Ok(()) => {}
            Err(Error::Store(crate::store::StoreError::Conflict { .. })) => {
                tracing::info!(keystore = %keystore, id = %record.id, "key changed during the rotation pass; next pass");
            }
            Err(e) => tracing::warn!(keystore = %keystore, id = %record.id, error = %e, "rotation failed"),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(name: &str, value: Value) -> Attribute {
        mirror(name, value)
    }

    #[test]
    fn the_interval_is_zero_or_at_least_30_days_in_either_spelling() {
        let day = 24 * 3600;
        for ok in [0, MIN_INTERVAL_SECS, 365 * day] {
            assert!(check_attribute(&Attribute::RotateInterval(Interval(ok))).is_ok());
            assert!(check_attribute(&x(X_INTERVAL, Value::Integer(ok as i32))).is_ok());
        }
        for short in [1, 29 * day, MIN_INTERVAL_SECS - 1] {
            let e = check_attribute(&Attribute::RotateInterval(Interval(short))).err();
            assert!(matches!(&e, Some(Error::InvalidField(m)) if m.contains("minimum is 30 days")), "{e:?}");
            let e = check_attribute(&x(X_INTERVAL, Value::TextString(short.to_string()))).err();
            assert!(matches!(&e, Some(Error::InvalidField(m)) if m.contains("minimum is 30 days")), "{e:?}");
        }
        assert!(check_attribute(&x(X_INTERVAL, Value::TextString("soon".into()))).is_err());
        assert!(check_attribute(&x(X_AUTOMATIC, Value::Integer(3))).is_err());
        assert!(check_attribute(&x("x-other", Value::Integer(3))).is_ok());
    }

    #[test]
    fn the_2x_attributes_win_over_the_1x_spelling_and_zero_disables() {
        let both = vec![
            x(X_INTERVAL, Value::TextString("5184000".into())),
            Attribute::RotateInterval(Interval(MIN_INTERVAL_SECS)),
        ];
        assert_eq!(policy(&both).automatic_interval(), Some(MIN_INTERVAL_SECS));
        let v1 = vec![x(X_INTERVAL, Value::Integer(5_184_000)), x(X_AUTOMATIC, Value::TextString("true".into()))];
        assert_eq!(policy(&v1), Policy { interval: Some(5_184_000), automatic: Some(true) });
        let off = vec![x(X_INTERVAL, Value::Integer(5_184_000)), x(X_AUTOMATIC, Value::Boolean(false))];
        assert_eq!(policy(&off).automatic_interval(), None);
        assert_eq!(policy(&[Attribute::RotateInterval(Interval(0))]).automatic_interval(), None);
        assert_eq!(policy(&[]).automatic_interval(), None);
    }
}

#[cfg(test)]
#[path = "rotation_tests.rs"]
mod engine_tests;
