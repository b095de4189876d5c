#![no_main]
//! Fuzzes the SWIFT FIN reader (`screen::payment::mt::parse`, MT103 / MT101, RJE batches)
//! with arbitrary bytes: it must never panic; errors carry a position; messages it accepts
//! have their mandatory reference.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match screen::payment::mt::parse("fuzz.fin", data) {
        Ok(messages) => {
            for m in &messages {
                assert!(m.format.starts_with("MT"));
                if m.format == "MT103" || m.format == "MT101" {
                    assert!(m.reference.is_some(), "{} accepted without :20:", m.format);
                }
            }
        }
        Err(e) => assert!(e.position.line.is_some() || e.position.byte.is_some(), "{e}"),
    }
});
