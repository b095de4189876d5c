//! `watchlist eval`: run a query set with ground truth through the engine and report how much
//! it catches and how often it alerts on ordinary names — per class and overall, at a
//! threshold, and at a fixed false-positive rate. This is how a compliance team shows a
//! regulator what its screening catches, on its own data.
//!
//! Input (the `../shared/eval` format): queries as in `watchlist match`; truth lines
//! `{"id", "expect": [{"list", "list_id"}], "class", "family"}` where family `negative` marks
//! queries that should find nothing; an optional flags file `{"ambiguous": [ids],
//! "near_miss": [ids]}` (ambiguous negatives are left out, near misses reported apart).
//! Metrics follow `../shared/eval/score.py`: the threshold at a false-positive rate is the
//! lowest score at which at most that share of negatives raise any alert.

use crate::cli::Global;
use crate::commands::matching::{read_line, run_all, threads};
use crate::data;
use crate::error::{CliError, Result};
use crate::output::{Format, Output, Table};
use matcher::{Match, SearchOptions};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A set prefix: reads PREFIX.queries.jsonl, PREFIX.truth.jsonl and PREFIX.flags.json
    /// (e.g. ../shared/eval/sets/dev).
    #[arg(long, value_name = "PREFIX", conflicts_with_all = ["queries", "truth"])]
    pub set: Option<PathBuf>,
    /// Queries (JSON lines).
    #[arg(long, value_name = "FILE", requires = "truth")]
    pub queries: Option<PathBuf>,
    /// Ground truth (JSON lines).
    #[arg(long, value_name = "FILE", requires = "queries")]
    pub truth: Option<PathBuf>,
    /// Flags file (ambiguous and near-miss negatives).
    #[arg(long, value_name = "FILE")]
    pub flags: Option<PathBuf>,
    /// Threshold for the per-class table (default: the calibrated threshold).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// A match counts when the expected entity is within the first K results.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Debug, Deserialize)]
struct Expect {
    list: String,
    list_id: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct Truth {
    id: serde_json::Value,
    #[serde(default)]
    expect: Vec<Expect>,
    #[serde(default)]
    class: String,
    #[serde(default)]
    family: String,
    #[serde(default)]
    pair: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Flags {
    #[serde(default)]
    ambiguous: Vec<String>,
    #[serde(default)]
    near_miss: Vec<String>,
}

/// What one query produced against its truth.
struct Outcome {
    class: String,
    family: String,
    pair: Option<String>,
    /// Rank and score of the first expected entity among the results.
    hit: Option<(usize, f32)>,
    /// Highest score of any result.
    max: f32,
}

/// Recall and false-positive figures at one operating point.
#[derive(Debug, Serialize)]
pub struct Point {
    pub threshold: f32,
    pub false_positive_rate: f64,
    pub recall: f64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub queries: usize,
    pub positives: usize,
    pub negatives: usize,
    pub near_misses: usize,
    pub ambiguous_dropped: usize,
    pub k: usize,
    /// Recall with no threshold (expected entity anywhere in the first K).
    pub recall_any: f64,
    pub at_threshold: Point,
    pub at_fpr_1_percent: Point,
    pub at_fpr_0_1_percent: Point,
    /// Recall per class (positives) at the threshold.
    pub recall_by_class: BTreeMap<String, (f64, usize)>,
    /// Share of negatives alerting, per class, at the threshold.
    pub fpr_by_class: BTreeMap<String, (f64, usize)>,
    pub near_miss_alert_rate: Option<f64>,
    /// Same name, agreeing vs contradicting birth date: share of pairs where the
    /// contradicting one scores lower, and share of contradicting ones still alerting.
    pub dob_pairs: Option<(usize, f64, f64)>,
    pub queries_per_second: f64,
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::bad_input(format!("{}: {e}", path.display())))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                CliError::bad_input(format!("{}: line {}: {e}", path.display(), i + 1))
            })
        })
        .collect()
}

fn id_key(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn recall(pos: &[&Outcome], t: f32, k: usize) -> f64 {
    if pos.is_empty() {
        return 0.0;
    }
    pos.iter()
        .filter(|o| o.hit.is_some_and(|(r, s)| r < k && s >= t))
        .count() as f64
        / pos.len() as f64
}

fn fpr(neg: &[&Outcome], t: f32) -> f64 {
    if neg.is_empty() {
        return 0.0;
    }
    neg.iter().filter(|o| o.max >= t).count() as f64 / neg.len() as f64
}

/// The smallest threshold at which at most `rate` of the negatives alert.
fn threshold_at(neg: &[&Outcome], rate: f64) -> f32 {
    let mut maxes: Vec<f32> = neg.iter().map(|o| o.max).collect();
    maxes.sort_by(|a, b| b.total_cmp(a));
    let allowed = (rate * maxes.len() as f64 + 1e-9).floor() as usize;
    match maxes.get(allowed) {
        Some(&s) if s > 0.0 => s.next_up(),
        Some(_) => 0.0f32.next_up(),
        None => 0.0,
    }
}

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let (qpath, tpath, fpath) = match (&args.set, &args.queries, &args.truth) {
        (Some(p), _, _) => {
            let s = p.display().to_string();
            (
                PathBuf::from(format!("{s}.queries.jsonl")),
                PathBuf::from(format!("{s}.truth.jsonl")),
                Some(PathBuf::from(format!("{s}.flags.json"))),
            )
        }
        (None, Some(q), Some(t)) => (q.clone(), t.clone(), args.flags.clone()),
        _ => {
            return Err(CliError::bad_input(
                "give --set PREFIX, or --queries FILE and --truth FILE",
            ))
        }
    };
    let flags: Flags = match fpath.as_ref().filter(|p| p.exists()) {
        Some(p) => serde_json::from_str(
            &std::fs::read_to_string(p)
                .map_err(|e| CliError::bad_input(format!("{}: {e}", p.display())))?,
        )
        .map_err(|e| CliError::bad_input(format!("{}: {e}", p.display())))?,
        None => Flags::default(),
    };
    let truth: Vec<Truth> = read_jsonl(&tpath)?;
    let text = std::fs::read_to_string(&qpath)
        .map_err(|e| CliError::bad_input(format!("{}: {e}", qpath.display())))?;
    let mut ids = Vec::new();
    let mut queries = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let q = read_line(i + 1, line);
        if let Err(e) = &q.input {
            return Err(CliError::bad_input(format!(
                "{}: line {}: {e}",
                qpath.display(),
                i + 1
            )));
        }
        ids.push(id_key(&q.id));
        queries.push(q);
    }
    let engine = data::open_engine(global)?;
    if let Some(w) = engine.demo_warning() {
        out.warning(&w)?;
    }
    let opts = SearchOptions {
        limit: args.k,
        min_score: Some(0.0),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let results: Vec<Vec<Match>> = run_all(&engine, &queries, &opts, threads(args.threads))
        .into_iter()
        .map(|r| r.map(|s| s.matches).unwrap_or_default())
        .collect();
    let qps = queries.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let by_id: HashMap<&str, &Vec<Match>> = ids.iter().map(String::as_str).zip(&results).collect();

    let ambiguous: HashSet<&str> = flags.ambiguous.iter().map(String::as_str).collect();
    let near: HashSet<&str> = flags.near_miss.iter().map(String::as_str).collect();
    let mut outcomes = Vec::new();
    let mut near_out = Vec::new();
    for t in &truth {
        let id = id_key(&t.id);
        if ambiguous.contains(id.as_str()) {
            continue;
        }
        let empty = Vec::new();
        let ms = by_id.get(id.as_str()).copied().unwrap_or(&empty);
        let expected: HashSet<(String, String)> = t
            .expect
            .iter()
            .map(|e| (e.list.clone(), id_key(&e.list_id)))
            .collect();
        let hit = ms
            .iter()
            .enumerate()
            .find(|(_, m)| expected.contains(&(m.list.clone(), m.list_id.clone())))
            .map(|(r, m)| (r, m.score));
        let o = Outcome {
            class: t.class.clone(),
            family: t.family.clone(),
            pair: t.pair.clone(),
            hit,
            max: ms.first().map(|m| m.score).unwrap_or(0.0),
        };
        if near.contains(id.as_str()) {
            near_out.push(o);
        } else {
            outcomes.push(o);
        }
    }
    let pos: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.family != "negative" && o.class != "dob_mismatch")
        .collect();
    let neg: Vec<&Outcome> = outcomes.iter().filter(|o| o.family == "negative").collect();
    let threshold = args
        .threshold
        .unwrap_or(engine.matcher().config().threshold);
    let point = |t: f32| Point {
        threshold: t,
        false_positive_rate: fpr(&neg, t),
        recall: recall(&pos, t, args.k),
    };
    let mut recall_by_class: BTreeMap<String, Vec<&Outcome>> = BTreeMap::new();
    for o in &pos {
        recall_by_class.entry(o.class.clone()).or_default().push(o);
    }
    let mut fpr_by_class: BTreeMap<String, Vec<&Outcome>> = BTreeMap::new();
    for o in &neg {
        fpr_by_class.entry(o.class.clone()).or_default().push(o);
    }
    let mut pairs: HashMap<&str, (Option<f32>, Option<f32>)> = HashMap::new();
    for o in &outcomes {
        if let Some(p) = &o.pair {
            let e = pairs.entry(p.as_str()).or_default();
            let s = o.hit.map(|h| h.1).unwrap_or(0.0);
            match o.class.as_str() {
                "dob_match" => e.0 = Some(s),
                "dob_mismatch" => e.1 = Some(s),
                _ => {}
            }
        }
    }
    let full: Vec<(f32, f32)> = pairs
        .values()
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .collect();
    let report = Report {
        queries: ids.len(),
        positives: pos.len(),
        negatives: neg.len(),
        near_misses: near_out.len(),
        ambiguous_dropped: ambiguous.len(),
        k: args.k,
        recall_any: recall(&pos, f32::MIN, args.k),
        at_threshold: point(threshold),
        at_fpr_1_percent: point(threshold_at(&neg, 0.01)),
        at_fpr_0_1_percent: point(threshold_at(&neg, 0.001)),
        recall_by_class: recall_by_class
            .into_iter()
            .map(|(k, v)| (k, (recall(&v, threshold, args.k), v.len())))
            .collect(),
        fpr_by_class: fpr_by_class
            .into_iter()
            .map(|(k, v)| (k, (fpr(&v, threshold), v.len())))
            .collect(),
        near_miss_alert_rate: (!near_out.is_empty()).then(|| {
            near_out.iter().filter(|o| o.max >= threshold).count() as f64 / near_out.len() as f64
        }),
        dob_pairs: (!full.is_empty()).then(|| {
            let lower = full.iter().filter(|(a, b)| b < a).count() as f64 / full.len() as f64;
            let alert =
                full.iter().filter(|(_, b)| *b >= threshold).count() as f64 / full.len() as f64;
            (full.len(), lower, alert)
        }),
        queries_per_second: qps,
    };
    match out.format() {
        Format::Table => write_text(out, &report)?,
        _ => out.json(&report)?,
    }
    Ok(())
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn write_text(out: &mut Output, r: &Report) -> std::io::Result<()> {
    let w = out.writer();
    writeln!(
        w,
        "{} queries: {} positives, {} negatives, {} near misses ({} ambiguous left out)",
        r.queries, r.positives, r.negatives, r.near_misses, r.ambiguous_dropped
    )?;
    writeln!(w, "recall@{} with no threshold: {}", r.k, pct(r.recall_any))?;
    for (label, p) in [
        ("at threshold", &r.at_threshold),
        ("at FPR 1%", &r.at_fpr_1_percent),
        ("at FPR 0.1%", &r.at_fpr_0_1_percent),
    ] {
        writeln!(
            w,
            "{label:>13}: threshold {:.4}  recall@{} {}  false-positive rate {}",
            p.threshold,
            r.k,
            pct(p.recall),
            pct(p.false_positive_rate)
        )?;
    }
    if let Some(n) = r.near_miss_alert_rate {
        writeln!(w, "near misses alerting at the threshold: {}", pct(n))?;
    }
    if let Some((n, lower, alert)) = r.dob_pairs {
        writeln!(
            w,
            "birth date pairs ({n}): contradicting date scored lower in {}, still alerting in {}",
            pct(lower),
            pct(alert)
        )?;
    }
    writeln!(w, "speed: {:.0} queries/s", r.queries_per_second)?;
    writeln!(
        w,
        "\nrecall by class at threshold {:.4}:",
        r.at_threshold.threshold
    )?;
    let mut t = Table::new(&["class", "recall", "n"]);
    for (k, (v, n)) in &r.recall_by_class {
        t.row(vec![k.clone(), pct(*v), n.to_string()]);
    }
    t.write_text(w)?;
    writeln!(
        w,
        "\nfalse-positive rate by negative class at threshold {:.4}:",
        r.at_threshold.threshold
    )?;
    let mut t = Table::new(&["class", "fpr", "n"]);
    for (k, (v, n)) in &r.fpr_by_class {
        t.row(vec![k.clone(), pct(*v), n.to_string()]);
    }
    t.write_text(w)
}
