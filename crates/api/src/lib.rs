//! The Judge0 CE 1.13.1-compatible HTTP API: `app(state)` is the whole service as an axum
//! [`Router`]; [`service`] adds what Rails did around it (a trailing slash is optional).
//!
//! Every route, field, default, format, status code and error body follows
//! `reference/judge0-api.md`. Requests are Rails-style parameters ([`extract`]); submissions
//! are validated in [`input`] and printed by [`format`]; errors are one type ([`error`]).
//! The API never runs a program: it stores a submission, queues it for the engine, and reads
//! the verdict back from the store.
#![forbid(unsafe_code)]

pub mod callbacks;
pub mod config;
pub mod error;
pub mod extract;
pub mod format;
mod info;
pub mod input;
pub mod languages;
pub mod openapi;
pub mod submissions;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use judgebox_engine::Queue;
use judgebox_store::Store;
use serde_json::Value;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use config::Config;
use error::ApiError;
use extract::AllParams;
pub use languages::LanguageTable;

/// The Judge0 version judgebox speaks (the official SDK checks it).
pub const JUDGE0_VERSION: &str = "1.13.1";

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub queue: Queue,
    pub languages: Arc<LanguageTable>,
    statistics: Arc<tokio::sync::Mutex<Option<(Instant, Value)>>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(
        config: Arc<Config>,
        store: Arc<dyn Store>,
        queue: Queue,
        languages: Arc<LanguageTable>,
    ) -> AppState {
        AppState {
            config,
            store,
            queue,
            languages,
            statistics: Arc::default(),
        }
    }
}

/// Every route of the service.
pub fn app(state: AppState) -> Router {
    let cors = cors(&state.config);
    let body_limit = state.config.max_body_size;
    let checked = Router::new()
        .merge(submissions::router())
        .merge(info::router())
        .route("/openapi.json", get(openapi::document))
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        // Judge0's home page answers without any check.
        .route("/", get(|| async { StatusCode::OK }))
        .merge(checked)
        .fallback(|| async { ApiError::not_found() })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(error::render_framework_errors))
        .layer(cors)
        .with_state(state)
}

/// [`app`] with an optional trailing slash on every path, as Rails routes it.
pub fn service(state: AppState) -> Service {
    let app =
        tower::ServiceExt::map_request(app(state), json_format_suffix as fn(Request) -> Request);
    tower_http::normalize_path::NormalizePath::trim_trailing_slash(app)
}

/// The service [`service`] builds.
pub type Service = tower_http::normalize_path::NormalizePath<
    tower::util::MapRequest<Router, fn(Request) -> Request>,
>;

/// Rails' `(.:format)`: `/about.json` is `/about` asked for as JSON (so its errors are
/// rendered as JSON too). `/openapi.json` is a name, not a format.
fn json_format_suffix(mut request: Request) -> Request {
    let path = request.uri().path();
    let Some(stripped) = path.strip_suffix(".json").filter(|p| *p != "/openapi") else {
        return request;
    };
    let rewritten = match request.uri().query() {
        Some(q) => format!("{stripped}?{q}"),
        None => stripped.to_string(),
    };
    if let Ok(uri) = rewritten.parse() {
        *request.uri_mut() = uri;
        request.headers_mut().insert(
            axum::http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
    }
    request
}

fn cors(config: &Config) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods(tower_http::cors::AllowMethods::mirror_request())
        .allow_headers(tower_http::cors::AllowHeaders::mirror_request());
    if config.allow_origin.is_empty() && config.disallow_origin.is_empty() {
        return layer.allow_origin(tower_http::cors::Any);
    }
    let allow = config.allow_origin.clone();
    let deny = config.disallow_origin.clone();
    layer.allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        let origin = origin.to_str().unwrap_or("");
        let denied = deny.iter().any(|d| d == origin);
        let allowed = allow.is_empty() || allow.iter().any(|a| a == origin || a == "*");
        allowed && !denied
    }))
}

/// Constant-time comparison of a presented secret with each configured one.
fn matches_any(presented: Option<&str>, tokens: &[String]) -> bool {
    use subtle::ConstantTimeEq;
    let Some(presented) = presented else {
        return false;
    };
    tokens.iter().fold(false, |found, t| {
        found | bool::from(t.as_bytes().ct_eq(presented.as_bytes()))
    })
}

/// The value of a credential: the header, else a query or body parameter of the same name.
fn credential<'a>(headers: &'a HeaderMap, params: &'a AllParams, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .or_else(|| params.get_str(name))
}

/// Judge0's `verify_ip_address` and `authenticate_request`, before every route but `/`.
async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let config = &state.config;
    if request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    if !config.allow_ip.is_empty() || !config.disallow_ip.is_empty() {
        let ip = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default();
        let disallowed: Vec<&String> = config
            .disallow_ip
            .iter()
            .filter(|d| !config.allow_ip.contains(d))
            .collect();
        let allowed: Vec<&String> = config
            .allow_ip
            .iter()
            .filter(|a| !config.disallow_ip.contains(a))
            .collect();
        if disallowed.contains(&&ip) || (!allowed.is_empty() && !allowed.contains(&&ip)) {
            return StatusCode::FORBIDDEN.into_response();
        }
    }
    if !config.authn_token.is_empty() {
        // The token may come as a parameter, so the query string is enough to look in; a
        // body parameter is read only when no header or query value was given.
        let header = request
            .headers()
            .get(&config.authn_header)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let query = request.uri().query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == &config.authn_header)
                .map(|(_, v)| v.into_owned())
        });
        let presented = header.or(query);
        if presented.is_none() {
            // Only a body parameter is left to look in: read the body, and hand it on.
            let (parts, body) = request.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, config.max_body_size).await else {
                return StatusCode::PAYLOAD_TOO_LARGE.into_response();
            };
            let params = AllParams::parse(None, extract::content_type(&parts.headers), &bytes)
                .unwrap_or_default();
            if !matches_any(params.get_str(&config.authn_header), &config.authn_token) {
                return StatusCode::UNAUTHORIZED.into_response();
            }
            return next
                .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await;
        }
        if !matches_any(presented.as_deref(), &config.authn_token) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
    }
    next.run(request).await
}

/// Judge0's `authorize_request`: with no `AUTHZ_TOKEN` the protected routes are closed.
pub(crate) fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    params: &AllParams,
) -> Result<(), ApiError> {
    let config = &state.config;
    if config.authz_token.is_empty()
        || !matches_any(
            credential(headers, params, &config.authz_header),
            &config.authz_token,
        )
    {
        return Err(ApiError::Empty(StatusCode::FORBIDDEN));
    }
    Ok(())
}
