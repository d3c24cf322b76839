//! Key stores on the real binary: credentials of a new key store, registered
//! external certificates, revoked credentials and suspended stores, as a
//! KMIP client sees them. The registry is changed through the library while
//! the server is stopped (the same data directory), then the server started.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use coffer::config::Config;
use coffer::datadir::DataDir;
use coffer::keystores::{IssueRequest, Registry};
use coffer::kmip::table::{ResultReason, ResultStatus};
use coffer::kmip::version::ProtocolVersion;
use coffer::pki::{Ca, Validity};
use zeroize::Zeroizing;

use crate::harness::{closed_by_server, handshake, read_message, send, temp_dir, Server, Tls};
use crate::server_kmip::{discover_versions, response};

/// Stops `server`, runs `f` over the registry of its data directory, starts it again.
fn offline<T, Fut: Future<Output = T>>(server: &mut Server, f: impl FnOnce(Registry) -> Fut) -> T {
    let status = server.terminate(Duration::from_secs(10)).expect("coffer serve exits on SIGTERM");
    assert!(status.success());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let out = runtime.block_on(async {
        let data = DataDir::new(&server.data);
        let store = coffer::server::open_store(&data).unwrap();
        let registry = coffer::server::open_registry(&data, &store, &Config::default(), server.kmip).await.unwrap();
        let out = f(registry.clone()).await;
        registry.flush_last_used().await.unwrap();
        drop(registry);
        store.close().await.unwrap();
        out
    });
    server.start_again();
    out
}

fn issue(name: &str) -> IssueRequest {
    IssueRequest {
        name: name.into(),
        description: String::new(),
        validity_days: 30,
        password: Zeroizing::new("pw".into()),
    }
}

/// Writes a certificate and key into a fresh directory; returns (cert, key) paths.
fn files(label: &str, cert_pem: &[u8], key_pem: &[u8]) -> (PathBuf, PathBuf) {
    let dir = temp_dir(label);
    std::fs::write(dir.join("c.pem"), cert_pem).unwrap();
    std::fs::write(dir.join("c.key"), key_pem).unwrap();
    (dir.join("c.pem"), dir.join("c.key"))
}

fn connect_as(server: &Server, (cert, key): &(PathBuf, PathBuf)) -> Result<Tls, std::io::Error> {
    let config = server.tls_config(rustls::ALL_VERSIONS, Some((cert.as_path(), key.as_path())));
    let mut tls = server.connect_with(config);
    handshake(&mut tls)?;
    Ok(tls)
}

/// Sends Discover Versions; the answer's only item's (status, reason, message).
fn ask(tls: &mut Tls) -> (ResultStatus, Option<ResultReason>, Option<String>) {
    send(tls, &discover_versions(ProtocolVersion::V1_4));
    let answer = response(tls);
    let [item] = answer.batch_items.as_slice() else { panic!("{answer:?}") };
    (item.result_status, item.result_reason, item.result_message.clone())
}

/// Whether a Discover Versions with this identity succeeds. A refused
/// client certificate fails the TLS 1.2 handshake, or (TLS 1.3, where the
/// client finishes first) the first read.
fn served(server: &Server, identity: &(PathBuf, PathBuf)) -> bool {
    let Ok(mut tls) = connect_as(server, identity) else { return false };
    send(&mut tls, &discover_versions(ProtocolVersion::V1_4));
    let Ok(bytes) = read_message(&mut tls) else { return false };
    let tree = coffer::ttlv::decode(&bytes::Bytes::from(bytes), &coffer::ttlv::Limits::UNBOUNDED).unwrap();
    let answer = <coffer::kmip::message::ResponseMessage as coffer::kmip::codec::FromTtlv>::from_ttlv(
        &tree,
        ProtocolVersion::V1_0,
    )
    .unwrap();
    answer.batch_items.iter().all(|i| i.result_status == ResultStatus::Success)
}

fn cleanup(paths: &[&(PathBuf, PathBuf)]) {
    for (cert, _) in paths {
        if let Some(dir) = cert.parent().filter(|d| d.starts_with(std::env::temp_dir())) {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[test]
fn a_new_key_stores_credential_and_a_registered_external_certificate_are_served_as_that_store() {
    let mut server = Server::start();
    let stranger = Ca::generate("an external CA", 30).unwrap();
    let external = stranger.issue_client("x", "ext", Validity::days_from_now(10)).unwrap();
    let unregistered = stranger.issue_client("x", "other", Validity::days_from_now(10)).unwrap();
    let external_pem = external.cert_pem.clone();
    let (id, bundle) = offline(&mut server, |registry| async move {
        let ks = registry.create_keystore("payments", "", "").await.unwrap();
        let bundle = registry.issue_credential(&ks.id, issue("app")).await.unwrap();
        registry.register_credential(&ks.id, "ext", "", &external_pem).await.unwrap();
        (ks.id, bundle)
    });
    let app = files("ks-app", &bundle.cert_pem, &bundle.key_pem);
    let ext = files("ks-ext", &external.cert_pem, &external.key_pem);
    let other = files("ks-other", &unregistered.cert_pem, &unregistered.key_pem);

    assert!(served(&server, &app), "{}", server.log());
    assert!(server.log_shows(&format!("credential=app keystore={id}"), Duration::from_secs(5)), "{}", server.log());
    assert!(served(&server, &ext), "{}", server.log());
    assert!(server.log_shows(&format!("credential=ext keystore={id}"), Duration::from_secs(5)), "{}", server.log());
    // The same external CA's other certificate was never registered: refused at the handshake.
    assert!(!served(&server, &other));
    assert!(server.log_shows("UnknownIssuer", Duration::from_secs(5)), "{}", server.log());
    // The first credential still works.
    let mut tls = server.connect();
    assert_eq!(ask(&mut tls).0, ResultStatus::Success);
    cleanup(&[&app, &ext, &other]);
}

#[test]
fn a_revoked_credential_is_refused_and_disconnected_and_a_suspended_store_refused_with_a_clear_message() {
    let mut server = Server::start();
    let (revoked, kept, frozen) = offline(&mut server, |registry| async move {
        let ks = registry.create_keystore("payments", "", "").await.unwrap();
        let revoked = registry.issue_credential(&ks.id, issue("app")).await.unwrap();
        let kept = registry.issue_credential(&ks.id, issue("app2")).await.unwrap();
        registry.revoke_credential(&ks.id, &revoked.credential.id).await.unwrap();
        let cold = registry.create_keystore("frozen", "", "").await.unwrap();
        let frozen = registry.issue_credential(&cold.id, issue("f1")).await.unwrap();
        registry.suspend_keystore(&cold.id).await.unwrap();
        (revoked, kept, frozen)
    });
    let revoked = files("ks-revoked", &revoked.cert_pem, &revoked.key_pem);
    let kept = files("ks-kept", &kept.cert_pem, &kept.key_pem);
    let frozen = files("ks-frozen", &frozen.cert_pem, &frozen.key_pem);

    let mut tls = connect_as(&server, &revoked).unwrap();
    let (status, reason, message) = ask(&mut tls);
    assert_eq!(status, ResultStatus::OperationFailed);
    assert_eq!(reason, Some(ResultReason::AuthenticationNotSuccessful));
    assert_eq!(message.as_deref(), Some("credential app is revoked"));
    assert!(closed_by_server(&mut tls), "the connection is closed after the refusal");

    let mut tls = connect_as(&server, &frozen).unwrap();
    for _ in 0..2 {
        let (status, reason, message) = ask(&mut tls);
        assert_eq!((status, reason), (ResultStatus::OperationFailed, Some(ResultReason::PermissionDenied)));
        assert_eq!(message.as_deref(), Some("key store frozen is suspended"));
    }

    assert!(served(&server, &kept), "{}", server.log());
    assert!(server.log_shows("KMIP request refused", Duration::from_secs(5)));
    cleanup(&[&revoked, &kept, &frozen]);
}

#[test]
fn last_used_is_recorded_and_survives_a_restart() {
    let mut server = Server::start();
    let default_cred = |registry: Registry| async move { registry.credential("default", "default").unwrap() };
    assert_eq!(offline(&mut server, default_cred).last_used, None);
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut tls = server.connect();
    assert_eq!(ask(&mut tls).0, ResultStatus::Success);
    drop(tls);
    // The clean shutdown inside `offline` writes it.
    let used = offline(&mut server, default_cred).last_used.expect("last used recorded");
    assert!(used >= before, "{used} < {before}");
}

/// An issued bundle, unpacked as a user would: PyKMIP, run in that
/// directory with the bundle's own `pykmip.conf` (its port set to where the
/// test server listens), verifies the server with `ca.pem` and is served
/// with `client.pem` / `client.key`, as the new key store's client.
#[test]
fn pykmip_connects_with_what_an_issued_bundle_contains() {
    let Some(python) = crate::pykmip_support::python() else { return };
    let mut server = Server::start();
    let (id, bundle) = offline(&mut server, |registry| async move {
        let ks = registry.create_keystore("payments", "", "").await.unwrap();
        (ks.id.clone(), registry.issue_credential(&ks.id, issue("py")).await.unwrap())
    });
    let dir = temp_dir("ks-bundle");
    let conf: String = bundle
        .pykmip_conf
        .lines()
        .map(|l| if l.starts_with("port=") { format!("port={}\n", server.kmip.port()) } else { format!("{l}\n") })
        .collect();
    std::fs::write(dir.join("pykmip.conf"), conf).unwrap();
    std::fs::write(dir.join("client.pem"), &bundle.cert_pem).unwrap();
    std::fs::write(dir.join("client.key"), &*bundle.key_pem).unwrap();
    std::fs::write(dir.join("ca.pem"), &bundle.ca_pem).unwrap();
    let script = "\
from kmip.pie.client import ProxyKmipClient
from kmip.core import enums
with ProxyKmipClient(config='client', config_file='pykmip.conf') as c:
    uid = c.create(enums.CryptographicAlgorithm.AES, 256)
    key = c.get(uid)
    print('served', uid, len(key.value))
";
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .current_dir(&dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("served") && stdout.trim_end().ends_with(" 32"),
        "{stdout}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log()
    );
    assert!(server.log_shows(&format!("credential=py keystore={id}"), Duration::from_secs(5)), "{}", server.log());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The acceptance case end to end: a credential issued through the REST
/// API, a KMIP connection open with it and served, then the credential
/// revoked through the API: that same connection's next request is refused
/// with Authentication Not Successful and the connection closed; a suspend
/// through the API is likewise seen by another open connection.
#[test]
fn a_credential_revoked_through_the_api_is_refused_on_its_open_connections_next_request() {
    use crate::http_support::{admin, ok};
    use hyper::Method;
    use serde_json::json;

    let server = Server::start();
    let client = admin(&server);
    let ks = ok(&client, Method::POST, "/api/v1/keystores", Some(json!({"name": "payments"})));
    let id = ks["id"].as_str().unwrap().to_owned();
    let issue = |name: &str| {
        let body = json!({"name": name, "validity_days": 2, "password": "pw"});
        ok(&client, Method::POST, &format!("/api/v1/keystores/{id}/credentials"), Some(body))
    };
    let (app, other) = (issue("app"), issue("other"));
    let pem = |b: &serde_json::Value, k: &str| b[k].as_str().unwrap().as_bytes().to_vec();
    let app_files = files("ks-api-app", &pem(&app, "client_pem"), &pem(&app, "client_key_pem"));
    let other_files = files("ks-api-other", &pem(&other, "client_pem"), &pem(&other, "client_key_pem"));

    let mut tls = connect_as(&server, &app_files).unwrap();
    assert_eq!(ask(&mut tls).0, ResultStatus::Success);
    let mut bystander = connect_as(&server, &other_files).unwrap();
    assert_eq!(ask(&mut bystander).0, ResultStatus::Success);

    let credential = app["credential"]["id"].as_str().unwrap();
    let revoked = ok(&client, Method::POST, &format!("/api/v1/keystores/{id}/credentials/{credential}/revoke"), None);
    assert_eq!(revoked["status"], "revoked");
    let (status, reason, message) = ask(&mut tls);
    assert_eq!((status, reason), (ResultStatus::OperationFailed, Some(ResultReason::AuthenticationNotSuccessful)));
    assert_eq!(message.as_deref(), Some("credential app is revoked"));
    assert!(closed_by_server(&mut tls), "the connection is closed after the refusal");
    assert!(!served(&server, &app_files), "a new connection is refused too");
    // The other credential of the store is unaffected.
    assert_eq!(ask(&mut bystander).0, ResultStatus::Success);

    // Suspended through the API: the bystander's open connection is refused, and kept.
    ok(&client, Method::POST, &format!("/api/v1/keystores/{id}/suspend"), None);
    let (status, reason, message) = ask(&mut bystander);
    assert_eq!((status, reason), (ResultStatus::OperationFailed, Some(ResultReason::PermissionDenied)));
    assert_eq!(message.as_deref(), Some("key store payments is suspended"));
    ok(&client, Method::POST, &format!("/api/v1/keystores/{id}/resume"), None);
    assert_eq!(ask(&mut bystander).0, ResultStatus::Success);
    cleanup(&[&app_files, &other_files]);
}
