//! Which writing system a character or a name is in.

use serde::{Deserialize, Serialize};

/// A writing system, as told by [`of`] from Unicode block ranges (not the full Unicode
/// Script property). Normalisation keeps a second, own-script token list for names whose
/// [`dominant`] script is neither `Latin` nor `Common`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Script {
    /// ASCII letters, Latin-1 and Latin Extended letters, fullwidth Latin.
    Latin,
    /// Cyrillic, including its supplement and extended blocks.
    Cyrillic,
    /// Greek and Coptic, and extended (polytonic) Greek.
    Greek,
    /// Arabic (Persian, Urdu… letters included) and its presentation forms.
    Arabic,
    /// Hebrew (U+0590–U+05FF).
    Hebrew,
    /// Korean: Hangul syllables and jamo; transliterated one syllable per token.
    Hangul,
    /// Chinese characters (CJK ideographs, also used in Japanese and Korean); transliterated
    /// one character per token.
    Han,
    /// Japanese hiragana and katakana (U+3040–U+30FF, U+31F0–U+31FF).
    Kana,
    /// Georgian (U+10A0–U+10FF, U+2D00–U+2D2F).
    Georgian,
    /// Armenian (U+0530–U+058F).
    Armenian,
    /// Thai (U+0E00–U+0E7F).
    Thai,
    /// Devanagari (Hindi, Marathi, Nepali…; U+0900–U+097F).
    Devanagari,
    /// Ethiopic (Amharic, Tigrinya…; U+1200–U+139F).
    Ethiopic,
    /// A letter of any other script (Bengali, Tamil, Mongolian…).
    Other,
    /// No letter: digits, punctuation, spaces and marks; for a whole string, one with no
    /// letters at all.
    Common,
}

impl Script {
    /// True for [`Script::Latin`] only (not for `Common`).
    pub fn is_latin(&self) -> bool {
        *self == Script::Latin
    }
}

/// The script of one character (`Common` for digits, punctuation, spaces and marks).
pub fn of(c: char) -> Script {
    let u = c as u32;
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            Script::Latin
        } else {
            Script::Common
        };
    }
    match u {
        0x00C0..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xFF21..=0xFF5A => {
            Script::Latin
        }
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0530..=0x058F => Script::Armenian,
        0x0590..=0x05FF => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Script::Arabic
        }
        0x0900..=0x097F => Script::Devanagari,
        0x0E00..=0x0E7F => Script::Thai,
        0x10A0..=0x10FF | 0x2D00..=0x2D2F => Script::Georgian,
        0x1200..=0x139F => Script::Ethiopic,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        0x3040..=0x30FF | 0x31F0..=0x31FF => Script::Kana,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => Script::Han,
        _ if c.is_alphabetic() => Script::Other,
        _ => Script::Common,
    }
}

/// The script most letters of `s` are written in (`Common` when there are no letters).
pub fn dominant(s: &str) -> Script {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for c in s.chars() {
        let sc = of(c);
        if sc == Script::Common {
            continue;
        }
        match counts.iter_mut().find(|(k, _)| *k == sc) {
            Some((_, n)) => *n += 1,
            None => counts.push((sc, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(s, _)| s)
        .unwrap_or(Script::Common)
}
