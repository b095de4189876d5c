//! Splitting a name into tokens.
//!
//! Rules: letters and digits of any script form words; apostrophes and similar marks inside
//! a word are dropped ("Ch'oe" → "choe", "O’Brien" → "obrien"); every other character
//! separates words. A hyphen (or other in-word connector) directly between two words marks the
//! first as `joined_next`, because "Jong-un", "Jong un" and "Jongun" are one name. Runs of
//! single characters joined by dots are abbreviations and become one token ("S.A." → "sa",
//! "L.L.C." → "llc"). "&" becomes the word "and". Everything is lower-cased.

use crate::{Token, TokenKind};

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '`' | '´' | '’' | '‘' | 'ʼ' | 'ʻ' | 'ʹ' | '′')
}

fn is_connector(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '_')
}

/// A raw piece: text, and the separator that followed it.
struct Piece {
    text: String,
    sep: String,
}

/// Tokenises already-cleaned text (any script).
pub fn tokenize(s: &str) -> Vec<Token> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut cur = String::new();
    let mut sep = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut skip_next = false;
    for (i, &c) in chars.iter().enumerate() {
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
            cur.extend(c.to_lowercase());
        } else if is_apostrophe(c)
            && !cur.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
        {
            // a possessive "'s" ends the word ("Un's" → "un"); other in-word apostrophes are
            // dropped and the word goes on
            let possessive = matches!(chars.get(i + 1), Some('s') | Some('S'))
                && !chars.get(i + 2).is_some_and(|n| n.is_alphanumeric());
            if possessive {
                skip_next = true;
            }
        } else {
            if !cur.is_empty() {
                pieces.push(Piece { text: std::mem::take(&mut cur), sep: String::new() });
            }
            if c == '&' {
                pieces.push(Piece { text: "and".into(), sep: String::new() });
                sep.push(' ');
            } else {
                sep.push(c);
            }
        }
    }
    if !cur.is_empty() {
        pieces.push(Piece { text: cur, sep: std::mem::take(&mut sep) });
    } else if let Some(last) = pieces.last_mut() {
        last.sep = sep;
    }
    merge_abbreviations(pieces)
}

/// Joins runs of single characters separated only by dots ("s.a.", "l.l.c") and turns pieces
/// into tokens with `joined_next` set for connector-joined words.
fn merge_abbreviations(pieces: Vec<Piece>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(pieces.len());
    let single = |p: &Piece| p.text.chars().count() == 1;
    let mut i = 0;
    while i < pieces.len() {
        let mut j = i;
        while j + 1 < pieces.len() && single(&pieces[j]) && pieces[j].sep == "." && single(&pieces[j + 1]) {
            j += 1;
        }
        let text: String = pieces[i..=j].iter().map(|p| p.text.as_str()).collect();
        out.push(token(text, &pieces[j].sep));
        i = j + 1;
    }
    if let Some(last) = out.last_mut() {
        last.joined_next = false;
    }
    out
}

fn token(text: String, sep: &str) -> Token {
    let joined_next = sep.chars().count() == 1 && sep.chars().all(is_connector);
    Token { text, kind: TokenKind::Word, joined_next, phrase: None }
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
}
