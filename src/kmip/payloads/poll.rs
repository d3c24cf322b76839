//! Poll (KMIP 1.4 §4.28, 2.1 §6.1.39).

use bytes::Bytes;

use crate::kmip::codec::kmip_struct;
use crate::ttlv::Tag;

kmip_struct! {
    /// Poll request payload (KMIP 1.4 §4.28, 2.1 §6.1.39).
    pub struct PollRequest {
        /// Asynchronous Correlation Value.
        req asynchronous_correlation_value: Bytes = Tag::AsynchronousCorrelationValue,
    }
}

kmip_struct! {
    /// Poll response payload (KMIP 1.4 §4.28, 2.1 §6.1.39).
    pub struct PollResponse {

    }
}
