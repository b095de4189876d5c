//! Downloads against a local HTTP server on 127.0.0.1 serving the real list files from the
//! shared data folder: full download with checksum, conditional requests (304), retries on
//! 5xx, cut-off transfers, size limits, and an unreachable host.

#![cfg(feature = "download")]

#[path = "support/http_server.rs"]
mod http_server;

use http_server::{closed_port, Reply, Server};
use sha2::{Digest, Sha256};
use sources::download::{DownloadError, Downloader, FileOutcome, FileSource, ListSource, Settings};
use std::path::Path;

fn un_xml() -> Vec<u8> {
    std::fs::read(sources::shared_dir_for_tests().join("data/lists/un_sc/consolidated.xml"))
        .unwrap()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Fast retries for tests.
fn settings(retries: u32) -> Settings {
    Settings {
        retries,
        backoff_ms: 5,
        connect_timeout_secs: 5,
        read_timeout_secs: 5,
        ..Settings::default()
    }
}

fn list(key: &str, files: &[(&str, String)]) -> ListSource {
    ListSource {
        key: key.to_string(),
        title: None,
        docs: None,
        note: None,
        enabled: true,
        files: files
            .iter()
            .map(|(n, u)| FileSource {
                name: n.to_string(),
                url: u.clone(),
                sha256: None,
            })
            .collect(),
    }
}

fn fetch(
    dir: &Path,
    s: &Settings,
    src: &ListSource,
) -> Result<sources::download::FetchedList, DownloadError> {
    Downloader::new(dir, s)
        .unwrap()
        .fetch_list(src, &mut |_| {})
}

/// Serves the UN XML with an ETag and honours If-None-Match.
fn un_server() -> Server {
    let body = un_xml();
    let etag = format!("\"{}\"", &sha(&body)[..16]);
    Server::start(move |req| {
        if req.headers.get("if-none-match") == Some(&etag) {
            return Reply::status(304).header("ETag", &etag);
        }
        Reply::ok(body.clone())
            .header("ETag", &etag)
            .header("Last-Modified", "Fri, 27 Feb 2026 00:00:09 GMT")
    })
}

#[test]
fn downloads_the_real_un_file_verifies_sha256_and_then_gets_304() {
    let server = un_server();
    let tmp = tempfile::tempdir().unwrap();
    let body = un_xml();
    let mut src = list("un_sc", &[("consolidated.xml", server.url("/un.xml"))]);
    src.files[0].sha256 = Some(sha(&body).to_uppercase());

    let mut dl = Downloader::new(tmp.path(), &settings(0)).unwrap();
    let fetched = dl.fetch_list(&src, &mut |_| {}).unwrap();
    assert_eq!(fetched.files[0].outcome, FileOutcome::Downloaded);
    assert_eq!(
        std::fs::read(fetched.dir().join("consolidated.xml")).unwrap(),
        body
    );
    assert_eq!(fetched.downloaded_bytes(), body.len() as u64);
    assert!(!fetched.not_modified());
    // Nothing is kept before commit.
    assert!(!tmp.path().join("download-state.json").exists());
    dl.commit(fetched).unwrap();
    assert_eq!(
        std::fs::read(tmp.path().join("downloads/un_sc/consolidated.xml")).unwrap(),
        body
    );
    let state = std::fs::read_to_string(tmp.path().join("download-state.json")).unwrap();
    assert!(
        state.contains(&sha(&body)) && state.contains("\"etag\""),
        "{state}"
    );

    // Second run: conditional request, 304, the kept copy is staged.
    let again = dl.fetch_list(&src, &mut |_| {}).unwrap();
    assert!(again.not_modified());
    assert_eq!(again.downloaded_bytes(), 0);
    assert_eq!(
        std::fs::read(again.dir().join("consolidated.xml")).unwrap(),
        body
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert!(!reqs[0].headers.contains_key("if-none-match"));
    assert!(reqs[1].headers.contains_key("if-none-match"));
    assert_eq!(
        reqs[1].headers.get("if-modified-since").map(String::as_str),
        Some("Fri, 27 Feb 2026 00:00:09 GMT")
    );
    assert!(reqs[0]
        .headers
        .get("user-agent")
        .is_some_and(|u| u.starts_with("watchlist/")));
}

#[test]
fn real_ofac_set_is_downloaded_as_one_list_of_four_files() {
    let dir = sources::shared_dir_for_tests().join("data/lists/us_ofac_sdn");
    let files: Vec<(String, Vec<u8>)> = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
        .collect();
    let served = files.clone();
    let server = Server::start(move |req| {
        let name = req.path.trim_start_matches('/').to_ascii_lowercase();
        match served.iter().find(|(n, _)| *n == name) {
            Some((_, b)) => Reply::ok(b.clone()),
            None => Reply::status(404),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let specs: Vec<(&str, String)> = files
        .iter()
        .map(|(n, _)| (n.as_str(), server.url(&format!("/{}", n.to_uppercase()))))
        .collect();
    let fetched = fetch(tmp.path(), &settings(0), &list("us_ofac_sdn", &specs)).unwrap();
    for (name, bytes) in &files {
        assert_eq!(
            &std::fs::read(fetched.dir().join(name)).unwrap(),
            bytes,
            "{name}"
        );
    }
    // Without validators from the server, the next run downloads again (no 304 possible).
    assert_eq!(fetched.files.len(), 4);
}

#[test]
fn server_errors_are_retried_with_backoff_then_reported() {
    let server = Server::start(|_| Reply::status(500));
    let tmp = tempfile::tempdir().unwrap();
    let mut retries = Vec::new();
    let dl = Downloader::new(tmp.path(), &settings(2)).unwrap();
    let src = list("un_sc", &[("consolidated.xml", server.url("/broken"))]);
    let err = dl
        .fetch_list(&src, &mut |e| {
            if let sources::download::DownloadEvent::Retry { attempt, wait, .. } = e {
                retries.push((attempt, wait));
            }
        })
        .unwrap_err();
    assert_eq!(server.hits("/broken"), 3, "1 attempt + 2 retries");
    assert_eq!(retries.len(), 2);
    assert!(
        retries[1].1 >= retries[0].1 * 2,
        "backoff doubles: {retries:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("HTTP 500") && msg.contains("after 3 attempts"),
        "{msg}"
    );
    assert!(!tmp.path().join("download-state.json").exists());
    drop(dl);
}

#[test]
fn a_transient_failure_then_success_downloads_the_file() {
    let n = std::sync::atomic::AtomicUsize::new(0);
    let server = Server::start(move |_| {
        if n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Reply::status(503).header("Retry-After", "0")
        } else {
            Reply::ok("hello")
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let fetched = fetch(
        tmp.path(),
        &settings(3),
        &list("x", &[("f.csv", server.url("/f"))]),
    )
    .unwrap();
    assert_eq!(server.hits("/f"), 2);
    assert_eq!(
        std::fs::read_to_string(fetched.dir().join("f.csv")).unwrap(),
        "hello"
    );
}

#[test]
fn client_errors_are_not_retried() {
    let server = Server::start(|_| Reply::status(404));
    let tmp = tempfile::tempdir().unwrap();
    let err = fetch(
        tmp.path(),
        &settings(3),
        &list("x", &[("f.csv", server.url("/gone"))]),
    )
    .unwrap_err();
    assert_eq!(server.hits("/gone"), 1);
    assert!(
        matches!(
            err,
            DownloadError::Http {
                status: 404,
                attempts: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_cut_off_transfer_is_detected_retried_and_never_kept() {
    let body = un_xml();
    let half = body.len() / 2;
    let server = Server::start(move |_| Reply::ok(body.clone()).cut_at(half));
    let tmp = tempfile::tempdir().unwrap();
    let err = fetch(
        tmp.path(),
        &settings(1),
        &list("un_sc", &[("consolidated.xml", server.url("/un.xml"))]),
    )
    .unwrap_err();
    assert_eq!(server.hits("/un.xml"), 2, "a cut-off transfer is retried");
    match &err {
        DownloadError::Truncated {
            got,
            expected,
            attempts,
            ..
        } => {
            assert!(*got <= half as u64, "{err}");
            assert_eq!(*expected, Some(un_xml().len() as u64));
            assert_eq!(*attempts, 2);
        }
        other => panic!("expected a truncation error, got {other}"),
    }
    assert!(err.to_string().contains("truncated download"), "{err}");
    // No partial file is left in the staging area.
    let staging = tmp.path().join("downloads/.staging");
    let leftovers: Vec<_> = walk(&staging);
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn size_limit_applies_with_and_without_content_length() {
    let server = Server::start(|req| {
        let body = vec![b'x'; 5000];
        if req.path == "/declared" {
            Reply::ok(body)
        } else {
            Reply::ok(body).without_length()
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let s = Settings {
        max_bytes: 1000,
        ..settings(2)
    };
    let err = fetch(
        tmp.path(),
        &s,
        &list("x", &[("f.csv", server.url("/declared"))]),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::TooLarge {
                size: Some(5000),
                ..
            }
        ),
        "{err}"
    );
    let err = fetch(
        tmp.path(),
        &s,
        &list("x", &[("f.csv", server.url("/streamed"))]),
    )
    .unwrap_err();
    assert!(matches!(err, DownloadError::TooLarge { .. }), "{err}");
    assert_eq!(
        server.hits("/declared") + server.hits("/streamed"),
        2,
        "size errors are not retried"
    );
}

#[test]
fn a_wrong_checksum_is_refused() {
    let server = Server::start(|_| Reply::ok("tampered"));
    let tmp = tempfile::tempdir().unwrap();
    let mut src = list("x", &[("f.csv", server.url("/f"))]);
    src.files[0].sha256 = Some("0".repeat(64));
    let err = fetch(tmp.path(), &settings(0), &src).unwrap_err();
    assert!(matches!(err, DownloadError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains(&sha(b"tampered")), "{err}");
}

#[test]
fn connection_refused_says_which_host_and_is_not_retried() {
    let port = closed_port();
    let tmp = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let err = fetch(
        tmp.path(),
        &settings(3),
        &list(
            "un_sc",
            &[("c.xml", format!("http://127.0.0.1:{port}/c.xml"))],
        ),
    )
    .unwrap_err();
    assert!(err.is_unreachable(), "{err}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("could not reach 127.0.0.1:{port}:")),
        "{msg}"
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "no retries on a refused connection"
    );
}

#[test]
fn a_failed_download_keeps_the_previous_files_and_state() {
    let body = un_xml();
    let fail = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let fail2 = fail.clone();
    let server = Server::start(move |_| {
        if fail2.load(std::sync::atomic::Ordering::SeqCst) {
            Reply::status(500)
        } else {
            Reply::ok(body.clone()).header("ETag", "\"v1\"")
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let src = list("un_sc", &[("consolidated.xml", server.url("/un.xml"))]);
    let mut dl = Downloader::new(tmp.path(), &settings(0)).unwrap();
    let fetched = dl.fetch_list(&src, &mut |_| {}).unwrap();
    dl.commit(fetched).unwrap();
    let state_before = std::fs::read(tmp.path().join("download-state.json")).unwrap();
    fail.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(dl.fetch_list(&src, &mut |_| {}).is_err());
    assert_eq!(
        std::fs::read(tmp.path().join("download-state.json")).unwrap(),
        state_before
    );
    assert_eq!(
        std::fs::read(tmp.path().join("downloads/un_sc/consolidated.xml")).unwrap(),
        un_xml()
    );
}

#[test]
fn a_second_update_on_the_same_data_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let _first = Downloader::new(tmp.path(), &settings(0)).unwrap();
    let err = Downloader::new(tmp.path(), &settings(0)).unwrap_err();
    assert!(matches!(err, DownloadError::Busy(_)), "{err}");
}
