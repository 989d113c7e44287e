//! `judgebox run FILE`: compile and run one file as a submission, and print the verdict.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Args;
use judgebox_engine::{
    Catalog, EngineConfig, JailError, Job, JobLimits, JudgeBox, Language, Verdict, VersionCache,
};
use judgebox_sandbox::Slot;
use judgebox_spec::{
    BoxFile, JailRequest, JailResponse, LanguageSpec, Languages, RunReport, RunRequest,
};

use crate::setup::{runtime, EngineOptions};

#[derive(Debug, Args)]
pub struct Run {
    /// The source file.
    file: PathBuf,
    /// The language: a Judge0 id (71) or a name (python, "C++"); guessed from the file's
    /// extension when left out.
    #[arg(long, value_name = "ID|NAME")]
    lang: Option<String>,
    /// A file to feed to the program's stdin.
    #[arg(long, value_name = "FILE")]
    stdin: Option<PathBuf>,
    /// The expected output: the verdict is Accepted or Wrong Answer by Judge0's comparison.
    #[arg(long, value_name = "FILE")]
    expected: Option<PathBuf>,
    /// Command-line arguments for the program, split into words as a shell would (but
    /// without one): `--args "a 'b c'"`.
    #[arg(long, value_name = "ARGS", allow_hyphen_values = true)]
    args: Option<String>,
    /// Options for the compiler, split the same way.
    #[arg(long, value_name = "OPTIONS", allow_hyphen_values = true)]
    compiler_options: Option<String>,
    /// A zip archive to unpack into the box beside the source (Judge0's additional_files).
    #[arg(long, value_name = "ZIP")]
    additional_files: Option<PathBuf>,
    /// CPU time limit, seconds.
    #[arg(long, value_name = "SECS")]
    cpu_time: Option<f64>,
    /// Wall-clock limit, seconds.
    #[arg(long, value_name = "SECS")]
    wall_time: Option<f64>,
    /// Memory limit, KB.
    #[arg(long, value_name = "KB")]
    memory: Option<u64>,
    /// Stack limit per process, KB.
    #[arg(long, value_name = "KB")]
    stack: Option<u64>,
    /// Processes and threads at once.
    #[arg(long, value_name = "N")]
    processes: Option<u64>,
    /// Largest file (and stdout) the program may write, KB.
    #[arg(long, value_name = "KB")]
    file_size: Option<u64>,
    /// How many times to run the program (times and memory are averaged).
    #[arg(long, value_name = "N", default_value_t = 1)]
    runs: u32,
    /// Send stderr to stdout.
    #[arg(long)]
    stderr_to_stdout: bool,
    /// Use the host's network.
    #[arg(long)]
    network: bool,
    /// Print the JSON object Judge0 returns for `fields=*` (texts as plain text).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    engine: EngineOptions,
}

/// Judge0's maximums (`MAX_*` in judge0.conf): what a submission may ask for.
pub const MAX_LIMITS: JobLimits = JobLimits {
    cpu_time_limit: 15.0,
    cpu_extra_time: 5.0,
    wall_time_limit: 20.0,
    memory_limit: 512_000,
    stack_limit: 128_000,
    max_processes_and_or_threads: 120,
    enable_per_process_and_thread_time_limit: false,
    enable_per_process_and_thread_memory_limit: false,
    max_file_size: 4096,
};

impl Run {
    pub fn run(self) -> anyhow::Result<std::process::ExitCode> {
        let read = |p: &PathBuf, what: &str| {
            std::fs::read(p).with_context(|| format!("reading {what} {}", p.display()))
        };
        let source = read(&self.file, "the source")?;
        let stdin = self
            .stdin
            .as_ref()
            .map(|p| read(p, "--stdin"))
            .transpose()?;
        let expected = self
            .expected
            .as_ref()
            .map(|p| read(p, "--expected"))
            .transpose()?;
        let zip = self
            .additional_files
            .as_ref()
            .map(|p| read(p, "--additional-files"))
            .transpose()?;
        let limits = self.limits()?;
        if self.runs == 0 || self.runs > 20 {
            bail!("--runs must be between 1 and 20");
        }
        let all = match self.lang.as_deref().map(str::parse::<u32>) {
            Some(Ok(id)) => self.engine.load_language(id)?,
            Some(Err(_)) => self.engine.load_languages()?,
            None => self.engine.load_languages_for(&self.file)?,
        };
        let spec = pick_language(&all, self.lang.as_deref(), &self.file)?;
        if let Some(why) = &spec.unavailable {
            // Known without running anything: say so before judging.
            return Err(not_available(&Language::new(
                spec.clone(),
                Err(why.clone()),
            )));
        }
        // The version only names the language. When it is not kept from an earlier run, it
        // is looked for after judging: the box is made by this process, which must have no
        // other thread until the box is gone (see `judge_here`).
        let kept = VersionCache::open(&self.engine.version_cache).lookup(spec);
        let job = Job {
            language_id: spec.id,
            source_code: (!spec.project).then_some(source),
            stdin,
            expected_output: expected,
            number_of_runs: self.runs,
            limits,
            compiler_options: self.compiler_options.clone(),
            command_line_arguments: self.args.clone(),
            redirect_stderr_to_stdout: self.stderr_to_stdout,
            enable_network: self.network,
            additional_files: zip,
        };
        let config = EngineConfig {
            allow_network: self.network,
            ..EngineConfig::default()
        };
        let assumed = Language::new(spec.clone(), Ok(kept.clone().unwrap_or_default()));
        let verdict = self.judge_here(&assumed, &job, &config)?;
        let language = match kept {
            Some(_) => Arc::new(assumed),
            None => {
                let catalog = runtime()?.block_on(Catalog::detect_cached(
                    [spec.clone()],
                    &self.engine.version_cache,
                ));
                catalog
                    .get(spec.id)
                    .cloned()
                    .context("the language just detected")?
            }
        };
        if language.unavailable.is_some() {
            return Err(not_available(&language));
        }
        if self.json {
            let object = crate::judge0_json::submission_json(&job, &verdict, &language);
            println!("{}", serde_json::to_string_pretty(&object)?);
        } else {
            print_verdict(&language, &verdict);
        }
        Ok(std::process::ExitCode::SUCCESS)
    }

    /// Judges `job` in a one-shot slot of this process, as `sandbox run` runs its box: the
    /// engine's own judging (compile steps, runs, rulings), with the jail's request handler
    /// answering it here instead of over a jail's pipes. The process is single-threaded
    /// while the slot is open (the slot refuses to open otherwise): the runtime that drives
    /// the judging is a current-thread one with no drivers, and the box requests never wait.
    /// This saves a jail process, an async runtime's threads and the profiles parsed twice:
    /// ~5 ms of a one-shot run.
    fn judge_here(
        &self,
        language: &Language,
        job: &Job,
        config: &EngineConfig,
    ) -> anyhow::Result<Verdict> {
        let profiles = self.engine.load_profiles()?;
        let slot = Slot::open_ephemeral(&self.engine.slot_config(self.network), profiles)
            .context("opening a one-shot slot (does `judgebox check` pass?)")?;
        let mut here = OwnSlot { slot, fresh: true };
        let verdict = tokio::runtime::Builder::new_current_thread()
            .build()
            .context("starting the judging's runtime")?
            .block_on(judgebox_engine::judge(&mut here, language, job, config));
        here.slot.close().context("closing the one-shot slot")?;
        Ok(verdict)
    }

    fn limits(&self) -> anyhow::Result<JobLimits> {
        let d = JobLimits::default();
        let m = MAX_LIMITS;
        let limits = JobLimits {
            cpu_time_limit: self.cpu_time.unwrap_or(d.cpu_time_limit),
            wall_time_limit: self.wall_time.unwrap_or(d.wall_time_limit),
            memory_limit: self.memory.unwrap_or(d.memory_limit),
            stack_limit: self.stack.unwrap_or(d.stack_limit),
            max_processes_and_or_threads: self.processes.unwrap_or(d.max_processes_and_or_threads),
            max_file_size: self.file_size.unwrap_or(d.max_file_size),
            ..d
        };
        let checks = [
            ("--cpu-time", limits.cpu_time_limit, 0.0, m.cpu_time_limit),
            (
                "--wall-time",
                limits.wall_time_limit,
                1.0,
                m.wall_time_limit,
            ),
            (
                "--memory",
                limits.memory_limit as f64,
                2048.0,
                m.memory_limit as f64,
            ),
            (
                "--stack",
                limits.stack_limit as f64,
                0.0,
                m.stack_limit as f64,
            ),
            (
                "--processes",
                limits.max_processes_and_or_threads as f64,
                1.0,
                m.max_processes_and_or_threads as f64,
            ),
            (
                "--file-size",
                limits.max_file_size as f64,
                0.0,
                m.max_file_size as f64,
            ),
        ];
        for (flag, value, min, max) in checks {
            if !(value >= min && value <= max) {
                bail!("{flag} {value} is outside Judge0's range {min} to {max}");
            }
        }
        Ok(limits)
    }
}

/// The language for `--lang`, or the one the file's extension suggests.
pub fn pick_language<'a>(
    languages: &'a Languages,
    wanted: Option<&str>,
    file: &std::path::Path,
) -> anyhow::Result<&'a LanguageSpec> {
    let candidates: Vec<&LanguageSpec> = match wanted {
        Some(w) if w.parse::<u32>().is_ok() => {
            let id: u32 = w.parse().expect("checked");
            return languages.get(id).with_context(|| {
                format!("no language has id {id} (see `judgebox languages list`)")
            });
        }
        Some(w) => {
            let w = w.to_lowercase();
            languages
                .iter()
                .filter(|l| {
                    let name = l.name.to_lowercase();
                    let base = name.split(" (").next().unwrap_or(&name).to_string();
                    name == w || base == w
                })
                .collect()
        }
        None => {
            let ext = file.extension().and_then(|e| e.to_str()).with_context(|| {
                format!(
                    "{}: no extension to guess the language from; use --lang",
                    file.display()
                )
            })?;
            languages
                .iter()
                .filter(|l| {
                    l.source_file
                        .as_deref()
                        .and_then(|f| f.rsplit_once('.'))
                        .is_some_and(|(_, e)| e.eq_ignore_ascii_case(ext))
                })
                .collect()
        }
    };
    // The language file marked as the default for its extension, then one Debian can serve,
    // then the newest id (Judge0's newest toolchain for a language has the highest id).
    candidates
        .into_iter()
        .max_by_key(|l| (l.extension_default, l.unavailable.is_none(), l.id))
        .with_context(|| {
            format!(
                "no language matches {} (see `judgebox languages list`)",
                wanted.map_or_else(|| file.display().to_string(), str::to_string)
            )
        })
}

/// Why `language` cannot be judged here, and how to install it.
fn not_available(language: &Language) -> anyhow::Error {
    anyhow::anyhow!(
        "{} ({}) is not available here: {}\n  install it with: judgebox languages install {}",
        language.name,
        language.id(),
        language.unavailable.as_deref().unwrap_or("unknown"),
        language.id()
    )
}

/// A slot of this process as the box a judging runs in: each request is answered by the
/// jail's own handler, as `judgebox-jail` answers a frame.
struct OwnSlot {
    slot: Slot,
    /// The box is as the slot opened it: empty, no reset needed.
    fresh: bool,
}

impl JudgeBox for OwnSlot {
    async fn fresh_box(&mut self, files: Vec<BoxFile>) -> Result<Result<(), String>, JailError> {
        if !std::mem::take(&mut self.fresh) {
            expect_done(judgebox_jail::answer(&mut self.slot, JailRequest::ResetBox))?;
        }
        match expect_done(judgebox_jail::answer(
            &mut self.slot,
            JailRequest::WriteFiles { files },
        )) {
            Err(JailError::Refused(why)) => Ok(Err(why)),
            written => written.map(Ok),
        }
    }

    async fn run(&mut self, request: RunRequest) -> Result<RunReport, JailError> {
        match judgebox_jail::answer(&mut self.slot, JailRequest::Run(request)) {
            JailResponse::Report(report) => Ok(report),
            JailResponse::Error { message } => Err(JailError::Refused(message)),
            _ => Err(JailError::Unexpected(
                "something other than a report",
                "run",
            )),
        }
    }
}

/// A `Done` answer, or the refusal it is instead.
fn expect_done(answer: JailResponse) -> Result<(), JailError> {
    match answer {
        JailResponse::Done => Ok(()),
        JailResponse::Error { message } => Err(JailError::Refused(message)),
        _ => Err(JailError::Unexpected(
            "something other than done",
            "a box request",
        )),
    }
}

fn print_verdict(language: &Language, v: &Verdict) {
    println!(
        "{} ({})  {}",
        v.status.description(),
        v.status.id(),
        language.name
    );
    let figure = |f: Option<f64>| f.map_or("-".to_string(), |t| format!("{t:.3} s"));
    println!(
        "time {}  wall {}  memory {}",
        figure(v.time),
        figure(v.wall_time),
        v.memory.map_or("-".to_string(), |m| format!("{m} KB"))
    );
    if let Some(code) = v.exit_code.filter(|&c| c != 0) {
        println!("exit code {code}");
    }
    if let Some(sig) = v.exit_signal {
        println!("signal {sig}");
    }
    if let Some(m) = &v.message {
        println!("message: {m}");
    }
    for (title, text) in [
        ("compile output", &v.compile_output),
        ("stdout", &v.stdout),
        ("stderr", &v.stderr),
    ] {
        if let Some(text) = text {
            println!("--- {title} ({} bytes) ---", text.len());
            let s = String::from_utf8_lossy(text);
            print!("{s}");
            if !s.ends_with('\n') {
                println!();
            }
        }
    }
}
