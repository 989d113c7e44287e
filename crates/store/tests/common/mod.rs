//! Submissions to store in tests.
#![allow(dead_code)] // each test file uses its own subset

use judgebox_store::{NewSubmission, Outcome, Timestamp};

/// A token shaped like Judge0's (UUID v4 text), unique per `n`.
pub fn token(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// A submission with Judge0's defaults and nothing optional.
pub fn plain(token: &str, created_at: i64) -> NewSubmission {
    NewSubmission {
        token: token.to_owned(),
        source_code: Some(b"print(1)".to_vec()),
        language_id: 71,
        stdin: None,
        expected_output: None,
        number_of_runs: 1,
        cpu_time_limit: 5.0,
        cpu_extra_time: 1.0,
        wall_time_limit: 10.0,
        memory_limit: 128_000,
        stack_limit: 64_000,
        max_processes_and_or_threads: 60,
        enable_per_process_and_thread_time_limit: false,
        enable_per_process_and_thread_memory_limit: false,
        max_file_size: 1024,
        compiler_options: None,
        command_line_arguments: None,
        redirect_stderr_to_stdout: false,
        callback_url: None,
        additional_files: None,
        enable_network: false,
        created_at: Timestamp(created_at),
    }
}

/// An Accepted outcome with every field set.
pub fn accepted(finished_at: i64) -> Outcome {
    Outcome {
        status_id: 3,
        stdout: Some(b"1\n".to_vec()),
        stderr: Some(Vec::new()),
        compile_output: None,
        time: Some(0.012),
        wall_time: Some(0.034),
        memory: Some(3_456),
        exit_code: Some(0),
        exit_signal: None,
        message: None,
        finished_at: Some(Timestamp(finished_at)),
    }
}
