//! `GET /metrics`: Prometheus text format.

use crate::metrics::escape;
use crate::routes::lists::age_seconds;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::fmt::Write;

/// Metrics in the Prometheus text format.
///
/// Requests by route template, method and status; latency histograms by route; queries
/// screened, results and matches returned; reloads; the snapshot's age, size and version.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn get(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = String::with_capacity(8192);
    state.metrics.render(&mut out);
    let _ = writeln!(out, "# HELP watchlist_uptime_seconds Seconds since the server started.\n# TYPE watchlist_uptime_seconds gauge\nwatchlist_uptime_seconds {}", state.started.elapsed().as_secs());
    out.push_str("# HELP watchlist_snapshot_loaded 1 when a snapshot is in service.\n# TYPE watchlist_snapshot_loaded gauge\n");
    match state.engine() {
        None => out.push_str("watchlist_snapshot_loaded 0\n"),
        Some(e) => {
            let m = &e.snapshot.manifest;
            out.push_str("watchlist_snapshot_loaded 1\n");
            out.push_str("# HELP watchlist_snapshot_info The snapshot in service (value 1).\n# TYPE watchlist_snapshot_info gauge\n");
            let _ = writeln!(
                out,
                "watchlist_snapshot_info{{version=\"{}\",seq=\"{}\",created=\"{}\",demo=\"{}\"}} 1",
                escape(&m.version),
                m.seq,
                escape(&m.created),
                e.demo
            );
            out.push_str("# HELP watchlist_snapshot_age_seconds Seconds since the snapshot in service was made.\n# TYPE watchlist_snapshot_age_seconds gauge\n");
            let _ = writeln!(
                out,
                "watchlist_snapshot_age_seconds {}",
                age_seconds(&m.created).unwrap_or(0)
            );
            out.push_str("# HELP watchlist_snapshot_entities Entities in the snapshot in service.\n# TYPE watchlist_snapshot_entities gauge\n");
            let _ = writeln!(out, "watchlist_snapshot_entities {}", m.entity_count());
            out.push_str("# HELP watchlist_list_age_seconds Seconds since each list in service was imported.\n# TYPE watchlist_list_age_seconds gauge\n");
            for l in m.lists.values() {
                let _ = writeln!(
                    out,
                    "watchlist_list_age_seconds{{list=\"{}\"}} {}",
                    escape(&l.list),
                    age_seconds(&l.imported_at).unwrap_or(0)
                );
            }
            out.push_str("# HELP watchlist_list_entities Entities per list in service.\n# TYPE watchlist_list_entities gauge\n");
            for l in m.lists.values() {
                let _ = writeln!(
                    out,
                    "watchlist_list_entities{{list=\"{}\"}} {}",
                    escape(&l.list),
                    l.entity_count
                );
            }
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
}
