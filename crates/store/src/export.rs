//! Exports for auditors: alerts (with their history) and screening records, as CSV or JSON.
//!
//! CSV cells that a spreadsheet would run as a formula — starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return — are prefixed with a single quote (the OWASP advice against
//! CSV injection), so a listed name such as `=HYPERLINK(…)` is shown, never executed.
//! JSON is written unchanged: screening records carry their stored input and results and
//! their chain hashes, so an auditor can recompute the chain.

use crate::{Alert, AlertEvent, AlertFilter, Result, Store, StoreError};
use serde::Serialize;
use std::borrow::Cow;
use std::io::Write;

/// Makes a CSV cell safe to open in a spreadsheet.
pub fn escape_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Sql(format!("writing the export: {e}"))
}

/// A CSV writer that escapes every cell.
struct Csv<W: Write>(csv::Writer<W>);

impl<W: Write> Csv<W> {
    fn new(w: W) -> Self {
        Csv(csv::Writer::from_writer(w))
    }
    fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<()> {
        self.0
            .write_record(cells.iter().map(|c| escape_cell(c.as_ref()).into_owned()))
            .map_err(io)
    }
    fn finish(mut self) -> Result<()> {
        self.0.flush().map_err(io)
    }
}

/// An alert with its history, as exported.
#[derive(Debug, Serialize)]
pub struct AlertExport {
    /// The alert; its fields are the JSON object's own (flattened).
    #[serde(flatten)]
    pub alert: Alert,
    /// Its history, oldest first.
    pub events: Vec<AlertEvent>,
}

/// Alerts matching the filter, each with its events.
pub fn alerts_with_events(store: &dyn Store, filter: &AlertFilter) -> Result<Vec<AlertExport>> {
    store
        .alerts(filter)?
        .into_iter()
        .map(|alert| {
            let events = store.alert_events(alert.id)?;
            Ok(AlertExport { alert, events })
        })
        .collect()
}

const ALERT_HEADER: &[&str] = &[
    "id",
    "status",
    "disposition",
    "identity",
    "entity_id",
    "list",
    "caption",
    "matched_name",
    "score",
    "threshold",
    "snapshot",
    "screening_seq",
    "created_at",
    "updated_at",
    "decisions",
];

/// Alerts as CSV, one row per alert; `decisions` lists each decision as
/// `at reviewer decision: note`, separated by ` | `.
pub fn alerts_csv(store: &dyn Store, filter: &AlertFilter, w: impl Write) -> Result<u64> {
    let mut csv = Csv::new(w);
    csv.row(ALERT_HEADER)?;
    let mut n = 0;
    for a in alerts_with_events(store, filter)? {
        let decisions: Vec<String> = a
            .events
            .iter()
            .filter(|e| e.kind == "decision")
            .map(|e| {
                format!(
                    "{} {} {}: {}",
                    e.at,
                    e.actor,
                    e.data["decision"].as_str().unwrap_or("?"),
                    e.note
                )
            })
            .collect();
        let x = &a.alert;
        csv.row(&[
            x.id.to_string(),
            x.status.as_str().to_string(),
            x.disposition
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
            x.identity.clone(),
            x.entity_id.clone(),
            x.list.clone(),
            x.caption.clone(),
            x.matched_name.clone(),
            format!("{:.4}", x.score),
            format!("{:.4}", x.threshold),
            x.snapshot.clone(),
            x.screening_seq.to_string(),
            x.created_at.clone(),
            x.updated_at.clone(),
            decisions.join(" | "),
        ])?;
        n += 1;
    }
    csv.finish()?;
    Ok(n)
}

/// Alerts as one JSON array, each with its events.
pub fn alerts_json(store: &dyn Store, filter: &AlertFilter, mut w: impl Write) -> Result<u64> {
    let all = alerts_with_events(store, filter)?;
    serde_json::to_writer_pretty(&mut w, &all).map_err(io)?;
    writeln!(w).map_err(io)?;
    Ok(all.len() as u64)
}

const SCREENING_HEADER: &[&str] = &[
    "seq",
    "created_at",
    "actor",
    "source",
    "identity",
    "idempotency_key",
    "snapshot",
    "matcher_version",
    "threshold",
    "names",
    "input",
    "results",
    "top_entity",
    "top_score",
    "matches_at_threshold",
    "results_json",
    "prev_hash",
    "hash",
];

/// Rows per page read from the store while exporting screenings.
const PAGE: usize = 1000;

/// Screening records as CSV, streamed in chain order.
pub fn screenings_csv(store: &dyn Store, w: impl Write) -> Result<u64> {
    let mut csv = Csv::new(w);
    csv.row(SCREENING_HEADER)?;
    let mut n = 0;
    let mut after = 0;
    loop {
        let page = store.screenings(after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for s in &page {
            let results = s.results.as_array().cloned().unwrap_or_default();
            let top = results.first();
            let at = results
                .iter()
                .filter(|m| m["score"].as_f64().unwrap_or(0.0) >= s.threshold)
                .count();
            let names = s.input["query"]["names"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            csv.row(&[
                s.seq.to_string(),
                s.created_at.clone(),
                s.actor.clone(),
                s.source.clone(),
                s.identity.clone(),
                s.idempotency_key.clone(),
                s.snapshot.clone(),
                s.matcher_version.clone(),
                format!("{:.4}", s.threshold),
                names,
                s.input.to_string(),
                results.len().to_string(),
                top.and_then(|m| m["entity_id"].as_str())
                    .unwrap_or("")
                    .to_string(),
                top.and_then(|m| m["score"].as_f64())
                    .map(|f| format!("{f:.4}"))
                    .unwrap_or_default(),
                at.to_string(),
                s.results.to_string(),
                s.prev_hash.clone(),
                s.hash.clone(),
            ])?;
            n += 1;
        }
    }
    csv.finish()?;
    Ok(n)
}

/// Screening records as a JSON array (streamed) or JSON lines.
pub fn screenings_json(store: &dyn Store, mut w: impl Write, lines: bool) -> Result<u64> {
    let mut n = 0;
    let mut after = 0;
    if !lines {
        write!(w, "[").map_err(io)?;
    }
    loop {
        let page = store.screenings(after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for s in &page {
            if !lines && n > 0 {
                write!(w, ",").map_err(io)?;
            }
            if !lines {
                writeln!(w).map_err(io)?;
            }
            serde_json::to_writer(&mut w, s).map_err(io)?;
            if lines {
                writeln!(w).map_err(io)?;
            }
            n += 1;
        }
    }
    if !lines {
        writeln!(w, "\n]").map_err(io)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped() {
        for bad in ["=1+1", "+49 30", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(escape_cell(bad), format!("'{bad}"));
        }
        for ok in ["Kim Jong Un", "", "1.0", "'quoted"] {
            assert_eq!(escape_cell(ok), ok);
        }
    }
}
