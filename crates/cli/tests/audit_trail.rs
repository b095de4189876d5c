//! The audit trail through the real binary, on SQLite (the data directory's `watchlist.db`)
//! and on PostgreSQL (`--database`, a schema per test): monitored records, the update of
//! 2024-02-23 opening exactly the expected alerts, four-eyes review, `audit verify`,
//! spreadsheet-safe export, `screen --record`; `kill -9` during a monitored batch, a recorded
//! `watchlist batch` and an update losing nothing and resuming; an unreachable or lost
//! database refusing to go on without recording.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where the store is for one test.
struct Db {
    env: Vec<(String, String)>,
    schema: Option<String>,
    app: String,
}

impl Db {
    fn sqlite() -> Db {
        Db {
            env: Vec::new(),
            schema: None,
            app: String::new(),
        }
    }

    fn postgres() -> Db {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = format!("wl_cli_{}_{n}_{nanos}", std::process::id());
        let app = format!("wltest{}x{n}", std::process::id());
        let base = std::env::var("WATCHLIST_TEST_DATABASE")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
        let sep = if base.contains('?') { '&' } else { '?' };
        Db {
            env: vec![
                (
                    "WATCHLIST_DATABASE".into(),
                    format!("{base}{sep}application_name={app}"),
                ),
                ("WATCHLIST_DB_SCHEMA".into(), schema.clone()),
            ],
            schema: Some(schema),
            app,
        }
    }

    fn command(&self, data: &Path) -> Command {
        let mut c = command(data);
        c.env_remove("WATCHLIST_DATABASE")
            .env_remove("WATCHLIST_DB_SCHEMA")
            .env("USER", "tester");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    fn run(&self, data: &Path, args: &[&str]) -> Run {
        let out = self.command(data).args(args).output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The store, opened directly (to watch another process's progress).
    fn open(&self, data: &Path) -> Box<dyn store::Store> {
        match &self.schema {
            None => store::open(&store::Location::Sqlite(data.join(store::SQLITE_FILE))).unwrap(),
            Some(schema) => Box::new(
                store::SqlStore::new(
                    store::postgres::Postgres::connect(&self.env[0].1, Some(schema)).unwrap(),
                )
                .unwrap(),
            ),
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(s) = &self.schema {
            let _ = Command::new("psql")
                .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc"])
                .arg(format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn day(d: &str) -> String {
    list_dir("us_ofac_sdn_history")
        .join(d)
        .display()
        .to_string()
}

/// Customers: three designated on 2024-02-23, one whose entry changed that day, one listed
/// long before, ordinary people; and a name that would run as a spreadsheet formula.
const CUSTOMERS: &str = "\
customer_id,full_name,type,dob,country
c01,Mikhail Yuryevich Chepurnoi,Person,1970-02-26,
c02,HD Parts Oy,Organization,,
c04,Boldrex,Organization,,
c06,Batu Sergeyevich Khasikov,Person,,
c07,Mansudae Overseas Project Group of Companies,Organization,,
c08,Jennifer L. McClellan,Person,1972,us
c09,=HYPERLINK(\"http://example.invalid\"),Person,,
";

fn write_customers(dir: &Path) -> PathBuf {
    let p = dir.join("customers.csv");
    std::fs::write(&p, CUSTOMERS).unwrap();
    p
}

fn alert_pairs(db: &Db, data: &Path) -> BTreeSet<(String, String)> {
    let v = db
        .run(
            data,
            &["--format", "json", "alerts", "list", "--status", "all"],
        )
        .ok()
        .json();
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["identity"].as_str().unwrap().to_string(),
                a["entity_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    p.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn the_update_alerts_and_the_review_is_audited(db: &Db) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    db.run(&data, &["import", &day("2024-02-20")]).ok();
    let file = write_customers(tmp.path());
    let add = db
        .run(&data, &["monitor", "add", &file.display().to_string()])
        .ok();
    assert!(add.stdout.contains("7 record(s) read"), "{}", add.stdout);
    // before the update only the long-listed parties alert
    let before = pairs(&[("c06", "us_ofac_sdn:41021"), ("c07", "us_ofac_sdn:20578")]);
    assert_eq!(alert_pairs(db, &data), before);

    let up = db.run(&data, &["import", &day("2024-02-23")]).ok();
    assert!(
        up.stdout.contains("553 added, 0 removed, 8 changed"),
        "{}",
        up.stdout
    );
    assert!(up.stdout.contains("3 alert(s) opened"), "{}", up.stdout);
    let mut after = before.clone();
    after.extend(pairs(&[
        ("c01", "us_ofac_sdn:47536"),
        ("c02", "us_ofac_sdn:47199"),
        ("c04", "us_ofac_sdn:47408"),
    ]));
    // c04 "Boldrex" opened too: three new designations in all
    assert_eq!(alert_pairs(db, &data), after);
    // the changed entry's open alert carries a note
    let list = db
        .run(
            &data,
            &["--format", "json", "alerts", "list", "--identity", "c06"],
        )
        .ok()
        .json();
    let id = list[0]["id"].as_i64().unwrap().to_string();
    let show = db
        .run(&data, &["--format", "json", "alerts", "show", &id])
        .ok()
        .json();
    let kinds: Vec<&str> = show["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"entity_changed"), "{kinds:?}");
    assert_eq!(
        show["entity"]["names"][0]["value"],
        "KHASIKOV, Batu Sergeyevich"
    );
    let text = db.run(&data, &["alerts", "show", &id]).ok().stdout;
    assert!(
        text.contains("INPUT c06") && text.contains("LISTED us_ofac_sdn:41021"),
        "{text}"
    );

    // four eyes
    let c01 = db
        .run(
            &data,
            &["--format", "json", "alerts", "list", "--identity", "c01"],
        )
        .ok()
        .json()[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let decide = |who: &str, what: &str| {
        db.run(
            &data,
            &[
                "alerts",
                "decide",
                &c01,
                what,
                "--note",
                "passport checked",
                "--reviewer",
                who,
            ],
        )
    };
    let first = decide("ann", "true_match").ok();
    assert!(
        first.stdout.contains("awaits a second reviewer"),
        "{}",
        first.stdout
    );
    let again = decide("ann", "true_match").expect(2);
    assert!(again.stderr.contains("four-eyes"), "{}", again.stderr);
    decide("bob", "true_match").ok();
    let no_note = db.run(
        &data,
        &["alerts", "decide", &id, "false_positive", "--note", ""],
    );
    assert_eq!(no_note.code, 2, "{}", no_note.stderr);

    // audit verify, export
    let v = db
        .run(&data, &["--format", "json", "audit", "verify"])
        .ok()
        .json();
    assert_eq!(v[0]["broken"], Value::Null);
    assert!(v[0]["links"].as_u64().unwrap() >= 8);
    let csv = db
        .run(&data, &["--format", "csv", "export", "screenings"])
        .ok()
        .stdout;
    assert!(csv.contains("'=HYPERLINK"), "formula escaped");
    assert!(!csv.lines().any(|l| l.starts_with('=')));
    let alerts_csv = db.run(&data, &["export", "alerts"]).ok().stdout;
    assert!(
        alerts_csv.contains("bob true_match: passport checked"),
        "{alerts_csv}"
    );

    // screen --record: a re-delivered request opens no second alert
    let args = [
        "screen",
        "--record",
        "--subject",
        "walk-in-7",
        "--idempotency-key",
        "req-1",
        "Boldrex",
    ];
    let r1 = db.run(&data, &args).ok();
    assert!(r1.stderr.contains("alert(s) opened"), "{}", r1.stderr);
    let r2 = db.run(&data, &args).ok();
    assert!(r2.stderr.contains("already recorded"), "{}", r2.stderr);
    let n = alert_pairs(db, &data).len();
    assert_eq!(n, after.len() + 1);

    // diff --format json
    let d = db.run(&data, &["--format", "json", "diff"]).ok().json();
    assert_eq!(d["lists"][0]["added"].as_array().unwrap().len(), 553);
    assert_eq!(d["lists"][0]["changed"].as_array().unwrap().len(), 8);
}

/// `n` ordinary monitored records with the customers' designated names spread among them.
fn many_customers(dir: &Path, n: usize) -> PathBuf {
    let mut s = String::from("id,name,type\n");
    for i in 0..n {
        match i % 997 {
            0 => s.push_str(&format!("x{i},HD Parts Oy,Organization\n")),
            1 => s.push_str(&format!("x{i},Boldrex,Organization\n")),
            _ => s.push_str(&format!(
                "x{i},Person{} Example{},Person\n",
                i % 211,
                i % 389
            )),
        }
    }
    let p = dir.join("many.csv");
    std::fs::write(&p, s).unwrap();
    p
}

/// The alerts [`many_customers`] opens against the 2024-02-23 lists: every 997th customer is
/// HD Parts Oy, the one after it Boldrex (both designated that day).
fn many_customers_alerts(n: usize) -> BTreeSet<(String, String)> {
    (0..n)
        .filter_map(|i| match i % 997 {
            0 => Some((format!("x{i}"), "us_ofac_sdn:47199".to_string())),
            1 => Some((format!("x{i}"), "us_ofac_sdn:47408".to_string())),
            _ => None,
        })
        .collect()
}

/// Polls until `done` or the timeout.
fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let t = Instant::now();
    while !done() {
        assert!(t.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn screenings(db: &Db, data: &Path) -> usize {
    let s = db.open(data);
    let mut n = 0;
    let mut after = 0;
    loop {
        let page = s.screenings(after, 1000).unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        n += page.len();
    }
    n
}

fn kill_during_a_monitored_batch_loses_nothing(db: &Db) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    db.run(&data, &["import", &day("2024-02-23")]).ok();
    let file = many_customers(tmp.path(), 3000);
    let file = file.display().to_string();
    let mut child = db
        .command(&data)
        .args(["monitor", "add", &file])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // the first chunk of 1000 screenings is committed: kill the process in the middle
    wait_for(
        "the first committed chunk",
        Duration::from_secs(300),
        || screenings(db, &data) > 0,
    );
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let committed = screenings(db, &data);
    assert!(
        committed > 0 && committed.is_multiple_of(1000),
        "whole chunks only: {committed}"
    );
    db.run(&data, &["audit", "verify"]).ok();
    // run again: the rest is screened, nothing twice
    db.run(&data, &["monitor", "add", &file]).ok();
    assert_eq!(screenings(db, &data), 3000);
    let alerts = alert_pairs(db, &data);
    assert_eq!(alerts, many_customers_alerts(3000));
    db.run(&data, &["audit", "verify"]).ok();
    let again = db.run(&data, &["monitor", "rescreen"]).ok();
    assert!(again.stdout.contains("up to date"), "{}", again.stdout);
}

/// `kill -9` in the middle of `watchlist batch --record`: the committed chunks stay, and the
/// same batch run again records only the rest (its rows are keyed by the roster's content).
fn kill_during_a_recorded_batch_loses_nothing(db: &Db) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    db.run(&data, &["import", &day("2024-02-23")]).ok();
    let rows = 10_000;
    let file = many_customers(tmp.path(), rows);
    let file = file.display().to_string();
    let args = [
        "batch",
        &file,
        "--map",
        "id=id,name=name,kind=type",
        "--record",
        "--output",
        "/dev/null",
    ];
    let mut child = db
        .command(&data)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(
        "the first committed chunk",
        Duration::from_secs(300),
        || screenings(db, &data) > 0,
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let committed = screenings(db, &data);
    // one transaction per screening chunk of 4,096 rows
    assert!(
        committed > 0 && committed < rows && committed.is_multiple_of(4096),
        "whole chunks only: {committed}"
    );
    db.run(&data, &["audit", "verify"]).ok();
    let again = db.run(&data, &args).ok();
    assert!(
        again.stderr.contains(&format!(
            "recorded: {} screenings, {committed} already recorded",
            rows - committed
        )),
        "{}",
        again.stderr
    );
    assert_eq!(screenings(db, &data), rows);
    assert_eq!(alert_pairs(db, &data), many_customers_alerts(rows));
    db.run(&data, &["audit", "verify"]).ok();
}

fn kill_during_an_update_resumes(db: &Db) {
    kill_update(db, 0);
}

fn kill_later_during_an_update_resumes(db: &Db) {
    kill_update(db, 1);
}

/// Kills `import` of 2024-02-23 as soon as its snapshot is in service (phase 0: index build
/// or rescreen) or a little later (phase 1: rescreen), then resumes.
fn kill_update(db: &Db, phase: u32) {
    {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        db.run(&data, &["import", &day("2024-02-20")]).ok();
        let old = std::fs::read_to_string(data.join("CURRENT")).unwrap();
        let file = many_customers(tmp.path(), 20_000);
        db.run(
            &data,
            &["monitor", "add", "--no-screen", &file.display().to_string()],
        )
        .ok();
        let mut child = db
            .command(&data)
            .args(["import", &day("2024-02-23")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // phase 0: as soon as the new snapshot is in service (index build or rescreen);
        // phase 1: a little later (rescreen)
        wait_for("the new snapshot", Duration::from_secs(300), || {
            std::fs::read_to_string(data.join("CURRENT")).is_ok_and(|c| c != old)
        });
        std::thread::sleep(Duration::from_millis(if phase == 0 { 50 } else { 2500 }));
        child.kill().unwrap();
        child.wait().unwrap();
        // the data directory is whole: one snapshot or the other is in service
        let lists = db.run(&data, &["--format", "json", "lists"]).ok().json();
        assert!(lists.to_string().contains("us_ofac_sdn"));
        db.run(&data, &["audit", "verify"]).ok();
        // a restart resumes
        let r = db.run(&data, &["monitor", "rescreen"]).ok();
        assert!(
            r.stdout.contains("rescreened") || r.stdout.contains("up to date"),
            "{}",
            r.stdout
        );
        let want: BTreeSet<(String, String)> = (0..20_000)
            .filter_map(|i| match i % 997 {
                0 => Some((format!("x{i}"), "us_ofac_sdn:47199".to_string())),
                1 => Some((format!("x{i}"), "us_ofac_sdn:47408".to_string())),
                _ => None,
            })
            .collect();
        assert_eq!(alert_pairs(db, &data), want, "phase {phase}");
        db.run(&data, &["audit", "verify"]).ok();
    }
}

#[test]
fn an_unreachable_database_refuses_to_screen_unrecorded() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    import(&data, &["us_ofac_sdn"]);
    let r = wl(
        &data,
        &[
            "--database",
            "postgres://nobody@127.0.0.1:1/none?connect_timeout=2",
            "screen",
            "--record",
            "Boldrex",
        ],
    )
    .expect(1);
    assert!(r.stderr.contains("database unavailable"), "{}", r.stderr);
    assert!(r.stderr.contains("127.0.0.1:1/none"), "{}", r.stderr);
    assert!(
        r.stdout.is_empty(),
        "no results without recording: {}",
        r.stdout
    );
    // without --record, screening needs no database
    wl(
        &data,
        &[
            "--database",
            "postgres://nobody@127.0.0.1:1/none",
            "screen",
            "Boldrex",
        ],
    )
    .ok();
}

/// PostgreSQL goes away in the middle of a monitored batch: the command stops with a clear
/// error, what was committed stays, and a rerun finishes without duplicates.
#[test]
fn a_database_lost_mid_run_stops_the_batch() {
    let db = Db::postgres();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    db.run(&data, &["import", &day("2024-02-23")]).ok();
    let file = many_customers(tmp.path(), 3000).display().to_string();
    let child = db
        .command(&data)
        .args(["monitor", "add", &file])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(
        "the first committed chunk",
        Duration::from_secs(300),
        || screenings(&db, &data) > 0,
    );
    let kill = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qAtc"])
        .arg(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{}'",
            db.app
        ))
        .output()
        .unwrap();
    assert!(kill.status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        // the batch had committed its last chunk before the connection was cut
        assert_eq!(screenings(&db, &data), 3000);
    } else {
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("database unavailable"), "{stderr}");
        assert!(stderr.contains("run the command again"), "{stderr}");
        db.run(&data, &["monitor", "add", &file]).ok();
    }
    assert_eq!(screenings(&db, &data), 3000);
    db.run(&data, &["audit", "verify"]).ok();
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&super::Db::sqlite()); } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(&super::Db::postgres()); } )*
        }
    };
}

on_both_backends!(
    the_update_alerts_and_the_review_is_audited,
    kill_during_a_monitored_batch_loses_nothing,
    kill_during_a_recorded_batch_loses_nothing,
    kill_during_an_update_resumes,
    kill_later_during_an_update_resumes,
);
