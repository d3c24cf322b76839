//! The `coffer` command line: argument parsing (clap) and the subcommands.
//!
//! `main.rs` only parses the arguments and calls [`run`]; each subcommand
//! lives in its own module here and reads and writes through the handles it
//! is given, so tests can drive it without a process.

pub mod admin_client;
pub mod bench;
pub mod init;
pub mod serve;
pub mod ttlv;

use std::fmt;
use std::io::{self, Read, Write};

use clap::{Parser, Subcommand};

/// coffer: a KMIP key server.
#[derive(Debug, Parser)]
#[command(name = "coffer", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the KMIP server (lays out the data directory on first start).
    Serve(serve::ServeArgs),
    /// Lay out the data directory (CA, certificates, first credential) without serving; idempotent.
    Init(init::InitArgs),
    /// Decode and encode TTLV messages: the KMIP debugging tool.
    #[command(subcommand)]
    Ttlv(ttlv::TtlvCommand),
    /// Load a KMIP server over TLS: ops/s, latency percentiles, CPU per operation.
    Bench(bench::BenchArgs),
}

/// Why a command failed. `main` prints it and exits non-zero.
#[derive(Debug)]
pub enum CliError {
    /// Reading standard input or writing standard output failed.
    Io(io::Error),
    /// A `ttlv` subcommand failed.
    Ttlv(ttlv::TtlvError),
    /// The configuration is invalid.
    Config(crate::config::ConfigError),
    /// The server could not start or stopped with an error.
    Server(crate::server::ServerError),
    /// `bench` failed, or its run was not clean.
    Bench(bench::BenchError),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Io(e) => write!(f, "i/o error: {e}"),
            CliError::Ttlv(e) => e.fmt(f),
            CliError::Config(e) => e.fmt(f),
            CliError::Server(e) => e.fmt(f),
            CliError::Bench(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Io(e) => Some(e),
            CliError::Ttlv(e) => Some(e),
            CliError::Config(e) => Some(e),
            CliError::Server(e) => Some(e),
            CliError::Bench(e) => Some(e),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> CliError {
        CliError::Io(e)
    }
}

impl From<bench::BenchError> for CliError {
    fn from(e: bench::BenchError) -> CliError {
        CliError::Bench(e)
    }
}

impl From<ttlv::TtlvError> for CliError {
    fn from(e: ttlv::TtlvError) -> CliError {
        CliError::Ttlv(e)
    }
}

impl From<crate::config::ConfigError> for CliError {
    fn from(e: crate::config::ConfigError) -> CliError {
        CliError::Config(e)
    }
}

impl From<crate::server::ServerError> for CliError {
    fn from(e: crate::server::ServerError) -> CliError {
        CliError::Server(e)
    }
}

/// Runs a parsed command line with the given standard input and output.
pub fn run(cli: Cli, stdin: &mut dyn Read, stdout: &mut dyn Write) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => serve::run(args, stdout),
        Command::Init(args) => init::run(args, stdout),
        Command::Ttlv(command) => ttlv::run(command, stdin, stdout),
        Command::Bench(args) => bench::run(args, stdout),
    }
}
