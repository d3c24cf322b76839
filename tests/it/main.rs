//! coffer's integration tests: one test binary, one module per area.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod cli_ttlv;
