//! A verified client certificate -> its credential -> its key store.
//!
//! rustls has already checked the chain (or the pinned fingerprint, see
//! `net::tls`); this maps the leaf to the registry's credential handle.

use std::net::SocketAddr;

use super::ClientIdentity;
use crate::keystores::Registry;

/// The identity of the client at `peer` that presented the verified leaf
/// certificate `leaf_der`, or None when no key store knows it (its store
/// was terminated, or its credential record deleted, since the handshake
/// or the session it resumes).
pub fn identify(registry: &Registry, peer: SocketAddr, leaf_der: &[u8]) -> Option<ClientIdentity> {
    registry.identify(leaf_der).map(|handle| ClientIdentity::from_handle(peer, handle))
}
