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
