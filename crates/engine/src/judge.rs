//! Compile-then-run of one submission in a leased jail, and the ruling on it.

use std::sync::Arc;

use tracing::Instrument;

use judgebox_spec::{
    BoxFile, Bytes, JailRequest, JailResponse, Limits, LimitsUpdate, Outcome, RunReport,
    RunRequest, Status, OPTIONS_PLACEHOLDER,
};

use crate::catalog::{Catalog, Language};
use crate::files;
use crate::jail::{Jail, JailError};
use crate::pool::{JailPool, Lease};
use crate::rules::{output_matches, rule_run};
use crate::{Job, Verdict};

/// What a compile step may use: Judge0 compiles with its configured maximums (`MAX_*`). The
/// file-size cap is larger than Judge0's 4 MB, since a compiler's output is not a student's
/// print-out (a static Go or Haskell binary is bigger than that).
pub const COMPILE_LIMITS: Limits = Limits {
    cpu_time: 15.0,
    wall_time: 20.0,
    memory: 512_000,
    stack: 128_000,
    processes: 120,
    file_size: 65_536,
    output: 4096,
    open_files: 1024,
};

/// The box's memory when a submission asks for per-process limits: Judge0's
/// `MAX_MEMORY_LIMIT` default.
const MAX_BOX_MEMORY: u64 = 512_000;

/// `RLIMIT_NOFILE` of a run: isolate's, as Judge0 uses it.
const RUN_OPEN_FILES: u64 = 512;

/// What Judge0 prints as compile output when the compiler ran out of time.
const COMPILE_TIMEOUT_OUTPUT: &[u8] = b"Compilation time limit exceeded.";

/// The engine's settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Limits of compile steps (a language may raise them).
    pub compile_limits: Limits,
    /// Whether a submission's `enable_network` is honoured.
    pub allow_network: bool,
    /// Largest unpacked `additional_files`, KB (Judge0's `MAX_EXTRACT_SIZE`).
    pub max_extract_size: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            compile_limits: COMPILE_LIMITS,
            allow_network: false,
            max_extract_size: 10_240,
        }
    }
}

/// Judges submissions with a pool of jails. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Engine {
    pool: JailPool,
    catalog: Arc<Catalog>,
    config: Arc<EngineConfig>,
}

/// Why a submission could not be judged (Judge0's Internal Error).
#[derive(Debug, thiserror::Error)]
#[error("the sandbox failed: {0}")]
struct Fault(#[from] JailError);

/// What judging asks of a box: the jail protocol's requests. A leased jail of the pool
/// answers them over its pipes ([`Lease`]); the one-shot `judgebox run` answers them with a
/// slot of its own single-threaded process, through the same request handler the jail uses.
///
/// Implementations are used as concrete types, so whether their futures are `Send` is known
/// where it matters (the pool's are: workers run on a multi-threaded runtime).
#[allow(async_fn_in_trait)]
pub trait JudgeBox {
    /// Empties the box and writes `files` into it. `Ok(Err(why))`: the jail refused a file,
    /// which is the submission's doing (a path the box cannot hold), not the jail's fault.
    async fn fresh_box(&mut self, files: Vec<BoxFile>) -> Result<Result<(), String>, JailError>;
    /// Runs one program in the box and reports on it.
    async fn run(&mut self, request: RunRequest) -> Result<RunReport, JailError>;
}

impl Engine {
    pub fn new(pool: JailPool, catalog: Arc<Catalog>, config: EngineConfig) -> Engine {
        Engine {
            pool,
            catalog,
            config: Arc::new(config),
        }
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    pub fn pool(&self) -> &JailPool {
        &self.pool
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Compiles and runs `job` in a leased jail and rules on it. Never fails: a fault of the
    /// engine itself is the verdict Internal Error, with the reason in `message`.
    pub async fn judge(&self, job: &Job) -> Verdict {
        let Some(language) = self.catalog.get(job.language_id).cloned() else {
            return Verdict::internal_error(format!(
                "language with id {} doesn't exist",
                job.language_id
            ));
        };
        if let Some(unavailable) = unavailable(&language) {
            return unavailable;
        }
        let mut lease = self.pool.lease().await;
        let span = tracing::debug_span!("judge", language = job.language_id, slot = ?lease.slot());
        let judged = judge_in(&mut lease, &language, job, &self.config)
            .instrument(span)
            .await;
        match judged {
            Ok(verdict) => verdict,
            Err(fault) => {
                tracing::warn!(error = %fault, "internal error");
                lease.discard_jail();
                Verdict::internal_error(fault.to_string())
            }
        }
    }
}

/// Compiles and runs `job` in `boxes`, a box of the caller's own, and rules on it. Never
/// fails: a fault is the verdict Internal Error, with the reason in `message`.
pub async fn judge(
    boxes: &mut impl JudgeBox,
    language: &Language,
    job: &Job,
    config: &EngineConfig,
) -> Verdict {
    if let Some(unavailable) = unavailable(language) {
        return unavailable;
    }
    judge_in(boxes, language, job, config)
        .await
        .unwrap_or_else(|fault| Verdict::internal_error(fault.to_string()))
}

/// Internal Error for a language this host cannot serve.
fn unavailable(language: &Language) -> Option<Verdict> {
    let why = language.unavailable.as_ref()?;
    Some(Verdict::internal_error(format!(
        "{} cannot run on this host: {why}",
        language.name
    )))
}

async fn judge_in(
    boxes: &mut impl JudgeBox,
    language: &Language,
    job: &Job,
    config: &EngineConfig,
) -> Result<Verdict, Fault> {
    let spec = &language.spec;
    // The box's files: the source, then the archive's files (the source wins a clash).
    let mut box_files = Vec::new();
    if let (Some(name), false) = (&spec.source_file, spec.project) {
        box_files.push(BoxFile {
            path: name.clone(),
            content: Bytes(job.source_code.clone().unwrap_or_default()),
            executable: spec.executable_source,
        });
    }
    if let Some(zip) = &job.additional_files {
        let keep: Vec<&str> = spec.source_file.iter().map(String::as_str).collect();
        match files::unpack(zip, &keep, config.max_extract_size) {
            Ok(more) => box_files.extend(more),
            Err(e) => return Ok(compilation_error(e.to_string().into_bytes())),
        }
    }
    let has_file = |name: &str| box_files.iter().any(|f| f.path == name);
    let steps: Vec<Vec<String>> = if spec.project {
        if has_file("compile") {
            vec![vec!["/bin/bash".into(), "compile".into()]]
        } else {
            Vec::new()
        }
    } else {
        spec.compile.clone()
    };
    let run_argv: Vec<String> = if spec.project {
        vec!["/bin/bash".into(), "run".into()]
    } else {
        let mut argv = spec.run.clone().unwrap_or_default();
        match split_words(
            "command_line_arguments",
            job.command_line_arguments.as_deref(),
        ) {
            Ok(args) => argv.extend(args),
            Err(why) => return Ok(compilation_error(why.into_bytes())),
        }
        argv
    };
    let options = match split_words("compiler_options", job.compiler_options.as_deref()) {
        Ok(options) => options,
        Err(why) => return Ok(compilation_error(why.into_bytes())),
    };

    if let Err(refused) = boxes.fresh_box(box_files).await? {
        // The jail would not create a file the submission named: the submission's fault.
        return Ok(compilation_error(refused.into_bytes()));
    }

    // Compile.
    let compile_limits = overlay(&config.compile_limits, &spec.compile_limits);
    let mut compile_output = Vec::new();
    for step in &steps {
        let argv: Vec<String> = step
            .iter()
            .flat_map(|arg| {
                if arg == OPTIONS_PLACEHOLDER {
                    options.clone()
                } else {
                    vec![arg.clone()]
                }
            })
            .collect();
        let report = boxes
            .run(RunRequest {
                profile: spec.compile_profile.clone(),
                argv,
                env: spec.env.clone(),
                stdin: Bytes::default(),
                limits: compile_limits,
                network: false,
                stderr_to_stdout: true,
                address_space: None,
            })
            .await?;
        compile_output.extend_from_slice(&report.stdout.0);
        match report.outcome {
            Outcome::Exited if report.exit_code == Some(0) => {}
            Outcome::CpuTimeLimit | Outcome::WallTimeLimit => {
                return Ok(compilation_error(COMPILE_TIMEOUT_OUTPUT.to_vec()))
            }
            Outcome::JailFault if report.exec_errno.is_none() => {
                return Err(Fault(JailError::Refused(
                    report
                        .message
                        .unwrap_or_else(|| "compile step failed".into()),
                )))
            }
            _ => {
                if let Some(errno) = report.exec_errno {
                    compile_output.extend_from_slice(
                        format!(
                            "{}: cannot be executed (errno {errno})\n",
                            step.first().map(String::as_str).unwrap_or("?")
                        )
                        .as_bytes(),
                    );
                }
                return Ok(compilation_error(compile_output));
            }
        }
    }
    let compile_output = non_empty(compile_output);

    // Run, `number_of_runs` times, stopping at the first run that is not accepted.
    let limits = run_limits(job, spec.run_minimums);
    let stdout_cap = job.limits.max_file_size.saturating_mul(1024);
    let runs = job.number_of_runs.max(1);
    let (mut cpu_sum, mut memory_sum, mut made) = (0.0f64, 0u64, 0u32);
    let mut last: Option<(RunReport, crate::rules::RunRuling)> = None;
    for _ in 0..runs {
        let report = boxes
            .run(RunRequest {
                profile: spec.profile.clone(),
                argv: run_argv.clone(),
                env: spec.env.clone(),
                stdin: Bytes(job.stdin.clone().unwrap_or_default()),
                limits,
                network: job.enable_network && config.allow_network,
                stderr_to_stdout: job.redirect_stderr_to_stdout,
                address_space: job
                    .limits
                    .enable_per_process_and_thread_memory_limit
                    .then_some(job.limits.memory_limit),
            })
            .await?;
        let mut ruling = rule_run(
            &report,
            job.limits.cpu_time_limit,
            &run_argv[0],
            Some(stdout_cap),
        );
        if ruling.status == Status::Accepted {
            if let Some(expected) = &job.expected_output {
                let stdout = Some(report.stdout.0.as_slice());
                if !output_matches(expected, stdout) {
                    ruling.status = Status::WrongAnswer;
                }
            }
        }
        cpu_sum += round_ms(report.cpu_time);
        memory_sum += report.memory;
        made += 1;
        let accepted = ruling.status == Status::Accepted;
        last = Some((report, ruling));
        if !accepted {
            break;
        }
    }
    let (report, ruling) = last.expect("at least one run");
    let cap = usize::try_from(stdout_cap).unwrap_or(usize::MAX);
    let truncate = |mut v: Vec<u8>| {
        v.truncate(cap);
        v
    };
    Ok(Verdict {
        status: ruling.status,
        stdout: non_empty(truncate(report.stdout.0)),
        stderr: non_empty(truncate(report.stderr.0)),
        compile_output,
        time: Some(round_ms(cpu_sum / f64::from(made))),
        wall_time: Some(round_ms(report.wall_time)),
        memory: Some(memory_sum / u64::from(made)),
        exit_code: ruling.exit_code,
        exit_signal: ruling.exit_signal,
        message: ruling.message,
    })
}

/// The box limits of a submission's run. The CPU limit the box enforces is isolate's: the
/// later of the limit and the extra time (`-x` is absolute in isolate 1.8); a run past the
/// limit is ruled a time-out afterwards.
fn run_limits(job: &Job, minimums: LimitsUpdate) -> Limits {
    let l = &job.limits;
    let kill_at = l.cpu_time_limit.max(l.cpu_extra_time);
    // Judge0's per-process memory limit is RLIMIT_AS on each process (set in the run
    // request); the box as a whole is then held to the largest limit a submission may ask
    // for, instead of to this one.
    let box_memory = if l.enable_per_process_and_thread_memory_limit {
        l.memory_limit.max(MAX_BOX_MEMORY)
    } else {
        l.memory_limit
    };
    let output_streams = if job.redirect_stderr_to_stdout { 1 } else { 2 };
    let limits = Limits {
        cpu_time: if kill_at > 0.0 {
            kill_at
        } else {
            l.wall_time_limit
        },
        wall_time: l.wall_time_limit,
        memory: box_memory,
        stack: l.stack_limit,
        processes: l.max_processes_and_or_threads,
        file_size: l.max_file_size,
        // One byte past the cap, so that a program printing more is caught, not cut off
        // silently at exactly the cap.
        output: (l.max_file_size * output_streams).saturating_add(1),
        open_files: RUN_OPEN_FILES,
    };
    raise_to(limits, &minimums)
}

/// A leased jail of the pool: requests go over its pipes.
impl JudgeBox for Lease {
    /// `ResetBox` and `WriteFiles` in one round trip; a jail that died while idle is
    /// replaced once.
    async fn fresh_box(&mut self, files: Vec<BoxFile>) -> Result<Result<(), String>, JailError> {
        let write = JailRequest::WriteFiles { files };
        match reset_and_write(self.jail()?, &write).await {
            Err(e) if !matches!(e, JailError::Refused(_)) => {
                tracing::warn!(error = %e, "idle jail was gone; starting another");
                self.discard_jail();
                reset_and_write(self.jail()?, &write).await
            }
            other => other,
        }
    }

    async fn run(&mut self, request: RunRequest) -> Result<RunReport, JailError> {
        match self.jail()?.call(&JailRequest::Run(request)).await? {
            JailResponse::Report(report) => Ok(report),
            _ => Err(JailError::Unexpected(
                "something other than a report",
                "run",
            )),
        }
    }
}

/// `ResetBox` then `WriteFiles`, sent together; both answers are read, so the jail's
/// stream stays in step even when the first is refused.
async fn reset_and_write(
    jail: &mut Jail,
    write: &JailRequest,
) -> Result<Result<(), String>, JailError> {
    jail.send(&JailRequest::ResetBox).await?;
    jail.send(write).await?;
    jail.flush().await?;
    let reset = jail.receive().await;
    let written = jail.receive().await;
    expect_done(reset?, "reset_box")?;
    match written {
        Err(JailError::Refused(why)) => Ok(Err(why)),
        written => expect_done(written?, "write_files").map(Ok),
    }
}

fn expect_done(answer: JailResponse, what: &'static str) -> Result<(), JailError> {
    match answer {
        JailResponse::Done => Ok(()),
        _ => Err(JailError::Unexpected("something other than done", what)),
    }
}

fn compilation_error(output: Vec<u8>) -> Verdict {
    Verdict {
        compile_output: non_empty(output),
        ..Verdict::of(Status::CompilationError)
    }
}

fn non_empty(v: Vec<u8>) -> Option<Vec<u8>> {
    Some(v).filter(|v| !v.is_empty())
}

/// isolate reports times in whole milliseconds, and so does Judge0.
fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// Splits options or arguments into words as a shell would, without a shell: quotes group,
/// nothing expands. `None` for unbalanced quotes.
/// The words of a submission's `field` as the program's argv, or why there are none: the
/// text is the submission's, so its faults are a Compilation Error, never the service's.
fn split_words(field: &str, text: Option<&str>) -> Result<Vec<String>, String> {
    // Judge0 removes these before pasting the text into its bash script; removing them too
    // keeps the words a program receives the same.
    let text = text.map(|t| t.replace(['$', '&', ';', '<', '>', '|', '`'], ""));
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(Vec::new()),
        // No argv word can hold one: execve reads each up to its first NUL.
        Some(t) if t.contains('\0') => Err(format!("{field}: contains a NUL byte")),
        Some(t) => shlex::split(t).ok_or_else(|| format!("{field}: unbalanced quotes")),
    }
}

/// `base` with the fields `update` sets replaced.
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

/// `limits` with every field raised to at least what `floor` sets.
fn raise_to(limits: Limits, floor: &LimitsUpdate) -> Limits {
    Limits {
        cpu_time: floor
            .cpu_time
            .map_or(limits.cpu_time, |f| limits.cpu_time.max(f)),
        wall_time: floor
            .wall_time
            .map_or(limits.wall_time, |f| limits.wall_time.max(f)),
        memory: floor.memory.map_or(limits.memory, |f| limits.memory.max(f)),
        stack: floor.stack.map_or(limits.stack, |f| limits.stack.max(f)),
        processes: floor
            .processes
            .map_or(limits.processes, |f| limits.processes.max(f)),
        file_size: floor
            .file_size
            .map_or(limits.file_size, |f| limits.file_size.max(f)),
        output: floor.output.map_or(limits.output, |f| limits.output.max(f)),
        open_files: floor
            .open_files
            .map_or(limits.open_files, |f| limits.open_files.max(f)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell_without_one() {
        assert_eq!(split_words("f", None), Ok(vec![]));
        assert_eq!(split_words("f", Some("  ")), Ok(vec![]));
        assert_eq!(
            split_words("f", Some("-O2 -DX='a b' $(rm -rf /); x|y")).unwrap(),
            ["-O2", "-DX=a b", "(rm", "-rf", "/)", "xy"]
        );
        assert_eq!(
            split_words("f", Some("'open")),
            Err("f: unbalanced quotes".into())
        );
        assert_eq!(
            split_words("compiler_options", Some("-O2\0-DX")),
            Err("compiler_options: contains a NUL byte".into())
        );
    }

    #[test]
    fn floors_raise_and_overlays_replace() {
        let floor = LimitsUpdate {
            processes: Some(100),
            ..LimitsUpdate::default()
        };
        let raised = raise_to(COMPILE_LIMITS, &floor);
        assert_eq!(raised.processes, 120, "already above the floor");
        let low = Limits {
            processes: 10,
            ..COMPILE_LIMITS
        };
        assert_eq!(raise_to(low, &floor).processes, 100);
        assert_eq!(overlay(&COMPILE_LIMITS, &floor).processes, 100);
        assert_eq!(round_ms(0.0123456), 0.012);
    }
}
