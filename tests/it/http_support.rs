//! Helpers for the HTTPS tests: an admin client of a running server (the
//! CLI's own client, over real TLS), and a runtime to drive it.

#![allow(dead_code)]

use coffer::cli::admin_client::{AdminClient, ClientError, Response};
use hyper::Method;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::harness::Server;

/// A client of `server`'s REST API with its admin token.
pub fn admin(server: &Server) -> AdminClient {
    let token = std::fs::read_to_string(server.data.join("admin.token")).unwrap();
    AdminClient::new(
        &format!("https://127.0.0.1:{}", server.https.port()),
        &server.ca_cert(),
        Some(Zeroizing::new(token)),
    )
    .unwrap()
}

/// Runs `f` to completion on a fresh single-threaded runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// Sends a request with an optional JSON body and returns the raw response.
pub fn call(client: &AdminClient, method: Method, path: &str, body: Option<Value>) -> Response {
    let body = body.map(|v| ("application/json", serde_json::to_vec(&v).unwrap()));
    block_on(client.send(method, path, body)).unwrap()
}

/// JSON in, JSON out of a 2xx answer; panics on a problem.
pub fn ok(client: &AdminClient, method: Method, path: &str, body: Option<Value>) -> Value {
    block_on(client.json(method, path, body.as_ref())).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Asserts `response` is a problem document with `status` and `code`; returns it.
pub fn assert_problem(response: &Response, status: u16, code: &str) -> Value {
    assert_eq!(
        response.status.as_u16(),
        status,
        "expected {status} {code}, got {}: {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.content_type.as_deref(), Some("application/problem+json"));
    let json = response.json().unwrap();
    assert_eq!(json["code"], code, "{json}");
    assert_eq!(json["status"], status);
    assert_eq!(json["type"], format!("urn:coffer:problem:{code}"));
    assert!(json["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(json["detail"].as_str().is_some());
    json
}

/// The problem of a failed JSON call.
pub fn problem_code(e: ClientError) -> (u16, String) {
    match e {
        ClientError::Problem { status, code, .. } => (status, code),
        other => panic!("expected a problem document, got {other}"),
    }
}
