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
use crate::chain::{content_hash, real_text, Chain, Head};
use crate::sql::{Row, Tx};
use crate::{params, NewScreening, Recorded, Result, ScreeningRecord, StoreError};
use model::{Match, Query};
use std::borrow::Cow;

/// The input as stored: the query, and the caller's context when there is one.
pub fn input_json(q: &Query, context: Option<&serde_json::Value>) -> String {
    #[derive(serde::Serialize)]
    struct Input<'a> {
        query: &'a Query,
        #[serde(skip_serializing_if = "Option::is_none")]
        context: Option<&'a serde_json::Value>,
    }
    serde_json::to_string(&Input { query: q, context }).expect("queries serialise")
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
    let canon = serde_json::json!({
        "names": sorted(q.names.iter().map(|n| fold(n)).collect()),
        "schema": q.schema.map(|s| s.as_str()),
        "birth_dates": sorted(q.birth_dates.iter().map(|d| d.to_string()).collect()),
        "countries": sorted(q.countries.iter().map(|c| c.trim().to_lowercase()).collect()),
        "identifiers": sorted(q.identifiers.iter().map(|i| fold(i).replace(' ', "")).collect()),
    });
    let hash = crate::sha256_hex(canon.to_string().as_bytes());
    format!("input:{}", &hash[..16])
}

/// The idempotency key of a screening given without one: a hash over the identity, the
/// input's hash, the snapshot, the matcher version, the threshold and the options.
pub fn derive_key(
    identity: &str,
    input_hash: &str,
    snapshot: &str,
    matcher_version: &str,
    threshold: f32,
    options: &serde_json::Value,
) -> String {
    let digest = key_digest(
        identity,
        input_hash,
        snapshot,
        matcher_version,
        threshold,
        options,
    );
    format!("derived:{digest}")
}

/// The idempotency key of a roster screened without one (`watchlist batch --record`, a
/// server batch job without `Idempotency-Key`): `roster:` and 32 hex digits of a hash over the
/// sha256 of the roster's bytes, the snapshot, the matcher version, the threshold and the
/// options. Its rows are keyed [`row_key`]: the same roster screened again against the same
/// lists with the same options gets the same keys, so its rows are not recorded twice (a
/// batch stopped by a crash and run again records only the rows it had not committed).
pub fn derive_roster_key(
    content_sha256: &str,
    snapshot: &str,
    matcher_version: &str,
    threshold: f32,
    options: &serde_json::Value,
) -> String {
    let digest = key_digest(
        "roster",
        content_sha256,
        snapshot,
        matcher_version,
        threshold,
        options,
    );
    format!("roster:{}", &digest[..32])
}

/// The key of row `row` of a roster keyed `roster` ([`derive_roster_key`]):
/// `{roster}:row{row}` with the row number zero-padded to ten digits, so that a roster's keys
/// sort in row order and the database's unique index on keys grows at one end, instead of
/// taking each key at a random place as a derived (hashed) key does: on a large store that
/// is most of the pages a transaction writes.
pub fn row_key(roster: &str, row: u64) -> String {
    format!("{roster}:row{row:010}")
}

/// The digest of a derived key, in hex: sha256 over who or what was screened, the input's
/// hash, the snapshot, the matcher version, the threshold and the options, each followed by a
/// newline.
fn key_digest(
    subject: &str,
    input_hash: &str,
    snapshot: &str,
    matcher_version: &str,
    threshold: f32,
    options: &serde_json::Value,
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        subject,
        input_hash,
        snapshot,
        matcher_version,
        &real_text(threshold as f64),
        &options.to_string(),
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// What a series of [`crate::Store::record`] calls wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RecordTally {
    /// Screening records written.
    pub screenings: u64,
    /// Screenings whose idempotency key was already stored: nothing new was written.
    pub duplicates: u64,
    /// Alerts opened (a duplicate's alerts were counted when it was first recorded).
    pub alerts_opened: u64,
}

impl RecordTally {
    /// Counts what one `record` call returned.
    pub fn add(&mut self, done: &[Recorded]) {
        for d in done {
            if d.duplicate {
                self.duplicates += 1;
            } else {
                self.screenings += 1;
                self.alerts_opened += d.alerts_opened.len() as u64;
            }
        }
    }
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

/// One screening record by its `seq`; `None` when there is none.
pub fn get(tx: &mut dyn Tx, seq: i64) -> Result<Option<ScreeningRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM screenings WHERE seq = $1");
    tx.query_opt(&sql, params![seq])?
        .map(|r| from_row(&r))
        .transpose()
}

/// Screening records with a `seq` above `after_seq`, in chain order, at most `limit`.
pub fn page(tx: &mut dyn Tx, after_seq: i64, limit: usize) -> Result<Vec<ScreeningRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM screenings WHERE seq > $1 ORDER BY seq LIMIT $2");
    tx.query(&sql, params![after_seq, limit as i64])?
        .iter()
        .map(from_row)
        .collect()
}

/// A screening serialised and hashed, ready to be appended: the costly part of recording,
/// done on the caller's cores before the transaction (in parallel, on the screening threads
/// when pipelined), so that the transaction only appends. Holds its screening borrowed
/// ([`Prepared::borrowed`]) or owned ([`Prepared::owned`], to be sent to a recorder thread).
pub struct Prepared<'a> {
    s: Cow<'a, NewScreening>,
    key: String,
    identity: String,
    created_at: String,
    input: String,
    input_hash: String,
    results: String,
    content: String,
}

impl<'a> Prepared<'a> {
    /// Prepares a screening the caller keeps.
    pub fn borrowed(s: &'a NewScreening) -> Self {
        Self::new(Cow::Borrowed(s))
    }

    /// Prepares a screening given away (e.g. to be recorded on another thread). The parts
    /// the transaction does not read again (the query and context, serialised into the
    /// input, and the options) are freed here, on the preparing thread: freeing memory
    /// another thread allocated costs the allocator more.
    pub fn owned(s: NewScreening) -> Prepared<'static> {
        let mut p = Prepared::new(Cow::Owned(s));
        if let Cow::Owned(s) = &mut p.s {
            s.query = Query::default();
            s.context = None;
            s.options = serde_json::Value::Null;
        }
        p
    }

    /// Serialises the input and the results, derives the identity and the idempotency key
    /// when the screening has none, and hashes the content of the record-to-be.
    fn new(s: Cow<'a, NewScreening>) -> Self {
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
                &input_hash,
                &s.snapshot,
                &s.matcher_version,
                s.threshold,
                &s.options,
            )
        });
        let created_at = crate::now();
        let results = serde_json::to_string(&s.results).expect("matches serialise");
        let content = content_hash(&[
            &key,
            &created_at,
            &s.actor,
            &s.source,
            &identity,
            &input,
            &input_hash,
            &s.snapshot,
            &s.matcher_version,
            &real_text(s.threshold as f64),
            &results,
        ]);
        Prepared {
            s,
            key,
            identity,
            created_at,
            input,
            input_hash,
            results,
            content,
        }
    }
}

/// Records a batch in the current transaction (see the module documentation).
pub fn record(tx: &mut dyn Tx, batch: &[Prepared]) -> Result<Vec<Recorded>> {
    let mut head = Head::lock(tx, Chain::Screenings)?;
    let mut events = Head::lock(tx, Chain::AlertEvents)?;
    let mut out = Vec::with_capacity(batch.len());
    for r in batch {
        out.push(record_one(tx, &mut head, &mut events, r)?);
    }
    head.save(tx)?;
    events.save(tx)?;
    Ok(out)
}

fn record_one(
    tx: &mut dyn Tx,
    head: &mut Head,
    events: &mut Head,
    r: &Prepared,
) -> Result<Recorded> {
    let s: &NewScreening = &r.s;
    let before = head.clone();
    let (seq, prev, hash) = head.append(&r.content);
    let inserted = tx.execute(
        "INSERT INTO screenings (seq, idempotency_key, created_at, actor, source, identity, input, \
         input_hash, snapshot, matcher_version, threshold, results, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (idempotency_key) DO NOTHING",
        params![
            seq,
            r.key.as_str(),
            r.created_at.as_str(),
            s.actor.as_str(),
            s.source.as_str(),
            r.identity.as_str(),
            r.input.as_str(),
            r.input_hash.as_str(),
            s.snapshot.as_str(),
            s.matcher_version.as_str(),
            s.threshold as f64,
            r.results.as_str(),
            prev,
            hash.as_str()
        ],
    )?;
    if inserted == 0 {
        *head = before; // the key is stored already: this link was not appended
        return duplicate(tx, r);
    }
    let mut rec = Recorded {
        seq,
        idempotency_key: r.key.clone(),
        identity: r.identity.clone(),
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

/// A screening whose key is stored already: the first record and the alerts it opened; the
/// same key with another input is refused.
fn duplicate(tx: &mut dyn Tx, r: &Prepared) -> Result<Recorded> {
    let row = tx.query_one(
        "SELECT seq, input_hash FROM screenings WHERE idempotency_key = $1",
        params![r.key.as_str()],
    )?;
    let seq = row.int(0)?;
    if row.text(1)? != r.input_hash {
        return Err(StoreError::IdempotencyConflict {
            key: r.key.clone(),
            seq,
        });
    }
    mark_screened(tx, &r.s)?;
    let opened = tx
        .query(
            "SELECT id FROM alerts WHERE opened_key = $1 ORDER BY id",
            params![r.key.as_str()],
        )?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<Vec<_>>>()?;
    Ok(Recorded {
        seq,
        idempotency_key: r.key.clone(),
        identity: r.identity.clone(),
        duplicate: true,
        alerts_opened: opened,
        alerts_hit: Vec::new(),
        whitelisted: Vec::new(),
    })
}

/// The queue of a [`pipelined`] recorder: batches pushed here are recorded in order, each in
/// its own transaction, on the recorder's thread.
pub struct RecordQueue {
    send: std::sync::mpsc::SyncSender<Vec<Prepared<'static>>>,
}

/// The recorder of a [`pipelined`] run stopped on an error; [`pipelined`] returns it.
#[derive(Debug, Clone, Copy)]
pub struct RecorderStopped;

impl std::fmt::Display for RecorderStopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("recording stopped")
    }
}

impl std::error::Error for RecorderStopped {}

impl RecordQueue {
    /// Queues a batch for recording. Waits while the recorder is still busy with the batch
    /// before the last one (at most one batch waits), so memory stays bounded by two batches
    /// and the caller screens the next batch while the last one is recorded. An error means
    /// the recorder stopped: the caller should stop too.
    pub fn push(&self, batch: Vec<Prepared<'static>>) -> std::result::Result<(), RecorderStopped> {
        if batch.is_empty() {
            return Ok(());
        }
        self.send.send(batch).map_err(|_| RecorderStopped)
    }
}

/// Runs `work` with a recorder on a second thread: what `work` pushes to the [`RecordQueue`]
/// is recorded while `work` goes on, so that screening (on every core, where the records are
/// also [`Prepared`]) and the transactions (on the recorder) overlap. `on_recorded` is called
/// on the recorder's thread with what each batch's recording did, in order. The first
/// recording error stops the recorder, makes later pushes fail and is returned, whatever
/// `work` returned; otherwise `work`'s result is returned once every batch is recorded.
pub fn pipelined<T>(
    store: &dyn crate::Store,
    mut on_recorded: impl FnMut(&[Recorded]) + Send,
    work: impl FnOnce(&RecordQueue) -> T,
) -> Result<T> {
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Prepared<'static>>>(1);
        let recorder = scope.spawn(move || -> Result<()> {
            for batch in receive {
                on_recorded(&store.record_prepared(&batch)?);
            }
            Ok(())
        });
        let queue = RecordQueue { send };
        let out = work(&queue);
        drop(queue);
        recorder.join().expect("the recording thread panicked")?;
        Ok(out)
    })
}

/// [`pipelined`] over batches from `produce` (called until it returns `None`), each prepared
/// on every core before it is queued. Returns what each batch's recording did, in order.
pub fn record_pipelined(
    store: &dyn crate::Store,
    mut produce: impl FnMut() -> Option<Vec<NewScreening>>,
) -> Result<Vec<Vec<Recorded>>> {
    use rayon::prelude::*;
    let mut out = Vec::new();
    pipelined(
        store,
        |done| out.push(done.to_vec()),
        |queue| {
            while let Some(batch) = produce() {
                let batch = batch.into_par_iter().map(Prepared::owned).collect();
                if queue.push(batch).is_err() {
                    break;
                }
            }
        },
    )?;
    Ok(out)
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
        let k = |snap: &str, t: f32| {
            derive_key("i", "abc", snap, "5", t, &serde_json::json!({"limit": 10}))
        };
        assert_eq!(k("a", 0.8), k("a", 0.8));
        assert_ne!(k("a", 0.8), k("b", 0.8));
        assert_ne!(k("a", 0.8), k("a", 0.7));
    }

    #[test]
    fn roster_row_keys_sort_in_row_order() {
        let opts = serde_json::json!({"lists": null});
        let k = derive_roster_key("abc", "snap", "5", 0.8, &opts);
        assert!(k.starts_with("roster:") && k.len() == "roster:".len() + 32);
        assert_eq!(k, derive_roster_key("abc", "snap", "5", 0.8, &opts));
        assert_ne!(k, derive_roster_key("abd", "snap", "5", 0.8, &opts));
        assert_ne!(k, derive_roster_key("abc", "snap2", "5", 0.8, &opts));
        let keys: Vec<String> = [9u64, 10, 99, 100, 12345]
            .iter()
            .map(|r| row_key(&k, *r))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert!(keys[0].ends_with(":row0000000009"));
    }
}
