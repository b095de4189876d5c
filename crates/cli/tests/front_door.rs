//! One front door: every entry point opens the same engine (with the analysts' overlays) and
//! reads queries through the one conversion, so an overlay name is found by all of them and
//! an untidy secondary field never drops a query. The real binary on the real lists.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;

fn with_lists() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), &["un_sc", "us_ofac_sdn"]);
    dir
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

const OVERLAY_NAME: &str = "Ministry of Social Security";
const OVERLAY_TARGET: &str = "us_ofac_sdn:20118";

/// A running `watchlist serve` on a free loopback port, stopped on drop.
struct Server {
    child: std::process::Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = command(data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // the server is killed and waited for when `Server` is dropped, also on a panic below
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let agent = ureq::Agent::new_with_defaults();
    for _ in 0..600 {
        if agent
            .get(format!("{}/readyz", server.base))
            .call()
            .is_ok_and(|r| r.status() == 200)
        {
            return server;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("watchlist serve did not become ready");
}

fn post(url: &str, body: Value) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent.post(url).send_json(&body).unwrap();
    assert_eq!(r.status(), 200, "{url}");
    r.body_mut().read_json().unwrap()
}

#[test]
fn an_overlay_name_is_found_the_same_way_by_every_entry_point() {
    let dir = with_lists();
    let d = dir.path();
    let ov = d.join("overlays");
    std::fs::create_dir_all(&ov).unwrap();
    std::fs::write(
        ov.join("renamings.csv"),
        format!("# watchlist custom list v1\n# list: analyst_overlay\nid,name,same_as,source\nA-1,{OVERLAY_NAME},{OVERLAY_TARGET},Analyst: later name\n"),
    )
    .unwrap();

    // screen
    let v = wl(d, &["screen", OVERLAY_NAME, "--format", "json"])
        .ok()
        .json();
    assert_eq!(v[0]["entity_id"], OVERLAY_TARGET, "screen: {v}");
    let score = v[0]["score"].as_f64().unwrap();
    assert_eq!(score, 1.0);

    // match
    let r = wl_stdin(
        d,
        &["match"],
        &format!("{{\"id\": \"q1\", \"name\": \"{OVERLAY_NAME}\"}}\n"),
    )
    .ok();
    let m = &json_lines(&r.stdout)[0]["matches"][0];
    assert_eq!(
        (m["list"].as_str(), m["list_id"].as_str()),
        (Some("us_ofac_sdn"), Some("20118")),
        "match: {m}"
    );
    assert_eq!(m["score"].as_f64().unwrap(), score);

    // scan
    let text = d.join("t.txt");
    std::fs::write(
        &text,
        format!("Recruitment ran through the {OVERLAY_NAME}."),
    )
    .unwrap();
    let v = wl(d, &["scan", text.to_str().unwrap(), "--format", "json"])
        .ok()
        .json();
    assert_eq!(v["mentions"][0]["entity_id"], OVERLAY_TARGET, "scan: {v}");

    // payment
    let fin = d.join("p.fin");
    std::fs::write(&fin, format!("{{1:F01BANKBEBBAXXX0000000000}}{{2:I103BANKDEFFXXXXN}}{{4:\n:20:REF1\n:23B:CRED\n:32A:240701USD100,\n:50K:/DE0012345678\nBUILD GMBH\n:59:/KP0099\n{}\n:71A:SHA\n-}}", OVERLAY_NAME.to_uppercase())).unwrap();
    let v = wl(d, &["payment", fin.to_str().unwrap(), "--format", "json"])
        .ok()
        .json();
    let hits = v["messages"][0]["hits"].as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["field"] == ":59:" && h["entity"]["entity_id"] == OVERLAY_TARGET),
        "payment: {hits:#?}"
    );

    // batch
    let roster = d.join("roster.csv");
    std::fs::write(
        &roster,
        format!("id,name,kind\nR1,{OVERLAY_NAME},company\n"),
    )
    .unwrap();
    let r = wl(d, &["batch", roster.to_str().unwrap(), "--format", "jsonl"]).ok();
    assert!(r.stdout.contains(OVERLAY_TARGET), "batch: {}", r.stdout);

    // monitor
    let customers = d.join("customers.csv");
    std::fs::write(
        &customers,
        format!("id,name,schema\nC1,{OVERLAY_NAME},Organization\n"),
    )
    .unwrap();
    wl(d, &["monitor", "add", customers.to_str().unwrap()]).ok();
    let r = wl(d, &["alerts", "list", "--format", "json"]).ok();
    assert!(r.stdout.contains(OVERLAY_TARGET), "monitor: {}", r.stdout);

    // the server's native and yente endpoints
    let s = serve(d);
    let v = post(
        &format!("{}/v1/match", s.base),
        json!({"queries": {"q1": {"schema": "Organization", "properties": {"name": [OVERLAY_NAME]}}}}),
    );
    let first = &v["responses"]["q1"]["results"][0];
    assert_eq!(first["id"], OVERLAY_TARGET, "/v1/match: {v}");
    assert_eq!(first["score"].as_f64().unwrap(), score);
    let v = post(
        &format!("{}/match/default", s.base),
        json!({"queries": {"q1": {"schema": "Organization", "properties": {"name": [OVERLAY_NAME]}}}}),
    );
    let first = &v["responses"]["q1"]["results"][0];
    assert!(
        first["id"].as_str().unwrap().contains("20118"),
        "/match/default: {v}"
    );
}

#[test]
fn untidy_fields_never_drop_a_query_and_every_line_is_answered_in_order() {
    let dir = with_lists();
    let d = dir.path();
    let input = [
        r#"{"id": "a", "name": "Kim Jong Un", "birth_date": "1969-7-16"}"#,
        r#"{"id": "b", "name": "Kim Jong Un", "birth_date": "1974-02-6"}"#,
        r#"{"id": "c", "name": "Kim Jong Un", "birth_date": "1974-01-32"}"#,
        r#"{"id": "d", "name": "Kim Jong Un", "birth_date": ""}"#,
        r#"{"id": "e", "name": "Kim Jong Un", "countries": ["zz"]}"#,
        r#"{"id": "f", "name": "Kim Jong Un", "schema": "Persn"}"#,
        r#"{"id": "g", "birth_date": "1984"}"#,
        r#"not json at all"#,
        r#"{"id": "h", "name": "Kim Jong Un", "birth_date": 1984, "countries": "North Korea"}"#,
    ]
    .join("\n");
    let r = wl_stdin(d, &["match"], &input).ok();
    let lines = json_lines(&r.stdout);
    assert_eq!(lines.len(), 9, "one answer per line: {}", r.stdout);
    let ids: Vec<Value> = lines.iter().map(|l| l["id"].clone()).collect();
    assert_eq!(
        ids,
        [
            json!("a"),
            json!("b"),
            json!("c"),
            json!("d"),
            json!("e"),
            json!("f"),
            json!("g"),
            json!(8),
            json!("h")
        ]
    );
    for l in lines.iter().filter(|l| l["id"] != "g" && l["id"] != 8) {
        let found = l["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["list"] == "us_ofac_sdn" && m["list_id"] == "20157");
        assert!(found, "Kim Jong Un still screened: {l}");
    }
    for id in ["a", "c", "d", "e", "f"] {
        let l = lines.iter().find(|l| l["id"] == id).unwrap();
        assert!(
            !l["warnings"].as_array().unwrap().is_empty(),
            "{id} names what could not be used: {l}"
        );
    }
    let c = lines.iter().find(|l| l["id"] == "c").unwrap();
    assert!(
        c["warnings"][0].as_str().unwrap().contains("1974-01"),
        "{c}"
    );
    assert_eq!(lines[6]["error"]["code"], "no_name");
    assert_eq!(lines[7]["error"]["code"], "invalid_json");
    assert_eq!(lines[7]["error"]["line"], 8);
    assert!(lines[8].get("warnings").is_none(), "{}", lines[8]);

    // the same fields through `screen` flags: a warning, not a refusal
    let r = wl(
        d,
        &[
            "screen",
            "Kim Jong Un",
            "--dob",
            "1974-01-32",
            "--country",
            "zz",
            "--format",
            "json",
        ],
    )
    .ok();
    assert!(r.stderr.contains("warning: birth_date"), "{}", r.stderr);
    assert!(r.stdout.contains("us_ofac_sdn:20157"));

    // monitor add keeps a row whose date is untidy and reports it
    let customers = d.join("c.csv");
    std::fs::write(
        &customers,
        "id,name,dob,country\nC1,Kim Jong Un,1974-01-32,North Korea\nC2,Anna Nowak,1990-02-30,Poland\n",
    )
    .unwrap();
    let r = wl(d, &["monitor", "add", customers.to_str().unwrap()]).ok();
    assert!(r.stdout.contains("2 record(s) read"), "{}", r.stdout);
    assert!(
        r.stderr.contains("line 2") && r.stderr.contains("birth_date"),
        "{}",
        r.stderr
    );

    // batch screens the row with an untidy (unpadded) date, which still agrees
    let roster = d.join("r.csv");
    std::fs::write(&roster, "id,name,dob\nR1,Kim Jong Un,1984-1-8\n").unwrap();
    let r = wl(d, &["batch", roster.to_str().unwrap(), "--format", "jsonl"]).ok();
    assert!(r.stdout.contains("us_ofac_sdn:20157"), "{}", r.stdout);
    // and says what it read loosely, row by row
    assert!(
        r.stderr.contains("row 1 (line 2): warning: birth_date")
            && r.stderr.contains("1 screened with warnings"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_payment_bic_scores_what_screen_gives_the_same_identifier() {
    let dir = with_lists();
    let d = dir.path();
    // Korea Daesong Bank publishes SWIFT/BIC KDBKKPPY; a branch BIC11 of it in :57A:
    let v = wl(d, &["screen", "--id", "KDBKKPPY", "x", "--format", "json"])
        .ok()
        .json();
    let listed = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity_id"] == "us_ofac_sdn:12312")
        .unwrap_or_else(|| panic!("screen --id: {v}"))
        .clone();
    let fin = d.join("p.fin");
    std::fs::write(&fin, "{1:F01BANKBEBBAXXX0000000000}{2:I103BANKDEFFXXXXN}{4:\n:20:REF2\n:23B:CRED\n:32A:240701USD100,\n:50K:/DE0012345678\nBUILD GMBH\n:57A:KDBKKPPY123\n:59:/1\nJOHN SMITH\n:71A:SHA\n-}").unwrap();
    let v = wl(d, &["payment", fin.to_str().unwrap(), "--format", "json"])
        .ok()
        .json();
    let hit = v["messages"][0]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "identifier" && h["entity"]["entity_id"] == "us_ofac_sdn:12312")
        .unwrap_or_else(|| panic!("payment: {v}"))
        .clone();
    assert_eq!(hit["field"], ":57A:");
    // the same score, printed the same way
    assert_eq!(hit["entity"]["score"], listed["score"]);
    assert_eq!(
        hit["entity"]["explanation"]["adjustments"][0]["feature"],
        "evidence.identifier_floor"
    );
}
