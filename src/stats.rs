//! Usage counters per managed object: how often each kind of operation used
//! it and when it was last used.
//!
//! [`ObjectUsage::record`] is on the request path, so it is a handful of
//! relaxed atomic operations: no lock, no allocation, no I/O. The store's
//! background flusher persists counters that changed (see
//! [`crate::store::Store::usage`]).

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

/// The kinds of use that are counted separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UsageKind {
    /// Get (the key material left the server).
    Get,
    /// Encrypt.
    Encrypt,
    /// Decrypt.
    Decrypt,
    /// Sign.
    Sign,
    /// Signature Verify.
    SignatureVerify,
    /// MAC.
    Mac,
    /// MAC Verify.
    MacVerify,
    /// The object wrapped another key.
    Wrap,
    /// The object unwrapped another key.
    Unwrap,
    /// The object was the base of a Derive Key.
    Derive,
    /// Any other operation.
    Other,
}

impl UsageKind {
    /// Every kind, in the order of the persisted counters (append only: the
    /// position is part of the on-disk format).
    pub const ALL: [UsageKind; KINDS] = [
        UsageKind::Get,
        UsageKind::Encrypt,
        UsageKind::Decrypt,
        UsageKind::Sign,
        UsageKind::SignatureVerify,
        UsageKind::Mac,
        UsageKind::MacVerify,
        UsageKind::Wrap,
        UsageKind::Unwrap,
        UsageKind::Derive,
        UsageKind::Other,
    ];

    fn index(self) -> usize {
        match self {
            UsageKind::Get => 0,
            UsageKind::Encrypt => 1,
            UsageKind::Decrypt => 2,
            UsageKind::Sign => 3,
            UsageKind::SignatureVerify => 4,
            UsageKind::Mac => 5,
            UsageKind::MacVerify => 6,
            UsageKind::Wrap => 7,
            UsageKind::Unwrap => 8,
            UsageKind::Derive => 9,
            UsageKind::Other => 10,
        }
    }
}

const KINDS: usize = 11;
/// `last_used` value meaning "never used".
const NEVER: i64 = i64::MIN;
/// Persisted form: version byte, kind count, one u64 per kind, last used (i64 Unix nanoseconds), all big-endian.
const ENCODED_LEN: usize = 2 + KINDS * 8 + 8;
const FORMAT_VERSION: u8 = 1;

/// Counters of one object: atomics, no lock, no I/O on [`ObjectUsage::record`].
#[derive(Debug)]
pub struct ObjectUsage {
    counts: [AtomicU64; KINDS],
    /// Unix time in nanoseconds, or [`NEVER`].
    last_used: AtomicI64,
    /// Set by `record`, cleared when the flusher takes a snapshot.
    dirty: AtomicBool,
}

impl Default for ObjectUsage {
    fn default() -> Self {
        ObjectUsage {
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            last_used: AtomicI64::new(NEVER),
            dirty: AtomicBool::new(false),
        }
    }
}

impl ObjectUsage {
    /// Counts one use of `kind` now (the system clock's time).
    pub fn record(&self, kind: UsageKind) {
        self.record_at(kind, time::OffsetDateTime::now_utc());
    }

    /// Counts one use of `kind` at `when`: the engine passes its request's
    /// time, read once per request from its clock, rather than read the clock again.
    pub fn record_at(&self, kind: UsageKind, when: time::OffsetDateTime) {
        self.record_at_unix_nanos(kind, i64::try_from(when.unix_timestamp_nanos()).unwrap_or(i64::MAX));
    }

    /// [`ObjectUsage::record_at`] a time given in nanoseconds since the Unix
    /// epoch (the engine's clock gives it so, without a calendar conversion).
    pub fn record_at_unix_nanos(&self, kind: UsageKind, now: i64) {
        if let Some(c) = self.counts.get(kind.index()) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        self.last_used.fetch_max(now, Ordering::Relaxed);
        // Release: a flusher that sees `dirty` also sees the increments above.
        self.dirty.store(true, Ordering::Release);
    }

    /// How many times `kind` was recorded (including before the last restart).
    pub fn count(&self, kind: UsageKind) -> u64 {
        self.counts.get(kind.index()).map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// When the object was last used, or None if never.
    pub fn last_used(&self) -> Option<time::OffsetDateTime> {
        match self.last_used.load(Ordering::Relaxed) {
            NEVER => None,
            n => time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).ok(),
        }
    }

    /// If anything was recorded since the last snapshot, the counters in their
    /// persisted form; clears the changed mark.
    pub(crate) fn take_changed(&self) -> Option<Vec<u8>> {
        if self.dirty.swap(false, Ordering::AcqRel) {
            Some(self.encode())
        } else {
            None
        }
    }

    /// Marks the counters as changed again (after a failed flush).
    pub(crate) fn mark_changed(&self) {
        self.dirty.store(true, Ordering::Release);
    }

    /// The persisted form of the current counters.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENCODED_LEN);
        out.push(FORMAT_VERSION);
        out.push(KINDS as u8);
        for c in &self.counts {
            out.extend_from_slice(&c.load(Ordering::Relaxed).to_be_bytes());
        }
        out.extend_from_slice(&self.last_used.load(Ordering::Relaxed).to_be_bytes());
        out
    }

    /// Counters from their persisted form; None if it is not one we wrote.
    /// A record with fewer kinds (an older version) loads those it has.
    pub(crate) fn decode(bytes: &[u8]) -> Option<ObjectUsage> {
        let (&version, rest) = bytes.split_first()?;
        if version != FORMAT_VERSION {
            return None;
        }
        let (&kinds, mut rest) = rest.split_first()?;
        let usage = ObjectUsage::default();
        for i in 0..usize::from(kinds) {
            let (n, tail) = rest.split_first_chunk::<8>()?;
            rest = tail;
            if let Some(c) = usage.counts.get(i) {
                c.store(u64::from_be_bytes(*n), Ordering::Relaxed);
            }
        }
        let (t, tail) = rest.split_first_chunk::<8>()?;
        if !tail.is_empty() {
            return None;
        }
        usage.last_used.store(i64::from_be_bytes(*t), Ordering::Relaxed);
        Some(usage)
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn record_counts_each_kind_separately_and_sets_last_used() {
        let u = ObjectUsage::default();
        assert_eq!(u.last_used(), None);
        let before = time::OffsetDateTime::now_utc();
        u.record(UsageKind::Encrypt);
        u.record(UsageKind::Encrypt);
        u.record(UsageKind::Other);
        assert_eq!(u.count(UsageKind::Encrypt), 2);
        assert_eq!(u.count(UsageKind::Other), 1);
        assert_eq!(u.count(UsageKind::Decrypt), 0);
        let last = u.last_used().unwrap();
        assert!(last >= before && last <= time::OffsetDateTime::now_utc());
    }

    #[test]
    fn changed_mark_is_taken_once() {
        let u = ObjectUsage::default();
        assert!(u.take_changed().is_none());
        u.record(UsageKind::Mac);
        assert!(u.take_changed().is_some());
        assert!(u.take_changed().is_none());
    }

    #[test]
    fn encoding_round_trips_every_kind() {
        let u = ObjectUsage::default();
        for (i, k) in UsageKind::ALL.iter().enumerate() {
            for _ in 0..=i {
                u.record(*k);
            }
        }
        let bytes = u.encode();
        let back = ObjectUsage::decode(&bytes).unwrap();
        for (i, k) in UsageKind::ALL.iter().enumerate() {
            assert_eq!(back.count(*k), i as u64 + 1, "{k:?}");
        }
        assert_eq!(back.last_used(), u.last_used());
        assert!(ObjectUsage::decode(&bytes[..bytes.len() - 1]).is_none());
        assert!(ObjectUsage::decode(&[9]).is_none());
    }
}
