//! `watchlist match`: screen a stream of queries, JSON lines in, JSON lines out, in the
//! contract of `../shared/eval/README.md` — one result line per query, with the same `id`,
//! `matches` sorted by score (at most `--limit`), each with `list`, `list_id`, `score`,
//! `name` and an `explanation`. Invalid lines are reported on stderr with their line number
//! and the stream goes on.

use crate::cli::Global;
use crate::commands::screen::build_query;
use crate::data;
use crate::error::{CliError, Result};
use crate::output::Output;
use engine::Engine;
use matcher::{Explanation, Match, Query, SearchOptions};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Read queries from this file instead of stdin.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Most matches per query.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Matches scoring below this are left out (default: the matcher's min_score).
    #[arg(long, value_name = "SCORE")]
    pub min_score: Option<f32>,
    /// Alert threshold for each match's `is_match` (default: the calibrated threshold).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Only these lists (keys); may repeat.
    #[arg(long = "list", value_name = "LIST")]
    pub lists: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Leave the explanation out of each match (smaller output).
    #[arg(long)]
    pub no_explain: bool,
}

/// One query line of the eval contract (extra fields are ignored).
#[derive(Debug, Deserialize)]
pub struct QueryLine {
    pub id: serde_json::Value,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub birth_dates: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub identifiers: Vec<String>,
}

/// One match in the output contract.
#[derive(Debug, Serialize)]
pub struct OutMatch<'a> {
    pub list: &'a str,
    pub list_id: &'a str,
    pub score: f32,
    pub name: &'a str,
    pub caption: &'a str,
    pub schema: &'a str,
    pub is_match: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<&'a Explanation>,
}

/// Parses one query line into its id and a matcher query.
pub fn parse_line(line: &str) -> std::result::Result<(serde_json::Value, Query), String> {
    let q: QueryLine = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut names = q.names;
    if let Some(n) = q.name {
        names.insert(0, n);
    }
    let mut dobs = q.birth_dates;
    if let Some(d) = q.birth_date {
        dobs.push(d);
    }
    let query = build_query(
        names,
        q.schema.as_deref(),
        &dobs,
        &q.countries,
        q.identifiers,
    )
    .map_err(|e| e.message)?;
    Ok((q.id, query))
}

/// Screens queries on `threads` threads (rayon's global pool, sized by the first call),
/// results in input order.
pub fn run_all(
    engine: &Engine,
    queries: &[Query],
    opts: &SearchOptions,
    threads: usize,
) -> Vec<Vec<Match>> {
    if threads <= 1 {
        return queries.iter().map(|q| engine.search(q, opts)).collect();
    }
    use rayon::prelude::*;
    // sizes the global pool once; later calls reuse it
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();
    queries.par_iter().map(|q| engine.search(q, opts)).collect()
}

/// Number of threads: the flag, else every core.
pub fn threads(flag: Option<usize>) -> usize {
    flag.filter(|n| *n > 0).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// Writes one result line.
fn write_result(
    w: &mut dyn Write,
    id: &serde_json::Value,
    matches: &[Match],
    explain: bool,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Line<'a> {
        id: &'a serde_json::Value,
        matches: Vec<OutMatch<'a>>,
    }
    let matches = matches
        .iter()
        .map(|m| OutMatch {
            list: &m.list,
            list_id: &m.list_id,
            score: m.score,
            name: &m.name,
            caption: &m.caption,
            schema: m.schema.as_str(),
            is_match: m.is_match,
            explanation: explain.then_some(&m.explanation),
        })
        .collect();
    serde_json::to_writer(&mut *w, &Line { id, matches })?;
    w.write_all(b"\n")
}

const CHUNK: usize = 4096;

pub fn run(global: &Global, out: &mut Output, args: Args) -> Result<()> {
    let engine = data::open_engine(global)?;
    if let Some(w) = engine.demo_warning() {
        if !out.quiet() {
            for l in w {
                eprintln!("{l}");
            }
        }
    }
    let opts = SearchOptions {
        limit: args.limit,
        threshold: args.threshold,
        min_score: args.min_score,
        lists: (!args.lists.is_empty()).then_some(args.lists),
    };
    let reader: Box<dyn BufRead> = match &args.input {
        Some(p) => Box::new(std::io::BufReader::new(
            std::fs::File::open(p)
                .map_err(|e| CliError::bad_input(format!("{}: {e}", p.display())))?,
        )),
        None => Box::new(std::io::BufReader::new(std::io::stdin().lock())),
    };
    let threads = threads(args.threads);
    let mut bad = 0usize;
    let mut chunk: Vec<(serde_json::Value, Query)> = Vec::with_capacity(CHUNK);
    let flush = |chunk: &mut Vec<(serde_json::Value, Query)>, out: &mut Output| -> Result<()> {
        let queries: Vec<Query> = chunk.iter().map(|(_, q)| q.clone()).collect();
        let results = run_all(&engine, &queries, &opts, threads);
        for ((id, _), r) in chunk.iter().zip(&results) {
            write_result(out.writer(), id, r, !args.no_explain)?;
        }
        chunk.clear();
        Ok(())
    };
    for (i, line) in reader.lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                bad += 1;
                eprintln!("line {}: cannot read: {e}", i + 1);
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(&line) {
            Ok(q) => chunk.push(q),
            Err(e) => {
                bad += 1;
                eprintln!("line {}: {e}", i + 1);
            }
        }
        if chunk.len() >= CHUNK {
            flush(&mut chunk, out)?;
        }
    }
    flush(&mut chunk, out)?;
    if bad > 0 && !out.quiet() {
        eprintln!("{bad} line(s) skipped (see above)");
    }
    Ok(())
}
