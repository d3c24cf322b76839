#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The one integration-test binary; each area is a module.

mod cli_ttlv;
mod strategies;
mod text_encodings;
