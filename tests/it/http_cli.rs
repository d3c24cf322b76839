//! The admin CLI (`coffer keystore|credential|allow`) against a running
//! server: it finds the server through `listening.json`, authenticates with
//! `admin.token`, and `credential issue --out` writes a bundle that
//! `openssl pkcs12` opens and PyKMIP connects with.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::harness::{coffer, temp_dir, Server};
use crate::pykmip_support::python;

/// Runs `coffer ARGS --data-dir DATA` and returns its standard output; panics if it fails.
fn cli(server: &Server, args: &[&str]) -> String {
    let out = cli_output(server, args);
    assert!(
        out.status.success(),
        "coffer {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn cli_output(server: &Server, args: &[&str]) -> std::process::Output {
    coffer().args(args).arg("--data-dir").arg(&server.data).output().unwrap()
}

fn json(server: &Server, args: &[&str]) -> Value {
    let text = cli(server, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("coffer {args:?}: not JSON ({e}): {text}"))
}

#[test]
fn the_cli_creates_a_keystore_adds_an_allowlist_entry_and_lists_them_as_json() {
    let server = Server::start();
    let created = json(&server, &["keystore", "create", "sales", "--description", "EU sales", "--json"]);
    assert_eq!((created["name"].as_str(), created["status"].as_str()), (Some("sales"), Some("OK")));
    let table = cli(&server, &["keystore", "show", "sales"]);
    assert!(table.contains("status       OK") && table.contains("EU sales"), "{table}");

    let list = json(&server, &["keystore", "list", "--json"]);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["default", "sales"]);

    let entry = json(
        &server,
        &["allow", "add", "--keystore", "sales", "--ip", "10.1.0.0/16", "--description", "lan", "--json"],
    );
    assert_eq!((entry["kind"].as_str(), entry["value"].as_str()), (Some("cidr"), Some("10.1.0.0/16")));
    json(&server, &["allow", "add", "--keystore", "sales", "--mac", "02:00:00:00:00:01", "--json"]);
    let entries = json(&server, &["allow", "list", "--keystore", "sales", "--json"]);
    assert_eq!(entries.as_array().unwrap().len(), 2);
    cli(&server, &["allow", "remove", "--keystore", "sales", entry["id"].as_str().unwrap()]);
    assert_eq!(json(&server, &["allow", "list", "--keystore", "sales", "--json"]).as_array().unwrap().len(), 1);

    let auth =
        json(&server, &["keystore", "auth", "sales", "--methods", "certificate,ip", "--combine", "or", "--json"]);
    assert_eq!(auth, serde_json::json!({"methods": ["certificate", "ip"], "combine": "or"}));

    cli(&server, &["keystore", "rename", "sales", "sales-eu"]);
    cli(&server, &["keystore", "suspend", "sales-eu"]);
    assert_eq!(json(&server, &["keystore", "show", "sales-eu", "--json"])["status"], "SUSPENDED");
    cli(&server, &["keystore", "resume", "sales-eu"]);

    // A refusal is an error exit with the problem's detail and code.
    let out = cli_output(&server, &["keystore", "terminate", "sales-eu", "--confirm", "sales"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("confirmation-mismatch"), "{stderr}");
    let report = json(&server, &["keystore", "terminate", "sales-eu", "--confirm", "sales-eu", "--json"]);
    assert_eq!(report["name"], "sales-eu");
    assert_eq!(json(&server, &["keystore", "list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn the_cli_refuses_without_the_right_token() {
    let server = Server::start();
    let out = coffer()
        .args(["keystore", "list"])
        .arg("--data-dir")
        .arg(&server.data)
        .env("COFFER_TOKEN", "coffer_wrong")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("401") && stderr.contains("unauthorized"), "{stderr}");
    // COFFER_ADDR names the server when given.
    let out = coffer()
        .args(["keystore", "list", "--json"])
        .arg("--data-dir")
        .arg(&server.data)
        .env("COFFER_ADDR", format!("https://localhost:{}", server.https.port()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_issued_bundle_opens_with_openssl_and_pykmip_connects_with_it() {
    let server = Server::start();
    let out_dir = temp_dir("issued");
    let credential = json(
        &server,
        &[
            "credential",
            "issue",
            "--keystore",
            "default",
            "--name",
            "cli1",
            "--password",
            "s3cret",
            "--validity-days",
            "7",
            "--out",
            out_dir.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(credential["name"], "cli1");
    for file in ["client.pem", "client.key", "client.p12", "ca.pem", "pykmip.conf"] {
        assert!(out_dir.join(file).exists(), "{file} missing");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(out_dir.join("client.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    let opened = Command::new("openssl")
        .args(["pkcs12", "-in"])
        .arg(out_dir.join("client.p12"))
        .args(["-passin", "pass:s3cret", "-nodes"])
        .output()
        .unwrap();
    assert!(opened.status.success(), "{}", String::from_utf8_lossy(&opened.stderr));
    assert!(String::from_utf8_lossy(&opened.stdout).contains("PRIVATE KEY"));

    let listed = json(&server, &["credential", "list", "--keystore", "default", "--json"]);
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cli1", "default"]);

    if let Some(python) = python() {
        pykmip_creates_and_gets_a_key(&python, &out_dir.join("pykmip.conf"));
    }
    let revoked = json(&server, &["credential", "revoke", "--keystore", "default", "cli1", "--json"]);
    assert_eq!(revoked["status"], "revoked");
    std::fs::remove_dir_all(&out_dir).unwrap();
}

/// PyKMIP, configured by `conf` alone, creates an AES key and gets it back.
fn pykmip_creates_and_gets_a_key(python: &Path, conf: &Path) {
    let script = [
        "import sys",
        "from kmip.core import enums",
        "from kmip.pie.client import ProxyKmipClient",
        "with ProxyKmipClient(config='client', config_file=sys.argv[1]) as c:",
        "    uid = c.create(enums.CryptographicAlgorithm.AES, 256)",
        "    key = c.get(uid)",
        "    assert len(key.value) == 32, key",
        "print('pykmip ok', uid)",
    ]
    .join("\n");
    let out =
        Command::new(python).arg("-c").arg(script).arg(conf).env("PYTHONDONTWRITEBYTECODE", "1").output().unwrap();
    assert!(
        out.status.success(),
        "PyKMIP with {}: {}{}",
        conf.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("pykmip ok"));
}

#[test]
fn without_json_the_lists_print_a_line_per_item_and_the_keystores_a_header() {
    let server = Server::start();
    json(&server, &["allow", "add", "--keystore", "default", "--ip", "10.1.0.0/16", "--description", "lan", "--json"]);

    let keystores = json(&server, &["keystore", "list", "--json"]);
    let ks = &keystores[0];
    let expected = format!(
        "NAME                     STATUS      REGION      OBJECTS  CREDENTIALS  ID\n{:<24} {:<11} {:<10} {:>8} {:>12}  {}\n",
        ks["name"].as_str().unwrap(),
        ks["status"].as_str().unwrap(),
        ks["region"].as_str().unwrap(),
        ks["counts"]["objects"].as_u64().unwrap(),
        ks["counts"]["credentials"].as_u64().unwrap(),
        ks["id"].as_str().unwrap(),
    );
    assert_eq!(cli(&server, &["keystore", "list"]), expected);

    let entries = json(&server, &["allow", "list", "--keystore", "default", "--json"]);
    let e = &entries[0];
    let expected = format!("{}  cidr  10.1.0.0/16  lan\n", e["id"].as_str().unwrap());
    assert_eq!(cli(&server, &["allow", "list", "--keystore", "default"]), expected);

    let credentials = json(&server, &["credential", "list", "--keystore", "default", "--json"]);
    assert!(!credentials.as_array().unwrap().is_empty(), "the first start issues a credential");
    let listed = cli(&server, &["credential", "list", "--keystore", "default"]);
    assert_eq!(listed.lines().count(), credentials.as_array().unwrap().len(), "{listed}");
    for (line, c) in listed.lines().zip(credentials.as_array().unwrap()) {
        let name = c["name"].as_str().unwrap();
        let id = c["id"].as_str().unwrap();
        assert!(line.starts_with(&format!("{name}  active  ")) && line.ends_with(id), "{line}");
    }
}
