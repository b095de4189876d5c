//! `watchlist update` against a local HTTP server on 127.0.0.1 serving the real list files:
//! first download and import, a second run answered 304, server errors with retries, a
//! cut-off transfer, a file that does not parse, and a host that refuses connections. After
//! every failure the snapshot in service is unchanged.

mod common;

#[path = "../../sources/tests/support/http_server.rs"]
mod http_server;

use common::*;
use http_server::{closed_port, Reply, Server};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn un_xml() -> Vec<u8> {
    std::fs::read(list_dir("un_sc").join("consolidated.xml")).unwrap()
}

/// A sources file for the given (list, file name, url) entries, with fast retries.
fn sources_file(dir: &Path, retries: u32, lists: &[(&str, &[(&str, String)])]) -> String {
    let mut toml = format!("[settings]\nretries = {retries}\nbackoff_ms = 10\nconnect_timeout_secs = 5\nread_timeout_secs = 10\n");
    for (key, files) in lists {
        toml.push_str(&format!("\n[[list]]\nkey = \"{key}\"\nfiles = [\n"));
        for (name, url) in *files {
            toml.push_str(&format!("  {{ name = \"{name}\", url = \"{url}\" }},\n"));
        }
        toml.push_str("]\n");
    }
    let path = dir.join("sources.toml");
    std::fs::write(&path, toml).unwrap();
    path.display().to_string()
}

/// Serves the UN XML with an ETag, answering 304 to a matching If-None-Match; the switch
/// turns every answer into HTTP 500.
fn un_server(failing: Arc<AtomicBool>) -> Server {
    let body = un_xml();
    Server::start(move |req| {
        if failing.load(Ordering::SeqCst) {
            return Reply::status(500);
        }
        if req.headers.get("if-none-match").map(String::as_str) == Some("\"un-1\"") {
            return Reply::status(304).header("ETag", "\"un-1\"");
        }
        Reply::ok(body.clone()).header("ETag", "\"un-1\"")
    })
}

#[test]
fn update_downloads_imports_then_gets_304_and_changes_nothing() {
    let server = un_server(Arc::new(AtomicBool::new(false)));
    let data = tempfile::tempdir().unwrap();
    let cfg = sources_file(
        data.path(),
        0,
        &[("un_sc", &[("consolidated.xml", server.url("/un.xml"))])],
    );

    let run = wl(data.path(), &["update", "--sources", &cfg]).ok();
    assert!(run.stdout.contains("is now in service"), "{}", run.stdout);
    assert!(run.stdout.contains("downloaded 2.0 MB"), "{}", run.stdout);
    let v = lists_json(data.path());
    assert_eq!(
        counts(&v, "un_sc"),
        expected(&[("Person", 730), ("Organization", 273)])
    );
    let version = v["snapshot"]["version"].clone();

    let run = wl(data.path(), &["update", "--sources", &cfg]).ok();
    assert!(
        run.stdout.contains("already up to date: nothing changed"),
        "{}",
        run.stdout
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].headers.get("if-none-match").map(String::as_str),
        Some("\"un-1\"")
    );
    assert_eq!(lists_json(data.path())["snapshot"]["version"], version);

    let json = wl(
        data.path(),
        &["--format", "json", "update", "--sources", &cfg],
    )
    .ok()
    .json();
    assert_eq!(json["status"], "unchanged");
    assert_eq!(json["lists"][0]["download"], "not modified");
}

#[test]
fn update_keeps_other_lists_and_sets_of_several_files() {
    let dir = list_dir("us_ofac_sdn");
    let files: Vec<(String, Vec<u8>)> = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
        .collect();
    let served = files.clone();
    let server = Server::start(move |req| {
        let name = req.path.trim_start_matches('/');
        match served.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, b)) => Reply::ok(b.clone()),
            None => Reply::status(404),
        }
    });
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["un_sc"]);
    let urls: Vec<(&str, String)> = files
        .iter()
        .map(|(n, _)| (n.as_str(), server.url(&format!("/{}", n.to_uppercase()))))
        .collect();
    let cfg = sources_file(data.path(), 0, &[("us_ofac_sdn", &urls)]);
    wl(
        data.path(),
        &["update", "--sources", &cfg, "--list", "us_ofac_sdn"],
    )
    .ok();
    let v = lists_json(data.path());
    assert_eq!(list_entry(&v, "us_ofac_sdn")["total"], 8976);
    assert_eq!(
        list_entry(&v, "un_sc")["total"],
        1003,
        "the imported UN list stays"
    );
    assert_eq!(
        list_entry(&v, "us_ofac_sdn")["source_files"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn server_errors_are_retried_then_nothing_changes() {
    let failing = Arc::new(AtomicBool::new(false));
    let server = un_server(failing.clone());
    let data = tempfile::tempdir().unwrap();
    let cfg = sources_file(
        data.path(),
        2,
        &[("un_sc", &[("consolidated.xml", server.url("/un.xml"))])],
    );
    wl(data.path(), &["update", "--sources", &cfg]).ok();
    let before = lists_json(data.path());
    let state = std::fs::read(data.path().join("download-state.json")).unwrap();

    failing.store(true, Ordering::SeqCst);
    let hits_before = server.hits("/un.xml");
    let run = wl(data.path(), &["update", "--sources", &cfg]).expect(1);
    assert_eq!(
        server.hits("/un.xml") - hits_before,
        3,
        "1 attempt + 2 retries"
    );
    assert!(
        run.stderr.contains("HTTP 500") && run.stderr.contains("after 3 attempts"),
        "{}",
        run.stderr
    );
    let short = before["snapshot"]["short_version"].as_str().unwrap();
    assert!(
        run.stderr
            .contains(&format!("the snapshot in service is unchanged ({short})")),
        "{}",
        run.stderr
    );
    assert_eq!(lists_json(data.path()), before);
    assert_eq!(
        std::fs::read(data.path().join("download-state.json")).unwrap(),
        state
    );
}

#[test]
fn a_cut_off_download_is_detected_and_changes_nothing() {
    let body = un_xml();
    let server = Server::start(move |_| Reply::ok(body.clone()).cut_at(1_000_000));
    let (data, before) = {
        let d = tempfile::tempdir().unwrap();
        import(d.path(), &["eu_fsf"]);
        let b = lists_json(d.path());
        (d, b)
    };
    let cfg = sources_file(
        data.path(),
        1,
        &[("un_sc", &[("consolidated.xml", server.url("/un.xml"))])],
    );
    let run = wl(data.path(), &["update", "--sources", &cfg]).expect(1);
    assert!(run.stderr.contains("truncated download"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("of {} bytes", un_xml().len())),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the snapshot in service is unchanged"),
        "{}",
        run.stderr
    );
    assert_eq!(server.hits("/un.xml"), 2);
    assert_eq!(lists_json(data.path()), before);
}

#[test]
fn a_downloaded_file_that_does_not_parse_is_bad_input_and_changes_nothing() {
    let xml = un_xml();
    let half = xml[..xml.len() / 2].to_vec();
    // served completely (correct Content-Length), but the publisher's file itself is cut
    let server = Server::start(move |_| Reply::ok(half.clone()));
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["eu_fsf"]);
    let before = lists_json(data.path());
    let cfg = sources_file(
        data.path(),
        0,
        &[("un_sc", &[("consolidated.xml", server.url("/un.xml"))])],
    );
    let run = wl(data.path(), &["update", "--sources", &cfg]).expect(2);
    assert!(
        run.stderr.contains("consolidated.xml: line "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the snapshot in service is unchanged"),
        "{}",
        run.stderr
    );
    assert_eq!(lists_json(data.path()), before);
    assert!(
        !data.path().join("download-state.json").exists(),
        "nothing recorded for a failed import"
    );
}

#[test]
fn no_network_says_which_host_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["eu_fsf"]);
    let before = lists_json(data.path());
    let port = closed_port();
    let cfg = sources_file(
        data.path(),
        3,
        &[(
            "un_sc",
            &[(
                "consolidated.xml",
                format!("http://127.0.0.1:{port}/consolidated.xml"),
            )],
        )],
    );
    let started = std::time::Instant::now();
    let run = wl(data.path(), &["update", "--sources", &cfg]).expect(1);
    assert!(
        run.stderr
            .contains(&format!("error: could not reach 127.0.0.1:{port}: ")),
        "{}",
        run.stderr
    );
    let short = before["snapshot"]["short_version"].as_str().unwrap();
    assert!(
        run.stderr
            .contains(&format!("the snapshot in service is unchanged ({short})")),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "a refused connection is not retried"
    );
    assert_eq!(lists_json(data.path()), before);
}

#[test]
fn builtin_sources_and_bad_arguments() {
    let data = tempfile::tempdir().unwrap();
    let run = wl(data.path(), &["update", "--dry-run"]).ok();
    assert!(
        run.stdout
            .contains("https://scsanctions.un.org/resources/xml/en/consolidated.xml"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("SDN_COMMENTS.CSV"), "{}", run.stdout);
    assert!(run.stdout.contains("gb_fcdo"), "{}", run.stdout);
    let run = wl(data.path(), &["update", "--list", "nope", "--dry-run"]).expect(2);
    assert!(
        run.stderr.contains("unknown list \"nope\""),
        "{}",
        run.stderr
    );
    let bad = data.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[list]]\nkey = \"x\"\nfiles = [{ name = \"a\", url = \"ftp://x/a\" }]\n",
    )
    .unwrap();
    let run = wl(
        data.path(),
        &["update", "--sources", &bad.display().to_string()],
    )
    .expect(2);
    assert!(
        run.stderr
            .contains("bad.toml: invalid sources configuration"),
        "{}",
        run.stderr
    );
}
