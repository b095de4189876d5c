//! Unicode cleaning: NFKC, invisible characters, controls, homoglyphs, marks.

use crate::script::{self, Script};
use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

const CONFUSABLES: &str = include_str!("../data/confusables.tsv");

fn confusables() -> &'static HashMap<char, char> {
    static T: OnceLock<HashMap<char, char>> = OnceLock::new();
    T.get_or_init(|| {
        CONFUSABLES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut it = l.split('\t');
                Some((it.next()?.chars().next()?, it.next()?.chars().next()?))
            })
            .collect()
    })
}

/// Characters that render as nothing or only steer layout: zero-width space/joiners, word
/// joiner, bidi controls, soft hyphen, byte-order mark, variation selectors, tag characters.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
        || ('\u{0640}' == c) // Arabic tatweel (kashida): elongation only
}

/// NFKC; invisible characters removed; control and other whitespace characters turned into
/// plain spaces; homoglyphs folded to Latin when the text has Latin letters.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkc() {
        if is_invisible(c) {
            continue;
        }
        if c.is_control() || c.is_whitespace() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    fold_homoglyphs(&out)
}

/// Folds look-alike letters of other scripts to Latin, word by word: a word that has Latin
/// letters, or that stands in a name whose other words are Latin, is read as Latin. A name
/// written wholly in Cyrillic or Greek is left alone (it is transliterated instead).
pub fn fold_homoglyphs(s: &str) -> String {
    let table = confusables();
    let has_latin = s.chars().any(|c| script::of(c) == Script::Latin);
    if !has_latin || !s.chars().any(|c| table.contains_key(&c)) {
        return s.to_string();
    }
    // In a mixed name, fold a word when every letter of it is Latin or a look-alike.
    s.split(' ')
        .map(|word| {
            let foldable = word.chars().all(|c| {
                !c.is_alphabetic() || script::of(c) == Script::Latin || table.contains_key(&c)
            });
            if foldable {
                word.chars()
                    .map(|c| *table.get(&c).unwrap_or(&c))
                    .collect::<String>()
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lower case with combining marks (diacritics, Arabic harakat, Hebrew points) removed, in
/// the text's own script.
pub fn strip_marks_lower(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .nfc()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_invisibles_and_folds_mixed_words() {
        assert_eq!(
            clean("Gimnasio Body And \u{200b}Health"),
            "Gimnasio Body And Health"
        );
        assert_eq!(
            clean("German Gonzalo Sanchez Reу"),
            "German Gonzalo Sanchez Rey"
        );
        assert_eq!(clean("Иванова"), "Иванова");
        assert_eq!(clean("Ｋｉｍ"), "Kim");
        assert_eq!(clean("a\tb\u{0007}c"), "a b c");
    }
}
