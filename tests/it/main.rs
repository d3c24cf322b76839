//! coffer's one integration-test binary; one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod cli_ttlv;
mod codec_properties;
mod crypto_kat;
mod golden_ttlv;
mod kmip_model;
mod loadtool;
mod strategies;
mod text_encodings;
