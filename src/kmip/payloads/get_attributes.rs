//! Get Attributes (KMIP 1.4 §4.12, 2.1 §6.1.25).

use crate::kmip::attributes::{AttributeReference, Attributes, ATTRIBUTE_REFERENCE};
use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Get Attributes request payload (KMIP 1.4 §4.12, 2.1 §6.1.25).
    pub struct GetAttributesRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Attribute Name (1.x) / Attribute Reference (2.x).
        rep attribute_references: AttributeReference = ATTRIBUTE_REFERENCE,
    }
}

kmip_struct! {
    /// Get Attributes response payload (KMIP 1.4 §4.12, 2.1 §6.1.25).
    pub struct GetAttributesResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Attribute.
        inl attributes: Attributes = Tag::Attribute,
    }
}
