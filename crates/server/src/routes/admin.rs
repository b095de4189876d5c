//! `POST /v1/admin/update` and `POST /v1/admin/reload` (admin key).
//!
//! An update downloads the official lists (as `watchlist update` does: conditional requests,
//! all or nothing) or imports files on the server's disk (as `watchlist import` does), through
//! the same `sources` code, then loads the new snapshot in the background and swaps it in
//! while requests go on. Only one update runs at a time; a second one is answered `busy`.
//! The work runs on its own task, so a client that gives up does not stop it half-way.

use crate::errors::{parse_json, ApiError};
use crate::state::{AppState, Reloaded};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use sources::download::{Downloader, SourcesConfig};
use sources::snapshot::{DataDir, ImportOutcome};
use std::path::PathBuf;
use utoipa::ToSchema;

/// Where the new list versions come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UpdateSource {
    /// Download from the publishers (the server's sources file, or the built-in one).
    #[default]
    Download,
    /// Import files or folders on the server's disk.
    Files,
}

/// What `POST /v1/admin/update` imports. An empty body is `{"source": "download"}`: every
/// enabled list of the sources file.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"source": "download", "lists": ["un_sc", "us_ofac_sdn"]}))]
pub struct UpdateRequest {
    /// `download` (default) or `files`.
    #[serde(default)]
    pub source: UpdateSource,
    /// For `download`: only these lists (keys of the sources file); default every enabled list.
    #[serde(default)]
    pub lists: Vec<String>,
    /// For `files`: files or folders on the server's disk.
    #[serde(default)]
    pub paths: Vec<String>,
}

/// What an update did.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateResponse {
    /// `updated` (a new snapshot is in service) or `unchanged` (every file was identical).
    pub outcome: String,
    /// Lists that got a new version.
    pub changed: Vec<String>,
    /// Lists whose files were identical to the version in service.
    pub unchanged: Vec<String>,
    /// The snapshot in service now.
    pub snapshot: String,
    /// True when the server swapped to a new snapshot.
    pub reloaded: bool,
    /// Time to load the new snapshot, in milliseconds (0 when nothing was swapped).
    pub load_millis: u64,
}

/// What a reload did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReloadResponse {
    /// The snapshot in service now.
    pub snapshot: String,
    /// The snapshot before, when it changed.
    pub previous: Option<String>,
    /// True when a new snapshot was swapped in; false when `CURRENT` names the snapshot in
    /// service already.
    pub reloaded: bool,
    /// Time to load the new snapshot, in milliseconds (0 when nothing was swapped).
    pub load_millis: u64,
}

/// Replaces the data directory's path in a message, so errors name no server paths.
fn scrub(msg: &str, data_dir: &std::path::Path) -> String {
    let d = data_dir.display().to_string();
    if d.is_empty() {
        return msg.to_string();
    }
    msg.replace(&d, "<data dir>")
}

/// Downloads and imports, or imports files; blocking.
fn run_update(
    root: PathBuf,
    sources_file: Option<PathBuf>,
    req: UpdateRequest,
) -> Result<ImportOutcome, (StatusCode, String)> {
    let bad = |e: String| (StatusCode::BAD_REQUEST, e);
    let failed = |e: String| (StatusCode::BAD_GATEWAY, e);
    let dir = DataDir::open(&root).map_err(|e| failed(e.to_string()))?;
    match req.source {
        UpdateSource::Files => {
            if req.paths.is_empty() {
                return Err(bad(
                    "`files` needs `paths`: files or folders on the server's disk".into(),
                ));
            }
            let paths: Vec<PathBuf> = req.paths.iter().map(PathBuf::from).collect();
            let sets = sources::detect_paths(&paths).map_err(|e| bad(e.to_string()))?;
            dir.import(&sets, &mut |_| {})
                .map_err(|e| bad(e.to_string()))
        }
        UpdateSource::Download => {
            let config = match &sources_file {
                Some(p) => SourcesConfig::load(p).map_err(|e| failed(e.to_string()))?,
                None => SourcesConfig::builtin(),
            };
            let selected = config.select(&req.lists).map_err(|e| bad(e.to_string()))?;
            if selected.is_empty() {
                return Err(bad("no list selected: every list in the sources file is disabled; name one in `lists`".into()));
            }
            let mut downloader =
                Downloader::new(&root, &config.settings).map_err(|e| failed(e.to_string()))?;
            let mut fetched = Vec::new();
            for s in &selected {
                fetched.push(
                    downloader
                        .fetch_list(s, &mut |_| {})
                        .map_err(|e| failed(e.to_string()))?,
                );
            }
            let folders: Vec<PathBuf> = fetched.iter().map(|f| f.dir().to_path_buf()).collect();
            let sets = sources::detect_paths(&folders).map_err(|e| failed(e.to_string()))?;
            let outcome = dir
                .import(&sets, &mut |_| {})
                .map_err(|e| failed(e.to_string()))?;
            for f in fetched {
                downloader.commit(f).map_err(|e| failed(e.to_string()))?;
            }
            Ok(outcome)
        }
    }
}

/// Update the lists and swap the new snapshot in.
///
/// `{"source": "download"}` downloads every enabled list of the server's sources file (or
/// those named in `lists`); `{"source": "files", "paths": [...]}` imports files on the
/// server's disk. All or nothing: on any failure the snapshot in service stays. The new
/// snapshot is loaded while requests go on and swapped in atomically.
#[utoipa::path(
    post, path = "/v1/admin/update", tag = "admin",
    request_body = UpdateRequest,
    responses(
        (status = 200, description = "Update done; the snapshot in service", body = UpdateResponse),
        (status = 400, description = "Bad request or unreadable list files; nothing changed", body = crate::errors::ErrorBody),
        (status = 401, description = "No or wrong key", body = crate::errors::ErrorBody),
        (status = 403, description = "The key is not an admin key", body = crate::errors::ErrorBody),
        (status = 409, description = "Another update is running", body = crate::errors::ErrorBody),
        (status = 502, description = "A download or the import failed; nothing changed", body = crate::errors::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<UpdateResponse>, ApiError> {
    let body = body.map_err(crate::errors::bytes_rejection)?;
    let req: UpdateRequest = if body.iter().all(u8::is_ascii_whitespace) {
        UpdateRequest::default()
    } else {
        parse_json(&body)?
    };
    let Ok(guard) = state.update_lock.clone().try_lock_owned() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "busy",
            "another update is running; try again when it has finished",
        ));
    };
    let s = state.clone();
    let task = tokio::spawn(async move {
        let _guard = guard;
        let root = s.data_dir.clone();
        let sources_file = s.sources.clone();
        let outcome = tokio::task::spawn_blocking(move || run_update(root, sources_file, req))
            .await
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let outcome = outcome?;
        let reloaded = s
            .reload()
            .await
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        Ok::<_, (StatusCode, String)>((outcome, reloaded))
    });
    let (outcome, reloaded) = match task.await {
        Ok(Ok(r)) => r,
        Ok(Err((status, msg))) => {
            let msg = scrub(&msg, &state.data_dir);
            tracing::warn!("update failed: {msg}");
            let code = if status == StatusCode::BAD_REQUEST {
                "invalid_request"
            } else {
                "update_failed"
            };
            return Err(ApiError::new(
                status,
                code,
                format!("{msg}; the snapshot in service is unchanged"),
            ));
        }
        Err(e) => return Err(ApiError::internal("the update", &e)),
    };
    let (outcome_s, changed, unchanged, snapshot) = match outcome {
        ImportOutcome::Updated {
            snapshot,
            changed,
            unchanged,
        } => ("updated", changed, unchanged, snapshot.version),
        ImportOutcome::Unchanged { snapshot } => (
            "unchanged",
            Vec::new(),
            snapshot.lists.keys().cloned().collect(),
            snapshot.version,
        ),
    };
    let (reloaded, load_millis) = match reloaded {
        Reloaded::Swapped { millis, .. } => (true, millis),
        Reloaded::Unchanged { .. } => (false, 0),
    };
    Ok(Json(UpdateResponse {
        outcome: outcome_s.into(),
        changed,
        unchanged,
        snapshot,
        reloaded,
        load_millis,
    }))
}

/// Reload the snapshot named by the data directory's `CURRENT`.
///
/// For a `watchlist import` or `watchlist update` run beside the server (the server's
/// `--watch` flag and SIGHUP do the same).
#[utoipa::path(
    post, path = "/v1/admin/reload", tag = "admin",
    responses(
        (status = 200, description = "The snapshot in service", body = ReloadResponse),
        (status = 401, description = "No or wrong key", body = crate::errors::ErrorBody),
        (status = 403, description = "The key is not an admin key", body = crate::errors::ErrorBody),
        (status = 500, description = "The snapshot could not be loaded; the old one stays", body = crate::errors::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn reload(State(state): State<AppState>) -> Result<Json<ReloadResponse>, ApiError> {
    let s = state.clone();
    let r = tokio::spawn(async move { s.reload().await })
        .await
        .map_err(|e| ApiError::internal("the reload", &e))?
        .map_err(|e| {
            ApiError::internal(
                "loading the snapshot",
                &scrub(&e.to_string(), &state.data_dir),
            )
        })?;
    Ok(Json(match r {
        Reloaded::Unchanged { version } => ReloadResponse {
            snapshot: version,
            previous: None,
            reloaded: false,
            load_millis: 0,
        },
        Reloaded::Swapped { from, to, millis } => ReloadResponse {
            snapshot: to,
            previous: from,
            reloaded: true,
            load_millis: millis,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_hides_the_data_dir() {
        let d = std::path::Path::new("/srv/wl");
        assert_eq!(
            scrub("/srv/wl/lists/x: denied", d),
            "<data dir>/lists/x: denied"
        );
    }
}
