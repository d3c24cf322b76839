//! Adjust Attribute (KMIP 2.1 §6.1.3).

use crate::kmip::attributes::AttributeReference;
use crate::kmip::codec::kmip_struct;
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Adjust Attribute request payload (KMIP 2.1 §6.1.3).
    pub struct AdjustAttributeRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Attribute Reference.
        req attribute_reference: AttributeReference = Tag::AttributeReference,
        /// Adjustment Type.
        req adjustment_type: Ttlv = Tag::AdjustmentType,
        /// Adjustment Value.
        opt adjustment_value: Ttlv = Tag::AdjustmentValue,
    }
}

kmip_struct! {
    /// Adjust Attribute response payload (KMIP 2.1 §6.1.3).
    pub struct AdjustAttributeResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
    }
}
