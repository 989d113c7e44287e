//! `GET /openapi.json`: an OpenAPI 3.1 description of the whole API, built from the same
//! constants the server uses (the route table below, [`ALL_FIELDS`], [`Status::ALL`], the
//! configuration keys), and checked against the running router by the end-to-end tests,
//! which call every documented route.

use axum::Json;
use judgebox_spec::Status;
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::format::{ALL_FIELDS, DEFAULT_FIELDS};

/// One documented operation: method, path, summary, and whether it needs `X-Auth-User`.
#[derive(Debug)]
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub authorized: bool,
}

const fn op(method: &'static str, path: &'static str, summary: &'static str) -> Operation {
    Operation {
        method,
        path,
        summary,
        authorized: false,
    }
}

/// Every route `app` serves.
pub const OPERATIONS: &[Operation] = &[
    op("get", "/", "Home page: 200 with an empty body, without authentication."),
    op("post", "/submissions", "Create a submission. Query: base64_encoded, wait, fields. 201 {token}, or the requested fields with wait=true; 422 with Judge0's errors hash."),
    Operation { authorized: true, ..op("get", "/submissions", "List submissions, newest first. Query: page, per_page, base64_encoded, fields.") },
    op("get", "/submissions/{token}", "Show a submission. Query: base64_encoded, fields."),
    Operation { authorized: true, ..op("delete", "/submissions/{token}", "Delete a finished submission (ENABLE_SUBMISSION_DELETE). Answers its fields, base64-encoded.") },
    op("post", "/submissions/batch", "Create up to MAX_SUBMISSION_BATCH_SIZE submissions: {submissions: [...]}. 201 if any is valid, else 422."),
    op("get", "/submissions/batch", "Show submissions by tokens (query or header `tokens`, comma-separated)."),
    op("get", "/languages", "Active languages available on this host: [{id, name}], sorted by name."),
    op("get", "/languages/all", "Every language, archived ones included: [{id, name, is_archived}]."),
    op("get", "/languages/{id}", "One language: {id, name, is_archived, source_file, compile_cmd, run_cmd}."),
    op("get", "/statuses", "The 14 statuses: [{id, description}]."),
    op("get", "/about", "{version: \"1.13.1\", homepage, source_code, maintainer}."),
    op("get", "/version", "The Judge0 version spoken, as text."),
    op("get", "/isolate", "The sandbox's version, as text."),
    op("get", "/license", "The license, as text."),
    op("get", "/system_info", "The host's lscpu fields, Mem and Swap."),
    op("get", "/config_info", "The configuration in force (Judge0's 39 keys)."),
    op("get", "/statistics", "Submission counts by day, language and status (cached 10 minutes; invalidate_cache=true)."),
    op("get", "/workers", "The queue: [{queue, size, available, idle, working, paused, failed}]."),
    op("get", "/health", "judgebox: liveness of the store and the workers."),
    op("post", "/authenticate", "200 when the X-Auth-Token credential is accepted, else 401."),
    Operation { authorized: true, ..op("post", "/authorize", "200 when X-Auth-User is accepted, else 403.") },
    op("get", "/openapi.json", "This document."),
];

fn submission_schema() -> Value {
    let mut properties = Map::new();
    for name in ALL_FIELDS {
        let schema = match name {
            "language_id"
            | "status_id"
            | "number_of_runs"
            | "memory"
            | "memory_limit"
            | "stack_limit"
            | "max_processes_and_or_threads"
            | "max_file_size"
            | "exit_code"
            | "exit_signal" => json!({"type": ["integer", "null"]}),
            "enable_per_process_and_thread_time_limit"
            | "enable_per_process_and_thread_memory_limit"
            | "redirect_stderr_to_stdout"
            | "enable_network" => json!({"type": "boolean"}),
            "time" | "wall_time" | "cpu_time_limit" | "cpu_extra_time" | "wall_time_limit" => {
                json!({"type": ["string", "null"], "description": "a decimal as a string, e.g. \"0.002\""})
            }
            "status" => {
                json!({"type": "object", "properties": {"id": {"type": "integer"}, "description": {"type": "string"}}})
            }
            "language" => {
                json!({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}})
            }
            _ => json!({"type": ["string", "null"]}),
        };
        properties.insert(name.to_string(), schema);
    }
    json!({
        "type": "object",
        "description": format!("Fields in this order; by default only {}.", DEFAULT_FIELDS.join(", ")),
        "properties": properties,
    })
}

/// The document.
pub fn build() -> Value {
    let mut paths = Map::new();
    for o in OPERATIONS {
        let mut operation = json!({
            "summary": o.summary,
            "responses": {"200": {"description": "OK"}},
        });
        if o.path.contains("{token}") {
            operation["parameters"] = json!([{"name": "token", "in": "path", "required": true, "schema": {"type": "string"}}]);
        } else if o.path.contains("{id}") {
            operation["parameters"] = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]);
        }
        if o.path != "/" {
            let mut security = vec![json!({"authToken": []})];
            if o.authorized {
                security = vec![json!({"authToken": [], "authUser": []})];
            }
            operation["security"] = Value::Array(security);
        }
        let entry = paths
            .entry(o.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[o.method] = operation;
    }
    let config_keys: Vec<String> = Config::default()
        .info()
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "judgebox (Judge0 CE 1.13.1-compatible API)",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Submission": submission_schema(),
                "Status": {
                    "type": "object",
                    "enum": Status::ALL.iter().map(|s| json!({"id": s.id(), "description": s.description()})).collect::<Vec<_>>(),
                },
                "ConfigInfo": {"type": "object", "required": config_keys},
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
            },
            "securitySchemes": {
                "authToken": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"},
                "authUser": {"type": "apiKey", "in": "header", "name": "X-Auth-User"},
            },
        },
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
