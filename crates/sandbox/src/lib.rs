//! judgebox's isolation core: run one untrusted program in a box and measure it.
//!
//! A [`Slot`] is one worker's pooled resources — an unprivileged uid, a cgroup, an empty
//! network namespace with loopback, a box directory — owned by exactly one single-threaded
//! jail process. [`Slot::run`] builds a fresh box for every run:
//!
//! - new pid, mount, IPC and UTS namespaces (and a cgroup namespace rooted at the slot's
//!   group); the slot's network namespace unless the operator allows the host's;
//! - a tmpfs root with the profile's read-only binds, `/box`, `/tmp`, a minimal `/dev` and
//!   a fresh `/proc`, entered with `pivot_root`;
//! - cgroup limits on memory (no swap) and processes, rlimits on stack, file size, open
//!   files, core dumps;
//! - the slot's uid and gid, no capabilities, no_new_privs, a Landlock ruleset (writes only
//!   under `/box`, `/tmp`, `/dev/shm`; no TCP bind or connect; scoped signals and abstract
//!   sockets) and the profile's seccomp allowlist;
//!
//! and supervises it on a pidfd and a timerfd, reporting CPU time from the cgroup, the
//! program's own peak resident set (started through the exec helper, `exec/exec.c`) and wall
//! time from the monotonic clock. All `unsafe` is in the `sys` module.

pub mod boxfs;
pub mod cgroup;
mod child;
mod error;
pub mod host;
mod keep;
mod layout;
mod run;
pub mod seccomp;
mod slot;
mod sys;

pub use error::SandboxError;
pub use slot::{current_cpu, Slot, SlotConfig, EPHEMERAL_SLOTS};
