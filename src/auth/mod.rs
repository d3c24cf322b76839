//! Who is calling: the identity a connection carries into every request.
//!
//! The KMIP front end builds a [`ClientIdentity`] once per connection, from
//! the verified client certificate and the peer address; the operations
//! use its key store to scope every object they touch.

pub mod allowlist;
pub mod neighbours;

use std::net::SocketAddr;

/// An authenticated KMIP client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The peer's address.
    pub peer: SocketAddr,
    /// The credential (client certificate) name.
    pub credential: String,
    /// The key store the credential belongs to; every object the client
    /// creates or sees is in it.
    pub keystore: String,
}
