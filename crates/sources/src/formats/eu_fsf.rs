//! EU Financial Sanctions Files (FSF), XML export 1.1 (list key `eu_fsf`).
//!
//! Publisher: European Commission, Service for Foreign Policy Instruments (FPI), "Consolidated
//! list of persons, groups and entities subject to EU financial sanctions",
//! <https://data.europa.eu/data/datasets/consolidated-list-of-persons-groups-and-entities-subject-to-eu-financial-sanctions>
//! (XSD published alongside the file on the FSF portal).
//!
//! Layout: root `<export generationDate="…">` in namespace `http://eu.europa.ec/fpi/fsd/export`,
//! one `<sanctionEntity>` per listed party. Almost everything is in attributes. The file is
//! streamed with [`XmlStream`], one `sanctionEntity` tree at a time.
//!
//! Mapping:
//!
//! | FSF | model |
//! |---|---|
//! | `export/@generationDate` | `ListInfo::published` |
//! | `sanctionEntity/@logicalId` | entity id `eu_fsf:<logicalId>` |
//! | `subjectType/@code` (`person`, `enterprise`, …) | schema (unknown codes: `LegalEntity`) |
//! | `nameAlias/@wholeName` (or `firstName middleName lastName`), `@nameLanguage` → `Name::lang` | names, see below |
//! | `nameAlias/@gender` | gender |
//! | `nameAlias/@title`, `nameAlias/@function` | positions |
//! | `birthdate` (`@birthdate`, or `@year`/`@monthOfYear`/`@dayOfMonth`; `@yearRangeFrom`/`@yearRangeTo` → range; `@circa` → circa) | birth dates |
//! | `birthdate` (`@city`, `@place`, `@region`, `@zipCode`, `@countryIso2Code`) | birth places (text) |
//! | `citizenship/@countryIso2Code` | citizenships |
//! | `identification` (`@identificationTypeCode`/`Description`, `@number`, `@latinNumber`, `@countryIso2Code`, `@issuedBy`, `@issueDate`, `@validTo`, flags, `remark`) | identifiers |
//! | `address` (`@street`, `@poBox`, `@city`, `@zipCode`, `@region`, `@place`, `@countryIso2Code`, `remark` → `full`) | addresses |
//! | `contactInfo` (`PHONE`, `FAX`, `EMAIL`, `WEB`) | identifiers |
//! | `regulation/@programme` | programs (`regulation/@numberTitle` in `extra`) |
//! | `sanctionEntity/@designationDate` | listed on |
//! | `remark` (of the entity; of names, birth dates as prefixed remarks) | remarks |
//! | `@euReferenceNumber`, `@unitedNationId`, `@designationDetails`, unknown elements | `extra` |
//!
//! Names: the FSF has no "primary name" marker and lists names in no particular order (the
//! first `nameAlias` is often a translation). The primary name is chosen as the first strong,
//! good-quality name that (1) carries a `function` or `title` — the FSF attaches those to the
//! main entry — else (2) is structured into first and last name, else (3) the first strong,
//! good-quality name, else (4) the first name. Every other name is an alias; `strong="false"`
//! and names whose remark says "low quality" are weak aliases.
//!
//! Birth dates in a non-Gregorian calendar use the Gregorian `@birthdate` the FSF gives
//! beside them; without it the date is kept as a remark only.

use super::common::{add_extra, attr, clean, push_unique, texts};
use crate::input::xml::{self, Node, RecordSpec, XmlStream};
use crate::{Emit, Head, ListFormat, ListInfo, ParseError, SourceSet};
use model::{
    country, Address, DateValue, Entity, EntityId, Gender, IdKind, Identifier, Name, NameKind,
    PartialDate, Schema,
};
use std::io::BufRead;

/// The list key entities of this format belong to.
pub const LIST: &str = "eu_fsf";
const ROOT: &str = "export";
const RECORD: &str = "sanctionEntity";

/// EU Financial Sanctions Files XML.
/// Registered in [`crate::FORMATS`].
pub struct EuFsfXml;

/// The format's registry entry.
pub static FORMAT: EuFsfXml = EuFsfXml;

impl ListFormat for EuFsfXml {
    fn name(&self) -> &'static str {
        "eu_fsf_xml"
    }

    fn describe(&self) -> &'static str {
        "EU FSF XML"
    }

    fn sniff(&self, head: &Head) -> bool {
        sniff(head)
    }

    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        parse(set, emit)
    }
}

/// True for XML whose root is `export` in the FSF namespace (or with `sanctionEntity` records).
pub fn sniff(head: &Head) -> bool {
    if head.xml_root().as_deref() != Some(ROOT) {
        return false;
    }
    let text = head.text();
    text.contains("fpi/fsd/export") || text.contains("<sanctionEntity")
}

/// Streams the entities of an FSF XML file.
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    run(XmlStream::open(&set.main)?, emit)
}

/// Parses an FSF XML file held in memory (fuzzing, tests). `name` names the input in errors.
pub fn parse_bytes(name: &str, bytes: &[u8], emit: &mut Emit) -> Result<ListInfo, ParseError> {
    xml::read_bytes(name, bytes, |xml| run(xml, emit))
}

/// The file's shape: `sanctionEntity` records under `export`, named in errors by their
/// `logicalId` (or `euReferenceNumber`) attribute.
const SPEC: RecordSpec = RecordSpec {
    root: ROOT,
    what: "an EU FSF file",
    records: &[RECORD],
    header: &[],
    id_attrs: &["logicalId", "euReferenceNumber"],
    id_children: &[],
};

fn run<R: BufRead>(xml: XmlStream<R>, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let root = xml::for_each_record(xml, &SPEC, map_record, emit)?;
    Ok(ListInfo {
        list: LIST.to_string(),
        published: attr(&root, "generationDate"),
        ..Default::default()
    })
}

fn is_true(node: &Node, name: &str) -> bool {
    node.attr(name)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The ISO code of `@countryIso2Code` (`00` = unknown gives `None`).
fn country_code(node: &Node) -> Option<&'static str> {
    node.attr("countryIso2Code").and_then(country::code)
}

/// Cleaned texts of the `remark` children.
fn remarks(node: &Node) -> Vec<String> {
    texts(node.children_named("remark"))
}

fn map_record(node: &Node) -> Result<Entity, String> {
    let logical_id = node
        .attr("logicalId")
        .ok_or("sanctionEntity has no logicalId")?;
    let id = EntityId::new(LIST, logical_id)
        .map_err(|e| format!("bad logicalId {logical_id:?}: {e}"))?;
    let schema = node
        .child("subjectType")
        .and_then(|s| s.attr("code"))
        .and_then(|c| c.parse().ok())
        .unwrap_or(Schema::LegalEntity);
    let mut e = Entity::new(id, schema);
    e.listed_on = node
        .attr("designationDate")
        .and_then(PartialDate::parse_loose);
    for key in ["euReferenceNumber", "unitedNationId", "designationDetails"] {
        if let Some(v) = attr(node, key) {
            add_extra(&mut e, key, v);
        }
    }
    map_names(node, &mut e);
    if e.names.is_empty() {
        return Err("sanctionEntity has no name (no nameAlias with a name)".into());
    }
    for child in &node.children {
        map_child(child, &mut e);
    }
    Ok(e)
}

fn map_child(child: &Node, e: &mut Entity) {
    match child.name.as_str() {
        "nameAlias" | "subjectType" => {}
        "remark" => push_unique(&mut e.remarks, clean(&child.text)),
        "regulation" => {
            if let Some(p) = attr(child, "programme") {
                push_unique(&mut e.programs, p);
            }
            if let Some(t) = attr(child, "numberTitle") {
                add_extra(e, "regulation", t);
            }
        }
        "citizenship" => {
            if let Some(code) = country_code(child) {
                Entity::push_country(&mut e.citizenships, code);
            }
        }
        "birthdate" => map_birthdate(child, e),
        "identification" => map_identification(child, e),
        "address" => map_address(child, e),
        "contactInfo" => map_contact(child, e),
        other => {
            let value = if child.text.is_empty() {
                child
                    .attrs
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                clean(&child.text)
            };
            add_extra(e, other, value);
        }
    }
}

/// One `nameAlias`, read.
struct Alias {
    value: String,
    lang: Option<String>,
    strong: bool,
    low_quality: bool,
    has_role: bool,
    structured: bool,
    remarks: Vec<String>,
}

fn read_alias(node: &Node) -> Option<Alias> {
    let parts = ["firstName", "middleName", "lastName"];
    let value = attr(node, "wholeName").unwrap_or_else(|| {
        parts
            .iter()
            .filter_map(|p| attr(node, p))
            .collect::<Vec<_>>()
            .join(" ")
    });
    if value.is_empty() {
        return None;
    }
    let mut low_quality = false;
    let mut notes = Vec::new();
    for r in remarks(node) {
        let l = r.to_lowercase();
        if l.starts_with("low quality") {
            low_quality = true;
        } else if !l.starts_with("good quality") {
            notes.push(r);
        }
    }
    Some(Alias {
        lang: attr(node, "nameLanguage").map(|l| l.to_ascii_lowercase()),
        strong: node
            .attr("strong")
            .filter(|s| s.trim().eq_ignore_ascii_case("false"))
            .is_none(),
        has_role: node.attr("function").is_some() || node.attr("title").is_some(),
        structured: node.attr("lastName").is_some(),
        low_quality,
        remarks: notes,
        value,
    })
}

/// The index of the primary name (see the module docs).
fn primary_index(aliases: &[Alias]) -> usize {
    let good = |a: &&Alias| a.strong && !a.low_quality;
    let pos = |f: &dyn Fn(&Alias) -> bool| aliases.iter().position(|a| good(&a) && f(a));
    pos(&|a| a.has_role)
        .or_else(|| pos(&|a| a.structured))
        .or_else(|| pos(&|_| true))
        .unwrap_or(0)
}

fn map_names(node: &Node, e: &mut Entity) {
    let aliases: Vec<Alias> = node
        .children_named("nameAlias")
        .filter_map(read_alias)
        .collect();
    let primary = primary_index(&aliases);
    // primary first, then the rest in file order
    let order = std::iter::once(primary).chain((0..aliases.len()).filter(|&i| i != primary));
    for i in order {
        let Some(a) = aliases.get(i) else { continue };
        let kind = if i == primary {
            NameKind::Primary
        } else if !a.strong || a.low_quality {
            NameKind::WeakAlias
        } else {
            NameKind::Alias
        };
        if !e.names.iter().any(|n| n.value == a.value) {
            let mut name = Name::new(a.value.clone(), kind);
            name.lang = a.lang.clone();
            e.names.push(name);
        }
        for r in &a.remarks {
            push_unique(&mut e.remarks, format!("Name {}: {r}", a.value));
        }
    }
    for alias in node.children_named("nameAlias") {
        if e.gender.is_none() {
            e.gender = alias.attr("gender").and_then(Gender::parse_loose);
        }
        for key in ["title", "function"] {
            if let Some(v) = attr(alias, key) {
                push_unique(&mut e.positions, v);
            }
        }
    }
}

fn number(node: &Node, name: &str) -> Option<i32> {
    node.attr(name).and_then(|v| v.trim().parse().ok())
}

fn birth_date(node: &Node) -> Option<DateValue> {
    let gregorian = match node.attr("calendarType") {
        Some(c) => c.trim().is_empty() || c.trim().eq_ignore_ascii_case("GREGORIAN"),
        None => true,
    };
    if let (Some(a), Some(b)) = (number(node, "yearRangeFrom"), number(node, "yearRangeTo")) {
        let (a, b) = (
            PartialDate::new(a, None, None)?,
            PartialDate::new(b, None, None)?,
        );
        return (a <= b).then_some(DateValue::Range(a, b));
    }
    let full = node.attr("birthdate").and_then(PartialDate::parse_loose);
    let date = if gregorian {
        full.or_else(|| {
            let month = number(node, "monthOfYear").and_then(|m| u8::try_from(m).ok());
            let day = number(node, "dayOfMonth").and_then(|d| u8::try_from(d).ok());
            PartialDate::new(number(node, "year")?, month, month.and(day))
        })?
    } else {
        full?
    };
    Some(if is_true(node, "circa") {
        DateValue::Circa(date)
    } else {
        DateValue::Exact(date)
    })
}

fn map_birthdate(node: &Node, e: &mut Entity) {
    let date = birth_date(node);
    if let Some(d) = date {
        if !e.birth_dates.contains(&d) {
            e.birth_dates.push(d);
        }
    }
    let mut notes = remarks(node);
    if date.is_none() {
        let parts: Vec<String> = ["year", "monthOfYear", "dayOfMonth"]
            .iter()
            .filter_map(|k| attr(node, k))
            .collect();
        if !parts.is_empty() {
            let calendar = attr(node, "calendarType").unwrap_or_default();
            notes.insert(0, format!("{} ({calendar} calendar)", parts.join("-")));
        }
    }
    for n in notes {
        let remark = match date {
            Some(d) => format!("Date of birth {d}: {n}"),
            None => format!("Date of birth: {n}"),
        };
        push_unique(&mut e.remarks, remark);
    }
    let mut place: Vec<String> = ["city", "place", "region", "zipCode"]
        .iter()
        .filter_map(|k| attr(node, k))
        .filter(|v| v != "-")
        .collect();
    if let Some(name) = country_code(node).and_then(country::name) {
        place.push(name.to_string());
    }
    push_unique(&mut e.birth_places, place.join(", "));
}

fn id_kind(node: &Node) -> IdKind {
    let code = node
        .attr("identificationTypeCode")
        .unwrap_or("")
        .to_ascii_lowercase();
    match code.as_str() {
        "passport" => IdKind::Passport,
        "id" | "ssn" => IdKind::NationalId,
        "regnumber" => IdKind::Registration,
        "fiscalcode" | "tin" | "tax" => IdKind::TaxId,
        "swiftbic" => IdKind::Swift,
        "imo" => IdKind::Imo,
        _ => match IdKind::from_label(node.attr("identificationTypeDescription").unwrap_or("")) {
            IdKind::Other => IdKind::from_label(&code),
            kind => kind,
        },
    }
}

fn identification_note(node: &Node) -> Option<String> {
    let mut notes = Vec::new();
    let labelled = [
        ("issuedBy", "issued by"),
        ("issueDate", "issued on"),
        ("validFrom", "valid from"),
        ("validTo", "valid to"),
        ("region", "region"),
        ("nameOnDocument", "name on document"),
    ];
    for (key, label) in labelled {
        if let Some(v) = attr(node, key) {
            notes.push(format!("{label} {v}"));
        }
    }
    let flags = [
        ("diplomatic", "diplomatic"),
        ("knownExpired", "known expired"),
        ("knownFalse", "known false"),
        ("reportedLost", "reported lost"),
        ("revokedByIssuer", "revoked by issuer"),
    ];
    notes.extend(
        flags
            .iter()
            .filter(|(k, _)| is_true(node, k))
            .map(|(_, l)| l.to_string()),
    );
    notes.extend(remarks(node));
    (!notes.is_empty()).then(|| notes.join("; "))
}

fn map_identification(node: &Node, e: &mut Entity) {
    let kind = id_kind(node);
    let label = attr(node, "identificationTypeDescription")
        .or_else(|| attr(node, "identificationTypeCode"));
    let note = identification_note(node);
    let values = [attr(node, "number"), attr(node, "latinNumber")];
    for value in values.into_iter().flatten() {
        if e.identifiers
            .iter()
            .any(|i| i.kind == kind && i.value == value)
        {
            continue;
        }
        let mut id = Identifier::new(kind, value);
        id.country = country_code(node).map(str::to_string);
        id.label = label.clone();
        id.note = note.clone();
        e.identifiers.push(id);
    }
}

fn map_address(node: &Node, e: &mut Entity) {
    let mut street = attr(node, "street").map(|s| s.trim_end_matches([',', ' ']).to_string());
    if let Some(po) = attr(node, "poBox") {
        let po = format!("P.O. Box {po}");
        street = Some(match street {
            Some(s) => format!("{s}, {po}"),
            None => po,
        });
    }
    let mut full: Vec<String> = attr(node, "place").into_iter().collect();
    full.extend(remarks(node));
    if is_true(node, "asAtListingTime") {
        full.push("as at listing time".into());
    }
    let a = Address {
        street,
        city: attr(node, "city"),
        region: attr(node, "region"),
        postal_code: attr(node, "zipCode"),
        country: country_code(node).map(str::to_string),
        full: (!full.is_empty()).then(|| full.join("; ")),
    };
    if !a.is_empty() && !e.addresses.contains(&a) {
        e.addresses.push(a);
    }
    for contact in node.children_named("contactInfo") {
        map_contact(contact, e);
    }
}

/// `contactInfo key="PHONE" value="+98 21 2258929; +98 21 35243153"` → one identifier each.
fn map_contact(node: &Node, e: &mut Entity) {
    let (Some(key), Some(value)) = (attr(node, "key"), node.attr("value")) else {
        return;
    };
    let kind = match key.to_ascii_uppercase().as_str() {
        "PHONE" | "FAX" => IdKind::Phone,
        "EMAIL" => IdKind::Email,
        "WEB" => IdKind::Website,
        _ => IdKind::from_label(&key),
    };
    for v in value.split(';').map(clean).filter(|v| !v.is_empty()) {
        if !e.identifiers.iter().any(|i| i.kind == kind && i.value == v) {
            let mut id = Identifier::new(kind, v);
            id.label = Some(key.clone());
            e.identifiers.push(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(xml: &str) -> Result<(ListInfo, Vec<Entity>), ParseError> {
        crate::collect(|emit| parse_bytes("test.xml", xml.as_bytes(), emit))
    }

    fn one(inner: &str) -> Entity {
        let xml = format!(
            "<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\" generationDate=\"2026-08-05T16:47:04.449+02:00\">\
             <sanctionEntity logicalId=\"13\" designationDate=\"2022-02-28\">{inner}</sanctionEntity></export>"
        );
        let (info, mut v) = parse_str(&xml).unwrap();
        assert_eq!(
            info.published.as_deref(),
            Some("2026-08-05T16:47:04.449+02:00")
        );
        v.remove(0)
    }

    #[test]
    fn primary_name_choice_and_weak_aliases() {
        let e = one(
            "<subjectType code=\"person\"/>\
             <nameAlias wholeName=\"Traduction\" nameLanguage=\"FR\" strong=\"true\"/>\
             <nameAlias firstName=\"Abu\" lastName=\"Saleh\" wholeName=\"Abu Saleh\" strong=\"true\"><remark>low quality alias</remark></nameAlias>\
             <nameAlias firstName=\"Ivan\" lastName=\"Examplevich\" wholeName=\"Ivan  Examplevich\" nameLanguage=\"EN\" strong=\"true\" gender=\"M\"/>\
             <nameAlias wholeName=\"Ivan E\" strong=\"false\"/>",
        );
        assert_eq!(e.schema, Schema::Person);
        let names: Vec<_> = e
            .names
            .iter()
            .map(|n| (n.value.as_str(), n.kind, n.lang.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("Ivan Examplevich", NameKind::Primary, Some("en")),
                ("Traduction", NameKind::Alias, Some("fr")),
                ("Abu Saleh", NameKind::WeakAlias, None),
                ("Ivan E", NameKind::WeakAlias, None),
            ]
        );
        assert_eq!(e.gender, Some(Gender::Male));
        assert_eq!(e.listed_on.unwrap().to_string(), "2022-02-28");
    }

    #[test]
    fn dates_places_ids_addresses() {
        let e = one(
            "<subjectType code=\"enterprise\"/><nameAlias wholeName=\"X Ltd\"/>\
             <birthdate circa=\"true\" year=\"1960\" countryIso2Code=\"00\"/>\
             <birthdate yearRangeFrom=\"1953\" yearRangeTo=\"1958\" city=\"Kandahar\" countryIso2Code=\"AF\"/>\
             <birthdate calendarType=\"ISLAMIC\" birthdate=\"1982-04-19\" year=\"1402\" monthOfYear=\"6\" dayOfMonth=\"24\"/>\
             <birthdate calendarType=\"ISLAMIC\" year=\"1402\"/>\
             <birthdate year=\"1970\" monthOfYear=\"5\"/>\
             <identification number=\"FK117RK0\" identificationTypeCode=\"passport\" identificationTypeDescription=\"National passport\"\
               countryIso2Code=\"LY\" issueDate=\"2018-11-25\" knownExpired=\"true\"><remark>r</remark></identification>\
             <identification number=\"892\" identificationTypeCode=\"regnumber\" countryIso2Code=\"00\"/>\
             <address street=\"Pasdaran Square\" poBox=\"16765/358\" city=\"Tehran\" countryIso2Code=\"IR\" asAtListingTime=\"false\">\
               <remark>Head Office.</remark><contactInfo key=\"PHONE\" value=\"+98 1; +98 2\"/></address>\
             <regulation programme=\"IRN\" numberTitle=\"2024/2074\"/>",
        );
        assert_eq!(e.schema, Schema::Organization);
        let dates: Vec<_> = e.birth_dates.iter().map(|d| d.to_string()).collect();
        assert_eq!(dates, ["~1960", "1953..1958", "1982-04-19", "1970-05"]);
        assert!(
            e.remarks
                .contains(&"Date of birth: 1402 (ISLAMIC calendar)".to_string()),
            "{:?}",
            e.remarks
        );
        assert_eq!(e.birth_places, ["Kandahar, Afghanistan"]);
        let p = &e.identifiers[0];
        assert_eq!(
            (p.kind, p.value.as_str(), p.country.as_deref()),
            (IdKind::Passport, "FK117RK0", Some("ly"))
        );
        assert_eq!(
            p.note.as_deref(),
            Some("issued on 2018-11-25; known expired; r")
        );
        assert_eq!(
            (e.identifiers[1].kind, e.identifiers[1].country.as_deref()),
            (IdKind::Registration, None)
        );
        let phones: Vec<_> = e
            .identifiers
            .iter()
            .filter(|i| i.kind == IdKind::Phone)
            .map(|i| i.value.as_str())
            .collect();
        assert_eq!(phones, ["+98 1", "+98 2"]);
        let a = &e.addresses[0];
        assert_eq!(
            a.street.as_deref(),
            Some("Pasdaran Square, P.O. Box 16765/358")
        );
        assert_eq!(
            (a.city.as_deref(), a.country.as_deref(), a.full.as_deref()),
            (Some("Tehran"), Some("ir"), Some("Head Office."))
        );
        assert_eq!(e.programs, ["IRN"]);
        assert_eq!(e.extra["regulation"], ["2024/2074"]);
    }

    #[test]
    fn sniff_needs_fsf_root() {
        assert!(sniff(&Head::from_bytes(
            "a.xml",
            b"<?xml version=\"1.0\"?><export xmlns=\"http://eu.europa.ec/fpi/fsd/export\">"
        )));
        assert!(!sniff(&Head::from_bytes(
            "a.xml",
            b"<export><thing/></export>"
        )));
        assert!(!sniff(&Head::from_bytes("a.xml", b"<CONSOLIDATED_LIST>")));
    }

    #[test]
    fn missing_logical_id_and_names() {
        let err = parse_str("<export>\n<sanctionEntity euReferenceNumber=\"EU.1.2\">\n<nameAlias wholeName=\"A\"/>\n</sanctionEntity>\n</export>")
            .unwrap_err();
        assert!(err.reason.contains("no logicalId"), "{err}");
        assert_eq!(
            err.position.record.as_deref(),
            Some("sanctionEntity 1 (euReferenceNumber EU.1.2)")
        );
        assert_eq!(err.position.line, Some(4));
        let err = parse_str("<export><sanctionEntity logicalId=\"5\"/></export>").unwrap_err();
        assert!(err.reason.contains("no name"), "{err}");
        let err = parse_str("<export><sanctionEntity logicalId=\"5\"><nameAlias wholeName=\"A\"/>")
            .unwrap_err();
        assert!(err.reason.contains("truncated"), "{err}");
    }
}
