//! `coffer serve`: run the server.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::CliError;
use crate::config::{Config, Overrides};

/// Flags shared by `serve` and `init`: where the configuration comes from.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// A TOML configuration file (every key can also be set by a COFFER_* variable).
    #[arg(long, value_name = "FILE", env = "COFFER_CONFIG")]
    pub config: Option<PathBuf>,
    /// The data directory [default: ./coffer-data, or COFFER_DATA_DIR].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The KMIP listen address; port 0 picks a free port [default: 0.0.0.0:5696, or COFFER_KMIP_ADDR].
    #[arg(long, value_name = "ADDR")]
    pub kmip_addr: Option<String>,
}

/// `coffer serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Configuration file, data directory and KMIP address.
    #[command(flatten)]
    pub common: ConfigArgs,
    /// The HTTPS (REST API, console) listen address [default: 0.0.0.0:8443, or COFFER_HTTPS_ADDR].
    #[arg(long, value_name = "ADDR")]
    pub https_addr: Option<String>,
    /// The metrics listen address [default: 127.0.0.1:9696, or COFFER_METRICS_ADDR].
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<String>,
}

impl ConfigArgs {
    /// The configuration these flags, the file they name and the process
    /// environment give, with the extra flags of `overrides`.
    pub fn load(&self, mut overrides: Overrides) -> Result<Config, CliError> {
        overrides.data_dir = self.data_dir.clone();
        overrides.kmip_addr = self.kmip_addr.clone();
        Ok(Config::load(self.config.as_deref(), std::env::vars(), &overrides)?)
    }
}

/// Runs the server until SIGTERM or SIGINT.
pub fn run(args: ServeArgs, stdout: &mut dyn Write) -> Result<(), CliError> {
    let config = args.common.load(Overrides {
        https_addr: args.https_addr,
        metrics_addr: args.metrics_addr,
        ..Overrides::default()
    })?;
    crate::server::init_logging(config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(crate::server::serve(config, stdout))?;
    Ok(())
}
