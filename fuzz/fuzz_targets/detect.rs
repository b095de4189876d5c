#![no_main]
//! Fuzzes format detection: every sniffer sees arbitrary file heads (under several file
//! names) without panicking, and the XML root reader copes with anything.

use libfuzzer_sys::fuzz_target;
use sources::{Format, Head};

fuzz_target!(|data: &[u8]| {
    for name in ["list.csv", "sdn.csv", "consolidated.xml", "entities.ftm.json", "dpl.txt", "x"] {
        let head = Head::from_bytes(name, data);
        let _ = head.xml_root();
        let _ = head.first_line();
        for format in Format::ALL {
            let _ = format.sniff(&head);
        }
    }
});
