//! `accuracy`: how true the jail's measurements are, as real figures.
//!
//! a. CPU time: a static program burns 200 ms of CPU (by its own CLOCK_PROCESS_CPUTIME_ID),
//!    20 times bare (getrusage(RUSAGE_CHILDREN) Δ utime+stime around the spawn) and 20 times in
//!    a warm jail (`RunReport.cpu_time`), alternating so each jail run has a bare partner.
//! b. Peak memory: a static program makes exactly 64 MiB (65536 KB) resident; the jail's
//!    `memory` against 65536 KB, 20 runs, with a do-nothing program's reading as the floor.
//! c. CPU-limit kill precision: an endless loop under `cpu_time` 0.5 s and 1.0 s (wall 5 s),
//!    20 runs each; the report's `overshoot` and `cpu_time − limit`.
//! d. Repeatability: the standard deviation of the 20 CPU readings of (a).
//!
//! Targets: CPU within 2 ms, memory within 2 %, kills within 20 ms of the limit.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{bail, Context};
use judgebox_benches::{
    box_file, print_header, require_root, run_limits, run_request, runs, verdict, Binaries,
    Fixtures, Jail, Summary, Table, BURN_C, SPIN_C, TOUCH64_C, TRUE_C,
};
use judgebox_spec::{Limits, Outcome, RunReport};
use nix::sys::resource::{getrusage, UsageWho};

/// Measured runs per series, after `WARMUP` unmeasured ones.
const REPS: usize = 20;
const WARMUP: usize = 2;
/// A pool slot of its own, so this bench and `overhead` never fight over one.
const SLOT: u32 = 901;
/// Enough for 64 MiB plus the program (the run profile allows up to 512000 KB).
const MEMORY_LIMIT_KB: u64 = 256_000;
/// The CPU time `burn` spins for, by its own clock.
const BURN_MS: f64 = 200.0;
/// What `touch64` makes resident.
const TOUCHED_KB: f64 = 65536.0;
/// The CPU limits of part (c), seconds, and its wall limit.
const KILL_LIMITS: [f64; 2] = [0.5, 1.0];
const KILL_WALL_LIMIT: f64 = 5.0;

const TARGET_CPU_MS: f64 = 2.0;
const TARGET_MEMORY_PCT: f64 = 2.0;
const TARGET_KILL_MS: f64 = 20.0;

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("accuracy bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> anyhow::Result<()> {
    require_root()?;
    let bins = Binaries::locate()?;
    print_header("accuracy", &bins);
    let fixtures = Fixtures::new()?;
    let burn = fixtures.compile("burn", BURN_C)?;
    let touch64 = fixtures.compile("touch64", TOUCH64_C)?;
    let spin = fixtures.compile("spin", SPIN_C)?;
    let true_static = fixtures.compile("true-static", TRUE_C)?;

    let mut jail = Jail::start(&bins.jail, SLOT)?;
    jail.write_files(vec![
        box_file(&burn, "burn")?,
        box_file(&touch64, "touch64")?,
        box_file(&spin, "spin")?,
        box_file(&true_static, "true-static")?,
    ])?;
    let limits = Limits {
        memory: MEMORY_LIMIT_KB,
        ..run_limits()?
    };
    let reps = runs(REPS);

    cpu_time(&mut jail, (&burn, &true_static), limits, reps)?;
    memory(&mut jail, limits, reps)?;
    kill_precision(&mut jail, limits, reps)?;
    jail.finish()
}

/// Runs `argv` in the jail; anything but a clean exit 0 is an error of the bench.
fn run_ok(jail: &mut Jail, argv: &[&str], limits: Limits) -> anyhow::Result<RunReport> {
    let (_, report) = jail.run(&run_request(argv, limits))?;
    if report.outcome != Outcome::Exited || report.exit_code != Some(0) {
        bail!("{argv:?} in the jail did not exit 0: {report:?}");
    }
    Ok(report)
}

/// User plus system CPU of every reaped child of this process so far, in ms.
fn children_cpu_ms() -> anyhow::Result<f64> {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage(RUSAGE_CHILDREN)")?;
    let ms = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 * 1e3 + t.tv_usec() as f64 / 1e3;
    Ok(ms(usage.user_time()) + ms(usage.system_time()))
}

/// `burn`'s own report of its CPU clock at exit (nanoseconds on stdout), in ms.
fn self_reported_ms(stdout: &[u8]) -> anyhow::Result<f64> {
    let text = std::str::from_utf8(stdout).context("burn's output is not UTF-8")?;
    let ns: f64 = text
        .trim()
        .parse()
        .with_context(|| format!("burn printed {text:?}, not a number"))?;
    Ok(ns / 1e6)
}

/// One bare run of `burn`: the rusage delta and the program's own figure, in ms.
fn bare_burn(burn: &Path) -> anyhow::Result<(f64, f64)> {
    let before = children_cpu_ms()?;
    let out = Command::new(burn).output().context("running burn bare")?;
    let after = children_cpu_ms()?;
    if !out.status.success() {
        bail!("burn failed bare: {}", out.status);
    }
    Ok((after - before, self_reported_ms(&out.stdout)?))
}

/// Parts (a) and (d).
fn cpu_time(
    jail: &mut Jail,
    (burn, true_static): (&Path, &Path),
    limits: Limits,
    reps: usize,
) -> anyhow::Result<()> {
    println!("## a. CPU time of a 200 ms CPU burn");
    println!();
    println!(
        "{reps} runs each after {WARMUP} warm-up runs, bare and jail alternating. Bare: \
         getrusage(RUSAGE_CHILDREN) Δ(utime+stime) around Command::output(); jail: \
         RunReport.cpu_time; own: the program's CLOCK_PROCESS_CPUTIME_ID just before exit."
    );
    println!();
    let (mut bare, mut bare_own, mut boxed, mut boxed_own) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..WARMUP + reps {
        let (b, b_own) = bare_burn(burn)?;
        let report = run_ok(jail, &["/box/burn"], limits)?;
        if i >= WARMUP {
            bare.push(b);
            bare_own.push(b_own);
            boxed.push(report.cpu_time * 1e3);
            boxed_own.push(self_reported_ms(&report.stdout.0)?);
        }
    }

    let mut series = Table::new(&["reading", "n", "median ms", "σ ms", "min ms", "max ms"]);
    let bare_s = Summary::of(&bare);
    let boxed_s = Summary::of(&boxed);
    for (name, s) in [
        ("bare: program's own clock", Summary::of(&bare_own)),
        ("bare: rusage Δ utime+stime", bare_s),
        ("jail: program's own clock", Summary::of(&boxed_own)),
        ("jail: RunReport.cpu_time", boxed_s),
    ] {
        series.row(&[
            name.to_string(),
            s.n.to_string(),
            format!("{:.3}", s.median),
            format!("{:.3}", s.stddev),
            format!("{:.3}", s.min),
            format!("{:.3}", s.max),
        ]);
    }
    series.print();

    let diff = |a: &[f64], b: &[f64]| -> Summary {
        Summary::of(&a.iter().zip(b).map(|(x, y)| x - y).collect::<Vec<_>>())
    };
    let late = |own: &[f64]| -> Summary {
        Summary::of(&own.iter().map(|x| x - BURN_MS).collect::<Vec<_>>())
    };
    let within = |s: &Summary| s.median.abs() <= TARGET_CPU_MS && s.worst().abs() <= TARGET_CPU_MS;
    let mut diffs = Table::new(&[
        "difference (per run)",
        "median ms",
        "worst ms",
        "target",
        "verdict",
    ]);
    let mut add = |name: &str, s: Summary, judged: bool| {
        let (target, met) = if judged {
            (format!("±{TARGET_CPU_MS} ms"), verdict(within(&s)))
        } else {
            ("(context)".to_string(), "")
        };
        diffs.row(&[
            name.to_string(),
            format!("{:+.3}", s.median),
            format!("{:+.3}", s.worst()),
            target,
            met.to_string(),
        ]);
    };
    add(
        "jail cpu_time − bare rusage (paired runs)",
        diff(&boxed, &bare),
        true,
    );
    add(
        "jail cpu_time − program's own clock (same run)",
        diff(&boxed, &boxed_own),
        true,
    );
    add(
        "bare rusage − program's own clock (same run)",
        diff(&bare, &bare_own),
        false,
    );
    add(
        "bare: own clock − 200 ms (loop exit lateness)",
        late(&bare_own),
        false,
    );
    add(
        "jail: own clock − 200 ms (loop exit lateness)",
        late(&boxed_own),
        false,
    );
    diffs.print();
    println!(
        "The program stops when its own clock passes 200 ms, so if that clock is coarser in \
         the box it really burns more there: the paired row then includes that extra work. \
         The same-run row compares two readings of one run and isolates the jail's error."
    );
    println!();

    cpu_floor(jail, true_static, limits, reps)?;

    println!("## d. CPU-time repeatability (the {reps} runs of a)");
    println!();
    let mut sigma = Table::new(&["reading", "σ ms", "σ / median"]);
    for (name, s) in [
        ("bare rusage", &bare_s),
        ("jail RunReport.cpu_time", &boxed_s),
    ] {
        sigma.row(&[
            name.to_string(),
            format!("{:.3}", s.stddev),
            format!("{:.3} %", 100.0 * s.stddev / s.median),
        ]);
    }
    sigma.print();
    Ok(())
}

/// The CPU time charged to a program that does nothing, bare and in the jail: what every
/// run's `cpu_time` carries on top of the program's own work.
fn cpu_floor(
    jail: &mut Jail,
    true_static: &Path,
    limits: Limits,
    reps: usize,
) -> anyhow::Result<()> {
    println!(
        "CPU floor: a do-nothing static binary, {reps} runs each after {WARMUP} warm-up runs, \
         alternating; whatever the jail charges here, every run's cpu_time carries too."
    );
    println!();
    let (mut bare, mut boxed) = (Vec::new(), Vec::new());
    for i in 0..WARMUP + reps {
        let before = children_cpu_ms()?;
        let status = Command::new(true_static)
            .status()
            .context("running true-static bare")?;
        let after = children_cpu_ms()?;
        if !status.success() {
            bail!("true-static failed bare: {status}");
        }
        let report = run_ok(jail, &["/box/true-static"], limits)?;
        if i >= WARMUP {
            bare.push(after - before);
            boxed.push(report.cpu_time * 1e3);
        }
    }
    let (bare, boxed) = (Summary::of(&bare), Summary::of(&boxed));
    let mut table = Table::new(&["do-nothing static binary", "n", "median ms", "max ms"]);
    for (name, s) in [
        ("bare: rusage Δ utime+stime", bare),
        ("jail: RunReport.cpu_time", boxed),
    ] {
        table.row(&[
            name.to_string(),
            s.n.to_string(),
            format!("{:.3}", s.median),
            format!("{:.3}", s.max),
        ]);
    }
    table.row(&[
        "jail − bare (medians)".to_string(),
        String::new(),
        format!("{:+.3}", boxed.median - bare.median),
        String::new(),
    ]);
    table.print();
    Ok(())
}

/// Part (b).
fn memory(jail: &mut Jail, limits: Limits, reps: usize) -> anyhow::Result<()> {
    println!("## b. Peak memory of a 64 MiB touch (65536 KB)");
    println!();
    println!(
        "{reps} runs each after {WARMUP} warm-up runs, memory limit {MEMORY_LIMIT_KB} KB; \
         RunReport.memory (the program's peak resident set, KB) and RunReport.charged (the \
         box's cgroup peak, KB). A do-nothing static binary's figures are the floor: the \
         program's own text, data and stack."
    );
    println!();
    let mut touched = Vec::new();
    let mut floor = Vec::new();
    for i in 0..WARMUP + reps {
        let t = run_ok(jail, &["/box/touch64"], limits)?;
        let f = run_ok(jail, &["/box/true-static"], limits)?;
        if i >= WARMUP {
            touched.push((t.memory as f64, t.charged as f64));
            floor.push((f.memory as f64, f.charged as f64));
        }
    }
    let mut table = Table::new(&[
        "program",
        "n",
        "memory median KB",
        "min",
        "max",
        "charged median KB",
        "min",
        "max",
    ]);
    for (name, samples) in [
        ("touch64 (64 MiB touched)", &touched),
        ("true-static (floor)", &floor),
    ] {
        let m = Summary::of(&samples.iter().map(|s| s.0).collect::<Vec<_>>());
        let c = Summary::of(&samples.iter().map(|s| s.1).collect::<Vec<_>>());
        table.row(&[
            name.to_string(),
            m.n.to_string(),
            format!("{:.0}", m.median),
            format!("{:.0}", m.min),
            format!("{:.0}", m.max),
            format!("{:.0}", c.median),
            format!("{:.0}", c.min),
            format!("{:.0}", c.max),
        ]);
    }
    table.print();

    let floor_median = Summary::of(&floor.iter().map(|s| s.0).collect::<Vec<_>>()).median;
    let mut target = Table::new(&["error vs 65536 KB", "median", "worst", "target", "verdict"]);
    for (what, over_floor) in [("RunReport.memory", false), ("memory − floor", true)] {
        let errors: Vec<f64> = touched
            .iter()
            .map(|s| s.0 - if over_floor { floor_median } else { 0.0 })
            .map(|kb| 100.0 * (kb - TOUCHED_KB) / TOUCHED_KB)
            .collect();
        let e = Summary::of(&errors);
        target.row(&[
            what.to_string(),
            format!("{:+.3} %", e.median),
            format!("{:+.3} %", e.worst()),
            format!("±{TARGET_MEMORY_PCT} %"),
            verdict(e.worst().abs() <= TARGET_MEMORY_PCT).to_string(),
        ]);
    }
    target.print();
    Ok(())
}

/// Part (c).
fn kill_precision(jail: &mut Jail, limits: Limits, reps: usize) -> anyhow::Result<()> {
    println!("## c. CPU-limit kill precision (endless loop)");
    println!();
    println!(
        "{reps} runs per limit, wall limit {KILL_WALL_LIMIT} s. overshoot: the report's \
         `overshoot`; cpu − limit: RunReport.cpu_time − limits.cpu_time."
    );
    println!();
    let mut table = Table::new(&[
        "cpu limit",
        "n",
        "overshoot median ms",
        "overshoot max ms",
        "cpu − limit median ms",
        "cpu − limit worst ms",
        "wall median s",
        "verdict (≤ 20 ms)",
    ]);
    for limit in KILL_LIMITS {
        let limits = Limits {
            cpu_time: limit,
            wall_time: KILL_WALL_LIMIT,
            ..limits
        };
        let request = run_request(&["/box/spin"], limits);
        let (mut overshoot, mut over_limit, mut wall) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..reps {
            let (_, report) = jail.run(&request)?;
            if report.outcome != Outcome::CpuTimeLimit {
                bail!("spin under a {limit} s CPU limit was not stopped by it: {report:?}");
            }
            let shot = report.overshoot.with_context(|| {
                format!("a CPU-limit kill without an overshoot figure: {report:?}")
            })?;
            overshoot.push(shot * 1e3);
            over_limit.push((report.cpu_time - limit) * 1e3);
            wall.push(report.wall_time);
        }
        let (o, c, w) = (
            Summary::of(&overshoot),
            Summary::of(&over_limit),
            Summary::of(&wall),
        );
        let met = o.worst().abs() <= TARGET_KILL_MS && c.worst().abs() <= TARGET_KILL_MS;
        table.row(&[
            format!("{limit:.1} s"),
            o.n.to_string(),
            format!("{:.3}", o.median),
            format!("{:.3}", o.max),
            format!("{:+.3}", c.median),
            format!("{:+.3}", c.worst()),
            format!("{:.3}", w.median),
            verdict(met).to_string(),
        ]);
    }
    table.print();
    Ok(())
}
