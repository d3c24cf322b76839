//! Many connections: thousands held idle at a small cost each, and the
//! connection limit, against the real server.

use std::time::{Duration, Instant};

use crate::harness::{closed_by_server, Server, Tls};

/// The soft limit on open files of this process (the server inherits it).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line.split_whitespace().nth(3)?;
    if soft == "unlimited" {
        Some(u64::MAX)
    } else {
        soft.parse().ok()
    }
}

/// Resident memory of process `pid`, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Opens `n` TLS connections with the first credential, on two threads,
/// with one client configuration (so later handshakes may resume sessions).
pub fn open_idle(server: &Server, n: usize) -> Vec<Tls> {
    let config = server.tls_config(rustls::ALL_VERSIONS, Some((&server.client_cert(), &server.client_key())));
    std::thread::scope(|s| {
        let halves: Vec<_> = [n / 2, n - n / 2]
            .into_iter()
            .map(|count| {
                let config = config.clone();
                s.spawn(move || {
                    (0..count)
                        .map(|_| {
                            let mut tls = server.connect_with(config.clone());
                            crate::harness::handshake(&mut tls).unwrap();
                            tls
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn two_thousand_idle_connections_are_held_with_bounded_memory() {
    const N: usize = 2000;
    match open_files_limit() {
        Some(limit) if limit >= (N as u64) + 200 => {}
        other => {
            eprintln!("SKIP two_thousand_idle_connections: open-files limit {other:?} is below {}", N + 200);
            return;
        }
    }
    let server = Server::start();
    // Warm up: the first connections allocate the runtime's and rustls's caches.
    let warm = open_idle(&server, 20);
    let before = rss_kib(server.pid());
    let start = Instant::now();
    let mut conns = open_idle(&server, N);
    let opened = start.elapsed();
    std::thread::sleep(Duration::from_millis(200));
    let after = rss_kib(server.pid());
    let per_conn = (after.saturating_sub(before) * 1024) / N as u64;
    eprintln!(
        "{N} idle TLS connections: opened in {opened:?}, server RSS {before} KiB -> {after} KiB, {per_conn} bytes each"
    );
    // rustls's buffers after a handshake, the socket, the task: tens of KiB at most.
    assert!(per_conn < 64 * 1024, "{per_conn} bytes per idle connection");

    // All still open, and the server still takes new clients.
    for tls in conns.iter_mut().step_by(97) {
        tls.sock.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        assert!(!closed_by_server(tls));
    }
    let mut fresh = server.connect();
    fresh.sock.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    assert!(!closed_by_server(&mut fresh));
    drop(warm);
}

#[test]
fn a_connection_over_the_limit_is_closed_and_the_next_after_a_departure_is_served() {
    let server = Server::start_with(&[("COFFER_LIMITS_MAX_CONNECTIONS", "2")], None);
    let first = server.connect();
    let mut second = server.connect();
    let config = server.tls_config(rustls::ALL_VERSIONS, Some((&server.client_cert(), &server.client_key())));
    let mut third = server.connect_with(config.clone());
    let refused = crate::harness::handshake(&mut third).is_err() || closed_by_server(&mut third);
    assert!(refused, "a third connection was served with a limit of 2");
    assert!(server.log_shows("connection limit reached", Duration::from_secs(5)), "{}", server.log());

    drop(first);
    // The permit returns when the server notices the departure.
    let start = Instant::now();
    loop {
        let mut again = server.connect_with(config.clone());
        let ok = crate::harness::handshake(&mut again).is_ok() && {
            again.sock.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
            !closed_by_server(&mut again)
        };
        if ok {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "no connection served after one left");
        std::thread::sleep(Duration::from_millis(50));
    }
    second.sock.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    assert!(!closed_by_server(&mut second));
}

#[test]
fn a_connection_idle_past_the_idle_timeout_is_closed() {
    let server = Server::start_with(&[("COFFER_LIMITS_IDLE_TIMEOUT_SECS", "1")], None);
    let mut tls = server.connect();
    let start = Instant::now();
    assert!(closed_by_server(&mut tls));
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(5), "closed after {waited:?}");
    assert!(server.log_shows("idle timeout", Duration::from_secs(5)), "{}", server.log());
}
