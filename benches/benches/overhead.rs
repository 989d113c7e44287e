//! `overhead`: what one sandboxed run costs, next to a bare spawn and next to bubblewrap.
//!
//! 1. A static do-nothing binary, n = 2000 each after 100 warm-up runs, one mode after the
//!    other (bare, warm jail, bwrap; bwrap last so the asynchronous teardown of its fresh
//!    network namespaces cannot land in another mode's samples):
//!    - (a) bare: `std::process::Command::status()` timed in this process (Rust's std spawns
//!      with glibc `posix_spawn`, i.e. `clone(CLONE_VM|CLONE_VFORK)` + `execve`, then
//!      `waitpid`);
//!    - (b) a warm `judgebox-jail --slot 900`: the binary is written into the box once, then
//!      each `Run` request is timed from `write_frame` to `read_frame` (the engine's view);
//!      then 100 more runs, one every 100 ms, as a worker that is not saturated sees them
//!      (kernel costs that back-to-back runs amortise show up here);
//!    - (c) `bwrap --unshare-all --die-with-parent --ro-bind / / BINARY`, spawned as in (a).
//! 2. Whole one-shot processes, n = 300 each, alternating: `judgebox sandbox run -- /bin/true`
//!    (which starts and tears down a fresh one-shot jail) against the same bwrap line running
//!    `/bin/true`.
//!
//! Targets: warm-jail median ≤ 1.5 ms; `judgebox sandbox run` not slower than bwrap.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use judgebox_benches::{
    box_file, ensure_bwrap, print_header, require_root, run_limits, run_request, runs, us, verdict,
    Binaries, Fixtures, Jail, Summary, Table, TRUE_C,
};
use judgebox_spec::{JailRequest, Outcome};

/// Runs per mode in part 1, after `WARMUP` unmeasured ones.
const N: usize = 2000;
const WARMUP: usize = 100;
/// Part 1b': runs of the warm jail spaced `SPACING` apart, as an idle worker sees them.
const N_SPACED: usize = 100;
const SPACING: Duration = Duration::from_millis(100);
/// Runs per command in part 2 (each starts a whole process tree), after `WARMUP_ONESHOT`.
const N_ONESHOT: usize = 300;
const WARMUP_ONESHOT: usize = 10;
/// A pool slot (pool slots are below 1000, one-shot jails take 1000 and up).
const SLOT: u32 = 900;
/// The per-run target for a warm jail, from reference/physical-limits.md's pooled floor
/// (1.0-1.1 ms) plus headroom.
const TARGET_WARM_JAIL_MS: f64 = 1.5;
/// bubblewrap at its most isolated, as measured in reference/physical-limits.md.
const BWRAP_ARGS: &[&str] = &["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/"];

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("overhead bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> anyhow::Result<()> {
    require_root()?;
    let bins = Binaries::locate()?;
    print_header("overhead", &bins);
    let bwrap = ensure_bwrap()?;
    let version = Command::new(&bwrap)
        .arg("--version")
        .output()
        .context("running bwrap --version")?;
    println!(
        "bwrap: {} ({})",
        bwrap.display(),
        String::from_utf8_lossy(&version.stdout).trim()
    );
    println!();
    let fixtures = Fixtures::new()?;
    let true_static = fixtures.compile("true-static", TRUE_C)?;

    per_run(&bins, &bwrap, &true_static)?;
    one_shot(&bins, &bwrap)?;
    Ok(())
}

/// Part 1: bare, warm jail and bwrap running the static do-nothing binary.
fn per_run(bins: &Binaries, bwrap: &Path, true_static: &Path) -> anyhow::Result<()> {
    let (n, warmup) = (runs(N), runs(WARMUP));
    println!("## 1. One run of a static do-nothing binary (`gcc -O2 -static`)");
    println!();
    println!(
        "n = {n} per mode after {warmup} warm-up runs, modes one after the other. Bare and \
         bwrap: std::process::Command::status() (posix_spawn + waitpid) timed here; jail: \
         one Run request, write_frame to read_frame. b' is the same warm jail, {} runs one \
         every {} ms: what a worker that is not saturated pays per run.",
        runs(N_SPACED),
        SPACING.as_millis()
    );
    println!();

    let mut bare_cmd = Command::new(true_static);
    let bare = time_spawns(&mut bare_cmd, warmup, n)?;

    let mut warm = Jail::start(&bins.jail, SLOT)?;
    warm.write_files(vec![box_file(true_static, "true-static")?])?;
    let request = run_request(&["/box/true-static"], run_limits()?);
    let (jail, jail_wall) = time_jail_runs(&mut warm, &request, warmup, n, Duration::ZERO)?;
    let (spaced, spaced_wall) = time_jail_runs(&mut warm, &request, 0, runs(N_SPACED), SPACING)?;
    warm.finish()?;
    // The same, with the jail (and so its boxes) pinned to one CPU, as a pool's slots are:
    // the box's processes then wake each other without cross-CPU interrupts.
    let mut pinned_jail = Jail::start_with(&bins.jail, SLOT, &["--cpu", "1"])?;
    pinned_jail.write_files(vec![box_file(true_static, "true-static")?])?;
    let (pinned, pinned_wall) =
        time_jail_runs(&mut pinned_jail, &request, warmup, n, Duration::ZERO)?;
    let (pinned_spaced, _) =
        time_jail_runs(&mut pinned_jail, &request, 0, runs(N_SPACED), SPACING)?;
    pinned_jail.finish()?;

    let mut bwrap_cmd = Command::new(bwrap);
    bwrap_cmd.args(BWRAP_ARGS).arg(true_static);
    let bwrapped = time_spawns(&mut bwrap_cmd, warmup, n)?;

    let mut table = Table::new(&[
        "mode",
        "n",
        "median µs",
        "p99 µs",
        "mean µs",
        "min µs",
        "max µs",
    ]);
    let mut add = |name: &str, s: &Summary| {
        table.row(&[
            name.to_string(),
            s.n.to_string(),
            format!("{:.1}", s.median),
            format!("{:.1}", s.p99),
            format!("{:.1}", s.mean),
            format!("{:.1}", s.min),
            format!("{:.1}", s.max),
        ]);
    };
    add("a. bare fork+exec+wait (posix_spawn)", &bare);
    add("b. warm jail, Run round trip", &jail);
    add("   of which the box's own wall_time", &jail_wall);
    add("b'. warm jail, one run every 100 ms", &spaced);
    add("   of which the box's own wall_time", &spaced_wall);
    add("b2. warm jail pinned (--cpu 1)", &pinned);
    add("   of which the box's own wall_time", &pinned_wall);
    add("b2'. pinned, one run every 100 ms", &pinned_spaced);
    add("c. bwrap --unshare-all", &bwrapped);
    table.print();

    let mut ratios = Table::new(&["ratio (medians)", "value"]);
    ratios
        .row(&[
            "jail / bare".to_string(),
            format!("{:.2}×", jail.median / bare.median),
        ])
        .row(&[
            "bwrap / jail".to_string(),
            format!("{:.2}×", bwrapped.median / jail.median),
        ])
        .row(&[
            "jail − bare".to_string(),
            format!("{:.1} µs", jail.median - bare.median),
        ])
        .row(&[
            "jail round trip − box wall_time".to_string(),
            format!("{:.1} µs", jail.median - jail_wall.median),
        ]);
    ratios.print();

    let mut targets = Table::new(&["target", "measured", "verdict"]);
    let median_ms = jail.median / 1000.0;
    targets.row(&[
        format!("warm-jail median ≤ {TARGET_WARM_JAIL_MS} ms"),
        format!("{median_ms:.3} ms"),
        verdict(median_ms <= TARGET_WARM_JAIL_MS).to_string(),
    ]);
    let spaced_ms = spaced.median / 1000.0;
    targets.row(&[
        format!("same, runs 100 ms apart (an idle worker), ≤ {TARGET_WARM_JAIL_MS} ms"),
        format!("{spaced_ms:.3} ms"),
        verdict(spaced_ms <= TARGET_WARM_JAIL_MS).to_string(),
    ]);
    let pinned_ms = pinned.median / 1000.0;
    targets.row(&[
        format!("warm jail pinned to a CPU, median ≤ {TARGET_WARM_JAIL_MS} ms"),
        format!("{pinned_ms:.3} ms"),
        verdict(pinned_ms <= TARGET_WARM_JAIL_MS).to_string(),
    ]);
    let pinned_spaced_ms = pinned_spaced.median / 1000.0;
    targets.row(&[
        format!("same, pinned, runs 100 ms apart, ≤ {TARGET_WARM_JAIL_MS} ms"),
        format!("{pinned_spaced_ms:.3} ms"),
        verdict(pinned_spaced_ms <= TARGET_WARM_JAIL_MS).to_string(),
    ]);
    targets.print();
    Ok(())
}

/// Times `warmup + n` runs of `cmd` (which must exit 0) and summarises the last `n`, in µs.
fn time_spawns(cmd: &mut Command, warmup: usize, n: usize) -> anyhow::Result<Summary> {
    let mut samples = Vec::with_capacity(n);
    for i in 0..warmup + n {
        let t = time_status(cmd)?;
        if i >= warmup {
            samples.push(us(t));
        }
    }
    Ok(Summary::of(&samples))
}

/// One spawn and wait of `cmd`, timed; a non-zero exit is an error (the bench would be
/// timing a failure path).
fn time_status(cmd: &mut Command) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let status = cmd
        .status()
        .with_context(|| format!("spawning {:?}", cmd.get_program()))?;
    let elapsed = start.elapsed();
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(elapsed)
}

/// Part 1b: times `warmup + n` `Run` round trips of `request` in a warm jail, sleeping
/// `pause` before each; returns the last `n` round trips and the box's own `wall_time`, µs.
fn time_jail_runs(
    jail: &mut Jail,
    request: &JailRequest,
    warmup: usize,
    n: usize,
    pause: Duration,
) -> anyhow::Result<(Summary, Summary)> {
    let mut round_trips = Vec::with_capacity(n);
    let mut walls = Vec::with_capacity(n);
    for i in 0..warmup + n {
        std::thread::sleep(pause);
        let (elapsed, report) = jail.run(request)?;
        if report.outcome != Outcome::Exited || report.exit_code != Some(0) {
            bail!("run {i} of true-static in the jail did not exit 0: {report:?}");
        }
        if i >= warmup {
            round_trips.push(us(elapsed));
            walls.push(report.wall_time * 1e6);
        }
    }
    Ok((Summary::of(&round_trips), Summary::of(&walls)))
}

/// Part 2: `judgebox sandbox run -- /bin/true` against bwrap running `/bin/true`, alternating
/// (and swapping which goes first every round) so that drift in the host's load hits both.
fn one_shot(bins: &Binaries, bwrap: &Path) -> anyhow::Result<()> {
    let (n, warmup) = (runs(N_ONESHOT), runs(WARMUP_ONESHOT));
    println!("## 2. Whole one-shot process running /bin/true");
    println!();
    println!(
        "n = {n} each after {warmup} warm-up rounds, alternating (the first of each pair \
         swaps every round). Both spawned with std::process::Command::status(), stdout to \
         /dev/null."
    );
    println!();

    let mut judgebox = Command::new(&bins.cli);
    judgebox
        .args(["sandbox", "run", "--", "/bin/true"])
        .stdout(Stdio::null());
    let mut bwrapped = Command::new(bwrap);
    bwrapped
        .args(BWRAP_ARGS)
        .arg("/bin/true")
        .stdout(Stdio::null());

    let (mut jb, mut bw) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..warmup + n {
        let (t_jb, t_bw) = if i % 2 == 0 {
            let a = time_status(&mut judgebox)?;
            (a, time_status(&mut bwrapped)?)
        } else {
            let b = time_status(&mut bwrapped)?;
            (time_status(&mut judgebox)?, b)
        };
        if i >= warmup {
            jb.push(us(t_jb) / 1000.0);
            bw.push(us(t_bw) / 1000.0);
        }
    }
    let (jb, bw) = (Summary::of(&jb), Summary::of(&bw));

    let mut table = Table::new(&[
        "command",
        "n",
        "median ms",
        "p99 ms",
        "mean ms",
        "min ms",
        "max ms",
    ]);
    for (name, s) in [
        ("judgebox sandbox run -- /bin/true", &jb),
        ("bwrap --unshare-all ... /bin/true", &bw),
    ] {
        table.row(&[
            name.to_string(),
            s.n.to_string(),
            format!("{:.3}", s.median),
            format!("{:.3}", s.p99),
            format!("{:.3}", s.mean),
            format!("{:.3}", s.min),
            format!("{:.3}", s.max),
        ]);
    }
    table.print();

    let mut targets = Table::new(&["target", "measured", "verdict"]);
    targets.row(&[
        "judgebox not slower than bwrap (medians)".to_string(),
        format!("judgebox / bwrap = {:.2}×", jb.median / bw.median),
        verdict(jb.median <= bw.median).to_string(),
    ]);
    targets.print();
    Ok(())
}
