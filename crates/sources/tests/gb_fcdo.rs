//! The UK Sanctions List (FCDO) parser against the published excerpt in the shared data folder
//! (sample_uk_sanctions.xml: 5 designations, generated 10/09/2026), and bad input.

mod common;

use common::{by_id, claims, names, never_panics, parse_file, shared_list};
use model::{DateValue, Entity, Gender, IdKind, NameKind, Schema};
use sources::formats::gb_fcdo;
use sources::Format;
use std::path::PathBuf;

fn real_file() -> PathBuf {
    shared_list("gb_fcdo/sample_uk_sanctions.xml")
}

fn parse_real() -> (sources::ListInfo, Vec<Entity>) {
    parse_file(Format::GbFcdoXml, real_file()).expect("the published UK excerpt parses")
}

fn unique_id(e: &Entity) -> &str {
    let id = e
        .identifiers
        .iter()
        .find(|i| i.label.as_deref() == Some("UK Sanctions List ID"))
        .unwrap();
    assert_eq!(id.kind, IdKind::Other);
    &id.value
}

#[test]
fn real_file_is_detected_as_gb_fcdo() {
    assert_eq!(claims(&real_file()), [Format::GbFcdoXml]);
}

#[test]
fn real_file_counts_ids_and_schemas() {
    let (info, all) = parse_real();
    assert_eq!(info.list, "gb_fcdo");
    assert_eq!(info.published.as_deref(), Some("2026-09-10"));
    let got: Vec<_> = all
        .iter()
        .map(|e| (e.id.to_string(), e.schema, unique_id(e).to_string()))
        .collect();
    use Schema::*;
    let want = [
        ("gb_fcdo:12703", Organization, "AFG0001"),
        ("gb_fcdo:7172", Person, "AFG0006"),
        ("gb_fcdo:14124", Organization, "BEL0107"),
        // The ship has no OFSIGroupID: its UniqueID is the id.
        ("gb_fcdo:DPR0075", Vessel, "DPR0075"),
        ("gb_fcdo:6899", Person, "AQD0195"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), *b, c.to_string()))
        .collect();
    assert_eq!(got, want);
    assert!(all
        .iter()
        .all(|e| e.names[0].kind == NameKind::Primary && e.programs.len() == 1));
}

#[test]
fn petrel_8_vessel() {
    let (_, all) = parse_real();
    let e = by_id(&all, "gb_fcdo:DPR0075");
    assert_eq!(e.schema, Schema::Vessel);
    assert_eq!(e.caption(), "Petrel 8");
    assert_eq!(names(e, NameKind::Alias), ["Tian Tai 36"]);
    let imo = e
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Imo)
        .unwrap();
    assert_eq!(imo.value, "IMO9562233");
    let v = e.vessel.as_ref().unwrap();
    assert_eq!(v.flag.as_deref(), Some("km"));
    assert_eq!(v.vessel_type.as_deref(), Some("Bulk Carrier"));
    assert_eq!(v.tonnage.as_deref(), Some("7078"));
    assert_eq!(v.owner.as_deref(), Some("Global United Shipping India"));
    assert_eq!(e.extra["PreviousFlag"], ["India"]);
    assert_eq!(e.extra["UNReferenceNumber"], ["KPv.001"]);
    assert_eq!(e.listed_on.unwrap().to_string(), "2017-10-03");
    assert_eq!(
        e.programs,
        ["The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019"]
    );
}

#[test]
fn mohammad_hassan_akhund() {
    let (_, all) = parse_real();
    let e = by_id(&all, "gb_fcdo:7172");
    assert_eq!(e.caption(), "MOHAMMAD HASSAN AKHUND");
    assert_eq!(names(e, NameKind::Alias), ["Mohammad Akhwand"]);
    assert_eq!(names(e, NameKind::OriginalScript), ["محمد حسن آخوند"]);
    let dates: Vec<_> = e.birth_dates.iter().map(DateValue::to_string).collect();
    assert_eq!(dates, ["1958-05-12", "1945", "1946"]);
    assert_eq!(e.nationalities, ["af"]);
    assert_eq!(e.gender, Some(Gender::Male));
    assert_eq!(
        e.positions,
        [
            "Mullah",
            "Haji",
            "Deputy Minister of Agriculture under the Taliban regime"
        ]
    );
    assert_eq!(
        e.birth_places,
        ["Pashmul village, Panjwai District, Afghanistan"]
    );
    // The passport is listed twice in the file; it is kept once, its country read from the note.
    let passports: Vec<_> = e
        .identifiers
        .iter()
        .filter(|i| i.kind == IdKind::Passport)
        .collect();
    assert_eq!(passports.len(), 1);
    assert_eq!(
        (passports[0].value.as_str(), passports[0].country.as_deref()),
        ("P04581926", Some("af"))
    );
    let nid = e
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::NationalId)
        .unwrap();
    assert_eq!(nid.value, "2132370");
    assert_eq!(e.extra["DesignationSource"], ["UK", "UN"]);
    assert_eq!(e.addresses[0].city.as_deref(), Some("Kabul"));
}

#[test]
fn entities_contacts_and_relations() {
    let (_, all) = parse_real();
    let money = by_id(&all, "gb_fcdo:12703");
    assert_eq!(money.caption(), "HAJI KHAIRULLAH MONEY EXCHANGE");
    assert_eq!(
        names(money, NameKind::OriginalScript),
        ["حاجی خيرالله صرافی"]
    );
    let phone = money
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Phone)
        .unwrap();
    assert_eq!(phone.value, "0202-104748");
    assert!(money
        .identifiers
        .iter()
        .any(|i| i.kind == IdKind::Email && i.value == "helmand_exchange_msp@yahoo.com"));
    let countries: Vec<_> = money
        .addresses
        .iter()
        .filter_map(|a| a.country.as_deref())
        .collect();
    assert_eq!(countries, ["af", "ae"]);

    let bnk = by_id(&all, "gb_fcdo:14124");
    assert_eq!(names(bnk, NameKind::Alias), ["BNK UK Limited"]);
    assert_eq!(
        names(bnk, NameKind::WeakAlias),
        ["BNK"],
        "AliasStrength Low quality a.k.a"
    );
    let a = &bnk.addresses[0];
    assert_eq!(
        (a.postal_code.as_deref(), a.country.as_deref()),
        (Some("SM2 5DA"), Some("gb"))
    );
    assert!(bnk
        .identifiers
        .iter()
        .any(|i| i.kind == IdKind::Registration && i.value.contains("06527449")));
    assert!(bnk.identifiers.iter().any(|i| i.kind == IdKind::Website));
    let owners: Vec<_> = bnk
        .relations
        .iter()
        .filter(|r| r.kind == "owned_by")
        .filter_map(|r| r.target_name.as_deref())
        .collect();
    assert_eq!(owners, ["CJSC Belarusian Oil Company", "Belneftekhim"]);
    assert!(
        bnk.remarks
            .iter()
            .any(|r| r.starts_with("BNK (UK) Ltd is controlled by")),
        "statement of reasons"
    );

    let harun = by_id(&all, "gb_fcdo:6899");
    assert_eq!(harun.caption(), "Fadhil Harun");
    assert_eq!(harun.birth_dates, ["1972".parse::<DateValue>().unwrap()]);
    assert_eq!(harun.nationalities, ["km"]);
}

fn parse_bytes(xml: &str) -> Result<Vec<Entity>, sources::ParseError> {
    common::entities(|emit| gb_fcdo::parse_bytes("input.xml", xml.as_bytes(), emit))
}

#[test]
fn truncated_file_names_the_line() {
    let full = std::fs::read_to_string(real_file()).unwrap();
    let cut = full.find("<UniqueID>DPR0075").unwrap();
    let err = parse_bytes(&full[..cut]).unwrap_err();
    assert!(err.reason.contains("truncated"), "{err}");
    assert_eq!(
        err.position.line,
        Some(full[..cut].lines().count() as u64),
        "{err}"
    );
}

#[test]
fn doctype_with_external_entity_is_refused() {
    let xml = "<?xml version=\"1.0\"?>\n\n<!DOCTYPE Designations SYSTEM \"http://attacker.example/uk.dtd\">\n<Designations/>";
    let err = parse_bytes(xml).unwrap_err();
    assert!(err.reason.contains("DOCTYPE"), "{err}");
    assert_eq!(err.position.line, Some(3), "{err}");
}

#[test]
fn designation_without_ids_is_named() {
    let xml = "<Designations>\n<DateGenerated>10/09/2026</DateGenerated>\n<Designation>\n\
               <Names><Name><Name6>NO ID LTD</Name6><NameType>Primary Name</NameType></Name></Names>\n\
               <IndividualEntityShip>Entity</IndividualEntityShip>\n</Designation>\n</Designations>";
    let err = parse_bytes(xml).unwrap_err();
    assert!(
        err.reason.contains("neither OFSIGroupID nor UniqueID"),
        "{err}"
    );
    assert_eq!(err.position.record.as_deref(), Some("Designation 1"));
    assert_eq!(err.position.line, Some(6), "{err}");
}

/// Truncations and random byte changes of the real UK file never panic (errors are expected).
#[test]
fn mutated_input_never_panics() {
    never_panics(&real_file(), 7, 400, |b| {
        let _ = gb_fcdo::parse_bytes("mutated", b, &mut |_| Ok(()));
    });
}
