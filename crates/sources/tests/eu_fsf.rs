//! The EU FSF parser against the published excerpt in the shared data folder
//! (sample_eu_fsf.xml: 5 sanctionEntity records of the 2026-08-05 file), and bad input.

mod common;

use common::{by_id, claims, names, never_panics, parse_file, shared_list};
use model::{DateValue, Entity, Gender, IdKind, NameKind, Schema};
use sources::formats::eu_fsf;
use sources::Format;
use std::path::PathBuf;

fn real_file() -> PathBuf {
    shared_list("eu_fsf/sample_eu_fsf.xml")
}

fn parse_real() -> (sources::ListInfo, Vec<Entity>) {
    parse_file(Format::EuFsfXml, real_file()).expect("the published EU excerpt parses")
}

#[test]
fn real_file_is_detected_as_eu_fsf() {
    assert_eq!(claims(&real_file()), [Format::EuFsfXml]);
}

#[test]
fn real_file_counts_ids_and_schemas() {
    let (info, all) = parse_real();
    assert_eq!(info.list, "eu_fsf");
    assert_eq!(
        info.published.as_deref(),
        Some("2026-08-05T16:47:04.449+02:00")
    );
    let ids: Vec<_> = all.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(
        ids,
        [
            "eu_fsf:191",
            "eu_fsf:521",
            "eu_fsf:3822",
            "eu_fsf:6106",
            "eu_fsf:6177"
        ]
    );
    let schemas: Vec<_> = all.iter().map(|e| e.schema).collect();
    use Schema::*;
    assert_eq!(schemas, [Person, Person, Organization, Person, Person]);
    // 45 nameAlias elements; two differ only in doubled spaces, none is empty.
    let total: usize = all.iter().map(|e| e.names.len()).sum();
    assert_eq!(total, 45);
    let programs: Vec<_> = all.iter().map(|e| e.programs.join(",")).collect();
    assert_eq!(programs, ["TERR", "AFG", "IRN", "LBY", "TAQA"]);
}

#[test]
fn khalid_sheikh_mohammed() {
    let (_, all) = parse_real();
    let e = by_id(&all, "eu_fsf:191");
    // The first nameAlias is a French transliteration; the structured name is the main one.
    assert_eq!(e.caption(), "Khalid Sheikh MOHAMMED");
    assert_eq!(e.names[0].lang.as_deref(), Some("en"));
    assert_eq!(e.names.len(), 7);
    assert_eq!(e.gender, Some(Gender::Male));
    let dates: Vec<_> = e.birth_dates.iter().map(DateValue::to_string).collect();
    assert_eq!(dates, ["1965-04-14", "1964-03-01"]);
    assert_eq!(e.birth_places, ["Pakistan"]);
    let p = &e.identifiers[0];
    assert_eq!(
        (p.kind, p.value.as_str(), p.country.as_deref()),
        (IdKind::Passport, "488555", None)
    );
    assert_eq!(e.extra["euReferenceNumber"], ["EU.3579.2"]);
}

#[test]
fn parchin_chemical_industries() {
    let (_, all) = parse_real();
    let e = by_id(&all, "eu_fsf:3822");
    assert_eq!(e.caption(), "Parchin Chemical Industries (PCI)");
    let farsi = e
        .names
        .iter()
        .find(|n| n.value == "صنایع شیمیایی پارچین")
        .unwrap();
    assert_eq!(
        (farsi.kind, farsi.lang.as_deref()),
        (NameKind::Alias, Some("fa"))
    );
    let irish = e
        .names
        .iter()
        .find(|n| n.lang.as_deref() == Some("ga"))
        .unwrap();
    assert_eq!(
        irish.value, "Tionscail Ceimiceán Parchin",
        "doubled spaces folded"
    );
    assert_eq!(e.addresses.len(), 6);
    assert!(e
        .addresses
        .iter()
        .all(|a| a.country.as_deref() == Some("ir")));
    assert_eq!(
        e.addresses[0].street.as_deref(),
        Some("Pasdaran Square, P.O. Box 16765/358")
    );
    let reg = e
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Registration)
        .unwrap();
    assert_eq!(reg.value, "892");
    let phones = e
        .identifiers
        .iter()
        .filter(|i| i.kind == IdKind::Phone)
        .count();
    assert_eq!(
        phones, 3,
        "a semicolon list of numbers, repeated on two addresses, kept once each"
    );
    assert!(e
        .identifiers
        .iter()
        .any(|i| i.kind == IdKind::Website && i.value == "http://icig.ir/"));
    assert_eq!(e.listed_on.unwrap().to_string(), "2008-06-23");
    assert_eq!(
        e.extra["designationDetails"],
        ["UN designation:24/03/2007 (no longer valid)"]
    );
}

#[test]
fn dorda_and_al_asiri() {
    let (_, all) = parse_real();
    let dorda = by_id(&all, "eu_fsf:6106");
    assert_eq!(dorda.caption(), "Abu Zayd Umar DORDA");
    assert_eq!(dorda.extra["unitedNationId"], ["LYi.006"]);
    assert_eq!(
        dorda.positions,
        ["Director, External Security Organisation. Head of external intelligence agency."]
    );
    let pp = &dorda.identifiers[0];
    assert_eq!(
        (pp.value.as_str(), pp.country.as_deref()),
        ("FK117RK0", Some("ly"))
    );

    let asiri = by_id(&all, "eu_fsf:6177");
    assert_eq!(asiri.caption(), "Ibrahim Hassan Tali Al-Asiri");
    // strong="true" but the remark says "low quality alias".
    assert_eq!(
        names(asiri, NameKind::WeakAlias),
        ["Abu-Salaah", "Abosslah", "Abu Saleh"]
    );
    let dates: Vec<_> = asiri.birth_dates.iter().map(DateValue::to_string).collect();
    // The Hijri-calendar entry contributes its Gregorian equivalent, 1982-04-19.
    assert_eq!(dates, ["1982-04-18", "1982-04-19"]);
    assert_eq!(asiri.citizenships, ["sa"]);
    let afg = by_id(&all, "eu_fsf:521");
    assert_eq!(
        afg.birth_dates,
        ["1953..1958".parse::<DateValue>().unwrap()]
    );
    assert_eq!(afg.caption(), "Ahmed Jan Akhundzada Wazir");
}

fn parse_bytes(xml: &str) -> Result<Vec<Entity>, sources::ParseError> {
    common::entities(|emit| eu_fsf::parse_bytes("input.xml", xml.as_bytes(), emit))
}

#[test]
fn truncated_file_names_the_line() {
    let full = std::fs::read_to_string(real_file()).unwrap();
    let cut = full
        .find("<sanctionEntity designationDate=\"2011-02-26\"")
        .unwrap()
        + 120;
    let err = parse_bytes(&full[..cut]).unwrap_err();
    assert!(
        err.reason.contains("truncated") || err.reason.contains("malformed"),
        "{err}"
    );
    assert_eq!(
        err.position.line,
        Some(full[..cut].lines().count() as u64),
        "{err}"
    );
    // A cut between records.
    let cut = full
        .find("<sanctionEntity designationDate=\"2011-02-26\"")
        .unwrap();
    let err = parse_bytes(&full[..cut]).unwrap_err();
    assert!(err.reason.contains("truncated"), "{err}");
}

#[test]
fn doctype_with_external_entity_is_refused() {
    let xml = "<!DOCTYPE export [<!ENTITY x SYSTEM \"http://attacker.example/x\">]>\n\
               <export xmlns=\"http://eu.europa.ec/fpi/fsd/export\"><sanctionEntity logicalId=\"1\">\
               <nameAlias wholeName=\"&x;\"/></sanctionEntity></export>";
    let err = parse_bytes(xml).unwrap_err();
    assert!(err.reason.contains("DOCTYPE"), "{err}");
    assert_eq!(err.position.line, Some(1), "{err}");
}

#[test]
fn record_without_logical_id_is_named() {
    let xml = "<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\">\n\
               <sanctionEntity logicalId=\"1\"><nameAlias wholeName=\"A\"/></sanctionEntity>\n\
               <sanctionEntity euReferenceNumber=\"EU.9.9\">\n<nameAlias wholeName=\"B\"/>\n</sanctionEntity>\n</export>";
    let err = parse_bytes(xml).unwrap_err();
    assert!(err.reason.contains("no logicalId"), "{err}");
    assert_eq!(
        err.position.record.as_deref(),
        Some("sanctionEntity 2 (euReferenceNumber EU.9.9)")
    );
    assert_eq!(err.position.line, Some(5), "{err}");
}

/// Truncations and random byte changes of the real EU file never panic (errors are expected).
#[test]
fn mutated_input_never_panics() {
    never_panics(&real_file(), 53, 200, |b| {
        let _ = eu_fsf::parse_bytes("mutated", b, &mut |_| Ok(()));
    });
}
