//! The listed party and everything a publisher says about it.

use crate::{DateValue, EntityId, PartialDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// What kind of party an entity is. `LegalEntity` is used when the publisher does not say
/// whether a party is a person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Schema {
    /// A natural person (the publishers' "individual").
    Person,
    /// A company, group, body or other organisation (the publishers' "entity").
    Organization,
    /// A ship; its particulars are in [`Entity::vessel`].
    Vessel,
    /// An aircraft; tail and serial numbers are [`IdKind::AircraftId`] identifiers.
    Aircraft,
    /// A party the publisher does not say is a person or an organisation; matching takes it
    /// as compatible with every other schema.
    LegalEntity,
}

impl Schema {
    /// Every schema, in declaration order (the order `lists` tables show them in).
    pub const ALL: [Schema; 5] = [
        Schema::Person,
        Schema::Organization,
        Schema::Vessel,
        Schema::Aircraft,
        Schema::LegalEntity,
    ];

    /// The canonical name (`Person`, `LegalEntity`, …): the JSON form and the `Display` text,
    /// read back by `FromStr`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Schema::Person => "Person",
            Schema::Organization => "Organization",
            Schema::Vessel => "Vessel",
            Schema::Aircraft => "Aircraft",
            Schema::LegalEntity => "LegalEntity",
        }
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown schema name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown schema {0:?} (expected Person, Organization, Vessel, Aircraft or LegalEntity)")]
pub struct SchemaError(pub String);

impl FromStr for Schema {
    type Err = SchemaError;
    /// Accepts the canonical names case-insensitively and the publishers' own words
    /// (`individual`, `entity`, `company`, `ship`, …).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase();
        Ok(match l.as_str() {
            "person" | "individual" | "people" | "p" => Schema::Person,
            "organization" | "organisation" | "company" | "entity" | "enterprise" | "e" => {
                Schema::Organization
            }
            "vessel" | "ship" | "boat" => Schema::Vessel,
            "aircraft" | "airplane" | "plane" => Schema::Aircraft,
            "legalentity" | "legal_entity" | "legal entity" | "thing" | "unknown" | "" => {
                Schema::LegalEntity
            }
            _ => return Err(SchemaError(s.to_string())),
        })
    }
}

/// How a publisher qualifies a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The name the entity is listed under.
    Primary,
    /// A strong alias ("a.k.a.", UN quality "Good", EU strong="true").
    Alias,
    /// A weak or low-quality alias (OFAC "weak a.k.a.", UN quality "Low").
    WeakAlias,
    /// A former name ("f.k.a.").
    Former,
    /// A new name the entity is now known by ("n.k.a.").
    New,
    /// The name in its original, non-Latin script (UN NAME_ORIGINAL_SCRIPT, UK NonLatinName).
    OriginalScript,
}

impl NameKind {
    /// The snake_case name used in JSON (`primary`, `weak_alias`, `original_script`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            NameKind::Primary => "primary",
            NameKind::Alias => "alias",
            NameKind::WeakAlias => "weak_alias",
            NameKind::Former => "former",
            NameKind::New => "new",
            NameKind::OriginalScript => "original_script",
        }
    }

    /// Parses `aka`, `a.k.a.`, `fka`, `nka`, `weak aka`, `original script`, … (case-insensitive).
    pub fn parse_loose(s: &str) -> Option<NameKind> {
        let l: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
            .collect();
        Some(match l.trim() {
            "primary" | "primary name" | "name" => NameKind::Primary,
            "aka" | "alias" | "strong" | "good" | "strong aka" => NameKind::Alias,
            "weak aka" | "weak" | "low" | "weak alias" | "weakalias" | "weak_alias" => {
                NameKind::WeakAlias
            }
            "fka" | "former" | "former name" | "formerly" => NameKind::Former,
            "nka" | "new" | "new name" | "now known as" => NameKind::New,
            "original script" | "originalscript" | "original_script" | "non latin" => {
                NameKind::OriginalScript
            }
            _ => return None,
        })
    }
}

/// One name of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// The name as published ("KIM, Jong Un", "Mansudae Art Studio", "김정은").
    pub value: String,
    /// How the publisher qualifies the name: primary, alias, weak alias, former, …
    pub kind: NameKind,
    /// ISO 639-1 language of the name where the publisher says (EU nameLanguage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Who added the name when it is not the publisher (an analyst overlay), with its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Name {
    /// A name of the given kind, with no language and no note.
    pub fn new(value: impl Into<String>, kind: NameKind) -> Self {
        Name {
            value: value.into(),
            kind,
            lang: None,
            note: None,
        }
    }
}

/// A person's gender as the publisher states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Male (`m`, `male`, `man` to [`Gender::parse_loose`]).
    Male,
    /// Female (`f`, `female`, `woman` to [`Gender::parse_loose`]).
    Female,
    /// Any other value the publisher gives (an unknown gender is no gender: `None`).
    Other,
}

impl Gender {
    /// Reads `m`, `male`, `man` and `f`, `female`, `woman` (any case). Empty text, `u` and
    /// `unknown` are `None`; any other word is [`Gender::Other`].
    pub fn parse_loose(s: &str) -> Option<Gender> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m" | "male" | "man" => Some(Gender::Male),
            "f" | "female" | "woman" => Some(Gender::Female),
            "" | "unknown" | "u" => None,
            _ => Some(Gender::Other),
        }
    }
}

/// The kind of an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// A passport number.
    Passport,
    /// A national identity number (identity card, cédula, CURP, DNI, social security number).
    NationalId,
    /// A tax number (INN, VAT, EIN, NIT, RFC, RUC, CUIT, …).
    TaxId,
    /// Company or business registration number (incl. OGRN, LEI-like registry numbers).
    Registration,
    /// A Legal Entity Identifier (ISO 17442).
    Lei,
    /// An IMO number (International Maritime Organization) of a ship or a shipping company.
    Imo,
    /// A Maritime Mobile Service Identity: a vessel's radio identity.
    Mmsi,
    /// A radio call sign (vessels, aircraft).
    CallSign,
    /// SWIFT/BIC code.
    Swift,
    /// A website address.
    Website,
    /// An e-mail address.
    Email,
    /// A telephone or fax number.
    Phone,
    /// Digital currency address; the currency goes in `Identifier::label`.
    DigitalCurrency,
    /// Aircraft tail number / manufacturer serial number.
    AircraftId,
    /// A label no other kind fits; the publisher's label is kept in `Identifier::label`.
    Other,
}

impl IdKind {
    /// Maps a publisher's identifier label ("Passport", "National ID No.", "Vessel Registration
    /// Identification IMO", "SWIFT/BIC", "Digital Currency Address - XBT", …) to a kind.
    pub fn from_label(label: &str) -> IdKind {
        let l = label.to_ascii_lowercase();
        let has = |w: &str| l.contains(w);
        if has("passport") {
            IdKind::Passport
        } else if has("imo") {
            IdKind::Imo
        } else if has("mmsi") {
            IdKind::Mmsi
        } else if has("swift") || has("bic") {
            IdKind::Swift
        } else if has("digital currency") || has("crypto") {
            IdKind::DigitalCurrency
        } else if has("website") || has("url") {
            IdKind::Website
        } else if has("email") || has("e-mail") {
            IdKind::Email
        } else if has("phone") || has("fax") {
            IdKind::Phone
        } else if has("call sign") || has("callsign") {
            IdKind::CallSign
        } else if has("legal entity number") || has("lei") {
            IdKind::Lei
        } else if has("tax")
            || has("inn")
            || has("vat")
            || has("ein")
            || has("nit")
            || has("rfc")
            || has("ruc")
            || has("cuit")
        {
            IdKind::TaxId
        } else if has("aircraft") || has("tail") {
            IdKind::AircraftId
        } else if has("national id")
            || has("identification number")
            || has("cedula")
            || has("c.u.r.p")
            || has("curp")
            || has("personal id")
            || has("id no")
            || has("id card")
            || has("identity")
            || has("d.n.i")
            || has("nie")
            || has("ssn")
            || has("social security")
        {
            IdKind::NationalId
        } else if has("registration")
            || has("registry")
            || has("company number")
            || has("ogrn")
            || has("business number")
            || has("commercial")
            || has("kpp")
            || has("okpo")
            || has("duns")
        {
            IdKind::Registration
        } else {
            IdKind::Other
        }
    }
}

/// An identifier: passport number, registration number, IMO number, BIC, address…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    /// What the identifier is, usually read from the publisher's label
    /// ([`IdKind::from_label`]).
    pub kind: IdKind,
    /// The number, code or address as the publisher writes it; the matcher compares a
    /// normalised form of it.
    pub value: String,
    /// ISO 3166-1 alpha-2 code of the issuing country, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The publisher's own label ("Passport", "Digital Currency Address - XBT").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Any qualification ("issued 2010", "expires 2015").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Identifier {
    /// An identifier of a kind and value, with no country, label or note.
    pub fn new(kind: IdKind, value: impl Into<String>) -> Self {
        Identifier {
            kind,
            value: value.into(),
            country: None,
            label: None,
            note: None,
        }
    }
}

/// A postal address, structured as far as the publisher structures it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Street, house number and other address lines, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// City or town, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State, province or region, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, lower case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Free text the publisher gives in place of (or beside) the structured parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
}

impl Address {
    /// True when no part is set.
    pub fn is_empty(&self) -> bool {
        self.street.is_none()
            && self.city.is_none()
            && self.region.is_none()
            && self.postal_code.is_none()
            && self.country.is_none()
            && self.full.is_none()
    }

    /// One line: the parts joined with ", " (country as its code).
    pub fn line(&self) -> String {
        let parts = [
            &self.full,
            &self.street,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.country,
        ];
        parts
            .iter()
            .filter_map(|p| p.as_deref())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A link to another party ("Linked To:" in OFAC remarks, FtM ownership, UN associations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// `linked_to`, `owned_by`, `owns`, `associate`, `family`, `director_of`, …
    pub kind: String,
    /// The other party's id, when it is resolved on the same list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<EntityId>,
    /// The other party's name as the publisher writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
}

/// Vessel particulars (OFAC and UK lists carry them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VesselInfo {
    /// Flag state, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// The type of vessel as published ("Crude Oil Tanker", "General Cargo").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel_type: Option<String>,
    /// Tonnage as published, in the publisher's words and units (text, not a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tonnage: Option<String>,
    /// Gross registered tonnage as published (text, not a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_registered_tonnage: Option<String>,
    /// The owner or operator as the publisher names it (several joined with `; `).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A listed party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// `list:list_id`; the same publisher record keeps the same id in every list version.
    pub id: EntityId,
    /// What kind of party this is; matching never pairs a person with a party of another
    /// schema (other than `LegalEntity`).
    pub schema: Schema,
    /// All names; the first `Primary` is the caption.
    pub names: Vec<Name>,
    /// A person's gender, where the publisher states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Dates of birth at the precision published: a year, a full date, circa, a range.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_dates: Vec<DateValue>,
    /// Places of birth as published (free text, not resolved to countries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_places: Vec<String>,
    /// ISO 3166-1 alpha-2 codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    /// Citizenships, ISO 3166-1 alpha-2 codes (lower case, as [`Entity::push_country`] adds
    /// them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citizenships: Vec<String>,
    /// Other countries the publisher ties the party to (addresses, jurisdiction, flag, "country"
    /// columns), ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Passport, registration, IMO, BIC and other numbers the publisher lists for the party.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// Postal addresses; their countries count among [`Entity::all_countries`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// Sanctions programs or regimes ("DPRK3", "RUSSIA-EO14024", "KPi", "The Russia (Sanctions) (EU Exit) Regulations 2019").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    /// When the party was listed (designated), where the publisher says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<PartialDate>,
    /// Titles, positions and designations ("Chairman of the Workers' Party of Korea").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positions: Vec<String>,
    /// The publisher's free-text remarks, as published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<String>,
    /// Links to other parties: owners, associates, family, …
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// Vessel particulars, when the publisher gives any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel: Option<VesselInfo>,
    /// Publisher fields the model has no place for, by the publisher's field name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

impl Entity {
    /// An entity with an id and schema and nothing else yet.
    pub fn new(id: EntityId, schema: Schema) -> Self {
        Entity {
            id,
            schema,
            names: Vec::new(),
            gender: None,
            birth_dates: Vec::new(),
            birth_places: Vec::new(),
            nationalities: Vec::new(),
            citizenships: Vec::new(),
            countries: Vec::new(),
            identifiers: Vec::new(),
            addresses: Vec::new(),
            programs: Vec::new(),
            listed_on: None,
            positions: Vec::new(),
            remarks: Vec::new(),
            relations: Vec::new(),
            vessel: None,
            extra: BTreeMap::new(),
        }
    }

    /// The name to show: the first primary name, else the first name, else the id.
    pub fn caption(&self) -> &str {
        self.names
            .iter()
            .find(|n| n.kind == NameKind::Primary)
            .or_else(|| self.names.first())
            .map(|n| n.value.as_str())
            .unwrap_or_else(|| self.id.list_id())
    }

    /// Adds a name unless the same value (exactly) is already present; empty values are ignored.
    pub fn add_name(&mut self, value: &str, kind: NameKind) {
        let value = value.trim();
        if value.is_empty() || self.names.iter().any(|n| n.value == value) {
            return;
        }
        self.names.push(Name::new(value, kind));
    }

    /// Adds a country code to `list` unless present. Codes are lower-cased.
    pub fn push_country(list: &mut Vec<String>, code: &str) {
        let code = code.trim().to_ascii_lowercase();
        if !code.is_empty() && !list.contains(&code) {
            list.push(code);
        }
    }

    /// Every country the entity is tied to: nationalities, citizenships, other countries,
    /// address countries and the vessel flag, without repeats.
    pub fn all_countries(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let addr = self.addresses.iter().filter_map(|a| a.country.as_deref());
        let flag = self.vessel.as_ref().and_then(|v| v.flag.as_deref());
        for c in self
            .nationalities
            .iter()
            .chain(&self.citizenships)
            .chain(&self.countries)
            .map(String::as_str)
            .chain(addr)
            .chain(flag)
        {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_accepts_publisher_words() {
        assert_eq!("individual".parse::<Schema>().unwrap(), Schema::Person);
        assert_eq!("Entity".parse::<Schema>().unwrap(), Schema::Organization);
        assert_eq!("ship".parse::<Schema>().unwrap(), Schema::Vessel);
        assert!("banana".parse::<Schema>().is_err());
    }

    #[test]
    fn id_kinds_from_labels() {
        assert_eq!(IdKind::from_label("Passport"), IdKind::Passport);
        assert_eq!(
            IdKind::from_label("Vessel Registration Identification IMO"),
            IdKind::Imo
        );
        assert_eq!(IdKind::from_label("SWIFT/BIC"), IdKind::Swift);
        assert_eq!(
            IdKind::from_label("Digital Currency Address - XBT"),
            IdKind::DigitalCurrency
        );
        assert_eq!(IdKind::from_label("Tax ID No."), IdKind::TaxId);
        assert_eq!(IdKind::from_label("National ID No."), IdKind::NationalId);
    }

    #[test]
    fn entity_json_is_compact_and_round_trips() {
        let mut e = Entity::new(
            EntityId::new("us_ofac_sdn", "20157").unwrap(),
            Schema::Person,
        );
        e.add_name("KIM, Jong Un", NameKind::Primary);
        e.add_name("KIM, Jong Un", NameKind::Alias);
        e.birth_dates.push("1984-01-08".parse().unwrap());
        let json = serde_json::to_string(&e).unwrap();
        assert!(!json.contains("addresses"), "{json}");
        let back: Entity = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.caption(), "KIM, Jong Un");
        assert_eq!(back.names.len(), 1);
    }
}
