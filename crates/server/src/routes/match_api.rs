//! `POST /v1/match`: screen a batch of query entities.

use super::{engine, screen_batch, validate_lists, Screened};
use crate::errors::{ApiError, JsonBody};
use crate::query::{Batch, EntityExample};
use crate::recording::{self, Caller, RecordedOut};
use crate::state::AppState;
use crate::types::{MatchOut, SnapshotRef};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A batch of queries and the options for all of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "queries": {
        "c-1042": {"schema": "Person", "properties": {"name": ["Kim Jong Un"], "birthDate": ["1984-01-08"], "nationality": ["kp"]}},
        "v-77": {"schema": "Vessel", "properties": {"name": ["Chon Ma San"], "imoNumber": ["8660313"]}}
    },
    "limit": 5
}))]
pub struct MatchRequest {
    /// Query entities keyed by ids of the client's choosing (answers use the same keys).
    #[schema(value_type = std::collections::BTreeMap<String, EntityExample>)]
    pub queries: Batch<EntityExample>,
    /// Most results per query (1-100, default 10).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Results at or above this score are matches (0-1; default: the matcher's calibrated threshold).
    #[serde(default)]
    pub threshold: Option<f32>,
    /// Results below this score are not returned (0-1; default: the matcher's `min_score`).
    #[serde(default)]
    pub min_score: Option<f32>,
    /// Screen against these lists only (list keys as in `GET /v1/lists`); default: all loaded lists.
    #[serde(default)]
    pub lists: Option<Vec<String>>,
    /// `none` (scores only), `standard` (the structured explanation; default) or `full` (also
    /// plain-language sentences and highlighted name runs).
    #[serde(default)]
    pub explain: crate::types::Explain,
}

/// The answer to one query.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueryResult {
    /// The query as read (properties as lists of strings, schema in canonical spelling).
    pub query: EntityExample,
    /// Values that were skipped (a date that is no date, an unknown country).
    pub warnings: Vec<String>,
    /// Number of results at or above the threshold.
    pub matches: usize,
    /// Ranked results, best first.
    pub results: Vec<MatchOut>,
    /// Present when the server records screenings (`--record`): the record and the alerts
    /// it opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<RecordedOut>,
}

/// Answers keyed like the request's queries.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchResponse {
    /// The answer to each query, keyed by the request's query ids, in request order.
    #[schema(value_type = std::collections::BTreeMap<String, QueryResult>)]
    pub responses: Batch<QueryResult>,
    /// The threshold applied.
    pub threshold: f32,
    /// The limit applied.
    pub limit: usize,
    /// The snapshot screened against.
    pub snapshot: SnapshotRef,
    /// Present when the server holds only the built-in demo list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Screen a batch of query entities.
///
/// Each query is a FollowTheMoney-style entity: a schema and properties. Names come from
/// `name`, `alias`, `weakAlias`, `previousName` and `firstName` … `lastName`; `birthDate`,
/// the country properties (`country`, `nationality`, `citizenship`, `jurisdiction`, `flag`, …)
/// and identifier properties (`idNumber`, `passportNumber`, `registrationNumber`, `imoNumber`,
/// `swiftBic`, `leiCode`, …) add evidence. `address` and other descriptive properties are
/// accepted and not scored.
#[utoipa::path(
    post, path = "/v1/match", tag = "screening",
    request_body = MatchRequest,
    responses(
        (status = 200, description = "Ranked results per query", body = MatchResponse),
        (status = 400, description = "Bad JSON, unknown schema or property, too many queries", body = crate::errors::ErrorBody),
        (status = 401, description = "A key is required (`--require-key`) and none or a wrong one was sent", body = crate::errors::ErrorBody),
        (status = 413, description = "Body larger than the limit", body = crate::errors::ErrorBody),
        (status = 422, description = "Well-formed JSON of the wrong shape", body = crate::errors::ErrorBody),
        (status = 503, description = "No snapshot loaded yet, the request took too long, or the audit-trail database is down (with --record)", body = crate::errors::ErrorBody),
    ),
    params(("Idempotency-Key" = Option<String>, Header, description = "With --record: each query's record key is this key and the query's id, so a re-delivered request records nothing twice")),
    security((), ("api_key" = []))
)]
pub async fn post(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<MatchRequest>,
) -> Result<Json<MatchResponse>, ApiError> {
    let key = recording::idempotency_key(&headers)?;
    req.queries.check_len(state.limits.batch)?;
    let engine = engine(&state)?;
    let limit = super::check_limit(req.limit, 10, state.limits.max_limit)?;
    let threshold = super::check_score("threshold", req.threshold)?;
    let min_score = super::check_score("min_score", req.min_score)?;
    if let Some(lists) = &req.lists {
        validate_lists(&engine, lists)?;
    }
    let opts = matcher::SearchOptions {
        limit,
        threshold,
        min_score,
        lists: req.lists.clone(),
    };
    let threshold = threshold.unwrap_or(engine.matcher().config().threshold);
    let Screened { queries, results } = screen_batch(&state, &engine, &req.queries, opts).await?;
    let mut recorded: Vec<Option<RecordedOut>> = vec![None; queries.len()];
    if state.record {
        let options = serde_json::json!({ "limit": limit, "lists": req.lists });
        let batch = queries
            .iter()
            .zip(&results)
            .map(|((id, parsed), matches)| {
                let mut s = screen::audit::record::new_screening(
                    &engine,
                    parsed.query.clone(),
                    matches.clone(),
                    Some(threshold),
                    options.clone(),
                    &caller.actor(),
                    "api",
                );
                s.idempotency_key = recording::part_key(key.as_deref(), id);
                s
            })
            .collect();
        if let Some(done) = recording::record(&state, batch).await? {
            recorded = done.into_iter().map(Some).collect();
        }
    }
    let responses = queries
        .into_iter()
        .zip(results)
        .zip(recorded)
        .map(|(((id, parsed), matches), recorded)| {
            let results: Vec<MatchOut> = matches
                .iter()
                .map(|m| MatchOut::new(m, threshold, req.explain))
                .collect();
            let n = results.iter().filter(|r| r.is_match).count();
            (
                id,
                QueryResult {
                    query: parsed.example,
                    warnings: parsed.warnings,
                    matches: n,
                    results,
                    recorded,
                },
            )
        })
        .collect();
    Ok(Json(MatchResponse {
        responses: Batch(responses),
        threshold,
        limit,
        snapshot: SnapshotRef::of(&engine),
        warning: engine.demo.then(|| super::DEMO_WARNING.to_string()),
    }))
}
