//! The OFSI ConList.csv parser against a hand-written fixture in OFSI's published layout
//! (tests/fixtures/uk/ConList.csv, see the README beside it), and against bad input.

mod common;

use common::{claims, names, never_panics, parse_file};
use model::{DateValue, Entity, IdKind, NameKind, Schema};
use sources::formats::gb_ofsi;
use sources::Format;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    common::fixture("uk", "ConList.csv")
}

fn parse_fixture() -> (sources::ListInfo, Vec<Entity>) {
    parse_file(Format::GbOfsiCsv, fixture()).expect("the fixture parses")
}

const HEADER: &str = "Name 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,Name Non-Latin Script,\
Non-Latin Script Type,Non-Latin Script Language,DOB,Town of Birth,Country of Birth,Nationality,\
Passport Number,Passport Details,National Identification Number,National Identification Details,\
Position,Address 1,Address 2,Address 3,Address 4,Address 5,Address 6,Post/Zip Code,Country,\
Other Information,Group Type,Alias Type,Alias Quality,Regime,Listed On,\
UK Sanctions List Date Designated,Last Updated,Group ID";

/// A row of the 36-column layout: Name 6, Group Type, Alias Type, Group ID, rest empty.
fn row(name6: &str, group_type: &str, alias_type: &str, group: &str) -> String {
    let mut f = vec![""; 36];
    f[0] = name6;
    f[28] = group_type;
    f[29] = alias_type;
    f[35] = group;
    f.join(",")
}

fn parse_text(text: &str) -> Result<Vec<Entity>, sources::ParseError> {
    common::entities(|emit| gb_ofsi::parse_bytes("ConList.csv", text.as_bytes(), emit))
}

#[test]
fn fixture_is_detected_as_ofsi() {
    assert_eq!(claims(&fixture()), [Format::GbOfsiCsv]);
}

#[test]
fn rows_of_a_group_make_one_target() {
    let (info, all) = parse_fixture();
    assert_eq!(info.list, "gb_hmt");
    assert_eq!(info.published.as_deref(), Some("2026-09-10"));
    let got: Vec<_> = all
        .iter()
        .map(|e| (e.id.to_string(), e.schema, e.names.len()))
        .collect();
    assert_eq!(
        got,
        [
            ("gb_hmt:11012".to_string(), Schema::Organization, 3),
            ("gb_hmt:7172".to_string(), Schema::Person, 4),
            ("gb_hmt:13534".to_string(), Schema::Vessel, 2),
        ]
    );
}

#[test]
fn dprk_entity() {
    let (_, all) = parse_fixture();
    let komid = &all[0];
    assert_eq!(
        komid.caption(),
        "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    );
    assert_eq!(
        names(komid, NameKind::Alias),
        ["CHANGGWANG SINYONG CORPORATION"]
    );
    assert_eq!(names(komid, NameKind::WeakAlias), ["KOMID"]);
    assert_eq!(
        komid.addresses.len(),
        1,
        "the address repeated on every row is kept once"
    );
    assert_eq!(komid.addresses[0].city.as_deref(), Some("Pyongyang"));
    assert_eq!(komid.addresses[0].country.as_deref(), Some("kp"));
    assert_eq!(komid.programs, ["Democratic People's Republic of Korea"]);
    assert_eq!(komid.listed_on.unwrap().to_string(), "2009-04-24");
    assert_eq!(komid.remarks.len(), 1);
    assert_eq!(komid.extra["UN Ref"], ["KPe.001"]);
    let uk = komid
        .identifiers
        .iter()
        .find(|i| i.label.as_deref() == Some("UK Sanctions List ID"))
        .unwrap();
    assert_eq!(uk.value, "DPR0001");
}

#[test]
fn individual_with_aliases() {
    let (_, all) = parse_fixture();
    let e = &all[1];
    assert_eq!(e.caption(), "MOHAMMAD HASSAN AKHUND");
    assert_eq!(
        names(e, NameKind::Alias),
        ["Mohammad AKHWAND", "Mohammed Hasan AKHUND"]
    );
    let script = e
        .names
        .iter()
        .find(|n| n.kind == NameKind::OriginalScript)
        .unwrap();
    assert_eq!(
        (script.value.as_str(), script.lang.as_deref()),
        ("محمد حسن آخوند", Some("ps"))
    );
    // "00/00/1945": day and month unknown.
    let dates: Vec<_> = e.birth_dates.iter().map(DateValue::to_string).collect();
    assert_eq!(dates, ["1958-05-12", "1945", "1946"]);
    assert_eq!(
        e.positions,
        [
            "Mullah",
            "Haji",
            "Deputy Minister of Agriculture under the Taliban regime"
        ]
    );
    assert_eq!(e.nationalities, ["af"]);
    assert_eq!(
        e.birth_places,
        ["Pashmul village, Panjwai District, Afghanistan"]
    );
    let pp = e
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Passport)
        .unwrap();
    assert_eq!(
        (pp.value.as_str(), pp.country.as_deref()),
        ("P04581926", Some("af"))
    );
    let nid = e
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::NationalId)
        .unwrap();
    assert_eq!(nid.value, "2132370");
}

#[test]
fn ship_with_imo_number() {
    let (_, all) = parse_fixture();
    let ship = &all[2];
    assert_eq!(ship.schema, Schema::Vessel);
    assert_eq!(ship.caption(), "PETREL 8");
    assert_eq!(names(ship, NameKind::Alias), ["TIAN TAI 36"]);
    let imo = ship
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Imo)
        .unwrap();
    assert_eq!(imo.value, "IMO9562233");
}

#[test]
fn wrong_column_count_names_the_line() {
    let text = format!(
        "Last Updated,10/09/2026\n{HEADER}\n{}\n{},extra\n",
        row("ONE", "Entity", "Primary name", "1"),
        row("TWO", "Entity", "Primary name", "2")
    );
    let err = parse_text(&text).unwrap_err();
    assert_eq!(err.position.line, Some(4), "{err}");
    assert!(err.reason.contains("37 fields, the header has 36"), "{err}");
    let short = format!("Last Updated,10/09/2026\n{HEADER}\nONE,,Entity,1\n");
    let err = parse_text(&short).unwrap_err();
    assert_eq!(err.position.line, Some(3), "{err}");
}

#[test]
fn group_coming_back_later_is_an_error() {
    let text = format!(
        "Last Updated,10/09/2026\n{HEADER}\n{}\n{}\n{}\n",
        row("ONE", "Entity", "Primary name", "1"),
        row("TWO", "Entity", "Primary name", "2"),
        row("UNO", "Entity", "AKA", "1")
    );
    let mut emitted = 0;
    let err = gb_ofsi::parse_bytes("ConList.csv", text.as_bytes(), &mut |_| {
        emitted += 1;
        Ok(())
    })
    .unwrap_err();
    assert_eq!(emitted, 2);
    assert_eq!(err.position.line, Some(5), "{err}");
    assert_eq!(err.position.record.as_deref(), Some("Group ID 1"));
    assert!(err.reason.contains("started at line 3"), "{err}");
}

#[test]
fn other_bad_input() {
    let err = parse_text(&format!(
        "Last Updated,10/09/2026\n{HEADER}\n{}\n",
        row("X", "Entity", "Primary name", "")
    ))
    .unwrap_err();
    assert!(err.reason.contains("no Group ID"), "{err}");
    assert_eq!(err.position.line, Some(3));
    let err = parse_text(&format!(
        "Last Updated,10/09/2026\n{HEADER}\n{}\n",
        row("X", "Planet", "Primary name", "9")
    ))
    .unwrap_err();
    assert!(err.reason.contains("unknown Group Type"), "{err}");
    assert_eq!(err.position.record.as_deref(), Some("Group ID 9"));
    let err = parse_text("Last Updated,10/09/2026\nName 6,Name 1,Group Type\n").unwrap_err();
    assert!(err.reason.contains("Group ID"), "{err}");
    assert_eq!(err.position.line, Some(2));
    let err = parse_text(&format!("{HEADER}\n")).unwrap_err();
    assert!(err.reason.contains("Last Updated"), "{err}");
    assert!(parse_text("").unwrap_err().reason.contains("empty file"));
    assert!(parse_text("Last Updated,10/09/2026\n")
        .unwrap_err()
        .reason
        .contains("header"));
    // Invalid UTF-8 in the third line.
    let mut bytes = format!("Last Updated,10/09/2026\n{HEADER}\n").into_bytes();
    bytes.extend_from_slice(row("CAF\u{e9}", "Entity", "Primary name", "1").as_bytes());
    let i = bytes.len() - 40;
    bytes[i] = 0xff;
    let err = gb_ofsi::parse_bytes("ConList.csv", &bytes, &mut |_| Ok(())).unwrap_err();
    assert!(err.to_string().contains("invalid UTF-8"), "{err}");
    assert!(err.to_string().contains("line 3"), "{err}");
    assert!(err.reason.ends_with("the file must be UTF-8"), "{err}");
    // A file cut inside a quoted field still yields every complete target, then the error.
    let cut = format!(
        "Last Updated,10/09/2026\n{HEADER}\n{}\n\"HALF",
        row("ONE", "Entity", "Primary name", "1")
    );
    let err = parse_text(&cut).unwrap_err();
    assert_eq!(err.position.line, Some(4), "{err}");
}

/// Truncations and random byte changes of the fixture never panic (errors are expected).
#[test]
fn mutated_input_never_panics() {
    never_panics(&fixture(), 3, 600, |b| {
        let _ = gb_ofsi::parse_bytes("mutated", b, &mut |_| Ok(()));
    });
}
