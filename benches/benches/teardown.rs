//! `teardown`: how fast a box is gone once it is ended (issue 5).
//!
//! The box runs `teardown` ([`TEARDOWN_C`]): a main process and eight children in every
//! state a teardown must cope with (daemons that `setsid` and ignore signals, CPU spinners,
//! sleepers, a multi-threaded one, one blocked in `read`, one with 64 MiB resident, one
//! stopped). "Gone" means no process of the box is left in `/proc` — not even a zombie: none
//! in the box's pid namespace (its init included) and none running as the slot's uid.
//! This process is not in the box; it watches `/proc` every 100 µs.
//!
//! a. SIGKILL: per round a fresh `judgebox-jail --slot 912` (start-up not timed), the
//!    fixture written and run (wall limit 10 s); once every process of the box is in place,
//!    `kill(jail, SIGKILL)`, timed from just before that call. Four modes: the jail killed,
//!    its box's init (an orphan then) reaped by the host's pid 1; the same with this process
//!    reaping it as `judgebox serve` does (`judgebox_engine::reaper`: a child subreaper that
//!    reaps box inits on SIGCHLD, on a runtime thread of its own); the box's init killed
//!    instead, the jail alive (it reaps init, as after its own wall-time kill); and the same
//!    processes in a bare pid namespace (`unshare --pid --fork`), its init killed: the
//!    kernel's floor.
//! b. Wall-time kill: one warm `judgebox-jail --slot 913`, the fixture run under a 0.5 s wall
//!    limit; timed from the wall deadline, which is placed on this process's clock
//!    (`CLOCK_MONOTONIC`, which the box shares) two ways: the Run's send time + the limit
//!    (too early: the jail's clock starts after it, so this overstates the teardown) and the
//!    program's own start time + the limit (too late: understates it). Also checked: nothing
//!    of the box is left when the report arrives.
//!
//! 100 rounds of each of these five modes after 3 warm-up rounds, the modes taking turns
//! (which goes first rotates every round), so that drift in the host's load hits all alike.
//! Target: under 50 ms, median and max.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};
use judgebox_benches::{
    box_file, children, host_procfs, print_header, require_root, run_limits, run_request, runs,
    verdict, Binaries, BoxProcesses, Fixtures, Jail, ProcStat, Summary, Table, TEARDOWN_C,
    TEARDOWN_NAMES,
};
use judgebox_engine::reaper;
use judgebox_spec::{JailRequest, Limits, Outcome, RunReport};
use nix::sys::prctl::set_child_subreaper;
use nix::sys::signal::{kill, Signal};
use nix::time::{clock_gettime, ClockId};
use nix::unistd::Pid;

/// Measured rounds per part, after `WARMUP` unmeasured ones.
const ROUNDS: usize = 100;
const WARMUP: usize = 3;
/// Pool slots of their own (the other benches take 900-911).
const SLOT_KILL: u32 = 912;
const SLOT_WALL: u32 = 913;
/// `judgebox-jail`'s default `--uid-base`: slot N's boxes run as uid 60000 + N.
const UID_BASE: u32 = 60000;
/// Part (b)'s wall limit: long enough for the fixture to be in place before it on a loaded
/// host (some 100 ms after its start; 430 ms at worst with a load average of 19 on 2 CPUs,
/// and a round is run again when it is not), short enough to keep the bench short.
const WALL_LIMIT: f64 = 0.5;
/// How often the box's processes are looked at while it is torn down.
const POLL: Duration = Duration::from_micros(100);
/// How often, and how long, to look for the fixture's processes before a teardown.
const READY_POLL: Duration = Duration::from_millis(1);
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// A box still there this long after its end has outlived its teardown: the bench fails.
const GONE_TIMEOUT: Duration = Duration::from_secs(5);
/// A look this long after the one before means the host held this process off the CPU.
const STALL: Duration = Duration::from_millis(5);
/// Part (b) runs a round again when the fixture was not in place before the deadline, this
/// many times at most in all.
const MAX_RETRIES: usize = 20;
/// Part (b) sleeps until this long before the earliest possible deadline, then watches.
const WATCH_LEAD: Duration = Duration::from_millis(5);

const TARGET_MS: f64 = 50.0;

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("teardown bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> anyhow::Result<()> {
    require_root()?;
    let bins = Binaries::locate()?;
    print_header("teardown", &bins);
    let fixtures = Fixtures::new()?;
    let fixture = fixtures.compile("teardown", TEARDOWN_C)?;
    // Sleeps of 100 µs, not 100 µs plus the default 50 µs of timer slack.
    nix::sys::prctl::set_timerslack(1).context("PR_SET_TIMERSLACK")?;
    let rounds = runs(ROUNDS);
    start_reaper()?;

    let (kills, walls) = measure(&bins.jail, &fixture, rounds)?;
    // The host's pid 1 reaping is not a target row: `judgebox serve` reaps its boxes' inits
    // itself (that is the row below); part (a) prints it for comparison.
    let [_, bench_reaped, init_killed, _] = print_kills(&kills, rounds)?;
    let walled = print_wall(&walls, rounds);

    println!("## Targets");
    println!();
    let mut table = Table::new(&[
        "target: no box process left in under 50 ms",
        "median ms",
        "max ms",
        "median verdict",
        "max verdict",
    ]);
    for (name, s) in [
        (
            "a. from the jail's SIGKILL, reaped as `judgebox serve` does",
            &bench_reaped,
        ),
        (
            "a. from the SIGKILL of the box's init (the jail alive)",
            &init_killed,
        ),
        ("b. from the wall deadline (send + limit)", &walled.gone),
    ] {
        table.row(&[
            name.to_string(),
            format!("{:.2}", s.median),
            format!("{:.2}", s.max),
            verdict(s.median < TARGET_MS).to_string(),
            verdict(s.max < TARGET_MS).to_string(),
        ]);
    }
    table.row(&[
        "b. and nothing of the box left when the report arrives".to_string(),
        String::new(),
        String::new(),
        format!("{} of {rounds} rounds", rounds - walled.left_at_report),
        verdict(walled.left_at_report == 0).to_string(),
    ]);
    table.print();
    Ok(())
}

/// The clock the box shares with us, in ns.
fn now_ns() -> i64 {
    let t = clock_gettime(ClockId::CLOCK_MONOTONIC).expect("CLOCK_MONOTONIC is always there");
    t.tv_sec() * 1_000_000_000 + t.tv_nsec()
}

fn ns_to_ms(ns: i64) -> f64 {
    ns as f64 / 1e6
}

/// The box of `slot` as a fresh run of it makes it.
fn box_of(slot: u32) -> BoxProcesses {
    BoxProcesses::new(host_procfs(), UID_BASE + slot)
}

/// Whether the fixture's processes are all in place: every name, the stopped one stopped.
fn in_place(procs: &[ProcStat]) -> bool {
    TEARDOWN_NAMES.iter().all(|name| {
        procs
            .iter()
            .any(|p| p.comm == *name && (*name != "tb-stopped" || matches!(p.state, 'T' | 't')))
    })
}

/// Waits until the fixture is in place in the box and returns the box's processes then;
/// `None` if it is not by `until` (ns).
fn wait_in_place(boxed: &mut BoxProcesses, until: i64) -> anyhow::Result<Option<Vec<ProcStat>>> {
    loop {
        let procs = boxed.find()?;
        if in_place(&procs) {
            return Ok(Some(procs));
        }
        if now_ns() > until {
            return Ok(None);
        }
        std::thread::sleep(READY_POLL);
    }
}

/// The same, for a round that has [`READY_TIMEOUT`]: not being in place by then is an error.
fn in_place_soon(boxed: &mut BoxProcesses) -> anyhow::Result<Vec<ProcStat>> {
    let until = now_ns() + READY_TIMEOUT.as_nanos() as i64;
    wait_in_place(boxed, until)?.with_context(|| {
        format!(
            "the fixture's processes were not all in place within {} s",
            READY_TIMEOUT.as_secs()
        )
    })
}

/// When the box's processes vanished, on the shared clock (ns).
#[derive(Debug, Clone)]
struct Vanished {
    /// The first look at which some process had exited: the kill has reached the box.
    first: i64,
    /// The first look at which every process had exited (zombies allowed).
    dead: i64,
    /// The first look at which none was left at all, confirmed by a full scan.
    gone: i64,
    /// Processes the full scan found that the first snapshot had not (expected none).
    stragglers: usize,
    /// The processes left at the look before none was, as they were seen then.
    last: Vec<ProcStat>,
    /// How many of the intervals between looks came before `dead`.
    gaps_before_dead: usize,
}

/// Looks at `known` every [`POLL`] until none is left, then scans the whole of `/proc` for
/// anything else of the box; each time is the end of the look that saw it (so at most one
/// look late). It only looks: a zombie is reaped by its parent (the jail, the host's pid 1,
/// or the reaper task). The intervals between looks go to `gaps` (µs).
fn watch(
    boxed: &mut BoxProcesses,
    mut left: Vec<ProcStat>,
    gaps: &mut Vec<f64>,
) -> anyhow::Result<Vanished> {
    let procfs = boxed.procfs().clone();
    let started = now_ns();
    let mut last = started;
    let (mut first, mut dead, mut stragglers, mut last_seen) = (None, None, 0, Vec::new());
    let count = left.len();
    let (gaps_at_start, mut gaps_before_dead) = (gaps.len(), 0);
    loop {
        if !left.is_empty() {
            last_seen.clone_from(&left);
        }
        left.retain_mut(|p| match procfs.present(p) {
            Some(now) => {
                *p = now;
                true
            }
            None => false,
        });
        let t = now_ns();
        gaps.push((t - last) as f64 / 1e3);
        last = t;
        if first.is_none() && (left.len() < count || left.iter().any(ProcStat::is_dead)) {
            first = Some(t);
        }
        if dead.is_none() && left.iter().all(ProcStat::is_dead) {
            dead = Some(t);
            gaps_before_dead = gaps.len() - gaps_at_start;
        }
        if left.is_empty() {
            let more = boxed.find()?;
            if more.is_empty() {
                return Ok(Vanished {
                    first: first.unwrap_or(t),
                    dead: dead.unwrap_or(t),
                    gone: t,
                    stragglers,
                    last: last_seen,
                    gaps_before_dead,
                });
            }
            stragglers += more.len();
            left = more;
        }
        if t - started > GONE_TIMEOUT.as_nanos() as i64 {
            let names: Vec<String> = left
                .iter()
                .map(|p| format!("pid {} {} (state {})", p.pid, p.comm, p.state))
                .collect();
            bail!(
                "{} process(es) of the box still there {} s after its end: {}",
                left.len(),
                GONE_TIMEOUT.as_secs(),
                names.join(", ")
            );
        }
        std::thread::sleep(POLL);
    }
}

/// The fixture's `start NS` and `ready NS` lines.
fn fixture_times(report: &RunReport) -> anyhow::Result<(i64, i64)> {
    let text = String::from_utf8_lossy(&report.stdout.0);
    let field = |name: &str| -> anyhow::Result<i64> {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .with_context(|| format!("the fixture printed no `{name}` line: {text:?}"))?
            .trim()
            .parse()
            .with_context(|| format!("the fixture's `{name}` line is not a number: {text:?}"))
    };
    Ok((field("start")?, field("ready")?))
}

/// Prints one series in ms: n, median, p99, max.
fn series_row(table: &mut Table, name: &str, s: &Summary) {
    table.row(&[
        name.to_string(),
        s.n.to_string(),
        format!("{:.2}", s.median),
        format!("{:.2}", s.p99),
        format!("{:.2}", s.max),
    ]);
}

/// The rounds of one way of ending a box: when its processes vanished, counted from the end.
#[derive(Debug, Default)]
struct Series {
    /// Some process exited, ms.
    first: Vec<f64>,
    /// Every process exited (zombies allowed), ms.
    dead: Vec<f64>,
    /// No process left, ms.
    gone: Vec<f64>,
    /// Intervals between looks, µs.
    gaps: Vec<f64>,
    /// Rounds in which this process itself waited more than [`STALL`] between two looks
    /// while the box's processes were exiting (before every one had).
    stalled: usize,
    /// `gone` of the other rounds.
    gone_unstalled: Vec<f64>,
    stragglers: usize,
    /// The last to go, by name ("judgebox-jail" is the box's init), and how often.
    last: BTreeMap<String, usize>,
}

impl Series {
    fn add(&mut self, vanished: &Vanished, from: i64, gaps: Vec<f64>) {
        let gone = ns_to_ms(vanished.gone - from);
        self.first.push(ns_to_ms(vanished.first - from));
        self.dead.push(ns_to_ms(vanished.dead - from));
        self.gone.push(gone);
        let exiting = &gaps[..vanished.gaps_before_dead.min(gaps.len())];
        if exiting.iter().any(|&g| g > STALL.as_secs_f64() * 1e6) {
            self.stalled += 1;
        } else {
            self.gone_unstalled.push(gone);
        }
        self.gaps.extend(gaps);
        self.stragglers += vanished.stragglers;
        let mut names: Vec<&str> = vanished.last.iter().map(|p| p.comm.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        *self.last.entry(names.join(" + ")).or_default() += 1;
    }

    /// Which processes went last, how finely the box was looked at, and how often this
    /// process was itself held off the CPU.
    fn print_notes(&self, name: &str) {
        let mut last: Vec<(&String, &usize)> = self.last.iter().collect();
        last.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut shown: Vec<String> = last
            .iter()
            .take(3)
            .map(|(k, n)| format!("{k} × {n}"))
            .collect();
        let others: usize = last.iter().skip(3).map(|(_, n)| **n).sum();
        if others > 0 {
            shown.push(format!("other sets × {others}"));
        }
        let g = Summary::of(&self.gaps);
        let unstalled = if self.gone_unstalled.is_empty() {
            String::new()
        } else {
            let u = Summary::of(&self.gone_unstalled);
            format!(
                " (max of the other rounds {:.2} ms, median {:.2} ms)",
                u.max, u.median
            )
        };
        println!(
            "{name}: the last to go: {}. Looked at every {:.0} µs (median; p99 {:.0} µs, max \
             {:.0} µs); rounds with a look more than {} ms after the one before while the box's \
             processes were exiting (this process itself held off the CPU): {} of \
             {}{unstalled}; processes the final full scan of /proc found that the snapshot \
             before the end had not: {}.",
            shown.join("; "),
            g.median,
            g.p99,
            g.max,
            STALL.as_millis(),
            self.stalled,
            self.gone.len(),
            self.stragglers
        );
        println!();
    }
}

/// Runs `judgebox serve`'s reaper on a thread of its own. It makes this process a child
/// subreaper, which each round then sets or clears for its mode; in the other modes no box
/// init is ever our child, so the task finds nothing to reap.
fn start_reaper() -> anyhow::Result<()> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("reaper".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let started = runtime.map_err(anyhow::Error::from).and_then(|rt| {
                let task = rt.block_on(async { reaper::adopt_orphaned_boxes() })?;
                Ok((rt, task))
            });
            match started {
                Ok((rt, task)) => {
                    let _ = ready_tx.send(Ok(()));
                    let _ = rt.block_on(task);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            }
        })
        .context("starting the reaper thread")?;
    ready_rx.recv().context("the reaper thread")?
}

/// How a round of part (a) ends its box, and who reaps the box's init.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The jail SIGKILLed; its box's init, an orphan then, is the host's pid 1's to reap (no
    /// process between the jail and pid 1 is a child subreaper).
    JailHostReaps,
    /// The same with this process a child subreaper (`PR_SET_CHILD_SUBREAPER`) whose
    /// reaper task, the one `judgebox serve` runs, reaps the orphaned init on SIGCHLD.
    JailServerReaps,
    /// The box's init SIGKILLed, the jail left alive: it reaps init itself and answers, as
    /// after its own wall-time kill (which is this same SIGKILL), but with an exact origin.
    InitKilled,
    /// No jail: `unshare --pid --fork /bin/sh -c FIXTURE`, the namespace's init (the `sh`)
    /// SIGKILLed and reaped at once by `unshare`. The kernel's own floor for emptying a pid
    /// namespace of these processes on this host.
    Bare,
    /// Part (b): the fixture run under a short wall limit in the warm jail.
    WallKill,
}

/// Every mode, in the order they take turns; part (a)'s are the first four.
const MODES: [Mode; 5] = [
    Mode::JailHostReaps,
    Mode::JailServerReaps,
    Mode::InitKilled,
    Mode::Bare,
    Mode::WallKill,
];

/// One jail round of part (a): a fresh jail, the fixture in place, SIGKILL to the jail (or
/// to the box's init), watch. Returns the kill's time, what was seen and how many processes
/// the box had.
fn jail_kill_round(
    jail_bin: &Path,
    fixture: &Path,
    request: &JailRequest,
    mode: Mode,
    gaps: &mut Vec<f64>,
) -> anyhow::Result<(i64, Vanished, usize)> {
    let mut boxed = box_of(SLOT_KILL);
    let mut jail = Jail::start(jail_bin, SLOT_KILL)?;
    jail.write_files(vec![box_file(fixture, "teardown")?])?;
    jail.send(request)?;
    let known = in_place_soon(&mut boxed)?;
    let count = known.len();
    let jail_pid = i32::try_from(jail.pid()).context("the jail's pid")?;
    let target = if mode == Mode::InitKilled {
        known
            .iter()
            .find(|p| p.ppid == jail_pid)
            .context("no process of the box is a child of the jail")?
            .pid
    } else {
        jail_pid
    };
    set_child_subreaper(mode == Mode::JailServerReaps).context("PR_SET_CHILD_SUBREAPER")?;
    let killed_at = now_ns();
    kill(Pid::from_raw(target), Signal::SIGKILL).context("SIGKILL")?;
    let vanished = watch(&mut boxed, known, gaps);
    if mode == Mode::InitKilled {
        // The jail answers for its killed box and lives on; it is closed untimed.
        jail.receive_report()?;
        jail.finish()?;
    } else {
        jail.kill();
    }
    set_child_subreaper(false).context("PR_SET_CHILD_SUBREAPER")?;
    Ok((killed_at, vanished?, count))
}

/// One bare round of part (a): the fixture in a bare pid namespace, its init SIGKILLed.
fn bare_kill_round(fixture: &Path, gaps: &mut Vec<f64>) -> anyhow::Result<(i64, Vanished, usize)> {
    let script = format!("{} >/dev/null; :", fixture.display());
    // unshare's stderr is kept for errors only: here it warns "sigprocmask unblock failed"
    // on every run, harmlessly.
    let unshare = Command::new("unshare")
        .args(["--pid", "--fork", "--", "/bin/sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("running unshare (util-linux)")?;
    let unshare_pid = unshare.id();
    let result = (|| -> anyhow::Result<(i64, Vanished, usize)> {
        let until = now_ns() + READY_TIMEOUT.as_nanos() as i64;
        let procfs = host_procfs();
        // unshare's only child is the namespace's init.
        let (init, namespace) = loop {
            let found = children(unshare_pid).first().and_then(|&pid| {
                let pid = i32::try_from(pid).ok()?;
                Some((pid, procfs.pid_namespace(pid)?))
            });
            if let Some(found) = found {
                break found;
            }
            if now_ns() > until {
                bail!("unshare --pid --fork started no child");
            }
            std::thread::sleep(READY_POLL);
        };
        let mut boxed = BoxProcesses::of_namespace(procfs, namespace);
        let known = in_place_soon(&mut boxed)?;
        let count = known.len();
        let killed_at = now_ns();
        kill(Pid::from_raw(init), Signal::SIGKILL).context("SIGKILL to the namespace's init")?;
        Ok((killed_at, watch(&mut boxed, known, gaps)?, count))
    })();
    if result.is_err() {
        let _ = kill(Pid::from_raw(i32::try_from(unshare_pid)?), Signal::SIGKILL);
    }
    let output = unshare.wait_with_output().context("waiting for unshare")?;
    result.with_context(|| {
        format!(
            "unshare said: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )
    })
}

/// Part (a)'s rounds, per mode in [`MODES`]' order, and the number of processes at the kill.
#[derive(Debug, Default)]
struct Kills {
    series: [Series; 4],
    sizes: [Vec<f64>; 4],
}

/// Prints part (a). Returns "no box process left" in ms for each of its modes.
fn print_kills(kills: &Kills, rounds: usize) -> anyhow::Result<[Summary; 4]> {
    println!("## a. SIGKILL to the jail (or to the box's init)");
    println!();
    println!(
        "{rounds} rounds per mode after {WARMUP} warm-up rounds. Jail modes: a fresh \
         `judgebox-jail --slot {SLOT_KILL}` each round (start-up and WriteFiles not timed), the \
         fixture run with the run profile's default limits (wall {} s); once all its processes \
         are in place, kill(jail, SIGKILL), timed from just before that call. The box's init \
         dies by its PDEATHSIG, the kernel empties the pid namespace before it lets init exit, \
         and init is then an orphan: reaped by the host's pid 1, or by this process as a child \
         subreaper running `judgebox serve`'s reaper task. Init mode: the same, but SIGKILL to the box's init; the jail reaps it and \
         answers, as after a wall-time kill. Bare mode: `unshare --pid --fork /bin/sh -c \
         FIXTURE`, the `sh` (the namespace's init) SIGKILLed; the kernel's floor for the same \
         processes.",
        run_limits()?.wall_time
    );
    println!();
    let (jail_sizes, bare_sizes) = (Summary::of(&kills.sizes[0]), Summary::of(&kills.sizes[3]));
    println!(
        "Processes at the kill: {:.0}-{:.0} in a box (the fixture's nine and the box's init), \
         {:.0}-{:.0} bare (the nine and `sh`).",
        jail_sizes.min, jail_sizes.max, bare_sizes.min, bare_sizes.max
    );
    println!();
    let mut table = Table::new(&[
        "from the SIGKILL to …",
        "n",
        "median ms",
        "p99 ms",
        "max ms",
    ]);
    let [host, bench, init, bare] = &kills.series;
    let gone = [
        Summary::of(&host.gone),
        Summary::of(&bench.gone),
        Summary::of(&init.gone),
        Summary::of(&bare.gone),
    ];
    series_row(
        &mut table,
        "jail killed: the first box process exited",
        &Summary::of(&host.first),
    );
    series_row(
        &mut table,
        "jail killed: every box process exited (zombies allowed)",
        &Summary::of(&host.dead),
    );
    series_row(
        &mut table,
        "jail killed: no box process left, the host's pid 1 reaping init",
        &gone[0],
    );
    series_row(
        &mut table,
        "jail killed: no box process left, serve's reaper reaping init",
        &gone[1],
    );
    series_row(
        &mut table,
        "box's init killed, the jail alive: the first box process exited",
        &Summary::of(&init.first),
    );
    series_row(
        &mut table,
        "box's init killed, the jail alive: no box process left",
        &gone[2],
    );
    series_row(
        &mut table,
        "bare pid namespace, sh killed: no process left",
        &gone[3],
    );
    table.print();
    host.print_notes("Jail killed, host's pid 1 reaping");
    bench.print_notes("Jail killed, serve's reaper reaping");
    init.print_notes("Box's init killed");
    bare.print_notes("Bare");
    Ok(gone)
}

/// Part (b)'s figures.
struct WallFigures {
    /// From the earliest deadline (send + limit) to no box process left, ms.
    gone: Summary,
    /// Rounds in which something of the box was still there when the report arrived.
    left_at_report: usize,
}

/// One round of part (b): what the watcher and the report say.
struct WallRound {
    sent: i64,
    vanished: Vanished,
    report: RunReport,
    report_at: i64,
    /// Processes of the slot's uid and children of the jail when the report arrived.
    left_at_report: Vec<String>,
    /// Intervals between the watcher's looks, µs.
    gaps: Vec<f64>,
}

fn wall_round(
    jail: &mut Jail,
    request: &JailRequest,
    boxed: &mut BoxProcesses,
) -> anyhow::Result<Option<WallRound>> {
    let mut gaps = Vec::new();
    let jail_pid = jail.pid();
    let uid_only = boxed.clone();
    boxed.forget_namespace();
    let sent = now_ns();
    jail.send(request)?;
    let earliest_deadline = sent + (WALL_LIMIT * 1e9) as i64;
    std::thread::scope(|scope| {
        // The report is read on its own thread, which looks at once for anything of the box
        // left: a process of the slot's uid, or any child of the jail (the box's init).
        let receiver = scope.spawn(move || -> anyhow::Result<(RunReport, i64, Vec<String>)> {
            let report = jail.receive_report()?;
            let at = now_ns();
            let mut uid_only = uid_only;
            uid_only.forget_namespace();
            let mut left: Vec<String> = uid_only
                .find()?
                .iter()
                .map(|p| format!("pid {} {} ({})", p.pid, p.comm, p.state))
                .collect();
            left.extend(
                children(jail_pid)
                    .iter()
                    .map(|pid| format!("pid {pid}, a child of the jail")),
            );
            Ok((report, at, left))
        });
        let watched = (|| -> anyhow::Result<Option<Vanished>> {
            // Nothing forks once the fixture is in place: this is the set to watch.
            let Some(known) = wait_in_place(boxed, earliest_deadline)? else {
                return Ok(None);
            };
            let wake = earliest_deadline - WATCH_LEAD.as_nanos() as i64;
            let now = now_ns();
            if wake > now {
                std::thread::sleep(Duration::from_nanos((wake - now) as u64));
            }
            watch(boxed, known, &mut gaps).map(Some)
        })();
        let received = receiver
            .join()
            .map_err(|_| anyhow::anyhow!("the report reader panicked"))?;
        let (report, report_at, left_at_report) = received?;
        // A fixture not in place by the deadline makes no round: the caller runs another.
        Ok(watched?.map(|vanished| WallRound {
            sent,
            vanished,
            report,
            report_at,
            left_at_report,
            gaps,
        }))
    })
}

/// Part (b)'s rounds.
#[derive(Debug, Default)]
struct Walls {
    /// From the early deadline (send + limit): every process exited, none left.
    series: Series,
    /// None left from the late deadline (program start + limit), ms.
    late: Vec<f64>,
    /// The report's overshoot, ms.
    overshoots: Vec<f64>,
    /// The report's arrival after none was left, ms.
    report_after: Vec<f64>,
    /// The bracket's width (program start − send), ms.
    width: Vec<f64>,
    /// The fixture in place after its start, ms.
    ready: Vec<f64>,
    /// Rounds with something of the box left when the report arrived.
    left_rounds: usize,
    /// Rounds run again because the fixture was not in place before the deadline.
    retried: usize,
}

impl Walls {
    /// Checks one round (warm-up rounds too) and, if `measured`, keeps its figures.
    fn add(&mut self, r: WallRound, round: usize, measured: bool) -> anyhow::Result<()> {
        if r.report.outcome != Outcome::WallTimeLimit {
            bail!(
                "the fixture was not stopped by its wall limit: {:?}",
                r.report
            );
        }
        let overshoot = r
            .report
            .overshoot
            .with_context(|| format!("a wall-time kill without an overshoot: {:?}", r.report))?;
        let (start, in_place_at) = fixture_times(&r.report)?;
        if !r.left_at_report.is_empty() {
            println!(
                "Round {round}: left when the report arrived: {}.",
                r.left_at_report.join(", ")
            );
            println!();
        }
        if !measured {
            return Ok(());
        }
        let limit_ns = (WALL_LIMIT * 1e9) as i64;
        self.series.add(&r.vanished, r.sent + limit_ns, r.gaps);
        self.late
            .push(ns_to_ms(r.vanished.gone - (start + limit_ns)));
        self.overshoots.push(overshoot * 1e3);
        self.report_after
            .push(ns_to_ms(r.report_at - r.vanished.gone));
        self.width.push(ns_to_ms(start - r.sent));
        self.ready.push(ns_to_ms(in_place_at - start));
        self.left_rounds += usize::from(!r.left_at_report.is_empty());
        Ok(())
    }
}

/// Every round of both parts, the modes taking turns (which goes first rotates every
/// round), so that drift in the host's load hits them alike.
fn measure(jail_bin: &Path, fixture: &Path, rounds: usize) -> anyhow::Result<(Kills, Walls)> {
    let kill_request = run_request(&["/box/teardown"], run_limits()?);
    let wall_limits = Limits {
        wall_time: WALL_LIMIT,
        ..run_limits()?
    };
    let wall_request = run_request(&["/box/teardown"], wall_limits);
    let mut warm = Jail::start(jail_bin, SLOT_WALL)?;
    warm.write_files(vec![box_file(fixture, "teardown")?])?;
    let mut warm_box = box_of(SLOT_WALL);
    let (mut kills, mut walls) = (Kills::default(), Walls::default());
    for round in 0..WARMUP + rounds {
        let measured = round >= WARMUP;
        for i in 0..MODES.len() {
            let mode = MODES[(round + i) % MODES.len()];
            let mut gaps = Vec::new();
            let (killed_at, vanished, count) = match mode {
                Mode::WallKill => {
                    let r = loop {
                        if let Some(r) = wall_round(&mut warm, &wall_request, &mut warm_box)? {
                            break r;
                        }
                        walls.retried += 1;
                        if walls.retried > MAX_RETRIES {
                            bail!(
                                "the fixture was not in place before the {WALL_LIMIT} s wall \
                                 deadline {} times: the host is too loaded for part (b)",
                                walls.retried
                            );
                        }
                    };
                    walls.add(r, round, measured)?;
                    continue;
                }
                Mode::Bare => bare_kill_round(fixture, &mut gaps)?,
                _ => jail_kill_round(jail_bin, fixture, &kill_request, mode, &mut gaps)?,
            };
            if measured {
                kills.series[mode as usize].add(&vanished, killed_at, gaps);
                kills.sizes[mode as usize].push(count as f64);
            }
        }
    }
    warm.finish()?;
    Ok((kills, walls))
}

/// Prints part (b).
fn print_wall(walls: &Walls, rounds: usize) -> WallFigures {
    println!("## b. A wall-time kill");
    println!();
    println!(
        "{rounds} rounds after {WARMUP} warm-up rounds in one warm `judgebox-jail --slot \
         {SLOT_WALL}`, taking turns with part (a)'s modes: the fixture runs under a \
         {WALL_LIMIT} s wall limit (other limits the run profile's defaults) and must be in \
         place before the deadline. The deadline on this process's clock: send + limit is too \
         early (the request still has to reach the jail, which starts its clock just before \
         it clones the box), the program's own start + limit is too late (the box's set-up \
         and exec come first); the truth lies between. The jail's own figure is the report's \
         overshoot (its deadline to its init seen exited, which the kernel allows only once \
         every other process of the pid namespace is gone): a lower bound too."
    );
    println!();
    let mut table = Table::new(&[
        "from the wall deadline to …",
        "n",
        "median ms",
        "p99 ms",
        "max ms",
    ]);
    let gone = Summary::of(&walls.series.gone);
    series_row(
        &mut table,
        "no box process left; deadline = send + limit (upper bound)",
        &gone,
    );
    for (name, samples) in [
        (
            "no box process left; deadline = program start + limit (lower bound)",
            &walls.late,
        ),
        (
            "every box process exited (zombies allowed); deadline = send + limit",
            &walls.series.dead,
        ),
        (
            "the jail's own figure: RunReport.overshoot",
            &walls.overshoots,
        ),
        (
            "the report's arrival, after no box process was left",
            &walls.report_after,
        ),
        ("(the bracket's width: program start − send)", &walls.width),
    ] {
        series_row(&mut table, name, &Summary::of(samples));
    }
    table.print();
    let ready = Summary::of(&walls.ready);
    println!(
        "The fixture was in place {:.1} ms after its start (median; max {:.1} ms), before the \
         deadline (rounds run again because it was not: {}). Rounds with a process of the box \
         (of the slot's uid, or a child of the jail) left when the report arrived: {} of \
         {rounds}.",
        ready.median, ready.max, walls.retried, walls.left_rounds
    );
    println!();
    walls.series.print_notes("Wall-time kill");
    WallFigures {
        gone,
        left_at_report: walls.left_rounds,
    }
}
