//! End-to-end over real HTTP: the settings that close parts of the API (wait, batches,
//! maintenance, the queue's size), the index with its paging, and DELETE. Needs root.

mod common;

use std::time::Duration;

use common::{encode64, keys, Server, ACCEPTED, DEFAULT_FIELDS, IN_QUEUE, PROCESSING};
use serde_json::{json, Value};

const FINAL: Duration = Duration::from_secs(60);
const ADMIN: &[(&str, &str)] = &[("X-Auth-User", "admin")];

fn py(source: &str) -> Value {
    json!({"source_code": source, "language_id": 71})
}

#[test]
fn index_delete_wait_batches_and_queue_limits() {
    let server = Server::options()
        .workers(1)
        .env("AUTHZ_TOKEN", "admin")
        .env("ENABLE_SUBMISSION_DELETE", "true")
        .env("ENABLE_WAIT_RESULT", "false")
        .env("ENABLE_BATCHED_SUBMISSIONS", "false")
        .env("MAX_QUEUE_SIZE", "1")
        .start();

    let config = server.get("/config_info").json();
    assert_eq!(config["enable_wait_result"], false);
    assert_eq!(config["enable_submission_delete"], true);
    assert_eq!(config["enable_batched_submissions"], false);
    assert_eq!(config["max_queue_size"], 1);

    // wait=true is refused (before validation); wait=false works.
    let r = server.post_json("/submissions?wait=true", &py("print(1)"));
    assert_eq!(r.status, 400, "{r}");
    assert_eq!(r.json(), json!({"error": "wait not allowed"}));
    let r = server.post_json("/submissions?wait=true", &json!({}));
    assert_eq!(r.json(), json!({"error": "wait not allowed"}));

    // Batches are refused both ways.
    let r = server.post_json(
        "/submissions/batch",
        &json!({"submissions": [py("print(1)")]}),
    );
    assert_eq!(r.status, 400, "{r}");
    assert_eq!(
        r.json(),
        json!({"error": "batched submissions are not allowed"})
    );
    let r = server.get("/submissions/batch?tokens=a,b");
    assert_eq!(r.status, 400, "{r}");
    assert_eq!(
        r.json(),
        json!({"error": "batched submissions are not allowed"})
    );

    // Two finished submissions for the index.
    let older =
        server.submit(&json!({"source_code": "print('older')", "language_id": 71, "stdin": "in"}));
    server.wait_final(&older, FINAL);
    std::thread::sleep(Duration::from_millis(5));
    let newer = server.submit(&py("print('newer')"));
    server.wait_final(&newer, FINAL);

    // The index, newest first, with Rails' paging meta.
    let r = server.get_with("/submissions", ADMIN);
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(r.keys(), ["submissions", "meta"]);
    let v = r.json();
    let list = v["submissions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(keys(&list[0]), DEFAULT_FIELDS);
    assert_eq!(list[0]["token"], newer);
    assert_eq!(list[1]["token"], older);
    assert_eq!(
        v["meta"],
        json!({"current_page": 1, "next_page": null, "prev_page": null, "total_pages": 1, "total_count": 2})
    );
    assert_eq!(
        keys(&v["meta"]),
        [
            "current_page",
            "next_page",
            "prev_page",
            "total_pages",
            "total_count"
        ]
    );
    let page1 = server
        .get_with("/submissions?per_page=1&fields=token,stdout", ADMIN)
        .json();
    assert_eq!(
        page1,
        json!({"submissions": [{"stdout": "newer\n", "token": newer}],
               "meta": {"current_page": 1, "next_page": 2, "prev_page": null, "total_pages": 2, "total_count": 2}})
    );
    let page2 = server
        .get_with(
            "/submissions?per_page=1&page=2&fields=token,stdout&base64_encoded=true",
            ADMIN,
        )
        .json();
    assert_eq!(
        page2,
        json!({"submissions": [{"stdout": encode64(b"older\n"), "token": older}],
               "meta": {"current_page": 2, "next_page": null, "prev_page": 1, "total_pages": 2, "total_count": 2}})
    );
    let page3 = server
        .get_with("/submissions?per_page=1&page=3", ADMIN)
        .json();
    assert_eq!(page3["submissions"], json!([]));
    assert_eq!(page3["meta"]["prev_page"], 2);
    for (query, error) in [
        ("page=0", "invalid page: 0"),
        ("page=abc", "invalid page: 0"),
        ("page=-3", "invalid page: -3"),
        ("per_page=-1", "invalid per_page: -1"),
    ] {
        let r = server.get_with(&format!("/submissions?{query}"), ADMIN);
        assert_eq!(r.status, 400, "{query}: {r}");
        assert_eq!(r.json(), json!({ "error": error }), "{query}");
    }
    let r = server.get_with("/submissions?fields=nope", ADMIN);
    assert_eq!(r.json(), json!({"error": "invalid fields: [nope]"}));
    // Authorization comes before the fields check.
    let r = server.get("/submissions?fields=nope");
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");
    let r = server.get("/submissions");
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");

    // DELETE a finished submission: its fields, base64-encoded whatever was asked; gone after.
    let path = format!("/submissions/{older}");
    let r = server.delete_with(&path, &[]);
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");
    let r = server.delete_with(&format!("{path}?fields=nope"), ADMIN);
    assert_eq!(r.json(), json!({"error": "invalid fields: [nope]"}));
    let r = server.delete_with(&format!("{path}?fields=token,stdin,stdout,status"), ADMIN);
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(
        r.json(),
        json!({"stdin": encode64(b"in"), "stdout": encode64(b"older\n"), "token": older,
               "status": {"id": 3, "description": "Accepted"}})
    );
    let r = server.get(&path);
    assert_eq!((r.status, r.body.len()), (404, 0), "deleted: {r}");
    let r = server.delete_with(&path, ADMIN);
    assert_eq!((r.status, r.body.len()), (404, 0), "deleted twice: {r}");
    let r = server.delete_with(
        &format!("/submissions/{newer}/?base64_encoded=false"),
        ADMIN,
    );
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(r.keys(), DEFAULT_FIELDS);
    assert_eq!(
        r.json()["stdout"],
        encode64(b"newer\n"),
        "DELETE is always base64"
    );
    let index = server.get_with("/submissions", ADMIN).json();
    assert_eq!(index["meta"]["total_count"], 0, "{index}");

    // The queue: one worker busy, one submission waiting, and the next is refused.
    let running = server.submit(&py("import time\ntime.sleep(6)\nprint('slow')"));
    server.wait_status(&running, PROCESSING, Duration::from_secs(30));
    let waiting = server.submit(&py("print('waiting')"));
    let r = server.post_json("/submissions", &py("print('one too many')"));
    assert_eq!(r.status, 503, "{r}");
    assert_eq!(r.json(), json!({"error": "queue is full"}));
    // The order of create's checks: wait, then the queue, then fields, then validation.
    let r = server.post_json("/submissions?wait=true", &py("print(1)"));
    assert_eq!(r.json(), json!({"error": "wait not allowed"}), "{r}");
    let r = server.post_json("/submissions?fields=nope", &py("print(1)"));
    assert_eq!(r.status, 503, "{r}");
    assert_eq!(r.json(), json!({"error": "queue is full"}));
    let r = server.post_json("/submissions", &json!({"language_id": 9999}));
    assert_eq!(r.status, 503, "{r}");
    assert_eq!(r.json(), json!({"error": "queue is full"}));
    let workers = server.get("/workers").json();
    assert_eq!(workers[0]["size"], 1, "{workers}");
    assert_eq!(workers[0]["working"], 1, "{workers}");
    assert_eq!(workers[0]["available"], 1, "{workers}");
    assert_eq!(workers[0]["idle"], 0, "{workers}");

    // Unfinished submissions cannot be deleted.
    let r = server.delete_with(&format!("/submissions/{waiting}"), ADMIN);
    assert_eq!(r.status, 400, "{r}");
    assert_eq!(
        r.json(),
        json!({"error": "submission cannot be deleted because its status is 1 (In Queue)"})
    );
    let r = server.delete_with(&format!("/submissions/{running}"), ADMIN);
    assert_eq!(r.status, 400, "{r}");
    assert_eq!(
        r.json(),
        json!({"error": "submission cannot be deleted because its status is 2 (Processing)"})
    );
    let status = server
        .get(&format!("/submissions/{waiting}?fields=status_id"))
        .json();
    assert_eq!(status["status_id"], IN_QUEUE, "{status}");

    // Once the queue drains, submissions are accepted again.
    let done = server.wait_final(&waiting, FINAL);
    assert_eq!(done["status"]["id"], ACCEPTED);
    let r = server.post_json("/submissions", &py("print('room again')"));
    assert_eq!(r.status, 201, "{r}");
}

#[test]
fn maintenance_mode() {
    let server = Server::options()
        .workers(1)
        .env("MAINTENANCE_MODE", "true")
        .env("MAINTENANCE_MESSAGE", "Back in five minutes.")
        .env("AUTHZ_TOKEN", "admin")
        .env("ENABLE_SUBMISSION_DELETE", "true")
        .start();
    let maintenance = json!({"error": "Back in five minutes."});

    assert_eq!(server.get("/config_info").json()["maintenance_mode"], true);
    for (path, body) in [
        ("/submissions", py("print(1)")),
        ("/submissions?wait=true", py("print(1)")),
        // Maintenance comes before the fields check and validation.
        ("/submissions?fields=nope", json!({})),
    ] {
        let r = server.post_json(path, &body);
        assert_eq!(r.status, 503, "{path}: {r}");
        assert_eq!(r.json(), maintenance, "{path}");
    }

    // Judge0 has no maintenance check on batch creation: batches still go through.
    let r = server.post_json(
        "/submissions/batch",
        &json!({"submissions": [py("print('batch in maintenance')")]}),
    );
    assert_eq!(r.status, 201, "{r}");
    let token = r.json()[0]["token"].as_str().unwrap().to_string();
    let done = server.wait_final(&token, FINAL);
    assert_eq!(done["status"]["id"], ACCEPTED);
    // Reading is not affected.
    let r = server.get(&format!("/submissions/{token}"));
    assert_eq!(r.status, 200, "{r}");
    let r = server.get_with("/submissions", ADMIN);
    assert_eq!(r.status, 200, "{r}");

    // DELETE: authorization first, then maintenance.
    let path = format!("/submissions/{token}");
    let r = server.delete_with(&path, &[]);
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");
    let r = server.delete_with(&path, ADMIN);
    assert_eq!(r.status, 503, "{r}");
    assert_eq!(r.json(), maintenance);
    assert_eq!(server.get(&path).status, 200, "still there");
}
