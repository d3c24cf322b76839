//! MAC (KMIP 1.4 §4.33, 2.1 §6.1.34).

use bytes::Bytes;

use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// MAC request payload (KMIP 1.4 §4.33, 2.1 §6.1.34).
    pub struct MACRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Cryptographic Parameters.
        opt cryptographic_parameters: CryptographicParameters = Tag::CryptographicParameters,
        /// Data.
        opt data: Bytes = Tag::Data,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
        /// Init Indicator.
        opt init_indicator: bool = Tag::InitIndicator,
        /// Final Indicator.
        opt final_indicator: bool = Tag::FinalIndicator,
    }
}

kmip_struct! {
    /// MAC response payload (KMIP 1.4 §4.33, 2.1 §6.1.34).
    pub struct MACResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// MACData.
        opt mac_data: Bytes = Tag::MACData,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
    }
}
