//! The KMIP XML encoding.
