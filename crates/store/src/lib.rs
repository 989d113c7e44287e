//! Persistence of submissions: every submission judgebox accepts is a row here, from the
//! moment the API hands out its token, through In Queue (1) and Processing (2), to its final
//! status and outcome. Callers see one backend-neutral async trait, [`Store`], used as
//! `Arc<dyn Store>`; [`SqliteStore`] is the embedded default (one file, `judgebox.db`, in a
//! data directory), and PostgreSQL will sit behind the same trait so that several hosts can
//! share one store.
//!
//! **Batching.** Writes are batched so that the store is never the bottleneck: one writer
//! task owns the only write connection, and callers send it their write (insert, start,
//! finish, delete, requeue, purge) over a channel with a one-shot reply. The writer takes
//! everything pending, up to a bound, runs it in *one* transaction (each write in its own
//! savepoint, so one failing write, such as a duplicate token, undoes only itself), commits
//! once, and only then answers every caller in the group. One fsync thus covers as many
//! writes as arrived while the previous one was in flight: a group commit. Reads never wait
//! for the writer: they use a separate pool of connections, which WAL mode lets read
//! concurrently with the writer, each seeing the last committed state.
//!
//! **Durability.** When a write returns `Ok`, its transaction is committed and the WAL is
//! fsynced (`journal_mode=WAL`, `synchronous=FULL`): the row survives a crash of the process
//! or of the machine. The API hands out a token only after `insert` returns, so a token a
//! client holds always names a stored submission. If a caller drops a write's future before
//! it completes, the write may still be committed (it is already in the writer's hands).
//!
//! After a crash, rows left In Queue or Processing are found again with
//! [`Store::requeue_processing`] and [`Store::unfinished`].
#![forbid(unsafe_code)]

mod error;
mod model;
mod sqlite;
mod timestamp;

pub use error::{Cause, StoreError};
pub use model::{
    NewSubmission, Outcome, Statistics, Submission, FIRST_FINAL_STATUS, STATUS_IN_QUEUE,
    STATUS_PROCESSING,
};
pub use sqlite::SqliteStore;
pub use timestamp::{Timestamp, MILLIS_PER_DAY};

/// Submissions' persistence, the same for every backend. Writes are durable when they return
/// (see the crate documentation); reads see every write that has returned.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// Stores new submissions In Queue (status 1), all or none, and returns their ids in
    /// order. A token that already exists fails the call with [`StoreError::DuplicateToken`].
    async fn insert(&self, subs: Vec<NewSubmission>) -> Result<Vec<i64>, StoreError>;

    /// The submission with this token.
    async fn get(&self, token: &str) -> Result<Option<Submission>, StoreError>;

    /// The submissions with these tokens, in request order; `None` for an unknown token.
    async fn get_many(&self, tokens: &[String]) -> Result<Vec<Option<Submission>>, StoreError>;

    /// The submission with this row id.
    async fn get_by_id(&self, id: i64) -> Result<Option<Submission>, StoreError>;

    /// One page of submissions, newest first (`created_at` descending, then id descending),
    /// and the total count. Pages count from 1, as Judge0's `page` parameter does; page 0 is
    /// read as page 1.
    async fn list(&self, page: u64, per_page: u64) -> Result<(Vec<Submission>, u64), StoreError>;

    /// Deletes the submission with this token and returns it as it was. It deletes whatever
    /// the status: Judge0's rule that only finished rows may be deleted is the caller's to
    /// check first (a status only moves forward, so a row seen finished stays finished).
    async fn delete(&self, token: &str) -> Result<Option<Submission>, StoreError>;

    /// Moves the row from In Queue (1) to Processing (2). Returns false if it was not In
    /// Queue (already taken, finished or deleted), so two workers never judge one row.
    async fn start(&self, id: i64) -> Result<bool, StoreError>;

    /// Writes the outcome of judging, including its final status (3 to 14).
    async fn finish(&self, id: i64, outcome: Outcome) -> Result<(), StoreError>;

    /// Ids of every row In Queue or Processing, ascending (queue order).
    async fn unfinished(&self) -> Result<Vec<i64>, StoreError>;

    /// Puts every Processing row back In Queue and returns how many there were. At start-up,
    /// before any worker runs, this takes back what a crash left half-judged.
    async fn requeue_processing(&self) -> Result<u64, StoreError>;

    /// Retention: for finished rows whose `finished_at` is before `cutoff`, clears the
    /// submitted and produced contents (source, stdin, expected output, stdout, stderr,
    /// compile output, additional files, arguments, compiler options). The row, its status
    /// and figures stay, so tokens and statistics still work. Returns the rows cleared.
    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, StoreError>;

    /// Counts for Judge0's `/statistics`, with "today" taken from `now`.
    async fn statistics(&self, now: Timestamp) -> Result<Statistics, StoreError>;

    /// How many rows are In Queue.
    async fn queue_len(&self) -> Result<u64, StoreError>;
}
