//! End-to-end over real HTTP: every documented route answers, the information routes have
//! Judge0 CE 1.13.1's shapes, and what Rails does around the routes (404s, trailing slashes,
//! CORS) is reproduced. One server for the whole file. Needs root.

mod common;

use common::{keys, Server, ACCEPTED};
use judgebox_api::openapi::OPERATIONS;
use serde_json::{json, Value};

const STATUSES: [&str; 14] = [
    "In Queue",
    "Processing",
    "Accepted",
    "Wrong Answer",
    "Time Limit Exceeded",
    "Compilation Error",
    "Runtime Error (SIGSEGV)",
    "Runtime Error (SIGXFSZ)",
    "Runtime Error (SIGFPE)",
    "Runtime Error (SIGABRT)",
    "Runtime Error (NZEC)",
    "Runtime Error (Other)",
    "Internal Error",
    "Exec Format Error",
];

/// `/config_info`'s keys in Judge0 CE 1.13.1's order (the official SDK needs all of them).
const CONFIG_KEYS: [&str; 39] = [
    "maintenance_mode",
    "enable_wait_result",
    "enable_compiler_options",
    "allowed_languages_for_compile_options",
    "enable_command_line_arguments",
    "enable_submission_delete",
    "enable_callbacks",
    "callbacks_max_tries",
    "callbacks_timeout",
    "enable_additional_files",
    "max_queue_size",
    "cpu_time_limit",
    "max_cpu_time_limit",
    "cpu_extra_time",
    "max_cpu_extra_time",
    "wall_time_limit",
    "max_wall_time_limit",
    "memory_limit",
    "max_memory_limit",
    "stack_limit",
    "max_stack_limit",
    "max_processes_and_or_threads",
    "max_max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit",
    "allow_enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit",
    "allow_enable_per_process_and_thread_memory_limit",
    "max_file_size",
    "max_max_file_size",
    "number_of_runs",
    "max_number_of_runs",
    "redirect_stderr_to_stdout",
    "max_extract_size",
    "enable_batched_submissions",
    "max_submission_batch_size",
    "submission_cache_duration",
    "use_docs_as_homepage",
    "allow_enable_network",
    "enable_network",
];

/// PostgreSQL's `en_US.utf8` order at its first level, as Judge0's listing shows it:
/// letters and digits only, case folded.
fn collation_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn routes_info_languages_and_framework_behaviour() {
    let server = Server::start(&[]);

    // GET / answers without any check, with an empty body.
    let home = server.get("/");
    assert_eq!((home.status, home.body.len()), (200, 0), "{home}");

    // A finished submission, for the routes that take a token.
    let created = server.post_json(
        "/submissions?wait=true",
        &json!({"source_code": "print('routes')", "language_id": 71}),
    );
    assert_eq!(created.status, 201, "{created}");
    let token = created.json()["token"].as_str().unwrap().to_string();
    assert_eq!(created.json()["status"]["id"], ACCEPTED, "{created}");

    every_documented_route_answers(&server, &token);
    info_routes(&server);
    languages_and_statuses(&server);
    framework_behaviour(&server, &token);
    cors(&server);
}

/// Each operation of `openapi::OPERATIONS` is served (not 404) with its documented answer
/// on a default configuration, and `/openapi.json` lists them all.
fn every_documented_route_answers(server: &Server, token: &str) {
    let submission = json!({"source_code": "print(1)", "language_id": 71}).to_string();
    let batch =
        json!({"submissions": [{"source_code": "print(2)", "language_id": 71}]}).to_string();
    for op in OPERATIONS {
        let path = op.path.replace("{token}", token).replace("{id}", "71");
        let (path, body): (String, &[u8]) = match (op.method, op.path) {
            ("post", "/submissions") => (path, submission.as_bytes()),
            ("post", "/submissions/batch") => (path, batch.as_bytes()),
            ("get", "/submissions/batch") => (format!("{path}?tokens={token}"), b""),
            _ => (path, b""),
        };
        let method = op.method.to_ascii_uppercase();
        let r = server.send(
            &method,
            &path,
            &[("Content-Type", "application/json")],
            body,
        );
        assert_ne!(
            r.status, 404,
            "{method} {path} is documented but answers 404"
        );
        let expected = match (op.method, op.path) {
            ("post", "/submissions") | ("post", "/submissions/batch") => 201,
            // With no AUTHZ_TOKEN configured, the authorized routes are closed to everyone.
            _ if op.authorized => 403,
            _ => 200,
        };
        assert_eq!(r.status, expected, "{method} {path}: {r}");
    }

    let doc = server.get("/openapi.json");
    assert_eq!(doc.status, 200, "{doc}");
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for op in OPERATIONS {
        assert!(
            doc["paths"][op.path][op.method].is_object(),
            "/openapi.json lacks {} {}",
            op.method,
            op.path
        );
    }
    // And every Judge0 route is documented.
    for (method, path) in [
        ("get", "/"),
        ("post", "/submissions"),
        ("get", "/submissions"),
        ("get", "/submissions/{token}"),
        ("delete", "/submissions/{token}"),
        ("post", "/submissions/batch"),
        ("get", "/submissions/batch"),
        ("get", "/languages"),
        ("get", "/languages/all"),
        ("get", "/languages/{id}"),
        ("get", "/statuses"),
        ("get", "/system_info"),
        ("get", "/config_info"),
        ("get", "/isolate"),
        ("get", "/about"),
        ("get", "/version"),
        ("get", "/license"),
        ("get", "/statistics"),
        ("post", "/authenticate"),
        ("post", "/authorize"),
        ("get", "/workers"),
    ] {
        assert!(
            OPERATIONS
                .iter()
                .any(|o| o.method == method && o.path == path),
            "Judge0's {method} {path} is not in OPERATIONS"
        );
    }
}

fn info_routes(server: &Server) {
    let about = server.get("/about");
    assert_eq!(about.status, 200);
    assert_eq!(
        about.keys(),
        ["version", "homepage", "source_code", "maintainer"]
    );
    let about = about.json();
    assert_eq!(about["version"], "1.13.1");
    for key in ["homepage", "source_code", "maintainer"] {
        assert!(about[key].is_string(), "/about {key}: {about}");
    }

    let version = server.get("/version");
    assert_eq!((version.status, version.text().trim()), (200, "1.13.1"));
    assert!(
        version
            .header("content-type")
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        version.headers
    );
    for path in ["/isolate", "/license"] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}: {r}");
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
        assert!(!r.text().trim().is_empty(), "{path} is empty");
    }

    let config = server.get("/config_info");
    assert_eq!(config.status, 200);
    assert_eq!(config.keys(), CONFIG_KEYS, "/config_info keys");
    let text = config.text();
    // Ruby Floats print with a decimal point; Integers without.
    for fragment in [
        r#""cpu_time_limit":5.0"#,
        r#""max_cpu_time_limit":15.0"#,
        r#""wall_time_limit":10.0"#,
        r#""callbacks_timeout":5.0"#,
        r#""submission_cache_duration":1.0"#,
        r#""memory_limit":128000"#,
        r#""max_file_size":1024"#,
        r#""max_submission_batch_size":20"#,
        r#""allowed_languages_for_compile_options":[]"#,
        r#""maintenance_mode":false"#,
        r#""enable_wait_result":true"#,
        r#""enable_submission_delete":false"#,
        r#""max_queue_size":100"#,
    ] {
        assert!(
            text.contains(fragment),
            "/config_info lacks {fragment}: {text}"
        );
    }

    let workers = server.get("/workers");
    assert_eq!(workers.status, 200);
    let workers = workers.json();
    let list = workers.as_array().expect("/workers is an array");
    assert_eq!(list.len(), 1, "{workers}");
    assert_eq!(
        keys(&list[0]),
        [
            "queue",
            "size",
            "available",
            "idle",
            "working",
            "paused",
            "failed"
        ]
    );
    assert_eq!(list[0]["queue"], "1.13.1");
    assert_eq!(list[0]["available"], server.workers);
    for key in ["size", "idle", "working", "paused", "failed"] {
        assert!(list[0][key].is_u64(), "/workers {key}: {workers}");
    }

    let stats = server.get("/statistics?invalidate_cache=true");
    assert_eq!(stats.status, 200, "{stats}");
    assert_eq!(
        stats.keys(),
        [
            "created_at",
            "cached_until",
            "submissions",
            "languages",
            "statuses",
            "database"
        ]
    );
    let stats = stats.json();
    assert!(
        stats["created_at"].as_str().unwrap().ends_with("+00:00"),
        "{stats}"
    );
    assert_eq!(
        keys(&stats["submissions"]),
        ["total", "today", "last_30_days"]
    );
    assert!(
        stats["submissions"]["total"].as_u64().unwrap() >= 1,
        "{stats}"
    );
    let python = stats["languages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["language"]["id"] == 71)
        .unwrap_or_else(|| panic!("no Python in {stats}"));
    assert!(python["count"].as_u64().unwrap() >= 1);
    assert!(python["language"]["name"].is_string());
    let accepted = stats["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"]["id"] == ACCEPTED)
        .unwrap_or_else(|| panic!("no Accepted in {stats}"));
    assert_eq!(accepted["status"]["name"], "Accepted");
    assert_eq!(keys(&stats["database"]), ["size_pretty", "size_in_bytes"]);

    let system = server.get("/system_info");
    assert_eq!(system.status, 200, "{system}");
    let system = system.json();
    assert!(system.is_object(), "{system}");
    assert!(
        system["Mem"].is_string(),
        "/system_info has no Mem: {system}"
    );
    assert!(
        system["Architecture"].is_string(),
        "/system_info has no lscpu Architecture: {system}"
    );

    let health = server.get("/health");
    assert_eq!(health.status, 200, "{health}");
    assert_eq!(health.json()["status"], "ok");
}

fn languages_and_statuses(server: &Server) {
    let statuses = server.get("/statuses");
    assert_eq!(statuses.status, 200);
    let statuses = statuses.json();
    let list = statuses.as_array().unwrap();
    assert_eq!(list.len(), 14, "{statuses}");
    for (i, s) in list.iter().enumerate() {
        assert_eq!(keys(s), ["id", "description"]);
        assert_eq!(s["id"], i as u64 + 1);
        assert_eq!(s["description"], STATUSES[i]);
    }

    let active = server.get("/languages");
    assert_eq!(active.status, 200);
    let active = active.json();
    let active = active.as_array().unwrap();
    for l in active {
        assert_eq!(keys(l), ["id", "name"], "{l}");
        assert!(
            l["id"].as_u64().unwrap() >= 43,
            "archived in /languages: {l}"
        );
    }
    let ids: Vec<u64> = active.iter().map(|l| l["id"].as_u64().unwrap()).collect();
    for id in [43, 46, 50, 54, 62, 63, 71] {
        assert!(ids.contains(&id), "/languages lacks {id}: {ids:?}");
    }
    let names: Vec<&str> = active.iter().map(|l| l["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_cached_key(|n| (collation_key(n), n.to_string()));
    assert_eq!(names, sorted, "/languages is not in Judge0's name order");

    let all = server.get("/languages/all");
    assert_eq!(all.status, 200);
    let all = all.json();
    let all = all.as_array().unwrap();
    for l in all {
        assert_eq!(keys(l), ["id", "name", "is_archived"], "{l}");
        let id = l["id"].as_u64().unwrap();
        assert_eq!(l["is_archived"], id <= 42, "{l}");
    }
    for id in 1..=42u64 {
        assert!(
            all.iter().any(|l| l["id"] == id),
            "/languages/all lacks archived {id}"
        );
    }
    for l in active {
        assert!(all
            .iter()
            .any(|a| a["id"] == l["id"] && a["name"] == l["name"]));
    }
    let find = |id: u64| all.iter().find(|l| l["id"] == id).unwrap();
    assert_eq!(find(1)["name"], "Bash (4.4)");
    assert_eq!(find(26)["name"], "Java (OpenJDK 9 with Eclipse OpenJ9)");
    assert_eq!(find(42)["name"], "Rust (1.20.0)");
    let all_names: Vec<&str> = all.iter().map(|l| l["name"].as_str().unwrap()).collect();
    let mut sorted = all_names.clone();
    sorted.sort_by_cached_key(|n| (collation_key(n), n.to_string()));
    assert_eq!(all_names, sorted, "/languages/all is not in name order");

    let python = server.get("/languages/71");
    assert_eq!(python.status, 200);
    assert_eq!(
        python.keys(),
        [
            "id",
            "name",
            "is_archived",
            "source_file",
            "compile_cmd",
            "run_cmd"
        ]
    );
    let python = python.json();
    assert_eq!(python["id"], 71);
    assert_eq!(python["is_archived"], false);
    assert_eq!(python["source_file"], "script.py");
    assert_eq!(python["compile_cmd"], Value::Null);
    assert!(python["run_cmd"].as_str().unwrap().contains("script.py"));
    assert!(python["name"].as_str().unwrap().starts_with("Python (3."));

    let c = server.get("/languages/50").json();
    assert_eq!(c["source_file"], "main.c");
    assert!(c["compile_cmd"].as_str().unwrap().contains("main.c"), "{c}");

    let archived = server.get("/languages/4");
    assert_eq!(archived.status, 200);
    assert_eq!(archived.json()["is_archived"], true);
    assert_eq!(archived.json()["name"], "C (gcc 7.2.0)");

    for path in ["/languages/9999", "/languages/abc", "/languages/-1"] {
        let r = server.get(path);
        assert_eq!((r.status, r.body.len()), (404, 0), "{path}: {r}");
    }
}

fn framework_behaviour(server: &Server, token: &str) {
    // Unknown routes: the status alone for curl-like clients, Rails' JSON for JSON-only ones.
    for path in ["/nope", "/submissions/a/b", "/languages/71/x"] {
        let r = server.get(path);
        assert_eq!((r.status, r.body.len()), (404, 0), "{path}: {r}");
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with("text/html")),
            "{path}: {:?}",
            r.headers
        );
        let r = server.get_with(path, &[("Accept", "application/json")]);
        assert_eq!(r.status, 404);
        assert_eq!(r.json(), json!({"status": 404, "error": "Not Found"}));
    }
    // axios' Accept list is not "JSON only" for Rails.
    let r = server.get_with("/nope", &[("Accept", "application/json, text/plain, */*")]);
    assert_eq!((r.status, r.body.len()), (404, 0), "{r}");
    // A wrong method is an unknown route too.
    for (method, path) in [
        ("POST", "/languages"),
        ("PUT", "/submissions"),
        ("DELETE", "/about"),
    ] {
        let r = server.send(method, path, &[], b"");
        assert_eq!((r.status, r.body.len()), (404, 0), "{method} {path}: {r}");
    }
    let unknown = server.get("/submissions/00000000-0000-4000-8000-000000000000");
    assert_eq!((unknown.status, unknown.body.len()), (404, 0), "{unknown}");

    // Rails routes take an optional trailing slash.
    let r = server.get(&format!("/submissions/{token}/"));
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(r.json()["token"], token);
    for path in ["/languages/", "/languages/71/", "/statuses/", "/about/"] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}: {r}");
    }
    let r = server.post_json(
        "/submissions/",
        &json!({"source_code": "print(1)", "language_id": 71}),
    );
    assert_eq!(r.status, 201, "{r}");

    // The authorized routes are closed when no AUTHZ_TOKEN is configured, whatever is sent.
    for headers in [&[][..], &[("X-Auth-User", "anyone")][..]] {
        let index = server.get_with("/submissions", headers);
        assert_eq!((index.status, index.body.len()), (403, 0), "{index}");
        let delete = server.delete_with(&format!("/submissions/{token}"), headers);
        assert_eq!((delete.status, delete.body.len()), (403, 0), "{delete}");
        let authorize = server.send("POST", "/authorize", headers, b"");
        assert_eq!((authorize.status, authorize.body.len()), (403, 0));
    }
    // No AUTHN_TOKEN: authentication is off.
    let r = server.send("POST", "/authenticate", &[], b"");
    assert_eq!((r.status, r.body.len()), (200, 0), "{r}");
}

fn cors(server: &Server) {
    let origin = "http://ide.example.com";
    let preflight = server.send(
        "OPTIONS",
        "/submissions",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type,x-auth-token",
            ),
        ],
        b"",
    );
    assert!(
        preflight.status == 200 || preflight.status == 204,
        "preflight: {preflight}"
    );
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("*"),
        "{:?}",
        preflight.headers
    );
    let methods = preflight
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    assert!(methods.contains("POST"), "{:?}", preflight.headers);
    let allowed = preflight
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("content-type") && allowed.contains("x-auth-token"),
        "{:?}",
        preflight.headers
    );
    // Preflights of every route, token routes included.
    let r = server.send(
        "OPTIONS",
        "/submissions/batch",
        &[("Origin", origin), ("Access-Control-Request-Method", "GET")],
        b"",
    );
    assert!(r.status == 200 || r.status == 204, "{r}");

    let get = server.get_with("/languages", &[("Origin", origin)]);
    assert_eq!(get.status, 200);
    assert_eq!(get.header("access-control-allow-origin"), Some("*"));
    let post = server.post_json_with(
        "/submissions",
        &[("Origin", origin)],
        &json!({"source_code": "print(1)", "language_id": 71}),
    );
    assert_eq!(post.status, 201);
    assert_eq!(post.header("access-control-allow-origin"), Some("*"));
    let error = server.get_with("/nope", &[("Origin", origin)]);
    assert_eq!(error.header("access-control-allow-origin"), Some("*"));
}

/// Rails routes take an optional `.json` format suffix (`resources ...` and `get 'about'`
/// are `(.:format)` routes), so `/about.json`, `/languages/71.json` or
/// `/submissions/TOKEN.json` answer in Judge0 like the plain paths.
#[test]
fn a_json_format_suffix_is_accepted() {
    let server = Server::start(&[]);
    let r = server.post_json(
        "/submissions.json?wait=true",
        &json!({"source_code": "print('suffix')", "language_id": 71}),
    );
    assert_eq!(r.status, 201, "POST /submissions.json: {r}");
    let token = r.json()["token"].as_str().unwrap().to_string();
    for path in [
        "/about.json".to_string(),
        "/languages.json".to_string(),
        "/languages/all.json".to_string(),
        "/languages/71.json".to_string(),
        "/statuses.json".to_string(),
        "/config_info.json".to_string(),
        format!("/submissions/{token}.json"),
        format!("/submissions/batch.json?tokens={token}"),
    ] {
        let r = server.get(&path);
        assert_eq!(r.status, 200, "GET {path}: {r}");
    }
}
