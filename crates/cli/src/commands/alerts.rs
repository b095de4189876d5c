//! `watchlist alerts list|show|decide`: the analysts' queue.
//!
//! - `list` shows the queue (open, escalated, awaiting a second reviewer) or any status;
//! - `show ID` puts the screened input beside the listed entity as it was in the snapshot
//!   the alert came from, with the explanation of the score and the alert's history;
//! - `decide ID DECISION --note TEXT` records `true_match`, `false_positive` or
//!   `needs_escalation`. A true match closes only when a second, different reviewer confirms
//!   it; `--whitelist` with a false positive keeps the pair from alerting again until the
//!   entity's record changes.

use crate::cli::Global;
use crate::commands::recording::{self, store_err};
use crate::commands::screen::write_explanation;
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{Format, Output, Table};
use model::Entity;
use std::io::Write;
use store::{Alert, AlertFilter, AlertStatus, Decision, Disposition, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// List alerts (default: the queue of alerts not closed yet), newest first.
    List(ListArgs),
    /// One alert: the input beside the listed entity, why it scored, and its history.
    Show(ShowArgs),
    /// Record a decision: true_match, false_positive or needs_escalation, with a note.
    Decide(DecideArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// queue (open, escalated, pending_second_review), open, escalated, pending_second_review,
    /// closed or all.
    #[arg(long, default_value = "queue")]
    pub status: String,
    /// Only alerts of this input identity (customer key, subject).
    #[arg(long)]
    pub identity: Option<String>,
    /// Only alerts on this entity (LIST:ID).
    #[arg(long)]
    pub entity: Option<String>,
    /// Most alerts shown.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The alert number.
    pub id: i64,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Four eyes: the first true_match puts the alert in pending_second_review; it closes when a
different reviewer also decides true_match. A false_positive on an alert pending a second
review means the reviewers disagree: the alert is escalated.")]
pub struct DecideArgs {
    /// The alert number.
    pub id: i64,
    /// true_match, false_positive or needs_escalation.
    pub decision: String,
    /// Why (required): what was compared, which document, who was asked.
    #[arg(long)]
    pub note: String,
    /// Who decides (default: the operating-system user).
    #[arg(long)]
    pub reviewer: Option<String>,
    /// With false_positive: do not alert on this input and entity again until the entity's
    /// record changes.
    #[arg(long)]
    pub whitelist: bool,
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let store = recording::open(global)?;
    match args.command {
        Sub::List(a) => list(&*store, out, a),
        Sub::Show(a) => show(global, &*store, out, a),
        Sub::Decide(a) => decide(&*store, out, a),
    }
}

fn statuses(s: &str) -> Result<Vec<AlertStatus>> {
    screen::audit::review::statuses(s).ok_or_else(|| {
        CliError::bad_input(format!(
            "--status {s:?}: use queue, open, escalated, pending_second_review, closed or all"
        ))
    })
}

/// A cell for CSV output: escaped against spreadsheet formulas.
fn cell(out: &Output, s: String) -> String {
    if out.format() == Format::Csv {
        store::export::escape_cell(&s).into_owned()
    } else {
        s
    }
}

fn list(store: &dyn Store, out: &mut Output, a: ListArgs) -> Result<()> {
    let filter = AlertFilter {
        statuses: statuses(&a.status)?,
        identity: a.identity,
        entity_id: a.entity,
        before_id: None,
        limit: a.limit,
    };
    let alerts = store.alerts(&filter).map_err(store_err)?;
    let mut t = Table::new(&[
        "id",
        "status",
        "score",
        "identity",
        "entity",
        "caption",
        "opened",
        "disposition",
    ])
    .right_align(&[0, 2]);
    for x in &alerts {
        let row = vec![
            x.id.to_string(),
            x.status.as_str().to_string(),
            format!("{:.3}", x.score),
            x.identity.clone(),
            x.entity_id.clone(),
            x.caption.clone(),
            x.created_at.clone(),
            x.disposition
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
        ];
        t.row(row.into_iter().map(|c| cell(out, c)).collect());
    }
    if out.format() == Format::Table && alerts.is_empty() {
        writeln!(out.writer(), "no alerts ({})", a.status)?;
        return Ok(());
    }
    out.records(&t, &alerts)?;
    Ok(())
}

fn show(global: &Global, store: &dyn Store, out: &mut Output, a: ShowArgs) -> Result<()> {
    let case = screen::audit::review::case(store, &data::data_dir(global)?, a.id)
        .map_err(store_err)?
        .ok_or_else(|| CliError::not_found(format!("no alert #{}", a.id)))?;
    let screen::audit::review::AlertCase {
        alert,
        screening,
        query: input,
        entity,
        result,
        events,
    } = case;
    if out.format().is_machine() {
        out.json(&serde_json::json!({
            "alert": alert,
            "input": screening.as_ref().map(|s| &s.input),
            "entity": entity,
            "result": result,
            "events": events,
        }))?;
        return Ok(());
    }
    let w = out.writer();
    writeln!(
        w,
        "Alert #{} — {}{}",
        alert.id,
        alert.status.as_str(),
        alert
            .disposition
            .map(|d| format!(" ({})", d.as_str()))
            .unwrap_or_default()
    )?;
    writeln!(
        w,
        "score {:.3} at threshold {:.2}; opened {} by screening #{} against snapshot {}",
        alert.score,
        alert.threshold,
        alert.created_at,
        alert.screening_seq,
        crate::commands::short(&alert.snapshot)
    )?;
    writeln!(w)?;
    side_by_side(w, &alert, &input, entity.as_ref())?;
    if let Some(m) = &result {
        writeln!(w)?;
        write_explanation(w, 1, m)?;
    }
    writeln!(w, "\nHistory:")?;
    for e in &events {
        let note = if e.note.is_empty() {
            String::new()
        } else {
            format!(": {}", e.note)
        };
        let what = match e.kind.as_str() {
            "decision" => format!(
                "decision {} -> {}",
                e.data["decision"].as_str().unwrap_or("?"),
                e.data["status"].as_str().unwrap_or("?")
            ),
            "opened" | "hit" => format!(
                "{} by screening #{} (score {:.3})",
                e.kind,
                e.data["screening"],
                e.data["score"].as_f64().unwrap_or(0.0)
            ),
            k => k.replace('_', " "),
        };
        writeln!(w, "  {}  {:<10} {what}{note}", e.at, e.actor)?;
    }
    Ok(())
}

/// The input's fields beside the entity's.
fn side_by_side(
    w: &mut dyn Write,
    alert: &Alert,
    q: &matcher::Query,
    e: Option<&Entity>,
) -> std::io::Result<()> {
    let mut t = Table::new(&[
        "",
        &format!("INPUT {}", alert.identity),
        &format!("LISTED {}", alert.entity_id),
    ]);
    let join = |v: Vec<String>| v.join("; ");
    let names = |e: &Entity| join(e.names.iter().map(|n| n.value.clone()).collect());
    let none = || "(not in the data directory)".to_string();
    let rows: Vec<(&str, String, String)> = vec![
        (
            "names",
            join(q.names.clone()),
            e.map(names).unwrap_or_else(none),
        ),
        (
            "schema",
            q.schema.map(|s| s.to_string()).unwrap_or_default(),
            e.map(|e| e.schema.to_string()).unwrap_or_default(),
        ),
        (
            "birth dates",
            join(q.birth_dates.iter().map(|d| d.to_string()).collect()),
            e.map(|e| join(e.birth_dates.iter().map(|d| d.to_string()).collect()))
                .unwrap_or_default(),
        ),
        (
            "countries",
            join(q.countries.clone()),
            e.map(|e| {
                let mut c = e.countries.clone();
                c.extend(e.nationalities.iter().cloned());
                c.extend(e.citizenships.iter().cloned());
                c.sort();
                c.dedup();
                join(c)
            })
            .unwrap_or_default(),
        ),
        (
            "identifiers",
            join(q.identifiers.clone()),
            e.map(|e| join(e.identifiers.iter().map(|i| i.value.clone()).collect()))
                .unwrap_or_default(),
        ),
        (
            "programs",
            String::new(),
            e.map(|e| join(e.programs.clone())).unwrap_or_default(),
        ),
    ];
    for (label, a, b) in rows {
        if !a.is_empty() || !b.is_empty() {
            t.row(vec![label.to_string(), a, b]);
        }
    }
    t.write_text(w)
}

fn decide(store: &dyn Store, out: &mut Output, a: DecideArgs) -> Result<()> {
    let disposition = Disposition::parse(&a.decision).ok_or_else(|| {
        CliError::bad_input(format!(
            "{:?}: the decision is true_match, false_positive or needs_escalation",
            a.decision
        ))
    })?;
    let alert = store
        .decide(&Decision {
            alert_id: a.id,
            disposition,
            note: a.note,
            reviewer: a.reviewer.unwrap_or_else(recording::actor),
            whitelist: a.whitelist,
        })
        .map_err(store_err)?;
    if out.format().is_machine() {
        out.json(&alert)?;
        return Ok(());
    }
    let what = match alert.status {
        AlertStatus::PendingSecondReview => format!(
            "awaits a second reviewer (other than {}) to confirm the true match",
            alert.first_reviewer.as_deref().unwrap_or("?")
        ),
        AlertStatus::Closed => format!(
            "is closed as {}{}",
            alert.disposition.map(|d| d.as_str()).unwrap_or("?"),
            if a.whitelist {
                "; the pair is whitelisted until the entity's record changes"
            } else {
                ""
            }
        ),
        s => format!("is {}", s.as_str()),
    };
    writeln!(out.writer(), "alert #{} {what}", alert.id)?;
    Ok(())
}
