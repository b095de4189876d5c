//! `watchlist screen NAME`: screen one party and print the ranked matches, with the reasons
//! when asked (`--explain`).

use crate::cli::Global;
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{Format, Output, Table};
use matcher::{Match, Query, SearchOptions};
use model::QueryInput;
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

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    // the one conversion every entry point uses: untidy flags are warnings, not refusals
    let input = QueryInput {
        names: args.names,
        schema: args.schema,
        birth_dates: args.dob,
        countries: args.country,
        identifiers: args.identifiers,
        ..Default::default()
    };
    let read = input
        .read()
        .map_err(|e| CliError::bad_input(e.to_string()))?;
    for w in &read.warnings {
        out.note(format!("warning: {w}"));
    }
    let query = read.query;
    let store = match args.record {
        true => Some(crate::commands::recording::open(global)?),
        false => None,
    };
    let engine = data::open_engine(global)?;
    if let Some(w) = engine.demo_warning() {
        out.warning(&w)?;
    }
    if !args.lists.is_empty() {
        engine
            .check_lists(&args.lists)
            .map_err(CliError::bad_input)?;
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

/// The explanation in words an analyst can check ([`matcher::Explanation::sentences`]).
pub fn write_explanation(w: &mut dyn Write, rank: usize, m: &Match) -> std::io::Result<()> {
    writeln!(
        w,
        "#{rank} {} {} — score {:.3}",
        m.entity_id, m.caption, m.score
    )?;
    for line in m.explanation.sentences() {
        writeln!(w, "   {line}")?;
    }
    Ok(())
}
