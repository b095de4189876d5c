//! UN Security Council Consolidated List, XML (list key `un_sc`).
//!
//! Publisher: United Nations Security Council, <https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list>
//! (file `consolidated.xml`, schema `https://www.un.org/sc/resources/sc-sanctions.xsd`).
//!
//! Layout: root `<CONSOLIDATED_LIST dateGenerated="…">` holding `<INDIVIDUALS>` with one
//! `<INDIVIDUAL>` per person and `<ENTITIES>` with one `<ENTITY>` per organisation. The file is
//! streamed with [`XmlStream`]; one record at a time is read into a small tree and mapped.
//!
//! Mapping:
//!
//! | UN element | model |
//! |---|---|
//! | `dateGenerated` (root attribute) | `ListInfo::published` |
//! | `REFERENCE_NUMBER` (trimmed: values carry trailing spaces) | entity id `un_sc:<ref>` |
//! | `FIRST_NAME` … `FOURTH_NAME`, joined in the publisher's order | primary name |
//! | `*_ALIAS/ALIAS_NAME` with `QUALITY` `Good`, `a.k.a.` or empty | alias |
//! | … `QUALITY` `Low` | weak alias |
//! | … `QUALITY` `f.k.a.` | former name |
//! | `NAME_ORIGINAL_SCRIPT`, alias notes `original script: …` / `in Arabic: …` | original-script name |
//! | `TITLE/VALUE`, `DESIGNATION/VALUE` | positions |
//! | `NATIONALITY/VALUE` | nationalities (ISO codes; unknown names kept in `extra`) |
//! | `GENDER` | gender |
//! | `INDIVIDUAL_DATE_OF_BIRTH` (`EXACT` with `DATE` or `YEAR`, `APPROXIMATELY` → circa, `BETWEEN` with `FROM_YEAR`/`TO_YEAR` → range; a `NOTE` that refines or replaces the date is used, otherwise kept as a remark) | birth dates |
//! | `INDIVIDUAL_PLACE_OF_BIRTH` (`STREET`, `CITY`, `STATE_PROVINCE`, `COUNTRY`, `NOTE`) | birth places (text) |
//! | alias `DATE_OF_BIRTH`, `CITY_OF_BIRTH`, `COUNTRY_OF_BIRTH` (dates used under that alias) | birth dates, birth places |
//! | `INDIVIDUAL_DOCUMENT` (`TYPE_OF_DOCUMENT[2]`, `NUMBER`, `ISSUING_COUNTRY`/`COUNTRY_OF_ISSUE`, `CITY_OF_ISSUE`, `DATE_OF_ISSUE`, `NOTE`) | identifiers (a document without a number becomes a remark) |
//! | `*_ADDRESS` (`STREET`, `CITY`, `STATE_PROVINCE`, `ZIP_CODE`, `COUNTRY`, `NOTE` → `full`) | addresses |
//! | `UN_LIST_TYPE` | programs |
//! | `LISTED_ON` | listed on |
//! | `COMMENTS1`, other alias notes | remarks |
//! | `DATAID`, `VERSIONNUM`, `LIST_TYPE`, `LAST_DAY_UPDATED`, `SORT_KEY`, any element not above | `extra` |
//!
//! Errors: a record without `REFERENCE_NUMBER` or without any name, a root other than
//! `CONSOLIDATED_LIST`, malformed or truncated XML and any DOCTYPE are errors naming the line
//! (and the record where one is being read).

use super::common::{add_extra, attr, clean, push_unique, text, texts};
use crate::input::xml::{self, Node, RecordSpec, XmlStream};
use crate::{Emit, Head, ListFormat, ListInfo, ParseError, SourceSet};
use model::{
    country, Address, DateValue, Entity, EntityId, Gender, IdKind, Identifier, NameKind,
    PartialDate, Schema,
};
use std::io::BufRead;

/// The list key entities of this format belong to.
pub const LIST: &str = "un_sc";
const ROOT: &str = "CONSOLIDATED_LIST";

/// UN Security Council consolidated list XML.
/// Registered in [`crate::FORMATS`].
pub struct UnXml;

/// The format's registry entry.
pub static FORMAT: UnXml = UnXml;

impl ListFormat for UnXml {
    fn name(&self) -> &'static str {
        "un_xml"
    }

    fn describe(&self) -> &'static str {
        "UN XML"
    }

    fn sniff(&self, head: &Head) -> bool {
        sniff(head)
    }

    fn parse(&self, set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
        parse(set, emit)
    }
}

/// True for XML whose root element is `CONSOLIDATED_LIST`.
pub fn sniff(head: &Head) -> bool {
    head.xml_root().as_deref() == Some(ROOT)
}

/// Streams the entities of a UN consolidated list file.
pub fn parse(set: &SourceSet, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    run(XmlStream::open(&set.main)?, emit)
}

/// Parses a UN consolidated list held in memory (fuzzing, tests). `name` names the input in
/// errors.
pub fn parse_bytes(name: &str, bytes: &[u8], emit: &mut Emit) -> Result<ListInfo, ParseError> {
    xml::read_bytes(name, bytes, |xml| run(xml, emit))
}

/// The file's shape: `INDIVIDUAL` and `ENTITY` records under `CONSOLIDATED_LIST`, named in
/// errors by `REFERENCE_NUMBER` (or `DATAID`).
const SPEC: RecordSpec = RecordSpec {
    root: ROOT,
    what: "a UN consolidated list",
    records: &["INDIVIDUAL", "ENTITY"],
    header: &[],
    id_attrs: &[],
    id_children: &["REFERENCE_NUMBER", "DATAID"],
};

fn run<R: BufRead>(xml: XmlStream<R>, emit: &mut Emit) -> Result<ListInfo, ParseError> {
    let root = xml::for_each_record(xml, &SPEC, map_record, emit)?;
    Ok(ListInfo {
        list: LIST.to_string(),
        published: attr(&root, "dateGenerated"),
        ..Default::default()
    })
}

fn map_record(node: &Node) -> Result<Entity, String> {
    let person = node.name == "INDIVIDUAL";
    let reference = node
        .child_text("REFERENCE_NUMBER")
        .ok_or("record has no REFERENCE_NUMBER")?;
    let id = EntityId::new(LIST, reference)
        .map_err(|e| format!("bad REFERENCE_NUMBER {reference:?}: {e}"))?;
    let schema = if person {
        Schema::Person
    } else {
        Schema::Organization
    };
    let mut e = Entity::new(id, schema);

    let primary = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|n| text(node, n))
        .collect::<Vec<_>>()
        .join(" ");
    if primary.is_empty() {
        return Err("record has no name (FIRST_NAME is empty)".into());
    }
    e.add_name(&primary, NameKind::Primary);
    if let Some(original) = text(node, "NAME_ORIGINAL_SCRIPT") {
        e.add_name(&original, NameKind::OriginalScript);
    }
    for child in &node.children {
        map_child(child, &mut e);
    }
    Ok(e)
}

/// Maps one child element of an INDIVIDUAL or ENTITY record.
fn map_child(child: &Node, e: &mut Entity) {
    let value = clean(&child.text);
    match child.name.as_str() {
        "REFERENCE_NUMBER"
        | "FIRST_NAME"
        | "SECOND_NAME"
        | "THIRD_NAME"
        | "FOURTH_NAME"
        | "NAME_ORIGINAL_SCRIPT" => {}
        "UN_LIST_TYPE" => push_unique(&mut e.programs, value),
        "LISTED_ON" => e.listed_on = xsd_date(&value),
        "GENDER" => e.gender = Gender::parse_loose(&value),
        "COMMENTS1" => push_unique(&mut e.remarks, value),
        "TITLE" | "DESIGNATION" => {
            for v in values_of(child) {
                push_unique(&mut e.positions, v);
            }
        }
        "NATIONALITY" => {
            for v in values_of(child) {
                match country::code(&v) {
                    Some(code) => Entity::push_country(&mut e.nationalities, code),
                    None => add_extra(e, "NATIONALITY", v),
                }
            }
        }
        "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS" => map_alias(child, e),
        "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS" => {
            if let Some(a) = address(child) {
                if !e.addresses.contains(&a) {
                    e.addresses.push(a);
                }
            }
        }
        "INDIVIDUAL_DATE_OF_BIRTH" => map_birth_date(child, e),
        "INDIVIDUAL_PLACE_OF_BIRTH" => {
            let parts = ["STREET", "CITY", "STATE_PROVINCE", "COUNTRY"];
            let mut place = parts
                .iter()
                .filter_map(|p| text(child, p))
                .collect::<Vec<_>>()
                .join(", ");
            if let Some(note) = text(child, "NOTE") {
                place = if place.is_empty() {
                    note
                } else {
                    format!("{place} ({note})")
                };
            }
            push_unique(&mut e.birth_places, place);
        }
        "INDIVIDUAL_DOCUMENT" => map_document(child, e),
        _ => {
            // DATAID, VERSIONNUM, LIST_TYPE, LAST_DAY_UPDATED, SORT_KEY, … and future fields.
            let vals = if child.children.is_empty() {
                vec![value]
            } else {
                values_of(child)
            };
            for v in vals {
                add_extra(e, &child.name, v);
            }
        }
    }
}

/// Texts of an element's `VALUE` children.
fn values_of(node: &Node) -> Vec<String> {
    texts(node.children_named("VALUE"))
}

fn alias_kind(quality: &str) -> NameKind {
    match quality.trim().to_ascii_lowercase().as_str() {
        "" | "good" | "a.k.a." | "aka" => NameKind::Alias,
        "low" => NameKind::WeakAlias,
        "f.k.a." | "fka" => NameKind::Former,
        other => NameKind::parse_loose(other).unwrap_or(NameKind::Alias),
    }
}

fn map_alias(node: &Node, e: &mut Entity) {
    let Some(name) = text(node, "ALIAS_NAME") else {
        return;
    };
    let kind = alias_kind(node.child_text("QUALITY").unwrap_or(""));
    e.add_name(&name, kind);
    if let Some(note) = text(node, "NOTE") {
        let (rest, original) = split_original_script(&note);
        if let Some(original) = original {
            e.add_name(original, NameKind::OriginalScript);
        }
        if !rest.is_empty() {
            push_unique(&mut e.remarks, format!("Alias {name}: {rest}"));
        }
    }
    // Birth data the publisher gives for this alias (e.g. from a false passport).
    if let Some(d) = node
        .child_text("DATE_OF_BIRTH")
        .and_then(xsd_date)
        .map(DateValue::Exact)
    {
        if !e.birth_dates.contains(&d) {
            e.birth_dates.push(d);
        }
    }
    let place = ["CITY_OF_BIRTH", "COUNTRY_OF_BIRTH"]
        .iter()
        .filter_map(|p| text(node, p))
        .collect::<Vec<_>>()
        .join(", ");
    push_unique(&mut e.birth_places, place);
}

/// Splits an alias note such as "previously listed as, in Arabic: مرعي زغبي" or
/// "original script: Абу Банат" into the remaining note and the original-script name.
fn split_original_script(note: &str) -> (&str, Option<&str>) {
    const MARKERS: [&str; 3] = ["original script:", "in arabic script:", "in arabic:"];
    // ASCII lower-casing keeps byte positions, so they index `note` as well.
    let lower = note.to_ascii_lowercase();
    for marker in MARKERS {
        let Some(i) = lower.find(marker) else {
            continue;
        };
        let name = note[i + marker.len()..].trim();
        if name.chars().any(|c| c.is_alphabetic() && c > '\u{024F}') {
            let rest = note[..i].trim().trim_end_matches([',', '.', ';', ' ']);
            return (rest, Some(name));
        }
    }
    (note, None)
}

fn address(node: &Node) -> Option<Address> {
    let mut a = Address {
        street: text(node, "STREET"),
        city: text(node, "CITY"),
        region: text(node, "STATE_PROVINCE"),
        postal_code: text(node, "ZIP_CODE"),
        country: None,
        full: text(node, "NOTE"),
    };
    if let Some(name) = text(node, "COUNTRY") {
        match country::code(&name) {
            Some(code) => a.country = Some(code.to_string()),
            // keep a country the table does not know as text
            None => {
                a.full = Some(match a.full.take() {
                    Some(note) if note != name => format!("{name} ({note})"),
                    _ => name,
                })
            }
        }
    }
    (!a.is_empty()).then_some(a)
}

fn push_date(e: &mut Entity, d: DateValue) {
    if !e.birth_dates.contains(&d) {
        e.birth_dates.push(d);
    }
}

/// One `INDIVIDUAL_DATE_OF_BIRTH`. The forms in the published file:
/// `EXACT`+`DATE`, `EXACT`+`YEAR` (with a month `NOTE` such as `Sep.`), `EXACT`+`NOTE` only
/// (`Nov. 1973`, `Between Aug. and Sep. 1977`, a Hijri date), `APPROXIMATELY`+`YEAR`,
/// `BETWEEN`+`FROM_YEAR`+`TO_YEAR` (sometimes with `NOTE` `Approximately`), and empty elements.
fn map_birth_date(node: &Node, e: &mut Entity) {
    let kind = node
        .child_text("TYPE_OF_DATE")
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    let note = text(node, "NOTE");
    let year = |name: &str| {
        node.child_text(name)
            .and_then(|y| y.trim().parse::<i32>().ok())
    };
    let (date, note_used) = match kind.as_str() {
        "BETWEEN" => match (year("FROM_YEAR"), year("TO_YEAR")) {
            (Some(a), Some(b)) => (range(a, b), false),
            _ => note_date(note.as_deref()),
        },
        _ => {
            let base = node
                .child_text("DATE")
                .and_then(xsd_date)
                .or_else(|| year("YEAR").and_then(|y| PartialDate::new(y, None, None)));
            match (base, note.as_deref()) {
                (Some(d), Some(n)) => match refine(d, n) {
                    Some(better) => (Some(DateValue::Exact(better)), true),
                    None => (Some(DateValue::Exact(d)), false),
                },
                (Some(d), None) => (Some(DateValue::Exact(d)), false),
                (None, n) => note_date(n),
            }
        }
    };
    let date = match (date, kind.as_str()) {
        (Some(DateValue::Exact(d)), "APPROXIMATELY") => Some(DateValue::Circa(d)),
        (d, _) => d,
    };
    if let Some(d) = date {
        push_date(e, d);
    }
    if let (Some(n), false) = (note, note_used) {
        let remark = match date {
            Some(d) => format!("Date of birth {d}: {n}"),
            None => format!("Date of birth: {n}"),
        };
        push_unique(&mut e.remarks, remark);
    }
}

/// An `xsd:date`, which may carry a time zone ("2015-04-07-04:00").
fn xsd_date(s: &str) -> Option<PartialDate> {
    let s = s.trim();
    PartialDate::parse_loose(s).or_else(|| s.get(..10).and_then(|d| d.parse().ok()))
}

fn range(a: i32, b: i32) -> Option<DateValue> {
    let (a, b) = (
        PartialDate::new(a, None, None)?,
        PartialDate::new(b, None, None)?,
    );
    (a <= b).then_some(DateValue::Range(a, b))
}

/// A date written only in the note; `(date, note consumed)`.
fn note_date(note: Option<&str>) -> (Option<DateValue>, bool) {
    match note.and_then(parse_prose_date) {
        Some(d) => (Some(d), true),
        None => (None, false),
    }
}

/// A year-precision date made more precise by a note naming its month ("Sep." with 1958).
fn refine(d: PartialDate, note: &str) -> Option<PartialDate> {
    if d.month.is_some() {
        return None;
    }
    PartialDate::parse_loose(&format!("{note} {}", d.year)).filter(|r| r.year == d.year)
}

/// Prose dates, including ranges whose first part lacks the year ("Between Aug. and Sep. 1977").
fn parse_prose_date(s: &str) -> Option<DateValue> {
    if let Some(d) = DateValue::parse_loose(s) {
        return Some(d);
    }
    let lower = s.trim().to_ascii_lowercase();
    let body = lower.strip_prefix("between ").unwrap_or(&lower);
    let (a, b) = body
        .split_once(" and ")
        .or_else(|| body.split_once(" to "))?;
    let end = PartialDate::parse_loose(b)?;
    let start = PartialDate::parse_loose(&format!("{a} {}", end.year))?;
    (start <= end).then_some(DateValue::Range(start, end))
}

/// The identifier kind for a UN document type (the UN also writes it in French and Spanish).
fn document_kind(label: &str) -> IdKind {
    let l = label.to_lowercase();
    if l.contains("passeport") || l.contains("pasaporte") {
        return IdKind::Passport;
    }
    IdKind::from_label(label)
}

fn map_document(node: &Node, e: &mut Entity) {
    let type1 = text(node, "TYPE_OF_DOCUMENT");
    let type2 = text(node, "TYPE_OF_DOCUMENT2");
    let label = match (&type1, &type2) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => Some(format!("{a} ({b})")),
        (Some(a), _) => Some(a.clone()),
        (None, b) => b.clone(),
    };
    let kind = [&type1, &type2]
        .iter()
        .filter_map(|t| t.as_deref())
        .map(document_kind)
        .find(|k| *k != IdKind::Other)
        .unwrap_or(IdKind::Other);

    let mut notes = Vec::new();
    let mut issuer = None;
    for field in ["ISSUING_COUNTRY", "COUNTRY_OF_ISSUE"] {
        if let Some(name) = text(node, field) {
            match country::code(&name) {
                Some(code) if issuer.is_none() => issuer = Some(code.to_string()),
                Some(code) if issuer.as_deref() == Some(code) => {}
                _ => notes.push(format!("issued by {name}")),
            }
        }
    }
    if let Some(city) = text(node, "CITY_OF_ISSUE") {
        notes.push(format!("issued in {city}"));
    }
    if let Some(date) = text(node, "DATE_OF_ISSUE") {
        notes.push(format!("issued on {date}"));
    }
    if let Some(note) = text(node, "NOTE") {
        notes.push(note);
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));

    match text(node, "NUMBER") {
        Some(number) => {
            let mut id = Identifier::new(kind, number);
            id.country = issuer;
            id.label = label;
            id.note = note;
            // The UN repeats some documents under French and Spanish labels: keep one.
            if !e
                .identifiers
                .iter()
                .any(|o| o.kind == id.kind && o.value == id.value)
            {
                e.identifiers.push(id);
            }
        }
        None => {
            // A document the UN describes without a number ("Passport: issued in …").
            if label.is_some() || note.is_some() {
                let what = label.unwrap_or_else(|| "Document".into());
                let remark = match note {
                    Some(n) => format!("{what}: {n}"),
                    None => what,
                };
                push_unique(&mut e.remarks, remark);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(xml: &str) -> Result<(ListInfo, Vec<Entity>), ParseError> {
        crate::collect(|emit| parse_bytes("test.xml", xml.as_bytes(), emit))
    }

    fn one_individual(inner: &str) -> Entity {
        let xml = format!(
            "<CONSOLIDATED_LIST dateGenerated=\"2026-01-01T00:00:00Z\"><INDIVIDUALS><INDIVIDUAL>\
             <REFERENCE_NUMBER>QDi.001 </REFERENCE_NUMBER><FIRST_NAME>A</FIRST_NAME>\
             <SECOND_NAME>B</SECOND_NAME>{inner}</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
        );
        let (_, mut v) = parse_str(&xml).unwrap();
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    fn dob(inner: &str) -> Entity {
        one_individual(&format!(
            "<INDIVIDUAL_DATE_OF_BIRTH>{inner}</INDIVIDUAL_DATE_OF_BIRTH>"
        ))
    }

    fn dates(e: &Entity) -> Vec<String> {
        e.birth_dates.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn birth_date_forms() {
        let t = "<TYPE_OF_DATE>EXACT</TYPE_OF_DATE>";
        assert_eq!(
            dates(&dob(&format!("{t}<DATE>1978-04-28</DATE>"))),
            ["1978-04-28"]
        );
        assert_eq!(dates(&dob(&format!("{t}<YEAR>1971</YEAR>"))), ["1971"]);
        assert_eq!(
            dates(&dob(&format!("{t}<YEAR>1958</YEAR><NOTE>Sep.</NOTE>"))),
            ["1958-09"]
        );
        assert_eq!(
            dates(&dob(&format!("{t}<NOTE>Nov. 1973 </NOTE>"))),
            ["1973-11"]
        );
        let between = dob(&format!("{t}<NOTE>Between Aug. and Sep. 1977</NOTE>"));
        assert_eq!(dates(&between), ["1977-08..1977-09"]);
        let approx = dob("<TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1966</YEAR>");
        assert_eq!(dates(&approx), ["~1966"]);
        let range = "<TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1955</FROM_YEAR><TO_YEAR>1958</TO_YEAR>";
        let r = dob(&format!("{range}<NOTE>Approximately</NOTE>"));
        assert_eq!(dates(&r), ["1955..1958"]);
        assert_eq!(r.remarks, ["Date of birth 1955..1958: Approximately"]);
        let hijri = dob(&format!("{t}<NOTE>24/06/1402 (Hijri Calendar)</NOTE>"));
        assert!(hijri.birth_dates.is_empty());
        assert_eq!(
            hijri.remarks,
            ["Date of birth: 24/06/1402 (Hijri Calendar)"]
        );
        let false_pp = dob(&format!(
            "{t}<DATE>1979-03-03</DATE><NOTE>from false passport</NOTE>"
        ));
        assert_eq!(dates(&false_pp), ["1979-03-03"]);
        assert_eq!(
            false_pp.remarks,
            ["Date of birth 1979-03-03: from false passport"]
        );
        assert!(dob("<TYPE_OF_DATE/>").birth_dates.is_empty());
        assert!(dob("<TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1990</FROM_YEAR><TO_YEAR>1980</TO_YEAR>")
            .birth_dates
            .is_empty());
    }

    #[test]
    fn aliases_documents_and_addresses() {
        let e = one_individual(
            "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Abu A</ALIAS_NAME></INDIVIDUAL_ALIAS>\
             <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu B</ALIAS_NAME>\
               <NOTE>original script: Абу Б</NOTE><DATE_OF_BIRTH>1979-12-31</DATE_OF_BIRTH></INDIVIDUAL_ALIAS>\
             <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>\
             <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Numéro de passeport</TYPE_OF_DOCUMENT>\
               <NUMBER> A123 </NUMBER><ISSUING_COUNTRY>Iraq</ISSUING_COUNTRY>\
               <DATE_OF_ISSUE>2005-04-30</DATE_OF_ISSUE></INDIVIDUAL_DOCUMENT>\
             <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NOTE>issued in Basra</NOTE></INDIVIDUAL_DOCUMENT>\
             <INDIVIDUAL_ADDRESS><CITY>Kabul</CITY><COUNTRY>Afghanistan</COUNTRY><NOTE>previous address</NOTE></INDIVIDUAL_ADDRESS>\
             <INDIVIDUAL_ADDRESS><NOTE>Afghanistan/Pakistan border region</NOTE></INDIVIDUAL_ADDRESS>\
             <DATAID>42</DATAID><LAST_DAY_UPDATED><VALUE>2016-10-13</VALUE></LAST_DAY_UPDATED>",
        );
        assert_eq!(e.id.to_string(), "un_sc:QDi.001");
        let names: Vec<_> = e.names.iter().map(|n| (n.value.as_str(), n.kind)).collect();
        assert_eq!(
            names,
            [
                ("A B", NameKind::Primary),
                ("Abu A", NameKind::Alias),
                ("Abu B", NameKind::WeakAlias),
                ("Абу Б", NameKind::OriginalScript)
            ]
        );
        assert_eq!(dates(&e), ["1979-12-31"]);
        assert_eq!(e.identifiers.len(), 1);
        let id = &e.identifiers[0];
        assert_eq!(
            (id.kind, id.value.as_str(), id.country.as_deref()),
            (IdKind::Passport, "A123", Some("iq"))
        );
        assert_eq!(id.note.as_deref(), Some("issued on 2005-04-30"));
        assert_eq!(e.remarks, ["Passport: issued in Basra"]);
        assert_eq!(e.addresses[0].city.as_deref(), Some("Kabul"));
        assert_eq!(e.addresses[0].country.as_deref(), Some("af"));
        assert_eq!(e.addresses[0].full.as_deref(), Some("previous address"));
        assert_eq!(
            e.addresses[1].full.as_deref(),
            Some("Afghanistan/Pakistan border region")
        );
        assert_eq!(e.extra["DATAID"], ["42"]);
        assert_eq!(e.extra["LAST_DAY_UPDATED"], ["2016-10-13"]);
    }

    #[test]
    fn entity_with_fka() {
        let (info, v) = parse_str(
            "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27T00:00:09.554Z\"><ENTITIES><ENTITY>\
             <FIRST_NAME>GREEN PINE ASSOCIATED CORPORATION</FIRST_NAME><REFERENCE_NUMBER>KPe.010</REFERENCE_NUMBER>\
             <UN_LIST_TYPE>DPRK</UN_LIST_TYPE><LISTED_ON>2012-05-02</LISTED_ON>\
             <ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>Old Pine</ALIAS_NAME></ENTITY_ALIAS>\
             </ENTITY></ENTITIES></CONSOLIDATED_LIST>",
        )
        .unwrap();
        assert_eq!(info.published.as_deref(), Some("2026-02-27T00:00:09.554Z"));
        assert_eq!(v[0].schema, Schema::Organization);
        assert_eq!(v[0].names[1].kind, NameKind::Former);
        assert_eq!(v[0].programs, ["DPRK"]);
        assert_eq!(v[0].listed_on.unwrap().to_string(), "2012-05-02");
    }

    #[test]
    fn sniffs_root_only() {
        assert!(sniff(&Head::from_bytes(
            "x.xml",
            b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST>"
        )));
        assert!(!sniff(&Head::from_bytes(
            "consolidated.xml",
            b"<export xmlns=\"x\">"
        )));
        assert!(!sniff(&Head::from_bytes(
            "consolidated.xml",
            b"CONSOLIDATED_LIST,1"
        )));
    }

    #[test]
    fn bad_input_errors_name_position() {
        let err = parse_str(
            "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>X</FIRST_NAME>\n",
        )
        .unwrap_err();
        assert!(err.reason.contains("truncated"), "{err}");
        assert_eq!(err.position.line, Some(4), "{err}");

        let err = parse_str("<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n</INDIVIDUALS>\n").unwrap_err();
        assert!(err.reason.contains("truncated"), "{err}");

        let err = parse_str(
            "<CONSOLIDATED_LIST><INDIVIDUALS>\n<INDIVIDUAL><DATAID>77</DATAID><FIRST_NAME>X</FIRST_NAME></INDIVIDUAL>\n\
             </INDIVIDUALS></CONSOLIDATED_LIST>",
        )
        .unwrap_err();
        assert!(err.reason.contains("no REFERENCE_NUMBER"), "{err}");
        assert_eq!(
            err.position.record.as_deref(),
            Some("INDIVIDUAL 1 (DATAID 77)")
        );
        assert_eq!(err.position.line, Some(2), "{err}");

        let err = parse_str("<export/>").unwrap_err();
        assert!(err.reason.contains("not a UN consolidated list"), "{err}");
        assert!(parse_str("").is_err());
        assert!(parse_bytes(
            "bad.xml",
            b"<CONSOLIDATED_LIST>\xff</CONSOLIDATED_LIST>",
            &mut |_| Ok(())
        )
        .is_err());
    }
}
