//! Durability of the real server (issue 3): keys whose Create was answered
//! survive a SIGKILL in the middle of a stream of Creates, with the same
//! bytes; and SIGTERM answers the requests in flight whole, then exits 0.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use coffer::kmip::payloads::ResponsePayload;
use coffer::kmip::table::BatchErrorContinuationOption as Bec;
use coffer::kmip::ProtocolVersion;
use zeroize::Zeroizing;

use crate::harness::Server;
use crate::kmip_client::{
    client_config, create_aes256, decode_response, encode, join_all, message, success, ClientError, KmipClient,
};

/// Concurrent clients creating keys.
const CLIENTS: usize = 8;

/// What one client saw: every Create answered, with the key bytes when the
/// Get that followed was answered too; and the error that ended its loop.
struct Record {
    created: Vec<(String, Option<Zeroizing<Vec<u8>>>)>,
    ended_by: ClientError,
}

/// Loops Create (AES-256) then Get of the new key until a request fails.
async fn create_and_get_until_failure(client: &mut KmipClient) -> Record {
    let mut created = Vec::new();
    loop {
        let id = match client.create_aes256().await {
            Ok(id) => id,
            Err(e) => return Record { created, ended_by: e },
        };
        match client.get_key(&id).await {
            Ok(key) => created.push((id, Some(key))),
            Err(e) => {
                created.push((id, None));
                return Record { created, ended_by: e };
            }
        }
    }
}

/// `CLIENTS` connections to `server`, handshakes done.
async fn connect_clients(server: &Server) -> Vec<KmipClient> {
    let config = client_config(server);
    let mut clients = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        clients.push(KmipClient::connect(server.kmip, config.clone()).await.unwrap());
    }
    clients
}

/// Runs `CLIENTS` connections looping Create+Get against `server`, and
/// calls `stop` (on this thread) after `after`, while they are mid-stream.
/// Returns each client's record and whether its loop ended after the stop
/// began (a failure before it is a failure of the server, not of the test).
fn run_clients_then(server: &mut Server, after: Duration, stop: impl FnOnce(&mut Server)) -> Vec<(Record, bool)> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let stopped = Arc::new(AtomicBool::new(false));
    // Every client connected before the clock starts, so a slow handshake
    // on a loaded machine cannot leave one with nothing done.
    let clients = runtime.block_on(connect_clients(server));
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            let stopped = stopped.clone();
            runtime.spawn(async move {
                let record = create_and_get_until_failure(&mut client).await;
                (record, stopped.load(Ordering::SeqCst))
            })
        })
        .collect();
    std::thread::sleep(after);
    stopped.store(true, Ordering::SeqCst);
    stop(server);
    runtime.block_on(async { join_all(tasks).await })
}

/// Gets every recorded key from the restarted server: present, same bytes.
fn assert_all_present(server: &Server, records: &[(Record, bool)]) -> usize {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let config = client_config(server);
    runtime.block_on(async {
        let mut client = KmipClient::connect(server.kmip, config).await.unwrap();
        let mut checked = 0;
        for (record, _) in records {
            for (id, bytes) in &record.created {
                let got = client
                    .get_key(id)
                    .await
                    .unwrap_or_else(|e| panic!("key {id}, whose Create was answered, after the restart: {e}"));
                match bytes {
                    Some(bytes) => assert!(got == *bytes, "key {id} has other bytes after the restart"),
                    None => assert_eq!(got.len(), 32, "key {id} is not an AES-256 key after the restart"),
                }
                checked += 1;
            }
        }
        // Nothing was invented either: every object in the key store is one
        // a client asked for (answered, or in flight when the server died).
        let all = client.locate_all().await.unwrap();
        let answered: HashMap<&str, ()> =
            records.iter().flat_map(|(r, _)| r.created.iter().map(|(id, _)| (id.as_str(), ()))).collect();
        assert!(all.len() >= answered.len(), "{} objects after the restart, {} answered", all.len(), answered.len());
        assert!(
            all.len() <= answered.len() + CLIENTS,
            "{} objects after the restart: more than the {} answered plus one in flight per client",
            all.len(),
            answered.len()
        );
        checked
    })
}

#[test]
fn every_key_whose_create_was_answered_survives_sigkill_with_the_same_bytes() {
    let mut server = Server::start();
    let records = run_clients_then(&mut server, Duration::from_millis(1500), |server| {
        let status = server.kill();
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9), "{status}");
    });
    for (record, after_stop) in &records {
        assert!(*after_stop, "a client failed before the SIGKILL: {}", record.ended_by);
        assert!(record.ended_by.is_connection_loss(), "a client saw a broken answer: {}", record.ended_by);
    }
    let answered: usize = records.iter().map(|(r, _)| r.created.len()).sum();
    let busy = records.iter().filter(|(r, _)| !r.created.is_empty()).count();
    eprintln!("{answered} Creates answered by {busy} of {CLIENTS} clients before the SIGKILL");
    assert!(answered > 50, "only {answered} Creates answered in 1.5 s: the test proves little");
    assert_eq!(busy, CLIENTS, "every client had Creates answered");

    server.start_again();
    let checked = assert_all_present(&server, &records);
    assert_eq!(checked, answered);
}

#[test]
fn sigterm_answers_requests_in_flight_whole_and_exits_0() {
    let mut server = Server::start();
    let mut status = None;
    let records = run_clients_then(&mut server, Duration::from_millis(1000), |server| {
        status = server.terminate(Duration::from_secs(20));
    });
    let status = status.expect("coffer serve exits within 20 s of SIGTERM");
    assert!(status.success(), "coffer serve exited with {status}:\n{}", server.log());
    for (record, after_stop) in &records {
        assert!(*after_stop, "a client failed before the SIGTERM: {}", record.ended_by);
        // Answered whole, or the connection closed between messages; never
        // half a response, never a failed item.
        assert!(
            matches!(record.ended_by, ClientError::Closed | ClientError::Io(_)),
            "a client saw {} at shutdown",
            record.ended_by
        );
    }
    let answered: usize = records.iter().map(|(r, _)| r.created.len()).sum();
    let closed = records.iter().filter(|(r, _)| matches!(r.ended_by, ClientError::Closed)).count();
    eprintln!(
        "{answered} Creates answered; at SIGTERM {closed} of {CLIENTS} connections closed cleanly, the rest reset"
    );
    assert!(answered > 50, "only {answered} Creates answered in 1 s: the test proves little");
    assert!(server.log_shows("SIGTERM", Duration::from_secs(1)), "{}", server.log());

    // A clean shutdown loses nothing either.
    server.start_again();
    assert_eq!(assert_all_present(&server, &records), answered);
}

#[test]
fn sigterm_while_batches_run_answers_each_batch_whole_then_closes() {
    // Batches long enough (one durable commit per Create) that SIGTERM
    // lands while the server is working on them.
    const ITEMS: usize = 200;
    let mut server = Server::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let clients = runtime.block_on(connect_clients(&server));
    let batch = encode(&message(ProtocolVersion::V1_4, Some(Bec::Continue), vec![(None, create_aes256()); ITEMS]));
    let signalled = Arc::new(AtomicBool::new(false)); // set just before SIGTERM is sent
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            let (batch, signalled) = (batch.clone(), signalled.clone());
            runtime.spawn(async move {
                client.write(&batch).await.unwrap();
                let answer = client.read().await;
                let after_signal = signalled.load(Ordering::SeqCst);
                let next = client.read().await;
                (answer, after_signal, next)
            })
        })
        .collect();
    // The messages are on their way; let them reach the server.
    std::thread::sleep(Duration::from_millis(50));
    signalled.store(true, Ordering::SeqCst);
    let status = server.terminate(Duration::from_secs(30)).expect("coffer serve exits within 30 s of SIGTERM");
    assert!(status.success(), "coffer serve exited with {status}:\n{}", server.log());

    let mut ids = Vec::new();
    let mut answered_after_signal = 0;
    for (answer, after_signal, next) in runtime.block_on(join_all(tasks)) {
        let response = decode_response(&answer.unwrap_or_else(|e| panic!("a batch in flight got {e}"))).unwrap();
        assert_eq!(response.batch_items.len(), ITEMS);
        for item in response.batch_items {
            let Ok(ResponsePayload::Create(created)) = success(item) else { panic!("a Create in flight failed") };
            ids.push(created.unique_identifier);
        }
        answered_after_signal += usize::from(after_signal);
        assert!(matches!(next, Err(ClientError::Closed | ClientError::Io(_))), "after the answer: {next:?}");
    }
    eprintln!("{answered_after_signal} of {CLIENTS} batches of {ITEMS} Creates answered after SIGTERM");
    assert!(answered_after_signal > 0, "every batch was done before SIGTERM: the test proves little");

    server.start_again();
    runtime.block_on(async {
        let mut client = KmipClient::connect(server.kmip, client_config(&server)).await.unwrap();
        let stored = client.locate_all().await.unwrap();
        assert_eq!(stored.len(), ids.len());
        for id in &ids {
            assert!(stored.contains(id), "{id} was answered but is gone after the restart");
        }
    });
}
