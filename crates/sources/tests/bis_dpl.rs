//! The BIS Denied Persons List reader against the real `dpl.txt` (September 2022, 581 rows)
//! and small broken files. Expected numbers were counted independently with Python's csv
//! module: 581 rows form 461 runs of consecutive rows with the same name and Effective_Date,
//! with 579 distinct addresses; two names occur in two separate runs.

mod common;

use common::{claims, shared_list};
use model::{Entity, Schema};
use sources::formats::bis_dpl;
use sources::{Format, Head, ListInfo, ParseError};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn real_file() -> PathBuf {
    shared_list("us_bis_dpl/dpl.txt")
}

fn fixture(name: &str) -> PathBuf {
    common::fixture("bis", name)
}

fn parse(path: &Path) -> Result<(ListInfo, Vec<Entity>), ParseError> {
    common::parse_file(Format::BisDpl, path)
}

fn by_name<'a>(entities: &'a [Entity], name: &str) -> Vec<&'a Entity> {
    entities.iter().filter(|e| e.caption() == name).collect()
}

#[test]
fn real_file_counts_and_publication_date() {
    let (info, entities) = parse(&real_file()).unwrap();
    assert_eq!(info.list, "us_bis_dpl");
    assert_eq!(entities.len(), 461);
    assert_eq!(
        entities.iter().map(|e| e.addresses.len()).sum::<usize>(),
        579
    );
    let ids: HashSet<_> = entities.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(ids.len(), 461, "ids are unique");
    assert_eq!(
        entities
            .iter()
            .filter(|e| e.id.list_id().ends_with("-2"))
            .count(),
        2
    );
    assert!(
        entities.iter().all(|e| e.schema != Schema::Person),
        "the DPL never says a party is a person"
    );
    // Latest valid Last_Update; the file also has typos such as 3017-08-22 that are ignored.
    assert_eq!(info.published.as_deref(), Some("2022-09-02"));
}

#[test]
fn real_file_spot_checks() {
    let (_, entities) = parse(&real_file()).unwrap();

    let zimo = by_name(&entities, "ZIMO SHENG");
    assert_eq!(
        zimo.len(),
        1,
        "two addresses under one order make one entity"
    );
    let z = zimo[0];
    assert_eq!(z.addresses.len(), 2);
    assert_eq!(z.addresses[0].city.as_deref(), Some("MILWAUKEE"));
    assert_eq!(
        z.addresses[0].country.as_deref(),
        Some("us"),
        "empty Country with a US state is the US"
    );
    assert_eq!(z.addresses[1].country.as_deref(), Some("cn"));
    assert_eq!(z.listed_on.unwrap().to_string(), "2020-03-16");
    assert_eq!(z.extra["fr_citation"], ["85 F.R. 16054 3/20/2020"]);
    assert_eq!(z.extra["expiration_date"], ["12/13/2028"]);

    let herrera = by_name(&entities, "HAYDEE HERRERA");
    assert_eq!(
        herrera.len(),
        2,
        "the same name under two orders stays two entities"
    );
    assert_eq!(
        herrera[1].id.list_id(),
        format!("{}-2", herrera[0].id.list_id())
    );
    assert_eq!(herrera[0].listed_on.unwrap().to_string(), "2002-03-04");
    assert_eq!(herrera[1].listed_on.unwrap().to_string(), "2003-06-19");

    let s7 = by_name(&entities, "SIBERIAN AIRLINES D/B/A S7 AIRLINES")[0];
    assert_eq!(s7.schema, Schema::Organization);
    assert!(s7.names.iter().any(|n| n.value == "S7 AIRLINES"));

    let ash = by_name(&entities, "I. ASH")[0];
    assert_eq!(ash.schema, Schema::LegalEntity);
    assert!(ash.addresses[0]
        .street
        .as_deref()
        .unwrap()
        .contains("FCI SEAGOVILLE"));
}

#[test]
fn ids_are_stable_across_imports() {
    let (_, a) = parse(&real_file()).unwrap();
    let (_, b) = parse(&real_file()).unwrap();
    let ids = |v: &[Entity]| v.iter().map(|e| e.id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert!(a.iter().all(|e| e.id.list_id().starts_with("dpl-")));
}

#[test]
fn only_this_format_claims_the_file() {
    assert_eq!(claims(&real_file()), [Format::BisDpl]);
    assert!(!bis_dpl::sniff(
        &Head::read(&shared_list("us_csl/csl.csv")).unwrap()
    ));
}

#[test]
fn wrong_column_count_names_the_line() {
    let err = parse(&fixture("short_row.txt")).unwrap_err();
    assert_eq!(err.position.line, Some(3), "{err}");
    assert!(err.to_string().contains("short_row.txt"), "{err}");
    assert!(err.reason.contains("11, expected 12"), "{err}");
}

#[test]
fn truncated_file_is_an_error() {
    let err = parse(&fixture("truncated.txt")).unwrap_err();
    assert_eq!(err.position.line, Some(3), "{err}");
}

#[test]
fn latin1_file_is_refused_with_the_line() {
    let err = parse(&fixture("latin1.txt")).unwrap_err();
    assert!(err.reason.contains("invalid UTF-8"), "{err}");
    assert!(err.reason.contains("line 3"), "{err}");
}

#[test]
fn in_memory_entry_point_matches_the_file_reader() {
    let bytes = std::fs::read(real_file()).unwrap();
    let mut n = 0;
    let info = bis_dpl::parse_bytes("dpl.txt", &bytes, &mut |_| {
        n += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(n, 461);
    assert_eq!(info.published.as_deref(), Some("2022-09-02"));
}
