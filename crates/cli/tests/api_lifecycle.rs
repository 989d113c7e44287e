//! End-to-end over real HTTP: what happens around and after a verdict. Callbacks reach the
//! client's URL; a crash (SIGKILL) with work in flight loses no submission; retention
//! clears contents but keeps verdicts; SIGTERM stops gracefully. Needs root.

mod common;

use std::time::{Duration, Instant};

use common::{encode64, field64, keys, CallbackSink, Server, ACCEPTED, DEFAULT_FIELDS, PROCESSING};
use serde_json::{json, Value};

const FINAL: Duration = Duration::from_secs(60);

fn py(source: &str) -> Value {
    json!({"source_code": source, "language_id": 71})
}

#[test]
fn callbacks_are_put_with_the_default_fields_in_base64() {
    let server = Server::start(&[]);
    let sink = CallbackSink::start();

    // Created without base64: the callback is base64 all the same (Judge0 #480).
    let token = server.submit(&json!({
        "source_code": "print(input() * 2)",
        "language_id": 71,
        "stdin": "cb",
        "callback_url": sink.url("/cb?id=1"),
    }));
    let got = sink
        .next(Duration::from_secs(60))
        .expect("no callback within 60 s");
    assert_eq!(got.method, "PUT");
    assert_eq!(got.path, "/cb?id=1");
    assert!(
        got.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        got.headers
    );
    let body: Value = serde_json::from_slice(&got.body).expect("a JSON callback body");
    assert_eq!(keys(&body), DEFAULT_FIELDS, "{body}");
    assert_eq!(body["token"], token);
    assert_eq!(body["stdout"], encode64(b"cbcb\n"));
    assert_eq!(body["status"], json!({"id": 3, "description": "Accepted"}));
    assert!(common::is_decimal(body["time"].as_str().unwrap()), "{body}");
    // The verdict is stored before the callback goes out.
    let stored = server
        .get(&format!("/submissions/{token}?fields=status_id"))
        .json();
    assert_eq!(stored["status_id"], ACCEPTED);

    // Every terminal outcome calls back, a compile error included; messages are base64 too.
    let token = server.submit(&json!({
        "source_code": "int main(void) { return nope; }",
        "language_id": 50,
        "callback_url": sink.url("/ce"),
    }));
    let got = sink.next(FINAL).expect("no callback for the compile error");
    assert_eq!(got.path, "/ce");
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["token"], token);
    assert_eq!(body["status"]["id"], 6, "{body}");
    assert!(field64(&body, "compile_output").unwrap().contains("nope"));
    let token = server.submit(&json!({
        "source_code": "raise SystemExit(2)",
        "language_id": 71,
        "callback_url": sink.url("/re"),
    }));
    let got = sink.next(FINAL).expect("no callback for the runtime error");
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(
        (body["token"].as_str(), body["status"]["id"].as_u64()),
        (Some(token.as_str()), Some(11))
    );
    let message = server
        .get(&format!("/submissions/{token}?fields=message"))
        .json()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(body["message"], encode64(message.as_bytes()));

    // Tries: a failed request (no answer) is retried at once, up to CALLBACKS_MAX_TRIES (3);
    // any HTTP answer, 500 included, counts as delivered.
    let flaky = CallbackSink::scripted(vec![None, Some(200)]);
    let token = server.submit(&json!({"source_code": "print(1)", "language_id": 71,
                                      "callback_url": flaky.url("/flaky")}));
    for attempt in 1..=2 {
        let got = flaky
            .next(FINAL)
            .unwrap_or_else(|| panic!("no callback attempt {attempt}"));
        assert_eq!(got.method, "PUT");
        let body: Value = serde_json::from_slice(&got.body).unwrap();
        assert_eq!(body["token"], token, "attempt {attempt}");
    }
    assert!(
        flaky.next(Duration::from_secs(1)).is_none(),
        "delivered, yet tried again"
    );
    let failing = CallbackSink::scripted(vec![Some(500)]);
    server.submit(&json!({"source_code": "print(1)", "language_id": 71,
                          "callback_url": failing.url("/500")}));
    assert!(failing.next(FINAL).is_some(), "no callback");
    assert!(
        failing.next(Duration::from_secs(1)).is_none(),
        "a 500 answer counts as delivered in Judge0; it was retried"
    );
    let dead = CallbackSink::scripted(vec![None; 10]);
    server.submit(&json!({"source_code": "print(1)", "language_id": 71,
                          "callback_url": dead.url("/dead")}));
    for attempt in 1..=3 {
        assert!(
            dead.next(FINAL).is_some(),
            "callback attempt {attempt} of 3 missing"
        );
    }
    assert!(
        dead.next(Duration::from_secs(1)).is_none(),
        "more than CALLBACKS_MAX_TRIES (3) attempts"
    );

    // A callback nobody answers does not hold up or spoil the verdict.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = server.post_json(
        "/submissions?wait=true",
        &json!({"source_code": "print('no listener')", "language_id": 71,
                "callback_url": format!("http://127.0.0.1:{closed}/cb")}),
    );
    assert_eq!(r.status, 201, "{r}");
    assert_eq!(r.json()["status"]["id"], ACCEPTED, "{r}");
    assert_eq!(r.json()["stdout"], "no listener\n");
    // Nor does a URL that is not one.
    let token = server.submit(
        &json!({"source_code": "print(1)", "language_id": 71, "callback_url": "not a url"}),
    );
    assert_eq!(server.wait_final(&token, FINAL)["status"]["id"], ACCEPTED);
    let r = server.get(&format!("/submissions/{token}?fields=callback_url"));
    assert_eq!(r.json(), json!({"callback_url": "not a url"}));
}

#[test]
fn a_crash_with_work_in_flight_loses_no_submission() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Server::options()
        .workers(1)
        .data(data.path())
        .drain_seconds(1)
        .start();
    let slot = server.first_slot;
    let mut tokens = Vec::new();
    for i in 0..10 {
        tokens.push(server.submit(&py(&format!(
            "import time\ntime.sleep(0.5)\nprint('run {i}')"
        ))));
    }
    // Let the first one start, then pull the plug mid-run.
    server.wait_status(&tokens[0], PROCESSING, Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(200));
    server.crash();

    // The same store and the same slots, once the old jails (killed with their parent)
    // have let go of them; the harness retries until they have.
    let server = Server::options()
        .workers(1)
        .data(data.path())
        .first_slot(slot)
        .start();
    let deadline = Instant::now() + Duration::from_secs(90);
    for (i, token) in tokens.iter().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        let v = server.wait_final(token, left.max(Duration::from_secs(1)));
        assert_eq!(v["status"]["id"], ACCEPTED, "{token}: {v}");
        assert_eq!(
            field64(&v, "stdout").as_deref(),
            Some(format!("run {i}\n").as_str()),
            "{v}"
        );
    }
    // The restart found the work the crash left (what ran, and what was still queued).
    let log = server.log();
    let requeued: usize = log
        .lines()
        .find(|l| l.contains("queueing submissions left unfinished"))
        .and_then(|l| l.split("count=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the restart should say it requeued work:\n{log}"));
    assert!(
        (1..=10).contains(&requeued),
        "requeued {requeued} of 10:\n{log}"
    );
}

#[test]
fn retention_clears_contents_and_keeps_verdicts() {
    let server = Server::start(&[("JUDGEBOX_RETENTION_SECONDS", "2")]);
    let r = server.post_json(
        "/submissions?wait=true&fields=token,stdout,status",
        &json!({"source_code": "print(input())", "language_id": 71, "stdin": "kept for now",
                "expected_output": "kept for now", "command_line_arguments": "x"}),
    );
    assert_eq!(r.status, 201, "{r}");
    let token = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(r.json()["stdout"], "kept for now\n");
    let fields = "source_code,stdin,expected_output,stdout,command_line_arguments,status_id,time,memory,token";
    let fresh = server
        .get(&format!("/submissions/{token}?fields={fields}"))
        .json();
    assert_eq!(fresh["source_code"], "print(input())", "{fresh}");

    let deadline = Instant::now() + Duration::from_secs(20);
    let purged = loop {
        let v = server
            .get(&format!("/submissions/{token}?fields={fields}"))
            .json();
        if v["source_code"].is_null() {
            break v;
        }
        assert!(
            Instant::now() < deadline,
            "not purged 20 s after finishing with a 2 s retention: {v}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    for name in [
        "source_code",
        "stdin",
        "expected_output",
        "stdout",
        "command_line_arguments",
    ] {
        assert_eq!(purged[name], Value::Null, "{name}: {purged}");
    }
    assert_eq!(purged["status_id"], ACCEPTED, "{purged}");
    assert_eq!(purged["token"], token);
    assert_eq!(purged["time"], fresh["time"], "figures stay");
    assert_eq!(purged["memory"], fresh["memory"], "figures stay");
    // Unfinished submissions are never purged, and new ones still work.
    let r = server.post_json("/submissions?wait=true", &py("print('after purge')"));
    assert_eq!(r.json()["stdout"], "after purge\n", "{r}");
}

#[test]
fn sigterm_stops_gracefully_while_a_submission_runs() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Server::options()
        .workers(1)
        .data(data.path())
        .drain_seconds(30)
        .start();
    let running = server.submit(&py(
        "import time\ntime.sleep(2)\nprint('finished in the drain')",
    ));
    let queued = server.submit(&py("print('judged after the restart')"));
    server.wait_status(&running, PROCESSING, Duration::from_secs(30));

    let asked = Instant::now();
    server.signal("TERM");
    let status = server
        .wait_exit(Duration::from_secs(20))
        .expect("the server did not stop within 20 s of SIGTERM");
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert!(
        asked.elapsed() < Duration::from_secs(15),
        "stopping took {:?}",
        asked.elapsed()
    );

    // The running submission finished during the drain; the queued one waits for the next
    // start, In Queue, and is judged then.
    let server = Server::options()
        .workers(1)
        .data(data.path())
        .drain_seconds(1)
        .start();
    let v = server
        .get(&format!("/submissions/{running}?fields=status_id,stdout"))
        .json();
    assert_eq!(
        v,
        json!({"stdout": "finished in the drain\n", "status_id": ACCEPTED}),
        "the running submission should have finished before the stop"
    );
    let v = server.wait_final(&queued, FINAL);
    assert_eq!(v["status"]["id"], ACCEPTED, "{v}");
    assert_eq!(
        field64(&v, "stdout").as_deref(),
        Some("judged after the restart\n")
    );
}

/// The fields of `/proc/PID/status` this test reads, or None once the process is gone.
fn proc_status(pid: u32) -> Option<(String, u32, String)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    Some((field("State"), field("PPid").parse().ok()?, field("NSpid")))
}

/// The processes whose parent is `parent`.
fn children_of(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|&pid| proc_status(pid).is_some_and(|(_, ppid, _)| ppid == parent))
        .collect()
}

#[test]
fn a_killed_jail_costs_one_verdict_and_its_box_is_reaped_at_once() {
    let server = Server::options().workers(1).start();
    let token = server.submit(&py("import time\ntime.sleep(30)"));
    server.wait_status(&token, PROCESSING, Duration::from_secs(30));
    // The jail is the server's child; its box's init is the jail's child, pid 1 of its own
    // pid namespace. Wait until the box has started.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (jail, init) = loop {
        let found = children_of(server.pid()).into_iter().find_map(|jail| {
            let init = children_of(jail)
                .into_iter()
                .find(|&p| proc_status(p).is_some_and(|(_, _, nspid)| nspid.ends_with("\t1")))?;
            Some((jail, init))
        });
        if let Some(found) = found {
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "no box started:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    };

    let killed = Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(jail as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    // The orphaned init dies with its jail and the server, a child subreaper, reaps it: not
    // even a zombie is left. (This VM's pid 1 would take up to 2 s.)
    while proc_status(init).is_some() {
        assert!(
            killed.elapsed() < Duration::from_millis(500),
            "the box's init {init} is still there {:?} after its jail's SIGKILL: {:?}",
            killed.elapsed(),
            proc_status(init)
        );
        std::thread::sleep(Duration::from_millis(2));
    }

    // That submission ends Internal Error; the pool starts a new jail for the next one.
    let v = server.wait_final(&token, FINAL);
    assert_eq!(v["status"]["id"], 13, "{v}");
    let next = server.submit(&py("print('after the crash')"));
    let v = server.wait_final(&next, FINAL);
    assert_eq!(v["status"]["id"], ACCEPTED, "{v}");
    assert_eq!(field64(&v, "stdout").as_deref(), Some("after the crash\n"));
}
