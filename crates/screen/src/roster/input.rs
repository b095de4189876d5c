//! Reading rosters: CSV (with a header row; `,`, `;` or tab, whichever the header uses most)
//! or JSON lines (one object per line), streamed one row at a time.
//!
//! Columns are matched to the roster fields by name, ignoring case, spaces, `-` and `_`
//! (`Full Name`, `full_name`), from the synonyms in [`FIELDS`], or by an explicit mapping
//! `field=Column Name,…` ([`parse_map`]). Only `name` is required.

use super::{Row, RowError};
use std::io::{BufRead, Read};

/// Roster fields and the column names recognised for each.
pub const FIELDS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "name",
            "fullname",
            "full name",
            "person",
            "party",
            "company",
            "company name",
            "worker",
        ],
    ),
    (
        "dob",
        &["dob", "birthdate", "date of birth", "birth date", "born"],
    ),
    (
        "nationality",
        &["nationality", "citizenship", "nationalities"],
    ),
    (
        "passport",
        &[
            "passport",
            "passport number",
            "passport no",
            "passportno",
            "document number",
            "document",
        ],
    ),
    (
        "employer",
        &[
            "employer",
            "employer name",
            "company of employment",
            "employed by",
        ],
    ),
    (
        "address",
        &[
            "address",
            "work address",
            "work location",
            "location",
            "residence",
        ],
    ),
    ("country", &["country", "work country", "country of work"]),
    ("employer_address", &["employer address", "employeraddress"]),
    ("id", &["id", "row id", "employee id", "reference", "ref"]),
    ("kind", &["type", "kind", "schema", "entity type"]),
];

fn norm(s: &str) -> String {
    s.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Parses `field=Column,field=Column`.
pub fn parse_map(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (f, c) = part
            .split_once('=')
            .ok_or_else(|| format!("--map {part:?}: expected field=Column Name"))?;
        let f = f.trim().to_ascii_lowercase();
        if !FIELDS.iter().any(|(k, _)| *k == f) {
            let known: Vec<&str> = FIELDS.iter().map(|(k, _)| *k).collect();
            return Err(format!(
                "--map: unknown field {f:?} (fields: {})",
                known.join(", ")
            ));
        }
        out.push((f, c.trim().to_string()));
    }
    Ok(out)
}

/// Which column (by index or key) holds each field.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// (field, column index in a CSV header / key in a JSON object)
    pub fields: Vec<(&'static str, usize, String)>,
}

impl Columns {
    /// Resolves the fields against a header.
    pub fn resolve(header: &[String], map: &[(String, String)]) -> Result<Columns, String> {
        let mut fields = Vec::new();
        for (field, synonyms) in FIELDS {
            let wanted: Vec<String> = match map.iter().find(|(f, _)| f == field) {
                Some((_, col)) => vec![norm(col)],
                None => synonyms.iter().map(|s| norm(s)).collect(),
            };
            if let Some(i) = header.iter().position(|h| wanted.contains(&norm(h))) {
                fields.push((*field, i, header[i].clone()));
            } else if let Some((_, col)) = map.iter().find(|(f, _)| f == field) {
                return Err(format!(
                    "--map {field}={col}: no column {col:?} in the header ({})",
                    header.join(", ")
                ));
            }
        }
        if !fields.iter().any(|(f, _, _)| *f == "name") {
            return Err(format!(
                "no name column in the header ({}); name one with --map name=COLUMN",
                header.join(", ")
            ));
        }
        Ok(Columns { fields })
    }

    fn fill(&self, row: &mut Row, get: impl Fn(usize, &str) -> Option<String>) {
        for (field, i, key) in &self.fields {
            let v = get(*i, key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty());
            match *field {
                "name" => row.name = v.unwrap_or_default(),
                "dob" => row.dob = v,
                "nationality" => row.nationality = v,
                "passport" => row.passport = v,
                "employer" => row.employer = v,
                "address" => row.address = v,
                "country" => row.country = v,
                "employer_address" => row.employer_address = v,
                "id" => row.id = v,
                "kind" => row.kind = v,
                _ => {}
            }
        }
    }
}

/// A stream of rows.
pub trait Rows {
    /// The next row, an error for a bad row, or `None` at the end.
    fn next_row(&mut self) -> Option<Result<Row, RowError>>;
    /// Bytes read so far.
    fn bytes_read(&self) -> u64;
}

/// CSV rows.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<R>,
    cols: Columns,
    width: usize,
    row: u64,
    record: csv::ByteRecord,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header and resolves the columns. `sep` is the separator.
    pub fn new(reader: R, sep: u8, map: &[(String, String)]) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(sep)
            .flexible(true)
            .has_headers(true)
            .from_reader(reader);
        let header = reader
            .byte_headers()
            .map_err(|e| format!("cannot read the header row: {e}"))?
            .clone();
        let header: Vec<String> = header
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err("empty file: no header row".into());
        }
        let cols = Columns::resolve(&header, map)?;
        Ok(CsvRows {
            reader,
            cols,
            width: header.len(),
            row: 0,
            record: csv::ByteRecord::new(),
        })
    }
}

impl<R: Read> Rows for CsvRows<R> {
    fn next_row(&mut self) -> Option<Result<Row, RowError>> {
        loop {
            self.row += 1;
            let line = self.reader.position().line() + 1;
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(line);
                    return Some(Err(RowError {
                        row: self.row,
                        line,
                        reason: format!("unreadable CSV: {e}"),
                    }));
                }
                Ok(true) => {}
            }
            let line = self.record.position().map(|p| p.line()).unwrap_or(line);
            if self
                .record
                .iter()
                .all(|f| f.iter().all(u8::is_ascii_whitespace))
            {
                self.row -= 1;
                continue; // blank line
            }
            if self.record.len() != self.width {
                return Some(Err(RowError {
                    row: self.row,
                    line,
                    reason: format!(
                        "{} fields, expected {} as in the header",
                        self.record.len(),
                        self.width
                    ),
                }));
            }
            for (i, f) in self.record.iter().enumerate() {
                if let Err(e) = std::str::from_utf8(f) {
                    return Some(Err(RowError { row: self.row, line, reason: format!("column {} is not valid UTF-8 (bad byte at offset {} of the field); save the file as UTF-8", i + 1, e.valid_up_to()) }));
                }
            }
            let mut r = Row {
                row: self.row,
                line,
                ..Default::default()
            };
            let rec = &self.record;
            self.cols.fill(&mut r, |i, _| {
                rec.get(i).map(|b| String::from_utf8_lossy(b).into_owned())
            });
            if r.name.is_empty() {
                return Some(Err(RowError {
                    row: self.row,
                    line,
                    reason: "no name".into(),
                }));
            }
            return Some(Ok(r));
        }
    }

    fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

/// JSON-lines rows: one object per line; keys are column names.
pub struct JsonRows<R: BufRead> {
    reader: R,
    map: Vec<(String, String)>,
    cols: Option<Columns>,
    row: u64,
    line: u64,
    bytes: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> JsonRows<R> {
    /// Rows of JSON lines; `map` is the column mapping ([`parse_map`]), resolved against the
    /// first object's keys.
    pub fn new(reader: R, map: &[(String, String)]) -> Self {
        JsonRows {
            reader,
            map: map.to_vec(),
            cols: None,
            row: 0,
            line: 0,
            bytes: 0,
            buf: Vec::new(),
        }
    }
}

impl<R: BufRead> Rows for JsonRows<R> {
    fn next_row(&mut self) -> Option<Result<Row, RowError>> {
        loop {
            self.buf.clear();
            let n = match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(n) => n,
                Err(e) => {
                    return Some(Err(RowError {
                        row: self.row + 1,
                        line: self.line + 1,
                        reason: format!("read error: {e}"),
                    }))
                }
            };
            self.bytes += n as u64;
            self.line += 1;
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.row += 1;
            let (row, line) = (self.row, self.line);
            let err = |reason: String| Some(Err(RowError { row, line, reason }));
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t.trim_start_matches('\u{feff}'),
                Err(e) => {
                    return err(format!(
                        "not valid UTF-8 (bad byte at column {})",
                        e.valid_up_to() + 1
                    ))
                }
            };
            let obj: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(text) {
                Ok(o) => o,
                Err(e) => return err(format!("not a JSON object: {e}")),
            };
            if self.cols.is_none() {
                // columns from the first object's keys, by position in the key list
                let keys: Vec<String> = obj.keys().cloned().collect();
                match Columns::resolve(&keys, &self.map) {
                    Ok(c) => self.cols = Some(c),
                    Err(e) => return err(e),
                }
            }
            let mut r = Row {
                row,
                line,
                ..Default::default()
            };
            if let Some(cols) = &self.cols {
                cols.fill(&mut r, |_, key| {
                    obj.get(key).and_then(|v| match v {
                        serde_json::Value::String(s) => Some(s.clone()),
                        serde_json::Value::Null => None,
                        other => Some(other.to_string()),
                    })
                });
            }
            if r.name.is_empty() {
                return err("no name".into());
            }
            return Some(Ok(r));
        }
    }

    fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

/// The separator a CSV header line uses most (`,`, `;` or tab).
pub fn sniff_separator(first_line: &[u8]) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|s| first_line.iter().filter(|b| *b == s).count())
        .unwrap_or(b',')
}

/// Why a roster cannot be read at all (bad rows are [`RowError`]s instead).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A NUL byte in the first block read: not text.
    #[error("binary file; a roster is CSV or JSON lines")]
    Binary,
    /// The CSV header row cannot be read or lacks a name column.
    #[error("{0}")]
    Header(String),
    /// Reading the input failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Opens a roster as a stream of rows, deciding its kind from its name and first bytes:
/// JSON lines for a `.jsonl` or `.ndjson` name or content starting with `{`, else CSV with
/// the separator its header line uses most ([`sniff_separator`]). A NUL byte in the first
/// block means a binary file, which is refused. `map` is the column mapping ([`parse_map`]).
pub fn open<'a, R: BufRead + Send + 'a>(
    name: &str,
    mut reader: R,
    map: &[(String, String)],
) -> Result<Box<dyn Rows + Send + 'a>, OpenError> {
    let head = reader.fill_buf()?;
    if head.contains(&0) {
        return Err(OpenError::Binary);
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let lower = name.to_ascii_lowercase();
    let jsonl = lower.ends_with(".jsonl")
        || lower.ends_with(".ndjson")
        || head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if jsonl {
        return Ok(Box::new(JsonRows::new(reader, map)));
    }
    let sep = sniff_separator(head.split(|b| *b == b'\n').next().unwrap_or(b""));
    Ok(Box::new(
        CsvRows::new(reader, sep, map).map_err(OpenError::Header)?,
    ))
}
