//! Development: time each phase of search on the eval queries.
use matcher::*;
use std::io::BufRead;
use std::time::{Duration, Instant};

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
    let idx = load_or_build(&dirs);
    let cfg = Config::default();
    let qs: Vec<Query> = std::io::stdin()
        .lock()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.unwrap()).unwrap();
            let mut q = Query::name(v["name"].as_str().unwrap());
            q.schema = v["schema"].as_str().and_then(|s| s.parse().ok());
            q
        })
        .collect();
    let mut t = [Duration::ZERO; 4];
    let (mut nexp, mut ncand) = (0usize, 0usize);
    for q in &qs {
        let a = Instant::now();
        let p = Prepared::new(&idx, q);
        let b = Instant::now();
        let exp: Vec<_> = p
            .distinct
            .iter()
            .enumerate()
            .map(|(slot, (k, kind))| {
                let qt = query::QToken {
                    keys: k.clone(),
                    kind: *kind,
                    vocab: idx.vocab().get(&k.text),
                    joined: false,
                    slot: slot as u32,
                };
                retrieve::expand(&idx, &cfg, &qt)
            })
            .collect();
        nexp += exp.iter().map(|e| e.len()).sum::<usize>();
        let c = Instant::now();
        let names = retrieve::candidates(&idx, &cfg, &p, &exp);
        ncand += names.len();
        let d = Instant::now();
        let mut cache = Default::default();
        for n in names {
            for (vi, v) in p.variants.iter().enumerate() {
                let _ = align::align(&idx, &cfg, &mut cache, v, vi, n);
            }
        }
        let e = Instant::now();
        t[0] += b - a;
        t[1] += c - b;
        t[2] += d - c;
        t[3] += e - d;
    }
    let n = qs.len() as f64;
    for (name, d) in ["prepare", "expand", "candidates", "align"].iter().zip(t) {
        println!("{name:12} {:8.1} us/query", d.as_secs_f64() * 1e6 / n);
    }
    println!(
        "expansions/query {:.1}, candidates/query {:.1}",
        nexp as f64 / n,
        ncand as f64 / n
    );
}
