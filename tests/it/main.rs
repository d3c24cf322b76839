//! coffer's one integration-test binary; one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod cli_ttlv;
mod codec_properties;
mod crypto_kat;
mod golden_ttlv;
mod harness;
mod kmip_model;
mod loadtool;
mod server_connections;
mod server_kmip;
mod server_tls;
mod store_basics;
mod store_crash;
mod store_model;
mod strategies;
mod text_encodings;
