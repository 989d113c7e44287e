//! `judgebox languages list|test|install`: what a course author uses to see, check and
//! install the languages of this host.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use judgebox_engine::{Engine, EngineConfig, Job, JobLimits, Language, SlotPlan};
use judgebox_spec::{Languages, Status};
use serde::Serialize;

use crate::setup::{runtime, EngineOptions};

#[derive(Debug, Subcommand)]
pub enum LanguagesCommand {
    /// List every language: id, name, whether it is available here, its version.
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        engine: EngineOptions,
    },
    /// Run each language's built-in checks in real boxes and print a table of results.
    Test(TestArgs),
    /// Install the Debian packages of the given languages (or of every language).
    Install {
        /// Language ids.
        ids: Vec<u32>,
        /// Every language that Debian packages.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// Print the apt-get command instead of running it.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        engine: EngineOptions,
    },
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Language ids to test; every available language when left out.
    ids: Vec<u32>,
    /// Jails to run checks in at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    #[command(flatten)]
    engine: EngineOptions,
}

impl LanguagesCommand {
    pub fn run(self) -> anyhow::Result<std::process::ExitCode> {
        match self {
            LanguagesCommand::List { json, engine } => list(&engine, json),
            LanguagesCommand::Test(args) => test(args),
            LanguagesCommand::Install {
                ids,
                all,
                dry_run,
                engine,
            } => install(&engine, &ids, all, dry_run),
        }
    }
}

#[derive(Serialize)]
struct ListEntry<'a> {
    id: u32,
    name: &'a str,
    available: bool,
    version: Option<&'a str>,
    unavailable: Option<&'a str>,
    packages: &'a [String],
}

fn list(options: &EngineOptions, json: bool) -> anyhow::Result<std::process::ExitCode> {
    let languages = options.load_languages()?;
    let catalog = runtime()?.block_on(options.detect(&languages));
    if json {
        let entries: Vec<ListEntry> = catalog
            .iter()
            .map(|l| ListEntry {
                id: l.id(),
                name: &l.name,
                available: l.is_available(),
                version: l.version.as_deref(),
                unavailable: l.unavailable.as_deref(),
                packages: &l.spec.packages,
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let width = catalog.iter().map(|l| l.name.len()).max().unwrap_or(4);
    println!("{:>3}  {:width$}  {:9}  version", "id", "name", "available");
    for l in catalog.iter() {
        let (available, detail) = match (&l.version, &l.unavailable) {
            (Some(v), _) => ("yes", v.clone()),
            (None, Some(why)) => ("no", why.clone()),
            (None, None) => ("no", String::new()),
        };
        println!("{:>3}  {:width$}  {available:9}  {detail}", l.id(), l.name);
    }
    let available = catalog.iter().filter(|l| l.is_available()).count();
    println!("{available} of {} languages available", catalog.len());
    Ok(std::process::ExitCode::SUCCESS)
}

fn install(
    options: &EngineOptions,
    ids: &[u32],
    all: bool,
    dry_run: bool,
) -> anyhow::Result<std::process::ExitCode> {
    let languages = options.load_languages()?;
    if ids.is_empty() && !all {
        bail!("name the language ids to install, or --all");
    }
    let mut packages = BTreeSet::new();
    for spec in languages.iter() {
        let chosen = all || ids.contains(&spec.id);
        if !chosen {
            continue;
        }
        if let Some(why) = &spec.unavailable {
            eprintln!("{} ({}): skipped: {why}", spec.judge0_name, spec.id);
            continue;
        }
        packages.extend(spec.packages.iter().cloned());
    }
    for id in ids {
        if languages.get(*id).is_none() {
            bail!("no language has id {id} (see `judgebox languages list`)");
        }
    }
    if packages.is_empty() {
        println!("nothing to install");
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(packages.iter().map(String::as_str));
    if dry_run {
        println!("apt-get update && apt-get {}", install.join(" "));
        return Ok(std::process::ExitCode::SUCCESS);
    }
    for args in [vec!["update"], install] {
        eprintln!("+ apt-get {}", args.join(" "));
        let status = std::process::Command::new("apt-get")
            .args(&args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("running apt-get (this needs a Debian host and root)")?;
        if !status.success() {
            bail!("apt-get {} failed: {status}", args[0]);
        }
    }
    println!(
        "installed {} packages; check them with `judgebox languages test`",
        packages.len()
    );
    Ok(std::process::ExitCode::SUCCESS)
}

/// One built-in check of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Hello,
    Echo,
    CompileError,
    RuntimeError,
    TimeLimit,
}

impl Check {
    const ALL: [Check; 5] = [
        Check::Hello,
        Check::Echo,
        Check::CompileError,
        Check::RuntimeError,
        Check::TimeLimit,
    ];

    fn name(self) -> &'static str {
        match self {
            Check::Hello => "hello",
            Check::Echo => "echo",
            Check::CompileError => "compile error",
            Check::RuntimeError => "runtime error",
            Check::TimeLimit => "time limit",
        }
    }

    fn source(self, language: &Language) -> Option<&str> {
        let c = &language.spec.checks;
        match self {
            Check::Hello => c.hello.as_deref(),
            Check::Echo => c.echo.as_deref(),
            Check::CompileError => c.compile_error.as_deref(),
            Check::RuntimeError => c.runtime_error.as_deref(),
            Check::TimeLimit => c.time_limit.as_deref(),
        }
    }

    fn job(self, language: &Language, source: &str) -> Job {
        const ECHO: &[u8] = b"judgebox echo 42\nsecond line\n";
        let mut job = Job {
            language_id: language.id(),
            source_code: Some(source.as_bytes().to_vec()),
            number_of_runs: 1,
            limits: JobLimits::default(),
            ..Job::default()
        };
        match self {
            Check::Hello => job.expected_output = Some(b"hello, world\n".to_vec()),
            Check::Echo => {
                job.stdin = Some(ECHO.to_vec());
                job.expected_output = Some(ECHO.to_vec());
            }
            Check::TimeLimit => {
                job.limits.cpu_time_limit = 1.0;
                job.limits.cpu_extra_time = 0.0;
                job.limits.wall_time_limit = 5.0;
            }
            Check::CompileError | Check::RuntimeError => {}
        }
        job
    }

    fn passes(self, status: Status) -> bool {
        match self {
            Check::Hello | Check::Echo => status == Status::Accepted,
            Check::CompileError => status == Status::CompilationError,
            Check::RuntimeError => (7..=12).contains(&status.id()),
            Check::TimeLimit => status == Status::TimeLimitExceeded,
        }
    }
}

struct CheckResult {
    check: Check,
    status: Status,
    passed: bool,
    took: Duration,
    detail: Option<String>,
}

fn test(args: TestArgs) -> anyhow::Result<std::process::ExitCode> {
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    runtime()?.block_on(async move {
        let mut languages = args.engine.load_languages()?;
        if !args.ids.is_empty() {
            let chosen = args
                .ids
                .iter()
                .map(|id| {
                    languages
                        .get(*id)
                        .cloned()
                        .with_context(|| format!("no language has id {id}"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            languages = Languages::from_specs(chosen);
        }
        let engine = args
            .engine
            .engine(
                &languages,
                SlotPlan::Ephemeral { count: jobs.max(1) },
                EngineConfig::default(),
            )
            .await?;
        // Every language asked for by id; without ids, every one installed here.
        let chosen: Vec<Arc<Language>> = engine
            .catalog()
            .iter()
            .filter(|l| !args.ids.is_empty() || l.is_available())
            .cloned()
            .collect();
        let total = chosen.len();
        let mut tasks = tokio::task::JoinSet::new();
        for (i, language) in chosen.into_iter().enumerate() {
            let engine = engine.clone();
            tasks.spawn(async move {
                let results = check_language(&engine, &language).await;
                (i, language, results)
            });
        }
        let mut done = Vec::new();
        while let Some(finished) = tasks.join_next().await {
            let (i, language, results) = finished.context("a language check panicked")?;
            let failed = results.iter().filter(|r| !r.passed).count();
            let took: Duration = results.iter().map(|r| r.took).sum();
            eprintln!(
                "[{}/{total}] {:>3} {}: {} ({} ms)",
                done.len() + 1,
                language.id(),
                language.name,
                match (&language.unavailable, failed) {
                    (Some(_), _) => "unavailable".to_string(),
                    (None, 0) => "ok".to_string(),
                    (None, n) => format!("{n} FAILED"),
                },
                took.as_millis()
            );
            let _ = std::io::stderr().flush();
            done.push((i, language, results));
        }
        done.sort_by_key(|(i, ..)| *i);
        Ok(print_table(&done))
    })
}

async fn check_language(engine: &Engine, language: &Language) -> Vec<CheckResult> {
    if let Some(why) = &language.unavailable {
        return vec![CheckResult {
            check: Check::Hello,
            status: Status::InternalError,
            passed: false,
            took: Duration::ZERO,
            detail: Some(format!("unavailable: {why}")),
        }];
    }
    let mut results = Vec::new();
    for check in Check::ALL {
        let Some(source) = check.source(language) else {
            continue;
        };
        let job = check.job(language, source);
        let started = Instant::now();
        let verdict = engine.judge(&job).await;
        let took = started.elapsed();
        let passed = check.passes(verdict.status);
        let detail = (!passed).then(|| {
            let text = |b: &Option<Vec<u8>>| {
                b.as_deref()
                    .map(|t| String::from_utf8_lossy(&t[..t.len().min(300)]).into_owned())
            };
            [
                verdict.message.clone(),
                text(&verdict.compile_output).map(|t| format!("compile output: {t}")),
                text(&verdict.stdout).map(|t| format!("stdout: {t}")),
                text(&verdict.stderr).map(|t| format!("stderr: {t}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ")
        });
        results.push(CheckResult {
            check,
            status: verdict.status,
            passed,
            took,
            detail,
        });
    }
    results
}

fn print_table(done: &[(usize, Arc<Language>, Vec<CheckResult>)]) -> std::process::ExitCode {
    let width = done.iter().map(|(_, l, _)| l.name.len()).max().unwrap_or(4);
    print!("{:>3}  {:width$}", "id", "language");
    for check in Check::ALL {
        print!("  {:>13}", check.name());
    }
    println!();
    let mut failures = Vec::new();
    for (_, language, results) in done {
        print!("{:>3}  {:width$}", language.id(), language.name);
        for check in Check::ALL {
            let cell = match results.iter().find(|r| r.check == check) {
                None => "-".to_string(),
                Some(r) if r.passed => format!("ok {} ms", r.took.as_millis()),
                Some(r) => format!("FAIL ({})", r.status.id()),
            };
            print!("  {cell:>13}");
        }
        println!();
        for r in results.iter().filter(|r| !r.passed) {
            failures.push(format!(
                "{} ({}) {}: got {} {}{}",
                language.name,
                language.id(),
                r.check.name(),
                r.status.id(),
                r.status.description(),
                r.detail
                    .as_deref()
                    .map(|d| format!(" — {d}"))
                    .unwrap_or_default()
            ));
        }
    }
    let languages = done.len();
    if failures.is_empty() {
        println!("all checks passed for {languages} languages");
        std::process::ExitCode::SUCCESS
    } else {
        println!("\n{} checks failed:", failures.len());
        for f in &failures {
            println!("  {f}");
        }
        std::process::ExitCode::FAILURE
    }
}
