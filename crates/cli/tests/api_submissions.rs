//! End-to-end over real HTTP: creating and reading submissions as Judge0 CE 1.13.1 clients
//! do (fields, base64 both ways, the UTF-8 rule, validation errors, form and query
//! parameters), batches, and the verdicts of real programs. Needs root.

mod common;

use std::time::Duration;

use common::{
    encode64, field64, is_decimal, is_rails_time, is_uuid_v4, keys, urlencode, Server, ACCEPTED,
    ALL_FIELDS, DEFAULT_FIELDS, NOT_UTF8_MANY, NOT_UTF8_ONE,
};
use serde_json::{json, Value};

const FINAL: Duration = Duration::from_secs(60);

fn py(source: &str) -> Value {
    json!({"source_code": source, "language_id": 71})
}

#[test]
fn create_show_fields_base64_and_validation() {
    let server = Server::start(&[]);
    create_and_fields(&server);
    base64_both_ways(&server);
    utf8_rule(&server);
    validation_errors(&server);
    parameters_from_everywhere(&server);
}

fn create_and_fields(server: &Server) {
    // Without wait: 201 and the token alone, whatever `fields` says.
    let r = server.post_json("/submissions?fields=stdout", &py("print('hi')"));
    assert_eq!(r.status, 201, "{r}");
    assert_eq!(r.keys(), ["token"]);
    let token = r.json()["token"].as_str().unwrap().to_string();
    assert!(is_uuid_v4(&token), "{token}");
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));

    // Unknown fields: 400 before anything is stored, names as sent, untrimmed.
    let r = server.post_json("/submissions?fields=foo", &py("print(1)"));
    assert_eq!(r.status, 400);
    assert_eq!(r.json(), json!({"error": "invalid fields: [foo]"}));
    let r = server.post_json("/submissions?fields=stdout,bar&wait=true", &py("print(1)"));
    assert_eq!(r.json(), json!({"error": "invalid fields: [bar]"}));
    let r = server.get(&format!(
        "/submissions/{token}?fields={}",
        urlencode("a, b,token")
    ));
    assert_eq!(r.status, 400);
    assert_eq!(r.json(), json!({"error": "invalid fields: [a,  b]"}));
    let r = server.get(&format!("/submissions/{token}?fields=*,nope"));
    assert_eq!(r.json(), json!({"error": "invalid fields: [nope]"}));

    // Polling until the verdict; the token was stored.
    let done = server.wait_final(&token, FINAL);
    assert_eq!(done["status"]["id"], ACCEPTED, "{done}");

    // wait=true: 201 with the 8 default fields in Judge0's order, decimals as strings.
    let r = server.post_json(
        "/submissions?wait=true",
        &py("import sys\nprint('out')\nprint('err', file=sys.stderr)"),
    );
    assert_eq!(r.status, 201, "{r}");
    assert_eq!(r.keys(), DEFAULT_FIELDS);
    let v = r.json();
    assert_eq!(v["stdout"], "out\n");
    assert_eq!(v["stderr"], "err\n");
    assert_eq!(v["compile_output"], Value::Null);
    assert_eq!(v["message"], Value::Null);
    assert_eq!(
        v["status"],
        json!({"id": 3, "description": "Accepted"}),
        "{v}"
    );
    assert!(is_decimal(v["time"].as_str().unwrap()), "time {v}");
    assert!(v["memory"].as_u64().unwrap() > 0, "memory {v}");
    assert!(is_uuid_v4(v["token"].as_str().unwrap()));
    let token = v["token"].as_str().unwrap().to_string();

    // GET shows the same 8 fields.
    let r = server.get(&format!("/submissions/{token}"));
    assert_eq!(r.status, 200);
    assert_eq!(r.keys(), DEFAULT_FIELDS);
    assert_eq!(r.json()["stdout"], "out\n");

    // fields=*: all 35, in column order, with Judge0's formats.
    let r = server.get(&format!("/submissions/{token}?fields=*"));
    assert_eq!(r.status, 200);
    assert_eq!(r.keys(), ALL_FIELDS);
    let all = r.json();
    assert_eq!(
        all["source_code"],
        "import sys\nprint('out')\nprint('err', file=sys.stderr)"
    );
    assert_eq!(all["language_id"], 71);
    assert_eq!(all["status_id"], 3);
    assert_eq!(all["stdin"], Value::Null);
    assert!(is_rails_time(all["created_at"].as_str().unwrap()), "{all}");
    assert!(is_rails_time(all["finished_at"].as_str().unwrap()), "{all}");
    assert!(all["finished_at"].as_str() >= all["created_at"].as_str());
    for (name, value) in [
        ("cpu_time_limit", "5.0"),
        ("cpu_extra_time", "1.0"),
        ("wall_time_limit", "10.0"),
    ] {
        assert_eq!(all[name], value, "{name}");
    }
    assert!(is_decimal(all["wall_time"].as_str().unwrap()), "{all}");
    for (name, value) in [
        ("number_of_runs", 1),
        ("memory_limit", 128000),
        ("stack_limit", 64000),
        ("max_processes_and_or_threads", 60),
        ("max_file_size", 1024),
        ("exit_code", 0),
    ] {
        assert_eq!(all[name], value, "{name}");
    }
    for name in [
        "enable_per_process_and_thread_time_limit",
        "enable_per_process_and_thread_memory_limit",
        "redirect_stderr_to_stdout",
        "enable_network",
    ] {
        assert_eq!(all[name], false, "{name}");
    }
    for name in [
        "exit_signal",
        "compiler_options",
        "command_line_arguments",
        "callback_url",
        "additional_files",
        "expected_output",
    ] {
        assert_eq!(all[name], Value::Null, "{name}");
    }
    assert_eq!(keys(&all["language"]), ["id", "name"]);
    assert_eq!(all["language"]["id"], 71);

    // fields=a,b: column order, not request order; `*` with `fields=*` in wait=true too.
    let r = server.get(&format!(
        "/submissions/{token}?fields=status,token,stdout,status_id,language_id"
    ));
    assert_eq!(
        r.keys(),
        ["language_id", "stdout", "status_id", "token", "status"]
    );
    let r = server.get(&format!("/submissions/{token}?fields="));
    assert_eq!(r.keys(), DEFAULT_FIELDS, "empty fields means the default");
    let r = server.post_json("/submissions?wait=true&fields=*", &py("print(2)"));
    assert_eq!((r.status, r.keys().len()), (201, 35), "{r}");
    let r = server.post_json(
        "/submissions?wait=true&fields=stdout,exit_code",
        &py("print(3)"),
    );
    assert_eq!(r.json(), json!({"stdout": "3\n", "exit_code": 0}));
}

fn base64_both_ways(server: &Server) {
    // Input: Ruby's lenient decode64, so wrapped text and junk characters are fine.
    let source =
        "import sys\ndata = sys.stdin.read()\nprint('x' * 100)\nprint(data.upper(), end='')";
    let wrapped: String = common::b64(source.as_bytes())
        .as_bytes()
        .chunks(7)
        .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
        .collect();
    let stdin = format!("{}!!*", encode64(b"line one\nline two\n"));
    let r = server.post_json(
        "/submissions?base64_encoded=true&wait=true&fields=stdout,stdin,source_code,status",
        &json!({"source_code": wrapped, "language_id": 71, "stdin": stdin}),
    );
    assert_eq!(r.status, 201, "{r}");
    let v = r.json();
    assert_eq!(v["status"]["id"], ACCEPTED, "{v}");
    // Output: encode64, a newline after every 60 characters and at the end.
    let expected_stdout = format!("{}\nLINE ONE\nLINE TWO\n", "x".repeat(100));
    assert_eq!(v["stdout"], encode64(expected_stdout.as_bytes()));
    let lines: Vec<&str> = v["stdout"]
        .as_str()
        .unwrap()
        .split_terminator('\n')
        .collect();
    assert!(lines.len() > 2 && lines[0].len() == 60 && lines[1].len() == 60);
    assert_eq!(v["source_code"], encode64(source.as_bytes()));
    assert_eq!(v["stdin"], encode64(b"line one\nline two\n"));

    // `message` is encoded too; the same submission without base64 shows the text.
    let r = server.post_json(
        "/submissions?base64_encoded=true&wait=true&fields=token,message,status,exit_code",
        &json!({"source_code": common::b64(b"raise SystemExit(4)"), "language_id": 71}),
    );
    let v = r.json();
    assert_eq!(v["status"]["id"], 11, "{v}");
    assert_eq!(v["exit_code"], 4);
    let token = v["token"].as_str().unwrap();
    let plain = server
        .get(&format!("/submissions/{token}?fields=message"))
        .json();
    let message = plain["message"].as_str().expect("a message for NZEC");
    assert_eq!(v["message"], encode64(message.as_bytes()));
    assert_eq!(field64(&v, "message").as_deref(), Some(message));

    // A value that decodes to nothing is blank.
    let r = server.post_json(
        "/submissions?base64_encoded=true",
        &json!({"source_code": "!!!", "language_id": 71}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json(), json!({"source_code": ["can't be blank"]}));

    // Only the string "true" turns base64 (and wait) on; a JSON true in the body does not.
    let r = server.post_json(
        "/submissions",
        &json!({"source_code": "print(5)", "language_id": 71, "base64_encoded": true, "wait": true}),
    );
    assert_eq!(r.status, 201, "{r}");
    assert_eq!(r.keys(), ["token"], "a JSON true must not turn wait on");
    let token = r.json()["token"].as_str().unwrap().to_string();
    let v = server.wait_final(&token, FINAL);
    assert_eq!(field64(&v, "stdout").as_deref(), Some("5\n"), "{v}");
    let r = server.get(&format!("/submissions/{token}?base64_encoded=True"));
    assert_eq!(r.json()["stdout"], "5\n", "`True` is not \"true\"");
}

fn utf8_rule(server: &Server) {
    let bad = py("import sys\nsys.stdout.buffer.write(b'ok \\xff\\xfe\\n')");
    // wait=true: 201 with the token and Judge0's error.
    let r = server.post_json("/submissions?wait=true", &bad);
    assert_eq!(r.status, 201, "{r}");
    // Judge0 builds {error} and then adds the token, so the keys come in that order.
    assert_eq!(r.keys(), ["error", "token"]);
    assert_eq!(r.json()["error"], NOT_UTF8_ONE);
    let token = r.json()["token"].as_str().unwrap().to_string();
    // GET: 400 with the same message; with base64 the bytes come through.
    let r = server.get(&format!("/submissions/{token}"));
    assert_eq!(r.status, 400, "{r}");
    assert_eq!(r.json(), json!({"error": NOT_UTF8_ONE}));
    let r = server.get(&format!("/submissions/{token}?base64_encoded=true"));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["stdout"], encode64(b"ok \xff\xfe\n"));
    // Fields that do not include the bad text are fine.
    let r = server.get(&format!("/submissions/{token}?fields=token,status"));
    assert_eq!(r.status, 200, "{r}");
    // A batch with it: Judge0's "one or more submissions" message.
    let good = server.submit(&py("print(1)"));
    let r = server.get(&format!("/submissions/batch?tokens={good},{token}"));
    assert_eq!(r.status, 400);
    assert_eq!(r.json(), json!({"error": NOT_UTF8_MANY}));
    let r = server.get(&format!(
        "/submissions/batch?tokens={good},{token}&base64_encoded=true"
    ));
    assert_eq!(r.status, 200, "{r}");

    // judgebox deliberately prints valid UTF-8 (Judge0 refuses any byte >= 0x80).
    let r = server.post_json("/submissions?wait=true", &py("print('héllo ✓')"));
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["stdout"], "héllo ✓\n", "{r}");
}

fn validation_errors(server: &Server) {
    let cases: Vec<(Value, Value)> = vec![
        (
            json!({"source_code": "x"}),
            json!({"language_id": ["can't be blank", "language with id  doesn't exist"]}),
        ),
        (
            json!({"language_id": 71}),
            json!({"source_code": ["can't be blank"]}),
        ),
        (
            json!({"source_code": "   \n", "language_id": 71}),
            json!({"source_code": ["can't be blank"]}),
        ),
        (
            json!({"source_code": "x", "language_id": 4}),
            json!({"language_id": ["language with id 4 is archived and cannot be used anymore"]}),
        ),
        (
            json!({"source_code": "x", "language_id": 150000}),
            json!({"language_id": ["language with id 150000 doesn't exist"]}),
        ),
        (
            json!({"source_code": "x", "language_id": 71, "cpu_time_limit": 16,
                   "cpu_extra_time": "5.5", "wall_time_limit": 21, "memory_limit": 512001,
                   "stack_limit": 128001, "max_processes_and_or_threads": 121,
                   "max_file_size": 4097, "number_of_runs": 21}),
            json!({
                "number_of_runs": ["must be less than or equal to 20"],
                "cpu_time_limit": ["must be less than or equal to 15.0"],
                "cpu_extra_time": ["must be less than or equal to 5.0"],
                "wall_time_limit": ["must be less than or equal to 20.0"],
                "memory_limit": ["must be less than or equal to 512000"],
                "stack_limit": ["must be less than or equal to 128000"],
                "max_processes_and_or_threads": ["must be less than or equal to 120"],
                "max_file_size": ["must be less than or equal to 4096"],
            }),
        ),
        (
            json!({"source_code": "x", "language_id": 71, "number_of_runs": 0,
                   "cpu_time_limit": -1, "wall_time_limit": 0.5, "memory_limit": 2047,
                   "max_processes_and_or_threads": 0, "max_file_size": -1}),
            json!({
                "number_of_runs": ["must be greater than 0"],
                "cpu_time_limit": ["must be greater than or equal to 0"],
                "wall_time_limit": ["must be greater than or equal to 1"],
                "memory_limit": ["must be greater than or equal to 2048"],
                "max_processes_and_or_threads": ["must be greater than 0"],
                "max_file_size": ["must be greater than or equal to 0"],
            }),
        ),
        (
            json!({"source_code": "x", "language_id": 71, "memory_limit": "abc"}),
            json!({"memory_limit": ["is not a number"]}),
        ),
        (
            json!({"source_code": "x", "language_id": 71, "compiler_options": "-O2"}),
            json!({"compiler_options": ["setting compiler options is only allowed for compiled languages"]}),
        ),
        (
            json!({"source_code": "x", "language_id": 71, "command_line_arguments": "a".repeat(513)}),
            json!({"command_line_arguments": ["is too long (maximum is 512 characters)"]}),
        ),
        (
            // judgebox's one deliberate default change: ALLOW_ENABLE_NETWORK is false.
            json!({"source_code": "x", "language_id": 71, "enable_network": true}),
            json!({"enable_network": ["enabling network is not allowed"]}),
        ),
    ];
    for (body, errors) in cases {
        let r = server.post_json("/submissions", &body);
        assert_eq!(r.status, 422, "{body}: {r}");
        assert_eq!(r.json(), errors, "{body}");
        // Key order is Judge0's validation order.
        assert_eq!(r.keys(), keys(&errors), "{body}");
    }
    // Blank options are fine even for interpreted languages; floats for integer limits too.
    let r = server.post_json(
        "/submissions",
        &json!({"source_code": "print(1)", "language_id": 71, "compiler_options": "",
                "command_line_arguments": "", "memory_limit": 65536.0, "cpu_time_limit": 2,
                "stack_limit": "32000"}),
    );
    assert_eq!(r.status, 201, "{r}");
    let token = r.json()["token"].as_str().unwrap().to_string();
    let v = server
        .get(&format!(
            "/submissions/{token}?fields=memory_limit,cpu_time_limit,stack_limit"
        ))
        .json();
    assert_eq!(
        v,
        json!({"cpu_time_limit": "2.0", "memory_limit": 65536, "stack_limit": 32000})
    );
}

fn parameters_from_everywhere(server: &Server) {
    // language_id as a string.
    let r = server.post_json(
        "/submissions?wait=true",
        &json!({"source_code": "print('str id')", "language_id": "71"}),
    );
    assert_eq!(
        (r.status, r.json()["stdout"].clone()),
        (201, json!("str id\n"))
    );

    // A form body, as the discord bot sends (everything a string).
    let form = format!(
        "source_code={}&language_id=71&stdin={}&wait=true",
        urlencode("print(input() + '!')"),
        urlencode("form")
    );
    let r = server.send(
        "POST",
        "/submissions",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    assert_eq!(r.status, 201, "{r}");
    assert_eq!(r.json()["stdout"], "form!\n");

    // Everything in the query string, no body.
    let r = server.send(
        "POST",
        &format!(
            "/submissions?source_code={}&language_id=71&wait=true&fields=stdout",
            urlencode("print(3 * 3)")
        ),
        &[],
        b"",
    );
    assert_eq!(r.status, 201, "{r}");
    assert_eq!(r.json(), json!({"stdout": "9\n"}));

    // Query and body merged: the flags in the query, the submission in the body.
    let r = server.post_json(
        "/submissions?wait=true&fields=stdout,language_id",
        &json!({"source_code": "print('merged')", "language_id": 71}),
    );
    assert_eq!(r.json(), json!({"language_id": 71, "stdout": "merged\n"}));

    // Unknown attributes are dropped silently.
    let r = server.post_json(
        "/submissions",
        &json!({"source_code": "print(1)", "language_id": 71, "colour": "blue", "id": 5}),
    );
    assert_eq!(r.status, 201, "{r}");

    // Malformed JSON: Rails' 400, empty unless the client accepts only JSON.
    let r = server.send(
        "POST",
        "/submissions",
        &[("Content-Type", "application/json")],
        br#"{"source_code": "#,
    );
    assert_eq!((r.status, r.body.len()), (400, 0), "{r}");
    let r = server.send(
        "POST",
        "/submissions",
        &[
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ],
        b"{nope",
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json(), json!({"status": 400, "error": "Bad Request"}));

    // Unknown token: 404 (empty, or Rails' JSON for a JSON-only client).
    // The fields check comes before the lookup.
    let r = server.get("/submissions/unknown-token?fields=nope");
    assert_eq!(r.status, 400, "{r}");
    assert_eq!(r.json(), json!({"error": "invalid fields: [nope]"}));
    let r = server.get("/submissions/unknown-token");
    assert_eq!((r.status, r.body.len()), (404, 0), "{r}");
    let r = server.get_with(
        "/submissions/unknown-token",
        &[("Accept", "application/json")],
    );
    assert_eq!(r.json(), json!({"status": 404, "error": "Not Found"}));
}

#[test]
fn batches_and_verdicts_of_real_programs() {
    let server = Server::start(&[]);
    batches(&server);
    verdicts(&server);
}

fn batches(server: &Server) {
    // Mixed: 201, tokens and error hashes in request order.
    let r = server.post_json(
        "/submissions/batch",
        &json!({"submissions": [
            {"source_code": "print('first')", "language_id": 71},
            {"source_code": "x"},
            {"source_code": "print(input())", "language_id": "71", "stdin": "third"},
            {"language_id": 4, "source_code": "x"},
        ]}),
    );
    assert_eq!(r.status, 201, "{r}");
    let items = r.json();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(keys(&items[0]), ["token"]);
    assert_eq!(
        items[1],
        json!({"language_id": ["can't be blank", "language with id  doesn't exist"]})
    );
    assert_eq!(keys(&items[2]), ["token"]);
    assert_eq!(
        items[3],
        json!({"language_id": ["language with id 4 is archived and cannot be used anymore"]})
    );
    let first = items[0]["token"].as_str().unwrap().to_string();
    let third = items[2]["token"].as_str().unwrap().to_string();

    // base64 applies to every item.
    let r = server.post_json(
        "/submissions/batch?base64_encoded=true",
        &json!({"submissions": [{"source_code": encode64(b"print('b64 batch')"), "language_id": 71}]}),
    );
    assert_eq!(r.status, 201, "{r}");
    let b64_token = r.json()[0]["token"].as_str().unwrap().to_string();
    // Batch creation ignores `fields` (Judge0 does not check it there).
    let r = server.post_json(
        "/submissions/batch?fields=nope",
        &json!({"submissions": [py("print('fields ignored')")]}),
    );
    assert_eq!(r.status, 201, "{r}");
    assert_eq!(keys(&r.json()[0]), ["token"]);

    // All invalid: 422 with every hash.
    let r = server.post_json(
        "/submissions/batch",
        &json!({"submissions": [{"source_code": "x"}, {"language_id": 71}]}),
    );
    assert_eq!(r.status, 422, "{r}");
    assert_eq!(
        r.json(),
        json!([
            {"language_id": ["can't be blank", "language with id  doesn't exist"]},
            {"source_code": ["can't be blank"]},
        ])
    );

    // Counts.
    for body in [
        json!({"submissions": []}),
        json!({}),
        json!({"submissions": "x"}),
    ] {
        let r = server.post_json("/submissions/batch", &body);
        assert_eq!(r.status, 400, "{body}: {r}");
        assert_eq!(
            r.json(),
            json!({"error": "there should be at least one submission in a batch"})
        );
    }
    let many: Vec<Value> = (0..21).map(|i| py(&format!("print({i})"))).collect();
    let r = server.post_json("/submissions/batch", &json!({ "submissions": many }));
    assert_eq!(r.status, 400, "{r}");
    assert_eq!(
        r.json(),
        json!({"error": "number of submissions in a batch should be less than or equal to 20"})
    );

    // Batch GET: order kept, null for unknown tokens, the `tokens` header works too.
    server.wait_final(&first, FINAL);
    server.wait_final(&third, FINAL);
    server.wait_final(&b64_token, FINAL);
    let r = server.get(&format!(
        "/submissions/batch?tokens={third},{first},unknown&fields=stdout,token"
    ));
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(
        r.json(),
        json!({"submissions": [
            {"stdout": "third\n", "token": third},
            {"stdout": "first\n", "token": first},
            null,
        ]})
    );
    let r = server.get_with(
        "/submissions/batch?base64_encoded=true",
        &[("tokens", &format!("{b64_token},{first}"))],
    );
    assert_eq!(r.status, 200, "{r}");
    let list = r.json()["submissions"].clone();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(keys(&list[0]), DEFAULT_FIELDS);
    assert_eq!(list[0]["stdout"], encode64(b"b64 batch\n"));
    assert_eq!(list[1]["stdout"], encode64(b"first\n"));
    // The SDK percent-encodes the separators.
    let r = server.get(&format!(
        "/submissions/batch?fields=%2A&tokens={first}%2C{third}"
    ));
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(keys(&r.json()["submissions"][1]), ALL_FIELDS);
    let r = server.get(&format!("/submissions/batch?tokens={first}&fields=nope"));
    assert_eq!(r.json(), json!({"error": "invalid fields: [nope]"}));
    for query in ["", "?tokens=", "?tokens=%20"] {
        let r = server.get(&format!("/submissions/batch{query}"));
        assert_eq!(r.status, 400, "{query}: {r}");
        assert_eq!(
            r.json(),
            json!({"error": "there should be at least one submission in a batch"})
        );
    }
    let tokens = vec![first.as_str(); 21].join(",");
    let r = server.get(&format!("/submissions/batch?tokens={tokens}"));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"error": "number of submissions in a batch should be less than or equal to 20"})
    );
}

/// A zip of `(name, content)` files.
fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in files {
        out.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(content.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Judge0's multi-file program: `compile` and `run` scripts at the zip's root.
fn project_zip() -> Vec<u8> {
    zip_of(&[
        ("compile", "gcc -o prog main.c\n"),
        ("run", "cat data.txt\n./prog\n"),
        (
            "main.c",
            "#include <stdio.h>\nint main(void) { puts(\"compiled\"); return 0; }\n",
        ),
        ("data.txt", "data\n"),
    ])
}

/// Real programs, created as one batch and polled through the batch route and one by one.
fn verdicts(server: &Server) {
    let c_ok = "#include <stdio.h>\nint main(void) { int a, b; scanf(\"%d %d\", &a, &b); printf(\"%d\\n\", a + b); return 0; }";
    let cases: Vec<(&str, Value, u64)> = vec![
        (
            "python accepted",
            json!({"source_code": "print(input()[::-1])", "language_id": 71, "stdin": "abc", "expected_output": "cba"}),
            3,
        ),
        (
            "python wrong answer",
            json!({"source_code": "print('no')", "language_id": 71, "expected_output": "yes"}),
            4,
        ),
        (
            "trailing whitespace is ignored",
            json!({"source_code": "print('a  ')\nprint('b')", "language_id": 71, "expected_output": "a\nb\n\n"}),
            3,
        ),
        (
            "leading whitespace counts",
            json!({"source_code": "print(' a')", "language_id": 71, "expected_output": "a"}),
            4,
        ),
        (
            "c accepted",
            json!({"source_code": c_ok, "language_id": 50, "stdin": "2 40", "expected_output": "42"}),
            3,
        ),
        (
            "c compile error",
            json!({"source_code": "int main(void) { return undefined_name; }", "language_id": 50}),
            6,
        ),
        (
            "python runtime error",
            json!({"source_code": "import sys\nprint('before')\nsys.exit(3)", "language_id": 71}),
            11,
        ),
        (
            "python time limit",
            json!({"source_code": "while True:\n    pass", "language_id": 71, "cpu_time_limit": 0.5, "wall_time_limit": 3}),
            5,
        ),
        (
            "c++ accepted",
            json!({"source_code": "#include <iostream>\nint main() { std::cout << \"c++\" << std::endl; }", "language_id": 54, "expected_output": "c++"}),
            3,
        ),
        (
            "bash accepted",
            json!({"source_code": "read x; echo \"bash $x\"", "language_id": 46, "stdin": "ok", "expected_output": "bash ok"}),
            3,
        ),
        (
            "javascript accepted",
            json!({"source_code": "console.log([1, 2, 3].map(x => x * 2).join(' '))", "language_id": 63, "expected_output": "2 4 6"}),
            3,
        ),
        (
            "plain text",
            json!({"source_code": "just text\n", "language_id": 43, "expected_output": "just text"}),
            3,
        ),
        (
            "multi-file program",
            json!({"language_id": 89, "additional_files": common::b64(&project_zip())}),
            3,
        ),
        (
            "source with additional files",
            json!({"source_code": "print(open('data.txt').read().strip() * 2)", "language_id": 71,
                   "additional_files": common::b64(&zip_of(&[("data.txt", "ab\n")])), "expected_output": "abab"}),
            3,
        ),
        (
            // Judge0 keeps an empty expected_output ("" is not nil for a text column), so
            // any output is compared with "" and differs.
            "empty expected_output, some output",
            json!({"source_code": "print('x')", "language_id": 71, "expected_output": ""}),
            4,
        ),
        (
            // ... and empty output is stored as nil, which differs from "" too.
            "empty expected_output, no output",
            json!({"source_code": "pass", "language_id": 71, "expected_output": ""}),
            4,
        ),
    ];
    let r = server.post_json(
        "/submissions/batch",
        &json!({"submissions": cases.iter().map(|c| c.1.clone()).collect::<Vec<_>>()}),
    );
    assert_eq!(r.status, 201, "{r}");
    let tokens: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["token"]
                .as_str()
                .unwrap_or_else(|| panic!("rejected: {t}"))
                .to_string()
        })
        .collect();

    // Poll the batch route until every status is final, as the tutorials' clients do.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let results = loop {
        let r = server.get(&format!(
            "/submissions/batch?tokens={}&base64_encoded=true&fields=*",
            tokens.join(",")
        ));
        assert_eq!(r.status, 200, "{r}");
        let list = r.json()["submissions"].as_array().unwrap().clone();
        for s in &list {
            let id = s["status"]["id"].as_u64().unwrap();
            assert!((1..=14).contains(&id), "{s}");
        }
        if list.iter().all(|s| s["status"]["id"].as_u64().unwrap() > 2) {
            break list;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "unfinished after 120 s: {list:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    for ((name, _, status), v) in cases.iter().zip(&results) {
        assert_eq!(
            v["status"]["id"],
            *status,
            "{name}: {v}\nstdout {:?} stderr {:?} compile {:?}",
            field64(v, "stdout"),
            field64(v, "stderr"),
            field64(v, "compile_output")
        );
        assert!(is_rails_time(v["finished_at"].as_str().unwrap()), "{name}");
    }
    let by_name = |name: &str| {
        let i = cases.iter().position(|c| c.0 == name).unwrap();
        results[i].clone()
    };

    let ce = by_name("c compile error");
    let compile_output = field64(&ce, "compile_output").expect("compile_output for CE");
    assert!(
        compile_output.contains("undefined_name"),
        "{compile_output}"
    );
    for name in ["stdout", "stderr", "time", "memory", "exit_code", "message"] {
        assert_eq!(ce[name], Value::Null, "CE clears {name}: {ce}");
    }
    assert_eq!(ce["status"]["description"], "Compilation Error");

    let re = by_name("python runtime error");
    assert_eq!(re["exit_code"], 3);
    assert_eq!(field64(&re, "stdout").as_deref(), Some("before\n"));
    assert_eq!(re["status"]["description"], "Runtime Error (NZEC)");
    assert!(
        field64(&re, "message").is_some(),
        "NZEC has a message: {re}"
    );

    let tle = by_name("python time limit");
    assert_eq!(tle["status"]["description"], "Time Limit Exceeded");
    assert!(
        field64(&tle, "message").unwrap().contains("ime limit"),
        "{tle}"
    );

    let wa = by_name("python wrong answer");
    assert_eq!(field64(&wa, "stdout").as_deref(), Some("no\n"));
    assert_eq!(field64(&wa, "expected_output").as_deref(), Some("yes"));
    assert_eq!(wa["status"]["description"], "Wrong Answer");

    let project = by_name("multi-file program");
    assert_eq!(
        field64(&project, "stdout").as_deref(),
        Some("data\ncompiled\n"),
        "{project}"
    );
    assert_eq!(project["source_code"], Value::Null);
    assert!(project["additional_files"].is_string());

    // The empty expected_output is kept (and echoed) as "", not dropped as absent.
    let empty = by_name("empty expected_output, some output");
    assert_eq!(empty["expected_output"], "", "{empty}");

    let ok = by_name("c accepted");
    assert_eq!(field64(&ok, "stdout").as_deref(), Some("42\n"));
    assert!(is_decimal(ok["time"].as_str().unwrap()));

    // One by one: a submission is seen In Queue or Processing, then final.
    let token = server.submit(&py("import time\ntime.sleep(0.5)\nprint('slow')"));
    let first = server.get(&format!("/submissions/{token}")).json();
    let early = first["status"]["id"].as_u64().unwrap();
    assert!(early <= 2, "a 0.5 s program is final at once: {first}");
    assert_eq!(first["stdout"], Value::Null);
    assert_eq!(first["time"], Value::Null);
    let done = server.wait_final(&token, FINAL);
    assert_eq!(done["status"]["id"], ACCEPTED);
    assert_eq!(field64(&done, "stdout").as_deref(), Some("slow\n"));
}

/// Judge0's `batch_show` checks `fields` in a before_action, and counts the tokens only in
/// the action, so a bad `fields` is reported even when the token list is empty or too long.
#[test]
fn batch_show_checks_fields_before_counting_tokens() {
    let server = Server::start(&[]);
    for query in ["fields=nope", "fields=nope&tokens="] {
        let r = server.get(&format!("/submissions/batch?{query}"));
        assert_eq!(r.status, 400, "{query}: {r}");
        assert_eq!(
            r.json(),
            json!({"error": "invalid fields: [nope]"}),
            "{query}"
        );
    }
}
