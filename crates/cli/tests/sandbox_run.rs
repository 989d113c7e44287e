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
        "charged",
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
    assert!(v["charged"].as_u64().unwrap() > 0);
}

#[test]
fn a_pinned_one_shot_jail_leaves_the_program_every_cpu_it_had() {
    // The CLI pins itself (and the box's init) to the CPU it runs on; the program gets back
    // what the CLI had, so that a JVM or a parallel compiler keeps its CPUs.
    let allowed = |status: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .map(|v| v.trim().to_string())
            .unwrap()
    };
    let here = allowed(&std::fs::read_to_string("/proc/self/status").unwrap());
    let v = run_json(&["--", "/bin/cat", "/proc/self/status"]);
    assert_eq!(v["outcome"], "exited", "{v}");
    assert_eq!(allowed(v["stdout"].as_str().unwrap()), here, "{v}");
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

/// The inode of a kept namespace (its identity), if slot `slot` keeps one under `name`.
fn kept_ns(slot: u32, name: &str) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    let path = format!("/run/judgebox/kept/slot-{slot}/{name}");
    let mounted = std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .any(|l| l.contains(&format!(" {path} ")) && l.contains(" - nsfs "));
    mounted.then(|| std::fs::metadata(&path).unwrap().ino())
}

/// `sandbox run --slot SLOT --json ARGS...`, which must succeed the first time: a slot still
/// held by a killed run's box (its init holds the slot's lock until it has died) is waited
/// for by `Slot::open`, not refused.
fn run_in_slot(slot: u32, args: &[&str]) -> Value {
    let slot = slot.to_string();
    let mut all = vec!["sandbox", "run", "--json", "--slot", &slot];
    all.extend_from_slice(args);
    let out = judgebox(&all);
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_one_shot_slot_keeps_its_namespaces_and_nothing_of_its_boxes() {
    const SLOT: u32 = 4990;
    // A box that leaves secrets everywhere it may write, then is killed with its CLI
    // mid-run, before it could clean up.
    require_root();
    let plant = "echo S3CR3T > /tmp/s; echo S3CR3T > /dev/shm/s; echo S3CR3T > /box/s; \
                 echo planted; sleep 30";
    let mut cli = Command::new(env!("CARGO_BIN_EXE_judgebox"))
        .args(["sandbox", "run", "--slot", &SLOT.to_string()])
        .args(["--", "/bin/sh", "-c", plant])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    cli.kill().unwrap();
    cli.wait().unwrap();
    let (net, run) = (kept_ns(SLOT, "net"), kept_ns(SLOT, "run.mnt"));
    assert!(net.is_some() && run.is_some(), "slot {SLOT} kept nothing");

    // The next box of the slot gets the same namespaces, and none of the secrets.
    let look = "cat /tmp/s /dev/shm/s /box/s 2>/dev/null; \
                grep -c -E ' /(tmp|dev/shm|proc|box) ' /proc/self/mountinfo";
    let v = run_in_slot(SLOT, &["--", "/bin/sh", "-c", look]);
    assert_eq!(v["outcome"], "exited", "{v}");
    assert_eq!(
        v["stdout"], "4\n",
        "a secret survived, or a mount was stacked: {v}"
    );
    assert_eq!(kept_ns(SLOT, "net"), net);
    assert_eq!(kept_ns(SLOT, "run.mnt"), run);

    // A changed profile is built afresh, not taken from the kept one.
    let profiles = tempfile::tempdir().unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sandbox-profiles");
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let text = text
            .replace("tmp_size = 131072", "tmp_size = 65536")
            .replace("source = \"/etc/localtime\"", "source = \"/etc/hostname\"");
        std::fs::write(profiles.path().join(entry.file_name()), text).unwrap();
    }
    let dir = profiles.path().to_str().unwrap();
    // The /tmp size is the per-run plan's, the /etc/hostname bind the kept namespace's.
    let look = "df -k /tmp | tail -1 | tr -s ' ' | cut -d' ' -f2; ls /etc/hostname 2>&1";
    let v = run_in_slot(SLOT, &["--profiles", dir, "--", "/bin/sh", "-c", look]);
    assert_eq!(v["stdout"], "65536\n/etc/hostname\n", "{v}");
    let changed = kept_ns(SLOT, "run.mnt");
    assert!(changed.is_some() && changed != run, "{changed:?} {run:?}");
    let v = run_in_slot(SLOT, &["--", "/bin/sh", "-c", look]);
    assert!(
        v["stdout"]
            .as_str()
            .unwrap()
            .starts_with("131072\nls: cannot access '/etc/hostname'"),
        "{v}"
    );
}
