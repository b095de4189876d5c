//! `GET /v1/search`: interactive search by name (the web UI's search page uses it).

use super::{engine, run_queries, validate_lists};
use crate::errors::{ApiError, ApiQuery};
use crate::state::AppState;
use crate::types::{MatchOut, SnapshotRef};
use axum::extract::State;
use axum::Json;
use matcher::SearchOptions;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Query parameters of `GET /v1/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The name to search for (any script).
    pub q: Option<String>,
    /// `Person`, `Organization`, `Company`, `Vessel`, `Airplane`, `LegalEntity` (default: any).
    pub schema: Option<String>,
    /// Only this list (a list key).
    pub list: Option<String>,
    /// A birth date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`): agreeing dates raise the score,
    /// contradicting ones lower it.
    pub birth_date: Option<String>,
    /// A country (ISO code or name): nationality, citizenship or address country.
    pub country: Option<String>,
    /// Most results (1-100, default 10).
    pub limit: Option<usize>,
    /// Match threshold (0-1, default: the matcher's calibrated threshold).
    pub threshold: Option<f32>,
    /// The API key, for clients that cannot send headers.
    pub api_key: Option<String>,
}

/// Ranked results for one name.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// The name searched for.
    pub q: String,
    /// The threshold applied: the request's, else the matcher's.
    pub threshold: f32,
    /// Results, best first.
    pub results: Vec<MatchOut>,
    /// Input that was skipped (a date that is no date, an unknown country).
    pub warnings: Vec<String>,
    /// The snapshot searched.
    pub snapshot: SnapshotRef,
    /// Present when the server holds only the built-in demo list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Search by name.
///
/// Screens one name (with an optional schema, birth date and country) and returns ranked
/// results with explanations, highlighted name runs and plain-language summaries.
#[utoipa::path(
    get, path = "/v1/search", tag = "screening",
    params(SearchParams),
    responses(
        (status = 200, description = "Ranked results", body = SearchResponse),
        (status = 400, description = "Missing or bad parameter", body = crate::errors::ErrorBody),
        (status = 503, description = "No snapshot loaded yet", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<SearchResponse>, ApiError> {
    let q =
        p.q.as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
    if q.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            "give a name to search for: /v1/search?q=NAME",
        ));
    }
    if q.chars().count() > crate::query::MAX_VALUE_CHARS {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            "the name is too long",
        ));
    }
    let engine = engine(&state)?;
    let limit = super::check_limit(p.limit, 10, state.limits.max_limit)?;
    let threshold = super::check_score("threshold", p.threshold)?;
    let lists = match p.list.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(l) => {
            let l = vec![l.to_string()];
            validate_lists(&engine, &l)?;
            Some(l)
        }
        None => None,
    };
    // the one conversion: an untidy date or country is a warning, the name is screened
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let input = model::QueryInput {
        names: vec![q.clone()],
        schema: nonempty(&p.schema),
        birth_dates: nonempty(&p.birth_date).into_iter().collect(),
        countries: nonempty(&p.country).into_iter().collect(),
        ..Default::default()
    };
    let read = input
        .read()
        .map_err(|e| ApiError::bad_request("invalid_parameter", e.to_string()))?;
    let (query, warnings) = (read.query, read.warnings);
    let opts = SearchOptions {
        limit,
        threshold,
        min_score: None,
        lists,
    };
    let threshold = threshold.unwrap_or(engine.matcher().config().threshold);
    let matches = run_queries(&state, &engine, vec![query], opts)
        .await?
        .pop()
        .unwrap_or_default();
    Ok(Json(SearchResponse {
        q,
        threshold,
        results: matches
            .iter()
            .map(|m| MatchOut::new(m, threshold, crate::types::Explain::Full))
            .collect(),
        warnings,
        snapshot: SnapshotRef::of(&engine),
        warning: engine.demo.then(|| super::DEMO_WARNING.to_string()),
    }))
}
