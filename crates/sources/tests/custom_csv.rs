//! watchlist's custom list CSV: the demo list in `data/demo`, the example from
//! `docs/formats.md`, a spreadsheet export, and broken files.

mod common;

use common::{by_id, claims, shared_list};
use model::{IdKind, NameKind, Schema};
use sources::formats::custom_csv;
use sources::{Format, Head, ListInfo, ParseError};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo_file() -> PathBuf {
    repo().join("data/demo/demo-list.csv")
}

fn fixture(name: &str) -> PathBuf {
    common::fixture("custom", name)
}

fn parse(path: &Path) -> Result<(ListInfo, Vec<model::Entity>), ParseError> {
    common::parse_file(Format::CustomCsv, path)
}

#[test]
fn demo_list_parses_with_every_row_valid() {
    let sets = sources::detect_paths(&[demo_file()]).unwrap();
    assert_eq!(
        sets[0].format,
        Format::CustomCsv,
        "the demo list is detected as a custom list"
    );
    let (info, entities) = sources::parse_all(&sets[0]).unwrap();
    assert_eq!(info.list, "demo");
    assert_eq!(info.published.as_deref(), Some("2026-11-29"));
    // Rows counted in the file: every line after the header that is not a comment.
    let text = std::fs::read_to_string(demo_file()).unwrap();
    let rows = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .count()
        - 1;
    assert_eq!(rows, 37);
    assert_eq!(entities.len(), rows);
    assert!(
        entities.iter().all(|e| e.extra.contains_key("source")),
        "every row cites its source"
    );
    let ids: HashSet<_> = entities.iter().map(|e| e.id.to_string()).collect();
    for r in entities
        .iter()
        .flat_map(|e| &e.relations)
        .filter(|r| r.kind != "same_as")
    {
        assert!(
            ids.contains(&r.target.as_ref().unwrap().to_string()),
            "{r:?} points inside the list"
        );
    }
}

#[test]
fn demo_list_key_entries() {
    let (_, entities) = parse(&demo_file()).unwrap();
    let get = |id: &str| by_id(&entities, id);

    let mop = get("demo:mop");
    assert_eq!(
        mop.caption(),
        "MANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES"
    );
    assert_eq!(
        mop.relations[0].target.as_ref().unwrap().to_string(),
        "un_sc:KPe.050"
    );
    assert!(mop.extra["source"][0].contains("SC/12945"));

    let mps = get("demo:mps");
    assert!(mps
        .names
        .iter()
        .any(|n| n.value == "Ministry of Social Security" && n.kind == NameKind::New));
    assert_eq!(mps.listed_on.unwrap().to_string(), "2016-07-06");

    let kju = get("demo:kim_jong_un");
    assert_eq!(kju.schema, Schema::Person);
    assert_eq!(kju.birth_dates[0].to_string(), "1984-01-08");
    assert_eq!(kju.nationalities, ["kp"]);
    assert!(kju
        .names
        .iter()
        .any(|n| n.value == "김정은" && n.kind == NameKind::OriginalScript));
    assert_eq!(
        kju.relations[0].target.as_ref().unwrap().to_string(),
        "us_ofac_sdn:20157"
    );

    let kogen = get("demo:kogen");
    assert!(kogen
        .names
        .iter()
        .any(|n| n.value == "KOGEN" && n.kind == NameKind::WeakAlias));
    for id in [
        "demo:komid",
        "demo:ryonbong",
        "demo:choe_ryong_hae",
        "demo:chinyong",
        "demo:irgc",
        "demo:bank_melli",
    ] {
        get(id);
    }
    let ship = get("demo:chong_chon_gang");
    assert_eq!(ship.schema, Schema::Vessel);
    assert_eq!(
        (ship.identifiers[0].kind, ship.identifiers[0].value.as_str()),
        (IdKind::Imo, "7937317")
    );
    assert_eq!(ship.vessel.as_ref().unwrap().flag.as_deref(), Some("kp"));
    assert_eq!(
        get("demo:kim_yo_jong").birth_dates[0].to_string(),
        "1987..1989"
    );
    assert_eq!(get("demo:lazarus").relations[0].kind, "controlled_by");
}

#[test]
fn documented_example_parses_and_is_in_the_docs() {
    let example = std::fs::read_to_string(fixture("example.csv")).unwrap();
    let docs = std::fs::read_to_string(repo().join("docs/formats.md")).unwrap();
    assert!(
        docs.contains(&example),
        "docs/formats.md shows tests/fixtures/custom/example.csv verbatim"
    );
    let (info, entities) = parse(&fixture("example.csv")).unwrap();
    assert_eq!(info.list, "acme_watch");
    assert_eq!(entities.len(), 4);
    let doe = &entities[0];
    assert_eq!(doe.id.to_string(), "acme_watch:P-001");
    assert_eq!(doe.names.len(), 4);
    assert_eq!(doe.birth_dates[0].to_string(), "1950..1951");
    assert_eq!(doe.identifiers[0].country.as_deref(), Some("us"));
    assert_eq!(doe.addresses[0].country.as_deref(), Some("us"));
    assert_eq!(doe.extra["desk"], ["Retail"]);
    assert_eq!(entities[1].relations[0].kind, "owned_by");
    assert_eq!(entities[1].identifiers[1].value, "https://shell.example");
    assert_eq!(entities[3].relations[0].kind, "same_as");
}

#[test]
fn spreadsheet_export_with_semicolons_bom_and_crlf() {
    let sets = sources::detect_paths(&[fixture("excel_semicolon.csv")]).unwrap();
    assert_eq!(sets[0].format, Format::CustomCsv);
    let (info, entities) = parse(&fixture("excel_semicolon.csv")).unwrap();
    assert_eq!(info.list, "team_de");
    assert_eq!(entities.len(), 2);
    assert_eq!(entities[0].caption(), "Müller, Hans");
    assert_eq!(entities[0].birth_dates[0].to_string(), "1984-01-08");
    assert_eq!(entities[0].names.len(), 3);
    assert_eq!(entities[1].caption(), "Firma; mit Semikolon GmbH");
}

#[test]
fn unknown_schema_names_line_and_column() {
    let err = parse(&fixture("bad_schema.csv")).unwrap_err();
    assert_eq!(
        (err.position.line, err.position.column),
        (Some(4), Some(3)),
        "{err}"
    );
    assert!(err.reason.contains("unknown schema \"Persn\""), "{err}");
    assert!(
        err.to_string().starts_with(&format!(
            "{}: line 4, column 3",
            fixture("bad_schema.csv").display()
        )),
        "{err}"
    );
}

#[test]
fn bad_date_names_line_and_column() {
    let err = parse(&fixture("bad_date.csv")).unwrap_err();
    assert_eq!(
        (err.position.line, err.position.column),
        (Some(3), Some(4)),
        "{err}"
    );
    assert!(err.reason.contains("\"1984-02-30\" is not a date"), "{err}");
}

#[test]
fn wrong_column_count_names_the_line() {
    let err = parse(&fixture("wrong_columns.csv")).unwrap_err();
    assert_eq!(err.position.line, Some(4), "{err}");
    assert!(err.reason.contains("2 fields, expected 3"), "{err}");
}

#[test]
fn non_utf8_file_is_refused_with_advice() {
    let err = parse(&fixture("latin1.csv")).unwrap_err();
    assert!(err.to_string().contains("invalid UTF-8"), "{err}");
    assert!(err.to_string().contains("CSV UTF-8"), "{err}");
}

#[test]
fn relation_to_a_missing_id_is_an_error() {
    let err = parse(&fixture("dangling_relation.csv")).unwrap_err();
    assert_eq!(
        (err.position.line, err.position.column),
        (Some(3), Some(3)),
        "{err}"
    );
    assert!(err.reason.contains("\"O1\""), "{err}");
}

#[test]
fn official_files_are_not_claimed() {
    for f in [
        "us_csl/csl.csv",
        "us_bis_dpl/dpl.txt",
        "us_ofac_sdn/sdn.csv",
        "opensanctions/yente_t1/entities.ftm.json",
    ] {
        assert!(
            !custom_csv::sniff(&Head::read(&shared_list(f)).unwrap()),
            "{f}"
        );
    }
    let conlist = common::fixture("uk", "ConList.csv");
    assert!(
        !custom_csv::sniff(&Head::read(&conlist).unwrap()),
        "OFSI ConList.csv"
    );
    assert_eq!(claims(&demo_file()), [Format::CustomCsv]);
}
