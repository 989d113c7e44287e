//! The official Judge0 Python SDK (PyPI `judge0`, 0.0.8) against a real server:
//! `tests/sdk/check_sdk.py` runs its common calls (`run`, `async_run` + `wait`, batches,
//! test cases, language aliases, the implicit client) and checks what it hands back. The
//! SDK is the strictest client there is (all 39 `/config_info` keys, no unknown keys in
//! `fields=*`, exact timestamps, strict base64), so this is the compatibility test that
//! counts. The server requires a token, so the SDK's headers are exercised on every call.
//!
//! The SDK lives in a virtualenv that `tests/sdk/install.sh` makes (scripts/test.sh runs
//! it): `/opt/judgebox-sdk-venv`, or `$JUDGEBOX_SDK_VENV`. Needs root, as every server does.

mod common;

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{tail, Server};

const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

fn venv_python() -> PathBuf {
    let venv = std::env::var_os("JUDGEBOX_SDK_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/judgebox-sdk-venv"));
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/sdk/install.sh (scripts/test.sh does) to install the judge0 SDK",
        python.display()
    );
    python
}

#[test]
fn the_official_python_sdk_works_against_judgebox() {
    let python = venv_python();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/sdk/check_sdk.py");
    assert!(script.exists(), "{} is missing", script.display());
    let server = Server::start(&[("AUTHN_TOKEN", "sdk-secret")]);
    let base = server.base_url();
    let headers = r#"{"X-Auth-Token": "sdk-secret"}"#;

    let mut child = Command::new(&python)
        .arg(&script)
        .arg(&base)
        .arg("sdk-secret")
        // For the implicit-client check; both flavors point here, so the SDK never reaches
        // for the public hosts.
        .env("JUDGE0_CE_ENDPOINT", &base)
        .env("JUDGE0_CE_AUTH_HEADERS", headers)
        .env("JUDGE0_EXTRA_CE_ENDPOINT", &base)
        .env("JUDGE0_EXTRA_CE_AUTH_HEADERS", headers)
        .env("JUDGE0_SUPPRESS_PREVIEW_WARNING", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the SDK script");

    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > SCRIPT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = out_reader.join().unwrap();
    let err = err_reader.join().unwrap();
    let report = format!(
        "---- check_sdk.py stdout ----\n{out}\n---- stderr ----\n{err}\n---- server log (tail) ----\n{}",
        tail(&server.log(), 40)
    );
    let status =
        status.unwrap_or_else(|| panic!("check_sdk.py ran over {SCRIPT_TIMEOUT:?}\n{report}"));
    assert!(status.success(), "check_sdk.py failed ({status})\n{report}");
    assert!(
        out.contains("SDK checks: ") && !out.contains("FAIL"),
        "unexpected output\n{report}"
    );
}
