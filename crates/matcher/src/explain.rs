//! Explanations: why an entity matched, produced by the same code that computed the score.

use crate::similarity::Reason;
use model::NameKind;
use serde::{Deserialize, Serialize};

/// One aligned token pair as an analyst reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenMatch {
    pub query: String,
    pub candidate: String,
    pub similarity: f32,
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
    pub detail: String,
    /// "×0.72", "+30% of the gap to 1.0", "at least 0.97".
    pub effect: String,
    pub score_after: f32,
}

impl Adjustment {
    pub fn factor(feature: &str, detail: String, f: f32, after: f32) -> Self {
        Adjustment {
            feature: feature.into(),
            detail,
            effect: format!("×{f:.2}"),
            score_after: after,
        }
    }
    pub fn boost(feature: &str, detail: String, b: f32, after: f32) -> Self {
        Adjustment {
            feature: feature.into(),
            detail,
            effect: format!("+{:.0}% of the gap to 1.0", b * 100.0),
            score_after: after,
        }
    }
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
    pub matched_name_kind: NameKind,
    /// True when the names were compared in their own (non-Latin) script.
    pub native_script: bool,
    /// Present when the name comes from an analyst overlay rather than the publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_source: Option<String>,
    pub name_score: f32,
    /// Weighted share of the query's words explained by the name.
    pub query_coverage: f32,
    /// Weighted share of the name's words explained by the query.
    pub candidate_coverage: f32,
    pub tokens: Vec<TokenMatch>,
    pub unmatched_query: Vec<String>,
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
