//! Monitored records in the store, the monitoring cursor and the rescreen runs.
//!
//! The cursor (`store_state` row [`CURSOR`]) is the snapshot every monitored record has been
//! screened against. It moves only when a rescreen run has finished, in the same transaction
//! that writes the run: a run cut short (a crash, `kill -9`) leaves it where it was, so the
//! next `import`, `update` or `monitor rescreen` rescreens from there. Records screened
//! again are recorded under the same idempotency keys, so that a repeated run opens no second
//! alert.

use crate::sql::{Row, Tx, Value};
use crate::{params, MonitoredRecord, RescreenRun, Result, StoreError};

/// The state name of the monitoring cursor.
pub const CURSOR: &str = "monitor.snapshot";

/// Rows per multi-row INSERT.
const INSERT_ROWS: usize = 200;

/// Adds or updates records by key; returns the keys that are new or changed. Those get
/// `screened_snapshot = screened` (NULL: pending).
pub fn upsert(
    tx: &mut dyn Tx,
    records: &[MonitoredRecord],
    source: &str,
    screened: Option<&str>,
) -> Result<Vec<String>> {
    let now = crate::now();
    let mut changed = Vec::new();
    for chunk in records.chunks(INSERT_ROWS) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4 + 3);
        values.push(source.into());
        values.push(now.as_str().into());
        values.push(screened.into());
        let mut rows = Vec::with_capacity(chunk.len());
        for r in chunk {
            let base = values.len();
            let query = serde_json::to_string(&r.query).expect("queries serialise");
            values.extend([
                Value::from(r.key.as_str()),
                r.kind.as_str().into(),
                query.into(),
                r.record_hash.as_str().into(),
            ]);
            rows.push(format!(
                "(${}, ${}, ${}, ${}, $1, $2, $2, $3)",
                base + 1,
                base + 2,
                base + 3,
                base + 4
            ));
        }
        let sql = format!(
            "INSERT INTO monitored (key, kind, query, record_hash, source, added_at, updated_at, \
             screened_snapshot) VALUES {} ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, \
             query = excluded.query, record_hash = excluded.record_hash, \
             source = excluded.source, updated_at = excluded.updated_at, \
             screened_snapshot = excluded.screened_snapshot \
             WHERE monitored.record_hash <> excluded.record_hash RETURNING key",
            rows.join(", ")
        );
        for r in tx.query(&sql, &values)? {
            changed.push(r.text(0)?);
        }
    }
    Ok(changed)
}

/// Stops monitoring these keys; returns how many were monitored. Their screening records
/// and alerts stay.
pub fn remove(tx: &mut dyn Tx, keys: &[String]) -> Result<usize> {
    let mut n = 0;
    for k in keys {
        n += tx.execute("DELETE FROM monitored WHERE key = $1", params![k.as_str()])? as usize;
    }
    Ok(n)
}

fn from_row(r: &Row) -> Result<(i64, MonitoredRecord)> {
    let query = r.text(3)?;
    Ok((
        r.int(0)?,
        MonitoredRecord {
            key: r.text(1)?,
            kind: r.text(2)?,
            query: serde_json::from_str(&query)
                .map_err(|e| StoreError::Corrupt(format!("monitored record query: {e}")))?,
            record_hash: r.text(4)?,
        },
    ))
}

/// Monitored records with an id above `after_id`, by id, at most `limit`, each with its id;
/// with `pending_only`, only those not screened since they were added or changed.
pub fn page(
    tx: &mut dyn Tx,
    after_id: i64,
    limit: usize,
    pending_only: bool,
) -> Result<Vec<(i64, MonitoredRecord)>> {
    let pending = if pending_only {
        " AND screened_snapshot IS NULL"
    } else {
        ""
    };
    let sql = format!(
        "SELECT id, key, kind, query, record_hash FROM monitored WHERE id > $1{pending} \
         ORDER BY id LIMIT $2"
    );
    tx.query(&sql, params![after_id, limit as i64])?
        .iter()
        .map(from_row)
        .collect()
}

/// The monitored records with these keys, in the keys' order; keys not monitored are
/// skipped.
pub fn by_keys(tx: &mut dyn Tx, keys: &[String]) -> Result<Vec<MonitoredRecord>> {
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        if let Some(r) = tx.query_opt(
            "SELECT id, key, kind, query, record_hash FROM monitored WHERE key = $1",
            params![k.as_str()],
        )? {
            out.push(from_row(&r)?.1);
        }
    }
    Ok(out)
}

/// How many records are monitored.
pub fn count(tx: &mut dyn Tx) -> Result<u64> {
    Ok(tx
        .query_one("SELECT COUNT(*) FROM monitored", &[])?
        .int(0)? as u64)
}

/// A named value of the store's state (table `store_state`), such as [`CURSOR`].
pub fn state(tx: &mut dyn Tx, name: &str) -> Result<Option<String>> {
    tx.query_opt(
        "SELECT value FROM store_state WHERE name = $1",
        params![name],
    )?
    .map(|r| r.text(0))
    .transpose()
}

/// Sets a named value of the store's state, replacing the old one.
pub fn set_state(tx: &mut dyn Tx, name: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO store_state (name, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![name, value, crate::now()],
    )?;
    Ok(())
}

/// Writes a finished run and moves the cursor to its snapshot.
pub fn finish_rescreen(tx: &mut dyn Tx, run: &RescreenRun) -> Result<i64> {
    let id = tx
        .query_one(
            "INSERT INTO rescreens (from_snapshot, to_snapshot, started_at, finished_at, actor, \
             records, candidates, screened, alerts_opened, summary) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            params![
                run.from_snapshot.clone(),
                run.to_snapshot.as_str(),
                run.started_at.as_str(),
                run.finished_at.as_str(),
                run.actor.as_str(),
                run.records as i64,
                run.candidates as i64,
                run.screened as i64,
                run.alerts_opened as i64,
                run.summary.to_string()
            ],
        )?
        .int(0)?;
    set_state(tx, CURSOR, &run.to_snapshot)?;
    Ok(id)
}

/// The last `limit` rescreen runs, newest first.
pub fn rescreens(tx: &mut dyn Tx, limit: usize) -> Result<Vec<RescreenRun>> {
    tx.query(
        "SELECT id, from_snapshot, to_snapshot, started_at, finished_at, actor, records, \
         candidates, screened, alerts_opened, summary FROM rescreens ORDER BY id DESC LIMIT $1",
        params![limit as i64],
    )?
    .iter()
    .map(|r| {
        Ok(RescreenRun {
            id: r.int(0)?,
            from_snapshot: r.opt_text(1)?,
            to_snapshot: r.text(2)?,
            started_at: r.text(3)?,
            finished_at: r.text(4)?,
            actor: r.text(5)?,
            records: r.int(6)? as u64,
            candidates: r.int(7)? as u64,
            screened: r.int(8)? as u64,
            alerts_opened: r.int(9)? as u64,
            summary: r.json(10)?,
        })
    })
    .collect()
}
