//! watchlist's own **custom list** CSV: a user's own list, or analyst additions to official
//! lists (extra aliases, linked parties). List key: the `# list:` line, else the file name.
//!
//! The full specification with examples is in `docs/formats.md` ("Custom lists"); in short:
//!
//! ```text
//! # watchlist custom list v1
//! # list: my_list
//! # publisher: Compliance team
//! # published: 2024-05-01
//! id,name,schema,aliases,birth_date,nationality,identifiers,programs,source
//! p1,"KIM, Jong Un",Person,Kim Jong-un|김정은,1984-01-08,kp,,DPRK3,OFAC press release 2016-07-06
//! ```
//!
//! - UTF-8 (a BOM is fine), one header row. Fields are separated by `,`, or by `;` or a tab
//!   when the header uses those (spreadsheets in many locales save `;`).
//! - Lines before the header that start with `#` are comments; `# key: value` sets the list
//!   metadata `list`, `title`, `publisher`, `published`. A `# watchlist …` line marks the file.
//!   Rows starting with `#` after the header are comments too. Empty rows are skipped.
//! - `id` and `name` are required; every other column is optional. Column names ignore case,
//!   and spaces or `-` count as `_` (`Birth date` = `birth_date`). Unknown columns go to
//!   `extra` under their header as written (values split at `|`).
//! - Multi-valued cells separate values with `|` (names, dates, countries, identifiers,
//!   programs, relations also accept `;`).
//!
//! Errors name the line and the column (the column's 1-based number, and its header) and say
//! what is expected: unknown schema, country or gender, a date that is not a date, an identifier
//! without `kind:`, a repeated id, a relation to an id that is not in the file, a row with
//! more or fewer fields than the header, a file that is not UTF-8.
//!
//! Memory: one row, plus the ids seen so far (to refuse repeats and check relations).

use super::csv_util::{record_line, Records};
use crate::input::CheckedReader;
use crate::{input, Emit, Head, ListFormat, ListInfo, ParseError, Position, SourceSet};
use model::{
    Address, DateValue, Entity, EntityId, Gender, IdKind, Identifier, NameKind, PartialDate,
    Relation, Schema, VesselInfo,
};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// The comment that marks a file as a watchlist custom list (any `# watchlist…` line does).
pub const MARKER: &str = "# watchlist custom list v1";

/// The columns of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Id,
    Name,
    Schema,
    Aliases,
    WeakAliases,
    FormerNames,
    NewNames,
    OriginalScript,
    Gender,
    BirthDate,
    BirthPlace,
    Nationality,
    Citizenship,
    Countries,
    Identifiers,
    Addresses,
    Programs,
    ListedOn,
    Positions,
    Remarks,
    Relations,
    SameAs,
    Source,
    Flag,
    VesselType,
    Tonnage,
}

/// Column names (after normalisation) for each field; the first is the documented one.
const COLUMNS: &[(Field, &[&str])] = &[
    (Field::Id, &["id"]),
    (Field::Name, &["name"]),
    (Field::Schema, &["schema"]),
    (Field::Aliases, &["aliases", "alias", "aka"]),
    (Field::WeakAliases, &["weak_aliases", "weak_alias"]),
    (Field::FormerNames, &["former_names", "former_name", "fka"]),
    (Field::NewNames, &["new_names", "new_name", "nka"]),
    (Field::OriginalScript, &["original_script"]),
    (Field::Gender, &["gender"]),
    (
        Field::BirthDate,
        &["birth_date", "birth_dates", "date_of_birth", "dob"],
    ),
    (
        Field::BirthPlace,
        &["birth_place", "birth_places", "place_of_birth", "pob"],
    ),
    (Field::Nationality, &["nationality", "nationalities"]),
    (Field::Citizenship, &["citizenship", "citizenships"]),
    (Field::Countries, &["countries", "country"]),
    (Field::Identifiers, &["identifiers", "identifier"]),
    (Field::Addresses, &["addresses", "address"]),
    (Field::Programs, &["programs", "program"]),
    (Field::ListedOn, &["listed_on", "listing_date"]),
    (Field::Positions, &["positions", "position"]),
    (Field::Remarks, &["remarks", "remark", "notes"]),
    (Field::Relations, &["relations", "linked_to"]),
    (Field::SameAs, &["same_as"]),
    (Field::Source, &["source", "sources"]),
    (Field::Flag, &["flag", "vessel_flag"]),
    (Field::VesselType, &["vessel_type"]),
    (Field::Tonnage, &["tonnage"]),
];

/// Relation kinds a `relations` item may start with (`owned_by:p7`); otherwise `linked_to`.
pub const RELATION_KINDS: &[&str] = &[
    "linked_to",
    "owns",
    "owned_by",
    "director_of",
    "directed_by",
    "family",
    "associate",
    "member_of",
    "has_member",
    "employee_of",
    "employer_of",
    "agent_of",
    "represented_by",
    "subsidiary_of",
    "parent_of",
    "controlled_by",
    "controls",
];

/// Identifier kinds by the word used before the `:` (`passport:123456:kp`).
const ID_KINDS: &[(&str, IdKind)] = &[
    ("passport", IdKind::Passport),
    ("national_id", IdKind::NationalId),
    ("id_card", IdKind::NationalId),
    ("tax_id", IdKind::TaxId),
    ("inn", IdKind::TaxId),
    ("vat", IdKind::TaxId),
    ("registration", IdKind::Registration),
    ("ogrn", IdKind::Registration),
    ("lei", IdKind::Lei),
    ("imo", IdKind::Imo),
    ("mmsi", IdKind::Mmsi),
    ("call_sign", IdKind::CallSign),
    ("swift", IdKind::Swift),
    ("bic", IdKind::Swift),
    ("website", IdKind::Website),
    ("email", IdKind::Email),
    ("phone", IdKind::Phone),
    ("digital_currency", IdKind::DigitalCurrency),
    ("aircraft", IdKind::AircraftId),
    ("other", IdKind::Other),
];

fn normalise_column(h: &str) -> String {
    h.trim().to_lowercase().replace([' ', '-'], "_")
}

fn field_of(column: &str) -> Option<Field> {
    COLUMNS
        .iter()
        .find(|(_, names)| names.contains(&column))
        .map(|(f, _)| *f)
}

/// A comment line: `#…`, also when a spreadsheet quoted it (`"# list: x",,,`).
fn is_comment(line: &str) -> bool {
    line.trim_start().trim_start_matches('"').starts_with('#')
}

fn is_blank(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || matches!(c, ',' | ';' | '\t'))
}

/// The field separator a header line uses: `,`, `;` or tab, whichever occurs most.
fn delimiter(header: &str) -> u8 {
    let count = |c| header.matches(c).count();
    let (comma, semi, tab) = (count(','), count(';'), count('\t'));
    if tab > comma && tab >= semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// watchlist's own custom-list CSV.
/// Registered in [`crate::FORMATS`].
pub struct CustomCsv;

/// The format's registry entry.
pub static FORMAT: CustomCsv = CustomCsv;

impl ListFormat for CustomCsv {
    fn name(&self) -> &'static str {
        "custom_csv"
    }

    fn describe(&self) -> &'static str {
        "watchlist custom CSV"
    }

    fn sniff(&self, head: &Head) -> bool {
        sniff(head)
    }

    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        parse(set, emit)
    }
}

/// True for a CSV whose header has `id` and `name` columns plus a `# watchlist` marker or
/// another column of this format. Official CSV layouts (OFAC, CSL, OFSI, BIS) never have both
/// an `id` and a `name` column.
pub fn sniff(head: &Head) -> bool {
    let text = head.text();
    let mut marked = false;
    for line in text.lines().filter(|l| !is_blank(l)) {
        if is_comment(line) {
            marked |= line
                .trim_start()
                .trim_start_matches(['"', '#', ' '])
                .to_lowercase()
                .starts_with("watchlist");
            continue;
        }
        let delim = delimiter(line) as char;
        let cols: Vec<String> = line
            .split(delim)
            .map(|c| normalise_column(c.trim_matches('"')))
            .collect();
        let has = |n: &str| cols.iter().any(|c| c == n);
        if !has("id") || !has("name") || has("entity_number") || has("source_list_url") {
            return false;
        }
        let own_columns = cols
            .iter()
            .filter_map(|c| field_of(c))
            .filter(|f| !matches!(f, Field::Id | Field::Name));
        return marked || own_columns.count() > 0;
    }
    false
}

/// Streams the entities of a custom list file.
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    parse_reader(&set.main, input::open(&set.main)?, emit)
}

/// Parses a custom list held in memory (fuzzing, tests). `name` gives the default list name
/// (its file stem) and is used in error messages.
pub fn parse_bytes(name: &str, bytes: &[u8], emit: &mut Emit) -> Result<ListInfo, ParseError> {
    parse_reader(
        Path::new(name),
        BufReader::new(CheckedReader::new(bytes)),
        emit,
    )
}

/// List metadata from the `# key: value` lines.
#[derive(Debug, Default)]
struct Meta {
    list: Option<String>,
    published: Option<String>,
    title: Option<String>,
    publisher: Option<String>,
}

fn parse_reader<R: BufRead>(
    path: &Path,
    mut reader: R,
    emit: &mut Emit,
) -> Result<ListInfo, ParseError> {
    // Read up to the header line to choose the delimiter, then let the CSV reader read those
    // lines again (from `prefix`) so that its line numbers are the file's.
    let mut prefix = Vec::new();
    let mut header = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| read_error(path, &e))?;
        if n == 0 {
            break;
        }
        prefix.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line);
        if !is_comment(&text) && !is_blank(&text) {
            header = Some(delimiter(&text));
            break;
        }
    }
    let delim = header.ok_or_else(|| {
        ParseError::file(
            path,
            "no header row: expected at least the columns id and name",
        )
    })?;
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(Cursor::new(prefix).chain(reader));
    let mut records = Records::new(path, csv);
    let mut reader = Reader {
        path,
        delim,
        meta: Meta::default(),
        list: String::new(),
        columns: Vec::new(),
        ids: HashMap::new(),
        refs: Vec::new(),
    };
    while let Some(rec) = records.next().map_err(with_utf8_advice)? {
        reader.record(rec, emit)?;
    }
    if reader.columns.is_empty() {
        return Err(ParseError::file(
            path,
            "no header row: expected at least the columns id and name",
        ));
    }
    reader.check_relations()?;
    Ok(ListInfo {
        list: reader.list,
        published: reader.meta.published,
        title: reader.meta.title,
        publisher: reader.meta.publisher,
    })
}

fn read_error(path: &Path, e: &std::io::Error) -> ParseError {
    ParseError::file(
        path,
        format!("{e}; save the file as UTF-8 (\"CSV UTF-8\" in spreadsheets)"),
    )
}

/// Adds the spreadsheet advice to an error about the file's encoding.
fn with_utf8_advice(mut err: ParseError) -> ParseError {
    if err.reason.contains("UTF-8") {
        err.reason
            .push_str(" (save the file as \"CSV UTF-8\" in spreadsheets)");
    }
    err
}

/// One column of the file: what it maps to, or its header for `extra`.
#[derive(Debug, Clone)]
enum Column {
    Field(Field),
    Extra(String),
    /// No header (a spreadsheet's trailing empty column): must stay empty.
    Unnamed,
}

struct Reader<'p> {
    path: &'p Path,
    delim: u8,
    meta: Meta,
    /// The list key, fixed when the header is read.
    list: String,
    columns: Vec<(Column, String)>,
    /// id → line it was defined on
    ids: HashMap<String, u64>,
    /// relation targets to check at the end: (line, column, id)
    refs: Vec<(u64, u64, String)>,
}

/// A cell-level problem, before the reader adds line and column.
type CellResult<T> = Result<T, String>;

impl Reader<'_> {
    fn error(&self, line: u64, column: Option<u64>, reason: impl Into<String>) -> ParseError {
        ParseError::new(
            self.path,
            Position {
                line: Some(line),
                column,
                ..Default::default()
            },
            reason,
        )
    }

    fn record(&mut self, rec: &csv::StringRecord, emit: &mut Emit) -> Result<(), ParseError> {
        let line = record_line(rec);
        if rec.iter().all(|f| f.trim().is_empty()) {
            return Ok(());
        }
        if rec.get(0).is_some_and(|f| f.trim_start().starts_with('#')) {
            if self.columns.is_empty() {
                self.comment(line, rec)?;
            }
            return Ok(());
        }
        if self.columns.is_empty() {
            return self.header(line, rec);
        }
        let entity = self.row(line, rec)?;
        emit(entity)
    }

    /// A `# key: value` line before the header.
    fn comment(&mut self, line: u64, rec: &csv::StringRecord) -> Result<(), ParseError> {
        let sep = (self.delim as char).to_string();
        let text = rec.iter().collect::<Vec<_>>().join(&sep);
        let text = text.trim_end_matches(|c: char| c == self.delim as char || c.is_whitespace());
        let Some((key, value)) = text.trim_start_matches('#').split_once(':') else {
            return Ok(());
        };
        let value = value.trim();
        match key.trim().to_lowercase().as_str() {
            "list" => {
                model::validate_list_key(value)
                    .map_err(|e| self.error(line, None, format!("# list: {e}")))?;
                self.meta.list = Some(value.to_string());
            }
            "published" => {
                let date = value
                    .parse::<PartialDate>()
                    .ok()
                    .or_else(|| PartialDate::parse_loose(value));
                let date = date.ok_or_else(|| {
                    self.error(
                        line,
                        None,
                        format!("# published: {value:?} is not a date (expected YYYY-MM-DD)"),
                    )
                })?;
                self.meta.published = Some(date.to_string());
            }
            "title" if !value.is_empty() => self.meta.title = Some(value.to_string()),
            "publisher" if !value.is_empty() => self.meta.publisher = Some(value.to_string()),
            // Known and free-form comments: nothing to check.
            _ => {}
        }
        Ok(())
    }

    fn header(&mut self, line: u64, rec: &csv::StringRecord) -> Result<(), ParseError> {
        let mut seen: HashMap<Field, String> = HashMap::new();
        for (i, raw) in rec.iter().enumerate() {
            let name = normalise_column(raw);
            let column = match field_of(&name) {
                _ if name.is_empty() => Column::Unnamed,
                Some(f) => {
                    if let Some(prev) = seen.insert(f, raw.trim().to_string()) {
                        let msg = format!(
                            "columns {prev:?} and {:?} are the same column; keep one",
                            raw.trim()
                        );
                        return Err(self.error(line, Some(i as u64 + 1), msg));
                    }
                    Column::Field(f)
                }
                None => Column::Extra(raw.trim().to_string()),
            };
            self.columns.push((column, raw.trim().to_string()));
        }
        for required in [Field::Id, Field::Name] {
            if !seen.contains_key(&required) {
                let name = if required == Field::Id { "id" } else { "name" };
                return Err(self.error(
                    line,
                    None,
                    format!("the header has no {name:?} column (id and name are required)"),
                ));
            }
        }
        self.list = self.list_name()?;
        Ok(())
    }

    fn row(&mut self, line: u64, rec: &csv::StringRecord) -> Result<Entity, ParseError> {
        let width = self.columns.len();
        let extra_filled = rec.iter().skip(width).any(|f| !f.trim().is_empty());
        if rec.len() < width || extra_filled {
            let msg = format!(
                "{} fields, expected {width} as in the header (a missing or extra separator?)",
                rec.len()
            );
            return Err(self.error(line, None, msg));
        }
        let mut row = Row::default();
        for (i, (column, header)) in self.columns.iter().enumerate() {
            let value = rec.get(i).unwrap_or("").trim();
            if value.is_empty() {
                continue;
            }
            let col = i as u64 + 1;
            match column {
                Column::Field(f) => row.set(*f, value).map_err(|reason| {
                    self.error(line, Some(col), format!("column {header:?}: {reason}"))
                })?,
                Column::Extra(name) => row
                    .extra
                    .extend(texts(value).map(|v| (name.clone(), v.to_string()))),
                Column::Unnamed => {
                    return Err(self.error(
                        line,
                        Some(col),
                        "a value in a column without a header",
                    ));
                }
            }
        }
        self.build(line, row)
    }

    fn list_name(&self) -> Result<String, ParseError> {
        let list = match &self.meta.list {
            Some(l) => l.clone(),
            None => list_from_file_name(self.path),
        };
        if model::describe_list(&list).is_some() {
            return Err(ParseError::file(
                self.path,
                format!("list name {list:?} is reserved for the official list; set another with \"# list: name\""),
            ));
        }
        Ok(list)
    }

    fn build(&mut self, line: u64, row: Row) -> Result<Entity, ParseError> {
        let col = |f: Field| {
            self.columns
                .iter()
                .position(|(c, _)| matches!(c, Column::Field(x) if *x == f))
                .map(|i| i as u64 + 1)
        };
        let (id_col, name_col) = (col(Field::Id), col(Field::Name));
        let id = row.id.clone().ok_or_else(|| {
            self.error(
                line,
                id_col,
                "column \"id\" is empty; every row needs an id",
            )
        })?;
        let name = row
            .name
            .clone()
            .ok_or_else(|| self.error(line, name_col, "column \"name\" is empty"))?;
        let list = self.list.clone();
        let entity_id = EntityId::new(&list, &id)
            .map_err(|e| self.error(line, id_col, format!("column \"id\": {e}")))?;
        if let Some(first) = self.ids.insert(id.clone(), line) {
            return Err(self.error(
                line,
                id_col,
                format!("id {id:?} is already used on line {first}"),
            ));
        }
        let rel_col = col(Field::Relations).unwrap_or(0);
        for r in &row.relations {
            self.refs.push((line, rel_col, r.1.clone()));
        }
        Ok(row.into_entity(entity_id, &list, &name))
    }

    /// Every `relations` target must be an id of this file.
    fn check_relations(&self) -> Result<(), ParseError> {
        for (line, col, id) in &self.refs {
            if !self.ids.contains_key(id) {
                let msg = format!("column \"relations\": no row has the id {id:?}");
                return Err(self.error(*line, Some(*col), msg));
            }
        }
        Ok(())
    }
}

/// The default list name: the file stem, lower-cased, other characters as `_`.
fn list_from_file_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    let cleaned = cleaned.trim_matches('_').to_string();
    if cleaned.is_empty() {
        "custom".to_string()
    } else {
        cleaned
    }
}

/// The values of one row, checked.
#[derive(Debug, Default)]
struct Row {
    id: Option<String>,
    name: Option<String>,
    schema: Option<Schema>,
    names: Vec<(String, NameKind)>,
    gender: Option<Gender>,
    birth_dates: Vec<DateValue>,
    birth_places: Vec<String>,
    nationalities: Vec<String>,
    citizenships: Vec<String>,
    countries: Vec<String>,
    identifiers: Vec<Identifier>,
    addresses: Vec<Address>,
    programs: Vec<String>,
    listed_on: Option<PartialDate>,
    positions: Vec<String>,
    remarks: Vec<String>,
    /// (kind, id on this list)
    relations: Vec<(String, String)>,
    same_as: Vec<EntityId>,
    sources: Vec<String>,
    vessel: VesselInfo,
    extra: Vec<(String, String)>,
}

/// Values separated by `|` or `;`.
fn values(s: &str) -> impl Iterator<Item = &str> {
    s.split(['|', ';']).map(str::trim).filter(|v| !v.is_empty())
}

/// Values separated by `|` only (free text that may contain `;`).
fn texts(s: &str) -> impl Iterator<Item = &str> {
    s.split('|').map(str::trim).filter(|v| !v.is_empty())
}

impl Row {
    fn set(&mut self, field: Field, v: &str) -> CellResult<()> {
        match field {
            Field::Id => self.id = Some(v.to_string()),
            Field::Name => self.name = Some(v.to_string()),
            Field::Schema => {
                self.schema = Some(v.parse().map_err(|e: model::SchemaError| e.to_string())?)
            }
            Field::Aliases => self.add_names(v, NameKind::Alias),
            Field::WeakAliases => self.add_names(v, NameKind::WeakAlias),
            Field::FormerNames => self.add_names(v, NameKind::Former),
            Field::NewNames => self.add_names(v, NameKind::New),
            Field::OriginalScript => self.add_names(v, NameKind::OriginalScript),
            Field::Gender => self.gender = gender(v)?,
            Field::BirthDate => {
                for d in values(v) {
                    self.birth_dates.push(date_value(d)?);
                }
            }
            Field::BirthPlace => self.birth_places.extend(texts(v).map(str::to_string)),
            Field::Nationality => self.nationalities.extend(countries(v)?),
            Field::Citizenship => self.citizenships.extend(countries(v)?),
            Field::Countries => self.countries.extend(countries(v)?),
            Field::Identifiers => {
                for item in values(v) {
                    self.identifiers.push(identifier(item)?);
                }
            }
            Field::Addresses => self.addresses.extend(texts(v).map(address)),
            Field::Programs => self.programs.extend(values(v).map(str::to_string)),
            Field::ListedOn => self.listed_on = Some(partial_date(v)?),
            Field::Positions => self.positions.extend(texts(v).map(str::to_string)),
            Field::Remarks => self.remarks.extend(texts(v).map(str::to_string)),
            Field::Relations => self.relations.extend(values(v).map(relation)),
            Field::SameAs => {
                for item in values(v) {
                    let id = item
                        .parse::<EntityId>()
                        .map_err(|e| format!("{e} (expected list:id, e.g. us_ofac_sdn:12345)"))?;
                    self.same_as.push(id);
                }
            }
            Field::Source => self.sources.extend(texts(v).map(str::to_string)),
            Field::Flag => self.vessel.flag = Some(country(v)?.to_string()),
            Field::VesselType => self.vessel.vessel_type = Some(v.to_string()),
            Field::Tonnage => self.vessel.tonnage = Some(v.to_string()),
        }
        Ok(())
    }

    fn add_names(&mut self, v: &str, kind: NameKind) {
        self.names.extend(values(v).map(|n| (n.to_string(), kind)));
    }

    fn into_entity(self, id: EntityId, list: &str, name: &str) -> Entity {
        let mut e = Entity::new(id, self.schema.unwrap_or(Schema::LegalEntity));
        e.add_name(name, NameKind::Primary);
        for (n, kind) in &self.names {
            e.add_name(n, *kind);
        }
        e.gender = self.gender;
        e.birth_dates = self.birth_dates;
        e.birth_places = self.birth_places;
        for (src, dst) in [
            (self.nationalities, &mut e.nationalities),
            (self.citizenships, &mut e.citizenships),
            (self.countries, &mut e.countries),
        ] {
            for c in src {
                Entity::push_country(dst, &c);
            }
        }
        e.identifiers = self.identifiers;
        e.addresses = self.addresses;
        e.programs = self.programs;
        e.listed_on = self.listed_on;
        e.positions = self.positions;
        e.remarks = self.remarks;
        for (kind, target) in self.relations {
            let target = EntityId::new(list, &target).ok();
            e.relations.push(Relation {
                kind,
                target,
                target_name: None,
            });
        }
        for target in self.same_as {
            e.relations.push(Relation {
                kind: "same_as".to_string(),
                target: Some(target),
                target_name: None,
            });
        }
        if self.vessel != VesselInfo::default() {
            e.vessel = Some(self.vessel);
        }
        if !self.sources.is_empty() {
            e.extra.insert("source".to_string(), self.sources);
        }
        for (k, v) in self.extra {
            e.extra.entry(k).or_default().push(v);
        }
        e
    }
}

fn gender(v: &str) -> CellResult<Option<Gender>> {
    match v.to_lowercase().as_str() {
        "m" | "male" | "f" | "female" | "other" | "unknown" | "u" => Ok(Gender::parse_loose(v)),
        _ => Err(format!(
            "unknown gender {v:?} (expected male, female, other or unknown)"
        )),
    }
}

/// `1984`, `1984-01`, `1984-01-08`, `~1960`, `1950..1951`, or the prose forms lists use
/// (`8 January 1984`, `circa 1960`, `1950 to 1951`).
fn date_value(v: &str) -> CellResult<DateValue> {
    v.parse::<DateValue>().ok().or_else(|| DateValue::parse_loose(v)).ok_or_else(|| {
        format!("{v:?} is not a date (expected YYYY, YYYY-MM, YYYY-MM-DD, ~YYYY for circa or YYYY..YYYY for a range)")
    })
}

fn partial_date(v: &str) -> CellResult<PartialDate> {
    v.parse::<PartialDate>()
        .ok()
        .or_else(|| PartialDate::parse_loose(v))
        .ok_or_else(|| format!("{v:?} is not a date (expected YYYY-MM-DD, YYYY-MM or YYYY)"))
}

fn country(v: &str) -> CellResult<&'static str> {
    model::country::code(v).ok_or_else(|| {
        format!("unknown country {v:?} (use an ISO 3166 code such as kp, or an English name)")
    })
}

fn countries(v: &str) -> CellResult<Vec<String>> {
    values(v).map(|c| country(c).map(str::to_string)).collect()
}

/// `kind:value` or `kind:value:cc` (cc: the issuing country's ISO code).
fn identifier(item: &str) -> CellResult<Identifier> {
    let (kind_word, rest) = item.split_once(':').ok_or_else(|| {
        format!("identifier {item:?} has no kind (write kind:value, e.g. passport:123456:kp)")
    })?;
    let (value, country) = match rest.rsplit_once(':') {
        Some((value, cc))
            if cc.trim().len() == 2 && model::country::is_code(&cc.trim().to_ascii_lowercase()) =>
        {
            (value.trim(), Some(cc.trim().to_ascii_lowercase()))
        }
        _ => (rest.trim(), None),
    };
    if value.is_empty() {
        return Err(format!("identifier {item:?} has no value"));
    }
    let word = normalise_column(kind_word);
    let kind = ID_KINDS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, k)| *k)
        .unwrap_or_else(|| IdKind::from_label(kind_word));
    let mut id = Identifier::new(kind, value);
    id.country = country;
    id.label = Some(kind_word.trim().to_string());
    Ok(id)
}

/// Free text; a last comma-separated part naming a country gives the country code.
fn address(text: &str) -> Address {
    let last = text.rsplit(',').next().unwrap_or(text);
    let country = model::country::code(last).map(str::to_string);
    Address {
        full: Some(text.to_string()),
        country,
        ..Default::default()
    }
}

/// `kind:id` with a known kind, else `linked_to` and the whole item as the id.
fn relation(item: &str) -> (String, String) {
    if let Some((kind, id)) = item.split_once(':') {
        let kind = normalise_column(kind);
        if RELATION_KINDS.contains(&kind.as_str()) && !id.trim().is_empty() {
            return (kind, id.trim().to_string());
        }
    }
    ("linked_to".to_string(), item.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, text: &str) -> Result<(ListInfo, Vec<Entity>), ParseError> {
        crate::collect(|emit| parse_bytes(name, text.as_bytes(), emit))
    }

    #[test]
    fn sniff_needs_id_name_and_marker_or_own_columns() {
        let yes = |t: &str| sniff(&Head::from_bytes("x.csv", t.as_bytes()));
        assert!(yes("# watchlist custom list v1\nid,name\n"));
        assert!(yes("id,name,schema\n"));
        assert!(yes("\"# list: a, b\",,\nID;Name;Birth date\n"));
        assert!(!yes("id,name\n"), "id and name alone could be anything");
        assert!(!yes("source,entity_number,type,programs,name,ids\n"));
        assert!(!yes("Last Updated,01/02/2024\nName 6,Name 1,Group ID\n"));
    }

    #[test]
    fn reads_metadata_names_dates_and_identifiers() {
        let text = "\u{feff}# watchlist custom list v1\n# list: team_list\n# published: 2024-05-01\n\
                    id,name,schema,aliases,birth_date,nationality,identifiers,relations,same_as,Desk\n\
                    p1,\"KIM, Jong Un\",Person,Kim Jong-un|김정은,1984-01-08,North Korea,passport:123:kp|website:https://x.kp,owned_by:o1,us_ofac_sdn:1,A\n\
                    # a comment row\n\
                    o1,Some Org,organisation,,~1960,,,,,\n";
        let (info, es) = run("x.csv", text).unwrap();
        assert_eq!(info.list, "team_list");
        assert_eq!(info.published.as_deref(), Some("2024-05-01"));
        assert_eq!(es.len(), 2);
        let p = &es[0];
        assert_eq!(p.id.to_string(), "team_list:p1");
        assert_eq!(p.names.len(), 3);
        assert_eq!(p.nationalities, ["kp"]);
        assert_eq!(p.identifiers[0].country.as_deref(), Some("kp"));
        assert_eq!(p.identifiers[1].kind, IdKind::Website);
        assert_eq!(p.identifiers[1].value, "https://x.kp");
        assert_eq!(p.relations[0].kind, "owned_by");
        assert_eq!(
            p.relations[0].target.as_ref().unwrap().to_string(),
            "team_list:o1"
        );
        assert_eq!(
            p.relations[1].target.as_ref().unwrap().to_string(),
            "us_ofac_sdn:1"
        );
        assert_eq!(p.extra["Desk"], ["A"]);
        assert_eq!(es[1].schema, Schema::Organization);
        assert_eq!(es[1].birth_dates[0].to_string(), "~1960");
    }

    #[test]
    fn semicolon_files_and_default_list_name() {
        let (info, es) = run("My List.csv", "id;name;aliases\n1;A;B|C\n").unwrap();
        assert_eq!(info.list, "my_list");
        assert_eq!(es[0].names.len(), 3);
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = run("x.csv", "id,name,schema\n1,A,Person\n2,B,Persn\n").unwrap_err();
        assert_eq!(
            (err.position.line, err.position.column),
            (Some(3), Some(3)),
            "{err}"
        );
        assert!(err.reason.contains("unknown schema"), "{err}");
        let err = run("x.csv", "id,name,birth_date\n1,A,1984-13-01\n").unwrap_err();
        assert_eq!(
            (err.position.line, err.position.column),
            (Some(2), Some(3)),
            "{err}"
        );
        let err = run("x.csv", "id,name,schema\n1,A\n").unwrap_err();
        assert_eq!(err.position.line, Some(2), "{err}");
        assert!(err.reason.contains("expected 3"), "{err}");
        let err = run("x.csv", "id,name,schema\n1,A,,\n1,B,,\n").unwrap_err();
        assert!(err.reason.contains("already used on line 2"), "{err}");
        let err = run("x.csv", "id,name,relations\n1,A,2\n").unwrap_err();
        assert_eq!(
            (err.position.line, err.position.column),
            (Some(2), Some(3)),
            "{err}"
        );
        let err = run("x.csv", "id,name,nationality\n1,A,Atlantis\n").unwrap_err();
        assert!(err.reason.contains("unknown country"), "{err}");
        let err = run("x.csv", "id,name,identifiers\n1,A,123456\n").unwrap_err();
        assert!(err.reason.contains("kind:value"), "{err}");
        let err = run("us_ofac_sdn.csv", "id,name,schema\n1,A,\n").unwrap_err();
        assert!(err.reason.contains("reserved"), "{err}");
        let err = parse_bytes("x.csv", b"id,name,schema\n1,\xff,\n", &mut |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
        assert!(run("x.csv", "# only comments\n").is_err());
        assert!(run("x.csv", "id,schema\n1,Person\n")
            .unwrap_err()
            .reason
            .contains("\"name\""));
    }
}
