//! TTLV codec throughput on one thread: decode and encode of typical messages.
//!
//! `cargo bench --bench ttlv_codec [filter]`. No framework: for each case a
//! warm-up, then several timed runs of a fixed iteration count; it reports
//! the median and the best run in ns/op and ops/s. Results go in BENCHMARKS.md.
//!
//! Besides wall-clock time it reports the thread's CPU time per operation
//! over all timed runs (from `/proc/thread-self/schedstat`, where Linux has
//! it): on a machine shared with other builds, wall-clock time includes the
//! time the thread waited for a core, CPU time does not, so it is the closer
//! figure for "on one core". The kernel updates that counter at scheduler
//! ticks (4 ms here), so it is summed over all runs, not taken per run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use coffer::ttlv::{self, Limits, Tag, Ttlv, Value};

fn s(tag: u32, children: Vec<Ttlv>) -> Ttlv {
    Ttlv::structure(Tag::new(tag), children)
}
fn v(tag: u32, value: Value) -> Ttlv {
    Ttlv::new(Tag::new(tag), value)
}

const UID: &str = "5c9b81ef-4ee5-42cd-ba2d-c002fdd0c7b3";

fn protocol_version(major: i32, minor: i32) -> Ttlv {
    s(0x420069, vec![v(0x42006A, Value::Integer(major)), v(0x42006B, Value::Integer(minor))])
}

fn request(operation: u32, payload: Vec<Ttlv>) -> Ttlv {
    s(
        0x420078,
        vec![
            s(0x420077, vec![protocol_version(1, 2), v(0x42000D, Value::Integer(1))]),
            s(0x42000F, vec![v(0x42005C, Value::Enumeration(operation)), s(0x420079, payload)]),
        ],
    )
}

fn response(operation: u32, payload: Vec<Ttlv>) -> Ttlv {
    s(
        0x42007B,
        vec![
            s(
                0x42007A,
                vec![
                    protocol_version(1, 2),
                    v(0x420092, Value::DateTime(1_700_000_000)),
                    v(0x42000D, Value::Integer(1)),
                ],
            ),
            s(
                0x42000F,
                vec![
                    v(0x42005C, Value::Enumeration(operation)),
                    v(0x42007F, Value::Enumeration(0)),
                    s(0x42007C, payload),
                ],
            ),
        ],
    )
}

/// Encrypt (0x1F) request: UID, Cryptographic Parameters AES-256-CBC / PKCS5, 64 bytes of Data.
fn encrypt_request() -> Ttlv {
    request(
        0x1F,
        vec![
            v(0x420094, Value::TextString(UID.into())),
            s(
                0x42002B,
                vec![
                    v(0x420011, Value::Enumeration(1)), // Block Cipher Mode: CBC
                    v(0x42005F, Value::Enumeration(3)), // Padding Method: PKCS5
                    v(0x420028, Value::Enumeration(3)), // Cryptographic Algorithm: AES
                ],
            ),
            v(0x4200C2, Value::ByteString(Bytes::from(vec![0xA5; 64]))), // Data
        ],
    )
}

/// Encrypt response: UID, 80 bytes of Data (64 + a PKCS5 block), 16-byte IV.
fn encrypt_response() -> Ttlv {
    response(
        0x1F,
        vec![
            v(0x420094, Value::TextString(UID.into())),
            v(0x4200C2, Value::ByteString(Bytes::from(vec![0x5A; 80]))),
            v(0x42003D, Value::ByteString(Bytes::from(vec![0x01; 16]))), // IV/Counter/Nonce
        ],
    )
}

/// Locate (0x08) response with 1000 Unique Identifiers.
fn locate_response() -> Ttlv {
    let mut payload = vec![v(0x4200D5, Value::Integer(1000))]; // Located Items
    payload.extend((0..1000).map(|i| v(0x420094, Value::TextString(format!("{:08x}-4ee5-42cd-ba2d-c002fdd0c7b3", i)))));
    response(0x08, payload)
}

struct Report {
    median_ns: f64,
    best_ns: f64,
    /// CPU time of this thread per operation over all timed runs, where it can be read.
    cpu_ns: Option<f64>,
}

/// Nanoseconds this thread has run on a CPU, from the first field of
/// `/proc/thread-self/schedstat`.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Runs `op` `iters` times per run, after a warm-up, over `runs` runs.
///
/// With `TTLV_BENCH_QUICK=1` (for `valgrind --tool=callgrind`): no warm-up,
/// one run of a tenth of the iterations, no CPU-time reading.
fn measure(mut op: impl FnMut(), iters: u32, runs: usize) -> Report {
    let quick = std::env::var_os("TTLV_BENCH_QUICK").is_some();
    let (iters, runs, warm_up) =
        if quick { ((iters / 10).max(1), 1, Duration::ZERO) } else { (iters, runs, Duration::from_millis(300)) };
    let warm = Instant::now();
    while warm.elapsed() < warm_up {
        for _ in 0..100 {
            op();
        }
    }
    // Not under callgrind: the two reads would count as the operation's.
    let cpu_start = if quick { None } else { thread_cpu_ns() };
    let mut per_op: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                op();
            }
            start.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .collect();
    let cpu_ns = match (cpu_start, thread_cpu_ns()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 / (f64::from(iters) * runs as f64)),
        _ => None,
    };
    per_op.sort_by(f64::total_cmp);
    Report { median_ns: per_op[runs / 2], best_ns: per_op[0], cpu_ns }
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let cases = [
        ("encrypt_request", encrypt_request(), 200_000u32),
        ("encrypt_response", encrypt_response(), 200_000),
        ("locate_response_1000_ids", locate_response(), 500),
    ];
    println!(
        "{:<34} {:>8} {:>12} {:>12} {:>14} {:>12} {:>14}",
        "case", "bytes", "median ns/op", "best ns/op", "median ops/s", "cpu ns/op", "cpu ops/s"
    );
    for (name, tree, iters) in cases {
        let wire = Bytes::from(ttlv::encode_to_vec(&tree).unwrap());
        assert_eq!(ttlv::decode(&wire, &Limits::DEFAULT).unwrap(), tree, "{name} does not round-trip");

        let decode_name = format!("decode/{name}");
        if filter.as_deref().is_none_or(|f| decode_name.contains(f)) {
            let r = measure(
                || {
                    black_box(ttlv::decode(black_box(&wire), &Limits::DEFAULT).unwrap());
                },
                iters,
                7,
            );
            print_row(&decode_name, wire.len(), &r);
        }

        let encode_name = format!("encode/{name}");
        if filter.as_deref().is_none_or(|f| encode_name.contains(f)) {
            let mut out = BytesMut::with_capacity(wire.len());
            let r = measure(
                || {
                    out.clear();
                    ttlv::encode(black_box(&tree), &mut out).unwrap();
                    black_box(&out);
                },
                iters,
                7,
            );
            print_row(&encode_name, wire.len(), &r);
        }
    }
}

fn print_row(name: &str, bytes: usize, r: &Report) {
    let (cpu, cpu_rate) = match r.cpu_ns {
        Some(ns) => (format!("{ns:.1}"), format!("{:.0}", 1e9 / ns)),
        None => ("-".into(), "-".into()),
    };
    println!(
        "{:<34} {:>8} {:>12.1} {:>12.1} {:>14.0} {:>12} {:>14}",
        name,
        bytes,
        r.median_ns,
        r.best_ns,
        1e9 / r.median_ns,
        cpu,
        cpu_rate
    );
}
