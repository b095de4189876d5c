//! Development harness: builds an index from list folders and answers eval queries (JSONL on
//! stdin, results JSONL on stdout) with the same contract as `watchlist match`.
//! Usage: cargo run --release -p watchlist-matcher --example dev_eval -- LISTDIR... < queries

use matcher::{Config, Index, Matcher, Query, SearchOptions};
use std::io::{BufRead, Write};

fn load_or_build(dirs: &[std::path::PathBuf]) -> Index {
    let cache = std::path::Path::new("/tmp/dev-index.bin");
    if let Ok(i) = Index::load(cache) {
        return i;
    }
    let mut entities = Vec::new();
    for set in sources::detect_paths(dirs).expect("detect") {
        match sources::parse_all(&set) {
            Ok((_, mut e)) => entities.append(&mut e),
            Err(e) => eprintln!("skip {}: {e}", set.main.display()),
        }
    }
    let i = Index::build(entities, "dev");
    i.save(cache).expect("save");
    i
}

fn main() {
    let dirs: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let t0 = std::time::Instant::now();
    let index = load_or_build(&dirs);
    eprintln!(
        "{} entities, {} names, {} tokens, ready in {:?}",
        index.meta().entities,
        index.meta().names,
        index.meta().tokens,
        t0.elapsed()
    );
    let config: Config = match std::env::var("WATCHLIST_DEV_CONFIG") {
        Ok(json) => serde_json::from_str(&json).expect("config json"),
        Err(_) => Config::default(),
    };
    let m = Matcher::new(index, config);
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let t1 = std::time::Instant::now();
    let mut nq = 0;
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        let mut q = Query::name(v["name"].as_str().unwrap_or(""));
        q.schema = v["schema"].as_str().and_then(|s| s.parse().ok());
        if let Some(d) = v["birth_date"].as_str() {
            q.birth_dates = d.parse().ok().into_iter().collect();
        }
        if let Some(c) = v["countries"].as_array() {
            q.countries = c
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
        }
        let res = m.search(
            &q,
            &SearchOptions {
                limit: 10,
                min_score: Some(0.3),
                ..Default::default()
            },
        );
        let matches: Vec<serde_json::Value> = res
            .iter()
            .map(|r| serde_json::json!({"list": r.list, "list_id": r.list_id, "score": r.score, "name": r.name, "explanation": r.explanation}))
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::json!({"id": v["id"], "matches": matches})
        )
        .unwrap();
        nq += 1;
    }
    out.flush().unwrap();
    eprintln!(
        "{nq} queries in {:?} ({:.0} q/s)",
        t1.elapsed(),
        nq as f64 / t1.elapsed().as_secs_f64()
    );
}
