//! `watchlist scan`, `payment` and `batch`: the real binary on the real lists and the real
//! payment samples in ../shared.

mod common;

use common::{command, import, run_measuring_peak_rss, wl, wl_stdin};
use std::io::Write;
use std::path::Path;

fn with_lists() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), &["un_sc", "us_ofac_sdn"]);
    dir
}

fn payments(rel: &str) -> String {
    sources::shared_dir_for_tests()
        .join("data/payments")
        .join(rel)
        .display()
        .to_string()
}

const ARTICLE: &str = "PYONGYANG — Kim Jong Un's visit to the Korea Ryonbong General\n\
Corporation plant was reported on Monday. KOMID, formally the Korea Mining Development Trading\n\
Corporation, shipped parts via the Tanchon Commercial Bank. Workers of the Mansudae Overseas\n\
Project Group were sent to Makiivka (Донецька область) for building work. 김정은 attended.\n\
The committee chairman, John, said the victory was complete.\n";

#[test]
fn scan_reports_mentions_with_offsets_entities_and_regions() {
    let dir = with_lists();
    let file = dir.path().join("article.txt");
    std::fs::write(&file, ARTICLE).unwrap();
    let r = wl(
        dir.path(),
        &["scan", file.to_str().unwrap(), "--format", "json"],
    )
    .ok();
    let v = r.json();
    let mentions = v["mentions"].as_array().unwrap();
    let got: Vec<(String, String)> = mentions
        .iter()
        .map(|m| {
            let (s, e) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                &ARTICLE[s..e],
                m["text"].as_str().unwrap(),
                "offsets point at the text"
            );
            (
                m["text"].as_str().unwrap().replace('\n', " "),
                m["entity_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |text: &str, id: &str| got.iter().any(|(t, i)| t == text && i == id);
    assert!(has("Kim Jong Un", "us_ofac_sdn:20157"), "{got:?}");
    assert!(
        has("Korea Ryonbong General Corporation", "un_sc:KPe.002"),
        "{got:?}"
    );
    assert!(has("KOMID", "un_sc:KPe.001"), "{got:?}");
    assert!(
        has(
            "Korea Mining Development Trading Corporation",
            "un_sc:KPe.001"
        ),
        "{got:?}"
    );
    assert!(has("Tanchon Commercial Bank", "un_sc:KPe.003"), "{got:?}");
    assert!(
        got.iter().any(
            |(t, i)| t.starts_with("Mansudae Overseas Project Group") && i.ends_with("KPe.050")
        ),
        "{got:?}"
    );
    assert!(has("김정은", "us_ofac_sdn:20157"), "{got:?}");
    // no ordinary words or given names alone
    assert!(
        !got.iter()
            .any(|(t, _)| t == "John" || t.eq_ignore_ascii_case("victory")),
        "{got:?}"
    );
    let places: Vec<&str> = v["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["rule"].as_str().unwrap())
        .collect();
    assert!(
        places.contains(&"region:ua-dpr") && places.contains(&"region:kp"),
        "{places:?}"
    );
    // the human format and standard input
    let text = wl_stdin(dir.path(), &["scan", "-"], ARTICLE).ok().stdout;
    assert!(
        text.contains("us_ofac_sdn:20157") && text.contains("mention(s) of listed entities"),
        "{text}"
    );
}

#[test]
fn scan_html_strips_scripts_and_binary_files_are_refused() {
    let dir = with_lists();
    let html = dir.path().join("page.html");
    std::fs::write(&html, "<html><head><script>var target = 'Korea Ryonbong General Corporation';</script></head><body><p>The <b>Tanchon Commercial Bank</b> was named.</p></body></html>").unwrap();
    let v = wl(
        dir.path(),
        &["scan", html.to_str().unwrap(), "--format", "json"],
    )
    .ok()
    .json();
    let ids: Vec<&str> = v["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["entity_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"un_sc:KPe.003"), "{ids:?}");
    assert!(
        !ids.contains(&"un_sc:KPe.002"),
        "script text is not scanned: {ids:?}"
    );
    let bin = dir.path().join("a.bin");
    std::fs::write(&bin, b"\x7fELF\x02\x01\x01\x00\x00\x00binary").unwrap();
    let r = wl(dir.path(), &["scan", bin.to_str().unwrap()]).expect(2);
    assert!(r.stderr.contains("binary file"), "{}", r.stderr);
}

/// A 200 MB text is scanned as a stream: peak memory stays far below its size, and mentions
/// throughout the file (also near the end) are found.
#[test]
fn scan_streams_a_200_mb_text_with_bounded_memory() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("no /proc: peak memory cannot be measured on this system");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    import(dir.path(), &["un_sc"]);
    let file = dir.path().join("big.txt");
    let para = "The delegation travelled by train and the talks lasted three days.\nMarkets were calm and the weather mild; officials declined to comment further.\n\n";
    let target = 200 * 1024 * 1024;
    let mut written = 0;
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        let mut n = 0usize;
        let mut i = 0u64;
        while n < target {
            w.write_all(para.as_bytes()).unwrap();
            n += para.len();
            i += 1;
            if i.is_multiple_of(20_000) {
                written += 1;
                let s = "Reports named the Korea Ryonbong General Corporation again.\n";
                w.write_all(s.as_bytes()).unwrap();
                n += s.len();
            }
        }
        w.write_all(b"At the very end: Tanchon Commercial Bank.\n")
            .unwrap();
    }
    let size = std::fs::metadata(&file).unwrap().len();
    let mut cmd = command(dir.path());
    cmd.args([
        "scan",
        file.to_str().unwrap(),
        "--format",
        "csv",
        "--no-regions",
    ]);
    let started = std::time::Instant::now();
    let (out, peak_kb) = run_measuring_peak_rss(cmd);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ryonbong = stdout
        .lines()
        .filter(|l| l.contains("un_sc:KPe.002"))
        .count();
    eprintln!(
        "scanned {} MB in {:.1} s, peak RSS {} MB, {ryonbong} mentions",
        size >> 20,
        started.elapsed().as_secs_f32(),
        peak_kb / 1024
    );
    assert_eq!(
        ryonbong, written,
        "every mention in the 200 MB is found, once"
    );
    assert!(
        stdout.contains("un_sc:KPe.003"),
        "the mention in the last line is found"
    );
    assert!(peak_kb > 0);
    assert!(
        peak_kb * 1024 < size / 2,
        "peak RSS {peak_kb} kB is not far below the file size {size}"
    );
    // streaming: the same scan of a 4 MB text (several blocks) peaks as high as the 200 MB one
    let small = dir.path().join("small.txt");
    std::fs::write(&small, para.repeat(4 * 1024 * 1024 / para.len())).unwrap();
    let mut cmd = command(dir.path());
    cmd.args([
        "scan",
        small.to_str().unwrap(),
        "--format",
        "csv",
        "--no-regions",
    ]);
    let (out, base_kb) = run_measuring_peak_rss(cmd);
    assert!(out.status.success());
    eprintln!("baseline peak RSS {} MB", base_kb / 1024);
    assert!(
        peak_kb < base_kb + 16 * 1024,
        "scanning 200 MB took {peak_kb} kB at peak, a 4 MB text {base_kb} kB: the text is not streamed"
    );
}

#[test]
fn payment_messages_real_samples_and_hits_by_field() {
    let dir = with_lists();
    for f in [
        "pacs008/CustomerCreditTransfer_Scenario1_Step1_pacs.008",
        "pacs008/pacs.008.001.07.xml",
        "pain001/musterfile_pain.001_Nov2020.xml",
        "mt103/MT103-out-ack.rje",
        "mt103/MT101.fin",
    ] {
        let r = wl(dir.path(), &["payment", &payments(f), "--format", "json"]).ok();
        let v = r.json();
        assert!(!v["messages"].as_array().unwrap().is_empty(), "{f}");
        // the samples' parties are fictitious
        assert!(
            v["messages"].as_array().unwrap().iter().all(|m| m["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["kind"] == "region" || !h["entity"].is_null())),
            "{f}"
        );
    }
    let wages = dir.path().join("wages.fin");
    std::fs::write(&wages, "{1:F01BANKBEBBAXXX0000000000}{2:I103BANKDEFFXXXXN}{4:\n:20:WAGES0724\n:23B:CRED\n:32A:240701USD25000,\n:50K:/DE0012345678\nBUILD-CONSTRUKT GMBH\nUL. ARTEMA 12\nMAKEEVKA\n:57A:FTBDKPPY\n:59:/KP0099\nKOREA MINING DEVELOPMENT TRADING CORP\nPYONGYANG\n:70:WAGES - MANSUDAE OVERSEAS PROJECT GROUP WORKERS\n:71A:SHA\n-}").unwrap();
    let v = wl(
        dir.path(),
        &["payment", wages.to_str().unwrap(), "--format", "json"],
    )
    .ok()
    .json();
    let hits = v["messages"][0]["hits"].as_array().unwrap();
    let has = |field: &str, kind: &str, id: &str| {
        hits.iter().any(|h| {
            h["field"] == field
                && h["kind"] == kind
                && (h["entity"]["entity_id"] == id || h["region"]["rule"] == id)
        })
    };
    assert!(has(":59:", "name", "un_sc:KPe.001"), "{hits:#?}");
    assert!(has(":57A:", "identifier", "us_ofac_sdn:15603"), "{hits:#?}");
    assert!(has(":57A:", "region", "region:kp"));
    assert!(has(":50K:", "region", "region:ua-dpr"));
    assert!(has(":70:", "mention", "un_sc:KPe.050"));
    // malformed messages: errors with positions and names of missing fields
    let bad = dir.path().join("bad.fin");
    std::fs::write(&bad, "{1:F01BANKBEBBAXXX0000000000}{2:I103BANKDEFFXXXXN}{4:\n:20:X\n:23B:CRED\n:32A:240701USD1,\n:50K:A\n:59:B\n-}").unwrap();
    let r = wl(dir.path(), &["payment", bad.to_str().unwrap()]).expect(2);
    assert!(
        r.stderr.contains(":71A:") && r.stderr.contains("line"),
        "{}",
        r.stderr
    );
    let evil = dir.path().join("evil.xml");
    std::fs::write(&evil, "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<Document><FIToFICstmrCdtTrf><GrpHdr><MsgId>&e;</MsgId></GrpHdr></FIToFICstmrCdtTrf></Document>").unwrap();
    let r = wl(dir.path(), &["payment", evil.to_str().unwrap()]).expect(2);
    assert!(
        r.stderr.contains("DOCTYPE") && r.stderr.contains("line 2"),
        "{}",
        r.stderr
    );
}

#[test]
fn batch_screens_a_roster_and_reports_bad_rows() {
    let dir = with_lists();
    let roster = dir.path().join("roster.csv");
    let mut csv = String::from(
        "Employee ID,Full Name,Birth Date,Citizenship,Passport No,Employer,Work Address\n",
    );
    csv.push_str("E1,Paek Chang Ho,1964-06-18,North Korea,,Mansudae Overseas Project Group of Companies,\"Warsaw, Poland\"\n");
    csv.push_str("E2,Anna Nowak,1990-01-02,Poland,AB123,Budimex SA,\"Warsaw, Poland\"\n");
    csv.push_str("E3,too,few\n");
    csv.push_str(
        "E4,Pak Chol,1985,kp,927654321,Cosmos Building LLC,\"ul. Artema 5, Makeevka, Ukraine\"\n",
    );
    let mut bytes = csv.into_bytes();
    bytes.extend_from_slice(b"E5,Caf\xe9 Worker,1980,fr,,,Paris\n");
    std::fs::write(&roster, bytes).unwrap();
    let map = "id=Employee ID,name=Full Name,dob=Birth Date,nationality=Citizenship,passport=Passport No,address=Work Address";
    let r = wl(
        dir.path(),
        &["batch", roster.to_str().unwrap(), "--map", map],
    )
    .ok();
    assert!(
        r.stderr.contains("row 3 (line 4): 3 fields, expected 7"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("row 5 (line 6): column 2 is not valid UTF-8"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("5 rows read, 3 screened, 2 bad"),
        "{}",
        r.stderr
    );
    let mut rdr = ::csv::Reader::from_reader(r.stdout.as_bytes());
    let rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let has = |row: &str, kind: &str, m: &str| {
        rows.iter()
            .any(|r| r[0] == row && r[4] == kind && r[6] == m)
    };
    assert!(has("1", "list", "un_sc:KPi.006"), "{rows:?}");
    assert!(has("1", "employer", "un_sc:KPe.050"), "{rows:?}");
    assert!(
        has("1", "rule", "unscr-2397-op8-dprk-worker-abroad"),
        "{rows:?}"
    );
    assert!(has("4", "rule", "address-in-sanctioned-region"), "{rows:?}");
    assert!(
        has("4", "rule", "unscr-2397-op8-dprk-worker-abroad"),
        "{rows:?}"
    );
    assert!(!rows.iter().any(|r| r[0] == "2"), "{rows:?}");
    // --record: one screening per screened row, alerts for the list matches, idempotent
    let args = ["batch", roster.to_str().unwrap(), "--map", map, "--record"];
    let r = wl(dir.path(), &args).ok();
    assert!(
        r.stderr
            .contains("recorded: 3 screenings, 0 already recorded"),
        "{}",
        r.stderr
    );
    let alerts = wl(dir.path(), &["--format", "json", "alerts", "list"])
        .ok()
        .json();
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["identity"] == "E1" && a["entity_id"] == "un_sc:KPi.006"),
        "{alerts:#}"
    );
    let r = wl(dir.path(), &args).ok();
    assert!(
        r.stderr
            .contains("recorded: 0 screenings, 3 already recorded, 0 alerts opened"),
        "{}",
        r.stderr
    );
    assert!(wl(dir.path(), &["audit", "verify"])
        .ok()
        .stdout
        .contains("ok"));
    // JSON lines in and out
    let jl = dir.path().join("r.jsonl");
    std::fs::write(&jl, "{\"name\": \"Korea Ryonbong General Corporation\", \"type\": \"company\"}\n{\"name\": \"Jane Roe\"}\n").unwrap();
    let r = wl(
        dir.path(),
        &["batch", jl.to_str().unwrap(), "--format", "jsonl"],
    )
    .ok();
    let first: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        (first["row"].as_u64(), first["match"].as_str()),
        (Some(1), Some("un_sc:KPe.002")),
        "{}",
        r.stdout
    );
}

#[test]
fn overlays_apply_to_scans_and_orphans_are_reported() {
    let dir = with_lists();
    let ov = dir.path().join("overlays");
    std::fs::create_dir_all(&ov).unwrap();
    std::fs::write(ov.join("renamings.csv"), "# watchlist custom list v1\n# list: analyst_overlay\nid,name,same_as,source\nA-1,Ministry of Social Security,us_ofac_sdn:20118,Analyst: later name\nA-2,Gone Front,us_ofac_sdn:99999999,Analyst\n").unwrap();
    let text = dir.path().join("t.txt");
    std::fs::write(
        &text,
        "Recruitment ran through the Ministry of Social Security.",
    )
    .unwrap();
    let r = wl(
        dir.path(),
        &["scan", text.to_str().unwrap(), "--format", "json"],
    )
    .ok();
    let m = &r.json()["mentions"][0];
    assert_eq!(m["entity_id"], "us_ofac_sdn:20118");
    assert!(
        m["explanation"]["name_source"]
            .as_str()
            .unwrap()
            .contains("analyst overlay renamings.csv"),
        "{m}"
    );
    assert!(
        r.stderr
            .contains("us_ofac_sdn:99999999 is not in the lists in service"),
        "{}",
        r.stderr
    );
}

/// A region reference far into a streamed text carries offsets into the whole text, in
/// `start`/`end` and in its `span` alike (the text is scanned in blocks).
#[test]
fn region_spans_of_a_streamed_text_are_offsets_into_the_whole_text() {
    let dir = with_lists();
    let file = dir.path().join("long.txt");
    let filler =
        "The delegation travelled by train and the talks lasted three days.\n".repeat(40_000);
    std::fs::write(&file, format!("{filler}{ARTICLE}")).unwrap();
    let v = wl(
        dir.path(),
        &["scan", file.to_str().unwrap(), "--format", "json"],
    )
    .ok()
    .json();
    let places = v["places"].as_array().unwrap();
    assert!(!places.is_empty(), "{v}");
    for p in places {
        assert!(p["start"].as_u64().unwrap() as usize >= filler.len(), "{p}");
        assert_eq!(p["span"]["start"], p["start"], "{p}");
        assert_eq!(p["span"]["end"], p["end"], "{p}");
    }
}
