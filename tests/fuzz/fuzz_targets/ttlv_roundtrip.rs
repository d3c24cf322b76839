//! Any input the TTLV decoder accepts must re-encode to the same bytes, and
//! no input may make it panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    coffer::ttlv::fuzzing::decode_encode_roundtrip(data);
});
