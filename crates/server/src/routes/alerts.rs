//! The analysts' queue: `GET /v1/alerts`, `GET /v1/alerts/{id}` (the alert with its input,
//! the listed entity, the explanation and the history, gathered by `screen::audit::review`) and
//! `POST /v1/alerts/{id}/decision` (a write key; the reviewer is the key's name; four eyes
//! and the whitelist are the store's rules).

use super::engine;
use crate::errors::{ApiError, ApiPath, ApiQuery, JsonBody};
use crate::recording::{self, Caller};
use crate::routes::entities::{entity_out, EntityOut};
use crate::state::AppState;
use crate::types::{Explain, MatchOut};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use store::{Alert, AlertEvent, AlertFilter, Decision, Disposition};
use utoipa::{IntoParams, ToSchema};

/// An alert: one (input identity, listed entity) pair at or above the threshold.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertOut {
    /// The alert's number, in opening order (`GET /v1/alerts/{id}`).
    pub id: i64,
    /// Who or what was screened: a customer key, `document:…`, `payment:…`, or `input:…`
    /// (derived from the input).
    pub identity: String,
    /// `list:list_id`
    pub entity_id: String,
    /// The entity's list key.
    pub list: String,
    /// The entity's caption in the opening screening.
    pub caption: String,
    /// The entity's name that matched best in the opening screening, as published.
    pub matched_name: String,
    /// The entity's score in the opening screening (0-1).
    pub score: f64,
    /// The threshold of the opening screening.
    pub threshold: f64,
    /// The snapshot the opening screening ran against.
    pub snapshot: String,
    /// The screening record that opened the alert.
    pub screening_seq: i64,
    /// `open`, `escalated`, `pending_second_review` or `closed`.
    pub status: String,
    /// `true_match`, `false_positive` or `needs_escalation`, once closed.
    pub disposition: Option<String>,
    /// The first reviewer of a true match awaiting a second one.
    pub first_reviewer: Option<String>,
    /// When the alert opened (RFC 3339, UTC, milliseconds).
    pub created_at: String,
    /// When a decision last changed it; `created_at` until then.
    pub updated_at: String,
}

impl From<&Alert> for AlertOut {
    fn from(a: &Alert) -> Self {
        AlertOut {
            id: a.id,
            identity: a.identity.clone(),
            entity_id: a.entity_id.clone(),
            list: a.list.clone(),
            caption: a.caption.clone(),
            matched_name: a.matched_name.clone(),
            score: a.score,
            threshold: a.threshold,
            snapshot: a.snapshot.clone(),
            screening_seq: a.screening_seq,
            status: a.status.as_str().to_string(),
            disposition: a.disposition.map(|d| d.as_str().to_string()),
            first_reviewer: a.first_reviewer.clone(),
            created_at: a.created_at.clone(),
            updated_at: a.updated_at.clone(),
        }
    }
}

/// Filters of the alert list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertsParams {
    /// `queue` (open, escalated, pending_second_review; default), `open`, `escalated`,
    /// `pending_second_review`, `closed` or `all`.
    pub status: Option<String>,
    /// Most alerts (1-1000, default 100).
    pub limit: Option<usize>,
    /// Only this input identity.
    pub identity: Option<String>,
    /// Only this entity (`list:list_id`).
    pub entity: Option<String>,
    /// Only alerts with an id below this (paging, newest first).
    pub before: Option<i64>,
}

/// Alerts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsResponse {
    /// The alerts, newest first, at most `limit`.
    pub alerts: Vec<AlertOut>,
    /// The status filter applied.
    pub status: String,
}

/// List alerts (default: the queue), newest first.
#[utoipa::path(
    get, path = "/v1/alerts", tag = "alerts",
    params(AlertsParams),
    responses(
        (status = 200, description = "Alerts, newest first", body = AlertsResponse),
        (status = 400, description = "An unknown status or a bad limit", body = crate::errors::ErrorBody),
        (status = 503, description = "No audit-trail store (start with --record or --database), or the database is down", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<AlertsParams>,
) -> Result<Json<AlertsResponse>, ApiError> {
    let status = p.status.unwrap_or_else(|| "queue".into());
    let statuses = screen::audit::review::statuses(&status).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_parameter",
            "status must be queue, open, escalated, pending_second_review, closed or all",
        )
    })?;
    let limit = super::check_limit(p.limit, 100, 1000)?;
    let filter = AlertFilter {
        statuses,
        identity: p.identity,
        entity_id: p.entity,
        before_id: p.before,
        limit,
    };
    let alerts = recording::blocking(&state, move |s| s.alerts(&filter)).await?;
    Ok(Json(AlertsResponse {
        alerts: alerts.iter().map(AlertOut::from).collect(),
        status,
    }))
}

/// The screening that opened an alert.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningOut {
    /// The screening record's number in the audit trail.
    pub seq: i64,
    /// When it was recorded (RFC 3339, UTC, milliseconds).
    pub created_at: String,
    /// Who screened (an API key's name, an operating-system user).
    pub actor: String,
    /// `api`, `document`, `payment`, `batch`, `cli`, `monitor`, `rescreen`.
    pub source: String,
    /// The snapshot version screened against.
    pub snapshot: String,
    /// The screening's alert threshold.
    pub threshold: f64,
    /// The key the screening was recorded under.
    pub idempotency_key: String,
}

/// One entry of an alert's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    /// The event's number in the event chain all alerts share (one alert's events have gaps
    /// in between).
    pub seq: i64,
    /// When (RFC 3339, UTC, milliseconds).
    pub at: String,
    /// `opened`, `hit`, `decision`, `entity_changed`, `entity_removed`.
    pub kind: String,
    /// Who: the screening's actor (`opened`, `hit`), the reviewer (`decision`), the actor of
    /// the rescreen that noted an entity change.
    pub actor: String,
    /// The reviewer's note for a decision, a sentence for an entity change, empty otherwise.
    pub note: String,
    /// Details: `screening`, `score`, `snapshot` (`opened`, `hit`); `decision`, `status`,
    /// `whitelist`, `disagreement` (`decision`); `snapshot`, `fields` (entity changes).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<&AlertEvent> for EventOut {
    fn from(e: &AlertEvent) -> Self {
        EventOut {
            seq: e.seq,
            at: e.at.clone(),
            kind: e.kind.clone(),
            actor: e.actor.clone(),
            note: e.note.clone(),
            data: e.data.clone(),
        }
    }
}

/// An alert with everything needed to decide it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertCaseOut {
    /// The alert.
    pub alert: AlertOut,
    /// The screened input as recorded: `query` (names, schema, birth dates, countries,
    /// identifiers) and, for documents, payments and roster rows, `context` (where the names
    /// were found).
    #[schema(value_type = Object)]
    pub input: serde_json::Value,
    /// The screening that opened the alert (null when its record is not found).
    pub screening: Option<ScreeningOut>,
    /// The listed entity as it was in the alert's snapshot (absent when the data directory
    /// no longer holds it).
    pub entity: Option<EntityOut>,
    /// The stored result for the entity: score, highlighted names, plain sentences and the
    /// structured explanation.
    pub result: Option<MatchOut>,
    /// The history, oldest first.
    pub events: Vec<EventOut>,
}

/// One alert: the input beside the listed entity, why it scored, and its history.
#[utoipa::path(
    get, path = "/v1/alerts/{id}", tag = "alerts",
    params(("id" = i64, Path, description = "The alert number")),
    responses(
        (status = 200, description = "The alert for review", body = AlertCaseOut),
        (status = 404, description = "No such alert", body = crate::errors::ErrorBody),
        (status = 503, description = "No audit-trail store, or the database is down", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AlertCaseOut>, ApiError> {
    let root = state.data_dir.clone();
    let case = recording::blocking(&state, move |s| screen::audit::review::case(s, &root, id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no alert #{id}")))?;
    let engine = engine(&state).ok();
    let threshold = case.alert.threshold as f32;
    let entity = match (case.entity, engine) {
        (Some(e), Some(engine)) => {
            tokio::task::spawn_blocking(move || Some(entity_out(e, &engine)))
                .await
                .map_err(|e| ApiError::internal("reading the entity", &e))?
        }
        _ => None,
    };
    let screening = case.screening.as_ref();
    Ok(Json(AlertCaseOut {
        alert: AlertOut::from(&case.alert),
        input: screening
            .map(|s| s.input.clone())
            .unwrap_or(serde_json::Value::Null),
        screening: screening.map(|s| ScreeningOut {
            seq: s.seq,
            created_at: s.created_at.clone(),
            actor: s.actor.clone(),
            source: s.source.clone(),
            snapshot: s.snapshot.clone(),
            threshold: s.threshold,
            idempotency_key: s.idempotency_key.clone(),
        }),
        entity,
        result: case
            .result
            .as_ref()
            .map(|m| MatchOut::new(m, threshold, Explain::Full)),
        events: case.events.iter().map(EventOut::from).collect(),
    }))
}

/// An analyst's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "false_positive", "note": "different date of birth on the passport copy", "whitelist": true}))]
pub struct DecisionRequest {
    /// `true_match`, `false_positive` or `escalate` (also `needs_escalation`).
    pub decision: String,
    /// Why (required): what was compared, which document, who was asked.
    pub note: String,
    /// With `false_positive`: do not alert on this input and entity again until the
    /// entity's record changes.
    #[serde(default)]
    pub whitelist: bool,
}

/// The alert after the decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResponse {
    /// The alert as the decision left it.
    pub alert: AlertOut,
    /// The reviewer recorded: the API key's name.
    pub reviewer: String,
    /// What the decision did, in words.
    pub outcome: String,
}

/// Record a decision on an alert.
///
/// Needs a key with the write role; the reviewer is the key's name. Four eyes: the first
/// `true_match` puts the alert in `pending_second_review`, and only a different reviewer's
/// `true_match` closes it (the same reviewer is refused with 409 `refused`); a
/// `false_positive` on an alert pending a second review means the reviewers disagree and
/// escalates it. A request repeating an `Idempotency-Key` of the same key gets the first
/// answer.
#[utoipa::path(
    post, path = "/v1/alerts/{id}/decision", tag = "alerts",
    params(("id" = i64, Path, description = "The alert number"), ("Idempotency-Key" = Option<String>, Header, description = "A retried decision returns the first answer")),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "The alert after the decision", body = DecisionResponse),
        (status = 400, description = "An unknown decision, an empty note", body = crate::errors::ErrorBody),
        (status = 401, description = "No key, or not a valid one", body = crate::errors::ErrorBody),
        (status = 403, description = "The key has the read role only", body = crate::errors::ErrorBody),
        (status = 404, description = "No such alert", body = crate::errors::ErrorBody),
        (status = 409, description = "Refused by the alert's state: the same reviewer twice on a true match, a closed alert", body = crate::errors::ErrorBody),
        (status = 503, description = "No audit-trail store, or the database is down", body = crate::errors::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn decide(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    JsonBody(req): JsonBody<DecisionRequest>,
) -> Result<Response, ApiError> {
    let key = recording::idempotency_key(&headers)?;
    let reviewer = caller.actor();
    let replay_key = key.map(|k| format!("{id}:{k}"));
    if let Some(k) = &replay_key {
        if let Some(answer) = state.decisions.get(&reviewer, k) {
            return Ok(Json(answer).into_response());
        }
    }
    let disposition = match req.decision.trim() {
        "escalate" => Some(Disposition::NeedsEscalation),
        d => Disposition::parse(d),
    }
    .ok_or_else(|| {
        ApiError::bad_request(
            "invalid_value",
            format!(
                "decision {:?}: use true_match, false_positive or escalate",
                req.decision.chars().take(40).collect::<String>()
            ),
        )
    })?;
    if req.note.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid_value",
            "a decision needs a note saying why",
        ));
    }
    if req.whitelist && disposition != Disposition::FalsePositive {
        return Err(ApiError::bad_request(
            "invalid_value",
            "whitelist goes with false_positive only",
        ));
    }
    let decision = Decision {
        alert_id: id,
        disposition,
        note: req.note.trim().to_string(),
        reviewer: reviewer.clone(),
        whitelist: req.whitelist,
    };
    let alert = recording::blocking(&state, move |s| s.decide(&decision)).await?;
    let outcome = match alert.status {
        store::AlertStatus::PendingSecondReview => format!(
            "awaits a second reviewer (other than {}) to confirm the true match",
            alert.first_reviewer.as_deref().unwrap_or("?")
        ),
        store::AlertStatus::Closed => format!(
            "closed as {}{}",
            alert
                .disposition
                .map(|d| d.as_str().replace('_', " "))
                .unwrap_or_default(),
            if req.whitelist {
                "; the pair is whitelisted until the entity's record changes"
            } else {
                ""
            }
        ),
        s => s.as_str().replace('_', " "),
    };
    let answer = DecisionResponse {
        alert: AlertOut::from(&alert),
        reviewer: reviewer.clone(),
        outcome,
    };
    let value =
        serde_json::to_value(&answer).map_err(|e| ApiError::internal("the decision", &e))?;
    if let Some(k) = &replay_key {
        state.decisions.put(&reviewer, k, value.clone());
    }
    Ok(Json(value).into_response())
}
