//! `POST /v1/scan`: every mention of a listed entity in a document (plain text or HTML), and
//! references to sanctioned regions, with `screen::scan` as `watchlist scan` runs it.

use super::{engine, validate_lists};
use crate::errors::{bytes_rejection, parse_json, ApiError, ApiQuery};
use crate::recording::{self, Caller, RecordedOut};
use crate::state::AppState;
use crate::types::{EntityHitOut, RegionOut, SnapshotRef};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use screen::scan::input::{self, InputError, Kind};
use screen::scan::{Found, ScanOptions, Scanner};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// How to read a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocFormat {
    /// Plain text.
    Text,
    /// HTML: tags, scripts and styles are skipped; offsets still point into the HTML.
    Html,
}

/// A document to scan (JSON form; the document may also be sent as the body itself, as
/// `text/plain` or `text/html`, with the options as query parameters).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Korea Ryonbong General Corporation opened an office in Makiivka.", "format": "text"}))]
pub struct ScanRequest {
    /// The document, UTF-8. Offsets in the answer are byte offsets into it.
    pub text: String,
    /// `text` or `html` (tags, scripts and styles skipped; offsets still into the HTML).
    /// Default: decided from the content, as `watchlist scan` does.
    #[serde(default)]
    pub format: Option<DocFormat>,
    /// Alert threshold (0-1; default: the matcher's calibrated threshold).
    #[serde(default)]
    pub threshold: Option<f32>,
    /// Only these lists (keys as in `GET /v1/lists`).
    #[serde(default)]
    pub lists: Option<Vec<String>>,
    /// Also report references to sanctioned countries and regions (default true).
    #[serde(default)]
    pub regions: Option<bool>,
    /// What the document is, for the audit trail (a file name, a reference); default: a
    /// hash of the text.
    #[serde(default)]
    pub identity: Option<String>,
}

/// Options when the document is the body itself.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScanParams {
    /// `text` or `html` (default: from the Content-Type, else from the content).
    pub format: Option<DocFormat>,
    /// Alert threshold (0-1).
    pub threshold: Option<f32>,
    /// Only these lists, comma-separated keys.
    pub lists: Option<String>,
    /// Report references to sanctioned regions (default true).
    pub regions: Option<bool>,
    /// What the document is, for the audit trail.
    pub identity: Option<String>,
}

/// One mention of a listed entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentionOut {
    /// Byte offsets into the document as sent.
    pub start: usize,
    /// End of the mention: the byte offset just past it.
    pub end: usize,
    /// The text as written.
    pub text: String,
    /// The listed entity, its score and why (its fields sit beside `start` and `end`).
    #[serde(flatten)]
    pub entity: EntityHitOut,
}

/// One reference to a sanctioned region.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceOut {
    /// Byte offsets into the document as sent.
    pub start: usize,
    /// End of the reference: the byte offset just past it.
    pub end: usize,
    /// The rule that fired (its fields sit beside `start` and `end`).
    #[serde(flatten)]
    pub region: RegionOut,
}

/// What a document mentions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanResponse {
    /// How the document was read: `text` or `html`.
    pub format: DocFormat,
    /// Size of the document in bytes.
    pub bytes: usize,
    /// The threshold applied.
    pub threshold: f32,
    /// Mentions of listed entities, in document order (a mention may name several entities).
    pub mentions: Vec<MentionOut>,
    /// References to sanctioned countries and regions, in document order.
    pub regions: Vec<PlaceOut>,
    /// The snapshot screened against.
    pub snapshot: SnapshotRef,
    /// Present when the server holds only the built-in demo list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// Present when the server records screenings (`--record`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<RecordedOut>,
}

/// Scan a document.
///
/// Finds every mention of a listed entity (each candidate span is screened with the same
/// matcher as `/v1/match`, so a name scores the same in a document as alone) and every
/// reference to a sanctioned country or region (the rule that fired, e.g. `region:ua-dpr` for
/// Makiivka). Send JSON (`ScanRequest`), or the document itself as `text/plain` or
/// `text/html` with the options as query parameters. Binary files and PDF are refused.
#[utoipa::path(
    post, path = "/v1/scan", tag = "documents",
    params(ScanParams),
    request_body(content(
        (ScanRequest = "application/json"),
        (String = "text/plain"),
        (String = "text/html"),
    )),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the recording idempotent (with --record)")),
    responses(
        (status = 200, description = "Mentions and region references", body = ScanResponse),
        (status = 400, description = "Not UTF-8 text, a binary file or a PDF, bad JSON, an unknown list", body = crate::errors::ErrorBody),
        (status = 413, description = "Body larger than the limit", body = crate::errors::ErrorBody),
        (status = 415, description = "A Content-Type other than JSON, text or HTML", body = crate::errors::ErrorBody),
        (status = 503, description = "No snapshot loaded yet, or the audit-trail database is down (with --record)", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn post(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<ScanParams>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ScanResponse>, ApiError> {
    let body = body.map_err(bytes_rejection)?;
    let key = recording::idempotency_key(&headers)?;
    let ctype = super::content_type(&headers);
    let (doc, req) = if ctype.starts_with("application/json") || ctype.contains("+json") {
        let mut r: ScanRequest = parse_json(&body)?;
        let text = std::mem::take(&mut r.text);
        (Bytes::from(text), r)
    } else if ctype.is_empty() || ctype.starts_with("text/") {
        let format = params.format.or(if ctype.starts_with("text/html") {
            Some(DocFormat::Html)
        } else if ctype.starts_with("text/plain") {
            Some(DocFormat::Text)
        } else {
            None
        });
        let req = ScanRequest {
            text: String::new(),
            format,
            threshold: params.threshold,
            lists: super::split_lists(params.lists.as_deref()),
            regions: params.regions,
            identity: params.identity,
        };
        (body, req)
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the document as text/plain or text/html, or JSON with a \"text\" field; not {ctype:?}"),
        ));
    };
    let engine = engine(&state)?;
    let threshold = super::check_score("threshold", req.threshold)?;
    if let Some(lists) = &req.lists {
        validate_lists(&engine, lists)?;
    }
    let sniffed = input::sniff("the document", &body_head(&doc)).map_err(input_error)?;
    let format = req.format.unwrap_or(match sniffed {
        Kind::Html => DocFormat::Html,
        Kind::Text => DocFormat::Text,
    });
    let opts = ScanOptions {
        threshold,
        lists: req.lists.clone(),
        regions: req.regions.unwrap_or(true),
        ..Default::default()
    };
    let found = scan(&state, &engine, doc.clone(), format, opts).await?;
    let threshold = threshold.unwrap_or(engine.matcher().config().threshold);
    let recorded = if state.record {
        let mut s = document_screening(&engine, &caller, &doc, format, &req, threshold, &found);
        s.idempotency_key = key;
        recording::record(&state, vec![s])
            .await?
            .and_then(|mut v| v.pop())
    } else {
        None
    };
    Ok(Json(ScanResponse {
        format,
        bytes: doc.len(),
        threshold,
        mentions: found
            .mentions
            .iter()
            .map(|m| MentionOut {
                start: m.start,
                end: m.end,
                text: m.text.clone(),
                entity: EntityHitOut::new(&m.entity, threshold),
            })
            .collect(),
        regions: found
            .places
            .iter()
            .map(|p| PlaceOut {
                start: p.start,
                end: p.end,
                region: RegionOut::from(&p.hit),
            })
            .collect(),
        snapshot: SnapshotRef::of(&engine),
        warning: engine.demo.then(|| super::DEMO_WARNING.to_string()),
        recorded,
    }))
}

fn body_head(b: &[u8]) -> Vec<u8> {
    b[..b.len().min(64 << 10)].to_vec()
}

/// An unreadable document as a 400.
pub fn input_error(e: InputError) -> ApiError {
    let code = match &e {
        InputError::Binary { .. } | InputError::Pdf { .. } => "binary_input",
        InputError::Utf8 { .. } => "invalid_utf8",
        InputError::TooLarge { .. } => "payload_too_large",
        InputError::Io { .. } => return ApiError::internal("reading the document", &e),
    };
    ApiError::bad_request(code, e.to_string())
}

/// Scans a document on a blocking thread, holding a screening slot.
async fn scan(
    state: &AppState,
    engine: &Arc<engine::Engine>,
    doc: Bytes,
    format: DocFormat,
    opts: ScanOptions,
) -> Result<Found, ApiError> {
    let permit = state
        .screening
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::internal("scanning", &e))?;
    let e = engine.clone();
    tokio::task::spawn_blocking(move || -> Result<Found, InputError> {
        let _permit = permit;
        let scanner = Scanner::new(e.matcher(), opts);
        match format {
            DocFormat::Html => {
                let html = input::read_html("the document", &doc[..])?;
                Ok(input::scan_html(&scanner, &html))
            }
            DocFormat::Text => {
                let mut found = Found::default();
                input::scan_text(&scanner, "the document", &doc[..], &mut |f| {
                    found.mentions.extend(f.mentions);
                    found.places.extend(f.places);
                })?;
                Ok(found)
            }
        }
    })
    .await
    .map_err(|e| ApiError::internal("scanning", &e))?
    .map_err(input_error)
}

/// Most mentions and region references kept in a document's record.
const RECORD_MAX_MENTIONS: usize = 1000;

/// The audit record of a scanned document: the names mentioned as the query, the mentioned
/// entities (best score each) as results, where they were found as context.
fn document_screening(
    engine: &engine::Engine,
    caller: &Caller,
    doc: &[u8],
    format: DocFormat,
    req: &ScanRequest,
    threshold: f32,
    found: &Found,
) -> store::NewScreening {
    let sha = store::sha256_hex(doc);
    let mut names: Vec<String> = Vec::new();
    let mut best: BTreeMap<String, matcher::Match> = BTreeMap::new();
    for m in &found.mentions {
        let name = m.text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !names.contains(&name) {
            names.push(name);
        }
        let keep = best
            .get(&m.entity_id)
            .is_none_or(|b| b.score < m.entity.score);
        if keep {
            best.insert(m.entity_id.clone(), m.entity.to_match());
        }
    }
    let mut results: Vec<matcher::Match> = best.into_values().collect();
    results.sort_by(|a, b| b.score.total_cmp(&a.score));
    let query = matcher::Query {
        names,
        ..Default::default()
    };
    let mut s = screen::audit::record::new_screening(
        engine,
        query,
        results,
        Some(threshold),
        serde_json::json!({ "lists": req.lists, "regions": req.regions.unwrap_or(true), "format": format }),
        &caller.actor(),
        "document",
    );
    s.identity = Some(
        req.identity
            .clone()
            .filter(|i| !i.trim().is_empty())
            .unwrap_or_else(|| format!("document:{}", &sha[..16])),
    );
    s.context = Some(serde_json::json!({
        "kind": "document",
        "format": format,
        "bytes": doc.len(),
        "sha256": sha,
        "mentions": found.mentions.iter().take(RECORD_MAX_MENTIONS).map(|m| serde_json::json!({
            "start": m.start, "end": m.end, "text": m.text, "entity_id": m.entity_id, "score": m.score,
        })).collect::<Vec<_>>(),
        "regions": found.places.iter().take(RECORD_MAX_MENTIONS).map(|p| serde_json::json!({
            "start": p.start, "end": p.end, "matched": p.hit.matched, "rule": p.hit.rule,
        })).collect::<Vec<_>>(),
    }));
    s
}
