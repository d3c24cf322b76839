//! Obtain Lease (KMIP 1.4 §4.18, 2.1 §6.1.37).

use crate::kmip::codec::{kmip_struct, DateTime, Interval};
use crate::ttlv::Tag;

kmip_struct! {
    /// Obtain Lease request payload (KMIP 1.4 §4.18, 2.1 §6.1.37).
    pub struct ObtainLeaseRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
    }
}

kmip_struct! {
    /// Obtain Lease response payload (KMIP 1.4 §4.18, 2.1 §6.1.37).
    pub struct ObtainLeaseResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Lease Time.
        opt lease_time: Interval = Tag::LeaseTime,
        /// Last Change Date.
        opt last_change_date: DateTime = Tag::LastChangeDate,
    }
}
