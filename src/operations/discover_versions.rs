//! Discover Versions (KMIP 1.4 §4.26): the versions both sides speak.

use crate::error::Error;
use crate::kmip::payloads::{DiscoverVersionsRequest, DiscoverVersionsResponse};
use crate::kmip::version::ProtocolVersion;
use crate::operations::context::RequestContext;

/// Answers the server's versions, newest first; when the client lists
/// some, only those of them the server speaks, in the client's order.
pub(crate) async fn handle(
    _ctx: &mut RequestContext<'_>,
    req: DiscoverVersionsRequest,
) -> Result<DiscoverVersionsResponse, Error> {
    let mut ours: Vec<ProtocolVersion> = ProtocolVersion::SUPPORTED.to_vec();
    ours.sort_by(|a, b| b.cmp(a));
    let protocol_versions = if req.protocol_versions.is_empty() {
        ours
    } else {
        req.protocol_versions.into_iter().filter(|v| ours.contains(v)).collect()
    };
    Ok(DiscoverVersionsResponse { protocol_versions })
}
