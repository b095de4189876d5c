//! Helpers shared by the delimited-text readers (DPL, CSL, OFSI and the custom CSV format):
//! reading CSV records with the file and line in errors, and ids and schemas for lists whose
//! rows carry none.

use super::common::clean;
use crate::{ParseError, Position};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

/// The records of one CSV file, with reader errors turned into [`ParseError`]s that name the
/// file and line ([`csv_error`]).
pub(crate) struct Records<'p, R> {
    path: &'p Path,
    csv: csv::Reader<R>,
    rec: csv::StringRecord,
}

impl<'p, R: Read> Records<'p, R> {
    /// Reads `csv`, a reader over the file `path` (set up without headers: the readers check
    /// the header themselves).
    pub(crate) fn new(path: &'p Path, csv: csv::Reader<R>) -> Self {
        Records {
            path,
            csv,
            rec: csv::StringRecord::new(),
        }
    }

    /// The next record, `None` at the end of the file.
    pub(crate) fn next(&mut self) -> Result<Option<&csv::StringRecord>, ParseError> {
        let more = self
            .csv
            .read_record(&mut self.rec)
            .map_err(|e| csv_error(self.path, e))?;
        Ok(more.then_some(&self.rec))
    }

    /// The first record, or an "empty file: expected …" error naming what was `expected`.
    pub(crate) fn first(&mut self, expected: &str) -> Result<&csv::StringRecord, ParseError> {
        let path = self.path;
        self.next()?
            .ok_or_else(|| ParseError::file(path, format!("empty file: expected {expected}")))
    }

    /// The next record that is not blank (every field empty or white space), `None` at the
    /// end of the file.
    pub(crate) fn next_row(&mut self) -> Result<Option<&csv::StringRecord>, ParseError> {
        loop {
            let blank = match self.next()? {
                Some(rec) => rec.iter().all(|f| f.trim().is_empty()),
                None => return Ok(None),
            };
            if !blank {
                return Ok(Some(&self.rec));
            }
        }
    }
}

/// The 1-based line a CSV record starts on.
pub(crate) fn record_line(rec: &csv::StringRecord) -> u64 {
    rec.position().map(|p| p.line()).unwrap_or(0)
}

/// A CSV reader error as a [`ParseError`] naming the line.
pub(crate) fn csv_error(path: &Path, err: csv::Error) -> ParseError {
    let line = err.position().map(|p| p.line());
    let reason = match err.into_kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("wrong number of fields: {len}, expected {expected_len} as in the header")
        }
        csv::ErrorKind::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            format!("{e}: the file must be UTF-8")
        }
        csv::ErrorKind::Io(e) => format!("cannot read: {e}"),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("invalid UTF-8 in field {}", err.field() + 1)
        }
        other => format!("malformed CSV: {other:?}"),
    };
    ParseError::new(
        path,
        Position {
            line,
            ..Default::default()
        },
        reason,
    )
}

/// A name compared for grouping and hashing: upper case, runs of whitespace collapsed.
pub(crate) fn name_key(name: &str) -> String {
    clean(name).to_uppercase()
}

/// `{prefix}-{first 10 hex digits of sha256(key)}`.
pub(crate) fn hashed_id(prefix: &str, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("{prefix}-{}", &hex::encode(digest)[..10])
}

/// Hands out ids, suffixing `-2`, `-3`, … when an id was already issued in this file.
#[derive(Default)]
pub(crate) struct IdIssuer {
    seen: HashSet<String>,
}

impl IdIssuer {
    pub(crate) fn issue(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        let mut n = 1;
        while self.seen.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.seen.insert(id.clone());
        id
    }
}

/// Legal forms and business words that mark a name as an organisation's. Compared with
/// the name's words after dots are removed (`S.A.` → `SA`, `CO.,` → `CO`).
const ORG_WORDS: &[&str] = &[
    // legal forms
    "INC",
    "INCORPORATED",
    "LTD",
    "LIMITED",
    "LLC",
    "LLP",
    "CO",
    "CORP",
    "CORPORATION",
    "COMPANY",
    "GMBH",
    "AG",
    "SA",
    "SL",
    "SRL",
    "SARL",
    "SAS",
    "SPA",
    "BV",
    "NV",
    "PLC",
    "PTE",
    "PVT",
    "JSC",
    "OJSC",
    "PJSC",
    "CJSC",
    "OOO",
    "ZAO",
    "OAO",
    "FZE",
    "FZCO",
    "FZC",
    "KG",
    "KFT",
    "BHD",
    "SDN",
    // business words
    "AIRLINE",
    "AIRLINES",
    "AVIATION",
    "BANK",
    "ELECTRONICS",
    "ENGINEERING",
    "ENTERPRISE",
    "ENTERPRISES",
    "GROUP",
    "INDUSTRIES",
    "INDUSTRIAL",
    "INSTITUTE",
    "INTERNATIONAL",
    "MANUFACTURING",
    "SERVICES",
    "SHIPPING",
    "SYSTEMS",
    "TECHNOLOGY",
    "TECHNOLOGIES",
    "TRADING",
    "UNIVERSITY",
];

/// True when the name carries a legal form or business word (see `ORG_WORDS`).
pub(crate) fn looks_like_organisation(name: &str) -> bool {
    name.to_uppercase()
        .replace('.', "")
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| ORG_WORDS.contains(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_words() {
        assert!(looks_like_organisation(
            "EMPRESA DE TRANSPORTE AEROCARGO DEL SUR, S.A."
        ));
        assert!(looks_like_organisation("WELL BEING ENTERPRISE CO., LTD."));
        assert!(looks_like_organisation("TECHMA GMBH"));
        assert!(!looks_like_organisation("ZIMO SHENG"));
        assert!(!looks_like_organisation("ORVILLE L. PARKER, JR."));
    }

    #[test]
    fn issuer_suffixes_repeats() {
        let mut ids = IdIssuer::default();
        assert_eq!(ids.issue("a"), "a");
        assert_eq!(ids.issue("a"), "a-2");
        assert_eq!(ids.issue("a"), "a-3");
        assert_eq!(hashed_id("dpl", "X").len(), 14);
    }
}
