//! Test helpers: data directories with real lists imported from ../shared, a server on a
//! loopback port in its own runtime, and a small HTTP client.
#![allow(dead_code)]

use serde_json::Value;
use server::{ServeOptions, Server};
use sources::snapshot::DataDir;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The folder of one shared list.
pub fn list_dir(list: &str) -> PathBuf {
    sources::shared_dir_for_tests()
        .join("data")
        .join("lists")
        .join(list)
}

/// Imports the given shared lists (folder names) into a data directory.
pub fn import(root: &Path, lists: &[&str]) {
    let dir = DataDir::open(root).unwrap();
    let paths: Vec<PathBuf> = lists.iter().map(|l| list_dir(l)).collect();
    let sets = sources::detect_paths(&paths).unwrap();
    dir.import(&sets, &mut |_| {}).unwrap();
}

/// A fresh data directory with un_sc and us_ofac_sdn, its index built.
pub fn fresh_data_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    import(d.path(), &["un_sc", "us_ofac_sdn"]);
    engine::Engine::open(d.path(), &engine::Settings::default()).unwrap();
    d
}

/// A server over a data directory, in its own runtime.
pub struct TestServer {
    pub base: String,
    pub server: Option<Server>,
    pub rt: tokio::runtime::Runtime,
    pub agent: ureq::Agent,
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

impl TestServer {
    pub fn start(opts: ServeOptions) -> TestServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(server::start(opts)).unwrap();
        let base = format!("http://{}", server.addr);
        let t = TestServer {
            base,
            server: Some(server),
            rt,
            agent: agent(),
        };
        t.wait_ready();
        t
    }

    /// A server on 127.0.0.1:0 over `data_dir` with default options, changed by `f`.
    pub fn over(data_dir: &Path, f: impl FnOnce(&mut ServeOptions)) -> TestServer {
        let mut opts = ServeOptions::new(data_dir.to_path_buf());
        opts.listen = "127.0.0.1:0".parse().unwrap();
        f(&mut opts);
        TestServer::start(opts)
    }

    pub fn wait_ready(&self) {
        let until = Instant::now() + Duration::from_secs(120);
        while Instant::now() < until {
            if let Ok(r) = self.agent.get(&self.url("/readyz")).call() {
                if r.status() == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not become ready");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn state(&self) -> &server::AppState {
        &self.server.as_ref().unwrap().state
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        read(self.agent.get(&self.url(path)).call())
    }

    pub fn get_text(&self, path: &str) -> (u16, String) {
        let mut r = self.agent.get(&self.url(path)).call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    }

    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_raw(
            path,
            "application/json",
            serde_json::to_vec(body).unwrap(),
            &[],
        )
    }

    pub fn post_raw(
        &self,
        path: &str,
        ctype: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self
            .agent
            .post(&self.url(path))
            .header("Content-Type", ctype);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        read(req.send(&body[..]))
    }
}

/// Status and JSON body of a response.
pub fn read(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    let mut r = r.unwrap();
    let status = r.status().as_u16();
    let text = r
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:.300}"));
    (status, v)
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            let _ = self
                .rt
                .block_on(async { tokio::time::timeout(Duration::from_secs(10), s.stop()).await });
        }
    }
}

/// The data directory of [`shared`] (un_sc + us_ofac_sdn, index built), made once per test
/// binary; other servers may read it too (keys and store elsewhere).
pub fn shared_data_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(fresh_data_dir).path()
}

/// One server over un_sc + us_ofac_sdn shared by the read-only tests of a test binary.
pub fn shared() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::over(shared_data_dir(), |_| {}))
}

/// The query entity of a person.
pub fn person(name: &str) -> Value {
    serde_json::json!({"schema": "Person", "properties": {"name": [name]}})
}
