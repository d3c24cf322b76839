//! `/api/v1/keystores` against the real server: create, list with paging,
//! show by id or name, rename, suspend and resume, terminate with its
//! confirmation, the CA download, and each refusal's problem document.

use hyper::Method;
use serde_json::json;

use crate::harness::Server;
use crate::http_support::{admin, assert_problem, call, ok};

#[test]
fn every_keystore_route_refuses_a_request_without_or_with_a_wrong_token() {
    let server = Server::start();
    let client = admin(&server);
    for anonymous in [client.without_token(), client.with_token("coffer_not-the-token")] {
        for (method, path) in [
            (Method::GET, "/api/v1/keystores"),
            (Method::POST, "/api/v1/keystores"),
            (Method::GET, "/api/v1/keystores/default"),
            (Method::DELETE, "/api/v1/keystores/default?confirm=default"),
            (Method::GET, "/api/v1/keystores/default/credentials"),
            (Method::GET, "/api/v1/keystores/default/allowlist"),
        ] {
            let response = call(&anonymous, method, path, Some(json!({"name": "x"})));
            assert_problem(&response, 401, "unauthorized");
            assert_eq!(response.www_authenticate.as_deref(), Some("Bearer"));
        }
    }
    // Nothing happened: the default store is still there.
    ok(&client, Method::GET, "/api/v1/keystores/default", None);
}

#[test]
fn a_keystore_is_created_listed_shown_renamed_suspended_resumed_and_terminated() {
    let server = Server::start();
    let client = admin(&server);

    let response = call(
        &client,
        Method::POST,
        "/api/v1/keystores",
        Some(json!({"name": "sales", "region": "local", "description": "the sales team"})),
    );
    assert_eq!(response.status, 201, "{}", String::from_utf8_lossy(&response.body));
    let created = response.json().unwrap();
    assert_eq!(created["name"], "sales");
    assert_eq!(created["status"], "OK");
    assert_eq!(created["region"], "local");
    assert_eq!(created["description"], "the sales team");
    assert_eq!(created["auth"], json!({"methods": ["certificate"], "combine": "and"}));
    assert_eq!(created["counts"], json!({"objects": 0, "keys": 0, "secrets": 0, "credentials": 0, "allowlist": 0}));
    assert_eq!(created["endpoints"]["kmip"], server.kmip.to_string());
    assert_eq!(created["endpoints"]["rest"], format!("https://127.0.0.1:{}/api/v1", server.https.port()));
    let id = created["id"].as_str().unwrap().to_owned();

    // By id and by name, the same store.
    assert_eq!(ok(&client, Method::GET, &format!("/api/v1/keystores/{id}"), None)["name"], "sales");
    assert_eq!(ok(&client, Method::GET, "/api/v1/keystores/sales", None)["id"], id);

    let list = ok(&client, Method::GET, "/api/v1/keystores", None);
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["default", "sales"]);
    assert!(list.get("next_cursor").is_none_or(|c| c.is_null()));

    let renamed = ok(
        &client,
        Method::PATCH,
        "/api/v1/keystores/sales",
        Some(json!({"name": "sales-eu", "description": "EU sales"})),
    );
    assert_eq!((renamed["name"].as_str(), renamed["description"].as_str()), (Some("sales-eu"), Some("EU sales")));
    assert_eq!(renamed["id"], id);

    assert_eq!(ok(&client, Method::POST, "/api/v1/keystores/sales-eu/suspend", None)["status"], "SUSPENDED");
    assert_eq!(ok(&client, Method::GET, "/api/v1/keystores/sales-eu", None)["status"], "SUSPENDED");
    // Both are idempotent: a retried request gets the same answer.
    assert_eq!(ok(&client, Method::POST, "/api/v1/keystores/sales-eu/suspend", None)["status"], "SUSPENDED");
    assert_eq!(ok(&client, Method::POST, "/api/v1/keystores/sales-eu/resume", None)["status"], "OK");
    assert_eq!(ok(&client, Method::POST, "/api/v1/keystores/sales-eu/resume", None)["status"], "OK");

    let ca = call(&client, Method::GET, "/api/v1/keystores/sales-eu/ca", None);
    assert_eq!(ca.status, 200);
    assert_eq!(ca.content_type.as_deref(), Some("application/x-pem-file"));
    let pem = String::from_utf8(ca.body.to_vec()).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    // Its own CA, not the data directory's.
    assert_ne!(pem, std::fs::read_to_string(server.ca_cert()).unwrap());

    // Terminate needs the name repeated.
    let refused = call(&client, Method::DELETE, "/api/v1/keystores/sales-eu", None);
    assert_problem(&refused, 400, "confirmation-mismatch");
    let refused = call(&client, Method::DELETE, "/api/v1/keystores/sales-eu?confirm=sales", None);
    assert_problem(&refused, 400, "confirmation-mismatch");
    ok(&client, Method::GET, "/api/v1/keystores/sales-eu", None);
    let gone = ok(&client, Method::DELETE, "/api/v1/keystores/sales-eu?confirm=sales-eu", None);
    assert_eq!(gone["id"], id);
    assert_problem(&call(&client, Method::GET, &format!("/api/v1/keystores/{id}"), None), 404, "keystore-not-found");
}

#[test]
fn refusals_are_problem_documents_with_stable_codes() {
    let server = Server::start();
    let client = admin(&server);
    let create = |body| call(&client, Method::POST, "/api/v1/keystores", Some(body));

    assert_problem(&call(&client, Method::GET, "/api/v1/keystores/nope", None), 404, "keystore-not-found");
    assert_problem(&call(&client, Method::GET, "/api/v1/keystores/nope/credentials", None), 404, "keystore-not-found");
    assert_problem(&call(&client, Method::GET, "/api/v1/keystores/nope/allowlist", None), 404, "keystore-not-found");
    assert_problem(&create(json!({"name": "default"})), 409, "name-taken");
    assert_problem(&create(json!({"name": "x", "colour": "blue"})), 400, "invalid-body");
    assert_problem(&create(json!({"region": "local"})), 400, "invalid-body");
    assert_problem(&create(json!({"name": 7})), 400, "invalid-body");
    assert_problem(&create(json!({"name": "  "})), 400, "invalid-field");
    assert_problem(&create(json!({"name": "x", "region": "mars"})), 400, "unknown-region");
    assert_problem(&create(json!({"name": "x".repeat(65)})), 400, "invalid-field");

    // Not JSON, malformed JSON, too large.
    let raw = |content_type: &str, body: Vec<u8>| {
        crate::http_support::block_on(client.send(Method::POST, "/api/v1/keystores", Some((content_type, body))))
            .unwrap()
    };
    assert_problem(&raw("text/plain", b"name=x".to_vec()), 415, "unsupported-media-type");
    assert_problem(&raw("application/json", b"{\"name\": ".to_vec()), 400, "invalid-body");
    let huge = serde_json::to_vec(&json!({"name": "x", "description": "d".repeat(100_000)})).unwrap();
    assert_problem(&raw("application/json", huge), 413, "payload-too-large");

    // Paging parameters.
    assert_problem(&call(&client, Method::GET, "/api/v1/keystores?limit=0", None), 400, "bad-request");
    assert_problem(&call(&client, Method::GET, "/api/v1/keystores?limit=501", None), 400, "bad-request");
    assert_problem(&call(&client, Method::GET, "/api/v1/keystores?limit=ten", None), 400, "bad-request");
    assert_problem(&call(&client, Method::GET, "/api/v1/keystores?cursor=zz", None), 400, "bad-request");
    // A rename onto a taken name.
    ok(&client, Method::POST, "/api/v1/keystores", Some(json!({"name": "a"})));
    assert_problem(
        &call(&client, Method::PATCH, "/api/v1/keystores/a", Some(json!({"name": "default"}))),
        409,
        "name-taken",
    );
    assert_problem(&call(&client, Method::PUT, "/api/v1/keystores", None), 405, "method-not-allowed");
}

#[test]
fn the_keystore_list_pages_with_limit_and_cursor() {
    let server = Server::start();
    let client = admin(&server);
    for i in 0..4 {
        ok(&client, Method::POST, "/api/v1/keystores", Some(json!({"name": format!("ks{i}")})));
    }
    let mut names = Vec::new();
    let mut path = "/api/v1/keystores?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let page = ok(&client, Method::GET, &path, None);
        pages += 1;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        names.extend(items.iter().map(|k| k["name"].as_str().unwrap().to_owned()));
        match page.get("next_cursor").and_then(|c| c.as_str()) {
            Some(cursor) => path = format!("/api/v1/keystores?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(names, ["default", "ks0", "ks1", "ks2", "ks3"]);
    assert_eq!(pages, 3);
}
