//! The jail protocol: what the engine or the CLI asks a `judgebox-jail`, and what it answers.
//!
//! A jail owns one box (a `/box` directory that survives between requests until reset), so a
//! compile-then-run is: `ResetBox`, `WriteFiles`, `Run` (compiler), `Run` (program).

use serde::{Deserialize, Serialize};

use crate::{Bytes, Limits};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum JailRequest {
    /// Throw the box's files away: `/box` becomes a fresh, empty tmpfs.
    ResetBox,
    /// Create files in the box (never following a link, never replacing a file).
    WriteFiles { files: Vec<BoxFile> },
    /// Run one program in the box.
    Run(RunRequest),
    /// Read a regular file back from the box, refusing links, devices and anything larger.
    ReadFile { path: String, max_size: u64 },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum JailResponse {
    Done,
    Report(RunReport),
    File {
        content: Bytes,
    },
    /// The request could not be carried out (bad path, unknown profile, ...). A program's
    /// own failure is never this: it is a [`RunReport`].
    Error {
        message: String,
    },
}

/// A file to place in the box, at a path relative to `/box`: at most
/// [`BoxFile::MAX_PATH`] bytes in at most [`BoxFile::MAX_DEPTH`] parts of at most
/// [`BoxFile::MAX_NAME`] bytes each (the jail refuses anything else).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxFile {
    pub path: String,
    pub content: Bytes,
    #[serde(default)]
    pub executable: bool,
}

/// One program to run.
impl BoxFile {
    /// The longest path, in bytes.
    pub const MAX_PATH: usize = 4096;
    /// The most parts a path may have.
    pub const MAX_DEPTH: usize = 32;
    /// The longest part of a path, in bytes (Linux's `NAME_MAX`).
    pub const MAX_NAME: usize = 255;
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The sandbox profile's name (`run`, `compile`, ...).
    pub profile: String,
    /// `argv[0]` is the program: a path inside the box, or a name looked up in the box's PATH.
    pub argv: Vec<String>,
    /// Extra `NAME=value` entries on top of the profile's environment.
    #[serde(default)]
    pub env: Vec<String>,
    #[serde(default)]
    pub stdin: Bytes,
    pub limits: Limits,
    /// Share the host's network (only when the operator allows it).
    #[serde(default)]
    pub network: bool,
    /// Send stderr into the stdout pipe.
    #[serde(default)]
    pub stderr_to_stdout: bool,
    /// An address-space limit per process, KB (`RLIMIT_AS`): Judge0's per-process memory
    /// limit. The box's cgroup limit still bounds all processes together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_space: Option<u64>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The program exited by itself; see `exit_code`.
    Exited,
    /// The program was killed by a signal it did not catch; see `signal`.
    Signaled,
    CpuTimeLimit,
    WallTimeLimit,
    /// The box's cgroup hit its memory limit and the kernel's OOM killer ended a process.
    MemoryLimit,
    OutputLimit,
    /// The sandbox itself failed; `message` says where. Never the program's fault.
    JailFault,
}

/// What the jail measured and captured for one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunReport {
    pub outcome: Outcome,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    /// CPU seconds of every process in the box (cgroup accounting).
    pub cpu_time: f64,
    /// Wall seconds from the box's start to its last process's exit (monotonic clock).
    pub wall_time: f64,
    /// The program's own peak resident set in KB (with the children it waited for); for a
    /// memory-limit kill, or where the program could not start through the exec helper,
    /// `charged`.
    pub memory: u64,
    /// Peak KB charged to the box's memory cgroup, what the memory limit counts: anonymous
    /// memory, tmpfs files, kernel memory and the page cache the box itself brought in.
    #[serde(default)]
    pub charged: u64,
    pub stdout: Bytes,
    pub stderr: Bytes,
    /// For a run killed at a limit: how far past the limit it got (seconds for time limits).
    pub overshoot: Option<f64>,
    pub message: Option<String>,
    /// When the program itself could not be executed (`execve` failed: not a program, no such
    /// file, no permission), its errno. The outcome is then `jail_fault`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_errno: Option<i32>,
}

impl RunReport {
    /// A report for a run the sandbox could not carry out.
    pub fn fault(message: impl Into<String>) -> Self {
        RunReport {
            outcome: Outcome::JailFault,
            exit_code: None,
            signal: None,
            cpu_time: 0.0,
            wall_time: 0.0,
            memory: 0,
            charged: 0,
            stdout: Bytes::default(),
            stderr: Bytes::default(),
            overshoot: None,
            message: Some(message.into()),
            exec_errno: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_json_is_tagged_and_strict() {
        let req: JailRequest = serde_json::from_str(r#"{"type":"reset_box"}"#).unwrap();
        assert!(matches!(req, JailRequest::ResetBox));
        assert!(serde_json::from_str::<JailRequest>(
            r#"{"type":"read_file","path":"a","max_size":1,"x":1}"#
        )
        .is_err());
        assert!(serde_json::from_str::<JailRequest>(r#"{"type":"format_disk"}"#).is_err());
    }

    #[test]
    fn outcome_names_are_the_documented_ones() {
        let names: Vec<String> = [
            Outcome::Exited,
            Outcome::Signaled,
            Outcome::CpuTimeLimit,
            Outcome::WallTimeLimit,
            Outcome::MemoryLimit,
            Outcome::OutputLimit,
            Outcome::JailFault,
        ]
        .iter()
        .map(|o| serde_json::to_string(o).unwrap())
        .collect();
        assert_eq!(
            names,
            [
                "\"exited\"",
                "\"signaled\"",
                "\"cpu_time_limit\"",
                "\"wall_time_limit\"",
                "\"memory_limit\"",
                "\"output_limit\"",
                "\"jail_fault\""
            ]
        );
    }
}
