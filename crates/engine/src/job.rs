//! What the engine is asked to judge, and what it rules.

use judgebox_spec::Status;

/// A submission's limits, in Judge0's fields and units (seconds, KB).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JobLimits {
    pub cpu_time_limit: f64,
    pub cpu_extra_time: f64,
    pub wall_time_limit: f64,
    pub memory_limit: u64,
    pub stack_limit: u64,
    pub max_processes_and_or_threads: u64,
    pub enable_per_process_and_thread_time_limit: bool,
    pub enable_per_process_and_thread_memory_limit: bool,
    pub max_file_size: u64,
}

impl Default for JobLimits {
    /// Judge0 CE's defaults (`judge0.conf`).
    fn default() -> Self {
        JobLimits {
            cpu_time_limit: 5.0,
            cpu_extra_time: 1.0,
            wall_time_limit: 10.0,
            memory_limit: 128_000,
            stack_limit: 64_000,
            max_processes_and_or_threads: 60,
            enable_per_process_and_thread_time_limit: false,
            enable_per_process_and_thread_memory_limit: false,
            max_file_size: 1024,
        }
    }
}

/// One submission to judge. Its language has been checked to exist by the caller.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Job {
    pub language_id: u32,
    pub source_code: Option<Vec<u8>>,
    pub stdin: Option<Vec<u8>>,
    pub expected_output: Option<Vec<u8>>,
    pub number_of_runs: u32,
    pub limits: JobLimits,
    pub compiler_options: Option<String>,
    pub command_line_arguments: Option<String>,
    pub redirect_stderr_to_stdout: bool,
    pub enable_network: bool,
    /// A zip archive, unpacked into the box before compiling.
    pub additional_files: Option<Vec<u8>>,
}

/// The engine's ruling on a submission: Judge0's result fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub stdout: Option<Vec<u8>>,
    pub stderr: Option<Vec<u8>>,
    pub compile_output: Option<Vec<u8>>,
    /// CPU seconds, averaged over the runs made.
    pub time: Option<f64>,
    /// Wall seconds of the last run.
    pub wall_time: Option<f64>,
    /// Peak KB, averaged over the runs made.
    pub memory: Option<u64>,
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    pub message: Option<String>,
}

impl Verdict {
    /// A ruling with nothing but a status.
    pub fn of(status: Status) -> Verdict {
        Verdict {
            status,
            stdout: None,
            stderr: None,
            compile_output: None,
            time: None,
            wall_time: None,
            memory: None,
            exit_code: None,
            exit_signal: None,
            message: None,
        }
    }

    /// A ruling with nothing but a status and a message.
    pub fn bare(status: Status, message: impl Into<String>) -> Verdict {
        Verdict {
            message: Some(message.into()),
            ..Verdict::of(status)
        }
    }

    /// The engine itself failed (Judge0's Internal Error, 13).
    pub fn internal_error(message: impl Into<String>) -> Verdict {
        Verdict::bare(Status::InternalError, message)
    }
}
