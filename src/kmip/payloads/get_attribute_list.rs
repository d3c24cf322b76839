//! Get Attribute List (KMIP 1.4 §4.13, 2.1 §6.1.26).

use crate::kmip::attributes::{AttributeReference, ATTRIBUTE_REFERENCE};
use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Get Attribute List request payload (KMIP 1.4 §4.13, 2.1 §6.1.26).
    pub struct GetAttributeListRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
    }
}

kmip_struct! {
    /// Get Attribute List response payload (KMIP 1.4 §4.13, 2.1 §6.1.26).
    pub struct GetAttributeListResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Attribute Name (1.x) / Attribute Reference (2.x).
        rep attribute_references: AttributeReference = ATTRIBUTE_REFERENCE,
    }
}
