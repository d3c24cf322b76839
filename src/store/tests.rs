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

/// An in-memory redb backend whose writes and syncs fail while `fail` is set.
#[derive(Debug)]
struct FaultyBackend {
    inner: ::redb::backends::InMemoryBackend,
    fail: Arc<std::sync::atomic::AtomicBool>,
}

impl FaultyBackend {
    fn check(&self) -> Result<(), std::io::Error> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(std::io::Error::other("injected I/O failure"));
        }
        Ok(())
    }
}

impl ::redb::StorageBackend for FaultyBackend {
    fn len(&self) -> Result<u64, std::io::Error> {
        self.inner.len()
    }
    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
        self.inner.read(offset, out)
    }
    fn set_len(&self, len: u64) -> Result<(), std::io::Error> {
        self.check()?;
        self.inner.set_len(len)
    }
    fn sync_data(&self) -> Result<(), std::io::Error> {
        self.check()?;
        self.inner.sync_data()
    }
    fn write(&self, offset: u64, data: &[u8]) -> Result<(), std::io::Error> {
        self.check()?;
        self.inner.write(offset, data)
    }
}

/// A failed write is never answered as a success: every caller of the group
/// gets Io, the cache keeps the last committed state, and later writes are
/// refused rather than half-applied (redb latches the failure until reopen).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_io_failure_is_reported_to_every_caller_and_nothing_is_acknowledged() {
    let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let backend = FaultyBackend { inner: ::redb::backends::InMemoryBackend::new(), fail: Arc::clone(&fail) };
    let db = ::redb::Database::builder().create_with_backend(backend).unwrap();
    let key = MasterKey::from_bytes(&KEY).unwrap();
    let store = Store::start(Some(tokio::runtime::Handle::current()), db, key, StoreOptions::default()).unwrap();
    store.commit(vec![Change::Put { object: object("a", b"one"), expected_revision: None }]).await.unwrap();

    fail.store(true, Ordering::SeqCst);
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
        assert!(matches!(t.await.unwrap(), Err(StoreError::Io(_))));
    }
    let a = store.get("a").await.unwrap().unwrap();
    assert_eq!((a.revision, a.material.as_deref().unwrap().as_slice()), (1, &b"one"[..]));
    assert!(!matches!(store.get("new-1").await, Ok(Some(_))));

    fail.store(false, Ordering::SeqCst);
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
