#!/usr/bin/env bash
# The whole test suite: installs what the tests need (tests/setup.sh), then
# runs every test: doc tests, then every target (unit tests, the tests/it
# binary, benches in test mode). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

./tests/setup.sh
cargo test --doc
cargo test --all-targets
