//! 1 000 concurrent TLS connections doing Encrypt/Decrypt round trips on one
//! shared key, against the real server (issue 3): no error, every plaintext
//! comes back.

use std::process::Command;
use std::sync::Arc;

use tokio::sync::{Barrier, Semaphore};

use crate::harness::Server;
use crate::kmip_client::{client_config, join_all, ClientError, KmipClient, Mode};

/// Connections open at once.
const CONNECTIONS: usize = 1000;
/// Encrypt+Decrypt rounds per connection, in each mode.
const ROUNDS: usize = 3;
/// Handshakes in progress at a time: the listen backlog is finite, and a
/// burst of 1 000 SYNs would only measure SYN retransmission.
const CONNECTING_AT_ONCE: usize = 32;
/// Files the test needs: the client's sockets, the server's (it inherits
/// the limit), and some to spare.
const FILES_NEEDED: u64 = CONNECTIONS as u64 + 400;

/// The soft and hard limits on open files of this process.
fn open_files_limits() -> (u64, u64) {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    let parse = |s: Option<&str>| match s {
        Some("unlimited") => u64::MAX,
        other => other.unwrap().parse().unwrap(),
    };
    let mut fields = line.split_whitespace().skip(3);
    (parse(fields.next()), parse(fields.next()))
}

/// Raises this process's soft open-files limit to the hard limit if it is
/// below what the test needs (with util-linux `prlimit`: the crate has no
/// libc binding), so the server started afterwards inherits it too.
fn ensure_open_files(needed: u64) {
    let (soft, hard) = open_files_limits();
    if soft >= needed {
        return;
    }
    assert!(hard >= needed, "the hard open-files limit {hard} is below the {needed} this test needs");
    let pid = std::process::id().to_string();
    let status = Command::new("prlimit").args(["--pid", &pid, &format!("--nofile={hard}:{hard}")]).status();
    assert!(matches!(status, Ok(s) if s.success()), "prlimit failed ({status:?}); the soft limit is {soft}");
    let (soft, _) = open_files_limits();
    assert!(soft >= needed, "the soft open-files limit is still {soft}");
}

/// One connection's work: wait until every connection is open, then
/// `ROUNDS` Encrypt/Decrypt round trips in each mode, each with its own plaintext.
async fn round_trips(client: &mut KmipClient, key: &str, conn: usize) -> Result<usize, String> {
    let mut done = 0;
    for round in 0..ROUNDS {
        for mode in [Mode::CbcPkcs5, Mode::Gcm] {
            // Lengths 1..=64 and distinct contents: a reply meant for another
            // connection, or a padding slip, would show.
            let plaintext: Vec<u8> = format!("connection {conn} round {round} {mode:?} ").into_bytes();
            let plaintext = [plaintext.as_slice(), &vec![b'.'; (conn + round) % 23]].concat();
            let encrypted =
                client.encrypt(key, mode, &plaintext).await.map_err(|e| format!("Encrypt {mode:?}: {e}"))?;
            if encrypted.data.as_ref() == plaintext.as_slice() {
                return Err(format!("Encrypt {mode:?} returned the plaintext"));
            }
            if mode == Mode::Gcm && encrypted.tag.as_ref().map(|t| t.len()) != Some(16) {
                return Err(format!("GCM answered tag {:?}", encrypted.tag));
            }
            let back = client.decrypt(key, mode, &encrypted).await.map_err(|e| format!("Decrypt {mode:?}: {e}"))?;
            if back.as_slice() != plaintext.as_slice() {
                return Err(format!("Decrypt {mode:?} gave other bytes than were encrypted"));
            }
            done += 1;
        }
    }
    Ok(done)
}

#[test]
fn a_thousand_concurrent_connections_do_encrypt_decrypt_round_trips_without_error() {
    ensure_open_files(FILES_NEEDED);
    let server = Server::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let config = client_config(&server);
    let addr = server.kmip;

    let key = runtime.block_on(async {
        let mut admin = KmipClient::connect(addr, config.clone()).await.unwrap();
        let key = admin.create_aes256().await.unwrap();
        admin.activate(&key).await.unwrap();
        key
    });

    let connecting = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
    let all_open = Arc::new(Barrier::new(CONNECTIONS));
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|conn| {
            let (config, key, connecting, all_open) =
                (config.clone(), key.clone(), connecting.clone(), all_open.clone());
            runtime.spawn(async move {
                let permit = connecting.acquire_owned().await.unwrap();
                let client = KmipClient::connect(addr, config).await;
                drop(permit);
                // Every task reaches the barrier, connected or not, so a
                // failed connection fails the test instead of hanging it.
                all_open.wait().await;
                let mut client = client.map_err(|e: ClientError| format!("connect: {e}"))?;
                round_trips(&mut client, &key, conn).await
            })
        })
        .collect();
    let results: Vec<Result<usize, String>> = runtime.block_on(async { join_all(tasks).await }).into_iter().collect();

    let errors: Vec<(usize, &String)> =
        results.iter().enumerate().filter_map(|(i, r)| r.as_ref().err().map(|e| (i, e))).collect();
    let round_trips: usize = results.iter().filter_map(|r| r.as_ref().ok()).sum();
    assert!(errors.is_empty(), "{} of {CONNECTIONS} connections failed, first: {:?}", errors.len(), errors.first());
    assert_eq!(round_trips, CONNECTIONS * ROUNDS * 2);
}
