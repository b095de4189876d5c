//! The FollowTheMoney reader against the real OpenSanctions/yente exports in the shared folder
//! and a small set of entity, delta and index files.
//!
//! Target entities per file, counted independently with Python (`json` module; schemas Person,
//! Organization, Company, PublicBody, LegalEntity, Vessel, Airplane with `target` true):
//! - yente_t1/entities.ftm.json: 7 lines, 6 targets (4 Person, 2 Organization) + 1 Address;
//! - yente_zala/entities.ftm.json: 91 lines, 14 targets (6 Person, 8 Company); 3 non-target
//!   Companies, 41 Sanction, 14 Ownership, 11 Address, 4 Family, 3 Directorship, 1 Passport;
//! - yente_t2_deltas: wnk ADDs NK-2T3S8Hu29ktYnKSTgQp2wL and NK-2sJaJRaPJcWUfMbHjTtWcL,
//!   pfh ADDs NK-500Poltergeist and MODs NK-2T3S8Hu29ktYnKSTgQp2wL ("Foobar Foobargroup"),
//!   npf DELs NK-500Poltergeist, 3iv ADDs Q4365364: 3 survivors.

mod common;

use common::{claims, shared_list};
use model::{Entity, IdKind, NameKind, Schema};
use sources::formats::ftm_json;
use sources::{Format, Head, ListInfo, ParseError, SourceSet};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn os_dir() -> PathBuf {
    shared_list("opensanctions")
}

fn fixture(name: &str) -> PathBuf {
    common::fixture("ftm", name)
}

fn parse_file(path: &Path) -> Result<(ListInfo, Vec<Entity>), ParseError> {
    common::parse_file(Format::FtmJson, path)
}

/// Detects and parses a folder the way `watchlist import FOLDER` does; it must be one set.
fn import(dir: &Path) -> (SourceSet, ListInfo, Vec<Entity>) {
    let mut sets = sources::detect_paths(&[dir.to_path_buf()]).unwrap();
    assert_eq!(
        sets.len(),
        1,
        "all FtM files of one import form one source set: {sets:?}"
    );
    let set = sets.remove(0);
    let (info, entities) = sources::parse_all(&set).unwrap();
    (set, info, entities)
}

fn get<'a>(entities: &'a [Entity], id: &str) -> &'a Entity {
    entities
        .iter()
        .find(|e| e.id.list_id() == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

#[test]
fn targets_per_file() {
    let (info, t1) = parse_file(&os_dir().join("yente_t1/entities.ftm.json")).unwrap();
    assert_eq!(info.list, "opensanctions");
    assert_eq!(t1.len(), 6);
    assert_eq!(t1.iter().filter(|e| e.schema == Schema::Person).count(), 4);
    let (_, zala) = parse_file(&os_dir().join("yente_zala/entities.ftm.json")).unwrap();
    assert_eq!(zala.len(), 14);
    assert_eq!(
        zala.iter()
            .filter(|e| e.schema == Schema::Organization)
            .count(),
        8
    );
    let (_, _, deltas) = import(&os_dir().join("yente_t2_deltas"));
    let mut ids: Vec<_> = deltas.iter().map(|e| e.id.list_id().to_string()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "NK-2T3S8Hu29ktYnKSTgQp2wL",
            "NK-2sJaJRaPJcWUfMbHjTtWcL",
            "Q4365364"
        ]
    );
}

#[test]
fn whole_folder_is_one_import() {
    let (set, info, entities) = import(&os_dir());
    assert_eq!(
        set.files().len(),
        7,
        "2 entity files, 4 delta files and the delta index"
    );
    assert_eq!(entities.len(), 23);
    let ids: HashSet<_> = entities.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(ids.len(), 23);
    assert!(
        !ids.contains("opensanctions:NK-500Poltergeist"),
        "added, then deleted by a later delta"
    );
    let modified = get(&entities, "NK-2T3S8Hu29ktYnKSTgQp2wL");
    assert_eq!(
        modified.caption(),
        "Foobar Foobargroup",
        "the MOD replaces the earlier ADD"
    );
    assert!(modified
        .names
        .iter()
        .any(|n| n.value == "Iranian Revolutionary Guard Corps"));
    assert_eq!(
        info.published.as_deref(),
        Some("2026-04-29T12:53:04"),
        "latest last_seen"
    );
}

#[test]
fn zala_person_is_enriched_by_auxiliary_entities() {
    let (_, zala) = parse_file(&os_dir().join("yente_zala/entities.ftm.json")).unwrap();
    let z = get(&zala, "NK-aU5ybkbRFJucf8YMwsJvDw");
    assert_eq!(z.caption(), "Alexander Vyacheslavovich ZAKHAROV");
    assert_eq!(z.schema, Schema::Person);
    assert_eq!(z.birth_dates[0].to_string(), "1965-09-21");
    assert_eq!(z.nationalities, ["ru"]);
    assert_eq!(z.gender, Some(model::Gender::Male));
    assert!(z
        .names
        .iter()
        .any(|n| n.value == "Александр Вячеславович Захаров"));
    // 13 Sanction entities point at him: programs and the earliest listing date.
    for p in [
        "US-RUSHAR",
        "GB-RUS",
        "EU-UKR",
        "UA-SA1644",
        "SECO-UKRAINE",
        "NZ-RSA2022",
    ] {
        assert!(
            z.programs.iter().any(|x| x == p),
            "{p} missing from {:?}",
            z.programs
        );
    }
    assert_eq!(z.listed_on.unwrap().to_string(), "2023-07-01");
    assert!(z
        .identifiers
        .iter()
        .any(|i| i.kind == IdKind::TaxId && i.value == "183111242406"));
    // Family, Directorship and Ownership entities become relations.
    let rel = |kind: &str, target: &str| {
        z.relations
            .iter()
            .any(|r| r.kind == kind && r.target.as_ref().map(|t| t.list_id()) == Some(target))
    };
    assert!(rel("family", "NK-JseaPJctnK9o8wrmz8xmoT"));
    assert!(rel("director_of", "NK-abdzbEBkqyT29GyREbiURZ"));
    assert!(rel("owns", "NK-cPks3aTbes8k4aCerfBAzN"));
    // An owned company that is not a target is named but not linked by id.
    let untargeted = z
        .relations
        .iter()
        .find(|r| {
            r.target_name.as_deref() == Some("ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ \"ЦСТ\"")
        })
        .unwrap();
    assert_eq!(
        (untargeted.kind.as_str(), untargeted.target.as_ref()),
        ("owns", None)
    );
    // Address entity resolved through addressEntity.
    assert!(z
        .addresses
        .iter()
        .any(|a| a.city.as_deref() == Some("Izhevsk") && a.country.as_deref() == Some("ru")));

    let cst = get(&zala, "NK-abdzbEBkqyT29GyREbiURZ");
    assert_eq!(cst.caption(), "LLC CST");
    assert_eq!(cst.listed_on.unwrap().to_string(), "2021-10-30");
    assert!(cst.relations.iter().any(
        |r| r.kind == "owned_by" && r.target_name.as_deref() == Some("JSC Kalashnikov Concern")
    ));
    assert!(cst.names.iter().any(|n| n.kind == NameKind::Alias));
}

#[test]
fn delta_versions_apply_in_order_over_full_files() {
    let (set, info, entities) = import(&fixture("set"));
    assert_eq!(set.files().len(), 4);
    let ids: Vec<_> = entities.iter().map(|e| e.id.list_id()).collect();
    assert_eq!(
        ids,
        ["b", "a"],
        "c deleted, d added then deleted, a modified twice"
    );
    assert_eq!(
        entities[1].caption(),
        "Alpha Trading FZE",
        "the later version wins"
    );
    let owns = &entities[0].relations[0];
    assert_eq!(owns.kind, "owns");
    assert_eq!(
        owns.target.as_ref().map(|t| t.to_string()).as_deref(),
        Some("opensanctions:a")
    );
    assert_eq!(owns.target_name.as_deref(), Some("Alpha Trading FZE"));
    assert_eq!(
        info.published.as_deref(),
        Some("2024-01-02T06:00:00Z"),
        "the delta index's updated_at"
    );
}

#[test]
fn invalid_json_line_names_the_line() {
    let err = parse_file(&fixture("bad_line.ftm.json")).unwrap_err();
    assert_eq!(err.position.line, Some(3), "{err}");
    assert!(err.to_string().contains("bad_line.ftm.json"), "{err}");
    assert!(
        err.reason.contains("invalid FollowTheMoney entity JSON"),
        "{err}"
    );
}

#[test]
fn sniffing_claims_all_ftm_files_and_nothing_else() {
    for f in [
        "yente_t1/entities.ftm.json",
        "yente_t2_deltas/delta.json",
        "yente_t2_deltas/20240528074703-npf.entities.delta.json",
    ] {
        assert_eq!(claims(&os_dir().join(f)), [Format::FtmJson], "{f}");
    }
    let csl = Head::read(&shared_list("us_csl/csl.csv")).unwrap();
    assert!(!ftm_json::sniff(&csl));
}

#[test]
fn truncated_and_non_utf8_input_are_errors() {
    let text = std::fs::read(os_dir().join("yente_t1/entities.ftm.json")).unwrap();
    // Cut in the middle of a line, just before an (ASCII) comma.
    let middle = text.len() / 2;
    let cut = &text[..middle + text[middle..].iter().position(|&b| b == b',').unwrap()];
    let err = ftm_json::parse_bytes("entities.ftm.json", cut, &mut |_| Ok(())).unwrap_err();
    assert!(err.reason.contains("EOF"), "{err}");
    let mut bad = text.clone();
    bad.extend_from_slice(b"{\"id\":\"\xc0\"}\n");
    let err = ftm_json::parse_bytes("entities.ftm.json", &bad, &mut |_| Ok(())).unwrap_err();
    assert!(err.reason.contains("invalid UTF-8"), "{err}");
}
