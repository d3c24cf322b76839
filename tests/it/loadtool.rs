//! `coffer bench` (the built binary) against real servers: PyKMIP's own
//! `pykmip-server`, started by `benches/pykmip-server/run.sh`, and a canned
//! in-process TLS server that answers every request with fixed bytes (to
//! check failure counting, and to measure the tool's own ceiling).

use std::io::Write as _;
use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use coffer::kmip::codec::{DateTime, ToTtlv};
use coffer::kmip::message::{ResponseBatchItem, ResponseHeader, ResponseMessage};
use coffer::kmip::payloads::{DiscoverVersionsResponse, ResponsePayload};
use coffer::kmip::table::{Operation, ResultReason, ResultStatus};
use coffer::kmip::ProtocolVersion;
use coffer::ttlv::Tag;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A directory of its own under the system temp dir, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("coffer-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The PyKMIP venv, or a loud skip (a failure under CI).
fn pykmip_server_binary() -> Option<PathBuf> {
    let path = repo().join("tests/.venv/bin/pykmip-server");
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("pykmip-server is missing at {} (run ./tests/setup.sh)", path.display());
    }
    eprintln!("\n!!!!! SKIPPED: pykmip-server is missing at {}; run ./tests/setup.sh !!!!!\n", path.display());
    None
}

/// A pykmip-server started by run.sh, stopped by stop.sh when dropped.
struct PyKmipServer {
    dir: PathBuf,
    pid: u32,
}

impl PyKmipServer {
    fn start(dir: &Path) -> PyKmipServer {
        let out = Command::new(repo().join("benches/pykmip-server/run.sh"))
            .arg(dir)
            .arg(free_port().to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "run.sh failed: {}", String::from_utf8_lossy(&out.stderr));
        let pid = String::from_utf8(out.stdout).unwrap().trim().parse().unwrap();
        PyKmipServer { dir: dir.to_owned(), pid }
    }
}

impl Drop for PyKmipServer {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("benches/pykmip-server/stop.sh")).arg(&self.dir).status();
    }
}

fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_coffer")).arg("bench").args(args).output().unwrap()
}

fn json_report(out: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("not one JSON report ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    })
}

/// Every field the report promises, with numbers where numbers belong.
fn assert_report_fields(r: &serde_json::Value) {
    for key in ["op", "addr", "kmip_version"] {
        assert!(r[key].is_string(), "{key} in {r}");
    }
    for key in ["connections", "threads", "duration_secs", "ops", "ops_per_sec", "failures", "tool_cpu_us_per_op"] {
        assert!(r[key].is_number(), "{key} in {r}");
    }
    for key in ["p50", "p90", "p99", "p99_9", "max", "mean"] {
        assert!(r["latency_us"][key].is_number(), "latency_us.{key} in {r}");
    }
    assert!(r["failure_reasons"].is_array() && r["connection_errors"].is_array(), "{r}");
    for key in ["reconnect", "per_thread_runtimes", "busy_poll"] {
        assert!(r[key].is_boolean(), "{key} in {r}");
    }
    let l = &r["latency_us"];
    let p = |k: &str| l[k].as_f64().unwrap();
    assert!(p("p50") <= p("p90") && p("p90") <= p("p99") && p("p99") <= p("p99_9") && p("p99_9") <= p("max"), "{l}");
}

#[test]
fn bench_drives_pykmip_server_with_encrypt_get_create_and_rsa_sign_and_create_key_pair_and_no_failures() {
    if pykmip_server_binary().is_none() {
        return;
    }
    let dir = scratch("pykmip");
    let server = PyKmipServer::start(&dir);
    let conf = dir.join("client.conf");
    let pid = server.pid.to_string();
    for (op, secs) in [("encrypt", "2"), ("get", "1"), ("create", "1")] {
        let out = bench(&[
            "--pykmip-conf",
            conf.to_str().unwrap(),
            "--op",
            op,
            "--connections",
            "2",
            "--duration",
            secs,
            "--warmup",
            "0.3",
            "--server-pid",
            &pid,
            "--json",
        ]);
        let r = json_report(&out);
        assert!(out.status.success(), "{op}: exit {:?}, report {r}", out.status);
        assert_report_fields(&r);
        assert_eq!(r["op"], op);
        assert_eq!(r["connections"], 2);
        assert!(r["ops"].as_u64().unwrap() > 0, "{op}: {r}");
        assert_eq!(r["failures"], 0, "{op}: {r}");
        assert_eq!(r["connection_errors"].as_array().unwrap().len(), 0, "{op}: {r}");
        // PyKMIP spends milliseconds per operation; any positive figure shows the /proc reading works.
        assert!(r["server_cpu_us_per_op"].as_f64().unwrap() > 0.0, "{op}: {r}");
    }
    // Sign and Create Key Pair with RSA-2048 (pykmip-server 0.11 has no EC keys).
    for op in ["sign", "create-key-pair"] {
        let args = ["--pykmip-conf", conf.to_str().unwrap(), "--op", op, "--key-type", "rsa-2048"];
        let out = bench(&[&args[..], &["--duration", "0.5", "--warmup", "0.1", "--json"]].concat());
        let r = json_report(&out);
        assert!(out.status.success(), "{op}: exit {:?}, report {r}", out.status);
        assert!(r["ops"].as_u64().unwrap() > 0, "{op}: {r}");
        assert_eq!(r["failures"], 0, "{op}: {r}");
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_refuses_a_server_it_cannot_reach_with_a_non_zero_exit() {
    let dir = scratch("unreachable");
    make_pki(&dir);
    let addr = format!("127.0.0.1:{}", free_port());
    let out = bench(&[
        "--addr",
        &addr,
        "--ca",
        dir.join("ca.pem").to_str().unwrap(),
        "--cert",
        dir.join("client.pem").to_str().unwrap(),
        "--key",
        dir.join("client.key").to_str().unwrap(),
        "--duration",
        "1",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("connecting to {addr}")), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The CA, server and client certificates of run.sh, without the server.
fn make_pki(dir: &Path) {
    let out = Command::new(repo().join("benches/pykmip-server/run.sh")).arg(dir).env("PKI_ONLY", "1").output().unwrap();
    assert!(out.status.success(), "run.sh (PKI only) failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A canned response: Discover Versions, Success or Operation Failed / Item Not Found.
fn canned(success: bool) -> Vec<u8> {
    let v = ProtocolVersion::V1_2;
    let item = ResponseBatchItem {
        operation: Some(Operation::DiscoverVersions),
        unique_batch_item_id: None,
        result_status: if success { ResultStatus::Success } else { ResultStatus::OperationFailed },
        result_reason: (!success).then_some(ResultReason::ItemNotFound),
        result_message: (!success).then(|| "canned failure".to_owned()),
        asynchronous_correlation_value: None,
        payload: success.then(|| {
            ResponsePayload::DiscoverVersions(Box::new(DiscoverVersionsResponse { protocol_versions: vec![v] }))
        }),
        message_extension: None,
    };
    let header = ResponseHeader {
        protocol_version: v,
        time_stamp: DateTime(1_700_000_000),
        nonce: None,
        server_hashed_password: None,
        attestation_types: Vec::new(),
        client_correlation_value: None,
        server_correlation_value: None,
        batch_count: 1,
    };
    let msg = ResponseMessage { header, batch_items: vec![item] };
    msg.encode_ttlv(Tag::ResponseMessage, v).unwrap()
}

/// A TLS server on its own 2-worker runtime that reads whole request frames
/// and answers each with canned bytes: the first response on a connection
/// succeeds, after that every `fail_every`-th fails (never, for 0).
/// Returns its address; it lives as long as the test process.
fn canned_server(dir: &Path, fail_every: u64) -> String {
    let chain = CertificateDer::pem_file_iter(dir.join("server.pem")).unwrap().collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (ok, failed) = (Arc::new(canned(true)), Arc::new(canned(false)));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let _ = tcp.set_nodelay(true);
                let (acceptor, ok, failed) = (acceptor.clone(), ok.clone(), failed.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let mut buf = vec![0u8; 64 * 1024];
                    for n in 0u64.. {
                        let mut head = [0u8; 8];
                        if tls.read_exact(&mut head).await.is_err() {
                            return;
                        }
                        let len = u32::from_be_bytes([head[4], head[5], head[6], head[7]]) as usize;
                        if len > buf.len() || tls.read_exact(&mut buf[..len]).await.is_err() {
                            return;
                        }
                        let fail = fail_every > 0 && n > 0 && n % fail_every == 0;
                        let answer = if fail { &failed } else { &ok };
                        if tls.write_all(answer).await.is_err() || tls.flush().await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    addr
}

fn canned_args<'a>(dir: &'a Path, addr: &'a str) -> Vec<String> {
    let path = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    vec![
        "--addr".into(),
        addr.into(),
        "--server-name".into(),
        "localhost".into(),
        "--ca".into(),
        path("ca.pem"),
        "--cert".into(),
        path("client.pem"),
        "--key".into(),
        path("client.key"),
        "--op".into(),
        "discover-versions".into(),
    ]
}

#[test]
fn bench_counts_failed_responses_by_result_reason_and_exits_non_zero() {
    let dir = scratch("canned-failures");
    make_pki(&dir);
    let addr = canned_server(&dir, 2);
    let mut args = canned_args(&dir, &addr);
    args.extend(["--connections", "2", "--duration", "0.5", "--warmup", "0.1", "--json"].map(String::from));
    let out = bench(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let r = json_report(&out);
    assert!(!out.status.success(), "a run with failures exited 0: {r}");
    assert_report_fields(&r);
    assert!(r["ops"].as_u64().unwrap() > 0, "{r}");
    let reasons = r["failure_reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{r}");
    assert_eq!(reasons[0]["reason"], "ItemNotFound");
    assert_eq!(reasons[0]["message"], "canned failure");
    assert_eq!(reasons[0]["count"], r["failures"]);
    // Every second response fails, so successes and failures are about even.
    let (ops, failures) = (r["ops"].as_f64().unwrap(), r["failures"].as_f64().unwrap());
    assert!(failures >= ops * 0.5, "{failures} failures for {ops} successes: {r}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("failed responses"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The tool's own ceiling: a canned server that costs almost nothing, on the
/// same 2 cores. Run in release for BENCHMARKS.md:
/// `cargo test --release --test it loadtool::tool_ceiling -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check: run by hand in release"]
fn tool_ceiling_against_a_canned_server() {
    let dir = scratch("canned-ceiling");
    make_pki(&dir);
    let addr = canned_server(&dir, 0);
    // No --server-pid: the tool is a child of this process, and the server's
    // CPU counts its process tree.
    for (connections, threads) in [("1", "1"), ("1", "2"), ("16", "1"), ("16", "2"), ("64", "1"), ("64", "2")] {
        let mut args = canned_args(&dir, &addr);
        let more = ["--connections", connections, "--threads", threads, "--duration", "5"];
        args.extend(more.map(String::from));
        let out = bench(&args.iter().map(String::as_str).collect::<Vec<_>>());
        std::io::stdout().write_all(&out.stdout).unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_refuses_a_key_that_does_not_match_the_certificate_before_connecting() {
    let dir = scratch("mismatch");
    make_pki(&dir);
    let key = dir.join("server.key");
    let out = bench(&[
        "--addr",
        "127.0.0.1:9",
        "--ca",
        dir.join("ca.pem").to_str().unwrap(),
        "--cert",
        dir.join("client.pem").to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not match"), "{stderr}");
    // The message names the file and never shows what is in it.
    let pem = std::fs::read_to_string(&key).unwrap();
    let body = pem.lines().find(|l| !l.starts_with("-----")).unwrap();
    assert!(!stderr.contains(body), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A short `--op sign` (EC P-256 and RSA-2048) and `--op create-key-pair`
/// run against a real coffer: every operation succeeds.
#[test]
fn bench_drives_coffer_with_sign_and_create_key_pair_and_no_failures() {
    let server = crate::harness::Server::start();
    let conf = server.client_dir().join("pykmip.conf");
    for (op, key_type) in [("sign", "ec-p256"), ("sign", "rsa-2048"), ("create-key-pair", "ec-p256")] {
        let out = bench(&[
            "--pykmip-conf",
            conf.to_str().unwrap(),
            "--op",
            op,
            "--key-type",
            key_type,
            "--connections",
            "2",
            "--duration",
            "0.5",
            "--warmup",
            "0.1",
            "--json",
        ]);
        let r = json_report(&out);
        assert!(out.status.success(), "{op} {key_type}: exit {:?}, report {r}", out.status);
        assert_report_fields(&r);
        assert_eq!(r["op"], op);
        assert!(r["ops"].as_u64().unwrap() > 0, "{op} {key_type}: {r}");
        assert_eq!(r["failures"], 0, "{op} {key_type}: {r}");
    }
}

/// `coffer bench` arguments: Encrypt against the server of `conf` (its
/// process `pid`) on two connections, for `duration` after `warmup`, as JSON.
fn encrypt_on_two_connections<'a>(conf: &'a str, pid: &'a str, duration: &'a str, warmup: &'a str) -> Vec<&'a str> {
    vec![
        "--pykmip-conf",
        conf,
        "--server-name",
        "localhost",
        "--op",
        "encrypt",
        "--connections",
        "2",
        "--duration",
        duration,
        "--warmup",
        warmup,
        "--server-pid",
        pid,
        "--json",
    ]
}

/// The tool against coffer itself (`coffer serve`), kept connections and
/// then `--reconnect`: every operation succeeds, and the reconnecting run's
/// handshakes after the first are resumptions.
#[test]
fn bench_drives_coffer_with_encrypt_and_with_a_connection_per_operation() {
    let server = crate::harness::Server::start();
    let conf = server.pykmip_conf();
    let pid = server.pid().to_string();
    for extra in [None, Some("--reconnect"), Some("--per-thread-runtimes")] {
        let mut args = encrypt_on_two_connections(conf.to_str().unwrap(), &pid, "1", "0.2");
        args.extend(extra);
        let out = bench(&args);
        assert!(out.status.success(), "{extra:?}: {}", String::from_utf8_lossy(&out.stderr));
        let r = json_report(&out);
        assert_report_fields(&r);
        assert_eq!(r["reconnect"], serde_json::Value::Bool(extra == Some("--reconnect")), "{r}");
        assert_eq!(r["per_thread_runtimes"], extra == Some("--per-thread-runtimes"), "{r}");
        assert_eq!(r["busy_poll"], false, "{r}");
        assert!(r["ops"].as_u64().unwrap() >= 20, "{r}");
        assert_eq!(r["failures"], 0, "{r}");
        assert!(r["server_cpu_us_per_op"].as_f64().unwrap() > 0.0, "{r}");
    }
    assert!(server.log_shows("resumed=true", std::time::Duration::from_secs(5)), "{}", server.log());
}

/// Runs `coffer bench` and gives it `within` to exit: a run still going
/// after that is killed and fails the test (rather than hanging it).
fn bench_within(args: &[&str], within: std::time::Duration) -> (Output, std::time::Duration) {
    use std::process::Stdio;
    let start = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_coffer"))
        .arg("bench")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The report is one line and stderr a few: the pipes cannot fill up while we poll.
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > within {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "coffer bench {args:?} still running after {within:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let elapsed = start.elapsed();
    (child.wait_with_output().unwrap(), elapsed)
}

/// `--busy-poll` against coffer, with a current-thread runtime per tool
/// thread and with the work-stealing runtime: the load runs clean, the
/// report says busy_poll and the layout, and the spinning task does not
/// keep the tool alive after the window. (That the spinning runtime never
/// sleeps is checked in `loadtool::tests`, on a quiet runtime.)
#[test]
fn bench_busy_poll_runs_clean_reports_itself_and_ends_with_the_window() {
    let server = crate::harness::Server::start();
    let conf = server.pykmip_conf();
    let pid = server.pid().to_string();
    let (warmup, duration) = (0.2, 1.0);
    for (threads, per_thread) in [("1", true), ("2", false)] {
        let (w, d) = (warmup.to_string(), duration.to_string());
        let mut args = encrypt_on_two_connections(conf.to_str().unwrap(), &pid, &d, &w);
        args.extend(["--threads", threads, "--busy-poll"]);
        if per_thread {
            args.push("--per-thread-runtimes");
        }
        // Setup (a Create, an Activate, one Encrypt) and two handshakes take well under the slack.
        let limit = std::time::Duration::from_secs_f64(warmup + duration + 5.0);
        let (out, elapsed) = bench_within(&args, limit);
        let r = json_report(&out);
        assert!(out.status.success(), "{args:?}: exit {:?}, report {r}", out.status);
        assert_report_fields(&r);
        assert_eq!(r["busy_poll"], true, "{r}");
        assert_eq!(r["per_thread_runtimes"], per_thread, "{r}");
        assert_eq!(r["threads"].as_u64().unwrap().to_string(), threads, "{r}");
        assert!(r["ops"].as_u64().unwrap() > 0, "{r}");
        assert_eq!(r["failures"], 0, "{r}");
        assert_eq!(r["connection_errors"].as_array().unwrap().len(), 0, "{r}");
        assert!(elapsed.as_secs_f64() >= warmup + duration, "{args:?}: ended after {elapsed:?}");
    }
}

/// `Cpus_allowed_list` of a process (its main thread), e.g. `0-1`.
fn cpus_allowed(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Cpus_allowed_list:"))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

/// The CPU lists of every thread of `pid`.
fn thread_cpus(pid: u32) -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return Vec::new() };
    tasks
        .flatten()
        .filter_map(|t| {
            let status = std::fs::read_to_string(t.path().join("status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("Cpus_allowed_list:"))?;
            Some(line.split_once(':')?.1.trim().to_owned())
        })
        .collect()
}

/// The CPU lists of the `coffer bench` processes aimed at `addr`.
fn bench_cpus(addr: &str) -> Vec<String> {
    let Ok(procs) = std::fs::read_dir("/proc") else { return Vec::new() };
    procs
        .flatten()
        .filter_map(|p| {
            let pid: u32 = p.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(p.path().join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            // After taskset's exec: before it, taskset's own command line holds the same words.
            let coffer = args.first().is_some_and(|a| a.ends_with(b"coffer"));
            let aimed = coffer && args.contains(&&b"bench"[..]) && args.contains(&addr.as_bytes());
            if aimed {
                cpus_allowed(pid)
            } else {
                None
            }
        })
        .collect()
}

/// `compare.sh --pin 0:1` against coffer: while it runs, every server
/// thread is confined to CPU 0 and the tool to CPU 1; the tool runs one
/// busy-polling runtime per tool CPU; the table and the JSONL say so; and
/// the server gets its CPUs back when the script ends.
#[test]
fn compare_sh_pin_confines_the_server_and_the_tool_and_gives_the_cpus_back() {
    let server = crate::harness::Server::start();
    let pid = server.pid();
    let before = cpus_allowed(pid).unwrap();
    if !before.contains(['-', ',']) {
        eprintln!("\n!!!!! SKIPPED: the server may only run on CPU {before}; --pin 0:1 needs two !!!!!\n");
        return;
    }
    let out_file = server.dir.join("compare.jsonl");
    let mut script = Command::new(repo().join("benches/compare.sh"))
        .env("COFFER_BIN", env!("CARGO_BIN_EXE_coffer"))
        .arg("--coffer-data")
        .arg(&server.data)
        .args(["--coffer-pid", &pid.to_string(), "--no-pykmip", "--ops", "encrypt", "--connections", "2"])
        .args(["--duration", "1", "--warmup", "0.2", "--pin", "0:1", "--out"])
        .arg(&out_file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // What the server's threads and the tool were allowed while the script ran.
    let addr = server.kmip.to_string();
    let (mut server_seen, mut tool_seen) = (Vec::new(), Vec::new());
    let start = std::time::Instant::now();
    while script.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "compare.sh still running after 60 s");
        let tool = bench_cpus(&addr);
        if !tool.is_empty() {
            // Kept only if the tool is still running after the reading: the script gives the
            // CPUs back once the last run is over.
            let threads = thread_cpus(pid);
            if !bench_cpus(&addr).is_empty() {
                server_seen.extend(threads);
            }
        }
        tool_seen.extend(tool);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = script.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "compare.sh: {stdout}\n{stderr}");
    assert!(!tool_seen.is_empty() && tool_seen.iter().all(|c| c == "1"), "tool on {tool_seen:?}");
    assert!(!server_seen.is_empty() && server_seen.iter().all(|c| c == "0"), "server threads on {server_seen:?}");
    assert_eq!(thread_cpus(pid).into_iter().filter(|c| *c != before).count(), 0, "CPUs not given back");
    assert!(stdout.contains("Layout: every server thread on CPUs 0 (taskset -a -p), the tool on CPUs 1"), "{stdout}");
    let line = std::fs::read_to_string(&out_file).unwrap();
    let r: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(r["pin"], serde_json::json!({"server_cpus": "0", "tool_cpus": "1"}), "{r}");
    assert_eq!((&r["threads"], &r["per_thread_runtimes"], &r["busy_poll"]), (&1.into(), &true.into(), &true.into()));
    assert!(r["ops"].as_u64().unwrap() > 0 && r["failures"] == 0, "{r}");
}

/// A process's state letter from /proc (`T` when stopped), or None once it is gone.
fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the command name, which is in parentheses and may hold spaces.
    stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next())
}

/// `compare.sh` against coffer and a pykmip-server it starts: each server's
/// cells run with the other one stopped (it wakes up even when idle), and
/// both are running again when the script ends.
#[test]
fn compare_sh_stops_the_server_it_is_not_measuring_and_resumes_both() {
    if pykmip_server_binary().is_none() {
        return;
    }
    let server = crate::harness::Server::start();
    let pykmip_dir = scratch("compare-pause");
    // Stopped at the end of the test, whatever happens (compare.sh starts it and leaves it running).
    let _stop = PyKmipServer { dir: pykmip_dir.clone(), pid: 0 };
    let coffer = server.pid();
    let mut script = Command::new(repo().join("benches/compare.sh"))
        .env("COFFER_BIN", env!("CARGO_BIN_EXE_coffer"))
        .arg("--coffer-data")
        .arg(&server.data)
        .args(["--coffer-pid", &coffer.to_string(), "--ops", "encrypt", "--connections", "1"])
        .args(["--duration", "1", "--warmup", "0.5", "--pykmip-port", &free_port().to_string(), "--pykmip-dir"])
        .arg(&pykmip_dir)
        .arg("--out")
        .arg(server.dir.join("compare.jsonl"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (mut coffer_stopped, mut pykmip_stopped, mut both_stopped) = (0, 0, 0);
    let start = std::time::Instant::now();
    while script.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < std::time::Duration::from_secs(90), "compare.sh still running after 90 s");
        let pykmip = std::fs::read_to_string(pykmip_dir.join("server.pid")).ok().and_then(|p| p.trim().parse().ok());
        let c = proc_state(coffer) == Some('T');
        let p = pykmip.and_then(proc_state) == Some('T');
        coffer_stopped += usize::from(c && !p);
        pykmip_stopped += usize::from(p && !c);
        both_stopped += usize::from(c && p);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = script.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "compare.sh: {stdout}\n{stderr}");
    assert!(coffer_stopped > 0, "coffer was never stopped during pykmip-server's cell");
    assert!(pykmip_stopped > 0, "pykmip-server was never stopped during coffer's cell");
    assert_eq!(both_stopped, 0, "both servers stopped at once");
    let pykmip: u32 = std::fs::read_to_string(pykmip_dir.join("server.pid")).unwrap().trim().parse().unwrap();
    assert_ne!(proc_state(coffer), Some('T'), "coffer left stopped");
    assert_ne!(proc_state(pykmip), Some('T'), "pykmip-server left stopped");
    assert!(
        stdout.contains("| coffer | encrypt | 1 |") && stdout.contains("| pykmip-server | encrypt | 1 |"),
        "{stdout}"
    );
}
