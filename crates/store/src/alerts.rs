//! Alerts and cases.
//!
//! A result at or above the threshold opens an alert for the pair (input identity, listed
//! entity) — unless that pair has an alert open already (the screening is then added to its
//! history as a `hit`), or a false-positive decision whitelisted the pair and the entity's
//! record is unchanged since (its [`crate::entity_hash`] is the same). The partial unique
//! index `alerts_one_open (identity, entity_id) WHERE status <> 'closed'` makes a second open
//! alert for a pair impossible, whatever the code does and however many writers race.
//!
//! Decisions ([`decide`]), each with a note, appended to the alert's history:
//! - `needs_escalation`: the alert goes to `escalated`;
//! - `true_match`: the first one puts the alert in `pending_second_review`; a second one by a
//!   *different* reviewer closes it as a true match (four eyes); the same reviewer twice is
//!   refused;
//! - `false_positive`: closes the alert, and with `whitelist` keeps the pair from alerting
//!   again until the entity's record changes; on an alert pending a second review it means
//!   the reviewers disagree, and the alert is escalated instead.

use crate::chain::{Chain, Head};
use crate::sql::{Row, Tx, Value};
use crate::{
    params, Alert, AlertEvent, AlertFilter, AlertStatus, Decision, Disposition, EntityNote,
    NewScreening, Recorded, Result, StoreError,
};
use model::Match;
use serde_json::json;

/// The columns of an alert, in [`from_row`] order.
const COLUMNS: &str = "id, identity, entity_id, list, caption, matched_name, score, threshold, \
                       snapshot, entity_hash, screening_seq, opened_key, status, disposition, \
                       first_reviewer, created_at, updated_at";

fn from_row(r: &Row) -> Result<Alert> {
    let status = r.text(12)?;
    Ok(Alert {
        id: r.int(0)?,
        identity: r.text(1)?,
        entity_id: r.text(2)?,
        list: r.text(3)?,
        caption: r.text(4)?,
        matched_name: r.text(5)?,
        score: r.real(6)?,
        threshold: r.real(7)?,
        snapshot: r.text(8)?,
        entity_hash: r.text(9)?,
        screening_seq: r.int(10)?,
        opened_key: r.text(11)?,
        status: AlertStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("alert status {status:?}")))?,
        disposition: r.opt_text(13)?.and_then(|d| Disposition::parse(&d)),
        first_reviewer: r.opt_text(14)?,
        created_at: r.text(15)?,
        updated_at: r.text(16)?,
    })
}

/// One alert by id; `None` when there is none.
pub fn get(tx: &mut dyn Tx, id: i64) -> Result<Option<Alert>> {
    let sql = format!("SELECT {COLUMNS} FROM alerts WHERE id = $1");
    tx.query_opt(&sql, params![id])?
        .map(|r| from_row(&r))
        .transpose()
}

/// The alerts a filter selects, newest (highest id) first.
pub fn list(tx: &mut dyn Tx, f: &AlertFilter) -> Result<Vec<Alert>> {
    let mut clauses = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    fn bind(v: Value, values: &mut Vec<Value>) -> String {
        values.push(v);
        format!("${}", values.len())
    }
    if !f.statuses.is_empty() {
        let ps: Vec<String> = f
            .statuses
            .iter()
            .map(|s| bind(s.as_str().into(), &mut values))
            .collect();
        clauses.push(format!("status IN ({})", ps.join(", ")));
    }
    if let Some(i) = &f.identity {
        clauses.push(format!("identity = {}", bind(i.into(), &mut values)));
    }
    if let Some(e) = &f.entity_id {
        clauses.push(format!("entity_id = {}", bind(e.into(), &mut values)));
    }
    if let Some(b) = f.before_id {
        clauses.push(format!("id < {}", bind(b.into(), &mut values)));
    }
    let mut sql = format!("SELECT {COLUMNS} FROM alerts");
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY id DESC");
    if f.limit > 0 {
        sql.push_str(&format!(
            " LIMIT {}",
            bind((f.limit as i64).into(), &mut values)
        ));
    }
    tx.query(&sql, &values)?.iter().map(from_row).collect()
}

/// The history of an alert, oldest first.
pub fn events(tx: &mut dyn Tx, alert_id: i64) -> Result<Vec<AlertEvent>> {
    tx.query(
        "SELECT seq, alert_id, at, kind, actor, note, data FROM alert_events \
         WHERE alert_id = $1 ORDER BY seq",
        params![alert_id],
    )?
    .iter()
    .map(|r| {
        Ok(AlertEvent {
            seq: r.int(0)?,
            alert_id: r.int(1)?,
            at: r.text(2)?,
            kind: r.text(3)?,
            actor: r.text(4)?,
            note: r.text(5)?,
            data: r.json(6)?,
        })
    })
    .collect()
}

/// Appends an event to an alert's history (and to the alert-event hash chain).
pub fn append_event(
    tx: &mut dyn Tx,
    head: &mut Head,
    alert_id: i64,
    kind: &str,
    actor: &str,
    note: &str,
    data: serde_json::Value,
) -> Result<()> {
    let at = crate::now();
    let data = data.to_string();
    let id_text = alert_id.to_string();
    let content = crate::chain::content_hash(&[&id_text, &at, kind, actor, note, &data]);
    let (seq, prev, hash) = head.append(&content);
    tx.execute(
        "INSERT INTO alert_events (seq, alert_id, at, kind, actor, note, data, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        params![seq, alert_id, at, kind, actor, note, data, prev, hash],
    )?;
    Ok(())
}

/// Opens an alert for a result, or adds a hit to the pair's open alert, or skips a
/// whitelisted pair; updates `rec`.
pub(crate) fn open_or_hit(
    tx: &mut dyn Tx,
    events: &mut Head,
    s: &NewScreening,
    rec: &mut Recorded,
    m: &Match,
) -> Result<()> {
    let entity_hash = s
        .entity_hashes
        .get(&m.entity_id)
        .cloned()
        .unwrap_or_default();
    let listed = tx.query_opt(
        "SELECT entity_hash FROM whitelist WHERE identity = $1 AND entity_id = $2",
        params![rec.identity.as_str(), m.entity_id.as_str()],
    )?;
    if let Some(r) = listed {
        if !entity_hash.is_empty() && r.text(0)? == entity_hash {
            rec.whitelisted.push(m.entity_id.clone());
            return Ok(());
        }
    }
    let now = crate::now();
    let opened = tx.query_opt(
        "INSERT INTO alerts (identity, entity_id, list, caption, matched_name, score, threshold, \
         snapshot, entity_hash, screening_seq, opened_key, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $12) \
         ON CONFLICT DO NOTHING RETURNING id",
        params![
            rec.identity.as_str(),
            m.entity_id.as_str(),
            m.list.as_str(),
            m.caption.as_str(),
            m.name.as_str(),
            m.score as f64,
            s.threshold as f64,
            s.snapshot.as_str(),
            entity_hash.as_str(),
            rec.seq,
            rec.idempotency_key.as_str(),
            now
        ],
    )?;
    let data = json!({ "screening": rec.seq, "score": m.score, "snapshot": s.snapshot });
    if let Some(r) = opened {
        let id = r.int(0)?;
        append_event(tx, events, id, "opened", &s.actor, "", data)?;
        rec.alerts_opened.push(id);
        return Ok(());
    }
    let open = tx.query_opt(
        "SELECT id FROM alerts WHERE identity = $1 AND entity_id = $2 AND status <> 'closed'",
        params![rec.identity.as_str(), m.entity_id.as_str()],
    )?;
    if let Some(r) = open {
        let id = r.int(0)?;
        append_event(tx, events, id, "hit", &s.actor, "", data)?;
        rec.alerts_hit.push(id);
    }
    Ok(())
}

/// Records a decision (see the module documentation for the rules).
pub fn decide(tx: &mut dyn Tx, d: &Decision) -> Result<Alert> {
    if d.note.trim().is_empty() {
        return Err(StoreError::Refused(
            "a decision needs a note saying why".into(),
        ));
    }
    if d.reviewer.trim().is_empty() {
        return Err(StoreError::Refused("a decision needs a reviewer".into()));
    }
    if d.whitelist && d.disposition != Disposition::FalsePositive {
        return Err(StoreError::Refused(
            "only a false-positive decision can whitelist the pair".into(),
        ));
    }
    let mut events = Head::lock(tx, Chain::AlertEvents)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM alerts WHERE id = $1{}",
        tx.dialect().for_update()
    );
    let alert = match tx.query_opt(&sql, params![d.alert_id])? {
        Some(r) => from_row(&r)?,
        None => return Err(StoreError::NoAlert(d.alert_id)),
    };
    if alert.status == AlertStatus::Closed {
        return Err(StoreError::Refused(format!(
            "alert #{} is closed already ({})",
            alert.id,
            alert
                .disposition
                .map(|d| d.as_str())
                .unwrap_or("no disposition")
        )));
    }
    let pending = alert.status == AlertStatus::PendingSecondReview;
    let (status, disposition, first_reviewer, whitelist) = match d.disposition {
        Disposition::NeedsEscalation => (AlertStatus::Escalated, None, None, false),
        Disposition::TrueMatch if pending => {
            if alert.first_reviewer.as_deref() == Some(d.reviewer.as_str()) {
                return Err(StoreError::Refused(format!(
                    "four-eyes rule: {} already found alert #{} a true match; a second, different reviewer must confirm it",
                    d.reviewer, alert.id
                )));
            }
            (
                AlertStatus::Closed,
                Some(Disposition::TrueMatch),
                alert.first_reviewer.clone(),
                false,
            )
        }
        Disposition::TrueMatch => (
            AlertStatus::PendingSecondReview,
            None,
            Some(d.reviewer.clone()),
            false,
        ),
        Disposition::FalsePositive if pending => (AlertStatus::Escalated, None, None, false),
        Disposition::FalsePositive => (
            AlertStatus::Closed,
            Some(Disposition::FalsePositive),
            None,
            d.whitelist,
        ),
    };
    let now = crate::now();
    tx.execute(
        "UPDATE alerts SET status = $1, disposition = $2, first_reviewer = $3, updated_at = $4 \
         WHERE id = $5",
        params![
            status.as_str(),
            disposition.map(|x| x.as_str()),
            first_reviewer,
            now.as_str(),
            alert.id
        ],
    )?;
    if whitelist {
        tx.execute(
            "INSERT INTO whitelist (identity, entity_id, entity_hash, alert_id, reviewer, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (identity, entity_id) DO UPDATE SET entity_hash = excluded.entity_hash, \
             alert_id = excluded.alert_id, reviewer = excluded.reviewer, created_at = excluded.created_at",
            params![
                alert.identity.as_str(),
                alert.entity_id.as_str(),
                alert.entity_hash.as_str(),
                alert.id,
                d.reviewer.as_str(),
                now
            ],
        )?;
    }
    let data = json!({
        "decision": d.disposition.as_str(),
        "status": status.as_str(),
        "whitelist": whitelist,
        "disagreement": pending && d.disposition == Disposition::FalsePositive,
    });
    append_event(
        tx,
        &mut events,
        alert.id,
        "decision",
        &d.reviewer,
        &d.note,
        data,
    )?;
    events.save(tx)?;
    get(tx, alert.id)?.ok_or(StoreError::NoAlert(alert.id))
}

/// Notes entity removals and changes on the open alerts of those entities.
pub fn note_entities(tx: &mut dyn Tx, notes: &[EntityNote], actor: &str) -> Result<usize> {
    let mut events = Head::lock(tx, Chain::AlertEvents)?;
    let mut n = 0;
    for note in notes {
        let open = tx.query(
            "SELECT id FROM alerts WHERE entity_id = $1 AND status <> 'closed' ORDER BY id",
            params![note.entity_id.as_str()],
        )?;
        for r in open {
            let text = match note.kind.as_str() {
                "entity_removed" => format!(
                    "{} is no longer on its list (snapshot {})",
                    note.entity_id,
                    short(&note.snapshot)
                ),
                _ => format!(
                    "{} changed in snapshot {}: {}",
                    note.entity_id,
                    short(&note.snapshot),
                    note.fields.join(", ")
                ),
            };
            let data = json!({ "snapshot": note.snapshot, "fields": note.fields });
            append_event(tx, &mut events, r.int(0)?, &note.kind, actor, &text, data)?;
            n += 1;
        }
    }
    events.save(tx)?;
    Ok(n)
}

fn short(v: &str) -> &str {
    &v[..v.len().min(12)]
}
