#![no_main]
//! Fuzzes `sources::formats::eu_fsf::parse_bytes` with arbitrary bytes.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check(|emit| sources::formats::eu_fsf::parse_bytes("eu_fsf.xml", data, emit));
});
