//! The SQLite schema, versioned with `PRAGMA user_version` so later versions can migrate.

use std::path::Path;

use sqlx::{Connection, SqliteConnection};

use crate::error::StoreError;

/// The schema version this code writes and understands.
pub(crate) const SCHEMA_VERSION: i64 = 1;
const SET_SCHEMA_VERSION: &str = "PRAGMA user_version = 1";

/// Version 1. Judge0's columns, bytes as BLOBs (raw, not base64), times as integer
/// milliseconds since the epoch, plus the row id. `AUTOINCREMENT` so that an id is never
/// reused after a delete: ids are queue order and may be held by the engine.
const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS submissions (
    id                                          INTEGER PRIMARY KEY AUTOINCREMENT,
    token                                       TEXT    NOT NULL UNIQUE,
    source_code                                 BLOB,
    language_id                                 INTEGER NOT NULL,
    stdin                                       BLOB,
    expected_output                             BLOB,
    number_of_runs                              INTEGER NOT NULL,
    cpu_time_limit                              REAL    NOT NULL,
    cpu_extra_time                              REAL    NOT NULL,
    wall_time_limit                             REAL    NOT NULL,
    memory_limit                                INTEGER NOT NULL,
    stack_limit                                 INTEGER NOT NULL,
    max_processes_and_or_threads                INTEGER NOT NULL,
    enable_per_process_and_thread_time_limit    BOOLEAN NOT NULL,
    enable_per_process_and_thread_memory_limit  BOOLEAN NOT NULL,
    max_file_size                               INTEGER NOT NULL,
    compiler_options                            TEXT,
    command_line_arguments                      TEXT,
    redirect_stderr_to_stdout                   BOOLEAN NOT NULL,
    callback_url                                TEXT,
    additional_files                            BLOB,
    enable_network                              BOOLEAN NOT NULL,
    created_at                                  INTEGER NOT NULL,
    status_id                                   INTEGER NOT NULL DEFAULT 1,
    stdout                                      BLOB,
    stderr                                      BLOB,
    compile_output                              BLOB,
    time                                        REAL,
    wall_time                                   REAL,
    memory                                      INTEGER,
    exit_code                                   INTEGER,
    exit_signal                                 INTEGER,
    message                                     TEXT,
    finished_at                                 INTEGER
);
-- The index page order, and the day ranges of /statistics.
CREATE INDEX IF NOT EXISTS submissions_by_created ON submissions (created_at, id);
-- Only the few unfinished rows: the queue length and the start-up scan stay cheap however
-- many finished rows there are. Queries must repeat `status_id < 3` to use it.
CREATE INDEX IF NOT EXISTS submissions_unfinished ON submissions (status_id, id) WHERE status_id < 3;
-- Retention finds old finished rows without reading the table.
CREATE INDEX IF NOT EXISTS submissions_by_finished ON submissions (finished_at) WHERE finished_at IS NOT NULL;
";

/// Creates or checks the schema on the write connection.
pub(crate) async fn apply(conn: &mut SqliteConnection, path: &Path) -> Result<(), StoreError> {
    let open_error = |source: sqlx::Error| StoreError::Open {
        path: path.to_owned(),
        source: std::sync::Arc::new(source),
    };
    let found: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *conn)
        .await
        .map_err(open_error)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    // found == 0: a new file (future versions migrate from `found` step by step here).
    let mut tx = conn.begin().await.map_err(open_error)?;
    sqlx::raw_sql(SCHEMA_V1)
        .execute(&mut *tx)
        .await
        .map_err(open_error)?;
    sqlx::raw_sql(SET_SCHEMA_VERSION)
        .execute(&mut *tx)
        .await
        .map_err(open_error)?;
    tx.commit().await.map_err(open_error)
}
