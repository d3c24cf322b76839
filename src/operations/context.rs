//! What every handler is given: who is asking, in which protocol version,
//! the store, the clock, and the batch's ID Placeholder.

use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use crate::auth::ClientIdentity;
use crate::error::Error;
use crate::kmip::codec::DateTime;
use crate::kmip::version::ProtocolVersion;
use crate::lifecycle;
use crate::operations::managed::ManagedObject;
use crate::stats::ObjectUsage;
use crate::store::{Change, Store, StoredObject};

/// The context of one batch item (and, for the placeholder, of its batch).
pub struct RequestContext<'a> {
    /// The store.
    pub store: &'a Store,
    /// The authenticated client.
    pub client: &'a ClientIdentity,
    /// The request's protocol version: it governs what is written back.
    pub version: ProtocolVersion,
    /// When the request is handled (one time for the whole batch).
    pub now: OffsetDateTime,
    /// The ID Placeholder: the Unique Identifier the last batch item that
    /// produced one returned, used by items that name none.
    pub id_placeholder: Option<String>,
    /// What the batch has written, kept only when it may have to be undone
    /// (Batch Error Continuation Option Undo).
    pub undo: UndoLog,
}

/// The objects a batch wrote, each with its record before the batch's
/// first write (None: the batch created it) and its revision after the
/// last: enough to put everything back in one commit.
#[derive(Default)]
pub struct UndoLog(Mutex<Option<Vec<Written>>>);

/// One object an Undo batch wrote.
pub(crate) struct Written {
    pub(crate) id: String,
    pub(crate) before: Option<Arc<StoredObject>>,
    pub(crate) after: u64,
}

impl UndoLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Vec<Written>>> {
        // A poisoned log still holds what was recorded before the panic.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts recording writes.
    pub(crate) fn start(&self) {
        *self.lock() = Some(Vec::new());
    }

    fn recording(&self) -> bool {
        self.lock().is_some()
    }

    /// Stops recording; what was written.
    pub(crate) fn take(&self) -> Vec<Written> {
        self.lock().take().unwrap_or_default()
    }

    fn record(&self, id: &str, before: Option<Arc<StoredObject>>, after: u64) {
        if let Some(log) = self.lock().as_mut() {
            match log.iter_mut().find(|w| w.id == id) {
                // The first before-image is the one to restore.
                Some(w) => w.after = after,
                None => log.push(Written { id: id.to_owned(), before, after }),
            }
        }
    }
}

impl RequestContext<'_> {
    /// The request time as a KMIP Date-Time.
    pub fn now_kmip(&self) -> DateTime {
        DateTime(self.now.unix_timestamp())
    }

    /// The identifier a request names, or the ID Placeholder when it names none.
    pub fn resolve_id(&self, id: Option<String>) -> Result<String, Error> {
        id.or_else(|| self.id_placeholder.clone()).ok_or_else(|| {
            Error::MissingData("Unique Identifier is missing and no earlier batch item set the ID Placeholder".into())
        })
    }

    /// Loads an object of the client's key store, its state as of now
    /// ([`lifecycle::refresh`]). An object of another key store answers
    /// exactly as one that does not exist.
    pub async fn load(&self, id: &str) -> Result<ManagedObject, Error> {
        match self.store.get(id).await? {
            Some(stored) if stored.keystore == self.client.keystore => {
                let mut object = ManagedObject::from_stored(&stored)?;
                lifecycle::refresh(&mut object, self.now_kmip());
                Ok(object)
            }
            _ => Err(Error::ObjectNotFound { id: id.to_owned() }),
        }
    }

    /// Loads an object that must still have its key material.
    pub async fn load_live(&self, id: &str) -> Result<ManagedObject, Error> {
        let object = self.load(id).await?;
        if object.object.is_none() {
            return Err(Error::ObjectDestroyed { id: id.to_owned() });
        }
        Ok(object)
    }

    /// Writes objects durably, in one transaction; answered only once durable.
    pub async fn save(&self, objects: &[&ManagedObject]) -> Result<(), Error> {
        let changes = objects.iter().map(|o| o.change()).collect::<Result<Vec<Change>, Error>>()?;
        if !self.undo.recording() {
            self.store.commit(changes).await?;
            return Ok(());
        }
        let mut before = Vec::with_capacity(objects.len());
        for o in objects {
            before.push(match o.revision {
                Some(_) => self.store.get(&o.id).await?,
                None => None,
            });
        }
        let revisions = self.store.commit(changes).await?;
        for ((o, before), after) in objects.iter().zip(before).zip(revisions) {
            self.undo.record(&o.id, before, after);
        }
        Ok(())
    }

    /// The usage counters of an object.
    pub fn usage(&self, id: &str) -> Arc<ObjectUsage> {
        self.store.usage(id)
    }
}
