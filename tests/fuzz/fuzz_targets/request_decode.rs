//! Any input, decoded as the server reads a request (the checked view, read
//! in place) and as the tools do (a tree), must give the same header, batch
//! items and errors, and never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    coffer::kmip::fuzzing::request_view_reads_like_tree(data);
});
