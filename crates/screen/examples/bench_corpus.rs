//! Writes an English text corpus for the scan benchmark: the narrative remarks of the real
//! lists in ../shared (UN Security Council comments, EU, UK and OFAC remarks), one paragraph
//! per entity, repeated until the requested size.
//!
//! `cargo run --release -p watchlist-screen --example bench_corpus -- OUT.txt SIZE_MB`

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).expect("usage: bench_corpus OUT.txt SIZE_MB");
    let mb: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let lists = sources::shared_dir_for_tests().join("data/lists");
    let dirs = ["un_sc", "eu_fsf", "gb_fcdo", "us_ofac_sdn"].map(|d| lists.join(d));
    let sets = sources::detect_paths(&dirs).expect("shared lists");
    let mut paragraphs: Vec<String> = Vec::new();
    for set in &sets {
        let (_, ents) = sources::parse_all(set).expect("parse");
        for e in ents {
            let prose: Vec<&str> = e
                .remarks
                .iter()
                .map(String::as_str)
                .filter(|r| r.split_whitespace().count() >= 8)
                .collect();
            if !prose.is_empty() {
                paragraphs.push(prose.join(" "));
            }
        }
    }
    let total: usize = paragraphs.iter().map(|p| p.len() + 2).sum();
    eprintln!(
        "{} paragraphs, {} bytes of distinct remarks",
        paragraphs.len(),
        total
    );
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).expect("create"));
    let mut written = 0;
    'outer: loop {
        for p in &paragraphs {
            writeln!(w, "{p}\n").unwrap();
            written += p.len() + 2;
            if written >= mb << 20 {
                break 'outer;
            }
        }
    }
    eprintln!("wrote {written} bytes to {out}");
}
