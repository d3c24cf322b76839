//! `coffer init`: lay out the data directory without serving.

use std::io::Write;

use clap::Args;

use super::serve::ConfigArgs;
use super::CliError;
use crate::config::Overrides;

/// `coffer init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Configuration file, data directory and KMIP address (for the
    /// certificate's names and `pykmip.conf`).
    #[command(flatten)]
    pub common: ConfigArgs,
}

/// Creates what is missing in the data directory and prints where things are.
pub fn run(args: InitArgs, stdout: &mut dyn Write) -> Result<(), CliError> {
    let config = args.common.load(Overrides::default())?;
    crate::server::init(&config, stdout)?;
    Ok(())
}
