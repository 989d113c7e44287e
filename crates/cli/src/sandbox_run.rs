//! `judgebox sandbox run`: one program in one box, and its report.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use judgebox_spec::{BoxFile, LimitsUpdate, Outcome, RunReport, RunRequest};
use serde::Serialize;

use judgebox_sandbox::cgroup::CgroupVersion;

use crate::setup::{load_profiles, one_shot_slot_config};

#[derive(Debug, Args)]
pub struct SandboxRun {
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
    /// Largest file a process may write, KB.
    #[arg(long, value_name = "KB")]
    file_size: Option<u64>,
    /// stdout and stderr captured together, KB.
    #[arg(long, value_name = "KB")]
    output: Option<u64>,
    /// Open files per process.
    #[arg(long, value_name = "N")]
    open_files: Option<u64>,
    /// Use the host's network instead of an empty one.
    #[arg(long)]
    network: bool,
    /// A file to feed to the program's stdin.
    #[arg(long, value_name = "FILE")]
    stdin: Option<PathBuf>,
    /// The sandbox profile (see sandbox-profiles/).
    #[arg(long, default_value = "run")]
    profile: String,
    /// A folder of profiles to use instead of the built-in ones.
    #[arg(long, env = "JUDGEBOX_PROFILES")]
    profiles: Option<PathBuf>,
    /// Copy a host file into /box first: SRC or SRC:NAME (executable bits are kept).
    #[arg(long = "file", value_name = "SRC[:NAME]")]
    files: Vec<String>,
    /// Add NAME=VALUE to the program's environment.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// Send stderr to stdout.
    #[arg(long)]
    stderr_to_stdout: bool,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// Force a cgroup version instead of detecting it (v1 or v2).
    #[arg(long)]
    cgroup_version: Option<CgroupVersion>,
    /// The cgroup root (for v2, a delegated directory).
    #[arg(long)]
    cgroup_root: Option<PathBuf>,
    /// The one-shot slot to use (1000-4999); by default the first free one. A one-shot slot
    /// keeps its namespaces for the next run (see README: "One-shot runs").
    #[arg(long, value_name = "N")]
    slot: Option<u32>,
    /// The program and its arguments, as seen inside the box.
    #[arg(last = true, required = true, value_name = "PROGRAM [ARGS]...")]
    command: Vec<String>,
}

/// The `--json` object: the report with text outputs.
#[derive(Serialize)]
struct JsonReport<'a> {
    outcome: Outcome,
    exit_code: Option<i32>,
    signal: Option<i32>,
    cpu_time: f64,
    wall_time: f64,
    memory: u64,
    charged: u64,
    stdout: String,
    stderr: String,
    overshoot: Option<f64>,
    message: Option<&'a str>,
}

fn box_file(spec: &str) -> anyhow::Result<BoxFile> {
    use std::os::unix::fs::PermissionsExt;
    let (src, name) = match spec.rsplit_once(':') {
        Some((src, name)) if !name.is_empty() => (src, name.to_string()),
        _ => {
            let name = std::path::Path::new(spec)
                .file_name()
                .and_then(|n| n.to_str())
                .with_context(|| format!("--file {spec}: no file name"))?;
            (spec, name.to_string())
        }
    };
    let content = std::fs::read(src).with_context(|| format!("--file: reading {src}"))?;
    let mode = std::fs::metadata(src)?.permissions().mode();
    Ok(BoxFile {
        path: name,
        content: content.into(),
        executable: mode & 0o111 != 0,
    })
}

impl SandboxRun {
    pub fn run(self) -> anyhow::Result<std::process::ExitCode> {
        let profiles = load_profiles(self.profiles.as_deref())?;
        let profile = profiles.get(&self.profile)?;
        let limits = LimitsUpdate {
            cpu_time: self.cpu_time,
            wall_time: self.wall_time,
            memory: self.memory,
            stack: self.stack,
            processes: self.processes,
            file_size: self.file_size,
            output: self.output,
            open_files: self.open_files,
        }
        .resolve(&profile.defaults, &profile.maximums)
        .with_context(|| format!("limits for profile {:?}", profile.name))?;
        let stdin = match &self.stdin {
            Some(path) => std::fs::read(path)
                .with_context(|| format!("reading --stdin {}", path.display()))?,
            None => Vec::new(),
        };
        let files = self
            .files
            .iter()
            .map(|f| box_file(f))
            .collect::<anyhow::Result<Vec<_>>>()?;

        let config = one_shot_slot_config(
            self.network,
            self.cgroup_root.as_deref(),
            self.cgroup_version,
        );
        let request = RunRequest {
            profile: self.profile.clone(),
            argv: self.command.clone(),
            env: self.env.clone(),
            stdin: stdin.into(),
            limits,
            network: self.network,
            stderr_to_stdout: self.stderr_to_stdout,
            address_space: None,
        };
        let report = judgebox_jail::run_once(&config, self.slot, profiles, &files, &request)?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&json_report(&report))?);
        } else {
            print_summary(&report);
        }
        Ok(if report.outcome == Outcome::JailFault {
            std::process::ExitCode::from(2)
        } else {
            std::process::ExitCode::SUCCESS
        })
    }
}

fn json_report(r: &RunReport) -> JsonReport<'_> {
    JsonReport {
        outcome: r.outcome,
        exit_code: r.exit_code,
        signal: r.signal,
        cpu_time: r.cpu_time,
        wall_time: r.wall_time,
        memory: r.memory,
        charged: r.charged,
        stdout: r.stdout.lossy(),
        stderr: r.stderr.lossy(),
        overshoot: r.overshoot,
        message: r.message.as_deref(),
    }
}

fn print_summary(r: &RunReport) {
    let outcome = serde_json::to_value(r.outcome).ok();
    let outcome = outcome.as_ref().and_then(|v| v.as_str()).unwrap_or("?");
    let detail = match (r.exit_code, r.signal) {
        (Some(code), _) => format!(" (exit code {code})"),
        (None, Some(sig)) => format!(" (signal {sig})"),
        _ => String::new(),
    };
    println!("outcome    {outcome}{detail}");
    if let Some(o) = r.overshoot {
        println!("overshoot  {:.3} ms past the limit", o * 1e3);
    }
    if let Some(m) = &r.message {
        println!("message    {m}");
    }
    println!("cpu time   {:.3} s", r.cpu_time);
    println!("wall time  {:.3} s", r.wall_time);
    println!("memory     {} KB", r.memory);
    println!(
        "charged    {} KB (the box's cgroup peak, what the memory limit counts)",
        r.charged
    );
    if !r.stdout.0.is_empty() {
        println!("--- stdout ({} bytes) ---", r.stdout.0.len());
        print!("{}", r.stdout.lossy());
    }
    if !r.stderr.0.is_empty() {
        println!("--- stderr ({} bytes) ---", r.stderr.0.len());
        print!("{}", r.stderr.lossy());
    }
}
