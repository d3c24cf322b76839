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
//! - [`crypto`]: AES, MAC, RNG, hash, RSA/EC/Ed25519, signature, key wrap,
//!   key derivation and key format primitives over OpenSSL; it never sees a
//!   KMIP type, and keeps plaintext and key bytes in zeroizing buffers.
//!   [`import`]: parses an operator's AES-256 key text (byte list, hex, base64).
//! - [`store`]: objects in one redb file, durable before the answer
//!   (group commit), key material sealed at rest; knows nothing of KMIP.
//!   [`stats`]: per-object usage counters (atomics; flushed by the store).
//!   [`keystores`]: the tenants (key stores), their CAs and client
//!   credentials, kept as records in the same store; the [`keystores::Registry`]
//!   answers the KMIP path from memory (handles with atomics).
//! - [`operations`]: one file per KMIP operation behind one handler
//!   signature; [`operations::Engine`] turns a request message into a
//!   response message (decode, batch, dispatch, encode). It uses
//!   [`store`], [`crypto`] and [`auth`]
//!   (who is calling, and [`auth::admit`]: may they, on every request); [`error`] is the one mapping from a failure to the
//!   Result Reason a client of each version is told; [`stats`] counts usage.
//!   [`scheduler`] runs the background rotator over the engine's rotation
//!   code, on a [`clock`] (the system's, or a settable one in tests).
//! - [`net`]: the KMIP port: TLS with client certificates checked against
//!   every key store's CA and registered certificate ([`net::tls`]),
//!   the accept loop and connection limit ([`net::listener`]), framing with
//!   size and time limits ([`net::connection`]); each message goes to the
//!   engine. [`server`] wires it together from [`config`] (defaults < TOML <
//!   `COFFER_*` < flags) and the [`datadir`] (master key, [`pki`]'s CA and
//!   certificates, the first client credential).
//! - [`loadtool`]: the client side of `coffer bench`, a KMIP load generator
//!   built on the same model and codec.
//! - [`cli`]: the `coffer` command line; `main.rs` only calls [`cli::run`].

#![deny(clippy::indexing_slicing)]

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod datadir;
pub mod error;
pub mod http;
pub mod import;
pub mod keystores;
pub mod kmip;
pub mod lifecycle;
pub mod loadtool;
pub mod net;
pub mod operations;
pub mod pki;
pub mod scheduler;
pub mod server;
pub mod stats;
pub mod store;
#[cfg(test)]
mod test_rng;
pub mod ttlv;
