//! The [`Registry`]: every key store and credential, in memory as handles,
//! persisted as store records.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use super::{
    AllowEntry, AllowRule, AuthPolicy, Credential, CredentialBundle, CredentialHandle, IssueRequest, KeyStore,
    KeyStoreHandle, RegistryError,
};
use crate::store::Store;

/// What [`Registry::open`] needs besides the store.
#[derive(Clone, Debug)]
pub struct RegistryOptions {
    /// The regions a key store may be created in (config `regions`).
    pub regions: Vec<String>,
    /// The CA certificate (PEM) that signed the KMIP server's certificate:
    /// every bundle's `ca.pem` holds it, so clients can verify the server.
    pub server_ca_pem: Vec<u8>,
    /// The data directory's CA (certificate PEM, key PEM): the `default`
    /// store's CA, made at first start.
    pub default_ca: Option<(Vec<u8>, zeroize::Zeroizing<Vec<u8>>)>,
    /// The first credential's certificate (PEM), registered once as the
    /// `default` store's credential `default`.
    pub default_client_pem: Option<Vec<u8>>,
    /// The KMIP address `pykmip.conf` files point at.
    pub kmip_addr: SocketAddr,
}

/// What terminate destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminateReport {
    /// Managed objects destroyed.
    pub objects: usize,
    /// Credentials deleted.
    pub credentials: usize,
}

/// The certificates the KMIP port trusts now: every key store's CA, and the
/// registered external certificates by fingerprint.
#[derive(Debug, Default)]
pub struct TrustSnapshot {
    /// Each live key store's CA certificate, DER.
    pub roots: Vec<Vec<u8>>,
    /// SHA-256 fingerprints of registered (external) certificates, with their validity (Unix seconds).
    pub pinned: HashMap<[u8; 32], (i64, i64)>,
}

/// The key store registry; clones share it.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    options: RegistryOptions,
    trust: RwLock<Arc<TrustSnapshot>>,
}

impl Registry {
    /// Loads every key store and credential from `store`; on the first
    /// start, makes the `default` store (the data directory's CA) and its
    /// credential `default`, once.
    pub async fn open(store: Store, options: RegistryOptions) -> Result<Registry, RegistryError> {
        let _ = (&store, &options);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// The store the registry writes to.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The configured regions.
    pub fn regions(&self) -> &[String] {
        &self.inner.options.regions
    }

    /// Every key store, by creation time.
    pub fn keystores(&self) -> Vec<KeyStore> {
        Vec::new()
    }

    /// One key store by id.
    pub fn keystore(&self, id: &str) -> Result<KeyStore, RegistryError> {
        Err(RegistryError::KeyStoreNotFound { id: id.to_owned() })
    }

    /// One key store by name.
    pub fn keystore_by_name(&self, name: &str) -> Result<KeyStore, RegistryError> {
        Err(RegistryError::KeyStoreNotFound { id: name.to_owned() })
    }

    /// The KMIP path's handle on a key store.
    pub fn keystore_handle(&self, id: &str) -> Option<Arc<KeyStoreHandle>> {
        let _ = id;
        None
    }

    /// Makes a key store: recorded `IN_CREATION`, then `OK` once its CA is made and stored.
    pub async fn create_keystore(
        &self,
        name: &str,
        description: &str,
        region: &str,
    ) -> Result<KeyStore, RegistryError> {
        let _ = (name, description, region);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Renames a key store (names are unique).
    pub async fn rename_keystore(&self, id: &str, name: &str) -> Result<KeyStore, RegistryError> {
        let _ = (id, name);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Changes a key store's description.
    pub async fn describe_keystore(&self, id: &str, description: &str) -> Result<KeyStore, RegistryError> {
        let _ = (id, description);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Suspends a key store: its clients are refused from their next request.
    pub async fn suspend_keystore(&self, id: &str) -> Result<KeyStore, RegistryError> {
        let _ = id;
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Resumes a suspended key store.
    pub async fn resume_keystore(&self, id: &str) -> Result<KeyStore, RegistryError> {
        let _ = id;
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Terminates a key store: every object and credential of it destroyed,
    /// and the store deleted, in one durable commit. `confirmation` must equal its name.
    pub async fn terminate_keystore(&self, id: &str, confirmation: &str) -> Result<TerminateReport, RegistryError> {
        let _ = (id, confirmation);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Sets which authentication methods a key store enables.
    pub async fn set_auth_policy(&self, id: &str, auth: AuthPolicy) -> Result<KeyStore, RegistryError> {
        let _ = (id, auth);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Adds an allowlist entry.
    pub async fn add_allow_entry(
        &self,
        keystore: &str,
        rule: AllowRule,
        description: &str,
    ) -> Result<AllowEntry, RegistryError> {
        let _ = (keystore, rule, description);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Removes an allowlist entry.
    pub async fn remove_allow_entry(&self, keystore: &str, entry: &str) -> Result<(), RegistryError> {
        let _ = (keystore, entry);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// A key store's allowlist.
    pub fn allow_entries(&self, keystore: &str) -> Result<Vec<AllowEntry>, RegistryError> {
        Ok(self.keystore(keystore)?.allowlist)
    }

    /// A key store's CA certificate, PEM ("Download CA").
    pub fn ca_pem(&self, keystore: &str) -> Result<String, RegistryError> {
        Ok(self.keystore(keystore)?.ca_pem)
    }

    /// A key store's credentials, by creation time.
    pub fn credentials(&self, keystore: &str) -> Result<Vec<Credential>, RegistryError> {
        Err(RegistryError::KeyStoreNotFound { id: keystore.to_owned() })
    }

    /// One credential of a key store.
    pub fn credential(&self, keystore: &str, id: &str) -> Result<Credential, RegistryError> {
        let _ = keystore;
        Err(RegistryError::CredentialNotFound { id: id.to_owned() })
    }

    /// Issues a credential: a new key and certificate from the store's CA.
    pub async fn issue_credential(
        &self,
        keystore: &str,
        request: IssueRequest,
    ) -> Result<CredentialBundle, RegistryError> {
        let _ = (keystore, request);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Registers an external certificate (PEM) as a credential, trusted by its fingerprint.
    pub async fn register_credential(
        &self,
        keystore: &str,
        name: &str,
        description: &str,
        cert_pem: &[u8],
    ) -> Result<Credential, RegistryError> {
        let _ = (keystore, name, description, cert_pem);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Signs a CSR (PEM) with the store's CA; the credential's certificate is in the answer.
    pub async fn sign_csr(
        &self,
        keystore: &str,
        name: &str,
        description: &str,
        validity_days: u32,
        csr_pem: &[u8],
    ) -> Result<Credential, RegistryError> {
        let _ = (keystore, name, description, validity_days, csr_pem);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// Revokes a credential: its open connections are refused from their next request.
    pub async fn revoke_credential(&self, keystore: &str, id: &str) -> Result<Credential, RegistryError> {
        let _ = (keystore, id);
        Err(RegistryError::Unavailable("not implemented yet"))
    }

    /// The credential a verified client certificate (DER) is, by its
    /// SHA-256 fingerprint; or, for a certificate of a key store's CA that no
    /// credential records, an unregistered handle of that store.
    pub fn identify(&self, cert_der: &[u8]) -> Option<Arc<CredentialHandle>> {
        let _ = cert_der;
        None
    }

    /// What the KMIP port trusts now (read on every full handshake).
    pub fn trust(&self) -> Arc<TrustSnapshot> {
        Arc::clone(&super::read(&self.inner.trust))
    }

    /// Writes changed "last used" times to the store.
    pub async fn flush_last_used(&self) -> Result<(), RegistryError> {
        Ok(())
    }
}
