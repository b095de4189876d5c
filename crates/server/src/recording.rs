//! The audit trail as the server uses it: the store, recording screenings, the caller as
//! actor, idempotency keys, and store errors as API errors.
//!
//! - **Store.** Opened at start (see [`crate::ServeOptions::database`]). The store's trait is
//!   synchronous, so every call runs on a blocking thread ([`blocking`]).
//! - **Recording** (`--record`): every screening of `/v1/match`, `/v1/scan`,
//!   `/v1/screen/payment` and `/v1/screen/batch` is recorded before its answer is sent, with
//!   the API key's name as actor (`anonymous` without a key); a screening that cannot be
//!   recorded is answered with an error and no results, as `watchlist screen --record` does.
//!   What one record holds per endpoint: one per query of `/v1/match`; one per document
//!   (the names mentioned as the query, the mentioned entities as results); one per payment
//!   message (its party names, countries and identifiers as the query, the listed entities
//!   hit as results); one per roster row.
//! - **Idempotency.** A request may carry an `Idempotency-Key` header: the record's key is
//!   derived from it (suffixed with the query id, the message number or the row number when
//!   one request makes several records), so a re-delivered request returns the first
//!   records and opens no second alert. Without the header the store derives the key from the
//!   input, the snapshot and the options. A decision (`POST /v1/alerts/{id}/decision`) with a
//!   key already answered by this server returns the first answer again ([`Replays`]).

use crate::errors::ApiError;
use crate::state::AppState;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use store::{NewScreening, Recorded, Store, StoreError};
use utoipa::ToSchema;

/// The caller of a request: the name of the API key it presented, if any. Put in the
/// request's extensions by the key check.
#[derive(Debug, Clone, Default)]
pub struct Caller(pub Option<String>);

impl Caller {
    /// The actor recorded for this caller: the key's name, or `anonymous`.
    pub fn actor(&self) -> String {
        self.0.clone().unwrap_or_else(|| "anonymous".to_string())
    }
}

/// The `Idempotency-Key` header, checked: 1-200 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let bad = || {
        ApiError::bad_request(
            "invalid_idempotency_key",
            "the Idempotency-Key header must be 1 to 200 visible ASCII characters",
        )
    };
    let s = v.to_str().map_err(|_| bad())?.trim();
    if s.is_empty() || s.len() > 200 || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    Ok(Some(s.to_string()))
}

/// The record key of part `part` of a request with idempotency key `key`.
pub fn part_key(key: Option<&str>, part: &str) -> Option<String> {
    key.map(|k| format!("{k}:{part}"))
}

/// The store, or an error saying the server runs without one.
pub fn store(state: &AppState) -> Result<Arc<dyn Store>, ApiError> {
    state.store.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_store",
            "the server runs without an audit-trail store: start it with --record or --database URL",
        )
    })
}

/// A store error as the API answers it.
pub fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Unavailable { .. } | StoreError::Busy(_) => {
            tracing::error!("audit-trail store: {e}");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "the audit-trail database cannot be reached; nothing was recorded; retry later",
            )
        }
        StoreError::IdempotencyConflict { .. } => {
            ApiError::new(StatusCode::CONFLICT, "idempotency_conflict", e.to_string())
        }
        StoreError::NoAlert(id) => ApiError::not_found(format!("no alert #{id}")),
        StoreError::Refused(msg) => ApiError::new(StatusCode::CONFLICT, "refused", msg),
        StoreError::Input(msg) => ApiError::bad_request("invalid_value", msg),
        other => ApiError::internal("the audit-trail store", &other),
    }
}

/// Runs `f` with the store on a blocking thread.
pub async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&dyn Store) -> store::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let s = store(state)?;
    tokio::task::spawn_blocking(move || f(&*s))
        .await
        .map_err(|e| ApiError::internal("the audit-trail store", &e))?
        .map_err(store_error)
}

/// Records screenings when the server records (`--record`); `None` otherwise.
pub async fn record(
    state: &AppState,
    batch: Vec<NewScreening>,
) -> Result<Option<Vec<RecordedOut>>, ApiError> {
    if !state.record || batch.is_empty() {
        return Ok(None);
    }
    let done = blocking(state, move |s| s.record(&batch)).await?;
    Ok(Some(done.iter().map(RecordedOut::from).collect()))
}

/// What recording a screening did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordedOut {
    /// The screening record's number in the audit trail.
    pub seq: i64,
    /// The key the record is stored under: the request's `Idempotency-Key` (with `:ID`,
    /// `:messageN` or `:rowN` when one request makes several records), else one derived from
    /// the input, the snapshot and the options.
    pub idempotency_key: String,
    /// The identity alerts are kept per (derived from the input when none was given).
    pub identity: String,
    /// True when the key was recorded before: nothing new was written.
    pub duplicate: bool,
    /// Alerts this screening opened (for a duplicate: those the first delivery opened).
    pub alerts_opened: Vec<i64>,
    /// Open alerts of the same identity and entity that this screening hit again.
    pub alerts_hit: Vec<i64>,
    /// Entities not alerted on because a false-positive decision whitelisted the pair.
    pub whitelisted: Vec<String>,
}

impl From<&Recorded> for RecordedOut {
    fn from(r: &Recorded) -> Self {
        RecordedOut {
            seq: r.seq,
            idempotency_key: r.idempotency_key.clone(),
            identity: r.identity.clone(),
            duplicate: r.duplicate,
            alerts_opened: r.alerts_opened.clone(),
            alerts_hit: r.alerts_hit.clone(),
            whitelisted: r.whitelisted.clone(),
        }
    }
}

/// Most decision answers kept for replay.
pub const REPLAYS_MAX: usize = 10_000;

/// Answers already given, by (API key name, idempotency key): a retried request gets the
/// first answer instead of being applied twice. In memory, the newest [`REPLAYS_MAX`].
#[derive(Debug, Default)]
pub struct Replays {
    inner: Mutex<ReplayMap>,
}

/// (key name, idempotency key) → answer, and the keys oldest first.
type ReplayKey = (String, String);

#[derive(Debug, Default)]
struct ReplayMap {
    answers: HashMap<ReplayKey, serde_json::Value>,
    order: VecDeque<ReplayKey>,
}

impl Replays {
    /// The answer given to `actor`'s request with idempotency key `key`, while it is kept.
    pub fn get(&self, actor: &str, key: &str) -> Option<serde_json::Value> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.answers
            .get(&(actor.to_string(), key.to_string()))
            .cloned()
    }

    /// Keeps `answer` for (`actor`, `key`), replacing an earlier one; the oldest beyond
    /// [`REPLAYS_MAX`] are dropped.
    pub fn put(&self, actor: &str, key: &str, answer: serde_json::Value) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let k = (actor.to_string(), key.to_string());
        if g.answers.insert(k.clone(), answer).is_none() {
            g.order.push_back(k);
        }
        while g.order.len() > REPLAYS_MAX {
            if let Some(old) = g.order.pop_front() {
                g.answers.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_checked() {
        let mut h = HeaderMap::new();
        assert_eq!(idempotency_key(&h).unwrap(), None);
        h.insert("idempotency-key", "abc-123".parse().unwrap());
        assert_eq!(idempotency_key(&h).unwrap().as_deref(), Some("abc-123"));
        h.insert("idempotency-key", "a b".parse().unwrap());
        assert_eq!(
            idempotency_key(&h).unwrap_err().code,
            "invalid_idempotency_key"
        );
        assert_eq!(part_key(Some("k"), "q1").as_deref(), Some("k:q1"));
    }

    #[test]
    fn replays_keep_the_newest_answers() {
        let r = Replays::default();
        r.put("a", "k", serde_json::json!(1));
        assert_eq!(r.get("a", "k"), Some(serde_json::json!(1)));
        assert_eq!(r.get("b", "k"), None);
    }
}
