//! What is screened: a [`QueryInput`] as people and systems give it (JSON lines, an API
//! request, a roster row, command-line flags, FollowTheMoney properties), and the [`Query`]
//! the matcher reads, made from it by the one conversion [`QueryInput::read`].
//!
//! The contract every entry point keeps: **a query is answered whenever it has a name or an
//! identifier.** Secondary fields are read leniently (`1969-7-16` is 1969-07-16, `1974-01-32`
//! keeps its valid precision 1974-01, a country name is mapped to its code); a value that
//! cannot be used is left out and named in [`ReadQuery::warnings`], never a reason to skip
//! the query. Only a query with no usable name and no identifier is an error
//! ([`QueryError`]).

pub mod ftm;

use crate::{country, DateValue, Schema};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the matcher screens: one or more names of one party, with whatever else is known,
/// every value already read (dates parsed, countries as ISO codes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// Names of the party as written (trimmed, without repeats, when made by
    /// [`QueryInput::read`]); the matcher normalises them.
    pub names: Vec<String>,
    /// What kind of party to look for; `None` for any kind (an input schema `LegalEntity`
    /// reads as `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Schema>,
    /// Dates of birth, weighed against the listed ones as evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_dates: Vec<DateValue>,
    /// ISO 3166-1 alpha-2 codes (any case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Identifier values of any kind (passport, IMO, BIC, registration…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<String>,
}

impl Query {
    /// A query for one name.
    pub fn name(name: impl Into<String>) -> Self {
        Query {
            names: vec![name.into()],
            ..Default::default()
        }
    }
}

/// A query as given: every value as text, nothing checked yet. JSON lines, API requests,
/// roster rows, monitored records and command-line flags all fill this one type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryInput {
    /// Names of the party (the first is its main name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// `Person`, `Organization`, `Vessel`, `Aircraft`, `LegalEntity`, a FollowTheMoney schema
    /// (`Company`, `PublicBody`, `Airplane`, `Thing`) or a publisher's word (`individual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Birth dates as typed, read by [`DateValue::read_lenient`] (`1984`, `1984-01-08`,
    /// `08 Jan 1984`, `~1960`, `1950..1951`, `7/16/1969`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_dates: Vec<String>,
    /// Country names or ISO codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Passport, IMO, BIC, registration numbers…
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<String>,
    /// FollowTheMoney properties (`name`, `birthDate`, `nationality`, `passportNumber`,
    /// `firstName` + `lastName`…), read with the schema's property table ([`ftm`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, Vec<String>>,
    /// Values that could not be taken when the input was read (a JSON object where text was
    /// expected…): they become warnings of the result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
}

/// A query ready for the matcher, and what could not be used of its input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadQuery {
    /// The query, with every value of the input that could be used.
    pub query: Query,
    /// One line per value left out or read with less precision, naming the field.
    pub warnings: Vec<String>,
}

/// Why a query cannot be screened at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No name and no identifier: nothing to screen.
    #[error("nothing to screen: the query has no name and no identifier")]
    Empty,
    /// A JSON line that is not JSON.
    #[error("not JSON: {0}")]
    Json(String),
    /// A JSON line that is not an object.
    #[error(
        "not a JSON object: a query is an object such as {{\"id\": \"q1\", \"name\": \"...\"}}"
    )]
    NotObject,
}

impl QueryError {
    /// A stable code for machines (`no_name`, `invalid_json`, `not_an_object`).
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::Empty => "no_name",
            QueryError::Json(_) => "invalid_json",
            QueryError::NotObject => "not_an_object",
        }
    }
}

/// The JSON fields a query line may use for each part of a query (`id` is the caller's).
pub const NAME_FIELDS: &[&str] = &["name", "names", "alias", "aliases"];
/// Birth-date fields.
pub const BIRTH_DATE_FIELDS: &[&str] = &["birth_date", "birth_dates", "dob"];
/// Country fields.
pub const COUNTRY_FIELDS: &[&str] = &["country", "countries", "nationality", "citizenship"];
/// Identifier fields.
pub const IDENTIFIER_FIELDS: &[&str] = &["identifier", "identifiers"];

fn clip(s: &str) -> String {
    let mut t: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        t.push('…');
    }
    t
}

/// The text values of a JSON value: a string, a number, or a list of those; anything else is
/// named in `unread`.
fn texts(field: &str, v: &serde_json::Value, unread: &mut Vec<String>) -> Vec<String> {
    use serde_json::Value as J;
    let mut out = Vec::new();
    let mut one = |x: &J, out: &mut Vec<String>| match x {
        J::Null => {}
        J::String(s) => out.push(s.clone()),
        J::Number(n) => out.push(n.to_string()),
        other => unread.push(format!(
            "{field}: {} is not text; ignored",
            clip(&other.to_string())
        )),
    };
    match v {
        J::Array(items) => items.iter().for_each(|x| one(x, &mut out)),
        x => one(x, &mut out),
    }
    out
}

impl QueryInput {
    /// A query of one name.
    pub fn name(name: impl Into<String>) -> Self {
        QueryInput {
            names: vec![name.into()],
            ..Default::default()
        }
    }

    /// Reads a JSON object leniently: the fields of [`NAME_FIELDS`], `schema`,
    /// [`BIRTH_DATE_FIELDS`], [`COUNTRY_FIELDS`], [`IDENTIFIER_FIELDS`] and FollowTheMoney
    /// `properties`, each a string, a number or a list of those. Other fields are ignored
    /// (callers keep `id` and their own fields); a value of the wrong type is named in
    /// `unread`.
    pub fn from_json(map: &serde_json::Map<String, serde_json::Value>) -> QueryInput {
        let mut q = QueryInput::default();
        let mut unread = Vec::new();
        for (k, v) in map {
            let k = k.as_str();
            if NAME_FIELDS.contains(&k) {
                q.names.extend(texts(k, v, &mut unread));
            } else if k == "schema" {
                q.schema = texts(k, v, &mut unread).into_iter().next();
            } else if BIRTH_DATE_FIELDS.contains(&k) {
                q.birth_dates.extend(texts(k, v, &mut unread));
            } else if COUNTRY_FIELDS.contains(&k) {
                q.countries.extend(texts(k, v, &mut unread));
            } else if IDENTIFIER_FIELDS.contains(&k) {
                q.identifiers.extend(texts(k, v, &mut unread));
            } else if k == "properties" {
                match v {
                    serde_json::Value::Object(props) => {
                        for (p, pv) in props {
                            let vals = texts(&format!("properties.{p}"), pv, &mut unread);
                            q.properties.entry(p.clone()).or_default().extend(vals);
                        }
                    }
                    serde_json::Value::Null => {}
                    _ => unread.push(
                        "properties: not an object of FollowTheMoney properties; ignored".into(),
                    ),
                }
            }
        }
        q.unread = unread;
        q
    }

    /// Reads one JSON line: its `id` (any JSON value, `None` when absent) and the query.
    /// A line that is not JSON or not an object is an error; the caller answers it with its
    /// line number.
    pub fn from_json_line(
        line: &str,
    ) -> (Option<serde_json::Value>, Result<QueryInput, QueryError>) {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(map)) => {
                let id = map.get("id").filter(|v| !v.is_null()).cloned();
                (id, Ok(QueryInput::from_json(&map)))
            }
            Ok(_) => (None, Err(QueryError::NotObject)),
            Err(e) => (None, Err(QueryError::Json(e.to_string()))),
        }
    }

    /// The one conversion into the matcher's [`Query`]: every value that can be read is
    /// used, every value that cannot is named in the warnings. Fails only when no name and
    /// no identifier is left.
    pub fn read(&self) -> Result<ReadQuery, QueryError> {
        let mut q = Query::default();
        let mut warnings = self.unread.clone();
        let mut schema_name = "Thing";
        if let Some(s) = self
            .schema
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match ftm::schema(s) {
                Some(sc) => {
                    q.schema = sc;
                    schema_name = ftm::canonical_schema(s).unwrap_or("Thing");
                }
                None => match s.parse::<Schema>() {
                    Ok(sc) => {
                        q.schema = (sc != Schema::LegalEntity).then_some(sc);
                        schema_name = match sc {
                            Schema::Person => "Person",
                            Schema::Organization => "Organization",
                            Schema::Vessel => "Vessel",
                            Schema::Aircraft => "Airplane",
                            Schema::LegalEntity => "LegalEntity",
                        };
                    }
                    Err(_) => warnings.push(format!(
                        "schema: {:?} is not a schema ({}); screened against every kind of party",
                        clip(s),
                        ftm::schema_names().join(", ")
                    )),
                },
            }
        }
        let mut names: Vec<String> = self.names.clone();
        let mut dates: Vec<(String, String)> = self
            .birth_dates
            .iter()
            .map(|d| ("birth_date".to_string(), d.clone()))
            .collect();
        let mut countries: Vec<(String, String)> = self
            .countries
            .iter()
            .map(|c| ("country".to_string(), c.clone()))
            .collect();
        let mut identifiers = self.identifiers.clone();
        let mut parts: Vec<(u8, String)> = Vec::new();
        for (prop, vals) in &self.properties {
            match ftm::property(schema_name, prop) {
                Ok(usage) => {
                    for v in vals {
                        match usage {
                            ftm::Use::Name => names.push(v.clone()),
                            ftm::Use::NamePart(o) => parts.push((o, v.clone())),
                            ftm::Use::BirthDate => dates.push((prop.clone(), v.clone())),
                            ftm::Use::Country => countries.push((prop.clone(), v.clone())),
                            ftm::Use::Identifier => identifiers.push(v.clone()),
                            ftm::Use::Ignored => {}
                        }
                    }
                }
                Err(why) => warnings.push(format!(
                    "properties.{}: {why}; ignored (known: {})",
                    clip(prop),
                    ftm::properties_of(schema_name).join(", ")
                )),
            }
        }
        if !parts.is_empty() {
            parts.sort_by_key(|(o, _)| *o);
            let joined = parts
                .iter()
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if !joined.is_empty() && !names.iter().any(|n| n.trim().eq_ignore_ascii_case(&joined)) {
                names.push(joined);
            }
        }
        for n in names {
            let n = n.trim();
            if !n.is_empty() && !q.names.iter().any(|x| x == n) {
                q.names.push(n.to_string());
            }
        }
        for (field, d) in dates {
            if d.trim().is_empty() {
                warnings.push(format!("{field}: empty; ignored"));
                continue;
            }
            match DateValue::read_lenient(&d) {
                Ok(read) => {
                    if let Some(note) = read.note {
                        warnings.push(format!("{field}: {:?}: {note}", clip(&d)));
                    }
                    if !q.birth_dates.contains(&read.value) {
                        q.birth_dates.push(read.value);
                    }
                }
                Err(why) => warnings.push(format!("{field}: {:?} is {why}; ignored", clip(&d))),
            }
        }
        for (field, c) in countries {
            if c.trim().is_empty() {
                continue;
            }
            match country::code(&c) {
                Some(code) => {
                    if !q.countries.iter().any(|x| x == code) {
                        q.countries.push(code.to_string());
                    }
                }
                None => warnings.push(format!(
                    "{field}: {:?} is no country watchlist knows (a name or an ISO 3166 code); ignored",
                    clip(&c)
                )),
            }
        }
        for i in identifiers {
            let i = i.trim();
            if !i.is_empty() && !q.identifiers.iter().any(|x| x == i) {
                q.identifiers.push(i.to_string());
            }
        }
        if q.names.is_empty() && q.identifiers.is_empty() {
            return Err(QueryError::Empty);
        }
        Ok(ReadQuery { query: q, warnings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<ReadQuery, QueryError> {
        QueryInput::from_json(v.as_object().unwrap()).read()
    }

    #[test]
    fn untidy_secondary_fields_become_warnings_and_the_name_is_kept() {
        for (field, value) in [
            ("birth_date", json!("1969-7-16")),
            ("birth_date", json!("1974-01-32")),
            ("birth_date", json!("")),
            ("birth_date", json!({"y": 1})),
            ("country", json!("zz")),
            ("schema", json!("Persn")),
        ] {
            let r = read(json!({"name": "Kim Jong Un", field: value})).unwrap();
            assert_eq!(r.query.names, ["Kim Jong Un"], "{field} {value}");
            assert!(
                r.warnings[0].starts_with(field),
                "{field} {value}: {:?}",
                r.warnings
            );
        }
        let r = read(
            json!({"name": "x", "birth_date": "1974-01-32", "countries": ["North Korea", "KP"]}),
        )
        .unwrap();
        assert_eq!(r.query.birth_dates[0].to_string(), "1974-01");
        assert_eq!(r.query.countries, ["kp"]);
    }

    #[test]
    fn ftm_properties_map_onto_the_same_query() {
        let r = read(json!({"schema": "Person", "properties": {
            "firstName": ["Jong Un"], "lastName": "Kim", "birthDate": ["1984-01-08"],
            "nationality": ["kp"], "passportNumber": [12345], "gender": ["male"], "colour": ["red"]}}))
        .unwrap();
        assert_eq!(r.query.names, ["Jong Un Kim"]);
        assert_eq!(r.query.schema, Some(Schema::Person));
        assert_eq!(r.query.identifiers, ["12345"]);
        assert_eq!(r.query.countries, ["kp"]);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("colour"));
    }

    #[test]
    fn only_a_query_without_name_or_identifier_fails() {
        assert_eq!(
            read(json!({"name": "  ", "birth_date": "1980"})),
            Err(QueryError::Empty)
        );
        let r = read(json!({"identifiers": "IMO 9191888"})).unwrap();
        assert_eq!(r.query.identifiers, ["IMO 9191888"]);
        let (id, q) = QueryInput::from_json_line("{\"id\": 7, \"name\": \"A\"}");
        assert_eq!(id, Some(json!(7)));
        assert!(q.is_ok());
        assert_eq!(
            QueryInput::from_json_line("[1]").1,
            Err(QueryError::NotObject)
        );
        assert_eq!(
            QueryInput::from_json_line("{").1.unwrap_err().code(),
            "invalid_json"
        );
    }
}
