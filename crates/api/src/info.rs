//! Languages, statuses, the information routes and the session routes.

use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use judgebox_spec::Status;
use judgebox_store::Timestamp;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::extract::AllParams;
use crate::format::timestamp;
use crate::{authorize, AppState};

/// Judge0 caches `/statistics` for ten minutes.
const STATISTICS_TTL: Duration = Duration::from_secs(600);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/languages", get(languages))
        .route("/languages/all", get(languages_all))
        .route("/languages/{id}", get(language))
        .route("/statuses", get(statuses))
        .route("/about", get(about))
        .route("/version", get(version))
        .route("/isolate", get(isolate))
        .route("/license", get(license))
        .route("/system_info", get(system_info))
        .route("/config_info", get(config_info))
        .route("/statistics", get(statistics))
        .route("/workers", get(workers))
        .route("/health", get(health))
        .route("/authenticate", post(authenticate))
        .route("/authorize", post(authorize_route))
}

async fn languages(State(state): State<AppState>) -> Json<Value> {
    Json(state.languages.active_json())
}

async fn languages_all(State(state): State<AppState>) -> Json<Value> {
    Json(state.languages.all_json())
}

async fn language(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: u32 = id.parse().map_err(|_| ApiError::not_found())?;
    state
        .languages
        .one_json(id)
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

async fn statuses() -> Json<Value> {
    Json(Value::Array(
        Status::ALL
            .iter()
            .map(|s| json!({"id": s.id(), "description": s.description()}))
            .collect(),
    ))
}

async fn about() -> Json<Value> {
    Json(json!({
        "version": crate::JUDGE0_VERSION,
        "homepage": "https://judge0.com",
        "source_code": "https://github.com/judge0/judge0",
        "maintainer": "Herman Zvonimir Došilović <hermanz.dosilovic@gmail.com>",
    }))
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn version() -> Response {
    text(crate::JUDGE0_VERSION.to_string())
}

async fn isolate() -> Response {
    text(format!(
        "The process isolator judgebox-jail {v}\n(c) judgebox contributors\nBuilt from judgebox {v} (namespaces, seccomp, cgroups, Landlock)\n",
        v = env!("CARGO_PKG_VERSION")
    ))
}

async fn license() -> Response {
    text(format!(
        "judgebox {} is licensed under {}.\n",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_LICENSE")
    ))
}

/// `lscpu`'s `Key: value` lines, then `Mem` and `Swap` from `free -h`, as Judge0 reports them.
async fn system_info() -> Json<Value> {
    let mut out = Map::new();
    let run = |program: &'static str, args: &'static [&'static str]| async move {
        tokio::process::Command::new(program)
            .args(args)
            .env("LC_ALL", "C")
            .output()
            .await
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    for line in run("lscpu", &[]).await.lines() {
        if let Some((key, value)) = line.split_once(':') {
            out.insert(key.trim().to_string(), json!(value.trim()));
        }
    }
    for line in run("free", &["-h"]).await.lines() {
        for name in ["Mem", "Swap"] {
            if let Some(rest) = line.strip_prefix(&format!("{name}:")) {
                if let Some(total) = rest.split_whitespace().next() {
                    out.insert(name.to_string(), json!(total));
                }
            }
        }
    }
    Json(Value::Object(out))
}

async fn config_info(State(state): State<AppState>) -> Json<Value> {
    Json(state.config.info())
}

async fn statistics(
    State(state): State<AppState>,
    params: AllParams,
) -> Result<Json<Value>, ApiError> {
    if params.is_true("invalidate_cache") {
        *state.statistics.lock().await = None;
    }
    let mut cache = state.statistics.lock().await;
    if let Some((at, value)) = cache.as_ref() {
        if at.elapsed() < STATISTICS_TTL {
            return Ok(Json(value.clone()));
        }
    }
    let now = Timestamp::now();
    let s = state.store.statistics(now).await?;
    // Ruby's DateTime#to_s: seconds precision with the offset spelled out.
    let rails_time = |ms: i64| format!("{}+00:00", &timestamp(ms)[..19]);
    let days: Map<String, Value> = s
        .last_30_days
        .iter()
        .map(|(day, n)| (day.clone(), json!(n)))
        .collect();
    let value = json!({
        "created_at": rails_time(now.as_millis()),
        "cached_until": rails_time(now.as_millis() + STATISTICS_TTL.as_millis() as i64),
        "submissions": {
            "total": s.total,
            "today": s.today,
            "last_30_days": days,
        },
        "languages": s.languages.iter().map(|(id, n)| json!({
            "language": {"id": id, "name": state.languages.name(*id)},
            "count": n,
        })).collect::<Vec<_>>(),
        "statuses": s.statuses.iter().map(|(id, n)| json!({
            "status": {"id": id, "name": Status::from_id(*id).map_or("", Status::description)},
            "count": n,
        })).collect::<Vec<_>>(),
        "database": {
            "size_pretty": pretty_size(s.database_size),
            "size_in_bytes": s.database_size,
        },
    });
    *cache = Some((Instant::now(), value.clone()));
    Ok(Json(value))
}

/// PostgreSQL's `pg_size_pretty`: bytes, kB, MB, GB, rounding half up below 10 k units.
fn pretty_size(bytes: u64) -> String {
    let mut size = bytes as f64;
    for unit in ["bytes", "kB", "MB", "GB"] {
        if size < 10_240.0 || unit == "GB" {
            return format!("{} {unit}", size.round() as u64);
        }
        size /= 1024.0;
    }
    unreachable!("the loop returns at GB")
}

async fn workers(State(state): State<AppState>) -> Json<Value> {
    let q = state.queue.stats();
    Json(json!([{
        "queue": crate::JUDGE0_VERSION,
        "size": q.pending,
        "available": q.workers,
        "idle": q.workers - q.working.min(q.workers),
        "working": q.working,
        "paused": 0,
        "failed": 0,
    }]))
}

/// judgebox's liveness probe: the store answers and the workers are there.
async fn health(State(state): State<AppState>) -> Response {
    match state.store.queue_len().await {
        Ok(queued) => Json(json!({
            "status": "ok",
            "queued": queued,
            "workers": state.queue.stats().workers,
        }))
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: store");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "store unavailable"})),
            )
                .into_response()
        }
    }
}

async fn authenticate() -> StatusCode {
    StatusCode::OK
}

async fn authorize_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: AllParams,
) -> Result<StatusCode, ApiError> {
    authorize(&state, &headers, &params)?;
    Ok(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_print_like_postgres() {
        assert_eq!(super::pretty_size(8192), "8192 bytes");
        assert_eq!(super::pretty_size(12 * 1024 * 1024), "12 MB");
    }
}
