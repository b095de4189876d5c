//! The store as the CLI uses it: where it is (`--database`, else `watchlist.db` in the data
//! directory), opening it with clear errors, recording a screening (`screen --record`), and
//! the delta rescreen of monitored records after `import` and `update`.

use crate::cli::Global;
use crate::data;
use crate::error::{CliError, Exit, Result};
use crate::output::{thousands, Output};
use engine::Engine;
use matcher::{Match, Query, SearchOptions};
use screen::audit::delta::{self, ScreenOptions};
use store::{Location, Recorded, RescreenRun, Store, StoreError};

/// Where the store is.
pub fn location(global: &Global) -> Result<Location> {
    Ok(Location::resolve(
        global.database.as_deref(),
        &data::data_dir(global)?,
    ))
}

/// Opens the store (running migrations); an unreachable database is a clear error.
pub fn open(global: &Global) -> Result<Box<dyn Store>> {
    store::open(&location(global)?).map_err(store_err)
}

/// A store error as the user sees it.
pub fn store_err(e: StoreError) -> CliError {
    let exit = match &e {
        StoreError::Input(_) | StoreError::IdempotencyConflict { .. } | StoreError::Refused(_) => {
            Exit::BadInput
        }
        StoreError::NoAlert(_) => Exit::NotFound,
        _ => Exit::Failure,
    };
    let err = CliError::new(exit, e.to_string());
    match e {
        StoreError::Unavailable { .. } => err.hint(
            "check --database (or $WATCHLIST_DATABASE): the database must be reachable to record or review",
        ),
        _ => err,
    }
}

/// The actor of CLI actions: the operating-system user.
pub fn actor() -> String {
    store::os_user()
}

/// Records one screening made by `watchlist screen` (and opens its alerts).
pub fn record_screening(
    store: &dyn Store,
    engine: &Engine,
    query: &Query,
    opts: &SearchOptions,
    results: &[Match],
    subject: Option<String>,
    key: Option<String>,
) -> Result<Recorded> {
    let mut s = screen::audit::record::new_screening(
        engine,
        query.clone(),
        results.to_vec(),
        opts.threshold,
        serde_json::json!({ "limit": opts.limit, "lists": opts.lists }),
        &actor(),
        "cli",
    );
    s.idempotency_key = key;
    s.identity = subject;
    store
        .record(&[s])
        .map_err(|e| {
            store_err(e)
                .hint("the screening was not recorded, so its results are not shown (--record)")
        })?
        .pop()
        .ok_or_else(|| CliError::failure("the store returned no record"))
}

/// After `import` or `update`: when monitored records exist, rescreens them against what
/// changed since the snapshot they were last screened against, and prints a summary.
/// Nothing happens when no store is in use.
pub fn after_import(global: &Global, out: &mut Output) -> Result<()> {
    let loc = location(global)?;
    if !loc.exists() {
        return Ok(());
    }
    let store = store::open(&loc).map_err(|e| {
        store_err(e).hint("the lists were imported, but the monitored records were not rescreened; run `watchlist monitor rescreen` when the database is back")
    })?;
    if store.monitored_count().map_err(store_err)? == 0 {
        return Ok(());
    }
    let run = catch_up(global, out, &*store, &ScreenOptions::default())?;
    if let Some(run) = run {
        summary(out, &run)?;
    }
    Ok(())
}

/// Rescreens the monitored records from the snapshot they were last screened against (the
/// cursor) to the snapshot in service. None when they are up to date.
pub fn catch_up(
    global: &Global,
    out: &Output,
    store: &dyn Store,
    opts: &ScreenOptions,
) -> Result<Option<RescreenRun>> {
    let dir = data::open_data_dir(global)?;
    let Some(current) = dir.current_version()? else {
        return Ok(None);
    };
    let cursor = store.state(store::monitor::CURSOR).map_err(store_err)?;
    let Some(cursor) = cursor else {
        if !opts.dry_run {
            store
                .set_state(store::monitor::CURSOR, &current)
                .map_err(store_err)?;
        }
        out.note(format!(
            "monitored records are now followed from snapshot {}",
            crate::commands::short(&current)
        ));
        return Ok(None);
    };
    if cursor == current {
        return Ok(None);
    }
    let from = dir.snapshot(&cursor).map_err(|e| {
        CliError::from(e).hint(format!(
            "the snapshot the monitored records were last screened against ({}) is missing from the data directory",
            crate::commands::short(&cursor)
        ))
    })?;
    let engine = data::open_engine(global)?;
    let run = delta::rescreen(store, &engine, &from, opts).map_err(|e| {
        store_err(e).hint(
            "the rescreen did not finish; what was recorded is kept, and `watchlist monitor rescreen` resumes it",
        )
    })?;
    Ok(Some(run))
}

/// One paragraph on what a rescreen did (stdout for tables, stderr for machine formats).
pub fn summary(out: &mut Output, run: &RescreenRun) -> Result<()> {
    let s = &run.summary;
    let text = format!(
        "rescreened {} monitored record(s) against the change {} -> {} ({} added, {} removed, {} changed): \
         {} could match and were screened, {} alert(s) opened, {} note(s) on open alerts{} [{} ms]",
        thousands(run.records),
        crate::commands::short(run.from_snapshot.as_deref().unwrap_or("-")),
        crate::commands::short(&run.to_snapshot),
        s["added"],
        s["removed"],
        s["changed"],
        thousands(run.screened),
        run.alerts_opened,
        s["notes"],
        if s["dry_run"] == true { " (dry run: nothing recorded)" } else { "" },
        s["ms"]["total"],
    );
    if out.format().is_machine() {
        out.note(text);
    } else {
        writeln!(out.writer(), "{text}")?;
    }
    Ok(())
}

/// What `screen --record` says about the record it made.
pub fn recorded_line(r: &Recorded) -> String {
    let ids = |v: &[i64]| {
        v.iter()
            .map(|i| format!("#{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut s = if r.duplicate {
        format!(
            "already recorded as screening #{} (idempotency key {}): nothing new recorded",
            r.seq, r.idempotency_key
        )
    } else {
        format!("recorded as screening #{} ({})", r.seq, r.identity)
    };
    if !r.alerts_opened.is_empty() {
        let what = if r.duplicate {
            "its alert(s)"
        } else {
            "alert(s) opened"
        };
        s.push_str(&format!("; {what}: {}", ids(&r.alerts_opened)));
    }
    if !r.alerts_hit.is_empty() {
        s.push_str(&format!(
            "; open alert(s) hit again: {}",
            ids(&r.alerts_hit)
        ));
    }
    if !r.whitelisted.is_empty() {
        s.push_str(&format!(
            "; whitelisted as false positives: {}",
            r.whitelisted.join(", ")
        ));
    }
    s
}
