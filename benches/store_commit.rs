//! The store's durable write rate under concurrency (group commit), and read costs.
//!
//! `cargo bench --bench store_commit`. No framework: for each concurrency
//! (1, 16, 64 tokio tasks, each committing one new object at a time and
//! waiting for the answer), commits run for a fixed time after a warm-up;
//! it prints commits/s, transactions (fsyncs) per second, the mean group
//! size, the p50/p99 commit latency and the process's CPU time per commit
//! (which includes the benchmark's own tasks: building and sealing each object)
//! and the store writer thread's alone. Then `get()` of a cached object and
//! of an uncached one (a read transaction and an AES-GCM open), in ns/op, and
//! one `ids_by_name` and one `list` of every object committed (the cache holds
//! the 10 000 most recent; the rest are read and unsealed).
//! `STORE_BENCH_SECONDS` sets the timed period per case (default 3),
//! `STORE_BENCH_CONCURRENCY` the levels (default `1,16,64`), `STORE_BENCH_WAL`
//! the modes: `0` without the write-ahead log, `1` with it (default `0,1`),
//! `STORE_BENCH_CHECKPOINT_MS` the log's checkpoint interval (default 250).
//! Results go in BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use coffer::store::{Change, MasterKey, Store, StoreOptions, StoredObject};
use zeroize::Zeroizing;

fn object(id: String) -> StoredObject {
    let mut material = vec![0u8; 32];
    openssl::rand::rand_bytes(&mut material).unwrap();
    StoredObject {
        names: vec![format!("name-{id}")],
        id,
        keystore: "default".to_string(),
        revision: 0,
        // About what the operations layer stores for an AES key's attributes.
        metadata: vec![0x42; 240],
        material: Some(Zeroizing::new(material)),
    }
}

fn temp_file(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("coffer-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("coffer.redb")
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

async fn commits(store: &Store, concurrency: usize, period: Duration, tag: &str) {
    let next = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let run = |collect: bool| {
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (store, next, stop) = (store.clone(), Arc::clone(&next), Arc::clone(&stop));
                let tag = tag.to_string();
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let id = format!("{tag}-{}", next.fetch_add(1, Ordering::Relaxed));
                        let change = Change::Put { object: object(id), expected_revision: None };
                        let t = Instant::now();
                        store.commit(vec![change]).await.unwrap();
                        if collect {
                            latencies.push(t.elapsed().as_micros() as u64);
                        }
                    }
                    latencies
                })
            })
            .collect();
        tasks
    };
    // Warm-up.
    let tasks = run(false);
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    stop.store(false, Ordering::Relaxed);

    let tx0 = store.commits_written();
    let cpu0 = cpu_seconds();
    let writer0 = writer_cpu_seconds();
    let start = Instant::now();
    let tasks = run(true);
    tokio::time::sleep(period).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let writer_cpu = writer_cpu_seconds() - writer0;
    let done = latencies.len() as f64;
    let txs = (store.commits_written() - tx0) as f64;
    latencies.sort_unstable();
    println!(
        "commit/concurrency={concurrency:<3} {:>8.0} commits/s  {:>6.0} fsyncs/s  group {:>5.1}  p50 {:>6} us  p99 {:>6} us  max {:>6} us  cpu {:>5.1} us/commit (writer thread {:>5.1})",
        done / elapsed,
        txs / elapsed,
        done / txs.max(1.0),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0),
        cpu * 1e6 / done.max(1.0),
        writer_cpu * 1e6 / done.max(1.0),
    );
}

/// This process's CPU time (user + system) so far, from /proc (Linux; 0 elsewhere).
/// Clock ticks are 10 ms: read over seconds of work, it is precise to about 1%.
fn cpu_seconds() -> f64 {
    stat_cpu_seconds("/proc/self/stat")
}

/// The CPU time of the store's writer threads (named `coffer-store-writer`, which /proc cuts to 15 bytes).
fn writer_cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0.0 };
    let mut total = 0.0;
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.starts_with("coffer-store-wr") {
            total += stat_cpu_seconds(task.path().join("stat"));
        }
    }
    total
}

fn stat_cpu_seconds(path: impl AsRef<std::path::Path>) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else { return 0.0 };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { return 0.0 };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: f64 = fields[11].parse::<f64>().unwrap_or(0.0) + fields[12].parse::<f64>().unwrap_or(0.0);
    ticks / 100.0
}

async fn gets(store: &Store, id: &str, label: &str, iterations: u32) {
    for _ in 0..iterations / 10 {
        black_box(store.get(id).await.unwrap());
    }
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..iterations {
            black_box(store.get(black_box(id)).await.unwrap());
        }
        runs.push(t.elapsed().as_nanos() as f64 / f64::from(iterations));
    }
    runs.sort_by(f64::total_cmp);
    println!("{label:<24} median {:>9.0} ns/op  best {:>9.0} ns/op", runs[2], runs[0]);
}

fn main() {
    let period =
        Duration::from_secs(std::env::var("STORE_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let levels: Vec<usize> = std::env::var("STORE_BENCH_CONCURRENCY")
            .map(|s| s.split(',').map(|c| c.trim().parse().unwrap()).collect())
            .unwrap_or_else(|_| vec![1, 16, 64]);
        let modes = std::env::var("STORE_BENCH_WAL").unwrap_or_else(|_| "0,1".to_string());
        // The same commits without the write-ahead log (every group a durable redb commit), for comparison.
        if modes.contains('0') {
            let direct = temp_file("direct");
            let options = StoreOptions { write_ahead_log: false, ..StoreOptions::default() };
            let store = Store::open(&direct, MasterKey::generate().unwrap(), options).unwrap();
            println!("without the write-ahead log:");
            for &c in &levels {
                commits(&store, c, period, &format!("c{c}")).await;
            }
            store.close().await.unwrap();
            drop(store);
            let _ = std::fs::remove_dir_all(direct.parent().unwrap());
        }

        let path = temp_file("commit");
        let mut options = StoreOptions::default();
        if let Some(ms) = std::env::var("STORE_BENCH_CHECKPOINT_MS").ok().and_then(|s| s.parse().ok()) {
            options.checkpoint_interval = Duration::from_millis(ms);
        }
        let store = Store::open(&path, MasterKey::generate().unwrap(), options).unwrap();
        if modes.contains('1') {
            println!("with the write-ahead log (the default):");
            for &c in &levels {
                commits(&store, c, period, &format!("c{c}")).await;
            }
        }
        store.commit(vec![Change::Put { object: object("hot".to_string()), expected_revision: None }]).await.unwrap();
        gets(&store, "hot", "get/cached", 1_000_000).await;
        for _ in 0..3 {
            let t = Instant::now();
            let ids = store.ids_by_name("default", "name-hot").await.unwrap();
            let lookup = t.elapsed();
            let t = Instant::now();
            let all = store.list("default").await.unwrap();
            let listed = t.elapsed();
            println!(
                "ids_by_name {:>6} us ({} id)   list {} objects {:>8.1} ms ({:.2} us/object, {} cached)",
                lookup.as_micros(),
                ids.len(),
                all.len(),
                listed.as_secs_f64() * 1e3,
                listed.as_secs_f64() * 1e6 / all.len().max(1) as f64,
                store.cached_objects(),
            );
        }
        store.close().await.unwrap();
        drop(store);

        let uncached = StoreOptions { cache_capacity: 0, ..StoreOptions::default() };
        let cold = Store::open(&temp_file("cold"), MasterKey::generate().unwrap(), uncached).unwrap();
        cold.commit(vec![Change::Put { object: object("cold".to_string()), expected_revision: None }]).await.unwrap();
        gets(&cold, "cold", "get/disk+unseal", 20_000).await;
        cold.close().await.unwrap();
        for dir in [path.parent(), temp_file("cold").parent()].into_iter().flatten() {
            let _ = std::fs::remove_dir_all(dir);
        }
    });
}
