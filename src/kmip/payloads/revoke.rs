//! Revoke (KMIP 1.4 §4.20, 2.1 §6.1.47).

use crate::kmip::attributes::RevocationReason;
use crate::kmip::codec::{kmip_struct, DateTime};
use crate::ttlv::Tag;

kmip_struct! {
    /// Revoke request payload (KMIP 1.4 §4.20, 2.1 §6.1.47).
    pub struct RevokeRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Revocation Reason.
        req revocation_reason: RevocationReason = Tag::RevocationReason,
        /// Compromise Occurrence Date.
        opt compromise_occurrence_date: DateTime = Tag::CompromiseOccurrenceDate,
    }
}

kmip_struct! {
    /// Revoke response payload (KMIP 1.4 §4.20, 2.1 §6.1.47).
    pub struct RevokeResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
    }
}
