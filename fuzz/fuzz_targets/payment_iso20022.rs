#![no_main]
//! Fuzzes the ISO 20022 payment reader (`screen::payment::iso20022::parse`, pacs.008 and
//! pain.001) with arbitrary bytes: it must never panic, and every field it reports must name
//! a path and carry text.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(messages) = screen::payment::iso20022::parse("fuzz.xml", data) {
        for m in &messages {
            assert!(m.format.starts_with("pacs.008") || m.format.starts_with("pain.001"));
            for p in &m.parties {
                assert!(!p.field.is_empty());
                for f in p.name.iter().chain(&p.address).chain(&p.identifiers) {
                    assert!(f.field.starts_with(&p.field), "{} outside {}", f.field, p.field);
                }
            }
        }
    }
});
