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
