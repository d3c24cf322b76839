//! Get Usage Allocation (KMIP 1.4 §4.17, 2.1 §6.1.28).

use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Get Usage Allocation request payload (KMIP 1.4 §4.17, 2.1 §6.1.28).
    pub struct GetUsageAllocationRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Usage Limits Count.
        opt usage_limits_count: i64 = Tag::UsageLimitsCount,
    }
}

kmip_struct! {
    /// Get Usage Allocation response payload (KMIP 1.4 §4.17, 2.1 §6.1.28).
    pub struct GetUsageAllocationResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
    }
}
