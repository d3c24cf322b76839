//! At rest: after PyKMIP registers a known key (as a Symmetric Key and as
//! Secret Data), the server is stopped with SIGTERM and its data directory
//! is scanned: neither the key's bytes nor their hex appear in any file,
//! while the object's identifier and name do (so the scan looks at the
//! records that were written).

use std::time::Duration;

use crate::harness::Server;
use crate::pykmip_support::{python, run_script};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn hex(bytes: &[u8], upper: bool) -> String {
    bytes.iter().map(|b| if upper { format!("{b:02X}") } else { format!("{b:02x}") }).collect()
}

#[test]
fn pykmip_registered_key_bytes_are_not_in_the_redb_file() {
    let Some(python) = python() else { return };
    let mut server = Server::start();
    // A key no other code path would write: random, 32 bytes.
    let mut key = [0u8; 32];
    openssl::rand::rand_bytes(&mut key).unwrap();
    let name = format!("at-rest-{}", std::process::id());
    let out = run_script(&python, &server, "at_rest.py", &["--key", &hex(&key, false), "--name", &name]);
    let uid = out.lines().find_map(|l| l.strip_prefix("uid=")).expect("at_rest.py prints the uid").to_owned();

    let status = server.terminate(Duration::from_secs(20)).expect("coffer exits on SIGTERM");
    assert!(status.success(), "coffer exited with {status}");

    let redb = server.data.join("coffer.redb");
    let db = std::fs::read(&redb).unwrap_or_else(|e| panic!("{}: {e}", redb.display()));
    assert!(contains(&db, uid.as_bytes()), "the scan sees the records: the identifier {uid} is in the file");
    assert!(contains(&db, name.as_bytes()), "the scan sees the records: the name {name} is in the file");

    let needles: [(&str, Vec<u8>); 3] = [
        ("raw bytes", key.to_vec()),
        ("lower-case hex", hex(&key, false).into_bytes()),
        ("upper-case hex", hex(&key, true).into_bytes()),
    ];
    for entry in walk(&server.data) {
        let bytes = std::fs::read(&entry).unwrap();
        for (what, needle) in &needles {
            assert!(!contains(&bytes, needle), "the key's {what} are in {}", entry.display());
        }
        // Any 16-byte run of the key would leak half of it.
        for window in key.windows(16) {
            assert!(!contains(&bytes, window), "16 bytes of the key are in {}", entry.display());
        }
    }
}

/// Every regular file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
