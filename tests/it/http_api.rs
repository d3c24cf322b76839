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

    // Every route is described, with the bearer scheme and its problem responses.
    let routes = [
        ("get", "/api/v1/keystores"),
        ("post", "/api/v1/keystores"),
        ("get", "/api/v1/keystores/{keystore}"),
        ("patch", "/api/v1/keystores/{keystore}"),
        ("delete", "/api/v1/keystores/{keystore}"),
        ("post", "/api/v1/keystores/{keystore}/suspend"),
        ("post", "/api/v1/keystores/{keystore}/resume"),
        ("get", "/api/v1/keystores/{keystore}/ca"),
        ("get", "/api/v1/keystores/{keystore}/auth"),
        ("put", "/api/v1/keystores/{keystore}/auth"),
        ("get", "/api/v1/keystores/{keystore}/credentials"),
        ("post", "/api/v1/keystores/{keystore}/credentials"),
        ("post", "/api/v1/keystores/{keystore}/credentials/register"),
        ("post", "/api/v1/keystores/{keystore}/credentials/sign"),
        ("get", "/api/v1/keystores/{keystore}/credentials/{credential}"),
        ("post", "/api/v1/keystores/{keystore}/credentials/{credential}/revoke"),
        ("get", "/api/v1/keystores/{keystore}/allowlist"),
        ("post", "/api/v1/keystores/{keystore}/allowlist"),
        ("delete", "/api/v1/keystores/{keystore}/allowlist/{entry}"),
    ];
    let operations: usize =
        doc["paths"].as_object().unwrap().values().map(|item| item.as_object().unwrap().len()).sum();
    assert_eq!(operations, routes.len() + 1, "{}", doc["paths"]);
    for (method, path) in routes {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not in the document");
        for status in ["400", "401", "404"] {
            let content = &op["responses"][status]["content"]["application/problem+json"]["schema"]["$ref"];
            assert_eq!(content, "#/components/schemas/Problem", "{method} {path} {status}");
        }
    }
    for schema in
        ["KeyStoreView", "CredentialView", "CredentialBundleView", "AllowEntryView", "AuthView", "KeyStorePage"]
    {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema} missing");
    }
    assert_eq!(doc["security"], serde_json::json!([{"bearer": []}]));
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

#[test]
fn sigterm_stops_the_https_plane_with_the_kmip_port_even_with_a_client_connected() {
    let mut server = Server::start();
    // A client connected over TLS, idle between requests.
    let config = server.tls_config(rustls::ALL_VERSIONS, None);
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tcp = std::net::TcpStream::connect(server.https).unwrap();
    let mut idle = rustls::StreamOwned::new(rustls::ClientConnection::new(config, name).unwrap(), tcp);
    crate::harness::handshake(&mut idle).unwrap();
    let status = server.terminate(std::time::Duration::from_secs(10)).expect("coffer serve exits on SIGTERM");
    assert!(status.success(), "{status}:\n{}", server.log());
    assert!(!server.data.join("listening.json").exists());
}

/// GET /api/v1/openapi.json over a TLS connection to the HTTPS port that
/// presents `identity`; returns the status line, or the TLS error.
fn openapi_with_identity(
    server: &Server,
    identity: Option<(&std::path::Path, &std::path::Path)>,
) -> Result<String, std::io::Error> {
    use std::io::{Read, Write};
    let config = server.tls_config(rustls::ALL_VERSIONS, identity);
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tcp = std::net::TcpStream::connect(server.https).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let mut tls = rustls::StreamOwned::new(rustls::ClientConnection::new(config, name).unwrap(), tcp);
    tls.write_all(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut response = Vec::new();
    tls.read_to_end(&mut response)?;
    Ok(String::from_utf8_lossy(&response).lines().next().unwrap_or_default().to_owned())
}

#[test]
fn a_client_certificate_is_optional_on_https_and_verified_when_sent() {
    let server = Server::start();
    let client = admin(&server);
    crate::http_support::ok(&client, Method::POST, "/api/v1/keystores", Some(serde_json::json!({"name": "other"})));
    let bundle = crate::http_support::ok(
        &client,
        Method::POST,
        "/api/v1/keystores/other/credentials",
        Some(serde_json::json!({"name": "c1"})),
    );
    let dir = crate::harness::temp_dir("https-identity");
    std::fs::write(dir.join("c1.pem"), bundle["client_pem"].as_str().unwrap()).unwrap();
    std::fs::write(dir.join("c1.key"), bundle["client_key_pem"].as_str().unwrap()).unwrap();
    let status = |cert: &str, key: &str| openapi_with_identity(&server, Some((&dir.join(cert), &dir.join(key))));
    assert_eq!(openapi_with_identity(&server, None).unwrap(), "HTTP/1.1 200 OK");
    // Another key store's credential: its CA is trusted too.
    assert_eq!(status("c1.pem", "c1.key").unwrap(), "HTTP/1.1 200 OK");
    // A certificate no key store knows is refused at the handshake.
    let out = std::process::Command::new("openssl")
        .current_dir(&dir)
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
        .args(["-keyout", "x.key", "-out", "x.pem", "-subj", "/CN=stranger", "-days", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(status("x.pem", "x.key").is_err(), "an unknown client certificate was accepted");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A request refused at its head (hyper answers a malformed header with a
/// 400 and ends the connection) while its body is still on the way: the
/// server reads what the client still sends before it closes, so the
/// client's writes go through and it reads the 400, instead of a reset
/// (schemathesis met that reset as "EOF occurred in violation of protocol"
/// under load, when its body went out after the server had closed).
#[test]
fn a_request_refused_at_its_head_can_still_send_its_body_and_read_the_400() {
    use std::io::{Read, Write};
    use std::time::Duration;
    let server = Server::start();
    let config = server.tls_config(rustls::ALL_VERSIONS, None);
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tcp = std::net::TcpStream::connect(server.https).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut tls = rustls::StreamOwned::new(rustls::ClientConnection::new(config, name).unwrap(), tcp);
    tls.write_all(b"PUT /api/v1/keystores/default/auth HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\x00b\r\nContent-Length: 40000\r\n\r\n")
        .unwrap();
    // The server has answered and ended its side before the body goes out.
    std::thread::sleep(Duration::from_millis(300));
    for chunk in 0..10 {
        tls.write_all(&[b'x'; 4000]).unwrap_or_else(|e| panic!("body chunk {chunk}: {e}"));
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut response = Vec::new();
    tls.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
}
