//! Add Attribute (KMIP 1.4 §4.14, 2.1 §6.1.2).

use crate::kmip::attributes::IndexedAttribute;
use crate::kmip::codec::{kmip_struct, ByVersion};
use crate::ttlv::Tag;

kmip_struct! {
    /// Add Attribute request payload (KMIP 1.4 §4.14, 2.1 §6.1.2).
    pub struct AddAttributeRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// attribute.
        req attribute: IndexedAttribute = ByVersion(Tag::Attribute, Tag::NewAttribute),
    }
}

kmip_struct! {
    /// Add Attribute response payload (KMIP 1.4 §4.14, 2.1 §6.1.2).
    pub struct AddAttributeResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Attribute.
        opt attribute: IndexedAttribute = Tag::Attribute,
    }
}
