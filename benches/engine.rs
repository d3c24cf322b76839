//! One KMIP request through `Engine::process` in process: decode, run the
//! operation against an in-memory store, encode the answer. This is the
//! server's own user-space work per request, without TLS and sockets, so it
//! isolates what the codec, the model and the operations cost.
//!
//! `cargo bench --bench engine [filter]`. The requests are the load tool's
//! (`coffer::loadtool::requests`: KMIP 1.2, AES-256-CBC, 64-byte payload; the
//! Decrypt takes the Encrypt's ciphertext), so
//! the figures line up with `coffer bench`. It reports the median and best
//! run in ns/op, and the thread's CPU time per operation (from
//! `/proc/thread-self/schedstat`: on a machine shared with builds, wall time
//! includes waiting for a core, CPU time does not).
//!
//! With `ENGINE_BENCH_QUICK=1` it runs each case 2 000 times with no warm-up
//! and no timing, for `valgrind --tool=callgrind`, whose instruction counts do
//! not depend on what else the machine is doing:
//!
//! ```text
//! ENGINE_BENCH_QUICK=1 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//!     --toggle-collect='engine::run_case*' target/release/deps/engine-HASH encrypt
//! callgrind_annotate /tmp/cg.out | head -40     # instructions / 2 000 = per request
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use coffer::auth::ClientIdentity;
use coffer::kmip::ProtocolVersion;
use coffer::loadtool::requests::{self, Outcome};
use coffer::operations::{Engine, EngineLimits, Reply};
use coffer::store::Store;

const VERSION: ProtocolVersion = ProtocolVersion::V1_2;
const QUICK_ITERATIONS: u32 = 2_000;

fn answer(reply: Reply) -> Bytes {
    match reply {
        Reply::Send(bytes) | Reply::SendAndClose(bytes) => Bytes::from(bytes),
        Reply::Close => panic!("the engine closed the connection"),
    }
}

/// Sends one request and checks that it succeeded; the response's payload.
async fn must_succeed(engine: &Engine, client: &ClientIdentity, frame: Bytes) -> Bytes {
    let response = answer(engine.process(client, frame).await);
    match requests::check(&response) {
        Outcome::Success => response,
        Outcome::Failure { reason, message } => panic!("setup request failed: {reason}: {message:?}"),
    }
}

fn frame(payload: coffer::kmip::payloads::RequestPayload) -> Bytes {
    Bytes::from(requests::message(VERSION, payload).expect("encodes"))
}

/// The identifier in a Create response.
fn created_uid(response: &Bytes) -> String {
    match requests::typed_payload(response, coffer::kmip::table::Operation::Create).expect("a Create response") {
        coffer::kmip::payloads::ResponsePayload::Create(c) => c.unique_identifier,
        other => panic!("not a Create response: {other:?}"),
    }
}

/// Runs `frame` `iters` times; kept out of line so callgrind can collect it alone.
#[inline(never)]
async fn run_case(engine: &Engine, client: &ClientIdentity, frame: &Bytes, iters: u32) {
    for _ in 0..iters {
        black_box(engine.process(client, frame.clone()).await);
    }
}

fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let quick = std::env::var_os("ENGINE_BENCH_QUICK").is_some();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let engine = Engine::new(Store::default(), EngineLimits::default());
        let client = ClientIdentity::new(([127, 0, 0, 1], 5696).into(), "bench", "default");
        let uid = created_uid(&must_succeed(&engine, &client, frame(requests::create())).await);
        must_succeed(&engine, &client, frame(requests::activate(&uid))).await;
        let ciphertext = match requests::typed_payload(
            &must_succeed(&engine, &client, frame(requests::encrypt(&uid))).await,
            coffer::kmip::table::Operation::Encrypt,
        ) {
            Ok(coffer::kmip::payloads::ResponsePayload::Encrypt(e)) => e.data.expect("ciphertext"),
            other => panic!("not an Encrypt response: {other:?}"),
        };
        let cases = [
            ("encrypt", frame(requests::encrypt(&uid))),
            ("decrypt", frame(requests::decrypt(&uid, ciphertext))),
            ("get", frame(requests::get(&uid))),
        ];
        for (name, request) in &cases {
            if filter.as_deref().is_some_and(|f| !name.contains(f)) {
                continue;
            }
            must_succeed(&engine, &client, request.clone()).await;
            if quick {
                run_case(&engine, &client, request, QUICK_ITERATIONS).await;
                println!("{name}: {QUICK_ITERATIONS} requests (quick mode, for callgrind)");
                continue;
            }
            let iters = 20_000;
            let warm = Instant::now();
            while warm.elapsed() < Duration::from_millis(300) {
                run_case(&engine, &client, request, 100).await;
            }
            let cpu_start = thread_cpu_ns();
            let mut per_op = Vec::new();
            for _ in 0..7 {
                let start = Instant::now();
                run_case(&engine, &client, request, iters).await;
                per_op.push(start.elapsed().as_nanos() as f64 / f64::from(iters));
            }
            let cpu =
                cpu_start.zip(thread_cpu_ns()).map(|(a, b)| (b - a) as f64 / (f64::from(iters) * per_op.len() as f64));
            per_op.sort_by(f64::total_cmp);
            let cpu = cpu.map_or_else(|| "n/a".to_owned(), |c| format!("{c:.0} ns"));
            println!(
                "{name:<8} median {:>6.0} ns/op  best {:>6.0} ns/op  cpu {cpu}/op  ({:.0} ops/s)",
                per_op[per_op.len() / 2],
                per_op[0],
                1e9 / per_op[per_op.len() / 2]
            );
        }
    });
}
