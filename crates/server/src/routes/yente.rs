//! `POST /match/{dataset}`: OpenSanctions yente's matching API, request and response shapes
//! as yente has them, so a yente client works by changing only its base URL.
//!
//! Differences (also in docs/api.md): one algorithm (every yente algorithm name is accepted and
//! means watchlist's matcher; the response's `matcher` documents its features); `weights` and
//! `config` in the body are accepted and ignored; `topics` and `changed_since` are accepted and
//! ignored (every entity has the topic `sanction`); entity ids are watchlist ids (`list:list_id`);
//! `datasets` holds the list key; `first_seen` and `last_change` are null and `last_seen` is
//! when the list version was imported; the default threshold is watchlist's calibrated one.

use super::{engine, run_queries};
use crate::errors::{ApiError, ApiPath, ApiQuery, JsonBody};
use crate::query::{parse_example, Batch, EntityExample};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use engine::Engine;
use matcher::{Match, SearchOptions};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// yente algorithm names accepted in `algorithm` (all mean watchlist's matcher).
pub const ALGORITHMS: &[&str] = &[
    "watchlist",
    "best",
    "default",
    "logic-v1",
    "logic-v2",
    "name-based",
    "name-qualified",
    "regression-v1",
    "regression-v2",
    "regression-v3",
];

/// Dataset names that mean every loaded list.
pub const ALL_DATASETS: &[&str] = &["default", "sanctions", "all"];

/// yente's default number of results per query.
const DEFAULT_LIMIT: usize = 5;

/// yente's match request: query entities keyed by client ids; `weights` and `config` are
/// accepted and ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct YenteMatchRequest {
    /// Query entities keyed by client ids.
    #[schema(value_type = BTreeMap<String, EntityExample>)]
    pub queries: Batch<EntityExample>,
    /// Accepted for compatibility, ignored (watchlist's weights are in its matcher configuration).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub weights: BTreeMap<String, serde_json::Value>,
    /// Accepted for compatibility, ignored.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: BTreeMap<String, serde_json::Value>,
}

/// Query parameters of `POST /match/{dataset}`, as yente has them.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YenteParams {
    /// Results per query (default 5).
    pub limit: Option<usize>,
    /// Score at or above which a result is a match (default: watchlist's calibrated threshold).
    pub threshold: Option<f32>,
    /// Deprecated in yente: lower bound of the scores returned.
    pub cutoff: Option<f32>,
    /// Accepted: any yente algorithm name or `watchlist`; all use watchlist's matcher.
    pub algorithm: Option<String>,
    /// Only results from these lists (repeat the parameter for several).
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>)]
    pub include_dataset: OneOrMany,
    /// No results from these lists.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>)]
    pub exclude_dataset: OneOrMany,
    /// No results of these schemas (`Person`, `Organization`, `Vessel`, `Airplane`, `LegalEntity`).
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>)]
    pub exclude_schema: OneOrMany,
    /// No results with these entity ids.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>)]
    pub exclude_entity_ids: OneOrMany,
    /// Accepted, ignored.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>)]
    pub topics: OneOrMany,
    /// Accepted, ignored.
    pub changed_since: Option<String>,
    /// The API key, for clients that cannot send headers.
    pub api_key: Option<String>,
}

/// A query parameter given once or repeated.
#[derive(Debug, Default, Clone)]
pub struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum V {
            One(String),
            Many(Vec<String>),
        }
        Ok(match V::deserialize(d)? {
            V::One(s) => OneOrMany(vec![s]),
            V::Many(v) => OneOrMany(v),
        })
    }
}

/// `{value, relation}` as yente writes totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalSpec {
    /// How many results the query returns (at most `limit`); not a count of every candidate.
    pub value: usize,
    /// Always `eq`.
    pub relation: String,
}

/// One feature's part in a score.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureResult {
    /// The feature's value: the name score or a coverage (0-1), the multiplier for
    /// `names.all_fuzzy_factor`, the score after the adjustment for an `evidence.*` feature.
    pub score: f32,
    /// In words: the word pairs and their reasons (`name_score`), the evidence and its effect
    /// (`evidence.*`), that every word matched only approximately (`names.all_fuzzy_factor`);
    /// null for the coverages.
    pub detail: Option<String>,
    /// The query name compared (`name_score` only).
    pub query: Option<String>,
    /// The listed name compared (`name_score` only).
    pub candidate: Option<String>,
}

/// A result entity, scored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoredEntity {
    /// watchlist's entity id, `list:list_id` (use it with `GET /v1/entities/{id}`).
    pub id: String,
    /// The entity's primary name.
    pub caption: String,
    /// FollowTheMoney schema: `Person`, `Organization`, `Vessel`, `Airplane` or
    /// `LegalEntity`.
    pub schema: String,
    /// The entity's fields as FollowTheMoney properties, each a list of strings.
    #[schema(value_type = Object)]
    pub properties: BTreeMap<String, Vec<String>>,
    /// The list the entity comes from: one list key.
    pub datasets: Vec<String>,
    /// Always empty.
    pub referents: Vec<String>,
    /// Always true.
    pub target: bool,
    /// Always null.
    pub first_seen: Option<String>,
    /// When the entity's list version was imported (RFC 3339).
    pub last_seen: Option<String>,
    /// Always null.
    pub last_change: Option<String>,
    /// watchlist's score (0-1), the one `/v1/match` gives for the same query.
    pub score: f32,
    /// Deprecated in yente; the scores of `explanations`.
    pub features: BTreeMap<String, f32>,
    /// Each feature's part in the score: `name_score`, `query_coverage`,
    /// `candidate_coverage`, and the `names.*` and `evidence.*` adjustments that applied.
    pub explanations: BTreeMap<String, FeatureResult>,
    /// Whether the score is at or above the threshold.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// Always null.
    pub token: Option<String>,
}

/// The answer to one query.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityMatches {
    /// Always 200.
    pub status: u16,
    /// Results, best first.
    pub results: Vec<ScoredEntity>,
    /// The number of results returned.
    pub total: TotalSpec,
    /// The query as read (properties as lists of strings, schema in canonical spelling).
    pub query: EntityExample,
}

/// What a feature means.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureDoc {
    /// What the feature measures or does.
    pub description: String,
    /// Its configured value: a coverage's exponent, a multiplier, a share of the way to 1 or
    /// a floor (1 for `name_score`).
    pub coefficient: f32,
    /// Where the matcher's configuration is defined (its source file).
    pub url: String,
}

/// yente's match response: one answer per query, keyed like the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct YenteMatchResponse {
    /// The answer to each query, keyed by the request's query ids, in request order.
    #[schema(value_type = BTreeMap<String, EntityMatches>)]
    pub responses: Batch<EntityMatches>,
    /// The features of watchlist's matcher as yente documents an algorithm's.
    pub matcher: BTreeMap<String, FeatureDoc>,
    /// Results per query asked for (default 5).
    pub limit: usize,
}

const CONFIG_URL: &str =
    "https://github.com/watchlist/watchlist/blob/main/crates/matcher/src/config.rs";

/// The features a score is made of, documented.
pub fn feature_docs(cfg: &matcher::Config) -> BTreeMap<String, FeatureDoc> {
    let ev = &cfg.evidence;
    let d = |desc: &str, c: f32| FeatureDoc {
        description: desc.to_string(),
        coefficient: c,
        url: CONFIG_URL.to_string(),
    };
    BTreeMap::from([
        ("name_score".into(), d("Similarity of the best pair of names (query name, listed name), word by word, weighted by word kind and rarity.", 1.0)),
        ("query_coverage".into(), d("Weighted share of the query name's words explained by the listed name.", cfg.names.query_coverage_exponent)),
        ("candidate_coverage".into(), d("Weighted share of the listed name's words explained by the query name.", cfg.names.candidate_coverage_exponent)),
        ("names.all_fuzzy_factor".into(), d("Every word matched only approximately: the score is multiplied by this.", cfg.names.all_fuzzy_factor)),
        ("evidence.dob_exact_boost".into(), d("Birth dates agree to the day: the score moves this share of the way to 1.", ev.dob_exact_boost)),
        ("evidence.dob_partial_boost".into(), d("Birth dates agree at the precision given: share of the way to 1.", ev.dob_partial_boost)),
        ("evidence.dob_near_factor".into(), d("Birth dates one year apart or day and month swapped: multiplier.", ev.dob_near_factor)),
        ("evidence.dob_mismatch_factor".into(), d("Birth dates contradict: multiplier.", ev.dob_mismatch_factor)),
        ("evidence.country_boost".into(), d("A country agrees: share of the way to 1.", ev.country_boost)),
        ("evidence.country_mismatch_factor".into(), d("Both sides give countries and none agree: multiplier.", ev.country_mismatch_factor)),
        ("evidence.identifier_floor".into(), d("An identifier is equal on both sides: the score is at least this.", ev.identifier_floor)),
        ("evidence.schema_near_factor".into(), d("Organisation against vessel or aircraft (or the reverse): multiplier.", ev.schema_near_factor)),
    ])
}

fn explanations(m: &Match) -> BTreeMap<String, FeatureResult> {
    let e = &m.explanation;
    let mut out = BTreeMap::new();
    let why: Vec<String> = e
        .tokens
        .iter()
        .map(|t| format!("{}~{}: {}", t.query, t.candidate, t.why))
        .collect();
    out.insert(
        "name_score".into(),
        FeatureResult {
            score: e.name_score,
            detail: Some(why.join("; ")),
            query: Some(e.query_name.clone()),
            candidate: Some(e.matched_name.clone()),
        },
    );
    out.insert(
        "query_coverage".into(),
        FeatureResult {
            score: e.query_coverage,
            detail: None,
            query: None,
            candidate: None,
        },
    );
    out.insert(
        "candidate_coverage".into(),
        FeatureResult {
            score: e.candidate_coverage,
            detail: None,
            query: None,
            candidate: None,
        },
    );
    if let Some(f) = e.fuzzy_penalty {
        out.insert(
            "names.all_fuzzy_factor".into(),
            FeatureResult {
                score: f,
                detail: Some("every word matched only approximately".into()),
                query: None,
                candidate: None,
            },
        );
    }
    for a in &e.adjustments {
        out.insert(
            a.feature.clone(),
            FeatureResult {
                score: a.score_after,
                detail: Some(format!("{} ({})", a.detail, a.effect)),
                query: None,
                candidate: None,
            },
        );
    }
    out
}

fn scored(engine: &Engine, m: &Match) -> Result<ScoredEntity, ApiError> {
    let id: model::EntityId = m
        .entity_id
        .parse()
        .map_err(|e| ApiError::internal("reading a result", &e))?;
    let entity = engine
        .entity(&id)
        .map_err(|e| ApiError::internal("reading a result", &e))?;
    let properties = entity
        .as_ref()
        .map(crate::ftm::properties)
        .unwrap_or_default();
    let last_seen = engine
        .snapshot
        .manifest
        .lists
        .get(&m.list)
        .map(|l| l.imported_at.clone());
    let ex = explanations(m);
    Ok(ScoredEntity {
        id: m.entity_id.clone(),
        caption: m.caption.clone(),
        schema: crate::ftm::schema_name(m.schema).to_string(),
        properties,
        datasets: vec![m.list.clone()],
        referents: Vec::new(),
        target: true,
        first_seen: None,
        last_seen,
        last_change: None,
        score: m.score,
        features: ex.iter().map(|(k, v)| (k.clone(), v.score)).collect(),
        explanations: ex,
        is_match: m.is_match,
        token: None,
    })
}

/// The lists a yente dataset name and include/exclude parameters select.
fn select_lists(
    engine: &Engine,
    dataset: &str,
    p: &YenteParams,
) -> Result<Option<Vec<String>>, ApiError> {
    let loaded: Vec<String> = engine.snapshot.manifest.lists.keys().cloned().collect();
    let mut lists = if ALL_DATASETS.contains(&dataset) {
        loaded.clone()
    } else if loaded.iter().any(|l| l == dataset) {
        vec![dataset.to_string()]
    } else {
        return Err(ApiError::not_found(format!(
            "no dataset {:?}; use `default` (every loaded list) or one of: {}",
            dataset.chars().take(64).collect::<String>(),
            loaded.join(", ")
        ))
        .yente());
    };
    if !p.include_dataset.0.is_empty() {
        super::validate_lists(engine, &p.include_dataset.0).map_err(ApiError::yente)?;
        lists.retain(|l| p.include_dataset.0.contains(l));
    }
    lists.retain(|l| !p.exclude_dataset.0.contains(l));
    Ok(if lists.len() == loaded.len() {
        None
    } else {
        Some(lists)
    })
}

/// Match entities (yente-compatible).
///
/// OpenSanctions yente's `/match/{dataset}`: the same request (`{"queries": {"q1": {"schema":
/// "Person", "properties": {"name": [...], "birthDate": [...]}}}}`) and the same response
/// (`{"responses": {"q1": {"status": 200, "results": [...], "total": {...}, "query": {...}}},
/// "matcher": {...}, "limit": 5}`). `dataset` is `default` (every loaded list) or a list key.
/// Errors carry yente's `detail` beside watchlist's `error`. Differences are listed in
/// docs/api.md.
#[utoipa::path(
    post, path = "/match/{dataset}", tag = "yente",
    params(("dataset" = String, Path, description = "`default` for every loaded list, or a list key"), YenteParams),
    request_body = YenteMatchRequest,
    responses(
        (status = 200, description = "Scored results per query", body = YenteMatchResponse),
        (status = 400, description = "Invalid query", body = crate::errors::ErrorBody),
        (status = 404, description = "No such dataset", body = crate::errors::ErrorBody),
        (status = 413, description = "Body larger than the limit", body = crate::errors::ErrorBody),
        (status = 422, description = "Well-formed JSON of the wrong shape", body = crate::errors::ErrorBody),
        (status = 503, description = "No snapshot loaded yet", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn post(
    State(state): State<AppState>,
    ApiPath(dataset): ApiPath<String>,
    params: Result<ApiQuery<YenteParams>, ApiError>,
    body: Result<JsonBody<YenteMatchRequest>, ApiError>,
) -> Result<(HeaderMap, Json<YenteMatchResponse>), ApiError> {
    let ApiQuery(p) = params.map_err(ApiError::yente)?;
    let JsonBody(req) = body.map_err(ApiError::yente)?;
    req.queries
        .check_len(state.limits.batch)
        .map_err(ApiError::yente)?;
    let engine = engine(&state).map_err(ApiError::yente)?;
    if let Some(a) = &p.algorithm {
        if !ALGORITHMS.contains(&a.as_str()) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!(
                    "unknown algorithm {:?}; accepted: {}",
                    a.chars().take(40).collect::<String>(),
                    ALGORITHMS.join(", ")
                ),
            )
            .yente());
        }
    }
    let limit = super::check_limit(p.limit, DEFAULT_LIMIT, state.limits.max_limit)
        .map_err(ApiError::yente)?;
    let threshold = super::check_score("threshold", p.threshold).map_err(ApiError::yente)?;
    let cutoff = super::check_score("cutoff", p.cutoff).map_err(ApiError::yente)?;
    let lists = select_lists(&engine, &dataset, &p)?;
    let threshold_v = threshold.unwrap_or(engine.matcher().config().threshold);
    let queries = req
        .queries
        .0
        .iter()
        .map(|(id, ex)| parse_example(id, ex).map(|q| (id.clone(), q)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::yente)?;
    let excluded_schemas: Vec<String> = p
        .exclude_schema
        .0
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let filtering = !excluded_schemas.is_empty() || !p.exclude_entity_ids.0.is_empty();
    // ask for more when results will be filtered out afterwards
    let fetch = if filtering {
        (limit * 3).min(state.limits.max_limit)
    } else {
        limit
    };
    let opts = SearchOptions {
        limit: fetch,
        threshold: Some(threshold_v),
        min_score: cutoff.map(|c| c.min(threshold_v)),
        lists,
    };
    let results = run_queries(
        &state,
        &engine,
        queries.iter().map(|(_, q)| q.query.clone()).collect(),
        opts,
    )
    .await
    .map_err(ApiError::yente)?;
    let mut responses = Vec::with_capacity(queries.len());
    for ((id, parsed), matches) in queries.into_iter().zip(results) {
        let kept: Vec<&Match> = matches
            .iter()
            .filter(|m| {
                !excluded_schemas.contains(&crate::ftm::schema_name(m.schema).to_ascii_lowercase())
            })
            .filter(|m| !p.exclude_entity_ids.0.contains(&m.entity_id))
            .take(limit)
            .collect();
        let results = kept
            .iter()
            .map(|m| scored(&engine, m))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::yente)?;
        let total = TotalSpec {
            value: results.len(),
            relation: "eq".into(),
        };
        responses.push((
            id,
            EntityMatches {
                status: StatusCode::OK.as_u16(),
                results,
                total,
                query: parsed.example,
            },
        ));
    }
    let mut headers = HeaderMap::new();
    headers.insert("x-batch-size", HeaderValue::from(responses.len()));
    Ok((
        headers,
        Json(YenteMatchResponse {
            responses: Batch(responses),
            matcher: feature_docs(engine.matcher().config()),
            limit,
        }),
    ))
}
