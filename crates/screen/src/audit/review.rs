//! What a reviewer needs to decide an alert, gathered in one place for `watchlist alerts show`
//! and the server's `GET /v1/alerts/{id}`: the alert, the screened input (the query and the
//! caller's context), the listed entity as it was in the snapshot the alert came from, the
//! stored result with its explanation, and the alert's history.

use model::Entity;
use model::{Match, Query};
use serde::Serialize;
use sources::snapshot::DataDir;
use std::path::Path;
use store::{Alert, AlertEvent, AlertFilter, AlertStatus, Result, ScreeningRecord, Store};

/// One alert with everything needed to review it.
#[derive(Debug, Clone, Serialize)]
pub struct AlertCase {
    /// The alert as stored.
    pub alert: Alert,
    /// The screening that opened the alert, as stored (`input` holds the query and the
    /// context).
    pub screening: Option<ScreeningRecord>,
    /// The query as screened (empty when the record cannot be read as one).
    pub query: Query,
    /// The entity as it was in the alert's snapshot (or in the snapshot in service, when that
    /// one is no longer in the data directory); `None` when neither holds it.
    pub entity: Option<Entity>,
    /// The stored result for the alert's entity, with its explanation (plain-language word
    /// reasons filled in: only the reason code is stored).
    pub result: Option<Match>,
    /// The alert's history, oldest first.
    pub events: Vec<AlertEvent>,
}

/// The entity of an alert as it was in the alert's snapshot (or in service, if that one is
/// gone).
pub fn entity_of(data_dir: &Path, alert: &Alert) -> Option<Entity> {
    let dir = DataDir::open(data_dir).ok()?;
    let id = alert.entity_id.parse().ok()?;
    let snap = dir.snapshot(&alert.snapshot).or_else(|_| {
        dir.current()?
            .ok_or_else(|| sources::snapshot::SnapshotError::UnknownSnapshot(String::new()))
    });
    snap.ok()?.get(&id).ok().flatten()
}

/// Gathers alert `id` for review; `None` when there is no such alert.
pub fn case(store: &dyn Store, data_dir: &Path, id: i64) -> Result<Option<AlertCase>> {
    let Some(alert) = store.alert(id)? else {
        return Ok(None);
    };
    let events = store.alert_events(id)?;
    let screening = store.screening(alert.screening_seq)?;
    let entity = entity_of(data_dir, &alert);
    let mut result: Option<Match> = screening.as_ref().and_then(|s| {
        s.results.as_array()?.iter().find_map(|m| {
            (m["entity_id"] == alert.entity_id.as_str())
                .then(|| serde_json::from_value(m.clone()).ok())
                .flatten()
        })
    });
    for t in result
        .iter_mut()
        .flat_map(|m| m.explanation.tokens.iter_mut())
    {
        if t.why.is_empty() {
            t.why = t.reason.describe().to_string();
        }
    }
    let query = screening
        .as_ref()
        .and_then(|s| serde_json::from_value::<Query>(s.input["query"].clone()).ok())
        .unwrap_or_default();
    Ok(Some(AlertCase {
        alert,
        screening,
        query,
        entity,
        result,
        events,
    }))
}

/// The statuses a status filter names: `queue` (open, escalated, pending_second_review),
/// `all` (none: every status) or one status. `None` for anything else.
pub fn statuses(filter: &str) -> Option<Vec<AlertStatus>> {
    match filter.trim() {
        "queue" => Some(AlertFilter::queue().statuses),
        "all" => Some(Vec::new()),
        other => AlertStatus::parse(other).map(|s| vec![s]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_filters() {
        assert_eq!(statuses("queue").unwrap().len(), 3);
        assert!(statuses("all").unwrap().is_empty());
        assert_eq!(statuses("closed").unwrap(), vec![AlertStatus::Closed]);
        assert!(statuses("nope").is_none());
    }
}
