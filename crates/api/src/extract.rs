//! Rails' `params`: the query string and the body (JSON or form) merged into one map.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde_json::Value;

use crate::error::ApiError;
use crate::input::{merge_pairs, Params};

/// All of a request's parameters.
#[derive(Debug, Default)]
pub struct AllParams(pub Params);

impl AllParams {
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// A flag Judge0 compares to the string `"true"` (`wait`, `base64_encoded`): a JSON
    /// boolean does not count, as in Judge0.
    pub fn is_true(&self, name: &str) -> bool {
        self.get_str(name) == Some("true")
    }
}

impl AllParams {
    /// Parses a query string and a body of the given content type.
    pub fn parse(
        query: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> Result<AllParams, ApiError> {
        let mut params = Params::new();
        if let Some(query) = query {
            merge_pairs(&mut params, query.as_bytes());
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(AllParams(params));
        }
        let content_type = content_type.to_ascii_lowercase();
        if content_type.starts_with("application/x-www-form-urlencoded") {
            merge_pairs(&mut params, body);
        } else if content_type.starts_with("application/json") || content_type.is_empty() {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => params.extend(map),
                // Rails puts a non-object JSON body under `_json`, where nothing reads it.
                Ok(_) => {}
                Err(_) => return Err(ApiError::Framework(StatusCode::BAD_REQUEST)),
            }
        }
        Ok(AllParams(params))
    }
}

/// The `Content-Type` of a request, or "".
pub fn content_type(headers: &axum::http::HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

impl<S: Send + Sync> FromRequest<S> for AllParams {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let query = request.uri().query().map(str::to_string);
        let content_type = content_type(request.headers()).to_string();
        let body = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::Message(e.status(), "request body is too large".into())
            } else {
                ApiError::Framework(StatusCode::BAD_REQUEST)
            }
        })?;
        AllParams::parse(query.as_deref(), &content_type, &body)
    }
}
