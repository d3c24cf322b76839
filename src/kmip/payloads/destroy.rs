//! Destroy (KMIP 1.4 §4.21, 2.1 §6.1.17).

use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Destroy request payload (KMIP 1.4 §4.21, 2.1 §6.1.17).
    pub struct DestroyRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
    }
}

kmip_struct! {
    /// Destroy response payload (KMIP 1.4 §4.21, 2.1 §6.1.17).
    pub struct DestroyResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
    }
}
