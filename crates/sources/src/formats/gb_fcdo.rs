//! UK Sanctions List, XML (list key `gb_fcdo`).
//!
//! Publisher: UK Foreign, Commonwealth & Development Office, "The UK Sanctions List",
//! <https://www.gov.uk/government/publications/the-uk-sanctions-list> (file
//! `UK_Sanctions_List.xml`; the column guide is published on the same page).
//!
//! Layout: root `<Designations>` with a `<DateGenerated>dd/mm/yyyy</DateGenerated>` child and one
//! `<Designation>` per listed person, entity or ship. Lists are wrapped in plural elements
//! (`Names/Name`, `Addresses/Address`, `IndividualDetails/Individual/DOBs/DOB`, …). The file is
//! streamed with [`XmlStream`], one `Designation` tree at a time.
//!
//! Mapping:
//!
//! | FCDO element | model |
//! |---|---|
//! | `DateGenerated` (dd/mm/yyyy) | `ListInfo::published` (ISO `yyyy-mm-dd`) |
//! | `OFSIGroupID` (the "UK Group ID" shared with OFSI's list); `UniqueID` when a designation has none — ships often have none | entity id `gb_fcdo:<id>` |
//! | `UniqueID` ("DPR0075") | `extra` and an identifier of kind `Other` labelled "UK Sanctions List ID" |
//! | `IndividualEntityShip` (`Individual`, `Entity`, `Ship`) | schema (`Person`, `Organization`, `Vessel`) |
//! | `Names/Name`: `Name1`…`Name5` given names then `Name6` (surname or entity name), joined | names |
//! | `NameType` `Primary Name` / `Primary Name Variation` / `Alias`, `AliasStrength` `Low quality…` | primary / alias / weak alias |
//! | `NonLatinNames/NonLatinName/NameNonLatinScript` (`NonLatinScriptLanguage` → `Name::lang`) | original-script names |
//! | `Titles/Title`, `Positions/Position` | positions |
//! | `RegimeName` | programs |
//! | `DateDesignated` | listed on |
//! | `Addresses/Address` (`AddressLine1`–`4` → street, `5` → region, `6` → city, `AddressPostalCode`, `AddressCountry`) | addresses |
//! | `PhoneNumbers`, `EmailAddresses`, `Websites` | identifiers (phone, email, website) |
//! | `DOBs/DOB` (`dd/mm/yyyy`, `dd/mm/1945`, `1946`) | birth dates |
//! | `BirthDetails/Location` (`TownOfBirth`, `CountryOfBirth`) | birth places |
//! | `Nationalities/Nationality`, `Genders/Gender` | nationalities, gender |
//! | `PassportDetails/Passport`, `NationalIdentifierDetails/NationalIdentifier` (number + additional information → note; a leading country name → issuing country) | identifiers |
//! | `BusinessRegistrationNumbers` | identifiers (registration) |
//! | `ParentCompanies`, `Subsidiaries` | relations `owned_by`, `owns` (by name) |
//! | `ShipDetails/Ship`: `IMONumbers` → IMO identifier; `CurrentOwnerOperators`, `CurrentBelievedFlagOfShips`, `TypeOfShip`, `TonnageOfShip` | vessel info |
//! | `OtherInformation`, `UKStatementofReasons` | remarks |
//! | `LastUpdated`, `UNReferenceNumber`, `DesignationSource` and `SanctionsImposed` (split at each pipe), true `SanctionsImposedIndicators`, `TypeOfEntity`, `PreviousFlag`, `LengthOfShip`, any other element | `extra` (by element name) |

use super::common::{add_extra, add_id, clean, push_unique, text, texts};
use crate::input::xml::{self, Node, RecordSpec, XmlStream};
use crate::{Emit, Head, ListFormat, ListInfo, ParseError, SourceSet};
use model::{
    country, Address, Entity, EntityId, Gender, IdKind, Identifier, Name, NameKind, PartialDate,
    Relation, Schema, VesselInfo,
};
use std::io::BufRead;

/// The list key entities of this format belong to.
pub const LIST: &str = "gb_fcdo";
const ROOT: &str = "Designations";
const RECORD: &str = "Designation";
/// The label of the identifier carrying the designation's `UniqueID`.
pub const UNIQUE_ID_LABEL: &str = "UK Sanctions List ID";

/// FCDO UK Sanctions List XML.
/// Registered in [`crate::FORMATS`].
pub struct GbFcdoXml;

/// The format's registry entry.
pub static FORMAT: GbFcdoXml = GbFcdoXml;

impl ListFormat for GbFcdoXml {
    fn name(&self) -> &'static str {
        "gb_fcdo_xml"
    }

    fn describe(&self) -> &'static str {
        "UK FCDO XML"
    }

    fn sniff(&self, head: &Head) -> bool {
        sniff(head)
    }

    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        parse(set, emit)
    }
}

/// True for XML whose root is `Designations` holding `Designation` records.
pub fn sniff(head: &Head) -> bool {
    if head.xml_root().as_deref() != Some(ROOT) {
        return false;
    }
    let text = head.text();
    text.contains("<Designation>") || text.contains("<DateGenerated>")
}

/// Streams the entities of a UK Sanctions List XML file.
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    run(XmlStream::open(&set.main)?, emit)
}

/// Parses a UK Sanctions List XML file held in memory (fuzzing, tests). `name` names the
/// input in errors.
pub fn parse_bytes(name: &str, bytes: &[u8], emit: &mut Emit) -> Result<ListInfo, ParseError> {
    xml::read_bytes(name, bytes, |xml| run(xml, emit))
}

/// The file's shape: `Designation` records under `Designations`, whose `DateGenerated` child
/// dates the file; records are named in errors by `UniqueID` (or `OFSIGroupID`).
const SPEC: RecordSpec = RecordSpec {
    root: ROOT,
    what: "a UK Sanctions List file",
    records: &[RECORD],
    header: &["DateGenerated"],
    id_attrs: &[],
    id_children: &["UniqueID", "OFSIGroupID"],
};

fn run<R: BufRead>(xml: XmlStream<R>, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let root = xml::for_each_record(xml, &SPEC, map_record, emit)?;
    let published = root
        .children_named("DateGenerated")
        .last()
        .map(|d| match uk_date(&d.text) {
            Some(d) => d.to_string(),
            None => clean(&d.text),
        });
    Ok(ListInfo {
        list: LIST.to_string(),
        published: published.filter(|p| !p.is_empty()),
        ..Default::default()
    })
}

/// A UK date: `dd/mm/yyyy`, where the day or month may be unknown (`dd`, `mm`, `00`), or a
/// bare year. Used by the OFSI CSV parser as well.
pub(crate) fn uk_date(s: &str) -> Option<PartialDate> {
    let s = s.trim();
    let parts: Vec<&str> = s.split('/').map(str::trim).collect();
    let known = |p: &str| -> Option<u8> { p.parse::<u8>().ok().filter(|n| *n != 0) };
    match parts.as_slice() {
        [d, m, y] if y.len() == 4 => {
            let year = y.parse().ok()?;
            let month = known(m);
            PartialDate::new(year, month, month.and(known(d)))
        }
        [m, y] if y.len() == 4 => PartialDate::new(y.parse().ok()?, known(m), None),
        [y] if y.len() == 4 => PartialDate::new(y.parse().ok()?, None, None),
        _ => PartialDate::parse_loose(s),
    }
}

/// Texts of the items of a plural wrapper element (`Titles` → every `Titles/Title` text).
fn items(wrapper: &Node) -> Vec<String> {
    texts(&wrapper.children)
}

/// [`items`] of every child `wrapper` of `node`.
fn list(node: &Node, wrapper: &str) -> Vec<String> {
    node.children_named(wrapper).flat_map(items).collect()
}

fn labelled(kind: IdKind, value: String, label: &str) -> Identifier {
    let mut id = Identifier::new(kind, value);
    id.label = Some(label.to_string());
    id
}

fn schema_of(node: &Node) -> Result<Schema, String> {
    match node.child_text("IndividualEntityShip") {
        Some(t) => t
            .parse()
            .map_err(|_| format!("unknown IndividualEntityShip {t:?}")),
        None => Ok(Schema::LegalEntity),
    }
}

fn map_record(node: &Node) -> Result<Entity, String> {
    let unique = text(node, "UniqueID");
    let key = text(node, "OFSIGroupID").or_else(|| unique.clone());
    let key = key.ok_or("Designation has neither OFSIGroupID nor UniqueID")?;
    let id = EntityId::new(LIST, &key).map_err(|e| format!("bad id {key:?}: {e}"))?;
    let mut e = Entity::new(id, schema_of(node)?);
    map_names(node, &mut e);
    if e.names.is_empty() {
        return Err("Designation has no name".into());
    }
    if let Some(u) = unique {
        add_id(&mut e, labelled(IdKind::Other, u.clone(), UNIQUE_ID_LABEL));
        add_extra(&mut e, "UniqueID", u);
    }
    for child in &node.children {
        map_child(child, &mut e);
    }
    Ok(e)
}

fn map_child(child: &Node, e: &mut Entity) {
    let value = clean(&child.text);
    match child.name.as_str() {
        "OFSIGroupID" | "UniqueID" | "Names" | "NonLatinNames" | "IndividualEntityShip" => {}
        "DateDesignated" => e.listed_on = uk_date(&value),
        "LastUpdated" => add_extra(
            e,
            "LastUpdated",
            uk_date(&value).map_or(value, |d| d.to_string()),
        ),
        "RegimeName" => push_unique(&mut e.programs, value),
        "OtherInformation" | "UKStatementofReasons" => push_unique(&mut e.remarks, value),
        "SanctionsImposed" | "DesignationSource" => {
            for s in value.split('|') {
                add_extra(e, &child.name, clean(s));
            }
        }
        "SanctionsImposedIndicators" => {
            for flag in child
                .children
                .iter()
                .filter(|c| c.text.trim().eq_ignore_ascii_case("true"))
            {
                add_extra(e, "SanctionsImposedIndicators", flag.name.clone());
            }
        }
        "Titles" => {
            for t in items(child) {
                push_unique(&mut e.positions, t);
            }
        }
        "Addresses" => {
            for a in child.children_named("Address").filter_map(address) {
                if !e.addresses.contains(&a) {
                    e.addresses.push(a);
                }
            }
        }
        "PhoneNumbers" | "EmailAddresses" | "Websites" => map_contacts(child, e),
        "IndividualDetails" => child.children.iter().for_each(|i| map_individual(i, e)),
        "EntityDetails" => child.children.iter().for_each(|i| map_organization(i, e)),
        "ShipDetails" => child.children.iter().for_each(|s| map_ship(s, e)),
        _ => add_leaves(child, e),
    }
}

/// Every leaf text under `node` into `extra`, keyed by the leaf's element name.
fn add_leaves(node: &Node, e: &mut Entity) {
    if node.children.is_empty() {
        add_extra(e, &node.name, clean(&node.text));
    }
    for c in &node.children {
        add_leaves(c, e);
    }
}

fn name_kind(name: &Node) -> NameKind {
    let strength = name
        .child_text("AliasStrength")
        .unwrap_or("")
        .to_ascii_lowercase();
    let kind = name
        .child_text("NameType")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let kind = match kind.as_str() {
        "primary name" | "primary" => NameKind::Primary,
        "primary name variation" | "alias" | "aka" | "" => NameKind::Alias,
        k if k.contains("former") || k.contains("fka") => NameKind::Former,
        k => NameKind::parse_loose(k).unwrap_or(NameKind::Alias),
    };
    if kind == NameKind::Alias && strength.contains("low") {
        NameKind::WeakAlias
    } else {
        kind
    }
}

/// ISO 639-1 code of a language name as the FCDO writes it; `None` if unknown.
pub(crate) fn language_code(name: &str) -> Option<&'static str> {
    const LANGS: &[(&str, &str)] = &[
        ("arabic", "ar"),
        ("russian", "ru"),
        ("ukrainian", "uk"),
        ("belarusian", "be"),
        ("chinese", "zh"),
        ("korean", "ko"),
        ("japanese", "ja"),
        ("persian", "fa"),
        ("farsi", "fa"),
        ("pashto", "ps"),
        ("dari", "fa"),
        ("urdu", "ur"),
        ("hebrew", "he"),
        ("greek", "el"),
        ("georgian", "ka"),
        ("armenian", "hy"),
        ("burmese", "my"),
        ("serbian", "sr"),
        ("bulgarian", "bg"),
        ("macedonian", "mk"),
        ("amharic", "am"),
        ("tigrinya", "ti"),
        ("kurdish", "ku"),
        ("tamil", "ta"),
        ("thai", "th"),
    ];
    let l = name.trim().to_ascii_lowercase();
    LANGS.iter().find(|(n, _)| *n == l).map(|(_, c)| *c)
}

fn map_names(node: &Node, e: &mut Entity) {
    let parts = ["Name1", "Name2", "Name3", "Name4", "Name5", "Name6"];
    for name in node
        .children_named("Names")
        .flat_map(|n| n.children_named("Name"))
    {
        let full = parts
            .iter()
            .filter_map(|p| text(name, p))
            .collect::<Vec<_>>()
            .join(" ");
        e.add_name(&full, name_kind(name));
    }
    // A designation whose names are all aliases still needs a caption.
    if !e.names.iter().any(|n| n.kind == NameKind::Primary) {
        if let Some(first) = e.names.first_mut() {
            first.kind = NameKind::Primary;
        }
    }
    for nl in node
        .children_named("NonLatinNames")
        .flat_map(|n| n.children_named("NonLatinName"))
    {
        let Some(value) = text(nl, "NameNonLatinScript") else {
            continue;
        };
        if e.names.iter().any(|n| n.value == value) {
            continue;
        }
        let mut name = Name::new(value, NameKind::OriginalScript);
        if let Some(lang) = text(nl, "NonLatinScriptLanguage") {
            name.lang = language_code(&lang).map(str::to_string);
            if name.lang.is_none() {
                add_extra(e, "NonLatinScriptLanguage", lang);
            }
        }
        e.names.push(name);
    }
}

fn address(node: &Node) -> Option<Address> {
    let street = [
        "AddressLine1",
        "AddressLine2",
        "AddressLine3",
        "AddressLine4",
    ]
    .iter()
    .filter_map(|l| text(node, l))
    .collect::<Vec<_>>()
    .join(", ");
    let mut a = Address {
        street: (!street.is_empty()).then_some(street),
        city: text(node, "AddressLine6"),
        region: text(node, "AddressLine5"),
        postal_code: text(node, "AddressPostalCode"),
        ..Default::default()
    };
    if let Some(c) = text(node, "AddressCountry") {
        match country::code(&c) {
            Some(code) => a.country = Some(code.to_string()),
            None => a.full = Some(c),
        }
    }
    (!a.is_empty()).then_some(a)
}

fn map_contacts(node: &Node, e: &mut Entity) {
    let (kind, label) = match node.name.as_str() {
        "PhoneNumbers" => (IdKind::Phone, "Phone number"),
        "EmailAddresses" => (IdKind::Email, "Email address"),
        _ => (IdKind::Website, "Website"),
    };
    for item in items(node) {
        // Several email addresses can share one element, separated by ';' or spaces.
        let values: Vec<String> = if kind == IdKind::Email {
            item.split([';', ' '])
                .map(clean)
                .filter(|v| !v.is_empty())
                .collect()
        } else {
            vec![item]
        };
        for v in values {
            add_id(e, labelled(kind, v, label));
        }
    }
}

/// The country a document's description starts with ("Afghanistan passport number …",
/// "Afghan national identification card …").
pub(crate) fn leading_country(info: &str) -> Option<&'static str> {
    let words: Vec<&str> = info.split_whitespace().take(3).collect();
    (1..=words.len())
        .rev()
        .find_map(|n| country::code(&words[..n].join(" ")))
}

fn map_document(node: &Node, number: &str, info: &str, kind: IdKind, label: &str, e: &mut Entity) {
    let Some(value) = text(node, number) else {
        return;
    };
    let mut id = labelled(kind, value, label);
    id.note = text(node, info);
    id.country = id
        .note
        .as_deref()
        .and_then(leading_country)
        .map(str::to_string);
    add_id(e, id);
}

fn map_individual(ind: &Node, e: &mut Entity) {
    for dob in list(ind, "DOBs") {
        match uk_date(&dob) {
            Some(d) if !e.birth_dates.contains(&model::DateValue::Exact(d)) => {
                e.birth_dates.push(model::DateValue::Exact(d))
            }
            Some(_) => {}
            None => push_unique(&mut e.remarks, format!("Date of birth: {dob}")),
        }
    }
    for n in list(ind, "Nationalities") {
        match country::code(&n) {
            Some(code) => Entity::push_country(&mut e.nationalities, code),
            None => add_extra(e, "Nationality", n),
        }
    }
    if let Some(g) = list(ind, "Genders").first() {
        e.gender = Gender::parse_loose(g);
    }
    for p in list(ind, "Positions")
        .into_iter()
        .chain(list(ind, "Titles"))
    {
        push_unique(&mut e.positions, p);
    }
    for p in ind
        .children_named("PassportDetails")
        .flat_map(|d| d.children_named("Passport"))
    {
        map_document(
            p,
            "PassportNumber",
            "PassportAdditionalInformation",
            IdKind::Passport,
            "Passport",
            e,
        );
    }
    let ids = ind
        .children_named("NationalIdentifierDetails")
        .flat_map(|d| d.children_named("NationalIdentifier"));
    for n in ids {
        let (num, info) = (
            "NationalIdentifierNumber",
            "NationalIdentifierAdditionalInformation",
        );
        map_document(n, num, info, IdKind::NationalId, "National identifier", e);
    }
    for loc in ind
        .children_named("BirthDetails")
        .flat_map(|b| b.children_named("Location"))
    {
        let place = ["TownOfBirth", "CountryOfBirth"]
            .iter()
            .filter_map(|p| text(loc, p))
            .collect::<Vec<_>>();
        push_unique(&mut e.birth_places, place.join(", "));
    }
    let handled = [
        "DOBs",
        "Nationalities",
        "Genders",
        "Positions",
        "Titles",
        "PassportDetails",
        "NationalIdentifierDetails",
        "BirthDetails",
    ];
    for other in ind
        .children
        .iter()
        .filter(|c| !handled.contains(&c.name.as_str()))
    {
        add_leaves(other, e);
    }
}

fn map_organization(org: &Node, e: &mut Entity) {
    for r in list(org, "BusinessRegistrationNumbers") {
        add_id(
            e,
            labelled(IdKind::Registration, r, "Business registration number"),
        );
    }
    for (wrapper, kind) in [("ParentCompanies", "owned_by"), ("Subsidiaries", "owns")] {
        for name in list(org, wrapper) {
            let rel = Relation {
                kind: kind.to_string(),
                target: None,
                target_name: Some(name),
            };
            if !e.relations.contains(&rel) {
                e.relations.push(rel);
            }
        }
    }
    let handled = [
        "BusinessRegistrationNumbers",
        "ParentCompanies",
        "Subsidiaries",
    ];
    for other in org
        .children
        .iter()
        .filter(|c| !handled.contains(&c.name.as_str()))
    {
        add_leaves(other, e);
    }
}

fn map_ship(ship: &Node, e: &mut Entity) {
    for imo in list(ship, "IMONumbers") {
        add_id(e, labelled(IdKind::Imo, imo, "IMO number"));
    }
    let mut v = e.vessel.take().unwrap_or_default();
    let owners = list(ship, "CurrentOwnerOperators");
    if !owners.is_empty() {
        v.owner = Some(owners.join("; "));
    }
    for flag in list(ship, "CurrentBelievedFlagOfShips") {
        match country::code(&flag) {
            Some(code) if v.flag.is_none() => v.flag = Some(code.to_string()),
            _ => add_extra(e, "CurrentBelievedFlagOfShip", flag),
        }
    }
    v.vessel_type = list(ship, "TypeOfShipDetails")
        .into_iter()
        .next()
        .or(v.vessel_type);
    v.tonnage = list(ship, "TonnageOfShipDetails")
        .into_iter()
        .next()
        .or(v.tonnage);
    if v != VesselInfo::default() {
        e.vessel = Some(v);
    }
    let handled = [
        "IMONumbers",
        "CurrentOwnerOperators",
        "CurrentBelievedFlagOfShips",
        "TypeOfShipDetails",
        "TonnageOfShipDetails",
    ];
    for other in ship
        .children
        .iter()
        .filter(|c| !handled.contains(&c.name.as_str()))
    {
        add_leaves(other, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(xml: &str) -> Result<(ListInfo, Vec<Entity>), ParseError> {
        crate::collect(|emit| parse_bytes("test.xml", xml.as_bytes(), emit))
    }

    #[test]
    fn uk_dates() {
        let d = |s: &str| uk_date(s).map(|d| d.to_string());
        assert_eq!(d("12/05/1958").as_deref(), Some("1958-05-12"));
        assert_eq!(d("dd/mm/1945").as_deref(), Some("1945"));
        assert_eq!(d("00/00/1970").as_deref(), Some("1970"));
        assert_eq!(d("00/07/1970").as_deref(), Some("1970-07"));
        assert_eq!(d("1946").as_deref(), Some("1946"));
        assert_eq!(d("31/02/1990"), None);
        assert_eq!(d("unknown"), None);
    }

    #[test]
    fn names_and_fallback_id() {
        let (info, v) = parse_str(
            "<Designations><DateGenerated>10/09/2026</DateGenerated><Designation>\
             <UniqueID>RUS0001</UniqueID><IndividualEntityShip>Individual</IndividualEntityShip>\
             <Names><Name><Name1>Ivan</Name1><Name2>Ivanovich</Name2><Name6>IVANOV</Name6><NameType>Alias</NameType>\
             <AliasStrength>Low quality a.k.a</AliasStrength></Name>\
             <Name><Name1>Ivan</Name1><Name6>IVANOFF</Name6><NameType>Alias</NameType></Name></Names>\
             <NonLatinNames><NonLatinName><NameNonLatinScript>Иван Иванов</NameNonLatinScript>\
             <NonLatinScriptLanguage>Russian</NonLatinScriptLanguage></NonLatinName></NonLatinNames>\
             <Foo><Bar>baz</Bar></Foo></Designation></Designations>",
        )
        .unwrap();
        assert_eq!(info.published.as_deref(), Some("2026-09-10"));
        let e = &v[0];
        assert_eq!(e.id.to_string(), "gb_fcdo:RUS0001");
        let names: Vec<_> = e
            .names
            .iter()
            .map(|n| (n.value.as_str(), n.kind, n.lang.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("Ivan Ivanovich IVANOV", NameKind::Primary, None),
                ("Ivan IVANOFF", NameKind::Alias, None),
                ("Иван Иванов", NameKind::OriginalScript, Some("ru")),
            ]
        );
        assert_eq!(e.extra["Bar"], ["baz"]);
    }

    #[test]
    fn bad_records() {
        let err = parse_str("<Designations>\n<Designation>\n<Names><Name><Name6>X</Name6></Name></Names>\n</Designation>\n</Designations>")
            .unwrap_err();
        assert!(
            err.reason.contains("neither OFSIGroupID nor UniqueID"),
            "{err}"
        );
        assert_eq!(err.position.record.as_deref(), Some("Designation 1"));
        assert_eq!(err.position.line, Some(4));
        let err = parse_str("<Designations><Designation><UniqueID>A1</UniqueID><IndividualEntityShip>Spaceship</IndividualEntityShip>\
             <Names><Name><Name6>X</Name6></Name></Names></Designation></Designations>")
        .unwrap_err();
        assert!(err.reason.contains("unknown IndividualEntityShip"), "{err}");
        assert_eq!(
            err.position.record.as_deref(),
            Some("Designation 1 (UniqueID A1)")
        );
        let err = parse_str(
            "<Designations><Designation><UniqueID>A1</UniqueID></Designation></Designations>",
        )
        .unwrap_err();
        assert!(err.reason.contains("no name"), "{err}");
    }

    #[test]
    fn sniff_root() {
        assert!(sniff(&Head::from_bytes(
            "x.xml",
            b"<?xml version=\"1.0\"?>\n<Designations>\n<DateGenerated>1/1/2026</DateGenerated>"
        )));
        assert!(!sniff(&Head::from_bytes(
            "x.xml",
            b"<Designations><Other/></Designations>"
        )));
        assert!(!sniff(&Head::from_bytes(
            "x.xml",
            b"<export><sanctionEntity/>"
        )));
    }
}
