//! Registry tests over an in-memory store.
