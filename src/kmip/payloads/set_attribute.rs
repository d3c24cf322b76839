//! Set Attribute (KMIP 2.1 §6.1.50).

use crate::kmip::attributes::WrappedAttribute;
use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Set Attribute request payload (KMIP 2.1 §6.1.50).
    pub struct SetAttributeRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// New Attribute.
        req new_attribute: WrappedAttribute = Tag::NewAttribute,
    }
}

kmip_struct! {
    /// Set Attribute response payload (KMIP 2.1 §6.1.50).
    pub struct SetAttributeResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
    }
}
