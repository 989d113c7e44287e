//! The writer task: the only holder of the write connection, committing writes in groups.
//!
//! Each round takes every write waiting in the channel (up to [`MAX_GROUP`]), opens one
//! `BEGIN IMMEDIATE` transaction, runs the writes one after the other, commits, and only
//! then answers the callers. A write that fails is undone alone and answered with its
//! error while the others go on: a one-statement write is atomic by itself, and the few
//! writes of several steps run in a savepoint (savepoints for every write would cost two
//! more round trips to SQLite's thread each). If the commit itself fails, or a failure may
//! have left the transaction unusable (SQLite rolls back the whole transaction on some
//! errors, such as a full disk), nothing of the group was written and every caller in it
//! gets that error.

use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use super::{classify, row};
use crate::{NewSubmission, Outcome, StoreError, Submission, Timestamp};

/// The most writes one transaction carries: bounds the latency a large group adds to its
/// first caller, and the work redone if the commit fails.
pub(crate) const MAX_GROUP: usize = 256;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// One write, as sent to the writer, with where to send its answer.
pub(crate) enum Write {
    Insert(Vec<NewSubmission>, Reply<Vec<i64>>),
    Start(i64, Reply<bool>),
    Finish(i64, Box<Outcome>, Reply<()>),
    Delete(String, Reply<Option<Submission>>),
    Requeue(Reply<u64>),
    Purge(Timestamp, Reply<u64>),
}

impl Write {
    /// Whether this write can fail after changing something, so that it must run in a
    /// savepoint to be undone alone: an insert of several rows (a later row's duplicate
    /// token undoes the earlier ones), or a delete (the row is gone before it is decoded).
    /// Every other write is one statement, which SQLite makes atomic by itself.
    fn needs_savepoint(&self) -> bool {
        match self {
            Write::Insert(subs, _) => subs.len() > 1,
            Write::Delete(..) => true,
            Write::Start(..) | Write::Finish(..) | Write::Requeue(..) | Write::Purge(..) => false,
        }
    }
}

impl StoreError {
    /// Whether a single-statement write that failed with this error left the group's
    /// transaction as it was. A constraint violation only aborts its statement (SQLite's
    /// default ABORT resolution), and our own checks fail before or after the statement
    /// without changing anything; any other database error (full disk, I/O, busy) may have
    /// rolled back the whole transaction, so the group fails with it.
    fn leaves_transaction_intact(&self) -> bool {
        matches!(
            self,
            StoreError::DuplicateToken { .. }
                | StoreError::OutOfRange { .. }
                | StoreError::NoSuchSubmission { .. }
        )
    }
}

/// An answer held back until the group's commit decides it.
type Held = Box<dyn FnOnce(Option<&StoreError>) + Send>;

/// Holds `result` for `reply`: if the commit fails, a successful result becomes the
/// commit's error (a failed one keeps its own error: it was not written either way).
fn hold<T: Send + 'static>(reply: Reply<T>, result: Result<T, StoreError>) -> Held {
    Box::new(move |commit_error| {
        let answer = match commit_error {
            Some(e) => Err(result.err().unwrap_or_else(|| e.clone())),
            None => result,
        };
        // A caller that stopped waiting has dropped its receiver; nothing to tell it.
        let _ = reply.send(answer);
    })
}

/// Runs until every sender is gone, then closes the connection (which checkpoints the WAL).
pub(crate) async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Write>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
        tracing::trace!(writes = group.len(), "group commit");
        commit_group(&mut conn, group.drain(..)).await;
    }
    if let Err(e) = conn.close().await {
        tracing::warn!(error = %e, "closing the store's write connection");
    }
}

async fn commit_group(conn: &mut SqliteConnection, writes: impl IntoIterator<Item = Write>) {
    let mut held: Vec<Held> = Vec::with_capacity(MAX_GROUP);
    let mut writes = writes.into_iter();
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE", "beginning a write transaction").await {
        return fail_all(held, writes, &e);
    }
    while let Some(write) = writes.next() {
        let savepoint = write.needs_savepoint();
        if savepoint {
            if let Err(e) = exec(conn, "SAVEPOINT one_write", "opening a savepoint").await {
                held.push(refuse(write));
                return abort(conn, held, writes, e).await;
            }
        }
        let (answer, failure) = apply(conn, write).await;
        held.push(answer);
        let close = match (failure, savepoint) {
            (None, false) => Ok(()),
            (None, true) => exec(conn, "RELEASE one_write", "releasing a savepoint").await,
            // If the savepoint is gone, the failure took the whole transaction with it
            // (SQLite does that for a full disk, for one): the group fails with its cause.
            (Some(cause), true) => rollback_to_savepoint(conn).await.map_err(|_| cause),
            // SQLite undid the failed statement alone, or it never ran.
            (Some(cause), false) if cause.leaves_transaction_intact() => Ok(()),
            (Some(cause), false) => Err(cause),
        };
        if let Err(e) = close {
            return abort(conn, held, writes, e).await;
        }
    }
    match exec(conn, "COMMIT", "committing writes").await {
        Ok(()) => held.into_iter().for_each(|answer| answer(None)),
        Err(e) => abort(conn, held, std::iter::empty(), e).await,
    }
}

/// Undoes a failed write; an error here means the transaction itself is gone.
async fn rollback_to_savepoint(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    exec(conn, "ROLLBACK TO one_write", "rolling back a failed write").await?;
    exec(conn, "RELEASE one_write", "releasing a savepoint").await
}

/// Rolls the whole group back and answers everyone with `error`.
async fn abort(
    conn: &mut SqliteConnection,
    held: Vec<Held>,
    rest: impl Iterator<Item = Write>,
    error: StoreError,
) {
    tracing::error!(error = %error, "store write group failed; rolled back");
    // Fails harmlessly when SQLite has already rolled the transaction back.
    let _ = exec(conn, "ROLLBACK", "rolling back").await;
    fail_all(held, rest, &error);
}

fn fail_all(held: Vec<Held>, rest: impl Iterator<Item = Write>, error: &StoreError) {
    for answer in held.into_iter().chain(rest.map(refuse)) {
        answer(Some(error));
    }
}

/// A write that never ran: its caller gets the group's error.
fn refuse(write: Write) -> Held {
    fn fail<T: Send + 'static>(reply: Reply<T>) -> Held {
        Box::new(move |error| {
            let _ = reply.send(Err(error.cloned().unwrap_or(StoreError::Closed)));
        })
    }
    match write {
        Write::Insert(_, reply) => fail(reply),
        Write::Start(_, reply) => fail(reply),
        Write::Finish(_, _, reply) => fail(reply),
        Write::Delete(_, reply) => fail(reply),
        Write::Requeue(reply) => fail(reply),
        Write::Purge(_, reply) => fail(reply),
    }
}

/// Runs one write; returns its held answer and, if it failed, why.
async fn apply(conn: &mut SqliteConnection, write: Write) -> (Held, Option<StoreError>) {
    match write {
        Write::Insert(subs, reply) => {
            let result = insert(conn, &subs).await;
            ran(reply, result)
        }
        Write::Start(id, reply) => {
            let result =
                sqlx::query("UPDATE submissions SET status_id = 2 WHERE id = $1 AND status_id = 1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map(|done| done.rows_affected() == 1)
                    .map_err(|e| classify("starting a submission", e));
            ran(reply, result)
        }
        Write::Finish(id, outcome, reply) => {
            let result = finish(conn, id, &outcome).await;
            ran(reply, result)
        }
        Write::Delete(token, reply) => {
            let result = delete(conn, &token).await;
            ran(reply, result)
        }
        Write::Requeue(reply) => {
            let result = sqlx::query(
                "UPDATE submissions SET status_id = 1 WHERE status_id < 3 AND status_id = 2",
            )
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected())
            .map_err(|e| classify("requeueing submissions", e));
            ran(reply, result)
        }
        Write::Purge(cutoff, reply) => {
            let result = purge(conn, cutoff).await;
            ran(reply, result)
        }
    }
}

/// The held answer of a write that has run, and its error if it failed.
fn ran<T: Send + 'static>(
    reply: Reply<T>,
    result: Result<T, StoreError>,
) -> (Held, Option<StoreError>) {
    let failure = result.as_ref().err().cloned();
    (hold(reply, result), failure)
}

async fn insert(
    conn: &mut SqliteConnection,
    subs: &[NewSubmission],
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(subs.len());
    for sub in subs {
        let id: i64 = row::insert(sub)?
            .fetch_one(&mut *conn)
            .await
            .and_then(|r| sqlx::Row::try_get(&r, 0))
            .map_err(|e| match e {
                sqlx::Error::Database(ref db) if db.is_unique_violation() => {
                    StoreError::DuplicateToken {
                        token: sub.token.clone(),
                    }
                }
                e => classify("inserting a submission", e),
            })?;
        ids.push(id);
    }
    Ok(ids)
}

async fn finish(conn: &mut SqliteConnection, id: i64, outcome: &Outcome) -> Result<(), StoreError> {
    let done = row::finish(id, outcome)?
        .execute(&mut *conn)
        .await
        .map_err(|e| classify("finishing a submission", e))?;
    match done.rows_affected() {
        0 => Err(StoreError::NoSuchSubmission { id }),
        _ => Ok(()),
    }
}

async fn delete(
    conn: &mut SqliteConnection,
    token: &str,
) -> Result<Option<Submission>, StoreError> {
    sqlx::query(row::DELETE_BY_TOKEN)
        .bind(token)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| classify("deleting a submission", e))?
        .map(|r| row::submission(&r))
        .transpose()
}

async fn purge(conn: &mut SqliteConnection, cutoff: Timestamp) -> Result<u64, StoreError> {
    // Only rows that still hold something, so the count is what this call cleared.
    sqlx::query(
        "UPDATE submissions SET source_code = NULL, stdin = NULL, expected_output = NULL, \
         stdout = NULL, stderr = NULL, compile_output = NULL, additional_files = NULL, \
         command_line_arguments = NULL, compiler_options = NULL \
         WHERE finished_at < $1 AND status_id >= 3 AND (source_code IS NOT NULL \
         OR stdin IS NOT NULL OR expected_output IS NOT NULL OR stdout IS NOT NULL \
         OR stderr IS NOT NULL OR compile_output IS NOT NULL OR additional_files IS NOT NULL \
         OR command_line_arguments IS NOT NULL OR compiler_options IS NOT NULL)",
    )
    .bind(cutoff.as_millis())
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected())
    .map_err(|e| classify("purging old submissions", e))
}

async fn exec(
    conn: &mut SqliteConnection,
    sql: &'static str,
    what: &'static str,
) -> Result<(), StoreError> {
    sqlx::raw_sql(sql)
        .execute(&mut *conn)
        .await
        .map(drop)
        .map_err(|e| classify(what, e))
}
