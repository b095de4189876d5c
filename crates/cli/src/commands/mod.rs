//! One module per subcommand. Each has an `Args` (clap) and a `run` that writes through
//! [`Output`](crate::output::Output) and returns a [`CliError`](crate::error::CliError) on failure.

pub mod alerts;
pub mod audit;
pub mod batch;
pub mod diff;
pub mod eval;
pub mod export;
pub mod import;
pub mod lists;
pub mod matching;
pub mod monitor;
pub mod payment;
pub mod recording;
pub mod scan;
pub mod screen;
pub mod serve;
pub mod show;
pub mod snapshots;
pub mod update;

use sources::snapshot::DataDir;

/// The line that says what is in service after a failed import or update.
pub fn unchanged_line(dir: &DataDir) -> String {
    match dir.current_version() {
        Ok(Some(v)) => format!("the snapshot in service is unchanged ({})", short(&v)),
        Ok(None) => {
            "no snapshot is in service: nothing has been imported into this data directory yet"
                .to_string()
        }
        Err(e) => format!("the snapshot in service could not be read: {e}"),
    }
}

/// The short form of a content hash shown to people.
pub fn short(version: &str) -> &str {
    &version[..version.len().min(12)]
}
