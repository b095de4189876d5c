//! `GET /healthz` (the process answers) and `GET /readyz` (a snapshot is loaded).

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The process answers (`GET /healthz`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: String,
    /// Seconds since the server started.
    pub uptime_seconds: u64,
}

/// Whether a snapshot is in service (`GET /readyz`: 200 when one is, 503 before).
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ready` or `loading` (or `failed` when the last load failed and nothing is loaded).
    pub status: String,
    /// The snapshot in service.
    pub snapshot: Option<String>,
    /// True when the snapshot is the built-in demo list.
    pub demo: bool,
    /// Entities in the snapshot.
    pub entities: Option<u64>,
    /// Why the server is not ready, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        uptime_seconds: state.started.elapsed().as_secs(),
    })
}

/// Readiness: 200 once a snapshot is loaded, 503 before.
#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "A snapshot is in service", body = Ready), (status = 503, description = "Still loading, or loading failed", body = Ready))
)]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Ready>) {
    match state.engine() {
        Some(e) => (
            StatusCode::OK,
            Json(Ready {
                status: "ready".into(),
                snapshot: Some(e.snapshot.manifest.version.clone()),
                demo: e.demo,
                entities: Some(e.snapshot.manifest.entity_count()),
                reason: None,
            }),
        ),
        None => {
            let err = state.last_error();
            let status = if err.is_some() { "failed" } else { "loading" };
            let reason = err.unwrap_or_else(|| "the snapshot is being loaded".into());
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Ready {
                    status: status.into(),
                    snapshot: None,
                    demo: false,
                    entities: None,
                    reason: Some(reason),
                }),
            )
        }
    }
}
