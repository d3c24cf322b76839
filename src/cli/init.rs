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
    let data = crate::server::init(&config, stdout)?;
    // Create the store file too, so the layout is the one `serve` leaves.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = crate::server::open_store(&data)?;
        store.close().await.map_err(crate::server::ServerError::from)
    })?;
    Ok(())
}
