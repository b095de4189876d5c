//! The analyst's web UI: plain HTML, CSS and JavaScript compiled into the binary
//! (`include_str!`), no build step, no CDN, no cookies.
//!
//! One HTML shell is served for every UI page; `assets/app.js` routes by path and renders the
//! page with the JSON API. Pages live in `assets/pages/*.js`, each registering itself with
//! `WL.page(...)` and, when it belongs in the navigation, `WL.nav(...)`.
//!
//! Pages: search, entity, lists, documents (scan a pasted text, mentions highlighted),
//! payments (screen a pasted message, hits per field), alerts (the queue, and one alert with
//! the input beside the entity, the explanation, the history and the decision). To add a
//! page: write `assets/pages/NAME.js`, add it to [`ASSETS`] and to the `<script>` list in
//! `assets/index.html`, and add its path to [`PAGES`].

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// Embedded files: name under `/assets/`, content type, content.
pub const ASSETS: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("assets/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    ),
    (
        "pages/search.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/pages/search.js"),
    ),
    (
        "pages/entity.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/pages/entity.js"),
    ),
    (
        "pages/lists.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/pages/lists.js"),
    ),
    (
        "pages/documents.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/pages/documents.js"),
    ),
    (
        "pages/payments.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/pages/payments.js"),
    ),
    (
        "pages/alerts.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/pages/alerts.js"),
    ),
];

/// The UI page paths, each served the HTML shell.
pub const PAGES: &[&str] = &[
    "/",
    "/search",
    "/lists",
    "/entities/{id}",
    "/documents",
    "/payments",
    "/alerts",
    "/alerts/{id}",
];

const INDEX: &str = include_str!("assets/index.html");

/// Routes of the UI.
pub fn router() -> Router<AppState> {
    let mut r = Router::new().route("/assets/{*file}", get(asset));
    for p in PAGES {
        r = r.route(p, get(index));
    }
    r
}

fn secure(mut resp: Response, cache: &'static str) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    );
    resp
}

async fn index() -> Response {
    secure(
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response(),
        "no-cache",
    )
}

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, ctype, body)) => secure(
            ([(header::CONTENT_TYPE, *ctype)], *body).into_response(),
            "no-cache",
        ),
        None => crate::errors::ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such asset")
            .into_response(),
    }
}
