//! `watchlist show ID`: one listed entity with everything its publisher says about it, its
//! relations resolved to the related entities, and where it comes from (list, list version,
//! snapshot).

use crate::cli::Global;
use crate::data::{self, Loaded};
use crate::error::{CliError, Result};
use crate::output::{Format, Output, Table};
use model::{Entity, EntityId, NameKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Entity id: LIST:ID, e.g. un_sc:KPe.050 or us_ofac_sdn:20157.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Same as --format json.
    #[arg(long)]
    pub json: bool,
}

/// A relation with its target looked up in the same snapshot.
#[derive(Debug, Serialize)]
pub struct ResolvedRelation<'a> {
    pub kind: &'a str,
    pub target: Option<String>,
    pub target_name: Option<&'a str>,
    /// The target's caption when the target is in the snapshot.
    pub target_caption: Option<String>,
    pub target_in_snapshot: bool,
}

/// Where the entity comes from.
#[derive(Debug, Serialize)]
pub struct Source<'a> {
    pub list: &'a str,
    pub title: &'a str,
    pub publisher: &'a str,
    pub format: &'a str,
    pub published: Option<&'a str>,
    pub list_version: &'a str,
    pub snapshot: &'a str,
    pub snapshot_seq: u64,
    pub demo: bool,
}

/// `show` output for the machine formats.
#[derive(Debug, Serialize)]
pub struct Shown<'a> {
    pub id: String,
    pub caption: &'a str,
    pub entity: &'a Entity,
    pub names_by_kind: BTreeMap<&'static str, Vec<&'a str>>,
    pub relations: Vec<ResolvedRelation<'a>>,
    pub source: Source<'a>,
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    if args.json {
        out.set_format(Format::Json);
    }
    let id: EntityId = args.id.trim().parse().map_err(|e| {
        CliError::bad_input(format!("invalid entity id {:?}: {e}", args.id))
            .hint("an entity id is LIST:ID, e.g. un_sc:KPe.050 or us_ofac_sdn:20157 (`watchlist lists` shows the lists)")
    })?;
    let loaded = data::open_snapshot(global)?;
    loaded.warn_if_demo(out)?;
    let entity = find(&loaded, &id, out)?;
    let shown = describe(&loaded, &entity)?;
    match out.format() {
        Format::Json | Format::Jsonl => out.json(&shown)?,
        Format::Csv => out.table(&csv_rows(&shown))?,
        Format::Table => write_text(out.writer(), &shown)?,
    }
    Ok(())
}

/// The entity with this id; failing that, the one entity that a loaded list marks as the same
/// party (`same_as`, as custom lists and the demo list do for official ids).
fn find(loaded: &Loaded, id: &EntityId, out: &mut Output) -> Result<Entity> {
    let m = &loaded.snapshot.manifest;
    if let Some(e) = loaded.snapshot.get(id)? {
        return Ok(e);
    }
    if let Some(e) = same_as(loaded, id)? {
        out.warning(&[format!(
            "note: {id} is not in the snapshot in service; showing {}, which its list marks as the same party",
            e.id
        )])?;
        return Ok(e);
    }
    if !m.lists.contains_key(id.list()) {
        let lists = m.lists.keys().cloned().collect::<Vec<_>>().join(", ");
        return Err(CliError::not_found(format!(
            "no list {:?} in the snapshot in service ({})",
            id.list(),
            m.short_version()
        ))
        .hint(format!("lists in service: {lists}")));
    }
    Err(CliError::not_found(format!(
        "no entity {id} in list {} (snapshot {})",
        id.list(),
        m.short_version()
    )))
}

/// The single entity with a `same_as` relation to `id`, if exactly one has it.
fn same_as(loaded: &Loaded, id: &EntityId) -> Result<Option<Entity>> {
    let mut found = None;
    for e in loaded.snapshot.entities() {
        let e = e?;
        if e.relations
            .iter()
            .any(|r| r.kind == "same_as" && r.target.as_ref() == Some(id))
        {
            if found.is_some() {
                return Ok(None);
            }
            found = Some(e);
        }
    }
    Ok(found)
}

fn describe<'a>(loaded: &'a Loaded, e: &'a Entity) -> Result<Shown<'a>> {
    let m = &loaded.snapshot.manifest;
    let meta = &m.lists[e.id.list()];
    let mut names_by_kind: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
    for n in &e.names {
        names_by_kind
            .entry(n.kind.as_str())
            .or_default()
            .push(&n.value);
    }
    let mut relations = Vec::new();
    for r in &e.relations {
        let target = match &r.target {
            Some(t) => loaded.snapshot.get(t)?,
            None => None,
        };
        relations.push(ResolvedRelation {
            kind: &r.kind,
            target: r.target.as_ref().map(|t| t.to_string()),
            target_name: r.target_name.as_deref(),
            target_caption: target.as_ref().map(|t| t.caption().to_string()),
            target_in_snapshot: target.is_some(),
        });
    }
    Ok(Shown {
        id: e.id.to_string(),
        caption: e.caption(),
        entity: e,
        names_by_kind,
        relations,
        source: Source {
            list: &meta.list,
            title: &meta.title,
            publisher: &meta.publisher,
            format: &meta.format,
            published: meta.published.as_deref(),
            list_version: &meta.version,
            snapshot: &m.version,
            snapshot_seq: m.seq,
            demo: loaded.demo,
        },
    })
}

/// The entity as (field, kind, value) rows, for text and CSV.
fn fields(s: &Shown) -> Vec<(&'static str, String, String)> {
    let e = s.entity;
    let mut rows: Vec<(&'static str, String, String)> = Vec::new();
    let mut push = |field: &'static str, kind: &str, value: String| {
        rows.push((field, kind.to_string(), value))
    };
    push("id", "", s.id.clone());
    push("schema", "", e.schema.to_string());
    let kinds = [
        NameKind::Primary,
        NameKind::Alias,
        NameKind::WeakAlias,
        NameKind::Former,
        NameKind::New,
        NameKind::OriginalScript,
    ];
    for kind in kinds {
        for n in e.names.iter().filter(|n| n.kind == kind) {
            let mut v = n.value.clone();
            if let Some(l) = &n.lang {
                v.push_str(&format!(" [{l}]"));
            }
            if let Some(note) = &n.note {
                v.push_str(&format!(" ({note})"));
            }
            push("name", kind.as_str(), v);
        }
    }
    if let Some(g) = e.gender {
        push("gender", "", format!("{g:?}").to_lowercase());
    }
    for d in &e.birth_dates {
        push("birth_date", "", d.to_string());
    }
    for p in &e.birth_places {
        push("birth_place", "", p.clone());
    }
    for (field, list) in [
        ("nationality", &e.nationalities),
        ("citizenship", &e.citizenships),
        ("country", &e.countries),
    ] {
        for c in list {
            push(field, "", c.clone());
        }
    }
    if let Some(d) = &e.listed_on {
        push("listed_on", "", d.to_string());
    }
    for p in &e.programs {
        push("program", "", p.clone());
    }
    for p in &e.positions {
        push("position", "", p.clone());
    }
    for i in &e.identifiers {
        let mut v = i.value.clone();
        if let Some(c) = &i.country {
            v.push_str(&format!("  country {c}"));
        }
        if let Some(l) = &i.label {
            v.push_str(&format!("  \"{l}\""));
        }
        if let Some(n) = &i.note {
            v.push_str(&format!("  ({n})"));
        }
        push("identifier", &format!("{:?}", i.kind).to_lowercase(), v);
    }
    for a in &e.addresses {
        push("address", "", a.line());
    }
    if let Some(v) = &e.vessel {
        let parts = [
            ("flag", &v.flag),
            ("type", &v.vessel_type),
            ("tonnage", &v.tonnage),
            ("GRT", &v.gross_registered_tonnage),
            ("owner", &v.owner),
        ];
        for (k, val) in parts {
            if let Some(val) = val {
                push("vessel", k, val.clone());
            }
        }
    }
    for r in &s.relations {
        let mut v = r.target.clone().unwrap_or_default();
        let name = r.target_caption.as_deref().or(r.target_name);
        if let Some(n) = name {
            if !v.is_empty() {
                v.push_str("  ");
            }
            v.push_str(n);
        }
        if r.target.is_some() && !r.target_in_snapshot {
            v.push_str("  (not in this snapshot)");
        }
        push("relation", r.kind, v);
    }
    for r in &e.remarks {
        push("remark", "", r.clone());
    }
    for (k, vs) in &e.extra {
        for v in vs {
            push("extra", k, v.clone());
        }
    }
    rows
}

fn csv_rows(s: &Shown) -> Table {
    let mut t = Table::new(&["id", "field", "kind", "value"]);
    for (field, kind, value) in fields(s) {
        t.row(vec![s.id.clone(), field.into(), kind, value]);
    }
    t
}

fn write_text(w: &mut dyn Write, s: &Shown) -> std::io::Result<()> {
    writeln!(w, "{}  {}", s.id, s.entity.schema)?;
    writeln!(w, "{}", s.caption)?;
    writeln!(w)?;
    // Publisher fields without a place in the model: "extra  Key: value", so that long
    // publisher labels do not widen the label column.
    let rows: Vec<(String, String)> = fields(s)
        .into_iter()
        .filter(|(f, _, _)| *f != "id" && *f != "schema")
        .map(|(f, k, v)| {
            if f == "extra" {
                (f.to_string(), format!("{k}: {v}"))
            } else {
                (label(f, &k), v)
            }
        })
        .collect();
    let label_width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let mut previous = String::new();
    for (l, value) in rows {
        let shown = if l == previous { "" } else { l.as_str() };
        // Multi-line values (remarks) are indented under their label.
        let mut lines = value.lines();
        writeln!(w, "{shown:<label_width$}  {}", lines.next().unwrap_or(""))?;
        for more in lines {
            writeln!(w, "{:<label_width$}  {more}", "")?;
        }
        previous = l;
    }
    writeln!(w)?;
    let src = &s.source;
    writeln!(
        w,
        "source: {} — {} ({})",
        src.list, src.title, src.publisher
    )?;
    writeln!(
        w,
        "        list version {}{}, snapshot {} #{}",
        crate::commands::short(src.list_version),
        src.published
            .map(|p| format!(", published {p}"))
            .unwrap_or_default(),
        crate::commands::short(src.snapshot),
        src.snapshot_seq
    )?;
    Ok(())
}

/// `name (alias)`, `identifier (passport)`, `birth_date`.
fn label(field: &str, kind: &str) -> String {
    if kind.is_empty() {
        field.replace('_', " ")
    } else {
        format!("{} ({})", field.replace('_', " "), kind.replace('_', " "))
    }
}
