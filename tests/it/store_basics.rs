//! The store's public contract: durable commits with revision checks, the
//! name and key store indexes, sealing at rest, group commit, usage counters.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use coffer::stats::UsageKind;
use coffer::store::{Change, MasterKey, Store, StoreError, StoreOptions, StoredObject};
use zeroize::Zeroizing;

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "coffer-it-{name}-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn file(&self) -> PathBuf {
        self.0.join("coffer.redb")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const KEY: [u8; 32] = [0x5A; 32];

fn open(path: &Path) -> Store {
    open_with(path, &KEY, StoreOptions::default())
}

fn open_with(path: &Path, key: &[u8; 32], options: StoreOptions) -> Store {
    Store::open(path, MasterKey::from_bytes(key).unwrap(), options).unwrap()
}

fn object(id: &str, keystore: &str, names: &[&str], material: Option<&[u8]>) -> StoredObject {
    StoredObject {
        id: id.to_string(),
        keystore: keystore.to_string(),
        revision: 0,
        names: names.iter().map(|n| n.to_string()).collect(),
        metadata: format!("meta of {id}").into_bytes(),
        material: material.map(|m| Zeroizing::new(m.to_vec())),
    }
}

fn insert(o: StoredObject) -> Change {
    Change::Put { object: o, expected_revision: None }
}

fn ids(objects: &[Arc<StoredObject>]) -> Vec<&str> {
    objects.iter().map(|o| o.id.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_get_list_names_and_delete_round_trip() {
    let dir = TempDir::new("roundtrip");
    let store = open(&dir.file());
    let revs = store
        .commit(vec![
            insert(object("k1", "ks", &["alpha"], Some(b"material one"))),
            insert(object("k2", "ks", &["beta"], None)),
            insert(object("k3", "other", &["alpha"], Some(b"three"))),
        ])
        .await
        .unwrap();
    assert_eq!(revs, vec![1, 1, 1]);
    store.commit(vec![insert(object("k4", "ks", &[], None))]).await.unwrap();

    let k1 = store.get("k1").await.unwrap().unwrap();
    assert_eq!((k1.keystore.as_str(), k1.revision), ("ks", 1));
    assert_eq!(k1.names, vec!["alpha".to_string()]);
    assert_eq!(k1.metadata, b"meta of k1");
    assert_eq!(k1.material.as_deref().map(Vec::as_slice), Some(&b"material one"[..]));
    assert!(store.get("k2").await.unwrap().unwrap().material.is_none());
    assert!(store.get("nope").await.unwrap().is_none());

    assert_eq!(ids(&store.list("ks").await.unwrap()), vec!["k1", "k2", "k4"]);
    assert_eq!(ids(&store.list("other").await.unwrap()), vec!["k3"]);
    assert!(store.list("none").await.unwrap().is_empty());
    assert_eq!(store.ids_by_name("ks", "alpha").await.unwrap(), vec!["k1"]);
    assert_eq!(store.ids_by_name("ks", "beta").await.unwrap(), vec!["k2"]);
    // A name is unique in its key store while its holder has key material.
    let taken = store.commit(vec![insert(object("k5", "ks", &["alpha"], None))]).await.unwrap_err();
    assert_eq!(taken, StoreError::NameTaken { name: "alpha".to_string() });
    assert!(store.get("k5").await.unwrap().is_none());
    assert_eq!(store.ids_by_name("other", "alpha").await.unwrap(), vec!["k3"]);
    assert!(store.ids_by_name("ks", "alph").await.unwrap().is_empty());

    // Rename k1 and change its material: revision 2, the index follows.
    let mut k1b = object("k1", "ks", &["gamma"], Some(b"material two"));
    k1b.metadata = b"new meta".to_vec();
    let revs = store.commit(vec![Change::Put { object: k1b, expected_revision: Some(1) }]).await.unwrap();
    assert_eq!(revs, vec![2]);
    let k1 = store.get("k1").await.unwrap().unwrap();
    assert_eq!((k1.revision, k1.metadata.as_slice()), (2, &b"new meta"[..]));
    assert_eq!(k1.material.as_deref().map(Vec::as_slice), Some(&b"material two"[..]));
    assert!(store.ids_by_name("ks", "alpha").await.unwrap().is_empty());
    assert_eq!(store.ids_by_name("ks", "gamma").await.unwrap(), vec!["k1"]);
    assert_eq!(ids(&store.list("ks").await.unwrap()), vec!["k1", "k2", "k4"], "creation order is kept");

    let revs = store.commit(vec![Change::Delete { id: "k2".to_string(), expected_revision: 1 }]).await.unwrap();
    assert_eq!(revs, vec![1]);
    assert!(store.get("k2").await.unwrap().is_none());
    assert_eq!(ids(&store.list("ks").await.unwrap()), vec!["k1", "k4"]);
    assert!(store.ids_by_name("ks", "beta").await.unwrap().is_empty());
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_from_disk_match_reads_from_the_cache() {
    let dir = TempDir::new("nocache");
    let store = open_with(&dir.file(), &KEY, StoreOptions { cache_capacity: 0, ..StoreOptions::default() });
    store.commit(vec![insert(object("a", "ks", &["n"], Some(b"bytes")))]).await.unwrap();
    assert_eq!(store.cached_objects(), 0);
    let a = store.get("a").await.unwrap().unwrap();
    assert_eq!((a.revision, a.material.as_deref().map(Vec::as_slice)), (1, Some(&b"bytes"[..])));
    assert_eq!(ids(&store.list("ks").await.unwrap()), vec!["a"]);
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revision_checks_refuse_stale_and_duplicate_writes_atomically() {
    let dir = TempDir::new("revisions");
    let store = open(&dir.file());
    store.commit(vec![insert(object("a", "ks", &["n"], Some(b"one")))]).await.unwrap();

    let err = store.commit(vec![insert(object("a", "ks", &[], None))]).await.unwrap_err();
    assert_eq!(err, StoreError::AlreadyExists { id: "a".to_string() });

    let stale = Change::Put { object: object("a", "ks", &[], Some(b"two")), expected_revision: Some(7) };
    assert_eq!(store.commit(vec![stale]).await.unwrap_err(), StoreError::Conflict { id: "a".to_string() });
    let missing = Change::Put { object: object("zz", "ks", &[], None), expected_revision: Some(1) };
    assert_eq!(store.commit(vec![missing]).await.unwrap_err(), StoreError::Conflict { id: "zz".to_string() });
    let del = Change::Delete { id: "a".to_string(), expected_revision: 2 };
    assert_eq!(store.commit(vec![del]).await.unwrap_err(), StoreError::Conflict { id: "a".to_string() });

    // A failing change makes the caller's earlier changes in the same commit not apply.
    let err = store
        .commit(vec![
            insert(object("b", "ks", &["n"], None)),
            Change::Put { object: object("a", "ks", &[], None), expected_revision: Some(1) },
            Change::Delete { id: "a".to_string(), expected_revision: 1 },
        ])
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::Conflict { id: "a".to_string() }, "the delete saw revision 2 from the put before it");
    assert!(store.get("b").await.unwrap().is_none());
    let a = store.get("a").await.unwrap().unwrap();
    assert_eq!((a.revision, a.material.as_deref().map(Vec::as_slice)), (1, Some(&b"one"[..])));
    assert_eq!(store.ids_by_name("ks", "n").await.unwrap(), vec!["a"]);

    // Changes within one commit see each other.
    let revs = store
        .commit(vec![
            insert(object("c", "ks", &[], None)),
            Change::Put { object: object("c", "ks", &["later"], None), expected_revision: Some(1) },
            Change::Delete { id: "a".to_string(), expected_revision: 1 },
        ])
        .await
        .unwrap();
    assert_eq!(revs, vec![1, 2, 1]);
    assert_eq!(store.ids_by_name("ks", "later").await.unwrap(), vec!["c"]);
    assert!(store.get("a").await.unwrap().is_none());
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopen_after_drop_preserves_everything() {
    let dir = TempDir::new("reopen");
    {
        let store = open(&dir.file());
        store.commit(vec![insert(object("a", "ks", &["n"], Some(b"aaa")))]).await.unwrap();
        store.commit(vec![insert(object("b", "ks", &["o"], None))]).await.unwrap();
        let changed = Change::Put { object: object("a", "ks", &["n", "m"], Some(b"AAA")), expected_revision: Some(1) };
        store.commit(vec![changed]).await.unwrap();
        store.usage("a").record(UsageKind::Encrypt);
        // Dropped without close.
    }
    let store = open(&dir.file());
    let a = store.get("a").await.unwrap().unwrap();
    assert_eq!((a.revision, a.material.as_deref().map(Vec::as_slice)), (2, Some(&b"AAA"[..])));
    assert_eq!(ids(&store.list("ks").await.unwrap()), vec!["a", "b"]);
    assert_eq!(store.ids_by_name("ks", "n").await.unwrap(), vec!["a"]);
    assert_eq!(store.ids_by_name("ks", "o").await.unwrap(), vec!["b"]);
    assert_eq!(store.ids_by_name("ks", "m").await.unwrap(), vec!["a"]);
    assert_eq!(store.usage("a").count(UsageKind::Encrypt), 1, "drop flushes the counters");
    // New objects come after the old ones in creation order (b, without material, does not hold its name).
    store.commit(vec![insert(object("0-first-by-name", "ks", &["o"], None))]).await.unwrap();
    assert_eq!(store.ids_by_name("ks", "o").await.unwrap(), vec!["b", "0-first-by-name"]);
    store.close().await.unwrap();
    store.close().await.unwrap();
    assert_eq!(store.get("zz").await.unwrap_err(), StoreError::Closed);
    assert_eq!(store.commit(vec![insert(object("c", "ks", &[], None))]).await.unwrap_err(), StoreError::Closed);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_holds_no_copy_of_a_key_nor_its_hex() {
    let dir = TempDir::new("atrest");
    let mut key = [0u8; 32];
    openssl::rand::rand_bytes(&mut key).unwrap();
    // No checkpoint before close, so that the log is read with every commit in it.
    let hold = StoreOptions { checkpoint_interval: Duration::from_secs(3600), ..StoreOptions::default() };
    let store = open_with(&dir.file(), &KEY, hold);
    store.commit(vec![insert(object("secret-key", "ks", &["marker-name"], Some(&key)))]).await.unwrap();
    // Overwritten and deleted versions must not leave plaintext in free pages either.
    let again = Change::Put { object: object("secret-key", "ks", &[], Some(&key)), expected_revision: Some(1) };
    store.commit(vec![again]).await.unwrap();
    store.commit(vec![insert(object("copy", "ks", &[], Some(&key)))]).await.unwrap();
    store.commit(vec![Change::Delete { id: "copy".to_string(), expected_revision: 1 }]).await.unwrap();
    // The write-ahead log holds these commits until a checkpoint: sealed, like the file.
    let log = std::fs::read(dir.file().with_extension("wal")).unwrap();
    assert!(contains(&log, b"meta of secret-key"), "the scan sees what the store logged");
    assert!(!contains(&log, &key), "raw key bytes in the log");
    assert!(!contains(&log, hex::encode(key).as_bytes()), "lowercase hex of the key in the log");
    assert!(!contains(&log, key.get(..12).unwrap()), "a 12-byte piece of the key in the log");
    store.close().await.unwrap();
    drop(store);

    let file = std::fs::read(dir.file()).unwrap();
    assert!(contains(&file, b"meta of secret-key"), "the scan sees what the store wrote");
    assert!(!contains(&file, &key), "raw key bytes in the file");
    assert!(!contains(&file, hex::encode(key).as_bytes()), "lowercase hex of the key in the file");
    assert!(!contains(&file, hex::encode_upper(key).as_bytes()), "uppercase hex of the key in the file");
    assert!(!contains(&file, key.get(..12).unwrap()), "a 12-byte piece of the key in the file");

    let store = open(&dir.file());
    let o = store.get("secret-key").await.unwrap().unwrap();
    assert_eq!(o.material.as_deref().map(Vec::as_slice), Some(&key[..]));
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_master_key_reads_as_corrupt() {
    let dir = TempDir::new("wrongkey");
    let store = open(&dir.file());
    store.commit(vec![insert(object("a", "ks", &[], Some(b"k"))), insert(object("b", "ks", &[], None))]).await.unwrap();
    store.close().await.unwrap();
    drop(store);

    let store = open_with(&dir.file(), &[0x11; 32], StoreOptions::default());
    match store.get("a").await {
        Err(StoreError::Corrupt { id, reason }) => {
            assert_eq!(id, "a");
            assert!(reason.contains("does not open"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(matches!(store.list("ks").await, Err(StoreError::Corrupt { .. })));
    // Without material, nothing needs the key.
    assert_eq!(store.get("b").await.unwrap().unwrap().id, "b");
    store.close().await.unwrap();
}

#[test]
fn master_key_must_be_32_bytes_and_debug_hides_secrets() {
    assert!(matches!(MasterKey::from_bytes(&[1; 31]), Err(StoreError::Invalid { .. })));
    let k = MasterKey::generate().unwrap();
    assert_ne!(k.expose(), MasterKey::generate().unwrap().expose());
    assert_eq!(format!("{k:?}"), "MasterKey([REDACTED])");
    let o = object("a", "ks", &[], Some(b"\xAB\xCD\xEF-very-secret"));
    let shown = format!("{o:?}");
    assert!(!shown.contains("very-secret") && !shown.contains("171"), "{shown}");
    assert!(shown.contains("REDACTED"), "{shown}");
}

#[test]
fn open_outside_a_runtime_is_an_error_not_a_panic() {
    let dir = TempDir::new("noruntime");
    let r = Store::open(&dir.file(), MasterKey::from_bytes(&KEY).unwrap(), StoreOptions::default());
    assert!(matches!(r, Err(StoreError::Invalid { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_commits_share_fsyncs() {
    let dir = TempDir::new("group");
    let store = open(&dir.file());
    let before = store.commits_written();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let id = format!("key-{i:03}");
                let name = format!("name of {id}");
                store.commit(vec![insert(object(&id, "ks", &[&name], Some(id.as_bytes())))]).await
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), vec![1]);
    }
    let fsyncs = store.commits_written() - before;
    eprintln!("200 concurrent commits: {fsyncs} transactions");
    assert!(fsyncs < 100, "200 concurrent commits took {fsyncs} transactions");
    assert_eq!(store.list("ks").await.unwrap().len(), 200);
    assert_eq!(store.ids_by_name("ks", "name of key-123").await.unwrap(), vec!["key-123"]);
    store.close().await.unwrap();

    // All durable: a fresh open sees every one, with its bytes.
    let store = open(&dir.file());
    for i in 0..200 {
        let id = format!("key-{i:03}");
        let o = store.get(&id).await.unwrap().unwrap();
        assert_eq!(o.material.as_deref().map(Vec::as_slice), Some(id.as_bytes()));
    }
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflicting_caller_does_not_fail_its_group() {
    let dir = TempDir::new("groupconflict");
    let store = open(&dir.file());
    store.commit(vec![insert(object("taken", "ks", &[], None))]).await.unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let id = if i % 5 == 0 { "taken".to_string() } else { format!("free-{i}") };
                (i, store.commit(vec![insert(object(&id, "ks", &[], None))]).await)
            })
        })
        .collect();
    for t in tasks {
        let (i, r) = t.await.unwrap();
        if i % 5 == 0 {
            assert_eq!(r.unwrap_err(), StoreError::AlreadyExists { id: "taken".to_string() });
        } else {
            assert_eq!(r.unwrap(), vec![1]);
        }
    }
    assert_eq!(store.list("ks").await.unwrap().len(), 41);
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_counters_are_flushed_in_the_background_and_survive_reopen() {
    let dir = TempDir::new("usage");
    let options = StoreOptions { usage_flush_interval: Duration::from_millis(50), ..StoreOptions::default() };
    let store = open_with(&dir.file(), &KEY, options.clone());
    store.commit(vec![insert(object("a", "ks", &[], None)), insert(object("b", "ks", &[], None))]).await.unwrap();
    let a = store.usage("a");
    for _ in 0..5 {
        a.record(UsageKind::Encrypt);
    }
    a.record(UsageKind::Mac);
    store.usage("b").record(UsageKind::Get);
    let last = a.last_used().unwrap();
    // Wait for a background flush (a transaction beyond the one commit).
    let start = store.commits_written();
    for _ in 0..100 {
        if store.commits_written() > start {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(store.commits_written() > start, "the flusher wrote nothing");
    // The flushed counters are on disk even if this store is never closed: read the files from a copy.
    // The log first: a checkpoint between the two copies then replays records redb already holds.
    let copy = dir.0.join("copy.redb");
    std::fs::copy(dir.file().with_extension("wal"), copy.with_extension("wal")).unwrap();
    std::fs::copy(dir.file(), &copy).unwrap();
    {
        let other = open_with(&copy, &KEY, options.clone());
        assert_eq!(other.usage("a").count(UsageKind::Encrypt), 5);
        other.close().await.unwrap();
    }
    a.record(UsageKind::Decrypt);
    store.close().await.unwrap();
    drop(store);

    let store = open_with(&dir.file(), &KEY, options);
    let a = store.usage("a");
    assert_eq!(a.count(UsageKind::Encrypt), 5);
    assert_eq!(a.count(UsageKind::Mac), 1);
    assert_eq!(a.count(UsageKind::Decrypt), 1, "close flushes what changed since the last flush");
    assert!(a.last_used().unwrap() >= last);
    assert_eq!(store.usage("b").count(UsageKind::Get), 1);
    // Deleting an object deletes its counters.
    store.commit(vec![Change::Delete { id: "b".to_string(), expected_revision: 1 }]).await.unwrap();
    assert_eq!(store.usage("b").count(UsageKind::Get), 0);
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_memory_store_keeps_the_same_contract() {
    let store = Store::in_memory(MasterKey::generate().unwrap(), StoreOptions::default()).unwrap();
    store.commit(vec![insert(object("a", "ks", &["n"], Some(b"m")))]).await.unwrap();
    assert_eq!(
        store.commit(vec![insert(object("a", "ks", &[], None))]).await.unwrap_err(),
        StoreError::AlreadyExists { id: "a".to_string() }
    );
    assert_eq!(store.ids_by_name("ks", "n").await.unwrap(), vec!["a"]);
    assert_eq!(store.get("a").await.unwrap().unwrap().material.as_deref().map(Vec::as_slice), Some(&b"m"[..]));
    store.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_inserts_of_one_id_exactly_one_wins() {
    let dir = TempDir::new("race");
    let store = open(&dir.file());
    let tasks: Vec<_> = (0..20u8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { (i, store.commit(vec![insert(object("same", "ks", &[], Some(&[i; 4])))]).await) })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (i, Ok(revs)) => {
                assert_eq!(revs, vec![1]);
                winners.push(i);
            }
            (_, Err(e)) => assert_eq!(e, StoreError::AlreadyExists { id: "same".to_string() }),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let o = store.get("same").await.unwrap().unwrap();
    assert_eq!(o.material.as_deref().map(Vec::as_slice), Some(&[winners[0]; 4][..]));
    assert_eq!(store.list("ks").await.unwrap().len(), 1);
    store.close().await.unwrap();
}

/// Handlers run on tokio's multi-threaded runtime: every future of the store must be Send.
#[test]
fn store_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let store = Store::default();
    send(&store.get("a"));
    send(&store.list("ks"));
    send(&store.ids_by_name("ks", "n"));
    send(&store.commit(Vec::new()));
    send(&store.close());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode");
    let store = open(&dir.file());
    store.close().await.unwrap();
    for file in [dir.file(), dir.file().with_extension("wal")] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}: {mode:o}", file.display());
    }
    // An existing file is opened as it is.
    drop(store);
    let store = open(&dir.file());
    store.close().await.unwrap();
}
