//! Re Key Key Pair (KMIP 1.4 §4.5, 2.1 §6.1.45).

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::{kmip_struct, ByVersion, Interval};
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Re Key Key Pair request payload (KMIP 1.4 §4.5, 2.1 §6.1.45).
    pub struct ReKeyKeyPairRequest {
        /// Private Key Unique Identifier.
        opt private_key_unique_identifier: String = Tag::PrivateKeyUniqueIdentifier,
        /// Offset.
        opt offset: Interval = Tag::Offset,
        /// common attributes.
        opt common_attributes: Attributes = ByVersion(Tag::CommonTemplateAttribute, Tag::CommonAttributes),
        /// private key attributes.
        opt private_key_attributes: Attributes = ByVersion(Tag::PrivateKeyTemplateAttribute, Tag::PrivateKeyAttributes),
        /// public key attributes.
        opt public_key_attributes: Attributes = ByVersion(Tag::PublicKeyTemplateAttribute, Tag::PublicKeyAttributes),
        /// Common Protection Storage Masks.
        opt common_protection_storage_masks: Ttlv = Tag::CommonProtectionStorageMasks,
        /// Private Protection Storage Masks.
        opt private_protection_storage_masks: Ttlv = Tag::PrivateProtectionStorageMasks,
        /// Public Protection Storage Masks.
        opt public_protection_storage_masks: Ttlv = Tag::PublicProtectionStorageMasks,
    }
}

kmip_struct! {
    /// Re Key Key Pair response payload (KMIP 1.4 §4.5, 2.1 §6.1.45).
    pub struct ReKeyKeyPairResponse {
        /// Private Key Unique Identifier.
        req private_key_unique_identifier: String = Tag::PrivateKeyUniqueIdentifier,
        /// Public Key Unique Identifier.
        req public_key_unique_identifier: String = Tag::PublicKeyUniqueIdentifier,
        /// Private Key Template Attribute.
        opt private_key_attributes: Attributes = Tag::PrivateKeyTemplateAttribute,
        /// Public Key Template Attribute.
        opt public_key_attributes: Attributes = Tag::PublicKeyTemplateAttribute,
    }
}
