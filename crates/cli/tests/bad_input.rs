//! Bad list files given to the real binary: each must fail with exit code 2, an
//! `error: <file>: <position>: <reason>` line, the promise that the snapshot in service is
//! unchanged, and `lists` must show exactly the previous snapshot afterwards. A byte-order
//! mark is not bad input. A ~200 MB file imports with memory far below its size.

mod common;

use common::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A data directory with the OFAC consolidated list in service, and `lists --json` of it.
fn with_previous_snapshot() -> (tempfile::TempDir, serde_json::Value) {
    let data = tempfile::tempdir().unwrap();
    import(data.path(), &["us_ofac_cons"]);
    let before = lists_json(data.path());
    (data, before)
}

fn un_xml() -> Vec<u8> {
    std::fs::read(list_dir("un_sc").join("consolidated.xml")).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Imports `file`, expects a bad-input failure naming the file, `position` and `reason`, and
/// checks that nothing changed in service.
fn refused(file: &Path, position: &str, reason: &str) -> String {
    let (data, before) = with_previous_snapshot();
    let run = wl(data.path(), &["import", &file.display().to_string()]).expect(2);
    let first = run.stderr.lines().next().unwrap_or_default().to_string();
    let prefix = format!("error: {}: ", file.display());
    assert!(
        first.starts_with(&prefix),
        "file named first: {}",
        run.stderr
    );
    assert!(
        first[prefix.len()..].contains(position),
        "position {position:?}: {}",
        run.stderr
    );
    assert!(
        first.to_lowercase().contains(&reason.to_lowercase()),
        "reason {reason:?}: {}",
        run.stderr
    );
    let version = before["snapshot"]["short_version"].as_str().unwrap();
    assert!(
        run.stderr
            .contains(&format!("the snapshot in service is unchanged ({version})")),
        "{}",
        run.stderr
    );
    assert_eq!(
        lists_json(data.path()),
        before,
        "lists shows the previous snapshot unchanged"
    );
    run.stderr
}

#[test]
fn truncated_xml() {
    let dir = tempfile::tempdir().unwrap();
    let xml = un_xml();
    // cut after a complete line inside a record
    let cut = xml.len() * 3 / 5;
    let cut = cut + xml[cut..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let file = write(dir.path(), "consolidated.xml", &xml[..cut]);
    refused(&file, "line ", "truncated");
}

#[test]
fn xml_cut_inside_a_tag() {
    let dir = tempfile::tempdir().unwrap();
    let xml = un_xml();
    let cut = find(&xml, b"<REFERENCE_NUMBER>KPe.050") + 5;
    let file = write(dir.path(), "consolidated.xml", &xml[..cut]);
    refused(&file, "line 46604", "end of input");
}

#[test]
fn csv_row_with_wrong_column_count() {
    let dir = tempfile::tempdir().unwrap();
    let sdn = std::fs::read_to_string(list_dir("us_ofac_sdn").join("sdn.csv")).unwrap();
    let mut lines: Vec<String> = sdn.lines().take(20).map(str::to_string).collect();
    // line 7 loses its last four columns
    let cut: Vec<&str> = lines[6].splitn(9, ',').take(8).collect();
    lines[6] = cut.join(",");
    let file = write(
        dir.path(),
        "sdn.csv",
        (lines.join("\r\n") + "\r\n").as_bytes(),
    );
    refused(&file, "line 7", "expected 12 fields");
}

#[test]
fn invalid_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut xml = un_xml();
    // a stray byte inside the first FIRST_NAME (line 7)
    let at = find(&xml, b"<FIRST_NAME>ERIC") + b"<FIRST_NAME>".len();
    xml.insert(at, 0xFF);
    let file = write(dir.path(), "consolidated.xml", &xml);
    refused(&file, "line 7", "UTF-8");
}

#[test]
fn utf16_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for u in "<?xml version=\"1.0\"?><CONSOLIDATED_LIST/>".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let file = write(dir.path(), "consolidated.xml", &bytes);
    let (data, before) = with_previous_snapshot();
    let run = wl(data.path(), &["import", &file.display().to_string()]).expect(2);
    assert!(
        run.stderr
            .starts_with(&format!("error: {}", file.display())),
        "{}",
        run.stderr
    );
    assert_eq!(lists_json(data.path()), before);
}

#[test]
fn byte_order_mark_imports_fine() {
    let dir = tempfile::tempdir().unwrap();
    let mut xml = vec![0xEF, 0xBB, 0xBF];
    xml.extend(un_xml());
    write(dir.path(), "consolidated.xml", &xml);
    let data = tempfile::tempdir().unwrap();
    wl(data.path(), &["import", &dir.path().display().to_string()]).ok();
    assert_eq!(
        counts(&lists_json(data.path()), "un_sc"),
        expected(&[("Person", 730), ("Organization", 273)])
    );

    let sdn_dir = tempfile::tempdir().unwrap();
    let mut sdn = vec![0xEF, 0xBB, 0xBF];
    sdn.extend(std::fs::read(list_dir("us_ofac_sdn").join("sdn.csv")).unwrap());
    write(sdn_dir.path(), "sdn.csv", &sdn);
    wl(
        data.path(),
        &["import", &sdn_dir.path().display().to_string()],
    )
    .ok();
    assert_eq!(
        list_entry(&lists_json(data.path()), "us_ofac_sdn")["total"],
        8976
    );
}

#[test]
fn xml_with_doctype_and_external_entity_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let xml = String::from_utf8(un_xml()).unwrap();
    let (decl, rest) = xml.split_once('\n').unwrap();
    let evil = format!(
        "{decl}\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n{}",
        rest.replacen("<FIRST_NAME>ERIC", "<FIRST_NAME>&xxe;ERIC", 1)
    );
    let file = write(dir.path(), "consolidated.xml", evil.as_bytes());
    let stderr = refused(&file, "line 2", "DOCTYPE");
    assert!(!stderr.contains("root:"), "no file contents leak: {stderr}");
}

#[test]
fn unknown_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "notes.txt",
        b"Dear compliance team,\nplease screen these names.\n",
    );
    let (data, before) = with_previous_snapshot();
    let run = wl(data.path(), &["import", &file.display().to_string()]).expect(2);
    assert!(
        run.stderr
            .starts_with(&format!("error: {}: unknown list format", file.display())),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the snapshot in service is unchanged"),
        "{}",
        run.stderr
    );
    assert_eq!(lists_json(data.path()), before);
}

#[test]
fn missing_path() {
    let (data, before) = with_previous_snapshot();
    let run = wl(data.path(), &["import", "/nonexistent/list.xml"]).expect(2);
    assert!(
        run.stderr
            .starts_with("error: /nonexistent/list.xml: cannot read"),
        "{}",
        run.stderr
    );
    assert_eq!(lists_json(data.path()), before);
}

#[test]
fn one_bad_file_among_good_ones_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let xml = un_xml();
    write(dir.path(), "consolidated.xml", &xml[..xml.len() / 2]);
    let (data, before) = with_previous_snapshot();
    let eu = list_dir("eu_fsf").display().to_string();
    let run = wl(
        data.path(),
        &["import", &eu, &dir.path().display().to_string()],
    )
    .expect(2);
    assert!(run.stderr.contains("consolidated.xml"), "{}", run.stderr);
    let after = lists_json(data.path());
    assert_eq!(
        after, before,
        "the good eu_fsf file was not put in service either"
    );
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

/// About 200 MB of OFAC sdn.csv rows with long remarks (about 200,000 entities of 1 KB): the
/// import streams, so peak memory stays well below the file size. What memory there is grows
/// with the number of entities, not bytes: the snapshot writer keeps each id and offset (to
/// sort the id index and refuse duplicates) and the OFAC reader each primary name (to resolve
/// "Linked To:"), a few hundred bytes per entity.
#[test]
fn a_200_mb_list_imports_with_bounded_memory() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("no /proc: peak memory cannot be measured on this system");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sdn.csv");
    let target: u64 = 200 * 1024 * 1024;
    let words = [
        "TRADING",
        "SHIPPING",
        "HOLDINGS",
        "GENERAL",
        "INDUSTRIAL",
        "EXPORT",
        "BANK",
        "GROUP",
    ];
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let (mut size, mut n) = (0u64, 0u64);
    while size < target {
        n += 1;
        let remarks: Vec<&str> = (0..120)
            .map(|i| words[(n as usize + i * 7) % words.len()])
            .collect();
        let line = format!(
            "{n},\"{} {} {n}\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"{}.\"\r\n",
            words[n as usize % 8],
            words[(n as usize / 8) % 8],
            remarks.join(" ").to_lowercase()
        );
        w.write_all(line.as_bytes()).unwrap();
        size += line.len() as u64;
    }
    w.flush().unwrap();
    drop(w);

    let data = tempfile::tempdir().unwrap();
    let mut cmd = command(data.path());
    // The parse and the snapshot write stream; the screening index (built from the whole
    // snapshot in memory, sized by entities, not by file bytes) is left to first use here.
    cmd.args([
        "--quiet",
        "import",
        "--no-index",
        &path.display().to_string(),
    ]);
    let started = std::time::Instant::now();
    let (out, peak_kb) = run_measuring_peak_rss(cmd);
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "imported {} MB ({n} entities) in {:.1} s, peak RSS {} MB",
        size / 1_000_000,
        elapsed.as_secs_f64(),
        peak_kb / 1024
    );
    let v = lists_json(data.path());
    assert_eq!(list_entry(&v, "us_ofac_sdn")["total"], n);
    assert!(peak_kb > 0, "peak memory was sampled");
    let peak_bytes = peak_kb * 1024;
    assert!(
        peak_bytes < size / 2,
        "peak RSS {peak_kb} kB is not well below the file size {size} bytes"
    );
}
