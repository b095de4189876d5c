//! `watchlist lists`: the lists in the snapshot in service, with publisher, dates, entity
//! counts by schema and the source files (sha256) they were read from.

use crate::cli::Global;
use crate::commands::short;
use crate::data;
use crate::error::Result;
use crate::output::{human_bytes, thousands, Format, Output, Table};
use model::{ListMeta, Schema, SourceFile};
use serde::Serialize;
use sources::snapshot::SnapshotManifest;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Same as --format json.
    #[arg(long)]
    pub json: bool,
}

/// The snapshot as `lists --format json` shows it.
#[derive(Debug, Serialize)]
pub struct SnapshotInfo<'a> {
    pub version: &'a str,
    pub short_version: &'a str,
    pub seq: u64,
    pub created: &'a str,
    pub previous: Option<&'a str>,
    /// True when no list has been imported and the built-in demo list is shown.
    pub demo: bool,
    pub data_dir: String,
    pub list_count: usize,
    pub entity_count: u64,
}

/// One list as `lists --format json` shows it. Field names and types are stable.
#[derive(Debug, Serialize)]
pub struct ListInfo<'a> {
    pub list: &'a str,
    pub publisher: &'a str,
    pub title: &'a str,
    pub format: &'a str,
    /// The publication date or time the file carries, if any.
    pub published: Option<&'a str>,
    pub imported_at: &'a str,
    pub version: &'a str,
    pub short_version: &'a str,
    /// Entities per schema; every schema is present (0 when none).
    pub counts: BTreeMap<&'static str, u64>,
    pub total: u64,
    pub source_files: &'a [SourceFile],
}

/// `lists` output for `--format json`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub snapshot: SnapshotInfo<'a>,
    pub lists: Vec<ListInfo<'a>>,
}

/// A list with its snapshot, for `--format jsonl` (one line per list).
#[derive(Debug, Serialize)]
struct Line<'a> {
    snapshot: &'a str,
    snapshot_seq: u64,
    demo: bool,
    #[serde(flatten)]
    list: &'a ListInfo<'a>,
}

fn list_info(m: &ListMeta) -> ListInfo<'_> {
    let mut counts: BTreeMap<&'static str, u64> =
        Schema::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for (schema, n) in &m.counts {
        if let Some(s) = Schema::ALL.iter().find(|s| s.as_str() == schema) {
            counts.insert(s.as_str(), *n);
        }
    }
    ListInfo {
        list: &m.list,
        publisher: &m.publisher,
        title: &m.title,
        format: &m.format,
        published: m.published.as_deref(),
        imported_at: &m.imported_at,
        version: &m.version,
        short_version: short(&m.version),
        counts,
        total: m.entity_count,
        source_files: &m.source_files,
    }
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    if args.json {
        out.set_format(Format::Json);
    }
    let loaded = data::open_snapshot(global)?;
    loaded.warn_if_demo(out)?;
    let m = &loaded.snapshot.manifest;
    let report = Report {
        snapshot: SnapshotInfo {
            version: &m.version,
            short_version: m.short_version(),
            seq: m.seq,
            created: &m.created,
            previous: m.previous.as_deref(),
            demo: loaded.demo,
            data_dir: loaded.root.display().to_string(),
            list_count: m.lists.len(),
            entity_count: m.entity_count(),
        },
        lists: m.lists.values().map(list_info).collect(),
    };
    match out.format() {
        Format::Json => out.json(&report)?,
        Format::Jsonl => {
            for l in &report.lists {
                out.json_line(&Line {
                    snapshot: &m.version,
                    snapshot_seq: m.seq,
                    demo: loaded.demo,
                    list: l,
                })?;
            }
        }
        Format::Csv => out.table(&csv_table(m, &report.lists))?,
        Format::Table => write_text(out.writer(), m, &report.lists)?,
    }
    Ok(())
}

fn csv_table(m: &SnapshotManifest, lists: &[ListInfo]) -> Table {
    let mut headers = vec![
        "snapshot",
        "snapshot_seq",
        "list",
        "publisher",
        "title",
        "format",
        "published",
    ];
    headers.extend(["imported_at", "version"]);
    headers.extend(Schema::ALL.iter().map(|s| s.as_str()));
    headers.extend(["total", "source_files"]);
    let mut t = Table::new(&headers);
    for l in lists {
        let mut row = vec![
            m.version.clone(),
            m.seq.to_string(),
            l.list.into(),
            l.publisher.into(),
            l.title.into(),
            l.format.into(),
            l.published.unwrap_or_default().into(),
            l.imported_at.into(),
            l.version.into(),
        ];
        row.extend(
            Schema::ALL
                .iter()
                .map(|s| l.counts.get(s.as_str()).copied().unwrap_or(0).to_string()),
        );
        row.push(l.total.to_string());
        row.push(
            l.source_files
                .iter()
                .map(|f| format!("{}:{}", f.name, f.sha256))
                .collect::<Vec<_>>()
                .join(";"),
        );
        t.row(row);
    }
    t
}

fn write_text(w: &mut dyn Write, m: &SnapshotManifest, lists: &[ListInfo]) -> std::io::Result<()> {
    writeln!(
        w,
        "snapshot {} #{}  created {}  {} list{}, {} entities",
        m.short_version(),
        m.seq,
        m.created,
        lists.len(),
        if lists.len() == 1 { "" } else { "s" },
        thousands(m.entity_count())
    )?;
    for l in lists {
        writeln!(w)?;
        writeln!(w, "{}  {}", l.list, l.title)?;
        let by_schema: Vec<String> = l
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| format!("{s} {}", thousands(*n)))
            .collect();
        let mut field = |label: &str, value: &str| writeln!(w, "  {label:<10}  {value}");
        field("publisher", l.publisher)?;
        field("format", l.format)?;
        field(
            "published",
            l.published.unwrap_or("(not stated in the file)"),
        )?;
        field("imported", l.imported_at)?;
        field("version", l.short_version)?;
        field(
            "entities",
            &format!("{}  ({})", thousands(l.total), by_schema.join(", ")),
        )?;
        for (i, f) in l.source_files.iter().enumerate() {
            let label = if i == 0 { "files" } else { "" };
            field(
                label,
                &format!("{}  {}  sha256 {}", f.name, human_bytes(f.bytes), f.sha256),
            )?;
        }
    }
    Ok(())
}
