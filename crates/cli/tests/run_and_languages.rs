//! `judgebox run` and `judgebox languages` as a course author runs them. Needs root and the
//! toolchains the test command installs.

use std::process::{Command, Output};

use judgebox_testkit::require_root;
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

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn run_prints_judge0s_fields_star_object() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(
        dir.path(),
        "sum.c",
        "#include <stdio.h>\nint main(int c,char**v){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d %s\\n\",a+b,v[1]);return 0;}",
    );
    let stdin = write(dir.path(), "in.txt", "2 40\n");
    let expected = write(dir.path(), "out.txt", "42 x y\n");
    let out = judgebox(&[
        "run",
        &src,
        "--stdin",
        &stdin,
        "--expected",
        &expected,
        "--args",
        "'x y'",
        "--json",
    ]);
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 35, "{keys:?}");
    assert_eq!(keys[0], "source_code");
    assert_eq!(keys[34], "language");
    assert_eq!(v["status"]["id"], 3, "{v}");
    assert_eq!(v["stdout"], "42 x y\n");
    assert_eq!(v["language_id"], 50, "a .c file is C (GCC) by default");
    assert!(v["time"].as_str().unwrap().parse::<f64>().is_ok());
    assert_eq!(v["cpu_time_limit"], "5.0");

    let bad = write(dir.path(), "bad.py", "raise SystemExit(3)\n");
    let out = judgebox(&["run", &bad]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Runtime Error (NZEC) (11)"), "{text}");
    assert!(text.contains("exit code 3"), "{text}");

    let broken = write(
        dir.path(),
        "broken.c",
        "int main(void) { return undeclared; }\n",
    );
    let out = judgebox(&["run", &broken]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Compilation Error (6)"), "{text}");
    assert!(text.contains("undeclared"), "the compiler's words: {text}");

    let out = judgebox(&["run", &bad, "--cpu-time", "99"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--cpu-time"));
    let out = judgebox(&["run", &bad, "--lang", "9999"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("9999"));
    let odd = write(dir.path(), "notes.xyz", "hello\n");
    let out = judgebox(&["run", &odd]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no language matches") && err.contains("notes.xyz"),
        "{err}"
    );
}

#[test]
fn run_keeps_a_toolchain_version_until_the_toolchain_changes() {
    require_root();
    let dir = tempfile::tempdir().unwrap();
    let languages = dir.path().join("languages");
    std::fs::create_dir(&languages).unwrap();
    // Python's language file, with a version command that logs each time it is asked.
    let asked = dir.path().join("asked");
    let tool = dir.path().join("python-version");
    let script = |version: &str| {
        format!(
            "#!/bin/sh\necho asked >> {}\necho 'Python {version}'\n",
            asked.display()
        )
    };
    let install = |version: &str| {
        // As dpkg does: a new file renamed over the old one.
        let new = dir.path().join("python-version.new");
        std::fs::write(&new, script(version)).unwrap();
        std::fs::set_permissions(&new, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        std::fs::rename(&new, &tool).unwrap();
    };
    install("3.99.1");
    let python = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../languages/71-python.toml"
    ))
    .unwrap();
    let line = "version = [\"/usr/bin/python3\", \"--version\"]";
    assert!(python.contains(line), "the test edits this line");
    let python = python.replace(line, &format!("version = [\"{}\"]", tool.display()));
    std::fs::write(languages.join("71-python.toml"), python).unwrap();
    let source = write(dir.path(), "hello.py", "print('hi')\n");
    let cache = dir.path().join("cache/versions.json");
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_judgebox"))
            .args(["run", &source, "--lang", "71", "--languages"])
            .arg(&languages)
            .env("JUDGEBOX_VERSION_CACHE", &cache)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let times_asked = || {
        std::fs::read_to_string(&asked)
            .unwrap_or_default()
            .lines()
            .count()
    };

    let first = run();
    assert!(
        first.starts_with("Accepted (3)  Python (3.99.1)"),
        "{first}"
    );
    assert_eq!(times_asked(), 1);
    assert!(cache.exists(), "the version is kept");
    let second = run();
    assert!(
        second.starts_with("Accepted (3)  Python (3.99.1)"),
        "{second}"
    );
    assert_eq!(times_asked(), 1, "the kept version is used");

    install("3.99.2");
    let upgraded = run();
    assert!(
        upgraded.starts_with("Accepted (3)  Python (3.99.2)"),
        "{upgraded}"
    );
    assert_eq!(times_asked(), 2, "a changed toolchain is asked again");
    run();
    assert_eq!(times_asked(), 2);
}

#[test]
fn languages_list_reports_every_id_with_its_state() {
    let out = judgebox(&["languages", "list", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<u64> = list.iter().map(|l| l["id"].as_u64().unwrap()).collect();
    assert_eq!(
        ids,
        (43..=89).collect::<Vec<u64>>(),
        "every active Judge0 id"
    );
    for l in &list {
        let available = l["available"].as_bool().unwrap();
        assert_eq!(available, l["version"].is_string(), "{l}");
        assert_eq!(!available, l["unavailable"].is_string(), "{l}");
    }
    let python = list.iter().find(|l| l["id"] == 71).unwrap();
    assert!(
        python["name"].as_str().unwrap().starts_with("Python (3."),
        "{python}"
    );
}

/// The course author's check, over every language installed here.
#[test]
fn languages_test_passes_for_every_installed_language() {
    let out = judgebox(&["languages", "test"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{table}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(table.contains("all checks passed"), "{table}");
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(progress.contains("[1/"), "progress is shown: {progress}");
}
