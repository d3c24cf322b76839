//! MACVerify (KMIP 1.4 §4.34, 2.1 §6.1.35).

use bytes::Bytes;

use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::codec::kmip_struct;
use crate::kmip::table::ValidityIndicator;
use crate::ttlv::Tag;

kmip_struct! {
    /// MACVerify request payload (KMIP 1.4 §4.34, 2.1 §6.1.35).
    pub struct MACVerifyRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Cryptographic Parameters.
        opt cryptographic_parameters: CryptographicParameters = Tag::CryptographicParameters,
        /// Data.
        opt data: Bytes = Tag::Data,
        /// MACData.
        opt mac_data: Bytes = Tag::MACData,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
        /// Init Indicator.
        opt init_indicator: bool = Tag::InitIndicator,
        /// Final Indicator.
        opt final_indicator: bool = Tag::FinalIndicator,
    }
}

kmip_struct! {
    /// MACVerify response payload (KMIP 1.4 §4.34, 2.1 §6.1.35).
    pub struct MACVerifyResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Validity Indicator.
        req validity_indicator: ValidityIndicator = Tag::ValidityIndicator,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
    }
}
