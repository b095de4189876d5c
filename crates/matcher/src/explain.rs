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
    /// Present when every token matched only fuzzily (config `names.all_fuzzy_factor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzzy_penalty: Option<f32>,
    pub adjustments: Vec<Adjustment>,
}
