//! The UN Security Council consolidated list parser against the real published file in the
//! shared data folder (consolidated.xml, dateGenerated 2026-02-27), and against bad input.

mod common;

use common::{claims, names, never_panics, parse_file, shared_list};
use model::{DateValue, Entity, Gender, IdKind, NameKind, Schema};
use sources::formats::un_xml;
use sources::{detect::SourceSet, Format};
use std::collections::HashMap;
use std::path::PathBuf;

fn real_file() -> PathBuf {
    shared_list("un_sc/consolidated.xml")
}

fn parse_real() -> (sources::ListInfo, HashMap<String, Entity>, Vec<Entity>) {
    let (info, all) = parse_file(Format::UnXml, real_file()).expect("the published UN list parses");
    let by_id = all.iter().map(|e| (e.id.to_string(), e.clone())).collect();
    (info, by_id, all)
}

#[test]
fn real_file_is_detected_as_un_xml() {
    assert_eq!(claims(&real_file()), [Format::UnXml]);
}

#[test]
fn real_file_counts_and_publication_date() {
    let (info, by_id, all) = parse_real();
    assert_eq!(info.list, "un_sc");
    assert_eq!(info.published.as_deref(), Some("2026-02-27T00:00:09.554Z"));
    let persons = all.iter().filter(|e| e.schema == Schema::Person).count();
    let orgs = all
        .iter()
        .filter(|e| e.schema == Schema::Organization)
        .count();
    assert_eq!((persons, orgs, all.len()), (730, 273, 1003));
    assert_eq!(by_id.len(), 1003, "reference numbers are unique");
    // Trailing spaces in REFERENCE_NUMBER are trimmed ("KPe.051 " in the file).
    assert!(by_id.contains_key("un_sc:KPe.051"));
    assert!(all.iter().all(|e| e.id.list_id().trim() == e.id.list_id()));
    // Every record has a primary name first, a program and a listing date.
    assert!(all.iter().all(|e| e.names[0].kind == NameKind::Primary));
    assert!(all
        .iter()
        .all(|e| e.programs.len() == 1 && e.listed_on.is_some()));
    // LISTED_ON with a time zone ("2015-04-07-04:00").
    assert_eq!(
        by_id["un_sc:QDi.352"].listed_on.unwrap().to_string(),
        "2015-04-07"
    );
    // The file has 378 NAME_ORIGINAL_SCRIPT values (336 + 42) and a few more in alias notes.
    let original: usize = all
        .iter()
        .map(|e| names(e, NameKind::OriginalScript).len())
        .sum();
    assert!(original >= 378, "{original}");
}

#[test]
fn mansudae_overseas_project_group() {
    let (_, by_id, _) = parse_real();
    let e = &by_id["un_sc:KPe.050"];
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.caption(), "MANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES");
    assert_eq!(names(e, NameKind::Alias), ["Mansudae Art Studio"]);
    assert_eq!(e.addresses.len(), 1);
    assert_eq!(e.addresses[0].city.as_deref(), Some("Pyongyang"));
    assert_eq!(e.addresses[0].country.as_deref(), Some("kp"));
    assert_eq!(e.programs, ["DPRK"]);
    assert_eq!(e.listed_on.unwrap().to_string(), "2017-08-05");
    assert!(e.remarks[0].contains("exportation of workers from the DPRK"));
}

#[test]
fn sirajuddin_haqqani_original_script_and_between_dob() {
    let (_, by_id, _) = parse_real();
    let e = &by_id["un_sc:TAi.144"];
    assert_eq!(e.schema, Schema::Person);
    assert_eq!(e.caption(), "SIRAJUDDIN JALLALOUDINE HAQQANI");
    assert_eq!(
        names(e, NameKind::OriginalScript),
        ["سراج الدين جلال الدين حقانى"]
    );
    assert_eq!(
        names(e, NameKind::Alias),
        [
            "Siraj Haqqani",
            "Serajuddin Haqani",
            "Siraj Haqani",
            "Saraj Haqani"
        ]
    );
    assert_eq!(names(e, NameKind::WeakAlias), ["Khalifa"]);
    assert_eq!(e.birth_dates, ["1977..1978".parse::<DateValue>().unwrap()]);
    assert_eq!(
        e.birth_places[0],
        "Danda, Miramshah, North Waziristan, Pakistan"
    );
    assert_eq!(e.nationalities, ["af"]);
    assert_eq!(e.positions, ["Na'ib Amir (Deputy Commander)"]);
    assert_eq!(e.programs, ["Taliban"]);
    assert_eq!(e.addresses.len(), 3);
    // COMMENTS1 line breaks are folded into single spaces.
    assert!(e.remarks[0].starts_with(
        "Heading the Haqqani Network (TAe.012) as of late 2012. Son of Jalaluddin Haqqani"
    ));
}

#[test]
fn passports_and_other_date_forms() {
    let (_, by_id, _) = parse_real();
    let e = &by_id["un_sc:KPi.017"];
    assert_eq!(e.caption(), "JANG YONG SON");
    assert_eq!(e.birth_dates, ["1957-02-20".parse::<DateValue>().unwrap()]);
    assert_eq!(e.identifiers.len(), 1);
    let p = &e.identifiers[0];
    assert_eq!(
        (p.kind, p.value.as_str(), p.country.as_deref()),
        (IdKind::Passport, "563110024", Some("kp"))
    );
    assert_eq!(p.label.as_deref(), Some("Passport"));

    // The same passport under French and Spanish labels is kept once.
    let paek = &by_id["un_sc:KPi.006"];
    let passports: Vec<_> = paek
        .identifiers
        .iter()
        .filter(|i| i.kind == IdKind::Passport)
        .collect();
    assert_eq!(passports.len(), 1);
    assert_eq!(passports[0].value, "381420754");
    assert_eq!(passports[0].note.as_deref(), Some("issued on 2011-12-07"));

    // Approximate year and a gender.
    let approx: Vec<_> = by_id
        .values()
        .filter(|e| {
            e.birth_dates
                .iter()
                .any(|d| matches!(d, DateValue::Circa(_)))
        })
        .collect();
    assert!(approx.len() >= 100, "{}", approx.len());
    let females = by_id
        .values()
        .filter(|e| e.gender == Some(Gender::Female))
        .count();
    assert_eq!(females, 2);
}

fn parse_bytes(xml: &str) -> Result<Vec<Entity>, sources::ParseError> {
    common::entities(|emit| un_xml::parse_bytes("input.xml", xml.as_bytes(), emit))
}

#[test]
fn truncated_file_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("consolidated.xml");
    let full = std::fs::read_to_string(real_file()).unwrap();
    // Cut in the middle of the third record.
    let cut = full.match_indices("<INDIVIDUAL>").nth(2).unwrap().0 + 200;
    std::fs::write(&path, &full[..cut]).unwrap();
    let lines = full[..cut].lines().count() as u64;
    let mut n = 0;
    let err = un_xml::parse(&SourceSet::single(Format::UnXml, &path), &mut |_| {
        n += 1;
        Ok(())
    })
    .unwrap_err();
    assert_eq!(
        n, 2,
        "the two complete records were emitted before the error"
    );
    assert!(err.reason.contains("truncated"), "{err}");
    assert_eq!(err.position.line, Some(lines), "{err}");
    assert!(
        err.to_string().starts_with(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn doctype_with_external_entity_is_refused() {
    let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n\
               <CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER>\
               <FIRST_NAME>&x;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
    let err = parse_bytes(xml).unwrap_err();
    assert!(err.reason.contains("DOCTYPE"), "{err}");
    assert_eq!(err.position.line, Some(2), "{err}");
    assert!(
        !err.to_string().contains("root:"),
        "the entity was never resolved"
    );
}

#[test]
fn record_without_reference_number_is_named() {
    let xml = "<CONSOLIDATED_LIST>\n<ENTITIES>\n<ENTITY><DATAID>6908625</DATAID>\n\
               <FIRST_NAME>NO ID LTD</FIRST_NAME>\n</ENTITY>\n</ENTITIES>\n</CONSOLIDATED_LIST>\n";
    let err = parse_bytes(xml).unwrap_err();
    assert!(err.reason.contains("no REFERENCE_NUMBER"), "{err}");
    assert_eq!(
        err.position.record.as_deref(),
        Some("ENTITY 1 (DATAID 6908625)")
    );
    assert_eq!(err.position.line, Some(5), "{err}");
}

#[test]
fn other_bad_input() {
    // Mismatched closing tag.
    let err = parse_bytes("<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n</ENTITIES>\n").unwrap_err();
    assert!(err.reason.contains("malformed XML"), "{err}");
    assert_eq!(err.position.line, Some(3), "{err}");
    // Invalid UTF-8.
    let mut bytes = b"<CONSOLIDATED_LIST>\n<INDIVIDUALS>".to_vec();
    bytes.extend_from_slice(b"\xc3\x28</INDIVIDUALS></CONSOLIDATED_LIST>");
    let err = un_xml::parse_bytes("bad.xml", &bytes, &mut |_| Ok(())).unwrap_err();
    assert!(err.to_string().contains("invalid UTF-8"), "{err}");
    // Not a UN list, and no XML at all.
    assert!(parse_bytes("<export/>")
        .unwrap_err()
        .reason
        .contains("not a UN consolidated list"));
    assert!(parse_bytes("").is_err());
    assert!(parse_bytes("just text").is_err());
}

/// Truncations and random byte changes of the real UN file never panic (errors are expected).
#[test]
fn mutated_input_never_panics() {
    never_panics(&real_file(), 211, 120, |b| {
        let _ = un_xml::parse_bytes("mutated", b, &mut |_| Ok(()));
    });
}
