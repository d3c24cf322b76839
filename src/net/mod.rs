//! The KMIP front end: TLS on the KMIP port, one task per connection, and
//! framing of TTLV messages off the stream.
//!
//! - [`tls`]: the rustls server configuration (client certificates required).
//! - [`listener`]: the accept loop, the connection limit, graceful shutdown.
//! - [`connection`]: reads one message at a time (header checked before the
//!   body is read), hands it to the [`Service`], writes the reply.
//! - [`socket`]: the TCP stream under the TLS (one record, one `send`).
//!
//! This layer never looks inside a message beyond its 8-byte header: what
//! the bytes mean, and the error response to a malformed one, belong to the
//! service (the operations engine).

pub mod connection;
pub mod listener;
pub mod socket;
pub mod tls;

use std::future::Future;

use bytes::Bytes;

pub use crate::auth::ClientIdentity;
pub use crate::operations::Reply;

/// What answers the messages of a connection: the operations engine, or in
/// tests anything with the same contract.
pub trait Service: Send + Sync + 'static {
    /// Answers one whole message (its 8-byte header included) from `client`.
    fn process(&self, client: &ClientIdentity, frame: Bytes) -> impl Future<Output = Reply> + Send;
}

impl Service for crate::operations::Engine {
    fn process(&self, client: &ClientIdentity, frame: Bytes) -> impl Future<Output = Reply> + Send {
        crate::operations::Engine::process(self, client, frame)
    }
}
