//! `watchlist export alerts|screenings`: for auditors. `--format csv` (also the default
//! table format) writes CSV with cells escaped against spreadsheet formulas; `json` a JSON
//! array (alerts with their history; screening records with input, results, explanations
//! and chain hashes); `jsonl` one record per line (screenings).

use crate::cli::Global;
use crate::commands::recording::{self, store_err};
use crate::error::{CliError, Result};
use crate::output::{Format, Output};
use std::io::Write;
use std::path::PathBuf;
use store::{AlertFilter, AlertStatus};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
    /// Write to this file instead of stdout.
    #[arg(long, short, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Alerts with their decisions (default: every status).
    Alerts(AlertArgs),
    /// Every screening record, in chain order.
    Screenings,
}

#[derive(Debug, clap::Args)]
pub struct AlertArgs {
    /// queue, open, escalated, pending_second_review, closed or all.
    #[arg(long, default_value = "all")]
    pub status: String,
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let store = recording::open(global)?;
    let format = out.format();
    let mut file;
    let w: &mut dyn Write = match &args.output {
        Some(p) => {
            file = std::io::BufWriter::new(
                std::fs::File::create(p)
                    .map_err(|e| CliError::failure(format!("{}: {e}", p.display())))?,
            );
            &mut file
        }
        None => out.writer(),
    };
    let n = match args.command {
        Sub::Alerts(a) => {
            let statuses = match a.status.as_str() {
                "all" => Vec::new(),
                "queue" => AlertFilter::queue().statuses,
                s => vec![AlertStatus::parse(s).ok_or_else(|| {
                    CliError::bad_input(format!("--status {s:?}: not an alert status"))
                })?],
            };
            let filter = AlertFilter {
                statuses,
                ..Default::default()
            };
            match format {
                Format::Json | Format::Jsonl => {
                    store::export::alerts_json(&*store, &filter, &mut *w)
                }
                _ => store::export::alerts_csv(&*store, &filter, &mut *w),
            }
        }
        Sub::Screenings => match format {
            Format::Json => store::export::screenings_json(&*store, &mut *w, false),
            Format::Jsonl => store::export::screenings_json(&*store, &mut *w, true),
            _ => store::export::screenings_csv(&*store, &mut *w),
        },
    }
    .map_err(store_err)?;
    w.flush()?;
    if let Some(p) = &args.output {
        out.note(format!("{n} record(s) written to {}", p.display()));
    }
    Ok(())
}
