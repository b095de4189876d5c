//! Documents, payments, rosters and the audit trail through the HTTP API, against a real
//! server on a loopback port over the real UN and OFAC SDN lists imported from ../shared.

mod common;

use common::{read, shared, shared_data_dir, TestServer};
use serde_json::{json, Value};
use server::auth::{KeyStore, Role};
use std::time::{Duration, Instant};

const ARTICLE: &str = "PYONGYANG/KYIV (wire) — Documents seen by reporters show that Korea \
Ryonbong General Corporation, the defence conglomerate, shipped machine parts through a \
trading house to a depot in Makiivka last spring. The shipment was paid in cash.";

/// The part of `text` between the byte offsets of a finding.
fn at<'a>(text: &'a str, v: &Value) -> &'a str {
    &text[v["start"].as_u64().unwrap() as usize..v["end"].as_u64().unwrap() as usize]
}

fn mention<'a>(body: &'a Value, entity: &str) -> &'a Value {
    body["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity_id"] == entity)
        .unwrap_or_else(|| panic!("{entity} not mentioned: {body:#}"))
}

#[test]
fn scan_of_an_article_finds_the_entity_and_the_region() {
    let s = shared();
    let (status, body) = s.post("/v1/scan", &json!({"text": ARTICLE}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["format"], "text");
    let m = mention(&body, "un_sc:KPe.002");
    assert_eq!(at(ARTICLE, m), "Korea Ryonbong General Corporation");
    assert_eq!(m["text"], at(ARTICLE, m));
    assert_eq!(m["caption"], "KOREA RYONBONG GENERAL CORPORATION");
    assert!(m["score"].as_f64().unwrap() > 0.95);
    assert!(!m["explanation"]["tokens"].as_array().unwrap().is_empty());
    assert!(!m["summary"].as_array().unwrap().is_empty());
    // the same entity on OFAC's list
    mention(&body, "us_ofac_sdn:9347");
    let region = body["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "region:ua-dpr")
        .unwrap_or_else(|| panic!("no region hit: {body:#}"));
    assert_eq!(at(ARTICLE, region), "Makiivka");
    assert_eq!(region["severity"], "hit");
    assert!(!region["why"].as_str().unwrap().is_empty());

    // the document as the body itself, with options as query parameters
    let (status, body) = s.post_raw(
        "/v1/scan?lists=us_ofac_sdn&regions=false",
        "text/plain; charset=utf-8",
        ARTICLE.as_bytes().to_vec(),
        &[],
    );
    assert_eq!(status, 200, "{body}");
    let mentions = body["mentions"].as_array().unwrap();
    assert!(!mentions.is_empty() && mentions.iter().all(|m| m["list"] == "us_ofac_sdn"));
    assert!(body["regions"].as_array().unwrap().is_empty());
}

#[test]
fn scan_reads_html_with_offsets_into_the_html_and_refuses_binary() {
    let s = shared();
    let html = "<!doctype html><html><head><script>var x = 'Korea Ryonbong General Corporation';</script></head>\
<body><p>A shipment for <b>Korea Ryonbong</b> General Corporation reached Makiivka.</p></body></html>";
    let (status, body) = s.post_raw("/v1/scan", "text/html", html.as_bytes().to_vec(), &[]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["format"], "html");
    let ms: Vec<&Value> = body["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["entity_id"] == "un_sc:KPe.002")
        .collect();
    // once: the script is not text
    assert_eq!(ms.len(), 1, "{body:#}");
    assert_eq!(at(html, ms[0]), "Korea Ryonbong</b> General Corporation");
    let (status, body) = s.post_raw(
        "/v1/scan",
        "text/plain",
        b"Korea Ryonbong\0General".to_vec(),
        &[],
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("binary_input"))
    );
    let (status, body) = s.post("/v1/scan", &json!({"text": "x", "lists": ["no_such_list"]}));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("unknown_list"))
    );
}

fn payments(rel: &str) -> String {
    let p = sources::shared_dir_for_tests()
        .join("data/payments")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn payments_are_screened_field_by_field() {
    let s = shared();
    // a real Fedwire sample as published: parsed, every party screened
    let real = payments("pacs008/CustomerCreditTransfer_Scenario5_Step1_pacs.008");
    let (status, body) = s.post_raw(
        "/v1/screen/payment",
        "application/xml",
        real.clone().into_bytes(),
        &[],
    );
    assert_eq!(status, 200, "{body}");
    let msg = &body["messages"][0];
    assert_eq!(msg["format"], "pacs.008.001.08");
    assert_eq!(msg["reference"], "20250310B1QDRCQR000005");
    assert!(msg["parties"].as_u64().unwrap() >= 4, "{msg}");

    // the same message paying a listed company
    let bad = real.replacen(
        "<Nm>Corporation Y</Nm>",
        "<Nm>Korea Ryonbong General Corporation</Nm>",
        1,
    );
    assert_ne!(bad, real);
    let (status, body) = s.post_raw(
        "/v1/screen/payment",
        "application/xml",
        bad.into_bytes(),
        &[],
    );
    assert_eq!(status, 200, "{body}");
    let hits = body["messages"][0]["hits"].as_array().unwrap();
    let hit = hits
        .iter()
        .find(|h| h["entity"]["entity_id"] == "un_sc:KPe.002")
        .unwrap_or_else(|| panic!("no hit on the creditor: {hits:#?}"));
    assert_eq!(hit["field"], "CdtTrfTxInf[1]/Cdtr/Nm");
    assert_eq!(hit["kind"], "name");
    assert_eq!(hit["role"], "creditor");
    assert!(hit["entity"]["explanation"].is_object());

    // SWIFT MT101 (a real prowide sample) with a listed beneficiary in :59: of sequence B
    let mt = payments("mt103/MT101.fin").replacen(
        "CASH CUSTOMER I",
        "KOREA RYONBONG GENERAL CORPORATION",
        1,
    );
    let (status, body) = s.post_raw("/v1/screen/payment", "text/plain", mt.into_bytes(), &[]);
    assert_eq!(status, 200, "{body}");
    let hits = body["messages"][0]["hits"].as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["field"] == "B1/:59:" && h["entity"]["entity_id"] == "un_sc:KPe.002"),
        "{hits:#?}"
    );
}

#[test]
fn a_malformed_payment_is_a_400_with_its_position() {
    let s = shared();
    let real = payments("pacs008/CustomerCreditTransfer_Scenario5_Step1_pacs.008");
    // an end tag that does not close the open element, on line 4
    let broken = real.replacen("</MsgId>", "</MsgIdX>", 1);
    let (status, body) = s.post_raw(
        "/v1/screen/payment",
        "application/xml",
        broken.into_bytes(),
        &[],
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_message");
    assert_eq!(body["error"]["position"]["line"], 4, "{body}");
    // entity definitions are refused
    let xxe = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n{}",
        real.replacen("<Nm>Corporation Y</Nm>", "<Nm>&x;</Nm>", 1)
    );
    let (status, body) = s.post_raw(
        "/v1/screen/payment",
        "application/xml",
        xxe.into_bytes(),
        &[],
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_message")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("doctype"),
        "{body}"
    );
    assert!(!body.to_string().contains("root:"));
    let (status, body) = s.post_raw("/v1/screen/payment", "text/plain", b"hello".to_vec(), &[]);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("unknown_format"))
    );
}

/// Polls a job until it has finished.
fn finished_job(s: &TestServer, location: &str, auth: &[(&str, &str)]) -> Value {
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let mut req = s.agent.get(&s.url(location));
        for (k, v) in auth {
            req = req.header(*k, *v);
        }
        let (status, job) = read(req.call());
        assert_eq!(status, 200, "{job}");
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        assert!(Instant::now() < until, "the job did not finish: {job}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

const ROSTER: &str = "Worker No;Full Name;Birth Date;Citizenship;Employer;Work Address\n\
W-1;Ri Won Ho;1964-07-17;KP;;Pyongyang\n\
W-2;Jonathan Appleseed-Smithers;1980-01-01;GB;Acme Ltd;London, United Kingdom\n\
W-3;;1990-01-01;KP;;\n\
W-4;Kim Chol;1985-03-03;KP;Stroy LLC;Vladivostok, Russia\n\
W-5;Too;Few\n";

#[test]
fn a_batch_job_reports_hits_and_bad_rows() {
    let s = shared();
    let (status, body) = s.post_raw(
        "/v1/screen/batch?map=id%3DWorker%20No,name%3DFull%20Name,dob%3DBirth%20Date,nationality%3DCitizenship",
        "text/csv",
        ROSTER.as_bytes().to_vec(),
        &[],
    );
    assert_eq!(status, 202, "{body}");
    let location = body["location"].as_str().unwrap().to_string();
    assert!(location.starts_with("/v1/screen/batch/"));
    let job = finished_job(s, &location, &[]);
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["rows"]["total"], 5, "{job}");
    assert_eq!(job["rows"]["done"], 5);
    assert_eq!(job["rows"]["screened"], 3);
    assert_eq!(job["rows"]["bad"], 2);
    let bad: Vec<(u64, u64)> = job["bad_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["row"].as_u64().unwrap(), b["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(bad, vec![(3, 4), (5, 6)], "{job}");
    let hits = job["hits"].as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["id"] == "W-1" && h["kind"] == "list" && h["match"] == "un_sc:KPi.033"),
        "{hits:#?}"
    );
    // a DPRK national working in Russia: the UNSCR 2397 rule
    assert!(
        hits.iter().any(|h| h["id"] == "W-4" && h["kind"] == "rule"),
        "{hits:#?}"
    );
    assert!(!hits.iter().any(|h| h["id"] == "W-2"), "{hits:#?}");
    // the hits as CSV, with the CLI's columns
    let (status, csv) = s.get_text(&format!("{location}/hits?format=csv"));
    assert_eq!(status, 200);
    assert!(csv.starts_with("row,line,id,name,kind,field,match,score,caption,severity,detail\n"));
    assert!(csv.contains("un_sc:KPi.033"));

    // JSON lines in a JSON request with the mapping as an object
    let jsonl = "{\"who\": \"Ri Won Ho\", \"born\": \"1964-07-17\"}\n{\"who\": \"Ri Won Ho\", \"born\": \"1964-07-32\"}\n{\"who\": \"cut short\n";
    let (status, body) = s.post(
        "/v1/screen/batch",
        &json!({"data": jsonl, "map": {"name": "who", "dob": "born"}}),
    );
    assert_eq!(status, 202, "{body}");
    let job = finished_job(s, body["location"].as_str().unwrap(), &[]);
    assert_eq!(
        (
            job["rows"]["screened"].as_u64(),
            job["rows"]["bad"].as_u64()
        ),
        (Some(2), Some(1)),
        "{job}"
    );
    // the row with a day that does not exist is screened on the rest, with a warning
    assert_eq!(job["rows"]["warned"], 1, "{job}");
    assert_eq!(job["warned_rows"][0]["row"], 2, "{job}");
    assert!(
        job["warned_rows"][0]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("birth_date"),
        "{job}"
    );
    // a roster without a name column is refused at once
    let (status, body) = s.post_raw("/v1/screen/batch", "text/csv", b"a,b\n1,2\n".to_vec(), &[]);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_roster")),
        "{body}"
    );
    let (status, _) = s.get("/v1/screen/batch/0000");
    assert_eq!(status, 404);
}

/// A recording server over the shared lists, with a SQLite store and three keys.
struct Recording {
    server: TestServer,
    alice: String,
    bob: String,
    reader: String,
    _dir: tempfile::TempDir,
}

fn recording_server() -> Recording {
    let dir = tempfile::tempdir().unwrap();
    let keys_file = dir.path().join("keys.json");
    let mut keys = KeyStore::load(&keys_file).unwrap();
    let alice = keys.add("alice", Role::Write).unwrap();
    let bob = keys.add("bob", Role::Write).unwrap();
    let reader = keys.add("reader", Role::Read).unwrap();
    let db = dir.path().join("audit.db").display().to_string();
    let server = TestServer::over(shared_data_dir(), |o| {
        o.keys_file = Some(keys_file);
        o.database = Some(db);
        o.record = true;
    });
    Recording {
        server,
        alice,
        bob,
        reader,
        _dir: dir,
    }
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

#[test]
fn recorded_screenings_open_alerts_decided_with_four_eyes() {
    let r = recording_server();
    let s = &r.server;
    let alice = bearer(&r.alice);
    let query = json!({"queries": {"c-1": {"schema": "Person", "properties": {"name": ["Ri Won Ho"], "birthDate": ["1964-07-17"]}}}});
    let body = serde_json::to_vec(&query).unwrap();
    let send = || {
        s.post_raw(
            "/v1/match",
            "application/json",
            body.clone(),
            &[("Authorization", &alice), ("Idempotency-Key", "req-1")],
        )
    };
    let (status, first) = send();
    assert_eq!(status, 200, "{first}");
    let rec = &first["responses"]["c-1"]["recorded"];
    assert_eq!(rec["duplicate"], false, "{first}");
    assert_eq!(rec["idempotency_key"], "req-1:c-1");
    let opened: Vec<i64> = rec["alerts_opened"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert!(!opened.is_empty(), "{first}");
    // re-delivered: the first record, no second alert
    let (_, again) = send();
    let rec2 = &again["responses"]["c-1"]["recorded"];
    assert_eq!(rec2["duplicate"], true);
    assert_eq!(rec2["seq"], rec["seq"]);

    // a scanned document and a payment are recorded too
    let (status, doc) = s.post_raw(
        "/v1/scan?identity=article-17",
        "text/plain",
        ARTICLE.as_bytes().to_vec(),
        &[("Authorization", &alice)],
    );
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["recorded"]["identity"], "article-17");
    assert!(!doc["recorded"]["alerts_opened"]
        .as_array()
        .unwrap()
        .is_empty());

    // so are payments (one record per message) and roster rows (one per row)
    let mt = payments("mt103/MT101.fin").replacen(
        "CASH CUSTOMER I",
        "KOREA RYONBONG GENERAL CORPORATION",
        1,
    );
    let (status, pay) = s.post_raw(
        "/v1/screen/payment",
        "text/plain",
        mt.into_bytes(),
        &[("Authorization", &alice), ("Idempotency-Key", "pay-1")],
    );
    assert_eq!(status, 200, "{pay}");
    let rec = &pay["messages"][0]["recorded"];
    assert_eq!(rec["identity"], "payment:DG942_171206-004", "{pay}");
    assert_eq!(rec["idempotency_key"], "pay-1");
    assert!(
        !rec["alerts_opened"].as_array().unwrap().is_empty(),
        "{pay}"
    );
    let (status, body) = s.post_raw(
        "/v1/screen/batch?map=id%3DWorker%20No,name%3DFull%20Name,dob%3DBirth%20Date,nationality%3DCitizenship",
        "text/csv",
        ROSTER.as_bytes().to_vec(),
        &[("Authorization", &alice)],
    );
    assert_eq!(status, 202, "{body}");
    let job = finished_job(s, body["location"].as_str().unwrap(), &[]);
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["recorded"]["screenings"], 3, "{job}");
    assert!(
        job["recorded"]["alerts_opened"].as_u64().unwrap() >= 1,
        "{job}"
    );

    // the queue holds the alert; reading it needs no write key
    let get = |path: &str, key: &str| {
        read(
            s.agent
                .get(&s.url(path))
                .header("Authorization", bearer(key))
                .call(),
        )
    };
    // alerts hold screened names: reading them needs a key even without --require-key
    let (status, body) = read(s.agent.get(&s.url("/v1/alerts")).call());
    assert_eq!(status, 401, "{body}");
    let (status, list) = get("/v1/alerts?status=open&limit=50", &r.reader);
    assert_eq!(status, 200, "{list}");
    let alert_id = list["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["entity_id"] == "un_sc:KPi.033" && a["identity"] != "W-1")
        .unwrap_or_else(|| panic!("no alert on Ri Won Ho: {list:#}"))["id"]
        .as_i64()
        .unwrap();
    assert!(opened.contains(&alert_id));
    let (status, case) = get(&format!("/v1/alerts/{alert_id}"), &r.reader);
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["input"]["query"]["names"], json!(["Ri Won Ho"]));
    assert_eq!(case["entity"]["id"], "un_sc:KPi.033");
    assert_eq!(case["screening"]["actor"], "alice");
    assert!(case["result"]["explanation"]["tokens"].is_array());
    assert!(!case["result"]["summary"].as_array().unwrap().is_empty());
    assert_eq!(case["events"][0]["kind"], "opened");

    let decide = |key: &str, decision: &str| {
        s.post_raw(
            &format!("/v1/alerts/{alert_id}/decision"),
            "application/json",
            serde_json::to_vec(
                &json!({"decision": decision, "note": "passport copy and date of birth agree"}),
            )
            .unwrap(),
            &[("Authorization", &bearer(key))],
        )
    };
    // a read key may not decide
    let (status, body) = decide(&r.reader, "true_match");
    assert_eq!(status, 403, "{body}");
    let (status, body) = decide(&r.alice, "true_match");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["alert"]["status"], "pending_second_review");
    assert_eq!(body["reviewer"], "alice");
    // four eyes: the same reviewer cannot close it
    let (status, body) = decide(&r.alice, "true_match");
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("refused")),
        "{body}"
    );
    let bob = bearer(&r.bob);
    let confirm = || {
        s.post_raw(
            &format!("/v1/alerts/{alert_id}/decision"),
            "application/json",
            serde_json::to_vec(&json!({"decision": "true_match", "note": "confirmed"})).unwrap(),
            &[("Authorization", &bob), ("Idempotency-Key", "decision-7")],
        )
    };
    let (status, body) = confirm();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["alert"]["status"], "closed");
    assert_eq!(body["alert"]["disposition"], "true_match");
    // a retried request gets the first answer, not a refusal of a decision on a closed alert
    let (status, again) = confirm();
    assert_eq!((status, &again), (200, &body));
    let (_, case) = get(&format!("/v1/alerts/{alert_id}"), &r.reader);
    let deciders: Vec<&str> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "decision")
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(deciders, vec!["alice", "bob"]);
}
