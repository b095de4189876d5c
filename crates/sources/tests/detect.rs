//! Detection over many formats at once: which format claims each file, how files are grouped
//! and the order of the sets (OFAC sets, then the FtM set, then one set per other file in path
//! order; OFAC sets by folder), which imports and index builds follow.

mod common;

use common::{fixture, shared_list};
use sources::{detect_paths, Format};
use std::path::{Path, PathBuf};

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn mixed_detection_groups_and_orders_sets() {
    // Deliberately not in format order: one-file formats and grouped ones interleaved.
    let paths: Vec<PathBuf> = vec![
        fixture("custom", "example.csv"),
        shared_list("un_sc"),
        shared_list("us_ofac_sdn"),
        fixture("uk", "ConList.csv"),
        fixture("ftm", "set"),
        shared_list("eu_fsf"),
        shared_list("us_ofac_cons"),
        shared_list("us_bis_dpl"),
        shared_list("gb_fcdo"),
        shared_list("us_csl"),
    ];
    let sets = detect_paths(&paths).unwrap();
    let got: Vec<(String, String, Vec<String>)> = sets
        .iter()
        .map(|s| {
            (
                s.format.as_str().to_string(),
                file_name(&s.main),
                s.parts
                    .iter()
                    .map(|(k, v)| format!("{k}={}", file_name(v)))
                    .collect(),
            )
        })
        .collect();
    let want = [
        (
            "ofac_csv",
            "cons_prim.csv",
            vec![
                "add=cons_add.csv",
                "alt=cons_alt.csv",
                "comments=cons_comments.csv",
            ],
        ),
        (
            "ofac_csv",
            "sdn.csv",
            vec!["add=add.csv", "alt=alt.csv", "comments=sdn_comments.csv"],
        ),
        (
            "ftm_json",
            "20240101000000-aaa.entities.delta.json",
            vec![
                "0001=20240102000000-bbb.entities.delta.json",
                "0002=delta.json",
                "0003=entities.ftm.json",
            ],
        ),
        ("custom_csv", "example.csv", vec![]),
        ("un_xml", "consolidated.xml", vec![]),
        ("gb_ofsi_csv", "ConList.csv", vec![]),
        ("eu_fsf_xml", "sample_eu_fsf.xml", vec![]),
        ("bis_dpl", "dpl.txt", vec![]),
        ("gb_fcdo_xml", "sample_uk_sanctions.xml", vec![]),
        ("us_csl", "csl.csv", vec![]),
    ];
    let want: Vec<(String, String, Vec<String>)> = want
        .into_iter()
        .map(|(f, m, p)| {
            (
                f.to_string(),
                m.to_string(),
                p.into_iter().map(String::from).collect(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(sets
        .iter()
        .all(|s| Format::named(s.format.as_str()) == Some(s.format)));
}

#[test]
fn unknown_file_names_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.dat");
    std::fs::write(&path, "nothing any format claims\n").unwrap();
    let err = detect_paths(&[path]).unwrap_err().to_string();
    assert!(
        err.contains("unknown list format: not OFAC CSV, UN XML, EU FSF XML, UK FCDO XML, OFSI CSV, BIS DPL, CSL CSV, FollowTheMoney JSON or watchlist custom CSV (see docs/formats.md)"),
        "{err}"
    );
    assert!(err.contains("notes.dat"), "{err}");
}
