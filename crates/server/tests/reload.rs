//! Hot reload under concurrent requests: an update through the admin API, a `watchlist import`
//! beside the server picked up by `--watch`, and a download from a (loopback) publisher, each
//! while clients screen without pause. No request may fail.

mod common;

use common::{import, list_dir, TestServer};
use serde_json::json;
use server::auth::{KeyStore, Role};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Clients posting /v1/match in a loop until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    threads: Vec<std::thread::JoinHandle<Vec<String>>>,
}

impl Load {
    fn start(base: &str, clients: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let threads = (0..clients)
            .map(|i| {
                let (stop, ok, failed, url) = (stop.clone(), ok.clone(), failed.clone(), format!("{base}/v1/match"));
                std::thread::spawn(move || {
                    let agent = common::agent();
                    let names = ["Ri Won Ho", "Mansudae Overseas Project", "Kim Tong Chol", "Chon Ma San", "John Smith"];
                    let mut errors = Vec::new();
                    let mut n = i;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let body = json!({"queries": {"q": {"schema": "LegalEntity", "properties": {"name": [names[n % names.len()]]}}}});
                        let r = agent.post(&url).header("Content-Type", "application/json").send(body.to_string().as_bytes());
                        let outcome = match r {
                            Ok(mut r) => {
                                let status = r.status().as_u16();
                                match r.body_mut().read_to_string() {
                                    Ok(_) if status == 200 => Ok(()),
                                    Ok(text) => Err(format!("{status} {text}")),
                                    Err(e) => Err(format!("{status}: {e}")),
                                }
                            }
                            Err(e) => Err(e.to_string()),
                        };
                        match outcome {
                            Ok(()) => {
                                ok.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => {
                                failed.fetch_add(1, Ordering::Relaxed);
                                errors.push(e);
                            }
                        }
                    }
                    errors
                })
            })
            .collect();
        Load {
            stop,
            ok,
            failed,
            threads,
        }
    }

    /// Stops the clients; returns (ok, failed, first errors).
    fn finish(self) -> (u64, u64, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let errors: Vec<String> = self
            .threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .take(5)
            .collect();
        (
            self.ok.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            errors,
        )
    }
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(120);
    while Instant::now() < until {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

fn has_list(s: &TestServer, key: &str) -> bool {
    let (_, v) = s.get("/v1/lists");
    v["lists"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x["key"] == key))
}

#[test]
fn admin_update_swaps_the_snapshot_while_requests_go_on() {
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), &["un_sc"]);
    let admin = KeyStore::load(&KeyStore::default_path(dir.path()))
        .unwrap()
        .add("ops", Role::Admin)
        .unwrap();
    let s = TestServer::over(dir.path(), |_| {});
    let (_, before) = s.get("/v1/lists");
    let (_, v) = s.get("/v1/search?q=Chon%20Ma%20San&schema=Vessel");
    assert!(v["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["list"] != "us_ofac_sdn"));

    let load = Load::start(&s.base, 8);
    std::thread::sleep(Duration::from_millis(500));
    let ofac = list_dir("us_ofac_sdn").display().to_string();
    let auth = format!("Bearer {admin}");
    let (st, r) = s.post_raw(
        "/v1/admin/update",
        "application/json",
        json!({"source": "files", "paths": [ofac]})
            .to_string()
            .into_bytes(),
        &[("Authorization", auth.as_str())],
    );
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["outcome"], "updated");
    assert_eq!(r["changed"], json!(["us_ofac_sdn"]));
    assert_eq!(r["reloaded"], true);
    std::thread::sleep(Duration::from_millis(500));
    let (ok, failed, errors) = load.finish();
    assert_eq!(failed, 0, "requests failed during the reload: {errors:?}");
    assert!(ok > 50, "only {ok} requests ran");

    // the new snapshot is in service
    let (_, after) = s.get("/v1/lists");
    assert_ne!(after["snapshot"]["version"], before["snapshot"]["version"]);
    assert_eq!(after["snapshot"]["version"], r["snapshot"]);
    let (_, v) = s.get("/v1/search?q=Chon%20Ma%20San&schema=Vessel");
    assert_eq!(v["results"][0]["list"], "us_ofac_sdn");
    // the same files again: unchanged, nothing swapped
    let (st, r) = s.post_raw(
        "/v1/admin/update",
        "application/json",
        json!({"source": "files", "paths": [list_dir("us_ofac_sdn")]})
            .to_string()
            .into_bytes(),
        &[("Authorization", auth.as_str())],
    );
    assert_eq!(
        (
            st,
            r["outcome"].as_str().unwrap(),
            r["reloaded"].as_bool().unwrap()
        ),
        (200, "unchanged", false)
    );
    // a bad import changes nothing and names no server path
    let bad = dir.path().join("not-a-list.txt");
    std::fs::write(&bad, "hello").unwrap();
    let (st, r) = s.post_raw(
        "/v1/admin/update",
        "application/json",
        json!({"source": "files", "paths": [bad]})
            .to_string()
            .into_bytes(),
        &[("Authorization", auth.as_str())],
    );
    assert_eq!(st, 400, "{r}");
    assert!(r["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unchanged"));
    let (_, still) = s.get("/v1/lists");
    assert_eq!(still["snapshot"]["version"], after["snapshot"]["version"]);
    let (_, text) = s.get_text("/metrics");
    assert!(
        text.contains("watchlist_reloads_total{result=\"ok\"} 2"),
        "initial load and the update: {text}"
    );
}

#[test]
fn watch_picks_up_an_import_run_beside_the_server() {
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), &["un_sc"]);
    let s = TestServer::over(dir.path(), |o| o.watch = true);
    assert!(!has_list(&s, "us_ofac_sdn"));
    let load = Load::start(&s.base, 8);
    std::thread::sleep(Duration::from_millis(300));
    // as `watchlist import` in another process would
    import(dir.path(), &["us_ofac_sdn"]);
    wait_for("the watched import to be served", || {
        has_list(&s, "us_ofac_sdn")
    });
    std::thread::sleep(Duration::from_millis(300));
    let (ok, failed, errors) = load.finish();
    assert_eq!(failed, 0, "{errors:?}");
    assert!(ok > 50);
}

#[test]
fn download_update_from_a_loopback_publisher() {
    // a publisher on loopback serving the UN file
    let un = std::fs::read(list_dir("un_sc").join("consolidated.xml")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().route(
        "/un.xml",
        axum::routing::get(move || {
            let body = un.clone();
            async move { body }
        }),
    );
    rt.spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("sources.toml");
    std::fs::write(
        &sources,
        format!("[settings]\nretries = 0\n\n[[list]]\nkey = \"un_sc\"\nfiles = [{{ name = \"consolidated.xml\", url = \"http://127.0.0.1:{port}/un.xml\" }}]\n"),
    )
    .unwrap();
    let admin = KeyStore::load(&KeyStore::default_path(dir.path()))
        .unwrap()
        .add("ops", Role::Admin)
        .unwrap();
    let s = TestServer::over(dir.path(), |o| o.sources = Some(sources.clone()));
    // nothing imported yet: the demo list is served, and says so
    let (_, lists) = s.get("/v1/lists");
    assert_eq!(lists["snapshot"]["demo"], true);
    assert!(lists["warning"].as_str().unwrap().contains("DEMO"));
    let load = Load::start(&s.base, 4);
    let auth = format!("ApiKey {admin}");
    let (st, r) = s.post_raw(
        "/v1/admin/update",
        "application/json",
        br#"{"source": "download", "lists": ["un_sc"]}"#.to_vec(),
        &[("Authorization", auth.as_str())],
    );
    let (_, failed, errors) = load.finish();
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["changed"], json!(["un_sc"]));
    assert_eq!(failed, 0, "{errors:?}");
    let (_, lists) = s.get("/v1/lists");
    assert_eq!(lists["snapshot"]["demo"], false);
    assert_eq!(lists["lists"][0]["key"], "un_sc");
    // an unknown list in the request
    let (st, r) = s.post_raw(
        "/v1/admin/update",
        "application/json",
        br#"{"lists": ["xx_none"]}"#.to_vec(),
        &[("Authorization", auth.as_str())],
    );
    assert_eq!(st, 400, "{r}");
}
