//! The KMIP load tool behind `coffer bench`: drives any KMIP server over
//! TLS with N connections, closed loop, and reports operations per second,
//! latency percentiles and the CPU time the server (and the tool) spent per
//! operation.
//!
//! Flow of one run ([`run`]):
//!
//! 1. Setup, on its own connection: for Encrypt, Decrypt and Get, Create
//!    one AES-256 key and Activate it; every request is then built once
//!    ([`requests`]) and tried once with a full typed check, so a server
//!    that refuses it fails the run with its own reason before any load.
//! 2. Open all N connections (TCP_NODELAY, rustls with a client
//!    certificate) before the clock starts: on one tokio runtime of
//!    `--threads` work-stealing workers, or with `--per-thread-runtimes`,
//!    shared out among `--threads` threads that each run a current-thread
//!    runtime with their share (no thread wakes another: less CPU per
//!    operation, but a thread that loses its core stalls its share, which
//!    a work-stealing pool would move to the other core).
//! 3. One tokio task per connection sends the same bytes, reads the
//!    response (8-byte header, then the body) into the connection's own
//!    buffer, checks it in place (the one batch item's Result Status,
//!    with the structure's lengths; no allocation), records the latency in
//!    its own [`Histogram`], and loops. Nothing is shared between tasks
//!    while they run. With `--busy-poll`, each runtime also runs a task per
//!    worker that yields in a loop until the window closes, so the runtime
//!    never sleeps in `epoll_wait` (for a tool pinned to cores of its own).
//! 4. The measured window opens after the warm-up; only responses that
//!    arrive inside it are counted. Server and tool CPU times are read from
//!    `/proc/PID/stat` at both edges of the window (for the server, of its
//!    child processes too).
//!
//! Every failed response is counted by its Result Reason; the run is clean
//! only with zero failures and no broken connection ([`Report::is_clean`]).

mod cpu;
mod histogram;
pub mod requests;
mod target;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;
use zeroize::Zeroizing;

use crate::kmip::payloads::ResponsePayload;
use crate::kmip::ProtocolVersion;
use crate::net::socket::Socket;
use crate::ttlv::{self, HEADER_LEN};

pub use cpu::{clock_ticks_per_second, process_cpu, process_tree_cpu};
pub use histogram::Histogram;
pub use target::Target;

use requests::Outcome;

/// How long opening one connection (TCP and TLS handshake) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How many connections are opened at once.
const CONNECT_PARALLELISM: usize = 4;
/// How long the in-flight requests may take to finish after the window closes.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The operation under load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Encrypt 64 bytes, AES-256 CBC, PKCS5 padding, client IV.
    Encrypt,
    /// Decrypt what one Encrypt produced.
    Decrypt,
    /// Get the AES-256 key.
    Get,
    /// Create an AES-256 key (one new key per operation).
    Create,
    /// Discover Versions: the protocol path alone, no key.
    DiscoverVersions,
    /// Sign 64 bytes with a private key of the configured [`KeyType`].
    Sign,
    /// Create Key Pair of the configured [`KeyType`] (one new pair per operation).
    CreateKeyPair,
}

/// The asymmetric key of `--op sign` and `--op create-key-pair`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KeyType {
    /// EC P-256; Sign is ECDSA with SHA-256.
    #[default]
    EcP256,
    /// RSA 2048; Sign is PKCS#1 v1.5 with SHA-256.
    Rsa2048,
}

impl FromStr for KeyType {
    type Err = String;
    fn from_str(s: &str) -> Result<KeyType, String> {
        match s {
            "ec-p256" => Ok(KeyType::EcP256),
            "rsa-2048" => Ok(KeyType::Rsa2048),
            _ => Err(format!("unknown key type `{s}` (one of: ec-p256, rsa-2048)")),
        }
    }
}

impl Op {
    /// Every operation, in the order `--help` lists them.
    pub const ALL: [Op; 7] =
        [Op::Encrypt, Op::Decrypt, Op::Get, Op::Create, Op::DiscoverVersions, Op::Sign, Op::CreateKeyPair];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Op::Encrypt => "encrypt",
            Op::Decrypt => "decrypt",
            Op::Get => "get",
            Op::Create => "create",
            Op::DiscoverVersions => "discover-versions",
            Op::Sign => "sign",
            Op::CreateKeyPair => "create-key-pair",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Op {
    type Err = String;
    fn from_str(s: &str) -> Result<Op, String> {
        Op::ALL.into_iter().find(|op| op.name() == s).ok_or_else(|| {
            let names: Vec<_> = Op::ALL.iter().map(|o| o.name()).collect();
            format!("unknown operation `{s}` (one of: {})", names.join(", "))
        })
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// The server and credentials.
    pub target: Target,
    /// The operation.
    pub op: Op,
    /// The key of `sign` and `create-key-pair`.
    pub key_type: KeyType,
    /// Concurrent connections, each one request at a time.
    pub connections: usize,
    /// The measured window.
    pub duration: Duration,
    /// Load before the window opens, not counted.
    pub warmup: Duration,
    /// The Protocol Version of every request.
    pub version: ProtocolVersion,
    /// The server's process, to read its CPU time (same host only).
    pub server_pid: Option<u32>,
    /// Load threads.
    pub threads: usize,
    /// Each load thread its own current-thread runtime and its share of the
    /// connections; otherwise one work-stealing runtime of `threads` workers.
    pub per_thread: bool,
    /// Open a new connection (TCP, TLS handshake) for every operation and
    /// close it after the answer, as Synology's client does; the latency
    /// then counts the handshake. Sessions are resumed when the server
    /// allows it (the tool keeps rustls's default session cache).
    pub reconnect: bool,
    /// Every load runtime also runs a task per worker thread that yields in
    /// a loop from the start of the warm-up to the end of the window, so
    /// the runtime polls its sockets without ever sleeping in `epoll_wait`
    /// ([`spin_until`]).
    pub busy_poll: bool,
}

/// Latency percentiles, in microseconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p99_9: f64,
    /// The slowest response.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

/// Failed responses with one Result Reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailureCount {
    /// Result Reason's name, or what was wrong with the response.
    pub reason: String,
    /// How many responses.
    pub count: u64,
    /// The first Result Message seen with it.
    pub message: Option<String>,
}

/// The outcome of a run; `--json` prints it as is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The operation.
    pub op: String,
    /// The server's address.
    pub addr: String,
    /// The Protocol Version sent.
    pub kmip_version: String,
    /// Connections.
    pub connections: usize,
    /// A new connection for every operation (`--reconnect`).
    pub reconnect: bool,
    /// The tool's load threads (at most one per connection).
    pub threads: usize,
    /// Each load thread ran its own current-thread runtime (`--per-thread-runtimes`);
    /// otherwise `threads` were the workers of one work-stealing runtime.
    pub per_thread_runtimes: bool,
    /// Every load runtime polled its sockets without sleeping (`--busy-poll`).
    pub busy_poll: bool,
    /// The measured window, in seconds.
    pub duration_secs: f64,
    /// Successful operations completed inside the window.
    pub ops: u64,
    /// `ops` / `duration_secs`.
    pub ops_per_sec: f64,
    /// Latency of the successful operations of the window.
    pub latency_us: Latency,
    /// Failed responses over the whole run (warm-up included).
    pub failures: u64,
    /// Those failures by reason.
    pub failure_reasons: Vec<FailureCount>,
    /// Connections that broke (I/O or TLS error, or closed by the server).
    pub connection_errors: Vec<String>,
    /// Server CPU time (user + system, the process and its descendants) per
    /// operation in the window, in µs.
    pub server_cpu_us_per_op: Option<f64>,
    /// This tool's CPU time per operation in the window, in µs.
    pub tool_cpu_us_per_op: Option<f64>,
    /// The machine's 1-minute load average at the end.
    pub load_average_1m: Option<f64>,
}

impl Report {
    /// True when operations completed, none failed and no connection broke.
    pub fn is_clean(&self) -> bool {
        self.ops > 0 && self.failures == 0 && self.connection_errors.is_empty()
    }
}

/// Why a run could not be made.
#[derive(Debug)]
pub enum LoadError {
    /// A file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A setting or a credential file is unusable.
    Config(String),
    /// rustls refused the client configuration.
    Tls(rustls::Error),
    /// A connection could not be opened.
    Connect {
        /// The server's address.
        addr: String,
        /// Why.
        source: io::Error,
    },
    /// The server refused a setup request (or the first request of the load).
    Setup {
        /// The operation.
        operation: String,
        /// Result Reason, or what was wrong with the response.
        reason: String,
        /// The server's Result Message.
        message: Option<String>,
    },
    /// A response could not be used.
    Protocol(String),
    /// The tokio runtime or a clock could not be set up.
    Runtime(io::Error),
}

impl LoadError {
    fn io(path: &Path, source: io::Error) -> LoadError {
        LoadError::Io { path: path.to_owned(), source }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            LoadError::Config(why) => f.write_str(why),
            LoadError::Tls(e) => write!(f, "TLS client configuration: {e}"),
            LoadError::Connect { addr, source } => write!(f, "connecting to {addr}: {source}"),
            LoadError::Setup { operation, reason, message } => {
                write!(f, "{operation} failed: {reason}")?;
                match message {
                    Some(m) => write!(f, " ({m})"),
                    None => Ok(()),
                }
            }
            LoadError::Protocol(why) => f.write_str(why),
            LoadError::Runtime(e) => write!(f, "runtime: {e}"),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } | LoadError::Connect { source, .. } | LoadError::Runtime(source) => {
                Some(source)
            }
            LoadError::Tls(e) => Some(e),
            LoadError::Config(_) | LoadError::Setup { .. } | LoadError::Protocol(_) => None,
        }
    }
}

/// Runs the load. Setup runs on the calling thread; the connections are
/// then opened and driven by one loader thread with a work-stealing
/// runtime of `config.threads` workers, or (`per_thread`) by
/// `config.threads` loader threads with a current-thread runtime and a
/// share of the connections each; the calling thread only watches the
/// clock and reads the CPU times at the edges of the window.
pub fn run(config: &Config) -> Result<Report, LoadError> {
    if config.connections == 0 || config.duration.is_zero() {
        return Err(LoadError::Config("connections and duration must be above zero".to_owned()));
    }
    if let Some(pid) = config.server_pid {
        process_tree_cpu(pid).map_err(|e| LoadError::Config(format!("server pid {pid}: {e}")))?;
    }
    let shared = current_thread()?.block_on(setup(config))?;
    let threads = config.threads.clamp(1, config.connections);
    // A pool: one loader whose runtime has `threads` work-stealing workers.
    let (loaders, workers) = if config.per_thread { (threads, 1) } else { (1, threads) };
    let threads = loaders;
    let (go_tx, go_rx) = watch::channel(Go::Wait);
    let (opened_tx, opened_rx) = std::sync::mpsc::channel();

    let (merged, window, server, tool) = std::thread::scope(|scope| {
        let mut loaders = Vec::with_capacity(threads);
        for i in 0..threads {
            // Connections i, i + threads, ...: the shares differ by one at most.
            let share = config.connections.saturating_sub(i).div_ceil(threads);
            let (shared, opened, go) = (&shared, opened_tx.clone(), go_rx.clone());
            let loader = std::thread::Builder::new()
                .name(format!("bench-{i}"))
                .spawn_scoped(scope, move || load_thread(shared, share, workers, opened, go));
            match loader {
                Ok(l) => loaders.push(l),
                Err(e) => {
                    let _ = go_tx.send(Go::Abort);
                    return Err(LoadError::Runtime(e));
                }
            }
        }
        // Every connection is open before the clock starts: handshakes are not the load.
        for _ in 0..threads {
            match opened_rx.recv() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    let _ = go_tx.send(Go::Abort);
                    return Err(e);
                }
                Err(_) => {
                    let _ = go_tx.send(Go::Abort);
                    return Err(LoadError::Runtime(io::Error::other(
                        "a load thread ended before its connections opened",
                    )));
                }
            }
        }
        let t0 = Instant::now() + config.warmup;
        let t1 = t0 + config.duration;
        let _ = go_tx.send(Go::Run(t0, t1));
        std::thread::sleep(t0.saturating_duration_since(Instant::now()));
        let (server0, tool0) = (cpu_of(config.server_pid), process_cpu(None).ok());
        let window_start = Instant::now();
        std::thread::sleep(t1.saturating_duration_since(Instant::now()));
        let (server1, tool1) = (cpu_of(config.server_pid), process_cpu(None).ok());
        let window = window_start.elapsed();
        let mut merged = TaskResult::default();
        for loader in loaders {
            match loader.join() {
                Ok(r) => merged.merge(r),
                Err(_) => merged.errors.push("a load thread failed".to_owned()),
            }
        }
        Ok((merged, window, (server0, server1), (tool0, tool1)))
    })?;
    Ok(report(config, &shared.addr, merged, window, server, tool))
}

/// What every load thread shares.
struct Shared {
    connector: TlsConnector,
    name: rustls::pki_types::ServerName<'static>,
    addr: String,
    /// The request every operation sends.
    request: Arc<[u8]>,
    /// Bounds the connections being opened at once, over all threads.
    opening: Arc<tokio::sync::Semaphore>,
    reconnect: bool,
    busy_poll: bool,
}

/// The load threads' signal: wait, run over a window, or give up.
#[derive(Clone, Copy)]
enum Go {
    Wait,
    Run(Instant, Instant),
    Abort,
}

fn current_thread() -> Result<tokio::runtime::Runtime, LoadError> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(LoadError::Runtime)
}

/// Creates what the load needs (a key...) on one connection and builds the request.
async fn setup(config: &Config) -> Result<Shared, LoadError> {
    let connector = TlsConnector::from(config.target.tls_config()?);
    let name = config.target.server_name()?;
    let addr = config.target.addr.clone();
    let mut conn = Conn::open(&connector, &addr, &name).await?;
    let request = prepare(&mut conn, config.op, config.key_type, config.version).await?;
    conn.close().await;
    Ok(Shared {
        connector,
        name,
        addr,
        request: request.into(),
        // A few at a time: PyKMIP's server listens with a backlog of 5, and a
        // burst of 64 SYNs gets most of them dropped and retried for seconds.
        opening: Arc::new(tokio::sync::Semaphore::new(CONNECT_PARALLELISM)),
        reconnect: config.reconnect,
        busy_poll: config.busy_poll,
    })
}

/// One load thread: opens `share` connections, says so on `opened`, waits
/// for the window and drives them until it closes.
fn load_thread(
    shared: &Shared,
    share: usize,
    workers: usize,
    opened: std::sync::mpsc::Sender<Result<(), LoadError>>,
    mut go: watch::Receiver<Go>,
) -> TaskResult {
    let runtime = if workers <= 1 {
        current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .map_err(LoadError::Runtime)
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            let _ = opened.send(Err(e));
            return TaskResult::default();
        }
    };
    runtime.block_on(async move {
        let mut opening = JoinSet::new();
        for _ in 0..share {
            let (connector, name, addr) = (shared.connector.clone(), shared.name.clone(), shared.addr.clone());
            let permits = Arc::clone(&shared.opening);
            opening.spawn(async move {
                let _permit = permits.acquire_owned().await;
                Conn::open(&connector, &addr, &name).await
            });
        }
        let mut conns = Vec::with_capacity(share);
        while let Some(c) = opening.join_next().await {
            match c.map_err(|e| LoadError::Runtime(io::Error::other(e))).and_then(|c| c) {
                Ok(c) => conns.push(c),
                Err(e) => {
                    let _ = opened.send(Err(e));
                    return TaskResult::default();
                }
            }
        }
        let _ = opened.send(Ok(()));
        let (t0, t1) = loop {
            match *go.borrow_and_update() {
                Go::Run(t0, t1) => break (t0, t1),
                Go::Abort => return TaskResult::default(),
                Go::Wait => {}
            }
            if go.changed().await.is_err() {
                return TaskResult::default();
            }
        };
        // Started with the load, so the warm-up runs in the same layout as the window. One per
        // worker: with one alone, a work-stealing runtime's other workers still sleep, in epoll_wait
        // for the one holding the I/O driver (seen with strace).
        let mut spinners = JoinSet::new();
        if shared.busy_poll {
            for _ in 0..workers.max(1) {
                spinners.spawn(spin_until(t1));
            }
        }
        let mut tasks = JoinSet::new();
        for conn in conns {
            let redial = shared.reconnect.then(|| Redial {
                connector: shared.connector.clone(),
                addr: shared.addr.clone(),
                name: shared.name.clone(),
            });
            tasks.spawn(drive(conn, redial, Arc::clone(&shared.request), t0, t1));
        }
        let mut merged = TaskResult::default();
        let drained = tokio::time::timeout_at(t1 + DRAIN_TIMEOUT, async {
            while let Some(done) = tasks.join_next().await {
                match done {
                    Ok(r) => merged.merge(r),
                    Err(e) => merged.errors.push(format!("connection task: {e}")),
                }
            }
        })
        .await;
        if drained.is_err() {
            merged.errors.push(format!("{} connections still waiting {DRAIN_TIMEOUT:?} after the end", tasks.len()));
            tasks.abort_all();
        }
        // They end at t1 by themselves; this only makes sure none outlives the load.
        spinners.abort_all();
        while spinners.join_next().await.is_some() {}
        merged
    })
}

/// `--busy-poll`: yields until `t1`. While a task has yielded, tokio polls
/// its I/O driver with a zero timeout instead of blocking in `epoll_wait`,
/// so the runtime's thread never sleeps: a response is picked up as soon as
/// it lands, without the scheduler's wake-up latency, and the server's
/// write never has to wake a sleeping tool thread (an inter-processor
/// interrupt per response when the tool has a core of its own).
async fn spin_until(t1: Instant) {
    while Instant::now() < t1 {
        tokio::task::yield_now().await;
    }
}

/// The report of a run: the merged results over the measured window.
fn report(
    config: &Config,
    addr: &str,
    merged: TaskResult,
    window: Duration,
    (server0, server1): (Option<Duration>, Option<Duration>),
    (tool0, tool1): (Option<Duration>, Option<Duration>),
) -> Report {
    let ops = merged.hist.count();
    let per_op = |before: Option<Duration>, after: Option<Duration>| match (before, after) {
        (Some(b), Some(a)) if ops > 0 => Some(a.saturating_sub(b).as_secs_f64() * 1e6 / ops as f64),
        _ => None,
    };
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let h = &merged.hist;
    Report {
        op: config.op.name().to_owned(),
        addr: addr.to_owned(),
        kmip_version: config.version.to_string(),
        connections: config.connections,
        reconnect: config.reconnect,
        threads: config.threads.clamp(1, config.connections),
        per_thread_runtimes: config.per_thread,
        busy_poll: config.busy_poll,
        duration_secs: window.as_secs_f64(),
        ops,
        ops_per_sec: ops as f64 / window.as_secs_f64().max(f64::MIN_POSITIVE),
        latency_us: Latency {
            p50: us(h.quantile(0.50)),
            p90: us(h.quantile(0.90)),
            p99: us(h.quantile(0.99)),
            p99_9: us(h.quantile(0.999)),
            max: us(h.max()),
            mean: us(h.mean()),
        },
        failures: merged.failures.values().map(|(n, _)| n).sum(),
        failure_reasons: merged
            .failures
            .into_iter()
            .map(|(reason, (count, message))| FailureCount { reason, count, message })
            .collect(),
        connection_errors: merged.errors,
        server_cpu_us_per_op: per_op(server0, server1),
        tool_cpu_us_per_op: per_op(tool0, tool1),
        load_average_1m: cpu::load_average(),
    }
}

fn cpu_of(pid: Option<u32>) -> Option<Duration> {
    pid.and_then(|p| process_tree_cpu(p).ok())
}

/// Builds the request the load repeats, after whatever setup it needs, and
/// sends it once with a full typed check of the answer.
async fn prepare(conn: &mut Conn, op: Op, key_type: KeyType, v: ProtocolVersion) -> Result<Vec<u8>, LoadError> {
    let payload = match op {
        Op::CreateKeyPair => requests::create_key_pair(key_type),
        Op::Sign => {
            let private = match conn.call(v, requests::create_key_pair(key_type)).await? {
                ResponsePayload::CreateKeyPair(c) => c.private_key_unique_identifier,
                other => return Err(unexpected(&other)),
            };
            conn.call(v, requests::activate(&private)).await?;
            requests::sign(&private, key_type)
        }
        Op::Create => requests::create(),
        Op::DiscoverVersions => requests::discover_versions(),
        Op::Encrypt | Op::Decrypt | Op::Get => {
            let uid = match conn.call(v, requests::create()).await? {
                ResponsePayload::Create(c) => c.unique_identifier,
                other => return Err(unexpected(&other)),
            };
            conn.call(v, requests::activate(&uid)).await?;
            match op {
                Op::Get => requests::get(&uid),
                Op::Decrypt => match conn.call(v, requests::encrypt(&uid)).await? {
                    ResponsePayload::Encrypt(e) => {
                        let data = e.data.ok_or_else(|| LoadError::Protocol("Encrypt returned no Data".to_owned()))?;
                        requests::decrypt(&uid, data)
                    }
                    other => return Err(unexpected(&other)),
                },
                _ => requests::encrypt(&uid),
            }
        }
    };
    let bytes = requests::message(v, payload.clone())?;
    conn.call(v, payload).await?;
    Ok(bytes)
}

fn unexpected(payload: &ResponsePayload) -> LoadError {
    LoadError::Protocol(format!("unexpected {:?} response payload", payload.operation()))
}

/// What one connection's task brings back.
#[derive(Default)]
struct TaskResult {
    hist: Histogram,
    /// Count and first Result Message, by reason.
    failures: BTreeMap<String, (u64, Option<String>)>,
    errors: Vec<String>,
}

impl TaskResult {
    fn fail(&mut self, reason: String, message: Option<String>) {
        let entry = self.failures.entry(reason).or_insert((0, message));
        entry.0 = entry.0.saturating_add(1);
    }

    fn merge(&mut self, other: TaskResult) {
        self.hist.merge(&other.hist);
        for (reason, (count, message)) in other.failures {
            let entry = self.failures.entry(reason).or_insert((0, message));
            entry.0 = entry.0.saturating_add(count);
        }
        self.errors.extend(other.errors);
    }
}

/// What a `--reconnect` task needs to open its next connection.
struct Redial {
    connector: TlsConnector,
    addr: String,
    name: rustls::pki_types::ServerName<'static>,
}

/// One connection's closed loop until `t1`; latencies of the responses
/// that arrive in `[t0, t1)` are recorded. With `redial`, every operation
/// after the first opens its own connection (timed) and closes it.
async fn drive(mut conn: Conn, redial: Option<Redial>, request: Arc<[u8]>, t0: Instant, t1: Instant) -> TaskResult {
    let mut result = TaskResult::default();
    let mut first = true;
    loop {
        let start = Instant::now();
        if start >= t1 {
            break;
        }
        if let (Some(r), false) = (&redial, first) {
            conn = match Conn::open(&r.connector, &r.addr, &r.name).await {
                Ok(c) => c,
                Err(e) => {
                    result.errors.push(e.to_string());
                    return result;
                }
            };
        }
        first = false;
        let frame = match conn.roundtrip(&request).await {
            Ok(f) => f,
            Err(e) => {
                result.errors.push(e.to_string());
                return result;
            }
        };
        let end = Instant::now();
        match requests::check_in_place(frame) {
            Outcome::Success if end >= t0 && end < t1 => result.hist.record(end - start),
            Outcome::Success => {}
            Outcome::Failure { reason, message } => result.fail(reason, message),
        }
        if redial.is_some() {
            // The connection is spent; a fresh one opens at the top of the loop.
            conn.close_in_place().await;
        }
    }
    conn.close().await;
    result
}

/// One TLS connection to the server.
struct Conn {
    stream: TlsStream<Socket>,
    /// The last response, in a buffer reused for the next one (no
    /// allocation per operation) and wiped when the connection goes: a Get
    /// response carries key material.
    response: Zeroizing<Vec<u8>>,
}

impl Conn {
    async fn open(
        connector: &TlsConnector,
        addr: &str,
        name: &rustls::pki_types::ServerName<'static>,
    ) -> Result<Conn, LoadError> {
        let connect_err = |source| LoadError::Connect { addr: addr.to_owned(), source };
        let open = async {
            let tcp = TcpStream::connect(addr).await?;
            // One small request at a time: Nagle would hold it back.
            tcp.set_nodelay(true)?;
            connector.connect(name.clone(), Socket::new(tcp)).await
        };
        let stream = tokio::time::timeout(CONNECT_TIMEOUT, open)
            .await
            .map_err(|_| connect_err(io::Error::new(io::ErrorKind::TimedOut, "connect and TLS handshake timed out")))?
            .map_err(connect_err)?;
        Ok(Conn { stream, response: Zeroizing::new(Vec::new()) })
    }

    /// Sends one request and reads one whole response message: the 8-byte
    /// header, its length checked against the codec's limit, then the body.
    /// The response is read into the connection's own buffer.
    async fn roundtrip(&mut self, request: &[u8]) -> io::Result<&[u8]> {
        self.stream.write_all(request).await?;
        self.stream.flush().await?;
        let mut head = [0u8; HEADER_LEN];
        self.stream.read_exact(&mut head).await?;
        let header = ttlv::decode_header(&head, &ttlv::Limits::DEFAULT)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("response header: {e}")))?;
        let total = header.total_len();
        let frame = &mut self.response;
        if frame.capacity() < total {
            // A longer response: wipe the old buffer before it is let go.
            *frame = Zeroizing::new(Vec::with_capacity(total));
        }
        frame.clear();
        frame.extend_from_slice(&head);
        frame.resize(total, 0);
        let body = frame.get_mut(HEADER_LEN..).unwrap_or_default();
        self.stream.read_exact(body).await?;
        Ok(frame.as_slice())
    }

    /// One request with a full typed check of the answer, for setup.
    async fn call(
        &mut self,
        v: ProtocolVersion,
        payload: crate::kmip::payloads::RequestPayload,
    ) -> Result<ResponsePayload, LoadError> {
        let op = payload.operation();
        let bytes = requests::message(v, payload)?;
        let frame = self.roundtrip(&bytes).await.map_err(|e| LoadError::Protocol(format!("{op:?}: {e}")))?;
        // A Get response holds key material: the copy is wiped too.
        requests::typed_payload(&Bytes::from_owner(Zeroizing::new(frame.to_vec())), op)
    }

    /// Sends TLS close_notify; errors do not matter any more.
    async fn close(mut self) {
        self.close_in_place().await;
    }

    /// [`Conn::close`] that leaves the value in place (to be replaced).
    async fn close_in_place(&mut self) {
        let _ = self.stream.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `body` on a current-thread runtime, beside a [`spin_until`] of
    /// `spin` when given; returns what `body` gave, the wall time and this
    /// thread's CPU time over the run.
    /// Runs `body` on a current-thread runtime (with a spinner until `spin`
    /// if given): its result, the wall time, and how many times the thread
    /// went to sleep (voluntary context switches: a thread that waits in
    /// `epoll_wait` sleeps, a spinning one does not, however loaded the
    /// machine is, whereas its CPU share depends on the load).
    fn on_current_thread<F: std::future::Future<Output = bool>>(
        spin: Option<Duration>,
        body: F,
    ) -> (bool, Duration, u64) {
        let rt = current_thread().unwrap();
        let sleeps0 = voluntary_switches();
        let start = std::time::Instant::now();
        let done = rt.block_on(async {
            let spinner = spin.map(|d| tokio::spawn(spin_until(Instant::now() + d)));
            let done = body.await;
            if let Some(s) = spinner {
                s.await.unwrap();
            }
            done
        });
        (done, start.elapsed(), voluntary_switches() - sleeps0)
    }

    fn voluntary_switches() -> u64 {
        let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("voluntary_ctxt_switches:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// A datagram sent after 100 ms on a socket pair of the runtime.
    async fn datagram_after_a_pause() -> bool {
        let (a, b) =
            (tokio::net::UdpSocket::bind("127.0.0.1:0").await, tokio::net::UdpSocket::bind("127.0.0.1:0").await);
        let (a, b) = (a.unwrap(), b.unwrap());
        let to = b.local_addr().unwrap();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            a.send_to(b"x", to).await.unwrap();
        });
        let mut buf = [0u8; 4];
        b.recv(&mut buf).await.unwrap() == 1
    }

    #[test]
    fn spin_until_keeps_the_runtime_polling_its_sockets_without_sleeping_and_ends_at_t1() {
        let spin = Duration::from_millis(400);
        let (received, wall, sleeps) = on_current_thread(Some(spin), datagram_after_a_pause());
        // The socket and the timer were still served while the spinner ran.
        assert!(received);
        // It ends at t1 (scheduling on a shared machine may add a little).
        assert!(wall >= spin && wall < spin + Duration::from_secs(2), "{wall:?}");
        // A thread that never sleeps (a preempted one is switched out
        // involuntarily, which is not counted here).
        assert_eq!(sleeps, 0, "the spinning thread slept {sleeps} times over {wall:?}");

        // The same wait without the spinner sleeps in epoll_wait: no CPU to speak of.
        let (received, _, sleeps) = on_current_thread(None, async {
            let got = datagram_after_a_pause().await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            got
        });
        assert!(received);
        // Asleep for the datagram's 100 ms and the 300 ms timer at least.
        assert!(sleeps >= 2, "without the spinner the thread slept only {sleeps} times");
    }
}
