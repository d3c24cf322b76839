//! A latency histogram with fixed log-linear buckets: one per connection
//! task, no lock, no allocation while recording, merged at the end.
//!
//! Values are nanoseconds. Below 128 ns every value has its own bucket;
//! above, each power of two is cut into 64 buckets, so a reported
//! percentile is within 1/64 (1.6 %) of the true value.

use std::time::Duration;

/// Sub-buckets per power of two, as a power of two.
const SUB_BITS: u32 = 6;
const SUB: usize = 1 << SUB_BITS;
/// Values below this are exact.
const LINEAR: u64 = 2 << SUB_BITS;
/// Bucket count: the linear part, then 64 per power of two from 2^7 to 2^63.
const BUCKETS: usize = LINEAR as usize + SUB * (64 - SUB_BITS as usize - 1);

/// Latencies recorded by one connection, or merged from several.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Box<[u64]>,
    total: u64,
    sum_ns: u128,
    max_ns: u64,
}

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram::new()
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Histogram {
        Histogram { counts: vec![0; BUCKETS].into_boxed_slice(), total: 0, sum_ns: 0, max_ns: 0 }
    }

    /// Records one latency.
    pub fn record(&mut self, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        if let Some(c) = self.counts.get_mut(bucket_of(ns)) {
            *c = c.saturating_add(1);
        }
        self.total = self.total.saturating_add(1);
        self.sum_ns = self.sum_ns.saturating_add(u128::from(ns));
        self.max_ns = self.max_ns.max(ns);
    }

    /// Adds every value recorded in `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
        self.total = self.total.saturating_add(other.total);
        self.sum_ns = self.sum_ns.saturating_add(other.sum_ns);
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    /// How many values were recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The largest value recorded, exactly.
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max_ns)
    }

    /// The mean, exactly; zero when empty.
    pub fn mean(&self) -> Duration {
        match u64::try_from(self.sum_ns.checked_div(u128::from(self.total)).unwrap_or(0)) {
            Ok(ns) => Duration::from_nanos(ns),
            Err(_) => Duration::MAX,
        }
    }

    /// The value at quantile `q` (0.0-1.0): the upper edge of the bucket
    /// holding it, capped at the maximum; zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        // The rank of the value wanted, 1-based: ceil(q * n), at least 1.
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            seen = seen.saturating_add(*c);
            if seen >= rank {
                return Duration::from_nanos(upper_edge(i).min(self.max_ns));
            }
        }
        self.max()
    }
}

/// The bucket holding `ns`.
fn bucket_of(ns: u64) -> usize {
    if ns < LINEAR {
        return ns as usize;
    }
    // ns >= 128, so its top bit is at position 7..=63.
    let top = 63 - ns.leading_zeros();
    let shift = top - SUB_BITS;
    let sub = ((ns >> shift) as usize) & (SUB - 1);
    LINEAR as usize + (shift as usize - 1) * SUB + sub
}

/// The largest value that falls in bucket `i`.
fn upper_edge(i: usize) -> u64 {
    if i < LINEAR as usize {
        return i as u64;
    }
    let j = i - LINEAR as usize;
    let shift = (j / SUB) as u32 + 1;
    let sub = (j % SUB) as u64;
    let low = (SUB as u64 + sub) << shift;
    low.saturating_add((1u64 << shift) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_lands_in_a_bucket_whose_upper_edge_is_within_one_sixty_fourth() {
        for ns in (0..5000).chain([1 << 20, (1 << 20) + 12_345, 987_654_321, u64::MAX / 3, u64::MAX]) {
            let b = bucket_of(ns);
            assert!(b < BUCKETS, "{ns} -> bucket {b}");
            let edge = upper_edge(b);
            assert!(edge >= ns, "{ns}: edge {edge}");
            assert!(edge - ns <= ns / 64, "{ns}: edge {edge} too far");
            if b > 0 {
                assert!(upper_edge(b - 1) < ns, "{ns}: previous bucket's edge {}", upper_edge(b - 1));
            }
        }
    }

    #[test]
    fn percentiles_of_one_to_ten_thousand_microseconds() {
        let mut h = Histogram::new();
        for us in 1..=10_000u64 {
            h.record(Duration::from_micros(us));
        }
        assert_eq!(h.count(), 10_000);
        assert_eq!(h.max(), Duration::from_micros(10_000));
        let p50 = h.quantile(0.5).as_micros() as f64;
        let p99 = h.quantile(0.99).as_micros() as f64;
        assert!((5000.0..=5000.0 * 1.016).contains(&p50), "p50 {p50}");
        assert!((9900.0..=9900.0 * 1.016).contains(&p99), "p99 {p99}");
        assert_eq!(h.quantile(1.0), Duration::from_micros(10_000));
    }

    #[test]
    fn merging_two_halves_gives_the_whole() {
        let (mut a, mut b, mut whole) = (Histogram::new(), Histogram::new(), Histogram::new());
        for us in 1..=1000u64 {
            let d = Duration::from_micros(us * 7);
            whole.record(d);
            if us % 2 == 0 {
                a.record(d)
            } else {
                b.record(d)
            }
        }
        a.merge(&b);
        assert_eq!(a.count(), whole.count());
        assert_eq!(a.mean(), whole.mean());
        for q in [0.5, 0.9, 0.99, 0.999] {
            assert_eq!(a.quantile(q), whole.quantile(q));
        }
    }

    #[test]
    fn an_empty_histogram_reports_zero() {
        let h = Histogram::new();
        assert_eq!(h.quantile(0.99), Duration::ZERO);
        assert_eq!(h.mean(), Duration::ZERO);
    }
}
