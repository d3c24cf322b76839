//! `coffer init` and `coffer serve` as an operator and a client meet them:
//! the data directory's layout and modes, listening.json, TLS 1.2 and 1.3
//! with a client certificate, the certificates that are refused at the
//! handshake (and the log saying why), the framing limits, and SIGTERM.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use coffer::pki::{Ca, Validity};

use crate::harness::{closed_by_server, handshake, send, temp_dir, Server};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_lays_out_the_data_directory_with_private_modes_and_is_idempotent() {
    let dir = temp_dir("init");
    let data = dir.join("data");
    let run = || {
        let out = crate::harness::coffer().arg("init").arg("--data-dir").arg(&data).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let printed = run();
    assert!(printed.contains(&data.join("master.key").display().to_string()), "{printed}");
    assert!(printed.contains(&data.join("clients/default/pykmip.conf").display().to_string()), "{printed}");

    let private = ["master.key", "admin.token", "tls/ca.key", "tls/server.key", "clients/default/client.key"];
    let public = ["tls/ca.pem", "tls/server.pem", "clients/default/client.pem", "clients/default/ca.pem"];
    for f in private {
        assert_eq!(mode(&data.join(f)), 0o600, "{f}");
    }
    for f in public {
        assert_eq!(mode(&data.join(f)), 0o644, "{f}");
    }
    assert_eq!(mode(&data.join("clients/default/client.p12")), 0o600);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(std::fs::read(data.join("master.key")).unwrap().len(), 32);
    assert!(data.join("coffer.redb").is_file());
    let conf = std::fs::read_to_string(data.join("clients/default/pykmip.conf")).unwrap();
    assert!(conf.contains(&format!("certfile={}", data.join("clients/default/client.pem").display())), "{conf}");

    let every: Vec<_> = private.iter().chain(&public).map(|f| std::fs::read(data.join(f)).unwrap()).collect();
    let again = run();
    assert!(again.contains("nothing to create"), "{again}");
    let after: Vec<_> = private.iter().chain(&public).map(|f| std::fs::read(data.join(f)).unwrap()).collect();
    assert!(every == after, "a second init changed a file");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn serve_on_port_0_writes_the_chosen_address_to_listening_json() {
    let server = Server::start();
    assert_ne!(server.kmip.port(), 0);
    assert!(server.kmip.ip().is_loopback());
    assert!(server.data.join("coffer.redb").is_file(), "the store was not opened");
    // The first credential's pykmip.conf names the port really chosen.
    let conf = std::fs::read_to_string(server.pykmip_conf()).unwrap();
    assert!(conf.contains(&format!("\nport={}\n", server.kmip.port())), "{conf}");
    let stdout = std::fs::read_to_string(server.dir.join("server.out")).unwrap();
    assert!(stdout.contains(&format!("KMIP listening on {}", server.kmip)), "{stdout}");
}

#[test]
fn tls_1_2_and_1_3_handshakes_with_the_client_certificate_succeed() {
    let server = Server::start();
    let identity = (server.client_cert(), server.client_key());
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let config = server.tls_config(&[version], Some((&identity.0, &identity.1)));
        let mut tls = server.connect_with(config);
        handshake(&mut tls).unwrap();
        assert_eq!(tls.conn.protocol_version(), Some(version.version));
        // Held open by the server, not refused after the handshake.
        tls.sock.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        assert!(!closed_by_server(&mut tls), "{:?} connection was closed", version.version);
    }
    assert!(server.log_shows("credential=default keystore=default tls=TLSv1_2", Duration::from_secs(5)));
    assert!(server.log_shows("tls=TLSv1_3", Duration::from_secs(5)));
}

/// Synology opens a connection per operation: the second handshake of a
/// client is a resumption (TLS 1.3 ticket, TLS 1.2 ticket or session id),
/// and the resumed connection is served as the same credential.
#[test]
fn a_reconnecting_client_resumes_its_session_and_keeps_its_identity() {
    use coffer::kmip::message::ResponseMessage;
    use coffer::kmip::table::ResultStatus;
    use coffer::kmip::version::ProtocolVersion;

    use crate::server_kmip::{discover_versions, response};

    let server = Server::start();
    let identity = (server.client_cert(), server.client_key());
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        // One client configuration: its session store carries the ticket over.
        let config = server.tls_config(&[version], Some((&identity.0, &identity.1)));
        for round in 0..3 {
            let mut tls = server.connect_with(config.clone());
            handshake(&mut tls).unwrap();
            send(&mut tls, &discover_versions(ProtocolVersion::V1_2));
            let answer: ResponseMessage = response(&mut tls);
            let [item] = answer.batch_items.as_slice() else { panic!("{answer:?}") };
            assert_eq!(item.result_status, ResultStatus::Success, "{item:?}");
            let kind = tls.conn.handshake_kind();
            let expected = if round == 0 { rustls::HandshakeKind::Full } else { rustls::HandshakeKind::Resumed };
            assert_eq!(kind, Some(expected), "{:?} round {round}", version.version);
            tls.conn.send_close_notify();
            let _ = tls.conn.complete_io(&mut tls.sock);
        }
    }
    assert!(server.log_shows("credential=default keystore=default tls=TLSv1_3 resumed=true", Duration::from_secs(5)));
    assert!(server.log_shows("credential=default keystore=default tls=TLSv1_2 resumed=true", Duration::from_secs(5)));
}

#[test]
fn openssl_s_client_completes_tls_1_2_and_1_3_handshakes() {
    if std::process::Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIP openssl_s_client_completes_tls_1_2_and_1_3_handshakes: no openssl on PATH");
        return;
    }
    let server = Server::start();
    for (flag, expect) in [("-tls1_2", "Protocol  : TLSv1.2"), ("-tls1_3", "TLSv1.3")] {
        let out = std::process::Command::new("openssl")
            .args(["s_client", flag, "-connect", &server.kmip.to_string(), "-servername", "localhost"])
            .arg("-cert")
            .arg(server.client_cert())
            .arg("-key")
            .arg(server.client_key())
            .arg("-CAfile")
            .arg(server.ca_cert())
            .args(["-verify_return_error", "-verify_hostname", "localhost"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(expect), "{flag}: {text}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("Verify return code: 0 (ok)"), "{flag}: {text}");
    }
}

/// Tries a handshake with `config` and then a read: refused means the
/// handshake failed or the server closed the connection right after it (in
/// TLS 1.3 the client finishes its side before the server has checked its
/// certificate, so the refusal arrives as an alert on the first read).
fn refused(server: &Server, config: std::sync::Arc<rustls::ClientConfig>) -> bool {
    let mut tls = server.connect_with(config);
    if handshake(&mut tls).is_err() {
        return true;
    }
    closed_by_server(&mut tls)
}

#[test]
fn a_client_without_a_certificate_is_refused_at_the_handshake() {
    let server = Server::start();
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        assert!(refused(&server, server.tls_config(&[version], None)), "{:?}", version.version);
    }
    assert!(server.log_shows("peer sent no certificates", Duration::from_secs(5)), "{}", server.log());
}

#[test]
fn a_certificate_from_another_ca_is_refused_at_the_handshake() {
    let server = Server::start();
    let other = Ca::generate("some other CA", 30).unwrap();
    let issued = other.issue_client("default", "default", Validity::days_from_now(30)).unwrap();
    let dir = temp_dir("other-ca");
    std::fs::write(dir.join("c.pem"), &issued.cert_pem).unwrap();
    std::fs::write(dir.join("c.key"), &*issued.key_pem).unwrap();
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let config = server.tls_config(&[version], Some((&dir.join("c.pem"), &dir.join("c.key"))));
        assert!(refused(&server, config), "{:?}", version.version);
    }
    assert!(server.log_shows("UnknownIssuer", Duration::from_secs(5)), "{}", server.log());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_expired_client_certificate_is_refused_at_the_handshake() {
    let server = Server::start();
    let tls_dir = server.data.join("tls");
    let ca =
        Ca::from_pem(&std::fs::read(tls_dir.join("ca.pem")).unwrap(), &std::fs::read(tls_dir.join("ca.key")).unwrap())
            .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let past = Validity { not_before: now - 10 * 86_400, not_after: now - 86_400 };
    let issued = ca.issue_client("default", "expired", past).unwrap();
    let dir = temp_dir("expired");
    std::fs::write(dir.join("c.pem"), &issued.cert_pem).unwrap();
    std::fs::write(dir.join("c.key"), &*issued.key_pem).unwrap();
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let config = server.tls_config(&[version], Some((&dir.join("c.pem"), &dir.join("c.key"))));
        assert!(refused(&server, config), "{:?}", version.version);
    }
    assert!(server.log_shows("certificate expired", Duration::from_secs(5)), "{}", server.log());
    // The same CA's valid certificate, made by hand, is no credential: refused too
    // (it could never be revoked) ...
    let good = ca.issue_client("default", "fresh", Validity::days_from_now(1)).unwrap();
    std::fs::write(dir.join("g.pem"), &good.cert_pem).unwrap();
    std::fs::write(dir.join("g.key"), &*good.key_pem).unwrap();
    let config = server.tls_config(rustls::ALL_VERSIONS, Some((&dir.join("g.pem"), &dir.join("g.key"))));
    assert!(refused(&server, config.clone()));
    assert!(server.log_shows("no credential of its key store", Duration::from_secs(5)), "{}", server.log());
    // ... until it is registered: then it gets in, so it was the date that refused the first one.
    let pem = String::from_utf8(good.cert_pem.clone()).unwrap();
    let registered = crate::http_support::call(
        &crate::http_support::admin(&server),
        hyper::Method::POST,
        "/api/v1/keystores/default/credentials/register",
        Some(serde_json::json!({"name": "fresh", "certificate": pem})),
    );
    assert_eq!(registered.status, 201, "{}", String::from_utf8_lossy(&registered.body));
    let mut tls = server.connect_with(config);
    handshake(&mut tls).unwrap();
    tls.sock.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    assert!(!closed_by_server(&mut tls));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn half_a_header_then_silence_is_dropped_after_the_read_timeout() {
    // The limit comes from a TOML file here (and from COFFER_* below).
    let server = Server::start_with(&[], Some("[limits]\nread_timeout_secs = 1\n"));
    let mut tls = server.connect();
    send(&mut tls, &[0x42, 0x00, 0x78, 0x01]);
    let start = Instant::now();
    assert!(closed_by_server(&mut tls), "the connection was not closed");
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(5), "closed after {waited:?}");
    assert!(server.log_shows("read timeout", Duration::from_secs(5)), "{}", server.log());
}

#[test]
fn a_9_byte_garbage_header_closes_the_connection() {
    let server = Server::start();
    let mut tls = server.connect();
    send(&mut tls, b"GET / HTT");
    assert!(closed_by_server(&mut tls));
    assert!(server.log_shows("not a KMIP Request Message header", Duration::from_secs(5)), "{}", server.log());
}

#[test]
fn an_announced_length_over_the_limit_closes_before_the_body_is_read() {
    let server = Server::start_with(&[("COFFER_LIMITS_MAX_MESSAGE_BYTES", "1024")], None);
    let mut tls = server.connect();
    // 2000 bytes announced, none sent: the server must not wait for them.
    send(&mut tls, &[0x42, 0x00, 0x78, 0x01, 0x00, 0x00, 0x07, 0xD0]);
    let start = Instant::now();
    assert!(closed_by_server(&mut tls));
    assert!(start.elapsed() < Duration::from_secs(5), "waited {:?}", start.elapsed());
    assert!(
        server.log_shows("2008 bytes announced, over the limit of 1024", Duration::from_secs(5)),
        "{}",
        server.log()
    );
}

#[test]
fn sigterm_exits_0_promptly_and_removes_listening_json() {
    let mut server = Server::start();
    // An idle connection must not hold the shutdown up.
    let _idle = server.connect();
    let status = server.terminate(Duration::from_secs(5)).expect("exited within 5 s");
    assert!(status.success(), "{status}\n{}", server.log());
    assert!(!server.data.join("listening.json").exists());
    assert!(server.log().contains("SIGTERM"), "{}", server.log());
}

#[test]
fn serve_refuses_a_bad_setting_and_says_which() {
    let dir = temp_dir("bad-config");
    let out = crate::harness::coffer()
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env("COFFER_LIMITS_READ_TIMEOUT_SECS", "soon")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("COFFER_LIMITS_READ_TIMEOUT_SECS"), "{stderr}");
    assert!(!dir.join("data").exists(), "the data directory was made despite the bad setting");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn serve_on_a_port_in_use_fails_and_names_the_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = temp_dir("port-in-use");
    let out = crate::harness::coffer()
        .arg("serve")
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["--kmip-addr", &addr])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("cannot listen on {addr}")), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_restart_keeps_the_ca_and_the_first_credential_working() {
    let mut server = Server::start();
    let ca = std::fs::read(server.ca_cert()).unwrap();
    let cert = std::fs::read(server.client_cert()).unwrap();
    drop(server.connect());
    server.restart();
    assert_eq!(std::fs::read(server.ca_cert()).unwrap(), ca);
    assert_eq!(std::fs::read(server.client_cert()).unwrap(), cert);
    let mut tls = server.connect();
    tls.sock.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    assert!(!closed_by_server(&mut tls));
    let conf = std::fs::read_to_string(server.pykmip_conf()).unwrap();
    assert!(conf.contains(&format!("\nport={}\n", server.kmip.port())), "pykmip.conf not updated: {conf}");
}
