//! `watchlist screen NAME`: screen one party and print the ranked matches, with the reasons
//! when asked (`--explain`).

use crate::cli::Global;
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{Format, Output, Table};
use matcher::{Match, Query, SearchOptions};
use model::{DateValue, Schema};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The name to screen (several names of one party may be given).
    #[arg(value_name = "NAME", required = true)]
    pub names: Vec<String>,
    /// What the party is: Person, Organization, Vessel, Aircraft or LegalEntity.
    #[arg(long)]
    pub schema: Option<String>,
    /// Birth date: 1984, 1984-01, 1984-01-08, ~1960 or 1950..1951.
    #[arg(long, value_name = "DATE")]
    pub dob: Vec<String>,
    /// Country tied to the party (ISO code or name, e.g. kp); may repeat.
    #[arg(long, value_name = "COUNTRY")]
    pub country: Vec<String>,
    /// Identifier (passport, IMO, BIC, registration number…); may repeat.
    #[arg(long = "id", value_name = "IDENTIFIER")]
    pub identifiers: Vec<String>,
    /// Only these lists (keys, e.g. un_sc); may repeat.
    #[arg(long = "list", value_name = "LIST")]
    pub lists: Vec<String>,
    /// Alert threshold (default: the calibrated threshold of the matcher config).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Most results shown.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Show why each result matched: token by token, and the secondary evidence.
    #[arg(long)]
    pub explain: bool,
    /// Record this screening (input, snapshot, results with explanations) and open alerts for
    /// results at or above the threshold; nothing is shown if it cannot be recorded.
    #[arg(long)]
    pub record: bool,
    /// With --record: the screened party's identity (a customer number…).
    #[arg(long, value_name = "ID", requires = "record")]
    pub subject: Option<String>,
    /// With --record: the idempotency key (default: derived from the input and the snapshot).
    #[arg(long, value_name = "KEY", requires = "record")]
    pub idempotency_key: Option<String>,
}

/// Builds a matcher query from command-line style values, with errors naming the field.
pub fn build_query(
    names: Vec<String>,
    schema: Option<&str>,
    dobs: &[String],
    countries: &[String],
    ids: Vec<String>,
) -> Result<Query> {
    let schema = match schema {
        Some(s) => Some(
            s.parse::<Schema>()
                .map_err(|e| CliError::bad_input(e.to_string()))?,
        ),
        None => None,
    };
    let mut birth_dates = Vec::new();
    for d in dobs {
        let v = d
            .parse::<DateValue>()
            .ok()
            .or_else(|| DateValue::parse_loose(d))
            .ok_or_else(|| {
                CliError::bad_input(format!(
                    "--dob {d:?}: not a date (expected 1984, 1984-01-08, ~1960 or 1950..1951)"
                ))
            })?;
        birth_dates.push(v);
    }
    let mut codes = Vec::new();
    for c in countries {
        let code = model::country::code(c).ok_or_else(|| {
            CliError::bad_input(format!(
                "--country {c:?}: not a country name or ISO 3166 code"
            ))
        })?;
        codes.push(code.to_string());
    }
    if names.iter().all(|n| n.trim().is_empty()) && ids.is_empty() {
        return Err(CliError::bad_input("nothing to screen: the name is empty"));
    }
    Ok(Query {
        names,
        schema,
        birth_dates,
        countries: codes,
        identifiers: ids,
    })
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let query = build_query(
        args.names,
        args.schema.as_deref(),
        &args.dob,
        &args.country,
        args.identifiers,
    )?;
    let store = match args.record {
        true => Some(crate::commands::recording::open(global)?),
        false => None,
    };
    let engine = data::open_engine(global)?;
    if let Some(w) = engine.demo_warning() {
        out.warning(&w)?;
    }
    let opts = SearchOptions {
        limit: args.limit,
        threshold: args.threshold,
        min_score: None,
        lists: (!args.lists.is_empty()).then_some(args.lists),
    };
    let threshold = opts
        .threshold
        .unwrap_or(engine.matcher().config().threshold);
    let results = engine.search(&query, &opts);
    if let Some(store) = &store {
        let r = crate::commands::recording::record_screening(
            &**store,
            &engine,
            &query,
            &opts,
            &results,
            args.subject,
            args.idempotency_key,
        )?;
        out.note(crate::commands::recording::recorded_line(&r));
    }
    match out.format() {
        Format::Json => out.json(&results)?,
        Format::Jsonl => results.iter().try_for_each(|m| out.json_line(m))?,
        Format::Csv => out.table(&table(&results))?,
        Format::Table => write_text(
            out.writer(),
            &query,
            &results,
            threshold,
            args.explain,
            &engine.snapshot.manifest,
        )?,
    }
    Ok(())
}

fn table(results: &[Match]) -> Table {
    let mut t = Table::new(&[
        "rank",
        "score",
        "match",
        "entity",
        "schema",
        "caption",
        "matched_name",
    ]);
    for (i, m) in results.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            format!("{:.3}", m.score),
            if m.is_match {
                "yes".into()
            } else {
                "no".into()
            },
            m.entity_id.clone(),
            m.schema.to_string(),
            m.caption.clone(),
            m.name.clone(),
        ]);
    }
    t
}

fn write_text(
    w: &mut dyn Write,
    q: &Query,
    results: &[Match],
    threshold: f32,
    explain: bool,
    snapshot: &sources::snapshot::SnapshotManifest,
) -> std::io::Result<()> {
    writeln!(
        w,
        "Screening {:?} against snapshot {} (threshold {threshold:.2})",
        q.names.join(" / "),
        snapshot.short_version()
    )?;
    if results.is_empty() {
        writeln!(w, "No listed entity resembles this name.")?;
        return Ok(());
    }
    let alerts = results.iter().filter(|m| m.is_match).count();
    writeln!(w, "{alerts} match(es) at or above the threshold.\n")?;
    table(results).write_text(w)?;
    if explain {
        for (i, m) in results.iter().enumerate() {
            writeln!(w)?;
            write_explanation(w, i + 1, m)?;
        }
    }
    Ok(())
}

/// The explanation in words an analyst can check.
pub fn write_explanation(w: &mut dyn Write, rank: usize, m: &Match) -> std::io::Result<()> {
    let e = &m.explanation;
    writeln!(
        w,
        "#{rank} {} {} — score {:.3}",
        m.entity_id, m.caption, m.score
    )?;
    let source = e
        .name_source
        .as_deref()
        .map(|s| format!(", added by an analyst: {s}"))
        .unwrap_or_default();
    writeln!(
        w,
        "   compared {:?} with the listed {} {:?}{}{source}",
        e.query_name,
        e.matched_name_kind.as_str().replace('_', " "),
        e.matched_name,
        if e.native_script {
            " in its own script"
        } else {
            ""
        }
    )?;
    for t in &e.tokens {
        writeln!(
            w,
            "   {:>14} ~ {:<14} {:.2}  {}",
            t.query, t.candidate, t.similarity, t.why
        )?;
    }
    if !e.unmatched_query.is_empty() {
        writeln!(
            w,
            "   not in the listed name: {}",
            e.unmatched_query.join(", ")
        )?;
    }
    if !e.unmatched_candidate.is_empty() {
        writeln!(
            w,
            "   listed but not in the query: {}",
            e.unmatched_candidate.join(", ")
        )?;
    }
    writeln!(
        w,
        "   name score {:.3} (query covered {:.0}%, listed name covered {:.0}%){}",
        e.name_score,
        e.query_coverage * 100.0,
        e.candidate_coverage * 100.0,
        e.fuzzy_penalty
            .map(|f| format!(", ×{f:.2} because every word matched only approximately"))
            .unwrap_or_default()
    )?;
    for a in &e.adjustments {
        writeln!(
            w,
            "   {}: {} → {:.3}  [{}]",
            a.detail, a.effect, a.score_after, a.feature
        )?;
    }
    Ok(())
}
