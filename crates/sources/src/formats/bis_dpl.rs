//! US Commerce BIS **Denied Persons List** (`dpl.txt`), list key `us_bis_dpl`.
//!
//! Publisher: US Department of Commerce, Bureau of Industry and Security (BIS).
//! Download: <https://www.bis.doc.gov/dpl/dpl.txt> (described at
//! <https://www.bis.gov/licensing/guidance-on-end-user-and-end-use-controls-and-us-person-controls/denied-persons-list>).
//! There is no formal specification; the layout is the header line itself.
//!
//! # Format
//!
//! Tab-separated text, one row per denied party *and address*, every field in double quotes
//! (`""` inside a field is a literal quote), with this header:
//!
//! ```text
//! "Name" "Street_Address" "City" "State" "Country" "Postal_Code" "Effective_Date"
//! "Expiration_Date" "Standard_Order" "Last_Update" "Action" "FR_Citation"
//! ```
//!
//! Columns are found by header name, so added or reordered columns still read; every row must
//! have as many fields as the header.
//!
//! # Mapping
//!
//! | DPL column | entity field |
//! |---|---|
//! | `Name` | primary name; `X D/B/A Y` and `X (A.K.A. Y) Z` also give the alias `Y` |
//! | `Street_Address`, `City`, `State`, `Postal_Code`, `Country` | one [`Address`] per row (country as ISO code; an empty country with a US state code is taken as `us`) |
//! | `Effective_Date` (MM/DD/YYYY) | `listed_on` |
//! | `Expiration_Date`, `Standard_Order`, `Last_Update`, `Action`, `FR_Citation` | `extra` (`expiration_date`, `standard_order`, `last_update`, `action`, `fr_citation`) |
//! | any other column | `extra`, by the lower-cased column name |
//!
//! **Entities.** The list repeats a party on consecutive rows, one per address, all under the
//! same order. Consecutive rows with the same name (compared upper-case, with runs of spaces
//! collapsed) and the same `Effective_Date` become one entity with several addresses. The same
//! name under a different order stays a separate entity.
//!
//! **Schema.** The file does not say whether a party is a person or a company. A name with a
//! legal-form or business word (`INC`, `LTD`, `LLC`, `CO`, `CORP`, `GMBH`, `S.A.`, `AIRLINES`,
//! `TRADING`, … see `csv_util::looks_like_organisation`) gives `Organization`; everything else
//! is `LegalEntity` (never `Person`: the list does not say so).
//!
//! **Ids.** The file has no identifiers. The list id is `dpl-` followed by the first 10 hex
//! digits of the SHA-256 of the normalised name (upper case, spaces collapsed), e.g.
//! `us_bis_dpl:dpl-3f1c0e9a2b`. It survives re-imports as long as BIS does not correct the name
//! (address and date changes keep it). When a name occurs again later in the file (another
//! order for the same name) the later entities get `-2`, `-3`, … in file order.
//!
//! **Publication date.** The file carries none. `published` is the latest `Last_Update` value
//! that is a valid date not in the future (the file has typos such as `3017-08-22`); it is a
//! lower bound for when the file was produced.
//!
//! Memory: one entity (the current group of rows) plus the set of ids issued so far.

use super::csv_util::{hashed_id, looks_like_organisation, name_key, record_line};
use super::csv_util::{IdIssuer, Records};
use crate::input::CheckedReader;
use crate::{input, Emit, Head, ListFormat, ListInfo, ParseError, Position, SourceSet};
use model::{Address, Entity, EntityId, NameKind, PartialDate, Schema};
use std::io::Read;
use std::path::Path;

/// The list key entities of this format belong to.
pub const LIST: &str = "us_bis_dpl";

/// The header columns that identify the file.
const SIGNATURE: [&str; 4] = ["name", "street_address", "effective_date", "fr_citation"];

/// BIS Denied Persons List, tab-separated.
/// Registered in [`crate::FORMATS`].
pub struct BisDpl;

/// The format's registry entry.
pub static FORMAT: BisDpl = BisDpl;

impl ListFormat for BisDpl {
    fn name(&self) -> &'static str {
        "bis_dpl"
    }

    fn describe(&self) -> &'static str {
        "BIS DPL"
    }

    fn sniff(&self, head: &Head) -> bool {
        sniff(head)
    }

    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        parse(set, emit)
    }
}

/// True when the first line is the DPL's tab-separated header.
pub fn sniff(head: &Head) -> bool {
    let line = head.first_line();
    if !line.contains('\t') {
        return false;
    }
    let cols: Vec<String> = line
        .split('\t')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    cols.first().map(String::as_str) == Some("name")
        && SIGNATURE.iter().all(|s| cols.iter().any(|c| c == s))
}

/// Streams the entities of a `dpl.txt` file.
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    parse_reader(&set.main, input::open(&set.main)?, emit)
}

/// Parses DPL text held in memory (fuzzing, tests). `name` is used in error messages.
pub fn parse_bytes(name: &str, bytes: &[u8], emit: &mut Emit) -> Result<ListInfo, ParseError> {
    parse_reader(Path::new(name), CheckedReader::new(bytes), emit)
}

/// Column positions, found from the header.
struct Columns {
    name: usize,
    street: Option<usize>,
    city: Option<usize>,
    state: Option<usize>,
    country: Option<usize>,
    postal: Option<usize>,
    effective: Option<usize>,
    last_update: Option<usize>,
    /// Every column not mapped above, with its `extra` key.
    extra: Vec<(usize, String)>,
}

impl Columns {
    fn from_header(path: &Path, header: &csv::StringRecord) -> Result<Self, ParseError> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let find = |n: &str| names.iter().position(|h| h == n);
        let name = find("name").ok_or_else(|| {
            ParseError::new(
                path,
                Position::line(1),
                "the header has no \"Name\" column: not a Denied Persons List",
            )
        })?;
        let mapped = [
            "name",
            "street_address",
            "city",
            "state",
            "country",
            "postal_code",
            "effective_date",
        ];
        let extra = names
            .iter()
            .enumerate()
            .filter(|(_, n)| !mapped.contains(&n.as_str()) && !n.is_empty())
            .map(|(i, n)| (i, n.clone()))
            .collect();
        Ok(Columns {
            name,
            street: find("street_address"),
            city: find("city"),
            state: find("state"),
            country: find("country"),
            postal: find("postal_code"),
            effective: find("effective_date"),
            last_update: find("last_update"),
            extra,
        })
    }
}

fn parse_reader<R: Read>(path: &Path, reader: R, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let csv = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .from_reader(reader);
    let mut records = Records::new(path, csv);
    let header = records.first("the Denied Persons List header")?;
    let cols = Columns::from_header(path, header)?;
    let mut ids = IdIssuer::default();
    let mut current: Option<Group> = None;
    let mut published: Option<PartialDate> = None;
    let today = chrono::Utc::now().date_naive().to_string();
    while let Some(record) = records.next_row()? {
        let row = Row::read(path, record_line(record), &cols, record)?;
        if let Some(d) = row.last_update.filter(|d| d.to_string() <= today) {
            published = published.max(Some(d));
        }
        match current.as_mut() {
            Some(g) if g.accepts(&row) => g.add(row),
            _ => {
                if let Some(done) = current.take() {
                    emit(done.entity)?;
                }
                current = Some(Group::start(path, row, &mut ids)?);
            }
        }
    }
    if let Some(done) = current.take() {
        emit(done.entity)?;
    }
    Ok(ListInfo {
        list: LIST.to_string(),
        published: published.map(|d| d.to_string()),
        ..Default::default()
    })
}

/// One data row, trimmed.
struct Row {
    line: u64,
    name: String,
    key: String,
    effective: String,
    listed_on: Option<PartialDate>,
    last_update: Option<PartialDate>,
    address: Address,
    extra: Vec<(String, String)>,
}

impl Row {
    fn read(
        path: &Path,
        line: u64,
        cols: &Columns,
        rec: &csv::StringRecord,
    ) -> Result<Row, ParseError> {
        let get = |i: Option<usize>| {
            i.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let name = get(Some(cols.name))
            .ok_or_else(|| ParseError::new(path, Position::line(line), "the Name field is empty"))?
            .to_string();
        let effective = get(cols.effective).unwrap_or_default().to_string();
        let mut extra = Vec::new();
        for (i, key) in &cols.extra {
            if let Some(v) = get(Some(*i)) {
                extra.push((key.clone(), v.to_string()));
            }
        }
        let listed_on = us_date(&effective);
        if listed_on.is_none() && !effective.is_empty() {
            extra.push(("effective_date".to_string(), effective.clone()));
        }
        Ok(Row {
            line,
            key: name_key(&name),
            name,
            listed_on,
            last_update: get(cols.last_update).and_then(|d| d.parse().ok()),
            effective,
            address: address(
                get(cols.street),
                get(cols.city),
                get(cols.state),
                get(cols.postal),
                get(cols.country),
            ),
            extra,
        })
    }
}

/// Consecutive rows of one party under one order.
struct Group {
    key: String,
    effective: String,
    entity: Entity,
}

impl Group {
    fn start(path: &Path, row: Row, ids: &mut IdIssuer) -> Result<Group, ParseError> {
        let id = ids.issue(&hashed_id("dpl", &row.key));
        let id = EntityId::new(LIST, &id).map_err(|e| {
            ParseError::new(
                path,
                Position::line(row.line),
                format!("cannot build an id: {e}"),
            )
        })?;
        let schema = if looks_like_organisation(&row.name) {
            Schema::Organization
        } else {
            Schema::LegalEntity
        };
        let mut entity = Entity::new(id, schema);
        add_names(&mut entity, &row.name);
        entity.listed_on = row.listed_on;
        let mut g = Group {
            key: row.key.clone(),
            effective: row.effective.clone(),
            entity,
        };
        g.add(row);
        Ok(g)
    }

    fn accepts(&self, row: &Row) -> bool {
        row.key == self.key && row.effective == self.effective
    }

    fn add(&mut self, row: Row) {
        let e = &mut self.entity;
        if !row.address.is_empty() && !e.addresses.contains(&row.address) {
            e.addresses.push(row.address);
        }
        for (k, v) in row.extra {
            let values = e.extra.entry(k).or_default();
            if !values.contains(&v) {
                values.push(v);
            }
        }
    }
}

/// Primary name plus the aliases written into it (`X D/B/A Y`, `X (A.K.A. Y) Z`).
fn add_names(entity: &mut Entity, name: &str) {
    entity.add_name(name, NameKind::Primary);
    let upper = name.to_ascii_uppercase();
    if let Some(i) = upper.find(" D/B/A ") {
        if let (Some(left), Some(right)) = (name.get(..i), name.get(i + 7..)) {
            entity.add_name(left, NameKind::Alias);
            entity.add_name(right, NameKind::Alias);
        }
    }
    if let Some(start) = upper.find("(A.K.A. ") {
        if let Some(len) = upper[start..].find(')') {
            if let Some(alias) = name.get(start + 8..start + len) {
                entity.add_name(alias, NameKind::Alias);
            }
        }
    }
}

/// `MM/DD/YYYY` as BIS writes dates.
fn us_date(s: &str) -> Option<PartialDate> {
    let mut parts = s.split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    PartialDate::new(
        y.parse().ok()?,
        Some(m.parse().ok()?),
        Some(d.parse().ok()?),
    )
}

/// US state and territory postal codes, for rows that leave `Country` empty.
const US_STATES: [&str; 56] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
];

fn address(
    street: Option<&str>,
    city: Option<&str>,
    state: Option<&str>,
    postal: Option<&str>,
    country: Option<&str>,
) -> Address {
    let own = |s: Option<&str>| s.map(str::to_string);
    let mut code = country.and_then(model::country::code).map(str::to_string);
    if country.is_none()
        && state.is_some_and(|s| US_STATES.contains(&s.to_ascii_uppercase().as_str()))
    {
        code = Some("us".to_string());
    }
    // A country the table does not know is kept as text rather than dropped.
    let full = match (country, &code) {
        (Some(c), None) => Some(c.to_string()),
        _ => None,
    };
    Address {
        street: own(street),
        city: own(city),
        region: own(state),
        postal_code: own(postal),
        country: code,
        full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\n";

    fn parse_text(body: &str) -> Result<(ListInfo, Vec<Entity>), ParseError> {
        let text = format!("{HEADER}{body}");
        crate::collect(|emit| parse_bytes("dpl.txt", text.as_bytes(), emit))
    }

    #[test]
    fn sniffs_header_only() {
        assert!(sniff(&Head::from_bytes("x.txt", HEADER.as_bytes())));
        assert!(!sniff(&Head::from_bytes(
            "x.csv",
            b"Name,Street_Address,Effective_Date,FR_Citation\n"
        )));
        assert!(!sniff(&Head::from_bytes("x.txt", b"source\tname\n")));
    }

    #[test]
    fn groups_addresses_of_one_order_and_infers_us() {
        let body = "\"ZIMO SHENG\"\t\"3975 N. CRAMER STREET\"\t\"MILWAUKEE\"\t\"WI\"\t\"\"\t\"53211\"\t\"03/16/2020\"\t\"12/13/2028\"\t\"Y\"\t\"2020-03-20\"\t\"FR NOTICE ADDED\"\t\"85 F.R. 16054 3/20/2020\"\n\
                    \"ZIMO SHENG\"\t\"JINXIUYUAN 17-403\"\t\"JIANGSU\"\t\"\"\t\"CN\"\t\"215500\"\t\"03/16/2020\"\t\"12/13/2028\"\t\"Y\"\t\"2020-03-20\"\t\"FR NOTICE ADDED\"\t\"85 F.R. 16054 3/20/2020\"\n\
                    \"ZIMO SHENG\"\t\"ELSEWHERE\"\t\"JIANGSU\"\t\"\"\t\"CN\"\t\"215500\"\t\"01/01/2021\"\t\"\"\t\"Y\"\t\"3017-08-22\"\t\"\"\t\"\"\n";
        let (info, es) = parse_text(body).unwrap();
        assert_eq!(es.len(), 2);
        assert_eq!(es[0].addresses.len(), 2);
        assert_eq!(es[0].addresses[0].country.as_deref(), Some("us"));
        assert_eq!(es[0].addresses[1].country.as_deref(), Some("cn"));
        assert_eq!(es[0].listed_on.unwrap().to_string(), "2020-03-16");
        assert_eq!(es[0].schema, Schema::LegalEntity);
        assert_eq!(es[1].id.list_id(), format!("{}-2", es[0].id.list_id()));
        assert_eq!(
            info.published.as_deref(),
            Some("2020-03-20"),
            "future typo dates are ignored"
        );
    }

    #[test]
    fn aliases_in_names() {
        let body = "\"SIBERIAN AIRLINES D/B/A S7 AIRLINES\"\t\"\"\t\"\"\t\"\"\t\"RU\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\n\
                    \"PEARL (A.K.A. NEI-CHIEN CHU) LI\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\n";
        let (_, es) = parse_text(body).unwrap();
        let names: Vec<&str> = es[0].names.iter().map(|n| n.value.as_str()).collect();
        assert_eq!(
            names,
            [
                "SIBERIAN AIRLINES D/B/A S7 AIRLINES",
                "SIBERIAN AIRLINES",
                "S7 AIRLINES"
            ]
        );
        assert_eq!(es[0].schema, Schema::Organization);
        assert_eq!(es[1].names[1].value, "NEI-CHIEN CHU");
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse_text("\"A\"\t\"B\"\n").unwrap_err();
        assert_eq!(err.position.line, Some(2), "{err}");
        assert!(err.reason.contains("wrong number of fields"), "{err}");
        let err = parse_text(
            "\"\"\t\"\"\t\"\"\t\"\"\t\"US\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\n",
        )
        .unwrap_err();
        assert_eq!(err.position.line, Some(2), "{err}");
        assert!(err.reason.contains("Name"), "{err}");
        let mut bad = HEADER.as_bytes().to_vec();
        bad.extend_from_slice(b"\"A\xff\"\t\n");
        let err = parse_bytes("dpl.txt", &bad, &mut |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("invalid UTF-8"), "{err}");
        assert!(parse_bytes("dpl.txt", b"", &mut |_| Ok(())).is_err());
    }
}
