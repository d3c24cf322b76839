//! Re Certify (KMIP 1.4 §4.8, 2.1 §6.1.41).

use bytes::Bytes;

use crate::kmip::attributes::Attributes;
use crate::kmip::codec::{kmip_struct, ByVersion, Interval};
use crate::kmip::table::CertificateRequestType;
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Re Certify request payload (KMIP 1.4 §4.8, 2.1 §6.1.41).
    pub struct ReCertifyRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Certificate Request Type.
        opt certificate_request_type: CertificateRequestType = Tag::CertificateRequestType,
        /// certificate request value.
        opt certificate_request_value: Bytes = ByVersion(Tag::CertificateRequest, Tag::CertificateRequestValue),
        /// Offset.
        opt offset: Interval = Tag::Offset,
        /// Template-Attribute (1.x) / Attributes (2.x).
        opt attributes: Attributes = Attributes::TAG,
        /// Protection Storage Masks.
        opt protection_storage_masks: Ttlv = Tag::ProtectionStorageMasks,
    }
}

kmip_struct! {
    /// Re Certify response payload (KMIP 1.4 §4.8, 2.1 §6.1.41).
    pub struct ReCertifyResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Template-Attribute (1.x) / Attributes (2.x).
        opt attributes: Attributes = Attributes::TAG,
    }
}
