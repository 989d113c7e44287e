//! The stored data: what the API accepted, what judging produced, and the row that joins them.
//! Plain data with no backend types, so every backend speaks the same language.

use crate::Timestamp;

/// Judge0 status 1, "In Queue": every row starts here.
pub const STATUS_IN_QUEUE: u8 = 1;
/// Judge0 status 2, "Processing": a worker has taken the row.
pub const STATUS_PROCESSING: u8 = 2;
/// The first final status (3, "Accepted"); every status from here on is a verdict.
pub const FIRST_FINAL_STATUS: u8 = 3;

/// A submission as the API accepted it: Judge0's input columns, defaults already resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSubmission {
    /// UUID v4 text made by the caller; unique across the store.
    pub token: String,
    pub source_code: Option<Vec<u8>>,
    pub language_id: u32,
    pub stdin: Option<Vec<u8>>,
    pub expected_output: Option<Vec<u8>>,
    pub number_of_runs: u32,
    /// Seconds.
    pub cpu_time_limit: f64,
    /// Seconds.
    pub cpu_extra_time: f64,
    /// Seconds.
    pub wall_time_limit: f64,
    /// KB.
    pub memory_limit: u64,
    /// KB.
    pub stack_limit: u64,
    pub max_processes_and_or_threads: u32,
    pub enable_per_process_and_thread_time_limit: bool,
    pub enable_per_process_and_thread_memory_limit: bool,
    /// KB.
    pub max_file_size: u64,
    pub compiler_options: Option<String>,
    pub command_line_arguments: Option<String>,
    pub redirect_stderr_to_stdout: bool,
    pub callback_url: Option<String>,
    /// A zip archive (Judge0's `additional_files`), raw bytes.
    pub additional_files: Option<Vec<u8>>,
    pub enable_network: bool,
    pub created_at: Timestamp,
}

/// The result of judging a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// A final Judge0 status, 3 to 14.
    pub status_id: u8,
    pub stdout: Option<Vec<u8>>,
    pub stderr: Option<Vec<u8>>,
    pub compile_output: Option<Vec<u8>>,
    /// CPU seconds.
    pub time: Option<f64>,
    /// Wall-clock seconds.
    pub wall_time: Option<f64>,
    /// KB.
    pub memory: Option<u64>,
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    pub message: Option<String>,
    pub finished_at: Option<Timestamp>,
}

/// A stored submission: its row id, what was accepted, its status and (once final) its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The store's row id: increases with every insert and is never reused, so it is the
    /// queue order. Never shown to users (Judge0 hides `id` too).
    pub id: i64,
    pub token: String,
    pub source_code: Option<Vec<u8>>,
    pub language_id: u32,
    pub stdin: Option<Vec<u8>>,
    pub expected_output: Option<Vec<u8>>,
    pub number_of_runs: u32,
    pub cpu_time_limit: f64,
    pub cpu_extra_time: f64,
    pub wall_time_limit: f64,
    pub memory_limit: u64,
    pub stack_limit: u64,
    pub max_processes_and_or_threads: u32,
    pub enable_per_process_and_thread_time_limit: bool,
    pub enable_per_process_and_thread_memory_limit: bool,
    pub max_file_size: u64,
    pub compiler_options: Option<String>,
    pub command_line_arguments: Option<String>,
    pub redirect_stderr_to_stdout: bool,
    pub callback_url: Option<String>,
    pub additional_files: Option<Vec<u8>>,
    pub enable_network: bool,
    pub created_at: Timestamp,
    /// 1 In Queue, 2 Processing, 3 to 14 final.
    pub status_id: u8,
    pub stdout: Option<Vec<u8>>,
    pub stderr: Option<Vec<u8>>,
    pub compile_output: Option<Vec<u8>>,
    pub time: Option<f64>,
    pub wall_time: Option<f64>,
    pub memory: Option<u64>,
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    pub message: Option<String>,
    pub finished_at: Option<Timestamp>,
}

impl Submission {
    /// The row `insert` stored for `new` under `id`: In Queue, no outcome yet. The queue
    /// hands this to a worker so that it need not read back what was just written.
    pub fn queued(id: i64, new: NewSubmission) -> Submission {
        Submission {
            id,
            token: new.token,
            source_code: new.source_code,
            language_id: new.language_id,
            stdin: new.stdin,
            expected_output: new.expected_output,
            number_of_runs: new.number_of_runs,
            cpu_time_limit: new.cpu_time_limit,
            cpu_extra_time: new.cpu_extra_time,
            wall_time_limit: new.wall_time_limit,
            memory_limit: new.memory_limit,
            stack_limit: new.stack_limit,
            max_processes_and_or_threads: new.max_processes_and_or_threads,
            enable_per_process_and_thread_time_limit: new.enable_per_process_and_thread_time_limit,
            enable_per_process_and_thread_memory_limit: new
                .enable_per_process_and_thread_memory_limit,
            max_file_size: new.max_file_size,
            compiler_options: new.compiler_options,
            command_line_arguments: new.command_line_arguments,
            redirect_stderr_to_stdout: new.redirect_stderr_to_stdout,
            callback_url: new.callback_url,
            additional_files: new.additional_files,
            enable_network: new.enable_network,
            created_at: new.created_at,
            status_id: STATUS_IN_QUEUE,
            stdout: None,
            stderr: None,
            compile_output: None,
            time: None,
            wall_time: None,
            memory: None,
            exit_code: None,
            exit_signal: None,
            message: None,
            finished_at: None,
        }
    }

    /// Whether judging is over (status 3 or more): the row may be deleted or purged.
    pub fn is_finished(&self) -> bool {
        self.status_id >= FIRST_FINAL_STATUS
    }
}

/// What Judge0's `/statistics` reports, counted by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Statistics {
    /// Every stored submission.
    pub total: u64,
    /// Submissions created since the start of today (UTC).
    pub today: u64,
    /// `("YYYY-MM-DD", count)` for each of the 30 UTC days before today that has
    /// submissions, newest first (Judge0 groups by day, so empty days are absent).
    pub last_30_days: Vec<(String, u64)>,
    /// `(language_id, count)`, largest count first (ties by id).
    pub languages: Vec<(u32, u64)>,
    /// `(status_id, count)`, largest count first (ties by id).
    pub statuses: Vec<(u8, u64)>,
    /// Bytes the database takes on disk.
    pub database_size: u64,
}
