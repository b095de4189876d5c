//! Errors as API clients see them: an HTTP status and `{"error": {"code": "...", "message": "..."}}`.
//!
//! Messages say what was wrong with the request and never carry stack traces or paths of the
//! server's file system: internal failures are logged in full and answered with a generic
//! message. The yente-compatible routes add yente's `detail` field beside `error`.
//!
//! The extractors here ([`JsonBody`], [`ApiQuery`], [`ApiPath`], [`ApiForm`]) replace axum's so
//! that every rejection (bad JSON, wrong types, invalid UTF-8, a body over the limit) is answered
//! in the same JSON form.

use axum::extract::rejection::{BytesRejection, FormRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The stable machine-readable code, answered as `error.code`.
    pub code: &'static str,
    /// The sentence for the client, answered as `error.message`; it names no server path.
    pub message: String,
    /// Answer in yente's shape too (`detail` beside `error`).
    pub yente: bool,
    /// Where in the input the problem is (a malformed payment message).
    pub position: Option<ErrorPosition>,
}

/// Where in an input something is wrong; any subset may be known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorPosition {
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column (characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// 0-based byte offset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte: Option<u64>,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong: a stable code, a message and, for some errors, the position.
    pub error: ErrorDetail,
    /// Only on the yente-compatible routes: the message again, where yente clients read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `invalid_json`, `invalid_request`, `invalid_utf8`,
    /// `payload_too_large`, `too_many_queries`, `unknown_schema`, `unknown_property`,
    /// `invalid_value`, `invalid_id`, `not_found`, `unknown_list`, `unauthorized`, `forbidden`,
    /// `not_ready`, `timeout`, `busy`, `method_not_allowed`, `unsupported_media_type`,
    /// `update_failed`, `invalid_message`, `unknown_format`, `binary_input`,
    /// `invalid_idempotency_key`, `idempotency_conflict`, `refused`, `no_store`,
    /// `database_unavailable`, `internal`.
    #[schema(example = "invalid_json")]
    pub code: String,
    /// A sentence saying what was wrong and, where it helps, what to do.
    #[schema(example = "the body is not valid JSON: expected `,` or `}` at line 1 column 12")]
    pub message: String,
    /// Where in the input, when the error is about a place in it (`invalid_message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<ErrorPosition>,
}

impl ApiError {
    /// An error with a status, a code and a message (not in yente's shape, no position).
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            yente: false,
            position: None,
        }
    }
    /// The same error with the place in the input it is about.
    pub fn at(mut self, position: ErrorPosition) -> Self {
        self.position = Some(position);
        self
    }
    /// 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
    /// 422: well-formed JSON of the wrong shape.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
    }
    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    /// 503 `not_ready`: no snapshot is loaded yet.
    pub fn not_ready() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "no snapshot is loaded yet; retry in a moment (GET /readyz says when the server is ready)",
        )
    }
    /// A failure on the server's side: logged in full, answered with a generic message.
    pub fn internal(context: &str, err: &dyn std::fmt::Display) -> Self {
        tracing::error!("{context}: {err}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("{context} failed on the server; the error is in the server log"),
        )
    }
    /// The same error in yente's shape too.
    pub fn yente(mut self) -> Self {
        self.yente = true;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            detail: self.yente.then(|| self.message.clone()),
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                position: self.position,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// The first line of a serde or extractor message, without anything that could name a path.
fn clean(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or_default();
    first.chars().take(300).collect()
}

/// A JSON request body, checked in order: size, UTF-8, JSON syntax, then shape.
///
/// The body is read whole (bounded by the body-size limit), so invalid UTF-8 anywhere is
/// reported as `invalid_utf8` rather than as a JSON error at some string.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let ctype = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !ctype.is_empty() && !ctype.starts_with("application/json") && !ctype.contains("+json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("the body must be JSON (Content-Type: application/json), not {ctype:?}"),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(bytes_rejection)?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a JSON document with the checks and messages of [`JsonBody`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_json",
            "the body is empty; a JSON object is expected",
        ));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(ApiError::bad_request(
            "invalid_utf8",
            format!(
                "the body is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => {
                let msg = e.to_string();
                match too_many_marker(&msg) {
                    Some(m) => ApiError::bad_request("too_many_queries", m),
                    None => ApiError::invalid(format!(
                        "the JSON does not have the expected shape: {}",
                        clean(&msg)
                    )),
                }
            }
            Category::Eof => ApiError::bad_request(
                "invalid_json",
                format!("the JSON is cut short: {}", clean(&e.to_string())),
            ),
            Category::Syntax | Category::Io => ApiError::bad_request(
                "invalid_json",
                format!("the body is not valid JSON: {}", clean(&e.to_string())),
            ),
        }
    })
}

/// Prefix of the serde error raised by [`crate::query::Batch`] when a batch is too large.
pub const TOO_MANY: &str = "too many queries: ";

fn too_many_marker(msg: &str) -> Option<String> {
    let i = msg.find(TOO_MANY)?;
    let rest = &msg[i + TOO_MANY.len()..];
    let end = rest.find(" at line").unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// A body-read failure in the API's error form (413 for a body over the limit).
pub fn bytes_rejection(r: BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is larger than the server's limit",
        )
    } else {
        ApiError::bad_request(
            "invalid_body",
            format!(
                "the request body could not be read: {}",
                clean(&r.body_text())
            ),
        )
    }
}

/// Query-string parameters, with rejections in the API's error form.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if let Some(q) = parts.uri.query() {
            check_query_utf8(q)?;
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|r: QueryRejection| {
                ApiError::bad_request(
                    "invalid_parameter",
                    format!("invalid query parameters: {}", clean(&r.body_text())),
                )
            })
    }
}

/// Refuses a query string whose percent-decoded bytes are not UTF-8 (the standard decoder would
/// silently put U+FFFD in their place).
fn check_query_utf8(q: &str) -> Result<(), ApiError> {
    let b = q.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    std::str::from_utf8(&out).map(|_| ()).map_err(|_| {
        ApiError::bad_request(
            "invalid_utf8",
            "the query string is not valid UTF-8 once percent-decoded",
        )
    })
}

/// A path parameter, with rejections in the API's error form.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|r: PathRejection| {
                ApiError::bad_request(
                    "invalid_path",
                    format!("invalid path: {}", clean(&r.body_text())),
                )
            })
    }
}

/// A `application/x-www-form-urlencoded` body, with rejections in the API's error form.
#[derive(Debug)]
pub struct ApiForm<T>(pub T);

impl<S, T> FromRequest<S> for ApiForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        axum::extract::Form::<T>::from_request(req, state)
            .await
            .map(|f| ApiForm(f.0))
            .map_err(|r: FormRejection| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "the request body is larger than the server's limit",
                    )
                } else {
                    ApiError::bad_request(
                        "invalid_form",
                        format!("invalid form body: {}", clean(&r.body_text())),
                    )
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct T {
        a: u32,
    }

    #[test]
    fn json_errors_are_classified() {
        assert_eq!(parse_json::<T>(b"").unwrap_err().code, "invalid_json");
        assert_eq!(
            parse_json::<T>(b"{\"a\": 1").unwrap_err().code,
            "invalid_json"
        );
        assert_eq!(
            parse_json::<T>(b"{\"a\" 1}").unwrap_err().code,
            "invalid_json"
        );
        let e = parse_json::<T>(b"{\"a\": \"x\"}").unwrap_err();
        assert_eq!(
            (e.code, e.status),
            ("invalid_request", StatusCode::UNPROCESSABLE_ENTITY)
        );
        assert_eq!(
            check_query_utf8("q=%FF%FE").unwrap_err().code,
            "invalid_utf8"
        );
        assert!(check_query_utf8("q=K%C3%B6ln&x=%2").is_ok());
        let e = parse_json::<T>(b"{\"a\": \"\xff\"}").unwrap_err();
        assert_eq!(e.code, "invalid_utf8");
        assert!(parse_json::<T>(b"{\"a\": 3}").is_ok());
    }

    #[test]
    fn internal_errors_hide_details() {
        let e = ApiError::internal(
            "reading the entity",
            &"/var/lib/watchlist/lists/x: Permission denied",
        );
        assert!(!e.message.contains("/var/lib"));
    }
}
