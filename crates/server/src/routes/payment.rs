//! `POST /v1/screen/payment`: screen a payment message (ISO 20022 pacs.008 / pain.001, SWIFT
//! MT103 / MT101) with `screen::payment`, as `watchlist payment` does.

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
use screen::payment::{self, HitKind, Message, PaymentError, PaymentScreener, Screened};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Largest message accepted (besides the server's body limit).
const MAX_BYTES: usize = 64 << 20;

/// A payment message in JSON form (the message may also be sent as the body itself, with
/// the options as query parameters).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// The message as text: ISO 20022 XML or a SWIFT FIN message (`{1:…}{2:…}{4:…-}`).
    pub message: String,
    /// Alert threshold (0-1; default: the matcher's calibrated threshold).
    #[serde(default)]
    pub threshold: Option<f32>,
    /// Only these lists.
    #[serde(default)]
    pub lists: Option<Vec<String>>,
}

/// Options when the message is the body itself.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentParams {
    /// Alert threshold (0-1).
    pub threshold: Option<f32>,
    /// Only these lists, comma-separated keys.
    pub lists: Option<String>,
}

/// One hit, naming the message field.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentHitOut {
    /// `name` (a party's or agent's name matched), `identifier` (a BIC or LEI is listed),
    /// `mention` (a listed entity named in free text) or `region` (a sanctioned country or
    /// region: an address, a country, a BIC's country, a place in text).
    pub kind: String,
    /// The message field: `CdtTrfTxInf[1]/Cdtr/Nm`, `:59:`, …
    #[schema(example = "CdtTrfTxInf[1]/Cdtr/Nm")]
    pub field: String,
    /// The value screened (for mentions: the text as written).
    pub value: String,
    /// The party's role (`debtor`, `creditor`, `creditor_agent`, `ordering_customer`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The listed entity, for name, identifier and mention hits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<EntityHitOut>,
    /// The region rule that fired, for region hits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionOut>,
}

/// One message screened.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    /// `pacs.008.001.08`, `pain.001.001.03`, `MT103`, …
    pub format: String,
    /// The message's reference (`MsgId`, `:20:`).
    pub reference: Option<String>,
    /// Parties and agents screened.
    pub parties: usize,
    /// Every hit: the parties' first (in message order), then those in the free text.
    pub hits: Vec<PaymentHitOut>,
    /// Present when the server records screenings (`--record`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<RecordedOut>,
}

/// The screened messages (a file may hold several).
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentResponse {
    /// The messages, in the order of the file.
    pub messages: Vec<MessageOut>,
    /// The threshold applied: the request's, else the matcher's.
    pub threshold: f32,
    /// The snapshot screened against.
    pub snapshot: SnapshotRef,
    /// Present when the server holds only the built-in demo list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Screen a payment message.
///
/// Every party and agent (names with their country and identifiers as evidence, BICs
/// against the identifiers the lists publish, BIC countries), the free text (remittance
/// information, instructions, MT 70/72/77B: scanned like a document) and the addresses (the
/// sanctioned-region rules). Each hit names its message field. The format is decided from the
/// content. XML with a DOCTYPE (and so any entity definition) is refused; a malformed message
/// is a 400 whose `position` says where.
#[utoipa::path(
    post, path = "/v1/screen/payment", tag = "payments",
    params(PaymentParams, ("Idempotency-Key" = Option<String>, Header, description = "Makes the recording idempotent (with --record)")),
    request_body(content(
        (String = "application/xml"),
        (String = "text/plain"),
        (PaymentRequest = "application/json"),
    )),
    responses(
        (status = 200, description = "Hits per message, each naming its field", body = PaymentResponse),
        (status = 400, description = "Not a payment message, malformed XML or FIN (with the position), a DOCTYPE, an unknown list", body = crate::errors::ErrorBody),
        (status = 413, description = "Body larger than the limit", body = crate::errors::ErrorBody),
        (status = 503, description = "No snapshot loaded yet, or the audit-trail database is down (with --record)", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn post(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<PaymentParams>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PaymentResponse>, ApiError> {
    let body = body.map_err(bytes_rejection)?;
    let key = recording::idempotency_key(&headers)?;
    let ctype = super::content_type(&headers);
    let (bytes, threshold, lists) = if ctype.starts_with("application/json") {
        let r: PaymentRequest = parse_json(&body)?;
        (Bytes::from(r.message), r.threshold, r.lists)
    } else {
        (
            body,
            params.threshold,
            super::split_lists(params.lists.as_deref()),
        )
    };
    if bytes.len() > MAX_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the message is larger than 64 MiB; not a payment message",
        ));
    }
    let engine = engine(&state)?;
    let threshold = super::check_score("threshold", threshold)?;
    if let Some(l) = &lists {
        validate_lists(&engine, l)?;
    }
    let messages = payment::parse("the message", &bytes).map_err(payment_error)?;
    let permit = state
        .screening
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::internal("screening", &e))?;
    let e = engine.clone();
    let l = lists.clone();
    let (messages, screened) = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let screener = PaymentScreener::new(e.matcher(), threshold, l);
        let screened: Vec<Screened> = messages.iter().map(|m| screener.screen(m)).collect();
        (messages, screened)
    })
    .await
    .map_err(|e| ApiError::internal("screening", &e))?;
    let threshold = threshold.unwrap_or(engine.matcher().config().threshold);
    let mut recorded: Vec<Option<RecordedOut>> = vec![None; screened.len()];
    if state.record {
        let many = messages.len() > 1;
        let batch: Vec<store::NewScreening> = messages
            .iter()
            .zip(&screened)
            .enumerate()
            .map(|(i, (m, s))| {
                let mut r = payment_screening(&engine, &caller, m, s, threshold, &lists);
                r.idempotency_key = if many {
                    recording::part_key(key.as_deref(), &format!("message{}", i + 1))
                } else {
                    key.clone()
                };
                r
            })
            .collect();
        if let Some(done) = recording::record(&state, batch).await? {
            recorded = done.into_iter().map(Some).collect();
        }
    }
    Ok(Json(PaymentResponse {
        messages: screened
            .iter()
            .zip(recorded)
            .map(|(s, recorded)| MessageOut {
                format: s.format.clone(),
                reference: s.reference.clone(),
                parties: s.parties,
                hits: s
                    .hits
                    .iter()
                    .map(|h| PaymentHitOut {
                        kind: kind_name(h.kind).to_string(),
                        field: h.field.clone(),
                        value: h.value.clone(),
                        role: h.role.clone(),
                        entity: h.entity.as_ref().map(|e| EntityHitOut::new(e, threshold)),
                        region: h.region.as_ref().map(RegionOut::from),
                    })
                    .collect(),
                recorded,
            })
            .collect(),
        threshold,
        snapshot: SnapshotRef::of(&engine),
        warning: engine.demo.then(|| super::DEMO_WARNING.to_string()),
    }))
}

fn kind_name(k: HitKind) -> &'static str {
    match k {
        HitKind::Name => "name",
        HitKind::Identifier => "identifier",
        HitKind::Mention => "mention",
        HitKind::Region => "region",
    }
}

/// A message that cannot be read, as a 400 with the position.
fn payment_error(e: PaymentError) -> ApiError {
    match e {
        PaymentError::Parse(p) => {
            let pos = crate::errors::ErrorPosition {
                line: p.position.line,
                column: p.position.column,
                byte: p.position.byte,
            };
            let mut err = ApiError::bad_request("invalid_message", p.to_string());
            if pos.line.is_some() || pos.byte.is_some() {
                err = err.at(pos);
            }
            err
        }
        PaymentError::Unknown { .. } => ApiError::bad_request("unknown_format", e.to_string()),
    }
}

/// The audit record of a screened message: the parties' names, countries and identifiers as
/// the query, the listed entities hit (best score each) as results, the hits with their
/// fields as context.
fn payment_screening(
    engine: &engine::Engine,
    caller: &Caller,
    m: &Message,
    s: &Screened,
    threshold: f32,
    lists: &Option<Vec<String>>,
) -> store::NewScreening {
    let mut q = matcher::Query::default();
    for p in &m.parties {
        if let Some(n) = p.name.as_ref().filter(|n| !n.value.trim().is_empty()) {
            if !q.names.contains(&n.value) {
                q.names.push(n.value.clone());
            }
        }
        if let Some(c) = &p.country {
            let c = c.value.to_ascii_lowercase();
            if model::country::is_code(&c) && !q.countries.contains(&c) {
                q.countries.push(c);
            }
        }
        for i in &p.identifiers {
            if !q.identifiers.contains(&i.value) {
                q.identifiers.push(i.value.clone());
            }
        }
    }
    let mut best: BTreeMap<String, matcher::Match> = BTreeMap::new();
    for e in s.hits.iter().filter_map(|h| h.entity.as_ref()) {
        if best.get(&e.entity_id).is_none_or(|b| b.score < e.score) {
            best.insert(e.entity_id.clone(), e.to_match());
        }
    }
    let mut results: Vec<matcher::Match> = best.into_values().collect();
    results.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut r = screen::audit::record::new_screening(
        engine,
        q,
        results,
        Some(threshold),
        serde_json::json!({ "lists": lists }),
        &caller.actor(),
        "payment",
    );
    if let Some(reference) = m.reference.as_ref().filter(|x| !x.trim().is_empty()) {
        r.identity = Some(format!("payment:{reference}"));
    }
    r.context = Some(serde_json::json!({
        "kind": "payment",
        "format": m.format,
        "reference": m.reference,
        "hits": s.hits.iter().map(|h| serde_json::json!({
            "kind": kind_name(h.kind),
            "field": h.field,
            "value": h.value,
            "role": h.role,
            "entity_id": h.entity.as_ref().map(|e| e.entity_id.clone()),
            "rule": h.region.as_ref().map(|g| g.rule.clone()),
        })).collect::<Vec<_>>(),
    }));
    r
}
