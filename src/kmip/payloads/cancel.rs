//! Cancel (KMIP 1.4 §4.27, 2.1 §6.1.5).

use bytes::Bytes;

use crate::kmip::codec::kmip_struct;
use crate::ttlv::{Tag, Ttlv};

kmip_struct! {
    /// Cancel request payload (KMIP 1.4 §4.27, 2.1 §6.1.5).
    pub struct CancelRequest {
        /// Asynchronous Correlation Value.
        req asynchronous_correlation_value: Bytes = Tag::AsynchronousCorrelationValue,
    }
}

kmip_struct! {
    /// Cancel response payload (KMIP 1.4 §4.27, 2.1 §6.1.5).
    pub struct CancelResponse {
        /// Asynchronous Correlation Value.
        req asynchronous_correlation_value: Bytes = Tag::AsynchronousCorrelationValue,
        /// Cancellation Result.
        req cancellation_result: Ttlv = Tag::CancellationResult,
    }
}
