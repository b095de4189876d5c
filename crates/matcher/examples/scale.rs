//! Scale benchmark for `scripts/bench-scale.sh`: builds indexes of synthetic list entities
//! (10k, 100k, 1M by default) whose names are drawn from the real lists' own words with a
//! Zipf-like skew (common given names and company words are common, surnames mostly rare),
//! and reports index build time, median and p99 query latency over the development queries,
//! and peak memory, next to the real UN + OFAC SDN lists as the baseline of the same run.
//!
//! Usage: scale QUERIES_FILE [SIZES...]

use matcher::{Config, Index, Matcher, Query, SearchOptions};
use model::{Entity, EntityId, NameKind, Schema};
use std::io::BufRead;
use std::time::Instant;

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// An index in 0..n skewed towards the start (Zipf-like: u² of a uniform u).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((u * u) * n as f64) as usize % n.max(1)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<f64>()
                    .unwrap_or(0.0)
            })
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn real_entities() -> Vec<Entity> {
    let shared = sources::shared_dir_for_tests();
    let lists = shared.join("data").join("lists");
    let sets =
        sources::detect_paths(&[lists.join("un_sc"), lists.join("us_ofac_sdn")]).expect("lists");
    sets.iter()
        .flat_map(|s| sources::parse_all(s).expect("parse").1)
        .collect()
}

fn synthetic(real: &[Entity], n: usize) -> Vec<Entity> {
    let (mut given, mut family, mut org) = (Vec::new(), Vec::new(), Vec::new());
    for e in real {
        for name in e.names.iter().filter(|n| n.kind == NameKind::Primary) {
            let words: Vec<String> = name
                .value
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 1)
                .map(str::to_string)
                .collect();
            match e.schema {
                Schema::Person => {
                    if let Some((last, rest)) = words.split_first() {
                        family.push(last.clone());
                        given.extend(rest.iter().cloned());
                    }
                }
                _ => org.extend(words),
            }
        }
    }
    let mut rng = Rng(0x9E3779B97F4A7C15);
    (0..n)
        .map(|i| {
            let person = rng.below(10) < 6;
            let mut e = Entity::new(
                EntityId::new("synthetic", &i.to_string()).expect("id"),
                if person {
                    Schema::Person
                } else {
                    Schema::Organization
                },
            );
            let mut name = Vec::new();
            if person {
                // surnames: uniform over the pool with a made-up suffix so most are rare
                name.push(format!(
                    "{}{}",
                    family[rng.below(family.len())],
                    ["", "OV", "EZ", "I", "SON"][rng.below(5)]
                ));
                for _ in 0..1 + rng.below(3) {
                    name.push(given[rng.skewed(given.len())].clone());
                }
            } else {
                for _ in 0..2 + rng.below(3) {
                    name.push(org[rng.skewed(org.len())].clone());
                }
                name.push(["LLC", "LTD", "CO", "SA", "JSC", "GMBH"][rng.below(6)].to_string());
            }
            e.add_name(&name.join(" "), NameKind::Primary);
            if rng.below(3) == 0 {
                name.reverse();
                e.add_name(&name.join(" "), NameKind::Alias);
            }
            e
        })
        .collect()
}

fn latencies(m: &Matcher, queries: &[Query]) -> (f64, f64) {
    // one warm-up pass: tables load on first use, caches fill
    for q in queries {
        std::hint::black_box(m.search(q, &SearchOptions::default()));
    }
    let mut t: Vec<f64> = queries
        .iter()
        .map(|q| {
            let s = Instant::now();
            std::hint::black_box(m.search(q, &SearchOptions::default()));
            s.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[t.len() / 2], t[t.len() * 99 / 100])
}

fn main() {
    let mut args = std::env::args().skip(1);
    let qfile = args.next().expect("usage: scale QUERIES [SIZES...]");
    let sizes: Vec<usize> = args.map(|a| a.parse().expect("size")).collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000, 1_000_000]
    } else {
        sizes
    };
    let queries: Vec<Query> =
        std::io::BufReader::new(std::fs::File::open(&qfile).expect("queries"))
            .lines()
            .map_while(Result::ok)
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
            .take(1000)
            .map(|v| {
                let mut q = Query::name(v["name"].as_str().unwrap_or(""));
                q.schema = v["schema"].as_str().and_then(|s| s.parse().ok());
                q
            })
            .collect();
    let real = real_entities();
    let t = Instant::now();
    let base = Matcher::new(Index::build(real.clone(), "real"), Config::default());
    let build = t.elapsed().as_secs_f64();
    let (base_p50, base_p99) = latencies(&base, &queries);
    println!(
        "{:>12} {:>10} {:>10} {:>10} {:>10} {:>12} {:>10}",
        "entities", "names", "build_s", "p50_us", "p99_us", "p50_vs_real", "peak_MiB"
    );
    println!(
        "{:>12} {:>10} {:>10.2} {:>10.0} {:>10.0} {:>12} {:>10.0}",
        format!("real {}", real.len()),
        base.index().meta().names,
        build,
        base_p50,
        base_p99,
        "1.00x",
        peak_rss_mib()
    );
    drop(base);
    for n in sizes {
        let mut entities = real.clone();
        entities.extend(synthetic(&real, n.saturating_sub(real.len())));
        let t = Instant::now();
        let m = Matcher::new(Index::build(entities, "synthetic"), Config::default());
        let build = t.elapsed().as_secs_f64();
        let (p50, p99) = latencies(&m, &queries);
        println!(
            "{:>12} {:>10} {:>10.2} {:>10.0} {:>10.0} {:>11.2}x {:>10.0}",
            n,
            m.index().meta().names,
            build,
            p50,
            p99,
            p50 / base_p50,
            peak_rss_mib()
        );
    }
}
