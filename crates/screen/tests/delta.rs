//! Delta rescreening on the real OFAC change of 2024-02-23 (about 550 Russia-related
//! designations), on SQLite and on PostgreSQL: import the SDN list of 2024-02-20, monitor a
//! record set with some of the parties designated on 2024-02-23 and unrelated people, update
//! to 2024-02-23, and check exactly which alerts open.

// the store's test databases (SQLite file, PostgreSQL schema) and its backend macro
#[path = "../../store/tests/common/mod.rs"]
mod common;

use common::TestDb;
use engine::Engine;
use screen::audit::delta::{self, ScreenOptions};
use sources::snapshot::{DataDir, Snapshot};
use std::collections::BTreeSet;
use std::sync::OnceLock;
use store::{AlertFilter, Store};

struct Fixture {
    _dir: tempfile::TempDir,
    old: Snapshot,
    engine: Engine,
}

/// Both days imported once per test process; the engine over 2024-02-23.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let history = sources::shared_dir_for_tests().join("data/lists/us_ofac_sdn_history");
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::open(dir.path()).unwrap();
        for day in ["2024-02-20", "2024-02-23"] {
            let sets = sources::detect_paths(&[history.join(day)]).unwrap();
            data.import(&sets, &mut |_| {}).unwrap();
        }
        let snaps = data.manifests().unwrap();
        assert_eq!(snaps.len(), 2);
        let old = data.snapshot(&snaps[0].version).unwrap();
        let new = data.snapshot(&snaps[1].version).unwrap();
        let engine = Engine::open_at(dir.path(), new, false, &engine::Settings::default()).unwrap();
        Fixture {
            _dir: dir,
            old,
            engine,
        }
    })
}

/// Customers: five parties designated on 2024-02-23, one whose entry changed that day (a new
/// birth date), one listed long before (unchanged), and ordinary people.
const CUSTOMERS: &str = "\
customer_id,full_name,type,dob,country
c01,Mikhail Yuryevich Chepurnoi,Person,1970-02-26,
c02,HD Parts Oy,Organization,,
c03,Guangzhou Ausay Technology Co Limited,Organization,,
c04,Boldrex,Organization,,
c05,JSC Samara Metallurgical Plant,Organization,,
c06,Batu Sergeyevich Khasikov,Person,,
c07,Mansudae Overseas Project Group of Companies,Organization,,
c08,Jennifer L. McClellan,Person,1972,us
c09,Jake Auchincloss,Person,1988,us
c10,Maria Garcia,Person,1985,es
c11,John Smith,Person,,gb
c12,Acme Plumbing Supplies Ltd,Organization,,gb
";

/// The alerts the update must open: (customer, entity).
const EXPECTED: &[(&str, &str)] = &[
    ("c01", "us_ofac_sdn:47536"),
    ("c02", "us_ofac_sdn:47199"),
    ("c03", "us_ofac_sdn:47697"),
    ("c04", "us_ofac_sdn:47408"),
    ("c05", "us_ofac_sdn:47817"),
    ("c06", "us_ofac_sdn:41021"),
];

fn alerts(s: &dyn Store) -> BTreeSet<(String, String)> {
    s.alerts(&AlertFilter::default())
        .unwrap()
        .into_iter()
        .map(|a| (a.identity, a.entity_id))
        .collect()
}

fn the_update_opens_exactly_the_expected_alerts(db: &TestDb) {
    let f = fixture();
    let s = db.store();
    let records =
        store::records::read_bytes("customers.csv", CUSTOMERS.as_bytes(), "customer").unwrap();
    assert_eq!(
        s.monitor_upsert(&records, "customers.csv", None)
            .unwrap()
            .len(),
        12
    );
    s.set_state(store::monitor::CURSOR, &f.old.manifest.version)
        .unwrap();

    let opts = ScreenOptions {
        actor: "update".into(),
        ..Default::default()
    };
    let run = delta::rescreen(s, &f.engine, &f.old, &opts).unwrap();
    let want: BTreeSet<(String, String)> = EXPECTED
        .iter()
        .map(|(c, e)| (c.to_string(), e.to_string()))
        .collect();
    assert_eq!(alerts(s), want);
    assert_eq!(run.records, 12);
    assert_eq!(run.alerts_opened, 6);
    assert!(run.candidates >= 6 && run.candidates < 12, "{run:?}");
    assert_eq!(run.screened, run.candidates);
    assert_eq!(run.summary["added"], 553);
    assert_eq!(run.summary["removed"], 0);
    assert_eq!(run.summary["changed"], 8);
    assert_eq!(
        s.state(store::monitor::CURSOR).unwrap().as_deref(),
        Some(f.engine.snapshot.manifest.version.as_str())
    );

    // the recorded screening is the full engine's, against the snapshot it names
    let a = s
        .alerts(&AlertFilter {
            identity: Some("c01".into()),
            ..Default::default()
        })
        .unwrap()
        .remove(0);
    let rec = s.screening(a.screening_seq).unwrap().unwrap();
    assert_eq!(rec.snapshot, f.engine.snapshot.manifest.version);
    assert_eq!(rec.source, "rescreen");
    assert_eq!(rec.results[0]["entity_id"], "us_ofac_sdn:47536");
    assert!(
        rec.results[0]["explanation"]["tokens"]
            .as_array()
            .unwrap()
            .len()
            >= 3
    );
    let full = f
        .engine
        .search(&records[0].query, &matcher::SearchOptions::default());
    assert_eq!(
        rec.results[0]["score"].as_f64().unwrap(),
        full[0].score as f64
    );
    assert_eq!(
        a.entity_hash,
        store::entity_hash(
            &f.engine
                .entity(&"us_ofac_sdn:47536".parse().unwrap())
                .unwrap()
                .unwrap()
        )
    );

    // running it again (a resumed or repeated run) opens nothing new
    let again = delta::rescreen(s, &f.engine, &f.old, &opts).unwrap();
    assert_eq!(again.alerts_opened, 0);
    assert_eq!(alerts(s), want);
    assert!(s.verify(store::chain::Chain::Screenings).unwrap().ok());
}

fn a_dry_run_changes_nothing(db: &TestDb) {
    let f = fixture();
    let s = db.store();
    let records = store::records::read_bytes("c.csv", CUSTOMERS.as_bytes(), "customer").unwrap();
    s.monitor_upsert(&records, "c.csv", None).unwrap();
    let opts = ScreenOptions {
        dry_run: true,
        ..Default::default()
    };
    let run = delta::rescreen(s, &f.engine, &f.old, &opts).unwrap();
    assert!(run.candidates >= 6);
    assert!(alerts(s).is_empty());
    assert_eq!(db.count("screenings"), 0);
    assert_eq!(s.state(store::monitor::CURSOR).unwrap(), None);
}

#[test]
fn the_diff_of_the_two_days() {
    let f = fixture();
    let d = delta::diff(&f.old, &f.engine.snapshot).unwrap();
    assert_eq!(d.lists.len(), 1);
    let l = &d.lists[0];
    assert_eq!(l.list, "us_ofac_sdn");
    assert_eq!(
        (l.added.len(), l.removed.len(), l.changed.len()),
        (553, 0, 8)
    );
    assert!(l.added.contains(&"us_ofac_sdn:47536".to_string()));
    let bazalt = l
        .changed
        .iter()
        .find(|c| c.id == "us_ofac_sdn:16862")
        .unwrap();
    assert_eq!(bazalt.fields, ["extra", "identifiers", "programs"]);
    let khasikov = l
        .changed
        .iter()
        .find(|c| c.id == "us_ofac_sdn:41021")
        .unwrap();
    assert_eq!(khasikov.fields, ["birth_dates"]);
    // the other way round: the designations are removals
    let back = delta::diff(&f.engine.snapshot, &f.old).unwrap();
    assert_eq!(back.removed(), 553);
    assert_eq!(back.added(), 0);
    // a snapshot against itself: no difference
    assert!(delta::diff(&f.old, &f.old).unwrap().lists.is_empty());
}

on_both_backends!(
    the_update_opens_exactly_the_expected_alerts,
    a_dry_run_changes_nothing
);
