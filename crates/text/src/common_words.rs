//! Everyday English words that are also whole names of listed entities ("Bank", "Coal"):
//! the document scanner does not report such a one-word name standing alone in a text. Table:
//! `data/common_words.txt`.

use std::collections::HashSet;
use std::sync::OnceLock;

const COMMON_WORDS: &str = include_str!("../data/common_words.txt");

/// Whether a lower-case word is one of the common words of `data/common_words.txt`.
pub fn is_common_word(word: &str) -> bool {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            COMMON_WORDS
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect()
        })
        .contains(word)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_table_is_read() {
        assert!(super::is_common_word("bank"));
        assert!(!super::is_common_word("ryonbong"));
        assert!(!super::is_common_word("# english words"));
    }
}
