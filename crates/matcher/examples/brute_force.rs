//! Brute-force baseline for `scripts/bench-match.sh`: every query is compared with every
//! listed name (normalised by the same normaliser) by a token-sort edit-distance ratio, like
//! the rapidfuzz reference in ../shared/eval. Prints queries per second on stderr and the
//! eval contract on stdout, so both engines can be timed on the same queries in one run.
//!
//! Usage: brute_force INDEX_FILE < queries.jsonl > results.jsonl

use matcher::Index;
use std::io::{BufRead, Write};
use text::{NameType, Normalizer};

fn levenshtein(a: &[u8], b: &[u8], row: &mut Vec<usize>) -> usize {
    row.clear();
    row.extend(0..=b.len());
    for (i, &ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn ratio(a: &str, b: &str, row: &mut Vec<usize>) -> f32 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 0.0;
    }
    1.0 - levenshtein(a.as_bytes(), b.as_bytes(), row) as f32 / longest as f32
}

fn sorted_key(tokens: &mut [String]) -> String {
    tokens.sort();
    tokens.join(" ")
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: brute_force INDEX_FILE < queries");
    let index = Index::load(std::path::Path::new(&path)).expect("index");
    // every Latin name as a token-sorted string
    let names: Vec<(u32, String)> = index
        .names()
        .iter()
        .enumerate()
        .filter(|(_, n)| !n.native)
        .map(|(i, n)| {
            let (toks, _) = index.name_tokens(i as u32);
            let mut t: Vec<String> = toks
                .iter()
                .map(|t| index.vocab().keys[*t as usize].text.clone())
                .collect();
            (n.entity, sorted_key(&mut t))
        })
        .collect();
    let norm = Normalizer::new();
    let mut row = Vec::new();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let started = std::time::Instant::now();
    let mut n = 0;
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let mut q: Vec<String> = norm
            .name(v["name"].as_str().unwrap_or(""), NameType::Any)
            .tokens
            .into_iter()
            .map(|t| t.text)
            .collect();
        let key = sorted_key(&mut q);
        let mut best: Vec<(f32, u32)> = Vec::new();
        for (entity, name) in &names {
            let r = ratio(&key, name, &mut row);
            if r >= 0.5 {
                best.push((r, *entity));
            }
        }
        best.sort_by(|a, b| b.0.total_cmp(&a.0));
        best.dedup_by_key(|b| b.1);
        best.truncate(10);
        let matches: Vec<serde_json::Value> = best
            .iter()
            .map(|(s, e)| {
                let rec = &index.entities()[*e as usize];
                serde_json::json!({"list": rec.list(), "list_id": rec.list_id(), "score": s, "name": rec.caption})
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::json!({"id": v["id"], "matches": matches})
        )
        .expect("stdout");
        n += 1;
    }
    out.flush().expect("stdout");
    eprintln!(
        "brute force: {n} queries in {:.2}s = {:.1} queries/s",
        started.elapsed().as_secs_f64(),
        n as f64 / started.elapsed().as_secs_f64()
    );
}
