//! Key stores: the tenants (SPEC §1), their client credentials and their
//! access rules, kept in the store's redb file as records beside the objects.
//!
//! - A [`KeyStore`] has its own CA (ECDSA P-256, its private key sealed
//!   under the master key); the first-start `default` store uses the data
//!   directory's CA and its first credential `default` (see [`Registry::open`]).
//! - A [`Credential`] is a client certificate the store trusts: issued by its
//!   CA, signed from a CSR, or an external certificate pinned by fingerprint.
//! - The [`Registry`] holds every key store and credential in memory as
//!   handles with atomics ([`KeyStoreHandle`], [`CredentialHandle`]), so the
//!   KMIP path learns of a revocation or a suspension on its next request
//!   without reading the store; admin methods are async and durable before
//!   they return (one [`Store::commit`] each).
//!
//! Records (table, key -> JSON value): `keystores` (id -> [`KeyStore`] and its
//! sealed CA key), `credentials` (id -> [`Credential`] and its certificate),
//! `registry` (`"bootstrapped"`: the default store was made once).

mod credentials;
mod registry;

pub use credentials::{CredentialBundle, IssueRequest};
pub use registry::{Registry, RegistryOptions, TerminateReport, TrustSnapshot, DEFAULT_CREDENTIAL_ID};

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, Ordering};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::store::StoreError;

/// The id of the key store made at first start. Objects created before key
/// stores existed were filed under this value, so it is kept as the id.
pub const DEFAULT_KEYSTORE_ID: &str = "default";

/// Where a key store is in its life (SPEC §1). A terminated store is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KeyStoreStatus {
    /// Being made (its CA); refuses every request.
    InCreation,
    /// In service.
    Ok,
    /// Every request refused until it is resumed.
    Suspended,
    /// Out of service because its term ended; refuses every request.
    Expired,
}

impl KeyStoreStatus {
    fn to_u8(self) -> u8 {
        match self {
            KeyStoreStatus::InCreation => 0,
            KeyStoreStatus::Ok => 1,
            KeyStoreStatus::Suspended => 2,
            KeyStoreStatus::Expired => 3,
        }
    }

    fn from_u8(v: u8) -> KeyStoreStatus {
        match v {
            1 => KeyStoreStatus::Ok,
            2 => KeyStoreStatus::Suspended,
            3 => KeyStoreStatus::Expired,
            _ => KeyStoreStatus::InCreation,
        }
    }

    /// The wire name (`IN_CREATION`, `OK`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStoreStatus::InCreation => "IN_CREATION",
            KeyStoreStatus::Ok => "OK",
            KeyStoreStatus::Suspended => "SUSPENDED",
            KeyStoreStatus::Expired => "EXPIRED",
        }
    }
}

/// How a key store combines its enabled authentication methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    /// Every enabled method must pass (the default).
    #[default]
    And,
    /// Any one enabled method suffices.
    Or,
}

/// Which authentication methods a key store enables, and how they combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuthPolicy {
    /// The client certificate must be one of the store's credentials.
    pub certificate: bool,
    /// The peer address must match an IP/CIDR entry of the allowlist.
    pub ip: bool,
    /// The peer's MAC (and a Device credential's Network Identifier) must match a MAC entry.
    pub mac: bool,
    /// AND or OR.
    pub combine: Combine,
}

impl Default for AuthPolicy {
    /// Certificate only, AND.
    fn default() -> AuthPolicy {
        AuthPolicy { certificate: true, ip: false, mac: false, combine: Combine::And }
    }
}

/// What an allowlist entry matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllowRule {
    /// An IPv4 or IPv6 address (a /32 or /128) or CIDR range.
    Ip(ipnet::IpNet),
    /// A MAC address.
    Mac([u8; 6]),
}

/// One allowlist entry of a key store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowEntry {
    /// Unique (UUID).
    pub id: String,
    /// What it matches.
    pub rule: AllowRule,
    /// The operator's note.
    pub description: String,
    /// When it was added (Unix seconds).
    pub created: i64,
}

/// A key store, as the admin API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStore {
    /// Unique and immutable (a UUID; `default` for the first-start store).
    /// Every object of the store carries it.
    pub id: String,
    /// Unique display name; renamable.
    pub name: String,
    /// The operator's note.
    pub description: String,
    /// A region label from the configured list.
    pub region: String,
    /// Where it is in its life.
    pub status: KeyStoreStatus,
    /// When it was made (Unix seconds).
    pub created: i64,
    /// The authentication methods it enables.
    pub auth: AuthPolicy,
    /// Its allowlist (IP/CIDR and MAC entries).
    pub allowlist: Vec<AllowEntry>,
    /// Its CA certificate (PEM), which issued its credentials.
    pub ca_pem: String,
}

/// How a credential's certificate came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialOrigin {
    /// Key and certificate made by the store's CA.
    Issued,
    /// An external certificate, trusted by its fingerprint.
    Registered,
    /// The client's key, certificate signed by the store's CA from its CSR.
    Csr,
}

/// Whether a credential may still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialStatus {
    /// Usable.
    Active,
    /// Refused on every request; irreversible.
    Revoked,
}

/// A client credential (certificate) of a key store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// Unique (UUID; `default` for the first-start credential).
    pub id: String,
    /// The key store's id.
    pub keystore: String,
    /// Unique within its key store.
    pub name: String,
    /// The operator's note.
    pub description: String,
    /// Issued, registered or signed from a CSR.
    pub origin: CredentialOrigin,
    /// SHA-256 of the certificate's DER, lowercase hex.
    pub fingerprint: String,
    /// The certificate's serial number, hex.
    pub serial: String,
    /// The certificate's subject, one line.
    pub subject: String,
    /// Valid from (Unix seconds).
    pub not_before: i64,
    /// Valid until (Unix seconds).
    pub not_after: i64,
    /// Active or revoked.
    pub status: CredentialStatus,
    /// When it was revoked (Unix seconds).
    pub revoked_at: Option<i64>,
    /// When it was last used for a KMIP request (Unix seconds; to the
    /// minute at worst, since it is written in the background).
    pub last_used: Option<i64>,
    /// The certificate, PEM (public).
    pub certificate_pem: String,
}

/// Why a registry call failed. No text ever holds key bytes or a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// No key store with this id (or name).
    KeyStoreNotFound {
        /// What was asked for.
        id: String,
    },
    /// No credential with this id in the key store.
    CredentialNotFound {
        /// What was asked for.
        id: String,
    },
    /// No allowlist entry with this id in the key store.
    AllowEntryNotFound {
        /// What was asked for.
        id: String,
    },
    /// The name is taken (key store names are unique; credential names are
    /// unique within their store).
    NameTaken {
        /// The name.
        name: String,
    },
    /// The same certificate is already a credential.
    CertificateTaken {
        /// Its SHA-256 fingerprint.
        fingerprint: String,
    },
    /// The region is not in the configured list.
    UnknownRegion {
        /// What was asked for.
        region: String,
    },
    /// The key store's status does not allow this.
    WrongStatus {
        /// The key store's name.
        name: String,
        /// Its status.
        status: KeyStoreStatus,
        /// What was refused ("resume", ...).
        action: &'static str,
    },
    /// Terminate's confirmation is not the key store's name.
    ConfirmationMismatch {
        /// The key store's name, which the confirmation must equal.
        name: String,
    },
    /// The caller's input is not acceptable (a name, a PEM, a CSR, a validity).
    Invalid(String),
    /// A certificate could not be made or read on our side (internal).
    Pki(String),
    /// The store failed.
    Store(StoreError),
    /// The registry is not available (not opened, or closed).
    Unavailable(&'static str),
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::KeyStoreNotFound { id } => write!(f, "no key store {id}"),
            RegistryError::CredentialNotFound { id } => write!(f, "no credential {id}"),
            RegistryError::AllowEntryNotFound { id } => write!(f, "no allowlist entry {id}"),
            RegistryError::NameTaken { name } => write!(f, "the name {name:?} is already used"),
            RegistryError::CertificateTaken { fingerprint } => {
                write!(f, "the certificate with SHA-256 fingerprint {fingerprint} is already a credential")
            }
            RegistryError::UnknownRegion { region } => write!(f, "{region:?} is not a configured region"),
            RegistryError::WrongStatus { name, status, action } => {
                write!(f, "key store {name} is {} and cannot {action}", status.as_str())
            }
            RegistryError::ConfirmationMismatch { name } => {
                write!(f, "to terminate key store {name}, confirm with its name")
            }
            RegistryError::Invalid(why) => write!(f, "invalid request: {why}"),
            RegistryError::Pki(why) => write!(f, "certificate operation failed: {why}"),
            RegistryError::Store(e) => write!(f, "store: {e}"),
            RegistryError::Unavailable(why) => write!(f, "key store registry unavailable: {why}"),
        }
    }
}

impl std::error::Error for RegistryError {}

impl From<StoreError> for RegistryError {
    fn from(e: StoreError) -> RegistryError {
        RegistryError::Store(e)
    }
}

impl From<crate::pki::PkiError> for RegistryError {
    fn from(e: crate::pki::PkiError) -> RegistryError {
        match e {
            crate::pki::PkiError::BadName(name) => {
                RegistryError::Invalid(format!("{name:?} cannot be used in a certificate name"))
            }
            crate::pki::PkiError::BadRequest(why) => RegistryError::Invalid(why.to_owned()),
            other => RegistryError::Pki(other.to_string()),
        }
    }
}

/// A key store as the KMIP path sees it: the status as an atomic, the rest
/// behind a lock that only admin calls write and only refusals read.
pub struct KeyStoreHandle {
    id: String,
    status: AtomicU8,
    /// Set once it is terminated: its clients are refused like a suspended store's.
    gone: AtomicBool,
    state: RwLock<Arc<KeyStore>>,
}

impl fmt::Debug for KeyStoreHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStoreHandle").field("id", &self.id).field("status", &self.status()).finish()
    }
}

impl KeyStoreHandle {
    fn new(keystore: KeyStore) -> KeyStoreHandle {
        KeyStoreHandle {
            id: keystore.id.clone(),
            status: AtomicU8::new(keystore.status.to_u8()),
            gone: AtomicBool::new(false),
            state: RwLock::new(Arc::new(keystore)),
        }
    }

    /// The key store's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its status now (one atomic load).
    pub fn status(&self) -> KeyStoreStatus {
        KeyStoreStatus::from_u8(self.status.load(Ordering::Acquire))
    }

    /// Whether it was terminated (its handle outlives it in open connections).
    pub fn is_terminated(&self) -> bool {
        self.gone.load(Ordering::Acquire)
    }

    /// The whole key store as last written (an `Arc` clone under a read lock).
    pub fn snapshot(&self) -> Arc<KeyStore> {
        Arc::clone(&read(&self.state))
    }

    /// Its current name (for refusal messages).
    pub fn name(&self) -> String {
        read(&self.state).name.clone()
    }

    fn replace(&self, keystore: KeyStore) {
        self.status.store(keystore.status.to_u8(), Ordering::Release);
        *write(&self.state) = Arc::new(keystore);
    }
}

/// A credential as the KMIP path sees it: revoked and last-used as atomics,
/// and its key store's handle.
pub struct CredentialHandle {
    id: String,
    name: RwLock<String>,
    keystore: Arc<KeyStoreHandle>,
    revoked: AtomicBool,
    /// Unix seconds of the last request; 0: never.
    last_used: AtomicI64,
    /// The value of `last_used` last written to the store.
    last_flushed: AtomicI64,
    /// Known to the registry (false: a certificate of a store's CA that no
    /// credential record names, accepted as that store's anonymous client).
    registered: bool,
}

impl fmt::Debug for CredentialHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialHandle")
            .field("id", &self.id)
            .field("keystore", &self.keystore.id)
            .field("revoked", &self.is_revoked())
            .finish()
    }
}

impl CredentialHandle {
    /// The credential's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its name now.
    pub fn name(&self) -> String {
        read(&self.name).clone()
    }

    /// Its key store.
    pub fn keystore(&self) -> &Arc<KeyStoreHandle> {
        &self.keystore
    }

    /// Whether it was revoked (one atomic load).
    pub fn is_revoked(&self) -> bool {
        self.revoked.load(Ordering::Acquire)
    }

    /// Whether a credential record stands behind it.
    pub fn is_registered(&self) -> bool {
        self.registered
    }

    /// Records a use at `now` (Unix seconds): one relaxed load, and a store
    /// only when the second changed. Written to disk in the background.
    pub fn touch(&self, now: i64) {
        if self.last_used.load(Ordering::Relaxed) < now {
            self.last_used.store(now, Ordering::Relaxed);
        }
    }

    /// The last use (Unix seconds), if any.
    pub fn last_used(&self) -> Option<i64> {
        Some(self.last_used.load(Ordering::Relaxed)).filter(|t| *t > 0)
    }
}

// Poisoning only means another thread panicked while holding the lock; the
// values (whole snapshots, swapped at once) stay valid.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}
fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests;
