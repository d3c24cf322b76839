//! Query (KMIP 1.4 §4.25, 2.1 §6.1.40).

use crate::kmip::codec::kmip_struct;
use crate::kmip::table::{ObjectType, Operation, QueryFunction};
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Query request payload (KMIP 1.4 §4.25, 2.1 §6.1.40).
    pub struct QueryRequest {
        /// Query Function.
        rep query_functions: QueryFunction = Tag::QueryFunction,
    }
}

kmip_struct! {
    /// Query response payload (KMIP 1.4 §4.25, 2.1 §6.1.40).
    pub struct QueryResponse {
        /// Operation.
        rep operations: Operation = Tag::Operation,
        /// Object Type.
        rep object_types: ObjectType = Tag::ObjectType,
        /// Vendor Identification.
        opt vendor_identification: String = Tag::VendorIdentification,
        /// Server Information.
        opt server_information: Ttlv = Tag::ServerInformation,
        /// Application Namespace.
        rep application_namespaces: String = Tag::ApplicationNamespace,
        /// Extension Information.
        rep extension_information: Ttlv = Tag::ExtensionInformation,
        /// Attestation Type.
        rep attestation_types: Ttlv = Tag::AttestationType,
        /// RNGParameters.
        rep rng_parameters: Ttlv = Tag::RNGParameters,
        /// Profile Information.
        rep profile_information: Ttlv = Tag::ProfileInformation,
        /// Validation Information.
        rep validation_information: Ttlv = Tag::ValidationInformation,
        /// Capability Information.
        rep capability_information: Ttlv = Tag::CapabilityInformation,
        /// Client Registration Method.
        rep client_registration_methods: Ttlv = Tag::ClientRegistrationMethod,
        /// Defaults Information.
        opt defaults_information: Ttlv = Tag::DefaultsInformation,
        /// Protection Storage Masks.
        opt protection_storage_masks: Ttlv = Tag::ProtectionStorageMasks,
    }
}
