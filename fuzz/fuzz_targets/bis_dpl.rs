#![no_main]
//! Fuzzes `sources::formats::bis_dpl::parse_bytes` with arbitrary bytes.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check(|emit| sources::formats::bis_dpl::parse_bytes("dpl.txt", data, emit));
});
