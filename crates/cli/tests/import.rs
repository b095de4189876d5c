//! `watchlist import` and `lists` on every real list folder in ../shared/data/lists, run as the
//! real binary with its own data directory per test.
//!
//! Expected counts: UN from the file's own INDIVIDUAL/ENTITY elements (730/273, see its
//! PROVENANCE.md); the others as counted independently (Python csv/json) in the parser tests of
//! crates/sources/tests.

mod common;

use common::*;

fn check(folder: &str, list: &str, total: u64, by_schema: &[(&str, u64)]) {
    let data = tempfile::tempdir().unwrap();
    let run = import(data.path(), &[folder]);
    assert!(run.stdout.contains("is now in service"), "{}", run.stdout);
    let v = lists_json(data.path());
    let entry = list_entry(&v, list);
    assert_eq!(entry["total"], total, "{folder}: {entry:#}");
    if !by_schema.is_empty() {
        assert_eq!(counts(&v, list), expected(by_schema), "{folder}");
    }
    assert_eq!(v["snapshot"]["demo"], false);
    assert_eq!(v["snapshot"]["list_count"], 1);
    assert_eq!(v["snapshot"]["entity_count"], total);
    // every source file is listed with its sha256
    for f in entry["source_files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64, "{name}");
        assert!(f["bytes"].as_u64().unwrap() > 0, "{name}");
    }
}

#[test]
fn un_consolidated_list() {
    check(
        "un_sc",
        "un_sc",
        1003,
        &[("Person", 730), ("Organization", 273)],
    );
}

#[test]
fn ofac_sdn_set() {
    check(
        "us_ofac_sdn",
        "us_ofac_sdn",
        8976,
        &[
            ("Person", 4620),
            ("Organization", 3673),
            ("Vessel", 406),
            ("Aircraft", 277),
        ],
    );
}

#[test]
fn ofac_consolidated_set() {
    check(
        "us_ofac_cons",
        "us_ofac_cons",
        442,
        &[("Person", 79), ("Organization", 363)],
    );
}

#[test]
fn eu_financial_sanctions_file() {
    check("eu_fsf", "eu_fsf", 5, &[("Person", 4), ("Organization", 1)]);
}

#[test]
fn uk_sanctions_list() {
    check(
        "gb_fcdo",
        "gb_fcdo",
        5,
        &[("Person", 2), ("Organization", 2), ("Vessel", 1)],
    );
}

#[test]
fn bis_denied_persons_list() {
    check("us_bis_dpl", "us_bis_dpl", 461, &[]);
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["us_bis_dpl"]);
    assert!(
        !counts(&lists_json(data.path()), "us_bis_dpl").contains_key("Person"),
        "the DPL never says person"
    );
}

#[test]
fn consolidated_screening_list() {
    check("us_csl", "us_csl", 115, &[]);
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["us_csl"]);
    let c = counts(&lists_json(data.path()), "us_csl");
    assert_eq!(
        (c.get("Person"), c.get("Vessel")),
        (Some(&20), Some(&2)),
        "{c:?}"
    );
}

#[test]
fn opensanctions_folder_with_deltas() {
    check("opensanctions", "opensanctions", 23, &[]);
}

/// Each day of the 2024 SDN history imported in turn into one data directory: each import
/// replaces the SDN list, makes a new snapshot, and the counts follow the files.
#[test]
fn ofac_sdn_history_one_day_at_a_time() {
    let data = tempfile::tempdir().unwrap();
    let days = [
        ("2024-02-20", 6700 + 6063 + 786 + 382),
        ("2024-02-23", 6757 + 6547 + 798 + 382),
        ("2024-04-26", 6820 + 6630 + 835 + 383),
        ("2024-05-01", 6849 + 6883 + 851 + 383),
        ("2024-05-03", 6854 + 6884 + 851 + 376),
    ];
    let mut versions = Vec::new();
    for (i, (day, total)) in days.iter().enumerate() {
        import(data.path(), &[&format!("us_ofac_sdn_history/{day}")]);
        let v = lists_json(data.path());
        assert_eq!(list_entry(&v, "us_ofac_sdn")["total"], *total, "{day}");
        assert_eq!(v["snapshot"]["seq"], i as u64 + 1, "{day}");
        assert_eq!(v["snapshot"]["list_count"], 1);
        versions.push(v["snapshot"]["version"].as_str().unwrap().to_string());
    }
    let snaps = wl(data.path(), &["snapshots", "--format", "json"])
        .ok()
        .json();
    assert_eq!(snaps.as_array().unwrap().len(), 5);
    assert_eq!(snaps[4]["current"], true);
    assert_eq!(snaps[4]["version"], versions[4].as_str());
}

#[test]
fn importing_two_folders_keeps_both_lists() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["un_sc"]);
    let first = snapshot_version(data.path());
    let run = import(data.path(), &["eu_fsf"]);
    assert!(
        run.stdout.contains("changed") && run.stdout.contains("eu_fsf"),
        "{}",
        run.stdout
    );
    let v = lists_json(data.path());
    assert_eq!(list_entry(&v, "un_sc")["total"], 1003);
    assert_eq!(list_entry(&v, "eu_fsf")["total"], 5);
    assert_eq!(v["snapshot"]["entity_count"], 1008);
    assert_eq!(v["snapshot"]["previous"], first.as_str());
    assert_ne!(v["snapshot"]["version"], first.as_str());
}

#[test]
fn importing_identical_files_again_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["un_sc", "us_ofac_cons"]);
    let before = lists_json(data.path());
    let run = import(data.path(), &["un_sc"]);
    assert!(
        run.stdout.contains("already up to date: nothing changed"),
        "{}",
        run.stdout
    );
    let after = lists_json(data.path());
    assert_eq!(after["snapshot"]["version"], before["snapshot"]["version"]);
    assert_eq!(after["snapshot"]["seq"], 1);
    assert_eq!(after, before, "same lists, versions and import times");
    let json = wl(
        data.path(),
        &[
            "--format",
            "json",
            "import",
            &list_dir("un_sc").display().to_string(),
        ],
    )
    .ok()
    .json();
    assert_eq!(json["status"], "unchanged");
    assert_eq!(json["snapshot"]["version"], before["snapshot"]["version"]);
}

#[test]
fn import_summary_as_json_names_each_list() {
    let data = tempfile::tempdir().unwrap();
    let dirs = [list_dir("un_sc"), list_dir("gb_fcdo")];
    let run = wl(
        data.path(),
        &[
            "--format",
            "json",
            "import",
            &dirs[0].display().to_string(),
            &dirs[1].display().to_string(),
        ],
    )
    .ok();
    let v = run.json();
    assert_eq!(v["status"], "updated");
    assert_eq!(v["snapshot"]["seq"], 1);
    let lists = v["lists"].as_array().unwrap();
    assert_eq!(lists.len(), 2);
    assert!(lists.iter().all(|l| l["changed"] == true));
    assert_eq!(
        lists.iter().find(|l| l["list"] == "un_sc").unwrap()["entities"],
        1003
    );
}

#[test]
fn lists_in_every_format() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["un_sc", "us_ofac_sdn"]);
    let text = wl(data.path(), &["lists"]).ok().stdout;
    assert!(text.starts_with("snapshot "), "{text}");
    assert!(
        text.contains("UN Security Council Consolidated List"),
        "{text}"
    );
    assert!(
        text.contains("1,003  (Organization 273, Person 730)"),
        "{text}"
    );
    assert!(
        text.contains("published   2026-02-27T00:00:09.554Z"),
        "{text}"
    );
    assert!(text.contains("sdn_comments.csv"), "{text}");
    assert!(!text.contains("DEMO"), "{text}");

    let jsonl = wl(data.path(), &["lists", "--format", "jsonl"]).ok().stdout;
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["list"], "un_sc");
    assert_eq!(lines[1]["list"], "us_ofac_sdn");
    assert_eq!(lines[1]["counts"]["Aircraft"], 277);

    let csv = wl(data.path(), &["lists", "--format", "csv"]).ok().stdout;
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(rows[0].starts_with("snapshot,snapshot_seq,list,publisher,title,format,published,imported_at,version,Person,Organization,Vessel,Aircraft,LegalEntity,total,source_files"), "{csv}");
    assert!(rows[2].contains(",4620,3673,406,277,0,8976,"), "{csv}");
}

#[test]
fn show_un_mansudae_overseas_project() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["un_sc"]);
    let text = wl(data.path(), &["show", "un_sc:KPe.050"]).ok().stdout;
    assert!(
        text.starts_with(
            "un_sc:KPe.050  Organization\nMANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES\n"
        ),
        "{text}"
    );
    assert!(text.contains("Mansudae Art Studio"), "{text}");
    assert!(text.contains("2017-08-05"), "{text}");
    assert!(
        text.contains("exportation of workers from the DPRK"),
        "{text}"
    );
    assert!(text.contains("Pyongyang"), "{text}");
    assert!(text.contains("source: un_sc"), "{text}");

    let v = wl(data.path(), &["show", "un_sc:KPe.050", "--json"])
        .ok()
        .json();
    assert_eq!(v["id"], "un_sc:KPe.050");
    assert_eq!(v["entity"]["schema"], "Organization");
    assert_eq!(v["names_by_kind"]["alias"][0], "Mansudae Art Studio");
    assert_eq!(v["entity"]["listed_on"], "2017-08-05");
    assert_eq!(v["source"]["list"], "un_sc");
    assert_eq!(v["source"]["snapshot_seq"], 1);
    assert_eq!(v["source"]["demo"], false);
    // the publisher's id carries a trailing space in the file; it is trimmed in the id
    assert!(wl(data.path(), &["show", "un_sc:KPe.051"])
        .ok()
        .stdout
        .starts_with("un_sc:KPe.051  Organization"));
}

#[test]
fn show_ofac_kim_jong_un() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["us_ofac_sdn"]);
    let text = wl(data.path(), &["show", "us_ofac_sdn:20157"]).ok().stdout;
    assert!(
        text.starts_with("us_ofac_sdn:20157  Person\nKIM, Jong Un\n"),
        "{text}"
    );
    assert!(text.contains("1984-01-08"), "{text}");
    assert!(text.contains("DPRK3"), "{text}");
    assert!(
        text.contains("Chairman of the Workers' Party of Korea"),
        "{text}"
    );
    let v = wl(
        data.path(),
        &["show", "us_ofac_sdn:20157", "--format", "json"],
    )
    .ok()
    .json();
    assert_eq!(v["entity"]["birth_dates"][0], "1984-01-08");
    assert_eq!(v["entity"]["programs"][0], "DPRK3");
    let csv = wl(
        data.path(),
        &["show", "us_ofac_sdn:20157", "--format", "csv"],
    )
    .ok()
    .stdout;
    assert!(csv.starts_with("id,field,kind,value\n"), "{csv}");
    assert!(
        csv.contains("us_ofac_sdn:20157,birth_date,,1984-01-08"),
        "{csv}"
    );
}

#[test]
fn show_resolves_relations_to_entities_in_the_snapshot() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["us_ofac_sdn"]);
    // NASRALLAH, Hasan: "Linked To: HIZBALLAH" in the remarks, resolved to ent_num 4697
    let v = wl(data.path(), &["show", "us_ofac_sdn:2686", "--json"])
        .ok()
        .json();
    assert_eq!(v["caption"], "NASRALLAH, Hasan");
    let r = &v["relations"][0];
    assert_eq!(r["kind"], "linked_to");
    assert_eq!(r["target"], "us_ofac_sdn:4697");
    assert_eq!(r["target_in_snapshot"], true);
    assert_eq!(r["target_caption"], "HIZBALLAH");
    let text = wl(data.path(), &["show", "us_ofac_sdn:2686"]).ok().stdout;
    let line = text
        .lines()
        .find(|l| l.starts_with("relation (linked to)"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.ends_with("  us_ofac_sdn:4697  HIZBALLAH"), "{text}");
}

#[test]
fn unknown_ids_and_bad_ids() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["un_sc"]);
    let run = wl(data.path(), &["show", "un_sc:NOPE.999"]).expect(3);
    assert!(
        run.stderr
            .contains("error: no entity un_sc:NOPE.999 in list un_sc"),
        "{}",
        run.stderr
    );
    let run = wl(data.path(), &["show", "eu_fsf:1"]).expect(3);
    assert!(run.stderr.contains("no list \"eu_fsf\""), "{}", run.stderr);
    assert!(
        run.stderr.contains("lists in service: un_sc"),
        "{}",
        run.stderr
    );
    let run = wl(data.path(), &["show", "KPe.050"]).expect(2);
    assert!(
        run.stderr.contains("invalid entity id \"KPe.050\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("LIST:ID"), "{}", run.stderr);
    let run = wl(data.path(), &["show", "UN SC:1"]).expect(2);
    assert!(run.stderr.contains("list key"), "{}", run.stderr);
}

#[test]
fn rollback_puts_an_earlier_snapshot_back() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["us_ofac_sdn_history/2024-02-20"]);
    let first = snapshot_version(data.path());
    import(data.path(), &["us_ofac_sdn_history/2024-02-23"]);
    assert_ne!(snapshot_version(data.path()), first);
    let run = wl(data.path(), &["rollback", &first[..12]]).ok();
    assert!(run.stdout.contains("is now in service"), "{}", run.stdout);
    let v = lists_json(data.path());
    assert_eq!(v["snapshot"]["version"], first.as_str());
    assert_eq!(
        list_entry(&v, "us_ofac_sdn")["total"],
        6700 + 6063 + 786 + 382
    );
    let text = wl(data.path(), &["snapshots"]).ok().stdout;
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.lines().nth(1).unwrap().starts_with('*'),
        "the first snapshot is current: {text}"
    );
    let run = wl(data.path(), &["rollback", "ffffffff"]).expect(3);
    assert!(run.stderr.contains("no snapshot"), "{}", run.stderr);
}

#[test]
fn help_documents_exit_codes() {
    let data = tempfile::tempdir().unwrap();
    let run = wl(data.path(), &["--help"]).ok();
    for line in ["2  bad input", "3  not found", "1  failure"] {
        assert!(run.stdout.contains(line), "{}", run.stdout);
    }
    let run = wl(data.path(), &["import"]).expect(2);
    assert!(run.stderr.contains("PATH"), "{}", run.stderr);
}

#[test]
fn output_to_a_closed_pipe_is_not_an_error() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["us_ofac_sdn"]);
    let mut child = command(data.path())
        .args(["show", "us_ofac_sdn:20157", "--format", "csv"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
