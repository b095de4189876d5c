#![no_main]
//! Fuzzes `sources::formats::un_xml::parse_bytes` with arbitrary bytes.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check(|emit| sources::formats::un_xml::parse_bytes("consolidated.xml", data, emit));
});
