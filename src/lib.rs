//! coffer: a KMIP key server.
//!
//! Layers, each depending only on those above it in this list:
//!
//! - [`ttlv`]: the binary TTLV codec and its JSON and XML encodings; it knows
//!   item types and lengths, not what a tag means.
//! - [`kmip`]: the protocol model; [`kmip::table`] is the one table of tags,
//!   enumerations and masks that everything else is generated from.
//! - [`cli`]: the `coffer` command line; `main.rs` only calls [`cli::run`].

#![deny(clippy::indexing_slicing)]

pub mod cli;
pub mod kmip;
pub mod ttlv;
