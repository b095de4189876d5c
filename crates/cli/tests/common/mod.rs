//! Running the real `watchlist` binary in tests: each test gets its own data directory.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with both outputs unless the exit code is `code`.
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn ok(self) -> Self {
        self.expect(0)
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The binary under test.
pub fn command(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_watchlist"));
    c.arg("--data-dir").arg(data);
    c.env_remove("WATCHLIST_DATA_DIR")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    c
}

/// Runs `watchlist --data-dir DATA ARGS...`.
pub fn wl(data: &Path, args: &[&str]) -> Run {
    let out = command(data).args(args).output().expect("run watchlist");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `watchlist --data-dir DATA ARGS...` with `input` on its standard input.
pub fn wl_stdin(data: &Path, args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = command(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run watchlist");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("run watchlist");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `../shared/data/lists/<name>`.
pub fn list_dir(name: &str) -> PathBuf {
    sources::shared_dir_for_tests()
        .join("data/lists")
        .join(name)
}

/// Imports shared list folders into `data`, expecting success.
pub fn import(data: &Path, folders: &[&str]) -> Run {
    let paths: Vec<String> = folders
        .iter()
        .map(|f| list_dir(f).display().to_string())
        .collect();
    let mut args = vec!["import"];
    args.extend(paths.iter().map(String::as_str));
    wl(data, &args).ok()
}

/// `lists --json` as JSON.
pub fn lists_json(data: &Path) -> Value {
    wl(data, &["lists", "--json"]).ok().json()
}

/// The snapshot version in service, per `lists --json`.
pub fn snapshot_version(data: &Path) -> String {
    lists_json(data)["snapshot"]["version"]
        .as_str()
        .expect("snapshot version")
        .to_string()
}

/// One list's entry in `lists --json`.
pub fn list_entry(v: &Value, list: &str) -> Value {
    v["lists"]
        .as_array()
        .expect("lists array")
        .iter()
        .find(|l| l["list"] == list)
        .unwrap_or_else(|| panic!("no list {list} in {v:#}"))
        .clone()
}

/// A list's non-zero entity counts by schema, per `lists --json`.
pub fn counts(v: &Value, list: &str) -> BTreeMap<String, u64> {
    list_entry(v, list)["counts"]
        .as_object()
        .expect("counts object")
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// `[("Person", 730)]` as a map.
pub fn expected(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// Peak resident memory (kB) of a child process, sampled from /proc while it runs (VmHWM is
/// the high-water mark, so samples only miss growth in the last few milliseconds).
pub fn run_measuring_peak_rss(mut cmd: std::process::Command) -> (std::process::Output, u64) {
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (p2, d2) = (peak.clone(), done.clone());
    let sampler = std::thread::spawn(move || {
        while !d2.load(std::sync::atomic::Ordering::SeqCst) {
            if let Ok(s) = std::fs::read_to_string(&status_path) {
                if let Some(kb) = s
                    .lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|n| n.parse::<u64>().ok())
                {
                    p2.fetch_max(kb, std::sync::atomic::Ordering::SeqCst);
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    let out = child.wait_with_output().unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    sampler.join().unwrap();
    (out, peak.load(std::sync::atomic::Ordering::SeqCst))
}
