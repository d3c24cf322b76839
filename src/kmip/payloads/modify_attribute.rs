//! Modify Attribute (KMIP 1.4 §4.15, 2.1 §6.1.36).

use crate::kmip::attributes::{IndexedAttribute, WrappedAttribute};
use crate::kmip::codec::{kmip_struct, ByVersion};
use crate::ttlv::Tag;

kmip_struct! {
    /// Modify Attribute request payload (KMIP 1.4 §4.15, 2.1 §6.1.36).
    pub struct ModifyAttributeRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Current Attribute.
        opt current_attribute: WrappedAttribute = Tag::CurrentAttribute,
        /// attribute.
        req attribute: IndexedAttribute = ByVersion(Tag::Attribute, Tag::NewAttribute),
    }
}

kmip_struct! {
    /// Modify Attribute response payload (KMIP 1.4 §4.15, 2.1 §6.1.36).
    pub struct ModifyAttributeResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Attribute.
        opt attribute: IndexedAttribute = Tag::Attribute,
    }
}
