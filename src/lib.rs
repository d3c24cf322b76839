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
//! - [`crypto`]: AES, MAC and RNG primitives over OpenSSL; it never sees a
//!   KMIP type, and keeps plaintext and key bytes in zeroizing buffers.
//! - [`operations`]: one file per KMIP operation behind one handler
//!   signature; [`operations::Engine`] turns a request message into a
//!   response message (decode, batch, dispatch, encode). It uses
//!   [`store`] (redb, sealed at rest), `crypto` (openssl) and [`auth`]
//!   (who is calling); [`error`] is the one mapping from a failure to the
//!   Result Reason a client of each version is told; [`stats`] counts usage.
//! - [`loadtool`]: the client side of `coffer bench`, a KMIP load generator
//!   built on the same model and codec.
//! - [`cli`]: the `coffer` command line; `main.rs` only calls [`cli::run`].

#![deny(clippy::indexing_slicing)]

pub mod auth;
pub mod cli;
pub mod crypto;
pub mod error;
pub mod kmip;
pub mod lifecycle;
pub mod loadtool;
pub mod operations;
pub mod stats;
pub mod store;
pub mod ttlv;
