//! coffer's one integration-test binary; one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod cli_ttlv;
mod codec_properties;
mod crypto_kat;
mod crypto_kat_asym;
mod golden_ttlv;
mod harness;
mod http_api;
mod http_keystores;
mod http_support;
mod keystores_admission;
mod keystores_server;
mod kmip_client;
mod kmip_model;
mod loadtool;
mod oasis;
mod oasis_replay;
mod pykmip_asymmetric;
mod pykmip_at_rest;
mod pykmip_capture_replay;
mod pykmip_clients;
mod pykmip_formats;
mod pykmip_ops;
mod pykmip_rotation;
mod pykmip_support;
mod server_batches;
mod server_concurrency;
mod server_connections;
mod server_durability;
mod server_kmip;
mod server_tls;
mod store_basics;
mod store_crash;
mod store_model;
mod strategies;
mod text_encodings;
