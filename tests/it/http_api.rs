//! The HTTPS plane's foundation against the real server: the OpenAPI
//! document, problem documents, the admin token, routing, body rules.

use hyper::Method;

use crate::harness::Server;
use crate::http_support::{admin, assert_problem, block_on, call};

#[test]
fn the_openapi_document_is_served_without_a_token_and_describes_the_bearer_scheme() {
    let server = Server::start();
    let anonymous = admin(&server).without_token();
    let response = call(&anonymous, Method::GET, "/api/v1/openapi.json", None);
    assert_eq!(response.status, 200);
    let doc = response.json().unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(doc["paths"]["/api/v1/openapi.json"]["get"].is_object());
}

#[test]
fn an_unknown_path_is_a_404_problem() {
    let server = Server::start();
    let response = call(&admin(&server), Method::GET, "/nothing/here", None);
    let problem = assert_problem(&response, 404, "not-found");
    assert!(problem["detail"].as_str().unwrap().contains("/nothing/here"));
}

#[test]
fn listening_json_names_the_https_address() {
    let server = Server::start();
    let text = std::fs::read_to_string(server.data.join("listening.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["https"], server.https.to_string());
    assert_ne!(server.https.port(), 0);
    // And the server answers there over TLS that the data directory's CA signed.
    let response = block_on(admin(&server).without_token().send(Method::GET, "/api/v1/openapi.json", None)).unwrap();
    assert_eq!(response.status, 200);
}
