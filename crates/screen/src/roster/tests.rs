use super::input::{parse_map, CsvRows, JsonRows};
use super::*;
use matcher::{Config, Index};
use model::{DateValue, Entity, EntityId, Name, NameKind, Relation, Schema};

fn entities() -> Vec<Entity> {
    let mut kim = Entity::new(EntityId::new("un_sc", "KPi.066").unwrap(), Schema::Person);
    kim.names
        .push(Name::new("KIM SONG CHOL", NameKind::Primary));
    kim.birth_dates
        .push("1968-03-26".parse::<DateValue>().unwrap());
    kim.nationalities.push("kp".into());
    let mut studio = Entity::new(
        EntityId::new("un_sc", "KPe.050").unwrap(),
        Schema::Organization,
    );
    studio.names.push(Name::new(
        "MANSUDAE OVERSEAS PROJECT GROUP OF COMPANIES",
        NameKind::Primary,
    ));
    // a listed company linked to a party that is not itself listed
    let mut front = Entity::new(
        EntityId::new("us_ofac_sdn", "99").unwrap(),
        Schema::Organization,
    );
    front.names.push(Name::new(
        "KOREA PAEKHO TRADING CORPORATION",
        NameKind::Primary,
    ));
    front.relations.push(Relation {
        kind: "linked_to".into(),
        target: None,
        target_name: Some("Cosmos Construction Company".into()),
    });
    vec![kim, studio, front]
}

fn screener(m: &Matcher) -> RosterScreener<'_> {
    RosterScreener::new(
        m,
        relations::RelationIndex::build(entities()),
        BatchOptions::default(),
    )
}

const CSV: &str = "\
Full Name,Birth Date,Citizenship,Passport No,Employer,Work Address
Kim Song Chol,1968-03-26,North Korea,,Mansudae Overseas Project Group,\"Warsaw, Poland\"
Anna Nowak,1990-01-02,Poland,AB123,Budimex SA,\"Warsaw, Poland\"
Ri Chol Min,1985,KP,927654321,Cosmos Construction Co,\"ul. Artema 5, Makeevka, Ukraine\"
broken row,with,too,few
Pak Yong,1979,kp,,,\"Pyongyang, North Korea\"
";

#[test]
fn rows_with_list_rule_region_and_relation_hits() {
    let m = Matcher::new(Index::build(entities(), "t"), Config::default());
    let s = screener(&m);
    let map = parse_map("name=Full Name,dob=Birth Date,nationality=Citizenship,passport=Passport No,address=Work Address").unwrap();
    let mut rows = CsvRows::new(CSV.as_bytes(), b',', &map).unwrap();
    let mut hits: Vec<RowHit> = Vec::new();
    let mut errors = Vec::new();
    let stats = run_batch(
        &s,
        &mut rows,
        &mut |h| {
            hits.extend_from_slice(h);
            Ok(())
        },
        &mut |e| errors.push(e.to_string()),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!((stats.rows, stats.screened, stats.errors), (5, 4, 1));
    assert_eq!(
        errors,
        ["row 4 (line 5): 4 fields, expected 6 as in the header"]
    );
    let of = |row: u64| {
        hits.iter()
            .filter(|h| h.row == row)
            .map(|h| (h.kind.as_str(), h.matched.as_str()))
            .collect::<Vec<_>>()
    };
    // row 1: listed person (birth date and nationality agree), listed employer, DPRK worker abroad
    let r1 = of(1);
    assert!(r1.contains(&("list", "un_sc:KPi.066")), "{r1:?}");
    assert!(r1.contains(&("employer", "un_sc:KPe.050")), "{r1:?}");
    assert!(
        r1.contains(&("rule", "unscr-2397-op8-dprk-worker-abroad")),
        "{r1:?}"
    );
    assert!(
        r1.contains(&("rule", "employer-linked-to-listed-party")),
        "{r1:?}"
    );
    // row 2: nothing
    assert!(of(2).is_empty(), "{:?}", of(2));
    // row 3: employer named in a listed entity's relations; address in occupied Donetsk oblast
    let r3 = of(3);
    assert!(r3.contains(&("employer", "us_ofac_sdn:99")), "{r3:?}");
    assert!(
        r3.contains(&("rule", "address-in-sanctioned-region")),
        "{r3:?}"
    );
    assert!(
        r3.contains(&("rule", "unscr-2397-op8-dprk-worker-abroad")),
        "{r3:?}"
    );
    // row 5: a DPRK national in DPRK is not working abroad; the address is in a sanctioned country
    let r5 = of(5);
    assert!(
        !r5.iter()
            .any(|(_, m)| *m == "unscr-2397-op8-dprk-worker-abroad"),
        "{r5:?}"
    );
    assert!(
        r5.contains(&("rule", "address-in-sanctioned-region")),
        "{r5:?}"
    );
}

#[test]
fn jsonl_rows_and_bad_lines() {
    let m = Matcher::new(Index::build(entities(), "t"), Config::default());
    let s = screener(&m);
    let mut input = String::new();
    input.push_str("{\"name\": \"Kim Song Chol\", \"nationality\": \"kp\", \"country\": \"ru\"}\n");
    input.push_str("not json\n");
    input.push_str("{\"name\": \"\"}\n\n");
    input.push_str("{\"name\": \"Someone Else\", \"employer\": \"Acme\"}\n");
    let mut bytes = input.into_bytes();
    bytes.extend_from_slice(b"{\"name\": \"caf\xe9\"}\n");
    let mut rows = JsonRows::new(bytes.as_slice(), &[]);
    let mut hits = Vec::new();
    let mut errors = Vec::new();
    let stats = run_batch(
        &s,
        &mut rows,
        &mut |h| {
            hits.extend_from_slice(h);
            Ok(())
        },
        &mut |e| errors.push(e.clone()),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!((stats.rows, stats.screened, stats.errors), (5, 2, 3));
    assert_eq!(
        errors.iter().map(|e| (e.row, e.line)).collect::<Vec<_>>(),
        [(2, 2), (3, 3), (5, 6)]
    );
    assert!(errors[2].reason.contains("UTF-8"));
    assert!(hits
        .iter()
        .any(|h| h.row == 1 && h.matched == "unscr-2397-op8-dprk-worker-abroad"));
}

#[test]
fn column_mapping_errors_are_clear() {
    assert!(parse_map("nme=Full Name")
        .unwrap_err()
        .contains("unknown field"));
    assert!(CsvRows::new("a,b\n1,2\n".as_bytes(), b',', &[])
        .err()
        .unwrap()
        .contains("no name column"));
    let e = CsvRows::new(
        "Full Name\nx\n".as_bytes(),
        b',',
        &parse_map("dob=Born On,name=Full Name").unwrap(),
    )
    .err()
    .unwrap();
    assert!(e.contains("no column \"Born On\""), "{e}");
}

#[test]
fn shipped_rules_parse() {
    let r = rules::shipped();
    assert_eq!(r.len(), 3);
    assert!(r[0].source.contains("2397"));
    assert!(
        rules::parse("[[rule]]\nid='x'\ntitle='t'\nseverity='hit'\nsource='s'\n[rule.when]\n")
            .is_err()
    );
}
