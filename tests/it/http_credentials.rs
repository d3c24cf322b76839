//! `/api/v1/keystores/{ks}/credentials` against the real server: issue (the
//! PKCS#12 opens with `openssl pkcs12` and its password; PyKMIP connects
//! with the bundle), register, sign a CSR, show, revoke, and the problems.

use std::process::Command;

use hyper::Method;
use serde_json::json;

use crate::harness::{temp_dir, Server};
use crate::http_support::{admin, assert_problem, call, ok};

#[test]
fn an_issued_pkcs12_opens_with_openssl_and_its_password() {
    let server = Server::start();
    let client = admin(&server);
    ok(&client, Method::POST, "/api/v1/keystores", Some(json!({"name": "sales"})));
    let response = call(
        &client,
        Method::POST,
        "/api/v1/keystores/sales/credentials",
        Some(json!({"name": "app1", "description": "the app", "validity_days": 30, "password": "P4ss word"})),
    );
    assert_eq!(response.status, 201, "{}", String::from_utf8_lossy(&response.body));
    let bundle = response.json().unwrap();
    let credential = &bundle["credential"];
    assert_eq!(credential["name"], "app1");
    assert_eq!(credential["origin"], "issued");
    assert_eq!(credential["status"], "active");
    assert_eq!(credential["description"], "the app");
    assert_eq!(credential["fingerprint"].as_str().unwrap().len(), 64);
    assert!(bundle["client_pem"].as_str().unwrap().contains("BEGIN CERTIFICATE"));
    assert!(bundle["client_key_pem"].as_str().unwrap().contains("PRIVATE KEY"));
    assert!(bundle["pykmip_conf"].as_str().unwrap().contains("certfile="));

    let dir = temp_dir("p12");
    let p12 = openssl::base64::decode_block(bundle["pkcs12_base64"].as_str().unwrap()).unwrap();
    std::fs::write(dir.join("client.p12"), &p12).unwrap();
    let open = |password: &str| {
        Command::new("openssl")
            .args(["pkcs12", "-in"])
            .arg(dir.join("client.p12"))
            .args(["-passin", &format!("pass:{password}"), "-nodes"])
            .output()
            .unwrap()
    };
    let out = open("P4ss word");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BEGIN PRIVATE KEY") && text.contains("BEGIN CERTIFICATE"), "{text}");
    assert!(text.contains("CN=app1") || text.contains("CN = app1"), "{text}");
    assert!(!open("wrong").status.success(), "a wrong password opened the PKCS#12");

    // The credential is listed, shown by name and by id, and counted.
    let list = ok(&client, Method::GET, "/api/v1/keystores/sales/credentials", None);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let id = credential["id"].as_str().unwrap();
    assert_eq!(ok(&client, Method::GET, &format!("/api/v1/keystores/sales/credentials/{id}"), None)["name"], "app1");
    assert_eq!(ok(&client, Method::GET, "/api/v1/keystores/sales/credentials/app1", None)["id"], id);
    assert_eq!(ok(&client, Method::GET, "/api/v1/keystores/sales", None)["counts"]["credentials"], 1);

    // Revoke: shown revoked, with its time; a second credential of the name is refused.
    let revoked = ok(&client, Method::POST, "/api/v1/keystores/sales/credentials/app1/revoke", None);
    assert_eq!(revoked["status"], "revoked");
    assert!(revoked["revoked_at"].as_str().is_some());
    let again = call(&client, Method::POST, "/api/v1/keystores/sales/credentials", Some(json!({"name": "app1"})));
    assert_problem(&again, 409, "name-taken");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn credential_refusals_are_problem_documents() {
    let server = Server::start();
    let client = admin(&server);
    let post = |path: &str, body| call(&client, Method::POST, path, Some(body));
    assert_problem(&post("/api/v1/keystores/nope/credentials", json!({"name": "a"})), 404, "keystore-not-found");
    assert_problem(
        &call(&client, Method::GET, "/api/v1/keystores/default/credentials/nope", None),
        404,
        "credential-not-found",
    );
    assert_problem(&post("/api/v1/keystores/default/credentials/nope/revoke", json!({})), 404, "credential-not-found");
    assert_problem(
        &post("/api/v1/keystores/default/credentials", json!({"name": "a", "validity_days": 0})),
        400,
        "invalid-field",
    );
    assert_problem(
        &post("/api/v1/keystores/default/credentials", json!({"name": "a", "validity_days": 4000})),
        400,
        "invalid-field",
    );
    assert_problem(
        &post("/api/v1/keystores/default/credentials", json!({"name": "a", "pin": "1"})),
        400,
        "invalid-body",
    );
    // The first-start credential `default` is there; its name is taken.
    assert_problem(&post("/api/v1/keystores/default/credentials", json!({"name": "default"})), 409, "name-taken");
    let bad_pem =
        json!({"name": "ext", "certificate": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"});
    assert_problem(&post("/api/v1/keystores/default/credentials/register", bad_pem), 400, "invalid-value");
    assert_problem(
        &post("/api/v1/keystores/default/credentials/sign", json!({"name": "c", "csr": "garbage"})),
        400,
        "invalid-value",
    );
}

#[test]
fn an_external_certificate_is_registered_and_a_csr_is_signed() {
    let server = Server::start();
    let client = admin(&server);
    ok(&client, Method::POST, "/api/v1/keystores", Some(json!({"name": "ext"})));
    let dir = temp_dir("csr");
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").current_dir(&dir).args(args).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    openssl(&["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem"]);
    openssl(&["req", "-new", "-key", "key.pem", "-subj", "/CN=outside", "-out", "req.csr"]);
    openssl(&["req", "-x509", "-key", "key.pem", "-subj", "/CN=selfsigned", "-days", "10", "-out", "self.pem"]);

    let csr = std::fs::read_to_string(dir.join("req.csr")).unwrap();
    let signed = call(
        &client,
        Method::POST,
        "/api/v1/keystores/ext/credentials/sign",
        Some(json!({"name": "from-csr", "csr": csr, "validity_days": 10})),
    );
    assert_eq!(signed.status, 201, "{}", String::from_utf8_lossy(&signed.body));
    let signed = signed.json().unwrap();
    assert_eq!(signed["origin"], "csr");
    // The certificate is the store CA's signature over the CSR's key.
    let ca = call(&client, Method::GET, "/api/v1/keystores/ext/ca", None);
    std::fs::write(dir.join("ca.pem"), &ca.body).unwrap();
    std::fs::write(dir.join("signed.pem"), signed["certificate_pem"].as_str().unwrap()).unwrap();
    openssl(&["verify", "-CAfile", "ca.pem", "signed.pem"]);

    let cert = std::fs::read_to_string(dir.join("self.pem")).unwrap();
    let registered = call(
        &client,
        Method::POST,
        "/api/v1/keystores/ext/credentials/register",
        Some(json!({"name": "external", "certificate": cert.clone()})),
    );
    assert_eq!(registered.status, 201, "{}", String::from_utf8_lossy(&registered.body));
    assert_eq!(registered.json().unwrap()["origin"], "registered");
    // The same certificate twice is a conflict.
    let twice = call(
        &client,
        Method::POST,
        "/api/v1/keystores/ext/credentials/register",
        Some(json!({"name": "external2", "certificate": cert})),
    );
    assert_problem(&twice, 409, "certificate-taken");
    std::fs::remove_dir_all(&dir).unwrap();
}
