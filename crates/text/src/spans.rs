//! Tokens of free text with their byte offsets, for the document scanner.
//!
//! The text is cut into words at whitespace and control characters (the normaliser turns
//! both into spaces, so no token ever spans them), and each word goes through the same steps
//! as a name: [`clean`](crate::clean::clean) → [`translit`](crate::translit::to_latin) →
//! [`tokenize`](crate::tokenize). The token texts are therefore exactly those of
//! [`Normalizer::plain_tokens`](crate::Normalizer::plain_tokens) on the word, and a name in a
//! document meets the same tokens as the same name screened on its own.
//!
//! Offsets: for an ASCII word the pipeline is the tokenizer alone (cleaning and
//! transliteration leave ASCII unchanged), whose spans are exact. For other words each
//! character is cleaned and transliterated on its own, remembering where it came from; when
//! that gives the same tokens as the whole word (always, except for rare compositions across
//! characters) each token gets the range of the characters it was read from, otherwise every
//! token of the word gets the word's range.

use crate::{clean, tokenize, translit};
use std::ops::Range;

/// Calls `f` with the byte range in `s` and the normalised text of every token of `s`, in order.
pub fn for_each_token(s: &str, mut f: impl FnMut(Range<usize>, &str)) {
    let mut buf = String::new();
    for_each_word(s, |start, word| {
        word_tokens(word, &mut buf, |r, t| f(start + r.start..start + r.end, t));
    });
}

/// Calls `f` with the byte offset and the text of every word of `s` (runs of characters that
/// are neither whitespace nor controls), in order. No token spans two words, so the tokens of
/// `s` are those of its words, each read alone with [`word_tokens`]: a caller that meets the
/// same word often may keep the tokens of each word it has read.
pub fn for_each_word(s: &str, mut f: impl FnMut(usize, &str)) {
    for (start, word) in words(s) {
        f(start, word);
    }
}

/// Calls `f` with the byte range in `word` and the normalised text of every token of one word
/// (as cut by [`for_each_word`]), in order. `buf` is scratch space, reused between calls.
pub fn word_tokens(word: &str, buf: &mut String, mut f: impl FnMut(Range<usize>, &str)) {
    if let Some(run) = single_ascii_run(word) {
        // the tokenizer's result for such a word, without its allocations: one token,
        // the run of letters and digits, lower-cased
        buf.clear();
        buf.extend(word[run.clone()].chars().map(|c| c.to_ascii_lowercase()));
        f(run, buf);
    } else if word.is_ascii() {
        for (t, r) in tokenize::tokenize_with_spans(word) {
            f(r, &t.text);
        }
    } else {
        for (r, t) in non_ascii_word(word) {
            f(r, &t);
        }
    }
}

/// Every token of `s` with its byte range in `s`: `"Kim Jong Un's"` →
/// `[(0..3, "kim"), (4..8, "jong"), (9..11, "un")]`.
pub fn tokens_with_offsets(s: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    for_each_token(s, |r, t| out.push((r, t.to_string())));
    out
}

/// The words of `s` (runs of characters that are neither whitespace nor controls) with their
/// byte offsets.
fn words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < s.len() {
            let (sep, len) = separator_at(s, i);
            if !sep {
                break;
            }
            i += len;
        }
        if i >= s.len() {
            return None;
        }
        let start = i;
        while i < s.len() {
            let (sep, len) = separator_at(s, i);
            if sep {
                break;
            }
            i += len;
        }
        Some((start, &s[start..i]))
    })
}

/// Whether the character at byte `i` of `s` (a character boundary) is whitespace or a control,
/// and its length. ASCII is decided on the byte: every byte up to the space is a control or
/// whitespace, and DEL is a control.
#[inline]
fn separator_at(s: &str, i: usize) -> (bool, usize) {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        return (b <= b' ' || b == 0x7f, 1);
    }
    let c = s[i..].chars().next().unwrap_or(' ');
    (c.is_whitespace() || c.is_control(), c.len_utf8())
}

/// For an ASCII word whose letters and digits form one run and that has no `&` (which the
/// tokenizer reads as the word "and"), the range of that run: the tokenizer makes exactly one
/// token of it (an apostrophe or dot before or after the run joins nothing). Checked against
/// the tokenizer by the property test below.
fn single_ascii_run(word: &str) -> Option<Range<usize>> {
    let b = word.as_bytes();
    let start = b.iter().position(|c| c.is_ascii_alphanumeric())?;
    let len = b[start..]
        .iter()
        .position(|c| !c.is_ascii_alphanumeric())
        .unwrap_or(b.len() - start);
    let end = start + len;
    let rest_clean = |r: &[u8]| {
        r.iter()
            .all(|c| c.is_ascii() && !c.is_ascii_alphanumeric() && *c != b'&')
    };
    (word.is_ascii() && rest_clean(&b[..start]) && rest_clean(&b[end..])).then_some(start..end)
}

/// The tokens of a word with non-ASCII characters and their ranges in the word.
fn non_ascii_word(word: &str) -> Vec<(Range<usize>, String)> {
    let whole = tokenize::tokenize(&translit::to_latin(&clean::clean(word)));
    if whole.is_empty() {
        return Vec::new();
    }
    if let Some(spans) = traced(word) {
        if spans.len() == whole.len() && spans.iter().zip(&whole).all(|((_, a), b)| *a == b.text) {
            return spans;
        }
    }
    let r = trimmed(word);
    whole.into_iter().map(|t| (r.clone(), t.text)).collect()
}

/// Cleans and transliterates a word character by character, keeping for each byte of the
/// Latin text the original character it came from, then tokenizes it.
fn traced(word: &str) -> Option<Vec<(Range<usize>, String)>> {
    // cleaning, per character (NFKC, invisibles, controls), then homoglyph folding on the
    // word, which maps characters one to one
    let mut cleaned = String::with_capacity(word.len());
    let mut from: Vec<Range<usize>> = Vec::with_capacity(word.len());
    let mut buf = [0u8; 4];
    for (i, c) in word.char_indices() {
        let part = clean::clean(c.encode_utf8(&mut buf));
        for _ in part.chars() {
            from.push(i..i + c.len_utf8());
        }
        cleaned.push_str(&part);
    }
    let folded = clean::fold_homoglyphs(&cleaned);
    if folded.chars().count() != from.len() {
        return None;
    }
    // transliteration is per character
    let mut latin = String::with_capacity(folded.len() + 8);
    let mut byte_from: Vec<usize> = Vec::with_capacity(folded.len() + 8);
    for (c, src) in folded.chars().zip(0..) {
        let part = translit::to_latin(c.encode_utf8(&mut buf));
        byte_from.extend(std::iter::repeat_n(src, part.len()));
        latin.push_str(&part);
    }
    let toks = tokenize::tokenize_with_spans(&latin);
    toks.into_iter()
        .map(|(t, r)| {
            let first = from.get(*byte_from.get(r.start)?)?;
            let last = from.get(*byte_from.get(r.end.checked_sub(1)?)?)?;
            Some((first.start..last.end, t.text))
        })
        .collect()
}

/// The word without leading and trailing characters that are not letters or digits.
fn trimmed(word: &str) -> Range<usize> {
    let start = word
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric())
        .map(|(i, _)| i)
        .unwrap_or(0);
    let end = word
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphanumeric())
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(word.len());
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Normalizer;

    fn spans(s: &str) -> Vec<(&str, String)> {
        tokens_with_offsets(s)
            .into_iter()
            .map(|(r, t)| (&s[r], t))
            .collect()
    }

    #[test]
    fn offsets_point_at_the_words_read() {
        let s = "Leader Kim Jong Un's visit, with Ch'oe\nRyong-Hae.";
        let got = spans(s);
        let texts: Vec<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            texts,
            ["leader", "kim", "jong", "un", "visit", "with", "choe", "ryong", "hae"]
        );
        let originals: Vec<&str> = got.iter().map(|(o, _)| *o).collect();
        assert_eq!(
            originals,
            ["Leader", "Kim", "Jong", "Un", "visit", "with", "Ch'oe", "Ryong", "Hae"]
        );
    }

    #[test]
    fn other_scripts_inside_english() {
        let s = "met 김정은 and Донецьк’s mayor";
        let got = spans(s);
        assert_eq!(
            got[1..4].iter().map(|(o, _)| *o).collect::<Vec<_>>(),
            ["김", "정", "은"]
        );
        assert_eq!(
            got[1..4]
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>(),
            ["gim", "jeong", "eun"]
        );
        let donetsk = got.iter().find(|(o, _)| o.starts_with("Дон")).unwrap();
        assert_eq!(donetsk.0, "Донецьк");
        assert_eq!(donetsk.1, Normalizer.plain_tokens("Донецьк")[0]);
        // homoglyphs inside a Latin word are folded, as in names
        assert_eq!(spans("Bаnk")[0].1, "bank");
    }

    #[test]
    fn same_tokens_as_the_normaliser_on_each_word() {
        for s in [
            "S.A. de C.V.",
            "Ｋｉｍ ＪＯＮＧ",
            "Morteza\u{200d}Razavi",
            "AT&T",
            "Müller-Lüdenscheidt",
            "ΑΛΕΞΑΝΔΡΟΣ",
            "e\u{301}cole",
        ] {
            let mine: Vec<String> = tokens_with_offsets(s).into_iter().map(|(_, t)| t).collect();
            let theirs: Vec<String> = s
                .split_whitespace()
                .flat_map(|w| Normalizer.plain_tokens(w))
                .collect();
            assert_eq!(mine, theirs, "{s}");
        }
    }

    #[test]
    fn empty_and_separators_only() {
        assert!(tokens_with_offsets("").is_empty());
        assert!(tokens_with_offsets(" \n\t -- ... \u{0}").is_empty());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn ascii_fast_path_is_the_tokenizer(s in "[a-zA-Z0-9 .,;:'&()\"!?-]{0,40}") {
            let got: Vec<(Range<usize>, String)> = tokens_with_offsets(&s);
            let mut want = Vec::new();
            for (start, w) in words(&s) {
                for (t, r) in tokenize::tokenize_with_spans(w) {
                    want.push((start + r.start..start + r.end, t.text));
                }
            }
            proptest::prop_assert_eq!(got, want);
        }

        #[test]
        fn words_are_cut_at_whitespace_and_controls(s in "[a-z\u{0}-\u{20}\u{7f}-\u{a0}\u{2000}-\u{200d}\u{2028}\u{3000}\u{feff}é-]{0,40}") {
            let got: Vec<(usize, &str)> = words(&s).collect();
            let is_sep = |c: char| c.is_whitespace() || c.is_control();
            let mut want = Vec::new();
            let mut start = None;
            for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
                match (is_sep(c), start) {
                    (true, Some(b)) => {
                        want.push((b, &s[b..i]));
                        start = None;
                    }
                    (false, None) => start = Some(i),
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(got, want);
        }

        #[test]
        fn tokens_are_the_normalisers_and_ranges_are_valid(s in "[\\p{L}\\p{N}\\p{M}\\p{P} \n\u{200b}&'’-]{0,60}") {
            let got = tokens_with_offsets(&s);
            let theirs: Vec<String> = s.split(|c: char| c.is_whitespace() || c.is_control()).flat_map(|w| Normalizer.plain_tokens(w)).collect();
            let mine: Vec<String> = got.iter().map(|(_, t)| t.clone()).collect();
            proptest::prop_assert_eq!(mine, theirs);
            for (r, _) in &got {
                proptest::prop_assert!(r.start < r.end && r.end <= s.len());
                proptest::prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
            }
        }
    }
}
