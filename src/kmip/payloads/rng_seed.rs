//! RNGSeed (KMIP 1.4 §4.36, 2.1 §6.1.49).

use crate::kmip::codec::kmip_struct;
use crate::kmip::secret::Secret;
use crate::ttlv::Tag;

kmip_struct! {
    /// RNGSeed request payload (KMIP 1.4 §4.36, 2.1 §6.1.49).
    pub struct RNGSeedRequest {
        /// Data.
        req data: Secret = Tag::Data,
    }
}

kmip_struct! {
    /// RNGSeed response payload (KMIP 1.4 §4.36, 2.1 §6.1.49).
    pub struct RNGSeedResponse {
        /// Data Length.
        opt data_length: i32 = Tag::DataLength,
    }
}
