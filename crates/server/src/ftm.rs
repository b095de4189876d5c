//! Listed entities as FollowTheMoney properties, for the yente-compatible responses.
//!
//! The mapping (watchlist model → FollowTheMoney property):
//! names by kind: primary → `name`, alias / new / original script → `alias`, weak alias →
//! `weakAlias`, former → `previousName`; `gender`, `birthDate` (a circa date gives its year, a
//! range both ends), `birthPlace`, `nationality`, `citizenship`, `country`; identifiers by kind:
//! passport → `passportNumber`, national id → `idNumber`, tax id → `taxNumber`, registration →
//! `registrationNumber`, LEI → `leiCode`, IMO → `imoNumber`, MMSI → `mmsi`, call sign →
//! `callSign`, SWIFT/BIC → `swiftBic`, website / email / phone → `website` / `email` / `phone`,
//! aircraft id → `serialNumber`, other (and digital currency addresses) → `idNumber`;
//! addresses → `address` (one line); programs → `program`; listed on → `createdAt`; positions →
//! `position`; remarks → `notes`; vessel particulars → `flag`, `type`, `tonnage`,
//! `grossRegisteredTonnage`, `owner`. Relations are not properties here (FollowTheMoney keeps
//! them as separate entities); `GET /v1/entities/{id}` has them.

use model::{DateValue, Entity, Gender, IdKind, NameKind, Schema};
use std::collections::BTreeMap;

/// The FollowTheMoney schema name of a watchlist schema.
pub fn schema_name(s: Schema) -> &'static str {
    match s {
        Schema::Person => "Person",
        Schema::Organization => "Organization",
        Schema::Vessel => "Vessel",
        Schema::Aircraft => "Airplane",
        Schema::LegalEntity => "LegalEntity",
    }
}

fn dates(d: &DateValue) -> Vec<String> {
    match d {
        DateValue::Exact(p) => vec![p.to_string()],
        DateValue::Circa(p) => vec![p.year.to_string()],
        DateValue::Range(a, b) => vec![a.to_string(), b.to_string()],
    }
}

/// The id property of an identifier kind.
pub fn id_property(kind: IdKind) -> &'static str {
    match kind {
        IdKind::Passport => "passportNumber",
        IdKind::NationalId => "idNumber",
        IdKind::TaxId => "taxNumber",
        IdKind::Registration => "registrationNumber",
        IdKind::Lei => "leiCode",
        IdKind::Imo => "imoNumber",
        IdKind::Mmsi => "mmsi",
        IdKind::CallSign => "callSign",
        IdKind::Swift => "swiftBic",
        IdKind::Website => "website",
        IdKind::Email => "email",
        IdKind::Phone => "phone",
        IdKind::AircraftId => "serialNumber",
        IdKind::DigitalCurrency | IdKind::Other => "idNumber",
    }
}

/// The entity's properties, each a list of strings, without duplicates.
pub fn properties(e: &Entity) -> BTreeMap<String, Vec<String>> {
    let mut p: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |k: &str, v: String| {
        let v = v.trim().to_string();
        if v.is_empty() {
            return;
        }
        let list = p.entry(k.to_string()).or_default();
        if !list.contains(&v) {
            list.push(v);
        }
    };
    for n in &e.names {
        let k = match n.kind {
            NameKind::Primary => "name",
            NameKind::Alias | NameKind::New | NameKind::OriginalScript => "alias",
            NameKind::WeakAlias => "weakAlias",
            NameKind::Former => "previousName",
        };
        add(k, n.value.clone());
    }
    if let Some(g) = e.gender {
        add(
            "gender",
            match g {
                Gender::Male => "male",
                Gender::Female => "female",
                Gender::Other => "other",
            }
            .into(),
        );
    }
    e.birth_dates
        .iter()
        .flat_map(dates)
        .for_each(|d| add("birthDate", d));
    e.birth_places
        .iter()
        .for_each(|v| add("birthPlace", v.clone()));
    e.nationalities
        .iter()
        .for_each(|v| add("nationality", v.clone()));
    e.citizenships
        .iter()
        .for_each(|v| add("citizenship", v.clone()));
    e.countries.iter().for_each(|v| add("country", v.clone()));
    for i in &e.identifiers {
        add(id_property(i.kind), i.value.clone());
    }
    e.addresses.iter().for_each(|a| add("address", a.line()));
    e.programs.iter().for_each(|v| add("program", v.clone()));
    if let Some(d) = e.listed_on {
        add("createdAt", d.to_string());
    }
    e.positions.iter().for_each(|v| add("position", v.clone()));
    e.remarks.iter().for_each(|v| add("notes", v.clone()));
    if let Some(v) = &e.vessel {
        for (k, val) in [
            ("flag", &v.flag),
            ("type", &v.vessel_type),
            ("tonnage", &v.tonnage),
            ("grossRegisteredTonnage", &v.gross_registered_tonnage),
            ("owner", &v.owner),
        ] {
            if let Some(val) = val {
                add(k, val.clone());
            }
        }
    }
    add("topics", "sanction".into());
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{EntityId, Identifier, Name};

    #[test]
    fn maps_names_dates_and_identifiers() {
        let mut e = Entity::new(EntityId::new("un_sc", "KPi.1").unwrap(), Schema::Person);
        e.names.push(Name::new("KIM JONG UN", NameKind::Primary));
        e.names.push(Name::new("Kim Jong-un", NameKind::Alias));
        e.names.push(Name::new("김정은", NameKind::OriginalScript));
        e.names.push(Name::new("Kim Chong Un", NameKind::WeakAlias));
        e.birth_dates.push("1984-01-08".parse().unwrap());
        e.birth_dates.push("~1983".parse().unwrap());
        e.identifiers
            .push(Identifier::new(IdKind::Passport, "PD123"));
        e.nationalities.push("kp".into());
        let p = properties(&e);
        assert_eq!(p["name"], ["KIM JONG UN"]);
        assert_eq!(p["alias"], ["Kim Jong-un", "김정은"]);
        assert_eq!(p["weakAlias"], ["Kim Chong Un"]);
        assert_eq!(p["birthDate"], ["1984-01-08", "1983"]);
        assert_eq!(p["passportNumber"], ["PD123"]);
        assert_eq!(p["nationality"], ["kp"]);
        assert_eq!(schema_name(Schema::Aircraft), "Airplane");
    }
}
