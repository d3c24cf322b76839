#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! The one integration-test binary: one module per area.

mod kmip_model;
