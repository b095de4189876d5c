//! The command line: global flags and one variant per subcommand.
//!
//! To add a subcommand: a file in `commands/` with an `Args` struct and a `run` function, one
//! variant here, one match arm in `main.rs`.

use crate::commands;
use crate::output::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  failure (I/O error, network error, corrupt data directory)
  2  bad input: a list file that cannot be read, an invalid argument or id
  3  not found: no such entity or snapshot

Data directory: --data-dir, else $WATCHLIST_DATA_DIR, else the platform's data folder
(~/.local/share/watchlist on Linux). With no list imported yet, commands read a small
built-in demo list and say so.";

/// watchlist: screen names, documents, payments and rosters against official sanctions lists.
#[derive(Debug, Parser)]
#[command(name = "watchlist", version, about, after_long_help = EXIT_CODES, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Data directory holding imported lists and snapshots.
    #[arg(long, global = true, env = "WATCHLIST_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The store of screening records, alerts and monitored records: postgres://… or a SQLite
    /// file (default: watchlist.db in the data directory).
    #[arg(long, global = true, env = "WATCHLIST_DATABASE", value_name = "URL")]
    pub database: Option<String>,

    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// No progress display and no notices on stderr (errors are still printed).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import list files or folders (format detected from content) as a new snapshot.
    Import(commands::import::Args),
    /// Download the official lists and import them (conditional requests; unchanged lists are kept).
    Update(commands::update::Args),
    /// Show the lists in the snapshot in service: publisher, dates, counts, source files.
    Lists(commands::lists::Args),
    /// Screen one party by name (and birth date, country, identifiers): ranked, explained matches.
    Screen(commands::screen::Args),
    /// Screen JSON-lines queries from stdin or --input; one JSON result line per query.
    Match(commands::matching::Args),
    /// Measure recall and false-positive rate on a query set with ground truth.
    Eval(commands::eval::Args),
    /// Find every mention of a listed entity (and of sanctioned regions) in a text or HTML document.
    Scan(commands::scan::Args),
    /// Screen a payment message (pacs.008, pain.001, MT103, MT101): parties, agents, text, places.
    Payment(commands::payment::Args),
    /// Screen a roster (CSV or JSON lines) of people or companies: list, employer and rule hits.
    Batch(commands::batch::Args),
    /// Run the HTTP API and the web UI (see `watchlist serve --help`).
    Serve(commands::serve::Args),
    /// Show one listed entity by id (LIST:ID, e.g. un_sc:KPe.050).
    Show(commands::show::Args),
    /// List the snapshots in the data directory, newest last.
    Snapshots(commands::snapshots::Args),
    /// Put an earlier snapshot back in service.
    Rollback(commands::snapshots::RollbackArgs),
    /// Review alerts: list the queue, show one beside the listed entity, record decisions.
    Alerts(commands::alerts::Args),
    /// Monitored records (customers, suppliers, workers): add, list, remove, rescreen.
    Monitor(commands::monitor::Args),
    /// What changed between two snapshots: entities added, removed and changed, per list.
    Diff(commands::diff::Args),
    /// Check the audit trail's hash chains (`watchlist audit verify`).
    Audit(commands::audit::Args),
    /// Export alerts or screening records as CSV or JSON, for auditors.
    Export(commands::export::Args),
}
