//! OFAC legacy CSV: the real SDN, Consolidated and 2024 daily SDN files in the shared data
//! folder, small synthetic fixtures, and bad input.
//!
//! Expected counts were taken independently of this parser with Python's `csv` module
//! (`SDN_Type` per record, alt names per `alt_type` after dropping exact repeats of a name
//! already on the entity, distinct non-empty addresses).

mod common;

use common::{by_id, fixture, lists_dir, mutations, names};
use model::{Entity, IdKind, NameKind, Schema};
use sources::formats::ofac_csv::{self, BytesSet};
use sources::{Format, Head, ParseError, SourceSet};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Detects the one OFAC set in a folder and parses it.
fn parse_folder(folder: &Path) -> (SourceSet, Vec<Entity>) {
    let sets = sources::detect_paths(&[folder.to_path_buf()]).unwrap();
    assert_eq!(sets.len(), 1, "{sets:?}");
    let set = sets.into_iter().next().unwrap();
    assert_eq!(set.format, Format::OfacCsv);
    let (info, entities) = sources::parse_all(&set).unwrap();
    assert_eq!(
        info.published, None,
        "OFAC CSV files carry no publication date"
    );
    assert_eq!(info.list, entities[0].id.list());
    (set, entities)
}

fn schema_counts(entities: &[Entity]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for e in entities {
        *counts.entry(e.schema.as_str()).or_default() += 1;
    }
    counts
}

fn name_counts(entities: &[Entity]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for n in entities.iter().flat_map(|e| &e.names) {
        *counts.entry(n.kind.as_str()).or_default() += 1;
    }
    counts
}

fn counts(pairs: &[(&'static str, usize)]) -> BTreeMap<&'static str, usize> {
    pairs.iter().copied().collect()
}

fn parse_bytes(name: &str, bytes: &[u8]) -> Result<Vec<Entity>, ParseError> {
    parse_set(&BytesSet {
        main: (name, bytes),
        ..Default::default()
    })
}

fn parse_set(set: &BytesSet) -> Result<Vec<Entity>, ParseError> {
    common::entities(|emit| ofac_csv::parse_set_bytes(set, emit))
}

const ROW: &str =
    "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";

#[test]
fn sdn_set_counts_and_spot_checks() {
    let started = Instant::now();
    let (set, es) = parse_folder(&lists_dir().join("us_ofac_sdn"));
    eprintln!(
        "us_ofac_sdn: {} entities in {:?}",
        es.len(),
        started.elapsed()
    );
    assert!(set.main.ends_with("sdn.csv"));
    assert_eq!(
        set.parts.keys().map(String::as_str).collect::<Vec<_>>(),
        ["add", "alt", "comments"]
    );
    assert_eq!(es.len(), 8976);
    assert_eq!(
        schema_counts(&es),
        counts(&[
            ("Person", 4620),
            ("Organization", 3673),
            ("Vessel", 406),
            ("Aircraft", 277)
        ])
    );
    // alt.csv: 11523 aka, 369 fka, 18 nka rows, 6 of the aka repeating a name already present;
    // the remarks add 2418 weak a.k.a. and 24 more f.k.a.
    assert_eq!(
        name_counts(&es),
        counts(&[
            ("primary", 8976),
            ("alias", 11517),
            ("weak_alias", 2418),
            ("former", 393),
            ("new", 18)
        ])
    );
    assert_eq!(es.iter().map(|e| e.addresses.len()).sum::<usize>(), 11438);
    assert!(es.iter().all(|e| e.id.list() == "us_ofac_sdn"));

    let kim = by_id(&es, "us_ofac_sdn:20157");
    assert_eq!(kim.caption(), "KIM, Jong Un");
    assert_eq!(kim.schema, Schema::Person);
    assert_eq!(
        kim.birth_dates
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>(),
        ["1984-01-08"]
    );
    assert_eq!(kim.programs, ["DPRK3"]);
    assert_eq!(kim.positions, ["Chairman of the Workers' Party of Korea"]);
    assert_eq!(kim.addresses[0].country.as_deref(), Some("kp"));
    // the title repeated in the remarks is not kept twice
    assert!(kim.remarks.is_empty(), "{:?}", kim.remarks);
    assert_eq!(
        kim.extra["Secondary sanctions risk"],
        ["North Korea Sanctions Regulations, sections 510.201 and 510.210"]
    );

    // alt names of every kind
    let e = by_id(&es, "us_ofac_sdn:10244");
    for kind in [NameKind::Alias, NameKind::Former, NameKind::New] {
        assert!(
            !names(e, kind).is_empty(),
            "{kind:?} missing in {:?}",
            e.names
        );
    }

    // strong aliases from alt.csv, weak ones from the remarks, addresses with postal codes
    let bnc = by_id(&es, "us_ofac_sdn:306");
    assert_eq!(names(bnc, NameKind::Alias), ["NATIONAL BANK OF CUBA"]);
    assert_eq!(names(bnc, NameKind::WeakAlias), ["BNC"]);
    let zurich = &bnc.addresses[0];
    assert_eq!(zurich.street.as_deref(), Some("Zweierstrasse 35"));
    assert_eq!(zurich.city.as_deref(), Some("Zurich"));
    assert_eq!(zurich.postal_code.as_deref(), Some("CH-8022"));
    assert_eq!(zurich.country.as_deref(), Some("ch"));

    // a vessel: IMO number, call sign, flag and particulars
    let ship = by_id(&es, "us_ofac_sdn:15036");
    assert_eq!(ship.caption(), "ARTAVIL");
    assert_eq!(ship.schema, Schema::Vessel);
    let imo = ship
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Imo)
        .expect("IMO");
    assert_eq!(imo.value, "9187629");
    assert!(ship
        .identifiers
        .iter()
        .any(|i| i.kind == IdKind::CallSign && i.value == "T2EU4"));
    let vessel = ship.vessel.as_ref().unwrap();
    assert_eq!(vessel.flag.as_deref(), Some("ir"));
    assert_eq!(
        vessel.vessel_type.as_deref(),
        Some("Crude/Oil Products Tanker")
    );
    assert_eq!(vessel.gross_registered_tonnage.as_deref(), Some("56,068"));
    assert_eq!(
        ship.extra["Former Vessel Flag"],
        ["Malta", "Tuvalu", "None Identified", "Tanzania"]
    );

    // a passport with issuing country and dates
    let jarraya = by_id(&es, "us_ofac_sdn:7835");
    let passport = jarraya
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Passport)
        .unwrap();
    assert_eq!(passport.value, "K989895");
    assert_eq!(passport.country.as_deref(), Some("tn"));
    assert_eq!(
        passport.note.as_deref(),
        Some("issued 26 Jul 1995 expires 25 Jul 2000")
    );
    assert_eq!(jarraya.nationalities, ["tn", "ba"]);
    assert!(names(jarraya, NameKind::WeakAlias).contains(&"ABDEL' AZIZ BEN NARVAN"));

    // Linked To: resolved to the target's id on the same list
    let li = by_id(&es, "us_ofac_sdn:28264");
    assert_eq!(li.relations.len(), 1);
    assert_eq!(li.relations[0].kind, "linked_to");
    assert_eq!(
        li.relations[0]
            .target
            .as_ref()
            .map(|t| t.to_string())
            .as_deref(),
        Some("us_ofac_sdn:27307")
    );
    assert_eq!(
        li.relations[0].target_name.as_deref(),
        Some("LAZARUS GROUP")
    );
    assert_eq!(by_id(&es, "us_ofac_sdn:27307").caption(), "LAZARUS GROUP");

    // sdn_comments.csv continues remarks cut at 1000 characters, even mid-word
    let tian = by_id(&es, "us_ofac_sdn:28263");
    assert!(
        names(tian, NameKind::WeakAlias).contains(&"snowsjohn"),
        "{:?}",
        tian.names
    );
    assert_eq!(
        tian.relations[0].target_name.as_deref(),
        Some("LAZARUS GROUP")
    );
    let e = by_id(&es, "us_ofac_sdn:29703");
    let p = e
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Passport)
        .unwrap();
    assert_eq!(
        (p.value.as_str(), p.country.as_deref()),
        ("4005504207", Some("ru"))
    );
    let e = by_id(&es, "us_ofac_sdn:12300");
    assert!(e
        .relations
        .iter()
        .any(|r| r.target_name.as_deref() == Some("PROMO RAIZ S.A.S.")));
    assert!(es
        .iter()
        .all(|e| !e.extra.contains_key("remarks_truncated")));
}

#[test]
fn cons_set_counts_and_spot_checks() {
    let (set, es) = parse_folder(&lists_dir().join("us_ofac_cons"));
    assert!(set.main.ends_with("cons_prim.csv"));
    assert_eq!(
        set.parts.keys().map(String::as_str).collect::<Vec<_>>(),
        ["add", "alt", "comments"]
    );
    assert_eq!(es.len(), 442);
    assert_eq!(
        schema_counts(&es),
        counts(&[("Person", 79), ("Organization", 363)])
    );
    assert_eq!(
        name_counts(&es),
        counts(&[
            ("primary", 442),
            ("alias", 930),
            ("weak_alias", 69),
            ("former", 144)
        ])
    );
    assert_eq!(es.iter().map(|e| e.addresses.len()).sum::<usize>(), 522);
    assert!(es.iter().all(|e| e.id.list() == "us_ofac_cons"));

    // cons_comments.csv: "Registration Numbe" + "r 1027700342890 (Russia)"
    let e = by_id(&es, "us_ofac_cons:17014");
    let reg = e
        .identifiers
        .iter()
        .find(|i| i.value == "1027700342890")
        .expect("continued identifier");
    assert_eq!(
        (reg.kind, reg.country.as_deref()),
        (IdKind::Registration, Some("ru"))
    );
    assert_eq!(reg.label.as_deref(), Some("Registration Number"));
    // the same across a cut just before "(Russia)"
    let e = by_id(&es, "us_ofac_cons:17250");
    assert!(e
        .identifiers
        .iter()
        .any(|i| i.value == "1027700070518" && i.country.as_deref() == Some("ru")));
}

#[test]
fn history_snapshots_counts_and_remarks_only_aliases() {
    // (folder, Person, Organization, Vessel, Aircraft)
    let expected = [
        ("2024-02-20", 6700, 6063, 786, 382),
        ("2024-02-23", 6757, 6547, 798, 382),
        ("2024-04-26", 6820, 6630, 835, 383),
        ("2024-05-01", 6849, 6883, 851, 383),
        ("2024-05-03", 6854, 6884, 851, 376),
    ];
    // the five files are independent: parse them side by side
    std::thread::scope(|scope| {
        for (date, person, org, vessel, aircraft) in expected {
            scope.spawn(move || {
                let (set, es) = parse_folder(&lists_dir().join("us_ofac_sdn_history").join(date));
                assert!(set.parts.is_empty(), "{date}: a lone sdn.csv");
                assert_eq!(es.len(), person + org + vessel + aircraft, "{date}");
                assert_eq!(
                    schema_counts(&es),
                    counts(&[
                        ("Person", person),
                        ("Organization", org),
                        ("Vessel", vessel),
                        ("Aircraft", aircraft)
                    ]),
                    "{date}"
                );
                // no alt.csv: no strong aliases, only the weak ones of the remarks
                assert!(
                    es.iter().all(|e| names(e, NameKind::Alias).is_empty()),
                    "{date}"
                );
                // 18 remarks fields reach OFAC's 1000-character limit and nothing continues them
                let cut = es
                    .iter()
                    .filter(|e| e.extra.contains_key("remarks_truncated"))
                    .count();
                assert_eq!(cut, 18, "{date}");
            });
        }
    });
    let (_, es) = parse_folder(&lists_dir().join("us_ofac_sdn_history/2024-05-03"));
    assert_eq!(
        name_counts(&es),
        counts(&[
            ("primary", 14965),
            ("weak_alias", 3576),
            ("former", 87),
            ("new", 1)
        ])
    );
    let bnc = by_id(&es, "us_ofac_sdn:306");
    assert_eq!(names(bnc, NameKind::WeakAlias), ["BNC"]);
    assert_eq!(bnc.names.len(), 2, "{:?}", bnc.names);
    let kim = by_id(&es, "us_ofac_sdn:20157");
    assert_eq!(kim.birth_dates[0].to_string(), "1984-01-08");
    assert_eq!(kim.programs, ["DPRK3"]);
    // the truncated last item of 28263 ("a.k.a. 'snowsjo") is kept raw, not made a name
    let tian = by_id(&es, "us_ofac_sdn:28263");
    assert_eq!(
        tian.remarks.last().map(String::as_str),
        Some("a.k.a. 'snowsjo")
    );
    assert!(!tian.names.iter().any(|n| n.value.starts_with("snowsjo")));
}

#[test]
fn mixed_folder_groups_two_sets_by_content_and_prefix() {
    let mut sets = sources::detect_paths(&[fixture("ofac", "mixed")]).unwrap();
    sets.sort_by(|a, b| a.main.cmp(&b.main));
    assert_eq!(sets.len(), 2, "{sets:?}");
    let (cons, sdn) = (&sets[0], &sets[1]);
    assert!(cons.main.ends_with("cons_prim.csv"));
    assert_eq!(
        cons.parts.keys().map(String::as_str).collect::<Vec<_>>(),
        ["alt"]
    );
    assert!(cons.parts["alt"].ends_with("cons_alt.csv"));
    assert!(sdn.main.ends_with("sdn.csv"));
    assert_eq!(
        sdn.parts.keys().map(String::as_str).collect::<Vec<_>>(),
        ["add", "alt", "comments"]
    );

    let (info, es) = sources::parse_all(cons).unwrap();
    assert_eq!(info.list, "us_ofac_cons");
    assert_eq!(es[0].id.to_string(), "us_ofac_cons:2001");
    assert_eq!(names(&es[0], NameKind::Former), ["OLD CONS TEST BANK"]);
    assert_eq!(es[0].programs, ["UKRAINE-EO13662", "RUSSIA-EO14024"]);

    let (info, es) = sources::parse_all(sdn).unwrap();
    assert_eq!(info.list, "us_ofac_sdn");
    let tester = by_id(&es, "us_ofac_sdn:1001");
    assert_eq!(names(tester, NameKind::Alias), ["TESTER, A."]);
    assert_eq!(tester.nationalities, ["ir"]);
    let trading = by_id(&es, "us_ofac_sdn:1002");
    assert_eq!(trading.addresses[0].country.as_deref(), Some("ae"));
    // "Linked To: TESTER, Al" + comments "pha." → resolved to 1001
    assert_eq!(
        trading.relations[0]
            .target
            .as_ref()
            .map(|t| t.to_string())
            .as_deref(),
        Some("us_ofac_sdn:1001")
    );
    assert!(trading
        .identifiers
        .iter()
        .any(|i| i.kind == IdKind::Website && i.value == "www.example.test"));
}

#[test]
fn companion_without_main_file_is_an_error_naming_it() {
    let err = sources::detect_paths(&[fixture("ofac", "orphan")]).unwrap_err();
    assert!(err.file.ends_with("alt.csv"), "{err}");
    assert!(err.reason.contains("without a main file"), "{err}");
}

#[test]
fn sniff_claims_all_four_kinds_and_no_other_list() {
    for name in ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"] {
        let head = Head::read(&lists_dir().join("us_ofac_sdn").join(name)).unwrap();
        assert!(ofac_csv::sniff(&head), "{name}");
    }
    for name in [
        "cons_prim.csv",
        "cons_alt.csv",
        "cons_add.csv",
        "cons_comments.csv",
    ] {
        let head = Head::read(&lists_dir().join("us_ofac_cons").join(name)).unwrap();
        assert!(ofac_csv::sniff(&head), "{name}");
    }
    let others = [
        "eu_fsf/sample_eu_fsf.xml",
        "gb_fcdo/sample_uk_sanctions.xml",
        "opensanctions/yente_t1/entities.ftm.json",
        "opensanctions/yente_t2_deltas/delta.json",
        "un_sc/consolidated.xml",
        "us_bis_dpl/dpl.txt",
        "us_csl/csl.csv",
    ];
    for other in others {
        let head = Head::read(&lists_dir().join(other)).unwrap();
        assert!(!ofac_csv::sniff(&head), "{other} must not be claimed");
    }
    // a 2-column headerless CSV is a comments file only by name
    assert!(!ofac_csv::sniff(&Head::from_bytes(
        "ids.csv",
        b"1,\"x\"\r\n"
    )));
    assert!(ofac_csv::sniff(&Head::from_bytes(
        "cons_comments.csv",
        b"1,\"x\"\r\n"
    )));
}

#[test]
fn wrong_column_count_names_the_line() {
    let bad = format!("{ROW}37,\"SHORT ROW\",-0- ,\"CUBA\"\r\n");
    let err = parse_bytes("sdn.csv", bad.as_bytes()).unwrap_err();
    assert_eq!(err.file, "sdn.csv");
    assert_eq!(err.position.line, Some(2), "{err}");
    assert!(
        err.reason.contains("expected 12 fields") && err.reason.contains("found 4"),
        "{err}"
    );

    let alt = b"36,12,\"aka\",\"AERO-CARIBBEAN\"\r\n";
    let set = BytesSet {
        main: ("sdn.csv", ROW.as_bytes()),
        alt: Some(("alt.csv", alt)),
        ..Default::default()
    };
    let err = parse_set(&set).unwrap_err();
    assert_eq!(
        (err.file.as_str(), err.position.line),
        ("alt.csv", Some(1)),
        "{err}"
    );
    assert!(err.reason.contains("expected 5 fields"), "{err}");
}

#[test]
fn invalid_utf8_names_byte_and_line() {
    let mut bad = ROW.as_bytes().to_vec();
    bad.extend_from_slice(
        b"37,\"CAF\xC9 CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n",
    );
    let err = parse_bytes("sdn.csv", &bad).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("sdn.csv"), "{msg}");
    assert!(msg.contains("invalid UTF-8"), "{msg}");
    assert!(msg.contains(&format!("byte {}", ROW.len() + 7)), "{msg}");
    assert!(msg.contains("line 2"), "{msg}");
}

#[test]
fn non_numeric_ent_num_is_an_error_with_line() {
    let bad = format!("{ROW}{}", ROW.replacen("36", "X36", 1));
    let err = parse_bytes("sdn.csv", bad.as_bytes()).unwrap_err();
    assert_eq!(err.position.line, Some(2), "{err}");
    assert!(
        err.reason.contains("ent_num \"X36\" is not a number"),
        "{err}"
    );
}

#[test]
fn truncated_file_is_an_error() {
    let full = std::fs::read(lists_dir().join("us_ofac_sdn/sdn.csv")).unwrap();
    // cut in the middle of the second row
    let second = full.iter().position(|&b| b == b'\n').unwrap() + 1;
    let err = parse_bytes("sdn.csv", &full[..second + 60]).unwrap_err();
    assert_eq!(err.position.line, Some(2), "{err}");
    assert!(err.reason.contains("expected 12 fields"), "{err}");
    // cut inside a quoted field of the last row: the quote is never closed
    let row = "306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'BN";
    let err = parse_bytes("sdn.csv", format!("{ROW}{row}").as_bytes()).unwrap_err();
    assert!(err.reason.contains("truncated"), "{err}");
    assert_eq!(err.position.line, Some(2), "{err}");
}

#[test]
fn duplicate_ids_and_unknown_types_are_errors() {
    let err = parse_bytes("sdn.csv", format!("{ROW}{ROW}").as_bytes()).unwrap_err();
    assert!(err.reason.contains("ent_num 36 appears twice"), "{err}");
    assert_eq!(err.position.line, Some(2));
    let odd = ROW.replacen("-0- ,\"CUBA\"", "\"submarine\",\"CUBA\"", 1);
    let err = parse_bytes("sdn.csv", odd.as_bytes()).unwrap_err();
    assert!(
        err.reason.contains("unknown SDN_Type \"submarine\""),
        "{err}"
    );
    assert_eq!(err.position.record.as_deref(), Some("ent_num 36"));
}

#[test]
fn odd_but_valid_input_parses() {
    // empty file, only the end-of-file byte, no final line break, LF line ends
    assert!(parse_bytes("sdn.csv", b"").unwrap().is_empty());
    assert!(parse_bytes("sdn.csv", b"\x1a").unwrap().is_empty());
    assert_eq!(
        parse_bytes("sdn.csv", ROW.trim_end().as_bytes())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        parse_bytes("sdn.csv", ROW.replace("\r\n", "\n").as_bytes())
            .unwrap()
            .len(),
        1
    );
    // a list key from the main file's name
    let e = &parse_bytes("cons_prim.csv", ROW.as_bytes()).unwrap()[0];
    assert_eq!(e.id.to_string(), "us_ofac_cons:36");
    // companion rows for an ent_num the main file lacks are ignored
    let set = BytesSet {
        main: ("sdn.csv", ROW.as_bytes()),
        alt: Some(("alt.csv", b"99,1,\"aka\",\"NOBODY\",-0- \r\n")),
        ..Default::default()
    };
    assert_eq!(parse_set(&set).unwrap()[0].names.len(), 1);
}

#[test]
fn arbitrary_bytes_never_panic() {
    // a cheap stand-in for the fuzz target: mangled copies of real rows
    let sample = std::fs::read(lists_dir().join("us_ofac_sdn/sdn.csv")).unwrap();
    let sample = &sample[..20_000];
    let alphabet = [b'"', b',', b';', b'\'', b'\n', 0xFF, b'(', b')'];
    for bytes in mutations(sample, 0x9e37_79b9_7f4a_7c15, 300, 20, &alphabet) {
        let _ = parse_bytes("sdn.csv", &bytes);
        let set = BytesSet {
            main: ("sdn.csv", sample),
            comments: Some(("sdn_comments.csv", &bytes)),
            ..Default::default()
        };
        let _ = parse_set(&set);
    }
}
