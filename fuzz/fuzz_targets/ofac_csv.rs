#![no_main]
//! Fuzzes `sources::formats::ofac_csv::parse_bytes` with arbitrary bytes.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check(|emit| sources::formats::ofac_csv::parse_bytes("sdn.csv", data, emit));
});
