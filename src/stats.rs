//! Usage counters per object.
//!
//! PLACEHOLDER with the API of branch `store`'s counters; replaced when it lands.

use std::sync::atomic::{AtomicU64, Ordering};

/// What an object was used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UsageKind {
    /// Get.
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
    /// Wrap.
    Wrap,
    /// Unwrap.
    Unwrap,
    /// Derive.
    Derive,
    /// Anything else.
    Other,
}

/// Counters of one object.
#[derive(Debug, Default)]
pub struct ObjectUsage {
    counts: [AtomicU64; 11],
}

impl ObjectUsage {
    /// Counts one use.
    pub fn record(&self, kind: UsageKind) {
        if let Some(c) = self.counts.get(kind as usize) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The count of one kind.
    pub fn count(&self, kind: UsageKind) -> u64 {
        self.counts.get(kind as usize).map_or(0, |c| c.load(Ordering::Relaxed))
    }
}
