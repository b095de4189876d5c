//! `POST /v1/screen/batch` (a roster, screened as a background job), `GET
//! /v1/screen/batch/{job}` (progress, bad rows, hits) and `GET /v1/screen/batch/{job}/hits`
//! (the hits as CSV or JSON lines). See [`crate::jobs`] for the bounds.

use super::{engine, validate_lists};
use crate::errors::{bytes_rejection, parse_json, ApiError, ApiPath, ApiQuery};
use crate::jobs::{JobView, Submission};
use crate::recording::{self, Caller};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use screen::roster::input::{parse_map, FIELDS};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// The column mapping: `"name=Full Name,dob=Birth Date"` as for `watchlist batch --map`, or
/// an object `{"name": "Full Name", "dob": "Birth Date"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ColumnMap {
    /// `field=Column,…`, the syntax of `watchlist batch --map`.
    Text(String),
    /// Roster field → column name.
    Fields(BTreeMap<String, String>),
}

/// A roster in JSON form (the roster may also be uploaded as the body itself, as `text/csv`
/// or `application/x-ndjson`, with the options as query parameters).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"data": "Full Name,Birth Date,Citizenship\nRi Won Ho,1964-07-17,KP\n", "map": {"name": "Full Name", "dob": "Birth Date", "nationality": "Citizenship"}}))]
pub struct BatchRequest {
    /// The roster: CSV with a header row (`,`, `;` or tab) or JSON lines.
    pub data: String,
    /// `csv` or `jsonl` (default: from the content: JSON lines when it starts with `{`).
    #[serde(default)]
    pub format: Option<String>,
    /// Column mapping; columns are otherwise found by name (`name`/`full name`, `dob`/`birth
    /// date`, `nationality`, `passport`, `employer`, `address`, `country`,
    /// `employer_address`, `id`, `type`).
    #[serde(default)]
    pub map: Option<ColumnMap>,
    /// Alert threshold (0-1).
    #[serde(default)]
    pub threshold: Option<f32>,
    /// Only these lists.
    #[serde(default)]
    pub lists: Option<Vec<String>>,
}

/// Options when the roster is the body itself.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchParams {
    /// Column mapping as for `watchlist batch --map`: `name=Full Name,dob=Birth Date`.
    pub map: Option<String>,
    /// `csv` or `jsonl` (default: from the Content-Type, else from the content).
    pub format: Option<String>,
    /// Alert threshold (0-1).
    pub threshold: Option<f32>,
    /// Only these lists, comma-separated keys.
    pub lists: Option<String>,
}

/// The answer to a submission: the job, to be followed at `location`.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct BatchAccepted {
    /// The job as it stands, without its hits.
    pub job: JobView,
    /// Where to follow the job.
    #[schema(example = "/v1/screen/batch/b3c1d2e4f5a6978812345678abcdef01")]
    pub location: String,
}

fn map_of(m: Option<ColumnMap>) -> Result<Vec<(String, String)>, ApiError> {
    let bad = |m: String| ApiError::bad_request("invalid_parameter", m.replace("--map", "map"));
    match m {
        None => Ok(Vec::new()),
        Some(ColumnMap::Text(t)) => parse_map(&t).map_err(bad),
        Some(ColumnMap::Fields(f)) => f
            .into_iter()
            .map(|(k, v)| {
                let k = k.trim().to_ascii_lowercase();
                if FIELDS.iter().any(|(f, _)| *f == k) {
                    Ok((k, v.trim().to_string()))
                } else {
                    let known: Vec<&str> = FIELDS.iter().map(|(k, _)| *k).collect();
                    Err(bad(format!(
                        "map: unknown field {k:?} (fields: {})",
                        known.join(", ")
                    )))
                }
            })
            .collect(),
    }
}

fn upload_name(format: Option<&str>, ctype: &str) -> Result<String, ApiError> {
    match format
        .map(str::trim)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok("upload.csv".into()),
        Some("jsonl" | "ndjson" | "json") => Ok("upload.jsonl".into()),
        Some(other) => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("format must be csv or jsonl, not {other:?}"),
        )),
        None if ctype.contains("ndjson") || ctype.contains("jsonl") => Ok("upload.jsonl".into()),
        None => Ok("upload.csv".into()),
    }
}

/// Screen a roster (CSV or JSON lines) as a background job.
///
/// Each row's name is screened with its birth date, nationality and passport number as
/// evidence, its employer as an organisation, and the roster rules (DPRK workers abroad,
/// addresses in sanctioned regions, employers linked to listed parties) are applied, as
/// `watchlist batch` does. Answers 202 at once with the job; follow it at `location`. A
/// roster whose header has no name column is a 400; bad rows are counted and reported in the
/// job with their row and line numbers. One job runs at a time; at most 4 may wait (429
/// `busy` beyond); finished jobs are kept in memory, the newest 32.
#[utoipa::path(
    post, path = "/v1/screen/batch", tag = "rosters",
    params(BatchParams, ("Idempotency-Key" = Option<String>, Header, description = "A repeated submission with the same key returns the first job (and, with --record, each row's record key derives from it)")),
    request_body(content(
        (String = "text/csv"),
        (String = "application/x-ndjson"),
        (BatchRequest = "application/json"),
    )),
    responses(
        (status = 202, description = "The job, queued or running", body = BatchAccepted),
        (status = 200, description = "A submission repeating an Idempotency-Key: the first job", body = BatchAccepted),
        (status = 400, description = "A binary file, no header row, no name column, an unknown map field or list", body = crate::errors::ErrorBody),
        (status = 413, description = "Body larger than the limit", body = crate::errors::ErrorBody),
        (status = 429, description = "Too many jobs queued or running", body = crate::errors::ErrorBody),
        (status = 503, description = "No snapshot loaded yet", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn post(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<BatchParams>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(bytes_rejection)?;
    let key = recording::idempotency_key(&headers)?;
    let ctype = super::content_type(&headers);
    let (data, name, map, threshold, lists) = if ctype.starts_with("application/json") {
        let r: BatchRequest = parse_json(&body)?;
        let name = upload_name(r.format.as_deref(), "")?;
        (
            Bytes::from(r.data),
            name,
            map_of(r.map)?,
            r.threshold,
            r.lists,
        )
    } else {
        (
            body,
            upload_name(params.format.as_deref(), &ctype)?,
            map_of(params.map.map(ColumnMap::Text))?,
            params.threshold,
            super::split_lists(params.lists.as_deref()),
        )
    };
    if data.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::bad_request(
            "invalid_roster",
            "the roster is empty: send CSV with a header row, or JSON lines",
        ));
    }
    let engine = engine(&state)?;
    let threshold = super::check_score("threshold", threshold)?;
    if let Some(l) = &lists {
        validate_lists(&engine, l)?;
    }
    let store = if state.record {
        state.store.clone()
    } else {
        None
    };
    let (job, new) = state.jobs.submit(Submission {
        data,
        name,
        map,
        threshold,
        lists,
        caller,
        idempotency_key: key,
        engine,
        store,
    })?;
    let location = format!("/v1/screen/batch/{}", job.id);
    let status = if new {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::LOCATION, location.clone())],
        Json(BatchAccepted {
            job: job.view(false),
            location,
        }),
    )
        .into_response())
}

/// Options of a job's status.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobParams {
    /// Include the hits (default true).
    pub hits: Option<bool>,
}

/// A batch job: status, rows done and total, bad rows, hits.
#[utoipa::path(
    get, path = "/v1/screen/batch/{job}", tag = "rosters",
    params(("job" = String, Path, description = "The job id"), JobParams),
    responses(
        (status = 200, description = "The job", body = JobView),
        (status = 404, description = "No such job (never submitted, or forgotten: only the newest 32 finished jobs are kept)", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<JobParams>,
) -> Result<Json<JobView>, ApiError> {
    let job = find(&state, &id)?;
    Ok(Json(job.view(p.hits.unwrap_or(true))))
}

fn find(state: &AppState, id: &str) -> Result<std::sync::Arc<crate::jobs::Job>, ApiError> {
    state.jobs.get(id).ok_or_else(|| {
        ApiError::not_found(format!(
            "no batch job {:?} (jobs are kept in memory: the newest finished ones, until the server stops)",
            id.chars().take(64).collect::<String>()
        ))
    })
}

/// Format of the hits download.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HitsParams {
    /// `csv` (default) or `jsonl`.
    pub format: Option<String>,
}

/// A batch job's hits as CSV (the columns of `watchlist batch`) or JSON lines.
#[utoipa::path(
    get, path = "/v1/screen/batch/{job}/hits", tag = "rosters",
    params(("job" = String, Path, description = "The job id"), HitsParams),
    responses(
        (status = 200, description = "The hits found so far, in row order", content_type = "text/csv"),
        (status = 404, description = "No such job", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn hits(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<HitsParams>,
) -> Result<Response, ApiError> {
    let job = find(&state, &id)?;
    let hits = job.hits();
    match p.format.as_deref().unwrap_or("csv") {
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let io = |e: csv::Error| ApiError::internal("writing the hits", &e);
            w.write_record(screen::roster::RowHit::CSV_HEADER)
                .map_err(io)?;
            for h in &hits {
                let cells = h.csv_cells();
                w.write_record(
                    cells
                        .iter()
                        .map(|c| store::export::escape_cell(c).into_owned()),
                )
                .map_err(io)?;
            }
            let bytes = w
                .into_inner()
                .map_err(|e| ApiError::internal("writing the hits", &e))?;
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], bytes).into_response())
        }
        "jsonl" | "ndjson" => {
            let mut out = Vec::new();
            for h in &hits {
                serde_json::to_writer(&mut out, &crate::jobs::BatchHitOut::from(h))
                    .map_err(|e| ApiError::internal("writing the hits", &e))?;
                out.push(b'\n');
            }
            Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], out).into_response())
        }
        other => Err(ApiError::bad_request(
            "invalid_parameter",
            format!(
                "format must be csv or jsonl, not {:?}",
                other.chars().take(20).collect::<String>()
            ),
        )),
    }
}
