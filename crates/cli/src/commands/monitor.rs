//! `watchlist monitor add|list|remove|rescreen|runs`: customers, suppliers and workers kept
//! for ongoing screening.
//!
//! `add FILE` reads CSV or JSON lines (see `store::records` for the columns), stores the
//! records by key and screens the new and changed ones against the lists in service,
//! recording each screening and opening alerts. Screening is resumable: a record counts as
//! screened only once its screening is committed, so an `add` cut short screens the rest when
//! run again (or on the next `monitor rescreen`, `import` or `update`).
//!
//! After every `import` and `update`, and on `monitor rescreen`, the records are rescreened
//! against only what changed in the lists (see `screen::audit::delta`).

use crate::cli::Global;
use crate::commands::recording::{self, store_err};
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{thousands, Format, Output, Table};
use screen::audit::delta::{self, ScreenCounts, ScreenOptions};
use std::path::PathBuf;
use store::{MonitoredRecord, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Add or update records from a CSV or JSON-lines file and screen the new and changed ones.
    Add(AddArgs),
    /// List the monitored records.
    List(ListArgs),
    /// Stop monitoring records (by key).
    Remove(RemoveArgs),
    /// Screen pending records and rescreen all of them against what changed since their last screening.
    Rescreen(RescreenArgs),
    /// Show the last rescreen runs.
    Runs(ListArgs),
}

#[derive(Debug, clap::Args)]
#[command(after_help = "\
CSV columns (header names, any case): id (or customer_id, record_id…), name (or full_name),
aliases (;-separated), type (Person, Organization…), dob, country (ISO code or name),
identifiers, kind. JSON lines: {\"id\":…, \"name\":…, \"schema\":…, \"birth_date\":…,
\"countries\":[…], \"identifiers\":[…], \"kind\":…}.")]
pub struct AddArgs {
    /// The records file (CSV or JSON lines).
    pub file: PathBuf,
    /// The kind of records without a kind column: customer, supplier, worker…
    #[arg(long, default_value = "customer")]
    pub kind: String,
    /// Store the records without screening them now: they are taken as screened against the
    /// lists in service and rescreened only when the lists change.
    #[arg(long)]
    pub no_screen: bool,
    #[command(flatten)]
    pub screen: ScreenArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ScreenArgs {
    /// Alert threshold (default: the calibrated threshold of the matcher config).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Most results recorded per record.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

impl ScreenArgs {
    fn options(&self, dry_run: bool) -> ScreenOptions {
        ScreenOptions {
            limit: self.limit,
            threshold: self.threshold,
            dry_run,
            ..Default::default()
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Most shown.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// Record keys.
    #[arg(required = true)]
    pub keys: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct RescreenArgs {
    /// Screen and report, but record nothing and leave the cursor where it is.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub screen: ScreenArgs,
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let store = recording::open(global)?;
    match args.command {
        Sub::Add(a) => add(global, &*store, out, a),
        Sub::List(a) => list(&*store, out, a),
        Sub::Remove(a) => {
            let n = store.monitor_remove(&a.keys).map_err(store_err)?;
            writeln!(out.writer(), "{n} record(s) removed from monitoring")?;
            Ok(())
        }
        Sub::Rescreen(a) => rescreen(global, &*store, out, a),
        Sub::Runs(a) => runs(&*store, out, a),
    }
}

fn add(global: &Global, store: &dyn Store, out: &mut Output, a: AddArgs) -> Result<()> {
    let read = store::records::read_file(&a.file, &a.kind)
        .map_err(|e| CliError::bad_input(e.to_string()))?;
    for w in &read.warnings {
        out.note(format!("warning: {w}"));
    }
    let records = read.records;
    let dir = data::open_data_dir(global)?;
    let current = dir.current_version()?;
    let screened = if a.no_screen {
        Some(current.clone().unwrap_or_default())
    } else {
        None
    };
    let source = a.file.display().to_string();
    let changed = store
        .monitor_upsert(&records, &source, screened.as_deref())
        .map_err(store_err)?;
    writeln!(
        out.writer(),
        "{} record(s) read from {}: {} new or changed",
        thousands(records.len() as u64),
        source,
        thousands(changed.len() as u64)
    )?;
    if let Some(v) = &current {
        if store
            .state(store::monitor::CURSOR)
            .map_err(store_err)?
            .is_none()
        {
            store
                .set_state(store::monitor::CURSOR, v)
                .map_err(store_err)?;
        }
    }
    if a.no_screen {
        return Ok(());
    }
    if current.is_none() {
        out.note(
            "no list has been imported yet: the records will be screened after the first import",
        );
        return Ok(());
    }
    let counts = screen_pending(global, store, &a.screen.options(false))?;
    report(out, "screened", &counts)
}

/// Screens every pending record (new, changed, or left unscreened by an interrupted run)
/// against the snapshot in service.
pub fn screen_pending(
    global: &Global,
    store: &dyn Store,
    opts: &ScreenOptions,
) -> Result<ScreenCounts> {
    let mut total = ScreenCounts::default();
    let first = store.monitored(0, 1, true).map_err(store_err)?;
    if first.is_empty() {
        return Ok(total);
    }
    let engine = data::open_engine(global)?;
    if engine.demo {
        return Err(CliError::bad_input(
            "no list has been imported: monitored records are screened against real lists only",
        )
        .hint("import the lists first: watchlist import PATH… or watchlist update"));
    }
    let hash = |id: &str| delta::snapshot_entity_hash(&engine, id);
    let mut after = 0;
    loop {
        let page: Vec<(i64, MonitoredRecord)> =
            store.monitored(after, 20_000, true).map_err(store_err)?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        let recs: Vec<MonitoredRecord> = page.into_iter().map(|(_, r)| r).collect();
        let c = delta::screen_records(store, &engine, &recs, opts, "monitor", None, &hash)
            .map_err(|e| {
                store_err(e).hint(
                    "screenings recorded so far are kept; run the command again to screen the rest",
                )
            })?;
        total.screened += c.screened;
        total.recorded += c.recorded;
        total.duplicates += c.duplicates;
        total.alerts_opened += c.alerts_opened;
        total.alerts_hit += c.alerts_hit;
        total.whitelisted += c.whitelisted;
        if opts.dry_run {
            break;
        }
    }
    Ok(total)
}

fn report(out: &mut Output, what: &str, c: &ScreenCounts) -> Result<()> {
    if out.format().is_machine() {
        out.json(c)?;
        return Ok(());
    }
    writeln!(
        out.writer(),
        "{what} {} record(s): {} alert(s) opened, {} hit(s) on open alerts, {} whitelisted",
        thousands(c.screened),
        c.alerts_opened,
        c.alerts_hit,
        c.whitelisted
    )?;
    Ok(())
}

fn list(store: &dyn Store, out: &mut Output, a: ListArgs) -> Result<()> {
    let recs = store.monitored(0, a.limit, false).map_err(store_err)?;
    let total = store.monitored_count().map_err(store_err)?;
    let mut t = Table::new(&["key", "kind", "names", "schema", "birth_dates", "countries"]);
    for (_, r) in &recs {
        let q = &r.query;
        let row = vec![
            r.key.clone(),
            r.kind.clone(),
            q.names.join("; "),
            q.schema.map(|s| s.to_string()).unwrap_or_default(),
            q.birth_dates
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("; "),
            q.countries.join("; "),
        ];
        let row = if out.format() == Format::Csv {
            row.iter()
                .map(|c| store::export::escape_cell(c).into_owned())
                .collect()
        } else {
            row
        };
        t.row(row);
    }
    let items: Vec<&MonitoredRecord> = recs.iter().map(|(_, r)| r).collect();
    out.records(&t, &items)?;
    if out.format() == Format::Table && (recs.len() as u64) < total {
        writeln!(
            out.writer(),
            "({} of {} shown; --limit N for more)",
            recs.len(),
            thousands(total)
        )?;
    }
    Ok(())
}

fn rescreen(global: &Global, store: &dyn Store, out: &mut Output, a: RescreenArgs) -> Result<()> {
    let opts = a.screen.options(a.dry_run);
    let pending = screen_pending(global, store, &opts)?;
    if pending.screened > 0 {
        report(out, "screened pending", &pending)?;
    }
    match recording::catch_up(global, out, store, &opts)? {
        Some(run) => {
            if out.format().is_machine() {
                out.json(&run)?;
            } else {
                recording::summary(out, &run)?;
            }
        }
        None if pending.screened == 0 => {
            writeln!(
                out.writer(),
                "monitored records are up to date with the snapshot in service"
            )?;
        }
        None => {}
    }
    Ok(())
}

fn runs(store: &dyn Store, out: &mut Output, a: ListArgs) -> Result<()> {
    let runs = store.rescreens(a.limit).map_err(store_err)?;
    let mut t = Table::new(&[
        "id",
        "finished",
        "from",
        "to",
        "records",
        "candidates",
        "alerts",
        "ms",
    ])
    .right_align(&[0, 4, 5, 6, 7]);
    for r in &runs {
        t.row(vec![
            r.id.to_string(),
            r.finished_at.clone(),
            crate::commands::short(r.from_snapshot.as_deref().unwrap_or("-")).to_string(),
            crate::commands::short(&r.to_snapshot).to_string(),
            thousands(r.records),
            thousands(r.candidates),
            r.alerts_opened.to_string(),
            r.summary["ms"]["total"].to_string(),
        ]);
    }
    out.records(&t, &runs)?;
    Ok(())
}
