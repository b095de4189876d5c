#![no_main]
//! Fuzzes `sources::formats::gb_fcdo::parse_bytes` with arbitrary bytes.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check(|emit| sources::formats::gb_fcdo::parse_bytes("UK-Sanctions-List.xml", data, emit));
});
