//! Recover (KMIP 1.4 §4.23, 2.1 §6.1.42).

use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Recover request payload (KMIP 1.4 §4.23, 2.1 §6.1.42).
    pub struct RecoverRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
    }
}

kmip_struct! {
    /// Recover response payload (KMIP 1.4 §4.23, 2.1 §6.1.42).
    pub struct RecoverResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
    }
}
