//! `watchlist batch FILE.csv|FILE.jsonl`: screen a roster of people or companies on all
//! cores, with a progress bar; one output row per hit (CSV, or JSON lines with `--format
//! json`/`jsonl`). Bad rows are reported on stderr with their row and line numbers and
//! counted; the batch goes on. See `screen::roster`.
//!
//! With `--record`, every screened row is recorded in the audit trail (one screening per row,
//! identity the row's `id` column, alerts opened for list matches at or above the threshold),
//! in transactions of one screening chunk (`screen::roster::CHUNK` rows) committed while the
//! next chunk is screened (`screen::audit::record::record_roster`); the store is opened before the
//! first row, and a recording error stops the batch (what was committed stays).

use crate::cli::Global;
use crate::error::{CliError, Result};
use crate::output::{Format, Output};
use screen::roster::input;
use screen::roster::relations::RelationIndex;
use screen::roster::{run_batch_full, BatchOptions, RosterScreener, RowHit};
use std::io::{BufReader, IsTerminal, Write};
use std::time::Instant;
use store::record::RecordTally;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The roster: CSV with a header row, or JSON lines (.jsonl / .ndjson, or content starting with {).
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// Column mapping, e.g. `name=Full Name,dob=Birth Date,nationality=Citizenship,passport=Passport No,employer=Company,address=Work Address`.
    /// Fields: name, dob, nationality, passport, employer, address, country (work country), employer_address, id, kind.
    #[arg(long, value_name = "FIELD=COLUMN,...")]
    pub map: Option<String>,
    /// Write the hits to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Only these lists (keys, e.g. un_sc); may repeat.
    #[arg(long = "list", value_name = "LIST")]
    pub lists: Vec<String>,
    /// Alert threshold (default: the calibrated threshold of the matcher config).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Record every screened row in the audit trail (see `--database`) and open alerts for
    /// list matches at or above the threshold; the batch stops if recording fails.
    #[arg(long)]
    pub record: bool,
}

/// Bad rows printed on stderr (all are counted).
const MAX_ERRORS_SHOWN: u64 = 100;

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let name = args.file.display().to_string();
    if let Some(n) = args.threads {
        // the global pool (the batch is the only parallel work of the process)
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let map = match &args.map {
        Some(m) => input::parse_map(m).map_err(CliError::bad_input)?,
        None => Vec::new(),
    };
    let file =
        std::fs::File::open(&args.file).map_err(|e| CliError::bad_input(format!("{name}: {e}")))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let reader = BufReader::with_capacity(1 << 20, file);
    let mut rows = input::open(&name, reader, &map).map_err(|e| match e {
        input::OpenError::Io(e) => CliError::failure(format!("{name}: {e}")),
        e => CliError::bad_input(format!("{name}: {e}")),
    })?;

    // with --record, an unreachable store stops the batch before any screening
    let store = if args.record {
        Some(super::recording::open(global)?)
    } else {
        None
    };
    let engine = crate::data::open_engine(global)?;
    if let Some(w) = engine.demo_warning() {
        out.warning(&w)?;
    }
    // what changes a row's screening besides the row, the lists and the threshold
    let options = serde_json::json!({ "lists": &args.lists, "map": &map });
    let started = Instant::now();
    let relations = RelationIndex::build(engine.snapshot.entities().map_while(|r| r.ok()));
    out.note(format!(
        "{} relations of listed entities indexed ({:.1} s)",
        relations.len(),
        started.elapsed().as_secs_f32()
    ));
    let screener = RosterScreener::new(
        engine.matcher(),
        relations,
        BatchOptions {
            threshold: args.threshold,
            lists: (!args.lists.is_empty()).then(|| args.lists.clone()),
        },
    );

    let quiet = out.quiet();
    let json = matches!(out.format(), Format::Json | Format::Jsonl);
    let mut sink: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p)
                .map_err(|e| CliError::failure(format!("{}: {e}", p.display())))?,
        )),
        None => Box::new(out.writer()),
    };
    if !json {
        writeln!(sink, "{}", RowHit::CSV_HEADER.join(","))?;
    }
    let bar = if quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} [{bar:30}] {msg} ({eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    };
    let mut shown = 0u64;
    let mut on_hits = |hits: &[RowHit]| -> std::io::Result<()> {
        for h in hits {
            if !json {
                let rec = h.csv_cells();
                writeln!(
                    sink,
                    "{}",
                    rec.iter()
                        .map(|c| csv_cell(&store::export::escape_cell(c)))
                        .collect::<Vec<_>>()
                        .join(",")
                )?;
            } else {
                serde_json::to_writer(&mut sink, h)?;
                sink.write_all(b"\n")?;
            }
        }
        Ok(())
    };
    let mut on_error = |e: &screen::roster::RowError| {
        shown += 1;
        if !quiet && shown <= MAX_ERRORS_SHOWN {
            bar.suspend(|| eprintln!("{name}: {e}"));
        }
    };
    // a row with an untidy value was screened on the rest: say what was left out
    let mut warned_shown = 0u64;
    let mut on_warnings = |row: &screen::roster::Row, warnings: &[String]| {
        if warnings.is_empty() {
            return;
        }
        warned_shown += 1;
        if !quiet && warned_shown <= MAX_ERRORS_SHOWN {
            for w in warnings {
                bar.suspend(|| {
                    eprintln!("{name}: row {} (line {}): warning: {w}", row.row, row.line)
                });
            }
        }
    };
    let mut on_progress = |rows: u64, bytes: u64| {
        bar.set_position(bytes);
        bar.set_message(format!("{rows} rows"));
    };
    let mut recorded = RecordTally::default();
    let stats = match store.as_deref() {
        None => run_batch_full(
            &screener,
            rows.as_mut(),
            &mut |row, r| {
                on_warnings(row, &r.warnings);
                if r.hits.is_empty() {
                    Ok(())
                } else {
                    on_hits(&r.hits)
                }
            },
            &mut on_error,
            &mut on_progress,
        )?,
        Some(store) => {
            let actor = super::recording::actor();
            let origin = serde_json::json!({ "file": &name });
            // rows keyed by the roster's content, the lists and the options (see
            // store::record::derive_roster_key): run again, the batch records only what is new
            let roster = store::record::derive_roster_key(
                &std::fs::File::open(&args.file)
                    .and_then(store::sha256_hex_reader)
                    .map_err(|e| CliError::failure(format!("{name}: {e}")))?,
                &engine.snapshot.manifest.version,
                matcher::MATCHER_VERSION,
                args.threshold
                    .unwrap_or(engine.matcher().config().threshold),
                &options,
            );
            screen::audit::record::record_roster(
                store,
                &screener,
                rows.as_mut(),
                |row, r| {
                    let mut s = screen::audit::record::roster_row(
                        &engine,
                        row,
                        r,
                        args.threshold,
                        // only derived keys read the options, and these rows have keys
                        serde_json::Value::Null,
                        &actor,
                        origin.clone(),
                    );
                    s.idempotency_key = Some(store::record::row_key(&roster, row.row));
                    s
                },
                |row, hits, warnings| {
                    on_warnings(row, &warnings);
                    if hits.is_empty() {
                        Ok(())
                    } else {
                        on_hits(&hits)
                    }
                },
                |done| recorded.add(done),
                &mut on_error,
                &mut on_progress,
            )
            .map_err(|e| {
                super::recording::store_err(e)
                    .hint("recording stopped the batch; what was recorded before the error is kept")
            })??
        }
    };
    sink.flush()?;
    drop(sink);
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    if stats.errors > MAX_ERRORS_SHOWN && !quiet {
        eprintln!(
            "{name}: {} more bad rows not shown",
            stats.errors - MAX_ERRORS_SHOWN
        );
    }
    out.note(format!(
        "{name}: {} rows read, {} screened, {} bad, {} rows with hits, {} hits, {} screened with warnings; {:.1} s ({:.0} rows/s)",
        stats.rows,
        stats.screened,
        stats.errors,
        stats.rows_with_hits,
        stats.hits,
        stats.warned,
        secs,
        stats.rows as f64 / secs.max(1e-9)
    ));
    if args.record {
        out.note(format!(
            "recorded: {} screenings, {} already recorded, {} alerts opened",
            recorded.screenings, recorded.duplicates, recorded.alerts_opened
        ));
    }
    Ok(())
}

/// A CSV cell, quoted when it holds a separator, a quote or a line break (RFC 4180).
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
