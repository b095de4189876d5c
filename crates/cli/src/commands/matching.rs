//! `watchlist match`: screen a stream of queries, JSON lines in, JSON lines out, in the
//! contract of `../shared/eval/README.md` — **one answer line per input line, in order**,
//! with the same `id`: `matches` sorted by score (at most `--limit`), each with `list`,
//! `list_id`, `score`, `name` and an `explanation`, and `warnings` naming every value that
//! could not be used (an untidy date or country never stops a name being screened). A line
//! with no usable name or identifier, or that is not a JSON object, is answered with
//! `{"id": …, "error": {"code", "message", "line"}}` (its line number as `id` when it has
//! none). Blank lines are skipped.

use crate::cli::Global;
use crate::data;
use crate::error::{CliError, Result};
use crate::output::Output;
use engine::{Engine, Screening};
use matcher::{Explanation, SearchOptions};
use model::{QueryError, QueryInput};
use serde::Serialize;
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

/// One input line: its id (the line's `id`, else its line number) and the query, or why the
/// line cannot be screened.
pub struct InputLine {
    pub id: serde_json::Value,
    pub line: usize,
    pub input: std::result::Result<QueryInput, QueryError>,
}

/// Reads one line of the JSON-lines contract ([`QueryInput::from_json_line`]).
pub fn read_line(line_no: usize, line: &str) -> InputLine {
    let (id, input) = QueryInput::from_json_line(line);
    InputLine {
        id: id.unwrap_or_else(|| serde_json::Value::from(line_no)),
        line: line_no,
        input,
    }
}

/// Screens queries on `threads` threads (rayon's global pool, sized by the first call),
/// answers in input order.
pub fn run_all(
    engine: &Engine,
    inputs: &[InputLine],
    opts: &SearchOptions,
    threads: usize,
) -> Vec<std::result::Result<Screening, QueryError>> {
    let one = |l: &InputLine| match &l.input {
        Ok(q) => engine.screen(q, opts),
        Err(e) => Err(e.clone()),
    };
    if threads <= 1 {
        return inputs.iter().map(one).collect();
    }
    use rayon::prelude::*;
    // sizes the global pool once; later calls reuse it
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();
    inputs.par_iter().map(one).collect()
}

/// Number of threads: the flag, else every core.
pub fn threads(flag: Option<usize>) -> usize {
    flag.filter(|n| *n > 0).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// Writes one answer line: the matches (and warnings, when any), or an `error` object.
fn write_answer(
    w: &mut dyn Write,
    input: &InputLine,
    answer: &std::result::Result<Screening, QueryError>,
    explain: bool,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Line<'a> {
        id: &'a serde_json::Value,
        matches: Vec<OutMatch<'a>>,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        warnings: &'a [String],
    }
    #[derive(Serialize)]
    struct ErrorBody<'a> {
        code: &'a str,
        message: String,
        line: usize,
    }
    #[derive(Serialize)]
    struct ErrorLine<'a> {
        id: &'a serde_json::Value,
        error: ErrorBody<'a>,
    }
    match answer {
        Ok(s) => {
            let matches = s
                .matches
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
            serde_json::to_writer(
                &mut *w,
                &Line {
                    id: &input.id,
                    matches,
                    warnings: &s.warnings,
                },
            )?;
        }
        Err(e) => serde_json::to_writer(
            &mut *w,
            &ErrorLine {
                id: &input.id,
                error: ErrorBody {
                    code: e.code(),
                    message: e.to_string(),
                    line: input.line,
                },
            },
        )?,
    }
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
    if !args.lists.is_empty() {
        engine
            .check_lists(&args.lists)
            .map_err(CliError::bad_input)?;
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
    let (mut errors, mut warned) = (0usize, 0usize);
    let mut chunk: Vec<InputLine> = Vec::with_capacity(CHUNK);
    let mut flush = |chunk: &mut Vec<InputLine>, out: &mut Output| -> Result<()> {
        let answers = run_all(&engine, chunk, &opts, threads);
        for (input, answer) in chunk.iter().zip(&answers) {
            match answer {
                Ok(s) if !s.warnings.is_empty() => warned += 1,
                Err(_) => errors += 1,
                _ => {}
            }
            write_answer(out.writer(), input, answer, !args.no_explain)?;
        }
        chunk.clear();
        Ok(())
    };
    let mut line_no = 0usize;
    for bytes in reader.split(b'\n') {
        line_no += 1;
        let bytes =
            bytes.map_err(|e| CliError::failure(format!("line {line_no}: cannot read: {e}")))?;
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            continue;
        }
        chunk.push(read_line(line_no, text));
        if chunk.len() >= CHUNK {
            flush(&mut chunk, out)?;
        }
    }
    flush(&mut chunk, out)?;
    if (errors > 0 || warned > 0) && !out.quiet() {
        eprintln!(
            "{errors} line(s) answered with an error (no name or identifier, or not a JSON object); {warned} screened with warnings (values that could not be used are named in each line's `warnings`)"
        );
    }
    Ok(())
}
