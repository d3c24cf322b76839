//! Derive Key (KMIP 1.4 §4.6, 2.1 §6.1.14).

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::kmip_struct;
use crate::kmip::table::ObjectType;
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Derive Key request payload (KMIP 1.4 §4.6, 2.1 §6.1.14).
    pub struct DeriveKeyRequest {
        /// Object Type.
        req object_type: ObjectType = Tag::ObjectType,
        /// Unique Identifier.
        rep unique_identifiers: String = Tag::UniqueIdentifier,
        /// Derivation Method.
        req derivation_method: Ttlv = Tag::DerivationMethod,
        /// Derivation Parameters.
        req derivation_parameters: Ttlv = Tag::DerivationParameters,
        /// Template-Attribute (1.x) / Attributes (2.x).
        req attributes: Attributes = Attributes::TAG,
    }
}

kmip_struct! {
    /// Derive Key response payload (KMIP 1.4 §4.6, 2.1 §6.1.14).
    pub struct DeriveKeyResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Template-Attribute (1.x) / Attributes (2.x).
        opt attributes: Attributes = Attributes::TAG,
    }
}
