//! `watchlist snapshots` (every snapshot of the data directory, oldest first) and
//! `watchlist rollback VERSION` (put an earlier snapshot back in service).

use crate::cli::Global;
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{thousands, Output, Table};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    /// The snapshot to put back in service: its version or a unique prefix of it (12 digits
    /// as `watchlist snapshots` shows them are enough).
    #[arg(value_name = "VERSION")]
    pub version: String,
}

/// One snapshot as the machine formats show it.
#[derive(Debug, Serialize)]
struct Row<'a> {
    seq: u64,
    version: &'a str,
    created: &'a str,
    current: bool,
    entity_count: u64,
    /// List key to list version.
    lists: BTreeMap<&'a str, &'a str>,
}

pub fn run(global: &Global, out: &mut Output, _args: Args) -> Result<()> {
    let dir = data::open_data_dir(global)?;
    let current = dir.current_version()?;
    let manifests = dir.manifests()?;
    if manifests.is_empty() && !out.format().is_machine() {
        writeln!(
            out.writer(),
            "no snapshots yet: `watchlist import PATH...` or `watchlist update` makes the first"
        )?;
        return Ok(());
    }
    let rows: Vec<Row> = manifests
        .iter()
        .map(|m| Row {
            seq: m.seq,
            version: &m.version,
            created: &m.created,
            current: current.as_deref() == Some(m.version.as_str()),
            entity_count: m.entity_count(),
            lists: m
                .lists
                .iter()
                .map(|(k, v)| (k.as_str(), v.version.as_str()))
                .collect(),
        })
        .collect();
    let mut t =
        Table::new(&["", "SEQ", "VERSION", "CREATED", "ENTITIES", "LISTS"]).right_align(&[1, 4]);
    for (m, r) in manifests.iter().zip(&rows) {
        t.row(vec![
            if r.current { "*".into() } else { String::new() },
            r.seq.to_string(),
            if out.format().is_machine() {
                m.version.clone()
            } else {
                m.short_version().to_string()
            },
            r.created.into(),
            thousands(r.entity_count),
            m.lists.keys().cloned().collect::<Vec<_>>().join(" "),
        ]);
    }
    out.records(&t, &rows)?;
    Ok(())
}

pub fn rollback(global: &Global, out: &mut Output, args: RollbackArgs) -> Result<()> {
    let dir = data::open_data_dir(global)?;
    let m = dir.activate(args.version.trim()).map_err(|e| {
        CliError::from(e).hint("`watchlist snapshots` lists the snapshots of this data directory")
    })?;
    if out.format().is_machine() {
        out.json(&serde_json::json!({"status": "activated", "version": m.version, "seq": m.seq}))?;
    } else {
        writeln!(
            out.writer(),
            "snapshot {} #{} ({} lists, {} entities) is now in service",
            m.short_version(),
            m.seq,
            m.lists.len(),
            thousands(m.entity_count())
        )?;
    }
    Ok(())
}
