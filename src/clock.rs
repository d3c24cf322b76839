//! Where "now" comes from: the system clock in production, a settable clock
//! in tests, so that time-driven behaviour (the lifecycle dates, the
//! background rotator) can be tested without waiting 30 days.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::OffsetDateTime;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time (UTC).
    fn now(&self) -> OffsetDateTime;
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
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
    }
}
