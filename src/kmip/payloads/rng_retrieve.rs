//! RNGRetrieve (KMIP 1.4 §4.35, 2.1 §6.1.48).

use crate::kmip::codec::kmip_struct;
use crate::kmip::secret::Secret;
use crate::ttlv::Tag;

kmip_struct! {
    /// RNGRetrieve request payload (KMIP 1.4 §4.35, 2.1 §6.1.48).
    pub struct RNGRetrieveRequest {
        /// Data Length.
        req data_length: i32 = Tag::DataLength,
    }
}

kmip_struct! {
    /// RNGRetrieve response payload (KMIP 1.4 §4.35, 2.1 §6.1.48).
    pub struct RNGRetrieveResponse {
        /// Data.
        req data: Secret = Tag::Data,
    }
}
