#![no_main]
//! Fuzzes `sources::formats::custom_csv::parse_bytes` with arbitrary bytes.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check(|emit| sources::formats::custom_csv::parse_bytes("fuzz.csv", data, emit));
});
