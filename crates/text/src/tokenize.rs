//! Splitting a name into tokens.
//!
//! Rules: letters and digits of any script form words; apostrophes and similar marks inside
//! a word are dropped ("Ch'oe" → "choe", "O’Brien" → "obrien"); every other character
//! separates words. A hyphen (or other in-word connector) directly between two words marks the
//! first as `joined_next`, because "Jong-un", "Jong un" and "Jongun" are one name. Runs of
//! single characters joined by dots are abbreviations and become one token ("S.A." → "sa",
//! "L.L.C." → "llc"). "&" becomes the word "and". Everything is lower-cased.

use crate::{Token, TokenKind};
use std::ops::Range;

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '`' | '´' | '’' | '‘' | 'ʼ' | 'ʻ' | 'ʹ' | '′')
}

fn is_connector(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '_')
}

/// A raw piece: text, the separator that followed it, and the byte range of the input it
/// was read from.
struct Piece {
    text: String,
    sep: String,
    span: Range<usize>,
}

/// Tokenises already-cleaned text (any script).
pub fn tokenize(s: &str) -> Vec<Token> {
    tokenize_with_spans(s).into_iter().map(|(t, _)| t).collect()
}

/// [`tokenize`], with the byte range of `s` each token was read from (from its first to its
/// last letter or digit: a possessive "'s" after a word is not part of its range).
pub fn tokenize_with_spans(s: &str) -> Vec<(Token, Range<usize>)> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut cur = String::new();
    let mut cur_span = 0..0;
    let mut sep = String::new();
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut skip_next = false;
    for (i, &(at, c)) in chars.iter().enumerate() {
        if skip_next && (c == 's' || c == 'S') {
            skip_next = false;
            continue;
        }
        if c.is_alphanumeric() {
            if !sep.is_empty() {
                if let Some(last) = pieces.last_mut() {
                    last.sep = std::mem::take(&mut sep);
                } else {
                    sep.clear();
                }
            }
            if cur.is_empty() {
                cur_span.start = at;
            }
            cur_span.end = at + c.len_utf8();
            cur.extend(c.to_lowercase());
        } else if is_apostrophe(c)
            && !cur.is_empty()
            && chars.get(i + 1).is_some_and(|(_, n)| n.is_alphanumeric())
        {
            // a possessive "'s" ends the word ("Un's" → "un"); other in-word apostrophes are
            // dropped and the word goes on
            let possessive = matches!(chars.get(i + 1), Some((_, 's')) | Some((_, 'S')))
                && !chars.get(i + 2).is_some_and(|(_, n)| n.is_alphanumeric());
            if possessive {
                skip_next = true;
            }
        } else {
            if !cur.is_empty() {
                pieces.push(Piece {
                    text: std::mem::take(&mut cur),
                    sep: String::new(),
                    span: cur_span.clone(),
                });
            }
            if c == '&' {
                pieces.push(Piece {
                    text: "and".into(),
                    sep: String::new(),
                    span: at..at + 1,
                });
                sep.push(' ');
            } else {
                sep.push(c);
            }
        }
    }
    if !cur.is_empty() {
        pieces.push(Piece {
            text: cur,
            sep: std::mem::take(&mut sep),
            span: cur_span,
        });
    } else if let Some(last) = pieces.last_mut() {
        last.sep = sep;
    }
    merge_abbreviations(pieces)
}

/// Joins runs of single characters separated only by dots ("s.a.", "l.l.c") and turns pieces
/// into tokens with `joined_next` set for connector-joined words.
fn merge_abbreviations(pieces: Vec<Piece>) -> Vec<(Token, Range<usize>)> {
    let mut out: Vec<(Token, Range<usize>)> = Vec::with_capacity(pieces.len());
    let single = |p: &Piece| p.text.chars().count() == 1;
    let mut i = 0;
    while i < pieces.len() {
        let mut j = i;
        while j + 1 < pieces.len()
            && single(&pieces[j])
            && pieces[j].sep == "."
            && single(&pieces[j + 1])
        {
            j += 1;
        }
        let text: String = pieces[i..=j].iter().map(|p| p.text.as_str()).collect();
        out.push((
            token(text, &pieces[j].sep),
            pieces[i].span.start..pieces[j].span.end,
        ));
        i = j + 1;
    }
    if let Some((last, _)) = out.last_mut() {
        last.joined_next = false;
    }
    out
}

fn token(text: String, sep: &str) -> Token {
    let joined_next = sep.chars().count() == 1 && sep.chars().all(is_connector);
    Token {
        text,
        kind: TokenKind::Word,
        joined_next,
        phrase: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_apostrophes_abbreviations() {
        assert_eq!(t("Ch'oe Ryong-Hae"), ["choe", "ryong", "hae"]);
        assert!(tokenize("Jong-un")[0].joined_next);
        assert!(!tokenize("Jong un")[0].joined_next);
        assert_eq!(t("S.A. de C.V."), ["sa", "de", "cv"]);
        assert_eq!(t("L.L.C."), ["llc"]);
        assert_eq!(t("SOUTH.HILL.5"), ["south", "hill", "5"]);
        assert_eq!(t("H. Castellanos"), ["h", "castellanos"]);
        assert_eq!(t("H & H Metalform"), ["h", "and", "h", "metalform"]);
        assert_eq!(t("Kim Jong Un's"), ["kim", "jong", "un"]);
        assert_eq!(t("Ma'sud"), ["masud"]);
        assert_eq!(t("  --  "), Vec::<String>::new());
    }

    #[test]
    fn spans_cover_the_letters_read() {
        let s = "Kim Jong-Un's S.A. Ch'oe & co";
        let spans: Vec<(String, &str)> = tokenize_with_spans(s)
            .into_iter()
            .map(|(t, r)| (t.text, &s[r]))
            .collect();
        let want = [
            ("kim", "Kim"),
            ("jong", "Jong"),
            ("un", "Un"),
            ("sa", "S.A"),
            ("choe", "Ch'oe"),
            ("and", "&"),
            ("co", "co"),
        ];
        assert_eq!(spans, want.map(|(a, b)| (a.to_string(), b)));
        assert_eq!(&"Ünal"[tokenize_with_spans("Ünal")[0].1.clone()], "Ünal");
    }
}
