//! `GET /v1/lists`: the snapshot in service and its lists: versions, counts, file hashes, ages.

use super::engine;
use crate::errors::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A file a list version was read from.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceFileOut {
    /// File name (no directories).
    pub name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// One list of the snapshot in service.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListOut {
    /// List key (`un_sc`, `us_ofac_sdn`, …).
    pub key: String,
    /// The list's title.
    pub title: String,
    /// Who publishes the list.
    pub publisher: String,
    /// Source format (`un_xml`, `ofac_csv`, …).
    pub format: String,
    /// The publication date the file carries, if any.
    pub published: Option<String>,
    /// Content hash of this list version.
    pub version: String,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// Seconds since it was imported.
    pub age_seconds: Option<i64>,
    /// Entities in this version, of every schema.
    pub entity_count: u64,
    /// Entities per schema.
    pub counts: BTreeMap<String, u64>,
    /// The files this version was read from.
    pub source_files: Vec<SourceFileOut>,
}

/// The snapshot in service.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotOut {
    /// Content hash over the (list, list version) pairs, hex.
    pub version: String,
    /// Sequence number in the data directory.
    pub seq: u64,
    /// When it was made (RFC 3339).
    pub created: String,
    /// Seconds since it was made.
    pub age_seconds: Option<i64>,
    /// Entities over all lists.
    pub entity_count: u64,
    /// True when this is the built-in demo list.
    pub demo: bool,
    /// The snapshot this one was made from.
    pub previous: Option<String>,
}

/// The snapshot in service and its lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListsResponse {
    /// The snapshot in service.
    pub snapshot: SnapshotOut,
    /// Its lists, by list key.
    pub lists: Vec<ListOut>,
    /// Present when the server holds only the built-in demo list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Seconds from an RFC 3339 time to now.
pub fn age_seconds(rfc3339: &str) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    Some((chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds())
}

/// The lists in service.
#[utoipa::path(
    get, path = "/v1/lists", tag = "lists",
    responses(
        (status = 200, description = "The snapshot in service and its lists", body = ListsResponse),
        (status = 503, description = "No snapshot loaded yet", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn get(State(state): State<AppState>) -> Result<Json<ListsResponse>, ApiError> {
    let engine = engine(&state)?;
    let m = &engine.snapshot.manifest;
    let lists = m
        .lists
        .values()
        .map(|l| ListOut {
            key: l.list.clone(),
            title: l.title.clone(),
            publisher: l.publisher.clone(),
            format: l.format.clone(),
            published: l.published.clone(),
            version: l.version.clone(),
            imported_at: l.imported_at.clone(),
            age_seconds: age_seconds(&l.imported_at),
            entity_count: l.entity_count,
            counts: l.counts.clone(),
            source_files: l
                .source_files
                .iter()
                .map(|f| SourceFileOut {
                    name: f.name.clone(),
                    sha256: f.sha256.clone(),
                    bytes: f.bytes,
                })
                .collect(),
        })
        .collect();
    Ok(Json(ListsResponse {
        snapshot: SnapshotOut {
            version: m.version.clone(),
            seq: m.seq,
            created: m.created.clone(),
            age_seconds: age_seconds(&m.created),
            entity_count: m.entity_count(),
            demo: engine.demo,
            previous: m.previous.clone(),
        },
        lists,
        warning: engine.demo.then(|| super::DEMO_WARNING.to_string()),
    }))
}
