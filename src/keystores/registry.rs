//! The [`Registry`]: every key store and credential, in memory as handles,
//! persisted as store records; the key store lifecycle and identification.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{
    read, write, AllowEntry, AllowRule, AuthPolicy, Credential, CredentialHandle, CredentialStatus, KeyStore,
    KeyStoreHandle, KeyStoreStatus, RegistryError, DEFAULT_KEYSTORE_ID,
};
use crate::pki::Ca;
use crate::store::{Change, Store, StoreError};

/// Record kinds (see [`Change::Record`]).
pub(super) const KEYSTORES: &str = "keystores";
pub(super) const CREDENTIALS: &str = "credentials";
const REGISTRY: &str = "registry";
const BOOTSTRAPPED: &str = "bootstrapped";

/// The id of the first-start credential.
pub const DEFAULT_CREDENTIAL_ID: &str = "default";

/// How long a new key store's CA is valid.
const CA_DAYS: u32 = 3650;
/// How often "last used" times are written back.
const LAST_USED_FLUSH: Duration = Duration::from_secs(30);
/// Longest name or region label (the X.520 bound, since names go into certificates).
const MAX_NAME: usize = 64;
/// Longest description.
const MAX_DESCRIPTION: usize = 1024;
/// Terminate retries when objects change under it.
const TERMINATE_ATTEMPTS: usize = 5;

/// What [`Registry::open`] needs besides the store.
#[derive(Clone)]
pub struct RegistryOptions {
    /// The regions a key store may be created in (config `regions`).
    pub regions: Vec<String>,
    /// The CA certificate (PEM) that signed the KMIP server's certificate:
    /// every bundle's `ca.pem` holds it, so clients can verify the server.
    pub server_ca_pem: Vec<u8>,
    /// The data directory's CA (certificate PEM, key PEM): the `default`
    /// store's CA. Its key stays in the data directory, not in the store.
    pub default_ca: Option<(Vec<u8>, Zeroizing<Vec<u8>>)>,
    /// The first credential's certificate (PEM), registered once as the
    /// `default` store's credential `default`.
    pub default_client_pem: Option<Vec<u8>>,
    /// The KMIP address `pykmip.conf` files point at.
    pub kmip_addr: SocketAddr,
}

impl std::fmt::Debug for RegistryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryOptions")
            .field("regions", &self.regions)
            .field("kmip_addr", &self.kmip_addr)
            .finish_non_exhaustive()
    }
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
/// registered external certificates by fingerprint. Replaced whole on each
/// change, so a handshake reads one consistent set.
#[derive(Debug, Default)]
pub struct TrustSnapshot {
    /// Each live key store's CA certificate, DER.
    pub roots: Vec<Vec<u8>>,
    /// SHA-256 fingerprints of registered (external) certificates, with their validity (Unix seconds).
    pub pinned: HashMap<[u8; 32], (i64, i64)>,
}

/// A key store as stored: the public part and its CA's sealed private key
/// (None for the `default` store, whose CA key is the data directory's).
#[derive(Serialize, Deserialize)]
struct KeyStoreRecord {
    keystore: KeyStore,
    ca_key_sealed: Option<String>,
}

/// The key store registry; clones share it.
#[derive(Clone)]
pub struct Registry {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Store,
    pub(super) options: RegistryOptions,
    pub(super) state: RwLock<State>,
    trust: RwLock<Arc<TrustSnapshot>>,
    /// Serializes admin changes: each checks the state, commits, then updates it.
    pub(super) admin: tokio::sync::Mutex<()>,
    flusher: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(f) = self.flusher.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
            f.abort();
        }
    }
}

/// A key store in memory.
pub(super) struct StoreEntry {
    pub(super) handle: Arc<KeyStoreHandle>,
    /// Its CA, when its private key is available (to issue and sign).
    pub(super) ca: Option<Arc<Ca>>,
    ca_key_sealed: Option<String>,
}

/// A credential in memory: the record (its `last_used` refreshed from the handle when read).
pub(super) struct CredentialEntry {
    pub(super) handle: Arc<CredentialHandle>,
    pub(super) record: Credential,
    pub(super) sha256: [u8; 32],
}

#[derive(Default)]
pub(super) struct State {
    pub(super) keystores: HashMap<String, StoreEntry>,
    pub(super) credentials: HashMap<String, CredentialEntry>,
    pub(super) by_fingerprint: HashMap<[u8; 32], Arc<CredentialHandle>>,
}

impl State {
    pub(super) fn entry(&self, id: &str) -> Result<&StoreEntry, RegistryError> {
        self.keystores.get(id).ok_or_else(|| RegistryError::KeyStoreNotFound { id: id.to_owned() })
    }

    fn name_taken(&self, name: &str, except: Option<&str>) -> bool {
        self.keystores.values().any(|e| Some(e.handle.id()) != except && e.handle.snapshot().name == name)
    }

    pub(super) fn credential_name_taken(&self, keystore: &str, name: &str) -> bool {
        self.credentials.values().any(|c| c.record.keystore == keystore && c.record.name == name)
    }
}

pub(super) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A name or label: 1 to 64 characters, no control characters, no surrounding blanks.
pub(super) fn check_name(what: &str, name: &str) -> Result<(), RegistryError> {
    if name.is_empty() || name.chars().count() > MAX_NAME || name.trim() != name || name.chars().any(char::is_control) {
        return Err(RegistryError::Invalid(format!(
            "a {what} is 1 to {MAX_NAME} characters, without control characters or surrounding blanks"
        )));
    }
    Ok(())
}

pub(super) fn check_description(description: &str) -> Result<(), RegistryError> {
    if description.chars().count() > MAX_DESCRIPTION || description.chars().any(|c| c.is_control() && c != '\n') {
        return Err(RegistryError::Invalid(format!(
            "a description is at most {MAX_DESCRIPTION} characters, without control characters"
        )));
    }
    Ok(())
}

fn corrupt(kind: &str, key: &str, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Store(StoreError::Corrupt { id: format!("{kind}/{key}"), reason: e.to_string() })
}

fn ca_aad(id: &str) -> Vec<u8> {
    format!("keystore-ca:{id}").into_bytes()
}

pub(super) fn credential_change(c: &Credential) -> Result<Change, RegistryError> {
    let value = serde_json::to_vec(c).map_err(|e| RegistryError::Pki(e.to_string()))?;
    Ok(Change::Record { table: CREDENTIALS.to_owned(), key: c.id.clone(), value: Some(value) })
}

fn keystore_change(keystore: &KeyStore, ca_key_sealed: Option<&String>) -> Result<Change, RegistryError> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        keystore: &'a KeyStore,
        ca_key_sealed: Option<&'a String>,
    }
    let value =
        serde_json::to_vec(&Borrowed { keystore, ca_key_sealed }).map_err(|e| RegistryError::Pki(e.to_string()))?;
    Ok(Change::Record { table: KEYSTORES.to_owned(), key: keystore.id.clone(), value: Some(value) })
}

pub(super) fn new_credential_handle(record: &Credential, keystore: &Arc<KeyStoreHandle>) -> Arc<CredentialHandle> {
    let last = record.last_used.unwrap_or(0);
    Arc::new(CredentialHandle {
        id: record.id.clone(),
        name: RwLock::new(record.name.clone()),
        keystore: Arc::clone(keystore),
        revoked: AtomicBool::new(record.status == CredentialStatus::Revoked),
        last_used: AtomicI64::new(last),
        last_flushed: AtomicI64::new(last),
        registered: true,
    })
}

impl Registry {
    /// Loads every key store and credential from `store`; on the first
    /// start, makes the `default` store (the data directory's CA, id
    /// `default`) and its credential `default`, once: a later start, or a
    /// terminated `default` store, does not bring them back.
    /// Needs a tokio runtime when one is there, to write "last used" times in the background.
    pub async fn open(store: Store, options: RegistryOptions) -> Result<Registry, RegistryError> {
        if options.regions.is_empty() {
            return Err(RegistryError::Invalid("at least one region must be configured".to_owned()));
        }
        let default_ca = match &options.default_ca {
            Some((cert, key)) => Some(Arc::new(Ca::from_pem(cert, key)?)),
            None => None,
        };
        let registry = Registry {
            inner: Arc::new(Inner {
                store,
                options,
                state: RwLock::new(State::default()),
                trust: RwLock::new(Arc::new(TrustSnapshot::default())),
                admin: tokio::sync::Mutex::new(()),
                flusher: std::sync::Mutex::new(None),
            }),
        };
        registry.load(default_ca.as_ref()).await?;
        registry.bootstrap(default_ca).await?;
        registry.rebuild_trust();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let weak = Arc::downgrade(&registry.inner);
            let task = runtime.spawn(flush_every(weak, LAST_USED_FLUSH));
            *registry.inner.flusher.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(task);
        }
        Ok(registry)
    }

    async fn load(&self, default_ca: Option<&Arc<Ca>>) -> Result<(), RegistryError> {
        let store = &self.inner.store;
        let mut state = State::default();
        for (key, bytes) in store.records(KEYSTORES).await? {
            let record: KeyStoreRecord = serde_json::from_slice(&bytes).map_err(|e| corrupt(KEYSTORES, &key, e))?;
            let ca = match &record.ca_key_sealed {
                Some(sealed) => {
                    let sealed = hex::decode(sealed).map_err(|e| corrupt(KEYSTORES, &key, e))?;
                    let key_pem = store.open_secret(&ca_aad(&key), &sealed)?;
                    Some(Arc::new(Ca::from_pem(record.keystore.ca_pem.as_bytes(), &key_pem)?))
                }
                // The data directory's CA, if it is still the one this store recorded.
                None => default_ca
                    .filter(|ca| ca.cert_pem().is_ok_and(|pem| pem == record.keystore.ca_pem.as_bytes()))
                    .cloned(),
            };
            let handle = Arc::new(KeyStoreHandle::new(record.keystore));
            state.keystores.insert(key, StoreEntry { handle, ca, ca_key_sealed: record.ca_key_sealed });
        }
        for (key, bytes) in store.records(CREDENTIALS).await? {
            let record: Credential = serde_json::from_slice(&bytes).map_err(|e| corrupt(CREDENTIALS, &key, e))?;
            let Some(ks) = state.keystores.get(&record.keystore) else {
                // Its key store is gone (terminate deletes both at once, so this is not expected).
                tracing::warn!(credential = %record.id, keystore = %record.keystore, "credential of no key store ignored");
                continue;
            };
            let sha256 =
                parse_fingerprint(&record.fingerprint).ok_or_else(|| corrupt(CREDENTIALS, &key, "fingerprint"))?;
            let handle = new_credential_handle(&record, &ks.handle);
            state.by_fingerprint.insert(sha256, Arc::clone(&handle));
            state.credentials.insert(key, CredentialEntry { handle, record, sha256 });
        }
        *write(&self.inner.state) = state;
        Ok(())
    }

    async fn bootstrap(&self, default_ca: Option<Arc<Ca>>) -> Result<(), RegistryError> {
        let _admin = self.inner.admin.lock().await;
        let done = self.inner.store.records(REGISTRY).await?.iter().any(|(k, _)| k == BOOTSTRAPPED);
        let Some(ca) = default_ca.filter(|_| !done) else { return Ok(()) };
        let mut changes = Vec::new();
        let exists = read(&self.inner.state).keystores.contains_key(DEFAULT_KEYSTORE_ID);
        if !exists {
            let name_free = !read(&self.inner.state).name_taken(DEFAULT_KEYSTORE_ID, None);
            let keystore = KeyStore {
                id: DEFAULT_KEYSTORE_ID.to_owned(),
                name: if name_free { DEFAULT_KEYSTORE_ID.to_owned() } else { format!("default-{}", now()) },
                description: "made at first start".to_owned(),
                region: self.inner.options.regions.first().cloned().unwrap_or_default(),
                status: KeyStoreStatus::Ok,
                created: now(),
                auth: AuthPolicy::default(),
                allowlist: Vec::new(),
                ca_pem: String::from_utf8_lossy(&ca.cert_pem()?).into_owned(),
            };
            changes.push(keystore_change(&keystore, None)?);
            let handle = Arc::new(KeyStoreHandle::new(keystore));
            write(&self.inner.state).keystores.insert(
                DEFAULT_KEYSTORE_ID.to_owned(),
                StoreEntry { handle, ca: Some(Arc::clone(&ca)), ca_key_sealed: None },
            );
        }
        let mut new_credential = None;
        if let Some(pem) = &self.inner.options.default_client_pem {
            let info = crate::pki::cert_info(pem)?;
            let state = read(&self.inner.state);
            let known = state.by_fingerprint.contains_key(&info.sha256);
            if let (false, Ok(entry)) = (known, state.entry(DEFAULT_KEYSTORE_ID)) {
                let record = Credential {
                    id: DEFAULT_CREDENTIAL_ID.to_owned(),
                    keystore: DEFAULT_KEYSTORE_ID.to_owned(),
                    name: crate::datadir::DEFAULT_CREDENTIAL.to_owned(),
                    description: "made at first start (DATA/clients/default)".to_owned(),
                    origin: super::CredentialOrigin::Issued,
                    fingerprint: hex::encode(info.sha256),
                    serial: info.serial,
                    subject: info.subject,
                    not_before: info.not_before,
                    not_after: info.not_after,
                    status: CredentialStatus::Active,
                    revoked_at: None,
                    last_used: None,
                    certificate_pem: String::from_utf8_lossy(&info.pem).into_owned(),
                };
                changes.push(credential_change(&record)?);
                let handle = new_credential_handle(&record, &entry.handle);
                new_credential = Some(CredentialEntry { handle, record, sha256: info.sha256 });
            }
        }
        changes.push(Change::Record {
            table: REGISTRY.to_owned(),
            key: BOOTSTRAPPED.to_owned(),
            value: Some(b"1".to_vec()),
        });
        if let Err(e) = self.inner.store.commit(changes).await {
            // Not recorded: forget what was added to memory, so nothing is half there.
            if !exists {
                write(&self.inner.state).keystores.remove(DEFAULT_KEYSTORE_ID);
            }
            return Err(e.into());
        }
        if let Some(entry) = new_credential {
            let mut state = write(&self.inner.state);
            state.by_fingerprint.insert(entry.sha256, Arc::clone(&entry.handle));
            state.credentials.insert(entry.record.id.clone(), entry);
        }
        Ok(())
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
        let mut all: Vec<KeyStore> =
            read(&self.inner.state).keystores.values().map(|e| (*e.handle.snapshot()).clone()).collect();
        all.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        all
    }

    /// One key store by id.
    pub fn keystore(&self, id: &str) -> Result<KeyStore, RegistryError> {
        Ok((*read(&self.inner.state).entry(id)?.handle.snapshot()).clone())
    }

    /// One key store by name.
    pub fn keystore_by_name(&self, name: &str) -> Result<KeyStore, RegistryError> {
        read(&self.inner.state)
            .keystores
            .values()
            .map(|e| e.handle.snapshot())
            .find(|k| k.name == name)
            .map(|k| (*k).clone())
            .ok_or_else(|| RegistryError::KeyStoreNotFound { id: name.to_owned() })
    }

    /// The KMIP path's handle on a key store.
    pub fn keystore_handle(&self, id: &str) -> Option<Arc<KeyStoreHandle>> {
        read(&self.inner.state).keystores.get(id).map(|e| Arc::clone(&e.handle))
    }

    /// Makes a key store: recorded `IN_CREATION`, then `OK` once its CA is
    /// made and stored. An empty `region` is the first configured one.
    pub async fn create_keystore(
        &self,
        name: &str,
        description: &str,
        region: &str,
    ) -> Result<KeyStore, RegistryError> {
        check_name("key store name", name)?;
        check_description(description)?;
        let regions = &self.inner.options.regions;
        let region = if region.is_empty() { regions.first().map(String::as_str).unwrap_or_default() } else { region };
        if !regions.iter().any(|r| r == region) {
            return Err(RegistryError::UnknownRegion { region: region.to_owned() });
        }
        let _admin = self.inner.admin.lock().await;
        if read(&self.inner.state).name_taken(name, None) {
            return Err(RegistryError::NameTaken { name: name.to_owned() });
        }
        let id = uuid::Uuid::new_v4().to_string();
        let mut keystore = KeyStore {
            id: id.clone(),
            name: name.to_owned(),
            description: description.to_owned(),
            region: region.to_owned(),
            status: KeyStoreStatus::InCreation,
            created: now(),
            auth: AuthPolicy::default(),
            allowlist: Vec::new(),
            ca_pem: String::new(),
        };
        self.inner.store.commit(vec![keystore_change(&keystore, None)?]).await?;
        let handle = Arc::new(KeyStoreHandle::new(keystore.clone()));
        write(&self.inner.state)
            .keystores
            .insert(id.clone(), StoreEntry { handle: Arc::clone(&handle), ca: None, ca_key_sealed: None });

        // The CA's subject names the store by id: names change, ids do not.
        let common_name = format!("coffer key store {id}");
        let ca = tokio::task::spawn_blocking(move || Ca::generate(&common_name, CA_DAYS))
            .await
            .map_err(|_| RegistryError::Pki("the CA generation task failed".to_owned()))??;
        let sealed = hex::encode(self.inner.store.seal_secret(&ca_aad(&id), &ca.key_pem()?)?);
        keystore.ca_pem = String::from_utf8_lossy(&ca.cert_pem()?).into_owned();
        keystore.status = KeyStoreStatus::Ok;
        // Left IN_CREATION (and listed so) if this fails: the operator can terminate it.
        self.inner.store.commit(vec![keystore_change(&keystore, Some(&sealed))?]).await?;
        handle.replace(keystore.clone());
        if let Some(e) = write(&self.inner.state).keystores.get_mut(&id) {
            e.ca = Some(Arc::new(ca));
            e.ca_key_sealed = Some(sealed);
        }
        self.rebuild_trust();
        tracing::info!(keystore = %id, name = %keystore.name, region = %keystore.region, "key store created");
        Ok(keystore)
    }

    /// Applies `change` to key store `id`'s record under the admin lock and writes it.
    async fn update(
        &self,
        id: &str,
        change: impl FnOnce(&State, &mut KeyStore) -> Result<(), RegistryError>,
    ) -> Result<KeyStore, RegistryError> {
        let _admin = self.inner.admin.lock().await;
        let (handle, keystore, sealed) = {
            let state = read(&self.inner.state);
            let entry = state.entry(id)?;
            let mut keystore = (*entry.handle.snapshot()).clone();
            change(&state, &mut keystore)?;
            (Arc::clone(&entry.handle), keystore, entry.ca_key_sealed.clone())
        };
        self.inner.store.commit(vec![keystore_change(&keystore, sealed.as_ref())?]).await?;
        handle.replace(keystore.clone());
        Ok(keystore)
    }

    /// Renames a key store (names are unique).
    pub async fn rename_keystore(&self, id: &str, name: &str) -> Result<KeyStore, RegistryError> {
        check_name("key store name", name)?;
        self.update(id, |state, k| {
            if state.name_taken(name, Some(id)) {
                return Err(RegistryError::NameTaken { name: name.to_owned() });
            }
            k.name = name.to_owned();
            Ok(())
        })
        .await
    }

    /// Changes a key store's description.
    pub async fn describe_keystore(&self, id: &str, description: &str) -> Result<KeyStore, RegistryError> {
        check_description(description)?;
        self.update(id, |_, k| {
            k.description = description.to_owned();
            Ok(())
        })
        .await
    }

    /// Suspends a key store (it must be `OK`): its clients are refused from
    /// their next request, open connections included.
    pub async fn suspend_keystore(&self, id: &str) -> Result<KeyStore, RegistryError> {
        self.set_status(id, KeyStoreStatus::Ok, KeyStoreStatus::Suspended, "be suspended").await
    }

    /// Resumes a suspended key store.
    pub async fn resume_keystore(&self, id: &str) -> Result<KeyStore, RegistryError> {
        self.set_status(id, KeyStoreStatus::Suspended, KeyStoreStatus::Ok, "be resumed").await
    }

    async fn set_status(
        &self,
        id: &str,
        from: KeyStoreStatus,
        to: KeyStoreStatus,
        action: &'static str,
    ) -> Result<KeyStore, RegistryError> {
        let keystore = self
            .update(id, |_, k| {
                if k.status == to {
                    return Ok(());
                }
                if k.status != from {
                    return Err(RegistryError::WrongStatus { name: k.name.clone(), status: k.status, action });
                }
                k.status = to;
                Ok(())
            })
            .await?;
        tracing::info!(keystore = %id, status = keystore.status.as_str(), "key store status changed");
        Ok(keystore)
    }

    /// Terminates a key store: every object and credential of it destroyed,
    /// and the key store deleted, in one durable commit. `confirmation` must
    /// equal its name. Its clients are refused from the moment it starts.
    pub async fn terminate_keystore(&self, id: &str, confirmation: &str) -> Result<TerminateReport, RegistryError> {
        let _admin = self.inner.admin.lock().await;
        let handle = {
            let state = read(&self.inner.state);
            let entry = state.entry(id)?;
            let name = entry.handle.name();
            if confirmation != name {
                return Err(RegistryError::ConfirmationMismatch { name });
            }
            Arc::clone(&entry.handle)
        };
        // Refuse the store's clients first, so that no request creates an
        // object after the listing below.
        handle.gone.store(true, Ordering::Release);
        let mut result = self.destroy_all(id).await;
        if let Ok(report) = &mut result {
            report.objects += self.sweep(id).await;
        }
        match &result {
            Ok(report) => {
                let mut state = write(&self.inner.state);
                state.keystores.remove(id);
                let gone: Vec<String> = state
                    .credentials
                    .values()
                    .filter(|c| c.record.keystore == id)
                    .map(|c| c.record.id.clone())
                    .collect();
                for c in gone {
                    if let Some(entry) = state.credentials.remove(&c) {
                        state.by_fingerprint.remove(&entry.sha256);
                    }
                }
                drop(state);
                self.rebuild_trust();
                tracing::info!(keystore = %id, objects = report.objects, credentials = report.credentials, "key store terminated");
            }
            Err(_) => handle.gone.store(false, Ordering::Release),
        }
        result
    }

    /// Deletes every object and credential of key store `id`, and the store's record, in one commit.
    async fn destroy_all(&self, id: &str) -> Result<TerminateReport, RegistryError> {
        let credentials: Vec<String> = read(&self.inner.state)
            .credentials
            .values()
            .filter(|c| c.record.keystore == id)
            .map(|c| c.record.id.clone())
            .collect();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let objects = self.inner.store.list(id).await?;
            let mut changes: Vec<Change> =
                objects.iter().map(|o| Change::Delete { id: o.id.clone(), expected_revision: o.revision }).collect();
            for c in &credentials {
                changes.push(Change::Record { table: CREDENTIALS.to_owned(), key: c.clone(), value: None });
            }
            changes.push(Change::Record { table: KEYSTORES.to_owned(), key: id.to_owned(), value: None });
            match self.inner.store.commit(changes).await {
                Ok(_) => return Ok(TerminateReport { objects: objects.len(), credentials: credentials.len() }),
                // A request admitted before the refusal changed an object meanwhile: list again.
                Err(StoreError::Conflict { .. }) if attempt < TERMINATE_ATTEMPTS => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Deletes objects of a terminated store written after its listing (by a
    /// request admitted just before the refusal began); best effort, logged.
    async fn sweep(&self, id: &str) -> usize {
        let left = match self.inner.store.list(id).await {
            Ok(left) => left,
            Err(e) => {
                tracing::warn!(keystore = %id, error = %e, "could not look for objects left by a terminated key store");
                return 0;
            }
        };
        if left.is_empty() {
            return 0;
        }
        let changes = left.iter().map(|o| Change::Delete { id: o.id.clone(), expected_revision: o.revision }).collect();
        match self.inner.store.commit(changes).await {
            Ok(_) => left.len(),
            Err(e) => {
                tracing::warn!(keystore = %id, objects = left.len(), error = %e, "objects left by a terminated key store");
                0
            }
        }
    }

    /// Sets which authentication methods a key store enables.
    pub async fn set_auth_policy(&self, id: &str, auth: AuthPolicy) -> Result<KeyStore, RegistryError> {
        if !(auth.certificate || auth.ip || auth.mac) {
            return Err(RegistryError::Invalid("at least one authentication method must be enabled".to_owned()));
        }
        self.update(id, |_, k| {
            k.auth = auth;
            Ok(())
        })
        .await
    }

    /// Adds an allowlist entry.
    pub async fn add_allow_entry(
        &self,
        keystore: &str,
        rule: AllowRule,
        description: &str,
    ) -> Result<AllowEntry, RegistryError> {
        check_description(description)?;
        let entry = AllowEntry {
            id: uuid::Uuid::new_v4().to_string(),
            rule,
            description: description.to_owned(),
            created: now(),
        };
        let added = entry.clone();
        self.update(keystore, move |_, k| {
            k.allowlist.push(added);
            Ok(())
        })
        .await?;
        Ok(entry)
    }

    /// Removes an allowlist entry.
    pub async fn remove_allow_entry(&self, keystore: &str, entry: &str) -> Result<(), RegistryError> {
        self.update(keystore, |_, k| {
            let before = k.allowlist.len();
            k.allowlist.retain(|e| e.id != entry);
            if k.allowlist.len() == before {
                return Err(RegistryError::AllowEntryNotFound { id: entry.to_owned() });
            }
            Ok(())
        })
        .await?;
        Ok(())
    }

    /// A key store's allowlist.
    pub fn allow_entries(&self, keystore: &str) -> Result<Vec<AllowEntry>, RegistryError> {
        Ok(read(&self.inner.state).entry(keystore)?.handle.snapshot().allowlist.clone())
    }

    /// A key store's CA certificate, PEM ("Download CA").
    pub fn ca_pem(&self, keystore: &str) -> Result<String, RegistryError> {
        Ok(read(&self.inner.state).entry(keystore)?.handle.snapshot().ca_pem.clone())
    }

    /// The credential a verified client certificate (DER) is, by its
    /// SHA-256 fingerprint; or, for a certificate of a key store's CA that no
    /// credential records (made by hand with the data directory's CA key),
    /// an unregistered handle of that store. None when no live store knows it.
    pub fn identify(&self, cert_der: &[u8]) -> Option<Arc<CredentialHandle>> {
        let sha256 = openssl::sha::sha256(cert_der);
        let state = read(&self.inner.state);
        if let Some(h) = state.by_fingerprint.get(&sha256) {
            return Some(Arc::clone(h));
        }
        let entry = state.keystores.values().find(|e| e.ca.as_ref().is_some_and(|ca| ca.signed(cert_der)))?;
        let name = crate::pki::cert_info(cert_der)
            .ok()
            .and_then(|i| i.common_name)
            .unwrap_or_else(|| "unregistered".to_owned());
        Some(Arc::new(CredentialHandle {
            id: String::new(),
            name: RwLock::new(name),
            keystore: Arc::clone(&entry.handle),
            revoked: AtomicBool::new(false),
            last_used: AtomicI64::new(0),
            last_flushed: AtomicI64::new(0),
            registered: false,
        }))
    }

    /// What the KMIP port trusts now (read on every full handshake).
    pub fn trust(&self) -> Arc<TrustSnapshot> {
        Arc::clone(&read(&self.inner.trust))
    }

    /// Recomputes the trust snapshot from the state.
    pub(super) fn rebuild_trust(&self) {
        let state = read(&self.inner.state);
        let mut roots = Vec::new();
        for e in state.keystores.values() {
            let pem = e.handle.snapshot().ca_pem.clone();
            if let Ok(der) = openssl::x509::X509::from_pem(pem.as_bytes()).and_then(|c| c.to_der()) {
                roots.push(der);
            }
        }
        roots.sort();
        roots.dedup();
        let pinned = state
            .credentials
            .values()
            .filter(|c| c.record.origin == super::CredentialOrigin::Registered)
            .map(|c| (c.sha256, (c.record.not_before, c.record.not_after)))
            .collect();
        drop(state);
        *write(&self.inner.trust) = Arc::new(TrustSnapshot { roots, pinned });
    }

    /// Writes changed "last used" times to the store (in the background
    /// every 30 s; call it before closing the store).
    pub async fn flush_last_used(&self) -> Result<(), RegistryError> {
        flush(&self.inner).await
    }
}

async fn flush(inner: &Inner) -> Result<(), RegistryError> {
    let _admin = inner.admin.lock().await;
    let mut changes = Vec::new();
    let mut flushed = Vec::new();
    {
        let mut state = write(&inner.state);
        for c in state.credentials.values_mut() {
            let used = c.handle.last_used.load(Ordering::Relaxed);
            if used > c.handle.last_flushed.load(Ordering::Relaxed) {
                c.record.last_used = Some(used);
                changes.push(credential_change(&c.record)?);
                flushed.push((Arc::clone(&c.handle), used));
            }
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    inner.store.commit(changes).await?;
    for (handle, used) in flushed {
        handle.last_flushed.store(used, Ordering::Relaxed);
    }
    Ok(())
}

async fn flush_every(inner: Weak<Inner>, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        if let Err(e) = flush(&inner).await {
            tracing::warn!(error = %e, "writing credentials' last-used times failed; will retry");
        }
    }
}

pub(super) fn parse_fingerprint(hex_text: &str) -> Option<[u8; 32]> {
    hex::decode(hex_text).ok()?.try_into().ok()
}
