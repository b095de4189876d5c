//! `watchlist import PATH...`: detect the format of list files by content, parse them and put
//! a new snapshot in service in which the imported lists replace their previous versions.
//! Any error leaves the snapshot in service as it was.

use crate::cli::Global;
use crate::commands::{short, unchanged_line};
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{thousands, Format, Output, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use sources::snapshot::{DataDir, ImportEvent, ImportOutcome, SnapshotManifest};
use sources::SourceSet;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Folders are read recursively; README, LICENSE, PROVENANCE and *.md files are skipped.
Files that belong together (OFAC's sdn.csv, alt.csv, add.csv, sdn_comments.csv) are grouped.
On any error nothing changes: the snapshot in service stays as it was.")]
pub struct Args {
    /// List files or folders to import.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Do not build the screening index now; the first `screen`, `match` or `serve` builds it.
    /// Building it holds the whole snapshot in memory, which a very large custom list may not
    /// want at import time.
    #[arg(long)]
    pub no_index: bool,
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let dir = data::open_data_dir(global)?;
    let sets = sources::detect_paths(&args.paths)
        .map_err(|e| CliError::from(e).hint(unchanged_line(&dir)))?;
    let outcome = import_sets(&dir, &sets, out, !args.no_index)?;
    report(out, &outcome, &BTreeMap::new())?;
    crate::commands::recording::after_import(global, out)
}

/// Imports source sets with a progress display on stderr, then (with `index`) builds the new
/// snapshot's screening index; on error, the error says that the snapshot in service is
/// unchanged.
pub fn import_sets(
    dir: &DataDir,
    sets: &[SourceSet],
    out: &Output,
    index: bool,
) -> Result<ImportOutcome> {
    let mut progress = Progress::new(out);
    let result = dir.import(sets, &mut |ev| progress.event(ev));
    progress.finish();
    let outcome = result.map_err(|e| CliError::from(e).hint(unchanged_line(dir)))?;
    if let (true, ImportOutcome::Updated { snapshot, .. }) = (index, &outcome) {
        build_index(dir, &snapshot.version, out);
    }
    Ok(outcome)
}

/// Builds and persists the screening index of the new snapshot now, so that the first
/// `screen`, `match` or `serve` starts at once. A failure here does not undo the import (the
/// index is rebuilt on first use); it is reported.
fn build_index(dir: &DataDir, version: &str, out: &Output) {
    let progress = Progress::new(out);
    let bar = progress.spinner();
    bar.set_message("building the screening index");
    let result = dir
        .snapshot(version)
        .map_err(|e| e.to_string())
        .and_then(|s| {
            engine::Engine::open_at(dir.root(), s, false, &engine::Settings::default())
                .map(|_| ())
                .map_err(|e| e.to_string())
        });
    bar.finish_and_clear();
    if let Err(e) = result {
        out.note(format!("warning: the screening index could not be built now ({e}); it will be built on first use"));
    }
}

/// Spinners, one per parsed set, showing the entity count.
struct Progress {
    bar: Option<ProgressBar>,
    visible: bool,
}

impl Progress {
    fn new(out: &Output) -> Self {
        Progress {
            bar: None,
            visible: !out.quiet() && std::io::stderr().is_terminal(),
        }
    }

    fn spinner(&self) -> ProgressBar {
        let bar = ProgressBar::new_spinner();
        if self.visible {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        } else {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
        bar
    }

    fn event(&mut self, ev: ImportEvent) {
        match ev {
            ImportEvent::Start { set, bytes } => {
                let bar = self.spinner();
                let name = file_name(&set.main);
                bar.set_message(format!(
                    "{name} ({}, {}): reading",
                    crate::output::human_bytes(bytes),
                    set.format
                ));
                bar.set_prefix(name);
                self.bar = Some(bar);
            }
            ImportEvent::Entities(n) => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("{}: {} entities", bar.prefix(), thousands(n)));
                }
            }
            ImportEvent::Done { list, entities } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_with_message(format!(
                        "{list}: {} entities from {}",
                        thousands(entities),
                        bar.prefix()
                    ));
                }
            }
            ImportEvent::Reused { set, list } => {
                if self.visible {
                    eprintln!(
                        "  {list}: {} is identical to an earlier import",
                        file_name(&set.main)
                    );
                }
            }
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.abandon();
        }
    }
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// What an import did, for `--format json`.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// `updated` (a new snapshot is in service) or `unchanged`.
    pub status: &'static str,
    pub snapshot: SnapshotRef<'a>,
    pub lists: Vec<ListChange<'a>>,
}

#[derive(Debug, Serialize)]
pub struct SnapshotRef<'a> {
    pub version: &'a str,
    pub seq: u64,
    pub created: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ListChange<'a> {
    pub list: &'a str,
    pub changed: bool,
    pub entities: u64,
    pub counts: &'a BTreeMap<String, u64>,
    /// Download details (`update` only): `downloaded` or `not_modified`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download: Option<String>,
}

/// Prints what an import did. `notes` adds a word per list (the update's download outcome).
pub fn report(
    out: &mut Output,
    outcome: &ImportOutcome,
    notes: &BTreeMap<String, String>,
) -> Result<()> {
    let (status, snapshot, changed, unchanged): (_, &SnapshotManifest, Vec<&str>, Vec<&str>) =
        match outcome {
            ImportOutcome::Updated {
                snapshot,
                changed,
                unchanged,
            } => (
                "updated",
                snapshot,
                changed.iter().map(String::as_str).collect(),
                unchanged.iter().map(String::as_str).collect(),
            ),
            ImportOutcome::Unchanged { snapshot } => {
                ("unchanged", snapshot, Vec::new(), Vec::new())
            }
        };
    let lists_in_outcome: Vec<(&str, bool)> = match outcome {
        ImportOutcome::Updated { .. } => changed
            .iter()
            .map(|l| (*l, true))
            .chain(unchanged.iter().map(|l| (*l, false)))
            .collect(),
        ImportOutcome::Unchanged { snapshot } => {
            snapshot.lists.keys().map(|l| (l.as_str(), false)).collect()
        }
    };
    let items: Vec<ListChange> = lists_in_outcome
        .iter()
        .filter_map(|(l, changed)| {
            let m = snapshot.lists.get(*l)?;
            Some(ListChange {
                list: l,
                changed: *changed,
                entities: m.entity_count,
                counts: &m.counts,
                download: notes.get(*l).cloned(),
            })
        })
        .collect();
    if out.format().is_machine() {
        let summary = Summary {
            status,
            snapshot: SnapshotRef {
                version: &snapshot.version,
                seq: snapshot.seq,
                created: &snapshot.created,
            },
            lists: items,
        };
        return match out.format() {
            Format::Csv => {
                let mut t =
                    Table::new(&["status", "snapshot", "seq", "list", "changed", "entities"]);
                for i in &summary.lists {
                    t.row(vec![
                        status.into(),
                        snapshot.version.clone(),
                        snapshot.seq.to_string(),
                        i.list.into(),
                        i.changed.to_string(),
                        i.entities.to_string(),
                    ]);
                }
                Ok(out.table(&t)?)
            }
            _ => Ok(out.json(&summary)?),
        };
    }
    let w = out.writer();
    if status == "unchanged" {
        writeln!(
            w,
            "already up to date: nothing changed (snapshot {} #{} stays in service)",
            snapshot.short_version(),
            snapshot.seq
        )?;
        return Ok(());
    }
    writeln!(
        w,
        "snapshot {} #{} is now in service",
        snapshot.short_version(),
        snapshot.seq
    )?;
    let mut headers = vec!["STATUS", "LIST", "ENTITIES", "BY SCHEMA"];
    if !notes.is_empty() {
        headers.push("DOWNLOAD");
    }
    let mut t = Table::new(&headers).right_align(&[2]);
    for i in &items {
        let by_schema = i
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| format!("{s} {}", thousands(*n)))
            .collect::<Vec<_>>();
        t.row(vec![
            if i.changed {
                "changed".into()
            } else {
                "unchanged".into()
            },
            i.list.into(),
            thousands(i.entities),
            by_schema.join(", "),
            i.download.clone().unwrap_or_default(),
        ]);
    }
    t.write_text(w)?;
    if let Some(prev) = &snapshot.previous {
        writeln!(
            w,
            "previous snapshot: {} (watchlist rollback {} puts it back)",
            short(prev),
            short(prev)
        )?;
    }
    Ok(())
}
