//! Create (KMIP 1.4 §4.1, 2.1 §6.1.11).

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::kmip_struct;
use crate::kmip::table::ObjectType;
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Create request payload (KMIP 1.4 §4.1, 2.1 §6.1.11).
    pub struct CreateRequest {
        /// Object Type.
        req object_type: ObjectType = Tag::ObjectType,
        /// Template-Attribute (1.x) / Attributes (2.x).
        req attributes: Attributes = Attributes::TAG,
        /// Protection Storage Masks.
        opt protection_storage_masks: Ttlv = Tag::ProtectionStorageMasks,
    }
}

kmip_struct! {
    /// Create response payload (KMIP 1.4 §4.1, 2.1 §6.1.11).
    pub struct CreateResponse {
        /// Object Type.
        req object_type: ObjectType = Tag::ObjectType,
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Template-Attribute (1.x) / Attributes (2.x).
        opt attributes: Attributes = Attributes::TAG,
    }
}
