//! `watchlist screen`, `match` and `eval`: the real binary on the real UN and OFAC SDN lists.

mod common;

use common::{import, wl, wl_stdin};

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
    // an untidy flag is a warning and the name is still screened (a screening never fails open)
    let r = wl(dir.path(), &["screen", "Kim Jong Un", "--dob", "yesterday"]).ok();
    assert!(
        r.stderr.contains("warning: birth_date") && r.stderr.contains("yesterday"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("us_ofac_sdn:20157"), "{}", r.stdout);
    let r = wl(
        dir.path(),
        &["screen", "Kim Jong Un", "--schema", "Spaceship"],
    )
    .ok();
    assert!(r.stderr.contains("warning: schema"), "{}", r.stderr);
    let bad = wl(dir.path(), &["screen", " "]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("nothing to screen"), "{}", bad.stderr);
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
    let r = wl_stdin(
        dir.path(),
        &["match", "--limit", "3", "--threads", "2"],
        input,
    )
    .ok();
    let (stdout, stderr) = (r.stdout, r.stderr);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "one answer per line, in order: {stdout}");
    // the lines that cannot be screened are answered with an error object
    assert_eq!(lines[1]["id"], 2, "the line number stands in for the id");
    assert_eq!(lines[1]["error"]["code"], "invalid_json");
    assert_eq!(lines[3]["id"], "q3");
    assert_eq!(lines[3]["error"]["code"], "no_name");
    assert_eq!(lines[3]["error"]["line"], 4);
    // a misspelt schema is a warning; the name is screened
    assert_eq!(lines[4]["id"], "q4");
    assert!(lines[4]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("Spaceship"));
    let lines: Vec<serde_json::Value> = [0, 2, 5].iter().map(|i| lines[*i].clone()).collect();
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
        stderr.contains("2 line(s) answered with an error")
            && stderr.contains("1 screened with warnings"),
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
