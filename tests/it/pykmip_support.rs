//! Runs the end-to-end PyKMIP scripts (`tests/pykmip/*.py`, PyKMIP 0.11 from
//! the venv `tests/setup.sh` makes) against a real `coffer serve`.
//!
//! Each script runs many checks in one Python process (PyKMIP's imports are
//! slow), prints every failed check, and exits non-zero if any failed; the
//! test then fails with the script's whole output and the server's log.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::Server;

/// The crate's root directory.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's Python, or `None` (test skipped loudly; under `CI=true` it
/// fails instead, so CI cannot pass without running the suite).
pub fn python() -> Option<PathBuf> {
    let python = manifest_dir().join("tests/.venv/bin/python");
    if python.exists() {
        return Some(python);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the PyKMIP venv is missing at {} (run ./tests/setup.sh)", python.display());
    }
    eprintln!("\n!!!!! SKIPPED: the PyKMIP venv is missing at {}; run ./tests/setup.sh !!!!!\n", python.display());
    None
}

/// Runs `tests/pykmip/<script>` against `server` with its `pykmip.conf`, the
/// data directory and `args`; returns its standard output, or panics with
/// everything it printed and the server's log if it failed.
pub fn run_script(python: &Path, server: &Server, script: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg(manifest_dir().join("tests/pykmip").join(script))
        .arg("--conf")
        .arg(server.pykmip_conf())
        .arg("--data")
        .arg(&server.data)
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{script} {args:?} failed ({}):\n{stdout}\n--- stderr ---\n{}\n--- server log (tail) ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        tail(&server.log(), 40),
    );
    stdout
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Starts a server and runs one script against it, for every protocol
/// version PyKMIP speaks (1.0 to 2.0).
pub fn script_passes(script: &str) {
    script_passes_with(script, &[]);
}

/// [`script_passes`] with extra arguments for the script.
pub fn script_passes_with(script: &str, args: &[&str]) {
    let Some(python) = python() else { return };
    let server = Server::start();
    let out = run_script(&python, &server, script, args);
    // The script's last line counts its checks: a script that checked nothing has not tested anything.
    assert!(out.contains(" checks, 0 failed") && !out.contains(": 0 checks"), "{script}: {out}");
}
