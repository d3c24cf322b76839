//! Check (KMIP 1.4 §4.10, 2.1 §6.1.6).

use crate::kmip::codec::{kmip_struct, Interval};
use crate::kmip::table::CryptographicUsageMask;
use crate::ttlv::Tag;

kmip_struct! {
    /// Check request payload (KMIP 1.4 §4.10, 2.1 §6.1.6).
    pub struct CheckRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Usage Limits Count.
        opt usage_limits_count: i64 = Tag::UsageLimitsCount,
        /// Cryptographic Usage Mask.
        opt cryptographic_usage_mask: CryptographicUsageMask = Tag::CryptographicUsageMask,
        /// Lease Time.
        opt lease_time: Interval = Tag::LeaseTime,
    }
}

kmip_struct! {
    /// Check response payload (KMIP 1.4 §4.10, 2.1 §6.1.6).
    pub struct CheckResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Usage Limits Count.
        opt usage_limits_count: i64 = Tag::UsageLimitsCount,
        /// Cryptographic Usage Mask.
        opt cryptographic_usage_mask: CryptographicUsageMask = Tag::CryptographicUsageMask,
        /// Lease Time.
        opt lease_time: Interval = Tag::LeaseTime,
    }
}
