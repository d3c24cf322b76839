//! Certify (KMIP 1.4 §4.7, 2.1 §6.1.7).

use bytes::Bytes;

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::{kmip_struct, ByVersion};
use crate::kmip::table::CertificateRequestType;
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Certify request payload (KMIP 1.4 §4.7, 2.1 §6.1.7).
    pub struct CertifyRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Certificate Request Type.
        opt certificate_request_type: CertificateRequestType = Tag::CertificateRequestType,
        /// certificate request value.
        opt certificate_request_value: Bytes = ByVersion(Tag::CertificateRequest, Tag::CertificateRequestValue),
        /// Template-Attribute (1.x) / Attributes (2.x).
        opt attributes: Attributes = Attributes::TAG,
        /// Protection Storage Masks.
        opt protection_storage_masks: Ttlv = Tag::ProtectionStorageMasks,
    }
}

kmip_struct! {
    /// Certify response payload (KMIP 1.4 §4.7, 2.1 §6.1.7).
    pub struct CertifyResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Template-Attribute (1.x) / Attributes (2.x).
        opt attributes: Attributes = Attributes::TAG,
    }
}
