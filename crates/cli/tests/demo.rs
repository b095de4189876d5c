//! A fresh data directory: commands read the built-in demo list and say so loudly, at the top
//! of table output and on stderr for machine formats (whose stdout stays parseable). The demo
//! never mixes with imported lists.

mod common;

use common::*;

#[test]
fn lists_on_a_fresh_data_directory_shows_the_demo_loudly() {
    let data = tempfile::tempdir().unwrap();
    let run = wl(data.path(), &["lists"]).ok();
    assert!(
        run.stdout
            .starts_with("!! DEMO DATA: not the real sanctions lists. !!"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("watchlist import PATH"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("watchlist update"), "{}", run.stdout);
    assert!(run.stdout.contains("\ndemo  "), "{}", run.stdout);

    let run = wl(data.path(), &["lists", "--format", "json"]).ok();
    assert!(run.stderr.contains("DEMO DATA"), "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["snapshot"]["demo"], true);
    assert_eq!(v["lists"][0]["list"], "demo");
    assert!(v["lists"][0]["total"].as_u64().unwrap() > 10);

    let run = wl(data.path(), &["--quiet", "lists", "--format", "jsonl"]).ok();
    assert_eq!(run.stderr, "", "--quiet silences the notice on stderr");
    assert!(run
        .stdout
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["demo"] == true));
}

#[test]
fn show_reads_the_demo_and_follows_same_as_to_official_ids() {
    let data = tempfile::tempdir().unwrap();
    let run = wl(data.path(), &["show", "demo:mop"]).ok();
    assert!(run.stdout.starts_with("!! DEMO DATA"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("MANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES"),
        "{}",
        run.stdout
    );
    // The quick start in the README: the official UN id finds the demo entry marked same_as.
    let run = wl(data.path(), &["show", "un_sc:KPe.050"]).ok();
    assert!(
        run.stdout
            .contains("un_sc:KPe.050 is not in the snapshot in service; showing demo:mop"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("MANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES"),
        "{}",
        run.stdout
    );
    let v = wl(data.path(), &["show", "demo:mop", "--json"]).ok().json();
    assert_eq!(v["source"]["demo"], true);
}

#[test]
fn importing_real_lists_replaces_the_demo() {
    let data = tempfile::tempdir().unwrap();
    wl(data.path(), &["lists"]).ok();
    import(data.path(), &["un_sc"]);
    let run = wl(data.path(), &["lists"]).ok();
    assert!(!run.stdout.contains("DEMO"), "{}", run.stdout);
    let v = lists_json(data.path());
    assert_eq!(v["snapshot"]["demo"], false);
    assert_eq!(
        v["snapshot"]["list_count"], 1,
        "the demo list is not part of real snapshots"
    );
    assert_eq!(v["snapshot"]["seq"], 1);
    let run = wl(data.path(), &["show", "demo:mop"]).expect(3);
    assert!(run.stderr.contains("no list \"demo\""), "{}", run.stderr);
}

#[test]
fn snapshots_on_a_fresh_data_directory() {
    let data = tempfile::tempdir().unwrap();
    let run = wl(data.path(), &["snapshots"]).ok();
    assert!(run.stdout.contains("no snapshots yet"), "{}", run.stdout);
    let v = wl(data.path(), &["snapshots", "--format", "json"])
        .ok()
        .json();
    assert_eq!(v, serde_json::json!([]));
}
