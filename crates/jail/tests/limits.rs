//! Every limit ends a real program in a real box with the right outcome. Needs root.

use judgebox_spec::{Limits, Outcome};
use judgebox_testkit::{limits, Jail};

const JAIL: &str = env!("CARGO_BIN_EXE_judgebox-jail");

fn with(f: impl FnOnce(&mut Limits)) -> Limits {
    let mut l = limits();
    f(&mut l);
    l
}

#[test]
fn hello_world_exits_zero_with_output_and_figures() {
    let mut jail = Jail::start(JAIL, &[]);
    let r = jail.sh("echo hello; echo oops >&2; exit 3");
    assert_eq!(r.outcome, Outcome::Exited, "{r:?}");
    assert_eq!(r.exit_code, Some(3));
    assert_eq!(r.stdout.0, b"hello\n");
    assert_eq!(r.stderr.0, b"oops\n");
    assert!(r.wall_time > 0.0 && r.wall_time < 1.0, "{r:?}");
    assert!(r.memory > 0, "{r:?}");
    jail.finish();
}

#[test]
fn stdin_reaches_the_program_and_stderr_can_join_stdout() {
    let mut jail = Jail::start(JAIL, &[]);
    let mut req = Jail::run_request(&["/bin/sh", "-c", "cat; echo err >&2"], limits());
    req.stdin = b"line one\nline two\n".to_vec().into();
    req.stderr_to_stdout = true;
    let r = jail.run_with(req);
    assert_eq!(r.stdout.lossy(), "line one\nline two\nerr\n");
    assert!(r.stderr.0.is_empty());
    // A large stdin (well past a pipe buffer) arrives whole.
    let big: Vec<u8> = (0..3_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut req = Jail::run_request(&["/usr/bin/wc", "-c"], limits());
    req.stdin = big.into();
    assert_eq!(jail.run_with(req).stdout.lossy().trim(), "3000000");
    jail.finish();
}

#[test]
fn infinite_loop_ends_at_the_cpu_limit() {
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("spin");
    let r = jail.run(&["./spin"], with(|l| l.cpu_time = 0.3));
    assert_eq!(r.outcome, Outcome::CpuTimeLimit, "{r:?}");
    let over = r.overshoot.expect("a killed run reports its overshoot");
    assert!((0.0..0.05).contains(&over), "overshoot {over}");
    assert!(r.cpu_time >= 0.3 && r.cpu_time < 0.35, "{r:?}");
    jail.finish();
}

#[test]
fn sleep_forever_ends_at_the_wall_limit() {
    let mut jail = Jail::start(JAIL, &[]);
    let r = jail.run(&["/bin/sleep", "1000"], with(|l| l.wall_time = 0.3));
    assert_eq!(r.outcome, Outcome::WallTimeLimit, "{r:?}");
    assert!(r.wall_time >= 0.3 && r.wall_time < 0.4, "{r:?}");
    assert!(r.cpu_time < 0.05, "{r:?}");
    jail.finish();
}

#[test]
fn memory_bomb_ends_at_the_memory_limit() {
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("membomb");
    let r = jail.run(&["./membomb"], with(|l| l.memory = 32_000));
    assert_eq!(r.outcome, Outcome::MemoryLimit, "{r:?}");
    assert_eq!(r.message.as_deref(), Some("Memory limit exceeded"));
    assert!(
        r.memory <= 32_000 && r.memory > 30_000,
        "peak {} KB",
        r.memory
    );
    // tmpfs pages count too: filling /dev/shm or /tmp cannot dodge the limit.
    // (Each file stays under the file-size limit; together they pass the memory limit.)
    for dir in ["/dev/shm", "/tmp", "/box"] {
        let script = format!(
            "i=0; while [ $i -lt 40 ]; do head -c 900000 /dev/zero > {dir}/f$i || exit 9; i=$((i+1)); done; echo done"
        );
        let r = jail.run(&["/bin/sh", "-c", &script], with(|l| l.memory = 32_000));
        assert_eq!(r.outcome, Outcome::MemoryLimit, "{dir}: {r:?}");
        assert_ne!(r.stdout.lossy(), "done\n", "{dir}: {r:?}");
    }
    jail.finish();
}

#[test]
fn fork_bomb_is_capped_and_leaves_nothing() {
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("forkbomb");
    let r = jail.run(
        &["./forkbomb"],
        with(|l| {
            l.cpu_time = 0.5;
            l.wall_time = 1.0;
            l.processes = 16;
        }),
    );
    assert!(
        matches!(r.outcome, Outcome::CpuTimeLimit | Outcome::WallTimeLimit),
        "{r:?}"
    );
    // The box is gone and the slot works again at once.
    let r = jail.sh("echo alive");
    assert_eq!(r.stdout.lossy(), "alive\n", "{r:?}");
    jail.finish();
}

#[test]
fn thread_bomb_is_capped_by_the_process_limit() {
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("threadbomb");
    let r = jail.run(
        &["./threadbomb"],
        with(|l| {
            l.cpu_time = 0.3;
            l.processes = 20;
        }),
    );
    assert_eq!(r.outcome, Outcome::CpuTimeLimit, "{r:?}");
    let got: u32 = r
        .stdout
        .lossy()
        .trim()
        .strip_prefix("threads ")
        .and_then(|n| n.parse().ok())
        .expect("thread count");
    assert!(got < 20, "{got} threads started under a limit of 20 tasks");
    jail.finish();
}

#[test]
fn output_flood_ends_at_the_output_limit() {
    let mut jail = Jail::start(JAIL, &[]);
    let r = jail.run(&["/usr/bin/yes"], with(|l| l.output = 256));
    assert_eq!(r.outcome, Outcome::OutputLimit, "{r:?}");
    assert_eq!(r.stdout.0.len() + r.stderr.0.len(), 256 * 1024);
    assert!(r.wall_time < 1.0, "{r:?}");
    jail.finish();
}

#[test]
fn file_size_overflow_is_sigxfsz() {
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("fsize");
    let r = jail.run(&["./fsize"], with(|l| l.file_size = 64));
    assert_eq!(r.outcome, Outcome::Signaled, "{r:?}");
    assert_eq!(r.signal, Some(libc_sig::SIGXFSZ));
    jail.finish();
}

#[test]
fn stack_overflow_is_sigsegv_and_abort_is_sigabrt() {
    let mut jail = Jail::start(JAIL, &[]);
    jail.install("stack");
    jail.install("abort");
    let r = jail.run(&["./stack"], with(|l| l.stack = 8192));
    assert_eq!(r.outcome, Outcome::Signaled, "{r:?}");
    assert_eq!(r.signal, Some(libc_sig::SIGSEGV));
    let r = jail.run(&["./abort"], limits());
    assert_eq!(
        (r.outcome, r.signal),
        (Outcome::Signaled, Some(libc_sig::SIGABRT)),
        "{r:?}"
    );
    jail.finish();
}

#[test]
fn open_files_and_processes_limits_are_rlimits_inside() {
    let mut jail = Jail::start(JAIL, &[]);
    let r = jail.run(
        &[
            "/bin/sh",
            "-c",
            "ulimit -n; ulimit -s; ulimit -f; ulimit -c",
        ],
        with(|l| {
            l.open_files = 77;
            l.stack = 9000;
            l.file_size = 300;
        }),
    );
    // sh's ulimit -f counts 512-byte blocks.
    assert_eq!(r.stdout.lossy(), "77\n9000\n600\n0\n", "{r:?}");
    jail.finish();
}

#[test]
fn missing_program_is_a_jail_fault_with_a_message() {
    let mut jail = Jail::start(JAIL, &[]);
    let r = jail.run(&["no-such-program"], limits());
    assert_eq!(r.outcome, Outcome::JailFault, "{r:?}");
    let message = r.message.unwrap_or_default();
    assert!(
        message.contains("executing the program") && message.contains("ENOENT"),
        "{message}"
    );
    jail.finish();
}

/// Signal numbers, to keep the test free of a libc dependency.
mod libc_sig {
    pub const SIGABRT: i32 = 6;
    pub const SIGSEGV: i32 = 11;
    pub const SIGXFSZ: i32 = 25;
}
