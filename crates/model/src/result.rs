//! What a screening returns: a [`Match`] per listed entity with its [`Explanation`] (the
//! names compared, each word pair with its [`Reason`], the secondary evidence as
//! [`Adjustment`]s naming the `matcher::Config` field that applied), and the one rendering of
//! an explanation in plain language ([`Explanation::sentences`], [`Explanation::brief`]).
//!
//! The matcher fills these types; the store records them, the server and the CLI show them.
//! Keeping them here lets every layer exchange results without depending on the matcher.

use crate::{NameKind, Schema};
use serde::{Deserialize, Serialize};

/// Why a query token was taken for a candidate token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Identical after normalisation (case, diacritics, punctuation, script).
    Exact,
    /// The same under romanisation rules (BGN/PCGN, GOST, passport, French/German conventions).
    Transliteration,
    /// The same Korean syllables in McCune–Reischauer or Revised Romanization.
    KoreanRomanization,
    /// Digits that look like letters (OCR or deliberate: Hi1da).
    Ocr,
    /// Cross-language forms of one given name (Joseph / Yusuf).
    GivenNameEquivalent,
    /// The query word is written without its vowels (Mhmmd).
    VowelDrop,
    /// Sounds the same (same consonant skeleton with sound classes).
    Phonetic,
    /// A few letters differ (typing errors, transpositions).
    Typo,
    /// The query word is cut short.
    Prefix,
    /// One side gives only the initial letter.
    Initial,
    /// Words joined or split differently (Abdulrahman / Abdul Rahman).
    Joined,
    /// The same letters in another order (Sahan / Hasan).
    Anagram,
    /// Both are organisation legal forms of the same family (LLC / GmbH).
    LegalFormFamily,
}

impl Reason {
    /// Plain-language description, shown in explanations and API docs.
    pub fn describe(&self) -> &'static str {
        match self {
            Reason::Exact => "identical after normalising case, accents, punctuation and script",
            Reason::Transliteration => "same name in another romanisation (e.g. Yekaterina / Ekaterina)",
            Reason::KoreanRomanization => "same Korean syllables in another romanisation (e.g. Jong / Chong / Jeong)",
            Reason::Ocr => "digits standing for look-alike letters (e.g. Hi1da / Hilda)",
            Reason::GivenNameEquivalent => "the same given name in another language or a short form of it (e.g. Joseph / Yusuf, Bill / William)",
            Reason::VowelDrop => "the word written without its vowels",
            Reason::Phonetic => "sounds the same (same consonants by sound)",
            Reason::Typo => "a few letters differ",
            Reason::Prefix => "the word is cut short",
            Reason::Initial => "only the initial letter is given",
            Reason::Joined => "words joined or split differently",
            Reason::Anagram => "the same letters in another order",
            Reason::LegalFormFamily => "legal forms of the same kind (e.g. LLC / GmbH)",
        }
    }

    /// Whether the reason is a rule-based equivalence rather than a fuzzy guess.
    pub fn is_strong(&self) -> bool {
        matches!(
            self,
            Reason::Exact
                | Reason::Transliteration
                | Reason::KoreanRomanization
                | Reason::Ocr
                | Reason::GivenNameEquivalent
                | Reason::Joined
                | Reason::VowelDrop
        )
    }
}

/// One aligned token pair as an analyst reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenMatch {
    /// The query word, normalised (lower case; Latin ASCII unless compared in its own script).
    /// For a joined comparison, the whole query name run together.
    pub query: String,
    /// The listed name's word it was taken for, normalised the same way.
    pub candidate: String,
    /// How alike the two words are, 0 to 1; the value for each reason is set in
    /// `matcher::Config` (`tokens.exact` is 1.0).
    pub similarity: f32,
    /// Why the words were taken for each other.
    pub reason: Reason,
    /// Plain-language reason ([`Reason::describe`]); left out of JSON, where `reason` says it.
    #[serde(skip_serializing, default)]
    pub why: String,
    /// The token's weight in the candidate name (kind × rarity).
    pub weight: f32,
}

/// A change to the name score from secondary evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// The config field that applied (e.g. `evidence.dob_mismatch_factor`).
    pub feature: String,
    /// What the evidence was, in words (`birth date contradicts: query 1970 vs listed 1984`).
    pub detail: String,
    /// "×0.72", "+30% of the gap to 1.0", "at least 0.97".
    pub effect: String,
    /// The score once this adjustment applied; the next adjustment starts from it.
    pub score_after: f32,
}

impl Adjustment {
    /// Evidence that multiplied the score by `f` (effect `×0.72`); `after` is the score it
    /// gave.
    pub fn factor(feature: &str, detail: String, f: f32, after: f32) -> Self {
        Adjustment {
            feature: feature.into(),
            detail,
            effect: format!("×{f:.2}"),
            score_after: after,
        }
    }
    /// Evidence that closed the share `b` of the gap between the score and 1.0 (effect
    /// `+30% of the gap to 1.0`); `after` is the score it gave.
    pub fn boost(feature: &str, detail: String, b: f32, after: f32) -> Self {
        Adjustment {
            feature: feature.into(),
            detail,
            effect: format!("+{:.0}% of the gap to 1.0", b * 100.0),
            score_after: after,
        }
    }
    /// Evidence that raised the score to at least `f` (effect `at least 0.97`); `after` is
    /// the score it gave.
    pub fn floor(feature: &str, detail: String, f: f32, after: f32) -> Self {
        Adjustment {
            feature: feature.into(),
            detail,
            effect: format!("at least {f:.2}"),
            score_after: after,
        }
    }
}

/// Why a listed entity matched a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The query name compared (as given).
    pub query_name: String,
    /// The entity's name it was compared with, as published.
    pub matched_name: String,
    /// How the publisher (or the overlay) qualifies the matched name: primary, alias, …
    pub matched_name_kind: NameKind,
    /// True when the names were compared in their own (non-Latin) script.
    pub native_script: bool,
    /// Present when the name comes from an analyst overlay rather than the publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_source: Option<String>,
    /// Name similarity in [0, 1] before the secondary evidence; 0 when `identifier_only`.
    pub name_score: f32,
    /// Weighted share of the query's words explained by the name.
    pub query_coverage: f32,
    /// Weighted share of the name's words explained by the query.
    pub candidate_coverage: f32,
    /// The word pairs that explain the score, in query order.
    pub tokens: Vec<TokenMatch>,
    /// Query words (normalised) the listed name does not account for.
    pub unmatched_query: Vec<String>,
    /// Words (normalised) of the listed name the query does not account for.
    pub unmatched_candidate: Vec<String>,
    /// The query identifier the entity lists (normalised, as listed), when one agreed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// True when no name was compared: the entity was found by an identifier alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identifier_only: bool,
    /// True when the names agreed only run together (spaces removed or moved); `tokens`
    /// then holds the one joined comparison.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub joined: bool,
    /// Present when every token matched only fuzzily (config `names.all_fuzzy_factor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzzy_penalty: Option<f32>,
    /// The secondary evidence in the order it applied: weak alias, schema, birth date,
    /// country, identifier.
    pub adjustments: Vec<Adjustment>,
}

fn kind_label(kind: NameKind) -> &'static str {
    match kind {
        NameKind::Primary => "name",
        NameKind::Alias => "alias (a.k.a.)",
        NameKind::WeakAlias => "weak alias (a low-quality a.k.a.)",
        NameKind::Former => "former name (f.k.a.)",
        NameKind::New => "new name (n.k.a.)",
        NameKind::OriginalScript => "name in its original script",
    }
}

fn quoted(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("“{w}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Explanation {
    /// The explanation in plain sentences, the one rendering every output uses (CLI, scan,
    /// batch, the server and its web UI): the names compared, each query word in query order
    /// with the listed word it was taken for and the reason, the words left over, the name
    /// score, and each piece of secondary evidence with the config field that applied it.
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        let source = self
            .name_source
            .as_deref()
            .map(|s| format!(" (added by an analyst: {s})"))
            .unwrap_or_default();
        if self.identifier_only {
            out.push(format!(
                "No name was compared: the identifier “{}” is listed for this entity, listed as “{}”{source}.",
                self.identifier.as_deref().unwrap_or(&self.query_name),
                self.matched_name
            ));
        } else {
            out.push(format!(
                "“{}” was compared with the listed {} “{}”{}{source}.",
                self.query_name,
                kind_label(self.matched_name_kind),
                self.matched_name,
                if self.native_script {
                    ", in its own script"
                } else {
                    ""
                }
            ));
        }
        for t in &self.tokens {
            let rel = if t.query == t.candidate {
                "is"
            } else {
                "was taken for"
            };
            let joined = if self.joined {
                " (whole names compared with spaces removed)"
            } else {
                ""
            };
            out.push(format!(
                "“{}” {rel} “{}”: {}{joined} (similarity {:.2}).",
                t.query,
                t.candidate,
                t.reason.describe(),
                t.similarity
            ));
        }
        if !self.unmatched_query.is_empty() {
            out.push(format!(
                "Not in the listed name: {}.",
                quoted(&self.unmatched_query)
            ));
        }
        if !self.unmatched_candidate.is_empty() {
            out.push(format!(
                "In the listed name but not in the query: {}.",
                quoted(&self.unmatched_candidate)
            ));
        }
        if !self.identifier_only {
            out.push(format!(
                "Name similarity {:.2}: the listed name accounts for {:.0}% of the query's name, the query for {:.0}% of the listed name.",
                self.name_score,
                self.query_coverage * 100.0,
                self.candidate_coverage * 100.0
            ));
        }
        if let Some(f) = self.fuzzy_penalty {
            out.push(format!(
                "Every word matched only approximately, so the score was lowered (×{f:.2}, names.all_fuzzy_factor)."
            ));
        }
        for a in &self.adjustments {
            let mut detail = a.detail.clone();
            if let Some(first) = detail.get(..1) {
                detail = first.to_uppercase() + &detail[1..];
            }
            out.push(format!(
                "{detail}: {} → {:.2} [{}].",
                a.effect, a.score_after, a.feature
            ));
        }
        out
    }

    /// The explanation on one line, for a table or CSV cell: the word pairs in query order
    /// with their reasons, then the evidence (`kim=kim (identical), jong=jong (identical)`).
    pub fn brief(&self) -> String {
        let mut parts: Vec<String> = self
            .tokens
            .iter()
            .map(|t| format!("{}={} ({})", t.query, t.candidate, t.reason.describe()))
            .collect();
        if self.identifier_only {
            parts.push(format!(
                "identifier {} listed",
                self.identifier.as_deref().unwrap_or_default()
            ));
        }
        parts.extend(self.adjustments.iter().map(|a| a.detail.clone()));
        format!("matched name {:?}: {}", self.matched_name, parts.join(", "))
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// `list:list_id`
    pub entity_id: String,
    /// The list key (`us_ofac_sdn`, `un_sc`, …), the part of `entity_id` before the `:`.
    pub list: String,
    /// The publisher's own id of the entity, the part of `entity_id` after the first `:`.
    pub list_id: String,
    /// The entity's name to show: its first primary name ([`crate::Entity::caption`]).
    pub caption: String,
    /// The entity's schema, as listed ([`crate::Entity::schema`]).
    pub schema: Schema,
    /// In [0, 1]; an exact name is 1.0 before secondary evidence.
    pub score: f32,
    /// Whether the score is at or above the threshold.
    pub is_match: bool,
    /// The entity's name that matched best, as published.
    pub name: String,
    /// Why the entity matched: the names compared, the word pairs, the evidence.
    pub explanation: Explanation,
}
