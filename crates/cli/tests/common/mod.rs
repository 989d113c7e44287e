//! The harness of the end-to-end API tests (`api_*.rs`): a real `judgebox serve` child
//! process on a free loopback port, with a fresh data directory and worker slots of its own,
//! and a small blocking HTTP/1.1 client that shows exactly what the server sent (status,
//! headers, body bytes). Needs root, as the sandbox does, and `judgebox-jail` beside
//! `judgebox` (the test command builds the workspace first).
//!
//! Servers run in parallel (tests in one binary, and several test binaries), so each one
//! takes its own port and its own slot numbers; a start that fails because another process
//! took the port or a slot in the meantime is retried with new ones.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Slots these tests may use: below the jail tests' 930-943, above a dev server's 0..N.
const SLOT_RANGE: std::ops::Range<u32> = 100..900;

/// How long a server may take to detect its languages and start its jails.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// Judge0's statuses, by id.
pub const IN_QUEUE: u64 = 1;
pub const PROCESSING: u64 = 2;
pub const ACCEPTED: u64 = 3;

/// The 8 fields Judge0 prints by default, in its order.
pub const DEFAULT_FIELDS: [&str; 8] = [
    "stdout",
    "time",
    "memory",
    "stderr",
    "token",
    "compile_output",
    "message",
    "status",
];

/// Every field of `fields=*` in Judge0 CE 1.13.1, in its column order (then the two
/// virtual ones). Written out here rather than taken from the server's code, so that the
/// test checks the server against Judge0, not against itself.
pub const ALL_FIELDS: [&str; 35] = [
    "source_code",
    "language_id",
    "stdin",
    "expected_output",
    "stdout",
    "status_id",
    "created_at",
    "finished_at",
    "time",
    "memory",
    "stderr",
    "token",
    "number_of_runs",
    "cpu_time_limit",
    "cpu_extra_time",
    "wall_time_limit",
    "memory_limit",
    "stack_limit",
    "max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit",
    "max_file_size",
    "compile_output",
    "exit_code",
    "exit_signal",
    "message",
    "wall_time",
    "compiler_options",
    "command_line_arguments",
    "redirect_stderr_to_stdout",
    "callback_url",
    "additional_files",
    "enable_network",
    "status",
    "language",
];

pub const NOT_UTF8_ONE: &str = "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter";
pub const NOT_UTF8_MANY: &str = "some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter";

/// Environment variables of the parent that would change a server's configuration.
const CONFIG_VARS: &[&str] = &[
    "AUTHN_TOKEN",
    "AUTHN_HEADER",
    "AUTHZ_TOKEN",
    "AUTHZ_HEADER",
    "ALLOW_IP",
    "DISALLOW_IP",
    "ALLOW_ORIGIN",
    "DISALLOW_ORIGIN",
    "MAINTENANCE_MODE",
    "MAINTENANCE_MESSAGE",
    "ENABLE_WAIT_RESULT",
    "ENABLE_SUBMISSION_DELETE",
    "ENABLE_BATCHED_SUBMISSIONS",
    "ENABLE_CALLBACKS",
    "MAX_QUEUE_SIZE",
    "ALLOW_ENABLE_NETWORK",
];

fn next_slots(count: u32) -> u32 {
    // Spread the processes (test binaries run side by side) over the range by pid, then
    // hand out consecutive blocks within the process.
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let span = SLOT_RANGE.end - SLOT_RANGE.start;
    let _ = NEXT.compare_exchange(
        u32::MAX,
        (std::process::id().wrapping_mul(97)) % span,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    loop {
        let offset = NEXT.fetch_add(count, Ordering::SeqCst) % span;
        if offset + count <= span {
            return SLOT_RANGE.start + offset;
        }
    }
}

/// A free loopback port (free when asked; the server binds it a moment later, and a start
/// that loses the race is retried).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("binding a loopback port")
        .port()
}

fn judgebox_binary() -> PathBuf {
    judgebox_testkit::require_root();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_judgebox"));
    let jail = bin.with_file_name("judgebox-jail");
    assert!(
        jail.exists(),
        "{} is missing: run `cargo build -p judgebox-jail` (scripts/test.sh builds the workspace first)",
        jail.display()
    );
    bin
}

/// How to start a server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub env: Vec<(String, String)>,
    pub workers: u32,
    /// The store's directory; a fresh temporary one when `None`.
    pub data: Option<PathBuf>,
    /// Worker slots from here; fresh ones when `None`.
    pub first_slot: Option<u32>,
    pub drain_seconds: u64,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            env: Vec::new(),
            workers: 2,
            data: None,
            first_slot: None,
            drain_seconds: 5,
        }
    }
}

impl ServerOptions {
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    pub fn workers(mut self, n: u32) -> Self {
        self.workers = n;
        self
    }

    pub fn data(mut self, dir: &Path) -> Self {
        self.data = Some(dir.to_path_buf());
        self
    }

    pub fn first_slot(mut self, slot: u32) -> Self {
        self.first_slot = Some(slot);
        self
    }

    pub fn drain_seconds(mut self, s: u64) -> Self {
        self.drain_seconds = s;
        self
    }

    pub fn start(self) -> Server {
        Server::start_with(self)
    }
}

/// A running `judgebox serve`; stopped (SIGTERM, then SIGKILL) when dropped.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub data: PathBuf,
    pub first_slot: u32,
    pub workers: u32,
    log: PathBuf,
    dir: Option<tempfile::TempDir>,
}

impl Server {
    /// A server with 2 workers and the given environment.
    pub fn start(env: &[(&str, &str)]) -> Server {
        let mut options = ServerOptions::default();
        for (k, v) in env {
            options = options.env(k, v);
        }
        options.start()
    }

    pub fn options() -> ServerOptions {
        ServerOptions::default()
    }

    fn start_with(options: ServerOptions) -> Server {
        let bin = judgebox_binary();
        let dir = tempfile::Builder::new()
            .prefix("judgebox-api-test-")
            .tempdir()
            .expect("a temporary directory");
        let data = options
            .data
            .clone()
            .unwrap_or_else(|| dir.path().join("data"));
        let deadline = Instant::now() + START_TIMEOUT;
        for attempt in 1.. {
            let port = free_port();
            let first_slot = options
                .first_slot
                .unwrap_or_else(|| next_slots(options.workers));
            let log = dir.path().join(format!("server-{attempt}.log"));
            let log_file = File::create(&log).expect("creating the server log");
            let mut command = Command::new(&bin);
            command
                .arg("serve")
                .arg("--listen")
                .arg(format!("127.0.0.1:{port}"))
                .arg("--data")
                .arg(&data)
                .arg("--first-slot")
                .arg(first_slot.to_string())
                .arg("--workers")
                .arg(options.workers.to_string())
                .arg("--drain-seconds")
                .arg(options.drain_seconds.to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::from(log_file.try_clone().expect("log fd")))
                .stderr(Stdio::from(log_file))
                .env("RUST_LOG", "info")
                .env("NO_COLOR", "1");
            for name in CONFIG_VARS {
                command.env_remove(name);
            }
            for (name, _) in std::env::vars() {
                if name.starts_with("JUDGEBOX_") {
                    command.env_remove(name);
                }
            }
            for (k, v) in &options.env {
                command.env(k, v);
            }
            let child = command.spawn().expect("starting judgebox serve");
            let mut server = Server {
                child: Some(child),
                port,
                data: data.clone(),
                first_slot,
                workers: options.workers,
                log,
                dir: None,
            };
            match server.wait_ready(deadline) {
                Ok(()) => {
                    server.dir = Some(dir);
                    return server;
                }
                Err(why) => {
                    let text = server.log();
                    drop(server);
                    assert!(
                        Instant::now() < deadline && attempt < 30,
                        "judgebox serve did not start ({why}) after {attempt} attempts; its log:\n{text}"
                    );
                    // Another process took the port or a slot (or, after a crash, the old
                    // jails still hold the slots for a moment): try again.
                    eprintln!(
                        "judgebox serve attempt {attempt} failed ({why}), retrying; log tail:\n{}",
                        tail(&text, 5)
                    );
                    std::thread::sleep(Duration::from_millis(300));
                }
            }
        }
        unreachable!("the loop returns or panics")
    }

    fn wait_ready(&mut self, deadline: Instant) -> Result<(), String> {
        loop {
            if let Some(status) = self.child_mut().try_wait().expect("polling the server") {
                return Err(format!("it exited with {status}"));
            }
            // `/` answers without authentication, whatever the configuration. The answer must
            // come from this child: another test's server may have bound the port first, and
            // this one is then about to exit.
            if let Ok(r) = try_request(self.port, "GET", "/", &[], b"", Duration::from_secs(5)) {
                if r.status == 200 && listens_on(self.pid(), self.port) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("no answer within {START_TIMEOUT:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("the server is running")
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the server is running").id()
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server's output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends a signal by name (`TERM`, `KILL`) to the server process.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("running kill");
        assert!(status.success(), "kill -{name} {} failed", self.pid());
    }

    /// Waits up to `timeout` for the server to exit; `None` if it is still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            let child = self.child.as_mut()?;
            if let Some(status) = child.try_wait().expect("polling the server") {
                self.child = None;
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL, as a crash: the server gets no chance to clean up.
    pub fn crash(&mut self) {
        self.signal("KILL");
        self.wait_exit(Duration::from_secs(10))
            .expect("the server survived SIGKILL");
    }

    // ---- HTTP ----

    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        try_request(
            self.port,
            method,
            path,
            headers,
            body,
            Duration::from_secs(120),
        )
        .unwrap_or_else(|e| {
            panic!(
                "{method} {path}: {e}\nserver log:\n{}",
                tail(&self.log(), 30)
            )
        })
    }

    pub fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[], b"")
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        self.send("GET", path, headers, b"")
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Response {
        self.post_json_with(path, &[], body)
    }

    pub fn post_json_with(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> Response {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.send("POST", path, &all, body.to_string().as_bytes())
    }

    pub fn delete_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        self.send("DELETE", path, headers, b"")
    }

    /// Creates a submission and returns its token (the POST must answer 201).
    pub fn submit(&self, body: &Value) -> String {
        self.submit_with(&[], body)
    }

    pub fn submit_with(&self, headers: &[(&str, &str)], body: &Value) -> String {
        let r = self.post_json_with("/submissions", headers, body);
        assert_eq!(r.status, 201, "POST /submissions {body}: {r}");
        r.json()["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in {r}"))
            .to_string()
    }

    /// Polls `GET /submissions/TOKEN?base64_encoded=true&fields=*` (plus `extra` query)
    /// until the status is final; returns the last body.
    pub fn wait_final(&self, token: &str, timeout: Duration) -> Value {
        self.wait_final_with(token, &[], timeout)
    }

    pub fn wait_final_with(
        &self,
        token: &str,
        headers: &[(&str, &str)],
        timeout: Duration,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let r = self.get_with(
                &format!("/submissions/{token}?base64_encoded=true&fields=*"),
                headers,
            );
            assert_eq!(r.status, 200, "GET {token}: {r}");
            let v = r.json();
            let status = v["status"]["id"].as_u64().expect("status.id");
            if status > PROCESSING {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "{token} still has status {status} after {timeout:?}\nserver log:\n{}",
                tail(&self.log(), 30)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls until the submission has `status` (e.g. Processing); panics after `timeout`.
    pub fn wait_status(&self, token: &str, status: u64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self
                .get(&format!("/submissions/{token}?fields=status_id"))
                .json();
            if v["status_id"].as_u64() == Some(status) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{token} never reached status {status}: {v}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "---- judgebox serve log (port {}) ----\n{}",
                self.port,
                tail(&self.log(), 60)
            );
        }
        let Some(child) = self.child.as_mut() else {
            return;
        };
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Whether process `pid` owns the socket listening on loopback TCP `port` (from
/// `/proc/net/tcp` and the process's file descriptors).
fn listens_on(pid: u32, port: u16) -> bool {
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return false;
    };
    let sockets: Vec<String> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let local_port = u16::from_str_radix(f.get(1)?.rsplit(':').next()?, 16).ok()?;
            // State 0A is LISTEN; the inode is the tenth column.
            let inode = f.get(9)?;
            (local_port == port && *f.get(3)? == "0A").then(|| format!("socket:[{inode}]"))
        })
        .collect();
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|target| sockets.iter().any(|s| target.as_os_str() == s.as_str()))
    })
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

// ---- a minimal HTTP/1.1 client ----

/// What the server answered, unaltered.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (panics, showing the body, if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self}"))
    }

    /// The keys of a JSON object body, in the order sent.
    pub fn keys(&self) -> Vec<String> {
        keys(&self.json())
    }
}

impl std::fmt::Display for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {} {}", self.status, self.text())
    }
}

/// The keys of a JSON object, in order (serde_json keeps the order: `preserve_order`).
pub fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

/// One request on its own connection (`Connection: close`), read to the end.
pub fn try_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" || method == "PUT" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw).ok_or_else(|| {
        std::io::Error::other(format!(
            "malformed response: {:?}",
            String::from_utf8_lossy(&raw)
        ))
    })
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(len) = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        rest.get(..len)?.to_vec()
    } else {
        rest.to_vec()
    };
    Some(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// Percent-encodes a query-string value.
pub fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---- base64, as Ruby's Base64 writes it ----

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, on one line.
pub fn b64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                out.push(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Ruby's `Base64.encode64`: a newline after every 60 characters and at the end.
pub fn encode64(bytes: &[u8]) -> String {
    let flat = b64(bytes);
    let mut out = String::new();
    for chunk in flat.as_bytes().chunks(60) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out
}

/// Strict decoding of standard base64, newlines ignored (what the SDK does).
pub fn unb64(text: &str) -> Vec<u8> {
    let clean: Vec<u8> = text.bytes().filter(|b| *b != b'\n').collect();
    assert!(
        clean.len().is_multiple_of(4),
        "base64 of bad length: {text:?}"
    );
    let mut out = Vec::new();
    for quad in clean.chunks(4) {
        let mut v = 0u32;
        let mut pad = 0;
        for &c in quad {
            let d = if c == b'=' {
                pad += 1;
                0
            } else {
                ALPHABET
                    .iter()
                    .position(|a| *a == c)
                    .unwrap_or_else(|| panic!("not base64: {text:?}")) as u32
            };
            v = (v << 6) | d;
        }
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    out
}

/// A field that is base64 text (or null), decoded to a string.
pub fn field64(v: &Value, name: &str) -> Option<String> {
    v[name]
        .as_str()
        .map(|s| String::from_utf8_lossy(&unb64(s)).into_owned())
}

// ---- a callback receiver ----

/// One request a [`CallbackSink`] received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback HTTP listener that answers every request `200` and hands it to the test.
#[derive(Debug)]
pub struct CallbackSink {
    pub port: u16,
    received: mpsc::Receiver<Received>,
}

impl CallbackSink {
    /// A sink that answers `200` to everything.
    pub fn start() -> CallbackSink {
        CallbackSink::scripted(Vec::new())
    }

    /// A sink that answers its n-th request with `answers[n]`: `Some(status)`, or `None` to
    /// hang up without answering; `200` after the list.
    pub fn scripted(answers: Vec<Option<u16>>) -> CallbackSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the callback sink");
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut n = 0;
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let Some(request) = read_request(&mut stream) else {
                    continue;
                };
                let answer = answers.get(n).copied().unwrap_or(Some(200));
                n += 1;
                if let Some(status) = answer {
                    let _ = stream.write_all(
                        format!(
                            "HTTP/1.1 {status} Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                }
                drop(stream);
                if tx.send(request).is_err() {
                    return;
                }
            }
        });
        CallbackSink { port, received: rx }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The next request, within `timeout`.
    pub fn next(&self, timeout: Duration) -> Option<Received> {
        self.received.recv_timeout(timeout).ok()
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = raw[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some(Received {
        method,
        path,
        headers,
        body,
    })
}

/// True if `text` looks like `2024-04-04T05:22:23.712Z`.
pub fn is_rails_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[23] == b'Z'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

/// True if `text` is a decimal as `BigDecimal#to_s("F")` prints it: `0.002`, `5.0`.
pub fn is_decimal(text: &str) -> bool {
    match text.split_once('.') {
        Some((int, frac)) => {
            !int.is_empty()
                && !frac.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// True if `text` is a UUID v4 as `SecureRandom.uuid` writes it.
pub fn is_uuid_v4(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12].iter().zip(&parts).all(|(n, p)| {
            p.len() == *n && p.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        })
        && parts[2].starts_with('4')
}
