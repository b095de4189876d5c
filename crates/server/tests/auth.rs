//! API keys, `--require-key` and CORS against a real server.

mod common;

use common::{import, TestServer};
use server::auth::{KeyStore, Role};
use server::{ServeError, ServeOptions};

fn data_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    import(d.path(), &["un_sc"]);
    d
}

fn status(
    s: &TestServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let mut req = match method {
        "GET" => s.agent.get(&s.url(path)).force_send_body(),
        _ => s
            .agent
            .post(&s.url(path))
            .header("Content-Type", "application/json"),
    };
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    common::read(req.send(""))
}

#[test]
fn admin_endpoints_need_an_admin_key_and_read_endpoints_are_open_by_default() {
    let d = data_dir();
    let mut keys = KeyStore::load(&KeyStore::default_path(d.path())).unwrap();
    let admin = keys.add("ops", Role::Admin).unwrap();
    let reader = keys.add("refine", Role::Read).unwrap();
    let writer = keys.add("desk", Role::Write).unwrap();
    let s = TestServer::over(d.path(), |_| {});

    let (st, v) = status(&s, "POST", "/v1/admin/reload", &[]);
    assert_eq!(
        (st, v["error"]["code"].as_str().unwrap()),
        (401, "unauthorized")
    );
    for key in [&reader, &writer] {
        let h = format!("Bearer {key}");
        let (st, v) = status(&s, "POST", "/v1/admin/reload", &[("Authorization", &h)]);
        assert_eq!(
            (st, v["error"]["code"].as_str().unwrap()),
            (403, "forbidden"),
            "{v}"
        );
    }
    let (st, v) = status(
        &s,
        "POST",
        "/v1/admin/reload",
        &[("Authorization", "Bearer wl_0000")],
    );
    assert_eq!(st, 401, "{v}");
    let (st, v) = status(&s, "POST", "/v1/admin/reload", &[("X-API-Key", &admin)]);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["reloaded"], false);
    // read endpoints: open without a key; a wrong key is still refused
    assert_eq!(s.get("/v1/lists").0, 200);
    assert_eq!(
        status(&s, "GET", "/v1/lists", &[("X-API-Key", "nope")]).0,
        401
    );
    // the keys file holds no key in clear
    let text = std::fs::read_to_string(KeyStore::default_path(d.path())).unwrap();
    assert!(!text.contains(&admin) && !text.contains(&reader));
}

#[test]
fn require_key_protects_read_endpoints_but_not_health_or_the_ui() {
    let d = data_dir();
    let reader = KeyStore::load(&KeyStore::default_path(d.path()))
        .unwrap()
        .add("app", Role::Read)
        .unwrap();
    let s = TestServer::over(d.path(), |o| o.require_key = true);
    let (st, v) = s.get("/v1/search?q=Ri%20Won%20Ho");
    assert_eq!(st, 401, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("API key"));
    let h = format!("Bearer {reader}");
    assert_eq!(
        status(
            &s,
            "GET",
            "/v1/search?q=Ri%20Won%20Ho",
            &[("Authorization", &h)]
        )
        .0,
        200
    );
    assert_eq!(s.get(&format!("/v1/reconcile?api_key={reader}")).0, 200);
    let (st, v) = s.post(
        "/match/default",
        &serde_json::json!({"queries": {"q": common::person("x")}}),
    );
    assert_eq!(st, 401);
    assert!(v["detail"].is_string(), "yente clients read `detail`: {v}");
    assert_eq!(s.get("/healthz").0, 200);
    assert_eq!(s.get("/readyz").0, 200);
    assert_eq!(s.get_text("/").0, 200);
    assert_eq!(s.get_text("/metrics").0, 200);
}

#[test]
fn require_key_without_keys_refuses_to_start() {
    let d = tempfile::tempdir().unwrap();
    let mut o = ServeOptions::new(d.path().to_path_buf());
    o.listen = "127.0.0.1:0".parse().unwrap();
    o.require_key = true;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let err = rt.block_on(server::start(o)).err().expect("must not start");
    assert!(matches!(err, ServeError::NoKeys(_)));
    assert!(err.to_string().contains("--add-key"));
}

fn cors_header(s: &TestServer, origin: &str) -> Option<String> {
    let r = s
        .agent
        .get(&s.url("/v1/lists"))
        .header("Origin", origin)
        .call()
        .unwrap();
    r.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

#[test]
fn cors_is_off_unless_configured() {
    let d = data_dir();
    let s = TestServer::over(d.path(), |_| {});
    assert_eq!(cors_header(&s, "https://app.example"), None);
    drop(s);
    let s = TestServer::over(d.path(), |o| {
        o.cors_origins = vec!["https://app.example".into()]
    });
    assert_eq!(
        cors_header(&s, "https://app.example").as_deref(),
        Some("https://app.example")
    );
    assert_eq!(cors_header(&s, "https://evil.example"), None);
}
