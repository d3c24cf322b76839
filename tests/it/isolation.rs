//! Tenant isolation over the wire (issue 5): the real binary, two key
//! stores with one credential each. Another store's identifier answers as
//! a nonexistent one, its object is left as it was, and Locate finds only
//! the client's own objects: with our own TLS client, and with PyKMIP's
//! ProxyKmipClient per credential (`tests/pykmip/isolation.py`).
//!
//! The second store and its credential are made through the key store
//! registry, on the stopped server's data directory, then the server is
//! started again: what `coffer keystore create` and `coffer credential
//! issue` do over the REST API (issue 5, helper api), which is not merged
//! yet; the KMIP side, which this tests, is the same.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use coffer::config::Config;
use coffer::datadir::DataDir;
use coffer::keystores::IssueRequest;
use coffer::kmip::message::ResponseBatchItem;
use coffer::kmip::table::{ResultReason, ResultStatus};
use coffer::kmip::ProtocolVersion;
use zeroize::Zeroizing;

use crate::harness::Server;
use crate::kmip_client::{self, KmipClient};
use crate::pykmip_support::{python, run_script};

/// Stops `server`, makes key store `name` with an issued credential `app-b`
/// in its data directory through the registry, starts the server again
/// and writes the credential into `DATA/clients/app-b/` (client.pem,
/// client.key, ca.pem, pykmip.conf pointing at the new port); that directory.
async fn second_store(server: &mut Server, name: &str) -> PathBuf {
    assert!(server.terminate(Duration::from_secs(10)).is_some_and(|s| s.success()), "{}", server.log());
    let data = DataDir::new(&server.data);
    let store = coffer::server::open_store(&data).unwrap();
    let registry = coffer::server::open_registry(&data, &store, &Config::default(), server.kmip).await.unwrap();
    let keystore = registry.create_keystore(name, "issue 5 isolation test", "").await.unwrap();
    let request = IssueRequest {
        name: "app-b".into(),
        description: String::new(),
        validity_days: 1,
        password: Zeroizing::new("secret".into()),
    };
    let bundle = registry.issue_credential(&keystore.id, request).await.unwrap();
    drop(registry);
    store.close().await.unwrap();
    server.start_again();

    let dir = server.data.join("clients").join("app-b");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("client.pem"), &bundle.cert_pem).unwrap();
    std::fs::write(dir.join("client.key"), &*bundle.key_pem).unwrap();
    std::fs::set_permissions(dir.join("client.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(dir.join("ca.pem"), &bundle.ca_pem).unwrap();
    std::fs::write(dir.join("pykmip.conf"), coffer::datadir::pykmip_conf(&dir, server.kmip)).unwrap();
    dir
}

async fn client_of(server: &Server, dir: &Path, v: ProtocolVersion) -> KmipClient {
    let config =
        server.tls_config(rustls::ALL_VERSIONS, Some((dir.join("client.pem").as_path(), &dir.join("client.key"))));
    let mut c = KmipClient::connect(server.kmip, config).await.unwrap();
    c.version = v;
    c
}

/// One request of `c`'s version; its only batch item.
async fn item(c: &mut KmipClient, payload: coffer::kmip::payloads::RequestPayload) -> ResponseBatchItem {
    let response = c.send(&kmip_client::message(c.version, None, vec![(None, payload)])).await.unwrap();
    response.batch_items.into_iter().next().unwrap()
}

#[tokio::test]
async fn another_key_stores_key_answers_as_a_nonexistent_one_over_tls() {
    let mut server = Server::start();
    let b_dir = second_store(&mut server, "second-store").await;
    for (v, not_found) in
        [(ProtocolVersion::V1_4, ResultReason::ItemNotFound), (ProtocolVersion::V2_1, ResultReason::ObjectNotFound)]
    {
        let mut a = client_of(&server, &server.client_dir(), v).await;
        let mut b = client_of(&server, &b_dir, v).await;
        let key = a.create_aes256().await.unwrap();
        a.activate(&key).await.unwrap();
        let material = a.get_key(&key).await.unwrap();
        let fresh = uuid::Uuid::new_v4().to_string();
        for payload in [kmip_client::get, kmip_client::activate] {
            let theirs = item(&mut b, payload(Some(&key))).await;
            let nobody = item(&mut b, payload(Some(&fresh))).await;
            assert_eq!(theirs.result_status, ResultStatus::OperationFailed);
            assert_eq!((theirs.result_reason, nobody.result_reason), (Some(not_found), Some(not_found)));
            let swapped = theirs.result_message.map(|m| m.replace(&key, &fresh));
            assert_eq!(swapped, nobody.result_message, "the same message, the identifier aside");
        }
        assert!(!b.locate_all().await.unwrap().contains(&key), "B's Locate does not find A's key");
        assert_eq!(a.get_key(&key).await.unwrap(), material, "A's key is as it was");
        assert!(a.locate_all().await.unwrap().contains(&key));
    }
}

/// Get, Get Attributes, Get Attribute List, Activate, Revoke, Destroy,
/// ReKey, Encrypt, Decrypt, Sign, MAC and the attribute changes from B on
/// A's keys, at KMIP 1.0 to 2.0, each answered as for a nonexistent
/// identifier; A's keys unchanged; the same Name in both stores; Locate
/// from each finds only its own.
#[test]
fn pykmip_two_key_stores_see_only_their_own_objects() {
    let Some(python) = python() else { return };
    let mut server = Server::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let b_dir = runtime.block_on(second_store(&mut server, "second-store"));
    let conf_b = b_dir.join("pykmip.conf");
    let out = run_script(&python, &server, "isolation.py", &["--conf-b", conf_b.to_str().unwrap()]);
    assert!(out.contains(" checks, 0 failed") && !out.contains(": 0 checks"), "{out}");
}
