//! Test helpers for judgebox: drive a real `judgebox-jail`, and build the hostile C
//! programs in `fixtures/` (each says what it tries and what must happen).
//!
//! The sandbox tests need root, as the sandbox does. They do not skip without it: they fail
//! and say how to run them, because a test that quietly does nothing proves nothing.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use judgebox_jail_client::JailProcess;
use judgebox_spec::{BoxFile, JailRequest, JailResponse, Limits, Profiles, RunReport, RunRequest};

/// Fails the calling test unless it runs as root.
pub fn require_root() {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2).unwrap_or("").to_string())
        });
    assert_eq!(
        uid.as_deref(),
        Some("0"),
        "the sandbox tests create real boxes and need root: run them as root (CI does: bash .ci/run)"
    );
}

/// The `run` profile's default limits, with changes applied by the caller.
/// The `judgebox-jail` built beside the running test binary's directory
/// (`target/debug/judgebox-jail` for `target/debug/deps/<test>`), for tests of crates that
/// do not build the jail themselves; the test command builds the workspace first.
pub fn built_jail() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let binary = exe
        .parent()
        .and_then(Path::parent)
        .expect("a test binary lives in target/<profile>/deps")
        .join("judgebox-jail");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build` first",
        binary.display()
    );
    binary
}

pub fn limits() -> Limits {
    Profiles::builtin()
        .expect("built-in profiles")
        .get("run")
        .expect("run profile")
        .defaults
}

/// A running `judgebox-jail`, whose failures fail the test.
#[derive(Debug)]
pub struct Jail {
    process: JailProcess,
}

impl Jail {
    /// Starts the jail binary with extra arguments (`--slot N`, ...).
    pub fn start(binary: &str, args: &[&str]) -> Jail {
        require_root();
        let process = JailProcess::spawn(Path::new(binary), args).unwrap_or_else(|e| panic!("{e}"));
        Jail { process }
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Sends a request without waiting for the answer.
    pub fn send(&mut self, request: &JailRequest) {
        self.process.send(request).expect("sending to the jail");
    }

    /// The next answer, as the jail gave it (an `Error` answer included).
    pub fn receive(&mut self) -> JailResponse {
        self.process.receive().expect("reading from the jail")
    }

    pub fn call(&mut self, request: &JailRequest) -> JailResponse {
        self.send(request);
        self.receive()
    }

    pub fn write(&mut self, path: &str, content: &[u8], executable: bool) {
        let response = self.call(&JailRequest::WriteFiles {
            files: vec![BoxFile {
                path: path.into(),
                content: content.into(),
                executable,
            }],
        });
        assert!(
            matches!(response, JailResponse::Done),
            "writing {path}: {response:?}"
        );
    }

    /// Puts a compiled fixture into the box as `/box/NAME`.
    pub fn install(&mut self, fixture: &str) {
        let binary = fixture_binary(fixture);
        self.write(fixture, &binary, true);
    }

    pub fn run_request(argv: &[&str], limits: Limits) -> RunRequest {
        RunRequest {
            profile: "run".into(),
            argv: argv.iter().map(|s| s.to_string()).collect(),
            env: vec![],
            stdin: Default::default(),
            limits,
            network: false,
            stderr_to_stdout: false,
            address_space: None,
        }
    }

    pub fn run_with(&mut self, request: RunRequest) -> RunReport {
        match self.call(&JailRequest::Run(request)) {
            JailResponse::Report(report) => report,
            other => panic!("a run was answered with {other:?}"),
        }
    }

    pub fn run(&mut self, argv: &[&str], limits: Limits) -> RunReport {
        self.run_with(Self::run_request(argv, limits))
    }

    /// `sh -c SCRIPT` in the box with default limits.
    pub fn sh(&mut self, script: &str) -> RunReport {
        self.run(&["/bin/sh", "-c", script], limits())
    }

    pub fn read(&mut self, path: &str, max_size: u64) -> JailResponse {
        self.call(&JailRequest::ReadFile {
            path: path.into(),
            max_size,
        })
    }

    /// Closes the jail's input and waits for it to exit cleanly.
    pub fn finish(self) {
        self.process.finish().expect("the jail's exit");
    }

    /// SIGKILLs the jail and reaps it.
    pub fn kill(self) {
        self.process.kill();
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The source of a fixture (`fixtures/NAME.c`).
pub fn fixture_source(name: &str) -> String {
    let path = fixtures_dir().join(format!("{name}.c"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fixture compiled once per test process with `gcc -O2 -static -pthread`.
pub fn fixture_binary(name: &str) -> Vec<u8> {
    static BUILT: OnceLock<Mutex<HashMap<String, Vec<u8>>>> = OnceLock::new();
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    if let Some(b) = built.lock().expect("fixture cache").get(name) {
        return b.clone();
    }
    let dir = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("judgebox-fixtures-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fixture dir");
        dir
    });
    let out = dir.join(name);
    let status = Command::new("gcc")
        .args(["-O2", "-static", "-pthread", "-o"])
        .arg(&out)
        .arg(fixtures_dir().join(format!("{name}.c")))
        .status()
        .expect("running gcc (apt-get install gcc)");
    assert!(status.success(), "compiling fixture {name}");
    let binary = std::fs::read(&out).expect("reading the compiled fixture");
    built
        .lock()
        .expect("fixture cache")
        .insert(name.into(), binary.clone());
    binary
}

/// A path on the host that the fixture binary was compiled to (for running it bare).
pub fn fixture_path(name: &str) -> PathBuf {
    let binary = fixture_binary(name);
    let path = std::env::temp_dir()
        .join(format!("judgebox-fixtures-{}", std::process::id()))
        .join(name);
    if !path.exists() {
        std::fs::write(&path, binary).expect("writing fixture");
    }
    path
}

/// Pids of the host's processes running as `uid` (real uid).
pub fn processes_of_uid(uid: u32) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let real = status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|u| u.parse::<u32>().ok());
        if real == Some(uid) {
            pids.push(pid);
        }
    }
    pids
}

/// A random hex string, for canaries.
pub fn secret() -> String {
    let bytes = std::fs::read("/proc/sys/kernel/random/uuid").expect("uuid");
    String::from_utf8_lossy(&bytes).trim().replace('-', "")
}
