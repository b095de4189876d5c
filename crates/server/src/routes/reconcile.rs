//! `/v1/reconcile`: the W3C Reconciliation Service API (version 0.2, as OpenRefine uses it and
//! as yente offers it), so an investigator can reconcile a spreadsheet column against the lists.
//!
//! - `GET /v1/reconcile` answers the service manifest.
//! - `POST /v1/reconcile` with the form field `queries` (JSON: `{"q0": {"query": "Kim Jong Un",
//!   "type": "Person", "limit": 3, "properties": [{"pid": "birthDate", "v": "1984"}]}}`) answers
//!   `{"q0": {"result": [{"id", "name", "type": [{"id", "name"}], "score", "match", "description"}]}}`.
//!   `GET` with `?queries=` does the same.
//!
//! Property ids are FollowTheMoney property names, as in `/v1/match` (`birthDate`, `country`,
//! `nationality`, `idNumber`, …); ids the schema does not have are skipped, as yente does, so a
//! spreadsheet column mapped to an unknown property does not fail the whole batch.

use super::{engine, run_queries};
use crate::errors::{parse_json, ApiError, ApiForm, ApiQuery};
use crate::query::{parse_example, properties_of, Batch, EntityExample};
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Query parameters of `GET /v1/reconcile`.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct ReconcileParams {
    /// JSON-encoded reconciliation queries (for `GET`; `POST` sends them as a form field).
    pub queries: Option<String>,
    /// The API key, for OpenRefine, which cannot send headers (the manifest passes it on).
    pub api_key: Option<String>,
}

/// The form OpenRefine posts.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReconcileForm {
    /// JSON-encoded reconciliation queries keyed by query ids.
    pub queries: Option<String>,
}

/// One property constraint.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PropertyValue {
    /// A FollowTheMoney property name (`birthDate`, `country`, …).
    pub pid: String,
    /// A value, or several.
    #[schema(value_type = Object)]
    pub v: serde_json::Value,
}

/// One reconciliation query.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReconQuery {
    /// The name in the cell.
    pub query: Option<String>,
    /// A FollowTheMoney schema (`Person`, `Company`, …), or a list of them (the first counts).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub r#type: Option<serde_json::Value>,
    /// Most candidates (1-100, default 5).
    pub limit: Option<usize>,
    /// Other values of the row, by FollowTheMoney property id; ids the schema does not have
    /// are skipped.
    #[serde(default)]
    pub properties: Vec<PropertyValue>,
    /// Accepted, ignored.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub type_strict: Option<serde_json::Value>,
}

/// A reconciliation type: a FollowTheMoney schema.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconType {
    /// The schema (`Person`, `Organization`, …).
    pub id: String,
    /// Its label: the schema again in candidates, a plural (`People`) in the manifest.
    pub name: String,
}

/// One candidate entity for a query.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconCandidate {
    /// Entity id (`list:list_id`).
    pub id: String,
    /// The entity's caption.
    pub name: String,
    /// The entity's schema and list: `Person on un_sc`.
    pub description: String,
    /// The entity's schema, as a one-element list.
    pub r#type: Vec<ReconType>,
    /// 0-1.
    pub score: f32,
    /// True when the score is at or above the threshold (OpenRefine then matches automatically).
    #[serde(rename = "match")]
    pub is_match: bool,
}

/// The candidates for one query.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconResult {
    /// Candidates, best first, at most the query's `limit`.
    pub result: Vec<ReconCandidate>,
}

/// Where OpenRefine links a reconciled cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManifestView {
    /// URL template of an entity's page in the web UI; OpenRefine puts the entity id in place
    /// of `{{id}}`.
    pub url: String,
}

/// The service manifest.
#[derive(Debug, Serialize, ToSchema)]
#[allow(non_snake_case)]
pub struct Manifest {
    /// Reconciliation API versions the service speaks: `0.2`.
    pub versions: Vec<String>,
    /// The service's name, with the snapshot in service (short version).
    pub name: String,
    /// The base of entity ids, `<server>/v1/entities/` (URLs are built from the request's
    /// `Host` header, with `https` when `X-Forwarded-Proto` says so).
    pub identifierSpace: String,
    /// Where the query entity's shape is documented (the OpenAPI schema `EntityExample`).
    pub schemaSpace: String,
    /// Where OpenRefine links a reconciled cell: the web UI's entity page.
    pub view: ManifestView,
    /// The types offered: `Person`, `Organization`, `Company`, `Vessel`, `Airplane`,
    /// `LegalEntity`.
    pub defaultTypes: Vec<ReconType>,
    /// The OpenAPI document's URL.
    pub documentation: String,
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '"']))
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{proto}://{host}")
}

fn manifest(state: &AppState, headers: &HeaderMap) -> Manifest {
    let base = base_url(headers);
    let version = state
        .engine()
        .map(|e| crate::state::short(&e.snapshot.manifest.version).to_string())
        .unwrap_or_default();
    let ty = |id: &str, name: &str| ReconType {
        id: id.into(),
        name: name.into(),
    };
    Manifest {
        versions: vec!["0.2".into()],
        name: format!("watchlist sanctions lists (snapshot {version})"),
        identifierSpace: format!("{base}/v1/entities/"),
        schemaSpace: format!("{base}/v1/openapi.json#/components/schemas/EntityExample"),
        view: ManifestView {
            url: format!("{base}/entities/{{{{id}}}}"),
        },
        defaultTypes: vec![
            ty("Person", "People"),
            ty("Organization", "Organizations"),
            ty("Company", "Companies"),
            ty("Vessel", "Vessels"),
            ty("Airplane", "Airplanes"),
            ty("LegalEntity", "Legal entities"),
        ],
        documentation: format!("{base}/v1/openapi.json"),
    }
}

/// A reconciliation query as an entity example; property ids the schema lacks are skipped.
fn example(q: &ReconQuery) -> EntityExample {
    let schema = match &q.r#type {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => a
            .first()
            .and_then(|v| v.as_str())
            .unwrap_or("LegalEntity")
            .to_string(),
        _ => "LegalEntity".to_string(),
    };
    let known = properties_of(&schema);
    let mut props: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    if let Some(name) = q.query.as_ref().filter(|s| !s.trim().is_empty()) {
        props
            .entry("name".into())
            .or_default()
            .push(name.clone().into());
    }
    for p in &q.properties {
        if !known.contains(&p.pid.as_str()) {
            continue;
        }
        let vals = match &p.v {
            serde_json::Value::Array(a) => a.clone(),
            serde_json::Value::Object(o) => o
                .get("name")
                .or_else(|| o.get("id"))
                .cloned()
                .into_iter()
                .collect(),
            other => vec![other.clone()],
        };
        props.entry(p.pid.clone()).or_default().extend(vals);
    }
    EntityExample {
        id: None,
        schema,
        properties: props
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::Array(v)))
            .collect(),
    }
}

async fn answer(state: &AppState, raw: &str) -> Result<Response, ApiError> {
    let batch: Batch<ReconQuery> = parse_json(raw.as_bytes())?;
    batch.check_len(state.limits.batch)?;
    let engine = engine(state)?;
    let threshold = engine.matcher().config().threshold;
    let mut out = Vec::with_capacity(batch.0.len());
    let mut parsed = Vec::with_capacity(batch.0.len());
    for (id, q) in &batch.0 {
        let limit = super::check_limit(q.limit, 5, state.limits.max_limit)?;
        parsed.push((id.clone(), parse_example(id, &example(q))?, limit));
    }
    // one screening per query: limits differ per query
    for (id, p, limit) in parsed {
        let opts = matcher::SearchOptions {
            limit,
            ..Default::default()
        };
        let matches = run_queries(state, &engine, vec![p.query], opts)
            .await?
            .pop()
            .unwrap_or_default();
        let result = matches
            .iter()
            .map(|m| {
                let schema = crate::ftm::schema_name(m.schema).to_string();
                ReconCandidate {
                    id: m.entity_id.clone(),
                    name: m.caption.clone(),
                    description: format!("{schema} on {}", m.list),
                    r#type: vec![ReconType {
                        id: schema.clone(),
                        name: schema,
                    }],
                    score: m.score,
                    is_match: m.score >= threshold,
                }
            })
            .collect();
        out.push((id, ReconResult { result }));
    }
    Ok(Json(Batch(out)).into_response())
}

/// Reconciliation manifest (or, with `?queries=`, reconciliation results).
#[utoipa::path(
    get, path = "/v1/reconcile", tag = "reconciliation",
    params(ReconcileParams),
    responses(
        (status = 200, description = "The service manifest; with `queries`, results keyed by query id", body = Manifest),
        (status = 400, description = "Bad queries", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ReconcileParams>,
) -> Result<Response, ApiError> {
    match p.queries.as_deref().filter(|q| !q.trim().is_empty()) {
        Some(q) => answer(&state, q).await,
        None => Ok(Json(manifest(&state, &headers)).into_response()),
    }
}

/// Reconciliation queries (form field `queries`, JSON).
#[utoipa::path(
    post, path = "/v1/reconcile", tag = "reconciliation",
    request_body(content = ReconcileForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Candidates keyed by query id", body = BTreeMap<String, ReconResult>),
        (status = 400, description = "Bad queries", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiForm(f): ApiForm<ReconcileForm>,
) -> Result<Response, ApiError> {
    match f.queries.as_deref().filter(|q| !q.trim().is_empty()) {
        Some(q) => answer(&state, q).await,
        None => Ok(Json(manifest(&state, &headers)).into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recon_queries_become_examples_and_unknown_properties_are_skipped() {
        let q: ReconQuery = serde_json::from_str(
            r#"{"query": "Kim Jong Un", "type": ["Person"], "properties": [{"pid": "birthDate", "v": "1984"}, {"pid": "favouriteColour", "v": "red"}, {"pid": "country", "v": {"id": "kp", "name": "North Korea"}}]}"#,
        )
        .unwrap();
        let ex = example(&q);
        assert_eq!(ex.schema, "Person");
        assert_eq!(ex.properties.len(), 3);
        let p = parse_example("q0", &ex).unwrap();
        assert_eq!(p.query.names, ["Kim Jong Un"]);
        assert_eq!(p.query.countries, ["kp"]);
        assert_eq!(p.query.birth_dates.len(), 1);
    }
}
