//! Reading monitored records (customers, suppliers, workers) from CSV or JSON lines.
//!
//! CSV: a header row; column names are matched case-insensitively, and unknown columns are
//! ignored:
//!
//! | field | columns | notes |
//! |---|---|---|
//! | key | `id`, `key`, `customer_id`, `record_id`, `employee_id`, `supplier_id` | the record's identity; without a key column, `row:` + a hash of the record |
//! | name | `name`, `full_name` | required unless an identifier is given |
//! | more names | `names`, `aliases`, `alias` | separated by `;` |
//! | schema | `schema`, `type` | Person, Organization, Vessel, Aircraft, LegalEntity |
//! | birth date | `dob`, `birth_date`, `date_of_birth` | `1984`, `1984-01-08`, `~1960`, `1950..1951`; `;`-separated |
//! | country | `country`, `countries`, `nationality` | ISO code or name; `;`-separated |
//! | identifiers | `identifiers`, `identifier`, `id_number`, `passport` | `;`-separated |
//! | kind | `kind`, `category` | customer, supplier, worker… (default: `--kind`) |
//!
//! JSON lines: one object per line with `id`, `name`, `names`, `schema`, `birth_date`,
//! `birth_dates`, `countries`, `identifiers`, `kind` (the query fields of `watchlist match`).
//!
//! Every record is read through the one conversion (`model::QueryInput::read`): an untidy
//! birth date, country or schema is a warning naming the file, line and field, and the record
//! is kept and screened on the rest. Errors (a record with no name and no identifier, a line
//! that is not JSON) name the file and line. A key given twice keeps the last row.

use crate::{MonitoredRecord, Result, StoreError};
use model::{Query, QueryInput};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One record as read, before validation: its key, the query as given, its kind.
#[derive(Debug, Default)]
pub struct RawRecord {
    /// The key as given: a JSON line's `id` (else `key`), or a CSV row's key column. `None`
    /// gets a key made from the record (`row:` and a hash).
    pub id: Option<serde_json::Value>,
    /// The query fields as given, read later by [`QueryInput::read`].
    pub input: QueryInput,
    /// The record's `kind` (CSV: `kind` or `category`); `None` takes the reader's default.
    pub kind: Option<String>,
}

/// Records read from a file, and the values that could not be used (each naming the file,
/// line and field; the record was kept and is screened on the rest).
#[derive(Debug, Default)]
pub struct ReadRecords {
    /// One record per key, in the order the keys first appear (a key given twice keeps
    /// its last row).
    pub records: Vec<MonitoredRecord>,
    /// One line per value left out or read with less precision: `file: line N: field: …`.
    pub warnings: Vec<String>,
}

/// Reads a CSV or JSON-lines file (by content: a first non-blank character `{` means JSON
/// lines).
pub fn read_file(path: &Path, default_kind: &str) -> Result<ReadRecords> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| StoreError::Input(format!("{name}: {e}")))?;
    read_records(&name, &bytes, default_kind)
}

/// Reads records from bytes (CSV or JSON lines, as [`read_file`]), without the warnings.
pub fn read_bytes(name: &str, bytes: &[u8], default_kind: &str) -> Result<Vec<MonitoredRecord>> {
    read_records(name, bytes, default_kind).map(|r| r.records)
}

/// Reads records from bytes (CSV or JSON lines, as [`read_file`]) with their warnings. A
/// record is refused only when it has no name and no identifier (or no usable key).
pub fn read_records(name: &str, bytes: &[u8], default_kind: &str) -> Result<ReadRecords> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        StoreError::Input(format!(
            "{name}: not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let json = text.trim_start().starts_with('{');
    let raws = if json {
        read_jsonl(name, text.as_bytes())?
    } else {
        read_csv(name, text.as_bytes())?
    };
    let mut out: Vec<MonitoredRecord> = Vec::with_capacity(raws.len());
    let mut warnings = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, raw) in raws {
        let (rec, w) = to_record(raw, default_kind)
            .map_err(|e| StoreError::Input(format!("{name}: line {line}: {e}")))?;
        warnings.extend(w.into_iter().map(|w| format!("{name}: line {line}: {w}")));
        match seen.get(&rec.key) {
            Some(&i) => out[i] = rec,
            None => {
                seen.insert(rec.key.clone(), out.len());
                out.push(rec);
            }
        }
    }
    Ok(ReadRecords {
        records: out,
        warnings,
    })
}

fn read_jsonl(name: &str, r: impl Read) -> Result<Vec<(u64, RawRecord)>> {
    let mut out = Vec::new();
    for (i, line) in BufReader::new(r).lines().enumerate() {
        let line = line.map_err(|e| StoreError::Input(format!("{name}: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let map = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(m)) => m,
            Ok(_) => {
                return Err(StoreError::Input(format!(
                    "{name}: line {}: not a JSON object",
                    i + 1
                )))
            }
            Err(e) => return Err(StoreError::Input(format!("{name}: line {}: {e}", i + 1))),
        };
        let text = |k: &str| match map.get(k) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let raw = RawRecord {
            id: map.get("id").or_else(|| map.get("key")).cloned(),
            kind: text("kind"),
            input: QueryInput::from_json(&map),
        };
        out.push((i as u64 + 1, raw));
    }
    Ok(out)
}

/// Which field a CSV column feeds.
#[derive(Clone, Copy, PartialEq)]
enum Col {
    Key,
    Name,
    Names,
    Schema,
    Dob,
    Country,
    Ids,
    Kind,
}

fn column(header: &str) -> Option<Col> {
    Some(match header.trim().to_ascii_lowercase().as_str() {
        "id" | "key" | "customer_id" | "record_id" | "employee_id" | "supplier_id" => Col::Key,
        "name" | "full_name" => Col::Name,
        "names" | "aliases" | "alias" => Col::Names,
        "schema" | "type" => Col::Schema,
        "dob" | "birth_date" | "date_of_birth" => Col::Dob,
        "country" | "countries" | "nationality" => Col::Country,
        "identifiers" | "identifier" | "id_number" | "passport" => Col::Ids,
        "kind" | "category" => Col::Kind,
        _ => return None,
    })
}

fn split(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn read_csv(name: &str, r: impl Read) -> Result<Vec<(u64, RawRecord)>> {
    let err = |e: csv::Error| {
        let line = e.position().map(|p| p.line()).unwrap_or(0);
        StoreError::Input(format!("{name}: line {line}: {e}"))
    };
    let mut rd = csv::ReaderBuilder::new().flexible(false).from_reader(r);
    let cols: Vec<Option<Col>> = rd.headers().map_err(err)?.iter().map(column).collect();
    if !cols.contains(&Some(Col::Name)) {
        return Err(StoreError::Input(format!(
            "{name}: no name column (expected a header with `name` or `full_name`)"
        )));
    }
    let mut out = Vec::new();
    for row in rd.records() {
        let row = row.map_err(err)?;
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        let mut raw = RawRecord::default();
        for (col, v) in cols.iter().zip(row.iter()) {
            let v = v.trim();
            match col {
                Some(Col::Key) if !v.is_empty() => raw.id = Some(v.into()),
                Some(Col::Key) => {
                    return Err(StoreError::Input(format!(
                        "{name}: line {line}: the id column is empty"
                    )))
                }
                Some(Col::Name) if !v.is_empty() => raw.input.names.insert(0, v.into()),
                Some(Col::Names) => raw.input.names.extend(split(v)),
                Some(Col::Schema) if !v.is_empty() => raw.input.schema = Some(v.into()),
                Some(Col::Dob) => raw.input.birth_dates.extend(split(v)),
                Some(Col::Country) => raw.input.countries.extend(split(v)),
                Some(Col::Ids) => raw.input.identifiers.extend(split(v)),
                Some(Col::Kind) if !v.is_empty() => raw.kind = Some(v.into()),
                _ => {}
            }
        }
        out.push((line, raw));
    }
    Ok(out)
}

/// Reads one record into a query through the one conversion ([`QueryInput::read`]): the
/// warnings name the values left out; the error says why the record cannot be screened.
fn to_record(
    raw: RawRecord,
    default_kind: &str,
) -> std::result::Result<(MonitoredRecord, Vec<String>), String> {
    let read = raw.input.read().map_err(|e| e.to_string())?;
    let query = read.query;
    let kind = raw
        .kind
        .filter(|k| !k.trim().is_empty())
        .unwrap_or_else(|| default_kind.to_string());
    let record_hash = record_hash(&kind, &query);
    let key = match raw.id {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::Null) | None => format!("row:{}", &record_hash[..16]),
        Some(v) => return Err(format!("id {v} is not a string or number")),
    };
    Ok((
        MonitoredRecord {
            key,
            kind,
            query,
            record_hash,
        },
        read.warnings,
    ))
}

/// sha256 over the kind and the query's JSON.
pub fn record_hash(kind: &str, q: &Query) -> String {
    let text = format!(
        "{kind}\n{}",
        serde_json::to_string(q).expect("queries serialise")
    );
    crate::sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_all_fields() {
        let csv = "customer_id,full_name,aliases,type,dob,nationality,passport,extra\n\
                   c1,Kim Jong Un,Kim Jong-un;Kim Chong-un,Person,1984-01-08,North Korea,X123,z\n\
                   c2,Acme Trading LLC,,Organization,,us;de,,\n";
        let r = read_bytes("t.csv", csv.as_bytes(), "customer").unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].key, "c1");
        assert_eq!(
            r[0].query.names,
            vec!["Kim Jong Un", "Kim Jong-un", "Kim Chong-un"]
        );
        assert_eq!(r[0].query.countries, vec!["kp"]);
        assert_eq!(r[0].query.identifiers, vec!["X123"]);
        assert_eq!(r[0].query.birth_dates[0].to_string(), "1984-01-08");
        assert_eq!(r[1].query.countries, vec!["us", "de"]);
        assert_eq!(r[1].kind, "customer");
    }

    #[test]
    fn jsonl_and_duplicates_keep_the_last() {
        let j = "{\"id\": 7, \"name\": \"A B\", \"kind\": \"worker\"}\n\n{\"id\": 7, \"name\": \"A C\"}\n";
        let r = read_bytes("t.jsonl", j.as_bytes(), "customer").unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].key, "7");
        assert_eq!(r[0].query.names, vec!["A C"]);
    }

    #[test]
    fn untidy_fields_are_warnings_and_errors_name_the_line_and_field() {
        // an untidy date or country is a warning naming file, line and field; the record stays
        let r = read_records("t.csv", b"id,name,dob\n1,A,1984\n2,B,not a date\n", "c").unwrap();
        assert_eq!(r.records.len(), 2);
        assert!(
            r.warnings[0].contains("t.csv: line 3") && r.warnings[0].contains("birth_date"),
            "{:?}",
            r.warnings
        );
        let r = read_records("t.csv", b"id,name,country\n1,A,Atlantis\n", "c").unwrap();
        assert_eq!(r.records[0].query.names, ["A"]);
        assert!(r.warnings[0].contains("line 2") && r.warnings[0].contains("Atlantis"));
        let e = read_bytes("t.csv", b"id,name,dob\n1,,1984\n", "c")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("no name"), "{e}");
        let e = read_bytes("t.csv", b"id,surname\n1,A\n", "c")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no name column"), "{e}");
        let e = read_bytes("t.csv", b"id,name\n1,A,extra\n", "c")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
        let e = read_bytes("t.csv", b"id,name\n1,\xff\n", "c")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not UTF-8"), "{e}");
        let e = read_bytes("t.jsonl", b"{\"id\": 1, \"name\": \"A\"}\n{broken\n", "c")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn keyless_rows_get_a_content_key() {
        let r = read_bytes("t.csv", b"full_name,date_of_birth\nJane Roe,1970\n", "c").unwrap();
        assert!(r[0].key.starts_with("row:"));
    }
}
