//! Registry tests over a real store (in memory, or a file for restarts).

use std::sync::Arc;

use openssl::x509::X509;
use zeroize::Zeroizing;

use super::*;
use crate::auth::{admit, ClientIdentity, Refusal};
use crate::kmip::message::RequestHeader;
use crate::kmip::version::ProtocolVersion;
use crate::pki::{Ca, Validity};
use crate::store::{Change, MasterKey, Store, StoreOptions, StoredObject};

const KEY: [u8; 32] = [0x24; 32];

struct Fixture {
    ca: Ca,
    client_pem: Vec<u8>,
}

impl Fixture {
    fn new() -> Fixture {
        let ca = Ca::generate("coffer test CA", 30).unwrap();
        let client = ca.issue_client("default", "default", Validity::days_from_now(30)).unwrap();
        Fixture { ca, client_pem: client.cert_pem }
    }

    fn options(&self) -> RegistryOptions {
        RegistryOptions {
            regions: vec!["local".into(), "eu-west".into()],
            server_ca_pem: self.ca.cert_pem().unwrap(),
            default_ca: Some((self.ca.cert_pem().unwrap(), self.ca.key_pem().unwrap())),
            default_client_pem: Some(self.client_pem.clone()),
            kmip_addr: ([127, 0, 0, 1], 5696).into(),
        }
    }
}

fn memory_store() -> Store {
    Store::in_memory(MasterKey::from_bytes(&KEY).unwrap(), StoreOptions::default()).unwrap()
}

fn der(pem: &[u8]) -> Vec<u8> {
    X509::from_pem(pem).unwrap().to_der().unwrap()
}

fn issue(name: &str, password: &str) -> IssueRequest {
    IssueRequest {
        name: name.into(),
        description: format!("{name}'s credential"),
        validity_days: 30,
        password: Zeroizing::new(password.into()),
    }
}

fn object(id: &str, keystore: &str) -> StoredObject {
    StoredObject {
        id: id.into(),
        keystore: keystore.into(),
        revision: 0,
        names: vec![format!("name-{id}")],
        metadata: b"m".to_vec(),
        material: Some(Zeroizing::new(vec![7; 32])),
    }
}

fn header() -> RequestHeader {
    RequestHeader::new(ProtocolVersion::V1_4, 1)
}

#[tokio::test]
async fn first_start_makes_the_default_store_and_credential_once() {
    let f = Fixture::new();
    let store = memory_store();
    let registry = Registry::open(store.clone(), f.options()).await.unwrap();
    let all = registry.keystores();
    assert_eq!(all.len(), 1);
    let default = &all[0];
    assert_eq!(
        (default.id.as_str(), default.name.as_str(), default.status),
        ("default", "default", KeyStoreStatus::Ok)
    );
    assert_eq!(default.region, "local");
    assert_eq!(default.ca_pem.as_bytes(), f.ca.cert_pem().unwrap().as_slice());
    let creds = registry.credentials("default").unwrap();
    assert_eq!(creds.len(), 1);
    assert_eq!((creds[0].id.as_str(), creds[0].name.as_str()), ("default", "default"));
    assert_eq!(creds[0].origin, CredentialOrigin::Issued);
    // The default client certificate is that credential.
    let handle = registry.identify(&der(&f.client_pem)).unwrap();
    assert_eq!((handle.id(), handle.keystore().id()), ("default", "default"));

    // A second open of the same store adds nothing.
    drop(registry);
    let again = Registry::open(store.clone(), f.options()).await.unwrap();
    assert_eq!(again.keystores().len(), 1);
    assert_eq!(again.credentials("default").unwrap().len(), 1);

    // Terminated, the default store does not come back at the next start.
    again.terminate_keystore("default", "default").await.unwrap();
    drop(again);
    let third = Registry::open(store, f.options()).await.unwrap();
    assert!(third.keystores().is_empty());
    assert!(third.identify(&der(&f.client_pem)).is_none());
}

#[tokio::test]
async fn a_key_store_is_created_ok_with_its_own_ca_and_its_lifecycle_is_checked() {
    let f = Fixture::new();
    let registry = Registry::open(memory_store(), f.options()).await.unwrap();
    let ks = registry.create_keystore("payments", "cards", "eu-west").await.unwrap();
    assert_eq!(ks.status, KeyStoreStatus::Ok);
    assert_eq!(ks.region, "eu-west");
    assert_ne!(ks.ca_pem.as_bytes(), f.ca.cert_pem().unwrap().as_slice(), "its own CA");
    assert!(uuid::Uuid::parse_str(&ks.id).is_ok());
    assert_eq!(registry.keystore_by_name("payments").unwrap().id, ks.id);
    assert_eq!(registry.ca_pem(&ks.id).unwrap(), ks.ca_pem);
    // Empty region: the first configured one. An unknown one is refused.
    assert_eq!(registry.create_keystore("hr", "", "").await.unwrap().region, "local");
    assert_eq!(
        registry.create_keystore("x", "", "mars").await.unwrap_err(),
        RegistryError::UnknownRegion { region: "mars".into() }
    );
    // Names are unique, on create and on rename; a store may keep its own name.
    assert_eq!(
        registry.create_keystore("payments", "", "").await.unwrap_err(),
        RegistryError::NameTaken { name: "payments".into() }
    );
    assert_eq!(
        registry.rename_keystore(&ks.id, "hr").await.unwrap_err(),
        RegistryError::NameTaken { name: "hr".into() }
    );
    assert_eq!(registry.rename_keystore(&ks.id, "payments").await.unwrap().name, "payments");
    assert_eq!(registry.rename_keystore(&ks.id, "billing").await.unwrap().name, "billing");
    assert!(registry.keystore_by_name("payments").is_err());
    assert!(matches!(registry.create_keystore(" padded", "", "").await, Err(RegistryError::Invalid(_))));
    assert!(matches!(registry.create_keystore(&"n".repeat(65), "", "").await, Err(RegistryError::Invalid(_))));

    // Suspend / resume, and the transitions that are refused.
    let handle = registry.keystore_handle(&ks.id).unwrap();
    assert_eq!(registry.resume_keystore(&ks.id).await.unwrap().status, KeyStoreStatus::Ok, "already in service");
    assert_eq!(registry.suspend_keystore(&ks.id).await.unwrap().status, KeyStoreStatus::Suspended);
    assert_eq!(handle.status(), KeyStoreStatus::Suspended, "seen through a handle taken before");
    assert_eq!(registry.suspend_keystore(&ks.id).await.unwrap().status, KeyStoreStatus::Suspended, "idempotent");
    assert_eq!(registry.resume_keystore(&ks.id).await.unwrap().status, KeyStoreStatus::Ok);
    assert_eq!(handle.status(), KeyStoreStatus::Ok);

    // Auth policy and allowlist.
    let none = AuthPolicy { certificate: false, ip: false, mac: false, combine: Combine::And };
    assert!(matches!(registry.set_auth_policy(&ks.id, none).await, Err(RegistryError::Invalid(_))));
    let policy = AuthPolicy { certificate: true, ip: true, mac: false, combine: Combine::Or };
    assert_eq!(registry.set_auth_policy(&ks.id, policy).await.unwrap().auth, policy);
    let net: ipnet::IpNet = "10.0.0.0/8".parse().unwrap();
    let a = registry.add_allow_entry(&ks.id, AllowRule::Ip(net), "office").await.unwrap();
    let b = registry.add_allow_entry(&ks.id, AllowRule::Mac([2, 0, 0, 0, 0, 1]), "printer").await.unwrap();
    assert_eq!(registry.allow_entries(&ks.id).unwrap(), vec![a.clone(), b.clone()]);
    assert_eq!(handle.snapshot().allowlist.len(), 2, "the handle sees the allowlist");
    registry.remove_allow_entry(&ks.id, &a.id).await.unwrap();
    assert_eq!(registry.allow_entries(&ks.id).unwrap(), vec![b]);
    assert_eq!(
        registry.remove_allow_entry(&ks.id, &a.id).await.unwrap_err(),
        RegistryError::AllowEntryNotFound { id: a.id }
    );
    assert!(matches!(registry.keystore("nope"), Err(RegistryError::KeyStoreNotFound { .. })));
}

#[tokio::test]
async fn terminate_destroys_every_object_and_credential_of_the_store_and_nothing_else() {
    let f = Fixture::new();
    let store = memory_store();
    let registry = Registry::open(store.clone(), f.options()).await.unwrap();
    let a = registry.create_keystore("a", "", "").await.unwrap();
    let b = registry.create_keystore("b", "", "").await.unwrap();
    let mut changes = Vec::new();
    for i in 0..5 {
        changes.push(Change::Put { object: object(&format!("a{i}"), &a.id), expected_revision: None });
        changes.push(Change::Put { object: object(&format!("b{i}"), &b.id), expected_revision: None });
    }
    store.commit(changes).await.unwrap();
    let ca1 = registry.issue_credential(&a.id, issue("app-1", "pw")).await.unwrap();
    registry.issue_credential(&a.id, issue("app-2", "pw")).await.unwrap();
    let cb = registry.issue_credential(&b.id, issue("app-1", "pw")).await.unwrap();
    let a_handle = registry.identify(&der(&ca1.cert_pem)).unwrap();

    // The confirmation must be the name; a wrong one changes nothing.
    assert_eq!(
        registry.terminate_keystore(&a.id, "b").await.unwrap_err(),
        RegistryError::ConfirmationMismatch { name: "a".into() }
    );
    assert_eq!(store.list(&a.id).await.unwrap().len(), 5);
    assert!(!a_handle.keystore().is_terminated());

    let commits = store.commits_written();
    let report = registry.terminate_keystore(&a.id, "a").await.unwrap();
    assert_eq!(report, TerminateReport { objects: 5, credentials: 2 });
    assert_eq!(store.commits_written(), commits + 1, "one commit");
    assert!(store.list(&a.id).await.unwrap().is_empty());
    assert!(store.get("a0").await.unwrap().is_none());
    assert!(matches!(registry.keystore(&a.id), Err(RegistryError::KeyStoreNotFound { .. })));
    assert!(registry.identify(&der(&ca1.cert_pem)).is_none(), "its CA is no longer trusted");
    assert!(a_handle.keystore().is_terminated(), "an open connection's handle sees it");
    let client = ClientIdentity::from_handle(([127, 0, 0, 1], 1).into(), a_handle);
    assert_eq!(
        admit(&client, &header(), 1).await.unwrap_err(),
        Refusal::KeyStoreUnavailable { keystore: "a".into(), status: "terminated" }
    );
    // The other store is untouched.
    assert_eq!(store.list(&b.id).await.unwrap().len(), 5);
    assert_eq!(registry.credentials(&b.id).unwrap().len(), 1);
    assert!(registry.identify(&der(&cb.cert_pem)).is_some());
    // And so it stays after a reload from the records.
    let reloaded = Registry::open(store.clone(), f.options()).await.unwrap();
    let mut names: Vec<String> = reloaded.keystores().into_iter().map(|k| k.name).collect();
    names.sort();
    assert_eq!(names, ["b", "default"]);
    assert_eq!(reloaded.credentials(&b.id).unwrap().len(), 1);
}

#[tokio::test]
async fn revocation_and_suspension_are_seen_through_an_existing_handle() {
    let f = Fixture::new();
    let registry = Registry::open(memory_store(), f.options()).await.unwrap();
    let ks = registry.create_keystore("payments", "", "").await.unwrap();
    let bundle = registry.issue_credential(&ks.id, issue("app", "pw")).await.unwrap();
    let handle = registry.identify(&der(&bundle.cert_pem)).unwrap();
    let client = ClientIdentity::from_handle(([127, 0, 0, 1], 1).into(), Arc::clone(&handle));
    assert_eq!((client.credential.as_str(), client.keystore.as_str()), ("app", ks.id.as_str()));
    assert_eq!(admit(&client, &header(), 1_000).await.unwrap(), ());
    assert_eq!(handle.last_used(), Some(1_000));

    registry.suspend_keystore(&ks.id).await.unwrap();
    let refused = admit(&client, &header(), 1_001).await.unwrap_err();
    assert_eq!(refused, Refusal::KeyStoreUnavailable { keystore: "payments".into(), status: "suspended" });
    assert_eq!(
        refused.error().kmip_result(ProtocolVersion::V1_4),
        (crate::kmip::table::ResultReason::PermissionDenied, "key store payments is suspended".to_owned())
    );
    assert!(!refused.closes_connection());
    registry.resume_keystore(&ks.id).await.unwrap();
    assert!(admit(&client, &header(), 1_002).await.is_ok());

    let revoked = registry.revoke_credential(&ks.id, &bundle.credential.id).await.unwrap();
    assert_eq!(revoked.status, CredentialStatus::Revoked);
    assert!(revoked.revoked_at.is_some());
    assert!(handle.is_revoked());
    let refused = admit(&client, &header(), 1_003).await.unwrap_err();
    assert_eq!(refused, Refusal::Revoked { credential: "app".into() });
    assert!(refused.closes_connection());
    assert_eq!(
        refused.error().kmip_result(ProtocolVersion::V2_1),
        (crate::kmip::table::ResultReason::AuthenticationNotSuccessful, "credential app is revoked".to_owned())
    );
    // A new connection with the same certificate gets the same (revoked) handle.
    assert!(registry.identify(&der(&bundle.cert_pem)).unwrap().is_revoked());
    // Revoking again is harmless; another store's id does not reach it.
    assert_eq!(registry.revoke_credential(&ks.id, &bundle.credential.id).await.unwrap().revoked_at, revoked.revoked_at);
    assert!(matches!(
        registry.revoke_credential("default", &bundle.credential.id).await,
        Err(RegistryError::CredentialNotFound { .. })
    ));
}

#[tokio::test]
async fn credentials_are_issued_registered_and_signed_with_unique_names_and_certificates() {
    let f = Fixture::new();
    let registry = Registry::open(memory_store(), f.options()).await.unwrap();
    let ks = registry.create_keystore("payments", "", "").await.unwrap();
    let bundle = registry.issue_credential(&ks.id, issue("app", "s3cret")).await.unwrap();
    let c = &bundle.credential;
    assert_eq!((c.origin, c.status, c.name.as_str()), (CredentialOrigin::Issued, CredentialStatus::Active, "app"));
    assert_eq!(c.fingerprint, hex::encode(openssl::sha::sha256(&der(&bundle.cert_pem))));
    assert!(c.not_after - c.not_before >= 30 * 86_400);
    assert!(c.subject.contains("CN=app"), "{}", c.subject);
    // ca.pem: the server's CA first (to verify the server), then the store's.
    let cas = X509::stack_from_pem(&bundle.ca_pem).unwrap();
    assert_eq!(cas.len(), 2);
    assert_eq!(cas[0].to_pem().unwrap(), f.ca.cert_pem().unwrap());
    assert_eq!(cas[1].to_pem().unwrap(), ks.ca_pem.as_bytes());
    assert!(bundle.pykmip_conf.contains("certfile=./client.pem"), "{}", bundle.pykmip_conf);
    let parsed = openssl::pkcs12::Pkcs12::from_der(&bundle.pkcs12).unwrap().parse2("s3cret").unwrap();
    assert_eq!(parsed.cert.unwrap().to_pem().unwrap(), bundle.cert_pem);
    assert!(openssl::pkcs12::Pkcs12::from_der(&bundle.pkcs12).unwrap().parse2("wrong").is_err());

    assert_eq!(
        registry.issue_credential(&ks.id, issue("app", "x")).await.unwrap_err(),
        RegistryError::NameTaken { name: "app".into() }
    );
    // The same name in another store is fine.
    registry.issue_credential("default", issue("app", "x")).await.unwrap();
    let mut bad = issue("later", "x");
    bad.validity_days = 0;
    assert!(matches!(registry.issue_credential(&ks.id, bad).await, Err(RegistryError::Invalid(_))));

    // An external certificate is pinned by its fingerprint, once.
    let external_ca = Ca::generate("someone else's CA", 30).unwrap();
    let external = external_ca.issue_client("x", "ext", Validity::days_from_now(10)).unwrap();
    assert!(registry.identify(&der(&external.cert_pem)).is_none(), "not trusted before it is registered");
    let reg = registry.register_credential(&ks.id, "ext", "", &external.cert_pem).await.unwrap();
    assert_eq!(reg.origin, CredentialOrigin::Registered);
    let sha = openssl::sha::sha256(&der(&external.cert_pem));
    assert!(registry.trust().pinned.contains_key(&sha));
    assert_eq!(registry.identify(&der(&external.cert_pem)).unwrap().id(), reg.id);
    assert_eq!(
        registry.register_credential(&ks.id, "ext2", "", &external.cert_pem).await.unwrap_err(),
        RegistryError::CertificateTaken { fingerprint: reg.fingerprint.clone() }
    );
    assert!(matches!(
        registry.register_credential(&ks.id, "junk", "", b"not a certificate").await,
        Err(RegistryError::Invalid(_))
    ));

    // A CSR is signed by the store's CA, with the request's key and our subject.
    let key = openssl::pkey::PKey::from_ec_key(
        openssl::ec::EcKey::generate(
            &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let mut req = openssl::x509::X509ReqBuilder::new().unwrap();
    req.set_pubkey(&key).unwrap();
    req.sign(&key, openssl::hash::MessageDigest::sha256()).unwrap();
    let csr = req.build().to_pem().unwrap();
    let signed = registry.sign_csr(&ks.id, "from-csr", "", 10, &csr).await.unwrap();
    assert_eq!(signed.origin, CredentialOrigin::Csr);
    let cert = X509::from_pem(signed.certificate_pem.as_bytes()).unwrap();
    assert!(cert.public_key().unwrap().public_eq(&key));
    let store_ca = X509::from_pem(ks.ca_pem.as_bytes()).unwrap();
    assert!(cert.verify(&store_ca.public_key().unwrap()).unwrap());
    assert!(matches!(registry.sign_csr(&ks.id, "bad", "", 10, b"junk").await, Err(RegistryError::Invalid(_))));

    let names: Vec<String> = registry.credentials(&ks.id).unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names.len(), 3);
    for n in ["app", "ext", "from-csr"] {
        assert!(names.iter().any(|m| m == n), "{names:?}");
    }
}

#[tokio::test]
async fn a_certificate_of_a_store_ca_that_no_credential_records_is_no_client() {
    let f = Fixture::new();
    let registry = Registry::open(memory_store(), f.options()).await.unwrap();
    let by_hand = f.ca.issue_client("default", "by-hand", Validity::days_from_now(1)).unwrap();
    assert!(registry.identify(&der(&by_hand.cert_pem)).is_none(), "it could never be revoked");
    assert!(!registry.trust().recorded.contains(&openssl::sha::sha256(&der(&by_hand.cert_pem))));
    // Registered, it is that store's credential; revoked, it stays on record (refused per request).
    let cred = registry.register_credential("default", "by-hand", "", &by_hand.cert_pem).await.unwrap();
    assert_eq!(registry.identify(&der(&by_hand.cert_pem)).unwrap().keystore().id(), "default");
    assert!(registry.trust().recorded.contains(&openssl::sha::sha256(&der(&by_hand.cert_pem))));
    registry.revoke_credential("default", &cred.id).await.unwrap();
    assert!(registry.identify(&der(&by_hand.cert_pem)).unwrap().is_revoked());
    let stranger =
        Ca::generate("stranger", 1).unwrap().issue_client("default", "x", Validity::days_from_now(1)).unwrap();
    assert!(registry.identify(&der(&stranger.cert_pem)).is_none());
    assert!(registry.identify(b"garbage").is_none());
}

/// The PKCS#12 opens with the `openssl pkcs12` command (OpenSSL 3) and its
/// password, and says it is AES-256-CBC with PBKDF2.
#[tokio::test]
async fn the_pkcs12_opens_with_the_openssl_command_and_its_password() {
    let f = Fixture::new();
    let registry = Registry::open(memory_store(), f.options()).await.unwrap();
    let bundle = registry.issue_credential("default", issue("cli", "pa ss")).await.unwrap();
    let dir = std::env::temp_dir().join(format!("coffer-p12-{}-{}", std::process::id(), now_nanos()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("client.p12");
    std::fs::write(&path, &*bundle.pkcs12).unwrap();
    let run = |pass: &str| {
        std::process::Command::new("openssl")
            .args(["pkcs12", "-in"])
            .arg(&path)
            .args(["-info", "-nodes", "-passin", &format!("pass:{pass}")])
            .output()
            .unwrap()
    };
    let good = run("pa ss");
    let text = String::from_utf8_lossy(&good.stderr).into_owned() + &String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{text}");
    assert!(text.contains("PBKDF2") && text.contains("AES-256-CBC"), "{text}");
    assert!(text.contains("BEGIN CERTIFICATE") && text.contains("BEGIN PRIVATE KEY"), "{text}");
    assert!(!run("wrong").status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn now_nanos() -> i128 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_every_store_credential_status_allowlist_and_last_use() {
    let f = Fixture::new();
    let path = std::env::temp_dir().join(format!("coffer-registry-{}-{}.redb", std::process::id(), now_nanos()));
    let open_store = || Store::open(&path, MasterKey::from_bytes(&KEY).unwrap(), StoreOptions::default()).unwrap();

    let store = open_store();
    let registry = Registry::open(store.clone(), f.options()).await.unwrap();
    let ks = registry.create_keystore("payments", "cards", "eu-west").await.unwrap();
    let kept = registry.issue_credential(&ks.id, issue("kept", "pw")).await.unwrap();
    let gone = registry.issue_credential(&ks.id, issue("gone", "pw")).await.unwrap();
    registry.revoke_credential(&ks.id, &gone.credential.id).await.unwrap();
    registry.add_allow_entry(&ks.id, AllowRule::Ip("192.0.2.1/32".parse().unwrap()), "one host").await.unwrap();
    registry.suspend_keystore(&ks.id).await.unwrap();
    registry.identify(&der(&kept.cert_pem)).unwrap().touch(12_345);
    registry.flush_last_used().await.unwrap();
    let before_stores = registry.keystores();
    let before_creds = registry.credentials(&ks.id).unwrap();
    drop(registry);
    store.close().await.unwrap();
    drop(store);

    let store = open_store();
    let registry = Registry::open(store.clone(), f.options()).await.unwrap();
    assert_eq!(registry.keystores(), before_stores);
    assert_eq!(registry.credentials(&ks.id).unwrap(), before_creds);
    assert_eq!(registry.credential(&ks.id, &kept.credential.id).unwrap().last_used, Some(12_345));
    assert!(registry.identify(&der(&gone.cert_pem)).unwrap().is_revoked());
    assert_eq!(registry.keystore_handle(&ks.id).unwrap().status(), KeyStoreStatus::Suspended);
    // The CA key was sealed in the store and opens again: the store can still issue.
    let more = registry.issue_credential(&ks.id, issue("after-restart", "pw")).await.unwrap();
    let store_ca = X509::from_pem(ks.ca_pem.as_bytes()).unwrap();
    assert!(X509::from_pem(&more.cert_pem).unwrap().verify(&store_ca.public_key().unwrap()).unwrap());
    drop(registry);
    store.close().await.unwrap();
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("wal"));
}
