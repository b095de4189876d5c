//! Transliteration of every script to Latin ASCII.
//!
//! Per character with `any_ascii` (Cyrillic per BGN/PCGN-like rules, Greek, Arabic and
//! Persian consonantal skeletons, Hebrew, Georgian, Armenian, Thai, Devanagari, kana), with
//! two refinements for East Asian scripts: each Hangul syllable and each Han character
//! becomes its own token ("김정은" → "gim jeong eun"; Korean names are written in Latin as
//! separate or hyphenated syllables), and diacritics of Latin letters are removed
//! ("é" → "e", "ß" → "ss", "ø" → "o").

use crate::script::{self, Script};

/// The Latin ASCII reading of `s`, case kept.
pub fn to_latin(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        match script::of(c) {
            Script::Hangul | Script::Han => {
                out.push(' ');
                out.push_str(any_ascii::any_ascii_char(c));
                out.push(' ');
            }
            _ => {
                let t = any_ascii::any_ascii_char(c);
                if t.is_empty() && c.is_alphanumeric() {
                    // a letter with no reading: keep a separator so words do not merge
                    out.push(' ');
                } else {
                    out.push_str(t);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_to_latin() {
        assert_eq!(to_latin("Губарева").to_lowercase(), "gubareva");
        assert_eq!(to_latin("Müller Ødegård").to_lowercase(), "muller odegard");
        assert_eq!(
            to_latin("김정은").split_whitespace().collect::<Vec<_>>(),
            ["Gim", "Jeong", "Eun"]
        );
        assert_eq!(to_latin("ΑΛΕΞΑΝΔΡΟΣ"), "ALEXANDROS");
    }
}
