//! Delete Attribute (KMIP 1.4 §4.16, 2.1 §6.1.15).

use crate::kmip::attributes::{AttributeReference, IndexedAttribute, WrappedAttribute, ATTRIBUTE_REFERENCE};
use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Delete Attribute request payload (KMIP 1.4 §4.16, 2.1 §6.1.15).
    pub struct DeleteAttributeRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Current Attribute.
        opt current_attribute: WrappedAttribute = Tag::CurrentAttribute,
        /// Attribute Name (1.x) / Attribute Reference (2.x).
        opt attribute_reference: AttributeReference = ATTRIBUTE_REFERENCE,
        /// Attribute Index.
        opt attribute_index: i32 = Tag::AttributeIndex,
    }
}

kmip_struct! {
    /// Delete Attribute response payload (KMIP 1.4 §4.16, 2.1 §6.1.15).
    pub struct DeleteAttributeResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Attribute.
        opt attribute: IndexedAttribute = Tag::Attribute,
    }
}
