//! The KMIP key lifecycle (KMIP 1.4 §3.22, 2.1 §4.57): the states, the
//! legal transitions, and which uses each state and date allows.
//!
//! Dates move states without anyone asking: an object whose Activation
//! Date has passed is Active, one whose Deactivation Date has passed is
//! Deactivated. [`refresh`] applies that whenever an object is loaded, so
//! every operation and every Get Attributes sees the state as of now.

use crate::error::Error;
use crate::kmip::attributes::{Attribute, RevocationReason};
use crate::kmip::codec::DateTime;
use crate::kmip::table::{Operation, RevocationReasonCode, State};
use crate::operations::managed::ManagedObject;

/// What a cryptographic operation does with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Applies protection: Encrypt, Sign, MAC, wrapping.
    Protect,
    /// Processes protected data: Decrypt, Signature Verify, MAC Verify, unwrapping.
    Process,
}

/// Moves the object to the state its dates imply at `now` (Pre-Active past
/// its Activation Date becomes Active; Active past its Deactivation Date
/// becomes Deactivated). Returns true when the state changed.
pub fn refresh(object: &mut ManagedObject, now: DateTime) -> bool {
    match refreshed_state(object, now) {
        Some(state) => {
            object.set(Attribute::State(state));
            true
        }
        None => false,
    }
}

/// The state [`refresh`] would move the object to at `now`, or None when it
/// would leave it as it is (lets a shared, cached object be copied only then).
pub fn refreshed_state(object: &ManagedObject, now: DateTime) -> Option<State> {
    StateDates::of(object).refreshed(now)
}

/// What [`refreshed_state`] and [`check_use`] read of an object: its State,
/// the dates that move it and the dates that bound its use (the first of
/// each kind counts). Taken once per stored revision by the store's cache,
/// so a load or a use of a cached object does not scan its attributes again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateDates {
    state: Option<State>,
    activation: Option<i64>,
    deactivation: Option<i64>,
    protect_stop: Option<i64>,
    process_start: Option<i64>,
    /// When [`check_use`] allows each use, worked out once from the above:
    /// a request in its span is allowed without the rule being applied.
    protect: Option<Span>,
    process: Option<Span>,
}

/// The Unix seconds from `from` (included) until `until` (excluded); None
/// leaves that end open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    from: Option<i64>,
    until: Option<i64>,
}

impl Span {
    fn contains(&self, t: i64) -> bool {
        self.from.is_none_or(|from| from <= t) && self.until.is_none_or(|until| t < until)
    }
}

/// The earlier of two ends of a span, an open end being the later.
fn earlier(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl StateDates {
    /// The State and dates of `object`, in one pass over its attributes.
    pub fn of(object: &ManagedObject) -> StateDates {
        let mut dates = StateDates {
            state: None,
            activation: None,
            deactivation: None,
            protect_stop: None,
            process_start: None,
            protect: None,
            process: None,
        };
        for a in &object.attributes {
            let (slot, value) = match a {
                Attribute::State(s) => {
                    dates.state = dates.state.or(Some(*s));
                    continue;
                }
                Attribute::ActivationDate(d) => (&mut dates.activation, d.0),
                Attribute::DeactivationDate(d) => (&mut dates.deactivation, d.0),
                Attribute::ProtectStopDate(d) => (&mut dates.protect_stop, d.0),
                Attribute::ProcessStartDate(d) => (&mut dates.process_start, d.0),
                _ => continue,
            };
            *slot = slot.or(Some(value));
        }
        dates.protect = dates.span(Use::Protect);
        dates.process = dates.span(Use::Process);
        dates
    }

    /// When the rule of [`check_use`] allows `what`, as [`refresh`] moves the
    /// State with time: None when never.
    fn span(&self, what: Use) -> Option<Span> {
        // From when the object is Active (None: as far back as it goes).
        let active_from = match self.state {
            // No State counts as Active (as ManagedObject::state says), and no date moves it.
            None => {
                return Some(match what {
                    Use::Protect => Span { from: None, until: self.protect_stop },
                    Use::Process => Span { from: self.process_start, until: None },
                })
            }
            Some(State::Active) => None,
            Some(State::PreActive) => Some(self.activation?),
            // No date moves these: processing goes on, protection is over.
            Some(State::Deactivated | State::Compromised) => {
                return (what == Use::Process).then_some(Span { from: self.process_start, until: None });
            }
            Some(_) => return None,
        };
        match what {
            // Active, and before the Protect Stop Date.
            Use::Protect => Some(Span { from: active_from, until: earlier(self.deactivation, self.protect_stop) }),
            // Active or past it (Deactivated), and from the Process Start Date.
            Use::Process => {
                let from = match (active_from, self.process_start) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                Some(Span { from, until: None })
            }
        }
    }

    /// The date that bounds `what`: the Protect Stop Date or the Process Start Date.
    fn date_for(&self, what: Use) -> Option<i64> {
        match what {
            Use::Protect => self.protect_stop,
            Use::Process => self.process_start,
        }
    }

    /// [`check_use`] of the object these were read from, as [`refresh`]
    /// would leave it at `now`; `id` names it in a refusal.
    pub fn check_use(&self, id: &str, operation: Operation, what: Use, now: DateTime) -> Result<(), Error> {
        let span = match what {
            Use::Protect => self.protect,
            Use::Process => self.process,
        };
        if span.is_some_and(|span| span.contains(now.0)) {
            return Ok(());
        }
        // Refused: the rule itself says why.
        let state = self.refreshed(now).or(self.state).unwrap_or(State::Active);
        check_state(id, state, self.date_for(what), operation, what, now)
    }

    /// The state these dates move the object to at `now`, or None when it stays as it is.
    pub fn refreshed(&self, now: DateTime) -> Option<State> {
        let before = self.state?;
        let mut state = before;
        if state == State::PreActive && self.activation.is_some_and(|d| d <= now.0) {
            state = State::Active;
        }
        if state == State::Active && self.deactivation.is_some_and(|d| d <= now.0) {
            state = State::Deactivated;
        }
        (state != before).then_some(state)
    }
}

/// Checks that the object may be used for `what` by `operation` at `now`:
/// protection needs an Active object before its Protect Stop Date;
/// processing an Active, Deactivated or Compromised one after its Process
/// Start Date.
pub fn check_use(object: &ManagedObject, operation: Operation, what: Use, now: DateTime) -> Result<(), Error> {
    // One pass for the State and the date `what` depends on (the first of each counts).
    let (mut state, mut date) = (None, None);
    for a in &object.attributes {
        match (a, what) {
            (Attribute::State(s), _) if state.is_none() => state = Some(*s),
            (Attribute::ProtectStopDate(d), Use::Protect) | (Attribute::ProcessStartDate(d), Use::Process)
                if date.is_none() =>
            {
                date = Some(d.0)
            }
            _ => {}
        }
    }
    // Objects without a State (opaque objects, ...) count as Active, as ManagedObject::state says.
    check_state(&object.id, state.unwrap_or(State::Active), date, operation, what, now)
}

/// The rule of [`check_use`], given the object's State and the date that
/// bounds `what` (its Protect Stop Date or Process Start Date).
fn check_state(
    id: &str,
    state: State,
    date: Option<i64>,
    operation: Operation,
    what: Use,
    now: DateTime,
) -> Result<(), Error> {
    let refused = || Error::WrongState { id: id.to_owned(), state, operation };
    match what {
        Use::Protect => {
            if state != State::Active {
                return Err(refused());
            }
            if date.is_some_and(|d| d <= now.0) {
                return Err(Error::OutsideUsePeriod {
                    id: id.to_owned(),
                    operation,
                    why: "its Protect Stop Date has passed",
                });
            }
        }
        Use::Process => {
            if !matches!(state, State::Active | State::Deactivated | State::Compromised) {
                return Err(refused());
            }
            if date.is_some_and(|d| d > now.0) {
                return Err(Error::OutsideUsePeriod {
                    id: id.to_owned(),
                    operation,
                    why: "its Process Start Date has not come",
                });
            }
        }
    }
    Ok(())
}

/// Activate: Pre-Active -> Active, Activation Date set to `now`.
pub fn activate(object: &mut ManagedObject, now: DateTime) -> Result<(), Error> {
    let state = object.state();
    if state != State::PreActive {
        return Err(Error::WrongState { id: object.id.clone(), state, operation: Operation::Activate });
    }
    object.set(Attribute::State(State::Active));
    object.set(Attribute::ActivationDate(now));
    Ok(())
}

/// Revoke: a compromise (key or CA) makes the object Compromised from any
/// live state; any other reason makes a Pre-Active or Active object
/// Deactivated. The reason and dates are recorded.
pub fn revoke(
    object: &mut ManagedObject,
    reason: RevocationReason,
    compromise_occurrence: Option<DateTime>,
    now: DateTime,
) -> Result<(), Error> {
    let state = object.state();
    let compromise = matches!(reason.code, RevocationReasonCode::KeyCompromise | RevocationReasonCode::CACompromise);
    let refused = Error::WrongState { id: object.id.clone(), state, operation: Operation::Revoke };
    if compromise {
        // A destroyed key found compromised becomes Destroyed Compromised
        // (KMIP 1.4 §3.22, transition 9).
        let next = match state {
            State::PreActive | State::Active | State::Deactivated => State::Compromised,
            State::Destroyed => State::DestroyedCompromised,
            _ => return Err(refused),
        };
        object.set(Attribute::State(next));
        object.set(Attribute::CompromiseDate(now));
        object.set(Attribute::CompromiseOccurrenceDate(compromise_occurrence.unwrap_or(now)));
    } else {
        if !matches!(state, State::PreActive | State::Active) {
            return Err(refused);
        }
        object.set(Attribute::State(State::Deactivated));
        object.set(Attribute::DeactivationDate(now));
    }
    object.set(Attribute::RevocationReason(reason));
    Ok(())
}

/// Destroy: the object's material is removed and its state becomes
/// Destroyed (Destroyed Compromised from Compromised); an Active object
/// must be revoked first.
pub fn destroy(object: &mut ManagedObject, now: DateTime) -> Result<(), Error> {
    // Objects without a lifecycle (a 1.x Opaque Object has no State) may be
    // destroyed at any time (OMOS-M-1); afterwards they say Destroyed.
    if !object.attributes.iter().any(|a| matches!(a, Attribute::State(_))) {
        if object.object.is_none() {
            return Err(Error::ObjectDestroyed { id: object.id.clone() });
        }
        object.object = None;
        object.set(Attribute::State(State::Destroyed));
        object.set(Attribute::DestroyDate(now));
        return Ok(());
    }
    let state = object.state();
    let next = match state {
        State::PreActive | State::Deactivated => State::Destroyed,
        State::Compromised => State::DestroyedCompromised,
        State::Destroyed | State::DestroyedCompromised => {
            return Err(Error::ObjectDestroyed { id: object.id.clone() });
        }
        _ => return Err(Error::WrongState { id: object.id.clone(), state, operation: Operation::Destroy }),
    };
    object.object = None;
    object.set(Attribute::State(next));
    object.set(Attribute::DestroyDate(now));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::objects::{Object, OpaqueObject};
    use crate::kmip::table::{ObjectType, OpaqueDataType};

    fn object(attributes: Vec<Attribute>) -> ManagedObject {
        let opaque = Object::OpaqueObject(OpaqueObject {
            opaque_data_type: OpaqueDataType::Unknown(0x8000_0000),
            opaque_data_value: crate::kmip::secret::Secret::from_slice(b"x"),
        });
        let mut all = vec![Attribute::ObjectType(ObjectType::SymmetricKey)];
        all.extend(attributes);
        ManagedObject::new("k".into(), "default".into(), opaque, all)
    }

    const NOW: DateTime = DateTime(1_700_000_000);

    #[test]
    fn a_pre_active_key_cannot_protect_and_an_active_one_cannot_be_destroyed() {
        let mut key = object(vec![Attribute::State(State::PreActive)]);
        assert!(matches!(check_use(&key, Operation::Encrypt, Use::Protect, NOW), Err(Error::WrongState { .. })));
        activate(&mut key, NOW).expect("activates");
        assert!(check_use(&key, Operation::Encrypt, Use::Protect, NOW).is_ok());
        assert!(matches!(destroy(&mut key, NOW), Err(Error::WrongState { state: State::Active, .. })));
        let reason = RevocationReason { code: RevocationReasonCode::KeyCompromise, message: None };
        revoke(&mut key, reason, None, NOW).expect("revokes");
        assert_eq!(key.state(), State::Compromised);
        assert!(check_use(&key, Operation::Decrypt, Use::Process, NOW).is_ok());
        assert!(check_use(&key, Operation::Encrypt, Use::Protect, NOW).is_err());
        destroy(&mut key, NOW).expect("destroys");
        assert_eq!(key.state(), State::DestroyedCompromised);
        assert!(key.object.is_none());
    }

    #[test]
    fn a_destroyed_key_found_compromised_is_destroyed_compromised() {
        let mut key = object(vec![Attribute::State(State::PreActive)]);
        destroy(&mut key, NOW).expect("destroys");
        let reason = RevocationReason { code: RevocationReasonCode::KeyCompromise, message: None };
        revoke(&mut key, reason.clone(), Some(DateTime(NOW.0 - 60)), NOW).expect("revokes");
        assert_eq!(key.state(), State::DestroyedCompromised);
        assert!(key.attributes.contains(&Attribute::CompromiseOccurrenceDate(DateTime(NOW.0 - 60))));
        assert!(matches!(revoke(&mut key, reason, None, NOW), Err(Error::WrongState { .. })));
        let other = RevocationReason { code: RevocationReasonCode::Superseded, message: None };
        let mut gone = object(vec![Attribute::State(State::Destroyed)]);
        assert!(matches!(revoke(&mut gone, other, None, NOW), Err(Error::WrongState { .. })));
    }

    #[test]
    fn an_object_without_a_state_is_destroyed_whenever_asked_once() {
        let opaque = Object::OpaqueObject(OpaqueObject {
            opaque_data_type: OpaqueDataType::Unknown(0x8000_0001),
            opaque_data_value: crate::kmip::secret::Secret::from_slice(b"x"),
        });
        let mut object = ManagedObject::new(
            "o".into(),
            "default".into(),
            opaque,
            vec![Attribute::ObjectType(ObjectType::OpaqueObject)],
        );
        destroy(&mut object, NOW).expect("destroys");
        assert!(object.object.is_none());
        assert_eq!(object.state(), State::Destroyed);
        assert!(matches!(destroy(&mut object, NOW), Err(Error::ObjectDestroyed { .. })));
    }

    #[test]
    fn the_first_state_and_dates_count_and_both_dates_can_move_a_state_at_once() {
        let key = object(vec![
            Attribute::State(State::PreActive),
            Attribute::ActivationDate(DateTime(NOW.0 - 20)),
            Attribute::State(State::Destroyed),
            Attribute::DeactivationDate(DateTime(NOW.0 - 10)),
            Attribute::DeactivationDate(DateTime(NOW.0 + 10)),
        ]);
        let dates = StateDates::of(&key);
        assert_eq!(dates.refreshed(NOW), Some(State::Deactivated));
        assert_eq!(dates.refreshed(DateTime(NOW.0 - 15)), Some(State::Active));
        assert_eq!(dates.refreshed(DateTime(NOW.0 - 30)), None);
        assert_eq!(refreshed_state(&key, NOW), dates.refreshed(NOW));
        assert!(matches!(
            check_use(&key, Operation::Decrypt, Use::Process, NOW),
            Err(Error::WrongState { state: State::PreActive, .. })
        ));
    }

    #[test]
    fn dates_gate_use_as_in_cs_bc_m_14() {
        // Registered with Activation Date an hour ago, Process Start Date in
        // an hour, Protect Stop Date an hour ago: neither use is allowed.
        let mut key = object(vec![
            Attribute::State(State::PreActive),
            Attribute::ActivationDate(DateTime(NOW.0 - 3600)),
            Attribute::ProcessStartDate(DateTime(NOW.0 + 3600)),
            Attribute::ProtectStopDate(DateTime(NOW.0 - 3600)),
        ]);
        assert!(refresh(&mut key, NOW));
        assert_eq!(key.state(), State::Active);
        assert!(check_use(&key, Operation::Encrypt, Use::Protect, NOW).is_err());
        assert!(check_use(&key, Operation::Decrypt, Use::Process, NOW).is_err());
        let reason = RevocationReason { code: RevocationReasonCode::Unspecified, message: None };
        revoke(&mut key, reason, None, NOW).expect("revokes");
        assert_eq!(key.state(), State::Deactivated);
        destroy(&mut key, NOW).expect("destroys");
        assert_eq!(key.state(), State::Destroyed);
    }

    #[test]
    fn a_use_checked_from_the_dates_read_once_is_the_use_checked_on_the_refreshed_object() {
        // Every State (and none), every date absent or at one of three times, both
        // uses, at and around each date: the cache's check of its StateDates (and its
        // span of allowed times alone) refuses exactly what check_use of the object
        // refreshed at that time refuses, and with the same error.
        let dates = [None, Some(NOW.0 - 60), Some(NOW.0), Some(NOW.0 + 60)];
        let states = [None, Some(State::PreActive), Some(State::Active), Some(State::Deactivated)]
            .into_iter()
            .chain([Some(State::Compromised), Some(State::Destroyed)]);
        let mut cases = 0;
        for state in states {
            let mut combinations = Vec::new();
            for a in dates {
                for d in dates {
                    for p in dates {
                        combinations.extend(dates.iter().map(|&q| (a, d, p, q)));
                    }
                }
            }
            for (activation, deactivation, protect_stop, process_start) in combinations {
                let mut attributes: Vec<Attribute> = state.map(Attribute::State).into_iter().collect();
                attributes.extend(activation.map(|d| Attribute::ActivationDate(DateTime(d))));
                attributes.extend(deactivation.map(|d| Attribute::DeactivationDate(DateTime(d))));
                attributes.extend(protect_stop.map(|d| Attribute::ProtectStopDate(DateTime(d))));
                attributes.extend(process_start.map(|d| Attribute::ProcessStartDate(DateTime(d))));
                // A second of each, which must not count.
                attributes.push(Attribute::State(State::Active));
                attributes.push(Attribute::ProtectStopDate(DateTime(NOW.0 + 3600)));
                attributes.push(Attribute::ProcessStartDate(DateTime(NOW.0 - 3600)));
                let stored = object(attributes);
                let read_once = StateDates::of(&stored);
                // At, just before and just after each date.
                for now in [-61, -60, -59, -1, 0, 1, 59, 60, 61].map(|d| DateTime(NOW.0 + d)) {
                    let mut refreshed = stored.clone();
                    refresh(&mut refreshed, now);
                    for (operation, what) in [(Operation::Encrypt, Use::Protect), (Operation::Decrypt, Use::Process)] {
                        let scanned = check_use(&refreshed, operation, what, now);
                        let cached = read_once.check_use(&stored.id, operation, what, now);
                        let context = format!("{what:?} at {} of {:?}", now.0 - NOW.0, stored.attributes);
                        assert_eq!(format!("{cached:?}"), format!("{scanned:?}"), "{context}");
                        // The span alone (the path taken when allowed) says the same.
                        let span = if what == Use::Protect { read_once.protect } else { read_once.process };
                        assert_eq!(span.is_some_and(|s| s.contains(now.0)), scanned.is_ok(), "{context}");
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 6 * 4 * 4 * 4 * 4 * 9 * 2);
    }
}
