//! The records the store keeps, as callers see them.

use model::{Match, Query};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A screening to record.
#[derive(Debug, Clone)]
pub struct NewScreening {
    /// The caller's idempotency key; `None` derives one from the input, the snapshot and the
    /// options (see [`crate::record::derive_key`]).
    pub idempotency_key: Option<String>,
    /// Who screened: an API key's name, or the operating-system user.
    pub actor: String,
    /// What screened: `cli`, `server`, `batch`, `monitor`, `rescreen`, `payment`, `document`…
    pub source: String,
    /// The identity of the screened party (a customer number, a monitored record's key);
    /// `None` derives one from the input (see [`crate::record::derive_identity`]).
    pub identity: Option<String>,
    /// The query as screened.
    pub query: Query,
    /// Anything else the caller wants kept with the input (a payment's reference, a document
    /// name); stored beside the query.
    pub context: Option<serde_json::Value>,
    /// The snapshot version screened against.
    pub snapshot: String,
    /// `matcher::MATCHER_VERSION` of the matcher that scored.
    pub matcher_version: String,
    /// The alert threshold: results scoring at or above it open (or hit) alerts.
    pub threshold: f32,
    /// Options that change the results (limit, lists); part of the derived key.
    pub options: serde_json::Value,
    /// The results, with explanations, as returned by the matcher.
    pub results: Vec<Match>,
    /// The [`crate::entity_hash`] of each entity whose result is at or above the threshold.
    pub entity_hashes: BTreeMap<String, String>,
    /// When set, alerts open only for these entities (a delta rescreen records the whole
    /// result but alerts only on what was added or changed).
    pub alert_scope: Option<BTreeSet<String>>,
    /// The key of the monitored record screened, if it is one: its `screened_snapshot` is
    /// set in the same transaction.
    pub monitored: Option<String>,
}

/// What recording one screening did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// The record's position in the chain.
    pub seq: i64,
    /// The key the record is stored under: the caller's, or the derived one.
    pub idempotency_key: String,
    /// The input identity the record and its alerts are filed under: the caller's, or
    /// `input:` and a hash of the query ([`crate::record::derive_identity`]).
    pub identity: String,
    /// True when the key was already stored: nothing new was written.
    pub duplicate: bool,
    /// Alerts this screening opened (for a duplicate: the ones the first delivery opened).
    pub alerts_opened: Vec<i64>,
    /// Open alerts of the same (identity, entity) that this screening hit again.
    pub alerts_hit: Vec<i64>,
    /// Entities at or above the threshold that a false-positive decision whitelisted.
    pub whitelisted: Vec<String>,
}

/// A stored screening record. `input` and `results` are kept as the JSON that was written,
/// so that records stay readable when the matcher's types change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningRecord {
    /// The record's position in the screening chain: 1, 2, … without gaps.
    pub seq: i64,
    /// The key it was recorded under (see [`Recorded::idempotency_key`]).
    pub idempotency_key: String,
    /// When it was recorded: RFC 3339, UTC, milliseconds.
    pub created_at: String,
    /// Who screened: an API key's name, or the operating-system user.
    pub actor: String,
    /// What screened: `cli`, `server`, `batch`, `monitor`, …
    pub source: String,
    /// The input identity its alerts are filed under.
    pub identity: String,
    /// The input as stored: `{"query": …, "context": …}` ([`crate::record::input_json`]).
    pub input: serde_json::Value,
    /// The snapshot version screened against.
    pub snapshot: String,
    /// `matcher::MATCHER_VERSION` of the matcher that scored.
    pub matcher_version: String,
    /// The alert threshold of the screening.
    pub threshold: f64,
    /// The matches with their explanations (a JSON array of `model::Match`).
    pub results: serde_json::Value,
    /// The `hash` of the record before it; [`crate::chain::GENESIS`] for the first.
    pub prev_hash: String,
    /// This link's hash over the chain's name, `prev_hash`, `seq` and the record's content
    /// ([`crate::chain::link_hash`]).
    pub hash: String,
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// Waiting for a reviewer.
    Open,
    /// A reviewer asked for escalation, or two reviewers disagreed.
    Escalated,
    /// One reviewer found a true match; a second, different reviewer must confirm.
    PendingSecondReview,
    /// Decided.
    Closed,
}

impl AlertStatus {
    /// The name stored in the database and used in JSON (`open`, `pending_second_review`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Escalated => "escalated",
            AlertStatus::PendingSecondReview => "pending_second_review",
            AlertStatus::Closed => "closed",
        }
    }

    /// Reads a name [`AlertStatus::as_str`] gives (exactly); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => AlertStatus::Open,
            "escalated" => AlertStatus::Escalated,
            "pending_second_review" => AlertStatus::PendingSecondReview,
            "closed" => AlertStatus::Closed,
            _ => return None,
        })
    }
}

/// An analyst's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// The party is the listed entity; closing the alert takes two different reviewers.
    TrueMatch,
    /// The party is not the listed entity: closes the alert (escalates it when a true match
    /// awaits its second review).
    FalsePositive,
    /// The reviewer cannot decide: the alert goes to [`AlertStatus::Escalated`].
    NeedsEscalation,
}

impl Disposition {
    /// The name stored in the database and used in JSON (`true_match`, `false_positive`,
    /// `needs_escalation`).
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::TrueMatch => "true_match",
            Disposition::FalsePositive => "false_positive",
            Disposition::NeedsEscalation => "needs_escalation",
        }
    }

    /// Reads a name [`Disposition::as_str`] gives, also with `-` for `_` (`true-match`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.replace('-', "_").as_str() {
            "true_match" => Disposition::TrueMatch,
            "false_positive" => Disposition::FalsePositive,
            "needs_escalation" => Disposition::NeedsEscalation,
            _ => return None,
        })
    }
}

/// An alert: one (input identity, listed entity) pair at or above the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The alert's number, given by the database in opening order (`#12` in messages).
    pub id: i64,
    /// The input identity the alert is for (a customer number, `input:…`).
    pub identity: String,
    /// The listed entity, `list:list_id`.
    pub entity_id: String,
    /// The entity's list key.
    pub list: String,
    /// The entity's caption in the opening screening.
    pub caption: String,
    /// The entity's name that matched best in the opening screening, as published.
    pub matched_name: String,
    /// The entity's score in the opening screening.
    pub score: f64,
    /// The threshold of the opening screening.
    pub threshold: f64,
    /// The snapshot the opening screening ran against.
    pub snapshot: String,
    /// [`crate::entity_hash`] of the entity's record when the alert opened.
    pub entity_hash: String,
    /// The `seq` of the screening that opened the alert.
    pub screening_seq: i64,
    /// The idempotency key of the screening that opened the alert.
    pub opened_key: String,
    /// Where the alert stands in review: open, escalated, pending a second review, closed.
    pub status: AlertStatus,
    /// Set when closed.
    pub disposition: Option<Disposition>,
    /// The first reviewer of a true match awaiting a second one.
    pub first_reviewer: Option<String>,
    /// When the alert opened: RFC 3339, UTC, milliseconds.
    pub created_at: String,
    /// When a decision last changed it; its opening time until then.
    pub updated_at: String,
}

/// Which alerts to list.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    /// Only these statuses (none: every status).
    pub statuses: Vec<AlertStatus>,
    /// Only the alerts of this input identity.
    pub identity: Option<String>,
    /// Only the alerts on this listed entity (`list:list_id`).
    pub entity_id: Option<String>,
    /// Alerts with an id below this (paging newest first).
    pub before_id: Option<i64>,
    /// Most alerts returned (0: no limit).
    pub limit: usize,
}

impl AlertFilter {
    /// Alerts not closed yet: the work queue.
    pub fn queue() -> Self {
        AlertFilter {
            statuses: vec![
                AlertStatus::Open,
                AlertStatus::Escalated,
                AlertStatus::PendingSecondReview,
            ],
            ..Default::default()
        }
    }
}

/// One entry of an alert's history (hash-chained with every other alert event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// The event's position in the alert-event chain, which every alert shares (one
    /// alert's events have gaps in between).
    pub seq: i64,
    /// The alert it belongs to.
    pub alert_id: i64,
    /// When: RFC 3339, UTC, milliseconds.
    pub at: String,
    /// `opened`, `hit`, `decision`, `entity_changed`, `entity_removed`.
    pub kind: String,
    /// Who: the screening's actor (`opened`, `hit`), the reviewer (`decision`), or the actor
    /// of the rescreen that noted an entity change.
    pub actor: String,
    /// The reviewer's note for a decision, a sentence for an entity change, empty otherwise.
    pub note: String,
    /// Details as JSON: `screening`, `score`, `snapshot` (`opened`, `hit`); `decision`,
    /// `status`, `whitelist`, `disagreement` (`decision`); `snapshot`, `fields` (entity
    /// changes).
    pub data: serde_json::Value,
}

/// An analyst's decision on an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The id of the alert decided on.
    pub alert_id: i64,
    /// What the reviewer found; [`crate::alerts`] says how each one moves the alert.
    pub disposition: Disposition,
    /// Why; required.
    pub note: String,
    /// Who decides; required. The four-eyes rule compares it with the alert's
    /// `first_reviewer`.
    pub reviewer: String,
    /// With a false positive: do not alert on this (identity, entity) pair again until the
    /// entity's record changes.
    pub whitelist: bool,
}

/// A change to a listed entity to note on its open alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityNote {
    /// The listed entity, `list:list_id`.
    pub entity_id: String,
    /// `entity_removed` or `entity_changed`.
    pub kind: String,
    /// The snapshot that made the change.
    pub snapshot: String,
    /// The changed fields (for a change).
    pub fields: Vec<String>,
}

/// A monitored record: a customer, supplier or worker screened on every list change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitoredRecord {
    /// The caller's identifier (customer number…): the input identity of its alerts.
    pub key: String,
    /// `customer`, `supplier`, `worker` or anything the caller uses.
    pub kind: String,
    /// The query it is screened with, already read ([`model::QueryInput::read`]).
    pub query: Query,
    /// sha256 over the kind and the query: a record whose hash changes is screened again.
    pub record_hash: String,
}

/// One delta (or full) rescreen of the monitored records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RescreenRun {
    /// The run's number in the store; 0 until [`crate::Store::finish_rescreen`] writes it
    /// (a dry run keeps 0).
    #[serde(default)]
    pub id: i64,
    /// The snapshot the records had been screened against before (none for the first).
    pub from_snapshot: Option<String>,
    /// The snapshot the records were rescreened against; the monitoring cursor moves to it.
    pub to_snapshot: String,
    /// When the run started: RFC 3339, UTC, milliseconds.
    pub started_at: String,
    /// When the run finished, in the same form.
    pub finished_at: String,
    /// Who ran it; its screenings are recorded under the same actor.
    pub actor: String,
    /// Monitored records considered.
    pub records: u64,
    /// Records the delta index found close enough to rescreen.
    pub candidates: u64,
    /// Records rescreened with the full matcher and recorded.
    pub screened: u64,
    /// Alerts the run's screenings opened.
    pub alerts_opened: u64,
    /// Counts of the diff and timings, as JSON.
    pub summary: serde_json::Value,
}
