//! Activate (KMIP 1.4 §4.19, 2.1 §6.1.1).

use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Activate request payload (KMIP 1.4 §4.19, 2.1 §6.1.1).
    pub struct ActivateRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
    }
}

kmip_struct! {
    /// Activate response payload (KMIP 1.4 §4.19, 2.1 §6.1.1).
    pub struct ActivateResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
    }
}
