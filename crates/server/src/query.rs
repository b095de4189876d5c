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
//! (`address`, `gender`, `position`, `notes`, …) are accepted and not scored. The table is
//! `model::query::ftm` and the conversion `model::QueryInput::read`, which every entry point
//! shares: a value that cannot be used (a date that is no date, a country no table knows, an
//! unknown schema or a property the schema does not have) is named in the query's warnings
//! and the query is screened on the rest.

use crate::errors::{ApiError, TOO_MANY};
use matcher::Query;
use model::{QueryInput, Schema};
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

pub use model::query::ftm::{properties_of, schema_names};

/// The matcher schema for a FollowTheMoney schema name (`None` for `Thing`), for parameters
/// that must name a schema (the search page's `schema=`).
pub fn parse_schema(name: &str) -> Result<Option<Schema>, ApiError> {
    model::query::ftm::schema(name).ok_or_else(|| {
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
    /// The matcher's query: names, schema, birth dates, countries, identifiers.
    pub query: Query,
    /// The example with its values as strings (echoed back in responses).
    pub example: EntityExample,
    /// Values left out or read with less precision, each naming its property.
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

/// Reads one query entity through the one conversion ([`QueryInput::read`]): a value that
/// cannot be used (a date that is no date, a country no table knows, a misspelt schema, a
/// property the schema does not have) is a warning and the query is still screened. Errors:
/// a value that is not text, more values or longer values than the limits allow, and a
/// query with no name and no identifier. `id` is the client's key, used in messages.
pub fn parse_example(id: &str, example: &EntityExample) -> Result<ParsedQuery, ApiError> {
    let in_query = |e: ApiError| ApiError {
        message: format!("query {:?}: {}", truncate(id, 60), e.message),
        ..e
    };
    let mut input = QueryInput {
        schema: Some(example.schema.clone()),
        ..Default::default()
    };
    let mut echo = BTreeMap::new();
    for (prop, raw) in &example.properties {
        let vals = values(prop, raw).map_err(in_query)?;
        echo.insert(prop.clone(), serde_json::Value::from(vals.clone()));
        input.properties.insert(prop.clone(), vals);
    }
    let read = input.read().map_err(|_| {
        in_query(ApiError::bad_request(
            "invalid_request",
            "a query needs a name (`name`, `alias`, `firstName` + `lastName`, …) or an identifier",
        ))
    })?;
    if read.query.names.len() > MAX_NAMES {
        return Err(in_query(ApiError::bad_request(
            "invalid_value",
            format!(
                "{} names given; at most {MAX_NAMES} are allowed per query",
                read.query.names.len()
            ),
        )));
    }
    let example = EntityExample {
        id: example.id.clone(),
        schema: model::query::ftm::canonical_schema(&example.schema)
            .unwrap_or("Thing")
            .to_string(),
        properties: echo,
    };
    Ok(ParsedQuery {
        query: read.query,
        example,
        warnings: read.warnings,
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
    fn unknown_schema_and_property_are_warnings_and_the_name_is_screened() {
        let p = parse_example(
            "a",
            &ex(json!({"schema": "Spaceship", "properties": {"name": ["x"]}})),
        )
        .unwrap();
        assert_eq!(p.query.names, ["x"]);
        assert!(p.warnings[0].starts_with("schema:"), "{:?}", p.warnings);
        let p = parse_example(
            "a",
            &ex(json!({"schema": "Person", "properties": {"name": ["x"], "colour": ["red"]}})),
        )
        .unwrap();
        assert!(p.warnings[0].contains("colour"), "{:?}", p.warnings);
        // a property of another schema
        let p = parse_example(
            "a",
            &ex(json!({"schema": "Company", "properties": {"name": ["x"], "birthDate": ["1980"]}})),
        )
        .unwrap();
        assert!(p.warnings[0].contains("birthDate"), "{:?}", p.warnings);
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
