//! Persistence of managed objects.
//!
//! PLACEHOLDER: an in-memory store with the API of the redb store that is
//! being built on branch `store`; it lets the operations layer be written
//! and tested meanwhile and is replaced wholesale when that branch lands.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use zeroize::Zeroizing;

use crate::stats::ObjectUsage;

/// The master key: 32 bytes, zeroized on drop.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// A master key from its 32 bytes.
    pub fn from_bytes(b: &[u8]) -> Result<MasterKey, StoreError> {
        let key: [u8; 32] = b.try_into().map_err(|_| StoreError::Io("master key must be 32 bytes".into()))?;
        Ok(MasterKey(Zeroizing::new(key)))
    }

    /// The key bytes.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Store tuning.
#[derive(Clone, Debug, Default)]
pub struct StoreOptions {}

/// One managed object as stored.
#[derive(Clone)]
pub struct StoredObject {
    /// Unique across the server.
    pub id: String,
    /// The owning key store.
    pub keystore: String,
    /// Set by the store on commit.
    pub revision: u64,
    /// Names, indexed.
    pub names: Vec<String>,
    /// Opaque to the store.
    pub metadata: Vec<u8>,
    /// Plaintext key material in memory.
    pub material: Option<Zeroizing<Vec<u8>>>,
}

impl fmt::Debug for StoredObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredObject").field("id", &self.id).field("revision", &self.revision).finish_non_exhaustive()
    }
}

/// One change of a commit.
pub enum Change {
    /// Insert (None) or replace at a revision.
    Put {
        /// The object.
        object: StoredObject,
        /// The revision it must be at.
        expected_revision: Option<u64>,
    },
    /// Remove.
    Delete {
        /// Its id.
        id: String,
        /// The revision it must be at.
        expected_revision: u64,
    },
}

/// Why a store call failed.
#[derive(Debug)]
pub enum StoreError {
    /// A revision check failed.
    Conflict {
        /// The object.
        id: String,
    },
    /// An insert found the id taken.
    AlreadyExists {
        /// The object.
        id: String,
    },
    /// A record could not be read back.
    Corrupt {
        /// The object.
        id: String,
        /// Why.
        reason: String,
    },
    /// I/O failed.
    Io(String),
    /// The store is closed.
    Closed,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Conflict { id } => write!(f, "object {id} changed concurrently"),
            StoreError::AlreadyExists { id } => write!(f, "object {id} already exists"),
            StoreError::Corrupt { id, reason } => write!(f, "object {id} is corrupt: {reason}"),
            StoreError::Io(e) => write!(f, "storage i/o: {e}"),
            StoreError::Closed => f.write_str("the store is closed"),
        }
    }
}

impl std::error::Error for StoreError {}

#[derive(Default)]
struct Inner {
    objects: HashMap<String, Arc<StoredObject>>,
    order: Vec<String>,
    usage: HashMap<String, Arc<ObjectUsage>>,
}

/// The store handle.
#[derive(Clone, Default)]
pub struct Store {
    inner: Arc<Mutex<Inner>>,
}

impl Store {
    /// Opens the store.
    pub fn open(_path: &std::path::Path, _master_key: MasterKey, _options: StoreOptions) -> Result<Store, StoreError> {
        Ok(Store::default())
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, StoreError> {
        self.inner.lock().map_err(|_| StoreError::Closed)
    }

    /// One object, or None.
    pub async fn get(&self, id: &str) -> Result<Option<Arc<StoredObject>>, StoreError> {
        Ok(self.lock()?.objects.get(id).cloned())
    }

    /// Ids of the objects of `keystore` named `name`, oldest first.
    pub async fn ids_by_name(&self, keystore: &str, name: &str) -> Result<Vec<String>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .order
            .iter()
            .filter_map(|id| inner.objects.get(id))
            .filter(|o| o.keystore == keystore && o.names.iter().any(|n| n == name))
            .map(|o| o.id.clone())
            .collect())
    }

    /// Every object of `keystore`, in creation order.
    pub async fn list(&self, keystore: &str) -> Result<Vec<Arc<StoredObject>>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .order
            .iter()
            .filter_map(|id| inner.objects.get(id))
            .filter(|o| o.keystore == keystore)
            .cloned()
            .collect())
    }

    /// Applies the changes atomically.
    pub async fn commit(&self, changes: Vec<Change>) -> Result<Vec<u64>, StoreError> {
        let mut inner = self.lock()?;
        for change in &changes {
            match change {
                Change::Put { object, expected_revision } => {
                    let current = inner.objects.get(&object.id).map(|o| o.revision);
                    match (current, expected_revision) {
                        (Some(_), None) => return Err(StoreError::AlreadyExists { id: object.id.clone() }),
                        (c, e) if c != *e => return Err(StoreError::Conflict { id: object.id.clone() }),
                        _ => {}
                    }
                }
                Change::Delete { id, expected_revision } => {
                    if inner.objects.get(id).map(|o| o.revision) != Some(*expected_revision) {
                        return Err(StoreError::Conflict { id: id.clone() });
                    }
                }
            }
        }
        let mut revisions = Vec::new();
        for change in changes {
            match change {
                Change::Put { mut object, expected_revision } => {
                    object.revision = expected_revision.unwrap_or(0) + 1;
                    revisions.push(object.revision);
                    if expected_revision.is_none() {
                        inner.order.push(object.id.clone());
                    }
                    inner.objects.insert(object.id.clone(), Arc::new(object));
                }
                Change::Delete { id, expected_revision } => {
                    inner.objects.remove(&id);
                    inner.order.retain(|o| *o != id);
                    revisions.push(expected_revision + 1);
                }
            }
        }
        Ok(revisions)
    }

    /// The usage counters of one object.
    pub fn usage(&self, id: &str) -> Arc<ObjectUsage> {
        match self.inner.lock() {
            Ok(mut inner) => inner.usage.entry(id.to_owned()).or_default().clone(),
            Err(_) => Arc::default(),
        }
    }

    /// Stops the store.
    pub async fn close(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
