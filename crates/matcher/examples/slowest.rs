//! Development: the slowest queries of a query file (index from /tmp/dev-index.bin).
use matcher::*;
use std::io::BufRead;
fn main() {
    let idx = Index::load(std::path::Path::new("/tmp/dev-index.bin")).expect("run dev_eval first");
    let m = Matcher::new(idx, Config::default());
    let qs: Vec<(Query, String)> = std::io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l).unwrap();
            let mut q = Query::name(v["name"].as_str().unwrap_or(""));
            q.schema = v["schema"].as_str().and_then(|s| s.parse().ok());
            (q, v["name"].as_str().unwrap_or("").to_string())
        })
        .collect();
    for (q, _) in &qs {
        std::hint::black_box(m.search(q, &SearchOptions::default()));
    }
    let mut t: Vec<(f64, String)> = qs
        .iter()
        .map(|(q, n)| {
            let best = (0..3)
                .map(|_| {
                    let s = std::time::Instant::now();
                    std::hint::black_box(m.search(q, &SearchOptions::default()));
                    s.elapsed().as_secs_f64() * 1e6
                })
                .fold(f64::MAX, f64::min);
            (best, n.clone())
        })
        .collect();
    let mut sorted: Vec<f64> = t.iter().map(|x| x.0).collect();
    sorted.sort_by(f64::total_cmp);
    println!(
        "p50 {:.0} us, p90 {:.0} us, p99 {:.0} us",
        sorted[sorted.len() / 2],
        sorted[sorted.len() * 9 / 10],
        sorted[sorted.len() * 99 / 100]
    );
    t.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (us, n) in t.iter().take(15) {
        println!("{us:8.0} us  {n}");
    }
}
