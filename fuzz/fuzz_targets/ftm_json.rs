#![no_main]
//! Fuzzes `sources::formats::ftm_json::parse_bytes` with arbitrary bytes.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check(|emit| sources::formats::ftm_json::parse_bytes("entities.ftm.json", data, emit));
});
