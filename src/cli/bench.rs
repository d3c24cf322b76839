//! `coffer bench`: the KMIP load tool (issue 3). Drives any KMIP server
//! over TLS with N connections and prints operations per second, latency
//! percentiles and CPU time per operation; see [`crate::loadtool`].
//!
//! The exit status is non-zero when any response failed or a connection
//! broke, after the report is printed.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::CliError;
use crate::kmip::ProtocolVersion;
use crate::loadtool::{self, Config, KeyType, LoadError, Op, Report, Target};

/// `coffer bench` arguments.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The server, HOST:PORT.
    #[arg(long, required_unless_present = "pykmip_conf")]
    pub addr: Option<String>,
    /// CA certificate (PEM) that signed the server's certificate.
    #[arg(long, required_unless_present = "pykmip_conf")]
    pub ca: Option<PathBuf>,
    /// Client certificate (PEM).
    #[arg(long, required_unless_present = "pykmip_conf")]
    pub cert: Option<PathBuf>,
    /// Client private key (PEM).
    #[arg(long, required_unless_present = "pykmip_conf")]
    pub key: Option<PathBuf>,
    /// Read host, port, certfile, keyfile and ca_certs from this PyKMIP
    /// client configuration's [client] section instead of the four flags above.
    #[arg(long, conflicts_with_all = ["addr", "ca", "cert", "key"])]
    pub pykmip_conf: Option<PathBuf>,
    /// The name the server's certificate must carry (default: the host of the address).
    #[arg(long)]
    pub server_name: Option<String>,
    /// The operation: encrypt (AES-256-CBC, 64 bytes), decrypt, get, create (AES-256), discover-versions,
    /// sign (64 bytes) or create-key-pair.
    #[arg(long, default_value = "encrypt")]
    pub op: Op,
    /// The key of sign and create-key-pair: ec-p256 (ECDSA-SHA256) or rsa-2048 (PKCS#1 v1.5 SHA-256).
    #[arg(long, default_value = "ec-p256")]
    pub key_type: KeyType,
    /// Concurrent connections, each one request at a time.
    #[arg(long, default_value_t = 1)]
    pub connections: usize,
    /// Measured seconds.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// The Protocol Version of the requests, MAJOR.MINOR.
    #[arg(long, default_value = "1.2", value_parser = parse_version)]
    pub kmip_version: ProtocolVersion,
    /// The server's process id, to report its CPU time per operation (same host).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// The tool's threads: the workers of one work-stealing runtime, or with
    /// --per-thread-runtimes, threads that each drive their share of the connections alone.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Each tool thread runs its own current-thread runtime with its share of the connections
    /// (no work stealing: less CPU per operation, but a thread that loses its core stalls its share).
    #[arg(long)]
    pub per_thread_runtimes: bool,
    /// Keep every tool runtime polling its sockets, never sleeping, from the start of the warm-up to
    /// the end of the window (a task per tool thread that yields in a loop). This burns its threads'
    /// cores, so it is meant for a tool with cores of its own (e.g. under `taskset`, the server
    /// confined to other CPUs; see benches/compare.sh --pin): the tool's own wake-up delays then drop
    /// out of the latencies it measures, and the server stops paying an inter-processor wake-up of a
    /// sleeping tool thread per response. On cores shared with the server it takes the server's CPU.
    #[arg(long)]
    pub busy_poll: bool,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// A new TLS connection for every operation, closed after its answer
    /// (as Synology's client does): the latency includes the handshake.
    #[arg(long)]
    pub reconnect: bool,
}

fn parse_version(s: &str) -> Result<ProtocolVersion, String> {
    let (major, minor) = s.split_once('.').ok_or("expected MAJOR.MINOR, such as 1.2")?;
    let v = ProtocolVersion::new(
        major.parse().map_err(|_| format!("bad major version `{major}`"))?,
        minor.parse().map_err(|_| format!("bad minor version `{minor}`"))?,
    );
    if v.is_supported() {
        Ok(v)
    } else {
        Err(format!("KMIP {v} is not a version coffer speaks"))
    }
}

fn seconds(what: &str, s: f64) -> Result<Duration, BenchError> {
    Duration::try_from_secs_f64(s).map_err(|_| BenchError::Load(LoadError::Config(format!("bad {what}: {s}"))))
}

/// Why `coffer bench` failed.
#[derive(Debug)]
pub enum BenchError {
    /// The run could not be made.
    Load(LoadError),
    /// The run was made (and reported) but was not clean.
    Unclean {
        /// Failed responses.
        failures: u64,
        /// Broken connections.
        connection_errors: usize,
        /// Successful operations in the window.
        ops: u64,
    },
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::Load(e) => write!(f, "bench: {e}"),
            BenchError::Unclean { failures, connection_errors, ops } => write!(
                f,
                "bench: {failures} failed responses, {connection_errors} broken connections, {ops} successful operations"
            ),
        }
    }
}

impl std::error::Error for BenchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BenchError::Load(e) => Some(e),
            BenchError::Unclean { .. } => None,
        }
    }
}

/// Runs `coffer bench`.
pub fn run(args: BenchArgs, stdout: &mut dyn Write) -> Result<(), CliError> {
    let mut target = match &args.pykmip_conf {
        Some(conf) => Target::from_pykmip_conf(conf).map_err(BenchError::Load)?,
        // clap requires all four when there is no --pykmip-conf.
        None => match (args.addr, args.ca, args.cert, args.key) {
            (Some(addr), Some(ca), Some(cert), Some(key)) => Target { addr, server_name: None, ca, cert, key },
            _ => {
                let why = "--addr, --ca, --cert and --key (or --pykmip-conf) are required".to_owned();
                return Err(BenchError::Load(LoadError::Config(why)).into());
            }
        },
    };
    target.server_name = args.server_name;
    let config = Config {
        target,
        op: args.op,
        key_type: args.key_type,
        connections: args.connections,
        duration: seconds("--duration", args.duration)?,
        warmup: seconds("--warmup", args.warmup)?,
        version: args.kmip_version,
        server_pid: args.server_pid,
        threads: args.threads,
        per_thread: args.per_thread_runtimes,
        reconnect: args.reconnect,
        busy_poll: args.busy_poll,
    };
    let report = loadtool::run(&config).map_err(BenchError::Load)?;
    if args.json {
        let line = serde_json::to_string(&report).map_err(std::io::Error::other)?;
        writeln!(stdout, "{line}")?;
    } else {
        write_text(&report, stdout)?;
    }
    if report.is_clean() {
        Ok(())
    } else {
        Err(BenchError::Unclean {
            failures: report.failures,
            connection_errors: report.connection_errors.len(),
            ops: report.ops,
        }
        .into())
    }
}

fn write_text(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{} against {} (KMIP {}), {} connections{}, {} tool threads{}{}, {:.1} s measured",
        r.op,
        r.addr,
        r.kmip_version,
        r.connections,
        if r.reconnect { " (a new one per operation)" } else { "" },
        r.threads,
        if r.per_thread_runtimes { " (a runtime each)" } else { "" },
        if r.busy_poll { ", busy-polling" } else { "" },
        r.duration_secs
    )?;
    writeln!(out, "  ops          {} ({:.0} ops/s)", r.ops, r.ops_per_sec)?;
    let l = &r.latency_us;
    writeln!(
        out,
        "  latency µs   p50 {:.0}  p90 {:.0}  p99 {:.0}  p99.9 {:.0}  max {:.0}  mean {:.0}",
        l.p50, l.p90, l.p99, l.p99_9, l.max, l.mean
    )?;
    let cpu = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1}"));
    writeln!(out, "  cpu µs/op    server {}  tool {}", cpu(r.server_cpu_us_per_op), cpu(r.tool_cpu_us_per_op))?;
    if let Some(load) = r.load_average_1m {
        writeln!(out, "  load avg 1m  {load:.2}")?;
    }
    writeln!(out, "  failures     {}", r.failures)?;
    for f in &r.failure_reasons {
        let message = f.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
        writeln!(out, "    {} x {}{message}", f.count, f.reason)?;
    }
    for e in &r.connection_errors {
        writeln!(out, "  connection error: {e}")?;
    }
    Ok(())
}
