//! The OFAC `Remarks` field: a `;`-separated list of `Key value` items.
//!
//! OFAC's legacy CSV files carry most of what they know about a party in one free-text column
//! (1000 characters at most; longer remarks continue in `sdn_comments.csv`):
//!
//! ```text
//! DOB 08 Jan 1984; POB Pyongyang, North Korea; nationality Korea, North; Gender Male;
//! Passport 123456 (Korea, North) expires 2020; a.k.a. 'KIM, Jong-un'; Linked To: KOREAN WORKERS' PARTY.
//! ```
//!
//! [`split`] cuts the field into items (a `;` inside a quoted name such as `a.k.a. 'A; B'` does
//! not end the item); [`parse_item`] maps one item through the table [`KEYS`] of recognised
//! keys to a [`Fact`]. An item may start with `alt.` (another value of the same key), which is
//! dropped. Items that match no key, or whose value does not parse (an unknown country, a
//! malformed date), are kept verbatim in `Entity::remarks` by the caller, so nothing is lost.
//!
//! Identifier items follow the pattern `Label VALUE (Issuing Country) issued DATE expires DATE`;
//! the country becomes the identifier's ISO code and the `issued`/`expires` part its note.
//!
//! Names in the remarks (`a.k.a.`) are OFAC's *weak* aliases: the strong ones are in `alt.csv`,
//! and no remarks alias of the 2021 SDN set repeats an `alt.csv` name. They become
//! [`NameKind::WeakAlias`]; `f.k.a.` and `n.k.a.` become former and new names.

use model::{country, DateValue, Gender, IdKind, Identifier, NameKind};
use std::sync::OnceLock;

/// What one recognised remarks key maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    /// `DOB 08 Jan 1984`, `DOB circa 1960`, `DOB 1950 to 1951` → `birth_dates`.
    BirthDate,
    /// `POB Pyongyang, North Korea` → `birth_places`.
    BirthPlace,
    /// `nationality Iran` → `nationalities` (ISO code).
    Nationality,
    /// `citizen Iran` → `citizenships` (ISO code).
    Citizenship,
    /// `Nationality of Registration Panama` (vessels) → `countries` (ISO code).
    Country,
    /// `Gender Male` → `gender`.
    Gender,
    /// `a.k.a. 'X'` and friends → a name of this kind.
    Name(NameKind),
    /// `Linked To: NAME` → a `linked_to` relation.
    LinkedTo,
    /// A document or registry number: `VALUE (Country) issued … expires …`.
    Document(IdKind),
    /// Phone, e-mail, website: the whole value, no country.
    Contact(IdKind),
    /// `Vessel Registration Identification IMO 9223758` → IMO identifier `9223758`.
    Imo,
    /// `Digital Currency Address - XBT 1Abc…` → the currency goes into the label.
    DigitalCurrency,
    /// A fact the model has no field for → `extra[label]`.
    Extra,
    /// Like `Extra`, but the key runs to the first `: ` or ` - ` in the item, so that
    /// `Executive Order 13846 information: BLOCKING …` keeps the order's number in the key.
    ExtraKeyed,
}

use Field::*;

/// Recognised keys, matched case-insensitively at the start of an item (after `alt.`); the
/// longest matching key wins. Labels are OFAC's own wording.
pub(super) const KEYS: &[(&str, Field)] = &[
    // --- person facts
    ("DOB", BirthDate),
    ("POB", BirthPlace),
    ("nationality", Nationality),
    ("citizen", Citizenship),
    ("Nationality of Registration", Country),
    ("Registration Country", Country),
    ("Gender", Gender),
    // --- names and links
    ("a.k.a.", Name(NameKind::WeakAlias)),
    ("d.b.a.", Name(NameKind::WeakAlias)),
    ("f.k.a.", Name(NameKind::Former)),
    ("n.k.a.", Name(NameKind::New)),
    ("Linked To:", LinkedTo),
    // --- passports and travel documents
    ("Passport", Document(IdKind::Passport)),
    ("Passport No.", Document(IdKind::Passport)),
    ("Passport Booklet", Document(IdKind::Passport)),
    ("Diplomatic Passport", Document(IdKind::Passport)),
    ("Stateless Person Passport", Document(IdKind::Passport)),
    (
        "British National Overseas Passport",
        Document(IdKind::Passport),
    ),
    ("Travel Document Number", Document(IdKind::Passport)),
    // --- personal identity numbers
    ("National ID No.", Document(IdKind::NationalId)),
    ("Identification Number", Document(IdKind::NationalId)),
    ("Cedula No.", Document(IdKind::NationalId)),
    ("C.U.R.P.", Document(IdKind::NationalId)),
    ("C.U.R.P. #", Document(IdKind::NationalId)),
    ("C.U.I.", Document(IdKind::NationalId)),
    ("C.U.I.P.", Document(IdKind::NationalId)),
    ("D.N.I.", Document(IdKind::NationalId)),
    ("N.I.E.", Document(IdKind::NationalId)),
    ("I.F.E.", Document(IdKind::NationalId)),
    ("SSN", Document(IdKind::NationalId)),
    ("LE Number", Document(IdKind::NationalId)),
    ("Personal ID Card", Document(IdKind::NationalId)),
    ("Credencial electoral", Document(IdKind::NationalId)),
    ("Electoral Registry No.", Document(IdKind::NationalId)),
    ("National Foreign ID Number", Document(IdKind::NationalId)),
    (
        "Turkish Identification Number",
        Document(IdKind::NationalId),
    ),
    ("Numero de Identidad", Document(IdKind::NationalId)),
    ("Citizen's Card Number", Document(IdKind::NationalId)),
    ("Kenyan ID No.", Document(IdKind::NationalId)),
    ("Tazkira National ID Card", Document(IdKind::NationalId)),
    ("Refugee ID Card", Document(IdKind::NationalId)),
    ("Stateless Person ID Card", Document(IdKind::NationalId)),
    ("UAE Identification", Document(IdKind::NationalId)),
    (
        "CNP (Personal Numerical Code)",
        Document(IdKind::NationalId),
    ),
    ("Bosnian Personal ID No.", Document(IdKind::NationalId)),
    ("Moroccan Personal ID No.", Document(IdKind::NationalId)),
    ("Residency Number", Document(IdKind::NationalId)),
    // --- tax numbers
    ("Tax ID No.", Document(IdKind::TaxId)),
    ("R.F.C.", Document(IdKind::TaxId)),
    ("R.F.C. #", Document(IdKind::TaxId)),
    ("RFC", Document(IdKind::TaxId)),
    ("NIT #", Document(IdKind::TaxId)),
    ("RUC #", Document(IdKind::TaxId)),
    ("RIF #", Document(IdKind::TaxId)),
    ("RTN", Document(IdKind::TaxId)),
    ("V.A.T. Number", Document(IdKind::TaxId)),
    ("C.U.I.T.", Document(IdKind::TaxId)),
    ("C.I.F.", Document(IdKind::TaxId)),
    ("N.I.F.", Document(IdKind::TaxId)),
    ("RSIN", Document(IdKind::TaxId)),
    ("US FEIN", Document(IdKind::TaxId)),
    ("Italian Fiscal Code", Document(IdKind::TaxId)),
    ("Fiscal Code", Document(IdKind::TaxId)),
    ("Romanian Tax Registration", Document(IdKind::TaxId)),
    (
        "Paraguayan tax identification number",
        Document(IdKind::TaxId),
    ),
    (
        "Numero Unico de Identificacao Tributaria (NUIT)",
        Document(IdKind::TaxId),
    ),
    // --- company and registry numbers
    ("Registration Number", Document(IdKind::Registration)),
    ("Registration ID", Document(IdKind::Registration)),
    (
        "Business Registration Number",
        Document(IdKind::Registration),
    ),
    (
        "Business Registration Document #",
        Document(IdKind::Registration),
    ),
    ("Business Number", Document(IdKind::Registration)),
    ("Company Number", Document(IdKind::Registration)),
    ("UK Company Number", Document(IdKind::Registration)),
    ("Commercial Registry Number", Document(IdKind::Registration)),
    ("Folio Mercantil No.", Document(IdKind::Registration)),
    ("Matricula Mercantil No", Document(IdKind::Registration)),
    ("Government Gazette Number", Document(IdKind::Registration)),
    (
        "Unified Social Credit Code (USCC)",
        Document(IdKind::Registration),
    ),
    (
        "United Social Credit Code Certificate (USCCC)",
        Document(IdKind::Registration),
    ),
    ("Trade License No.", Document(IdKind::Registration)),
    ("C.R. No.", Document(IdKind::Registration)),
    ("Romanian C.R.", Document(IdKind::Registration)),
    ("Chamber of Commerce Number", Document(IdKind::Registration)),
    (
        "Istanbul Chamber of Comm. No.",
        Document(IdKind::Registration),
    ),
    (
        "Dubai Chamber of Commerce Membership No.",
        Document(IdKind::Registration),
    ),
    (
        "Economic Register Number (CBLS)",
        Document(IdKind::Registration),
    ),
    ("Public Registration Number", Document(IdKind::Registration)),
    (
        "Central Registration System Number",
        Document(IdKind::Registration),
    ),
    ("Enterprise Number", Document(IdKind::Registration)),
    ("Branch Unit Number", Document(IdKind::Registration)),
    (
        "Certificate of Incorporation Number",
        Document(IdKind::Registration),
    ),
    (
        "Registration Certificate Number (Dubai)",
        Document(IdKind::Registration),
    ),
    (
        "Russian State Individual Business Registration Number Pattern (OGRNIP)",
        Document(IdKind::Registration),
    ),
    ("MSB Registration Number", Document(IdKind::Registration)),
    ("Registered Charity No.", Document(IdKind::Registration)),
    ("D-U-N-S Number", Document(IdKind::Registration)),
    ("Organization Code", Document(IdKind::Registration)),
    ("C.I.N.", Document(IdKind::Registration)),
    ("License", Document(IdKind::Registration)),
    ("Tourism License No.", Document(IdKind::Registration)),
    (
        "Afghan Money Service Provider License Number",
        Document(IdKind::Registration),
    ),
    (
        "Vessel Registration Identification",
        Document(IdKind::Registration),
    ),
    ("Legal Entity Number", Document(IdKind::Lei)),
    // --- other documents and numbers (kind Other, OFAC's label kept)
    ("Driver's License No.", Document(IdKind::Other)),
    ("Birth Certificate Number", Document(IdKind::Other)),
    (
        "Cartilla de Servicio Militar Nacional",
        Document(IdKind::Other),
    ),
    ("Military Registration Number", Document(IdKind::Other)),
    (
        "Public Security and Immigration No.",
        Document(IdKind::Other),
    ),
    ("Immigration No.", Document(IdKind::Other)),
    ("VisaNumberID", Document(IdKind::Other)),
    ("Permit Number", Document(IdKind::Other)),
    ("SRE Permit No.", Document(IdKind::Other)),
    ("Pilot License Number", Document(IdKind::Other)),
    (
        "Seafarer's Identification Document",
        Document(IdKind::Other),
    ),
    ("Chinese Commercial Code", Document(IdKind::Other)),
    ("Serial No.", Document(IdKind::Other)),
    ("File Number", Document(IdKind::Other)),
    ("Trademark number", Document(IdKind::Other)),
    ("Tarjeta Profesional", Document(IdKind::Other)),
    ("ISIN", Document(IdKind::Other)),
    ("Identification Number ISIN", Document(IdKind::Other)),
    ("Equity Ticker", Document(IdKind::Other)),
    ("BIK (RU)", Document(IdKind::Other)),
    ("UN/LOCODE", Document(IdKind::Other)),
    // --- banks, vessels, aircraft
    ("SWIFT/BIC", Document(IdKind::Swift)),
    ("MMSI", Document(IdKind::Mmsi)),
    ("Other Vessel Call Sign", Document(IdKind::CallSign)),
    ("Vessel Registration Identification IMO", Imo),
    ("Identification Number IMO", Imo),
    ("Company Number IMO", Imo),
    ("International Maritime Organization No.", Imo),
    (
        "Aircraft Manufacturer's Serial Number (MSN)",
        Document(IdKind::AircraftId),
    ),
    (
        "Aircraft Construction Number (also called L/N or S/N or F/N)",
        Document(IdKind::AircraftId),
    ),
    ("Aircraft Tail Number", Document(IdKind::AircraftId)),
    (
        "Previous Aircraft Tail Number",
        Document(IdKind::AircraftId),
    ),
    (
        "Aircraft Serial Identification",
        Document(IdKind::AircraftId),
    ),
    (
        "Aircraft Mode S Transponder Code",
        Document(IdKind::AircraftId),
    ),
    ("Digital Currency Address -", DigitalCurrency),
    // --- contact details
    ("Website", Contact(IdKind::Website)),
    ("Email Address", Contact(IdKind::Email)),
    ("Email", Contact(IdKind::Email)),
    ("Phone", Contact(IdKind::Phone)),
    ("Phone Number", Contact(IdKind::Phone)),
    ("Phone No.", Contact(IdKind::Phone)),
    ("Telephone", Contact(IdKind::Phone)),
    ("Telephone No.", Contact(IdKind::Phone)),
    ("Telephone Number", Contact(IdKind::Phone)),
    ("Fax", Contact(IdKind::Phone)),
    ("Fax No.", Contact(IdKind::Phone)),
    // --- facts without a model field (→ extra)
    ("Organization Established Date", Extra),
    ("Organization Type", ExtraKeyed),
    ("Target Type", Extra),
    ("Issuer Name", Extra),
    ("ethnicity", Extra),
    ("Tribe", Extra),
    ("Subtribe", Extra),
    ("Aircraft Model", Extra),
    ("Aircraft Operator", Extra),
    ("Aircraft Manufacture Date", Extra),
    ("Vessel Year of Build", Extra),
    ("Former Vessel Flag", Extra),
    ("Other Vessel Flag", Extra),
    ("Other Vessel Type", Extra),
    ("Listing Date (CMIC)", Extra),
    ("Effective Date (CMIC)", Extra),
    ("Purchase/Sales For Divestment Date (CMIC)", Extra),
    ("Additional Sanctions Information", ExtraKeyed),
    ("Secondary sanctions risk", ExtraKeyed),
    (
        "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions",
        ExtraKeyed,
    ),
    ("Executive Order", ExtraKeyed),
    ("CAATSA Section", ExtraKeyed),
    ("IFCA Determination", ExtraKeyed),
    ("Listing Date", ExtraKeyed),
    ("Effective Date", ExtraKeyed),
];

/// One fact taken from a remarks item.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Fact {
    BirthDate(DateValue),
    BirthPlace(String),
    Nationality(&'static str),
    Citizenship(&'static str),
    Country(&'static str),
    Gender(Gender),
    Name(String, NameKind),
    LinkedTo(String),
    Identifier(Identifier),
    Extra(String, String),
}

/// Splits a remarks field into trimmed items at `;`, keeping a quoted name (`a.k.a. 'A; B'`)
/// whole, and dropping the full stop OFAC puts after the last item. Empty items are skipped.
pub(super) fn split(text: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut start = 0;
    while start <= text.len() {
        let rest = &text[start..];
        let end = match quoted_name_end(rest) {
            Some(close) => rest[close..].find(';').map(|i| close + i),
            None => rest.find(';'),
        };
        let (item, next) = match end {
            Some(i) => (&rest[..i], start + i + 1),
            None => (rest, text.len() + 1),
        };
        let item = item.trim();
        if !item.is_empty() {
            items.push(item);
        }
        start = next;
    }
    if let Some(last) = items.last_mut() {
        *last = last.strip_suffix('.').unwrap_or(last).trim_end();
        if last.is_empty() {
            items.pop();
        }
    }
    items
}

/// For an item starting with a name marker and a quote (`a.k.a. 'X'`), the byte offset just
/// after the closing quote: the first `'` followed (after spaces and an optional full stop) by
/// `;` or the end of the field. `None` for other items and for an unclosed quote.
fn quoted_name_end(rest: &str) -> Option<usize> {
    let t = rest.trim_start();
    let lead = rest.len() - t.len();
    let marker = ["a.k.a.", "f.k.a.", "n.k.a.", "d.b.a."]
        .into_iter()
        .find(|m| t.get(..m.len()).is_some_and(|p| p.eq_ignore_ascii_case(m)))?;
    let after = t[marker.len()..].trim_start();
    let open = lead + (t.len() - after.len());
    if !after.starts_with('\'') {
        return None;
    }
    let body = open + 1;
    rest[body..]
        .match_indices('\'')
        .map(|(i, _)| body + i + 1)
        .find(|&close| {
            let tail = rest[close..].trim_start();
            let tail = tail.strip_prefix('.').unwrap_or(tail).trim_start();
            tail.is_empty() || tail.starts_with(';')
        })
}

/// Index of [`KEYS`] by the lower-cased first byte of the label, longest label first.
fn index() -> &'static [Vec<(String, usize)>; 128] {
    static INDEX: OnceLock<[Vec<(String, usize)>; 128]> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut idx: [Vec<(String, usize)>; 128] = std::array::from_fn(|_| Vec::new());
        for (i, (label, _)) in KEYS.iter().enumerate() {
            let lower = label.to_ascii_lowercase();
            if let Some(&b) = lower.as_bytes().first() {
                idx[usize::from(b & 0x7f)].push((lower, i));
            }
        }
        for bucket in idx.iter_mut() {
            bucket.sort_by_key(|entry| std::cmp::Reverse(entry.0.len()));
        }
        idx
    })
}

/// The longest key the item starts with (followed by a space, a colon or the end), with the
/// rest of the item after it.
pub(super) fn match_key(item: &str) -> Option<(&'static str, Field, &str)> {
    let first = item.as_bytes().first()?.to_ascii_lowercase();
    let bucket = index().get(usize::from(first))?;
    bucket.iter().find_map(|(lower, i)| {
        let head = item.get(..lower.len())?;
        if !head.eq_ignore_ascii_case(lower) {
            return None;
        }
        let rest = &item[lower.len()..];
        let ends_word = !lower.ends_with(|c: char| c.is_ascii_alphanumeric());
        let boundary = rest.is_empty() || ends_word || rest.starts_with([' ', ':', '\t']);
        let (label, field) = KEYS.get(*i)?;
        boundary.then_some((*label, *field, rest))
    })
}

/// Maps one remarks item to a fact; `None` when no key matches or the value does not parse
/// (the caller then keeps the item in `remarks`).
pub(super) fn parse_item(item: &str) -> Option<Fact> {
    let item = item.trim();
    let item = strip_alt(item);
    let (label, field, rest) = match_key(item)?;
    let value = rest.trim_start_matches([' ', ':', '\t']).trim();
    match field {
        Field::BirthDate => DateValue::parse_loose(value).map(Fact::BirthDate),
        Field::BirthPlace => non_empty(value).map(|v| Fact::BirthPlace(v.to_string())),
        Field::Nationality => country_code(value).map(Fact::Nationality),
        Field::Citizenship => country_code(value).map(Fact::Citizenship),
        Field::Country => country_code(value).map(Fact::Country),
        Field::Gender => Gender::parse_loose(value).map(Fact::Gender),
        Field::Name(kind) => name_value(value).map(|v| Fact::Name(v.to_string(), kind)),
        Field::LinkedTo => non_empty(value).map(|v| Fact::LinkedTo(v.to_string())),
        Field::Document(kind) => document(kind, label, value).map(Fact::Identifier),
        Field::Contact(kind) => contact(kind, label, value).map(Fact::Identifier),
        Field::Imo => imo(label, value).map(Fact::Identifier),
        Field::DigitalCurrency => digital_currency(label, value).map(Fact::Identifier),
        Field::Extra => extra_value(value).map(|v| Fact::Extra(label.to_string(), v.to_string())),
        Field::ExtraKeyed => keyed_extra(item, label),
    }
}

/// The ISO code for a country as OFAC spells it (the model's table, plus OFAC spellings it
/// lacks).
pub(super) fn country_code(name: &str) -> Option<&'static str> {
    country::code(name).or_else(|| match name.trim().to_ascii_lowercase().as_str() {
        "cote d ivoire" => Some("ci"),
        "crimea" => Some("ua"),
        "man, isle of" => Some("im"),
        "north macedonia, the republic of" => Some("mk"),
        "st. kitts & nevis" => Some("kn"),
        _ => None,
    })
}

/// Drops a leading `alt.` ("another value of the same key").
fn strip_alt(item: &str) -> &str {
    match item.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("alt. ") => item[5..].trim_start(),
        _ => item,
    }
}

fn non_empty(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// The name inside `'…'` (the quotes are syntax; anything inside is kept as published).
fn name_value(value: &str) -> Option<&str> {
    let v = value.trim();
    let inner = match v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(inner) => inner,
        None => v,
    };
    non_empty(inner)
}

fn extra_value(value: &str) -> Option<&str> {
    non_empty(value.trim_start_matches(['-', ':', ' ']))
}

/// `Executive Order 13846 information: BLOCKING …` → key `Executive Order 13846 information`.
fn keyed_extra(item: &str, label: &str) -> Option<Fact> {
    let cut = [": ", " - "]
        .iter()
        .filter_map(|sep| item.find(sep).map(|i| (i, sep.len())))
        .min();
    let (key, value) = match cut {
        Some((i, n)) if i >= label.len() => (&item[..i], &item[i + n..]),
        _ => (label, item.get(label.len()..).unwrap_or("")),
    };
    let value = extra_value(value)?;
    Some(Fact::Extra(key.trim().to_string(), value.to_string()))
}

fn identifier(kind: IdKind, label: &str, value: &str) -> Identifier {
    let mut id = Identifier::new(kind, value);
    id.label = Some(label.to_string());
    id
}

/// `VALUE (Country) issued DATE expires DATE`: the value, the issuing country's code, and the
/// rest as a note. Parentheses that name no country also go to the note.
fn document(kind: IdKind, label: &str, value: &str) -> Option<Identifier> {
    let (mut value, note) = split_note(value);
    let mut country = None;
    let mut notes: Vec<&str> = Vec::new();
    for _ in 0..3 {
        let Some((before, inner)) = trailing_paren(value) else {
            break;
        };
        match country_code(inner) {
            Some(code) if country.is_none() => country = Some(code),
            _ => notes.insert(0, inner),
        }
        value = before;
    }
    let value = non_empty(value.trim_end_matches([',', ' ']))?;
    notes.extend(note);
    let mut id = identifier(kind, label, value);
    id.country = country.map(str::to_string);
    if !notes.is_empty() {
        id.note = Some(notes.join("; "));
    }
    Some(id)
}

/// Splits off an `issued …` / `expires …` qualification.
fn split_note(value: &str) -> (&str, Option<&str>) {
    let at = value.match_indices(' ').map(|(i, _)| i).find(|&i| {
        let word = &value.as_bytes()[i + 1..];
        ["issued", "expire"].iter().any(|w| {
            word.get(..w.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(w.as_bytes()))
        })
    });
    match at {
        Some(i) if i > 0 => {
            let (before, note) = value.split_at(i);
            (
                before.trim().trim_end_matches(',').trim_end(),
                non_empty(note),
            )
        }
        _ => (value.trim(), None),
    }
}

/// `"123 (Iran)"` → `("123", "Iran")` when the parentheses close the text and something comes
/// before them.
fn trailing_paren(value: &str) -> Option<(&str, &str)> {
    let v = value.trim_end();
    let body = v.strip_suffix(')')?;
    let open = body.rfind('(')?;
    let before = body[..open].trim_end();
    (!before.is_empty()).then(|| (before, body[open + 1..].trim()))
}

fn contact(kind: IdKind, label: &str, value: &str) -> Option<Identifier> {
    non_empty(value).map(|v| identifier(kind, label, v))
}

/// The seven-digit IMO number, wherever it sits in the value (`IMO 9223758`, `(5777731)`).
fn imo(label: &str, value: &str) -> Option<Identifier> {
    let digits = value
        .split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 7)
        .map(str::to_string);
    let v = match digits {
        Some(d) => d,
        None => non_empty(value.trim_start_matches("IMO").trim())?.to_string(),
    };
    Some(identifier(IdKind::Imo, label, &v))
}

/// `XBT 1Abc…` after `Digital Currency Address -`: label `Digital Currency Address - XBT`.
fn digital_currency(label: &str, value: &str) -> Option<Identifier> {
    let (currency, address) = value.trim().split_once(' ')?;
    let address = non_empty(address)?;
    Some(identifier(
        IdKind::DigitalCurrency,
        &format!("{label} {currency}"),
        address,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(item: &str) -> Identifier {
        match parse_item(item) {
            Some(Fact::Identifier(id)) => id,
            other => panic!("{item:?} gave {other:?}"),
        }
    }

    #[test]
    fn split_respects_quotes_and_final_full_stop() {
        assert_eq!(
            split("DOB 08 Jan 1984; a.k.a. 'A; B'; a.k.a. 'C'."),
            vec!["DOB 08 Jan 1984", "a.k.a. 'A; B'", "a.k.a. 'C'"]
        );
        // apostrophes inside a name do not close it
        assert_eq!(
            split("a.k.a. 'AL-QA'IDA'; Linked To: X."),
            vec!["a.k.a. 'AL-QA'IDA'", "Linked To: X"]
        );
        // an unclosed quote (a remarks field cut at 1000 characters) falls back to ';'
        assert_eq!(
            split("a.k.a. 'snowsjo; DOB 1960"),
            vec!["a.k.a. 'snowsjo", "DOB 1960"]
        );
        assert_eq!(split(" ; ;. "), Vec::<&str>::new());
        assert_eq!(split(""), Vec::<&str>::new());
    }

    #[test]
    fn dates_places_countries_gender() {
        let d = |s: &str| match parse_item(s) {
            Some(Fact::BirthDate(d)) => d.to_string(),
            other => panic!("{s:?} gave {other:?}"),
        };
        assert_eq!(d("DOB 08 Jan 1984"), "1984-01-08");
        assert_eq!(d("alt. DOB 1985"), "1985");
        assert_eq!(d("DOB circa 1960"), "~1960");
        assert_eq!(d("DOB 1950 to 1951"), "1950..1951");
        assert_eq!(d("DOB Jan 1961"), "1961-01");
        assert!(parse_item("DOB sometime").is_none());
        assert_eq!(
            parse_item("POB Pyongyang, North Korea"),
            Some(Fact::BirthPlace("Pyongyang, North Korea".into()))
        );
        assert_eq!(
            parse_item("nationality Korea, North"),
            Some(Fact::Nationality("kp"))
        );
        assert_eq!(
            parse_item("alt. citizen Iran"),
            Some(Fact::Citizenship("ir"))
        );
        assert_eq!(
            parse_item("Nationality of Registration Panama"),
            Some(Fact::Country("pa"))
        );
        assert_eq!(parse_item("nationality Atlantis"), None);
        assert_eq!(parse_item("Gender Male"), Some(Fact::Gender(Gender::Male)));
    }

    #[test]
    fn names_and_links() {
        assert_eq!(
            parse_item("a.k.a. 'BNC'"),
            Some(Fact::Name("BNC".into(), NameKind::WeakAlias))
        );
        assert_eq!(
            parse_item("f.k.a. 'ANA I'"),
            Some(Fact::Name("ANA I".into(), NameKind::Former))
        );
        assert_eq!(
            parse_item("n.k.a. 'NEW CO'"),
            Some(Fact::Name("NEW CO".into(), NameKind::New))
        );
        assert_eq!(
            parse_item("a.k.a. ''FOOPIE''"),
            Some(Fact::Name("'FOOPIE'".into(), NameKind::WeakAlias))
        );
        assert_eq!(parse_item("a.k.a. ''"), None);
        assert_eq!(
            parse_item("Linked To: LAZARUS GROUP"),
            Some(Fact::LinkedTo("LAZARUS GROUP".into()))
        );
    }

    #[test]
    fn identifiers_with_country_and_notes() {
        let p = id("Passport V54707341 (Iran) expires 01 Oct 2026");
        assert_eq!(
            (p.kind, p.value.as_str(), p.country.as_deref()),
            (IdKind::Passport, "V54707341", Some("ir"))
        );
        assert_eq!(p.note.as_deref(), Some("expires 01 Oct 2026"));
        assert_eq!(p.label.as_deref(), Some("Passport"));
        let p = id("alt. Diplomatic Passport 008827 (Iran) issued 1999");
        assert_eq!(
            (p.value.as_str(), p.label.as_deref()),
            ("008827", Some("Diplomatic Passport"))
        );
        let n = id("National ID No. 660000 73767 (Belgium)");
        assert_eq!(
            (n.kind, n.value.as_str(), n.country.as_deref()),
            (IdKind::NationalId, "660000 73767", Some("be"))
        );
        let r = id("Registration Number HRA 738077 (Stuttgart) (Germany)");
        assert_eq!(
            (r.value.as_str(), r.country.as_deref(), r.note.as_deref()),
            ("HRA 738077", Some("de"), Some("Stuttgart"))
        );
        assert_eq!(id("Tax ID No. AABA 670850 Y").value, "AABA 670850 Y");
        assert_eq!(id("R.F.C. DIB-771110-HQ1 (Mexico)").kind, IdKind::TaxId);
        assert_eq!(id("SWIFT/BIC HAVIGB2L").kind, IdKind::Swift);
        assert_eq!(id("MMSI 572469210").kind, IdKind::Mmsi);
        let imo = id("Vessel Registration Identification IMO 9223758");
        assert_eq!((imo.kind, imo.value.as_str()), (IdKind::Imo, "9223758"));
        assert_eq!(
            id("International Maritime Organization No. (5777731)").value,
            "5777731"
        );
        let x = id("Digital Currency Address - XBT 1Abc9");
        assert_eq!(
            (x.kind, x.value.as_str()),
            (IdKind::DigitalCurrency, "1Abc9")
        );
        assert_eq!(x.label.as_deref(), Some("Digital Currency Address - XBT"));
        let t = id("Telephone (98)(21)(66153220)");
        assert_eq!(
            (t.kind, t.value.as_str()),
            (IdKind::Phone, "(98)(21)(66153220)")
        );
        assert_eq!(
            id("Email:adelb@shabakah.net.sa").value,
            "adelb@shabakah.net.sa"
        );
        assert_eq!(id("Website www.x.com").kind, IdKind::Website);
        assert_eq!(id("Aircraft Tail Number EP-MMH").kind, IdKind::AircraftId);
        assert!(parse_item("Passport").is_none());
    }

    #[test]
    fn longest_key_wins_and_words_must_end() {
        assert_eq!(id("Company Number IMO 5055293").kind, IdKind::Imo);
        assert_eq!(
            id("Company Number 01074897 (United Kingdom)").kind,
            IdKind::Registration
        );
        // "Passporting" is not the key "Passport"; "Licensed" is not "License"
        assert!(parse_item("Passporting services").is_none());
        assert!(parse_item("Licensed dealer").is_none());
    }

    #[test]
    fn extras_keep_their_keys() {
        let e = |s: &str| match parse_item(s) {
            Some(Fact::Extra(k, v)) => (k, v),
            other => panic!("{s:?} gave {other:?}"),
        };
        assert_eq!(
            e("Additional Sanctions Information - Subject to Secondary Sanctions"),
            (
                "Additional Sanctions Information".into(),
                "Subject to Secondary Sanctions".into()
            )
        );
        assert_eq!(
            e("Executive Order 13846 information: BLOCKING PROPERTY"),
            (
                "Executive Order 13846 information".into(),
                "BLOCKING PROPERTY".into()
            )
        );
        assert_eq!(
            e("Listing Date (EO 14024 Directive 3): 24 Feb 2022"),
            (
                "Listing Date (EO 14024 Directive 3)".into(),
                "24 Feb 2022".into()
            )
        );
        assert_eq!(
            e("Organization Established Date 17 Dec 2016"),
            ("Organization Established Date".into(), "17 Dec 2016".into())
        );
        assert_eq!(
            e("Target Type Financial Institution"),
            ("Target Type".into(), "Financial Institution".into())
        );
        assert!(parse_item("Chairman of the Workers' Party of Korea").is_none());
        assert!(parse_item("").is_none());
    }
}
