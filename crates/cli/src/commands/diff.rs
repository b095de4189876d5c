//! `watchlist diff [OLD NEW]`: what changed between two snapshots, list by list — the
//! entities added, removed and changed (with the changed fields). Without arguments: the two
//! most recent snapshots. `--format json` lists every id; the table shows the first
//! `--limit` of each kind with their names.

use crate::cli::Global;
use crate::commands::recording::store_err;
use crate::commands::short;
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{Format, Output, Table};
use sources::snapshot::Snapshot;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The older snapshot (version or unique prefix); default: the second most recent.
    pub old: Option<String>,
    /// The newer snapshot; default: the most recent.
    pub new: Option<String>,
    /// Entities shown per kind of change in the table (JSON and CSV list all).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let dir = data::open_data_dir(global)?;
    let (old, new) = match (&args.old, &args.new) {
        (Some(o), Some(n)) => (o.clone(), n.clone()),
        (Some(_), None) => {
            return Err(CliError::bad_input(
                "give two snapshots (OLD NEW), or none for the two most recent",
            ))
        }
        _ => {
            let all = dir.manifests()?;
            match all.as_slice() {
                [.., a, b] => (a.version.clone(), b.version.clone()),
                _ => {
                    return Err(CliError::not_found(
                        "fewer than two snapshots in the data directory: nothing to compare",
                    ))
                }
            }
        }
    };
    let (old, new) = (dir.snapshot(&old)?, dir.snapshot(&new)?);
    let d = screen::audit::delta::diff(&old, &new).map_err(store_err)?;
    match out.format() {
        Format::Json | Format::Jsonl => out.json(&d)?,
        Format::Csv => {
            let mut t = Table::new(&["list", "change", "entity_id", "name", "fields"]);
            for l in &d.lists {
                let rows = l
                    .added
                    .iter()
                    .map(|id| ("added", id, &new, String::new()))
                    .chain(
                        l.removed
                            .iter()
                            .map(|id| ("removed", id, &old, String::new())),
                    )
                    .chain(
                        l.changed
                            .iter()
                            .map(|c| ("changed", &c.id, &new, c.fields.join(";"))),
                    );
                for (kind, id, snap, fields) in rows {
                    t.row(vec![
                        l.list.clone(),
                        kind.into(),
                        id.clone(),
                        store::export::escape_cell(&name(snap, id)).into_owned(),
                        fields,
                    ]);
                }
            }
            out.table(&t)?;
        }
        Format::Table => write_text(out.writer(), &d, &old, &new, args.limit)?,
    }
    Ok(())
}

/// The first name of an entity in a snapshot.
fn name(s: &Snapshot, id: &str) -> String {
    id.parse()
        .ok()
        .and_then(|id| s.get(&id).ok().flatten())
        .and_then(|e| e.names.first().map(|n| n.value.clone()))
        .unwrap_or_default()
}

fn write_text(
    w: &mut dyn Write,
    d: &screen::audit::delta::SnapshotDiff,
    old: &Snapshot,
    new: &Snapshot,
    limit: usize,
) -> std::io::Result<()> {
    writeln!(
        w,
        "snapshot {} #{} -> {} #{}: {} added, {} removed, {} changed",
        short(&d.old),
        old.manifest.seq,
        short(&d.new),
        new.manifest.seq,
        d.added(),
        d.removed(),
        d.changed()
    )?;
    if d.lists.is_empty() {
        writeln!(w, "no list differs")?;
    }
    for l in &d.lists {
        writeln!(
            w,
            "\n{}: {} added, {} removed, {} changed",
            l.list,
            l.added.len(),
            l.removed.len(),
            l.changed.len()
        )?;
        let section =
            |w: &mut dyn Write, label: &str, ids: Vec<(&String, String)>, snap: &Snapshot| {
                for (id, extra) in ids.iter().take(limit) {
                    writeln!(w, "  {label} {id}  {}{extra}", name(snap, id))?;
                }
                if ids.len() > limit {
                    writeln!(
                        w,
                        "  … {} more {label} (--limit N, or --format json)",
                        ids.len() - limit
                    )?;
                }
                Ok::<_, std::io::Error>(())
            };
        section(
            w,
            "+",
            l.added.iter().map(|i| (i, String::new())).collect(),
            new,
        )?;
        section(
            w,
            "-",
            l.removed.iter().map(|i| (i, String::new())).collect(),
            old,
        )?;
        section(
            w,
            "~",
            l.changed
                .iter()
                .map(|c| (&c.id, format!("  [{}]", c.fields.join(", "))))
                .collect(),
            new,
        )?;
    }
    Ok(())
}
