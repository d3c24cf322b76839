//! Durability under SIGKILL: a child process commits from several tasks and
//! prints each id once its commit was answered; the parent kills it with
//! SIGKILL mid-stream, reopens the file and finds every answered object with
//! its bytes.
//!
//! The child is this test binary itself, running the ignored test
//! `child_commits_until_killed`, so no other binary is needed.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use coffer::store::{Change, MasterKey, Store, StoreOptions, StoredObject};
use zeroize::Zeroizing;

use crate::store_basics::TempDir;

const DIR_VAR: &str = "COFFER_STORE_CRASH_DIR";
const KEY: [u8; 32] = [0x77; 32];
const WRITERS: usize = 8;
/// Answered commits to see before the kill.
const BEFORE_KILL: usize = 300;

/// Test material derived from the id, so the parent can check the bytes without them being printed.
fn material_for(id: &str) -> Vec<u8> {
    let mut m = format!("{id:>32}").into_bytes();
    m.truncate(32);
    m
}

fn open(dir: &Path) -> Store {
    Store::open(&dir.join("coffer.redb"), MasterKey::from_bytes(&KEY).unwrap(), StoreOptions::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by committed_objects_survive_sigkill as its child process"]
async fn child_commits_until_killed() {
    let Some(dir) = std::env::var_os(DIR_VAR) else { return };
    let store = open(Path::new(&dir));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0.. {
                    let id = format!("w{w}-{n}");
                    let object = StoredObject {
                        id: id.clone(),
                        keystore: "ks".to_string(),
                        revision: 0,
                        names: vec![format!("writer-{w}")],
                        metadata: vec![0x42; 200],
                        material: Some(Zeroizing::new(material_for(&id))),
                    };
                    store.commit(vec![Change::Put { object, expected_revision: None }]).await.unwrap();
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "committed {id}").unwrap();
                    out.flush().unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_objects_survive_sigkill() {
    let dir = TempDir::new("crash");
    let data = dir.file().parent().unwrap().to_path_buf();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["store_crash::child_commits_until_killed", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(DIR_VAR, &data)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(id) = line.strip_prefix("committed ") {
                if tx.send(id.to_string()).is_err() {
                    break;
                }
            }
        }
    });
    let mut answered = Vec::new();
    while answered.len() < BEFORE_KILL {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(id) => answered.push(id),
            Err(e) => {
                let _ = child.kill();
                panic!("the child stopped answering after {} commits: {e}", answered.len());
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap();
    // Lines already in the pipe were answered before the kill too.
    answered.extend(rx.try_iter());

    let store = open(&data);
    for id in &answered {
        let object = store.get(id).await.unwrap().unwrap_or_else(|| panic!("answered commit {id} was lost"));
        assert_eq!(object.material.as_deref().map(Vec::as_slice), Some(material_for(id).as_slice()), "{id}");
    }
    let listed = store.list("ks").await.unwrap();
    assert!(listed.len() >= answered.len(), "{} listed, {} answered", listed.len(), answered.len());
    for w in 0..WRITERS {
        let ids = store.ids_by_name("ks", &format!("writer-{w}")).await.unwrap();
        // Each writer committed in sequence: what is there is a prefix of its ids, in order.
        let expected: Vec<String> = (0..ids.len()).map(|n| format!("w{w}-{n}")).collect();
        assert_eq!(ids, expected, "writer {w}");
    }
    // The reopened store takes new writes.
    let object = StoredObject {
        id: "after".to_string(),
        keystore: "ks".to_string(),
        revision: 0,
        names: vec![],
        metadata: vec![],
        material: None,
    };
    store.commit(vec![Change::Put { object, expected_revision: None }]).await.unwrap();
    store.close().await.unwrap();
}
