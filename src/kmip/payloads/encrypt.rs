//! Encrypt (KMIP 1.4 §4.29, 2.1 §6.1.21).

use bytes::Bytes;

use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::codec::kmip_struct;
use crate::kmip::secret::Secret;
use crate::ttlv::Tag;

kmip_struct! {
    /// Encrypt request payload (KMIP 1.4 §4.29, 2.1 §6.1.21).
    pub struct EncryptRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Cryptographic Parameters.
        opt cryptographic_parameters: CryptographicParameters = Tag::CryptographicParameters,
        /// Data.
        opt data: Secret = Tag::Data,
        /// IVCounter Nonce.
        opt iv_counter_nonce: Bytes = Tag::IVCounterNonce,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
        /// Init Indicator.
        opt init_indicator: bool = Tag::InitIndicator,
        /// Final Indicator.
        opt final_indicator: bool = Tag::FinalIndicator,
        /// Authenticated Encryption Additional Data.
        opt authenticated_encryption_additional_data: Bytes = Tag::AuthenticatedEncryptionAdditionalData,
    }
}

impl EncryptRequest {
    /// A one-shot Encrypt of `data` under the key `unique_identifier` (the
    /// ID Placeholder when `None`): no IV, streaming field nor additional data.
    pub fn new(
        unique_identifier: Option<String>,
        cryptographic_parameters: Option<CryptographicParameters>,
        data: Secret,
    ) -> EncryptRequest {
        EncryptRequest {
            unique_identifier,
            cryptographic_parameters,
            data: Some(data),
            iv_counter_nonce: None,
            correlation_value: None,
            init_indicator: None,
            final_indicator: None,
            authenticated_encryption_additional_data: None,
        }
    }
}

kmip_struct! {
    /// Encrypt response payload (KMIP 1.4 §4.29, 2.1 §6.1.21).
    pub struct EncryptResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Data.
        opt data: Bytes = Tag::Data,
        /// IVCounter Nonce.
        opt iv_counter_nonce: Bytes = Tag::IVCounterNonce,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
        /// Authenticated Encryption Tag.
        opt authenticated_encryption_tag: Bytes = Tag::AuthenticatedEncryptionTag,
    }
}
