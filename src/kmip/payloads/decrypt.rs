//! Decrypt (KMIP 1.4 §4.30, 2.1 §6.1.16).

use bytes::Bytes;

use crate::kmip::attributes::CryptographicParameters;
use crate::kmip::codec::kmip_struct;
use crate::kmip::secret::Secret;
use crate::ttlv::Tag;

kmip_struct! {
    /// Decrypt request payload (KMIP 1.4 §4.30, 2.1 §6.1.16).
    pub struct DecryptRequest {
        /// Unique Identifier.
        opt unique_identifier: String = Tag::UniqueIdentifier,
        /// Cryptographic Parameters.
        opt cryptographic_parameters: CryptographicParameters = Tag::CryptographicParameters,
        /// Data.
        opt data: Bytes = Tag::Data,
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
        /// Authenticated Encryption Tag.
        opt authenticated_encryption_tag: Bytes = Tag::AuthenticatedEncryptionTag,
    }
}

impl DecryptRequest {
    /// A one-shot Decrypt of `data` under the key `unique_identifier` (the
    /// ID Placeholder when `None`): no IV, streaming field, additional data nor tag.
    pub fn new(
        unique_identifier: Option<String>,
        cryptographic_parameters: Option<CryptographicParameters>,
        data: Bytes,
    ) -> DecryptRequest {
        DecryptRequest {
            unique_identifier,
            cryptographic_parameters,
            data: Some(data),
            iv_counter_nonce: None,
            correlation_value: None,
            init_indicator: None,
            final_indicator: None,
            authenticated_encryption_additional_data: None,
            authenticated_encryption_tag: None,
        }
    }
}

kmip_struct! {
    /// Decrypt response payload (KMIP 1.4 §4.30, 2.1 §6.1.16).
    pub struct DecryptResponse {
        /// Unique Identifier.
        req unique_identifier: String = Tag::UniqueIdentifier,
        /// Data.
        opt data: Secret = Tag::Data,
        /// Correlation Value.
        opt correlation_value: Bytes = Tag::CorrelationValue,
    }
}
