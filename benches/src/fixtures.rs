//! The C programs the benches run, compiled at bench start with `gcc -O2 -static`.
//!
//! Static binaries keep the dynamic loader out of every figure, and match the fixtures of
//! `reference/physical-limits.md`, so our numbers compare with its floor directly.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

/// Does nothing: the cost of a run is then all spawn and sandbox.
pub const TRUE_C: &str = "int main(void) { return 0; }\n";

/// Spins in user mode until its own CPU clock reaches 200 ms, then prints that clock in
/// nanoseconds: the CPU time the program itself saw, to compare the jail's reading with.
///
/// CLOCK_PROCESS_CPUTIME_ID is a real syscall (not vDSO), so it is read only every 10 000
/// iterations to keep the program in user mode, as in the reference measurement.
pub const BURN_C: &str = r#"#include <stdio.h>
#include <time.h>

static long long cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
    const long long target = 200000000LL; /* 200 ms */
    volatile unsigned long sink = 0;
    long long now;
    while ((now = cpu_ns()) < target)
        for (int i = 0; i < 10000; i++)
            sink += i;
    printf("%lld\n", now);
    return 0;
}
"#;

/// Maps 64 MiB of anonymous memory and writes one byte per 4 KiB page, so exactly 64 MiB
/// (65536 KB) becomes resident on top of the program's own few hundred KB.
pub const TOUCH64_C: &str = r#"#include <stddef.h>
#include <sys/mman.h>

int main(void) {
    const size_t size = 64UL << 20;
    volatile char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    for (size_t i = 0; i < size; i += 4096)
        p[i] = 1;
    return 0;
}
"#;

/// Burns CPU forever: only a CPU-time limit ends it.
pub const SPIN_C: &str = r#"int main(void) {
    volatile unsigned long x = 0;
    for (;;)
        x++;
}
"#;

/// The box a teardown must empty: a main process and eight children in each state a
/// teardown has to cope with, each taking its name with `PR_SET_NAME` (`tb-*`, listed in
/// [`TEARDOWN_NAMES`]) only once it is in place, so the bench can see when all are:
///
/// - two classic daemons (fork, `setsid`, fork again; the middle one exits), which ignore
///   every signal that can be ignored: one sleeps, one spins on the CPU;
/// - `tb-spin` spins, `tb-sleep` sleeps in `pause`, `tb-threads` has four more threads
///   asleep, `tb-pipe` is blocked in `read` on a pipe nobody writes, `tb-memory` has 64 MiB
///   resident (its teardown frees 16 384 pages), `tb-stopped` is stopped by `SIGSTOP`.
///
/// main prints `start NS` first and `ready NS` once every child has reported in place (the
/// stopped one seen stopped by `waitpid`), both `CLOCK_MONOTONIC` in ns: the box shares that
/// clock with the host (it has no time namespace). Then it takes its name, ignores signals
/// and sleeps forever.
pub const TEARDOWN_C: &str = r#"#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int ready_pipe[2], hold_pipe[2];
/* The name a child takes once it is in place. */
static const char *my_name = "tb-starting";

/* Every signal that can be ignored is (SIGKILL and SIGSTOP cannot). */
static void ignore_signals(void) {
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_IGN);
}

/* Takes the child's name and tells main that it is in place. */
static void ready(void) {
    prctl(PR_SET_NAME, my_name);
    char byte = 1;
    if (write(ready_pipe[1], &byte, 1) != 1)
        _exit(3);
}

static void spin(void) {
    ready();
    volatile unsigned long x = 0;
    for (;;)
        x++;
}

static void sleep_forever(void) {
    for (;;)
        pause();
}

static void sleeper(void) {
    ready();
    sleep_forever();
}

static void *sleeper_thread(void *arg) {
    (void)arg;
    sleep_forever();
    return NULL;
}

/* A daemon the classic way: fork, setsid, fork again, the middle one exits (main reaps it),
 * so the grandchild's parent is the box's init. */
static void daemon_child(const char *name, void (*body)(void)) {
    pid_t middle = fork();
    if (middle < 0)
        exit(2);
    if (middle == 0) {
        setsid();
        pid_t daemon = fork();
        if (daemon == 0) {
            my_name = name;
            ignore_signals();
            body();
        }
        _exit(daemon < 0 ? 2 : 0);
    }
    waitpid(middle, NULL, 0);
}

/* A plain child running `body` (which calls ready() once in place) under `name`. */
static pid_t child(const char *name, void (*body)(void)) {
    pid_t pid = fork();
    if (pid < 0)
        exit(2);
    if (pid == 0) {
        my_name = name;
        body();
        _exit(0);
    }
    return pid;
}

static void threads(void) {
    pthread_t t;
    for (int i = 0; i < 4; i++)
        if (pthread_create(&t, NULL, sleeper_thread, NULL) != 0)
            _exit(2);
    sleeper();
}

static void blocked_read(void) {
    char byte;
    close(hold_pipe[1]);
    ready();
    for (;;)
        (void)read(hold_pipe[0], &byte, 1); /* main keeps the write end: never returns */
}

static void memory(void) {
    const size_t size = 64UL << 20;
    volatile char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(2);
    for (size_t i = 0; i < size; i += 4096)
        p[i] = 1;
    sleeper();
}

static void stop_self(void) {
    raise(SIGSTOP);
    sleep_forever();
}

int main(void) {
    printf("start %lld\n", now_ns());
    fflush(stdout);
    if (pipe(ready_pipe) != 0 || pipe(hold_pipe) != 0)
        return 2;
    daemon_child("tb-daemon-slp", sleeper);
    daemon_child("tb-daemon-spn", spin);
    child("tb-spin", spin);
    child("tb-sleep", sleeper);
    child("tb-threads", threads);
    child("tb-pipe", blocked_read);
    child("tb-memory", memory);
    /* Named before it stops; main waits until it is really stopped. */
    pid_t stopped = fork();
    if (stopped == 0) {
        prctl(PR_SET_NAME, "tb-stopped");
        stop_self();
    }
    int status;
    if (stopped < 0 || waitpid(stopped, &status, WUNTRACED) != stopped || !WIFSTOPPED(status))
        return 2;
    char byte;
    for (int i = 0; i < 7; i++)
        if (read(ready_pipe[0], &byte, 1) != 1)
            return 2;
    ignore_signals();
    printf("ready %lld\n", now_ns());
    fflush(stdout);
    prctl(PR_SET_NAME, "tb-main");
    sleep_forever();
}
"#;

/// The names of [`TEARDOWN_C`]'s processes once all are in place.
pub const TEARDOWN_NAMES: [&str; 9] = [
    "tb-main",
    "tb-daemon-slp",
    "tb-daemon-spn",
    "tb-spin",
    "tb-sleep",
    "tb-threads",
    "tb-pipe",
    "tb-memory",
    "tb-stopped",
];

/// A temporary directory of compiled fixtures, removed when dropped.
#[derive(Debug)]
pub struct Fixtures {
    dir: tempfile::TempDir,
}

impl Fixtures {
    pub fn new() -> anyhow::Result<Fixtures> {
        let dir = tempfile::Builder::new()
            .prefix("judgebox-bench-")
            .tempdir()
            .context("creating a temporary directory for the C fixtures")?;
        Ok(Fixtures { dir })
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Compiles `source` to a static binary called `name` and returns its path.
    pub fn compile(&self, name: &str, source: &str) -> anyhow::Result<PathBuf> {
        let src = self.dir().join(format!("{name}.c"));
        let bin = self.dir().join(name);
        std::fs::write(&src, source).with_context(|| format!("writing {}", src.display()))?;
        let out = Command::new("gcc")
            .args(["-O2", "-static", "-o"])
            .arg(&bin)
            .arg(&src)
            .output()
            .context("running gcc (is it installed? apt-get install gcc libc6-dev)")?;
        if !out.status.success() {
            bail!(
                "gcc -O2 -static {name}.c failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(bin)
    }
}
