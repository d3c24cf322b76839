//! Where "now" comes from: the system clock in production, a settable clock
//! in tests, so that time-driven behaviour (the lifecycle dates, the
//! background rotator) can be tested without waiting 30 days.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time (UTC).
    fn now(&self) -> OffsetDateTime;

    /// The current time as the Unix clock counts it. The request path reads
    /// this: it needs seconds (KMIP Date-Times) and nanoseconds (last use),
    /// not a calendar date, whose conversion costs more than the clock read.
    fn timestamp(&self) -> Timestamp {
        Timestamp::from(self.now())
    }
}

/// A point in time as seconds and nanoseconds since the Unix epoch (UTC):
/// what the system clock gives, before any calendar conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Whole seconds since the epoch (negative before it).
    secs: i64,
    /// Nanoseconds after `secs`, below one second.
    nanos: u32,
}

impl Timestamp {
    /// The Unix epoch.
    pub const UNIX_EPOCH: Timestamp = Timestamp { secs: 0, nanos: 0 };

    /// `secs` whole seconds after the epoch.
    pub fn from_unix_seconds(secs: i64) -> Timestamp {
        Timestamp { secs, nanos: 0 }
    }

    /// Whole seconds since the epoch, rounded down (as a KMIP Date-Time).
    pub fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// Nanoseconds since the epoch; `i64::MAX` outside what an `i64` counts
    /// (before 1678 or after 2262), as the usage counters have always stored it.
    pub fn unix_nanos(self) -> i64 {
        self.secs.checked_mul(NANOS_PER_SEC).and_then(|n| n.checked_add(i64::from(self.nanos))).unwrap_or(i64::MAX)
    }

    /// The same time as a calendar date and time (UTC); the epoch if out of its range.
    pub fn to_offset(self) -> OffsetDateTime {
        let nanos = i128::from(self.secs) * i128::from(NANOS_PER_SEC) + i128::from(self.nanos);
        OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

const NANOS_PER_SEC: i64 = 1_000_000_000;

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Timestamp {
        // unix_timestamp rounds down and the nanosecond is never negative, as here.
        Timestamp { secs: t.unix_timestamp(), nanos: t.nanosecond() }
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Timestamp {
        match t.duration_since(UNIX_EPOCH) {
            Ok(after) => {
                Timestamp { secs: i64::try_from(after.as_secs()).unwrap_or(i64::MAX), nanos: after.subsec_nanos() }
            }
            Err(e) => {
                // Before the epoch: round the seconds down, keep the nanoseconds positive.
                let before = e.duration();
                let secs = i64::try_from(before.as_secs()).map_or(i64::MIN, |s| -s);
                match before.subsec_nanos() {
                    0 => Timestamp { secs, nanos: 0 },
                    n => Timestamp { secs: secs.saturating_sub(1), nanos: 1_000_000_000 - n },
                }
            }
        }
    }
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn timestamp(&self) -> Timestamp {
        Timestamp::from(SystemTime::now())
    }
}

/// The clock the server runs on by default.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// A clock that stands still until told otherwise, to whole seconds (KMIP
/// Date-Times have no finer resolution). Clones share one time.
#[derive(Clone, Debug)]
pub struct TestClock {
    unix: Arc<AtomicI64>,
}

impl TestClock {
    /// A clock showing `start`.
    pub fn at(start: OffsetDateTime) -> TestClock {
        TestClock { unix: Arc::new(AtomicI64::new(start.unix_timestamp())) }
    }

    /// Sets the time.
    pub fn set(&self, to: OffsetDateTime) {
        self.unix.store(to.unix_timestamp(), Ordering::SeqCst);
    }

    /// Moves the time forward (or back, for a negative duration).
    pub fn advance(&self, by: time::Duration) {
        self.unix.fetch_add(by.whole_seconds(), Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.unix.load(Ordering::SeqCst)).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_stands_still_and_moves_when_told_and_clones_share_it() {
        let start = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let clock = TestClock::at(start);
        let other = clock.clone();
        assert_eq!(clock.now(), start);
        other.advance(time::Duration::days(30));
        assert_eq!(clock.now(), start + time::Duration::days(30));
        clock.set(start);
        assert_eq!(other.now(), start);
        assert!(SystemClock.now() > start);
        assert_eq!(clock.timestamp(), Timestamp::from_unix_seconds(1_700_000_000));
    }

    #[test]
    fn a_timestamp_from_the_system_clock_is_the_calendar_times_to_the_nanosecond() {
        // Before, at and after the epoch, with and without a fraction of a second.
        for (secs, nanos) in [(-86_401, 250_000_000), (-1, 0), (-1, 999_999_999), (0, 0), (0, 1), (1_700_000_000, 7)] {
            let nanos_total = i128::from(secs) * 1_000_000_000 + i128::from(nanos);
            let calendar = OffsetDateTime::from_unix_timestamp_nanos(nanos_total).unwrap();
            let system = UNIX_EPOCH
                .checked_add(std::time::Duration::from_nanos(u64::try_from(nanos_total.max(0)).unwrap()))
                .and_then(|t| {
                    let back = u64::try_from((-nanos_total).max(0)).unwrap();
                    t.checked_sub(std::time::Duration::from_nanos(back))
                })
                .unwrap();
            let from_system = Timestamp::from(system);
            assert_eq!(from_system, Timestamp::from(calendar), "{secs}.{nanos}");
            assert_eq!(from_system.unix_seconds(), calendar.unix_timestamp());
            assert_eq!(i128::from(from_system.unix_nanos()), calendar.unix_timestamp_nanos());
            assert_eq!(from_system.to_offset(), calendar);
        }
        // The system clock read both ways agrees (to the time between the two reads).
        let (a, b) = (SystemClock.timestamp(), SystemClock.now());
        assert!((b.unix_timestamp() - a.unix_seconds()).abs() <= 1);
        // Out of an i64 of nanoseconds: saturated as the usage counters store it.
        assert_eq!(Timestamp::from_unix_seconds(i64::MAX / 1_000).unix_nanos(), i64::MAX);
    }
}
