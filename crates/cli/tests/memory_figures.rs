//! The memory figure repeats: a C hello world, a Python hello world and a 64 MiB touch
//! each report the same peak, within 1 %, over 20 runs in one pooled jail and 20 one-shot
//! `judgebox sandbox run`s, and never 0. Needs root.
//!
//! The figure is the program's own peak resident set (README, "Memory: the figure"): the
//! box starts it through the exec helper from a few pages of memory and without address
//! randomisation, so nothing but the program decides it. Two things in the kernel can still
//! move it by a few pages, and the tests in this file run one at a time because of them:
//! another process faulting in the same library pages at the same instant (fault-around
//! skips a page another fault holds locked), and the kernel reading the peak from per-CPU
//! resident-set counters before they are folded (a few dozen pages a CPU at most, seen only
//! when a program hops between busy CPUs). The host matrix (tests/hosts) runs the same
//! check on cgroup v2 hosts; this host's CI runs it on whatever cgroup version it has.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use judgebox_spec::Outcome;
use judgebox_testkit::{built_jail, fixture_path, limits, require_root, Jail};

const RUNS: usize = 20;
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A C hello world as Judge0's C compiles it: dynamically linked against glibc.
fn c_hello(dir: &Path) -> PathBuf {
    let source = dir.join("hello.c");
    std::fs::write(
        &source,
        "#include <stdio.h>\nint main(void){ puts(\"hello\"); return 0; }\n",
    )
    .unwrap();
    let binary = dir.join("hello");
    let status = Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .expect("gcc");
    assert!(status.success());
    binary
}

/// The programs, each as (name, file to put in /box or none, argv, memory limit KB).
fn programs(dir: &Path) -> Vec<(&'static str, Option<PathBuf>, Vec<String>, u64)> {
    let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect();
    vec![
        ("C hello", Some(c_hello(dir)), argv(&["./hello"]), 65536),
        (
            "Python hello",
            None,
            // With the hash seed language 71 runs with: a random one changes CPython's own
            // allocations from run to run (languages/71-python.toml).
            argv(&[
                "/usr/bin/env",
                "PYTHONHASHSEED=0",
                "/usr/bin/python3",
                "-c",
                "print('hello')",
            ]),
            65536,
        ),
        (
            "64 MiB touch",
            Some(fixture_path("touch64")),
            argv(&["./touch64"]),
            262144,
        ),
    ]
}

/// `judgebox sandbox run --json ARGS...`: its report, the command having succeeded.
fn sandbox_run(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_judgebox"))
        .args(["sandbox", "run", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn assert_repeats(name: &str, how: &str, figures: &[u64]) {
    let mut sorted = figures.to_vec();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2] as f64;
    eprintln!("{name}, {how}: {sorted:?} KB");
    assert!(sorted[0] > 0, "{name}, {how}: a figure of 0 in {sorted:?}");
    for &m in &sorted {
        assert!(
            (m as f64 - median).abs() <= 0.01 * median,
            "{name}, {how}: {m} KB is more than 1 % from the median {median} in {sorted:?}"
        );
    }
}

#[test]
fn memory_figures_repeat_pooled_and_one_shot() {
    require_root();
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    for (name, file, argv, memory) in programs(dir.path()) {
        // Pooled: one jail, one slot, every run after the first in a renewed group.
        let mut jail = Jail::start(built_jail().to_str().unwrap(), &[]);
        if let Some(file) = &file {
            let box_name = argv[0].trim_start_matches("./");
            jail.write(box_name, &std::fs::read(file).unwrap(), true);
        }
        let argv_ref: Vec<&str> = argv.iter().map(String::as_str).collect();
        let mut l = limits();
        l.memory = memory;
        let mut figures = Vec::new();
        // One run first reads the program's files into the page cache, as a warm host has.
        for i in 0..=RUNS {
            let r = jail.run(&argv_ref, l);
            assert_eq!(
                (r.outcome, r.exit_code),
                (Outcome::Exited, Some(0)),
                "{name}: {r:?}"
            );
            if i > 0 {
                figures.push(r.memory);
            }
        }
        jail.finish();
        assert_repeats(name, "pooled", &figures);

        // One-shot: a new `judgebox sandbox run` process, jail and slot each time.
        let mut args = vec!["--memory".to_string(), memory.to_string()];
        if let Some(file) = &file {
            let box_name = argv[0].trim_start_matches("./");
            args.extend(["--file".into(), format!("{}:{box_name}", file.display())]);
        }
        args.push("--".into());
        args.extend(argv.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut figures = Vec::new();
        for i in 0..=RUNS {
            let v = sandbox_run(&args);
            assert_eq!(v["outcome"], "exited", "{name}: {v}");
            if i > 0 {
                figures.push(v["memory"].as_u64().unwrap());
            }
        }
        assert_repeats(name, "one-shot", &figures);
    }
}

/// What makes the figure repeat is in place in the box: no address randomisation and no
/// transparent huge pages (whether a fault gets one depends on the host's fragmentation).
#[test]
fn boxes_run_without_aslr_or_transparent_huge_pages() {
    require_root();
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let v = sandbox_run(&["--", "/bin/grep", "THP_enabled", "/proc/self/status"]);
    assert!(
        v["stdout"].as_str().unwrap().contains("THP_enabled:\t0"),
        "{v}"
    );
    // Two identical runs map the C library at the same address.
    let maps = || {
        let v = sandbox_run(&["--", "/bin/grep", "-m1", "libc", "/proc/self/maps"]);
        v["stdout"].as_str().unwrap().to_string()
    };
    let first = maps();
    assert!(first.contains("libc"), "{first}");
    assert_eq!(first, maps());
}

/// Where the kernel refuses executable memfds (`vm.memfd_noexec = 2`, a per-pid-namespace
/// setting since Linux 6.3), programs start without the exec helper: they still run, the
/// figure is the cgroup's peak (never 0), and `judgebox check` names the degradation. Run
/// in a pid namespace of its own, so the host's setting is untouched.
#[test]
fn without_executable_memfds_programs_run_and_check_says_so() {
    require_root();
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !Path::new("/proc/sys/vm/memfd_noexec").exists() {
        // Before 6.3 every memfd is executable: there is nothing to refuse.
        eprintln!("no vm.memfd_noexec on this kernel");
        return;
    }
    let judgebox = env!("CARGO_BIN_EXE_judgebox");
    let script = format!(
        "echo 2 > /proc/sys/vm/memfd_noexec && {judgebox} sandbox run --json -- /bin/sh -c 'echo ran' \
         && {judgebox} check"
    );
    let out = Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "sh", "-c", &script])
        .output()
        .expect("unshare (util-linux)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report_end = stdout.find("\n}\n").expect("a JSON report") + 2;
    let v: serde_json::Value = serde_json::from_str(&stdout[..report_end]).unwrap();
    assert_eq!(
        (&v["outcome"], &v["stdout"]),
        (&"exited".into(), &"ran\n".into()),
        "{v}"
    );
    assert!(v["memory"].as_u64().unwrap() > 0, "{v}");
    assert!(
        stdout.contains("degraded  executable memfds refused (vm.memfd_noexec = 2)"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string("/proc/sys/vm/memfd_noexec")
            .unwrap()
            .trim(),
        "0",
        "the host's own setting changed"
    );
}
