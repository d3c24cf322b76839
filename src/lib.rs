//! coffer: a KMIP key server.
//!
//! Layers, each depending only on those above it in this list:
//!
//! - [`ttlv`]: the binary TTLV codec and its JSON and XML encodings; it knows
//!   item types and lengths, not what a tag means.
//! - [`kmip`]: the protocol model; [`kmip::table`] is the one table of tags,
//!   enumerations and masks that everything else is generated from;
//!   [`kmip::message`] decodes a request header first (so errors are answered
//!   in the client's version), then each batch item on its own, into typed
//!   [`kmip::payloads`] (one file per operation) over one attribute and
//!   object model for KMIP 1.0-2.1.
//! - [`loadtool`]: the client side of `coffer bench`, a KMIP load generator
//!   built on the same model and codec.
//! - [`cli`]: the `coffer` command line; `main.rs` only calls [`cli::run`].

#![deny(clippy::indexing_slicing)]

pub mod cli;
pub mod kmip;
pub mod loadtool;
pub mod ttlv;
