//! Tenant isolation over the wire (issue 5): the real binary, two key
//! stores with one credential each. Another store's identifier answers as
//! a nonexistent one, its object is left as it was, and Locate finds only
//! the client's own objects: with our own TLS client, and with PyKMIP's
//! ProxyKmipClient per credential (`tests/pykmip/isolation.py`).
//!
//! The second store and its credential are made as an operator makes
//! them, with the admin CLI over the REST API on the running server:
//! `coffer keystore create` and `coffer credential issue --out`.

use std::path::{Path, PathBuf};

use coffer::kmip::message::ResponseBatchItem;
use coffer::kmip::table::{ResultReason, ResultStatus};
use coffer::kmip::ProtocolVersion;

use crate::harness::{coffer, temp_dir, Server};
use crate::kmip_client::{self, KmipClient};
use crate::pykmip_support::{python, run_script};

/// Runs `coffer ARGS --data-dir DATA --json`; its JSON answer.
fn cli(server: &Server, args: &[&str]) -> serde_json::Value {
    let out = coffer().args(args).arg("--data-dir").arg(&server.data).arg("--json").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "coffer {args:?}: {text}{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("coffer {args:?}: not JSON ({e}): {text}"))
}

/// Makes key store `name` and issues its credential `app-b` into a fresh
/// directory (client.pem, client.key, client.p12, ca.pem, pykmip.conf); the
/// directory and the key store's id.
fn second_store(server: &Server, name: &str) -> (PathBuf, String) {
    let keystore = cli(server, &["keystore", "create", name, "--description", "issue 5 isolation test"]);
    assert_eq!(keystore["status"], "OK", "{keystore}");
    let dir = temp_dir("isolation-b");
    let issued = cli(
        server,
        &[
            "credential",
            "issue",
            "--keystore",
            name,
            "--name",
            "app-b",
            "--password",
            "s3cret",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(issued["name"], "app-b", "{issued}");
    (dir, keystore["id"].as_str().unwrap().to_owned())
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
    let server = Server::start();
    let (b_dir, b_id) = second_store(&server, "second-store");
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
    let connected = format!("keystore={b_id}");
    assert!(server.log().contains(&connected), "B's client was served as its own key store");
    std::fs::remove_dir_all(&b_dir).unwrap();
}

/// Get, Get Attributes, Get Attribute List, Activate, Revoke, Destroy,
/// ReKey, Encrypt, Decrypt, Sign, MAC and the attribute changes from B on
/// A's keys, at KMIP 1.0 to 2.0, each answered as for a nonexistent
/// identifier; A's keys unchanged; the same Name in both stores; Locate
/// from each finds only its own.
#[test]
fn pykmip_two_key_stores_see_only_their_own_objects() {
    let Some(python) = python() else { return };
    let server = Server::start();
    let (b_dir, _) = second_store(&server, "second-store");
    let conf_b = b_dir.join("pykmip.conf");
    let out = run_script(&python, &server, "isolation.py", &["--conf-b", conf_b.to_str().unwrap()]);
    assert!(out.contains(" checks, 0 failed") && !out.contains(": 0 checks"), "{out}");
    std::fs::remove_dir_all(&b_dir).unwrap();
}
