//! The API's own response types, documented in the OpenAPI document.
//!
//! They mirror the matcher's and the model's types field by field rather than exposing them,
//! so that the wire format is written down here and changes to internal types show up as
//! compile errors in [`From`] conversions instead of as silent API changes.

use crate::plain::Segment;
use matcher::{Explanation, Match, Reason};
use serde::Serialize;
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

/// Every [`Reason`], in the order of the API documentation.
pub const REASONS: [Reason; 13] = [
    Reason::Exact,
    Reason::Transliteration,
    Reason::KoreanRomanization,
    Reason::Ocr,
    Reason::GivenNameEquivalent,
    Reason::VowelDrop,
    Reason::Phonetic,
    Reason::Typo,
    Reason::Prefix,
    Reason::Initial,
    Reason::Joined,
    Reason::Anagram,
    Reason::LegalFormFamily,
];

/// Compile-time check that [`REASONS`] lists every variant: a new reason fails to compile here.
#[allow(dead_code)]
fn reasons_are_complete(r: Reason) -> usize {
    match r {
        Reason::Exact => 0,
        Reason::Transliteration => 1,
        Reason::KoreanRomanization => 2,
        Reason::Ocr => 3,
        Reason::GivenNameEquivalent => 4,
        Reason::VowelDrop => 5,
        Reason::Phonetic => 6,
        Reason::Typo => 7,
        Reason::Prefix => 8,
        Reason::Initial => 9,
        Reason::Joined => 10,
        Reason::Anagram => 11,
        Reason::LegalFormFamily => 12,
    }
}

/// The wire name of a reason (`exact`, `transliteration`, …).
pub fn reason_name(r: Reason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// OpenAPI schema of [`Reason`]: the values and what each means.
pub struct ReasonSchema;

impl utoipa::PartialSchema for ReasonSchema {
    fn schema() -> RefOr<Schema> {
        let mut desc =
            String::from("Why a query word was taken for a word of the listed name:\n\n");
        for r in REASONS {
            desc.push_str(&format!("- `{}`: {}\n", reason_name(r), r.describe()));
        }
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(REASONS.iter().map(|r| reason_name(*r))))
            .description(Some(desc))
            .into()
    }
}

impl ToSchema for ReasonSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Reason")
    }
}

/// The snapshot an answer was computed on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SnapshotRef {
    /// Content hash of the snapshot (hex).
    pub version: String,
    /// When the snapshot was made (RFC 3339).
    pub created: String,
    /// True when this is watchlist's built-in demo list, not real sanctions data.
    pub demo: bool,
}

impl SnapshotRef {
    /// The snapshot an engine screens against.
    pub fn of(e: &engine::Engine) -> Self {
        SnapshotRef {
            version: e.snapshot.manifest.version.clone(),
            created: e.snapshot.manifest.created.clone(),
            demo: e.demo,
        }
    }
}

/// One aligned word pair.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenMatchOut {
    /// The query word, normalised.
    pub query: String,
    /// The listed name's word, normalised.
    pub candidate: String,
    /// 0..1
    pub similarity: f32,
    /// Why the two words were taken for the same word (see `Reason`).
    #[schema(value_type = ReasonSchema)]
    pub reason: String,
    /// The reason in plain language.
    pub why: String,
    /// The word's weight in the listed name (word kind × rarity).
    pub weight: f32,
}

/// A change of the score by evidence other than the name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdjustmentOut {
    /// The matcher configuration field that applied, e.g. `evidence.dob_mismatch_factor`.
    pub feature: String,
    /// What the evidence was, in words (`birth date contradicts: query 1970 vs listed 1984`).
    pub detail: String,
    /// `×0.72`, `+30% of the gap to 1.0`, `at least 0.97`.
    pub effect: String,
    /// The score once this adjustment applied; the next adjustment starts from it.
    pub score_after: f32,
}

/// Why a listed entity matched, computed by the code that computed the score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExplanationOut {
    /// The query name compared, as given.
    pub query_name: String,
    /// The listed name it was compared with, as published.
    pub matched_name: String,
    /// `primary`, `alias`, `weak_alias`, `former`, `new` or `original_script`.
    pub matched_name_kind: String,
    /// True when the names were compared in their own (non-Latin) script.
    pub native_script: bool,
    /// Present when the name comes from an analyst overlay rather than the publisher.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_source: Option<String>,
    /// Name similarity before other evidence.
    pub name_score: f32,
    /// Weighted share of the query's words explained by the listed name.
    pub query_coverage: f32,
    /// Weighted share of the listed name's words explained by the query.
    pub candidate_coverage: f32,
    /// The aligned word pairs, in query order.
    pub tokens: Vec<TokenMatchOut>,
    /// Query words with no counterpart in the listed name.
    pub unmatched_query: Vec<String>,
    /// Words of the listed name with no counterpart in the query.
    pub unmatched_candidate: Vec<String>,
    /// Present when every word matched only approximately: the multiplier applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuzzy_penalty: Option<f32>,
    /// Changes of the score by other evidence (birth date, country, identifier, schema), in
    /// the order applied.
    pub adjustments: Vec<AdjustmentOut>,
}

impl From<&Explanation> for ExplanationOut {
    fn from(e: &Explanation) -> Self {
        ExplanationOut {
            query_name: e.query_name.clone(),
            matched_name: e.matched_name.clone(),
            matched_name_kind: e.matched_name_kind.as_str().to_string(),
            native_script: e.native_script,
            name_source: e.name_source.clone(),
            name_score: e.name_score,
            query_coverage: e.query_coverage,
            candidate_coverage: e.candidate_coverage,
            tokens: e
                .tokens
                .iter()
                .map(|t| TokenMatchOut {
                    query: t.query.clone(),
                    candidate: t.candidate.clone(),
                    similarity: t.similarity,
                    reason: reason_name(t.reason),
                    why: t.why.clone(),
                    weight: t.weight,
                })
                .collect(),
            unmatched_query: e.unmatched_query.clone(),
            unmatched_candidate: e.unmatched_candidate.clone(),
            fuzzy_penalty: e.fuzzy_penalty,
            adjustments: e
                .adjustments
                .iter()
                .map(|a| AdjustmentOut {
                    feature: a.feature.clone(),
                    detail: a.detail.clone(),
                    effect: a.effect.clone(),
                    score_after: a.score_after,
                })
                .collect(),
        }
    }
}

/// One screening result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchOut {
    /// Entity id, `list:list_id` (use it with `GET /v1/entities/{id}`).
    #[schema(example = "un_sc:KPi.033")]
    pub id: String,
    /// List key.
    #[schema(example = "un_sc")]
    pub list: String,
    /// The publisher's own id.
    pub list_id: String,
    /// The entity's primary name.
    pub caption: String,
    /// `Person`, `Organization`, `Vessel`, `Aircraft` or `LegalEntity`.
    pub schema: String,
    /// 0..1; an exact name scores 1.0 before other evidence.
    pub score: f32,
    /// Whether the score is at or above the threshold.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// The listed name that matched best, as published.
    pub matched_name: String,
    /// `matched_name` cut into runs, the runs holding matched words marked (`explain: full`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_name_highlight: Option<Vec<Segment>>,
    /// The query name cut into runs, the runs holding matched words marked (`explain: full`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_highlight: Option<Vec<Segment>>,
    /// The explanation in plain sentences, for people who do not read scores (`explain: full`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Vec<String>>,
    /// Why it matched (`explain: standard` or `full`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<ExplanationOut>,
}

/// How much of the explanation a result carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Explain {
    /// Scores only.
    None,
    /// The structured explanation (word pairs, reasons, coverage, evidence adjustments).
    #[default]
    Standard,
    /// Also plain-language sentences and highlighted name runs, as the web UI shows them.
    Full,
}

impl MatchOut {
    /// A result as the API shows it: `explain` decides how much of the explanation it
    /// carries; `threshold` is the one the plain sentences speak of.
    pub fn new(m: &Match, threshold: f32, explain: Explain) -> Self {
        let full = explain == Explain::Full;
        let e = &m.explanation;
        MatchOut {
            id: m.entity_id.clone(),
            list: m.list.clone(),
            list_id: m.list_id.clone(),
            caption: m.caption.clone(),
            schema: m.schema.as_str().to_string(),
            score: m.score,
            is_match: m.is_match,
            matched_name: m.name.clone(),
            matched_name_highlight: full
                .then(|| crate::plain::highlight(&e.matched_name, e, false)),
            query_highlight: full.then(|| crate::plain::highlight(&e.query_name, e, true)),
            summary: full.then(|| crate::plain::summary(m, threshold)),
            explanation: (explain != Explain::None).then(|| ExplanationOut::from(e)),
        }
    }
}

/// A listed entity found in a document, a payment or a roster: the entity, the score and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntityHitOut {
    /// `list:list_id` (use it with `GET /v1/entities/{id}`).
    #[schema(example = "un_sc:KPe.001")]
    pub entity_id: String,
    /// List key.
    pub list: String,
    /// The publisher's own id.
    pub list_id: String,
    /// The entity's primary name.
    pub caption: String,
    /// `Person`, `Organization`, `Vessel`, `Aircraft` or `LegalEntity`.
    pub schema: String,
    /// 0..1
    pub score: f32,
    /// The listed name that matched, as published.
    pub matched_name: String,
    /// The explanation in plain sentences.
    pub summary: Vec<String>,
    /// Why it matched: word pairs, reasons, coverage, evidence adjustments.
    pub explanation: ExplanationOut,
}

impl EntityHitOut {
    /// A found entity as the API shows it, with its sentences at `threshold`.
    pub fn new(e: &screen::scan::MentionEntity, threshold: f32) -> Self {
        let m = e.to_match();
        EntityHitOut {
            entity_id: e.entity_id.clone(),
            list: e.list.clone(),
            list_id: e.list_id.clone(),
            caption: e.caption.clone(),
            schema: e.schema.as_str().to_string(),
            score: e.score,
            matched_name: e.matched_name.clone(),
            summary: crate::plain::summary(&m, threshold),
            explanation: ExplanationOut::from(&e.explanation),
        }
    }
}

/// A reference to a sanctioned country or region, and the rule that fired.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionOut {
    /// The rule that fired: `region:kp`, `region:ua-dpr`, …
    #[schema(example = "region:ua-dpr")]
    pub rule: String,
    /// The region's id (`kp`, `ua-dpr`, …).
    pub region: String,
    /// The region's name.
    pub title: String,
    /// `hit` (the country or region itself, or an occupied place in it) or `review`
    /// (ambiguous: an oblast only partly occupied, a town not listed as occupied).
    pub severity: String,
    /// The text as written.
    pub matched: String,
    /// The place in the gazetteer: Ukrainian name, level, KATOTTG code, occupation status.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub place: Option<serde_json::Value>,
    /// Why the rule fired, in words.
    pub why: String,
    /// The legal acts behind the rule.
    pub sources: Vec<String>,
}

impl From<&screen::regions::RegionHit> for RegionOut {
    fn from(h: &screen::regions::RegionHit) -> Self {
        RegionOut {
            rule: h.rule.clone(),
            region: h.region.clone(),
            title: h.title.clone(),
            severity: match h.severity {
                screen::regions::Severity::Hit => "hit",
                screen::regions::Severity::Review => "review",
            }
            .to_string(),
            matched: h.matched.clone(),
            place: h.place.as_ref().and_then(|p| serde_json::to_value(p).ok()),
            why: h.why.clone(),
            sources: h.sources.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_schema_lists_every_reason_with_its_description() {
        let s = serde_json::to_string(&<ReasonSchema as utoipa::PartialSchema>::schema()).unwrap();
        for r in REASONS {
            assert!(s.contains(&format!("\"{}\"", reason_name(r))), "{r:?}");
            assert!(s.contains(&r.describe().replace('"', "\\\"")), "{r:?}");
        }
        assert_eq!(
            reason_name(Reason::GivenNameEquivalent),
            "given_name_equivalent"
        );
    }
}
