//! Query entities as clients send them, in FollowTheMoney's "entity example" shape (the shape
//! yente's `/match` takes), read into the matcher's [`Query`].
//!
//! ```json
//! {"schema": "Person", "properties": {"name": ["Kim Jong Un"], "birthDate": ["1984-01-08"], "nationality": ["kp"]}}
//! ```
//!
//! Each property is one of FollowTheMoney's for the schema (or its parents). What the matcher
//! uses: names (`name`, `alias`, `weakAlias`, `previousName`, and `firstName` … `lastName`
//! joined into one more name), `birthDate`, country properties (`country`, `nationality`,
//! `citizenship`, `jurisdiction`, `birthCountry`, `mainCountry`, `flag`), and identifier
//! properties (`idNumber`, `passportNumber`, `registrationNumber`, `taxNumber`, `imoNumber`,
//! `mmsi`, `swiftBic`, `leiCode`, `innCode`, `ogrnCode`, …). Other FollowTheMoney properties
//! (`address`, `gender`, `position`, `notes`, …) are accepted and not scored. An unknown
//! schema or a property the schema does not have is an error; a value that cannot be read
//! (a date that is no date, a country no table knows) is skipped with a warning.

use crate::errors::{ApiError, TOO_MANY};
use matcher::Query;
use model::{DateValue, Schema};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use utoipa::ToSchema;

/// Most queries one batch request may carry whatever the configured limit (parsing stops here).
pub const BATCH_CEILING: usize = 10_000;
/// Most names one query may carry (all properties that give names together).
pub const MAX_NAMES: usize = 32;
/// Most values of one property.
pub const MAX_VALUES: usize = 64;
/// Longest accepted value, in characters.
pub const MAX_VALUE_CHARS: usize = 2_000;

/// A query entity: a schema and FollowTheMoney properties.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[schema(example = json!({"schema": "Person", "properties": {"name": ["Kim Jong Un"], "birthDate": ["1984-01-08"], "nationality": ["kp"]}}))]
pub struct EntityExample {
    /// Optional client-side id, echoed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// FollowTheMoney schema: `Person`, `Organization`, `Company`, `PublicBody`, `LegalEntity`,
    /// `Vessel`, `Airplane` (or `Aircraft`), or `Thing` (any).
    #[schema(example = "Person")]
    pub schema: String,
    /// FollowTheMoney properties, each a string or a list of strings (numbers are read as text).
    #[serde(default)]
    #[schema(value_type = Object, example = json!({"name": ["Kim Jong Un"]}))]
    pub properties: BTreeMap<String, serde_json::Value>,
}

/// A batch of items keyed by client ids, in request order, parsing at most [`BATCH_CEILING`].
#[derive(Debug, Clone)]
pub struct Batch<T>(pub Vec<(String, T)>);

impl<T> Default for Batch<T> {
    fn default() -> Self {
        Batch(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Batch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Batch<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of queries keyed by client ids")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Batch<T>, A::Error> {
                let mut out: Vec<(String, T)> = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    if out.len() >= BATCH_CEILING {
                        return Err(serde::de::Error::custom(format!(
                            "{TOO_MANY}a batch may hold at most {BATCH_CEILING} queries here; split it into smaller batches"
                        )));
                    }
                    let v = map.next_value::<T>()?;
                    if out.iter().any(|(e, _)| *e == k) {
                        return Err(serde::de::Error::custom(format!(
                            "query id {k:?} appears twice"
                        )));
                    }
                    out.push((k, v));
                }
                Ok(Batch(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<T: Serialize> Serialize for Batch<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<T> Batch<T> {
    /// Fails when the batch holds more than `max` items (the configured batch limit).
    pub fn check_len(&self, max: usize) -> Result<(), ApiError> {
        if self.0.len() > max {
            return Err(ApiError::bad_request(
                "too_many_queries",
                format!(
                    "the batch holds {} queries; at most {max} are allowed per request",
                    self.0.len()
                ),
            ));
        }
        if self.0.is_empty() {
            return Err(ApiError::bad_request(
                "invalid_request",
                "no queries given: `queries` is empty",
            ));
        }
        Ok(())
    }
}

/// What a property means to the matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Name,
    /// A part of a person's name, in the order parts are joined.
    NamePart(u8),
    BirthDate,
    Country,
    Identifier,
    /// Accepted (it is a FollowTheMoney property of the schema) and not scored.
    Ignored,
}

/// Which schemas a property belongs to (FollowTheMoney's inheritance flattened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Thing,
    LegalEntity,
    Person,
    Organization,
    Vehicle,
    Vessel,
    Airplane,
}

/// The FollowTheMoney schemas accepted, the matcher schema each maps to, and its scopes.
const SCHEMAS: &[(&str, Option<Schema>, &[Scope])] = &[
    ("Thing", None, &[Scope::Thing]),
    (
        "LegalEntity",
        Some(Schema::LegalEntity),
        &[Scope::Thing, Scope::LegalEntity],
    ),
    (
        "Person",
        Some(Schema::Person),
        &[Scope::Thing, Scope::LegalEntity, Scope::Person],
    ),
    (
        "Organization",
        Some(Schema::Organization),
        &[Scope::Thing, Scope::LegalEntity, Scope::Organization],
    ),
    (
        "Company",
        Some(Schema::Organization),
        &[Scope::Thing, Scope::LegalEntity, Scope::Organization],
    ),
    (
        "PublicBody",
        Some(Schema::Organization),
        &[Scope::Thing, Scope::LegalEntity, Scope::Organization],
    ),
    (
        "Vessel",
        Some(Schema::Vessel),
        &[Scope::Thing, Scope::Vehicle, Scope::Vessel],
    ),
    (
        "Airplane",
        Some(Schema::Aircraft),
        &[Scope::Thing, Scope::Vehicle, Scope::Airplane],
    ),
    (
        "Aircraft",
        Some(Schema::Aircraft),
        &[Scope::Thing, Scope::Vehicle, Scope::Airplane],
    ),
];

/// The FollowTheMoney schema names accepted in queries.
pub fn schema_names() -> Vec<&'static str> {
    SCHEMAS.iter().map(|(n, _, _)| *n).collect()
}

/// The properties accepted: name, scope, use.
const PROPERTIES: &[(&str, Scope, Use)] = &[
    ("name", Scope::Thing, Use::Name),
    ("alias", Scope::Thing, Use::Name),
    ("weakAlias", Scope::Thing, Use::Name),
    ("previousName", Scope::Thing, Use::Name),
    ("country", Scope::Thing, Use::Country),
    ("address", Scope::Thing, Use::Ignored),
    ("notes", Scope::Thing, Use::Ignored),
    ("summary", Scope::Thing, Use::Ignored),
    ("description", Scope::Thing, Use::Ignored),
    ("topics", Scope::Thing, Use::Ignored),
    ("keywords", Scope::Thing, Use::Ignored),
    ("sourceUrl", Scope::Thing, Use::Ignored),
    ("wikidataId", Scope::Thing, Use::Ignored),
    ("program", Scope::Thing, Use::Ignored),
    ("jurisdiction", Scope::LegalEntity, Use::Country),
    ("mainCountry", Scope::LegalEntity, Use::Country),
    ("idNumber", Scope::LegalEntity, Use::Identifier),
    ("registrationNumber", Scope::Thing, Use::Identifier),
    ("taxNumber", Scope::LegalEntity, Use::Identifier),
    ("vatCode", Scope::LegalEntity, Use::Identifier),
    ("leiCode", Scope::LegalEntity, Use::Identifier),
    ("innCode", Scope::LegalEntity, Use::Identifier),
    ("ogrnCode", Scope::LegalEntity, Use::Identifier),
    ("okpoCode", Scope::LegalEntity, Use::Identifier),
    ("dunsCode", Scope::LegalEntity, Use::Identifier),
    ("swiftBic", Scope::LegalEntity, Use::Identifier),
    ("uniqueEntityId", Scope::LegalEntity, Use::Identifier),
    ("email", Scope::LegalEntity, Use::Identifier),
    ("phone", Scope::LegalEntity, Use::Identifier),
    ("website", Scope::LegalEntity, Use::Identifier),
    ("cryptoWallet", Scope::LegalEntity, Use::Identifier),
    ("incorporationDate", Scope::LegalEntity, Use::Ignored),
    ("dissolutionDate", Scope::LegalEntity, Use::Ignored),
    ("legalForm", Scope::LegalEntity, Use::Ignored),
    ("status", Scope::LegalEntity, Use::Ignored),
    ("sector", Scope::LegalEntity, Use::Ignored),
    ("classification", Scope::LegalEntity, Use::Ignored),
    ("title", Scope::Person, Use::Ignored),
    ("firstName", Scope::Person, Use::NamePart(0)),
    ("secondName", Scope::Person, Use::NamePart(1)),
    ("middleName", Scope::Person, Use::NamePart(2)),
    ("fatherName", Scope::Person, Use::NamePart(3)),
    ("lastName", Scope::Person, Use::NamePart(4)),
    ("motherName", Scope::Person, Use::Ignored),
    ("birthDate", Scope::Person, Use::BirthDate),
    ("birthPlace", Scope::Person, Use::Ignored),
    ("birthCountry", Scope::Person, Use::Country),
    ("deathDate", Scope::Person, Use::Ignored),
    ("nationality", Scope::Person, Use::Country),
    ("citizenship", Scope::Person, Use::Country),
    ("passportNumber", Scope::Person, Use::Identifier),
    ("socialSecurityNumber", Scope::Person, Use::Identifier),
    ("gender", Scope::Person, Use::Ignored),
    ("position", Scope::Person, Use::Ignored),
    ("religion", Scope::Person, Use::Ignored),
    ("ethnicity", Scope::Person, Use::Ignored),
    ("education", Scope::Person, Use::Ignored),
    ("political", Scope::Person, Use::Ignored),
    ("type", Scope::Vehicle, Use::Ignored),
    ("model", Scope::Vehicle, Use::Ignored),
    ("owner", Scope::Vehicle, Use::Ignored),
    ("operator", Scope::Vehicle, Use::Ignored),
    ("buildDate", Scope::Vehicle, Use::Ignored),
    ("imoNumber", Scope::Vessel, Use::Identifier),
    ("mmsi", Scope::Vessel, Use::Identifier),
    ("callSign", Scope::Vessel, Use::Identifier),
    ("flag", Scope::Vessel, Use::Country),
    ("pastFlags", Scope::Vessel, Use::Country),
    ("pastNames", Scope::Vessel, Use::Name),
    ("tonnage", Scope::Vessel, Use::Ignored),
    ("grossRegisteredTonnage", Scope::Vessel, Use::Ignored),
    ("serialNumber", Scope::Airplane, Use::Identifier),
    ("icaoCode", Scope::Airplane, Use::Identifier),
    ("manufacturer", Scope::Airplane, Use::Ignored),
];

/// The properties a schema accepts, for error messages and the API documentation.
pub fn properties_of(schema: &str) -> Vec<&'static str> {
    let Some((_, _, scopes)) = SCHEMAS.iter().find(|(n, _, _)| *n == schema) else {
        return Vec::new();
    };
    PROPERTIES
        .iter()
        .filter(|(_, s, _)| scopes.contains(s))
        .map(|(n, _, _)| *n)
        .collect()
}

/// The matcher schema for a FollowTheMoney schema name (`None` for `Thing`).
pub fn parse_schema(name: &str) -> Result<Option<Schema>, ApiError> {
    SCHEMAS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, s, _)| *s)
        .ok_or_else(|| {
            ApiError::bad_request(
                "unknown_schema",
                format!(
                    "unknown schema {:?}; use one of {}",
                    truncate(name, 60),
                    schema_names().join(", ")
                ),
            )
        })
}

/// A query read from an entity example, with the values that were skipped.
#[derive(Debug, Clone)]
pub struct ParsedQuery {
    pub query: Query,
    /// The example with its values as strings (echoed back in responses).
    pub example: EntityExample,
    pub warnings: Vec<String>,
}

fn truncate(s: &str, n: usize) -> String {
    let mut t: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        t.push('…');
    }
    t
}

/// The values of a property as strings: one string, a number, or a list of those.
fn values(prop: &str, v: &serde_json::Value) -> Result<Vec<String>, ApiError> {
    use serde_json::Value as J;
    let scalar = |x: &J| -> Result<Option<String>, ApiError> {
        match x {
            J::Null => Ok(None),
            J::String(s) => Ok(Some(s.clone())),
            J::Number(n) => Ok(Some(n.to_string())),
            J::Bool(b) => Ok(Some(b.to_string())),
            _ => Err(ApiError::invalid(format!(
                "property {prop:?}: values must be strings (or lists of strings)"
            ))),
        }
    };
    let out: Vec<String> = match v {
        J::Array(items) => {
            if items.len() > MAX_VALUES {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!(
                        "property {prop:?} has {} values; at most {MAX_VALUES} are allowed",
                        items.len()
                    ),
                ));
            }
            items
                .iter()
                .map(scalar)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect()
        }
        other => scalar(other)?.into_iter().collect(),
    };
    let out: Vec<String> = out
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(long) = out.iter().find(|s| s.chars().count() > MAX_VALUE_CHARS) {
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("property {prop:?} has a value of {} characters; at most {MAX_VALUE_CHARS} are allowed", long.chars().count()),
        ));
    }
    Ok(out)
}

/// A date as FollowTheMoney writes it (`1984-01-08`, `1984-01`, `1984`, a timestamp) or as
/// lists write it (`circa 1960`, `1950 to 1951`).
fn parse_date(s: &str) -> Option<DateValue> {
    let day = s.split_once('T').map(|(d, _)| d).unwrap_or(s);
    day.parse::<DateValue>()
        .ok()
        .or_else(|| DateValue::parse_loose(s))
}

/// Reads one query entity. `id` is the client's key, used in messages.
pub fn parse_example(id: &str, example: &EntityExample) -> Result<ParsedQuery, ApiError> {
    let in_query = |e: ApiError| ApiError {
        message: format!("query {:?}: {}", truncate(id, 60), e.message),
        ..e
    };
    let schema = parse_schema(&example.schema).map_err(in_query)?;
    let canonical = SCHEMAS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(example.schema.trim()))
        .map(|(n, _, _)| *n)
        .unwrap_or("Thing");
    let scopes = SCHEMAS
        .iter()
        .find(|(n, _, _)| *n == canonical)
        .map(|(_, _, s)| *s)
        .unwrap_or(&[]);
    let mut q = Query {
        schema,
        ..Default::default()
    };
    let mut warnings = Vec::new();
    let mut parts: Vec<(u8, String)> = Vec::new();
    let mut echo = BTreeMap::new();
    for (prop, raw) in &example.properties {
        let Some(&(_, scope, usage)) = PROPERTIES.iter().find(|(n, _, _)| n == prop) else {
            return Err(in_query(ApiError::bad_request(
                "unknown_property",
                format!(
                    "unknown property {:?} for schema {canonical}; known: {}",
                    truncate(prop, 60),
                    properties_of(canonical).join(", ")
                ),
            )));
        };
        if !scopes.contains(&scope) {
            return Err(in_query(ApiError::bad_request(
                "unknown_property",
                format!(
                    "schema {canonical} has no property {prop:?}; known: {}",
                    properties_of(canonical).join(", ")
                ),
            )));
        }
        let vals = values(prop, raw).map_err(in_query)?;
        for v in &vals {
            match usage {
                Use::Name => q.names.push(v.clone()),
                Use::NamePart(order) => parts.push((order, v.clone())),
                Use::BirthDate => match parse_date(v) {
                    Some(d) => q.birth_dates.push(d),
                    None => warnings.push(format!(
                        "{prop}: {:?} is not a date (YYYY, YYYY-MM or YYYY-MM-DD); ignored",
                        truncate(v, 40)
                    )),
                },
                Use::Country => match model::country::code(v) {
                    Some(c) => {
                        if !q.countries.iter().any(|x| x == c) {
                            q.countries.push(c.to_string())
                        }
                    }
                    None => warnings.push(format!(
                        "{prop}: {:?} is no country watchlist knows; ignored",
                        truncate(v, 40)
                    )),
                },
                Use::Identifier => q.identifiers.push(v.clone()),
                Use::Ignored => {}
            }
        }
        echo.insert(prop.clone(), serde_json::Value::from(vals));
    }
    if !parts.is_empty() {
        parts.sort_by_key(|(o, _)| *o);
        let joined = parts
            .into_iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
            .join(" ");
        if !q.names.iter().any(|n| n.eq_ignore_ascii_case(&joined)) {
            q.names.push(joined);
        }
    }
    if q.names.is_empty() && q.identifiers.is_empty() {
        return Err(in_query(ApiError::bad_request(
            "invalid_request",
            "a query needs a name (`name`, `alias`, `firstName` + `lastName`, …) or an identifier",
        )));
    }
    if q.names.len() > MAX_NAMES {
        return Err(in_query(ApiError::bad_request(
            "invalid_value",
            format!(
                "{} names given; at most {MAX_NAMES} are allowed per query",
                q.names.len()
            ),
        )));
    }
    let example = EntityExample {
        id: example.id.clone(),
        schema: canonical.to_string(),
        properties: echo,
    };
    Ok(ParsedQuery {
        query: q,
        example,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ex(v: serde_json::Value) -> EntityExample {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn reads_person_properties() {
        let p = parse_example(
            "q1",
            &ex(json!({"schema": "Person", "properties": {
                "name": ["Kim Jong Un"], "birthDate": "1984-01-08", "nationality": ["North Korea", "kp"],
                "passportNumber": [12345], "gender": ["male"]}})),
        )
        .unwrap();
        assert_eq!(p.query.names, ["Kim Jong Un"]);
        assert_eq!(p.query.schema, Some(Schema::Person));
        assert_eq!(p.query.birth_dates[0].to_string(), "1984-01-08");
        assert_eq!(p.query.countries, ["kp"]);
        assert_eq!(p.query.identifiers, ["12345"]);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn name_parts_are_joined_and_bad_values_warned() {
        let p = parse_example(
            "a",
            &ex(json!({"schema": "Person", "properties": {"lastName": ["Doe"], "firstName": ["John"], "birthDate": ["soon"], "country": ["Atlantis"]}})),
        )
        .unwrap();
        assert_eq!(p.query.names, ["John Doe"]);
        assert_eq!(p.warnings.len(), 2);
    }

    #[test]
    fn unknown_schema_and_property_are_errors() {
        let e = parse_example(
            "a",
            &ex(json!({"schema": "Spaceship", "properties": {"name": ["x"]}})),
        )
        .unwrap_err();
        assert_eq!(e.code, "unknown_schema");
        let e = parse_example(
            "a",
            &ex(json!({"schema": "Person", "properties": {"name": ["x"], "colour": ["red"]}})),
        )
        .unwrap_err();
        assert_eq!(e.code, "unknown_property");
        assert!(e.message.contains("query \"a\""));
        // a property of another schema
        let e = parse_example(
            "a",
            &ex(json!({"schema": "Company", "properties": {"name": ["x"], "birthDate": ["1980"]}})),
        )
        .unwrap_err();
        assert_eq!(e.code, "unknown_property");
        let e = parse_example(
            "a",
            &ex(json!({"schema": "Person", "properties": {"name": [{"x": 1}]}})),
        )
        .unwrap_err();
        assert_eq!(e.code, "invalid_request");
        let e = parse_example(
            "a",
            &ex(json!({"schema": "Person", "properties": {"gender": ["f"]}})),
        )
        .unwrap_err();
        assert!(e.message.contains("needs a name"));
    }

    #[test]
    fn batches_keep_order_and_stop_at_the_ceiling() {
        let b: Batch<u32> = serde_json::from_str(r#"{"z": 1, "a": 2}"#).unwrap();
        assert_eq!(b.0, vec![("z".to_string(), 1), ("a".to_string(), 2)]);
        let big: String = format!(
            "{{{}}}",
            (0..BATCH_CEILING + 1)
                .map(|i| format!("\"q{i}\":1"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let e = crate::errors::parse_json::<Batch<u32>>(big.as_bytes()).unwrap_err();
        assert_eq!(e.code, "too_many_queries");
        let e = crate::errors::parse_json::<Batch<u32>>(br#"{"a": 1, "a": 2}"#).unwrap_err();
        assert_eq!(e.code, "invalid_request");
    }
}
