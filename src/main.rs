//! The `coffer` binary: parses the command line and hands it to
//! [`coffer::cli::run`].

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = coffer::cli::Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let result = coffer::cli::run(cli, &mut std::io::stdin().lock(), &mut stdout);
    let flushed = stdout.flush();
    match result.and(flushed.map_err(Into::into)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("coffer: {e}");
            ExitCode::FAILURE
        }
    }
}
