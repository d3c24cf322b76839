//! Tests that reach under the public API: records tampered with in the file.

use super::*;

const KEY: [u8; 32] = [0x42; 32];

struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        let n = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        TempFile(std::env::temp_dir().join(format!("coffer-unit-{name}-{}-{n}.redb", std::process::id())))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_file(self.0.with_extension("wal"));
    }
}

fn object(id: &str, material: &[u8]) -> StoredObject {
    StoredObject {
        id: id.to_string(),
        keystore: "ks".to_string(),
        revision: 0,
        names: vec![],
        metadata: b"m".to_vec(),
        material: Some(Zeroizing::new(material.to_vec())),
    }
}

async fn write_two(path: &Path) {
    let store = Store::open(path, MasterKey::from_bytes(&KEY).unwrap(), StoreOptions::default()).unwrap();
    let changes = vec![
        Change::Put { object: object("a", b"material a"), expected_revision: None },
        Change::Put { object: object("b", b"material b"), expected_revision: None },
    ];
    store.commit(changes).await.unwrap();
    store.close().await.unwrap();
}

fn reopen(path: &Path) -> Store {
    Store::open(path, MasterKey::from_bytes(&KEY).unwrap(), StoreOptions::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_sealed_material_reads_as_corrupt() {
    let f = TempFile::new("tamper");
    write_two(&f.0).await;
    let mut bytes = redb::raw::get(&f.0, "a");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01; // the last byte of the GCM tag
    redb::raw::put(&f.0, "a", &bytes);

    let store = reopen(&f.0);
    match store.get("a").await {
        Err(StoreError::Corrupt { id, .. }) => assert_eq!(id, "a"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(store.get("b").await.unwrap().unwrap().material.as_deref().unwrap().as_slice(), b"material b");
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_copied_under_another_id_does_not_open() {
    let f = TempFile::new("swap");
    write_two(&f.0).await;
    let a = redb::raw::get(&f.0, "a");
    redb::raw::put(&f.0, "b", &a);
    let store = reopen(&f.0);
    assert!(matches!(store.get("b").await, Err(StoreError::Corrupt { .. })));
    assert!(store.get("a").await.unwrap().is_some());
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_records_are_corrupt_for_readers_and_writers() {
    let f = TempFile::new("garbage");
    write_two(&f.0).await;
    redb::raw::put(&f.0, "a", &[1, 0, 0]);
    redb::raw::put(&f.0, "b", &[]);
    let store = reopen(&f.0);
    assert!(matches!(store.get("a").await, Err(StoreError::Corrupt { .. })));
    assert!(matches!(store.get("b").await, Err(StoreError::Corrupt { .. })));
    let replace = Change::Put { object: object("a", b"x"), expected_revision: Some(1) };
    assert!(matches!(store.commit(vec![replace]).await, Err(StoreError::Corrupt { .. })));
    store.close().await.unwrap();
}

/// Memory standing in for a disk that fails on demand: every write, sync and
/// resize fails while `fail` is set, or from the `countdown`-th one on (0: off).
#[derive(Debug, Default)]
struct Disk {
    mem: ::redb::backends::InMemoryBackend,
    /// The write-ahead log's bytes, for stores started with one.
    log: Mutex<Vec<u8>>,
    fail: std::sync::atomic::AtomicBool,
    countdown: std::sync::atomic::AtomicI64,
    /// Milliseconds each sync of the log takes.
    log_sync_ms: std::sync::atomic::AtomicU64,
}

impl Disk {
    fn check(&self) -> Result<(), std::io::Error> {
        if self.countdown.load(Ordering::SeqCst) > 0 && self.countdown.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.fail.store(true, Ordering::SeqCst);
        }
        if self.fail.load(Ordering::SeqCst) {
            return Err(std::io::Error::other("injected I/O failure"));
        }
        Ok(())
    }

    fn heal(&self) {
        self.countdown.store(0, Ordering::SeqCst);
        self.fail.store(false, Ordering::SeqCst);
    }
}

/// A redb backend over a shared [`Disk`], so that a "restarted" store sees what the last one wrote.
#[derive(Debug)]
struct FaultyBackend(Arc<Disk>);

impl ::redb::StorageBackend for FaultyBackend {
    fn len(&self) -> Result<u64, std::io::Error> {
        self.0.mem.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
        self.0.mem.read(offset, out)
    }
    fn set_len(&self, len: u64) -> Result<(), std::io::Error> {
        self.0.check()?;
        self.0.mem.set_len(len)
    }
    fn sync_data(&self) -> Result<(), std::io::Error> {
        self.0.check()?;
        self.0.mem.sync_data()
    }
    fn write(&self, offset: u64, data: &[u8]) -> Result<(), std::io::Error> {
        self.0.check()?;
        self.0.mem.write(offset, data)
    }
}

/// A write-ahead log in the same [`Disk`], failing with it.
struct FaultyLog(Arc<Disk>);

impl wal::LogFile for FaultyLog {
    fn read_all(&mut self) -> std::io::Result<Vec<u8>> {
        Ok(lock(&self.0.log).clone())
    }
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> std::io::Result<()> {
        let result = self.0.check();
        // A failing write leaves part of its bytes behind, as a real one can.
        let written = if result.is_ok() { bytes } else { &bytes[..bytes.len() / 2] };
        let mut log = lock(&self.0.log);
        let (start, end) = (offset as usize, offset as usize + written.len());
        if log.len() < end {
            log.resize(end, 0);
        }
        log[start..end].copy_from_slice(written);
        result
    }
    fn sync(&mut self) -> std::io::Result<()> {
        std::thread::sleep(Duration::from_millis(self.0.log_sync_ms.load(Ordering::SeqCst)));
        self.0.check()
    }
}

/// A store on `disk` whose commits go through a write-ahead log on it too.
fn start_logged(disk: &Arc<Disk>) -> Store {
    start_logged_with(disk, StoreOptions::default())
}

fn start_logged_with(disk: &Arc<Disk>, options: StoreOptions) -> Store {
    let db = ::redb::Database::builder().create_with_backend(FaultyBackend(Arc::clone(disk))).unwrap();
    let key = MasterKey::from_bytes(&KEY).unwrap();
    let log = wal::Wal::new(Box::new(FaultyLog(Arc::clone(disk))));
    Store::start(Some(tokio::runtime::Handle::current()), db, Some(log), key, options).unwrap()
}

/// Options under which no log fsync counts as slow (tests share two busy cores).
fn never_slow() -> StoreOptions {
    StoreOptions { slow_log_sync: Duration::from_secs(10), ..StoreOptions::default() }
}

fn start_on(disk: &Arc<Disk>) -> Store {
    let db = ::redb::Database::builder().create_with_backend(FaultyBackend(Arc::clone(disk))).unwrap();
    let key = MasterKey::from_bytes(&KEY).unwrap();
    Store::start(Some(tokio::runtime::Handle::current()), db, None, key, StoreOptions::default()).unwrap()
}

/// A failed write is never answered as a success: every caller of the group
/// gets Io, the cache keeps the last committed state, and later writes are
/// refused rather than half-applied (redb latches the failure until reopen).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_io_failure_is_reported_to_every_caller_and_nothing_is_acknowledged() {
    let disk = Arc::new(Disk::default());
    let store = start_on(&disk);
    store.commit(vec![Change::Put { object: object("a", b"one"), expected_revision: None }]).await.unwrap();

    disk.fail.store(true, Ordering::SeqCst);
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let change = if i == 0 {
                    Change::Put { object: object("a", b"two"), expected_revision: Some(1) }
                } else if i <= 2 {
                    // Two inserts of one id: the second must not be told AlreadyExists
                    // about an insert that was never committed.
                    Change::Put { object: object("dup", b"d"), expected_revision: None }
                } else {
                    Change::Put { object: object(&format!("new-{i}"), b"x"), expected_revision: None }
                };
                store.commit(vec![change]).await
            })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap();
        assert!(matches!(r, Err(StoreError::Io(_))), "{r:?}");
    }
    let a = store.get("a").await.unwrap().unwrap();
    assert_eq!((a.revision, a.material.as_deref().unwrap().as_slice()), (1, &b"one"[..]));
    assert!(!matches!(store.get("new-1").await, Ok(Some(_))));

    disk.heal();
    let later = store.commit(vec![Change::Put { object: object("later", b"y"), expected_revision: None }]).await;
    assert!(matches!(later, Err(StoreError::Io(_))), "{later:?}");
    assert!(store.get("later").await.unwrap().is_none());
    let _ = store.close().await;
}

#[test]
fn a_default_store_works_outside_a_runtime_and_a_closed_one_refuses_everything() {
    let store = Store::default();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        store.commit(vec![Change::Put { object: object("a", b"x"), expected_revision: None }]).await.unwrap();
        assert_eq!(store.get("a").await.unwrap().unwrap().revision, 1);
        store.close().await.unwrap();
        let closed = Store::closed();
        assert_eq!(closed.get("a").await.unwrap_err(), StoreError::Closed);
        assert_eq!(closed.list("ks").await.unwrap_err(), StoreError::Closed);
        let put = Change::Put { object: object("a", b"x"), expected_revision: None };
        assert_eq!(closed.commit(vec![put]).await.unwrap_err(), StoreError::Closed);
        closed.close().await.unwrap();
    });
}

/// Whichever write, sync or resize fails first (the 1st, the 2nd, ... of a run
/// of commits), every commit that was answered Ok is there after a restart
/// with its bytes, nothing panics, and the restarted store takes new writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_commit_is_lost_whichever_write_fails() {
    const COMMITS: usize = 8;
    let mut failed_runs = 0;
    for k in 1..=80 {
        let disk = Arc::new(Disk::default());
        let store = start_on(&disk);
        disk.countdown.store(k, Ordering::SeqCst);
        let mut acked = Vec::new();
        for n in 0..COMMITS {
            let id = format!("k{n}");
            let material = format!("material of {id}");
            let put = Change::Put { object: object(&id, material.as_bytes()), expected_revision: None };
            match store.commit(vec![put]).await {
                Ok(revs) => {
                    assert_eq!(revs, vec![1]);
                    acked.push((id, material));
                }
                Err(StoreError::Io(_)) => break,
                Err(e) => panic!("run {k}: unexpected {e:?}"),
            }
        }
        if acked.len() < COMMITS {
            failed_runs += 1;
        }
        let _ = store.close().await;
        drop(store);

        disk.heal();
        let store = start_on(&disk);
        for (id, material) in &acked {
            let o = store.get(id).await.unwrap().unwrap_or_else(|| panic!("run {k}: acknowledged {id} lost"));
            assert_eq!(o.material.as_deref().unwrap().as_slice(), material.as_bytes(), "run {k}");
        }
        let put = Change::Put { object: object("after", b"x"), expected_revision: None };
        store.commit(vec![put]).await.unwrap_or_else(|e| panic!("run {k}: the restarted store refuses writes: {e:?}"));
        store.close().await.unwrap();
    }
    assert!(failed_runs >= 40, "the countdown hit only {failed_runs} runs");
}

/// With the write-ahead log: a failed append or sync of the log is never
/// answered as a success, nothing of the group becomes visible, and later
/// writes are refused (the log's tail is unknown) until the store is reopened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_log_write_is_reported_to_every_caller_and_nothing_becomes_visible() {
    let disk = Arc::new(Disk::default());
    let store = start_logged(&disk);
    store.commit(vec![Change::Put { object: object("a", b"one"), expected_revision: None }]).await.unwrap();
    assert!(!lock(&disk.log).is_empty(), "the commit did not go through the log");

    disk.fail.store(true, Ordering::SeqCst);
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let change = if i == 0 {
                    Change::Put { object: object("a", b"two"), expected_revision: Some(1) }
                } else {
                    Change::Put { object: object(&format!("new-{i}"), b"x"), expected_revision: None }
                };
                store.commit(vec![change]).await
            })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap();
        assert!(matches!(r, Err(StoreError::Io(_))), "{r:?}");
    }
    let a = store.get("a").await.unwrap().unwrap();
    assert_eq!((a.revision, a.material.as_deref().unwrap().as_slice()), (1, &b"one"[..]));
    for i in 1..10 {
        assert!(store.get(&format!("new-{i}")).await.unwrap().is_none(), "new-{i} is visible");
    }

    disk.heal();
    let later = store.commit(vec![Change::Put { object: object("later", b"y"), expected_revision: None }]).await;
    assert!(matches!(later, Err(StoreError::Io(_))), "{later:?}");
    let _ = store.close().await;
    drop(store);

    let store = start_logged(&disk);
    let a = store.get("a").await.unwrap().unwrap();
    assert_eq!(a.material.as_deref().unwrap().as_slice(), b"one");
    store.commit(vec![Change::Put { object: object("later", b"y"), expected_revision: None }]).await.unwrap();
    store.close().await.unwrap();
}

/// With the write-ahead log: whichever write, sync or resize of the log or
/// of redb's file fails first, every commit answered Ok is there after a
/// restart (from redb, or replayed from the log) with its bytes, and the
/// restarted store takes new writes. Runs with a checkpoint after every
/// group, so that failures land in checkpoints and log resets too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_commit_is_lost_whichever_log_or_page_write_fails() {
    const COMMITS: usize = 8;
    let mut failed_runs = 0;
    for k in 1..=60 {
        let disk = Arc::new(Disk::default());
        let db = ::redb::Database::builder().create_with_backend(FaultyBackend(Arc::clone(&disk))).unwrap();
        let log = wal::Wal::new(Box::new(FaultyLog(Arc::clone(&disk))));
        let options = StoreOptions { checkpoint_bytes: 1, ..StoreOptions::default() };
        let key = MasterKey::from_bytes(&KEY).unwrap();
        let store = Store::start(Some(tokio::runtime::Handle::current()), db, Some(log), key, options).unwrap();
        disk.countdown.store(k, Ordering::SeqCst);
        let mut acked = Vec::new();
        for n in 0..COMMITS {
            let id = format!("k{n}");
            let material = format!("material of {id}");
            let put = Change::Put { object: object(&id, material.as_bytes()), expected_revision: None };
            match store.commit(vec![put]).await {
                Ok(revs) => {
                    assert_eq!(revs, vec![1]);
                    acked.push((id, material));
                }
                Err(StoreError::Io(_)) => break,
                Err(e) => panic!("run {k}: unexpected {e:?}"),
            }
        }
        if acked.len() < COMMITS {
            failed_runs += 1;
        }
        let _ = store.close().await;
        drop(store);

        disk.heal();
        let store = start_logged(&disk);
        for (id, material) in &acked {
            let o = store.get(id).await.unwrap().unwrap_or_else(|| panic!("run {k}: acknowledged {id} lost"));
            assert_eq!(o.material.as_deref().unwrap().as_slice(), material.as_bytes(), "run {k}");
        }
        let put = Change::Put { object: object("after", b"x"), expected_revision: None };
        store.commit(vec![put]).await.unwrap_or_else(|e| panic!("run {k}: the restarted store refuses writes: {e:?}"));
        store.close().await.unwrap();
    }
    assert!(failed_runs >= 30, "the countdown hit only {failed_runs} runs");
}

fn record(table: &str, key: &str, value: Option<&[u8]>) -> Change {
    Change::Record { table: table.to_string(), key: key.to_string(), value: value.map(<[u8]>::to_vec) }
}

/// Records (key stores, credentials) commit with objects in one
/// transaction, are listed by kind only, survive a reopen, and a commit
/// whose object check fails writes none of its records either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_commit_atomically_with_objects_and_survive_a_reopen() {
    let f = TempFile::new("records");
    let store = reopen(&f.0);
    store
        .commit(vec![
            Change::Put { object: object("a", b"material a"), expected_revision: None },
            record("keystores", "ks", Some(b"one")),
            record("keystores", "kt", Some(b"two")),
            record("keystoresx", "z", Some(b"other kind")),
            record("credentials", "c1", Some(b"cred")),
        ])
        .await
        .unwrap();
    // A commit whose object check fails: its record is not written.
    let refused = store
        .commit(vec![
            record("keystores", "ku", Some(b"three")),
            Change::Put { object: object("a", b"again"), expected_revision: None },
        ])
        .await;
    assert!(matches!(refused, Err(StoreError::AlreadyExists { .. })), "{refused:?}");
    // Delete the object and a record, replace another, together.
    store
        .commit(vec![
            Change::Delete { id: "a".to_string(), expected_revision: 1 },
            record("keystores", "ks", None),
            record("keystores", "kt", Some(b"two, renamed")),
        ])
        .await
        .unwrap();
    store.close().await.unwrap();

    let store = reopen(&f.0);
    assert!(store.get("a").await.unwrap().is_none());
    assert_eq!(store.records("keystores").await.unwrap(), vec![("kt".to_string(), b"two, renamed".to_vec())]);
    assert_eq!(store.records("credentials").await.unwrap(), vec![("c1".to_string(), b"cred".to_vec())]);
    assert_eq!(store.records("keystoresx").await.unwrap().len(), 1);
    assert!(store.records("nothing").await.unwrap().is_empty());
    store.close().await.unwrap();
}

#[tokio::test]
async fn a_sealed_secret_opens_only_with_its_associated_data_and_master_key() {
    let store = Store::in_memory(MasterKey::from_bytes(&KEY).unwrap(), StoreOptions::default()).unwrap();
    let sealed = store.seal_secret(b"keystore-ca:ks", b"ca private key").unwrap();
    assert!(!sealed.windows(6).any(|w| w == b"ca pri"), "plaintext in the sealed bytes");
    assert_eq!(store.open_secret(b"keystore-ca:ks", &sealed).unwrap().as_slice(), b"ca private key");
    assert!(matches!(store.open_secret(b"keystore-ca:kt", &sealed), Err(StoreError::Corrupt { .. })));
    let other = Store::in_memory(MasterKey::from_bytes(&[7; 32]).unwrap(), StoreOptions::default()).unwrap();
    assert!(other.open_secret(b"keystore-ca:ks", &sealed).is_err());
}

/// Objects and records whose commits reached only the write-ahead log (the
/// checkpoint at close fails, so redb never holds them durably) are replayed
/// on restart, deletions included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_and_records_only_in_the_log_are_replayed_on_restart() {
    let disk = Arc::new(Disk::default());
    let db = ::redb::Database::builder().create_with_backend(FaultyBackend(Arc::clone(&disk))).unwrap();
    let log = wal::Wal::new(Box::new(FaultyLog(Arc::clone(&disk))));
    let hold = StoreOptions { checkpoint_interval: Duration::from_secs(3600), ..StoreOptions::default() };
    let key = MasterKey::from_bytes(&KEY).unwrap();
    let store = Store::start(Some(tokio::runtime::Handle::current()), db, Some(log), key, hold).unwrap();
    store
        .commit(vec![
            Change::Put { object: object("a", b"material a"), expected_revision: None },
            record("keystores", "ks", Some(b"one")),
            record("credentials", "c1", Some(b"cred")),
        ])
        .await
        .unwrap();
    store.commit(vec![record("credentials", "c1", None)]).await.unwrap();
    disk.fail.store(true, Ordering::SeqCst);
    let _ = store.close().await;
    drop(store);

    disk.heal();
    let store = start_logged(&disk);
    let a = store.get("a").await.unwrap().expect("the object was not replayed");
    assert_eq!(a.material.as_deref().unwrap().as_slice(), b"material a");
    assert_eq!(store.records("keystores").await.unwrap(), vec![("ks".to_string(), b"one".to_vec())]);
    assert!(store.records("credentials").await.unwrap().is_empty(), "the deletion was not replayed");
    store.close().await.unwrap();
}

fn put(id: &str) -> Vec<Change> {
    vec![Change::Put { object: object(id, b"material"), expected_revision: None }]
}

/// The records in the write-ahead log of `disk`.
fn logged_records(disk: &Disk) -> usize {
    wal::parse(&lock(&disk.log)).1.len()
}

/// A caller with nobody else committing commits on its own thread, durably
/// through the log; the writer thread, nudged, empties the log once idle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lone_commits_are_made_on_the_callers_thread_and_checkpointed_once_idle() {
    let disk = Arc::new(Disk::default());
    let store = start_logged_with(&disk, never_slow());
    for i in 0..10 {
        store.commit(put(&format!("k{i}"))).await.unwrap();
    }
    // The writer holds its state only briefly (deciding how long to sleep), so nearly every one.
    assert!(store.lone_commits() >= 5, "only {} of 10 lone callers committed themselves", store.lone_commits());
    assert!(logged_records(&disk) > 0, "the commits are durable through the log");
    // Idle for a twentieth of the checkpoint interval (12.5 ms): the writer checkpoints.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while logged_records(&disk) > 0 {
        assert!(std::time::Instant::now() < deadline, "the log was never checkpointed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for i in 0..10 {
        assert!(store.get(&format!("k{i}")).await.unwrap().is_some());
    }
    store.close().await.unwrap();
}

/// Callers arriving together still share the writer's transactions and fsyncs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_are_group_committed_by_the_writer() {
    let disk = Arc::new(Disk::default());
    disk.log_sync_ms.store(1, Ordering::SeqCst);
    let store = Arc::new(start_logged(&disk));
    let before = store.commits_written();
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.commit(put(&format!("k{i}"))).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let transactions = store.commits_written() - before;
    assert!(transactions < 16, "32 callers took {transactions} transactions");
    assert!(store.lone_commits() < 16, "{} of 32 concurrent callers committed alone", store.lone_commits());
    for i in 0..32 {
        assert!(store.get(&format!("k{i}")).await.unwrap().is_some());
    }
    store.close().await.unwrap();
}

/// While the log's fsync is slow, a lone caller goes to the writer thread
/// rather than block its own (a runtime worker) for that long.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_log_sends_lone_callers_to_the_writer_until_it_is_fast_again() {
    let disk = Arc::new(Disk::default());
    let store = start_logged(&disk);
    disk.log_sync_ms.store(5, Ordering::SeqCst);
    store.commit(put("slow")).await.unwrap();
    let lone = store.lone_commits();
    for i in 0..5 {
        store.commit(put(&format!("slow {i}"))).await.unwrap();
    }
    assert_eq!(store.lone_commits(), lone, "a lone caller blocked its thread on a slow log");
    disk.log_sync_ms.store(0, Ordering::SeqCst);
    for i in 0..20 {
        store.commit(put(&format!("fast {i}"))).await.unwrap();
    }
    assert!(store.lone_commits() > lone, "lone callers never committed themselves again");
    store.close().await.unwrap();
}

/// A lone caller is answered once its record is synced in the log; redb gets
/// it afterwards, and a reader of redb that comes first applies it itself:
/// every read, from any index, sees every answered commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_see_a_lone_commit_that_redb_does_not_hold_yet() {
    let disk = Arc::new(Disk::default());
    // No idle checkpoint (the writer would apply the records) during the test.
    let hold = StoreOptions { checkpoint_interval: Duration::from_secs(3600), ..never_slow() };
    let store = start_logged_with(&disk, hold);
    for i in 0..3 {
        let id = format!("k{i}");
        let mut o = object(&id, b"");
        o.names = vec![format!("name {i}")];
        // Store::commit would also queue the record's application; commit as it does, without that.
        let db = store.inner.db().unwrap();
        let put = redb::Prepared::Put { object: o, sealed: None, expected: None };
        let (answer, _) = redb::commit_alone(&db, &store.inner.shared, &mut lock(&store.inner.writer_state), vec![put]);
        answer.unwrap();
        assert!(store.inner.shared.deferred.load(Ordering::Acquire), "redb already holds the commit");
        // Neither read goes through the cache: the name index, and the key store's members.
        assert_eq!(store.ids_by_name("ks", &format!("name {i}")).await.unwrap(), vec![id.clone()]);
        assert!(!store.inner.shared.deferred.load(Ordering::Acquire));
        assert_eq!(store.list("ks").await.unwrap().len(), i + 1);
    }
    // A commit checked against redb: it must hold the earlier ones.
    let again = Change::Put { object: object("k0", b"other"), expected_revision: None };
    assert_eq!(store.commit(vec![again]).await.unwrap_err(), StoreError::AlreadyExists { id: "k0".to_string() });
    // Through Store::commit, the caller's thread applies its record once answered.
    store.commit(put("k9")).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while store.inner.shared.deferred.load(Ordering::Acquire) {
        assert!(std::time::Instant::now() < deadline, "the lone commit was never applied to redb");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert!(logged_records(&disk) >= 4, "the commits are durable through the log");
    store.close().await.unwrap();
}

/// An object of `keystore` with `names`, and material unless None (destroyed).
fn named(id: &str, keystore: &str, names: &[&str], material: Option<&[u8]>) -> StoredObject {
    StoredObject {
        id: id.to_string(),
        keystore: keystore.to_string(),
        revision: 0,
        names: names.iter().map(|n| n.to_string()).collect(),
        metadata: b"m".to_vec(),
        material: material.map(|m| Zeroizing::new(m.to_vec())),
    }
}

fn insert(object: StoredObject) -> Change {
    Change::Put { object, expected_revision: None }
}

fn replace(object: StoredObject, revision: u64) -> Change {
    Change::Put { object, expected_revision: Some(revision) }
}

fn name_taken(name: &str) -> StoreError {
    StoreError::NameTaken { name: name.to_string() }
}

/// Two requests that both passed the operations' Name check cannot both
/// commit: of 32 callers putting a new object with one name at once (in the
/// writer's groups, with and without a log, or alone), exactly one succeeds
/// and the others get NameTaken with nothing of theirs applied, while the
/// other callers of their groups and the same name in another key store are
/// unaffected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_32_concurrent_commits_taking_one_name_exactly_one_succeeds() {
    for logged in [true, false] {
        let disk = Arc::new(Disk::default());
        disk.log_sync_ms.store(1, Ordering::SeqCst);
        let store = Arc::new(if logged { start_logged(&disk) } else { start_on(&disk) });
        let before = store.commits_written();
        let takers: Vec<_> = (0..32)
            .map(|i| {
                let store = Arc::clone(&store);
                let (id, extra) = (format!("k{i}"), format!("extra{i}"));
                let changes = vec![
                    insert(named(&id, "ks", &["shared"], Some(b"material"))),
                    insert(named(&extra, "ks", &[&extra], Some(b"material"))),
                ];
                tokio::spawn(async move { store.commit(changes).await })
            })
            .collect();
        let bystanders: Vec<_> = (0..16)
            .map(|i| {
                let store = Arc::clone(&store);
                // One of them takes the name in another key store.
                let other = if i == 0 { "shared".to_string() } else { format!("own{i}") };
                let changes = vec![
                    insert(named(&format!("b{i}"), "ks", &[&format!("own{i}")], Some(b"material"))),
                    insert(named(&format!("o{i}"), "other", &[&other], Some(b"material"))),
                ];
                tokio::spawn(async move { store.commit(changes).await })
            })
            .collect();
        let mut winners = Vec::new();
        for (i, t) in takers.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(_) => winners.push(i),
                Err(e) => assert_eq!(e, name_taken("shared"), "logged {logged}: caller {i}"),
            }
        }
        assert_eq!(winners.len(), 1, "logged {logged}: {winners:?} all took the name");
        let mut bystanders_ok = 0;
        for t in bystanders {
            let r = t.await.unwrap();
            assert!(r.is_ok(), "logged {logged}: a bystander failed: {r:?}");
            bystanders_ok += 1;
        }
        assert_eq!(bystanders_ok, 16);
        assert!(store.commits_written() - before < 48, "logged {logged}: no group had two callers");
        let winner = winners.first().copied().unwrap();
        assert_eq!(store.ids_by_name("ks", "shared").await.unwrap(), vec![format!("k{winner}")]);
        assert_eq!(store.ids_by_name("other", "shared").await.unwrap(), vec!["o0".to_string()]);
        for i in 0..32 {
            // A refused caller's other object was not applied either.
            assert_eq!(store.get(&format!("extra{i}")).await.unwrap().is_some(), i == winner, "extra{i}");
            assert_eq!(store.get(&format!("k{i}")).await.unwrap().is_some(), i == winner, "k{i}");
        }
        store.close().await.unwrap();
    }
}

/// A destroyed object (its material gone) does not hold its name; an object
/// keeps its own names through any later Put, and cannot add a taken one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destroyed_holder_frees_its_name_and_a_put_keeps_its_own() {
    let disk = Arc::new(Disk::default());
    let store = start_logged_with(&disk, never_slow());
    store.commit(vec![insert(named("a", "ks", &["n"], Some(b"a")))]).await.unwrap();
    assert_eq!(store.commit(vec![insert(named("b", "ks", &["n"], Some(b"b")))]).await.unwrap_err(), name_taken("n"));
    // A later Put of the holder keeps its name (its material and metadata change).
    let mut a = named("a", "ks", &["n", "a2"], Some(b"a, changed"));
    a.metadata = b"changed".to_vec();
    store.commit(vec![replace(a, 1)]).await.unwrap();
    // Another object may not add the name either.
    store.commit(vec![insert(named("c", "ks", &["c"], Some(b"c")))]).await.unwrap();
    let c = named("c", "ks", &["c", "a2"], Some(b"c"));
    assert_eq!(store.commit(vec![replace(c, 1)]).await.unwrap_err(), name_taken("a2"));
    // Destroyed: no material; it keeps its names in its record, but no longer holds them.
    store.commit(vec![replace(named("a", "ks", &["n", "a2"], None), 2)]).await.unwrap();
    store.commit(vec![insert(named("b", "ks", &["n"], Some(b"b")))]).await.unwrap();
    assert_eq!(store.ids_by_name("ks", "n").await.unwrap(), vec!["a".to_string(), "b".to_string()]);
    // Both keep their names through later Puts.
    store.commit(vec![replace(named("a", "ks", &["n", "a2"], None), 3)]).await.unwrap();
    store.commit(vec![replace(named("b", "ks", &["n"], Some(b"b2")), 1)]).await.unwrap();
    // The destroyed one brought back with its material (a batch's Undo puts back what it
    // destroyed): its name is now b's, so it is refused; without that name it comes back.
    let restored = named("a", "ks", &["n", "a2"], Some(b"a, changed"));
    assert_eq!(store.commit(vec![replace(restored, 4)]).await.unwrap_err(), name_taken("n"));
    store.commit(vec![replace(named("a", "ks", &["a2"], Some(b"a, changed")), 4)]).await.unwrap();
    store.close().await.unwrap();
}

/// In one commit, a name may pass from one object to another whatever the
/// order of their Puts (ReKey: the new version takes the name, its
/// predecessor drops it, or keeps it, as `operations::rotation` does); two
/// objects taking one new name are refused, and nothing of the commit applies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_passes_on_within_one_commit_in_either_order() {
    let disk = Arc::new(Disk::default());
    let store = start_logged_with(&disk, never_slow());
    store.commit(vec![insert(named("old", "ks", &["n"], Some(b"old")))]).await.unwrap();
    // The predecessor drops the name: new version first, then predecessor first.
    let (moved, revision) = (named("old", "ks", &[], Some(b"old")), 1);
    store.commit(vec![insert(named("v2", "ks", &["n"], Some(b"v2"))), replace(moved, revision)]).await.unwrap();
    let back = named("v2", "ks", &[], Some(b"v2"));
    store.commit(vec![replace(back, 1), insert(named("v3", "ks", &["n"], Some(b"v3")))]).await.unwrap();
    assert_eq!(store.ids_by_name("ks", "n").await.unwrap(), vec!["v3".to_string()]);
    // The predecessor keeps the name (a rotation here), in either order.
    store
        .commit(vec![
            insert(named("v4", "ks", &["n"], Some(b"v4"))),
            replace(named("v3", "ks", &["n"], Some(b"v3")), 1),
        ])
        .await
        .unwrap();
    store
        .commit(vec![
            replace(named("v4", "ks", &["n"], Some(b"v4")), 1),
            insert(named("v5", "ks", &["n"], Some(b"v5"))),
        ])
        .await
        .unwrap();
    assert_eq!(store.ids_by_name("ks", "n").await.unwrap().len(), 3);
    // ... but nobody else takes it.
    assert_eq!(store.commit(vec![insert(named("x", "ks", &["n"], Some(b"x")))]).await.unwrap_err(), name_taken("n"));
    // Two objects taking one new name in one commit.
    let two = vec![
        insert(named("y", "ks", &["m"], Some(b"y"))),
        record("notes", "k", Some(b"v")),
        insert(named("z", "ks", &["m"], Some(b"z"))),
    ];
    assert_eq!(store.commit(two).await.unwrap_err(), name_taken("m"));
    assert!(store.get("y").await.unwrap().is_none());
    assert!(store.records("notes").await.unwrap().is_empty());
    // ... even beside a holder that passes the name on.
    let with_holder = vec![
        insert(named("y", "ks", &["n"], Some(b"y"))),
        replace(named("v5", "ks", &[], Some(b"v5")), 1),
        insert(named("z", "ks", &["n"], Some(b"z"))),
    ];
    assert_eq!(store.commit(with_holder).await.unwrap_err(), name_taken("n"));
    // A holder deleted, or put without material, hands nothing on while others hold the name.
    let deleted =
        vec![Change::Delete { id: "v3".into(), expected_revision: 2 }, insert(named("w", "ks", &["n"], Some(b"w")))];
    assert_eq!(store.commit(deleted).await.unwrap_err(), name_taken("n"));
    store.commit(vec![replace(named("v3", "ks", &["n"], None), 2)]).await.unwrap();
    let destroyed = vec![replace(named("v3", "ks", &["n"], None), 3), insert(named("w", "ks", &["n"], Some(b"w")))];
    assert_eq!(store.commit(destroyed).await.unwrap_err(), name_taken("n"));
    assert!(store.get("w").await.unwrap().is_none());
    store.close().await.unwrap();
}

/// Polls `fut` to completion on the calling thread, outside any tokio runtime.
fn block_on_plain_thread<F: std::future::Future>(fut: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park_timeout(Duration::from_millis(10));
    }
}

/// A lone commit polled by a thread outside the runtime (no task can be
/// queued there to apply its record) succeeds, and the record still reaches
/// redb: the writer's idle tick applies it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_commit_polled_outside_the_runtime_is_applied_by_the_writer() {
    let disk = Arc::new(Disk::default());
    let store = Arc::new(start_logged_with(&disk, never_slow()));
    let s = Arc::clone(&store);
    std::thread::spawn(move || block_on_plain_thread(s.commit(put("outside"))))
        .join()
        .expect("the commit panicked")
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while store.inner.shared.deferred.load(Ordering::Acquire) {
        assert!(std::time::Instant::now() < deadline, "the record was never applied to redb");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(store.get("outside").await.unwrap().is_some());
    Arc::try_unwrap(store).ok().expect("one handle left").close().await.unwrap();
}
