//! US **Consolidated Screening List** CSV (trade.gov), list key `us_csl`.
//!
//! Publisher: US International Trade Administration, consolidating eleven export-control and
//! sanctions lists of Commerce (BIS: Denied Persons, Entity, Unverified, Military End User),
//! State (ITAR Debarred, Nonproliferation Sanctions) and Treasury (SDN, SSI, FSE, PLC, CAPTA,
//! NS-MBS, …). Download: <https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv>,
//! described at <https://www.trade.gov/consolidated-screening-list>; the field list is in the
//! API documentation at <https://developer.trade.gov/apis/consolidated-screening-list>.
//!
//! # Format
//!
//! Comma-separated, RFC 4180 quoting, one header line. Two layouts are read, both by header
//! name: the older one starting `source,entity_number,type,programs,name,…` and the current one
//! with a leading `_id` column. Multi-valued fields separate values with `;`.
//!
//! # Mapping
//!
//! | CSL column | entity field |
//! |---|---|
//! | `_id` / `entity_number` | list id (see below) |
//! | `source` | `extra["source"]` (which consolidated list the row comes from) |
//! | `type` (`Individual`, `Entity`, `Vessel`, `Aircraft`) | schema; empty → `Organization` when the name has a legal-form word, else `LegalEntity` |
//! | `programs` | programs |
//! | `name`, `alt_names` | primary name, aliases |
//! | `title` | positions |
//! | `addresses` | addresses: each `; `-separated address kept whole in `full`, a trailing ISO code as `country` |
//! | `start_date` | `listed_on` |
//! | `dates_of_birth`, `places_of_birth` | birth dates (prose forms accepted), birth places |
//! | `nationalities`, `citizenships` | ISO codes |
//! | `call_sign`, `vessel_type`, `gross_tonnage`, `gross_registered_tonnage`, `vessel_flag`, `vessel_owner` | call-sign identifier and vessel particulars |
//! | `ids` (`[country, ]value, label; …`) | identifiers (kind from the label); OFAC's informational entries (labels ending `-` or `:`, e.g. `Secondary sanctions risk:`) and `Former Vessel Flag` go to `extra` by label |
//! | `remarks` | remarks; `(Linked To: X)` also gives a `linked_to` relation naming X |
//! | everything else (`federal_register_notice`, `end_date`, `standard_order`, `license_requirement`, `license_policy`, `source_list_url`, `source_information_url`, unknown columns) | `extra` by column name |
//!
//! **Ids.** The current layout's `_id` is trade.gov's own identifier and is used as is. Else
//! rows with an `entity_number` (OFAC's entity number) use it. Rows without either (BIS and State
//! lists) get `{list}-{hash}`: the lower-cased abbreviation in the `source` column's parentheses
//! (`el`, `dpl`, `isn`, `dtc`, …; `csl` if there is none) and the first 10 hex digits of the
//! SHA-256 of the normalised name (upper case, spaces collapsed), e.g. `us_csl:el-0a1b2c3d4e`.
//! The CSL repeats a party on several rows (one per address for the DPL, separate Entity List
//! entries): a repeated id gets `-2`, `-3`, … in file order, so ids stay unique and are stable
//! as long as the publisher keeps names and order.
//!
//! The file carries no publication date (`published` is `None`). Memory: one row plus the set
//! of ids issued so far.

use super::csv_util::{hashed_id, looks_like_organisation, name_key, record_line};
use super::csv_util::{IdIssuer, Records};
use crate::input::CheckedReader;
use crate::{input, Emit, Head, ListFormat, ListInfo, ParseError, Position, SourceSet};
use model::{
    Address, DateValue, Entity, EntityId, IdKind, Identifier, NameKind, PartialDate, Relation,
    Schema, VesselInfo,
};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// The list key entities of this format belong to.
pub const LIST: &str = "us_csl";

/// US Consolidated Screening List CSV (trade.gov).
/// Registered in [`crate::FORMATS`].
pub struct UsCsl;

/// The format's registry entry.
pub static FORMAT: UsCsl = UsCsl;

impl ListFormat for UsCsl {
    fn name(&self) -> &'static str {
        "us_csl"
    }

    fn describe(&self) -> &'static str {
        "CSL CSV"
    }

    fn sniff(&self, head: &Head) -> bool {
        sniff(head)
    }

    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        parse(set, emit)
    }
}

/// True when the first line is a CSL header (`source`, `entity_number`, `name` and one of the
/// CSL-only columns).
pub fn sniff(head: &Head) -> bool {
    let line = head.first_line();
    let cols: Vec<String> = line
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let has = |n: &str| cols.iter().any(|c| c == n);
    has("source")
        && has("entity_number")
        && has("name")
        && (has("source_list_url") || has("federal_register_notice"))
}

/// Streams the entities of a CSL CSV file.
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    parse_reader(&set.main, input::open(&set.main)?, emit)
}

/// Parses CSL CSV held in memory (fuzzing, tests). `name` is used in error messages.
pub fn parse_bytes(name: &str, bytes: &[u8], emit: &mut Emit) -> Result<ListInfo, ParseError> {
    parse_reader(Path::new(name), CheckedReader::new(bytes), emit)
}

/// Columns this module maps to entity fields; every other column goes to `extra`.
const MAPPED: &[&str] = &[
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "start_date",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "ids",
];

fn parse_reader<R: Read>(path: &Path, reader: R, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(reader);
    let mut records = Records::new(path, csv);
    let header: Vec<String> = records
        .first("the Consolidated Screening List header")?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let index: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    for required in ["source", "name"] {
        if !index.contains_key(required) {
            return Err(ParseError::new(
                path,
                Position::line(1),
                format!("the header has no {required:?} column"),
            ));
        }
    }
    let mut ids = IdIssuer::default();
    while let Some(rec) = records.next_row()? {
        let row = Row { rec, index: &index };
        let entity = read_entity(path, &row, &header, &mut ids)?;
        emit(entity)?;
    }
    Ok(ListInfo {
        list: LIST.to_string(),
        published: None,
        ..Default::default()
    })
}

/// One record with lookup by column name.
struct Row<'a> {
    rec: &'a csv::StringRecord,
    index: &'a HashMap<&'a str, usize>,
}

impl Row<'_> {
    /// The trimmed value of a column, `None` when absent or empty.
    fn get(&self, col: &str) -> Option<&str> {
        let i = *self.index.get(col)?;
        self.rec.get(i).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The `;`-separated values of a column.
    fn list(&self, col: &str) -> Vec<&str> {
        self.get(col).map(split_values).unwrap_or_default()
    }
}

fn split_values(s: &str) -> Vec<&str> {
    s.split(';')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

fn read_entity(
    path: &Path,
    row: &Row,
    header: &[String],
    ids: &mut IdIssuer,
) -> Result<Entity, ParseError> {
    let line = record_line(row.rec);
    let name = row
        .get("name")
        .ok_or_else(|| ParseError::new(path, Position::line(line), "the name field is empty"))?;
    let id = ids.issue(&base_id(row, name));
    let id = EntityId::new(LIST, &id).map_err(|e| {
        ParseError::new(
            path,
            Position::line(line),
            format!("cannot build an id from {id:?}: {e}"),
        )
    })?;
    let mut e = Entity::new(id, schema(row.get("type"), name));
    e.add_name(name, NameKind::Primary);
    for alias in row.list("alt_names") {
        e.add_name(alias.strip_prefix("and ").unwrap_or(alias), NameKind::Alias);
    }
    e.programs = row
        .list("programs")
        .into_iter()
        .map(str::to_string)
        .collect();
    e.positions = row.list("title").into_iter().map(str::to_string).collect();
    e.listed_on = row.get("start_date").and_then(PartialDate::parse_loose);
    if let Some(source) = row.get("source") {
        push_extra(&mut e, "source", source);
    }
    add_people_fields(&mut e, row);
    e.addresses = row.list("addresses").into_iter().map(address).collect();
    add_identifiers(&mut e, row.get("ids"));
    add_vessel(&mut e, row);
    add_remarks(&mut e, row.get("remarks"));
    if row.get("start_date").is_some() && e.listed_on.is_none() {
        push_extra(
            &mut e,
            "start_date",
            row.get("start_date").unwrap_or_default(),
        );
    }
    for (i, col) in header.iter().enumerate() {
        if !MAPPED.contains(&col.as_str()) && !col.is_empty() {
            if let Some(v) = row.rec.get(i).map(str::trim).filter(|v| !v.is_empty()) {
                push_extra(&mut e, col, v);
            }
        }
    }
    Ok(e)
}

/// `_id`, else `entity_number`, else `{source abbreviation}-{hash of the name}`.
fn base_id(row: &Row, name: &str) -> String {
    if let Some(id) = row.get("_id").or_else(|| row.get("entity_number")) {
        return id.to_string();
    }
    let source = row.get("source").unwrap_or_default();
    let abbr = source
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(a, _)| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or_else(|| "csl".to_string());
    hashed_id(&abbr, &name_key(name))
}

fn schema(kind: Option<&str>, name: &str) -> Schema {
    match kind.map(str::to_ascii_lowercase).as_deref() {
        Some("individual") => Schema::Person,
        Some("entity") => Schema::Organization,
        Some("vessel") => Schema::Vessel,
        Some("aircraft") => Schema::Aircraft,
        _ if looks_like_organisation(name) => Schema::Organization,
        _ => Schema::LegalEntity,
    }
}

fn push_extra(e: &mut Entity, key: &str, value: &str) {
    let values = e.extra.entry(key.to_string()).or_default();
    if !values.iter().any(|v| v == value) {
        values.push(value.to_string());
    }
}

/// Birth dates and places, nationalities and citizenships.
fn add_people_fields(e: &mut Entity, row: &Row) {
    for d in row.list("dates_of_birth") {
        match DateValue::parse_loose(d) {
            Some(v) => e.birth_dates.push(v),
            None => push_extra(e, "dates_of_birth", d),
        }
    }
    e.birth_places = row
        .list("places_of_birth")
        .into_iter()
        .map(str::to_string)
        .collect();
    e.nationalities = countries(e, row, "nationalities");
    e.citizenships = countries(e, row, "citizenships");
}

/// The ISO codes of a `;`-separated country column; names the table does not know go to
/// `extra` under the column's name.
fn countries(e: &mut Entity, row: &Row, col: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for c in row.list(col) {
        match model::country::code(c) {
            Some(code) => Entity::push_country(&mut codes, code),
            None => push_extra(e, col, c),
        }
    }
    codes
}

/// `street, city, region, postal, CC`: kept whole, with a trailing country code or name
/// resolved to `country`.
fn address(text: &str) -> Address {
    let last = text.rsplit(',').next().unwrap_or(text).trim();
    let country = model::country::code(last).map(str::to_string);
    Address {
        full: Some(text.to_string()),
        country,
        ..Default::default()
    }
}

/// `[country, ]value, label` entries separated by `;`.
fn add_identifiers(e: &mut Entity, ids: Option<&str>) {
    for item in ids.map(split_values).unwrap_or_default() {
        let parts: Vec<&str> = item.split(',').map(str::trim).collect();
        let Some((label, rest)) = parts.split_last() else {
            continue;
        };
        if rest.is_empty()
            || label.ends_with('-')
            || label.ends_with(':')
            || label.contains("Former Vessel Flag")
        {
            push_extra(e, label.trim_end_matches([':', '-', ' ']), &rest.join(", "));
            continue;
        }
        let (country, value) = match rest {
            [c, value @ ..]
                if !value.is_empty() && c.len() == 2 && model::country::code(c).is_some() =>
            {
                (
                    model::country::code(c).map(str::to_string),
                    value.join(", "),
                )
            }
            _ => (None, rest.join(", ")),
        };
        // OFAC writes vessel numbers as `IMO 8898831, Vessel Registration Identification`.
        let (kind, value) = match value
            .strip_prefix("IMO ")
            .or_else(|| value.strip_prefix("IMO"))
        {
            Some(n) if !n.is_empty() && n.trim().bytes().all(|b| b.is_ascii_digit()) => {
                (IdKind::Imo, n.trim().to_string())
            }
            _ => (IdKind::from_label(label), value.clone()),
        };
        if value.is_empty() {
            continue;
        }
        let mut id = Identifier::new(kind, value);
        id.country = country;
        id.label = Some(label.to_string());
        e.identifiers.push(id);
    }
}

fn add_vessel(e: &mut Entity, row: &Row) {
    if let Some(cs) = row.get("call_sign") {
        let mut id = Identifier::new(IdKind::CallSign, cs);
        id.label = Some("Call Sign".to_string());
        e.identifiers.push(id);
    }
    let flag = row.get("vessel_flag");
    let v = VesselInfo {
        flag: flag.and_then(model::country::code).map(str::to_string),
        vessel_type: row.get("vessel_type").map(str::to_string),
        tonnage: row.get("gross_tonnage").map(str::to_string),
        gross_registered_tonnage: row.get("gross_registered_tonnage").map(str::to_string),
        owner: row.get("vessel_owner").map(str::to_string),
    };
    if let (Some(f), None) = (flag, &v.flag) {
        push_extra(e, "vessel_flag", f);
    }
    if v != VesselInfo::default() {
        e.vessel = Some(v);
    }
}

/// Remarks split at `; `, with `(Linked To: X)` turned into relations.
fn add_remarks(e: &mut Entity, remarks: Option<&str>) {
    for part in remarks.map(split_values).unwrap_or_default() {
        let linked = part
            .strip_prefix("(Linked To:")
            .and_then(|r| r.strip_suffix(')'))
            .map(str::trim);
        match linked {
            Some(target) if !target.is_empty() => e.relations.push(Relation {
                kind: "linked_to".to_string(),
                target: None,
                target_name: Some(target.to_string()),
            }),
            _ => e.remarks.push(part.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n";

    fn parse_text(text: &str) -> Result<Vec<Entity>, ParseError> {
        crate::collect(|emit| parse_bytes("csl.csv", text.as_bytes(), emit)).map(|(_, v)| v)
    }

    #[test]
    fn sniffs_both_layouts_only() {
        assert!(sniff(&Head::from_bytes("x.csv", HEADER.as_bytes())));
        assert!(sniff(&Head::from_bytes(
            "x.csv",
            format!("_id,{HEADER}").as_bytes()
        )));
        assert!(!sniff(&Head::from_bytes("x.csv", b"id,name,schema\n")));
    }

    #[test]
    fn maps_ids_vessels_and_links() {
        let text = format!(
            "{HEADER}Specially Designated Nationals (SDN) - Treasury Department,23156,Vessel,DPRK4,7-28,,,,,,,,,,,,,Democratic People's Republic of Korea,,(Linked To: YUSONG SHIPPING CO),http://bit.ly/1I7ipyR,,,,,,http://bit.ly/1MLgpye,\"IMO 8898831, Vessel Registration Identification; North Korea Sanctions Regulations, sections 510.201 and 510.210, Secondary sanctions risk:\"\n"
        );
        let es = parse_text(&text).unwrap();
        let e = &es[0];
        assert_eq!(e.id.to_string(), "us_csl:23156");
        assert_eq!(e.schema, Schema::Vessel);
        assert_eq!(e.identifiers[0].kind, IdKind::Imo);
        assert_eq!(e.identifiers[0].value, "8898831");
        assert_eq!(e.vessel.as_ref().unwrap().flag.as_deref(), Some("kp"));
        assert_eq!(
            e.relations[0].target_name.as_deref(),
            Some("YUSONG SHIPPING CO")
        );
        assert!(
            e.extra["Secondary sanctions risk"][0].starts_with("North Korea Sanctions Regulations")
        );
    }

    #[test]
    fn derived_ids_are_unique_and_reproducible() {
        let row = "Entity List (EL) - Bureau of Industry and Security,,,,Gunther Migeotte,,\"Holsneset 19, 6030, Langevad, NO\",,,,,,,,,,,,,,,,,,,,,\n";
        let text = format!("{HEADER}{row}{row}");
        let a = parse_text(&text).unwrap();
        let b = parse_text(&text).unwrap();
        assert!(a[0].id.list_id().starts_with("el-"));
        assert_eq!(a[1].id.list_id(), format!("{}-2", a[0].id.list_id()));
        assert_eq!(a[0].id, b[0].id);
        assert_eq!(a[0].addresses[0].country.as_deref(), Some("no"));
    }

    #[test]
    fn bad_rows_name_the_line() {
        let err = parse_text(&format!("{HEADER}a,b,c\n")).unwrap_err();
        assert_eq!(err.position.line, Some(2), "{err}");
        assert!(err.reason.contains("wrong number of fields"), "{err}");
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"x\xc3\x28\n");
        let err = parse_bytes("csl.csv", &bytes, &mut |_| Ok(())).unwrap_err();
        assert!(err.reason.contains("invalid UTF-8"), "{err}");
        assert!(parse_text("").is_err());
    }
}
