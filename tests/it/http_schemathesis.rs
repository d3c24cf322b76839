//! schemathesis (PyPI, pinned in tests/schemathesis/requirements.txt)
//! against the real server's `/api/v1/openapi.json`, with the admin token:
//! every operation is fuzzed from the document, positive and negative data;
//! the test fails on any finding: a 5xx, a status the document does not
//! list, a response whose body, content type or headers do not match it.

use std::process::Command;

use crate::harness::Server;
use crate::pykmip_support::{manifest_dir, python};

/// The checks run: no server errors, and every response as documented.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance,response_headers_conformance";

#[test]
fn schemathesis_finds_no_server_error_and_no_response_off_the_schema() {
    // The venv tests/setup.sh makes holds schemathesis beside PyKMIP.
    if python().is_none() {
        return;
    }
    let schemathesis = manifest_dir().join("tests/.venv/bin/schemathesis");
    assert!(schemathesis.exists(), "{} is missing: run ./tests/setup.sh", schemathesis.display());
    let server = Server::start();
    let token = std::fs::read_to_string(server.data.join("admin.token")).unwrap();
    let url = format!("https://127.0.0.1:{}/api/v1/openapi.json", server.https.port());
    let out = Command::new(&schemathesis)
        .args(["run", &url, "--checks", CHECKS, "--max-examples", "25", "--seed", "5696", "--workers", "1"])
        .arg("--tls-verify")
        .arg(server.ca_cert())
        .args(["--header", &format!("Authorization: Bearer {}", token.trim())])
        .env("SCHEMATHESIS_HOOKS", "")
        .env("NO_COLOR", "1")
        .current_dir(server.dir.clone())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{stdout}\n--- stderr ---\n{}\n--- server log (errors) ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log().lines().filter(|l| l.contains("ERROR")).collect::<Vec<_>>().join("\n"),
    );
    // It did test every operation.
    assert!(stdout.contains("Tested: 19"), "{stdout}");
    assert!(!server.log().contains("REST API internal error"), "{}", server.log());
}
