//! The host side of a bench: privileges, the release binaries, outside tools, and the header
//! that says what was measured where.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

/// The release binaries under test.
#[derive(Debug, Clone)]
pub struct Binaries {
    /// `judgebox-jail`.
    pub jail: PathBuf,
    /// `judgebox` (the CLI; `sandbox run` starts a one-shot jail beside it).
    pub cli: PathBuf,
}

/// The workspace root: this package's parent directory.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The directory cargo put this bench's profile in (`target/<triple>/release` for
/// `cargo bench`): the bench's own executable sits in its `deps/`, and `cargo build --release`
/// puts the binaries under test beside that.
fn release_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("finding the bench's own executable")?;
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .with_context(|| format!("{} has no profile directory above it", exe.display()))
}

impl Binaries {
    /// Finds the release binaries, building them with
    /// `cargo build --release -p judgebox-jail -p judgebox` if either is missing.
    ///
    /// A present binary is used as is: run `cargo build --release` (or `benches/run.sh`)
    /// after changing the sandbox, or the bench measures the old one.
    pub fn locate() -> anyhow::Result<Binaries> {
        let dir = release_dir()?;
        let bins = Binaries {
            jail: dir.join("judgebox-jail"),
            cli: dir.join("judgebox"),
        };
        if bins.jail.is_file() && bins.cli.is_file() {
            return Ok(bins);
        }
        eprintln!(
            "release binaries not found in {}; building them now with \
             `cargo build --release -p judgebox-jail -p judgebox` \
             (run that yourself first, or use benches/run.sh)",
            dir.display()
        );
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(workspace_root())
            .args([
                "build",
                "--release",
                "-p",
                "judgebox-jail",
                "-p",
                "judgebox",
            ])
            .status()
            .context("running cargo build --release")?;
        if !status.success() || !bins.jail.is_file() || !bins.cli.is_file() {
            bail!(
                "could not build the release binaries ({status}); \
                 run `cargo build --release -p judgebox-jail -p judgebox` and retry"
            );
        }
        Ok(bins)
    }
}

/// Jails make namespaces, mounts and cgroups: the benches must run as root.
pub fn require_root() -> anyhow::Result<()> {
    if !nix::unistd::geteuid().is_root() {
        bail!("this bench starts judgebox-jail, which must run as root: run it with sudo");
    }
    Ok(())
}

/// Finds `name` on PATH.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Finds `bwrap`, installing Debian's `bubblewrap` package with apt-get when it is missing
/// (the comparison point of the overhead bench). Says so on stdout when it installs.
pub fn ensure_bwrap() -> anyhow::Result<PathBuf> {
    if let Some(bwrap) = which("bwrap") {
        return Ok(bwrap);
    }
    println!(
        "bwrap not found: installing it with `apt-get update && apt-get install -y bubblewrap`"
    );
    for args in [&["update"][..], &["install", "-y", "bubblewrap"][..]] {
        let out = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .output()
            .context("running apt-get (install bubblewrap by hand if this host has no apt)")?;
        if !out.status.success() {
            bail!(
                "apt-get {} failed ({}):\n{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    println!("bubblewrap installed");
    println!();
    which("bwrap").context("apt-get installed bubblewrap but bwrap is still not on PATH")
}

/// `n`, or a tenth of it (at least 5) when `JUDGEBOX_BENCH_QUICK` is set: a smoke test of a
/// bench in seconds, whose figures are not worth quoting.
pub fn runs(n: usize) -> usize {
    if std::env::var_os("JUDGEBOX_BENCH_QUICK").is_some() {
        (n / 10).max(5)
    } else {
        n
    }
}

/// A number from the environment variable `name` (`JUDGEBOX_BENCH_REPS=50`), or `default`
/// when it is unset; a value that does not parse is an error, not silently the default.
pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={text:?} is not a valid number")),
        Err(_) => Ok(default),
    }
}

/// Prints what is being measured and where: the kernel, CPUs, load and binaries, so a table
/// pasted elsewhere keeps its context.
pub fn print_header(bench: &str, bins: &Binaries) {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "?".into())
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("# judgebox bench: {bench}");
    println!();
    println!(
        "kernel {}, {cpus} CPUs, load average {}",
        read("/proc/sys/kernel/osrelease"),
        read("/proc/loadavg")
    );
    println!("jail binary: {}", bins.jail.display());
    println!("cli binary:  {}", bins.cli.display());
    if std::env::var_os("JUDGEBOX_BENCH_QUICK").is_some() {
        println!("JUDGEBOX_BENCH_QUICK is set: run counts are cut tenfold, figures are rough");
    }
    println!();
}
