//! `load`: `judgebox serve` under HTTP load, against the same programs run bare.
//!
//! Starts `judgebox serve` (the release binary) with a fresh data directory, the server's
//! default number of workers (Judge0's: twice the CPUs; `JUDGEBOX_BENCH_WORKERS` changes
//! it, for experiments) on slots from 920, and
//! `MAX_QUEUE_SIZE=100000`, then, each for `JUDGEBOX_BENCH_SECONDS`
//! (default 10) after `JUDGEBOX_BENCH_WARMUP_SECONDS` (default 2) of warm-up:
//!
//! 1. `POST /submissions?wait=true` of Plain Text (43, source `hello`) from
//!    `JUDGEBOX_BENCH_CLIENTS` (default 8) keep-alive connections, each sending its next
//!    request as soon as it has the answer (a closed loop);
//! 2. the same loop bare: 8 threads each running `/usr/bin/python3 script.py` (the command of
//!    language 71, in a directory holding the script) one after the other;
//! 3. the same load as 1 with Python (71, `print("hello")`).
//!
//! Throughput counts the answers completed inside the measured window; latency is from
//! writing a request to reading its whole answer. CPU is read from `/proc` over the window:
//! the host's, this load generator's, the server's, its jails' (and the boxes the jails
//! reaped). The server's and its jails' resident memory are read after start-up and after
//! the load. Exits 0 whatever the figures: the targets are printed with PASS or FAIL.
//!
//! Targets: Plain Text ≥ 500 submissions/s with p99 < 25 ms; Python ≥ 85 % of the bare
//! throughput; the server's idle RSS < 40 MiB.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use judgebox_benches::{
    children, cpu_seconds, env_number, host_cpu_jiffies, print_header, require_root, status_kb,
    verdict, Binaries, HttpConn, Server, Summary, Table,
};
use nix::sys::resource::{getrusage, UsageWho};

const CLIENTS: usize = 8;
const SECONDS: f64 = 10.0;
const WARMUP_SECONDS: f64 = 2.0;
/// The server's first worker slot: pool slots from 920 (at most 80 of them) are clear of the
/// test suites (100-899), the other benches (900-913) and one-shot jails (1000 and up).
const FIRST_SLOT: u32 = 920;
/// The server's own default (`judgebox serve` without `--workers`): twice the CPUs.
fn default_workers() -> usize {
    2 * std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}
const MAX_QUEUE_SIZE: &str = "100000";

const PLAIN_TEXT_BODY: &str = r#"{"source_code":"hello","language_id":43}"#;
const PYTHON_BODY: &str = r#"{"source_code":"print(\"hello\")","language_id":71}"#;
const PYTHON_SOURCE: &str = "print(\"hello\")\n";

const TARGET_PLAIN_PER_S: f64 = 500.0;
const TARGET_PLAIN_P99_MS: f64 = 25.0;
const TARGET_PYTHON_SHARE: f64 = 0.85;
const TARGET_IDLE_RSS_KB: u64 = 40 * 1024;

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The load's shape, from the environment.
#[derive(Debug, Clone, Copy)]
struct Shape {
    clients: usize,
    workers: usize,
    warmup: Duration,
    window: Duration,
}

fn bench() -> anyhow::Result<()> {
    require_root()?;
    let bins = Binaries::locate()?;
    print_header("load", &bins);
    let quick = std::env::var_os("JUDGEBOX_BENCH_QUICK").is_some();
    let shape = Shape {
        clients: env_number("JUDGEBOX_BENCH_CLIENTS", CLIENTS)?.max(1),
        workers: env_number("JUDGEBOX_BENCH_WORKERS", default_workers())?.clamp(1, 80),
        warmup: Duration::from_secs_f64(env_number(
            "JUDGEBOX_BENCH_WARMUP_SECONDS",
            if quick { 0.5 } else { WARMUP_SECONDS },
        )?),
        window: Duration::from_secs_f64(
            env_number("JUDGEBOX_BENCH_SECONDS", if quick { 2.0 } else { SECONDS })?.max(0.1),
        ),
    };
    println!(
        "{} closed-loop clients, {:.1} s warm-up then {:.1} s measured per workload; server: \
         {} workers on slots {FIRST_SLOT}-{}, MAX_QUEUE_SIZE={MAX_QUEUE_SIZE}",
        shape.clients,
        shape.warmup.as_secs_f64(),
        shape.window.as_secs_f64(),
        shape.workers,
        FIRST_SLOT + shape.workers as u32 - 1
    );
    println!();

    let started = Instant::now();
    let server = Server::start(
        &bins.cli,
        FIRST_SLOT,
        shape.workers,
        &[("MAX_QUEUE_SIZE", MAX_QUEUE_SIZE)],
    )?;
    let startup = started.elapsed();
    // Let start-up's allocations settle (version detection, the jails' first answers).
    std::thread::sleep(Duration::from_secs(1));
    let idle = Memory::read(&server);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let plain = rt.block_on(drive(&server, PLAIN_TEXT_BODY, "hello", shape))?;
    let work = tempfile::Builder::new()
        .prefix("judgebox-bench-load-")
        .tempdir()?;
    std::fs::write(work.path().join("script.py"), PYTHON_SOURCE)?;
    let bare_python = bare_loop(
        &["/usr/bin/python3", "script.py"],
        work.path(),
        b"hello\n",
        shape,
    )?;
    let python = rt.block_on(drive(&server, PYTHON_BODY, "hello\n", shape))?;
    std::fs::write(work.path().join("text.txt"), "hello")?;
    let bare_cat = bare_loop(&["/usr/bin/cat", "text.txt"], work.path(), b"hello", shape)?;
    std::thread::sleep(Duration::from_secs(1));
    let after = Memory::read(&server);

    println!(
        "server pid {}, ready {:.1} s after its start (language detection included); store in {}",
        server.pid(),
        startup.as_secs_f64(),
        server.data_dir().display()
    );
    println!();
    println!("## Throughput and latency");
    println!();
    let mut t = Table::new(&[
        "workload",
        "clients",
        "completed",
        "per second",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
    ]);
    let rows = [
        ("judgebox: Plain Text (43), POST wait=true", &plain),
        ("judgebox: Python (71), POST wait=true", &python),
        ("bare: /usr/bin/python3 script.py", &bare_python),
        ("bare: /usr/bin/cat text.txt (for scale)", &bare_cat),
    ];
    for (name, r) in rows {
        let s = r.latency();
        t.row(&[
            name.to_string(),
            shape.clients.to_string(),
            r.latencies.len().to_string(),
            format!("{:.1}", r.per_second()),
            format!("{:.2}", s.median),
            format!("{:.2}", s.p99),
            format!("{:.2}", s.max),
            r.errors.to_string(),
        ]);
    }
    t.print();
    for (name, r) in rows {
        if let Some(e) = &r.first_error {
            println!("first error of {name}: {e}");
        }
    }

    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("## CPU over the measured window");
    println!();
    println!(
        "Host busy = 1 − idle over all CPUs (100 % = every CPU busy), whoever used them; ours = \
         the CPU of the processes below over the window and all CPUs (host − ours is other \
         work on the machine). Per completed submission or run, ms of CPU: the load generator \
         (this process), the server, its jails, the boxes the jails reaped (their programs), \
         and for the bare loops the programs this process reaped."
    );
    println!();
    let mut c = Table::new(&[
        "workload",
        "host busy",
        "ours",
        "generator ms",
        "server ms",
        "jails ms",
        "boxes ms",
        "bare programs ms",
    ]);
    for (name, r) in rows {
        let n = r.latencies.len().max(1) as f64;
        let per = |s: f64| format!("{:.2}", s * 1e3 / n);
        let cpu = &r.cpu;
        let ours = cpu.ours(r.window, cpus);
        c.row(&[
            name.to_string(),
            format!("{:.0} %", cpu.host_busy * 100.0),
            format!("{:.0} %", ours * 100.0),
            per(cpu.generator),
            per(cpu.server),
            per(cpu.jails),
            per(cpu.boxes),
            per(cpu.bare_children),
        ]);
    }
    c.print();

    // Throughput = CPUs × utilisation ÷ CPU per item: which of the two limits each workload.
    println!("## Where the throughput goes");
    println!();
    println!(
        "CPU per item = the sum of the columns above (ours, per completed submission or run). \
         Ceiling = what our share of the CPUs would allow at 100 % busy: {cpus} CPUs ÷ CPU per \
         item. A workload far below its ceiling is waiting (I/O, hand-offs), not computing."
    );
    println!();
    let mut w = Table::new(&[
        "workload",
        "CPU per item ms",
        "ours busy",
        "ceiling /s",
        "measured /s",
    ]);
    for (name, r) in rows {
        w.row(&[
            name.to_string(),
            format!("{:.2}", r.cpu.per_item(r.latencies.len()) * 1e3),
            format!("{:.0} %", r.cpu.ours(r.window, cpus) * 100.0),
            format!("{:.0}", cpus as f64 / r.cpu.per_item(r.latencies.len())),
            format!("{:.1}", r.per_second()),
        ]);
    }
    w.print();
    let n_python = python.latencies.len().max(1) as f64;
    let n_bare = bare_python.latencies.len().max(1) as f64;
    let cpu_ratio = bare_python.cpu.per_item(bare_python.latencies.len())
        / python.cpu.per_item(python.latencies.len());
    let busy_ratio =
        python.cpu.ours(python.window, cpus) / bare_python.cpu.ours(bare_python.window, cpus);
    println!(
        "Python through judgebox ÷ bare = (bare CPU per run ÷ judgebox CPU per submission) × \
         (judgebox's busy share ÷ bare's) = {cpu_ratio:.3} × {busy_ratio:.3} = {:.3} (measured \
         {:.3}). Per submission, the boxed program costs {:+.2} ms of CPU more than the bare \
         run, and the server, jails and HTTP client {:.2} ms more than the bare loop's \
         spawning.",
        cpu_ratio * busy_ratio,
        python.per_second() / bare_python.per_second(),
        (python.cpu.boxes / n_python - bare_python.cpu.bare_children / n_bare) * 1e3,
        (python.cpu.server + python.cpu.jails + python.cpu.generator) * 1e3 / n_python
            - bare_python.cpu.generator * 1e3 / n_bare,
    );
    println!();

    println!("## Memory (KiB, from /proc/PID/status)");
    println!();
    println!(
        "The jails are separate processes (children of the server, one per worker slot); each \
         run's box is a short-lived process tree of its jail and is not counted here."
    );
    println!();
    let mut m = Table::new(&[
        "process",
        "VmRSS after start-up",
        "VmRSS after the load",
        "VmHWM (peak) after the load",
    ]);
    let kb = |v: Option<u64>| v.map_or("-".to_string(), |k| k.to_string());
    m.row(&[
        format!("judgebox serve (pid {})", server.pid()),
        kb(idle.server_rss),
        kb(after.server_rss),
        kb(after.server_hwm),
    ]);
    for (i, (pid, rss, _)) in idle.jails.iter().enumerate() {
        let later = after.jails.iter().find(|(p, _, _)| p == pid);
        m.row(&[
            format!("judgebox-jail #{} (pid {pid})", i + 1),
            kb(*rss),
            kb(later.and_then(|j| j.1)),
            kb(later.and_then(|j| j.2)),
        ]);
    }
    for (pid, rss, hwm) in &after.jails {
        if !idle.jails.iter().any(|(p, _, _)| p == pid) {
            m.row(&[
                format!("judgebox-jail started during the load (pid {pid})"),
                "-".to_string(),
                kb(*rss),
                kb(*hwm),
            ]);
        }
    }
    m.print();

    let bare_share = python.per_second() / bare_python.per_second();
    let plain_lat = plain.latency();
    let mut targets = Table::new(&["target", "measured", "verdict"]);
    targets
        .row(&[
            format!("Plain Text ≥ {TARGET_PLAIN_PER_S:.0} submissions/s"),
            format!("{:.1}/s", plain.per_second()),
            verdict(plain.per_second() >= TARGET_PLAIN_PER_S).to_string(),
        ])
        .row(&[
            format!("Plain Text p99 < {TARGET_PLAIN_P99_MS:.0} ms"),
            format!("{:.2} ms", plain_lat.p99),
            verdict(plain_lat.p99 < TARGET_PLAIN_P99_MS).to_string(),
        ])
        .row(&[
            format!(
                "Python ≥ {:.0} % of bare python3 throughput",
                TARGET_PYTHON_SHARE * 100.0
            ),
            format!(
                "{:.1}/s ÷ {:.1}/s = {:.1} %",
                python.per_second(),
                bare_python.per_second(),
                bare_share * 100.0
            ),
            verdict(bare_share >= TARGET_PYTHON_SHARE).to_string(),
        ]);
    for (when, rss) in [
        ("after start-up", idle.server_rss),
        ("after the load", after.server_rss),
    ] {
        targets.row(&[
            format!("server idle RSS {when} < {} MiB", TARGET_IDLE_RSS_KB / 1024),
            rss.map_or("-".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
            verdict(rss.is_some_and(|k| k < TARGET_IDLE_RSS_KB)).to_string(),
        ]);
    }
    targets.print();

    let errors = plain.errors + python.errors + bare_python.errors + bare_cat.errors;
    server.stop()?;
    if errors > 0 {
        println!("{errors} requests or runs failed: the figures above count only the good ones");
    }
    Ok(())
}

/// Resident memory of the server and its jails.
struct Memory {
    server_rss: Option<u64>,
    server_hwm: Option<u64>,
    /// (pid, VmRSS, VmHWM) of each jail.
    jails: Vec<(u32, Option<u64>, Option<u64>)>,
}

impl Memory {
    fn read(server: &Server) -> Memory {
        Memory {
            server_rss: status_kb(server.pid(), "VmRSS"),
            server_hwm: status_kb(server.pid(), "VmHWM"),
            jails: server
                .jail_pids()
                .into_iter()
                .map(|p| (p, status_kb(p, "VmRSS"), status_kb(p, "VmHWM")))
                .collect(),
        }
    }
}

/// CPU seconds spent over the measured window.
#[derive(Debug, Default, Clone, Copy)]
struct Cpu {
    host_busy: f64,
    generator: f64,
    server: f64,
    jails: f64,
    boxes: f64,
    bare_children: f64,
}

/// A snapshot of the CPU counters the report subtracts.
#[derive(Debug, Clone, Copy)]
struct CpuSnapshot {
    host: (u64, u64),
    generator: f64,
    children: f64,
    server: f64,
    jails: f64,
    boxes: f64,
}

impl Cpu {
    /// Our CPU seconds in all: the generator, the server, the jails, the boxes, bare programs.
    fn total(&self) -> f64 {
        self.generator + self.server + self.jails + self.boxes + self.bare_children
    }

    /// Our share of all CPUs over `window`.
    fn ours(&self, window: Duration, cpus: usize) -> f64 {
        self.total() / window.as_secs_f64() / cpus as f64
    }

    /// Our CPU seconds per completed item.
    fn per_item(&self, items: usize) -> f64 {
        self.total() / items.max(1) as f64
    }
}

impl CpuSnapshot {
    fn take(server: Option<u32>) -> CpuSnapshot {
        let usage = |who| {
            getrusage(who).map_or(0.0, |u| {
                let t =
                    |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
                t(u.user_time()) + t(u.system_time())
            })
        };
        let (mut jails, mut boxes) = (0.0, 0.0);
        let mut server_cpu = 0.0;
        if let Some(pid) = server {
            server_cpu = cpu_seconds(pid).map_or(0.0, |(own, _)| own);
            for jail in children(pid) {
                if let Some((own, reaped)) = cpu_seconds(jail) {
                    jails += own;
                    boxes += reaped;
                }
            }
        }
        CpuSnapshot {
            host: host_cpu_jiffies().unwrap_or((0, 0)),
            generator: usage(UsageWho::RUSAGE_SELF),
            children: usage(UsageWho::RUSAGE_CHILDREN),
            server: server_cpu,
            jails,
            boxes,
        }
    }

    fn since(&self, before: &CpuSnapshot) -> Cpu {
        let busy = self.host.0.saturating_sub(before.host.0) as f64;
        let total = self.host.1.saturating_sub(before.host.1).max(1) as f64;
        Cpu {
            host_busy: busy / total,
            generator: self.generator - before.generator,
            server: self.server - before.server,
            jails: self.jails - before.jails,
            boxes: self.boxes - before.boxes,
            bare_children: self.children - before.children,
        }
    }
}

/// What one workload measured.
#[derive(Debug, Default)]
struct LoadResult {
    /// Latencies of the requests or runs completed in the window, ms.
    latencies: Vec<f64>,
    window: Duration,
    errors: usize,
    first_error: Option<String>,
    cpu: Cpu,
}

impl LoadResult {
    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.window.as_secs_f64()
    }

    fn latency(&self) -> Summary {
        if self.latencies.is_empty() {
            Summary::of(&[f64::NAN])
        } else {
            Summary::of(&self.latencies)
        }
    }

    fn merge(&mut self, other: ClientResult) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// One client's share of a workload.
#[derive(Debug, Default)]
struct ClientResult {
    latencies: Vec<f64>,
    errors: usize,
    first_error: Option<String>,
}

impl ClientResult {
    fn error(&mut self, e: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(e);
        }
    }
}

/// Closed-loop HTTP load: `shape.clients` connections each posting `body` with `wait=true`
/// and checking the answer is Accepted with `stdout`, until the window ends.
async fn drive(
    server: &Server,
    body: &'static str,
    stdout: &'static str,
    shape: Shape,
) -> anyhow::Result<LoadResult> {
    let addr = server.addr();
    let start = Instant::now();
    let measure_from = start + shape.warmup;
    let end = measure_from + shape.window;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..shape.clients {
        tasks.spawn(async move {
            let mut result = ClientResult::default();
            let mut conn: Option<HttpConn> = None;
            while Instant::now() < end {
                if conn.is_none() {
                    match HttpConn::connect(addr).await {
                        Ok(c) => conn = Some(c),
                        Err(e) => {
                            result.error(format!("{e:#}"));
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    }
                }
                let c = conn.as_mut().expect("connected above");
                let sent = Instant::now();
                let answer = c.post_json("/submissions?wait=true", body.as_bytes()).await;
                let done = Instant::now();
                let in_window = done >= measure_from && done <= end;
                match answer {
                    Ok(r) => match accepted(&r.body, r.status, stdout) {
                        Ok(()) if in_window => {
                            result.latencies.push((done - sent).as_secs_f64() * 1e3)
                        }
                        Ok(()) => {}
                        Err(e) => result.error(e),
                    },
                    Err(e) => {
                        result.error(format!("{e:#}"));
                        conn = None;
                    }
                }
            }
            result
        });
    }
    // CPU snapshots at the window's edges, taken on this (the runtime's only) thread.
    let pid = Some(server.pid());
    tokio::time::sleep_until(measure_from.into()).await;
    let before = CpuSnapshot::take(pid);
    tokio::time::sleep_until(end.into()).await;
    let after = CpuSnapshot::take(pid);
    let mut total = LoadResult {
        window: shape.window,
        cpu: after.since(&before),
        ..LoadResult::default()
    };
    while let Some(done) = tasks.join_next().await {
        total.merge(done.context("a load client panicked")?);
    }
    Ok(total)
}

/// Whether an answer is 201 with status Accepted and the expected stdout.
fn accepted(body: &[u8], status: u16, stdout: &str) -> Result<(), String> {
    let json: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        )
    })?;
    if status != 201 || json["status"]["id"] != 3 || json["stdout"] != stdout {
        return Err(format!("{status}: {json}"));
    }
    Ok(())
}

/// `shape.clients` threads each running `argv` bare in `dir`, one run after another, until
/// the window ends; each run's stdout must be `expected`.
fn bare_loop(
    argv: &[&str],
    dir: &Path,
    expected: &'static [u8],
    shape: Shape,
) -> anyhow::Result<LoadResult> {
    if !Path::new(argv[0]).exists() {
        bail!("{} is not installed", argv[0]);
    }
    let start = Instant::now();
    let measure_from = start + shape.warmup;
    let end = measure_from + shape.window;
    let argv: Arc<Vec<String>> = Arc::new(argv.iter().map(|s| s.to_string()).collect());
    let threads: Vec<_> = (0..shape.clients)
        .map(|_| {
            let argv = Arc::clone(&argv);
            let dir = dir.to_path_buf();
            std::thread::spawn(move || {
                let mut result = ClientResult::default();
                let mut cmd = Command::new(&argv[0]);
                cmd.args(&argv[1..])
                    .env_clear()
                    .env("PATH", "/usr/local/bin:/usr/bin:/bin")
                    .env("HOME", "/tmp")
                    .env("LANG", "C.UTF-8")
                    .current_dir(&dir)
                    .stdin(Stdio::null());
                while Instant::now() < end {
                    let t = Instant::now();
                    let out = cmd.output();
                    let done = Instant::now();
                    match out {
                        Ok(o) if o.status.success() && o.stdout == expected => {
                            if done >= measure_from && done <= end {
                                result.latencies.push((done - t).as_secs_f64() * 1e3);
                            }
                        }
                        Ok(o) => result.error(format!(
                            "{}: {}",
                            o.status,
                            String::from_utf8_lossy(&o.stderr)
                        )),
                        Err(e) => result.error(e.to_string()),
                    }
                }
                result
            })
        })
        .collect();
    let sleep_until = |t: Instant| std::thread::sleep(t.saturating_duration_since(Instant::now()));
    sleep_until(measure_from);
    let before = CpuSnapshot::take(None);
    sleep_until(end);
    let after = CpuSnapshot::take(None);
    let mut total = LoadResult {
        window: shape.window,
        cpu: after.since(&before),
        ..LoadResult::default()
    };
    for t in threads {
        let r = t
            .join()
            .map_err(|_| anyhow::anyhow!("a bare loop thread panicked"))?;
        total.merge(r);
    }
    Ok(total)
}
