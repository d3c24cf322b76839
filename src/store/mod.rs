//! Persistence: managed objects in one redb file, durable before a caller is
//! answered, key material sealed at rest.
//!
//! The store knows nothing of KMIP: the operations layer hands it opaque
//! metadata bytes and the plaintext key material of each object.
//!
//! - Writes go through one writer thread (`redb.rs`) that group-commits: every
//!   [`Store::commit`] queued while the previous transaction was being synced
//!   shares the next transaction and its one fsync. That fsync is of the
//!   write-ahead log (`wal.rs`, DATA/coffer.wal), so that redb's own commit
//!   need not be durable; a background checkpoint makes it so.
//! - Reads use redb read transactions (MVCC: they never wait for the writer)
//!   on the blocking pool, or the in-memory cache of unsealed objects (`cache.rs`).
//!   A lone caller's commit is answered once its log record is synced, before
//!   redb holds it; a reader that finds one pending applies it first.
//! - Key material is sealed with AES-256-GCM under the [`MasterKey`] with the
//!   object id as associated data (`seal.rs`); the record layout is in `record.rs`.
//! - Usage counters ([`crate::stats`]) are recorded with atomics and written
//!   by a background flusher through the writer.

mod cache;
mod record;
mod redb;
mod seal;
mod wal;

pub use cache::Decoded;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, TryLockError, Weak};
use std::time::Duration;

use std::sync::mpsc;

use tokio::sync::oneshot;
use zeroize::Zeroizing;

use crate::stats::ObjectUsage;

/// The master key: 32 bytes, zeroized on drop; loaded by the server from DATA/master.key.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// A master key from exactly 32 bytes.
    pub fn from_bytes(b: &[u8]) -> Result<MasterKey, StoreError> {
        let mut key = Zeroizing::new([0u8; 32]);
        if b.len() != key.len() {
            return Err(StoreError::Invalid { reason: format!("a master key is 32 bytes, not {}", b.len()) });
        }
        key.copy_from_slice(b);
        Ok(MasterKey(key))
    }

    /// 32 random bytes from OpenSSL's CSPRNG.
    pub fn generate() -> Result<MasterKey, StoreError> {
        let mut key = Zeroizing::new([0u8; 32]);
        openssl::rand::rand_bytes(key.as_mut_slice())
            .map_err(|_| StoreError::Io("the random generator failed".to_string()))?;
        Ok(MasterKey(key))
    }

    /// The key bytes (to write the key file; never log them).
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Shows nothing of the key.
impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([REDACTED])")
    }
}

/// Tuning of [`Store::open`].
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Unsealed objects kept in memory (default 10 000); 0 disables the cache.
    pub cache_capacity: usize,
    /// How often changed usage counters are written (default 5 s).
    pub usage_flush_interval: Duration,
    /// Checkpoint (a durable redb commit, then an empty write-ahead log) once the
    /// log holds this many bytes (default 4 MiB): bounds the replay at open.
    pub checkpoint_bytes: u64,
    /// ... or once its oldest record is this old (default 250 ms). The writer
    /// also checkpoints whenever it has been idle for a twentieth of this. A
    /// checkpoint writes every page changed since the last one while commits
    /// wait: the interval bounds that pause under sustained load.
    pub checkpoint_interval: Duration,
    /// Make commits durable through the write-ahead log (default true); false
    /// makes every group a durable redb commit, as before the log (for
    /// comparison: about twice the CPU per commit). No effect in memory.
    pub write_ahead_log: bool,
    /// A caller with nobody else committing commits on its own thread, one log
    /// fsync long; once an fsync takes longer than this (default 2 ms), lone
    /// callers go to the writer thread instead until one is quick again.
    pub slow_log_sync: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            cache_capacity: 10_000,
            usage_flush_interval: Duration::from_secs(5),
            checkpoint_bytes: 4 << 20,
            checkpoint_interval: Duration::from_millis(250),
            write_ahead_log: true,
            slow_log_sync: Duration::from_millis(2),
        }
    }
}

/// One managed object as stored. `metadata` is opaque to the store (the
/// operations layer's encoded attributes and object shape, no key bytes);
/// `material` is the plaintext key material in memory and is sealed on disk.
#[derive(Clone)]
pub struct StoredObject {
    /// Unique across the whole server.
    pub id: String,
    /// The owning key store's name.
    pub keystore: String,
    /// Set by the store on commit: 1 on first write, +1 on each change.
    pub revision: u64,
    /// Indexed: (keystore, name) -> ids.
    pub names: Vec<String>,
    /// Opaque to the store; never holds key bytes (it is not sealed).
    pub metadata: Vec<u8>,
    /// Plaintext key material, zeroized on drop; sealed on disk.
    pub material: Option<Zeroizing<Vec<u8>>>,
}

/// Shows the length of the material, never its bytes.
impl fmt::Debug for StoredObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredObject")
            .field("id", &self.id)
            .field("keystore", &self.keystore)
            .field("revision", &self.revision)
            .field("names", &self.names)
            .field("metadata_len", &self.metadata.len())
            .field("material", &self.material.as_ref().map(|m| format!("[REDACTED; {} bytes]", m.len())))
            .finish()
    }
}

/// One change in a [`Store::commit`].
#[derive(Debug)]
pub enum Change {
    /// Insert (expected_revision None: must not exist yet) or replace (Some(r): must be at revision r).
    Put {
        /// The new state; its `revision` is ignored (the store sets it).
        object: StoredObject,
        /// None to insert, Some(current revision) to replace.
        expected_revision: Option<u64>,
    },
    /// Remove the record entirely (expected revision as above).
    Delete {
        /// The object to remove.
        id: String,
        /// Its current revision.
        expected_revision: u64,
    },
    /// Write (Some) or remove (None) a record that is not a managed object
    /// (key stores, credentials), unconditionally, in the same transaction
    /// as the other changes. Not sealed: seal secrets with [`Store::seal_secret`].
    Record {
        /// The kind of record ("keystores", "credentials", ...).
        table: String,
        /// Its key within the kind.
        key: String,
        /// The new value, or None to remove it.
        value: Option<Vec<u8>>,
    },
}

/// Why a store operation failed. No text ever holds key bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The object is not at the expected revision (or no longer exists).
    Conflict {
        /// The object.
        id: String,
    },
    /// An insert named an id that exists.
    AlreadyExists {
        /// The object.
        id: String,
    },
    /// A record cannot be decoded or its material does not open (tampered, or
    /// another master key).
    Corrupt {
        /// The object.
        id: String,
        /// What is wrong, without content.
        reason: String,
    },
    /// A Put gave an object a name that another object of its key store
    /// holds while that object has key material (see [`Store::commit`]).
    NameTaken {
        /// The name.
        name: String,
    },
    /// The file or the disk failed. The commit was not acknowledged (if the
    /// failure was the final sync, whether it reached the disk is unknown).
    /// redb then refuses further writes until the store is reopened.
    Io(String),
    /// The store was closed.
    Closed,
    /// The caller's input cannot be stored (empty id, a field over 4 GiB, a
    /// master key that is not 32 bytes, no tokio runtime at open).
    Invalid {
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Conflict { id } => write!(f, "object {id} was changed concurrently"),
            StoreError::AlreadyExists { id } => write!(f, "object {id} already exists"),
            StoreError::NameTaken { name } => write!(f, "the name {name:?} is held by another object"),
            StoreError::Corrupt { id, reason } => write!(f, "stored object {id} is corrupt: {reason}"),
            StoreError::Io(e) => write!(f, "store I/O failed: {e}"),
            StoreError::Closed => f.write_str("the store is closed"),
            StoreError::Invalid { reason } => write!(f, "invalid store input: {reason}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<::redb::Error> for StoreError {
    fn from(e: ::redb::Error) -> Self {
        StoreError::Io(e.to_string())
    }
}

/// A handle on the store; clones share it.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

/// What the writer thread shares with readers.
pub(crate) struct Shared {
    cache: cache::Cache,
    /// Usage counters by object id.
    usage: RwLock<HashMap<String, Arc<ObjectUsage>>>,
    /// Write transactions committed (each one fsync).
    commits_written: AtomicU64,
    /// Commits made on the caller's own thread (see [`Store::lone_commits`]).
    lone_commits: AtomicU64,
    /// The write-ahead log's last fsync took longer than [`StoreOptions::slow_log_sync`].
    log_sync_slow: AtomicBool,
    /// Answered lone commits wait in the writer's state to be applied to redb:
    /// a reader of redb applies them first ([`Inner::read_db`]).
    deferred: AtomicBool,
}

struct Inner {
    /// None once closed, so the file is released.
    db: RwLock<Option<Arc<::redb::Database>>>,
    master_key: MasterKey,
    shared: Arc<Shared>,
    /// None once closed.
    tx: Mutex<Option<mpsc::Sender<redb::Request>>>,
    /// The writer's state: the writer thread holds it while it commits a group,
    /// a lone caller while it commits on its own thread.
    writer_state: Arc<redb::WriterLock>,
    /// Callers between the start and the end of [`Store::commit`].
    committing: AtomicUsize,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    flusher: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Store {
    /// Opens or creates the redb file and its write-ahead log beside it (the
    /// same name ending in `.wal`), replays the log's complete records; starts
    /// the group-commit writer and the usage flusher (requires a tokio runtime).
    pub fn open(path: &Path, master_key: MasterKey, options: StoreOptions) -> Result<Store, StoreError> {
        let runtime = runtime()?;
        // redb's file lock, taken first, keeps a second process off the log too.
        let db = redb::open_database(path)?;
        let log_path = path.with_extension("wal");
        let log = if options.write_ahead_log {
            Some(wal::open(&log_path)?)
        } else if log_path.exists() {
            // Still replay what a store with a log left behind, then leave the file empty.
            Some(wal::open(&log_path)?)
        } else {
            None
        };
        Store::start(Some(runtime), db, log, master_key, options)
    }

    /// A store in memory only, gone when dropped: the same code as [`Store::open`]
    /// over redb's in-memory backend, for tests of the layers above. Outside a
    /// tokio runtime it has no background usage flusher (nothing to persist to anyway).
    pub fn in_memory(master_key: MasterKey, options: StoreOptions) -> Result<Store, StoreError> {
        Store::start(runtime().ok(), redb::memory_database()?, None, master_key, options)
    }

    /// A store that refuses everything with [`StoreError::Closed`].
    fn closed() -> Store {
        Store {
            inner: Arc::new(Inner {
                db: RwLock::new(None),
                master_key: MasterKey(Zeroizing::new([0u8; 32])),
                shared: Arc::new(Shared {
                    cache: cache::Cache::new(0),
                    usage: RwLock::new(HashMap::new()),
                    commits_written: AtomicU64::new(0),
                    lone_commits: AtomicU64::new(0),
                    log_sync_slow: AtomicBool::new(false),
                    deferred: AtomicBool::new(false),
                }),
                tx: Mutex::new(None),
                writer_state: Arc::new(Mutex::new(redb::WriterState::closed())),
                committing: AtomicUsize::new(0),
                writer: Mutex::new(None),
                flusher: Mutex::new(None),
            }),
        }
    }

    fn start(
        runtime: Option<tokio::runtime::Handle>,
        db: ::redb::Database,
        log: Option<wal::Wal>,
        master_key: MasterKey,
        options: StoreOptions,
    ) -> Result<Store, StoreError> {
        let db = Arc::new(db);
        let (writer_state, usage) = redb::load(&db, log, &options)?;
        let shared = Arc::new(Shared {
            cache: cache::Cache::new(options.cache_capacity),
            usage: RwLock::new(usage),
            commits_written: AtomicU64::new(0),
            lone_commits: AtomicU64::new(0),
            log_sync_slow: AtomicBool::new(false),
            deferred: AtomicBool::new(false),
        });
        // Unbounded: each caller has at most one request queued (it awaits the answer),
        // and `send` never blocks the async caller.
        let (tx, rx) = mpsc::channel();
        let writer_state = Arc::new(Mutex::new(writer_state));
        let writer = redb::spawn_writer(Arc::clone(&db), Arc::clone(&shared), Arc::clone(&writer_state), rx)?;
        let inner = Arc::new(Inner {
            db: RwLock::new(Some(db)),
            master_key,
            shared,
            tx: Mutex::new(Some(tx)),
            writer_state,
            committing: AtomicUsize::new(0),
            writer: Mutex::new(Some(writer)),
            flusher: Mutex::new(None),
        });
        if let Some(runtime) = runtime {
            let weak = Arc::downgrade(&inner);
            let flusher = runtime.spawn(flush_usage_every(weak, options.usage_flush_interval));
            *lock(&inner.flusher) = Some(flusher);
        }
        Ok(Store { inner })
    }

    /// One object, from the cache or disk (unsealed), or None. Runs on the blocking pool when it reads disk.
    pub async fn get(&self, id: &str) -> Result<Option<Arc<StoredObject>>, StoreError> {
        if let Some(o) = self.inner.shared.cache.get(id) {
            return Ok(Some(o));
        }
        let epoch = self.inner.shared.cache.epoch(id);
        let inner = Arc::clone(&self.inner);
        let key = id.to_string();
        let found = blocking(move || {
            let db = inner.read_db()?;
            redb::read_object(&db, inner.master_key.expose(), &key)
        })
        .await?;
        Ok(found.map(|o| {
            let o = Arc::new(o);
            self.inner.shared.cache.fill(Arc::clone(&o), epoch);
            o
        }))
    }

    /// Like [`Store::get`], with the decoded form a caller attached to the
    /// cached object by [`Store::attach_decoded`] (None on a miss, or when
    /// nothing is attached to this revision).
    pub async fn get_with_decoded(&self, id: &str) -> Result<Option<(Arc<StoredObject>, Option<Decoded>)>, StoreError> {
        if let Some(hit) = self.inner.shared.cache.get_with_decoded(id) {
            return Ok(Some(hit));
        }
        Ok(self.get(id).await?.map(|o| (o, None)))
    }

    /// [`Store::get_with_decoded`] of an object the cache holds: nothing to
    /// await (None when it does not hold it; the disk is not read).
    pub fn cached_with_decoded(&self, id: &str) -> Option<(Arc<StoredObject>, Option<Decoded>)> {
        self.inner.shared.cache.get_with_decoded(id)
    }

    /// Keeps `decoded` beside `object` in the cache, for as long as the
    /// cache holds that revision of it; a no-op if it holds another one or none.
    pub fn attach_decoded(&self, object: &Arc<StoredObject>, decoded: Decoded) {
        self.inner.shared.cache.attach(object, decoded);
    }

    /// Ids of the objects of `keystore` named `name`, oldest first.
    pub async fn ids_by_name(&self, keystore: &str, name: &str) -> Result<Vec<String>, StoreError> {
        let inner = Arc::clone(&self.inner);
        let (keystore, name) = (keystore.to_string(), name.to_string());
        blocking(move || redb::ids_by_name(&*inner.read_db()?, &keystore, &name)).await
    }

    /// The key stores that hold at least one object (the background rotator visits each).
    pub async fn keystores(&self) -> Result<Vec<String>, StoreError> {
        let inner = Arc::clone(&self.inner);
        blocking(move || redb::keystores(&*inner.read_db()?)).await
    }

    /// Every object of `keystore`, in creation order (Locate filters these; an index comes later).
    pub async fn list(&self, keystore: &str) -> Result<Vec<Arc<StoredObject>>, StoreError> {
        let inner = Arc::clone(&self.inner);
        let keystore = keystore.to_string();
        blocking(move || redb::list(&*inner.read_db()?, inner.master_key.expose(), &inner.shared.cache, &keystore))
            .await
    }

    /// Applies the changes atomically and durably (fsync'd) before returning;
    /// concurrent callers share one transaction and one fsync (group commit),
    /// and a caller with nobody else committing commits on its own thread.
    /// A caller whose revision check fails gets Conflict/AlreadyExists, one
    /// whose Put gives an object a name another object of its key store holds
    /// with key material gets NameTaken (checked in the same step, so two
    /// callers cannot both take a name), and none of its changes apply; other
    /// callers in the same group are unaffected. Returns the new revisions,
    /// one per change (for a Delete, the revision the object had; 0 for a Record).
    pub async fn commit(&self, changes: Vec<Change>) -> Result<Vec<u64>, StoreError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        // Seal here, on the caller's task, so the writer thread only writes.
        let mut prepared = Vec::with_capacity(changes.len());
        for change in changes {
            prepared.push(match change {
                Change::Put { object, expected_revision } => {
                    if object.id.is_empty() {
                        return Err(StoreError::Invalid { reason: "an object id is empty".to_string() });
                    }
                    let sealed = match &object.material {
                        None => None,
                        Some(m) => Some(
                            seal::seal(self.inner.master_key.expose(), object.id.as_bytes(), m)
                                .map_err(|_| StoreError::Io(format!("sealing the material of {} failed", object.id)))?,
                        ),
                    };
                    redb::Prepared::Put { object, sealed, expected: expected_revision }
                }
                Change::Delete { id, expected_revision } => redb::Prepared::Delete { id, expected: expected_revision },
                Change::Record { table, key, value } => redb::Prepared::Record { table, key, value },
            });
        }
        let committing = Committing::enter(&self.inner.committing);
        // A lone caller commits on its own thread, blocking it for one log fsync: not
        // when the writer is busy (a usage flush, a checkpoint), nor while the disk
        // is slow (a worker thread stuck in a long fsync would stall its other connections).
        if committing.alone && !self.inner.shared.log_sync_slow.load(Ordering::Relaxed) {
            let state = match self.inner.writer_state.try_lock() {
                Ok(state) => Some(state),
                Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
                // The holder is most likely applying the previous lone commit (tens of µs): wait for it.
                Err(TryLockError::WouldBlock) if self.inner.shared.deferred.load(Ordering::Acquire) => {
                    Some(lock(&self.inner.writer_state))
                }
                Err(TryLockError::WouldBlock) => None,
            };
            if let Some(mut state) = state {
                let db = self.inner.db()?;
                let (answer, nudge) = redb::commit_alone(&db, &self.inner.shared, &mut state, prepared);
                drop(state);
                if nudge {
                    // Closed meanwhile: the writer's last checkpoint, or the next open's replay, takes the log.
                    let _ = self.inner.send(redb::Request::Nudge);
                }
                // Queued on this worker, it runs once the caller has sent its answer and waits
                // for the client's next request: no other thread to wake. Outside a runtime,
                // readers, the next commit or the writer's idle tick apply it.
                if let (true, Ok(runtime)) =
                    (self.inner.shared.deferred.load(Ordering::Acquire), tokio::runtime::Handle::try_current())
                {
                    runtime.spawn(settle_later(
                        Arc::clone(&self.inner.shared),
                        Arc::clone(&self.inner.writer_state),
                        Arc::downgrade(&db),
                    ));
                }
                return answer;
            }
        }
        let (reply, answer) = oneshot::channel();
        self.inner.send(redb::Request::Commit { changes: prepared, reply })?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Every record of kind `table` (see [`Change::Record`]), by key.
    pub async fn records(&self, table: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let inner = Arc::clone(&self.inner);
        let table = table.to_string();
        blocking(move || redb::records(&*inner.read_db()?, &table)).await
    }

    /// Seals `plaintext` under the master key (AES-256-GCM), bound to `aad`:
    /// for secrets kept in records (a key store CA's private key).
    pub fn seal_secret(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
        seal::seal(self.inner.master_key.expose(), aad, plaintext)
            .map_err(|_| StoreError::Io("sealing a secret failed".to_string()))
    }

    /// Opens what [`Store::seal_secret`] sealed with the same `aad`.
    pub fn open_secret(&self, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        seal::open(self.inner.master_key.expose(), aad, sealed).map_err(|_| StoreError::Corrupt {
            id: String::from_utf8_lossy(aad).into_owned(),
            reason: "the sealed secret does not open (tampered, or another master key)".to_string(),
        })
    }

    /// The usage counters of one object (created on first use; loaded from disk on open).
    /// Counters are written only for objects that exist, and dropped with the object.
    pub fn usage(&self, id: &str) -> Arc<ObjectUsage> {
        let usage = &self.inner.shared.usage;
        if let Some(u) = read(usage).get(id) {
            return Arc::clone(u);
        }
        Arc::clone(write(usage).entry(id.to_string()).or_default())
    }

    /// Flushes usage counters and stops the writer; pending commits finish first.
    /// Closing a closed store does nothing.
    pub async fn close(&self) -> Result<(), StoreError> {
        if lock(&self.inner.tx).is_none() {
            return Ok(());
        }
        if let Some(f) = lock(&self.inner.flusher).take() {
            f.abort();
        }
        let (reply, done) = oneshot::channel();
        self.inner.flush_usage(Some(reply))?;
        // Dropping the sender ends the writer once it has drained the queue.
        lock(&self.inner.tx).take();
        let flushed = done.await.map_err(|_| StoreError::Closed)?;
        let writer = lock(&self.inner.writer).take();
        if let Some(w) = writer {
            tokio::task::spawn_blocking(move || w.join())
                .await
                .map_err(|_| StoreError::Io("the writer thread did not stop".to_string()))?
                .map_err(|_| StoreError::Io("the writer thread panicked".to_string()))?;
        }
        write(&self.inner.db).take();
        release_database(&self.inner.writer_state);
        flushed
    }

    /// Write transactions committed since open: one fsync each (for tests and metrics).
    pub fn commits_written(&self) -> u64 {
        self.inner.shared.commits_written.load(Ordering::Relaxed)
    }

    /// Commits made on the caller's own thread, without the writer thread:
    /// a caller with nobody else committing (for tests and metrics).
    pub fn lone_commits(&self) -> u64 {
        self.inner.shared.lone_commits.load(Ordering::Relaxed)
    }

    /// Unsealed objects held in memory (for tests and metrics).
    pub fn cached_objects(&self) -> usize {
        self.inner.shared.cache.len()
    }
}

/// A fresh in-memory store under a random master key ([`Store::in_memory`]),
/// for tests of the layers above. Should that fail (the random generator or
/// redb failing), the store answers every call with [`StoreError::Closed`].
impl Default for Store {
    fn default() -> Self {
        MasterKey::generate()
            .and_then(|key| Store::in_memory(key, StoreOptions::default()))
            .unwrap_or_else(|_| Store::closed())
    }
}

impl Inner {
    fn db(&self) -> Result<Arc<::redb::Database>, StoreError> {
        read(&self.db).clone().ok_or(StoreError::Closed)
    }

    /// The database, holding every answered commit: lone commits not yet
    /// applied by the writer thread are applied here first (on the blocking
    /// pool, where readers run, so waiting for the writer's state is fine).
    fn read_db(&self) -> Result<Arc<::redb::Database>, StoreError> {
        let db = self.db()?;
        if self.shared.deferred.load(Ordering::Acquire) {
            redb::settle(&db, &self.shared, &mut lock(&self.writer_state))?;
        }
        Ok(db)
    }

    fn send(&self, request: redb::Request) -> Result<(), StoreError> {
        let tx = lock(&self.tx);
        tx.as_ref().ok_or(StoreError::Closed)?.send(request).map_err(|_| StoreError::Closed)
    }

    /// Hands the counters changed since the last flush to the writer; `done` is answered once they are durable.
    fn flush_usage(&self, done: Option<oneshot::Sender<Result<(), StoreError>>>) -> Result<(), StoreError> {
        let rows: Vec<(String, Arc<ObjectUsage>, Vec<u8>)> = read(&self.shared.usage)
            .iter()
            .filter_map(|(id, u)| u.take_changed().map(|bytes| (id.clone(), Arc::clone(u), bytes)))
            .collect();
        if rows.is_empty() && done.is_none() {
            return Ok(());
        }
        self.send(redb::Request::Usage { rows, done })
    }
}

impl Drop for Inner {
    /// A store dropped without [`Store::close`] still flushes its counters and
    /// lets pending commits finish, so the file is released when drop returns.
    fn drop(&mut self) {
        if let Some(f) = lock(&self.flusher).take() {
            f.abort();
        }
        let _ = self.flush_usage(None);
        lock(&self.tx).take();
        if let Some(w) = lock(&self.writer).take() {
            let _ = w.join();
        }
        write(&self.db).take();
        release_database(&self.writer_state);
    }
}

/// Applies the lone commits answered but not yet applied to redb ([`redb::settle`]),
/// unless the store is gone (its writer settled them as it stopped).
async fn settle_later(shared: Arc<Shared>, state: Arc<redb::WriterLock>, db: Weak<::redb::Database>) {
    if !shared.deferred.load(Ordering::Acquire) {
        return;
    }
    // Busy: its holder settles first (a commit, a checkpoint, a reader), or the writer's idle tick will.
    let mut state = match state.try_lock() {
        Ok(state) => state,
        Err(TryLockError::Poisoned(p)) => p.into_inner(),
        Err(TryLockError::WouldBlock) => return,
    };
    // Taken under the state, and released before it (see `release_database`).
    if let Some(db) = db.upgrade() {
        // A failure is logged, and refuses later reads and writes.
        let _ = redb::settle(&db, &shared, &mut state);
    }
}

/// Once the store's own handle on the database is dropped, waits out any
/// [`settle_later`] that holds one: the file is closed, and its lock released,
/// when this returns (a store reopened at once finds it free).
fn release_database(state: &redb::WriterLock) {
    drop(lock(state));
}

/// Counts a caller of [`Store::commit`] until dropped.
struct Committing<'a> {
    count: &'a AtomicUsize,
    /// No other caller was committing when this one started.
    alone: bool,
}

impl<'a> Committing<'a> {
    fn enter(count: &'a AtomicUsize) -> Committing<'a> {
        let alone = count.fetch_add(1, Ordering::AcqRel) == 0;
        Committing { count, alone }
    }
}

impl Drop for Committing<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
    }
}

fn runtime() -> Result<tokio::runtime::Handle, StoreError> {
    tokio::runtime::Handle::try_current()
        .map_err(|_| StoreError::Invalid { reason: "the store needs a tokio runtime".to_string() })
}

async fn flush_usage_every(inner: Weak<Inner>, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        if inner.flush_usage(None).is_err() {
            return;
        }
    }
}

/// Runs a blocking read on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f).await.map_err(|_| StoreError::Io("a store read task failed".to_string()))?
}

// Poisoning only means another thread panicked while holding the lock; the
// data (handles, counters) stays valid, so keep going.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}
fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests;
