//! `watchlist screen`, `match` and `eval`: the real binary on the real UN and OFAC SDN lists.

mod common;

use common::{command, import, wl};
use std::io::Write;
use std::process::Stdio;

fn with_lists() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), &["un_sc", "us_ofac_sdn"]);
    dir
}

#[test]
fn screen_finds_and_explains_kim_jong_un_in_any_romanisation() {
    let dir = with_lists();
    for name in ["Kim Jong-un", "Gim Jeong-eun", "Kim Chong Un"] {
        let r = wl(
            dir.path(),
            &["screen", name, "--schema", "Person", "--format", "json"],
        )
        .ok();
        let top = &r.json()[0];
        assert_eq!(
            top["entity_id"], "us_ofac_sdn:20157",
            "{name}: {}",
            r.stdout
        );
        assert_eq!(top["is_match"], true, "{name}");
        assert!(top["explanation"]["tokens"].as_array().unwrap().len() >= 3);
    }
    let text = wl(dir.path(), &["screen", "Gim Jeong-eun", "--explain"])
        .ok()
        .stdout;
    assert!(text.contains("us_ofac_sdn:20157"), "{text}");
    assert!(
        text.contains("Korean syllables"),
        "the reason is spelled out: {text}"
    );
    assert!(!text.contains("DEMO DATA"));
}

#[test]
fn screen_uses_birth_date_and_reports_it() {
    let dir = with_lists();
    let r = wl(
        dir.path(),
        &[
            "screen",
            "Kim Jong Un",
            "--dob",
            "1950",
            "--format",
            "json",
            "--threshold",
            "0.8",
        ],
    )
    .ok();
    let top = &r.json()[0];
    assert_eq!(top["entity_id"], "us_ofac_sdn:20157");
    assert_eq!(
        top["is_match"], false,
        "a contradicting birth date keeps it under the threshold"
    );
    let adj = top["explanation"]["adjustments"].as_array().unwrap();
    assert!(
        adj.iter()
            .any(|a| a["feature"] == "evidence.dob_mismatch_factor"),
        "{adj:?}"
    );
    let bad = wl(dir.path(), &["screen", "Kim", "--dob", "yesterday"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--dob"), "{}", bad.stderr);
    let bad = wl(dir.path(), &["screen", "Kim", "--schema", "Spaceship"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unknown schema"), "{}", bad.stderr);
}

#[test]
fn match_speaks_the_eval_contract_and_survives_bad_lines() {
    let dir = with_lists();
    let input = concat!(
        "{\"id\": \"q1\", \"name\": \"Mansudae Overseas Project Group of Companies\", \"schema\": \"Organization\"}\n",
        "this is not json\n",
        "{\"id\": \"q2\", \"name\": \"Екатерина Губарева\", \"schema\": \"Person\"}\n",
        "{\"id\": \"q3\", \"name\": \"\"}\n",
        "{\"id\": \"q4\", \"name\": \"x\", \"schema\": \"Spaceship\"}\n",
        "{\"id\": 5, \"name\": \"John Smith\", \"schema\": \"Person\"}\n",
    );
    let mut child = command(dir.path())
        .args(["match", "--limit", "3", "--threads", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        3,
        "one result per valid query, in order: {stdout}"
    );
    assert_eq!(lines[0]["id"], "q1");
    assert_eq!(lines[0]["matches"][0]["list"], "un_sc");
    assert_eq!(lines[0]["matches"][0]["list_id"], "KPe.050");
    assert_eq!(lines[0]["matches"][0]["score"], 1.0);
    assert!(lines[0]["matches"][0]["explanation"].is_object());
    assert_eq!(lines[1]["id"], "q2");
    let found: Vec<&str> = lines[1]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(
        found.iter().any(|n| n.to_uppercase().contains("GUBAREVA")),
        "Cyrillic finds the Latin name: {found:?}"
    );
    assert_eq!(lines[2]["id"], 5);
    assert!(lines[2]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["is_match"] == false));
    for l in &lines {
        let scores: Vec<f64> = l["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["score"].as_f64().unwrap())
            .collect();
        assert!(
            scores.len() <= 3
                && scores.windows(2).all(|w| w[0] >= w[1])
                && scores.iter().all(|s| (0.0..=1.0).contains(s))
        );
    }
    assert!(
        stderr.contains("line 2") && stderr.contains("invalid JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 4") && stderr.contains("empty"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 5") && stderr.contains("unknown schema"),
        "{stderr}"
    );
}

#[test]
fn eval_reports_recall_and_false_positives_on_the_development_set() {
    let dir = with_lists();
    let set = sources::shared_dir_for_tests().join("eval/sets/dev");
    let r = wl(
        dir.path(),
        &["eval", "--set", set.to_str().unwrap(), "--format", "json"],
    )
    .ok();
    let v = r.json();
    assert_eq!(v["queries"], 4173);
    let at1 = &v["at_fpr_1_percent"];
    assert!(at1["false_positive_rate"].as_f64().unwrap() <= 0.01);
    assert!(at1["recall"].as_f64().unwrap() >= 0.93, "{at1}");
    assert!(
        v["recall_by_class"]["korean_romanization"][0]
            .as_f64()
            .unwrap()
            >= 0.9
    );
    let (_, lower, alerting) = (
        v["dob_pairs"][0].clone(),
        v["dob_pairs"][1].as_f64().unwrap(),
        v["dob_pairs"][2].as_f64().unwrap(),
    );
    assert!(lower >= 0.95 && alerting <= 0.05, "{}", v["dob_pairs"]);
}
