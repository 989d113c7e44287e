//! The adversarial suite (issue 5): every hostile program in `tests/escapes/` is submitted
//! through the real HTTP API to a running `judgebox serve`, and must end with one of the
//! statuses its header allows (never 13, Internal Error). Around them the test watches the
//! host: canary files with random secrets in `/root`, `/tmp`, `/var/tmp` and `/dev/shm`
//! must stay unread and unchanged, TCP, UDP and unix listeners must receive nothing, no
//! output may hold a secret (the canaries', the server's environment's, another box's) or
//! the word a fixture prints when an attack worked (`ESCAPED`), no process of a box may
//! outlive its verdict, no mount, cgroup, temporary file, System V object or kernel setting
//! may appear or change, and the server must still answer. All failures are reported
//! together, each with its fixture's name.
//!
//! Needs root, as the sandbox does: `cargo test -p judgebox --test escapes -- --nocapture`.
//! `tests/escapes/README.md` tables every attack; `tests/escapes/FINDINGS.md` records what
//! the suite found.

mod common;
#[path = "escapes/fixture.rs"]
mod fixture;
#[path = "escapes/host.rs"]
mod host;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{b64, field64, Server};
use fixture::{Fixture, Role, INTERNAL_ERROR};
use host::{BoxProcess, Canaries, Listeners, Monitor, Snapshot, UID_BASE};
use judgebox_testkit::secret;
use serde_json::{json, Value};

/// The word a fixture prints when its attack worked.
const ESCAPED: &str = "ESCAPED";

/// The server's environment holds this secret; no box may read it.
const SERVER_SECRET_VAR: &str = "ESCAPES_SERVER_SECRET";

/// Submissions in flight at once (two run, two wait in the queue).
const LANES: usize = 4;

/// How long one fixture may take from its POST to its verdict.
const VERDICT_TIMEOUT: Duration = Duration::from_secs(180);

/// A box's process may live this long: the compile profile's 20 s wall limit plus slack.
/// One seen longer outlived its run.
const LONGEST_BOX: Duration = Duration::from_secs(26);

/// At least this many fixtures (the issue asks for 60).
const MINIMUM_FIXTURES: usize = 60;

fn all_fixtures() -> Vec<Fixture> {
    fixture::load_all()
        .unwrap_or_else(|errors| panic!("fixtures with a bad header:\n{}", errors.join("\n")))
}

#[test]
fn every_fixture_has_a_complete_header() {
    let fixtures = all_fixtures();
    assert!(
        fixtures.len() >= MINIMUM_FIXTURES,
        "{} fixtures, fewer than {MINIMUM_FIXTURES}",
        fixtures.len()
    );
    for ext in ["c", "py", "sh", "java", "js"] {
        assert!(
            fixtures.iter().any(|f| f.extension == ext),
            "no fixture in .{ext}"
        );
    }
    let roles: Vec<Role> = fixtures.iter().filter_map(|f| f.header.role).collect();
    assert_eq!(
        roles.iter().filter(|r| **r == Role::Hider).count(),
        1,
        "exactly one hider for the two-box test"
    );
    assert_eq!(
        roles.iter().filter(|r| **r == Role::Hunter).count(),
        1,
        "exactly one hunter for the two-box test"
    );
}

/// The README's table has one row per fixture, naming the same allowed statuses and
/// layers as the fixture's header, and no row for a fixture that does not exist.
#[test]
fn the_readme_tables_every_fixture() {
    let fixtures = all_fixtures();
    let readme =
        std::fs::read_to_string(fixture::dir().join("README.md")).expect("tests/escapes/README.md");
    let attacks = readme
        .split_once("\n## The attacks")
        .expect("README.md has a section `## The attacks`")
        .1;
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in attacks.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<String> = line
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_string())
            .collect();
        let name = cells[0].trim_matches('`').to_string();
        assert!(
            rows.insert(name.clone(), cells).is_none(),
            "README.md has two rows for {name}"
        );
    }
    let mut problems = Vec::new();
    for f in &fixtures {
        let Some(cells) = rows.remove(&f.name) else {
            problems.push(format!("no row for {}", f.name));
            continue;
        };
        if cells.len() != 4 {
            problems.push(format!(
                "the row of {} has {} cells, not 4",
                f.name,
                cells.len()
            ));
            continue;
        }
        let statuses: Vec<u64> = cells[2]
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|s| s.parse().ok())
            .collect();
        let mut expected: Vec<u64> = Vec::new();
        if f.header.http != [201] {
            expected.extend(f.header.http.iter().map(|s| u64::from(*s)));
        }
        expected.extend(&f.header.allowed);
        if statuses != expected {
            problems.push(format!(
                "the row of {} says statuses {statuses:?}, its header {expected:?}",
                f.name
            ));
        }
        let layers: Vec<&str> = cells[3].split(", ").collect();
        if layers != f.header.layers {
            problems.push(format!(
                "the row of {} says layers {layers:?}, its header {:?}",
                f.name, f.header.layers
            ));
        }
    }
    for name in rows.keys() {
        problems.push(format!("a row for {name}, which is not a fixture"));
    }
    assert!(problems.is_empty(), "README.md:\n{}", problems.join("\n"));
}

/// How one submission of a fixture ended.
#[derive(Debug)]
struct Outcome {
    /// The fixture's name, and what this submission of it was for.
    label: String,
    fixture: String,
    token: Option<String>,
    http: u16,
    verdict: Option<Value>,
    failures: Vec<String>,
}

impl Outcome {
    fn status(&self) -> Option<u64> {
        self.verdict
            .as_ref()
            .and_then(|v| v["status"]["id"].as_u64())
    }

    fn text(&self, field: &str) -> String {
        self.verdict
            .as_ref()
            .and_then(|v| field64(v, field))
            .unwrap_or_default()
    }
}

/// What every fixture's outcome is checked against.
struct Context<'a> {
    server: &'a Server,
    values: BTreeMap<&'static str, String>,
    uids: Vec<u32>,
    /// Secrets no output may hold (the canaries' and the server's).
    secrets: Vec<String>,
}

impl Context<'_> {
    /// Submits `f` (with `stdin` instead of its header's, if given) and waits for its verdict.
    fn submit(&self, f: &Fixture, label: &str, stdin: Option<&str>) -> Outcome {
        let mut outcome = Outcome {
            label: label.to_string(),
            fixture: f.name.clone(),
            token: None,
            http: 0,
            verdict: None,
            failures: Vec::new(),
        };
        let mut body = match f.request(&self.values) {
            Ok(b) => b,
            Err(e) => {
                outcome
                    .failures
                    .push(format!("cannot build its submission: {e}"));
                return outcome;
            }
        };
        if let Some(stdin) = stdin {
            body["stdin"] = json!(b64(stdin.as_bytes()));
        }
        let r = self
            .server
            .post_json("/submissions?base64_encoded=true", &body);
        outcome.http = r.status;
        if !f.header.http.contains(&r.status) {
            outcome.failures.push(format!(
                "POST /submissions answered {}, allowed {:?}: {}",
                r.status,
                f.header.http,
                r.text()
            ));
        }
        if r.status != 201 {
            return outcome;
        }
        let token = r.json()["token"].as_str().unwrap_or_default().to_string();
        outcome.token = Some(token.clone());
        outcome.verdict = Some(self.wait_final(&token));
        outcome
    }

    fn wait_final(&self, token: &str) -> Value {
        let deadline = Instant::now() + VERDICT_TIMEOUT;
        loop {
            let v = self.show(token);
            if v["status"]["id"].as_u64().unwrap_or(0) > common::PROCESSING {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "{token} has no verdict after {VERDICT_TIMEOUT:?}: {v}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn show(&self, token: &str) -> Value {
        let r = self.server.get(&format!(
            "/submissions/{token}?base64_encoded=true&fields=*"
        ));
        assert_eq!(r.status, 200, "GET {token}: {r}");
        r.json()
    }

    /// Checks a finished submission: its status, its outputs, and that none of its processes
    /// outlived the verdict.
    fn check(&self, f: &Fixture, outcome: &mut Outcome, extra_secrets: &[&str]) {
        if let Some(status) = outcome.status() {
            if status == INTERNAL_ERROR {
                outcome.failures.push(format!(
                    "Internal Error (13): {}",
                    excerpt(&outcome.text("message"))
                ));
            } else if !f.header.allowed.contains(&status) {
                let stderr = outcome.text("stderr");
                let compile = outcome.text("compile_output");
                outcome.failures.push(format!(
                    "status {status} ({}), allowed {:?}; message: {}; stderr: {:?}; compile_output: {:?}",
                    outcome.verdict.as_ref().unwrap()["status"]["description"],
                    f.header.allowed,
                    outcome.text("message"),
                    excerpt(&stderr),
                    excerpt(&compile),
                ));
            }
        }
        for field in ["stdout", "stderr", "compile_output", "message"] {
            let text = outcome.text(field);
            for secret in self
                .secrets
                .iter()
                .map(String::as_str)
                .chain(extra_secrets.iter().copied())
            {
                if text.contains(secret) {
                    outcome
                        .failures
                        .push(format!("its {field} holds a secret ({secret})"));
                }
            }
            for line in text.lines().filter(|l| l.contains(ESCAPED)) {
                outcome.failures.push(format!("{field}: {line}"));
            }
        }
        for p in self.survivors(f) {
            outcome.failures.push(format!(
                "process {} (uid {}, {}) outlived the verdict: {}",
                p.pid, p.uid, p.namespace, p.command
            ));
        }
    }

    /// The processes carrying `f`'s marker still alive now and half a second later.
    fn survivors(&self, f: &Fixture) -> Vec<BoxProcess> {
        let marker = f.name.as_str();
        let of_f = || -> Vec<BoxProcess> {
            host::box_processes(&self.uids)
                .into_iter()
                .filter(|p| host::marker_in(&p.command).as_deref() == Some(marker))
                .collect()
        };
        if of_f().is_empty() {
            return Vec::new();
        }
        std::thread::sleep(Duration::from_millis(500));
        of_f()
    }
}

#[test]
fn hostile_programs_change_nothing_on_the_host() {
    judgebox_testkit::require_root();
    let fixtures = all_fixtures();
    let started = Instant::now();
    let canaries = Canaries::plant();
    let listeners = Listeners::open();
    let server_bin = PathBuf::from(env!("CARGO_BIN_EXE_judgebox"));
    let binaries = [
        server_bin.clone(),
        server_bin.with_file_name("judgebox-jail"),
    ];
    let before = Snapshot::take(&binaries);

    let server_secret = secret();
    let authz = secret();
    let server = Server::options()
        .workers(2)
        .env(SERVER_SECRET_VAR, &server_secret)
        .env("AUTHZ_TOKEN", &authz)
        .start();
    let slots: Vec<u32> = (server.first_slot..server.first_slot + server.workers).collect();
    let uids: Vec<u32> = slots.iter().map(|s| UID_BASE + s).collect();
    let monitor = Monitor::start(uids.clone());

    let values = placeholders(&canaries, &listeners, &server);
    let mut secrets: Vec<String> = canaries.files.iter().map(|(_, s)| s.clone()).collect();
    secrets.push(server_secret.clone());
    let context = Context {
        server: &server,
        values,
        uids: uids.clone(),
        secrets,
    };

    let mut outcomes = Vec::new();
    let mut failures: Vec<String> = Vec::new();

    // Two boxes at once, while both workers are idle.
    let hider = fixtures
        .iter()
        .find(|f| f.header.role == Some(Role::Hider))
        .unwrap();
    let hunter = fixtures
        .iter()
        .find(|f| f.header.role == Some(Role::Hunter))
        .unwrap();
    let hider_secret = secret();
    let (pair, pair_failures) = two_boxes(&context, hider, hunter, &hider_secret);
    outcomes.extend(pair);
    failures.extend(pair_failures);
    let mut checks = Vec::new();
    check_answers(
        &server,
        "after the two-box test",
        &mut checks,
        &mut failures,
    );

    // Everything else, a few at a time, the slowest first.
    let rest: Vec<&Fixture> = fixtures
        .iter()
        .filter(|f| f.header.role.is_none())
        .collect();
    outcomes.extend(run_all(&context, rest, &hider_secret));
    let ran_for = started.elapsed();

    // The host, now that every verdict is in.
    std::thread::sleep(Duration::from_secs(1));
    for p in host::box_processes(&uids) {
        failures.push(format!(
            "process {} (uid {}, {}) of a box is still alive after every verdict: {}",
            p.pid, p.uid, p.namespace, p.command
        ));
    }
    check_answers(&server, "after every fixture", &mut checks, &mut failures);
    failures.extend(foreign_submissions(&server, &authz, &outcomes, &checks));
    let log = server.log();
    for s in context.secrets.iter().chain([&hider_secret]) {
        if log.contains(s.as_str()) {
            failures.push(format!("the server's log holds a secret ({s})"));
        }
    }
    failures.extend(listeners.check());
    failures.extend(canaries.check());
    failures.extend(outlived(monitor.finish()));
    failures.extend(host::planted_markers(std::slice::from_ref(&server.data)));
    drop(server);
    let after = Snapshot::take(&binaries);
    failures.extend(after.compare(&before, &slots));

    report(&outcomes, &failures, ran_for);
}

/// What a fixture's `{placeholders}` stand for (README.md lists them).
fn placeholders(
    canaries: &Canaries,
    listeners: &Listeners,
    server: &Server,
) -> BTreeMap<&'static str, String> {
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    for ((key, path), _) in host::CANARIES.iter().zip(&canaries.files) {
        values.insert(key, path.to_string());
    }
    listeners.placeholders(&mut values);
    let (v4, v6) = host::host_addresses();
    values.insert("host_ipv4", v4);
    values.insert("host_ipv6", v6);
    values.insert("server_pid", server.pid().to_string());
    values.insert("api_port", server.port.to_string());
    values.insert("data_dir", server.data.display().to_string());
    values.insert("ro_target", host::RO_TARGET.to_string());
    values.insert("nul", "\0".to_string());
    values
}

/// Submits `fixtures` from a few lanes at once (more than the workers, so the queue is
/// never empty), the slowest first, and checks each as its verdict comes in.
fn run_all(context: &Context, mut fixtures: Vec<&Fixture>, hider_secret: &str) -> Vec<Outcome> {
    fixtures.sort_by(|a, b| cost(b).total_cmp(&cost(a)).then(a.name.cmp(&b.name)));
    let queue = Mutex::new(fixtures.into_iter().collect::<VecDeque<_>>());
    let done = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..LANES {
            scope.spawn(|| loop {
                let Some(f) = queue.lock().unwrap().pop_front() else {
                    return;
                };
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    let mut outcome = context.submit(f, &f.name, None);
                    context.check(f, &mut outcome, &[hider_secret]);
                    outcome
                }));
                let outcome = result.unwrap_or_else(|panic| Outcome {
                    label: f.name.clone(),
                    fixture: f.name.clone(),
                    token: None,
                    http: 0,
                    verdict: None,
                    failures: vec![format!(
                        "the suite could not finish it: {}",
                        panic_text(&panic)
                    )],
                });
                done.lock().unwrap().push(outcome);
            });
        }
    });
    done.into_inner().unwrap()
}

/// What the process monitor saw that means a box outlived its run: a box alive beside a
/// later box of its slot (one line per slot, the box seen most often first: a survivor is
/// beside every box that follows it), or a process alive longer than any run may be.
fn outlived(seen: host::Seen) -> Vec<String> {
    let mut failures = Vec::new();
    let mut beside: BTreeMap<u32, BTreeMap<(String, String), usize>> = BTreeMap::new();
    for o in &seen.overlaps {
        for b in &o.boxes {
            *beside
                .entry(o.uid)
                .or_default()
                .entry(b.clone())
                .or_default() += 1;
        }
    }
    for (uid, boxes) in beside {
        let mut boxes: Vec<((String, String), usize)> = boxes.into_iter().collect();
        boxes.sort_by_key(|b| std::cmp::Reverse(b.1));
        let list: Vec<String> = boxes
            .iter()
            .take(4)
            .map(|((ns, command), n)| format!("{ns} ({command}) {n} times"))
            .collect();
        failures.push(format!(
            "boxes of uid {uid} were alive beside a later box of their slot, so one outlived its run: {}",
            list.join("; ")
        ));
    }
    for p in seen.processes.values() {
        let lived = p.last - p.first;
        if lived > LONGEST_BOX {
            failures.push(format!(
                "process {} of uid {} ({}) lived {lived:.1?}, longer than any run may: {}",
                p.pid, p.uid, p.namespace, p.command
            ));
        }
    }
    failures
}

/// Box A (the hider) gets a secret on stdin and hides it; box B (the hunter) runs while A
/// sleeps, then twice more after A ended (with the pool's reuse, at least one of them lands
/// in A's slot). B must find nothing, and A must still end as its header says.
fn two_boxes(
    context: &Context,
    hider: &Fixture,
    hunter: &Fixture,
    hider_secret: &str,
) -> (Vec<Outcome>, Vec<String>) {
    let mut failures = Vec::new();
    let label = format!("{} (box A)", hider.name);
    let body = match hider.request(&context.values) {
        Ok(mut b) => {
            b["stdin"] = json!(b64(hider_secret.as_bytes()));
            b
        }
        Err(e) => panic!("{}: {e}", hider.name),
    };
    let r = context
        .server
        .post_json("/submissions?base64_encoded=true", &body);
    assert_eq!(r.status, 201, "{label}: {r}");
    let hider_token = r.json()["token"].as_str().unwrap().to_string();
    // Wait for A to run, and give it a moment to hide its secret.
    let deadline = Instant::now() + Duration::from_secs(60);
    while context.show(&hider_token)["status"]["id"].as_u64() != Some(common::PROCESSING) {
        assert!(Instant::now() < deadline, "{label} never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let mut alongside = context.submit(
        hunter,
        &format!("{} (box B, alongside A)", hunter.name),
        None,
    );
    let a_running = context.show(&hider_token)["status"]["id"].as_u64() == Some(common::PROCESSING);
    if !a_running {
        failures.push(format!(
            "{}: box A had finished before box B did, so B did not hunt alongside it",
            hunter.name
        ));
    }
    let mut a = Outcome {
        label,
        fixture: hider.name.clone(),
        token: Some(hider_token.clone()),
        http: 201,
        verdict: Some(context.wait_final(&hider_token)),
        failures: Vec::new(),
    };
    context.check(hider, &mut a, &[]);
    context.check(hunter, &mut alongside, &[hider_secret]);
    let mut outcomes = vec![a, alongside];
    for n in 1..=2 {
        let mut later = context.submit(
            hunter,
            &format!("{} (box B, after A, {n})", hunter.name),
            None,
        );
        context.check(hunter, &mut later, &[hider_secret]);
        outcomes.push(later);
    }
    // The cross-run hunt means something only if a hunter ran in A's slot.
    let uid_of = |o: &Outcome| {
        o.text("stdout")
            .split_whitespace()
            .nth(1)
            .and_then(|u| u.parse::<u32>().ok())
    };
    let a_uid = uid_of(&outcomes[0]);
    if a_uid.is_none() || !outcomes[2..].iter().any(|o| uid_of(o) == a_uid) {
        failures.push(format!(
            "{}: no later hunter ran in box A's slot (uid {a_uid:?}), so leftovers were not hunted",
            hunter.name
        ));
    }
    (outcomes, failures)
}

/// A rough cost in seconds, to start the slowest fixtures first.
fn cost(f: &Fixture) -> f64 {
    let runs = f.header.limits.runs.unwrap_or(1) as f64;
    let wall = f.header.limits.wall.unwrap_or(3.0);
    let compile = match f.language() {
        62 => 4.0,
        50 | 54 => 0.5,
        _ => 0.0,
    };
    wall * runs + compile
}

/// `GET /about` answers, and a real submission is judged (its token is added to `tokens`).
fn check_answers(
    server: &Server,
    when: &str,
    tokens: &mut Vec<String>,
    failures: &mut Vec<String>,
) {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let about = server.get("/about");
        if about.status != 200 {
            return Err(format!("GET /about answered {about}"));
        }
        let token = server.submit(&json!({
            "source_code": "print('still judging')",
            "language_id": 71,
        }));
        tokens.push(token.clone());
        let v = server.wait_final(&token, VERDICT_TIMEOUT);
        if v["status"]["id"] != 3 || field64(&v, "stdout").as_deref() != Some("still judging\n") {
            return Err(format!("a plain submission ended as {v}"));
        }
        Ok(())
    }));
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => failures.push(format!("the server {when}: {e}")),
        Err(panic) => failures.push(format!(
            "the server stopped answering {when}: {}",
            panic_text(&panic)
        )),
    }
}

/// Submissions the server holds that the suite did not create (a box that reached the API
/// would add some).
fn foreign_submissions(
    server: &Server,
    authz: &str,
    outcomes: &[Outcome],
    checks: &[String],
) -> Vec<String> {
    let ours: BTreeSet<&str> = outcomes
        .iter()
        .filter_map(|o| o.token.as_deref())
        .chain(checks.iter().map(String::as_str))
        .collect();
    let mut theirs = Vec::new();
    for page in 1.. {
        let r = server.get_with(
            &format!("/submissions?page={page}&per_page=100&fields=token"),
            &[("X-Auth-User", authz)],
        );
        if r.status != 200 {
            return vec![format!("GET /submissions (to count them) answered {r}")];
        }
        let v = r.json();
        let list = v["submissions"].as_array().cloned().unwrap_or_default();
        if list.is_empty() {
            break;
        }
        for s in list {
            let token = s["token"].as_str().unwrap_or_default();
            if !ours.contains(token) {
                theirs.push(format!(
                    "the server holds a submission the suite never made: {s}"
                ));
            }
        }
    }
    theirs
}

/// The start of a long text, for a failure message.
fn excerpt(text: &str) -> String {
    const SHOWN: usize = 300;
    let mut out: String = text.chars().take(SHOWN).collect();
    if text.chars().count() > SHOWN {
        out.push('…');
    }
    out
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".into())
}

/// Prints every outcome, then fails with every failure, each under its fixture.
fn report(outcomes: &[Outcome], failures: &[String], ran_for: Duration) {
    let mut sorted: Vec<&Outcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| a.label.cmp(&b.label));
    eprintln!(
        "{:<48} {:>5} {:>6} {:>7}",
        "fixture", "http", "status", "time"
    );
    for o in &sorted {
        let time = o
            .verdict
            .as_ref()
            .and_then(|v| v["wall_time"].as_str())
            .unwrap_or("-");
        let status = o.status().map_or("-".to_string(), |s| s.to_string());
        let mark = if o.failures.is_empty() {
            ""
        } else {
            "  FAILED"
        };
        eprintln!("{:<48} {:>5} {status:>6} {time:>7}{mark}", o.label, o.http);
    }
    eprintln!(
        "{} submissions of {} fixtures in {ran_for:.1?}",
        outcomes.len(),
        outcomes
            .iter()
            .map(|o| o.fixture.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    );
    let mut all = Vec::new();
    for o in &sorted {
        for f in &o.failures {
            all.push(format!("{}: {f}", o.label));
        }
    }
    all.extend(failures.iter().cloned());
    assert!(
        all.is_empty(),
        "{} failures:\n{}",
        all.len(),
        all.join("\n")
    );
}
