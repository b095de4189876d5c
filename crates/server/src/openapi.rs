//! The OpenAPI 3 document, served at `/v1/openapi.json`.
//!
//! Every route is listed here; a test checks that each route of the router is documented.

use crate::routes::{
    admin, alerts, batch, entities, health, lists, match_api, metrics, payment, reconcile, scan,
    search, yente,
};
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key made with `watchlist serve --add-key NAME --role ROLE`. Also accepted as `Authorization: ApiKey KEY`, `X-API-Key: KEY` or `?api_key=KEY`."))
                    .build(),
            ),
        );
        c.add_security_scheme(
            "api_key_header",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "watchlist",
        description = "Sanctions screening against the official lists: batch matching (native and \
OpenSanctions yente-compatible), search, entity lookup, list status, OpenRefine reconciliation; \
documents, payment messages and rosters; the audit trail's alerts and decisions.\n\n\
Errors are JSON: `{\"error\": {\"code\": \"...\", \"message\": \"...\"}}`.\n\n\
Read endpoints are open unless the server runs with `--require-key`; decisions on alerts need a \
write key (its name is the reviewer); `/v1/admin/*` needs an admin key. With `--record` every \
screening is recorded and opens alerts; an `Idempotency-Key` header makes recording idempotent.",
        license(name = "Apache-2.0"),
    ),
    paths(
        match_api::post,
        yente::post,
        search::get,
        entities::get,
        lists::get,
        reconcile::get,
        reconcile::post,
        scan::post,
        payment::post,
        batch::post,
        batch::get,
        batch::hits,
        alerts::list,
        alerts::get,
        alerts::decide,
        admin::update,
        admin::reload,
        health::healthz,
        health::readyz,
        metrics::get,
    ),
    components(schemas(crate::types::ReasonSchema, crate::plain::Segment, crate::auth::Role)),
    modifiers(&Security),
    tags(
        (name = "screening", description = "Screen names and entities against the lists"),
        (name = "yente", description = "OpenSanctions yente-compatible matching"),
        (name = "entities", description = "Listed entities"),
        (name = "lists", description = "The lists in service"),
        (name = "reconciliation", description = "W3C Reconciliation Service API (OpenRefine)"),
        (name = "documents", description = "Mentions of listed entities and sanctioned regions in documents"),
        (name = "payments", description = "Payment messages: ISO 20022 pacs.008 and pain.001, SWIFT MT103 and MT101"),
        (name = "rosters", description = "Rosters of people and companies, screened as background jobs"),
        (name = "alerts", description = "The audit trail's alerts: the queue, one alert for review, decisions (four eyes)"),
        (name = "admin", description = "Updates and reloads (admin key)"),
        (name = "operations", description = "Health, readiness, metrics"),
    )
)]
/// The OpenAPI document's definition: every route, the schemas the routes do not reach,
/// the security schemes and the tags ([`document`] serves it).
pub struct ApiDoc;

/// The document as JSON, built once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_string();
        doc.to_pretty_json()
            .expect("the OpenAPI document serialises")
    })
}

/// The OpenAPI document.
pub async fn get() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_every_api_route_and_the_reasons() {
        let doc: serde_json::Value = serde_json::from_str(document()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        for p in [
            "/v1/match",
            "/match/{dataset}",
            "/v1/search",
            "/v1/entities/{id}",
            "/v1/lists",
            "/v1/reconcile",
            "/v1/scan",
            "/v1/screen/payment",
            "/v1/screen/batch",
            "/v1/screen/batch/{job}",
            "/v1/screen/batch/{job}/hits",
            "/v1/alerts",
            "/v1/alerts/{id}",
            "/v1/alerts/{id}/decision",
            "/v1/admin/update",
            "/v1/admin/reload",
            "/healthz",
            "/readyz",
            "/metrics",
        ] {
            assert!(paths.contains_key(p), "{p} is not documented");
        }
        let reason = &doc["components"]["schemas"]["Reason"];
        assert_eq!(
            reason["enum"].as_array().unwrap().len(),
            crate::types::REASONS.len()
        );
        assert!(reason["description"]
            .as_str()
            .unwrap()
            .contains("transliteration"));
        for s in [
            "MatchRequest",
            "MatchResponse",
            "EntityExample",
            "ExplanationOut",
            "YenteMatchResponse",
            "EntityResponse",
            "ListsResponse",
            "ErrorBody",
            "ScanResponse",
            "PaymentResponse",
            "JobView",
            "AlertCaseOut",
            "DecisionRequest",
        ] {
            assert!(
                doc["components"]["schemas"].get(s).is_some(),
                "schema {s} missing"
            );
        }
    }
}
