//! Discover Versions (KMIP 1.4 §4.26, 2.1 §6.1.18).

use crate::kmip::codec::kmip_struct;
use crate::kmip::version::ProtocolVersion;
use crate::ttlv::Tag;

kmip_struct! {
    /// Discover Versions request payload (KMIP 1.4 §4.26, 2.1 §6.1.18).
    pub struct DiscoverVersionsRequest {
        /// Protocol Version.
        rep protocol_versions: ProtocolVersion = Tag::ProtocolVersion,
    }
}

kmip_struct! {
    /// Discover Versions response payload (KMIP 1.4 §4.26, 2.1 §6.1.18).
    pub struct DiscoverVersionsResponse {
        /// Protocol Version.
        rep protocol_versions: ProtocolVersion = Tag::ProtocolVersion,
    }
}
