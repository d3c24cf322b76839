//! Sign (KMIP 1.4 §4.31, 2.1 §6.1.51).

use bytes::Bytes;

use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Sign request payload (KMIP 1.4 §4.31, 2.1 §6.1.51).
    pub struct SignRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Cryptographic Parameters.
        opt cryptographic_parameters: CryptographicParameters = Tag::CryptographicParameters,
        /// Data.
        opt data: Bytes = Tag::Data,
        /// Digested Data.
        opt digested_data: Bytes = Tag::DigestedData,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
        /// Init Indicator.
        opt init_indicator: bool = Tag::InitIndicator,
        /// Final Indicator.
        opt final_indicator: bool = Tag::FinalIndicator,
    }
}

kmip_struct! {
    /// Sign response payload (KMIP 1.4 §4.31, 2.1 §6.1.51).
    pub struct SignResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Signature Data.
        opt signature_data: Bytes = Tag::SignatureData,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
    }
}
