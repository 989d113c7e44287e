//! `run_overhead`: what judgebox adds to compiling and running a hello world, against the
//! same commands run bare, and where the difference goes.
//!
//! 1. Per language (C 50, Python 71, Java 62), `JUDGEBOX_BENCH_REPS` rounds (default 20)
//!    after 2 warm-up rounds, each round running every mode once, the order rotating every
//!    round so that drift in the host's load hits every mode alike:
//!    - **bare**: a fresh directory under the bench's temporary directory, the source written
//!      into it, then the language file's compile steps and run argv exactly (`{options}`
//!      empty, as for a submission without compiler options), with the profile's environment
//!      (`PATH`, `HOME`, `LANG`) and the language's `env`; stdout captured;
//!    - **one-shot CLI**: `judgebox run FILE --lang ID --json`, a whole process: it takes the
//!      toolchain's version from its cache, judges in a one-shot slot of its own process,
//!      tears the slot down;
//!    - **warm jail**: the engine's sequence replayed on a long-lived `judgebox-jail --slot 904`
//!      (`ResetBox`, `WriteFiles`, each compile `Run`, the program's `Run`, with the engine's
//!      limits), each request timed, with the box's own `wall_time` for the runs: the sandbox's
//!      share, step by step;
//!    - **warm server**: `POST /submissions?wait=true` to a `judgebox serve` (slots 902-903, 2
//!      workers) started once, over one keep-alive connection: the per-submission cost of the
//!      engine with HTTP, the store and the queue.
//! 2. The one-shot CLI's fixed start-up, the same way alternated: `judgebox run` of a Plain
//!    Text file against bare `cat`, `judgebox sandbox run -- /bin/true`, `judgebox --version`,
//!    and each language's version command run bare (what the CLI runs beside the judging).
//!
//! 3. For each language whose one-shot difference part 1 left unresolved (its 95 % confidence
//!    interval straddles 5 ms: Java's javac varies by ±20 ms from run to run),
//!    `JUDGEBOX_BENCH_RESOLVE_ROUNDS` (default 1000) more rounds of bare against `judgebox run`
//!    alone, judged on those rounds only.
//!
//! Target (issue 3): `judgebox run` adds less than 5 ms to the same commands run bare (the
//! paired median of the per-round differences, judged by its 95 % confidence interval).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use judgebox_benches::{
    env_number, median_ci95, print_header, require_root, runs, verdict, Binaries, HttpConn, Jail,
    Summary, Table,
};
use judgebox_engine::{JobLimits, COMPILE_LIMITS};
use judgebox_spec::{
    extract_version, BoxFile, JailRequest, JailResponse, LanguageSpec, Languages, Limits,
    LimitsUpdate, Outcome, Profiles, RunReport, RunRequest, OPTIONS_PLACEHOLDER,
};
use tokio::runtime::Runtime;

/// The languages of part 1: C (GCC), Python 3, Java.
const LANGUAGES: &[u32] = &[50, 71, 62];
/// Plain Text: `cat` of the source, the cheapest submission there is.
const PLAIN_TEXT: u32 = 43;
/// Rounds per language (`JUDGEBOX_BENCH_REPS` overrides), after `WARMUP` unmeasured ones.
const REPS: usize = 20;
const WARMUP: usize = 2;
/// Part 3's rounds for a language that part 1 left unresolved (`JUDGEBOX_BENCH_RESOLVE_ROUNDS`
/// overrides; 0 skips part 3).
const RESOLVE_ROUNDS: usize = 1000;
/// The server's worker slots (902 and 903) and the warm jail's slot: pool slots, below the
/// one-shot range (1000 and up), above the test suites' range (100-899), beside the other
/// benches' 900 and 901.
const SERVER_SLOT: u32 = 902;
const SERVER_WORKERS: usize = 2;
const JAIL_SLOT: u32 = 904;
/// What each hello world prints.
const EXPECTED: &[u8] = b"hello, world\n";
/// The target: what the sandbox may add per submission, ms.
const TARGET_MS: f64 = 5.0;
/// `RLIMIT_NOFILE` of a run, as the engine sets it.
const RUN_OPEN_FILES: u64 = 512;

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("run_overhead bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> anyhow::Result<()> {
    require_root()?;
    let bins = Binaries::locate()?;
    print_header("run_overhead", &bins);
    let reps = env_number("JUDGEBOX_BENCH_REPS", runs(REPS))?.max(1);
    let resolve_pairs = env_number("JUDGEBOX_BENCH_RESOLVE_ROUNDS", runs(RESOLVE_ROUNDS))?;
    let languages = Languages::builtin().context("loading the built-in languages")?;
    let profiles = Profiles::builtin().context("loading the built-in sandbox profiles")?;
    let work = tempfile::Builder::new()
        .prefix("judgebox-bench-run-")
        .tempdir()
        .context("creating the bench's temporary directory")?;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let server = judgebox_benches::Server::start(&bins.cli, SERVER_SLOT, SERVER_WORKERS, &[])?;
    let mut conn = rt.block_on(HttpConn::connect(server.addr()))?;
    let mut jail = Jail::start(&bins.jail, JAIL_SLOT)?;
    println!(
        "warm server: pid {}, {} on slots {}-{}; warm jail on slot {JAIL_SLOT}; work directory \
         {}",
        server.pid(),
        server.addr(),
        server.first_slot(),
        server.first_slot() + server.workers() as u32 - 1,
        work.path().display()
    );
    println!();

    println!("## 1. Hello world: bare, one-shot `judgebox run`, warm jail, warm server");
    println!();
    println!(
        "{reps} rounds per language after {WARMUP} warm-up rounds; each round runs every mode \
         once, the order rotating. Times in ms. Δ = median − bare median; paired Δ = median \
         (and quartiles) of the per-round differences, which cancels drift in the host's load."
    );
    println!();
    let mut summaries = Vec::new();
    let mut cases = Vec::new();
    for &id in LANGUAGES {
        let spec = languages
            .get(id)
            .with_context(|| format!("no built-in language {id}"))?;
        let case = match Case::new(spec, &profiles, work.path())? {
            Ok(case) => case,
            Err(why) => {
                println!("### {id}: skipped ({why})");
                println!();
                continue;
            }
        };
        let m = measure(&case, &bins, &mut jail, &rt, &mut conn, reps, work.path())?;
        m.print(&case);
        summaries.push((id, case.title(), m));
        cases.push(case);
    }

    let fixed = fixed_costs(&bins, &languages, reps, work.path())?;

    let unresolved: Vec<&Case> = cases
        .iter()
        .zip(&summaries)
        .filter(|(_, (_, _, m))| Standing::of(&paired(&m.cli, &m.bare)) == Standing::Unresolved)
        .map(|(case, _)| case)
        .collect();
    let more = resolve(&unresolved, &bins, resolve_pairs, work.path())?;

    summary(&summaries, &fixed, &more);

    jail.finish()?;
    drop(conn);
    server.stop()?;
    Ok(())
}

/// One language: its hello world and the commands of its language file.
struct Case<'a> {
    spec: &'a LanguageSpec,
    /// The served name, with the installed toolchain's version.
    name: String,
    source: String,
    /// The source as a file on the host, for `judgebox run`.
    file: PathBuf,
    compile_steps: Vec<Vec<String>>,
    run_argv: Vec<String>,
    /// The profile's environment plus the language's, as `NAME=value`.
    compile_env: Vec<String>,
    run_env: Vec<String>,
    compile_limits: Limits,
    run_limits: Limits,
    /// The server's request body.
    body: Vec<u8>,
}

impl<'a> Case<'a> {
    /// The case, or why this host cannot run it (`Ok(Err(why))`).
    fn new(
        spec: &'a LanguageSpec,
        profiles: &Profiles,
        work: &Path,
    ) -> anyhow::Result<Result<Case<'a>, String>> {
        let source = spec
            .checks
            .hello
            .clone()
            .context("the language has no hello check")?;
        let source_file = spec.source_file.clone().context("no source file")?;
        let run_argv = spec.run.clone().context("no run command")?;
        // A submission without compiler options: the placeholder expands to nothing.
        let compile_steps: Vec<Vec<String>> = spec
            .compile
            .iter()
            .map(|step| {
                step.iter()
                    .filter(|a| a.as_str() != OPTIONS_PLACEHOLDER)
                    .cloned()
                    .collect()
            })
            .collect();
        for argv in compile_steps.iter().chain(std::iter::once(&run_argv)) {
            let program = Path::new(&argv[0]);
            if program.is_absolute() && !program.exists() {
                return Ok(Err(format!(
                    "{} is not installed (Debian packages: {})",
                    argv[0],
                    spec.packages.join(" ")
                )));
            }
        }
        if let Some(why) = &spec.unavailable {
            return Ok(Err(why.clone()));
        }
        let env_of = |profile: &str| -> anyhow::Result<Vec<String>> {
            let mut env = profiles.get(profile)?.env.clone();
            env.extend(spec.env.iter().cloned());
            Ok(env)
        };
        let dir = work.join(format!("cli-{}", spec.id));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(&source_file);
        std::fs::write(&file, &source)?;
        let body = serde_json::to_vec(&serde_json::json!({
            "source_code": source,
            "language_id": spec.id,
        }))?;
        Ok(Ok(Case {
            name: spec.display_name(installed_version(spec).as_deref()),
            spec,
            compile_env: env_of(&spec.compile_profile)?,
            run_env: env_of(&spec.profile)?,
            compile_limits: overlay(&COMPILE_LIMITS, &spec.compile_limits),
            run_limits: engine_run_limits(&spec.run_minimums),
            source,
            file,
            compile_steps,
            run_argv,
            body,
        }))
    }

    fn title(&self) -> String {
        format!("{} ({})", self.name, self.spec.id)
    }

    fn compiled(&self) -> bool {
        !self.compile_steps.is_empty()
    }

    /// Bare: a fresh directory, the source written, the compile steps and the run; the
    /// directory's removal is not timed (the box's reset is part of the jail's next run).
    fn bare(&self, work: &Path) -> anyhow::Result<BareSample> {
        let start = Instant::now();
        let dir = tempfile::Builder::new().prefix("bare-").tempdir_in(work)?;
        let source_file = self.spec.source_file.as_deref().unwrap_or("source");
        std::fs::write(dir.path().join(source_file), &self.source)?;
        let mut compile = Duration::ZERO;
        for step in &self.compile_steps {
            let t = Instant::now();
            checked(step, &self.compile_env, dir.path())?;
            compile += t.elapsed();
        }
        let t = Instant::now();
        let out = checked(&self.run_argv, &self.run_env, dir.path())?;
        let run = t.elapsed();
        let total = start.elapsed();
        if out.stdout != EXPECTED {
            bail!(
                "bare {} printed {:?}",
                self.title(),
                String::from_utf8_lossy(&out.stdout)
            );
        }
        Ok(BareSample {
            total,
            compile,
            run,
        })
    }

    /// `judgebox run FILE --lang ID --json`, a whole process.
    fn cli(&self, bins: &Binaries) -> anyhow::Result<CliSample> {
        let start = Instant::now();
        let out = Command::new(&bins.cli)
            .arg("run")
            .arg(&self.file)
            .args(["--lang", &self.spec.id.to_string(), "--json"])
            .stdin(Stdio::null())
            .output()
            .context("running judgebox run")?;
        let total = start.elapsed();
        if !out.status.success() {
            bail!(
                "judgebox run {} failed ({}): {}",
                self.file.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).context("judgebox run --json's output")?;
        if json["status"]["id"] != 3 || json["stdout"] != "hello, world\n" {
            bail!("judgebox run {} was not Accepted: {json}", self.title());
        }
        Ok(CliSample {
            total,
            run_wall: seconds_field(&json["wall_time"]).context("wall_time")?,
            run_cpu: seconds_field(&json["time"]).context("time")?,
        })
    }

    /// The engine's sequence on a warm jail, each request timed.
    fn jailed(&self, jail: &mut Jail) -> anyhow::Result<JailSample> {
        let start = Instant::now();
        let (reset, answer) = jail.timed_call(&JailRequest::ResetBox)?;
        expect_done(answer, "ResetBox")?;
        let write_request = JailRequest::WriteFiles {
            files: vec![BoxFile {
                path: self.spec.source_file.clone().unwrap_or_default(),
                content: self.source.as_bytes().into(),
                executable: self.spec.executable_source,
            }],
        };
        let (write, answer) = jail.timed_call(&write_request)?;
        expect_done(answer, "WriteFiles")?;
        let (mut compile, mut compile_wall) = (Duration::ZERO, 0.0);
        for step in &self.compile_steps {
            let (t, report) = jail.run(&self.request(
                &self.spec.compile_profile,
                step,
                self.compile_limits,
                true,
            ))?;
            expect_exit_0(&report, "compile step")?;
            compile += t;
            compile_wall += report.wall_time;
        }
        let (run, report) =
            jail.run(&self.request(&self.spec.profile, &self.run_argv, self.run_limits, false))?;
        let total = start.elapsed();
        expect_exit_0(&report, "run")?;
        if report.stdout.0 != EXPECTED {
            bail!("the jailed run printed {:?}", report.stdout.lossy());
        }
        Ok(JailSample {
            total,
            reset,
            write,
            compile,
            compile_wall: Duration::from_secs_f64(compile_wall),
            run,
            run_wall: Duration::from_secs_f64(report.wall_time),
        })
    }

    fn request(
        &self,
        profile: &str,
        argv: &[String],
        limits: Limits,
        stderr_to_stdout: bool,
    ) -> JailRequest {
        JailRequest::Run(RunRequest {
            profile: profile.to_string(),
            argv: argv.to_vec(),
            env: self.spec.env.clone(),
            stdin: Default::default(),
            limits,
            network: false,
            stderr_to_stdout,
            address_space: None,
        })
    }

    /// `POST /submissions?wait=true` on the warm server's keep-alive connection.
    fn served(&self, rt: &Runtime, conn: &mut HttpConn) -> anyhow::Result<Duration> {
        let start = Instant::now();
        let response = rt.block_on(conn.post_json("/submissions?wait=true", &self.body))?;
        let elapsed = start.elapsed();
        let json: serde_json::Value = serde_json::from_slice(&response.body)
            .with_context(|| format!("the server's answer ({})", response.status))?;
        if response.status != 201 || json["status"]["id"] != 3 || json["stdout"] != "hello, world\n"
        {
            bail!(
                "the server did not accept {} ({}): {json}",
                self.title(),
                response.status
            );
        }
        Ok(elapsed)
    }
}

struct BareSample {
    total: Duration,
    compile: Duration,
    run: Duration,
}

struct CliSample {
    total: Duration,
    /// The run's `wall_time` and `time` as `--json` reports them (seconds, ms resolution).
    run_wall: f64,
    run_cpu: f64,
}

struct JailSample {
    total: Duration,
    reset: Duration,
    write: Duration,
    compile: Duration,
    compile_wall: Duration,
    run: Duration,
    run_wall: Duration,
}

/// Every series of one language, in ms, one entry per round.
#[derive(Default)]
struct Measured {
    bare: Vec<f64>,
    bare_compile: Vec<f64>,
    bare_run: Vec<f64>,
    cli: Vec<f64>,
    cli_run_wall: Vec<f64>,
    cli_run_cpu: Vec<f64>,
    jail: Vec<f64>,
    jail_reset: Vec<f64>,
    jail_write: Vec<f64>,
    jail_compile: Vec<f64>,
    jail_compile_wall: Vec<f64>,
    jail_run: Vec<f64>,
    jail_run_wall: Vec<f64>,
    server: Vec<f64>,
    /// `Run` requests per submission: the compile steps and the program.
    runs: usize,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn measure(
    case: &Case,
    bins: &Binaries,
    jail: &mut Jail,
    rt: &Runtime,
    conn: &mut HttpConn,
    reps: usize,
    work: &Path,
) -> anyhow::Result<Measured> {
    let mut m = Measured {
        runs: case.compile_steps.len() + 1,
        ..Measured::default()
    };
    for round in 0..WARMUP + reps {
        let keep = round >= WARMUP;
        for k in 0..4 {
            match (round + k) % 4 {
                0 => {
                    let s = case.bare(work)?;
                    if keep {
                        m.bare.push(ms(s.total));
                        m.bare_compile.push(ms(s.compile));
                        m.bare_run.push(ms(s.run));
                    }
                }
                1 => {
                    let s = case.cli(bins)?;
                    if keep {
                        m.cli.push(ms(s.total));
                        m.cli_run_wall.push(s.run_wall * 1e3);
                        m.cli_run_cpu.push(s.run_cpu * 1e3);
                    }
                }
                2 => {
                    let s = case.jailed(jail)?;
                    if keep {
                        m.jail.push(ms(s.total));
                        m.jail_reset.push(ms(s.reset));
                        m.jail_write.push(ms(s.write));
                        m.jail_compile.push(ms(s.compile));
                        m.jail_compile_wall.push(ms(s.compile_wall));
                        m.jail_run.push(ms(s.run));
                        m.jail_run_wall.push(ms(s.run_wall));
                    }
                }
                _ => {
                    let t = case.served(rt, conn)?;
                    if keep {
                        m.server.push(ms(t));
                    }
                }
            }
        }
    }
    Ok(m)
}

/// The `q`-quantile by nearest rank.
fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Per-round differences `a[i] − b[i]`.
fn paired(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

fn median(samples: &[f64]) -> f64 {
    Summary::of(samples).median
}

/// A row of a step table: the series against its bare counterpart (when there is one).
fn step_row(table: &mut Table, name: &str, series: &[f64], bare: Option<&[f64]>) {
    let s = Summary::of(series);
    let mut cells = vec![
        name.to_string(),
        s.n.to_string(),
        format!("{:.2}", s.median),
        format!("{:.2}", s.min),
        format!("{:.2}", s.max),
    ];
    if let Some(bare) = bare {
        let b = median(bare);
        let d = paired(series, bare);
        cells.push(format!("{:+.2}", s.median - b));
        cells.push(format!(
            "{:+.2} ({:+.2} … {:+.2})",
            median(&d),
            quantile(&d, 0.25),
            quantile(&d, 0.75)
        ));
        cells.push(format!("{:.2}×", s.median / b));
    }
    table.row(&cells);
}

const STEP_HEADER: &[&str] = &[
    "mode / step",
    "n",
    "median ms",
    "min ms",
    "max ms",
    "Δ ms",
    "paired Δ ms (quartiles)",
    "ratio",
];

impl Measured {
    /// What the sandbox costs a submission whatever its program does: the box's reset and
    /// write, and `per_run` for each `Run`.
    fn fixed_part(&self, per_run: f64) -> f64 {
        median(&self.jail_reset) + median(&self.jail_write) + self.runs as f64 * per_run
    }

    fn print(&self, case: &Case) {
        println!("### {}", case.title());
        println!();
        let compile_cmds: Vec<String> = case.compile_steps.iter().map(|s| s.join(" ")).collect();
        if case.compiled() {
            println!("compile: `{}`", compile_cmds.join(" && "));
        }
        println!("run: `{}`", case.run_argv.join(" "));
        println!();
        let mut t = Table::new(STEP_HEADER);
        step_row(&mut t, "bare: write + compile + run", &self.bare, None);
        if case.compiled() {
            step_row(&mut t, "  bare compile", &self.bare_compile, None);
        }
        step_row(&mut t, "  bare run", &self.bare_run, None);
        step_row(
            &mut t,
            "one-shot `judgebox run`",
            &self.cli,
            Some(&self.bare),
        );
        step_row(
            &mut t,
            "  its run's wall_time (--json)",
            &self.cli_run_wall,
            Some(&self.bare_run),
        );
        step_row(
            &mut t,
            "  its run's time (CPU, --json)",
            &self.cli_run_cpu,
            None,
        );
        step_row(
            &mut t,
            "warm jail: reset + write + compile + run",
            &self.jail,
            Some(&self.bare),
        );
        step_row(&mut t, "  ResetBox round trip", &self.jail_reset, None);
        step_row(&mut t, "  WriteFiles round trip", &self.jail_write, None);
        if case.compiled() {
            step_row(
                &mut t,
                "  compile Run round trip",
                &self.jail_compile,
                Some(&self.bare_compile),
            );
            step_row(
                &mut t,
                "    the box's wall_time",
                &self.jail_compile_wall,
                Some(&self.bare_compile),
            );
        }
        step_row(
            &mut t,
            "  run Run round trip",
            &self.jail_run,
            Some(&self.bare_run),
        );
        step_row(
            &mut t,
            "    the box's wall_time",
            &self.jail_run_wall,
            Some(&self.bare_run),
        );
        step_row(
            &mut t,
            "warm server: POST wait=true",
            &self.server,
            Some(&self.bare),
        );
        t.print();

        // Where the sandbox's share goes: each step's round trip against the bare step.
        let compile_extra = if case.compiled() {
            median(&self.jail_compile) - median(&self.bare_compile)
        } else {
            0.0
        };
        let mut split = Table::new(&["where the warm jail's Δ goes (medians)", "ms"]);
        split
            .row(&[
                "ResetBox + WriteFiles".to_string(),
                format!("{:.2}", median(&self.jail_reset) + median(&self.jail_write)),
            ])
            .row(&[
                "compile in the box − bare compile".to_string(),
                format!("{compile_extra:+.2}"),
            ])
            .row(&[
                "run in the box − bare run".to_string(),
                format!("{:+.2}", median(&self.jail_run) - median(&self.bare_run)),
            ])
            .row(&[
                "  of which outside the box's lifetime (round trip − wall_time)".to_string(),
                format!(
                    "{:.2}",
                    median(&paired(&self.jail_run, &self.jail_run_wall))
                ),
            ])
            .row(&[
                "warm server − warm jail (HTTP, store, queue, engine)".to_string(),
                format!("{:+.2}", median(&self.server) - median(&self.jail)),
            ]);
        split.print();
    }
}

/// Part 2's results, ms medians.
struct Fixed {
    /// `judgebox run` of Plain Text − bare `cat`, paired.
    cli_plain_text_delta: f64,
    cli_plain_text: f64,
    bare_cat: f64,
    sandbox_run_true: f64,
    cli_version: f64,
    /// Each language's version command, bare.
    versions: Vec<(u32, f64)>,
}

impl Fixed {
    fn version(&self, id: u32) -> f64 {
        self.versions
            .iter()
            .find(|(i, _)| *i == id)
            .map_or(0.0, |(_, v)| *v)
    }

    /// The one-shot CLI's fixed start-up: what it costs around a Plain Text submission. The
    /// language's version comes from the CLI's cache, so its command is not part of it.
    fn startup(&self, _id: u32) -> f64 {
        self.cli_plain_text_delta
    }
}

/// Part 2: the one-shot CLI's fixed costs.
fn fixed_costs(
    bins: &Binaries,
    languages: &Languages,
    reps: usize,
    work: &Path,
) -> anyhow::Result<Fixed> {
    println!("## 2. The one-shot CLI's fixed start-up");
    println!();
    println!(
        "{reps} rounds after {WARMUP} warm-up rounds, the commands alternated (order rotating). \
         `judgebox run` of Plain Text (id 43: the box runs `cat text.txt`) against bare \
         `cat text.txt` leaves the CLI's fixed cost: its process start, one language file, the \
         version cache, a one-shot slot's set-up and tear-down, and the engine's write and \
         run. Version commands (what a first run, or a changed toolchain, pays once) run as \
         the CLI runs them (on the host, empty environment but PATH, HOME, LANG, cwd /)."
    );
    println!();
    let dir = work.join("fixed");
    std::fs::create_dir_all(&dir)?;
    let text = dir.join("text.txt");
    std::fs::write(&text, "hello, world\n")?;

    let mut cmds: Vec<(String, Command)> = Vec::new();
    let mut cat = Command::new("/usr/bin/cat");
    cat.arg("text.txt").current_dir(&dir);
    cmds.push(("bare `cat text.txt`".into(), cat));
    let mut cli = Command::new(&bins.cli);
    cli.arg("run")
        .arg(&text)
        .args(["--lang", &PLAIN_TEXT.to_string(), "--json"]);
    cmds.push(("`judgebox run text.txt --lang 43 --json`".into(), cli));
    let mut sandbox = Command::new(&bins.cli);
    sandbox.args(["sandbox", "run", "--", "/bin/true"]);
    cmds.push(("`judgebox sandbox run -- /bin/true`".into(), sandbox));
    let mut version = Command::new(&bins.cli);
    version.arg("--version");
    cmds.push(("`judgebox --version` (process start)".into(), version));
    let mut version_ids = Vec::new();
    for &id in std::iter::once(&PLAIN_TEXT).chain(LANGUAGES) {
        let Some(spec) = languages.get(id) else {
            continue;
        };
        let Some((program, args)) = spec.version.split_first() else {
            continue;
        };
        if !Path::new(program).exists() {
            continue;
        }
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", "/tmp")
            .env("LANG", "C.UTF-8")
            .current_dir("/");
        version_ids.push(id);
        cmds.push((
            format!("version of {id}: `{}`", spec.version.join(" ")),
            cmd,
        ));
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cmds.len()];
    for round in 0..WARMUP + reps {
        for k in 0..cmds.len() {
            let i = (round + k) % cmds.len();
            let (name, cmd) = &mut cmds[i];
            let start = Instant::now();
            let out = cmd
                .stdin(Stdio::null())
                .output()
                .with_context(|| format!("running {name}"))?;
            let t = start.elapsed();
            if !out.status.success() {
                bail!(
                    "{name} failed ({}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            if round >= WARMUP {
                samples[i].push(ms(t));
            }
        }
    }
    let mut t = Table::new(STEP_HEADER);
    for (i, (name, _)) in cmds.iter().enumerate() {
        let bare = (i == 1).then(|| samples[0].as_slice());
        step_row(&mut t, name, &samples[i], bare);
    }
    t.print();

    let versions: Vec<(u32, f64)> = version_ids
        .iter()
        .enumerate()
        .map(|(k, &id)| (id, median(&samples[4 + k])))
        .collect();
    Ok(Fixed {
        cli_plain_text_delta: median(&paired(&samples[1], &samples[0])),
        cli_plain_text: median(&samples[1]),
        bare_cat: median(&samples[0]),
        sandbox_run_true: median(&samples[2]),
        cli_version: median(&samples[3]),
        versions,
    })
}

/// Where a paired difference stands against the target, by the 95 % confidence interval of
/// its median.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// The interval lies below the target.
    Met,
    /// The interval lies at or above it.
    NotMet,
    /// The interval straddles it (or there are too few rounds for one).
    Unresolved,
}

impl Standing {
    fn of(differences: &[f64]) -> Standing {
        match median_ci95(differences) {
            Some((_, hi)) if hi < TARGET_MS => Standing::Met,
            Some((lo, _)) if lo >= TARGET_MS => Standing::NotMet,
            _ => Standing::Unresolved,
        }
    }

    /// For the tables.
    fn verdict(self) -> &'static str {
        match self {
            Standing::Met => "PASS",
            Standing::NotMet => "FAIL",
            Standing::Unresolved => "unresolved",
        }
    }

    /// For the sentences.
    fn phrase(self) -> &'static str {
        match self {
            Standing::Met => "met",
            Standing::NotMet => "NOT met",
            Standing::Unresolved => "not resolved",
        }
    }
}

/// `lo … hi`, the 95 % interval of the median, or `n/a` with too few rounds.
fn ci_text(differences: &[f64]) -> String {
    median_ci95(differences).map_or_else(
        || "n/a".to_string(),
        |(lo, hi)| format!("{lo:+.2} … {hi:+.2}"),
    )
}

/// Part 3: for each language whose one-shot difference part 1 left unresolved, `pairs` more
/// rounds of bare against `judgebox run` alone (the order alternating), judged on those
/// rounds only, so that the decision to take more cannot bias them.
fn resolve(
    unresolved: &[&Case],
    bins: &Binaries,
    pairs: usize,
    work: &Path,
) -> anyhow::Result<Vec<(u32, Vec<f64>)>> {
    if unresolved.is_empty() || pairs == 0 {
        return Ok(Vec::new());
    }
    println!("## 3. More rounds where part 1 did not resolve the target");
    println!();
    println!(
        "{pairs} more rounds of bare against one-shot `judgebox run` only, alternating which \
         goes first, judged on these rounds alone. 95 % CI: the sign test's distribution-free \
         interval for the median of the per-round differences."
    );
    println!();
    let mut t = Table::new(&[
        "language",
        "rounds",
        "bare ms",
        "judgebox run ms",
        "paired Δ ms",
        "95 % CI ms",
        "5 ms target",
    ]);
    let mut out = Vec::new();
    for case in unresolved {
        let (mut bare, mut cli) = (Vec::new(), Vec::new());
        for round in 0..pairs {
            if round % 50 == 0 {
                eprintln!("run_overhead: {}: round {round} of {pairs}", case.title());
            }
            let first_bare = round % 2 == 0;
            if first_bare {
                bare.push(ms(case.bare(work)?.total));
            }
            cli.push(ms(case.cli(bins)?.total));
            if !first_bare {
                bare.push(ms(case.bare(work)?.total));
            }
        }
        let d = paired(&cli, &bare);
        let (standing, ci) = (Standing::of(&d), ci_text(&d));
        t.row(&[
            case.title(),
            pairs.to_string(),
            format!("{:.2}", median(&bare)),
            format!("{:.2}", median(&cli)),
            format!("{:+.2}", median(&d)),
            ci,
            standing.verdict().to_string(),
        ]);
        out.push((case.spec.id, d));
    }
    t.print();
    println!();
    Ok(out)
}

/// The closing table: per language, bare against each way judgebox runs it, and the target.
fn summary(measured: &[(u32, String, Measured)], fixed: &Fixed, more: &[(u32, Vec<f64>)]) {
    println!("## Summary");
    println!();
    println!(
        "Medians, ms. The {TARGET_MS} ms target (issue 3) is for the whole one-shot `judgebox \
         run` against the same commands run bare, judged on the paired difference: met when \
         the 95 % confidence interval of its median (sign test) lies below {TARGET_MS} ms, \
         not met when it lies at or above, not resolved when it straddles. Where part 3 took \
         more rounds, the one-shot row is judged on those. The warm jail's row is the \
         sandbox's share of it (reset + write + compile + run); the warm server's row adds \
         the engine's HTTP, store and queue, which the target does not cover."
    );
    println!();
    let mut t = Table::new(&[
        "language",
        "judgebox mode",
        "bare ms",
        "judgebox ms",
        "difference ms",
        "paired Δ, 95 % CI ms",
        "ratio",
        "5 ms target",
    ]);
    // The sandbox's cost per Run, measured where it is resolved best: the run step of the
    // language whose program is shortest (C's ./a.out), round trip − bare, paired.
    let per_run = measured
        .iter()
        .min_by(|a, b| median(&a.2.bare_run).total_cmp(&median(&b.2.bare_run)))
        .map_or(0.0, |(_, _, m)| median(&paired(&m.jail_run, &m.bare_run)));
    let mut lines = Vec::new();
    for (id, title, m) in measured {
        let bare = median(&m.bare);
        let jail = median(&m.jail);
        let server = median(&m.server);
        let cli = median(&m.cli);
        let jail_d = paired(&m.jail, &m.bare);
        let (jail_standing, jail_ci) = (Standing::of(&jail_d), ci_text(&jail_d));
        let (cli_d, cli_source) = match more.iter().find(|(i, _)| i == id) {
            Some((_, d)) => (d.clone(), format!("part 3, {} rounds", d.len())),
            None => (paired(&m.cli, &m.bare), format!("{} rounds", m.cli.len())),
        };
        let cli_delta = median(&cli_d);
        let (cli_standing, cli_ci) = (Standing::of(&cli_d), ci_text(&cli_d));
        let cli_verdict = format!(
            "THE TARGET: {} (paired {cli_delta:+.2}, {cli_source})",
            cli_standing.verdict()
        );
        let resolved = jail_standing != Standing::Unresolved;
        let jail_verdict = if resolved {
            format!("applies: {}", jail_standing.verdict())
        } else {
            format!(
                "applies: {} (fixed part)",
                verdict(m.fixed_part(per_run) < TARGET_MS)
            )
        };
        let server_d = paired(&m.server, &m.bare);
        t.row(&[
            title.clone(),
            "warm jail (the sandbox's share)".to_string(),
            format!("{bare:.2}"),
            format!("{jail:.2}"),
            format!("{:+.2}", jail - bare),
            format!("{:+.2} ({jail_ci})", median(&jail_d)),
            format!("{:.3}×", jail / bare),
            jail_verdict,
        ]);
        t.row(&[
            String::new(),
            "warm server, POST wait=true".to_string(),
            format!("{bare:.2}"),
            format!("{server:.2}"),
            format!("{:+.2}", server - bare),
            format!("{:+.2} ({})", median(&server_d), ci_text(&server_d)),
            format!("{:.3}×", server / bare),
            format!("with HTTP + store: {}", Standing::of(&server_d).verdict()),
        ]);
        t.row(&[
            String::new(),
            "one-shot `judgebox run`".to_string(),
            format!("{bare:.2}"),
            format!("{cli:.2}"),
            format!("{:+.2}", cli - bare),
            format!("{cli_delta:+.2} ({cli_ci})"),
            format!("{:.3}×", cli / bare),
            cli_verdict,
        ]);
        let sandbox = if resolved {
            format!(
                "the sandbox adds {:+.2} ms (paired, 95 % CI {jail_ci}; target < {TARGET_MS} \
                 ms: {})",
                median(&jail_d),
                jail_standing.phrase()
            )
        } else {
            format!(
                "the sandbox's measured difference {:+.1} ms is not resolved (95 % CI \
                 {jail_ci}); its fixed part, ResetBox + WriteFiles + {} Run(s) × {per_run:.2} \
                 ms, is {:.2} ms (target < {TARGET_MS} ms: {})",
                median(&jail_d),
                m.runs,
                m.fixed_part(per_run),
                if m.fixed_part(per_run) < TARGET_MS {
                    "met"
                } else {
                    "NOT met"
                }
            )
        };
        lines.push(format!(
            "- {title}: {sandbox}; a warm server adds {:+.2} ms per submission ({}, of which \
             {:+.2} ms beyond the warm jail's median: HTTP, store, queue); the one-shot `judgebox \
             run` adds {cli_delta:+.2} ms (paired, {cli_source}, 95 % CI {cli_ci}; target < \
             {TARGET_MS} ms: {}), of which an estimated {:.1} ms is its fixed \
             start-up (the version is kept on disk; its command takes {:.1} ms bare).",
            median(&server_d),
            match Standing::of(&server_d) {
                Standing::Met => "within 5 ms",
                Standing::NotMet => "over 5 ms",
                Standing::Unresolved => "5 ms not resolved",
            },
            server - jail,
            cli_standing.phrase(),
            fixed.startup(*id),
            fixed.version(*id),
        ));
    }
    t.print();
    for line in lines {
        println!("{line}");
    }
    println!(
        "- Per Run, the sandbox costs {per_run:.2} ms (the paired Δ of the shortest program's \
         run step: its Run round trip against its bare spawn)."
    );
    println!(
        "- The one-shot CLI's fixed start-up, measured on Plain Text: `judgebox run` {:.1} ms \
         against bare `cat` {:.2} ms (paired Δ {:.1} ms); `judgebox sandbox run -- /bin/true` \
         {:.1} ms; `judgebox --version` {:.1} ms.",
        fixed.cli_plain_text,
        fixed.bare_cat,
        fixed.cli_plain_text_delta,
        fixed.sandbox_run_true,
        fixed.cli_version
    );
    println!();
}

/// The installed toolchain's version, as the engine finds it (`None` if that fails).
fn installed_version(spec: &LanguageSpec) -> Option<String> {
    let (program, args) = spec.version.split_first()?;
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = [out.stdout, out.stderr].concat();
    extract_version(&String::from_utf8_lossy(&text))
}

/// Runs `argv` bare in `dir` with exactly `env`; a failure is an error.
fn checked(argv: &[String], env: &[String], dir: &Path) -> anyhow::Result<Output> {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .env_clear()
        .current_dir(dir)
        .stdin(Stdio::null());
    for entry in env {
        if let Some((k, v)) = entry.split_once('=') {
            cmd.env(k, v);
        }
    }
    let out = cmd
        .output()
        .with_context(|| format!("running {}", argv[0]))?;
    if !out.status.success() {
        bail!(
            "bare `{}` failed ({}): {}{}",
            argv.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out)
}

fn expect_done(answer: JailResponse, what: &str) -> anyhow::Result<()> {
    match answer {
        JailResponse::Done => Ok(()),
        other => bail!("unexpected answer to {what}: {other:?}"),
    }
}

fn expect_exit_0(report: &RunReport, what: &str) -> anyhow::Result<()> {
    if report.outcome != Outcome::Exited || report.exit_code != Some(0) {
        bail!(
            "the jailed {what} did not exit 0: {report:?}\n{}",
            report.stdout.lossy()
        );
    }
    Ok(())
}

/// Judge0's time fields: a string of seconds ("0.017") or a number.
fn seconds_field(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::String(s) => s.parse().ok(),
        other => other.as_f64(),
    }
}

/// `base` with the fields `update` sets replaced (the engine's compile limits).
fn overlay(base: &Limits, update: &LimitsUpdate) -> Limits {
    Limits {
        cpu_time: update.cpu_time.unwrap_or(base.cpu_time),
        wall_time: update.wall_time.unwrap_or(base.wall_time),
        memory: update.memory.unwrap_or(base.memory),
        stack: update.stack.unwrap_or(base.stack),
        processes: update.processes.unwrap_or(base.processes),
        file_size: update.file_size.unwrap_or(base.file_size),
        output: update.output.unwrap_or(base.output),
        open_files: update.open_files.unwrap_or(base.open_files),
    }
}

/// The box limits the engine gives a submission that asks for nothing (Judge0's defaults),
/// raised to the language's minimums, as `Engine::run_limits` computes them.
fn engine_run_limits(minimums: &LimitsUpdate) -> Limits {
    let l = JobLimits::default();
    let limits = Limits {
        cpu_time: l.cpu_time_limit.max(l.cpu_extra_time),
        wall_time: l.wall_time_limit,
        memory: l.memory_limit,
        stack: l.stack_limit,
        processes: l.max_processes_and_or_threads,
        file_size: l.max_file_size,
        output: (l.max_file_size * 2).saturating_add(1),
        open_files: RUN_OPEN_FILES,
    };
    let up = |cur: u64, floor: Option<u64>| floor.map_or(cur, |f| cur.max(f));
    Limits {
        cpu_time: minimums
            .cpu_time
            .map_or(limits.cpu_time, |f| limits.cpu_time.max(f)),
        wall_time: minimums
            .wall_time
            .map_or(limits.wall_time, |f| limits.wall_time.max(f)),
        memory: up(limits.memory, minimums.memory),
        stack: up(limits.stack, minimums.stack),
        processes: up(limits.processes, minimums.processes),
        file_size: up(limits.file_size, minimums.file_size),
        output: up(limits.output, minimums.output),
        open_files: up(limits.open_files, minimums.open_files),
    }
}
