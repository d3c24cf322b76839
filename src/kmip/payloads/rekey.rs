//! Re Key (KMIP 1.4 §4.4, 2.1 §6.1.44).

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::{kmip_struct, Interval};
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Re Key request payload (KMIP 1.4 §4.4, 2.1 §6.1.44).
    pub struct ReKeyRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Offset.
        opt offset: Interval = Tag::Offset,
        /// Template-Attribute (1.x) / Attributes (2.x).
        opt attributes: Attributes = Attributes::TAG,
        /// A 1.x Template-Attribute in a 2.x request: PyKMIP 0.11 sends one
        /// (empty, or with 1.x Attribute structures) at 2.0. Kept raw;
        /// ReKey reads it in the 1.x form.
        opt legacy_template: Ttlv = Tag::TemplateAttribute,
        /// Protection Storage Masks.
        opt protection_storage_masks: Ttlv = Tag::ProtectionStorageMasks,
    }
}

kmip_struct! {
    /// Re Key response payload (KMIP 1.4 §4.4, 2.1 §6.1.44).
    pub struct ReKeyResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Template-Attribute (1.x) / Attributes (2.x).
        opt attributes: Attributes = Attributes::TAG,
    }
}
