//! `judgebox sandbox run` and `judgebox check` as a user runs them. Needs root.
//!
//! The `judgebox-jail` binary is found beside `judgebox` in the target directory; it is
//! built by `cargo build` (the test command in README.md builds the workspace first).

use std::process::{Command, Output};

use judgebox_testkit::{fixture_path, require_root};
use serde_json::Value;

fn judgebox(args: &[&str]) -> Output {
    require_root();
    let jail = std::path::Path::new(env!("CARGO_BIN_EXE_judgebox")).with_file_name("judgebox-jail");
    assert!(
        jail.exists(),
        "{} is missing: run `cargo build` first",
        jail.display()
    );
    Command::new(env!("CARGO_BIN_EXE_judgebox"))
        .args(args)
        .output()
        .unwrap()
}

fn run_json(args: &[&str]) -> Value {
    let mut all = vec!["sandbox", "run", "--json"];
    all.extend_from_slice(args);
    let out = judgebox(&all);
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn json_report_has_every_documented_field() {
    let v = run_json(&["--", "/bin/sh", "-c", "echo out; echo err >&2; exit 4"]);
    for key in [
        "outcome",
        "exit_code",
        "signal",
        "cpu_time",
        "wall_time",
        "memory",
        "stdout",
        "stderr",
        "overshoot",
        "message",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["outcome"], "exited");
    assert_eq!(v["exit_code"], 4);
    assert_eq!(v["stdout"], "out\n");
    assert_eq!(v["stderr"], "err\n");
    assert!(v["cpu_time"].as_f64().unwrap() >= 0.0);
    assert!(v["wall_time"].as_f64().unwrap() > 0.0);
    assert!(v["memory"].as_u64().unwrap() > 0);
}

#[test]
fn limit_flags_reach_the_box() {
    let spin = fixture_path("spin");
    let spin_arg = format!("{}:spin", spin.display());
    let v = run_json(&["--cpu-time", "0.2", "--file", &spin_arg, "--", "./spin"]);
    assert_eq!(v["outcome"], "cpu_time_limit", "{v}");
    assert!(v["overshoot"].as_f64().unwrap() < 0.05, "{v}");
    let v = run_json(&["--wall-time", "0.2", "--", "/bin/sleep", "5"]);
    assert_eq!(v["outcome"], "wall_time_limit", "{v}");
    let v = run_json(&["--output", "4", "--", "/usr/bin/yes"]);
    assert_eq!(v["outcome"], "output_limit", "{v}");
    let v = run_json(&[
        "--file-size",
        "8",
        "--",
        "/bin/sh",
        "-c",
        "head -c 100000 /dev/zero > big",
    ]);
    assert_eq!(
        v["exit_code"], 153,
        "sh reports its child's SIGXFSZ as 128+25: {v}"
    );
    let v = run_json(&[
        "--processes",
        "5",
        "--",
        "/bin/grep",
        "Max processes",
        "/proc/self/limits",
    ]);
    let fields: Vec<&str> = v["stdout"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(fields[2..4], ["5", "5"], "{v}");
}

#[test]
fn stdin_file_and_signals_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "42\n").unwrap();
    let v = run_json(&["--stdin", input.to_str().unwrap(), "--", "/bin/cat"]);
    assert_eq!(v["stdout"], "42\n");
    let v = run_json(&["--", "/bin/sh", "-c", "kill -SEGV $$"]);
    assert_eq!(
        (v["outcome"].as_str(), v["signal"].as_i64()),
        (Some("signaled"), Some(11)),
        "{v}"
    );
}

#[test]
fn bad_input_gets_a_clear_error_and_no_box() {
    let out = judgebox(&["sandbox", "run", "--memory", "99999999", "--", "/bin/true"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("memory") && err.contains("maximum"), "{err}");
    let out = judgebox(&["sandbox", "run", "--profile", "nope", "--", "/bin/true"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sandbox profile named \"nope\""));
    let out = judgebox(&["sandbox", "run", "--network", "--json", "--", "/bin/true"]);
    assert!(
        out.status.success(),
        "the CLI's user is the operator and may allow the network: {out:?}"
    );
}

#[test]
fn human_summary_and_jail_fault_exit_status() {
    let out = judgebox(&["sandbox", "run", "--", "/bin/echo", "hi"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("outcome    exited (exit code 0)\n"),
        "{text}"
    );
    assert!(text.contains("--- stdout (3 bytes) ---\nhi\n"), "{text}");
    let out = judgebox(&["sandbox", "run", "--", "/no/such/program"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a box that could not run its program: {out:?}"
    );
}

#[test]
fn check_passes_on_this_host() {
    let out = judgebox(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for item in [
        "privileges",
        "cgroups",
        "namespaces",
        "seccomp",
        "landlock",
        "profiles",
        "test box",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("pass  ") && l.contains(item)),
            "{item} not passed:\n{text}"
        );
    }
}
