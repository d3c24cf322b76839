//! Durability under SIGKILL: a child process commits from several tasks and
//! prints each id once its commit was answered; the parent kills it with
//! SIGKILL mid-stream, reopens the file and finds every answered object with
//! its bytes.
//!
//! The child is this test binary itself, running the ignored test
//! `child_commits_until_killed`, so no other binary is needed.
//!
//! Commits are made durable by the write-ahead log (coffer.wal) and reach
//! redb's file durably only at a checkpoint. With checkpoints off in the
//! child, a kill always lands between the log's fsync and the checkpoint:
//! every answered object is then in the log only, and the tests below check
//! that reopening replays it, that a torn record at the log's end is
//! ignored, and that replaying a log twice changes nothing.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use coffer::store::{Change, MasterKey, Store, StoreOptions, StoredObject};
use zeroize::Zeroizing;

use crate::store_basics::TempDir;

const DIR_VAR: &str = "COFFER_STORE_CRASH_DIR";
/// Set (to anything) to run the child without checkpoints.
const NO_CHECKPOINT_VAR: &str = "COFFER_STORE_CRASH_NO_CHECKPOINT";
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
    open_with(dir, StoreOptions::default())
}

fn open_with(dir: &Path, options: StoreOptions) -> Store {
    Store::open(&dir.join("coffer.redb"), MasterKey::from_bytes(&KEY).unwrap(), options).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by committed_objects_survive_sigkill as its child process"]
async fn child_commits_until_killed() {
    let Some(dir) = std::env::var_os(DIR_VAR) else { return };
    // Without checkpoints, two writers: groups of fewer than four callers go
    // through the log (larger ones commit durably in redb, a checkpoint first).
    let (options, writers) = if std::env::var_os(NO_CHECKPOINT_VAR).is_some() {
        let options = StoreOptions {
            checkpoint_bytes: u64::MAX,
            checkpoint_interval: Duration::from_secs(3600),
            ..StoreOptions::default()
        };
        (options, 2)
    } else {
        (StoreOptions::default(), WRITERS)
    };
    let store = open_with(Path::new(&dir), options);
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in 0.. {
                    let id = format!("w{w}-{n}");
                    let object = StoredObject {
                        id: id.clone(),
                        keystore: "ks".to_string(),
                        revision: 0,
                        // Names are unique in a key store: each object its own.
                        names: vec![name_of(&id)],
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

/// Runs the child on `data` until it has answered [`BEFORE_KILL`] commits, kills
/// it with SIGKILL; returns the ids it was answered for.
fn commit_until_killed(data: &Path, checkpoints: bool) -> Vec<String> {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["store_crash::child_commits_until_killed", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(DIR_VAR, data);
    if !checkpoints {
        command.env(NO_CHECKPOINT_VAR, "1");
    }
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
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
    answered
}

/// The name the child gives object `id`.
fn name_of(id: &str) -> String {
    format!("name of {id}")
}

/// Every answered object is in `store` with its bytes, each writer's objects
/// are a prefix of its ids, in order, and each is found by its name.
async fn check_answered(store: &Store, answered: &[String]) {
    for id in answered {
        let object = store.get(id).await.unwrap().unwrap_or_else(|| panic!("answered commit {id} was lost"));
        assert_eq!(object.material.as_deref().map(Vec::as_slice), Some(material_for(id).as_slice()), "{id}");
    }
    let listed = store.list("ks").await.unwrap();
    assert!(listed.len() >= answered.len(), "{} listed, {} answered", listed.len(), answered.len());
    for w in 0..WRITERS {
        let prefix = format!("w{w}-");
        let ids: Vec<String> = listed.iter().filter(|o| o.id.starts_with(&prefix)).map(|o| o.id.clone()).collect();
        // Each writer committed in sequence: what is there is a prefix of its ids, in creation order.
        let expected: Vec<String> = (0..ids.len()).map(|n| format!("w{w}-{n}")).collect();
        assert_eq!(ids, expected, "writer {w}");
        for id in &ids {
            assert_eq!(store.ids_by_name("ks", &name_of(id)).await.unwrap(), vec![id.clone()], "{id}");
        }
    }
}

/// The reopened store takes new writes.
async fn check_writable(store: &Store, id: &str) {
    let object = StoredObject {
        id: id.to_string(),
        keystore: "ks".to_string(),
        revision: 0,
        names: vec![],
        metadata: vec![],
        material: None,
    };
    store.commit(vec![Change::Put { object, expected_revision: None }]).await.unwrap();
}

fn copy_data(from: &Path, to: &Path) {
    for file in ["coffer.redb", "coffer.wal"] {
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
}

/// The records of the log's current generation: (where the next one goes, how many).
/// The layout is in src/store/wal.rs: a 16-byte header ("COFFWAL1", u64
/// generation), then records of u32 length, u32 CRC, u64 generation, body; the
/// first record of another generation (or zeros) ends the log.
fn log_records(data: &Path) -> (usize, usize) {
    let log = std::fs::read(data.join("coffer.wal")).unwrap();
    assert_eq!(log.get(..8), Some(&b"COFFWAL1"[..]), "no log header");
    let generation = &log[8..16];
    let (mut at, mut count) = (16, 0);
    while let Some(frame) = log.get(at..at + 16) {
        if &frame[8..16] != generation {
            break;
        }
        let len = u32::from_be_bytes(frame[..4].try_into().unwrap()) as usize;
        at += 16 + len;
        count += 1;
    }
    (at, count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_objects_survive_sigkill() {
    let dir = TempDir::new("crash");
    let data = dir.file().parent().unwrap().to_path_buf();
    let answered = commit_until_killed(&data, true);
    let store = open(&data);
    check_answered(&store, &answered).await;
    check_writable(&store, "after").await;
    store.close().await.unwrap();
    assert_eq!(log_records(&data).1, 0, "a closed store leaves an empty log");
}

/// A kill between the log's fsync and the checkpoint: redb's file holds none
/// of the answered commits durably, the log holds them all. Reopening
/// replays them; so does reopening with a torn record appended to the log (a
/// crash in the middle of appending a group that was never answered); and
/// replaying the same log a second time, onto a store that already holds it
/// (a crash after a checkpoint, before the log was emptied), changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_before_the_checkpoint_is_recovered_from_the_log_even_torn_or_replayed_twice() {
    let dir = TempDir::new("crash-wal");
    let data = dir.file().parent().unwrap().to_path_buf();
    let answered = commit_until_killed(&data, false);
    let (tail, logged) = log_records(&data);
    assert!(logged > 0, "the child checkpointed: nothing left in the log");

    // Replay once.
    let once = TempDir::new("crash-wal-once");
    let once_dir = once.file().parent().unwrap().to_path_buf();
    copy_data(&data, &once_dir);
    let store = open(&once_dir);
    check_answered(&store, &answered).await;
    let listed = store.list("ks").await.unwrap().len();
    store.close().await.unwrap();
    assert_eq!(log_records(&once_dir).1, 0, "the replayed log was not emptied");

    // Replay the same log again onto the store that now holds it.
    std::fs::copy(data.join("coffer.wal"), once_dir.join("coffer.wal")).unwrap();
    let store = open(&once_dir);
    check_answered(&store, &answered).await;
    assert_eq!(store.list("ks").await.unwrap().len(), listed, "a second replay changed the object count");
    check_writable(&store, "after-twice").await;
    store.close().await.unwrap();

    // A torn record after the last one: its frame (this generation's) was written, its body not.
    let torn = TempDir::new("crash-wal-torn");
    let torn_dir = torn.file().parent().unwrap().to_path_buf();
    copy_data(&data, &torn_dir);
    let log = std::fs::OpenOptions::new().write(true).open(torn_dir.join("coffer.wal")).unwrap();
    let mut frame = 600u32.to_be_bytes().to_vec();
    frame.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    frame.extend_from_slice(&std::fs::read(data.join("coffer.wal")).unwrap()[8..16]);
    frame.extend_from_slice(&[1, 0, 0, 0, 2]);
    std::os::unix::fs::FileExt::write_all_at(&log, &frame, tail as u64).unwrap();
    drop(log);
    assert_eq!(log_records(&torn_dir).1, logged + 1, "the torn frame is not where the next record goes");
    let store = open(&torn_dir);
    check_answered(&store, &answered).await;
    assert_eq!(store.list("ks").await.unwrap().len(), listed);
    check_writable(&store, "after-torn").await;
    store.close().await.unwrap();
    let store = open(&torn_dir);
    assert!(store.get("after-torn").await.unwrap().is_some(), "a commit after the torn tail was lost");
    check_answered(&store, &answered).await;
    store.close().await.unwrap();
}
