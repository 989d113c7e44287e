//! `additional_files` (a real zip) for single-file languages and the multi-file program
//! (id 89), and the Executable language (id 44), judged in real boxes. Needs root.

use std::io::Write;
use std::sync::Arc;

use judgebox_engine::{Catalog, Engine, EngineConfig, JailCommand, JailPool, Job, SlotPlan};
use judgebox_spec::{Languages, Status};
use judgebox_testkit::require_root;
use zip::write::SimpleFileOptions;

fn jail_command() -> JailCommand {
    JailCommand {
        binary: judgebox_testkit::built_jail(),
        args: Vec::new(),
    }
}

async fn engine() -> Engine {
    require_root();
    let all = Languages::builtin().unwrap();
    let specs = [44, 50, 71, 89].map(|id| all.get(id).unwrap().clone());
    let catalog = Catalog::detect_specs(specs).await;
    let pool = JailPool::new(jail_command(), SlotPlan::Ephemeral { count: 1 });
    Engine::new(pool, Arc::new(catalog), EngineConfig::default())
}

fn zip(entries: &[(&str, &str, u32)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content, mode) in entries {
        out.start_file(*name, SimpleFileOptions::default().unix_permissions(*mode))
            .unwrap();
        out.write_all(content.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn job(language_id: u32, source: Option<&[u8]>, files: Option<Vec<u8>>) -> Job {
    Job {
        language_id,
        source_code: source.map(<[u8]>::to_vec),
        number_of_runs: 1,
        additional_files: files,
        ..Job::default()
    }
}

fn stdout(v: &judgebox_engine::Verdict) -> String {
    String::from_utf8_lossy(v.stdout.as_deref().unwrap_or_default()).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn additional_files_reach_the_compiler_and_the_program() {
    let engine = engine().await;
    let files = zip(&[
        ("lib/answer.h", "#define ANSWER 42\n", 0o644),
        ("data.txt", "from the zip\n", 0o644),
        ("main.c", "int main(void){return 99;}", 0o644),
    ]);
    let source = b"#include <stdio.h>\n#include \"lib/answer.h\"\nint main(void){char b[64];FILE*f=fopen(\"data.txt\",\"r\");fgets(b,64,f);printf(\"%d %s\",ANSWER,b);return 0;}";
    let v = engine.judge(&job(50, Some(source), Some(files))).await;
    assert_eq!(v.status, Status::Accepted, "{v:?}");
    assert_eq!(
        stdout(&v),
        "42 from the zip\n",
        "the submitted main.c wins over the zip's"
    );

    let py = zip(&[(
        "helper.py",
        "def greet():\n    return 'hi from helper'\n",
        0o644,
    )]);
    let v = engine
        .judge(&job(
            71,
            Some(b"import helper\nprint(helper.greet())"),
            Some(py),
        ))
        .await;
    assert_eq!(
        (v.status, stdout(&v).as_str()),
        (Status::Accepted, "hi from helper\n"),
        "{v:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_multi_file_program_compiles_and_runs_its_own_scripts() {
    let engine = engine().await;
    let project = zip(&[
        ("compile", "gcc -o prog src/main.c src/util.c\n", 0o644),
        ("run", "./prog \"$@\"\n", 0o644),
        ("src/main.c", "#include <stdio.h>\nint twice(int);\nint main(void){printf(\"%d\\n\", twice(21));return 0;}\n", 0o644),
        ("src/util.c", "int twice(int x){return 2*x;}\n", 0o644),
    ]);
    let v = engine.judge(&job(89, None, Some(project))).await;
    assert_eq!(v.status, Status::Accepted, "{v:?}");
    assert_eq!(stdout(&v), "42\n");

    let broken = zip(&[
        ("compile", "gcc -o prog nothing.c\n", 0o644),
        ("run", "./prog\n", 0o644),
    ]);
    let v = engine.judge(&job(89, None, Some(broken))).await;
    assert_eq!(v.status, Status::CompilationError, "{v:?}");
    assert!(String::from_utf8_lossy(v.compile_output.as_deref().unwrap()).contains("nothing.c"));

    let no_run = zip(&[("README", "nothing to run\n", 0o644)]);
    let v = engine.judge(&job(89, None, Some(no_run))).await;
    assert_eq!(
        (v.status, v.exit_code),
        (Status::RuntimeNzec, Some(127)),
        "{v:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unsafe_archives_are_refused_before_anything_runs() {
    let engine = engine().await;
    let escape = zip(&[("../outside", "x", 0o644)]);
    let v = engine
        .judge(&job(71, Some(b"print(1)"), Some(escape)))
        .await;
    assert_eq!(v.status, Status::CompilationError, "{v:?}");
    let text = String::from_utf8_lossy(v.compile_output.as_deref().unwrap()).into_owned();
    assert!(text.contains("../outside"), "{text}");
    let v = engine
        .judge(&job(71, Some(b"print(1)"), Some(b"not a zip".to_vec())))
        .await;
    assert_eq!(v.status, Status::CompilationError, "{v:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn executables_run_and_non_executables_are_exec_format_errors() {
    let engine = engine().await;
    let elf = std::fs::read("/usr/bin/true").unwrap();
    let v = engine.judge(&job(44, Some(&elf), None)).await;
    assert_eq!(v.status, Status::Accepted, "{v:?}");
    let v = engine.judge(&job(44, Some(b"\x7fELF garbage"), None)).await;
    assert_eq!(v.status, Status::ExecFormatError, "{v:?}");
    assert_eq!(
        v.message.as_deref(),
        Some("execve(./a.out): Exec format error")
    );
}
