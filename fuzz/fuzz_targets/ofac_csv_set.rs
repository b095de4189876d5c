#![no_main]
//! Fuzzes a whole OFAC set (`sdn.csv` with `alt.csv`, `add.csv`, `sdn_comments.csv`): the
//! input is split at NUL bytes into the four files, so companions can refer to (or miss) the
//! main file's ent_nums.

mod common;

use libfuzzer_sys::fuzz_target;
use sources::formats::ofac_csv::{parse_set_bytes, BytesSet};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |&b| b == 0);
    let main = parts.next().unwrap_or_default();
    let alt = parts.next();
    let add = parts.next();
    let comments = parts.next();
    let set = BytesSet {
        main: ("sdn.csv", main),
        alt: alt.map(|b| ("alt.csv", b)),
        add: add.map(|b| ("add.csv", b)),
        comments: comments.map(|b| ("sdn_comments.csv", b)),
    };
    common::check(|emit| parse_set_bytes(&set, emit));
});
