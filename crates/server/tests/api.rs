//! The HTTP API against a real server on a loopback port, over the real UN and OFAC SDN lists
//! imported from ../shared.

mod common;

use common::{person, shared};
use serde_json::json;

#[test]
fn native_match_ranks_the_listed_person_first_with_an_explanation() {
    let s = shared();
    let (status, body) = s.post(
        "/v1/match",
        &json!({"queries": {
            "c-1": {"schema": "Person", "properties": {"name": ["Ri Won Ho"], "birthDate": ["1964-07-17"], "nationality": ["kp"]}},
            "c-2": {"schema": "Vessel", "properties": {"name": ["Chon Ma San"], "imoNumber": ["8660313"]}},
            "c-3": person("Jonathan Appleseed-Smithers")
        }, "limit": 3, "explain": "full"}),
    );
    assert_eq!(status, 200, "{body}");
    // answers keep the request's keys and order
    let keys: Vec<&String> = body["responses"].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3);
    let ri = &body["responses"]["c-1"];
    let top = &ri["results"][0];
    assert_eq!(top["id"], "un_sc:KPi.033", "{ri}");
    assert_eq!(top["match"], true);
    assert!(top["score"].as_f64().unwrap() > 0.95);
    assert!(ri["matches"].as_u64().unwrap() >= 1);
    // the birth date agreed and says so
    let adj = top["explanation"]["adjustments"].as_array().unwrap();
    assert!(
        adj.iter()
            .any(|a| a["feature"] == "evidence.dob_exact_boost"),
        "{adj:?}"
    );
    assert!(top["explanation"]["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["reason"].is_string()));
    assert!(top["summary"].as_array().unwrap().iter().any(|l| l
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("birth date agrees")));
    assert_eq!(ri["query"]["properties"]["nationality"], json!(["kp"]));
    let vessel = &body["responses"]["c-2"]["results"][0];
    assert_eq!(vessel["caption"], "CHON MA SAN");
    assert_eq!(vessel["list"], "us_ofac_sdn");
    assert_eq!(vessel["schema"], "Vessel");
    // an ordinary name is no match
    let none = &body["responses"]["c-3"];
    assert_eq!(none["matches"], 0, "{none}");
    assert_eq!(body["limit"], 3);
    assert_eq!(body["snapshot"]["demo"], false);
    // by default: the structured explanation without sentences; `none`: scores only
    let (_, std) = s.post("/v1/match", &json!({"queries": {"q": person("Ri Won Ho")}}));
    let r = &std["responses"]["q"]["results"][0];
    assert!(r["explanation"].is_object() && r.get("summary").is_none());
    let (_, none) = s.post(
        "/v1/match",
        &json!({"queries": {"q": person("Ri Won Ho")}, "explain": "none"}),
    );
    let r = &none["responses"]["q"]["results"][0];
    assert!(r.get("explanation").is_none() && r["score"].as_f64().unwrap() > 0.99);
}

#[test]
fn match_options_threshold_and_lists_apply() {
    let s = shared();
    let (status, body) = s.post("/v1/match", &json!({"queries": {"q": person("Ri Won Ho")}, "lists": ["us_ofac_sdn"], "threshold": 0.99, "limit": 5}));
    assert_eq!(status, 200, "{body}");
    let results = body["responses"]["q"]["results"].as_array().unwrap();
    assert!(
        results.iter().all(|r| r["list"] == "us_ofac_sdn"),
        "{results:?}"
    );
    assert!((body["threshold"].as_f64().unwrap() - 0.99).abs() < 1e-6);
    for r in results {
        assert_eq!(
            r["match"].as_bool().unwrap(),
            r["score"].as_f64().unwrap() >= 0.99 - 1e-6
        );
    }
    let (status, body) = s.post(
        "/v1/match",
        &json!({"queries": {"q": person("x")}, "lists": ["nope"]}),
    );
    assert_eq!(
        (status, body["error"]["code"].as_str().unwrap()),
        (400, "unknown_list")
    );
}

#[test]
fn yente_request_returns_the_same_top_match_as_the_native_one() {
    let s = shared();
    let queries = json!({
        "a": {"schema": "Person", "properties": {"name": ["Ri Won Ho"], "birthDate": ["1964-07-17"]}},
        "b": {"schema": "Company", "properties": {"name": ["Mansudae Overseas Project Group"]}},
        "c": {"schema": "Person", "properties": {"firstName": ["Tong-chol"], "lastName": ["Kim"]}},
        "d": {"schema": "Vessel", "properties": {"name": ["Chon Ma San"]}}
    });
    let (st, native) = s.post("/v1/match", &json!({"queries": queries, "limit": 5}));
    assert_eq!(st, 200, "{native}");
    let (st, yente) = s.post(
        "/match/default?algorithm=logic-v1&limit=5",
        &json!({"queries": queries}),
    );
    assert_eq!(st, 200, "{yente}");
    for q in ["a", "b", "c", "d"] {
        let n = &native["responses"][q]["results"][0];
        let y = &yente["responses"][q]["results"][0];
        assert_eq!(n["id"], y["id"], "query {q}");
        assert_eq!(n["score"], y["score"], "query {q}");
        assert_eq!(n["match"], y["match"], "query {q}");
        assert!(!n["id"].is_null(), "query {q} found nothing");
    }
    // yente's response shape
    let a = &yente["responses"]["a"];
    assert_eq!(a["status"], 200);
    assert_eq!(a["total"]["relation"], "eq");
    assert_eq!(a["query"]["schema"], "Person");
    let top = &a["results"][0];
    for field in [
        "id",
        "caption",
        "schema",
        "properties",
        "datasets",
        "score",
        "match",
        "explanations",
        "features",
        "referents",
        "target",
    ] {
        assert!(
            top.get(field).is_some(),
            "yente result lacks {field}: {top}"
        );
    }
    assert_eq!(top["datasets"], json!(["un_sc"]));
    assert_eq!(top["properties"]["name"], json!(["RI WON HO"]));
    assert!(top["properties"]["birthDate"]
        .as_array()
        .unwrap()
        .contains(&json!("1964-07-17")));
    assert!(top["explanations"]["name_score"]["score"].as_f64().unwrap() > 0.9);
    assert!(yente["matcher"]["name_score"]["description"].is_string());
    assert_eq!(yente["limit"], 5);
    assert_eq!(yente["responses"]["b"]["query"]["schema"], "Company");
}

#[test]
fn yente_dataset_and_filters() {
    let s = shared();
    let q = json!({"queries": {"q": person("Ri Won Ho")}});
    let (st, body) = s.post("/match/us_ofac_sdn", &q);
    assert_eq!(st, 200);
    assert!(body["responses"]["q"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["datasets"] == json!(["us_ofac_sdn"])));
    let (st, body) = s.post("/match/default?exclude_dataset=un_sc", &q);
    assert_eq!(st, 200);
    assert!(body["responses"]["q"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["datasets"] != json!(["un_sc"])));
    let (st, body) = s.post("/match/default?exclude_entity_ids=un_sc:KPi.033", &q);
    assert_eq!(st, 200);
    assert!(body["responses"]["q"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["id"] != "un_sc:KPi.033"));
    let (st, body) = s.post("/match/nosuchlist", &q);
    assert_eq!(st, 404);
    assert!(
        body["detail"].as_str().unwrap().contains("no dataset"),
        "{body}"
    );
    let (st, body) = s.post("/match/default?algorithm=magic", &q);
    assert_eq!(st, 400);
    assert_eq!(body["error"]["code"], "invalid_parameter");
    assert!(body["detail"].is_string());
}

#[test]
fn search_entity_and_lists() {
    let s = shared();
    let (st, body) =
        s.get("/v1/search?q=Mansudae%20Overseas%20Projects&schema=Organization&limit=5");
    assert_eq!(st, 200, "{body}");
    let top = &body["results"][0];
    assert!(
        top["caption"].as_str().unwrap().contains("MANSUDAE"),
        "{top}"
    );
    assert!(top["matched_name_highlight"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["matched"] == true));
    let (st, body) =
        s.get("/v1/search?q=Ri%20Won%20Ho&birth_date=1964&country=North%20Korea&list=un_sc");
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["results"][0]["id"], "un_sc:KPi.033");
    let (st, body) = s.get("/v1/search?q=Ri&birth_date=someday");
    assert_eq!(st, 200);
    assert!(body["warnings"][0].as_str().unwrap().contains("not a date"));

    // the OFAC person with relations and a passport
    let (st, body) = s.get("/v1/entities/us_ofac_sdn:22702");
    assert_eq!(st, 200, "{body}");
    let e = &body["entity"];
    assert_eq!(e["caption"], "KIM, Tong-chol");
    assert_eq!(e["schema"], "Person");
    assert!(
        e["identifiers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "passport" && i["value"] == "472336944"),
        "{e}"
    );
    assert!(e["birth_dates"]
        .as_array()
        .unwrap()
        .contains(&json!("1968-08-07")));
    assert!(e["programs"].as_array().unwrap().contains(&json!("DPRK3")));
    let rel = e["relations"].as_array().unwrap();
    assert!(
        rel.iter().any(
            |r| r["target_name"].as_str().unwrap_or("").contains("MANSUDAE")
                && r["in_snapshot"] == true
        ),
        "{rel:?}"
    );
    assert_eq!(body["source"]["list"], "us_ofac_sdn");
    assert_eq!(body["source"]["format"], "ofac_csv");
    assert_eq!(body["snapshot"]["version"].as_str().unwrap().len(), 64);

    let (st, body) = s.get("/v1/entities/un_sc:KPi.033");
    assert_eq!(st, 200);
    assert_eq!(body["entity"]["nationalities"][0]["code"], "kp");
    assert_eq!(body["entity"]["listed_on"], "2016-11-30");

    let (st, body) = s.get("/v1/lists");
    assert_eq!(st, 200);
    let lists = body["lists"].as_array().unwrap();
    let keys: Vec<&str> = lists.iter().map(|l| l["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["un_sc", "us_ofac_sdn"]);
    let un = &lists[0];
    assert_eq!(un["entity_count"].as_u64().unwrap(), 1003);
    assert_eq!(un["source_files"][0]["name"], "consolidated.xml");
    assert_eq!(un["source_files"][0]["sha256"].as_str().unwrap().len(), 64);
    assert!(body["snapshot"]["age_seconds"].as_i64().unwrap() >= 0);
    assert_eq!(
        body["snapshot"]["entity_count"].as_u64().unwrap(),
        lists
            .iter()
            .map(|l| l["entity_count"].as_u64().unwrap())
            .sum::<u64>()
    );
}

#[test]
fn reconciliation_manifest_and_queries() {
    let s = shared();
    let (st, m) = s.get("/v1/reconcile");
    assert_eq!(st, 200);
    assert_eq!(m["versions"], json!(["0.2"]));
    assert!(m["view"]["url"]
        .as_str()
        .unwrap()
        .ends_with("/entities/{{id}}"));
    assert!(m["defaultTypes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == "Person"));
    let queries = json!({"q0": {"query": "Ri Won Ho", "type": "Person", "limit": 3, "properties": [{"pid": "birthDate", "v": "1964-07-17"}, {"pid": "favouriteColour", "v": "blue"}]},
                         "q1": {"query": "Chon Ma San", "type": "Vessel"}});
    let form = format!("queries={}", urlencode(&queries.to_string()));
    let (st, r) = s.post_raw(
        "/v1/reconcile",
        "application/x-www-form-urlencoded",
        form.into_bytes(),
        &[],
    );
    assert_eq!(st, 200, "{r}");
    let c = &r["q0"]["result"][0];
    assert_eq!(c["id"], "un_sc:KPi.033");
    assert_eq!(c["match"], true);
    assert_eq!(c["type"][0]["id"], "Person");
    assert!(r["q0"]["result"].as_array().unwrap().len() <= 3);
    assert_eq!(r["q1"]["result"][0]["name"], "CHON MA SAN");
    // GET with ?queries= answers the same
    let (st, g) = s.get(&format!(
        "/v1/reconcile?queries={}",
        urlencode(&queries.to_string())
    ));
    assert_eq!(st, 200);
    assert_eq!(g["q0"]["result"][0]["id"], "un_sc:KPi.033");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn health_readiness_metrics_and_openapi() {
    let s = shared();
    assert_eq!(s.get("/healthz").0, 200);
    let (st, r) = s.get("/readyz");
    assert_eq!((st, r["status"].as_str().unwrap()), (200, "ready"));
    s.post("/v1/match", &json!({"queries": {"q": person("Ri Won Ho")}}));
    let (st, text) = s.get_text("/metrics");
    assert_eq!(st, 200);
    assert!(
        text.contains(
            "watchlist_http_requests_total{route=\"/v1/match\",method=\"POST\",status=\"200\"}"
        ),
        "{text}"
    );
    assert!(text.contains("watchlist_http_request_duration_seconds_bucket{route=\"/v1/match\",method=\"POST\",le=\"+Inf\"}"));
    assert!(text.contains("watchlist_snapshot_age_seconds "));
    assert!(text.contains("watchlist_snapshot_info{version=\""));
    assert!(text.contains("watchlist_matches_returned_total "));
    assert!(text.contains("watchlist_list_entities{list=\"un_sc\"} 1003"));
    let (st, doc) = s.get("/v1/openapi.json");
    assert_eq!(st, 200);
    assert!(doc["paths"]["/v1/match"]["post"].is_object());
    assert!(doc["components"]["schemas"]["Reason"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("transliteration")));
}

#[test]
fn ui_pages_and_assets_are_served_from_the_binary() {
    let s = shared();
    for p in ["/", "/search?q=x", "/lists", "/entities/un_sc:KPi.033"] {
        let (st, html) = s.get_text(p);
        assert_eq!(st, 200, "{p}");
        assert!(html.contains("<script src=\"/assets/app.js\">"), "{p}");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no external resources"
        );
    }
    let (st, js) = s.get_text("/assets/pages/search.js");
    assert_eq!(st, 200);
    assert!(js.contains("WL.page"));
    let (st, body) = s.get("/assets/../../etc/passwd");
    assert!(st == 404 || st == 400, "{st} {body}");
}
