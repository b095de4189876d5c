#![no_main]
//! Fuzzes `sources::formats::us_csl::parse_bytes` with arbitrary bytes.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check(|emit| sources::formats::us_csl::parse_bytes("csl.csv", data, emit));
});
