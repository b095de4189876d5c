//! Classifying tokens: particles, titles, generational suffixes, vessel prefixes, stop words
//! and organisation legal forms. Tables: `data/affixes.tsv`, `data/legal_forms.tsv`.

use crate::{NameType, Token};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a token is. The matcher weighs kinds differently (a missing title costs little, a
/// missing surname a lot); the weights live in the matcher's config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An ordinary name word.
    Word,
    /// A single letter standing for a word (persons: "H. Castellanos").
    Initial,
    /// All digits ("5" in "YU PHYONG 5").
    Number,
    /// Name particles: al, bin, ibn, van, von, de, da…
    Particle,
    /// Honorifics and titles: dr, sheikh, haji, general… (persons)
    Title,
    /// Generational suffixes: jr, sr, ii, iii (persons)
    Generational,
    /// Vessel prefixes: mv, mt (vessels)
    VesselPrefix,
    /// Organisation stop words: and, of, the…
    Stopword,
    /// An organisation legal form; the token text is its canonical code (`llc`, `jsc`…).
    LegalForm,
}

const AFFIXES: &str = include_str!("../data/affixes.tsv");
const LEGAL_FORMS: &str = include_str!("../data/legal_forms.tsv");

struct Tables {
    affix: HashMap<&'static str, Vec<&'static str>>,
    /// phrase tokens -> (code, family)
    legal: HashMap<Vec<&'static str>, (&'static str, &'static str)>,
    families: HashMap<&'static str, &'static str>,
    max_phrase: usize,
    /// Words that start some legal-form phrase.
    legal_starts: std::collections::HashSet<&'static str>,
    /// One-word forms read as part of a name they follow in running text (fourth column).
    in_text: std::collections::HashSet<&'static str>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut affix: HashMap<&str, Vec<&str>> = HashMap::new();
        for line in AFFIXES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let Some((kind, words)) = line.split_once('\t') else {
                continue;
            };
            for w in words.split_whitespace() {
                affix.entry(w).or_default().push(kind);
            }
        }
        let mut legal = HashMap::new();
        let mut families = HashMap::new();
        let mut max_phrase = 1;
        let mut in_text = std::collections::HashSet::new();
        for line in LEGAL_FORMS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let mut cols = line.split('\t');
            let (Some(code), Some(family), Some(phrases)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            families.insert(code, family);
            for p in phrases.split('|') {
                let toks: Vec<&str> = p.split_whitespace().collect();
                max_phrase = max_phrase.max(toks.len());
                legal.entry(toks).or_insert((code, family));
            }
            if let Some(words) = cols.next() {
                in_text.extend(words.split('|').map(str::trim).filter(|w| !w.is_empty()));
            }
        }
        let legal_starts = legal
            .keys()
            .filter_map(|k: &Vec<&'static str>| k.first().copied())
            .collect();
        Tables {
            affix,
            legal,
            families,
            max_phrase,
            legal_starts,
            in_text,
        }
    })
}

fn has_affix(word: &str, kind: &str) -> bool {
    tables().affix.get(word).is_some_and(|k| k.contains(&kind))
}

/// The family of a legal-form code (`llc` and `gmbh` are both `limited`).
pub fn legal_form_family(code: &str) -> Option<&'static str> {
    tables().families.get(code).copied()
}

/// The one-word spellings of a legal-form code ("ltd" → ltd, limited, ltda, limitada…), for
/// recognising a misspelt legal form.
pub fn legal_form_words(code: &str) -> &'static [&'static str] {
    static WORDS: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let mut m: HashMap<&str, Vec<&str>> = HashMap::new();
        for (k, (c, _)) in &tables().legal {
            if k.len() == 1 {
                m.entry(c).or_default().push(k[0]);
            }
        }
        for v in m.values_mut() {
            v.sort_unstable();
        }
        m
    });
    words.get(code).map(Vec::as_slice).unwrap_or(&[])
}

/// Whether a word occurs in some legal-form phrase ("obshchestvo", "limited", "company"), so
/// that a run-together name can be split at it.
pub fn is_legal_form_word(word: &str) -> bool {
    static WORDS: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            tables()
                .legal
                .keys()
                .flatten()
                .copied()
                .filter(|w| w.len() > 1)
                .collect()
        })
        .contains(word)
}

/// Whether a word as written in running text is a one-word legal form that belongs to the name
/// it follows ("Corp.", "LTDA", "GmbH", "ООО"): the fourth column of `data/legal_forms.tsv`,
/// compared in lower case without dots, other scripts in their Latin transliteration.
pub fn ends_name_in_text(word: &str) -> bool {
    let set = &tables().in_text;
    if word.is_ascii() {
        let folded: String = word
            .bytes()
            .filter(|b| *b != b'.')
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
        return set.contains(folded.as_str());
    }
    let lower = word.to_lowercase().replace('.', "");
    set.contains(crate::translit::to_latin(&lower).as_str())
}

/// Whether a word is a name particle (al, bin, van, de…).
pub fn is_particle(word: &str) -> bool {
    has_affix(word, "particle")
}

/// Replaces legal-form phrases by one token carrying the canonical code. Leaves the name alone
/// when nothing but legal forms would remain (a company called "AO" is still "AO").
fn legal_forms(tokens: Vec<Token>) -> Vec<Token> {
    let t = tables();
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let mut found = None;
        let max = if t.legal_starts.contains(tokens[i].text.as_str()) {
            t.max_phrase.min(tokens.len() - i)
        } else {
            0
        };
        for len in (1..=max).rev() {
            let key: Vec<&str> = tokens[i..i + len].iter().map(|t| t.text.as_str()).collect();
            if let Some(&(code, _)) = t.legal.get(&key) {
                found = Some((len, code, key.join(" ")));
                break;
            }
        }
        match found {
            Some((len, code, phrase)) => {
                out.push(Token {
                    text: code.to_string(),
                    kind: TokenKind::LegalForm,
                    joined_next: false,
                    phrase: Some(phrase),
                });
                i += len;
            }
            None => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    if out.iter().all(|t| t.kind == TokenKind::LegalForm) {
        return tokens;
    }
    out
}

/// Classifies tokens for a name of the given type.
pub fn classify(tokens: Vec<Token>, kind: NameType) -> Vec<Token> {
    let mut tokens = match kind {
        NameType::Organization | NameType::Any => legal_forms(tokens),
        _ => tokens,
    };
    let n = tokens.len();
    for (i, tok) in tokens.iter_mut().enumerate() {
        if tok.kind != TokenKind::Word {
            continue;
        }
        let w = tok.text.as_str();
        let single_letter = w.chars().count() == 1 && w.chars().all(char::is_alphabetic);
        tok.kind = if w.chars().all(|c| c.is_ascii_digit()) {
            TokenKind::Number
        } else if n > 1
            && has_affix(w, "particle")
            && !(single_letter && kind == NameType::Person && w != "y")
        {
            TokenKind::Particle
        } else if n > 1 && matches!(kind, NameType::Person | NameType::Any) && has_affix(w, "title")
        {
            TokenKind::Title
        } else if i > 0
            && matches!(kind, NameType::Person | NameType::Any)
            && has_affix(w, "generational")
        {
            TokenKind::Generational
        } else if i == 0 && n > 1 && kind == NameType::Vessel && has_affix(w, "vessel") {
            TokenKind::VesselPrefix
        } else if n > 1
            && matches!(
                kind,
                NameType::Organization | NameType::Vessel | NameType::Any
            )
            && has_affix(w, "stopword")
        {
            TokenKind::Stopword
        } else if single_letter && kind == NameType::Person {
            TokenKind::Initial
        } else {
            TokenKind::Word
        };
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn kinds(s: &str, k: NameType) -> Vec<(String, TokenKind)> {
        classify(tokenize(s), k)
            .into_iter()
            .map(|t| (t.text, t.kind))
            .collect()
    }

    #[test]
    fn person_affixes() {
        let k = kinds("Dr. Ibrahim al-Badri Jr.", NameType::Person);
        assert_eq!(k[0].1, TokenKind::Title);
        assert_eq!(k[2].1, TokenKind::Particle);
        assert_eq!(k[4].1, TokenKind::Generational);
        assert_eq!(
            kinds("H. Castellanos", NameType::Person)[0].1,
            TokenKind::Initial
        );
    }

    #[test]
    fn legal_forms_that_end_a_name_in_text() {
        for w in ["Corp.", "LTDA", "GmbH", "Co.", "ООО", "ЗАО", "Pte", "ltd"] {
            assert!(ends_name_in_text(w), "{w}");
        }
        for w in ["as", "too", "AD", "Bank", "Kim", "Обществo"] {
            assert!(!ends_name_in_text(w), "{w}");
        }
    }

    #[test]
    fn legal_forms_and_families() {
        let k = kinds(
            "Limited Liability Company Shipyard Zaliv",
            NameType::Organization,
        );
        assert_eq!(k[0], ("llc".to_string(), TokenKind::LegalForm));
        assert_eq!(k.len(), 3);
        assert_eq!(legal_form_family("gmbh"), legal_form_family("llc"));
        assert_eq!(
            kinds("Korea Ryonbong General Corporation", NameType::Organization)[3].0,
            "inc"
        );
        // a name that is only a legal form stays as written
        assert_eq!(kinds("AO", NameType::Organization)[0].1, TokenKind::Word);
        // persons never get legal forms
        assert_eq!(kinds("Sa Co", NameType::Person)[0].0, "sa");
    }
}
