//! Validate (KMIP 1.4 §4.24, 2.1 §6.1.53).

use crate::kmip::codec::{kmip_struct, DateTime};
use crate::kmip::objects::Certificate;
use crate::kmip::table::ValidityIndicator;
use crate::ttlv::Tag;

kmip_struct! {
    /// Validate request payload (KMIP 1.4 §4.24, 2.1 §6.1.53).
    pub struct ValidateRequest {
        /// Certificate.
        rep certificates: Certificate = Tag::Certificate,
        /// Unique Identifier.
        rep unique_identifiers: String = Tag::UniqueIdentifier,
        /// Validity Date.
        opt validity_date: DateTime = Tag::ValidityDate,
    }
}

kmip_struct! {
    /// Validate response payload (KMIP 1.4 §4.24, 2.1 §6.1.53).
    pub struct ValidateResponse {
        /// Validity Indicator.
        req validity_indicator: ValidityIndicator = Tag::ValidityIndicator,
    }
}
