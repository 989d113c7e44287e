//! Every status a language can produce, produced by a real program compiled and run in a
//! real box by the engine, with the `exit_code` and `exit_signal` Judge0 clients read.
//! Needs root and the toolchains (`scripts/test.sh` installs them).

use std::sync::Arc;

use judgebox_engine::{
    Catalog, Engine, EngineConfig, JailCommand, JailPool, Job, JobLimits, SlotPlan, Verdict,
};
use judgebox_spec::{Languages, Status};
use judgebox_testkit::require_root;

/// The jail binary beside the test binary's directory (`target/debug/judgebox-jail`).
fn jail_command() -> JailCommand {
    JailCommand {
        binary: judgebox_testkit::built_jail(),
        args: Vec::new(),
    }
}

async fn engine_for(ids: &[u32]) -> Engine {
    require_root();
    let all = Languages::builtin().unwrap();
    let specs = ids.iter().map(|id| all.get(*id).unwrap().clone());
    let catalog = Catalog::detect_specs(specs).await;
    for language in catalog.iter() {
        assert!(
            language.is_available(),
            "{} is not installed: {:?} (scripts/test.sh installs it)",
            language.name,
            language.unavailable
        );
    }
    let pool = JailPool::new(jail_command(), SlotPlan::Ephemeral { count: 2 });
    pool.start_all().await.unwrap();
    Engine::new(pool, Arc::new(catalog), EngineConfig::default())
}

/// One program and what the engine must rule.
struct Case {
    name: &'static str,
    language: u32,
    source: &'static str,
    stdin: Option<&'static str>,
    expected_output: Option<&'static str>,
    limits: fn(&mut JobLimits),
    status: Status,
    exit_code: Option<i32>,
    exit_signal: Option<i32>,
}

fn no_change(_: &mut JobLimits) {}

fn one_second(l: &mut JobLimits) {
    l.cpu_time_limit = 1.0;
    l.cpu_extra_time = 0.0;
    l.wall_time_limit = 3.0;
}

fn per_process_memory(l: &mut JobLimits) {
    l.enable_per_process_and_thread_memory_limit = true;
    l.memory_limit = 32_000;
}

fn tiny_output(l: &mut JobLimits) {
    l.max_file_size = 1;
}

#[allow(clippy::too_many_arguments)]
fn case(
    name: &'static str,
    language: u32,
    source: &'static str,
    status: Status,
    exit_code: Option<i32>,
    exit_signal: Option<i32>,
) -> Case {
    Case {
        name,
        language,
        source,
        stdin: None,
        expected_output: None,
        limits: no_change,
        status,
        exit_code,
        exit_signal,
    }
}

async fn check(cases: Vec<Case>) {
    let mut ids: Vec<u32> = cases.iter().map(|c| c.language).collect();
    ids.sort();
    ids.dedup();
    let engine = engine_for(&ids).await;
    let mut tasks = tokio::task::JoinSet::new();
    for case in cases {
        let engine = engine.clone();
        tasks.spawn(async move {
            let mut limits = JobLimits::default();
            (case.limits)(&mut limits);
            let job = Job {
                language_id: case.language,
                source_code: Some(case.source.as_bytes().to_vec()),
                stdin: case.stdin.map(|s| s.as_bytes().to_vec()),
                expected_output: case.expected_output.map(|s| s.as_bytes().to_vec()),
                number_of_runs: 1,
                limits,
                ..Job::default()
            };
            let verdict = engine.judge(&job).await;
            (case, verdict)
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (case, v): (Case, Verdict) = done.unwrap();
        let got = (v.status, v.exit_code, v.exit_signal);
        let want = (case.status, case.exit_code, case.exit_signal);
        if got != want {
            failures.push(format!(
                "{} ({}): got {got:?}, want {want:?}; message {:?}, compile output {:?}, stderr {:?}",
                case.name,
                case.language,
                v.message,
                v.compile_output.as_deref().map(String::from_utf8_lossy),
                v.stderr.as_deref().map(String::from_utf8_lossy),
            ));
        }
        if v.status == Status::Accepted || v.status == Status::WrongAnswer {
            assert!(v.time.is_some() && v.wall_time.is_some() && v.memory.is_some());
        }
        if v.status == Status::CompilationError {
            assert!(
                v.compile_output.is_some(),
                "{}: no compile output",
                case.name
            );
            assert_eq!((v.time, v.memory, v.stdout.as_ref()), (None, None, None));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

const OK: Option<i32> = Some(0);
use Status::*;

/// Accepted and Wrong Answer by Judge0's comparison, and the output flood every language can
/// produce (SIGXFSZ, as Judge0's file-backed stdout gives it).
fn common(language: u32, hello: &'static str, flood: &'static str) -> Vec<Case> {
    vec![
        Case {
            expected_output: Some("hello, world  \n\n"),
            ..case("accepted", language, hello, Accepted, OK, None)
        },
        Case {
            expected_output: Some("hello world"),
            ..case("wrong answer", language, hello, WrongAnswer, OK, None)
        },
        Case {
            limits: tiny_output,
            ..case(
                "output flood",
                language,
                flood,
                RuntimeSigxfsz,
                OK,
                Some(25),
            )
        },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn c_statuses() {
    const C: u32 = 50;
    let mut cases = common(
        C,
        "#include <stdio.h>\nint main(void){puts(\"hello, world\");return 0;}",
        "#include <stdio.h>\nint main(void){for(int i=0;i<100000;i++)puts(\"flood\");return 0;}",
    );
    cases.extend([
        Case {
            limits: one_second,
            ..case("spin", C, "int main(void){volatile unsigned long n=0;for(;;)n++;}", TimeLimitExceeded, OK, None)
        },
        case("compile error", C, "int main(void){return undeclared;}", CompilationError, None, None),
        case("null write", C, "int main(void){volatile int*p=0;*p=1;return 0;}", RuntimeSigsegv, OK, Some(11)),
        case(
            "file too large",
            C,
            "#include <stdio.h>\nint main(void){FILE*f=fopen(\"big\",\"w\");for(int i=0;i<4<<20;i++)fputc('x',f);fclose(f);return 0;}",
            RuntimeSigxfsz,
            OK,
            Some(25),
        ),
        case(
            "divide by zero",
            C,
            "int main(int argc,char**argv){volatile int z=argc-1;return 5/z;}",
            RuntimeSigfpe,
            OK,
            Some(8),
        ),
        case("abort", C, "#include <stdlib.h>\nint main(void){abort();}", RuntimeSigabrt, OK, Some(6)),
        case("exit 3", C, "int main(void){return 3;}", RuntimeNzec, Some(3), None),
        case(
            "memory hog",
            C,
            "#include <stdlib.h>\n#include <string.h>\nint main(void){for(;;){char*p=malloc(1<<20);memset(p,1,1<<20);}}",
            RuntimeOther,
            OK,
            Some(9),
        ),
        Case {
            limits: per_process_memory,
            ..case(
                "address space limit (per-process memory)",
                C,
                "#include <stdlib.h>\nint main(void){return malloc(64<<20) ? 0 : 4;}",
                RuntimeNzec,
                Some(4),
                None,
            )
        },
        Case {
            stdin: Some("3 4\n"),
            expected_output: Some("7\n"),
            ..case(
                "stdin sum",
                C,
                "#include <stdio.h>\nint main(void){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);return 0;}",
                Accepted,
                OK,
                None,
            )
        },
    ]);
    check(cases).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cpp_statuses() {
    const CPP: u32 = 54;
    let mut cases = common(
        CPP,
        "#include <iostream>\nint main(){std::cout<<\"hello, world\\n\";}",
        "#include <iostream>\nint main(){for(int i=0;i<100000;i++)std::cout<<\"flood\\n\";}",
    );
    cases.extend([
        Case {
            limits: one_second,
            ..case(
                "spin",
                CPP,
                "int main(){volatile unsigned long n=0;for(;;)n++;}",
                TimeLimitExceeded,
                OK,
                None,
            )
        },
        case(
            "compile error",
            CPP,
            "int main(){ std::vector<int> v; }",
            CompilationError,
            None,
            None,
        ),
        case(
            "null write",
            CPP,
            "int main(){volatile int*p=nullptr;*p=1;}",
            RuntimeSigsegv,
            OK,
            Some(11),
        ),
        case(
            "divide by zero",
            CPP,
            "int main(int argc,char**){volatile int z=argc-1;return 5/z;}",
            RuntimeSigfpe,
            OK,
            Some(8),
        ),
        case(
            "uncaught exception",
            CPP,
            "#include <stdexcept>\nint main(){throw std::runtime_error(\"boom\");}",
            RuntimeSigabrt,
            OK,
            Some(6),
        ),
        case(
            "exit 4",
            CPP,
            "#include <cstdlib>\nint main(){std::exit(4);}",
            RuntimeNzec,
            Some(4),
            None,
        ),
    ]);
    check(cases).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn python_statuses() {
    const PY: u32 = 71;
    let mut cases = common(PY, "print('hello, world')", "while True: print('flood')");
    cases.extend([
        Case {
            limits: one_second,
            ..case("spin", PY, "while True: pass", TimeLimitExceeded, OK, None)
        },
        case(
            "segfault through ctypes",
            PY,
            "import ctypes\nctypes.string_at(0)",
            RuntimeSigsegv,
            OK,
            Some(11),
        ),
        case(
            "SIGFPE",
            PY,
            "import os, signal\nos.kill(os.getpid(), signal.SIGFPE)",
            RuntimeSigfpe,
            OK,
            Some(8),
        ),
        case(
            "os.abort",
            PY,
            "import os\nos.abort()",
            RuntimeSigabrt,
            OK,
            Some(6),
        ),
        case(
            "exception",
            PY,
            "raise ValueError('boom')",
            RuntimeNzec,
            Some(1),
            None,
        ),
        case(
            "SIGTERM",
            PY,
            "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)",
            RuntimeOther,
            OK,
            Some(15),
        ),
    ]);
    check(cases).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn java_statuses() {
    const JAVA: u32 = 62;
    let mut cases = common(
        JAVA,
        "public class Main { public static void main(String[] a) { System.out.println(\"hello, world\"); } }",
        "public class Main { public static void main(String[] a) { while (true) System.out.println(\"flood\"); } }",
    );
    cases.extend([
        Case {
            limits: one_second,
            ..case(
                "spin",
                JAVA,
                "public class Main { public static void main(String[] a) { long n = 0; while (true) n++; } }",
                TimeLimitExceeded,
                OK,
                None,
            )
        },
        case(
            "compile error",
            JAVA,
            "public class Main { public static void main(String[] a) { int x = \"s\"; } }",
            CompilationError,
            None,
            None,
        ),
        case(
            "exception",
            JAVA,
            "public class Main { public static void main(String[] a) { throw new RuntimeException(\"boom\"); } }",
            RuntimeNzec,
            Some(1),
            None,
        ),
        case(
            "exit 5",
            JAVA,
            "public class Main { public static void main(String[] a) { System.exit(5); } }",
            RuntimeNzec,
            Some(5),
            None,
        ),
    ]);
    check(cases).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn javascript_statuses() {
    const JS: u32 = 63;
    let mut cases = common(
        JS,
        "console.log('hello, world')",
        "for (;;) console.log('flood')",
    );
    cases.extend([
        Case {
            limits: one_second,
            ..case("spin", JS, "for (;;) {}", TimeLimitExceeded, OK, None)
        },
        case(
            "SIGSEGV",
            JS,
            "process.kill(process.pid, 'SIGSEGV')",
            RuntimeSigsegv,
            OK,
            Some(11),
        ),
        case(
            "SIGFPE",
            JS,
            "process.kill(process.pid, 'SIGFPE')",
            RuntimeSigfpe,
            OK,
            Some(8),
        ),
        case("abort", JS, "process.abort()", RuntimeSigabrt, OK, Some(6)),
        case(
            "throw",
            JS,
            "throw new Error('boom')",
            RuntimeNzec,
            Some(1),
            None,
        ),
        case("exit 6", JS, "process.exit(6)", RuntimeNzec, Some(6), None),
    ]);
    check(cases).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bash_statuses() {
    const BASH: u32 = 46;
    let mut cases = common(BASH, "echo 'hello, world'", "while :; do echo flood; done");
    cases.extend([
        Case {
            limits: one_second,
            ..case(
                "spin",
                BASH,
                "while :; do :; done",
                TimeLimitExceeded,
                OK,
                None,
            )
        },
        case(
            "SIGSEGV",
            BASH,
            "kill -SEGV $$",
            RuntimeSigsegv,
            OK,
            Some(11),
        ),
        case("SIGFPE", BASH, "kill -FPE $$", RuntimeSigfpe, OK, Some(8)),
        case(
            "SIGABRT",
            BASH,
            "kill -ABRT $$",
            RuntimeSigabrt,
            OK,
            Some(6),
        ),
        case("exit 7", BASH, "exit 7", RuntimeNzec, Some(7), None),
        case(
            "missing command",
            BASH,
            "no-such-command",
            RuntimeNzec,
            Some(127),
            None,
        ),
    ]);
    check(cases).await;
}
