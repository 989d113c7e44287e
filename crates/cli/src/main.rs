//! `judgebox`: the operator's and course author's command.
//!
//! - `judgebox sandbox run -- PROGRAM`: one program in one box, with its report.
//! - `judgebox check`: can boxes work on this host, and if not, what to do.
//! - `judgebox serve`: the Judge0-compatible HTTP service.
//! - `judgebox run FILE`: compile and run one file as a submission; print the verdict.
//! - `judgebox languages list|test|install`: the languages of this host.
//!
//! `serve` and `languages test` make boxes only through `judgebox-jail` processes: they are
//! async and multi-threaded. `sandbox run` and `run` make their boxes in their own process,
//! single-threaded while a slot is open (the slot refuses a process with threads), with the
//! jail's library: one process instead of two is ~1.5 ms of a one-shot run.
#![forbid(unsafe_code)]

mod judge0_json;
mod languages;
mod run;
mod sandbox_run;
mod serve;
mod setup;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "judgebox",
    version,
    about = "A self-hosted code-execution sandbox with Judge0's API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with the sandbox directly.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Diagnose this host: privileges, cgroups, namespaces, seccomp, Landlock, a test box.
    Check,
    /// Serve the Judge0-compatible HTTP API (store, queue and jails).
    Serve(Box<serve::Serve>),
    /// Compile and run one source file as a submission and print the verdict.
    Run(Box<run::Run>),
    /// List, test and install languages.
    #[command(subcommand)]
    Languages(languages::LanguagesCommand),
}

#[derive(Debug, Subcommand)]
enum SandboxCommand {
    /// Run one program in a box and print its report.
    Run(Box<sandbox_run::SandboxRun>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sandbox(SandboxCommand::Run(run)) => run.run(),
        Command::Check => check(),
        Command::Run(run) => run.run(),
        Command::Serve(serve) => serve.run(),
        Command::Languages(command) => command.run(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("judgebox: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check() -> anyhow::Result<ExitCode> {
    let bin = judgebox_jail_client::jail_binary();
    let status = std::process::Command::new(&bin)
        .arg("--check")
        .status()
        .map_err(|e| {
            anyhow::anyhow!(
                "starting {}: {e} (is judgebox-jail installed beside judgebox?)",
                bin.display()
            )
        })?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
