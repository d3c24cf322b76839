//! Hash (KMIP 1.4 §4.37, 2.1 §6.1.27).

use bytes::Bytes;

use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Hash request payload (KMIP 1.4 §4.37, 2.1 §6.1.27).
    pub struct HashRequest {
        /// Cryptographic Parameters.
        req cryptographic_parameters: CryptographicParameters = Tag::CryptographicParameters,
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
    /// Hash response payload (KMIP 1.4 §4.37, 2.1 §6.1.27).
    pub struct HashResponse {
        /// Data.
        opt data: Bytes = Tag::Data,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
    }
}
