//! The HTTP routes, the middleware around them, and helpers the handlers share.
//!
//! Route groups and who may call them (see [`crate::auth`]):
//! - read: `/v1/match`, `/match/{dataset}`, `/v1/search`, `/v1/entities/{id}`, `/v1/lists`,
//!   `/v1/reconcile`, `/v1/scan`, `/v1/screen/payment`, `/v1/screen/batch…` — open, or any
//!   key with `--require-key`;
//! - review: `GET /v1/alerts…` — always a key (any role): alerts hold the screened names;
//! - write: `POST /v1/alerts/{id}/decision` — a write (or admin) key, whose name is the
//!   reviewer;
//! - admin: `/v1/admin/update`, `/v1/admin/reload` — an admin key;
//! - open: `/healthz`, `/readyz`, `/metrics`, `/v1/openapi.json` and the web UI.
//!
//! Middleware, outermost first: CORS (only when origins are configured), panic catcher (a
//! JSON 500 without details), body-size limit, metrics, per-request timeout, then per group the
//! key check, which leaves the key's name in the request ([`crate::recording::Caller`]).

pub mod admin;
pub mod alerts;
pub mod batch;
pub mod entities;
pub mod health;
pub mod lists;
pub mod match_api;
pub mod metrics;
pub mod payment;
pub mod reconcile;
pub mod scan;
pub mod search;
pub mod yente;

use crate::auth::{authorize, Access, Role};
use crate::errors::ApiError;
use crate::query::{parse_example, Batch, EntityExample, ParsedQuery};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use engine::Engine;
use matcher::{Match, SearchOptions};
use std::sync::Arc;
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Added to answers computed on the built-in demo list.
pub const DEMO_WARNING: &str =
    "DEMO DATA: the server holds watchlist's small built-in demo list, not the real sanctions lists; import or update the lists";

/// The router with every route and middleware.
pub fn router(state: AppState, cors_origins: &[String]) -> Router {
    let read = Router::new()
        .route("/v1/match", post(match_api::post))
        .route("/match/{dataset}", post(yente::post))
        .route("/v1/search", get(search::get))
        .route("/v1/entities/{id}", get(entities::get))
        .route("/v1/lists", get(lists::get))
        .route("/v1/reconcile", get(reconcile::get).post(reconcile::post))
        .route("/v1/scan", post(scan::post))
        .route("/v1/screen/payment", post(payment::post))
        .route("/v1/screen/batch", post(batch::post))
        .route("/v1/screen/batch/{job}", get(batch::get))
        .route("/v1/screen/batch/{job}/hits", get(batch::hits))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth_read));
    // alerts carry the screened parties' names: a key is always needed to read them
    let review = Router::new()
        .route("/v1/alerts", get(alerts::list))
        .route("/v1/alerts/{id}", get(alerts::get))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth_review));
    let write = Router::new()
        .route("/v1/alerts/{id}/decision", post(alerts::decide))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth_write));
    let admin = Router::new()
        .route("/v1/admin/update", post(admin::update))
        .route("/v1/admin/reload", post(admin::reload))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth_admin));
    let open = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::get))
        .route("/v1/openapi.json", get(crate::openapi::get))
        .merge(crate::ui::router());
    let mut app = Router::new()
        .merge(read)
        .merge(review)
        .merge(write)
        .merge(admin)
        .merge(open)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), timeout))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(state.limits.body_bytes))
        .layer(CatchPanicLayer::custom(panic_response));
    if let Some(cors) = cors_layer(cors_origins) {
        app = app.layer(cors);
    }
    app.with_state(state)
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            axum::http::header::CONTENT_TYPE,
            axum::http::header::AUTHORIZATION,
            "x-api-key".parse().expect("header name"),
            "idempotency-key".parse().expect("header name"),
        ])
        .max_age(std::time::Duration::from_secs(600));
    if origins.iter().any(|o| o == "*") {
        return Some(layer.allow_origin(AllowOrigin::any()));
    }
    let list: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    Some(layer.allow_origin(list))
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the request failed on the server; the error is in the server log",
    )
    .into_response()
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    ApiError::not_found(format!(
        "no route {method} {path}; the API is described at /v1/openapi.json"
    ))
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{path} does not accept {method}; see /v1/openapi.json"),
    )
}

async fn auth_read(State(state): State<AppState>, req: Request, next: Next) -> Response {
    auth(&state, Access::Read, req, next).await
}

async fn auth_write(State(state): State<AppState>, req: Request, next: Next) -> Response {
    auth(&state, Access::Role(Role::Write), req, next).await
}

async fn auth_review(State(state): State<AppState>, req: Request, next: Next) -> Response {
    auth(&state, Access::Role(Role::Read), req, next).await
}

async fn auth_admin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    auth(&state, Access::Role(Role::Admin), req, next).await
}

async fn auth(state: &AppState, access: Access, mut req: Request, next: Next) -> Response {
    let keys = state.keys.load();
    match authorize(&keys, state.require_key, access, req.headers(), req.uri()) {
        Ok(name) => {
            req.extensions_mut().insert(crate::recording::Caller(name));
            next.run(req).await
        }
        Err(mut e) => {
            if req.uri().path().starts_with("/match/") {
                e = e.yente();
            }
            let mut resp = e.into_response();
            if resp.status() == StatusCode::UNAUTHORIZED {
                resp.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer"),
                );
            }
            resp
        }
    }
}

/// The route template of a request (not its path, so ids do not become labels).
fn route_of(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string())
}

async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_of(&req);
    let method = req.method().clone();
    let resp = next.run(req).await;
    let elapsed = started.elapsed();
    state
        .metrics
        .observe(&route, method.as_str(), resp.status().as_u16(), elapsed);
    tracing::debug!(%method, route, status = resp.status().as_u16(), micros = elapsed.as_micros() as u64, "request");
    resp
}

async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = if req.uri().path().starts_with("/v1/admin/") {
        state.limits.update_timeout
    } else {
        state.limits.timeout
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} s and was stopped; send smaller batches",
                limit.as_secs()
            ),
        )
        .into_response(),
    }
}

/// The engine in service, or `not_ready`.
pub fn engine(state: &AppState) -> Result<Arc<Engine>, ApiError> {
    state.engine().ok_or_else(ApiError::not_ready)
}

/// The request's Content-Type, lower case, without parameters (empty when absent).
pub fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Comma-separated list keys of a query parameter (`None` when absent or empty).
pub fn split_lists(v: Option<&str>) -> Option<Vec<String>> {
    let lists: Vec<String> = v?
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (!lists.is_empty()).then_some(lists)
}

/// Checks `limit` (1..=max), defaulting it.
pub fn check_limit(limit: Option<usize>, default: usize, max: usize) -> Result<usize, ApiError> {
    match limit {
        None => Ok(default.min(max)),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("limit must be between 1 and {max}, not {n}"),
        )),
    }
}

/// Checks a score parameter (0..=1).
pub fn check_score(name: &str, v: Option<f32>) -> Result<Option<f32>, ApiError> {
    match v {
        Some(x) if !(0.0..=1.0).contains(&x) || x.is_nan() => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("{name} must be between 0 and 1, not {x}"),
        )),
        other => Ok(other),
    }
}

/// Fails on list keys the snapshot does not hold.
pub fn validate_lists(engine: &Engine, lists: &[String]) -> Result<(), ApiError> {
    let known = &engine.snapshot.manifest.lists;
    if let Some(bad) = lists.iter().find(|l| !known.contains_key(l.as_str())) {
        let names: Vec<&str> = known.keys().map(String::as_str).collect();
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unknown_list",
            format!(
                "no list {:?} is loaded; loaded: {}",
                bad.chars().take(64).collect::<String>(),
                names.join(", ")
            ),
        ));
    }
    Ok(())
}

/// A batch read and screened.
pub struct Screened {
    /// The queries as read, with their client ids, in request order.
    pub queries: Vec<(String, ParsedQuery)>,
    /// Each query's matches, best first, in the order of `queries`.
    pub results: Vec<Vec<Match>>,
}

/// Reads every query of a batch (any error fails the request before screening starts), then
/// screens them on a blocking thread, stopping at the request timeout.
pub async fn screen_batch(
    state: &AppState,
    engine: &Arc<Engine>,
    batch: &Batch<EntityExample>,
    opts: SearchOptions,
) -> Result<Screened, ApiError> {
    let queries = batch
        .0
        .iter()
        .map(|(id, ex)| parse_example(id, ex).map(|p| (id.clone(), p)))
        .collect::<Result<Vec<_>, _>>()?;
    let results = run_queries(
        state,
        engine,
        queries.iter().map(|(_, p)| p.query.clone()).collect(),
        opts,
    )
    .await?;
    Ok(Screened { queries, results })
}

/// Screens queries on a blocking thread, holding one of the screening slots (one per core,
/// first come first served, with a deadline). The async workers only parse and write HTTP, so
/// they stay responsive, and under load requests are screened in arrival order: measured at
/// 256 connections, p99 latency fell from about 250 ms to about 90 ms (close to connections
/// divided by throughput) against screening on the async workers, for some 15% more CPU per
/// request.
pub async fn run_queries(
    state: &AppState,
    engine: &Arc<Engine>,
    queries: Vec<matcher::Query>,
    opts: SearchOptions,
) -> Result<Vec<Vec<Match>>, ApiError> {
    let permit = state
        .screening
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::internal("screening", &e))?;
    let e = engine.clone();
    let deadline = Instant::now() + state.limits.timeout;
    let results = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let mut out = Vec::with_capacity(queries.len());
        for q in &queries {
            if Instant::now() > deadline {
                return None;
            }
            out.push(e.search(q, &opts));
        }
        Some(out)
    })
    .await
    .map_err(|err| ApiError::internal("screening", &err))?
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the batch took too long; send smaller batches",
        )
    })?;
    for r in &results {
        state
            .metrics
            .screened(r.len(), r.iter().filter(|m| m.is_match).count());
    }
    Ok(results)
}
