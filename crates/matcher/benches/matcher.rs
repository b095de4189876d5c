//! Criterion benchmarks of the three stages of a search — normalisation, candidate
//! retrieval, full scoring — on the UN and OFAC SDN lists from ../shared, with a brute-force
//! scan of every name as the baseline in the same run (`cargo bench -p watchlist-matcher`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use matcher::{retrieve, Config, Index, Matcher, Prepared, Query, SearchOptions};
use std::hint::black_box;
use text::{NameType, Normalizer};

const QUERIES: [&str; 8] = [
    "Kim Jong-un",
    "Mansudae Overseas Project Group",
    "Korea General Corporation for External Construction",
    "Mhmmd Aymn Nsr-l-Dn Slm",
    "Aleksandr Nikolayevich Vorobev",
    "Екатерина Губарева",
    "Dieudonne Ozia Maaio",
    "North Drilling Compa",
];

fn index() -> Index {
    let shared = sources::shared_dir_for_tests();
    let lists = shared.join("data").join("lists");
    let sets =
        sources::detect_paths(&[lists.join("un_sc"), lists.join("us_ofac_sdn")]).expect("lists");
    let mut entities = Vec::new();
    for set in sets {
        entities.extend(sources::parse_all(&set).expect("parse").1);
    }
    Index::build(entities, "bench")
}

fn benches(c: &mut Criterion) {
    let m = Matcher::new(index(), Config::default());
    let cfg = m.config().clone();
    let norm = Normalizer::new();
    let queries: Vec<Query> = QUERIES.iter().map(|q| Query::name(*q)).collect();

    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Elements(QUERIES.len() as u64));
    g.bench_function("normalise", |b| {
        b.iter(|| {
            for q in QUERIES {
                black_box(norm.name(q, NameType::Any));
            }
        })
    });
    g.bench_function("retrieve", |b| {
        b.iter(|| {
            for q in &queries {
                let p = Prepared::new(m.index(), q);
                let exp: retrieve::Expansions = p
                    .distinct
                    .iter()
                    .enumerate()
                    .map(|(slot, (k, kind))| {
                        let qt = matcher::query::QToken {
                            keys: k.clone(),
                            kind: *kind,
                            vocab: m.index().vocab().get(&k.text),
                            joined: false,
                            slot: slot as u32,
                        };
                        retrieve::expand(m.index(), &cfg, &qt)
                    })
                    .collect();
                black_box(retrieve::candidates(m.index(), &cfg, &p, &exp));
            }
        })
    });
    g.bench_function("search (retrieve + score + explain)", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(m.search(q, &SearchOptions::default()));
            }
        })
    });
    g.finish();

    // the baseline: one query against every name by edit distance, versus one search
    let names: Vec<String> = (0..m.index().names().len() as u32)
        .map(|n| {
            let (toks, _) = m.index().name_tokens(n);
            toks.iter()
                .map(|t| m.index().vocab().keys[*t as usize].text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut g = c.benchmark_group("one query: watchlist vs brute force");
    let q = "mohammad reza mehdipur";
    g.bench_with_input(BenchmarkId::new("watchlist search", q), &q, |b, q| {
        let query = Query::name(*q);
        b.iter(|| black_box(m.search(&query, &SearchOptions::default())))
    });
    g.bench_with_input(
        BenchmarkId::new("brute force edit distance", q),
        &q,
        |b, q| {
            b.iter(|| {
                let mut best = (usize::MAX, 0);
                for (i, n) in names.iter().enumerate() {
                    if let Some(d) =
                        matcher::similarity::edit_distance(q.as_bytes(), n.as_bytes(), 40)
                    {
                        best = best.min((d, i));
                    }
                }
                black_box(best)
            })
        },
    );
    g.finish();
}

criterion_group! {
    name = matcher_benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(matcher_benches);
