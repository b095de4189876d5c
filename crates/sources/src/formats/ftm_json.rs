//! OpenSanctions **FollowTheMoney** entity exports, list key `opensanctions`.
//!
//! Publisher: OpenSanctions (<https://www.opensanctions.org/docs/bulk/>), which consolidates
//! official lists and related data into FollowTheMoney (FtM) entities. The data model is
//! documented at <https://followthemoney.tech/explorer/> and the delta format at
//! <https://www.opensanctions.org/docs/bulk/deltas/>. OpenSanctions data is licensed
//! CC BY-NC 4.0; commercial use needs an OpenSanctions licence.
//!
//! # Files
//!
//! - **Entity files** (`entities.ftm.json`): JSON lines, one entity per line:
//!   `{"id", "caption", "schema", "properties": {prop: [values]}, "datasets", "referents",
//!   "target", "first_seen", "last_seen", "last_change"}`.
//! - **Delta files** (`<version>.entities.delta.json`): JSON lines
//!   `{"op": "ADD" | "MOD" | "DEL", "entity": {…}}`.
//! - **Delta index** (`delta.json`): `{"versions": {version: url}, "updated_at": …}`. It holds no
//!   entities; it is recognised, logged and skipped (its `updated_at` counts towards `published`).
//!
//! All FtM files given to one import form **one** source set ([`group`]): entity files are read
//! in path order, then delta files are applied in version order (the file name, which starts
//! with the version timestamp). `ADD` and `MOD` replace the entity with the same id, `DEL`
//! removes it.
//!
//! # What is emitted
//!
//! Entities of the schemas `Person` (→ Person), `Organization`, `Company`, `PublicBody`
//! (→ Organization), `LegalEntity` (→ LegalEntity), `Vessel` (→ Vessel) and `Airplane`
//! (→ Aircraft) whose `target` is not `false`. Non-target parties (owners, relatives that are not
//! sanctioned themselves) are not emitted; relations to them keep their name.
//!
//! Auxiliary schemas are not emitted; they enrich the entities they point to:
//!
//! | FtM schema | enriches |
//! |---|---|
//! | `Sanction` (`entity`) | programs (`programId`, else `program`), `listed_on` (earliest `listingDate`/`startDate`), `extra["sanction_authority"]` |
//! | `Address` (via `addressEntity`) | addresses (structured, `full` kept) |
//! | `Ownership` (`owner` → `asset`) | relations `owns` / `owned_by` |
//! | `Directorship` (`director` → `organization`) | relations `director_of` / `directed_by` |
//! | `Family` (`person` ↔ `relative`), `Associate` (`person` ↔ `associate`) | relations `family`, `associate` |
//! | `Membership`, `Employment`, `Representation`, `UnknownLink` | relations `member_of`/`has_member`, `employee_of`/`employer_of`, `agent_of`/`represented_by`, `linked_to` |
//! | `Identification`, `Passport` (`holder`) | identifiers (`number`, `country`, kind from `type`) |
//! | `CryptoWallet` (`holder`) | digital-currency identifiers |
//! | `Occupancy` (`holder` → `post`) + `Position` | positions (the position's name) |
//!
//! Properties of emitted entities:
//!
//! | FtM property | entity field |
//! |---|---|
//! | `caption` (else first `name`) | primary name; other `name` values → alias |
//! | `alias`; `weakAlias`, `abbreviation`; `previousName`, `pastNames` | alias; weak alias; former |
//! | `birthDate`, `birthPlace`, `gender` | birth dates, birth places, gender |
//! | `nationality`; `citizenship`; `country`, `jurisdiction`, `mainCountry`, `birthCountry` | nationalities; citizenships; countries |
//! | `idNumber`, `passportNumber`, `taxNumber`, `vatCode`, `innCode`, `registrationNumber`, `ogrnCode`, `okpoCode`, `leiCode`, `swiftBic`, `imoNumber`, `mmsi`, `callSign`, `serialNumber`, `email`, `phone`, `website` | identifiers |
//! | `address` | addresses (free text) |
//! | `position` | positions |
//! | `notes`, `description`, `summary` | remarks |
//! | `programId` | programs |
//! | `flag`, `type`, `tonnage`, `grossRegisteredTonnage` (vessels) | vessel particulars |
//! | `topics`, `datasets`, `referents`, `first_seen`, `last_seen`, `last_change`, every other property | `extra` by name |
//!
//! The list id is the FtM id (`opensanctions:NK-2GdmHtZTeNXjNVrBGEXZNj`). `published` is the
//! latest of the entities' `last_seen`/`last_change` and the delta index's `updated_at`: the
//! files carry no export date of their own.
//!
//! # Memory
//!
//! Entity files are streamed twice and never held whole. Pass 1 keeps the auxiliary entities
//! (in compact form, keyed by the entity they attach to) and one id → caption entry per party,
//! which is what relations need to name the other side; pass 2 emits. Delta files are read
//! into memory first (they are small by design). For the OpenSanctions sanctions collection
//! this is on the order of the auxiliary data's size, well below the file size.

use crate::input::CheckedReader;
use crate::{input, Emit, Format, Head, ListFormat, ListInfo, ParseError, Position, SourceSet};
use model::{
    Address, DateValue, Entity, EntityId, Gender, IdKind, Identifier, NameKind, PartialDate,
    Relation, Schema,
};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The list key entities of this format belong to.
pub const LIST: &str = "opensanctions";

/// OpenSanctions FollowTheMoney entities (JSON lines), including delta files.
/// Registered in [`crate::FORMATS`].
pub struct FtmJson;

/// The format's registry entry.
pub static FORMAT: FtmJson = FtmJson;

impl ListFormat for FtmJson {
    fn name(&self) -> &'static str {
        "ftm_json"
    }

    fn describe(&self) -> &'static str {
        "FollowTheMoney JSON"
    }

    fn sniff(&self, head: &Head) -> bool {
        sniff(head)
    }

    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        parse(set, emit)
    }

    fn combines_files(&self) -> bool {
        true
    }

    fn group(&self, heads: Vec<Head>) -> Result<Vec<SourceSet>, ParseError> {
        group(heads)
    }
}

/// True for FtM entity lines, delta lines and the delta index.
pub fn sniff(head: &Head) -> bool {
    let text = head.text();
    let Some(first) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return false;
    };
    if !first.starts_with('{') {
        return false;
    }
    let entity = first.contains("\"schema\"") && first.contains("\"id\"");
    let delta = first.contains("\"op\"") && first.contains("\"entity\"");
    let index = text.contains("\"versions\"") && text.contains("delta");
    entity || delta || index
}

/// Groups all FtM files of one import into one source set, files in path order.
pub fn group(mut heads: Vec<Head>) -> Result<Vec<SourceSet>, ParseError> {
    heads.sort_by(|a, b| a.path.cmp(&b.path));
    let mut paths = heads.into_iter().map(|h| h.path);
    let Some(main) = paths.next() else {
        return Ok(Vec::new());
    };
    let mut set = SourceSet::single(Format::FtmJson, main);
    for (i, p) in paths.enumerate() {
        set.parts.insert(format!("{:04}", i + 1), p);
    }
    Ok(vec![set])
}

/// Streams the entities of a set of FtM files (see the module docs for the order).
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let mut paths: Vec<&Path> = set.files();
    paths.sort();
    let inputs = paths
        .into_iter()
        .map(|p| Input::File(p.to_path_buf()))
        .collect();
    parse_inputs(inputs, emit)
}

/// Parses one FtM file (entities, delta or index) held in memory (fuzzing, tests).
pub fn parse_bytes(name: &str, bytes: &[u8], emit: &mut Emit) -> Result<ListInfo, ParseError> {
    parse_inputs(vec![Input::Bytes(name.to_string(), bytes)], emit)
}

// ---------------------------------------------------------------------------------------------
// Reading files line by line

/// A file or an in-memory buffer that can be read more than once.
enum Input<'a> {
    File(PathBuf),
    Bytes(String, &'a [u8]),
}

impl<'a> Input<'a> {
    fn path(&self) -> &Path {
        match self {
            Input::File(p) => p,
            Input::Bytes(name, _) => Path::new(name),
        }
    }

    fn reader(&self) -> Result<Box<dyn BufRead + 'a>, ParseError> {
        Ok(match self {
            Input::File(p) => Box::new(input::open(p)?),
            Input::Bytes(_, b) => Box::new(BufReader::new(CheckedReader::new(*b))),
        })
    }

    /// The file name, used to order delta versions.
    fn file_name(&self) -> String {
        self.path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Calls `f` with each non-empty line and its 1-based number.
    fn for_each_line(
        &self,
        mut f: impl FnMut(u64, &str) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        let mut r = self.reader()?;
        let mut buf = String::new();
        let mut line = 0u64;
        loop {
            buf.clear();
            // The checked reader's message names the line of a bad byte itself.
            let n = r
                .read_line(&mut buf)
                .map_err(|e| ParseError::file(self.path(), e.to_string()))?;
            if n == 0 {
                return Ok(());
            }
            line += 1;
            if !buf.trim().is_empty() {
                f(line, buf.trim_end())?;
            }
        }
    }

    /// What kind of FtM file this is, from its first non-empty line.
    fn kind(&self) -> Result<FileKind, ParseError> {
        let mut r = self.reader()?;
        let mut buf = String::new();
        loop {
            buf.clear();
            if r.read_line(&mut buf)
                .map_err(|e| ParseError::file(self.path(), e.to_string()))?
                == 0
            {
                return Ok(FileKind::Entities);
            }
            let t = buf.trim();
            if t.is_empty() {
                continue;
            }
            return Ok(if t.contains("\"op\"") && t.contains("\"entity\"") {
                FileKind::Delta
            } else if t.contains("\"versions\"") || t == "{" {
                FileKind::Index
            } else {
                FileKind::Entities
            });
        }
    }

    fn error(&self, line: u64, column: Option<u64>, reason: impl Into<String>) -> ParseError {
        ParseError::new(
            self.path(),
            Position {
                line: Some(line),
                column,
                ..Default::default()
            },
            reason,
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Entities,
    Delta,
    Index,
}

/// One FtM entity as serialised.
#[derive(Debug, Clone, Deserialize)]
struct Raw {
    id: String,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    datasets: Vec<String>,
    #[serde(default)]
    referents: Vec<String>,
    #[serde(default)]
    target: Option<bool>,
    #[serde(default)]
    first_seen: Option<String>,
    #[serde(default)]
    last_seen: Option<String>,
    #[serde(default)]
    last_change: Option<String>,
}

impl Raw {
    /// The string values of a property (FtM values are strings; anything else is skipped).
    fn values<'s>(&'s self, prop: &str) -> impl Iterator<Item = &'s str> + 's {
        self.properties
            .get(prop)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    fn first(&self, prop: &str) -> Option<&str> {
        self.values(prop).next()
    }

    fn schema(&self) -> &str {
        self.schema.as_deref().unwrap_or("")
    }

    /// Whether pass 2 emits this entity.
    fn is_emitted(&self) -> bool {
        main_schema(self.schema()).is_some() && self.target != Some(false)
    }
}

#[derive(Deserialize)]
struct DeltaLine {
    op: String,
    entity: Raw,
}

fn parse_entity(input: &Input, line: u64, text: &str) -> Result<Raw, ParseError> {
    let raw: Raw = serde_json::from_str(text).map_err(|e| {
        input.error(
            line,
            Some(e.column() as u64),
            format!("invalid FollowTheMoney entity JSON: {e}"),
        )
    })?;
    if raw.id.trim().is_empty() {
        return Err(input.error(line, None, "entity without an id"));
    }
    Ok(raw)
}

// ---------------------------------------------------------------------------------------------
// The import: deltas, pass 1, pass 2

fn parse_inputs(inputs: Vec<Input>, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let mut full = Vec::new();
    let mut deltas = Vec::new();
    let mut published: Option<String> = None;
    for input in inputs {
        match input.kind()? {
            FileKind::Entities => full.push(input),
            FileKind::Delta => deltas.push(input),
            FileKind::Index => {
                tracing::info!(
                    file = %input.path().display(),
                    "skipping the OpenSanctions delta index: it lists delta versions and holds no entities"
                );
                later(&mut published, read_index(&input)?);
            }
        }
    }
    deltas.sort_by_key(Input::file_name);
    let overrides = read_deltas(&deltas)?;

    // Pass 1: auxiliary entities and party captions.
    let mut ctx = Context::default();
    for input in &full {
        input.for_each_line(|line, text| {
            let raw = parse_entity(input, line, text)?;
            if !overrides.contains_key(raw.id.as_str()) {
                ctx.collect(&raw);
            }
            Ok(())
        })?;
    }
    for d in overrides.values().flatten() {
        ctx.collect(&d.raw);
    }

    // Pass 2: emit parties, full files first, then what the deltas added or changed.
    let mut out = Emitter {
        ctx: &ctx,
        emit,
        seen: HashSet::new(),
        published,
    };
    for input in &full {
        input.for_each_line(|line, text| {
            let raw = parse_entity(input, line, text)?;
            if overrides.contains_key(raw.id.as_str()) {
                return Ok(());
            }
            out.send(&raw, input, line)
        })?;
    }
    for d in overrides.values().flatten() {
        if let Some(input) = deltas.get(d.file) {
            out.send(&d.raw, input, d.line)?;
        }
    }
    Ok(ListInfo {
        list: LIST.to_string(),
        published: out.published,
        ..Default::default()
    })
}

/// Keeps the later of two ISO 8601 timestamps.
fn later(current: &mut Option<String>, candidate: Option<String>) {
    if let Some(c) = candidate.filter(|c| !c.trim().is_empty()) {
        match current {
            Some(cur) if *cur >= c => {}
            _ => *current = Some(c),
        }
    }
}

/// Pass 2's sink: builds and emits parties, once per id.
struct Emitter<'c, 'e, 'f> {
    ctx: &'c Context,
    emit: &'e mut Emit<'f>,
    seen: HashSet<String>,
    published: Option<String>,
}

impl Emitter<'_, '_, '_> {
    fn send(&mut self, raw: &Raw, input: &Input, line: u64) -> Result<(), ParseError> {
        later(&mut self.published, raw.last_seen.clone());
        later(&mut self.published, raw.last_change.clone());
        if !raw.is_emitted() {
            return Ok(());
        }
        if !self.seen.insert(raw.id.clone()) {
            tracing::warn!(id = %raw.id, file = %input.path().display(), line, "entity id seen again; keeping the first");
            return Ok(());
        }
        let entity = self
            .ctx
            .build(raw)
            .map_err(|reason| input.error(line, None, reason))?;
        (self.emit)(entity)
    }
}

/// An entity a delta file adds or changes, with where it came from.
struct DeltaEntity {
    raw: Raw,
    /// Index into the sorted delta files.
    file: usize,
    line: u64,
}

/// Applies the delta files in version order: id → the final entity, or `None` when deleted.
fn read_deltas(deltas: &[Input]) -> Result<BTreeMap<String, Option<DeltaEntity>>, ParseError> {
    let mut out = BTreeMap::new();
    for (file, input) in deltas.iter().enumerate() {
        input.for_each_line(|line, text| {
            let d: DeltaLine = serde_json::from_str(text).map_err(|e| {
                input.error(
                    line,
                    Some(e.column() as u64),
                    format!("invalid FollowTheMoney delta JSON: {e}"),
                )
            })?;
            let id = d.entity.id.trim().to_string();
            if id.is_empty() {
                return Err(input.error(line, None, "delta entity without an id"));
            }
            let value = match d.op.as_str() {
                "ADD" | "MOD" => Some(DeltaEntity {
                    raw: d.entity,
                    file,
                    line,
                }),
                "DEL" => None,
                other => {
                    return Err(input.error(
                        line,
                        None,
                        format!("unknown delta op {other:?} (expected ADD, MOD or DEL)"),
                    ))
                }
            };
            out.insert(id, value);
            Ok(())
        })?;
    }
    Ok(out)
}

/// The delta index's `updated_at`. The index is small; more than 1 MiB is refused.
fn read_index(input: &Input) -> Result<Option<String>, ParseError> {
    const LIMIT: u64 = 1 << 20;
    let mut text = String::new();
    input
        .reader()?
        .take(LIMIT + 1)
        .read_to_string(&mut text)
        .map_err(|e| ParseError::file(input.path(), e.to_string()))?;
    if text.len() as u64 > LIMIT {
        return Err(ParseError::file(
            input.path(),
            "delta index larger than 1 MiB",
        ));
    }
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        input.error(
            e.line() as u64,
            Some(e.column() as u64),
            format!("invalid delta index JSON: {e}"),
        )
    })?;
    if !v.get("versions").is_some_and(Value::is_object) {
        return Err(ParseError::file(
            input.path(),
            "not an OpenSanctions delta index: no \"versions\" object",
        ));
    }
    Ok(v.get("updated_at")
        .and_then(Value::as_str)
        .map(str::to_string))
}

// ---------------------------------------------------------------------------------------------
// Schemas

fn main_schema(schema: &str) -> Option<Schema> {
    Some(match schema {
        "Person" => Schema::Person,
        "Organization" | "Company" | "PublicBody" => Schema::Organization,
        "LegalEntity" => Schema::LegalEntity,
        "Vessel" => Schema::Vessel,
        "Airplane" => Schema::Aircraft,
        _ => return None,
    })
}

/// Relationship schemas: (schema, from property, to property, kind on `from`, kind on `to`).
const LINKS: &[(&str, &str, &str, &str, &str)] = &[
    ("Ownership", "owner", "asset", "owns", "owned_by"),
    (
        "Directorship",
        "director",
        "organization",
        "director_of",
        "directed_by",
    ),
    ("Family", "person", "relative", "family", "family"),
    ("Associate", "person", "associate", "associate", "associate"),
    (
        "Membership",
        "member",
        "organization",
        "member_of",
        "has_member",
    ),
    (
        "Employment",
        "employee",
        "employer",
        "employee_of",
        "employer_of",
    ),
    (
        "Representation",
        "agent",
        "client",
        "agent_of",
        "represented_by",
    ),
    ("UnknownLink", "subject", "object", "linked_to", "linked_to"),
];

// ---------------------------------------------------------------------------------------------
// Pass 1: what auxiliary entities say about parties

/// A sanction on a party, reduced to what the model keeps.
#[derive(Debug, Default)]
struct SanctionInfo {
    programs: Vec<String>,
    listed_on: Option<PartialDate>,
    authority: Option<String>,
}

#[derive(Debug, Default)]
struct Context {
    sanctions: HashMap<String, Vec<SanctionInfo>>,
    /// Address entities by id and by each of their referents.
    addresses: HashMap<String, Address>,
    /// party id → (kind, other party id)
    links: HashMap<String, Vec<(&'static str, String)>>,
    identifiers: HashMap<String, Vec<Identifier>>,
    /// holder id → position entity ids
    occupancies: HashMap<String, Vec<String>>,
    /// position entity id → its name
    positions: HashMap<String, String>,
    /// party id → (caption, emitted?)
    parties: HashMap<String, (String, bool)>,
}

impl Context {
    fn collect(&mut self, raw: &Raw) {
        let schema = raw.schema();
        if main_schema(schema).is_some() {
            let caption = raw
                .caption
                .clone()
                .or_else(|| raw.first("name").map(str::to_string))
                .unwrap_or_default();
            self.parties
                .insert(raw.id.clone(), (caption, raw.is_emitted()));
            return;
        }
        match schema {
            "Sanction" => self.collect_sanction(raw),
            "Address" => {
                let a = address_entity(raw);
                for key in std::iter::once(&raw.id).chain(&raw.referents) {
                    self.addresses.insert(key.clone(), a.clone());
                }
            }
            "Identification" | "Passport" | "CryptoWallet" => {
                if let (Some(holder), Some(id)) = (raw.first("holder"), identification(raw)) {
                    self.identifiers
                        .entry(holder.to_string())
                        .or_default()
                        .push(id);
                }
            }
            "Occupancy" => {
                for holder in raw.values("holder") {
                    let posts = self.occupancies.entry(holder.to_string()).or_default();
                    posts.extend(raw.values("post").map(str::to_string));
                }
            }
            "Position" => {
                if let Some(name) = raw.first("name") {
                    self.positions.insert(raw.id.clone(), name.to_string());
                }
            }
            _ => self.collect_link(raw),
        }
    }

    fn collect_sanction(&mut self, raw: &Raw) {
        let mut programs: Vec<String> = raw.values("programId").map(str::to_string).collect();
        if programs.is_empty() {
            programs = raw.values("program").map(str::to_string).collect();
        }
        let listed_on = raw
            .values("listingDate")
            .chain(raw.values("startDate"))
            .filter_map(PartialDate::parse_loose)
            .min();
        for target in raw.values("entity") {
            self.sanctions
                .entry(target.to_string())
                .or_default()
                .push(SanctionInfo {
                    programs: programs.clone(),
                    listed_on,
                    authority: raw.first("authority").map(str::to_string),
                });
        }
    }

    fn collect_link(&mut self, raw: &Raw) {
        let Some(&(_, from, to, kind_from, kind_to)) = LINKS.iter().find(|l| l.0 == raw.schema())
        else {
            tracing::debug!(schema = raw.schema(), id = %raw.id, "FtM schema not used");
            return;
        };
        for a in raw.values(from) {
            for b in raw.values(to) {
                self.links
                    .entry(a.to_string())
                    .or_default()
                    .push((kind_from, b.to_string()));
                self.links
                    .entry(b.to_string())
                    .or_default()
                    .push((kind_to, a.to_string()));
            }
        }
    }
}

fn address_entity(raw: &Raw) -> Address {
    let own = |p: &str| raw.first(p).map(str::to_string);
    let street = match (raw.first("street"), raw.first("street2")) {
        (Some(a), Some(b)) => Some(format!("{a}, {b}")),
        (a, b) => a.or(b).map(str::to_string),
    };
    Address {
        street: street.or_else(|| own("postOfficeBox")),
        city: own("city"),
        region: own("region").or_else(|| own("state")),
        postal_code: own("postalCode"),
        country: raw
            .values("country")
            .find_map(model::country::code)
            .map(str::to_string),
        full: own("full"),
    }
}

fn identification(raw: &Raw) -> Option<Identifier> {
    let (kind, value, label) = match raw.schema() {
        "CryptoWallet" => (
            IdKind::DigitalCurrency,
            raw.first("publicKey")?,
            raw.first("currency").unwrap_or("CryptoWallet"),
        ),
        "Passport" => (
            IdKind::Passport,
            raw.first("number")?,
            raw.first("type").unwrap_or("Passport"),
        ),
        _ => {
            let label = raw.first("type").unwrap_or("Identification");
            (IdKind::from_label(label), raw.first("number")?, label)
        }
    };
    let mut id = Identifier::new(kind, value);
    id.country = raw
        .values("country")
        .find_map(model::country::code)
        .map(str::to_string);
    id.label = Some(label.to_string());
    Some(id)
}

// ---------------------------------------------------------------------------------------------
// Pass 2: building a party

/// Identifier properties: (property, kind, label).
const ID_PROPS: &[(&str, IdKind, &str)] = &[
    ("passportNumber", IdKind::Passport, "Passport"),
    ("taxNumber", IdKind::TaxId, "Tax number"),
    ("vatCode", IdKind::TaxId, "VAT"),
    ("innCode", IdKind::TaxId, "INN"),
    (
        "registrationNumber",
        IdKind::Registration,
        "Registration number",
    ),
    ("ogrnCode", IdKind::Registration, "OGRN"),
    ("okpoCode", IdKind::Registration, "OKPO"),
    ("leiCode", IdKind::Lei, "LEI"),
    ("swiftBic", IdKind::Swift, "SWIFT/BIC"),
    ("imoNumber", IdKind::Imo, "IMO"),
    ("mmsi", IdKind::Mmsi, "MMSI"),
    ("callSign", IdKind::CallSign, "Call sign"),
    ("serialNumber", IdKind::AircraftId, "Serial number"),
    ("email", IdKind::Email, "Email"),
    ("phone", IdKind::Phone, "Phone"),
    ("website", IdKind::Website, "Website"),
];

/// Name properties: (property, kind).
const NAME_PROPS: &[(&str, NameKind)] = &[
    ("alias", NameKind::Alias),
    ("weakAlias", NameKind::WeakAlias),
    ("abbreviation", NameKind::WeakAlias),
    ("previousName", NameKind::Former),
    ("pastNames", NameKind::Former),
];

/// Vessel properties mapped to [`model::VesselInfo`] (for other schemas they go to `extra`).
const VESSEL_PROPS: &[&str] = &["flag", "type", "tonnage", "grossRegisteredTonnage"];

/// Properties mapped by `build`; all others go to `extra`.
const MAPPED: &[&str] = &[
    "name",
    "alias",
    "weakAlias",
    "abbreviation",
    "previousName",
    "pastNames",
    "birthDate",
    "birthPlace",
    "gender",
    "nationality",
    "citizenship",
    "country",
    "jurisdiction",
    "mainCountry",
    "birthCountry",
    "idNumber",
    "passportNumber",
    "taxNumber",
    "vatCode",
    "innCode",
    "registrationNumber",
    "ogrnCode",
    "okpoCode",
    "leiCode",
    "swiftBic",
    "imoNumber",
    "mmsi",
    "callSign",
    "serialNumber",
    "email",
    "phone",
    "website",
    "address",
    "addressEntity",
    "position",
    "notes",
    "description",
    "summary",
    "programId",
];

impl Context {
    /// The model entity for an emitted FtM party.
    fn build(&self, raw: &Raw) -> Result<Entity, String> {
        let schema = main_schema(raw.schema()).unwrap_or(Schema::LegalEntity);
        let id =
            EntityId::new(LIST, &raw.id).map_err(|e| format!("bad entity id {:?}: {e}", raw.id))?;
        let mut e = Entity::new(id, schema);
        add_names(&mut e, raw);
        add_person_fields(&mut e, raw);
        add_identifiers(&mut e, raw, self.identifiers.get(&raw.id));
        self.add_addresses(&mut e, raw);
        self.add_sanctions(&mut e, raw);
        self.add_relations(&mut e, raw);
        e.positions = raw.values("position").map(str::to_string).collect();
        for post in self.occupancies.get(&raw.id).into_iter().flatten() {
            if let Some(name) = self.positions.get(post) {
                push_unique(&mut e.positions, name);
            }
        }
        for prop in ["notes", "description", "summary"] {
            for v in raw.values(prop) {
                push_unique(&mut e.remarks, v);
            }
        }
        if schema == Schema::Vessel {
            add_vessel(&mut e, raw);
        }
        add_extra(&mut e, raw);
        Ok(e)
    }

    fn add_addresses(&self, e: &mut Entity, raw: &Raw) {
        for id in raw.values("addressEntity") {
            if let Some(a) = self.addresses.get(id) {
                if !e.addresses.contains(a) {
                    e.addresses.push(a.clone());
                }
            }
        }
        for text in raw.values("address") {
            if !e.addresses.iter().any(|a| a.full.as_deref() == Some(text)) {
                e.addresses.push(Address {
                    full: Some(text.to_string()),
                    ..Default::default()
                });
            }
        }
    }

    fn add_sanctions(&self, e: &mut Entity, raw: &Raw) {
        for v in raw.values("programId") {
            push_unique(&mut e.programs, v);
        }
        for s in self.sanctions.get(&raw.id).into_iter().flatten() {
            for p in &s.programs {
                push_unique(&mut e.programs, p);
            }
            if let Some(d) = s.listed_on {
                e.listed_on = Some(e.listed_on.map_or(d, |cur| cur.min(d)));
            }
            if let Some(a) = &s.authority {
                push_unique(
                    e.extra.entry("sanction_authority".to_string()).or_default(),
                    a,
                );
            }
        }
    }

    fn add_relations(&self, e: &mut Entity, raw: &Raw) {
        for (kind, other) in self.links.get(&raw.id).into_iter().flatten() {
            let party = self.parties.get(other);
            let target = match party {
                Some((_, true)) => EntityId::new(LIST, other).ok(),
                _ => None,
            };
            let target_name = party
                .map(|(caption, _)| caption.clone())
                .filter(|c| !c.is_empty());
            if target.is_none() && target_name.is_none() {
                continue;
            }
            let rel = Relation {
                kind: kind.to_string(),
                target,
                target_name,
            };
            if !e.relations.contains(&rel) {
                e.relations.push(rel);
            }
        }
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

fn add_names(e: &mut Entity, raw: &Raw) {
    let caption = raw
        .caption
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != raw.schema());
    let mut names = raw.values("name");
    match caption {
        Some(c) => e.add_name(c, NameKind::Primary),
        None => {
            if let Some(first) = names.next() {
                e.add_name(first, NameKind::Primary);
            }
        }
    }
    for n in names {
        e.add_name(n, NameKind::Alias);
    }
    for (prop, kind) in NAME_PROPS {
        for n in raw.values(prop) {
            e.add_name(n, *kind);
        }
    }
}

fn add_person_fields(e: &mut Entity, raw: &Raw) {
    e.gender = raw.first("gender").and_then(Gender::parse_loose);
    for d in raw.values("birthDate") {
        match d
            .parse::<DateValue>()
            .ok()
            .or_else(|| DateValue::parse_loose(d))
        {
            Some(v) if !e.birth_dates.contains(&v) => e.birth_dates.push(v),
            Some(_) => {}
            None => push_unique(e.extra.entry("birthDate".to_string()).or_default(), d),
        }
    }
    e.birth_places = raw.values("birthPlace").map(str::to_string).collect();
    let countries = |prop: &str| {
        raw.values(prop)
            .filter_map(model::country::code)
            .collect::<Vec<_>>()
    };
    for c in countries("nationality") {
        Entity::push_country(&mut e.nationalities, c);
    }
    for c in countries("citizenship") {
        Entity::push_country(&mut e.citizenships, c);
    }
    for prop in ["country", "jurisdiction", "mainCountry", "birthCountry"] {
        for c in countries(prop) {
            Entity::push_country(&mut e.countries, c);
        }
    }
}

fn add_identifiers(e: &mut Entity, raw: &Raw, from_aux: Option<&Vec<Identifier>>) {
    let id_number_kind = if e.schema == Schema::Person {
        IdKind::NationalId
    } else {
        IdKind::Registration
    };
    let props =
        std::iter::once(("idNumber", id_number_kind, "ID number")).chain(ID_PROPS.iter().copied());
    for (prop, kind, label) in props {
        for v in raw.values(prop) {
            let kind = if e.schema == Schema::Aircraft && prop == "registrationNumber" {
                IdKind::AircraftId
            } else {
                kind
            };
            if !e.identifiers.iter().any(|i| i.kind == kind && i.value == v) {
                let mut id = Identifier::new(kind, v);
                id.label = Some(label.to_string());
                e.identifiers.push(id);
            }
        }
    }
    for id in from_aux.into_iter().flatten() {
        if !e
            .identifiers
            .iter()
            .any(|i| i.kind == id.kind && i.value == id.value)
        {
            e.identifiers.push(id.clone());
        }
    }
}

fn add_vessel(e: &mut Entity, raw: &Raw) {
    let own = |p: &str| raw.first(p).map(str::to_string);
    let v = model::VesselInfo {
        flag: raw
            .values("flag")
            .find_map(model::country::code)
            .map(str::to_string),
        vessel_type: own("type"),
        tonnage: own("tonnage"),
        gross_registered_tonnage: own("grossRegisteredTonnage"),
        owner: None,
    };
    if v != model::VesselInfo::default() {
        e.vessel = Some(v);
    }
}

/// Unmapped properties and the entity's metadata.
fn add_extra(e: &mut Entity, raw: &Raw) {
    let vessel = e.schema == Schema::Vessel;
    for (prop, values) in &raw.properties {
        if MAPPED.contains(&prop.as_str()) || (vessel && VESSEL_PROPS.contains(&prop.as_str())) {
            continue;
        }
        let values: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        if !values.is_empty() {
            e.extra.insert(prop.clone(), values);
        }
    }
    let meta = [
        ("datasets", raw.datasets.clone()),
        ("referents", raw.referents.clone()),
        ("first_seen", raw.first_seen.iter().cloned().collect()),
        ("last_seen", raw.last_seen.iter().cloned().collect()),
        ("last_change", raw.last_change.iter().cloned().collect()),
    ];
    for (key, values) in meta {
        if !values.is_empty() {
            e.extra.insert(key.to_string(), values);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, text: &str) -> Result<(ListInfo, Vec<Entity>), ParseError> {
        crate::collect(|emit| parse_bytes(name, text.as_bytes(), emit))
    }

    const PERSON: &str = r#"{"id":"p1","caption":"Kim Jong Un","schema":"Person","properties":{"name":["Kim Jong Un","김정은"],"birthDate":["1984-01-08"],"nationality":["kp"],"passportNumber":["123"],"topics":["sanction"]},"datasets":["us_ofac_sdn"],"referents":["ofac-20157"],"target":true,"last_seen":"2024-06-01T10:57:03"}"#;

    const AUX: &str = r#"{"id":"s1","schema":"Sanction","properties":{"entity":["p1"],"programId":["US-DPRK3"],"listingDate":["2016-07-06"],"authority":["OFAC"]},"target":false}
{"id":"o1","schema":"Organization","caption":"Workers' Party of Korea","properties":{"name":["Workers' Party of Korea"]},"target":false}
{"id":"m1","schema":"Membership","properties":{"member":["p1"],"organization":["o1"]},"target":false}
"#;

    #[test]
    fn sniffs_entities_deltas_and_index() {
        assert!(sniff(&Head::from_bytes("e.json", PERSON.as_bytes())));
        assert!(sniff(&Head::from_bytes(
            "d.json",
            br#"{"op":"DEL","entity":{"id":"x"}}"#
        )));
        let index = b"{\"versions\": \n {\"1\": \"https://x/entities.delta.json\"}}";
        assert!(sniff(&Head::from_bytes("delta.json", index)));
        assert!(!sniff(&Head::from_bytes("x.csv", b"id,name\n")));
        assert!(!sniff(&Head::from_bytes("x.json", br#"{"a": 1}"#)));
    }

    #[test]
    fn maps_a_person_with_aux_entities() {
        let (info, es) = run("entities.ftm.json", &format!("{PERSON}\n{AUX}")).unwrap();
        assert_eq!(
            es.len(),
            1,
            "auxiliary and non-target entities are not emitted"
        );
        let e = &es[0];
        assert_eq!(e.id.to_string(), "opensanctions:p1");
        assert_eq!(e.names[0].kind, NameKind::Primary);
        assert_eq!(e.names[1].value, "김정은");
        assert_eq!(e.birth_dates[0].to_string(), "1984-01-08");
        assert_eq!(e.nationalities, ["kp"]);
        assert_eq!(e.identifiers[0].kind, IdKind::Passport);
        assert_eq!(e.programs, ["US-DPRK3"]);
        assert_eq!(e.listed_on.unwrap().to_string(), "2016-07-06");
        assert_eq!(e.relations[0].kind, "member_of");
        assert_eq!(e.relations[0].target, None);
        assert_eq!(
            e.relations[0].target_name.as_deref(),
            Some("Workers' Party of Korea")
        );
        assert_eq!(e.extra["topics"], ["sanction"]);
        assert_eq!(info.published.as_deref(), Some("2024-06-01T10:57:03"));
    }

    #[test]
    fn vessels_and_aircraft() {
        let text = r#"{"id":"v1","caption":"EXAMPLE TANKER","schema":"Vessel","properties":{"name":["EXAMPLE TANKER"],"imoNumber":["9999999"],"flag":["kp"],"type":["Oil tanker"],"pastNames":["OLD NAME"]},"target":true}
{"id":"a1","caption":"P-000","schema":"Airplane","properties":{"name":["P-000"],"registrationNumber":["P-000"],"type":["Example jet"]},"target":true}
{"id":"x1","caption":"Some thing","schema":"Document","properties":{},"target":true}
"#;
        let (_, es) = run("e.ftm.json", text).unwrap();
        assert_eq!(es.len(), 2, "unknown schemas are not emitted");
        let v = &es[0];
        assert_eq!(v.schema, Schema::Vessel);
        assert_eq!(v.identifiers[0].kind, IdKind::Imo);
        let info = v.vessel.as_ref().unwrap();
        assert_eq!(
            (info.flag.as_deref(), info.vessel_type.as_deref()),
            (Some("kp"), Some("Oil tanker"))
        );
        assert!(!v.extra.contains_key("type"));
        assert_eq!(v.names[1].kind, NameKind::Former);
        let a = &es[1];
        assert_eq!(a.schema, Schema::Aircraft);
        assert_eq!(a.identifiers[0].kind, IdKind::AircraftId);
        assert_eq!(a.extra["type"], ["Example jet"]);
    }

    #[test]
    fn delta_ops_apply_in_order() {
        let text = r#"{"op":"ADD","entity":{"id":"a","schema":"Person","caption":"A","target":true}}
{"op":"ADD","entity":{"id":"b","schema":"Person","caption":"B","target":true}}
{"op":"MOD","entity":{"id":"a","schema":"Person","caption":"A2","target":true}}
{"op":"DEL","entity":{"id":"b"}}
"#;
        let (_, es) = run("1.entities.delta.json", text).unwrap();
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].caption(), "A2");
    }

    #[test]
    fn index_is_skipped_and_dates_publication() {
        let text = "{\"versions\": \n {\"v1\": \"https://x/v1/entities.delta.json\"},\n \"updated_at\": \"2024-05-28T14:47:29Z\"}\n";
        let (info, es) = run("delta.json", text).unwrap();
        assert!(es.is_empty());
        assert_eq!(info.published.as_deref(), Some("2024-05-28T14:47:29Z"));
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = run(
            "e.ftm.json",
            &format!("{PERSON}\n\n{{\"id\": \"x\", \"schema\": \n"),
        )
        .unwrap_err();
        assert_eq!(err.position.line, Some(3), "{err}");
        assert!(
            err.reason.contains("invalid FollowTheMoney entity JSON"),
            "{err}"
        );
        let deltas = "{\"op\":\"ADD\",\"entity\":{\"id\":\"a\"}}\n{\"op\":\"FOO\",\"entity\":{\"id\":\"a\"}}\n";
        let err = run("d.delta.json", deltas).unwrap_err();
        assert_eq!(err.position.line, Some(2), "{err}");
        assert!(err.reason.contains("FOO"), "{err}");
        let err = run("e.ftm.json", "{\"id\":\"\",\"schema\":\"Person\"}\n").unwrap_err();
        assert!(err.reason.contains("without an id"), "{err}");
        let mut bytes = PERSON.as_bytes().to_vec();
        bytes.extend_from_slice(b"\n{\"id\":\"\xff\"}\n");
        let err = parse_bytes("e.ftm.json", &bytes, &mut |_| Ok(())).unwrap_err();
        assert!(err.to_string().contains("invalid UTF-8"), "{err}");
    }
}
