//! Recording screenings: the input, the snapshot and matcher version, the threshold, the
//! results with their explanations, when, who and from where; and opening the alerts.
//!
//! Idempotency: every screening has a key, the caller's or [`derive_key`]'s (from the input
//! identity, the input, the snapshot, the matcher version, the threshold and the options).
//! A key already stored is not stored again: the first record is returned, with the alerts
//! it opened, and nothing new is opened. The same key with a different input is refused. The
//! database enforces this with `UNIQUE (idempotency_key)` on screenings and `UNIQUE
//! (opened_key, entity_id)` on alerts.

use crate::alerts;
use crate::chain::{real_text, Chain, Head};
use crate::sql::{Row, Tx};
use crate::{params, NewScreening, Recorded, Result, ScreeningRecord, StoreError};
use matcher::{Match, Query};
use serde_json::json;

/// The input as stored: the query, and the caller's context when there is one.
pub fn input_json(q: &Query, context: Option<&serde_json::Value>) -> String {
    let v = match context {
        Some(c) => json!({ "query": q, "context": c }),
        None => json!({ "query": q }),
    };
    serde_json::to_string(&v).expect("queries serialise")
}

/// Lower case, single spaces.
fn fold(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The identity of an input given without one: `input:` and 16 hex digits of a hash over its
/// names (case and spacing folded, order ignored), schema, birth dates, countries and
/// identifiers. The same party screened twice gets the same identity, so it gets one alert
/// per entity, not one per screening.
pub fn derive_identity(q: &Query) -> String {
    let sorted = |v: Vec<String>| {
        let mut v: Vec<String> = v.into_iter().filter(|s| !s.is_empty()).collect();
        v.sort();
        v.dedup();
        v
    };
    let canon = json!({
        "names": sorted(q.names.iter().map(|n| fold(n)).collect()),
        "schema": q.schema.map(|s| s.as_str()),
        "birth_dates": sorted(q.birth_dates.iter().map(|d| d.to_string()).collect()),
        "countries": sorted(q.countries.iter().map(|c| c.trim().to_lowercase()).collect()),
        "identifiers": sorted(q.identifiers.iter().map(|i| fold(i).replace(' ', "")).collect()),
    });
    let hash = crate::sha256_hex(canon.to_string().as_bytes());
    format!("input:{}", &hash[..16])
}

/// The idempotency key of a screening given without one.
pub fn derive_key(
    identity: &str,
    input: &str,
    snapshot: &str,
    matcher_version: &str,
    threshold: f32,
    options: &serde_json::Value,
) -> String {
    let text = format!(
        "{identity}\n{input}\n{snapshot}\n{matcher_version}\n{}\n{options}",
        real_text(threshold as f64)
    );
    format!("derived:{}", crate::sha256_hex(text.as_bytes()))
}

/// The columns of a screening record, in [`from_row`] order.
const COLUMNS: &str = "seq, idempotency_key, created_at, actor, source, identity, input, \
                       snapshot, matcher_version, threshold, results, prev_hash, hash";

fn from_row(r: &Row) -> Result<ScreeningRecord> {
    Ok(ScreeningRecord {
        seq: r.int(0)?,
        idempotency_key: r.text(1)?,
        created_at: r.text(2)?,
        actor: r.text(3)?,
        source: r.text(4)?,
        identity: r.text(5)?,
        input: r.json(6)?,
        snapshot: r.text(7)?,
        matcher_version: r.text(8)?,
        threshold: r.real(9)?,
        results: r.json(10)?,
        prev_hash: r.text(11)?,
        hash: r.text(12)?,
    })
}

pub fn get(tx: &mut dyn Tx, seq: i64) -> Result<Option<ScreeningRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM screenings WHERE seq = $1");
    tx.query_opt(&sql, params![seq])?
        .map(|r| from_row(&r))
        .transpose()
}

pub fn page(tx: &mut dyn Tx, after_seq: i64, limit: usize) -> Result<Vec<ScreeningRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM screenings WHERE seq > $1 ORDER BY seq LIMIT $2");
    tx.query(&sql, params![after_seq, limit as i64])?
        .iter()
        .map(from_row)
        .collect()
}

/// Records a batch in the current transaction (see the module documentation).
pub fn record(tx: &mut dyn Tx, batch: &[NewScreening]) -> Result<Vec<Recorded>> {
    let mut head = Head::lock(tx, Chain::Screenings)?;
    let mut events = Head::lock(tx, Chain::AlertEvents)?;
    let mut out = Vec::with_capacity(batch.len());
    for s in batch {
        out.push(record_one(tx, &mut head, &mut events, s)?);
    }
    head.save(tx)?;
    events.save(tx)?;
    Ok(out)
}

fn record_one(
    tx: &mut dyn Tx,
    head: &mut Head,
    events: &mut Head,
    s: &NewScreening,
) -> Result<Recorded> {
    let input = input_json(&s.query, s.context.as_ref());
    let input_hash = crate::sha256_hex(input.as_bytes());
    let identity = s
        .identity
        .clone()
        .filter(|i| !i.trim().is_empty())
        .unwrap_or_else(|| derive_identity(&s.query));
    let key = s.idempotency_key.clone().unwrap_or_else(|| {
        derive_key(
            &identity,
            &input,
            &s.snapshot,
            &s.matcher_version,
            s.threshold,
            &s.options,
        )
    });
    if let Some(r) = tx.query_opt(
        "SELECT seq, input_hash FROM screenings WHERE idempotency_key = $1",
        params![key.as_str()],
    )? {
        let seq = r.int(0)?;
        if r.text(1)? != input_hash {
            return Err(StoreError::IdempotencyConflict { key, seq });
        }
        mark_screened(tx, s)?;
        let opened = tx
            .query(
                "SELECT id FROM alerts WHERE opened_key = $1 ORDER BY id",
                params![key.as_str()],
            )?
            .iter()
            .map(|r| r.int(0))
            .collect::<Result<Vec<_>>>()?;
        return Ok(Recorded {
            seq,
            idempotency_key: key,
            identity,
            duplicate: true,
            alerts_opened: opened,
            alerts_hit: Vec::new(),
            whitelisted: Vec::new(),
        });
    }
    let created_at = crate::now();
    let results = serde_json::to_string(&s.results).expect("matches serialise");
    let threshold = s.threshold as f64;
    let threshold_text = real_text(threshold);
    let (seq, prev, hash) = head.append(&[
        &key,
        &created_at,
        &s.actor,
        &s.source,
        &identity,
        &input,
        &input_hash,
        &s.snapshot,
        &s.matcher_version,
        &threshold_text,
        &results,
    ]);
    tx.execute(
        "INSERT INTO screenings (seq, idempotency_key, created_at, actor, source, identity, input, \
         input_hash, snapshot, matcher_version, threshold, results, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        params![
            seq,
            key.as_str(),
            created_at.as_str(),
            s.actor.as_str(),
            s.source.as_str(),
            identity.as_str(),
            input,
            input_hash,
            s.snapshot.as_str(),
            s.matcher_version.as_str(),
            threshold,
            results,
            prev,
            hash.as_str()
        ],
    )?;
    let mut rec = Recorded {
        seq,
        idempotency_key: key,
        identity,
        duplicate: false,
        alerts_opened: Vec::new(),
        alerts_hit: Vec::new(),
        whitelisted: Vec::new(),
    };
    for m in s.results.iter().filter(|m| alerts_on(s, m)) {
        alerts::open_or_hit(tx, events, s, &mut rec, m)?;
    }
    mark_screened(tx, s)?;
    Ok(rec)
}

/// Marks a monitored record as screened against the screening's snapshot.
fn mark_screened(tx: &mut dyn Tx, s: &NewScreening) -> Result<()> {
    if let Some(key) = &s.monitored {
        tx.execute(
            "UPDATE monitored SET screened_snapshot = $1 WHERE key = $2",
            params![s.snapshot.as_str(), key.as_str()],
        )?;
    }
    Ok(())
}

/// Whether a result opens (or hits) an alert: at or above the threshold, and in scope.
fn alerts_on(s: &NewScreening, m: &Match) -> bool {
    m.score >= s.threshold
        && s.alert_scope
            .as_ref()
            .is_none_or(|scope| scope.contains(&m.entity_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_ignores_case_spacing_and_order() {
        let a = Query {
            names: vec!["Kim  Jong Un".into(), "KIM Jong-un".into()],
            countries: vec!["KP".into()],
            ..Default::default()
        };
        let b = Query {
            names: vec!["kim jong-un".into(), "kim jong un".into()],
            countries: vec!["kp".into()],
            ..Default::default()
        };
        assert_eq!(derive_identity(&a), derive_identity(&b));
        assert_ne!(
            derive_identity(&a),
            derive_identity(&Query::name("Kim Jong Il"))
        );
        assert!(derive_identity(&a).starts_with("input:"));
    }

    #[test]
    fn derived_keys_change_with_snapshot_and_options() {
        let k = |snap: &str, t: f32| derive_key("i", "{}", snap, "5", t, &json!({"limit": 10}));
        assert_eq!(k("a", 0.8), k("a", 0.8));
        assert_ne!(k("a", 0.8), k("b", 0.8));
        assert_ne!(k("a", 0.8), k("a", 0.7));
    }
}
