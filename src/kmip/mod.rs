//! The KMIP protocol model: the tag and enumeration table, protocol
//! versions, and (to come) typed request and response messages.

#[macro_use]
mod macros;
pub mod table;
pub mod version;

pub use version::ProtocolVersion;
