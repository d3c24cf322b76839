//! Entry points shared by the fuzz targets and the property tests.
//!
//! They are public only so that `tests/fuzz` (a separate package) and the
//! integration tests can reach them; they are not part of coffer's API.

use bytes::Bytes;

use super::{decode, encode_to_vec, Limits};

/// Decodes `data` with [`Limits::DEFAULT`]; if that succeeds, encoding the
/// tree must give back exactly `data`.
///
/// The decoder is strict (exact lengths, zero padding, no trailing bytes), so
/// every accepted input has exactly one encoding, and it must be the input.
/// A decode error is a fine outcome; a panic anywhere is a finding.
#[doc(hidden)]
// The assertion is the point of this function: a fuzzer reports a finding
// only through a panic, and a round trip that changes the bytes is one.
#[allow(clippy::panic)]
pub fn decode_encode_roundtrip(data: &[u8]) {
    let input = Bytes::copy_from_slice(data);
    let Ok(tree) = decode(&input, &Limits::DEFAULT) else {
        return;
    };
    match encode_to_vec(&tree) {
        Ok(encoded) => {
            if encoded.as_slice() != data {
                panic!(
                    "round trip changed the bytes:\n input  {}\n output {}",
                    hex::encode(data),
                    hex::encode(&encoded)
                );
            }
        }
        Err(e) => panic!("a decoded tree failed to encode: {e}"),
    }
}
