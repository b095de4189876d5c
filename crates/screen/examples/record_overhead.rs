//! What recording adds to batch screening, with SQLite: screens the queries of a JSON-lines
//! file on all cores in chunks of 4,096 (as `watchlist match` and `batch` do), first without
//! recording, then recording every screening (input, results with explanations, alerts) in a
//! fresh SQLite store, one transaction per chunk; prints both times and the overhead.
//!
//!   cargo run --release -p watchlist-store --example record_overhead -- DATA_DIR QUERIES.jsonl [ROUNDS]
//!
//! Query lines: `{"name": …, "schema": …, "birth_date": …, "countries": […]}` (the eval format).

use engine::Engine;
use matcher::{Query, SearchOptions};
use rayon::prelude::*;
use serde::Deserialize;
use std::io::BufRead;
use std::time::Instant;
use store::NewScreening;

#[derive(Deserialize)]
struct Line {
    name: String,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    birth_date: Option<String>,
    #[serde(default)]
    countries: Vec<String>,
}

fn query(l: Line) -> Query {
    Query {
        names: vec![l.name],
        schema: l.schema.and_then(|s| s.parse().ok()),
        birth_dates: l
            .birth_date
            .and_then(|d| model::DateValue::parse_loose(&d))
            .into_iter()
            .collect(),
        countries: l
            .countries
            .iter()
            .filter_map(|c| model::country::code(c).map(str::to_string))
            .collect(),
        identifiers: Vec::new(),
    }
}

const CHUNK: usize = 4096;

/// CPU seconds (user + system) of this process so far, from /proc/self/stat.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // fields 14 and 15 of the file (utime, stime) are 12 and 13 after the command name
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (data, file) = (&args[1], &args[2]);
    let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    // "plain" or "record" runs one side only, "none" neither (instruction counts under
    // callgrind: overhead = (record - none) / (plain - none) - 1)
    let mode = args.get(4).map(String::as_str).unwrap_or("both");
    let engine =
        Engine::open(std::path::Path::new(data), &engine::Settings::default()).expect("engine");
    let queries: Vec<Query> = std::io::BufReader::new(std::fs::File::open(file).expect("file"))
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Line>(&l).ok())
        .map(query)
        .collect();
    let opts = SearchOptions::default();
    let threshold = engine.matcher().config().threshold;
    let tmp = tempfile::tempdir().expect("tempdir");

    let mut plain = Vec::new();
    let mut recorded = Vec::new();
    let (mut plain_cpu, mut recorded_cpu) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let t = Instant::now();
        let c = cpu();
        let mut n = 0usize;
        for chunk in queries
            .chunks(CHUNK)
            .filter(|_| mode == "both" || mode == "plain")
        {
            let r: Vec<_> = chunk.par_iter().map(|q| engine.search(q, &opts)).collect();
            n += r.len();
        }
        plain.push(t.elapsed().as_secs_f64());
        plain_cpu.push(cpu() - c);

        let db = tmp.path().join(format!("r{round}.db"));
        let store = store::open(&store::Location::Sqlite(db)).expect("store");
        let t = Instant::now();
        let c = cpu();
        let skip = mode == "plain" || mode == "none";
        let mut chunks = queries.chunks(CHUNK).filter(|_| !skip);
        // as a batch command records: screening the next chunk while the last one commits
        store::record::record_pipelined(&*store, || {
            let batch: Vec<NewScreening> = chunks
                .next()?
                .par_iter()
                .map(|q| {
                    let results = engine.search(q, &opts);
                    let entity_hashes = results
                        .iter()
                        .filter(|m| m.score >= threshold)
                        .filter_map(|m| {
                            Some((
                                m.entity_id.clone(),
                                screen::audit::delta::snapshot_entity_hash(&engine, &m.entity_id)?,
                            ))
                        })
                        .collect();
                    NewScreening {
                        idempotency_key: None,
                        actor: "bench".into(),
                        source: "batch".into(),
                        identity: None,
                        query: q.clone(),
                        context: None,
                        snapshot: engine.snapshot.manifest.version.clone(),
                        matcher_version: matcher::MATCHER_VERSION.into(),
                        threshold,
                        options: serde_json::json!({ "limit": opts.limit }),
                        results,
                        entity_hashes,
                        alert_scope: None,
                        monitored: None,
                    }
                })
                .collect();
            Some(batch)
        })
        .expect("record");
        recorded.push(t.elapsed().as_secs_f64());
        recorded_cpu.push(cpu() - c);
        if mode == "both" {
            assert!(store.verify(store::chain::Chain::Screenings).unwrap().ok());
        }
        eprintln!(
            "round {round}: {n} queries; screening {:.2} s ({:.2} s CPU); screening + recording {:.2} s ({:.2} s CPU)",
            plain[round], plain_cpu[round], recorded[round], recorded_cpu[round]
        );
    }
    let best = |v: &[f64]| v.iter().cloned().fold(f64::INFINITY, f64::min);
    let (p, r) = (best(&plain), best(&recorded));
    let (pc, rc) = (best(&plain_cpu), best(&recorded_cpu));
    println!(
        "{} queries, {} threads, best of {rounds}: screening {:.2} s wall ({:.0}/s), {:.2} s CPU; \
         with recording {:.2} s wall ({:.0}/s), {:.2} s CPU; overhead {:+.1}% wall, {:+.1}% CPU",
        queries.len(),
        rayon::current_num_threads(),
        p,
        queries.len() as f64 / p,
        pc,
        r,
        queries.len() as f64 / r,
        rc,
        (r / p - 1.0) * 100.0,
        (rc / pc - 1.0) * 100.0
    );
}
