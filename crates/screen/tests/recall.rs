//! Recall of the document scanner against screening, on the real lists: every name of the
//! UN list's DPRK entries and a sample of OFAC SDN names, each written into a sentence, must
//! be found by `scan` with the same entities and scores that screening the name alone gives
//! (`Matcher::search`, what `watchlist screen` calls). One-word names are left out: the
//! scanner deliberately reports them only when capitalised and rare (see `screen::scan`).

use matcher::{Query, SearchOptions};
use screen::scan::{ScanOptions, Scanner};
use sources::snapshot::DataDir;
use std::path::PathBuf;

fn engine(lists: &[&str]) -> (tempfile::TempDir, engine::Engine) {
    let dir = tempfile::tempdir().unwrap();
    let shared = sources::shared_dir_for_tests().join("data/lists");
    let paths: Vec<PathBuf> = lists.iter().map(|l| shared.join(l)).collect();
    let sets = sources::detect_paths(&paths).unwrap();
    DataDir::open(dir.path())
        .unwrap()
        .import(&sets, &mut |_| {})
        .unwrap();
    let e = engine::Engine::open(dir.path(), &engine::Settings::default()).unwrap();
    (dir, e)
}

#[test]
fn scan_finds_what_screening_finds_for_listed_names() {
    let (_dir, e) = engine(&["un_sc", "us_ofac_sdn"]);
    let idx = e.matcher().index();
    // names: all names of UN DPRK entries, every 25th OFAC name
    let mut names: Vec<String> = Vec::new();
    for (i, n) in idx.names().iter().enumerate() {
        let ent = &idx.entities()[n.entity as usize];
        let take = ent.id.starts_with("un_sc:KP")
            || (ent.id.starts_with("us_ofac_sdn:") && i.is_multiple_of(25));
        let words = n.value.split_whitespace().count();
        if take
            && !n.native
            && (2..=8).contains(&words)
            && n.kind != model::NameKind::WeakAlias
            && !names.contains(&n.value)
        {
            names.push(n.value.clone());
        }
    }
    assert!(names.len() > 300, "{}", names.len());
    let scanner = Scanner::new(
        e.matcher(),
        ScanOptions {
            regions: false,
            per_mention: 10,
            ..Default::default()
        },
    );
    let opts = SearchOptions {
        limit: 10,
        ..Default::default()
    };
    let (mut expected, mut found) = (0, 0);
    let mut misses = Vec::new();
    for name in &names {
        let screened: Vec<(String, f32)> = e
            .search(&Query::name(name.clone()), &opts)
            .into_iter()
            .filter(|m| m.is_match)
            .map(|m| (m.entity_id, m.score))
            .collect();
        if screened.is_empty() {
            continue;
        }
        let text = format!("Officials said on Tuesday that {name} had transferred the funds.\n");
        let at = text.find(name.as_str()).unwrap();
        let f = scanner.scan_str(&text);
        let scanned: Vec<(String, f32)> = f
            .mentions
            .iter()
            .filter(|m| m.start < at + name.len() && m.end > at)
            .map(|m| (m.entity_id.clone(), m.score))
            .collect();
        for s in &screened {
            expected += 1;
            if scanned
                .iter()
                .any(|(id, score)| *id == s.0 && (score - s.1).abs() < 1e-6)
            {
                found += 1;
            } else {
                misses.push(format!(
                    "{name:?} → {} {:.3}; scan gave {scanned:?}",
                    s.0, s.1
                ));
            }
        }
    }
    let recall = found as f64 / expected as f64;
    eprintln!(
        "{found}/{expected} screening matches found by scan ({:.2}%) over {} names",
        recall * 100.0,
        names.len()
    );
    for m in misses.iter().take(20) {
        eprintln!("miss: {m}");
    }
    assert!(expected > 300);
    assert_eq!(
        found,
        expected,
        "scan missed {} of {expected} screening matches",
        expected - found
    );
}
