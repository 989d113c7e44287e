//! One error type for every route, answering exactly as Judge0 does and never leaking an
//! internal detail to the client (those go to the log).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug)]
pub enum ApiError {
    /// `{"error": "..."}` with a status: Judge0's application errors.
    Message(StatusCode, String),
    /// A validation failure: 422 with the errors hash.
    Invalid(Value),
    /// A status with an empty body (authentication and authorization failures).
    Empty(StatusCode),
    /// What Rails itself answers (unknown route or record, malformed body, a crash): a JSON
    /// body only for clients that accept nothing but JSON, else the status alone.
    Framework(StatusCode),
    /// The store cannot take writes (a full disk): the client should retry later.
    Unavailable(String),
    /// Anything else: logged, answered as Rails answers an exception.
    Internal(String),
}

impl ApiError {
    pub fn message(status: StatusCode, text: impl Into<String>) -> ApiError {
        ApiError::Message(status, text.into())
    }

    pub fn not_found() -> ApiError {
        ApiError::Framework(StatusCode::NOT_FOUND)
    }
}

impl From<judgebox_store::StoreError> for ApiError {
    fn from(e: judgebox_store::StoreError) -> ApiError {
        if e.is_unavailable() {
            ApiError::Unavailable(e.to_string())
        } else {
            ApiError::Internal(e.to_string())
        }
    }
}

/// Marks a response whose body depends on the request's `Accept` header; the
/// [`render_framework_errors`] middleware writes it.
#[derive(Debug, Clone, Copy)]
pub struct FrameworkError(pub StatusCode);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Message(status, text) => {
                (status, axum::Json(json!({ "error": text }))).into_response()
            }
            ApiError::Invalid(errors) => {
                (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(errors)).into_response()
            }
            ApiError::Empty(status) => status.into_response(),
            ApiError::Framework(status) => framework(status),
            ApiError::Unavailable(detail) => {
                tracing::error!(error = %detail, "store unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    axum::Json(json!({"error": "the submission store cannot take writes now; retry later"})),
                )
                    .into_response()
            }
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                framework(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

fn framework(status: StatusCode) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(FrameworkError(status));
    response
}

/// Rails' `PublicExceptions`: a JSON body when the request's format is JSON (an `Accept` of
/// exactly `application/json`), otherwise the status alone with `text/html`.
pub fn render_framework_error(request_headers: &HeaderMap, status: StatusCode) -> Response {
    let wants_json = request_headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.trim() == "application/json");
    if wants_json {
        let reason = status.canonical_reason().unwrap_or("Error");
        (
            status,
            axum::Json(json!({"status": status.as_u16(), "error": reason})),
        )
            .into_response()
    } else {
        let mut response = status.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }
}

/// Rewrites every framework error (including axum's own 404s, 405s and body rejections)
/// the way Rails would render it for this request.
pub async fn render_framework_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let status = response.status();
    let marked = response.extensions().get::<FrameworkError>().is_some();
    let axum_default = (status == StatusCode::NOT_FOUND
        || status == StatusCode::METHOD_NOT_ALLOWED
        || status == StatusCode::BAD_REQUEST
        || status == StatusCode::UNSUPPORTED_MEDIA_TYPE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_none_or(|ct| ct.to_str().is_ok_and(|ct| ct.starts_with("text/plain")));
    if marked || axum_default {
        // Rails answers an unknown route with 404 whatever the method.
        let status = if status == StatusCode::METHOD_NOT_ALLOWED {
            StatusCode::NOT_FOUND
        } else {
            status
        };
        return render_framework_error(&headers, status);
    }
    response
}
