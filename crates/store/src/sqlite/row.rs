//! Between [`Submission`] and a SQLite row: the column list, the statements that name every
//! column, and checked conversions (SQLite stores integers as `i64`).

use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite};

use crate::{NewSubmission, Outcome, StoreError, Submission, Timestamp};

/// Every column of `submissions`, in Judge0's order after the id. A macro so that statements
/// can be built with `concat!` and stay `&'static str` (sqlx's guard against injected SQL).
macro_rules! columns {
    () => {
        "id, token, source_code, language_id, stdin, expected_output, number_of_runs, \
         cpu_time_limit, cpu_extra_time, wall_time_limit, memory_limit, stack_limit, \
         max_processes_and_or_threads, enable_per_process_and_thread_time_limit, \
         enable_per_process_and_thread_memory_limit, max_file_size, compiler_options, \
         command_line_arguments, redirect_stderr_to_stdout, callback_url, additional_files, \
         enable_network, created_at, status_id, stdout, stderr, compile_output, time, \
         wall_time, memory, exit_code, exit_signal, message, finished_at"
    };
}

pub(crate) const SELECT_BY_TOKEN: &str =
    concat!("SELECT ", columns!(), " FROM submissions WHERE token = $1");
pub(crate) const SELECT_BY_ID: &str =
    concat!("SELECT ", columns!(), " FROM submissions WHERE id = $1");
pub(crate) const SELECT_PAGE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM submissions ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2"
);
pub(crate) const DELETE_BY_TOKEN: &str = concat!(
    "DELETE FROM submissions WHERE token = $1 RETURNING ",
    columns!()
);

pub(crate) const INSERT: &str = "INSERT INTO submissions (token, source_code, language_id, \
     stdin, expected_output, number_of_runs, cpu_time_limit, cpu_extra_time, wall_time_limit, \
     memory_limit, stack_limit, max_processes_and_or_threads, \
     enable_per_process_and_thread_time_limit, enable_per_process_and_thread_memory_limit, \
     max_file_size, compiler_options, command_line_arguments, redirect_stderr_to_stdout, \
     callback_url, additional_files, enable_network, created_at, status_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
     $19, $20, $21, $22, 1) RETURNING id";

pub(crate) const FINISH: &str = "UPDATE submissions SET status_id = $2, stdout = $3, \
     stderr = $4, compile_output = $5, time = $6, wall_time = $7, memory = $8, exit_code = $9, \
     exit_signal = $10, message = $11, finished_at = $12 WHERE id = $1";

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

/// `INSERT` with every input column bound.
pub(crate) fn insert(sub: &NewSubmission) -> Result<Query<'_>, StoreError> {
    Ok(sqlx::query(INSERT)
        .bind(sub.token.as_str())
        .bind(sub.source_code.as_deref())
        .bind(i64::from(sub.language_id))
        .bind(sub.stdin.as_deref())
        .bind(sub.expected_output.as_deref())
        .bind(i64::from(sub.number_of_runs))
        .bind(sub.cpu_time_limit)
        .bind(sub.cpu_extra_time)
        .bind(sub.wall_time_limit)
        .bind(to_i64("memory_limit", sub.memory_limit)?)
        .bind(to_i64("stack_limit", sub.stack_limit)?)
        .bind(i64::from(sub.max_processes_and_or_threads))
        .bind(sub.enable_per_process_and_thread_time_limit)
        .bind(sub.enable_per_process_and_thread_memory_limit)
        .bind(to_i64("max_file_size", sub.max_file_size)?)
        .bind(sub.compiler_options.as_deref())
        .bind(sub.command_line_arguments.as_deref())
        .bind(sub.redirect_stderr_to_stdout)
        .bind(sub.callback_url.as_deref())
        .bind(sub.additional_files.as_deref())
        .bind(sub.enable_network)
        .bind(sub.created_at.as_millis()))
}

/// `UPDATE … WHERE id = $1` with the outcome bound.
pub(crate) fn finish(id: i64, out: &Outcome) -> Result<Query<'_>, StoreError> {
    let memory = out.memory.map(|m| to_i64("memory", m)).transpose()?;
    Ok(sqlx::query(FINISH)
        .bind(id)
        .bind(i64::from(out.status_id))
        .bind(out.stdout.as_deref())
        .bind(out.stderr.as_deref())
        .bind(out.compile_output.as_deref())
        .bind(out.time)
        .bind(out.wall_time)
        .bind(memory)
        .bind(out.exit_code)
        .bind(out.exit_signal)
        .bind(out.message.as_deref())
        .bind(out.finished_at.map(Timestamp::as_millis)))
}

fn to_i64(field: &'static str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange {
        field,
        value: value.to_string(),
    })
}

/// A row of `columns!()` as a [`Submission`]; a value its field cannot hold is `Corrupt`.
pub(crate) fn submission(row: &SqliteRow) -> Result<Submission, StoreError> {
    let id: i64 = row.try_get("id").map_err(|e| StoreError::Corrupt {
        id: 0,
        detail: format!("id: {e}"),
    })?;
    let r = Fields { row, id };
    Ok(Submission {
        id,
        token: r.get("token")?,
        source_code: r.get("source_code")?,
        language_id: r.int("language_id")?,
        stdin: r.get("stdin")?,
        expected_output: r.get("expected_output")?,
        number_of_runs: r.int("number_of_runs")?,
        cpu_time_limit: r.get("cpu_time_limit")?,
        cpu_extra_time: r.get("cpu_extra_time")?,
        wall_time_limit: r.get("wall_time_limit")?,
        memory_limit: r.int("memory_limit")?,
        stack_limit: r.int("stack_limit")?,
        max_processes_and_or_threads: r.int("max_processes_and_or_threads")?,
        enable_per_process_and_thread_time_limit: r
            .get("enable_per_process_and_thread_time_limit")?,
        enable_per_process_and_thread_memory_limit: r
            .get("enable_per_process_and_thread_memory_limit")?,
        max_file_size: r.int("max_file_size")?,
        compiler_options: r.get("compiler_options")?,
        command_line_arguments: r.get("command_line_arguments")?,
        redirect_stderr_to_stdout: r.get("redirect_stderr_to_stdout")?,
        callback_url: r.get("callback_url")?,
        additional_files: r.get("additional_files")?,
        enable_network: r.get("enable_network")?,
        created_at: Timestamp(r.get("created_at")?),
        status_id: r.int("status_id")?,
        stdout: r.get("stdout")?,
        stderr: r.get("stderr")?,
        compile_output: r.get("compile_output")?,
        time: r.get("time")?,
        wall_time: r.get("wall_time")?,
        memory: r.opt_int("memory")?,
        exit_code: r.opt_int("exit_code")?,
        exit_signal: r.opt_int("exit_signal")?,
        message: r.get("message")?,
        finished_at: r.get::<Option<i64>>("finished_at")?.map(Timestamp),
    })
}

/// One row being read, with its id for error messages.
struct Fields<'r> {
    row: &'r SqliteRow,
    id: i64,
}

impl Fields<'_> {
    fn get<'r, T>(&'r self, column: &'static str) -> Result<T, StoreError>
    where
        T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
    {
        self.row.try_get(column).map_err(|e| StoreError::Corrupt {
            id: self.id,
            detail: format!("{column}: {e}"),
        })
    }

    fn int<T: TryFrom<i64>>(&self, column: &'static str) -> Result<T, StoreError> {
        let value: i64 = self.get(column)?;
        self.narrow(column, value)
    }

    fn opt_int<T: TryFrom<i64>>(&self, column: &'static str) -> Result<Option<T>, StoreError> {
        let value: Option<i64> = self.get(column)?;
        value.map(|v| self.narrow(column, v)).transpose()
    }

    fn narrow<T: TryFrom<i64>>(&self, column: &'static str, value: i64) -> Result<T, StoreError> {
        T::try_from(value).map_err(|_| StoreError::Corrupt {
            id: self.id,
            detail: format!("{column} = {value} is out of range"),
        })
    }
}
