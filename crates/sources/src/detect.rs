//! Recognising list files by their content and grouping them into parseable sets.

use crate::{formats, input, ParseError};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The official formats watchlist reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// OFAC legacy CSV set: sdn.csv (or cons_prim.csv) with optional alt, add and comments files.
    OfacCsv,
    /// UN Security Council consolidated list XML.
    UnXml,
    /// EU Financial Sanctions Files XML.
    EuFsfXml,
    /// FCDO UK Sanctions List XML.
    GbFcdoXml,
    /// OFSI consolidated list CSV (ConList.csv layout).
    GbOfsiCsv,
    /// BIS Denied Persons List, tab-separated.
    BisDpl,
    /// US Consolidated Screening List CSV (trade.gov).
    UsCsl,
    /// OpenSanctions FollowTheMoney entities (JSON lines), including delta files.
    FtmJson,
    /// watchlist's own custom-list CSV.
    CustomCsv,
}

impl Format {
    pub const ALL: [Format; 9] = [
        Format::OfacCsv,
        Format::UnXml,
        Format::EuFsfXml,
        Format::GbFcdoXml,
        Format::GbOfsiCsv,
        Format::BisDpl,
        Format::UsCsl,
        Format::FtmJson,
        Format::CustomCsv,
    ];

    /// Short machine name, stored in list metadata.
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::OfacCsv => "ofac_csv",
            Format::UnXml => "un_xml",
            Format::EuFsfXml => "eu_fsf_xml",
            Format::GbFcdoXml => "gb_fcdo_xml",
            Format::GbOfsiCsv => "gb_ofsi_csv",
            Format::BisDpl => "bis_dpl",
            Format::UsCsl => "us_csl",
            Format::FtmJson => "ftm_json",
            Format::CustomCsv => "custom_csv",
        }
    }

    /// Whether the file whose head is given looks like this format.
    pub fn sniff(&self, head: &Head) -> bool {
        use formats::*;
        match self {
            Format::OfacCsv => ofac_csv::sniff(head),
            Format::UnXml => un_xml::sniff(head),
            Format::EuFsfXml => eu_fsf::sniff(head),
            Format::GbFcdoXml => gb_fcdo::sniff(head),
            Format::GbOfsiCsv => gb_ofsi::sniff(head),
            Format::BisDpl => bis_dpl::sniff(head),
            Format::UsCsl => us_csl::sniff(head),
            Format::FtmJson => ftm_json::sniff(head),
            Format::CustomCsv => custom_csv::sniff(head),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first bytes of a file, for sniffing.
#[derive(Debug, Clone)]
pub struct Head {
    pub path: PathBuf,
    /// Lower-cased file name.
    pub file_name: String,
    /// Up to [`Head::SIZE`] bytes from the start, BOM removed.
    pub bytes: Vec<u8>,
}

impl Head {
    pub const SIZE: usize = 64 * 1024;

    pub fn read(path: &Path) -> Result<Self, ParseError> {
        let mut bytes = input::head_bytes(path, Self::SIZE)?;
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            bytes.drain(..3);
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        Ok(Head {
            path: path.to_path_buf(),
            file_name,
            bytes,
        })
    }

    /// Builds a head from bytes (tests, fuzzing).
    pub fn from_bytes(file_name: &str, bytes: &[u8]) -> Self {
        Head {
            path: PathBuf::from(file_name),
            file_name: file_name.to_lowercase(),
            bytes: bytes.to_vec(),
        }
    }

    /// The head as text (lossy at a cut multi-byte character).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// The first line that is not empty (trimmed of `\r`).
    pub fn first_line(&self) -> String {
        self.text()
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string()
    }

    /// The local name of the XML root element, if the head is XML.
    pub fn xml_root(&self) -> Option<String> {
        let text = self.text();
        let t = text.trim_start();
        if !t.starts_with('<') {
            return None;
        }
        let mut rest = t;
        loop {
            let i = rest.find('<')?;
            rest = &rest[i + 1..];
            if rest.starts_with('?') || rest.starts_with('!') {
                continue;
            }
            let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
            let name = &rest[..end];
            return Some(name.rsplit(':').next().unwrap_or(name).to_string());
        }
    }
}

/// Files that together make one list of one format. `main` is the file that carries the
/// entities; `parts` are companion files by role (OFAC: `alt`, `add`, `comments`; FtM: further
/// entity or delta files as `1`, `2`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSet {
    pub format: Format,
    pub main: PathBuf,
    pub parts: BTreeMap<String, PathBuf>,
}

impl SourceSet {
    pub fn single(format: Format, main: impl Into<PathBuf>) -> Self {
        SourceSet {
            format,
            main: main.into(),
            parts: BTreeMap::new(),
        }
    }

    /// Every file of the set, main first.
    pub fn files(&self) -> Vec<&Path> {
        std::iter::once(self.main.as_path())
            .chain(self.parts.values().map(PathBuf::as_path))
            .collect()
    }
}

/// Files in folders that are documentation, not lists.
fn is_ignored(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.starts_with('.')
        || name.ends_with(".md")
        || name.starts_with("readme")
        || name.starts_with("license")
        || name.starts_with("provenance")
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), ParseError> {
    let meta =
        std::fs::metadata(path).map_err(|e| ParseError::file(path, format!("cannot read: {e}")))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| ParseError::file(path, format!("cannot list folder: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            if !is_ignored(&e) {
                walk(&e, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Expands files and folders (recursively, skipping documentation files) and groups them into
/// source sets by content. Fails on the first file no format recognises.
pub fn detect_paths(paths: &[PathBuf]) -> Result<Vec<SourceSet>, ParseError> {
    let mut files = Vec::new();
    for p in paths {
        walk(p, &mut files)?;
    }
    let mut heads = Vec::new();
    for f in files {
        let head = Head::read(&f)?;
        let format = Format::ALL.into_iter().find(|fmt| fmt.sniff(&head)).ok_or_else(|| {
            ParseError::file(
                &f,
                "unknown list format: not OFAC CSV, UN XML, EU FSF XML, UK FCDO XML, OFSI CSV, BIS DPL, CSL CSV, FollowTheMoney JSON or watchlist custom CSV (see docs/formats.md)",
            )
        })?;
        heads.push((format, head));
    }
    let mut sets = Vec::new();
    // Formats whose files come in groups get grouped by their own module.
    let (ofac, rest): (Vec<_>, Vec<_>) =
        heads.into_iter().partition(|(f, _)| *f == Format::OfacCsv);
    let (ftm, rest): (Vec<_>, Vec<_>) = rest.into_iter().partition(|(f, _)| *f == Format::FtmJson);
    if !ofac.is_empty() {
        sets.extend(formats::ofac_csv::group(
            ofac.into_iter().map(|(_, h)| h).collect(),
        )?);
    }
    if !ftm.is_empty() {
        sets.extend(formats::ftm_json::group(
            ftm.into_iter().map(|(_, h)| h).collect(),
        )?);
    }
    for (format, head) in rest {
        sets.push(SourceSet::single(format, head.path));
    }
    Ok(sets)
}
