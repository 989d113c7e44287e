//! The embedded backend: one SQLite file in WAL mode, one writer task committing in groups
//! (see [`writer`]), and a small pool of read-only connections.

mod row;
mod schema;
mod writer;

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Connection, Row, SqliteConnection};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use self::writer::Write;
use crate::{
    NewSubmission, Outcome, Statistics, Store, StoreError, Submission, Timestamp, MILLIS_PER_DAY,
};

/// How long a statement waits for a lock held by another connection (another process
/// opening the same file, or a checkpoint) before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Read connections. Reads are short (single rows, one page, a few counts); on a 2-core
/// host more would only queue on the CPU.
const READERS: u32 = 4;
/// Writes that may wait for the writer before callers wait to send: several full groups.
const WRITE_QUEUE: usize = 4 * writer::MAX_GROUP;
/// SQLite's primary result code for "database or disk is full".
const SQLITE_FULL: i32 = 13;

/// The SQLite store: `judgebox.db` in a data directory. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    reads: SqlitePool,
    writes: mpsc::Sender<Write>,
    writer: JoinHandle<()>,
}

impl SqliteStore {
    /// The database file's name inside the data directory.
    pub const FILE_NAME: &'static str = "judgebox.db";

    /// Opens (creating if missing) `dir/judgebox.db`, creating `dir` with mode 0700 if
    /// missing, applies the schema and starts the writer task. Must be called inside a
    /// Tokio runtime.
    pub async fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, |options| options).await
    }

    /// `open`, with a last say over the write connection's options (tests use it to make
    /// the disk "full").
    async fn open_with(
        dir: &Path,
        tune_writer: impl FnOnce(SqliteConnectOptions) -> SqliteConnectOptions,
    ) -> Result<Self, StoreError> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| StoreError::DataDir {
                path: dir.to_owned(),
                source: Arc::new(e),
            })?;
        let path = dir.join(Self::FILE_NAME);
        let open_error = |e: sqlx::Error| StoreError::Open {
            path: path.clone(),
            source: Arc::new(e),
        };
        let common = SqliteConnectOptions::new()
            .filename(&path)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(false);
        // WAL: readers never block the writer nor it them. FULL: every commit fsyncs the
        // WAL, which is what makes a returned write durable.
        let write_options = tune_writer(
            common
                .clone()
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full),
        );
        let mut conn = SqliteConnection::connect_with(&write_options)
            .await
            .map_err(open_error)?;
        schema::apply(&mut conn, &path).await?;
        let reads = SqlitePoolOptions::new()
            .max_connections(READERS)
            .min_connections(0)
            .connect_with(common.read_only(true))
            .await
            .map_err(open_error)?;
        let (writes, queue) = mpsc::channel(WRITE_QUEUE);
        let writer = tokio::spawn(writer::run(conn, queue));
        tracing::debug!(path = %path.display(), "store opened");
        Ok(Self {
            path,
            reads,
            writes,
            writer,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the store: waits for the writes already sent, then closes every connection
    /// (the last one out checkpoints the WAL into the database file). Dropping the store
    /// does the same in the background.
    pub async fn close(self) {
        self.reads.close().await;
        drop(self.writes);
        if let Err(e) = self.writer.await {
            tracing::error!(error = %e, "the store's writer task failed");
        }
    }

    /// Sends a write to the writer and waits for its answer.
    async fn write<T>(
        &self,
        write: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> Write,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.writes
            .send(write(reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn fetch_one_row(
        &self,
        sql: &'static str,
        id: i64,
    ) -> Result<Option<Submission>, StoreError> {
        sqlx::query(sql)
            .bind(id)
            .fetch_optional(&self.reads)
            .await
            .map_err(|e| classify("reading a submission", e))?
            .map(|r| row::submission(&r))
            .transpose()
    }

    async fn count(&self, sql: &'static str, what: &'static str) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(sql)
            .fetch_one(&self.reads)
            .await
            .map_err(|e| classify(what, e))?;
        Ok(count(n))
    }

    /// Bytes on disk: the database file and its WAL (the shared-memory index is not data).
    fn database_size(&self) -> Result<u64, StoreError> {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        [self.path.as_path(), Path::new(&wal)]
            .into_iter()
            .map(|file| match std::fs::metadata(file) {
                Ok(meta) => Ok(meta.len()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
                Err(e) => Err(StoreError::DataDir {
                    path: file.to_owned(),
                    source: Arc::new(e),
                }),
            })
            .sum()
    }
}

/// A count from SQL (`COUNT(*)` is never negative).
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Maps a sqlx error to the store's: a full disk is `DiskFull`, anything else `Query`.
pub(crate) fn classify(what: &'static str, e: sqlx::Error) -> StoreError {
    let full = match &e {
        // sqlx gives SQLite's extended result code; its low byte is the primary code.
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| code & 0xff == SQLITE_FULL),
        _ => false,
    };
    let source = Arc::new(e);
    if full {
        StoreError::DiskFull { what, source }
    } else {
        StoreError::Query { what, source }
    }
}

fn rows(rows: Vec<SqliteRow>) -> Result<Vec<Submission>, StoreError> {
    rows.iter().map(row::submission).collect()
}

/// `(key, count)` pairs from a `GROUP BY` query, keys narrowed to `K`.
fn grouped<K: TryFrom<i64>>(
    rows: Vec<SqliteRow>,
    what: &'static str,
) -> Result<Vec<(K, u64)>, StoreError> {
    rows.iter()
        .map(|r| {
            let key: i64 = r.try_get(0).map_err(|e| classify(what, e))?;
            let n: i64 = r.try_get(1).map_err(|e| classify(what, e))?;
            let key = K::try_from(key).map_err(|_| StoreError::Corrupt {
                id: 0,
                detail: format!("{what}: group key {key} is out of range"),
            })?;
            Ok((key, count(n)))
        })
        .collect()
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn insert(&self, subs: Vec<NewSubmission>) -> Result<Vec<i64>, StoreError> {
        if subs.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|reply| Write::Insert(subs, reply)).await
    }

    async fn get(&self, token: &str) -> Result<Option<Submission>, StoreError> {
        sqlx::query(row::SELECT_BY_TOKEN)
            .bind(token)
            .fetch_optional(&self.reads)
            .await
            .map_err(|e| classify("reading a submission", e))?
            .map(|r| row::submission(&r))
            .transpose()
    }

    async fn get_many(&self, tokens: &[String]) -> Result<Vec<Option<Submission>>, StoreError> {
        // One read transaction: every row comes from the same snapshot.
        let what = "reading submissions";
        let mut tx = self.reads.begin().await.map_err(|e| classify(what, e))?;
        let mut found = Vec::with_capacity(tokens.len());
        for token in tokens {
            let row = sqlx::query(row::SELECT_BY_TOKEN)
                .bind(token.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| classify(what, e))?;
            found.push(row.map(|r| row::submission(&r)).transpose()?);
        }
        tx.rollback().await.map_err(|e| classify(what, e))?;
        Ok(found)
    }

    async fn get_by_id(&self, id: i64) -> Result<Option<Submission>, StoreError> {
        self.fetch_one_row(row::SELECT_BY_ID, id).await
    }

    async fn list(&self, page: u64, per_page: u64) -> Result<(Vec<Submission>, u64), StoreError> {
        let what = "listing submissions";
        let limit = i64::try_from(per_page).unwrap_or(i64::MAX);
        let offset = page.max(1).saturating_sub(1).saturating_mul(per_page);
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let mut tx = self.reads.begin().await.map_err(|e| classify(what, e))?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM submissions")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| classify(what, e))?;
        let page = if limit == 0 {
            Vec::new()
        } else {
            sqlx::query(row::SELECT_PAGE)
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *tx)
                .await
                .map_err(|e| classify(what, e))?
        };
        tx.rollback().await.map_err(|e| classify(what, e))?;
        Ok((rows(page)?, count(total)))
    }

    async fn delete(&self, token: &str) -> Result<Option<Submission>, StoreError> {
        let token = token.to_owned();
        self.write(|reply| Write::Delete(token, reply)).await
    }

    async fn start(&self, id: i64) -> Result<bool, StoreError> {
        self.write(|reply| Write::Start(id, reply)).await
    }

    async fn finish(&self, id: i64, outcome: Outcome) -> Result<(), StoreError> {
        self.write(|reply| Write::Finish(id, Box::new(outcome), reply))
            .await
    }

    async fn unfinished(&self) -> Result<Vec<i64>, StoreError> {
        // Sorted here: with `ORDER BY id` SQLite prefers walking the whole table in id
        // order to reading the small partial index and sorting.
        let mut ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM submissions WHERE status_id < 3")
                .fetch_all(&self.reads)
                .await
                .map_err(|e| classify("listing unfinished submissions", e))?;
        ids.sort_unstable();
        Ok(ids)
    }

    async fn requeue_processing(&self) -> Result<u64, StoreError> {
        self.write(Write::Requeue).await
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        self.write(|reply| Write::Purge(cutoff, reply)).await
    }

    async fn statistics(&self, now: Timestamp) -> Result<Statistics, StoreError> {
        let what = "counting submissions";
        let today = now.start_of_utc_day().as_millis();
        let month_ago = today - 30 * MILLIS_PER_DAY;
        let mut tx = self.reads.begin().await.map_err(|e| classify(what, e))?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM submissions")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| classify(what, e))?;
        let today_count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM submissions WHERE created_at >= $1")
                .bind(today)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| classify(what, e))?;
        // Integer division by the day length gives the UTC day number, in SQLite and
        // PostgreSQL alike.
        let days = sqlx::query(
            "SELECT created_at / 86400000 AS day, COUNT(*) AS n FROM submissions \
             WHERE created_at >= $1 AND created_at < $2 GROUP BY day ORDER BY day DESC",
        )
        .bind(month_ago)
        .bind(today)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| classify(what, e))?;
        let languages = sqlx::query(
            "SELECT language_id, COUNT(*) AS n FROM submissions \
             GROUP BY language_id ORDER BY n DESC, language_id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| classify(what, e))?;
        let statuses = sqlx::query(
            "SELECT status_id, COUNT(*) AS n FROM submissions \
             GROUP BY status_id ORDER BY n DESC, status_id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| classify(what, e))?;
        tx.rollback().await.map_err(|e| classify(what, e))?;
        Ok(Statistics {
            total: count(total),
            today: count(today_count),
            last_30_days: grouped::<i64>(days, what)?
                .into_iter()
                .map(|(day, n)| (crate::timestamp::format_day(day), n))
                .collect(),
            languages: grouped(languages, what)?,
            statuses: grouped(statuses, what)?,
            database_size: self.database_size()?,
        })
    }

    async fn queue_len(&self) -> Result<u64, StoreError> {
        self.count(
            "SELECT COUNT(*) FROM submissions WHERE status_id < 3 AND status_id = 1",
            "counting the queue",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(token: &str, source_len: usize) -> NewSubmission {
        NewSubmission {
            token: token.to_owned(),
            source_code: Some(vec![b'x'; source_len]),
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
            created_at: Timestamp::now(),
        }
    }

    #[tokio::test]
    async fn a_full_disk_is_its_own_error_and_the_store_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        // `max_page_count` makes SQLite answer SQLITE_FULL as a full disk would.
        let store = SqliteStore::open_with(dir.path(), |o| o.pragma("max_page_count", "64"))
            .await
            .unwrap();
        let store = Arc::new(store);
        // A huge row and small ones in the same group: the huge one fails alone or the
        // group fails as a whole, but nothing half-written is left and nothing panics.
        let huge = {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.insert(vec![sub("huge", 1 << 20)]).await })
        };
        let small: Vec<_> = (0..8)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(
                    async move { store.insert(vec![sub(&format!("small-{i}"), 10)]).await },
                )
            })
            .collect();
        let error = huge.await.unwrap().unwrap_err();
        assert!(matches!(error, StoreError::DiskFull { .. }), "{error:?}");
        assert!(error.is_unavailable());
        for (i, task) in small.into_iter().enumerate() {
            let stored = store.get(&format!("small-{i}")).await.unwrap().is_some();
            match task.await.unwrap() {
                Ok(_) => assert!(stored),
                Err(e) => assert!(matches!(e, StoreError::DiskFull { .. }) && !stored, "{e:?}"),
            }
        }
        assert_eq!(store.get("huge").await.unwrap(), None);
        store.insert(vec![sub("after", 10)]).await.unwrap();
    }

    #[tokio::test]
    async fn a_stopped_writer_gives_closed() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        store.writer.abort();
        while !store.writer.is_finished() {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            store.insert(vec![sub("a", 1)]).await,
            Err(StoreError::Closed)
        ));
        assert!(matches!(store.start(1).await, Err(StoreError::Closed)));
        // Reads do not need the writer.
        assert_eq!(store.queue_len().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        SqliteStore::open(dir.path()).await.unwrap().close().await;
        let path = dir.path().join(SqliteStore::FILE_NAME);
        let mut conn = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&path))
            .await
            .unwrap();
        sqlx::raw_sql("PRAGMA user_version = 99")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        match SqliteStore::open(dir.path()).await {
            Err(StoreError::SchemaTooNew {
                found: 99,
                supported: 1,
                ..
            }) => {}
            other => panic!("opening a newer schema gave {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_file_is_in_wal_mode_at_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&store.reads)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let version: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&store.reads)
            .await
            .unwrap();
        assert_eq!(version, schema::SCHEMA_VERSION);
    }
}
