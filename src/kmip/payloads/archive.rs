//! Archive (KMIP 1.4 §4.22, 2.1 §6.1.4).

use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Archive request payload (KMIP 1.4 §4.22, 2.1 §6.1.4).
    pub struct ArchiveRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
    }
}

kmip_struct! {
    /// Archive response payload (KMIP 1.4 §4.22, 2.1 §6.1.4).
    pub struct ArchiveResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
    }
}
