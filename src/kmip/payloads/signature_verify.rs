//! Signature Verify (KMIP 1.4 §4.32, 2.1 §6.1.52).

use bytes::Bytes;

use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::codec::kmip_struct;
use crate::kmip::table::ValidityIndicator;
use crate::ttlv::Tag;

kmip_struct! {
    /// Signature Verify request payload (KMIP 1.4 §4.32, 2.1 §6.1.52).
    pub struct SignatureVerifyRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Cryptographic Parameters.
        opt cryptographic_parameters: CryptographicParameters = Tag::CryptographicParameters,
        /// Data.
        opt data: Bytes = Tag::Data,
        /// Digested Data.
        opt digested_data: Bytes = Tag::DigestedData,
        /// Signature Data.
        opt signature_data: Bytes = Tag::SignatureData,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
        /// Init Indicator.
        opt init_indicator: bool = Tag::InitIndicator,
        /// Final Indicator.
        opt final_indicator: bool = Tag::FinalIndicator,
    }
}

kmip_struct! {
    /// Signature Verify response payload (KMIP 1.4 §4.32, 2.1 §6.1.52).
    pub struct SignatureVerifyResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Validity Indicator.
        req validity_indicator: ValidityIndicator = Tag::ValidityIndicator,
        /// Data.
        opt data: Bytes = Tag::Data,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
    }
}
