//! `GET /v1/entities/{id}`: one listed entity with all its fields, its source list, the
//! snapshot, and its relations resolved to the related entities' names.

use super::engine;
use crate::errors::{ApiError, ApiPath};
use crate::state::AppState;
use crate::types::SnapshotRef;
use axum::extract::State;
use axum::Json;
use model::{Entity, EntityId};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A country code with its English name.
#[derive(Debug, Serialize, ToSchema)]
pub struct Country {
    /// ISO 3166-1 alpha-2, lower case.
    pub code: String,
    /// The country's English name; null for a code the table does not know.
    pub name: Option<String>,
}

fn countries(codes: &[String]) -> Vec<Country> {
    codes
        .iter()
        .map(|c| Country {
            code: c.clone(),
            name: model::country::name(c).map(str::to_string),
        })
        .collect()
}

/// One name of a listed entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct NameOut {
    /// The name as published.
    pub value: String,
    /// `primary`, `alias`, `weak_alias`, `former`, `new`, `original_script`.
    pub kind: String,
    /// ISO 639-1 language of the name, where the publisher gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Who added the name when it is not the publisher (an analyst overlay), with its source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An identifier the publisher lists for the entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentifierOut {
    /// `passport`, `national_id`, `tax_id`, `registration`, `lei`, `imo`, `mmsi`, `call_sign`,
    /// `swift`, `website`, `email`, `phone`, `digital_currency`, `aircraft_id`, `other`.
    pub kind: String,
    /// The number, code or address as published.
    pub value: String,
    /// ISO 3166-1 alpha-2 code of the issuing country, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The publisher's own label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A qualification the publisher adds (`issued 2010`, `expires 2015`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A postal address, as published.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressOut {
    /// The parts joined in one line.
    pub line: String,
    /// Street, house number and other address lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// City or town.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State, province or region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, lower case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A link from the entity to another party: an owner, an associate, family.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelationOut {
    /// `linked_to`, `owned_by`, `owns`, `associate`, `family`, …
    pub kind: String,
    /// The related entity's id, when the publisher links it on the same list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// The related party's name as the publisher writes it, or the related entity's caption.
    pub target_name: Option<String>,
    /// True when the related entity is in the snapshot (its page can be opened).
    pub in_snapshot: bool,
    /// The related entity's schema, when it is in the snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_schema: Option<String>,
}

/// Vessel particulars, as published.
#[derive(Debug, Serialize, ToSchema)]
pub struct VesselOut {
    /// Flag state, ISO 3166-1 alpha-2.
    pub flag: Option<String>,
    /// The type of vessel (`Crude Oil Tanker`).
    pub vessel_type: Option<String>,
    /// Tonnage in the publisher's words and units (text, not a number).
    pub tonnage: Option<String>,
    /// Gross registered tonnage as published (text, not a number).
    pub gross_registered_tonnage: Option<String>,
    /// The owner or operator as the publisher names it (several joined with `; `).
    pub owner: Option<String>,
}

/// The list an entity comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceOut {
    /// List key (`un_sc`, `us_ofac_sdn`, …).
    pub list: String,
    /// The list's title.
    pub title: String,
    /// Who publishes the list.
    pub publisher: String,
    /// The publication date the file carries, if any.
    pub published: Option<String>,
    /// When this list version was imported (RFC 3339).
    pub imported_at: String,
    /// Content hash of the list version.
    pub list_version: String,
    /// Source format (`un_xml`, `ofac_csv`, …).
    pub format: String,
}

/// One listed entity with all its fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityOut {
    /// `list:list_id`
    pub id: String,
    /// List key.
    pub list: String,
    /// The publisher's own id.
    pub list_id: String,
    /// `Person`, `Organization`, `Vessel`, `Aircraft` or `LegalEntity`.
    pub schema: String,
    /// The entity's primary name.
    pub caption: String,
    /// Every name with its kind: primary, aliases, weak aliases, former and new names, names in
    /// the original script.
    pub names: Vec<NameOut>,
    /// `male`, `female` or `other`, where the publisher states a gender.
    pub gender: Option<String>,
    /// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `~YYYY` (circa) or `A..B` (range).
    pub birth_dates: Vec<String>,
    /// Places of birth as published (free text).
    pub birth_places: Vec<String>,
    /// Nationalities.
    pub nationalities: Vec<Country>,
    /// Citizenships.
    pub citizenships: Vec<Country>,
    /// Other countries the publisher ties the entity to (addresses, jurisdiction, flag).
    pub countries: Vec<Country>,
    /// Passport, registration, IMO, BIC and other numbers.
    pub identifiers: Vec<IdentifierOut>,
    /// Postal addresses.
    pub addresses: Vec<AddressOut>,
    /// Sanctions programmes or regimes.
    pub programs: Vec<String>,
    /// When the entity was listed, where the publisher says: `YYYY`, `YYYY-MM` or
    /// `YYYY-MM-DD`.
    pub listed_on: Option<String>,
    /// Titles, positions and designations.
    pub positions: Vec<String>,
    /// The publisher's free-text remarks.
    pub remarks: Vec<String>,
    /// Links to other parties, with the related entities' names.
    pub relations: Vec<RelationOut>,
    /// Vessel particulars, when the publisher gives any.
    pub vessel: Option<VesselOut>,
    /// Publisher fields without a place in the model, by the publisher's field name.
    #[schema(value_type = Object)]
    pub extra: BTreeMap<String, Vec<String>>,
}

/// One listed entity, the list it comes from and the snapshot in service.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityResponse {
    /// The entity with all its fields.
    pub entity: EntityOut,
    /// The list version the entity comes from.
    pub source: SourceOut,
    /// The snapshot in service.
    pub snapshot: SnapshotRef,
}

fn json_str<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(crate) fn entity_out(e: Entity, engine: &engine::Engine) -> EntityOut {
    let relations = e
        .relations
        .iter()
        .map(|r| {
            let target = r
                .target
                .as_ref()
                .and_then(|id| engine.entity(id).ok().flatten());
            RelationOut {
                kind: r.kind.clone(),
                target_id: r.target.as_ref().map(|t| t.to_string()),
                target_name: r
                    .target_name
                    .clone()
                    .or_else(|| target.as_ref().map(|t| t.caption().to_string())),
                in_snapshot: target.is_some(),
                target_schema: target.as_ref().map(|t| t.schema.as_str().to_string()),
            }
        })
        .collect();
    EntityOut {
        id: e.id.to_string(),
        list: e.id.list().to_string(),
        list_id: e.id.list_id().to_string(),
        schema: e.schema.as_str().to_string(),
        caption: e.caption().to_string(),
        names: e
            .names
            .iter()
            .map(|n| NameOut {
                value: n.value.clone(),
                kind: n.kind.as_str().into(),
                lang: n.lang.clone(),
                note: n.note.clone(),
            })
            .collect(),
        gender: e.gender.as_ref().map(json_str),
        birth_dates: e.birth_dates.iter().map(|d| d.to_string()).collect(),
        birth_places: e.birth_places.clone(),
        nationalities: countries(&e.nationalities),
        citizenships: countries(&e.citizenships),
        countries: countries(&e.countries),
        identifiers: e
            .identifiers
            .iter()
            .map(|i| IdentifierOut {
                kind: json_str(&i.kind),
                value: i.value.clone(),
                country: i.country.clone(),
                label: i.label.clone(),
                note: i.note.clone(),
            })
            .collect(),
        addresses: e
            .addresses
            .iter()
            .map(|a| AddressOut {
                line: a.line(),
                street: a.street.clone(),
                city: a.city.clone(),
                region: a.region.clone(),
                postal_code: a.postal_code.clone(),
                country: a.country.clone(),
            })
            .collect(),
        programs: e.programs.clone(),
        listed_on: e.listed_on.map(|d| d.to_string()),
        positions: e.positions.clone(),
        remarks: e.remarks.clone(),
        relations,
        vessel: e.vessel.map(|v| VesselOut {
            flag: v.flag,
            vessel_type: v.vessel_type,
            tonnage: v.tonnage,
            gross_registered_tonnage: v.gross_registered_tonnage,
            owner: v.owner,
        }),
        extra: e.extra,
    }
}

/// Reads an id from the path: `list:list_id`, no path separators or traversal.
pub fn parse_id(raw: &str) -> Result<EntityId, ApiError> {
    let bad = |why: &str| {
        ApiError::bad_request(
            "invalid_id",
            format!(
                "{why}; entity ids look like `un_sc:KPi.033` (list key, colon, the publisher's id)"
            ),
        )
    };
    if raw.contains("..")
        || raw.contains('/')
        || raw.contains('\\')
        || raw.chars().any(char::is_control)
    {
        return Err(bad(
            "the id holds characters ids never hold (`/`, `\\`, `..`, control characters)",
        ));
    }
    raw.parse::<EntityId>().map_err(|e| bad(&e.to_string()))
}

/// One entity.
#[utoipa::path(
    get, path = "/v1/entities/{id}", tag = "entities",
    params(("id" = String, Path, description = "Entity id, `list:list_id`", example = "un_sc:KPi.033")),
    responses(
        (status = 200, description = "The entity, its source list and the snapshot", body = EntityResponse),
        (status = 400, description = "Not an entity id", body = crate::errors::ErrorBody),
        (status = 404, description = "No such entity in the snapshot in service", body = crate::errors::ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<EntityResponse>, ApiError> {
    let id = parse_id(&raw)?;
    let engine = engine(&state)?;
    let Some(meta) = engine.snapshot.manifest.lists.get(id.list()).cloned() else {
        return Err(ApiError::not_found(format!(
            "no list {:?} in the snapshot in service",
            id.list()
        )));
    };
    let e2 = engine.clone();
    let id2 = id.clone();
    let out = tokio::task::spawn_blocking(move || {
        e2.entity(&id2)
            .map(|found| found.map(|e| entity_out(e, &e2)))
    })
    .await
    .map_err(|e| ApiError::internal("reading the entity", &e))?
    .map_err(|e| ApiError::internal("reading the entity", &e))?;
    let Some(entity) = out else {
        return Err(ApiError::not_found(format!(
            "no entity {id} in the snapshot in service"
        )));
    };
    Ok(Json(EntityResponse {
        entity,
        source: SourceOut {
            list: meta.list,
            title: meta.title,
            publisher: meta.publisher,
            published: meta.published,
            imported_at: meta.imported_at,
            list_version: meta.version,
            format: meta.format,
        },
        snapshot: SnapshotRef::of(&engine),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_with_traversal_are_refused() {
        for bad in [
            "../../etc/passwd",
            "un_sc:../x",
            "un_sc:a/b",
            "UN SC:1",
            "nocolon",
            "un_sc:\u{0}",
        ] {
            assert_eq!(parse_id(bad).unwrap_err().code, "invalid_id", "{bad}");
        }
        assert_eq!(parse_id("un_sc:KPi.033").unwrap().list_id(), "KPi.033");
        assert_eq!(
            parse_id("opensanctions:NK-a:b").unwrap().list_id(),
            "NK-a:b"
        );
    }
}
