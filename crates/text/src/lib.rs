//! The one normaliser of watchlist.
//!
//! Index building and query processing both call [`Normalizer::name`]; nothing else in
//! watchlist decides what two strings "mean the same". The pipeline, in order:
//!
//! 1. [`clean`]: Unicode NFKC, invisible and bidi characters removed, controls to spaces;
//!    homoglyphs (Cyrillic "а" in "Bаnk") folded to Latin when the name also has Latin letters.
//! 2. [`translit`]: every script to Latin (Cyrillic, Greek, Arabic, Persian, Hebrew, Hangul
//!    syllable by syllable, Chinese, Japanese, Georgian, Armenian…), diacritics removed. A name
//!    in a non-Latin script also keeps its own-script form as a second token list.
//! 3. [`tokenize`]: lower case, split at spaces and punctuation, apostrophes dropped inside words,
//!    dotted abbreviations joined ("S.A." → "sa"), hyphenated parts marked as joinable.
//! 4. [`affixes`]: each token classified — word, initial, number, particle (al, bin, van, de…),
//!    title (dr, sheikh…), generational suffix (jr, iii), vessel prefix (mv), stop word, or
//!    legal form (LLC / OOO / Limited Liability Company → `llc`; see `data/legal_forms.tsv`).
//! 5. [`keys`]: per-token keys the matcher compares — romanisation canonical key, consonant
//!    skeleton, Korean syllable key, OCR fold, given-name equivalence class.
//!
//! Invariants: normalisation never panics, is deterministic, and is idempotent on the token
//! text it produces (normalising the joined tokens again gives the same tokens).

#![warn(missing_docs)]

pub mod affixes;
pub mod clean;
pub mod common_words;
pub mod keys;
pub mod script;
pub mod spans;
pub mod tokenize;
pub mod translit;

pub use affixes::TokenKind;
pub use script::Script;

use serde::{Deserialize, Serialize};

/// What kind of party a name belongs to; decides which affix tables apply (titles for
/// persons, legal forms for organisations, vessel prefixes for vessels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NameType {
    /// A natural person: titles, generational suffixes and single-letter initials are
    /// recognised; legal forms are not.
    Person,
    /// A company or other organisation: legal forms and stop words are recognised.
    Organization,
    /// A vessel: a leading vessel prefix (mv, mt) and stop words are recognised.
    Vessel,
    /// Unknown: legal forms, titles, generational suffixes and stop words are recognised;
    /// vessel prefixes and initials are not (those need the type to be known).
    Any,
}

/// One token of a normalised name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Lower-case text: Latin ASCII for the Latin form; the own script for the native form.
    /// For legal forms, the canonical code (`llc`, `jsc`, …).
    pub text: String,
    /// What the token is (word, initial, particle, title, legal form…), as classified by
    /// [`affixes::classify`] for the name's [`NameType`].
    pub kind: TokenKind,
    /// True when this token was joined to the next one in the input by a hyphen or another
    /// in-word mark ("Jong-un", "Al-Rahman"): the joined form is an equally valid reading.
    pub joined_next: bool,
    /// For legal forms: the phrase as written ("obshchestvo s ogranichennoy otvetstvennostyu").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
}

/// A name after normalisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizedName {
    /// The Latin form, always present (may be empty for a name with no letters or digits).
    pub tokens: Vec<Token>,
    /// The dominant script of the input after homoglyph folding.
    pub script: Script,
    /// For names written in a non-Latin script: the tokens in that script (lower case, marks
    /// removed), so an original-script query matches an original-script name exactly.
    pub native: Option<Vec<Token>>,
}

impl NormalizedName {
    /// The Latin tokens' text joined with single spaces.
    pub fn text(&self) -> String {
        self.tokens
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// True when the Latin form has no tokens (the input had no letters or digits).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// The normaliser. Cheap to share: tables are loaded once per process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Normalizer;

/// Names longer than this many characters are cut before normalisation (no real name is
/// anywhere near it; it bounds the work a hostile input can cause).
pub const MAX_NAME_CHARS: usize = 512;

impl Normalizer {
    /// The normaliser; same as `Normalizer` or `Normalizer::default()` (it holds no state).
    pub fn new() -> Self {
        Normalizer
    }

    /// Normalises a name of the given type.
    pub fn name(&self, input: &str, kind: NameType) -> NormalizedName {
        let bounded: String = input.chars().take(MAX_NAME_CHARS).collect();
        let cleaned = clean::clean(&bounded);
        let script = script::dominant(&cleaned);
        let native = if script.is_latin() || script == Script::Common {
            None
        } else {
            let native_text = clean::strip_marks_lower(&cleaned);
            let toks = affixes::classify(tokenize::tokenize(&native_text), kind);
            Some(toks).filter(|t: &Vec<Token>| !t.is_empty())
        };
        let latin = translit::to_latin(&cleaned);
        let tokens = affixes::classify(tokenize::tokenize(&latin), kind);
        NormalizedName {
            tokens,
            script,
            native,
        }
    }

    /// Normalises free text the same way as names, for the document scanner: returns the
    /// Latin tokens without affix classification.
    pub fn plain_tokens(&self, input: &str) -> Vec<String> {
        let cleaned = clean::clean(input);
        tokenize::tokenize(&translit::to_latin(&cleaned))
            .into_iter()
            .map(|t| t.text)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str, k: NameType) -> Vec<String> {
        Normalizer
            .name(s, k)
            .tokens
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn case_diacritics_punctuation() {
        assert_eq!(
            texts("DIEUDONNÉ Ozia MAZIO", NameType::Person),
            ["dieudonne", "ozia", "mazio"]
        );
        assert_eq!(
            texts("KIM, Jong-un", NameType::Person),
            ["kim", "jong", "un"]
        );
        assert_eq!(
            texts("Ch'oe Ryong Hae", NameType::Person),
            ["choe", "ryong", "hae"]
        );
    }

    #[test]
    fn invisible_and_homoglyphs() {
        assert_eq!(
            texts("Morteza \u{200d}Razavi", NameType::Person),
            ["morteza", "razavi"]
        );
        assert_eq!(
            texts("Nоrth Еаѕt Аѕіа Ваnk", NameType::Organization),
            ["north", "east", "asia", "bank"]
        );
    }

    #[test]
    fn scripts_keep_native_form() {
        let n = Normalizer.name("Екатерина Губарева", NameType::Person);
        assert_eq!(n.text(), "ekaterina gubareva");
        assert_eq!(n.script, Script::Cyrillic);
        let native: Vec<_> = n.native.unwrap().into_iter().map(|t| t.text).collect();
        assert_eq!(native, ["екатерина", "губарева"]);
        assert_eq!(texts("김정은", NameType::Person), ["gim", "jeong", "eun"]);
    }

    #[test]
    fn legal_forms_canonical() {
        let a = Normalizer.name("Inter Tobacco, OOO", NameType::Organization);
        let b = Normalizer.name(
            "Общество с ограниченной ответственностью Интер Тобако",
            NameType::Organization,
        );
        assert_eq!(a.tokens.last().unwrap().text, "llc");
        assert!(b
            .tokens
            .iter()
            .any(|t| t.text == "llc" && matches!(t.kind, TokenKind::LegalForm)));
        assert_eq!(
            texts("Dimaco Technology, S.A.", NameType::Organization),
            ["dimaco", "technology", "sa"]
        );
        assert_eq!(
            texts(
                "INMOBILIARIA LA PROVINCIA S.A. DE C.V.",
                NameType::Organization
            ),
            ["inmobiliaria", "la", "provincia", "sadecv"]
        );
    }
}
