//! The store's behaviour, run on SQLite and on PostgreSQL alike (see `common`).

mod common;

use common::TestDb;
use model::{Explanation, Match, Query};

/// The matcher version the test records carry (the store stores it as given).
const MATCHER_VERSION: &str = "matcher-test-1";
use model::{NameKind, Schema};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use store::chain::Chain;
use store::{
    AlertFilter, AlertStatus, Decision, Disposition, EntityNote, MonitoredRecord, NewScreening,
    Store, StoreError,
};

/// A result as the matcher returns it.
pub fn hit(entity_id: &str, caption: &str, score: f32) -> Match {
    let (list, list_id) = entity_id.split_once(':').unwrap();
    Match {
        entity_id: entity_id.into(),
        list: list.into(),
        list_id: list_id.into(),
        caption: caption.into(),
        schema: Schema::Person,
        score,
        is_match: score >= 0.8,
        name: caption.into(),
        explanation: Explanation {
            query_name: "query".into(),
            matched_name: caption.into(),
            matched_name_kind: NameKind::Primary,
            native_script: false,
            name_source: None,
            name_score: score,
            query_coverage: 1.0,
            candidate_coverage: 1.0,
            tokens: Vec::new(),
            unmatched_query: Vec::new(),
            unmatched_candidate: Vec::new(),
            identifier: None,
            identifier_only: false,
            joined: false,
            fuzzy_penalty: None,
            adjustments: Vec::new(),
        },
    }
}

/// A screening of `name` with these results; entity hashes `h-<id>`.
pub fn screening(name: &str, results: Vec<Match>) -> NewScreening {
    let entity_hashes = results
        .iter()
        .map(|m| (m.entity_id.clone(), format!("h-{}", m.entity_id)))
        .collect();
    NewScreening {
        idempotency_key: None,
        actor: "tester".into(),
        source: "test".into(),
        identity: None,
        query: Query::name(name),
        context: None,
        snapshot: "snap1".into(),
        matcher_version: MATCHER_VERSION.into(),
        threshold: 0.8,
        options: json!({"limit": 10}),
        results,
        entity_hashes,
        alert_scope: None,
        monitored: None,
    }
}

fn one(store: &dyn Store, s: NewScreening) -> store::Recorded {
    store.record(&[s]).unwrap().remove(0)
}

fn decide(
    store: &dyn Store,
    id: i64,
    d: Disposition,
    who: &str,
) -> Result<store::Alert, StoreError> {
    store.decide(&Decision {
        alert_id: id,
        disposition: d,
        note: format!("{who} checked the documents"),
        reviewer: who.into(),
        whitelist: false,
    })
}

fn migrations_run_once_and_refuse_a_newer_schema(db: &TestDb) {
    assert_eq!(db.count("schema_migrations"), store::migrate::latest());
    // opening again applies nothing new
    let again = db.reopen();
    drop(again);
    assert_eq!(db.count("schema_migrations"), 1);
    db.exec(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
         VALUES (99, 'future', 'x', 'now')",
    )
    .unwrap();
    let err = match &db.db {
        common::Db::Sqlite(_) => store::sqlite::Sqlite::open(std::path::Path::new(&db.location))
            .and_then(store::SqlStore::new)
            .err(),
        common::Db::Postgres(_) => {
            store::postgres::Postgres::connect(&db.location, db.schema.as_deref())
                .and_then(store::SqlStore::new)
                .err()
        }
    }
    .expect("a newer schema is refused");
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

fn a_screening_is_stored_with_its_explanations(db: &TestDb) {
    let s = db.store();
    let r = one(
        s,
        screening(
            "Kim Jong Un",
            vec![
                hit("x:1", "KIM JONG UN", 1.0),
                hit("x:2", "KIM JONG IL", 0.6),
            ],
        ),
    );
    assert_eq!(r.seq, 1);
    assert!(!r.duplicate);
    assert_eq!(
        r.alerts_opened.len(),
        1,
        "only the result at the threshold alerts"
    );
    let rec = s.screening(1).unwrap().unwrap();
    assert_eq!(rec.input["query"]["names"][0], "Kim Jong Un");
    assert_eq!(rec.results[0]["entity_id"], "x:1");
    assert_eq!(rec.results[0]["explanation"]["matched_name"], "KIM JONG UN");
    assert_eq!(rec.snapshot, "snap1");
    assert_eq!(rec.matcher_version, MATCHER_VERSION);
    assert_eq!(rec.threshold, 0.8f32 as f64);
    assert_eq!(rec.actor, "tester");
    assert_eq!(rec.identity, r.identity);
    assert!(rec.identity.starts_with("input:"));
    assert_eq!(rec.prev_hash, store::chain::GENESIS);
    let a = s.alert(r.alerts_opened[0]).unwrap().unwrap();
    assert_eq!(a.entity_id, "x:1");
    assert_eq!(a.status, AlertStatus::Open);
    assert_eq!(a.entity_hash, "h-x:1");
    assert_eq!(a.screening_seq, 1);
    let ev = s.alert_events(a.id).unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].kind, "opened");
}

fn a_redelivered_request_opens_no_second_alert(db: &TestDb) {
    let s = db.store();
    let req = screening("Kim Jong Un", vec![hit("x:1", "KIM JONG UN", 1.0)]);
    let first = one(s, req.clone());
    let again = s.record(&[req.clone(), req.clone()]).unwrap();
    for r in &again {
        assert!(r.duplicate);
        assert_eq!(r.seq, first.seq);
        assert_eq!(r.alerts_opened, first.alerts_opened);
    }
    assert_eq!(db.count("screenings"), 1);
    assert_eq!(db.count("alerts"), 1);
    // a caller-supplied key, re-delivered after the first alert was closed: still one alert
    let mut keyed = screening("Pak Pong Ju", vec![hit("x:9", "PAK PONG JU", 0.95)]);
    keyed.idempotency_key = Some("req-42".into());
    let k1 = one(s, keyed.clone());
    decide(s, k1.alerts_opened[0], Disposition::FalsePositive, "ann").unwrap();
    let k2 = one(s, keyed.clone());
    assert!(k2.duplicate);
    assert_eq!(db.count("alerts"), 2);
    // the same key for another input is refused
    let mut other = screening("Somebody Else", vec![]);
    other.idempotency_key = Some("req-42".into());
    match s.record(&[other]) {
        Err(StoreError::IdempotencyConflict { seq, .. }) => assert_eq!(seq, k1.seq),
        r => panic!("expected a conflict, got {r:?}"),
    }
}

fn one_open_alert_per_identity_and_entity(db: &TestDb) {
    let s = db.store();
    let mut a = screening("Kim Jong Un", vec![hit("x:1", "KIM JONG UN", 1.0)]);
    a.identity = Some("cust-1".into());
    let mut b = a.clone();
    b.snapshot = "snap2".into(); // another screening of the same party
    let ra = one(s, a);
    let rb = one(s, b);
    assert_eq!(ra.alerts_opened.len(), 1);
    assert!(rb.alerts_opened.is_empty());
    assert_eq!(rb.alerts_hit, ra.alerts_opened);
    let kinds: Vec<String> = s
        .alert_events(ra.alerts_opened[0])
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["opened", "hit"]);
    // the database itself refuses a second open alert for the pair
    let dup = db.exec(
        "INSERT INTO alerts (identity, entity_id, list, caption, matched_name, score, threshold, \
         snapshot, entity_hash, screening_seq, opened_key, status, created_at, updated_at) \
         VALUES ('cust-1', 'x:1', 'x', 'c', 'n', 1.0, 0.8, 's', 'h', 2, 'other-key', 'open', 't', 't')",
    );
    assert!(
        dup.is_err(),
        "the unique index must refuse a second open alert"
    );
    assert_eq!(db.count("alerts"), 1);
}

fn closing_a_true_match_needs_a_second_reviewer(db: &TestDb) {
    let s = db.store();
    let id = one(
        s,
        screening("Kim Jong Un", vec![hit("x:1", "KIM JONG UN", 1.0)]),
    )
    .alerts_opened[0];
    let err = s
        .decide(&Decision {
            alert_id: id,
            disposition: Disposition::TrueMatch,
            note: "  ".into(),
            reviewer: "ann".into(),
            whitelist: false,
        })
        .unwrap_err();
    assert!(err.to_string().contains("note"), "{err}");
    let a = decide(s, id, Disposition::TrueMatch, "ann").unwrap();
    assert_eq!(a.status, AlertStatus::PendingSecondReview);
    assert_eq!(a.first_reviewer.as_deref(), Some("ann"));
    let err = decide(s, id, Disposition::TrueMatch, "ann").unwrap_err();
    assert!(err.to_string().contains("four-eyes"), "{err}");
    let a = decide(s, id, Disposition::TrueMatch, "bob").unwrap();
    assert_eq!(a.status, AlertStatus::Closed);
    assert_eq!(a.disposition, Some(Disposition::TrueMatch));
    let err = decide(s, id, Disposition::FalsePositive, "cat").unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    let ev = s.alert_events(id).unwrap();
    let who: Vec<(&str, &str)> = ev
        .iter()
        .filter(|e| e.kind == "decision")
        .map(|e| (e.actor.as_str(), e.data["decision"].as_str().unwrap()))
        .collect();
    assert_eq!(who, [("ann", "true_match"), ("bob", "true_match")]);
    assert!(matches!(
        decide(s, 999, Disposition::TrueMatch, "ann"),
        Err(StoreError::NoAlert(999))
    ));
}

fn reviewers_who_disagree_escalate(db: &TestDb) {
    let s = db.store();
    let id = one(
        s,
        screening("Kim Jong Un", vec![hit("x:1", "KIM JONG UN", 1.0)]),
    )
    .alerts_opened[0];
    decide(s, id, Disposition::TrueMatch, "ann").unwrap();
    let a = decide(s, id, Disposition::FalsePositive, "bob").unwrap();
    assert_eq!(a.status, AlertStatus::Escalated);
    let a = decide(s, id, Disposition::NeedsEscalation, "cat").unwrap();
    assert_eq!(a.status, AlertStatus::Escalated);
    assert_eq!(s.alerts(&AlertFilter::queue()).unwrap().len(), 1);
}

fn a_whitelisted_false_positive_holds_until_the_entity_changes(db: &TestDb) {
    let s = db.store();
    let mut req = screening("John Smith", vec![hit("x:7", "JOHN SMITH", 0.9)]);
    req.identity = Some("cust-7".into());
    let id = one(s, req.clone()).alerts_opened[0];
    let err = s
        .decide(&Decision {
            alert_id: id,
            disposition: Disposition::TrueMatch,
            note: "n".into(),
            reviewer: "ann".into(),
            whitelist: true,
        })
        .unwrap_err();
    assert!(err.to_string().contains("false-positive"), "{err}");
    s.decide(&Decision {
        alert_id: id,
        disposition: Disposition::FalsePositive,
        note: "different date of birth".into(),
        reviewer: "ann".into(),
        whitelist: true,
    })
    .unwrap();
    // same pair, same entity record: no alert
    req.snapshot = "snap2".into();
    let r = one(s, req.clone());
    assert!(r.alerts_opened.is_empty());
    assert_eq!(r.whitelisted, ["x:7"]);
    // another customer with the same name still alerts
    let mut other = req.clone();
    other.identity = Some("cust-8".into());
    assert_eq!(one(s, other).alerts_opened.len(), 1);
    // the entity's record changed: the pair alerts again
    req.snapshot = "snap3".into();
    req.entity_hashes = BTreeMap::from([("x:7".to_string(), "h-changed".to_string())]);
    let r = one(s, req);
    assert_eq!(r.alerts_opened.len(), 1);
    assert!(r.whitelisted.is_empty());
}

fn the_chain_finds_edits_deletions_and_a_cut_tail(db: &TestDb) {
    let s = db.store();
    for i in 0..5 {
        one(
            s,
            screening(
                &format!("Name {i}"),
                vec![hit("x:1", "NAME", if i == 0 { 0.9 } else { 0.5 })],
            ),
        );
    }
    let id = s.alerts(&AlertFilter::default()).unwrap()[0].id;
    decide(s, id, Disposition::NeedsEscalation, "ann").unwrap();
    for c in Chain::ALL {
        let v = s.verify(c).unwrap();
        assert!(v.ok(), "{c:?}: {v:?}");
    }
    assert_eq!(s.verify(Chain::Screenings).unwrap().links, 5);
    assert_eq!(s.verify(Chain::AlertEvents).unwrap().links, 2);

    // append-only: ordinary updates and deletes are refused by triggers
    assert!(db
        .exec("UPDATE screenings SET actor = 'mallory' WHERE seq = 3")
        .is_err());
    assert!(db.exec("DELETE FROM screenings WHERE seq = 5").is_err());
    assert!(db.exec("DELETE FROM alert_events WHERE seq = 1").is_err());

    // someone with the power to drop the triggers edits record 3
    let drop_triggers = match &db.db {
        common::Db::Sqlite(_) => {
            "DROP TRIGGER screenings_no_update; DROP TRIGGER screenings_no_delete;"
        }
        common::Db::Postgres(_) => {
            "DROP TRIGGER screenings_no_update ON screenings; \
             DROP TRIGGER screenings_no_delete ON screenings;"
        }
    };
    db.exec(drop_triggers).unwrap();
    db.exec("UPDATE screenings SET results = '[]' WHERE seq = 3")
        .unwrap();
    let v = s.verify(Chain::Screenings).unwrap();
    let b = v.broken.expect("the edit is found");
    assert_eq!(b.seq, 3);
    assert!(b.reason.contains("altered"), "{}", b.reason);
    assert_eq!(v.links, 2);

    // a deleted record
    db.exec("DELETE FROM screenings WHERE seq = 3").unwrap();
    let b = s.verify(Chain::Screenings).unwrap().broken.unwrap();
    assert_eq!(b.seq, 3);
    assert!(b.reason.contains("missing"), "{}", b.reason);

    // a cut-off tail (the last record removed) is found through the chain head
    let fresh = common::sqlite();
    let f = fresh.store();
    for i in 0..3 {
        one(f, screening(&format!("N{i}"), vec![]));
    }
    fresh
        .exec("DROP TRIGGER screenings_no_delete; DELETE FROM screenings WHERE seq = 3;")
        .unwrap();
    let b = f.verify(Chain::Screenings).unwrap().broken.unwrap();
    assert!(b.reason.contains("head says #3"), "{}", b.reason);
    // a link pointed at another predecessor
    fresh
        .exec("DROP TRIGGER screenings_no_update; UPDATE screenings SET prev_hash = 'ab' WHERE seq = 2;")
        .unwrap();
    let b = f.verify(Chain::Screenings).unwrap().broken.unwrap();
    assert_eq!(b.seq, 2);
    assert!(b.reason.contains("does not follow #1"), "{}", b.reason);
}

fn monitored_records_are_upserted_by_key(db: &TestDb) {
    let s = db.store();
    let rec = |key: &str, name: &str| {
        let q = Query::name(name);
        MonitoredRecord {
            key: key.into(),
            kind: "customer".into(),
            record_hash: store::records::record_hash("customer", &q),
            query: q,
        }
    };
    let changed = s
        .monitor_upsert(&[rec("c1", "Ann Lee"), rec("c2", "Bo Kim")], "t.csv", None)
        .unwrap();
    assert_eq!(changed, ["c1", "c2"]);
    // the same again: nothing changed; one record edited: only that one
    assert!(s
        .monitor_upsert(&[rec("c1", "Ann Lee"), rec("c2", "Bo Kim")], "t.csv", None)
        .unwrap()
        .is_empty());
    let many: Vec<MonitoredRecord> = (0..450)
        .map(|i| rec(&format!("m{i}"), &format!("Person {i}")))
        .collect();
    assert_eq!(s.monitor_upsert(&many, "bulk", None).unwrap().len(), 450);
    assert_eq!(
        s.monitor_upsert(&[rec("c2", "Bo Kim Jr")], "t.csv", None)
            .unwrap(),
        ["c2"]
    );
    assert_eq!(s.monitored_count().unwrap(), 452);
    let page = s.monitored(0, 2, false).unwrap();
    assert_eq!(page[0].1.key, "c1");
    assert_eq!(page[1].1.query.names, ["Bo Kim Jr"]);
    let next = s.monitored(page[1].0, 1000, false).unwrap();
    assert_eq!(next.len(), 450);
    assert_eq!(
        s.monitored_by_keys(&["m7".into()]).unwrap()[0].query.names,
        ["Person 7"]
    );
    assert_eq!(s.monitor_remove(&["c1".into(), "nope".into()]).unwrap(), 1);
    assert_eq!(s.monitored_count().unwrap(), 451);
    // new and changed records are pending until a screening of them is recorded
    assert_eq!(s.monitored(0, 1000, true).unwrap().len(), 451);
    let mut sc = screening("Bo Kim Jr", vec![]);
    sc.monitored = Some("c2".into());
    one(s, sc);
    assert_eq!(s.monitored(0, 1000, true).unwrap().len(), 450);
    s.monitor_upsert(&[rec("c3", "Cy Doe")], "t.csv", Some("snap1"))
        .unwrap();
    assert_eq!(s.monitored(0, 1000, true).unwrap().len(), 450);
}

fn removals_and_changes_are_noted_on_open_alerts(db: &TestDb) {
    let s = db.store();
    let id1 = one(s, screening("A", vec![hit("x:1", "A", 0.9)])).alerts_opened[0];
    let id2 = one(s, screening("B", vec![hit("x:2", "B", 0.9)])).alerts_opened[0];
    decide(s, id2, Disposition::FalsePositive, "ann").unwrap();
    let notes = [
        EntityNote {
            entity_id: "x:1".into(),
            kind: "entity_removed".into(),
            snapshot: "snap9".into(),
            fields: vec![],
        },
        EntityNote {
            entity_id: "x:2".into(),
            kind: "entity_changed".into(),
            snapshot: "snap9".into(),
            fields: vec!["names".into()],
        },
    ];
    assert_eq!(
        s.note_entities(&notes, "update").unwrap(),
        1,
        "closed alerts get no notes"
    );
    let ev = s.alert_events(id1).unwrap();
    assert_eq!(ev.last().unwrap().kind, "entity_removed");
    assert!(ev.last().unwrap().note.contains("no longer on its list"));
    assert!(s.verify(Chain::AlertEvents).unwrap().ok());
}

fn the_cursor_moves_with_a_finished_run(db: &TestDb) {
    let s = db.store();
    assert_eq!(s.state(store::monitor::CURSOR).unwrap(), None);
    let run = store::RescreenRun {
        id: 0,
        from_snapshot: Some("a".into()),
        to_snapshot: "b".into(),
        started_at: store::now(),
        finished_at: store::now(),
        actor: "t".into(),
        records: 10,
        candidates: 2,
        screened: 2,
        alerts_opened: 1,
        summary: json!({"added": 3}),
    };
    let id = s.finish_rescreen(&run).unwrap();
    assert_eq!(
        s.state(store::monitor::CURSOR).unwrap().as_deref(),
        Some("b")
    );
    let runs = s.rescreens(5).unwrap();
    assert_eq!(runs[0].id, id);
    assert_eq!(runs[0].summary["added"], 3);
}

fn exports_are_safe_for_spreadsheets(db: &TestDb) {
    let s = db.store();
    let r = one(
        s,
        screening(
            "=HYPERLINK(\"http://x\")",
            vec![hit("x:1", "@SUM(A1)", 0.9)],
        ),
    );
    decide(s, r.alerts_opened[0], Disposition::FalsePositive, "-ann").unwrap();
    let mut out = Vec::new();
    assert_eq!(
        store::export::alerts_csv(s, &AlertFilter::default(), &mut out).unwrap(),
        1
    );
    let text = String::from_utf8(out).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let row = rd.records().next().unwrap().unwrap();
    assert_eq!(&row[6], "'@SUM(A1)");
    assert!(row[14].contains("-ann false_positive"));
    assert!(!row.iter().any(|c| c.starts_with(['=', '+', '-', '@'])));

    let mut out = Vec::new();
    store::export::screenings_csv(s, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let row = rd.records().next().unwrap().unwrap();
    assert_eq!(&row[9], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&row[12], "x:1");

    let mut out = Vec::new();
    store::export::screenings_json(s, &mut out, false).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v[0]["input"]["query"]["names"][0],
        "=HYPERLINK(\"http://x\")"
    );
    assert_eq!(v[0]["hash"].as_str().unwrap().len(), 64);
    let mut out = Vec::new();
    store::export::alerts_json(s, &AlertFilter::default(), &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v[0]["events"][1]["kind"], "decision");
}

/// Two processes record at once, half of their requests the same (re-deliveries).
fn two_processes_write_at_once(db: &TestDb) {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|w| {
            std::process::Command::new(&exe)
                .args(["child_writer", "--exact", "--nocapture", "--test-threads=1"])
                .env("WL_CHILD_LOCATION", &db.location)
                .env("WL_CHILD_SCHEMA", db.schema.clone().unwrap_or_default())
                .env("WL_CHILD_WORKER", w.to_string())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let (keys, pairs) = expected_writes();
    assert_eq!(db.count("screenings") as usize, keys.len());
    let dup = db.query(
        "SELECT identity, entity_id, COUNT(*) FROM alerts GROUP BY identity, entity_id HAVING COUNT(*) > 1",
    );
    assert!(dup.is_empty(), "duplicated alerts: {dup:?}");
    assert_eq!(db.count("alerts") as usize, pairs.len());
    let s = db.store();
    for c in Chain::ALL {
        assert!(s.verify(c).unwrap().ok());
    }
}

const CHILD_REQUESTS: usize = 60;

/// The request `i` of worker `w`: even requests are shared by both workers.
fn child_request(w: usize, i: usize) -> NewScreening {
    let mut s = screening(
        &format!("Party {}", i % 15),
        vec![hit(&format!("x:{}", i % 4), "LISTED", 0.9)],
    );
    s.identity = Some(format!("cust-{}", i % 15));
    s.idempotency_key = Some(if i.is_multiple_of(2) {
        format!("shared-{i}")
    } else {
        format!("w{w}-{i}")
    });
    s.snapshot = format!("snap-{i}");
    s
}

fn expected_writes() -> (BTreeSet<String>, BTreeSet<(String, String)>) {
    let mut keys = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    for w in 0..2 {
        for i in 0..CHILD_REQUESTS {
            let r = child_request(w, i);
            keys.insert(r.idempotency_key.clone().unwrap());
            pairs.insert((r.identity.unwrap(), r.results[0].entity_id.clone()));
        }
    }
    (keys, pairs)
}

/// The writer process of [`two_processes_write_at_once`] (does nothing when run as a test).
#[test]
fn child_writer() {
    let Ok(location) = std::env::var("WL_CHILD_LOCATION") else {
        return;
    };
    let schema = std::env::var("WL_CHILD_SCHEMA").unwrap();
    let w: usize = std::env::var("WL_CHILD_WORKER").unwrap().parse().unwrap();
    let s: Box<dyn Store> = if schema.is_empty() {
        store::open(&store::Location::Sqlite(location.into())).unwrap()
    } else {
        Box::new(
            store::SqlStore::new(
                store::postgres::Postgres::connect(&location, Some(&schema)).unwrap(),
            )
            .unwrap(),
        )
    };
    for i in 0..CHILD_REQUESTS {
        s.record(&[child_request(w, i)]).unwrap();
    }
}

on_both_backends!(
    migrations_run_once_and_refuse_a_newer_schema,
    a_screening_is_stored_with_its_explanations,
    a_redelivered_request_opens_no_second_alert,
    one_open_alert_per_identity_and_entity,
    closing_a_true_match_needs_a_second_reviewer,
    reviewers_who_disagree_escalate,
    a_whitelisted_false_positive_holds_until_the_entity_changes,
    the_chain_finds_edits_deletions_and_a_cut_tail,
    monitored_records_are_upserted_by_key,
    removals_and_changes_are_noted_on_open_alerts,
    the_cursor_moves_with_a_finished_run,
    exports_are_safe_for_spreadsheets,
    two_processes_write_at_once,
);
