//! Recognising list files by their content and grouping them into parseable sets.

use crate::registry::unknown_format_reason;
use crate::{input, ParseError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::registry::Format;

/// The first bytes of a file, for sniffing.
#[derive(Debug, Clone)]
pub struct Head {
    /// The file as found by detection (a given path, or one found under a given folder);
    /// for [`Head::from_bytes`], the file name given.
    pub path: PathBuf,
    /// Lower-cased file name.
    pub file_name: String,
    /// Up to [`Head::SIZE`] bytes from the start, BOM removed.
    pub bytes: Vec<u8>,
}

impl Head {
    /// Most bytes read from the start of a file for sniffing (64 KiB).
    pub const SIZE: usize = 64 * 1024;

    /// Reads the first [`Head::SIZE`] bytes of a file (a leading UTF-8 BOM removed); fails
    /// when the file cannot be opened or read. No UTF-8 check: sniffing sees the raw bytes.
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
    /// The format every file of the set is in; its parser reads the set.
    pub format: Format,
    /// The file that carries the entities.
    pub main: PathBuf,
    /// Companion files by role (empty for a single-file set).
    pub parts: BTreeMap<String, PathBuf>,
}

impl SourceSet {
    /// A set of one file, with no companion files.
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
        let format = Format::ALL
            .into_iter()
            .find(|fmt| fmt.sniff(&head))
            .ok_or_else(|| ParseError::file(&f, unknown_format_reason()))?;
        heads.push((format, head));
    }
    // Formats that combine files into sets group all their files at once, in registry order;
    // then every other file makes its own set(s), in path order.
    let mut sets = Vec::new();
    for format in Format::ALL {
        let lf = format.list_format();
        if lf.combines_files() {
            let (mine, rest): (Vec<_>, Vec<_>) = heads.into_iter().partition(|(f, _)| *f == format);
            heads = rest;
            if !mine.is_empty() {
                sets.extend(lf.group(mine.into_iter().map(|(_, h)| h).collect())?);
            }
        }
    }
    for (format, head) in heads {
        sets.extend(format.list_format().group(vec![head])?);
    }
    Ok(sets)
}
