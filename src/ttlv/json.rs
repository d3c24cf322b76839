//! The KMIP JSON encoding.
