//! The KMIP protocol model: the tag and enumeration table, protocol
//! versions, and typed request and response messages.
//!
//! [`codec`] holds the traits every typed item reads and writes itself
//! with; [`message`] the request and response messages; [`payloads`] one
//! request/response pair per operation; [`attributes`] and [`objects`] the
//! one internal model both KMIP 1.x and 2.x shapes normalize into.

#[macro_use]
mod macros;
pub mod attributes;
pub mod codec;
pub mod fuzzing;
pub mod message;
pub mod objects;
pub mod payloads;
pub mod secret;
pub mod table;
pub mod version;

pub use version::ProtocolVersion;
