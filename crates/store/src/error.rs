//! The store's one error type.

use std::path::PathBuf;
use std::sync::Arc;

/// The underlying cause of an error. Shared (`Arc`) because one failed group commit is
/// reported to every caller in the group, and kept as a trait object so that no backend's
/// types leak into the API.
pub type Cause = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in the store. A caller answers `DiskFull` and `Closed`
/// with 503 (try again later) and the rest with 500, except `DuplicateToken`, which is a
/// bug in whoever made the token.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created or inspected.
    #[error("cannot prepare data directory {path}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: Cause,
    },

    /// The database could not be opened or its schema applied.
    #[error("cannot open database {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: Cause,
    },

    /// The database was written by a newer judgebox, whose schema this one does not know.
    #[error("database {path} has schema version {found}; this judgebox knows up to {supported}")]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// A statement failed.
    #[error("database error while {what}")]
    Query {
        what: &'static str,
        #[source]
        source: Cause,
    },

    /// The disk (or the database's size limit) is full: nothing was written.
    #[error("disk full while {what}")]
    DiskFull {
        what: &'static str,
        #[source]
        source: Cause,
    },

    /// A submission with this token already exists; the whole `insert` call was undone.
    #[error("a submission with token {token} already exists")]
    DuplicateToken { token: String },

    /// `finish` named a row that does not exist.
    #[error("no submission with id {id}")]
    NoSuchSubmission { id: i64 },

    /// A value does not fit the column that stores it (for example a `u64` above `i64::MAX`).
    #[error("{field} value {value} is out of the storable range")]
    OutOfRange { field: &'static str, value: String },

    /// A stored row holds a value its type cannot: the file was edited or damaged.
    #[error("stored submission {id} is invalid: {detail}")]
    Corrupt { id: i64, detail: String },

    /// The store's writer has stopped (the store is closing, or the writer failed).
    #[error("the store is closed")]
    Closed,
}

impl StoreError {
    /// Whether the caller should answer "try again later" (HTTP 503) rather than 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::DiskFull { .. } | Self::Closed)
    }
}
