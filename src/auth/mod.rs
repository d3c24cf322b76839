//! Who is calling, and whether they may: the identity a connection carries
//! into every request, and the per-request admission policy.
//!
//! The KMIP front end builds a [`ClientIdentity`] once per connection, from
//! the verified client certificate ([`certificate`]: certificate ->
//! credential -> key store) and the peer address; the operations use its key
//! store to scope every object they touch. [`admit`] runs before every
//! request's first batch item, on atomics only: a credential revoked or a
//! key store suspended since the connection opened is refused on its next
//! request.

pub mod allowlist;
pub mod certificate;
pub mod neighbours;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::error::Error;
use crate::keystores::{CredentialHandle, KeyStoreHandle, KeyStoreStatus};
use crate::kmip::message::{Credential, RequestHeader};

/// An authenticated KMIP client.
#[derive(Clone)]
pub struct ClientIdentity {
    /// The peer's address.
    pub peer: SocketAddr,
    /// The credential (client certificate) name.
    pub credential: String,
    /// The id of the key store the credential belongs to; every object the
    /// client creates or sees is in it.
    pub keystore: String,
    /// The registry's live view of the credential and its key store, which
    /// [`admit`] checks on every request. None for callers inside the server
    /// (tests, the background rotator), which are always admitted.
    pub handle: Option<Arc<CredentialHandle>>,
}

impl ClientIdentity {
    /// An identity with no registry handle (always admitted): for tests and
    /// for work the server does on a key store's behalf.
    pub fn new(peer: SocketAddr, credential: impl Into<String>, keystore: impl Into<String>) -> ClientIdentity {
        ClientIdentity { peer, credential: credential.into(), keystore: keystore.into(), handle: None }
    }

    /// The identity of a client whose certificate is the credential `handle`.
    pub fn from_handle(peer: SocketAddr, handle: Arc<CredentialHandle>) -> ClientIdentity {
        ClientIdentity {
            peer,
            credential: handle.name(),
            keystore: handle.keystore().id().to_owned(),
            handle: Some(handle),
        }
    }
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("peer", &self.peer)
            .field("credential", &self.credential)
            .field("keystore", &self.keystore)
            .finish_non_exhaustive()
    }
}

/// Two identities are equal when they name the same peer, credential and key store.
impl PartialEq for ClientIdentity {
    fn eq(&self, other: &ClientIdentity) -> bool {
        self.peer == other.peer && self.credential == other.credential && self.keystore == other.keystore
    }
}

impl Eq for ClientIdentity {}

/// Why a request was refused before any of its batch items ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The credential was revoked: Authentication Not Successful, then the connection is closed.
    Revoked {
        /// The credential's name.
        credential: String,
    },
    /// The key store is suspended (or not in service: being made, expired,
    /// terminated): Permission Denied.
    KeyStoreUnavailable {
        /// The key store's name.
        keystore: String,
        /// Its status, as the message says it.
        status: &'static str,
    },
    /// The key store's allowlist does not admit the peer: Authentication Not Successful.
    NotAllowed {
        /// The peer's address, as the client knows it.
        address: String,
        /// The key store's name.
        keystore: String,
        /// The methods that failed (named in the message; the list's entries never are).
        failed: Vec<allowlist::Method>,
    },
}

impl Refusal {
    /// The error every batch item of the refused request answers.
    pub fn error(&self) -> Error {
        match self {
            Refusal::Revoked { credential } => {
                Error::AuthenticationNotSuccessful(format!("credential {credential} is revoked"))
            }
            Refusal::KeyStoreUnavailable { keystore, status } => {
                Error::PermissionDenied(format!("key store {keystore} is {status}"))
            }
            Refusal::NotAllowed { address, keystore, failed } => {
                Error::AuthenticationNotSuccessful(allowlist::refusal_message(address, keystore, failed))
            }
        }
    }

    /// Whether the connection is closed after the answer (a revoked
    /// credential has no further use for it).
    pub fn closes_connection(&self) -> bool {
        matches!(self, Refusal::Revoked { .. })
    }
}

/// Admission of one request (before any batch item runs): the credential
/// must not be revoked, its key store must be in service (`OK`), and the
/// key store's enabled methods must pass. `now` is Unix seconds: an
/// admitted request marks the credential used then. For a store that checks
/// certificates only: atomics, no lock, no store read, no allocation, and
/// the future is ready at its first poll. An IP / MAC allowlist adds a read
/// lock on the compiled list and on the connection's MAC, looked up once per
/// connection and policy change; that lookup (for IPv6 a run of `ip`) is
/// awaited, off the executor's thread.
pub async fn admit(client: &ClientIdentity, header: &RequestHeader, now: i64) -> Result<(), Refusal> {
    let Some(handle) = &client.handle else { return Ok(()) };
    if handle.is_revoked() {
        return Err(Refusal::Revoked { credential: handle.name() });
    }
    let keystore = handle.keystore();
    let status = keystore.status();
    if keystore.is_terminated() || status != KeyStoreStatus::Ok {
        let status = if keystore.is_terminated() {
            "terminated"
        } else {
            match status {
                KeyStoreStatus::Suspended => "suspended",
                KeyStoreStatus::InCreation => "being created",
                KeyStoreStatus::Expired => "expired",
                KeyStoreStatus::Ok => "in service",
            }
        };
        return Err(Refusal::KeyStoreUnavailable { keystore: keystore.name(), status });
    }
    allowed(client, header, keystore).await?;
    handle.touch(now);
    Ok(())
}

/// At most this many allowlist refusals a second are logged, so that a
/// refused client's flood cannot fill the log (they are all counted).
static REFUSAL_LOG: allowlist::LogLimiter = allowlist::LogLimiter::new(10);

/// The key store's IP and MAC methods, and the Network Identifier of a
/// Device credential where the request carries one. A store that checks
/// neither, asked without a Device credential, costs one atomic load.
async fn allowed(client: &ClientIdentity, header: &RequestHeader, keystore: &KeyStoreHandle) -> Result<(), Refusal> {
    let access = keystore.access();
    let network_identifier = device_network_identifier(header);
    if !access.restricts() && network_identifier.is_none() {
        return Ok(());
    }
    let policy = access.policy();
    let mac = if policy.needs_mac() || network_identifier.is_some() {
        neighbours::PeerMacs::global().get(client.peer, policy.generation).await
    } else {
        None
    };
    let verdict = policy.check(client.peer.ip(), mac).and_then(|()| policy.check_device(network_identifier, mac));
    let Err(why) = verdict else { return Ok(()) };
    access.refusals.count(&why);
    let name = keystore.name();
    if let Some(held_back) = REFUSAL_LOG.allow() {
        tracing::warn!(
            peer = %client.peer,
            credential = %client.credential,
            keystore = %name,
            failed = ?why.failed,
            refusals_not_logged = held_back,
            "KMIP request refused by the key store's allowlist"
        );
    }
    Err(Refusal::NotAllowed {
        address: allowlist::canonical(client.peer.ip()).to_string(),
        keystore: name,
        failed: why.failed,
    })
}

/// The Network Identifier of the first Device credential in the request
/// header's Authentication, if any.
fn device_network_identifier(header: &RequestHeader) -> Option<&str> {
    header.authentication.as_ref()?.credentials.iter().find_map(|c| match c {
        Credential::Device(d) => d.network_identifier.as_deref(),
        _ => None,
    })
}
