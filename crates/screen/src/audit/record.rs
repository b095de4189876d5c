//! Recording what the engine screened: a screening's record (the snapshot and matcher
//! version, the threshold, the hash of each entity at or above it), a roster row's record, and
//! a roster screened and recorded chunk by chunk. The store keeps records; this is where
//! screenings are made into them.

use model::{Match, Query};
use store::record::{pipelined, Prepared, RecorderStopped};
use store::{NewScreening, Recorded, Result};

/// A screening made with `engine`, ready to record: the snapshot and matcher version, the
/// threshold applied (the matcher's calibrated one when `threshold` is `None`), and the
/// [`store::entity_hash`] of each entity at or above it, read from the snapshot. The caller
/// sets the idempotency key, the identity and the context when it has them
/// (`watchlist screen --record` and the server's recording both build their records here).
pub fn new_screening(
    engine: &engine::Engine,
    query: Query,
    results: Vec<Match>,
    threshold: Option<f32>,
    options: serde_json::Value,
    actor: &str,
    source: &str,
) -> NewScreening {
    let threshold = threshold.unwrap_or(engine.matcher().config().threshold);
    let entity_hashes = results
        .iter()
        .filter(|m| m.score >= threshold)
        .filter_map(|m| {
            Some((
                m.entity_id.clone(),
                super::delta::snapshot_entity_hash(engine, &m.entity_id)?,
            ))
        })
        .collect();
    NewScreening {
        idempotency_key: None,
        actor: actor.to_string(),
        source: source.to_string(),
        identity: None,
        query,
        context: None,
        snapshot: engine.snapshot.manifest.version.clone(),
        matcher_version: matcher::MATCHER_VERSION.into(),
        threshold,
        options,
        results,
        entity_hashes,
        alert_scope: None,
        monitored: None,
    }
}

/// The screening record of one roster row (`watchlist batch --record` and the server's batch
/// jobs): the row's query and matches ([`crate::roster::RowScreened`]), the row's `id` as identity, and as context the row's
/// place in the roster, its employer and address and its other hits (rules, employer), with
/// the fields of `origin` (the file, or the job) added.
pub fn roster_row(
    engine: &engine::Engine,
    row: &crate::roster::Row,
    screened: crate::roster::RowScreened,
    threshold: Option<f32>,
    options: serde_json::Value,
    actor: &str,
    origin: serde_json::Value,
) -> NewScreening {
    let other: Vec<serde_json::Value> = screened
        .hits
        .iter()
        .filter(|h| h.kind != "list")
        .map(|h| {
            serde_json::json!({
                "kind": h.kind, "field": h.field, "match": h.matched,
                "severity": h.severity, "detail": h.detail,
            })
        })
        .collect();
    let mut context = serde_json::json!({
        "kind": "batch_row",
        "row": row.row,
        "line": row.line,
        "row_id": row.id,
        "employer": row.employer,
        "address": row.address,
        "hits": other,
    });
    if let (Some(c), serde_json::Value::Object(o)) = (context.as_object_mut(), origin) {
        c.extend(o);
    }
    let mut s = new_screening(
        engine,
        screened.query,
        screened.matches,
        threshold,
        options,
        actor,
        "batch",
    );
    s.identity = row.id.clone().filter(|i| !i.trim().is_empty());
    s.context = Some(context);
    s
}

/// Screens a roster ([`crate::roster::run_batch_with`]) and records every row
/// (`watchlist batch --record` and the server's batch jobs): `record` makes a row's screening
/// record (usually with [`roster_row`]), and it is prepared ([`Prepared`]) on the screening
/// threads; a recorder thread commits each chunk of [`crate::roster::CHUNK`] rows in one
/// transaction while the next chunk is screened ([`pipelined`]). `on_row` gets each row's
/// hits (often none) and warnings in row order, `on_recorded` what each transaction did. A recording
/// error stops the run and is the outer error; the inner result is the run's own (reading the
/// rows, `on_row`).
#[allow(clippy::too_many_arguments)] // run_batch_with's five, and the store and its two hooks
pub fn record_roster(
    store: &dyn store::Store,
    screener: &crate::roster::RosterScreener,
    rows: &mut dyn crate::roster::input::Rows,
    record: impl Fn(&crate::roster::Row, crate::roster::RowScreened) -> NewScreening + Sync,
    mut on_row: impl FnMut(
        &crate::roster::Row,
        Vec<crate::roster::RowHit>,
        Vec<String>,
    ) -> std::io::Result<()>,
    on_recorded: impl FnMut(&[Recorded]) + Send,
    on_error: &mut dyn FnMut(&crate::roster::RowError),
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<std::io::Result<crate::roster::BatchStats>> {
    let chunk = crate::roster::CHUNK;
    pipelined(store, on_recorded, |queue| {
        let stopped = || std::io::Error::other(RecorderStopped);
        let mut pending = Vec::with_capacity(chunk);
        let stats = crate::roster::run_batch_with(
            screener,
            rows,
            |row, r| {
                let (hits, warnings) = (r.hits.clone(), r.warnings.clone());
                (hits, warnings, Prepared::owned(record(row, r)))
            },
            |row, (hits, warnings, prepared)| {
                on_row(row, hits, warnings)?;
                pending.push(prepared);
                if pending.len() >= chunk {
                    queue
                        .push(std::mem::take(&mut pending))
                        .map_err(|_| stopped())?;
                }
                Ok(())
            },
            on_error,
            on_progress,
        )?;
        queue.push(pending).map_err(|_| stopped())?;
        Ok(stats)
    })
}
