//! `judgebox run --json`: the object Judge0 returns for `fields=*`, texts as plain text.

use judgebox_api::format::{render, Fields, SubmissionView};
use judgebox_engine::{Job, Language, Verdict};

pub fn submission_json(job: &Job, verdict: &Verdict, language: &Language) -> serde_json::Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let l = &job.limits;
    let mut view = SubmissionView {
        source_code: job.source_code.clone(),
        language_id: language.id(),
        language_name: language.name.clone(),
        stdin: job.stdin.clone(),
        expected_output: job.expected_output.clone(),
        stdout: verdict.stdout.clone(),
        status: Some(verdict.status),
        created_at: now,
        finished_at: Some(now),
        time: verdict.time,
        memory: verdict.memory,
        stderr: verdict.stderr.clone(),
        token: uuid::Uuid::new_v4().to_string(),
        number_of_runs: job.number_of_runs,
        cpu_time_limit: l.cpu_time_limit,
        cpu_extra_time: l.cpu_extra_time,
        wall_time_limit: l.wall_time_limit,
        memory_limit: l.memory_limit,
        stack_limit: l.stack_limit,
        max_processes_and_or_threads: l.max_processes_and_or_threads,
        enable_per_process_and_thread_time_limit: l.enable_per_process_and_thread_time_limit,
        enable_per_process_and_thread_memory_limit: l.enable_per_process_and_thread_memory_limit,
        max_file_size: l.max_file_size,
        compile_output: verdict.compile_output.clone(),
        exit_code: verdict.exit_code,
        exit_signal: verdict.exit_signal,
        message: verdict.message.clone(),
        wall_time: verdict.wall_time,
        compiler_options: job.compiler_options.clone(),
        command_line_arguments: job.command_line_arguments.clone(),
        redirect_stderr_to_stdout: job.redirect_stderr_to_stdout,
        callback_url: None,
        additional_files: job.additional_files.clone(),
        enable_network: job.enable_network,
    };
    if let Ok(value) = render(&view, Fields::all(), false) {
        return value;
    }
    // Plain text for a terminal: bytes that are not UTF-8 become U+FFFD.
    for text in [
        &mut view.source_code,
        &mut view.stdin,
        &mut view.expected_output,
        &mut view.stdout,
        &mut view.stderr,
        &mut view.compile_output,
    ] {
        if let Some(bytes) = text.as_mut() {
            *bytes = String::from_utf8_lossy(bytes).into_owned().into_bytes();
        }
    }
    render(&view, Fields::all(), false).expect("every text is UTF-8 now")
}
