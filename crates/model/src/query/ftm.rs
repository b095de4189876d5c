//! FollowTheMoney's schemas and properties as queries use them (the shape yente's `/match`
//! takes): which matcher schema each FollowTheMoney schema is, and what each property means
//! to the matcher (a name, a part of a name, a birth date, a country, an identifier, or a
//! property that is accepted and not scored). The inheritance of FollowTheMoney's schemas is
//! flattened into scopes.

use crate::Schema;

/// What a property means to the matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
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
pub(crate) enum Scope {
    Thing,
    LegalEntity,
    Person,
    Organization,
    Vehicle,
    Vessel,
    Airplane,
}

/// The FollowTheMoney schemas accepted, the matcher schema each maps to, and its scopes.
pub(crate) const SCHEMAS: &[(&str, Option<Schema>, &[Scope])] = &[
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
pub(crate) const PROPERTIES: &[(&str, Scope, Use)] = &[
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

/// The canonical FollowTheMoney name of a schema given in any case (`person` is `Person`).
pub fn canonical_schema(name: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(n, _, _)| *n)
}

/// The matcher schema of a FollowTheMoney schema name (`Some(None)` for `Thing`: any).
pub fn schema(name: &str) -> Option<Option<Schema>> {
    SCHEMAS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, s, _)| *s)
}

/// The properties a FollowTheMoney schema accepts (empty for an unknown schema).
pub fn properties_of(schema: &str) -> Vec<&'static str> {
    let Some(scopes) = scopes(schema) else {
        return Vec::new();
    };
    PROPERTIES
        .iter()
        .filter(|(_, s, _)| scopes.contains(s))
        .map(|(n, _, _)| *n)
        .collect()
}

pub(crate) fn scopes(schema: &str) -> Option<&'static [Scope]> {
    SCHEMAS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(schema.trim()))
        .map(|(_, _, s)| *s)
}

/// What a property means for a schema: `Err` names why it is not one of the schema's.
pub(crate) fn property(schema: &str, prop: &str) -> Result<Use, String> {
    let Some(&(_, scope, usage)) = PROPERTIES.iter().find(|(n, _, _)| *n == prop) else {
        return Err("is not a FollowTheMoney property".to_string());
    };
    let scopes = scopes(schema).unwrap_or(&[Scope::Thing]);
    if !scopes.contains(&scope) {
        return Err(format!(
            "is not a property of {}",
            canonical_schema(schema).unwrap_or("Thing")
        ));
    }
    Ok(usage)
}
