//! The redb file: table definitions, read transactions, and the one writer
//! thread that group-commits.
//!
//! Tables:
//!
//! | table | key | value |
//! |---|---|---|
//! | `objects` | id | record (see [`super::record`]) |
//! | `names` | (keystore, name, sequence) | id |
//! | `keystore_members` | (keystore, sequence) | id |
//! | `usage` | id | counters (see [`crate::stats`]) |
//! | `meta` | `"next_seq"` | next creation sequence number |
//! | `records` | (kind, key) | a record that is not an object (key stores, credentials) |
//!
//! The sequence number is given once, when an object is first written, so
//! both index tables iterate in creation order.
//!
//! The writer takes every request queued (up to [`MAX_GROUP`]; while the
//! group is smaller than the previous one it waits up to [`MAX_LINGER`] for
//! stragglers, see [`gather`]), checks (revisions, and names: see
//! [`check_names`]) and applies each caller's changes in one write
//! transaction (a caller whose check fails is skipped and told why), makes
//! the group durable with one fsync, then updates the cache and answers
//! everyone. If anything fails, nobody is told it succeeded: everyone
//! gets [`StoreError::Io`].
//!
//! A caller with nobody else committing commits on its own thread instead
//! ([`commit_alone`]), holding the writer's state meanwhile: waking the writer
//! thread and then being woken by it cost a lone Create more than redb's
//! commit does. With a log it goes further: it checks its changes against
//! redb, appends and syncs their record, and is answered; the record is
//! applied to redb afterwards ([`settle`]: by a task queued on the caller's
//! thread, which runs while the client reads the answer, or by whoever needs
//! redb first, a reader or the next commit).
//!
//! A store on a file makes a group durable through its write-ahead log
//! (`wal.rs`): the group's table writes go to the log as one record, which is
//! synced, and the transaction is then committed with [`Durability::None`];
//! checkpoints (durable commits) let the log be emptied. A store in memory
//! commits each group with [`Durability::Immediate`] instead.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};

use redb::{Database, Durability, ReadableDatabase, ReadableTable, Table, TableDefinition, WriteTransaction};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::record::{self, Header};
use super::wal::{self, Op, Wal};
use super::{cache::Cache, seal, Shared, StoreError, StoreOptions, StoredObject};
use crate::stats::ObjectUsage;

const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("objects");
const NAMES: TableDefinition<(&str, &str, u64), &str> = TableDefinition::new("names");
const MEMBERS: TableDefinition<(&str, u64), &str> = TableDefinition::new("keystore_members");
const USAGE: TableDefinition<&str, &[u8]> = TableDefinition::new("usage");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const RECORDS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("records");
const NEXT_SEQ: &str = "next_seq";

/// Most requests in one group: bounds the latency a group adds to its first caller.
const MAX_GROUP: usize = 1024;

fn io(e: impl Into<redb::Error>) -> StoreError {
    StoreError::Io(e.into().to_string())
}

/// A change as handed to the writer: material already sealed by the caller.
pub(crate) enum Prepared {
    Put { object: StoredObject, sealed: Option<Vec<u8>>, expected: Option<u64> },
    Delete { id: String, expected: u64 },
    Record { table: String, key: String, value: Option<Vec<u8>> },
}

/// Work for the writer thread.
pub(crate) enum Request {
    Commit {
        changes: Vec<Prepared>,
        reply: oneshot::Sender<Result<Vec<u64>, StoreError>>,
    },
    /// Changed usage counters: (id, the counters, their encoding).
    Usage {
        rows: Vec<(String, Arc<ObjectUsage>, Vec<u8>)>,
        done: Option<oneshot::Sender<Result<(), StoreError>>>,
    },
    /// A caller committed on its own thread ([`commit_alone`]) into an empty
    /// log, or one now due for a checkpoint: the writer has one to schedule.
    Nudge,
}

/// What the writer remembers between groups.
pub(crate) struct WriterState {
    next_seq: u64,
    /// None: every group is a durable redb commit (the in-memory store, the fault-injection tests).
    wal: Option<Wal>,
    /// Checkpoint once the log holds this many bytes, or a record this old.
    checkpoint_bytes: u64,
    checkpoint_interval: Duration,
    /// A checkpoint failed: no more are tried until the store is reopened.
    checkpoint_failed: bool,
    /// A log fsync slower than this sends lone callers to the writer thread.
    slow_log_sync: Duration,
    /// The writer thread has stopped: nothing more is committed.
    closed: bool,
    /// Log records of lone commits, synced and answered but not yet applied to
    /// redb ([`commit_alone`]); [`settle`] applies them.
    deferred: Vec<Vec<u8>>,
}

impl WriterState {
    /// The state of a store that refuses every commit.
    pub(crate) fn closed() -> WriterState {
        WriterState {
            next_seq: 1,
            wal: None,
            checkpoint_bytes: 0,
            checkpoint_interval: Duration::ZERO,
            checkpoint_failed: false,
            slow_log_sync: Duration::ZERO,
            closed: true,
            deferred: Vec::new(),
        }
    }
}

/// The writer's state, shared by the writer thread and a lone caller that
/// commits on its own thread ([`commit_alone`]); whoever holds it commits.
pub(crate) type WriterLock = Mutex<WriterState>;

fn lock(state: &WriterLock) -> MutexGuard<'_, WriterState> {
    // A panic while committing leaves the state as redb and the log left it; both are checked on use.
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Opens the file, creating it readable by its owner only (it holds sealed
/// keys and clear metadata); a new file's directory entry is synced too, so
/// the first commits cannot vanish with it after a power loss.
pub(crate) fn open_database(path: &Path) -> Result<Database, StoreError> {
    let file_io = |e: std::io::Error| StoreError::Io(format!("{}: {e}", path.display()));
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
    match create.open(path) {
        Ok(file) => {
            drop(file);
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            std::fs::File::open(parent).and_then(|d| d.sync_all()).map_err(file_io)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(file_io(e)),
    }
    Database::create(path).map_err(io)
}

/// A database that lives in memory only (for tests of the layers above).
pub(crate) fn memory_database() -> Result<Database, StoreError> {
    Database::builder().create_with_backend(redb::backends::InMemoryBackend::new()).map_err(io)
}

/// Creates missing tables, replays the complete records of the log (if the
/// store has one) and empties it; reads the writer's state and every usage row.
/// With `options.write_ahead_log` off, the log is only replayed, then left empty and unused.
pub(crate) fn load(
    db: &Database,
    mut wal: Option<Wal>,
    options: &StoreOptions,
) -> Result<(WriterState, HashMap<String, Arc<ObjectUsage>>), StoreError> {
    let records = match wal.as_mut() {
        Some(wal) => wal.records()?,
        None => Vec::new(),
    };
    let mut txn = db.begin_write().map_err(io)?;
    txn.set_durability(Durability::Immediate).map_err(io)?;
    let next_seq;
    let mut usage = HashMap::new();
    {
        let mut t = Tables::open(&txn, false)?;
        let mut meta = txn.open_table(META).map_err(io)?;
        for body in &records {
            replay(&mut t, &mut meta, body)?;
        }
        for row in t.usage.iter().map_err(io)? {
            let (id, bytes) = row.map_err(io)?;
            // Counters we cannot read restart from zero rather than block the server.
            if let Some(u) = ObjectUsage::decode(bytes.value()) {
                usage.insert(id.value().to_string(), Arc::new(u));
            }
        }
        next_seq = meta.get(NEXT_SEQ).map_err(io)?.map_or(1, |v| v.value());
    }
    txn.commit().map_err(io)?;
    if let Some(wal) = wal.as_mut() {
        // redb now holds every record durably; should this reset be lost, they replay again, harmlessly.
        wal.reset()?;
    }
    let state = WriterState {
        next_seq,
        wal: wal.filter(|_| options.write_ahead_log),
        checkpoint_bytes: options.checkpoint_bytes,
        checkpoint_interval: options.checkpoint_interval,
        checkpoint_failed: false,
        slow_log_sync: options.slow_log_sync,
        closed: false,
        deferred: Vec::new(),
    };
    Ok((state, usage))
}

/// Applies one log record's writes to the tables of a write transaction.
fn replay(t: &mut Tables<'_>, meta: &mut Table<'_, &'static str, u64>, body: &[u8]) -> Result<(), StoreError> {
    let ops = wal::decode_ops(body).map_err(|reason| StoreError::Io(format!("coffer.wal: {reason}")))?;
    for op in ops {
        if let Op::NextSeq(seq) = op {
            meta.insert(NEXT_SEQ, seq).map_err(io)?;
        }
        t.apply(op).map_err(GroupError::into_store)?;
    }
    Ok(())
}

/// Applies the deferred records of lone commits to redb (one non-durable
/// commit; the log already holds them durably). Whoever needs redb current
/// calls this first under the writer's state: a reader, the next commit, a
/// checkpoint, or the writer thread, nudged by the lone caller. If it fails,
/// the records stay in the log for the next open's replay, and every later
/// write and read that needs them fails until then.
pub(crate) fn settle(db: &Database, shared: &Shared, state: &mut WriterState) -> Result<(), StoreError> {
    if state.deferred.is_empty() {
        return Ok(());
    }
    let refused = || StoreError::Io("applying the write-ahead log failed earlier; reopen the store".to_string());
    if state.checkpoint_failed {
        return Err(refused());
    }
    let applied = db.begin_write().map_err(io).and_then(|mut txn| {
        txn.set_durability(Durability::None).map_err(io)?;
        {
            let mut t = Tables::open(&txn, false)?;
            let mut meta = txn.open_table(META).map_err(io)?;
            for body in &state.deferred {
                replay(&mut t, &mut meta, body)?;
            }
        }
        txn.commit().map_err(io)
    });
    if let Err(e) = applied {
        // A checkpoint now would make redb durable without these records, then empty the log.
        state.checkpoint_failed = true;
        if let Some(wal) = state.wal.as_mut() {
            wal.poison();
        }
        tracing::error!(error = %e, "applying the write-ahead log to the store failed; writes are refused until the store is reopened");
        return Err(refused());
    }
    state.deferred.clear();
    shared.deferred.store(false, Ordering::Release);
    Ok(())
}

pub(crate) fn spawn_writer(
    db: Arc<Database>,
    shared: Arc<Shared>,
    state: Arc<WriterLock>,
    rx: mpsc::Receiver<Request>,
) -> Result<std::thread::JoinHandle<()>, StoreError> {
    std::thread::Builder::new()
        .name("coffer-store-writer".to_string())
        .spawn(move || {
            let mut pace = Pace::default();
            loop {
                // With records in the log, wake up to checkpoint once idle for a twentieth
                // of the interval (12.5 ms by default), while nobody waits.
                let idle_wait = {
                    let s = lock(&state);
                    let dirty = s.wal.as_ref().is_some_and(Wal::is_dirty) && !s.checkpoint_failed;
                    dirty.then_some(s.checkpoint_interval / 20)
                };
                let received = match idle_wait {
                    Some(wait) => rx.recv_timeout(wait),
                    None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                };
                let first = match received {
                    Ok(Request::Nudge) | Err(RecvTimeoutError::Timeout) => {
                        let mut s = lock(&state);
                        // A lone caller's records, for readers; a failure is logged and refuses later writes.
                        let _ = settle(&db, &shared, &mut s);
                        // Lone callers may have kept appending on their own threads meanwhile.
                        let idle = s.wal.as_ref().is_some_and(|w| w.idle_for() >= s.checkpoint_interval / 20);
                        let due = s.wal.as_ref().is_some_and(|w| w.is_due(s.checkpoint_bytes, s.checkpoint_interval));
                        if idle || due {
                            checkpoint(&db, &shared, &mut s);
                        }
                        continue;
                    }
                    Ok(r) => r,
                    Err(RecvTimeoutError::Disconnected) => break,
                };
                let group = gather(&rx, first, &pace);
                let size = group.len();
                let started = Instant::now();
                let mut s = lock(&state);
                let answers = write_group(&db, &shared, &mut s, group);
                pace = Pace { last_group: size, last_write: started.elapsed() };
                if s.wal.as_ref().is_some_and(|w| w.is_due(s.checkpoint_bytes, s.checkpoint_interval)) {
                    checkpoint(&db, &shared, &mut s);
                }
                drop(s);
                answers.send();
            }
            // Closing: leave redb complete and the log empty.
            let mut s = lock(&state);
            checkpoint(&db, &shared, &mut s);
            s.closed = true;
        })
        .map_err(|e| StoreError::Io(format!("cannot start the store writer: {e}")))
}

/// Commits one caller's changes on the caller's own thread. For a caller with
/// nobody else committing, this saves the two thread hand-offs (waking the
/// writer, then being woken by it) that cost a lone Create more than redb's
/// commit itself. With a log, the caller only checks its changes against
/// redb, appends their record to the log and syncs it: the commit is durable
/// and answered, and applying the record to redb ([`settle`]) is left for
/// later: the caller's thread once the answer is sent, or whoever needs redb
/// first. Without a log, it commits as the writer would a group of one.
/// Returns the answer, and whether the writer must be nudged (the log had
/// been empty, so nobody has scheduled its checkpoint yet, or one is due).
pub(crate) fn commit_alone(
    db: &Database,
    shared: &Shared,
    state: &mut WriterState,
    changes: Vec<Prepared>,
) -> (Result<Vec<u64>, StoreError>, bool) {
    if state.closed {
        return (Err(StoreError::Closed), false);
    }
    shared.lone_commits.fetch_add(1, Ordering::Relaxed);
    let was_clean = !state.wal.as_ref().is_some_and(Wal::is_dirty);
    let answer = if state.wal.is_some() {
        log_alone(db, shared, state, changes)
    } else {
        let (reply, mut answer) = oneshot::channel();
        write_group(db, shared, state, vec![Request::Commit { changes, reply }]).send();
        answer.try_recv().unwrap_or(Err(StoreError::Closed))
    };
    let nudge = state
        .wal
        .as_ref()
        .is_some_and(|w| w.is_dirty() && (was_clean || w.is_due(state.checkpoint_bytes, state.checkpoint_interval)));
    (answer, nudge)
}

/// The logged half of [`commit_alone`]: check, log, sync, publish; redb later.
fn log_alone(
    db: &Database,
    shared: &Shared,
    state: &mut WriterState,
    changes: Vec<Prepared>,
) -> Result<Vec<u64>, StoreError> {
    // The checks below read redb, which must hold every earlier commit.
    settle(db, shared, state)?;
    if state.checkpoint_failed || state.wal.as_ref().is_some_and(Wal::has_failed) {
        return Err(StoreError::Io("the write-ahead log failed earlier; reopen the store".to_string()));
    }
    let seq_before = state.next_seq;
    let planned = {
        let txn = db.begin_read().map_err(io)?;
        let objects = txn.open_table(OBJECTS).map_err(io)?;
        let names = txn.open_table(NAMES).map_err(io)?;
        plan_changes(&objects, &names, state, changes).map_err(GroupError::into_store)?
    };
    let mut body = Vec::new();
    let steps = write_planned(planned, &mut |op| note(&mut body, op)).map_err(GroupError::into_store)?;
    if state.next_seq != seq_before {
        note(&mut body, Op::NextSeq(state.next_seq)).map_err(GroupError::into_store)?;
    }
    let Some(wal) = state.wal.as_mut() else { return Err(StoreError::Closed) };
    let appended = wal.append(&body);
    shared.log_sync_slow.store(wal.last_sync() > state.slow_log_sync, Ordering::Relaxed);
    appended?;
    // Readers see `deferred` before the caller is answered, and apply it before they read redb.
    state.deferred.push(body);
    shared.deferred.store(true, Ordering::Release);
    shared.commits_written.fetch_add(1, Ordering::Relaxed);
    Ok(publish(shared, steps))
}

/// Makes every non-durable commit durable with one empty durable redb commit,
/// then empties the log. On failure the log keeps its records (the next open
/// replays them) and every later commit fails with [`StoreError::Io`].
fn checkpoint(db: &Database, shared: &Shared, state: &mut WriterState) {
    // Emptying the log is safe only once redb holds every record in it.
    if state.checkpoint_failed || settle(db, shared, state).is_err() {
        return;
    }
    let Some(wal) = state.wal.as_mut().filter(|w| w.is_dirty()) else { return };
    let durable = db.begin_write().map_err(io).and_then(|mut txn| {
        txn.set_durability(Durability::Immediate).map_err(io)?;
        txn.commit().map_err(io)
    });
    let result = durable.and_then(|()| wal.reset());
    if let Err(e) = result {
        // redb refuses writes after a failed commit, and a log whose header write failed
        // must not take records: both wait for a reopen, which replays what the log holds.
        wal.poison();
        state.checkpoint_failed = true;
        tracing::error!(error = %e, "store checkpoint failed; writes are refused until the store is reopened");
    }
}

/// Groups of this many callers or more commit durably in redb, not through the log.
const LOG_GROUP_MAX: usize = 4;

/// Longest the writer waits for more callers before starting a transaction.
const MAX_LINGER: Duration = Duration::from_millis(1);

/// How the previous group went, to decide how long to gather the next one.
#[derive(Default)]
struct Pace {
    last_group: usize,
    last_write: Duration,
}

/// Everything queued after `first`, up to [`MAX_GROUP`]. Callers answered by
/// the previous group come back one by one while this one starts; so while
/// the group is smaller than the previous one, wait for more, for at most a
/// quarter of the previous write (capped at [`MAX_LINGER`]): a lone caller
/// never waits, and under load one fsync covers nearly every caller.
fn gather(rx: &mpsc::Receiver<Request>, first: Request, pace: &Pace) -> Vec<Request> {
    let started = Instant::now();
    let mut group = vec![first];
    let linger = (pace.last_write / 4).min(MAX_LINGER);
    let target = pace.last_group.min(MAX_GROUP);
    loop {
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(Request::Nudge) => {}
                Ok(r) => group.push(r),
                Err(_) => break,
            }
        }
        if group.len() >= target {
            return group;
        }
        let Some(left) = linger.checked_sub(started.elapsed()).filter(|d| !d.is_zero()) else { return group };
        match rx.recv_timeout(left) {
            Ok(Request::Nudge) => {}
            Ok(r) => group.push(r),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return group,
        }
    }
}

/// One checked, applied change, waiting for the commit.
enum Step {
    Put { object: StoredObject },
    Delete { id: String, revision: u64 },
    Record,
}

/// A caller's changes failed their check, or the storage failed (which fails the whole group).
enum GroupError {
    Caller(StoreError),
    Storage(StoreError),
}

impl GroupError {
    fn into_store(self) -> StoreError {
        match self {
            GroupError::Caller(e) | GroupError::Storage(e) => e,
        }
    }
}

impl<E: Into<redb::Error>> From<E> for GroupError {
    fn from(e: E) -> Self {
        GroupError::Storage(io(e))
    }
}

/// The tables of one write transaction. Every write goes through the methods
/// below, which also note it in `log` (the group's write-ahead record) when
/// the store has a log.
struct Tables<'t> {
    objects: Table<'t, &'static str, &'static [u8]>,
    names: Table<'t, (&'static str, &'static str, u64), &'static str>,
    members: Table<'t, (&'static str, u64), &'static str>,
    usage: Table<'t, &'static str, &'static [u8]>,
    records: Table<'t, (&'static str, &'static str), &'static [u8]>,
    log: Option<Vec<u8>>,
}

/// Appends `op` to a log record body.
fn note(log: &mut Vec<u8>, op: Op<'_>) -> Result<(), GroupError> {
    // Fails the whole group, as a storage error does: the write may already be in the transaction.
    op.encode(log).map_err(|_| {
        GroupError::Storage(StoreError::Invalid { reason: "a field over 4 GiB cannot be logged".to_string() })
    })
}

impl<'t> Tables<'t> {
    /// The tables of `txn`; `logged`: note every write in a log record body too.
    fn open(txn: &'t WriteTransaction, logged: bool) -> Result<Tables<'t>, StoreError> {
        Ok(Tables {
            objects: txn.open_table(OBJECTS).map_err(io)?,
            names: txn.open_table(NAMES).map_err(io)?,
            members: txn.open_table(MEMBERS).map_err(io)?,
            usage: txn.open_table(USAGE).map_err(io)?,
            records: txn.open_table(RECORDS).map_err(io)?,
            log: logged.then(Vec::new),
        })
    }

    fn note(&mut self, op: Op<'_>) -> Result<(), GroupError> {
        match &mut self.log {
            Some(log) => note(log, op),
            None => Ok(()),
        }
    }

    /// Applies one logged write (replay) or a new one (the writer, which also logs it).
    fn apply(&mut self, op: Op<'_>) -> Result<(), GroupError> {
        match &op {
            Op::ObjectPut { id, record } => {
                self.objects.insert(*id, *record)?;
            }
            Op::ObjectRemove { id } => {
                self.objects.remove(*id)?;
            }
            Op::NamePut { keystore, name, seq, id } => {
                self.names.insert((*keystore, *name, *seq), *id)?;
            }
            Op::NameRemove { keystore, name, seq } => {
                self.names.remove((*keystore, *name, *seq))?;
            }
            Op::MemberPut { keystore, seq, id } => {
                self.members.insert((*keystore, *seq), *id)?;
            }
            Op::MemberRemove { keystore, seq } => {
                self.members.remove((*keystore, *seq))?;
            }
            Op::UsagePut { id, counters } => {
                self.usage.insert(*id, *counters)?;
            }
            Op::UsageRemove { id } => {
                self.usage.remove(*id)?;
            }
            Op::RecordPut { kind, key, value } => {
                self.records.insert((*kind, *key), *value)?;
            }
            Op::RecordRemove { kind, key } => {
                self.records.remove((*kind, *key))?;
            }
            // The META table is written once per group, by the caller.
            Op::NextSeq(_) => {}
        }
        self.note(op)
    }
}

type CommitReply = oneshot::Sender<Result<Vec<u64>, StoreError>>;
type FlushReply = oneshot::Sender<Result<(), StoreError>>;

/// Answers owed once the group's fate is known.
#[derive(Default)]
struct Pending {
    /// Each caller's reply and its applied steps, or why its check failed.
    commits: Vec<(CommitReply, Result<Vec<Step>, StoreError>)>,
    /// Each flush's counters (marked changed again if the commit fails) and its reply.
    usage: Vec<(Vec<Arc<ObjectUsage>>, Option<FlushReply>)>,
}

/// Commits `group` and updates the cache (under the writer's state, so in
/// commit order); returns the answers, to be sent once the state is released
/// (a caller answered while it is held would find it busy for its next commit).
#[must_use]
fn write_group(db: &Database, shared: &Shared, state: &mut WriterState, group: Vec<Request>) -> Answers {
    let mut pending = Pending::default();
    let result = apply_group(db, shared, state, group, &mut pending);
    if let Some(wal) = &state.wal {
        shared.log_sync_slow.store(wal.last_sync() > state.slow_log_sync, Ordering::Relaxed);
    }
    let mut answers = Answers::default();
    match result {
        Ok(committed) => {
            if committed {
                shared.commits_written.fetch_add(1, Ordering::Relaxed);
            }
            for (reply, outcome) in pending.commits {
                let steps = match outcome {
                    Ok(steps) => steps,
                    Err(e) => {
                        answers.commits.push((reply, Err(e)));
                        continue;
                    }
                };
                answers.commits.push((reply, Ok(publish(shared, steps))));
            }
            answers.flushes = pending.usage.into_iter().filter_map(|(_, done)| done.map(|d| (d, Ok(())))).collect();
        }
        Err(e) => {
            answers.commits = pending.commits.into_iter().map(|(reply, _)| (reply, Err(e.clone()))).collect();
            for (usages, done) in pending.usage {
                for u in usages {
                    u.mark_changed();
                }
                if let Some(done) = done {
                    answers.flushes.push((done, Err(e.clone())));
                }
            }
        }
    }
    answers
}

/// Updates the cache (and drops the counters of deleted objects) with a
/// caller's committed steps; returns its new revisions, one per change.
fn publish(shared: &Shared, steps: Vec<Step>) -> Vec<u64> {
    let mut revisions = Vec::with_capacity(steps.len());
    for step in steps {
        match step {
            Step::Put { object } => {
                revisions.push(object.revision);
                shared.cache.put(Arc::new(object));
            }
            Step::Delete { id, revision } => {
                revisions.push(revision);
                shared.cache.remove(&id);
                super::write(&shared.usage).remove(&id);
            }
            Step::Record => revisions.push(0),
        }
    }
    revisions
}

/// What a group's callers are told.
#[derive(Default)]
struct Answers {
    commits: Vec<(CommitReply, Result<Vec<u64>, StoreError>)>,
    flushes: Vec<(FlushReply, Result<(), StoreError>)>,
}

impl Answers {
    fn send(self) {
        for (reply, answer) in self.commits {
            let _ = reply.send(answer);
        }
        for (done, answer) in self.flushes {
            let _ = done.send(answer);
        }
    }
}

/// Checks and applies every request; Ok(true) if a transaction was committed.
/// Every answer waits in `pending` for the commit: even a caller whose check
/// failed, since the check may have seen another caller's change that the
/// failed commit then undid.
fn apply_group(
    db: &Database,
    shared: &Shared,
    state: &mut WriterState,
    group: Vec<Request>,
    pending: &mut Pending,
) -> Result<bool, StoreError> {
    // A group of several callers commits durably in redb itself: its one fsync is
    // already shared, and every durable commit keeps redb's backlog of pages freed
    // by non-durable ones short (a checkpoint after thousands of them stalls the
    // writer for tens of milliseconds). The log serves the lone caller, whose
    // commit it makes about twice as cheap.
    let use_log = state.wal.is_some() && group.len() < LOG_GROUP_MAX;
    if !use_log {
        // The log empty first: replaying its older records after this durable commit
        // would write older values over the group's.
        checkpoint(db, shared, state);
    }
    // Move every reply into `pending` first, so that a storage failure below reaches them all.
    let mut work = Vec::with_capacity(group.len());
    for request in group {
        match request {
            Request::Commit { changes, reply } => {
                pending.commits.push((reply, Ok(Vec::new())));
                work.push(Work::Commit(pending.commits.len() - 1, changes));
            }
            Request::Usage { rows, done } => {
                let (rows, usages): (Vec<_>, Vec<_>) = rows.into_iter().map(|(id, u, b)| ((id, b), u)).unzip();
                pending.usage.push((usages, done));
                work.push(Work::Usage(rows));
            }
            Request::Nudge => {}
        }
    }
    // The checks below read redb, which must hold every lone caller's commit.
    settle(db, shared, state)?;
    if state.checkpoint_failed || state.wal.as_ref().is_some_and(Wal::has_failed) {
        // A durable commit now could be overwritten by the log's older records at the next open's replay.
        return Err(StoreError::Io("the write-ahead log failed earlier; reopen the store".to_string()));
    }
    let mut txn = db.begin_write().map_err(io)?;
    // With the log, the log's fsync makes the group durable; redb's commit only has to be visible.
    let durability = if use_log { Durability::None } else { Durability::Immediate };
    txn.set_durability(durability).map_err(io)?;
    let mut wrote = false;
    let log;
    {
        let mut t = Tables::open(&txn, use_log)?;
        let seq_before = state.next_seq;
        for w in work {
            match w {
                Work::Commit(slot, changes) => {
                    let outcome = match apply_changes(&mut t, state, changes) {
                        Ok(steps) => {
                            wrote = true;
                            Ok(steps)
                        }
                        Err(GroupError::Caller(e)) => Err(e),
                        Err(GroupError::Storage(e)) => return Err(e),
                    };
                    if let Some(p) = pending.commits.get_mut(slot) {
                        p.1 = outcome;
                    }
                }
                Work::Usage(rows) => {
                    for (id, bytes) in rows {
                        // A counter of an object deleted meanwhile is not written back.
                        if t.objects.get(id.as_str()).map_err(io)?.is_some() {
                            t.apply(Op::UsagePut { id: &id, counters: &bytes }).map_err(GroupError::into_store)?;
                            wrote = true;
                        }
                    }
                }
            }
        }
        if state.next_seq != seq_before {
            let mut meta = txn.open_table(META).map_err(io)?;
            meta.insert(NEXT_SEQ, state.next_seq).map_err(io)?;
            t.note(Op::NextSeq(state.next_seq)).map_err(GroupError::into_store)?;
        }
        log = t.log.take();
    }
    if !wrote {
        txn.abort().map_err(io)?;
        return Ok(false);
    }
    if let (Some(wal), Some(body)) = (state.wal.as_mut(), log) {
        // Durable from here on: the record replays should redb's commit below never reach the disk.
        if let Err(e) = wal.append(&body) {
            let _ = txn.abort();
            return Err(e);
        }
        if let Err(e) = txn.commit() {
            // The log now holds a group that redb does not: appending later groups,
            // checked against redb's state, could contradict it on replay.
            wal.poison();
            return Err(io(e));
        }
        return Ok(true);
    }
    txn.commit().map_err(io)?;
    Ok(true)
}

enum Work {
    Commit(usize, Vec<Prepared>),
    Usage(Vec<(String, Vec<u8>)>),
}

/// A checked change, before it is applied.
enum Planned {
    Put { object: StoredObject, bytes: Vec<u8>, seq: u64, old: Option<Header> },
    Delete { id: String, old: Header },
    Record { table: String, key: String, value: Option<Vec<u8>> },
}

/// Checks all of one caller's changes, then applies them; on a failed check nothing is applied.
fn apply_changes(t: &mut Tables<'_>, state: &mut WriterState, changes: Vec<Prepared>) -> Result<Vec<Step>, GroupError> {
    let planned = plan_changes(&t.objects, &t.names, state, changes)?;
    write_planned(planned, &mut |op| t.apply(op))
}

/// Checks all of one caller's changes against `objects` (and each other),
/// the names they give against `names` ([`check_names`]), and gives new
/// objects their sequence numbers; writes nothing.
fn plan_changes(
    objects: &impl ReadableTable<&'static str, &'static [u8]>,
    names: &impl ReadableTable<(&'static str, &'static str, u64), &'static str>,
    state: &mut WriterState,
    changes: Vec<Prepared>,
) -> Result<Vec<Planned>, GroupError> {
    // The state each id will have after the changes checked so far (None: absent).
    let mut overlay: HashMap<String, Option<Header>> = HashMap::new();
    // The state each id changed had before this caller's changes.
    let mut before: HashMap<String, Option<Header>> = HashMap::new();
    // The ids put, in order.
    let mut puts: Vec<String> = Vec::new();
    let mut planned = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Prepared::Put { mut object, sealed, expected } => {
                let old = current_header(objects, &overlay, &object.id)?;
                if !overlay.contains_key(&object.id) {
                    before.insert(object.id.clone(), old.clone());
                }
                let revision = match (expected, &old) {
                    (None, None) => 1,
                    (None, Some(_)) => return Err(GroupError::Caller(StoreError::AlreadyExists { id: object.id })),
                    (Some(r), Some(h)) if h.revision == r => r.saturating_add(1),
                    (Some(_), _) => return Err(GroupError::Caller(StoreError::Conflict { id: object.id })),
                };
                let seq = match &old {
                    Some(h) => h.seq,
                    None => {
                        let s = state.next_seq;
                        state.next_seq = s.saturating_add(1);
                        s
                    }
                };
                object.revision = revision;
                let bytes =
                    record::encode(revision, seq, &object.keystore, &object.names, &object.metadata, sealed.as_deref())
                        .map_err(|_| {
                            GroupError::Caller(StoreError::Invalid {
                                reason: format!("object {} has a field over 4 GiB", object.id),
                            })
                        })?;
                let header = Header {
                    revision,
                    seq,
                    keystore: object.keystore.clone(),
                    names: object.names.clone(),
                    material: sealed.is_some(),
                };
                overlay.insert(object.id.clone(), Some(header));
                puts.push(object.id.clone());
                planned.push(Planned::Put { object, bytes, seq, old });
            }
            Prepared::Delete { id, expected } => match current_header(objects, &overlay, &id)? {
                Some(old) if old.revision == expected => {
                    if !overlay.contains_key(&id) {
                        before.insert(id.clone(), Some(old.clone()));
                    }
                    overlay.insert(id.clone(), None);
                    planned.push(Planned::Delete { id, old });
                }
                _ => return Err(GroupError::Caller(StoreError::Conflict { id })),
            },
            Prepared::Record { table, key, value } => planned.push(Planned::Record { table, key, value }),
        }
    }
    check_names(objects, names, &overlay, &before, &puts)?;
    Ok(planned)
}

/// Refuses a caller's changes ([`StoreError::NameTaken`]) when one of its
/// Puts gives an object a name that another object of the same key store
/// holds, with key material, once the changes are applied: the Name
/// uniqueness of KMIP, checked atomically with the commit (the operations
/// layer checks first, for its exact errors, but two requests can both pass
/// that check). A destroyed object (no material) does not hold its names.
///
/// Checked on the final state of the changes (`overlay`), so their order
/// does not matter; `before` is what the changed ids were before them.
/// Names an object already had are not checked again (unless it was destroyed
/// and gets its material back: a batch's Undo). Two objects taking
/// one name in the same changes are refused; but a name may be taken when
/// the same changes put an object that held it (with material): a rotation,
/// whose new version takes its predecessor's names while the predecessor,
/// revision-checked, keeps them (see `operations::rotation`) or drops them.
/// One range of `names` per name taken, only when no such object hands it on.
fn check_names(
    objects: &impl ReadableTable<&'static str, &'static [u8]>,
    names: &impl ReadableTable<(&'static str, &'static str, u64), &'static str>,
    overlay: &HashMap<String, Option<Header>>,
    before: &HashMap<String, Option<Header>>,
    puts: &[String],
) -> Result<(), GroupError> {
    let had = |id: &str, keystore: &str, name: &str| {
        before
            .get(id)
            .and_then(Option::as_ref)
            .is_some_and(|h| h.keystore == keystore && h.names.iter().any(|n| n == name))
    };
    // Held it before the changes, and is put by them: hands it on.
    let hands_on = |id: &str, after: &Option<Header>, keystore: &str, name: &str| {
        after.is_some() && before.get(id).and_then(Option::as_ref).is_some_and(|h| holds(h, keystore, name))
    };
    let taken = |name: &str| Err(GroupError::Caller(StoreError::NameTaken { name: name.to_string() }));
    for (i, id) in puts.iter().enumerate() {
        // An id put twice is checked once, in its final state.
        if puts.iter().take(i).any(|earlier| earlier == id) {
            continue;
        }
        let Some(Some(header)) = overlay.get(id) else { continue };
        let keystore = header.keystore.as_str();
        // A destroyed object given its material back (a batch's Undo restores what it
        // destroyed) takes its names anew: another object may have taken them meanwhile.
        let revived = header.material && before.get(id).and_then(Option::as_ref).is_some_and(|h| !h.material);
        for name in &header.names {
            let name = name.as_str();
            if had(id, keystore, name) && !revived {
                continue;
            }
            let mut handed_on = false;
            for (other, after) in overlay {
                if other == id {
                    continue;
                }
                if had(other, keystore, name) {
                    handed_on |= hands_on(other, after, keystore, name);
                } else if after.as_ref().is_some_and(|h| holds(h, keystore, name)) {
                    return taken(name);
                }
            }
            if handed_on {
                continue;
            }
            for row in names.range((keystore, name, 0u64)..=(keystore, name, u64::MAX))? {
                let (_, other) = row?;
                let other = other.value();
                if other != id && current_header(objects, overlay, other)?.is_some_and(|h| holds(&h, keystore, name)) {
                    return taken(name);
                }
            }
        }
    }
    Ok(())
}

/// The object (as of `h`) holds `name` in `keystore` against new takers.
fn holds(h: &Header, keystore: &str, name: &str) -> bool {
    h.material && h.keystore == keystore && h.names.iter().any(|n| n == name)
}

/// Hands the table writes of checked changes to `write`, in order.
fn write_planned(
    planned: Vec<Planned>,
    write: &mut impl FnMut(Op<'_>) -> Result<(), GroupError>,
) -> Result<Vec<Step>, GroupError> {
    let mut steps = Vec::with_capacity(planned.len());
    for p in planned {
        match p {
            Planned::Put { object, bytes, seq, old } => {
                let id = object.id.as_str();
                if let Some(old) = &old {
                    remove_index(write, old)?;
                }
                write(Op::ObjectPut { id, record: &bytes })?;
                let keystore = object.keystore.as_str();
                for name in &object.names {
                    write(Op::NamePut { keystore, name, seq, id })?;
                }
                write(Op::MemberPut { keystore, seq, id })?;
                steps.push(Step::Put { object });
            }
            Planned::Delete { id, old } => {
                remove_index(write, &old)?;
                write(Op::ObjectRemove { id: &id })?;
                write(Op::UsageRemove { id: &id })?;
                steps.push(Step::Delete { id, revision: old.revision });
            }
            Planned::Record { table, key, value } => {
                let (kind, key) = (table.as_str(), key.as_str());
                match &value {
                    Some(value) => write(Op::RecordPut { kind, key, value })?,
                    None => write(Op::RecordRemove { kind, key })?,
                }
                steps.push(Step::Record);
            }
        }
    }
    Ok(steps)
}

/// Removes the name and membership entries of the record `old`.
fn remove_index(write: &mut impl FnMut(Op<'_>) -> Result<(), GroupError>, old: &Header) -> Result<(), GroupError> {
    let (keystore, seq) = (old.keystore.as_str(), old.seq);
    for name in &old.names {
        write(Op::NameRemove { keystore, name, seq })?;
    }
    write(Op::MemberRemove { keystore, seq })?;
    Ok(())
}

fn current_header(
    objects: &impl ReadableTable<&'static str, &'static [u8]>,
    overlay: &HashMap<String, Option<Header>>,
    id: &str,
) -> Result<Option<Header>, GroupError> {
    if let Some(h) = overlay.get(id) {
        return Ok(h.clone());
    }
    let Some(guard) = objects.get(id)? else { return Ok(None) };
    let header = record::decode(guard.value())
        .map(|r| r.header())
        .map_err(|reason| GroupError::Caller(StoreError::Corrupt { id: id.to_string(), reason: reason.to_string() }))?;
    Ok(Some(header))
}

/// Decodes and unseals one record.
fn unseal(key: &[u8; 32], id: &str, bytes: &[u8]) -> Result<StoredObject, StoreError> {
    let corrupt = |reason: &str| StoreError::Corrupt { id: id.to_string(), reason: reason.to_string() };
    let r = record::decode(bytes).map_err(corrupt)?;
    let material = match r.sealed {
        None => None,
        Some(s) => Some(
            seal::open(key, id.as_bytes(), s)
                .map_err(|_| corrupt("the sealed material does not open (tampered, or another master key)"))?,
        ),
    };
    Ok(StoredObject {
        id: id.to_string(),
        keystore: r.keystore,
        revision: r.revision,
        names: r.names,
        metadata: r.metadata.to_vec(),
        material,
    })
}

/// One object read from disk and unsealed, or None.
pub(crate) fn read_object(db: &Database, key: &[u8; 32], id: &str) -> Result<Option<StoredObject>, StoreError> {
    let txn = db.begin_read().map_err(io)?;
    let objects = txn.open_table(OBJECTS).map_err(io)?;
    let Some(guard) = objects.get(id).map_err(io)? else { return Ok(None) };
    unseal(key, id, guard.value()).map(Some)
}

pub(crate) fn ids_by_name(db: &Database, keystore: &str, name: &str) -> Result<Vec<String>, StoreError> {
    let txn = db.begin_read().map_err(io)?;
    let names = txn.open_table(NAMES).map_err(io)?;
    let mut ids = Vec::new();
    for row in names.range((keystore, name, 0u64)..=(keystore, name, u64::MAX)).map_err(io)? {
        let (_, id) = row.map_err(io)?;
        ids.push(id.value().to_string());
    }
    Ok(ids)
}

/// The key stores that have at least one object, in name order: a skip
/// scan over the membership table, one seek per key store.
pub(crate) fn keystores(db: &Database) -> Result<Vec<String>, StoreError> {
    use std::ops::Bound;
    let txn = db.begin_read().map_err(io)?;
    let members = txn.open_table(MEMBERS).map_err(io)?;
    let mut out: Vec<String> = Vec::new();
    loop {
        let next = match out.last() {
            None => members.first().map_err(io)?.map(|(k, _)| k.value().0.to_string()),
            Some(last) => {
                let from = (last.as_str(), u64::MAX);
                let mut range = members.range::<(&str, u64)>((Bound::Excluded(from), Bound::Unbounded)).map_err(io)?;
                match range.next() {
                    Some(row) => Some(row.map_err(io)?.0.value().0.to_string()),
                    None => None,
                }
            }
        };
        match next {
            Some(k) => out.push(k),
            None => return Ok(out),
        }
    }
}

/// Every object of `keystore` in creation order; cached objects are taken from the cache.
pub(crate) fn list(
    db: &Database,
    key: &[u8; 32],
    cache: &Cache,
    keystore: &str,
) -> Result<Vec<Arc<StoredObject>>, StoreError> {
    let txn = db.begin_read().map_err(io)?;
    let members = txn.open_table(MEMBERS).map_err(io)?;
    let objects = txn.open_table(OBJECTS).map_err(io)?;
    let mut out = Vec::new();
    for row in members.range((keystore, 0u64)..=(keystore, u64::MAX)).map_err(io)? {
        let (_, id) = row.map_err(io)?;
        let id = id.value();
        if let Some(o) = cache.get(id) {
            out.push(o);
            continue;
        }
        // Not filling the cache: one listing would evict the working set.
        if let Some(guard) = objects.get(id).map_err(io)? {
            out.push(Arc::new(unseal(key, id, guard.value())?));
        }
    }
    Ok(out)
}

/// Every record of kind `table`, by key.
pub(crate) fn records(db: &Database, table: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let txn = db.begin_read().map_err(io)?;
    let records = txn.open_table(RECORDS).map_err(io)?;
    let mut out = Vec::new();
    // Keys sort after (table, ""): every key of this kind, and nothing past the next kind.
    for row in records.range((table, "")..).map_err(io)? {
        let (k, v) = row.map_err(io)?;
        let (kind, key) = k.value();
        if kind != table {
            break;
        }
        out.push((key.to_string(), v.value().to_vec()));
    }
    Ok(out)
}

/// Raw access for tests that tamper with the file.
#[cfg(test)]
pub(crate) mod raw {
    use super::*;

    pub(crate) fn get(path: &Path, id: &str) -> Vec<u8> {
        let db = Database::create(path).unwrap();
        let txn = db.begin_read().unwrap();
        let t = txn.open_table(OBJECTS).unwrap();
        let v = t.get(id).unwrap().unwrap().value().to_vec();
        v
    }

    pub(crate) fn put(path: &Path, id: &str, bytes: &[u8]) {
        let db = Database::create(path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(OBJECTS).unwrap();
            t.insert(id, bytes).unwrap();
        }
        txn.commit().unwrap();
    }
}
