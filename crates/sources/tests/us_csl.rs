//! The Consolidated Screening List reader against the real `csl.csv` excerpt (December 2019,
//! 115 rows) and small files of the current layout. Counted independently with Python's csv
//! module: 115 rows, 68 with an OFAC entity_number, types Entity 46 / Individual 20 /
//! Vessel 2 / empty 47; "Gunther Migeotte" has five Entity List rows.

mod common;

use common::{by_id, claims, shared_list};
use model::{IdKind, NameKind, Schema};
use sources::formats::us_csl;
use sources::{Format, Head, ListInfo, ParseError};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn real_file() -> PathBuf {
    shared_list("us_csl/csl.csv")
}

fn fixture(name: &str) -> PathBuf {
    common::fixture("csl", name)
}

fn parse(path: &Path) -> Result<(ListInfo, Vec<model::Entity>), ParseError> {
    common::parse_file(Format::UsCsl, path)
}

#[test]
fn real_file_counts() {
    let (info, entities) = parse(&real_file()).unwrap();
    assert_eq!(info.list, "us_csl");
    assert_eq!(info.published, None, "the CSL carries no publication date");
    assert_eq!(entities.len(), 115);
    let ids: HashSet<_> = entities.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(ids.len(), 115, "ids are unique");
    let numeric = entities
        .iter()
        .filter(|e| e.id.list_id().bytes().all(|b| b.is_ascii_digit()))
        .count();
    assert_eq!(numeric, 68, "rows with an OFAC entity number keep it as id");
    let count = |s: Schema| entities.iter().filter(|e| e.schema == s).count();
    assert_eq!(count(Schema::Person), 20);
    assert_eq!(count(Schema::Vessel), 2);
    assert_eq!(count(Schema::Organization) + count(Schema::LegalEntity), 93);
}

#[test]
fn real_file_spot_checks() {
    let (_, entities) = parse(&real_file()).unwrap();
    let get = |id: &str| by_id(&entities, id);

    let vessel = get("us_csl:23156");
    assert_eq!(vessel.caption(), "7-28");
    assert_eq!(vessel.schema, Schema::Vessel);
    assert_eq!(vessel.programs, ["DPRK4"]);
    assert_eq!(
        (
            vessel.identifiers[0].kind,
            vessel.identifiers[0].value.as_str()
        ),
        (IdKind::Imo, "8898831")
    );
    assert_eq!(vessel.vessel.as_ref().unwrap().flag.as_deref(), Some("kp"));
    assert_eq!(
        vessel.relations[0].target_name.as_deref(),
        Some("YUSONG SHIPPING CO")
    );
    assert_eq!(
        vessel.extra["source"],
        ["Specially Designated Nationals (SDN) - Treasury Department"]
    );

    let tanker = get("us_csl:27304");
    assert!(tanker
        .names
        .iter()
        .any(|n| n.value == "GRACE 1" && n.kind == NameKind::Alias));
    assert_eq!(
        tanker.vessel.as_ref().unwrap().vessel_type.as_deref(),
        Some("Crude Oil Tanker")
    );
    assert_eq!(tanker.extra["Former Vessel Flag"], ["Panama"]);

    let bank = get("us_csl:17016");
    assert_eq!(bank.caption(), "GAZPROMBANK OAO");
    assert!(bank
        .identifiers
        .iter()
        .any(|i| i.kind == IdKind::Swift && i.value == "GAZPRUMM"));
    assert!(bank
        .identifiers
        .iter()
        .any(|i| i.kind == IdKind::TaxId && i.value == "7744001497"));
    assert_eq!(
        bank.extra["Executive Order 13662 Directive Determination"],
        ["Subject to Directive 1"]
    );

    let person = entities
        .iter()
        .find(|e| e.caption() == "AL 'ANABI, Abu 'Ubaydah Yusuf")
        .unwrap();
    assert_eq!(person.schema, Schema::Person);
    assert_eq!(person.birth_dates[0].to_string(), "1969-01-01");
    assert_eq!(person.birth_places, ["Annaba, Algeria"]);
    assert_eq!(person.citizenships, ["dz"]);
    assert_eq!(
        person
            .names
            .iter()
            .filter(|n| n.kind == NameKind::Alias)
            .count(),
        11
    );

    let migeotte: Vec<_> = entities
        .iter()
        .filter(|e| e.caption() == "Gunther Migeotte")
        .collect();
    assert_eq!(migeotte.len(), 5);
    assert!(migeotte[0].id.list_id().starts_with("el-"));
    assert_eq!(
        migeotte[4].id.list_id(),
        format!("{}-5", migeotte[0].id.list_id())
    );
    assert_eq!(migeotte[0].listed_on.unwrap().to_string(), "2010-06-28");
    assert_eq!(migeotte[0].addresses.len(), 4);
}

#[test]
fn current_layout_with_id_column() {
    let (_, entities) = parse(&fixture("new_layout.csv")).unwrap();
    assert_eq!(entities.len(), 2);
    let p = &entities[0];
    assert_eq!(
        p.id.to_string(),
        "us_csl:d3a6f1c2b4e5",
        "the _id column wins over entity_number"
    );
    assert_eq!(p.schema, Schema::Person);
    assert_eq!(p.positions, ["Director"]);
    assert_eq!(p.names.len(), 3);
    assert_eq!(
        p.birth_dates
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["1970-05-01", "~1971"]
    );
    assert_eq!(p.nationalities, ["ru"]);
    assert_eq!(p.identifiers[0].country.as_deref(), Some("ru"));
    assert_eq!(p.identifiers[1].kind, IdKind::Registration);
    assert_eq!(p.addresses[0].country.as_deref(), Some("ru"));
    let org = &entities[1];
    assert_eq!(
        org.schema,
        Schema::Organization,
        "no type, but a legal form in the name"
    );
    assert_eq!(org.extra["license_policy"], ["Presumption of denial."]);
}

#[test]
fn only_this_format_claims_the_file() {
    assert_eq!(claims(&real_file()), [Format::UsCsl]);
    assert!(us_csl::sniff(
        &Head::read(&fixture("new_layout.csv")).unwrap()
    ));
}

#[test]
fn wrong_column_count_names_the_line() {
    let err = parse(&fixture("wrong_columns.csv")).unwrap_err();
    assert_eq!(err.position.line, Some(2), "{err}");
    assert!(err.reason.contains("3, expected 28"), "{err}");
}

#[test]
fn invalid_utf8_is_refused() {
    let mut bytes = std::fs::read(real_file()).unwrap();
    bytes.extend_from_slice(b"x,\xe9\n");
    let err = us_csl::parse_bytes("csl.csv", &bytes, &mut |_| Ok(())).unwrap_err();
    assert!(err.reason.contains("invalid UTF-8"), "{err}");
}
