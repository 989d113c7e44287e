//! Judging: turns a submission into a Judge0 verdict.
//!
//! The engine reaches the sandbox only through `judgebox-jail` processes, one per worker
//! slot ([`JailPool`]); it never forks a box itself, so its many threads never meet a
//! `clone`. For each [`Job`] it leases a jail, resets the box, writes the source (and the
//! unpacked `additional_files`), runs the language's compile steps with the compile limits,
//! runs the program `number_of_runs` times with the submission's limits, and rules on what
//! the jail reports ([`rules`]): precise statuses (a segfault is 7, not NZEC), Judge0's
//! output comparison, times averaged over the runs. A fault of the engine itself is the
//! verdict Internal Error, never a panic.
//!
//! [`judge`] does the same in a box its caller brings ([`JudgeBox`]): the one-shot
//! `judgebox run` answers the jail's requests with a slot of its own single-threaded
//! process, through the jail's own request handler.
//!
//! [`Queue`] carries stored submissions to one worker per jail and stores each verdict; it
//! knows the store, never HTTP.
#![forbid(unsafe_code)]

mod catalog;
pub mod files;
mod jail;
mod job;
mod judge;
mod pool;
mod queue;
pub mod reaper;
pub mod rules;
mod versions;

pub use catalog::{Catalog, Language};
pub use jail::{Jail, JailCommand, JailError};
pub use job::{Job, JobLimits, Verdict};
pub use judge::{judge, Engine, EngineConfig, JudgeBox, COMPILE_LIMITS};
pub use pool::{JailPool, Lease, SlotPlan};
pub use queue::{job_of, outcome_of, OnFinished, Queue, QueueStats};
pub use versions::{VersionCache, DEFAULT_VERSION_CACHE};
