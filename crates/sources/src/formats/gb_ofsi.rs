//! OFSI Consolidated List of Financial Sanctions Targets, CSV (list key `gb_hmt`).
//!
//! Publisher: HM Treasury, Office of Financial Sanctions Implementation (OFSI),
//! <https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets>
//! (file `ConList.csv`, the "2022 format"). The column layout below is OFSI's published
//! layout; the same 36-column header appears in OFSI's file and in the many third-party
//! readers of it. The UK Sanctions List (FCDO, [`super::gb_fcdo`]) shares its Group IDs.
//!
//! Layout:
//!
//! ```text
//! Last Updated,<dd/mm/yyyy>
//! Name 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,Name Non-Latin Script,Non-Latin Script Type,
//!   Non-Latin Script Language,DOB,Town of Birth,Country of Birth,Nationality,Passport Number,
//!   Passport Details,National Identification Number,National Identification Details,Position,
//!   Address 1,Address 2,Address 3,Address 4,Address 5,Address 6,Post/Zip Code,Country,
//!   Other Information,Group Type,Alias Type,Alias Quality,Regime,Listed On,
//!   UK Sanctions List Date Designated,Last Updated,Group ID
//! <one row per name of a target>
//! ```
//!
//! One row per name: the rows that share a `Group ID` are one target, and OFSI publishes them
//! next to each other. Rows are merged while streaming, so memory holds one target at a time
//! (plus the set of Group IDs already seen). A Group ID that comes back after another group
//! has started is an error naming both lines: the target was already emitted, and merging
//! later rows into it would need the whole file in memory. Columns are found by header name,
//! so reordered or added columns are read; `Name 6`, `Group Type` and `Group ID` are required.
//! Every row must have as many fields as the header.
//!
//! Mapping:
//!
//! | Column | model |
//! |---|---|
//! | `Last Updated` (first line) | `ListInfo::published` (ISO) |
//! | `Group ID` | entity id `gb_hmt:<Group ID>` |
//! | `Group Type` (`Individual`, `Entity`, `Ship`) | schema (`Person`, `Organization`, `Vessel`) |
//! | `Name 1`…`Name 5` then `Name 6`, joined | a name per row |
//! | `Alias Type` `Primary name` / `Primary name variation`, `AKA`, `Prime Alias` / `FKA`; `Alias Quality` `Low` | primary / alias / former; weak alias |
//! | `Name Non-Latin Script` (`Non-Latin Script Language` → `Name::lang`) | original-script name |
//! | `Title`, `Position` | positions |
//! | `DOB` (`dd/mm/yyyy`, `00` for an unknown day or month) | birth dates |
//! | `Town of Birth`, `Country of Birth` | birth places |
//! | `Nationality` | nationalities (ISO; unknown names in `extra`) |
//! | `Passport Number`/`Details`, `National Identification Number`/`Details` | identifiers |
//! | `Address 1`–`4` → street, `5` → region, `6` → city, `Post/Zip Code`, `Country` | addresses |
//! | `Other Information` | remarks; its `(UK Sanctions List Ref):…` becomes an identifier "UK Sanctions List ID", `(UN Ref):…` goes to `extra`, an `IMO` number an IMO identifier |
//! | `Regime` | programs |
//! | `Listed On` | listed on |
//! | `UK Sanctions List Date Designated`, `Last Updated`, `Non-Latin Script Type`, unknown columns | `extra` |
//!
//! Multi-valued cells written as `(1) … (2) …` are split.

use super::common::{add_extra, add_id, clean, push_unique};
use super::csv_util::{record_line, Records};
use super::gb_fcdo::{language_code, leading_country, uk_date, UNIQUE_ID_LABEL};
use crate::input::{self, CheckedReader};
use crate::{Emit, Head, ListFormat, ListInfo, ParseError, Position, SourceSet};
use model::{
    country, Address, DateValue, Entity, EntityId, IdKind, Identifier, Name, NameKind, Schema,
};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// The list key entities of this format belong to.
pub const LIST: &str = "gb_hmt";

/// OFSI consolidated list CSV (ConList.csv layout).
/// Registered in [`crate::FORMATS`].
pub struct GbOfsiCsv;

/// The format's registry entry.
pub static FORMAT: GbOfsiCsv = GbOfsiCsv;

impl ListFormat for GbOfsiCsv {
    fn name(&self) -> &'static str {
        "gb_ofsi_csv"
    }

    fn describe(&self) -> &'static str {
        "OFSI CSV"
    }

    fn sniff(&self, head: &Head) -> bool {
        sniff(head)
    }

    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        parse(set, emit)
    }
}

/// True when the first line starts with `Last Updated` and the header line names `Name 6` and
/// `Group ID`.
pub fn sniff(head: &Head) -> bool {
    let text = head.text();
    let mut lines = text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or("").trim_start_matches('"');
    let header = lines.next().unwrap_or("");
    first.starts_with("Last Updated") && header.contains("Name 6") && header.contains("Group ID")
}

/// Streams the targets of an OFSI ConList.csv file.
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    run(&set.main, input::open(&set.main)?, emit)
}

/// Parses an OFSI CSV held in memory (fuzzing, tests). `name` names the input in errors.
pub fn parse_bytes(name: &str, bytes: &[u8], emit: &mut Emit) -> Result<ListInfo, ParseError> {
    run(Path::new(name), CheckedReader::new(bytes), emit)
}

/// The header: column positions by name.
struct Columns {
    index: HashMap<String, usize>,
    names: Vec<String>,
}

/// Columns this parser maps; any other column goes to `extra`.
const KNOWN: [&str; 36] = [
    "Name 6",
    "Name 1",
    "Name 2",
    "Name 3",
    "Name 4",
    "Name 5",
    "Title",
    "Name Non-Latin Script",
    "Non-Latin Script Type",
    "Non-Latin Script Language",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Number",
    "Passport Details",
    "National Identification Number",
    "National Identification Details",
    "Position",
    "Address 1",
    "Address 2",
    "Address 3",
    "Address 4",
    "Address 5",
    "Address 6",
    "Post/Zip Code",
    "Country",
    "Other Information",
    "Group Type",
    "Alias Type",
    "Alias Quality",
    "Regime",
    "Listed On",
    "UK Sanctions List Date Designated",
    "Last Updated",
    "Group ID",
];

impl Columns {
    fn read(path: &Path, header: &csv::StringRecord) -> Result<Self, ParseError> {
        let names: Vec<String> = header.iter().map(clean).collect();
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_ascii_lowercase(), i))
            .collect();
        let cols = Columns { index, names };
        let missing: Vec<&str> = ["Name 6", "Group Type", "Group ID"]
            .into_iter()
            .filter(|c| !cols.index.contains_key(&c.to_ascii_lowercase()))
            .collect();
        if !missing.is_empty() {
            let reason = format!(
                "header lacks the column(s) {}: not an OFSI consolidated list",
                missing.join(", ")
            );
            return Err(ParseError::new(
                path,
                Position::line(record_line(header)),
                reason,
            ));
        }
        Ok(cols)
    }

    /// The cleaned cell of `column`, if the column exists and the cell is not empty.
    fn get(&self, row: &csv::StringRecord, column: &str) -> Option<String> {
        let i = *self.index.get(&column.to_ascii_lowercase())?;
        row.get(i).map(clean).filter(|v| !v.is_empty())
    }
}

fn run<R: Read>(path: &Path, reader: R, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut records = Records::new(path, csv);
    let published = published(
        path,
        records.first("\"Last Updated,<date>\" and the OFSI header")?,
    )?;
    let header = records.next()?.ok_or_else(|| {
        ParseError::new(path, Position::line(2), "file ends before the header line")
    })?;
    let cols = Columns::read(path, header)?;
    let mut seen: HashMap<String, u64> = HashMap::new();
    // the target being assembled from consecutive rows: (Group ID, entity)
    let mut current: Option<(String, Entity)> = None;
    while let Some(rec) = records.next_row()? {
        let line = record_line(rec);
        if rec.len() != cols.names.len() {
            let reason = format!(
                "row has {} fields, the header has {}",
                rec.len(),
                cols.names.len()
            );
            return Err(ParseError::new(path, Position::line(line), reason));
        }
        let err = |reason: String| ParseError::new(path, Position::line(line), reason);
        let key = cols
            .get(rec, "Group ID")
            .ok_or_else(|| err("row has no Group ID".into()))?;
        if current.as_ref().map(|(k, _)| k) != Some(&key) {
            if let Some((_, done)) = current.take() {
                emit(done)?;
            }
            if let Some(first) = seen.get(&key) {
                let reason = format!(
                    "Group ID {key} comes back after other groups (its rows started at line {first}): \
                     rows of one target must be consecutive"
                );
                return Err(in_group(err(reason), &key));
            }
            seen.insert(key.clone(), line);
            let entity = new_entity(&cols, rec, &key).map_err(|r| in_group(err(r), &key))?;
            current = Some((key, entity));
        }
        if let Some((_, entity)) = current.as_mut() {
            apply_row(&cols, rec, entity);
        }
    }
    if let Some((_, done)) = current.take() {
        emit(done)?;
    }
    Ok(ListInfo {
        list: LIST.to_string(),
        published,
        ..Default::default()
    })
}

/// Names the target an error is about.
fn in_group(mut err: ParseError, key: &str) -> ParseError {
    err.position.record = Some(format!("Group ID {key}"));
    err
}

/// The date on the `Last Updated,<dd/mm/yyyy>` line, as ISO.
fn published(path: &Path, first: &csv::StringRecord) -> Result<Option<String>, ParseError> {
    let label = first.get(0).unwrap_or("").trim();
    if !label.starts_with("Last Updated") {
        let reason = format!("first line is {label:?}, expected \"Last Updated,<date>\": not an OFSI consolidated list");
        return Err(ParseError::new(path, Position::line(1), reason));
    }
    // "Last Updated,10/09/2026" or "Last Updated: 10/09/2026"
    let rest = label
        .trim_start_matches("Last Updated")
        .trim_start_matches(':')
        .trim();
    let date = std::iter::once(rest)
        .chain(first.iter().skip(1))
        .map(str::trim)
        .find(|v| !v.is_empty());
    Ok(date.map(|d| uk_date(d).map_or_else(|| d.to_string(), |p| p.to_string())))
}

fn new_entity(cols: &Columns, row: &csv::StringRecord, key: &str) -> Result<Entity, String> {
    let id = EntityId::new(LIST, key).map_err(|e| format!("bad Group ID {key:?}: {e}"))?;
    let kind = cols.get(row, "Group Type").ok_or("row has no Group Type")?;
    let schema: Schema = kind
        .parse()
        .map_err(|_| format!("unknown Group Type {kind:?}"))?;
    Ok(Entity::new(id, schema))
}

/// Splits OFSI's numbered multi-value cells: "(1) Afghanistan (2) Pakistan".
fn split_numbered(cell: &str) -> Vec<String> {
    // (start, end) of the markers "(1)", "(2)", … in order
    let mut markers = Vec::new();
    let mut from = 0;
    for n in 1.. {
        let marker = format!("({n})");
        let Some(i) = cell.get(from..).and_then(|rest| rest.find(&marker)) else {
            break;
        };
        markers.push((from + i, from + i + marker.len()));
        from += i + marker.len();
    }
    let mut bounds = vec![0];
    for (start, end) in markers {
        bounds.push(start);
        bounds.push(end);
    }
    bounds.push(cell.len());
    bounds
        .chunks(2)
        .filter_map(|b| cell.get(b[0]..*b.get(1)?))
        .map(clean)
        .filter(|v| !v.is_empty())
        .collect()
}

fn name_kind(alias_type: Option<&str>, quality: Option<&str>) -> NameKind {
    let t = alias_type.unwrap_or("").to_ascii_lowercase();
    let kind = match t.as_str() {
        "primary name" => NameKind::Primary,
        "primary name variation" | "aka" | "prime alias" | "alias" | "" => NameKind::Alias,
        t if t.contains("fka") || t.contains("former") => NameKind::Former,
        t => NameKind::parse_loose(t).unwrap_or(NameKind::Alias),
    };
    let low = quality.is_some_and(|q| q.to_ascii_lowercase().contains("low"));
    if low && kind == NameKind::Alias {
        NameKind::WeakAlias
    } else {
        kind
    }
}

/// Adds what one row says about its target.
fn apply_row(cols: &Columns, row: &csv::StringRecord, e: &mut Entity) {
    let get = |c: &str| cols.get(row, c);
    apply_names(cols, row, e);
    for c in ["Title", "Position"] {
        for v in get(c).as_deref().map(split_numbered).unwrap_or_default() {
            push_unique(&mut e.positions, v);
        }
    }
    if let Some(dob) = get("DOB") {
        match uk_date(&dob) {
            Some(d) if !e.birth_dates.contains(&DateValue::Exact(d)) => {
                e.birth_dates.push(DateValue::Exact(d))
            }
            Some(_) => {}
            None => push_unique(&mut e.remarks, format!("Date of birth: {dob}")),
        }
    }
    let place: Vec<String> = ["Town of Birth", "Country of Birth"]
        .iter()
        .filter_map(|c| get(c))
        .collect();
    push_unique(&mut e.birth_places, place.join(", "));
    for n in get("Nationality")
        .as_deref()
        .map(split_numbered)
        .unwrap_or_default()
    {
        match country::code(&n) {
            Some(code) => Entity::push_country(&mut e.nationalities, code),
            None => add_extra(e, "Nationality", n),
        }
    }
    apply_documents(cols, row, e);
    if let Some(a) = address(cols, row) {
        if !e.addresses.contains(&a) {
            e.addresses.push(a);
        }
    }
    if let Some(info) = get("Other Information") {
        apply_other_information(&info, e);
        push_unique(&mut e.remarks, info);
    }
    if let Some(r) = get("Regime") {
        push_unique(&mut e.programs, r);
    }
    if e.listed_on.is_none() {
        e.listed_on = get("Listed On").as_deref().and_then(uk_date);
    }
    for c in ["UK Sanctions List Date Designated", "Last Updated"] {
        if let Some(v) = get(c) {
            add_extra(e, c, uk_date(&v).map_or(v, |d| d.to_string()));
        }
    }
    if let Some(t) = get("Non-Latin Script Type") {
        add_extra(e, "Non-Latin Script Type", t);
    }
    for (i, name) in cols.names.iter().enumerate() {
        if !KNOWN.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            if let Some(v) = row.get(i).map(clean) {
                add_extra(e, name, v);
            }
        }
    }
}

fn apply_names(cols: &Columns, row: &csv::StringRecord, e: &mut Entity) {
    let get = |c: &str| cols.get(row, c);
    let parts = ["Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6"];
    let full = parts
        .iter()
        .filter_map(|p| get(p))
        .collect::<Vec<_>>()
        .join(" ");
    let kind = name_kind(
        get("Alias Type").as_deref(),
        get("Alias Quality").as_deref(),
    );
    match e.names.iter_mut().find(|n| n.value == full) {
        // The same name met again as the primary name: it is the primary name.
        Some(n) if kind == NameKind::Primary => n.kind = NameKind::Primary,
        Some(_) => {}
        None => e.add_name(&full, kind),
    }
    if let Some(value) = get("Name Non-Latin Script") {
        if !e.names.iter().any(|n| n.value == value) {
            let mut name = Name::new(value, NameKind::OriginalScript);
            let lang = get("Non-Latin Script Language");
            name.lang = lang.as_deref().and_then(language_code).map(str::to_string);
            e.names.push(name);
        }
    }
    // Keep the primary name first: it is the caption.
    if let Some(i) = e.names.iter().position(|n| n.kind == NameKind::Primary) {
        let primary = e.names.remove(i);
        e.names.insert(0, primary);
    }
}

fn apply_documents(cols: &Columns, row: &csv::StringRecord, e: &mut Entity) {
    let docs = [
        (
            "Passport Number",
            "Passport Details",
            IdKind::Passport,
            "Passport",
        ),
        (
            "National Identification Number",
            "National Identification Details",
            IdKind::NationalId,
            "National identification number",
        ),
    ];
    for (number, details, kind, label) in docs {
        let numbers = cols
            .get(row, number)
            .as_deref()
            .map(split_numbered)
            .unwrap_or_default();
        let details = cols.get(row, details);
        for value in numbers {
            let mut id = Identifier::new(kind, value);
            id.label = Some(label.to_string());
            id.country = details
                .as_deref()
                .and_then(leading_country)
                .map(str::to_string);
            id.note = details.clone();
            add_id(e, id);
        }
    }
}

fn address(cols: &Columns, row: &csv::StringRecord) -> Option<Address> {
    let street = ["Address 1", "Address 2", "Address 3", "Address 4"]
        .iter()
        .filter_map(|c| cols.get(row, c))
        .collect::<Vec<_>>()
        .join(", ");
    let mut a = Address {
        street: (!street.is_empty()).then_some(street),
        region: cols.get(row, "Address 5"),
        city: cols.get(row, "Address 6"),
        postal_code: cols.get(row, "Post/Zip Code"),
        ..Default::default()
    };
    if let Some(c) = cols.get(row, "Country") {
        match country::code(&c) {
            Some(code) => a.country = Some(code.to_string()),
            None => a.full = Some(c),
        }
    }
    (!a.is_empty()).then_some(a)
}

/// The value after `marker` in Other Information, up to the next space.
fn tagged<'a>(info: &'a str, marker: &str) -> Option<&'a str> {
    let i = info.find(marker)?;
    let rest = info[i + marker.len()..].trim_start();
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches(['.', ',', ';'])).filter(|v| !v.is_empty())
}

/// The seven digits after "IMO" ("IMO: 9562233", "IMO number 9562233", "IMO9562233").
fn imo_number(info: &str) -> Option<String> {
    let i = info.find("IMO")?;
    let digits: String = info[i + 3..]
        .chars()
        .skip_while(|c| {
            !c.is_ascii_digit() && (c.is_alphabetic() || *c == ':' || c.is_whitespace())
        })
        .take_while(char::is_ascii_digit)
        .collect();
    (digits.len() == 7).then(|| format!("IMO{digits}"))
}

fn apply_other_information(info: &str, e: &mut Entity) {
    if let Some(uk) = tagged(info, "(UK Sanctions List Ref):") {
        let mut id = Identifier::new(IdKind::Other, uk);
        id.label = Some(UNIQUE_ID_LABEL.to_string());
        add_id(e, id);
        add_extra(e, "UK Sanctions List Ref", uk.to_string());
    }
    if let Some(un) = tagged(info, "(UN Ref):") {
        add_extra(e, "UN Ref", un.to_string());
    }
    if let Some(imo) = imo_number(info) {
        let mut id = Identifier::new(IdKind::Imo, imo);
        id.label = Some("IMO number".to_string());
        add_id(e, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_cells_split() {
        assert_eq!(
            split_numbered("(1) Afghanistan (2) Pakistan"),
            ["Afghanistan", "Pakistan"]
        );
        assert_eq!(split_numbered("Afghanistan"), ["Afghanistan"]);
        assert_eq!(
            split_numbered("Minister (2010) (1) a (2) b"),
            ["Minister (2010)", "a", "b"]
        );
        assert!(split_numbered("  ").is_empty());
    }

    #[test]
    fn other_information_tags() {
        let info = "(UK Sanctions List Ref):DPR0075 (UN Ref):KPv.001 IMO: 9562233. Owner: X";
        assert_eq!(tagged(info, "(UK Sanctions List Ref):"), Some("DPR0075"));
        assert_eq!(tagged(info, "(UN Ref):"), Some("KPv.001"));
        assert_eq!(imo_number(info).as_deref(), Some("IMO9562233"));
        assert_eq!(
            imo_number("IMO number 1234567").as_deref(),
            Some("IMO1234567")
        );
        assert_eq!(imo_number("IMO 123"), None);
    }

    #[test]
    fn alias_kinds() {
        assert_eq!(name_kind(Some("Primary name"), None), NameKind::Primary);
        assert_eq!(
            name_kind(Some("Primary name variation"), None),
            NameKind::Alias
        );
        assert_eq!(name_kind(Some("AKA"), Some("Good")), NameKind::Alias);
        assert_eq!(name_kind(Some("Prime Alias"), None), NameKind::Alias);
        assert_eq!(name_kind(Some("AKA"), Some("Low")), NameKind::WeakAlias);
        assert_eq!(name_kind(Some("FKA"), None), NameKind::Former);
    }

    #[test]
    fn sniff_needs_both_lines() {
        let ok = "Last Updated,10/09/2026\nName 6,Name 1,Group Type,Group ID\n";
        assert!(sniff(&Head::from_bytes("x.csv", ok.as_bytes())));
        assert!(!sniff(&Head::from_bytes(
            "ConList.csv",
            b"Name 6,Name 1,Group ID\n"
        )));
        assert!(!sniff(&Head::from_bytes(
            "ConList.csv",
            b"Last Updated,10/09/2026\nid,name\n"
        )));
    }
}
