use std::path::PathBuf;

use nix::errno::Errno;

use crate::boxfs::BoxFsError;
use crate::cgroup::CgroupError;
use crate::seccomp::PolicyError;

/// A fault of the sandbox itself or a request it cannot carry out. A program's own failure
/// is never this: it is a `RunReport`.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the jail must run as root (it creates namespaces, cgroups and mounts); run it with sudo or as a systemd service")]
    NotRoot,
    #[error(transparent)]
    Profile(#[from] judgebox_spec::ProfileError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Cgroup(#[from] CgroupError),
    #[error(transparent)]
    BoxFs(#[from] BoxFsError),
    #[error("{what} {path}: {errno}")]
    Path {
        what: &'static str,
        path: PathBuf,
        errno: Errno,
    },
    #[error("{what}: {errno}")]
    Sys { what: &'static str, errno: Errno },
    #[error("a slot must be opened by a single-threaded process (boxes are forked from it), and this one has {0} threads")]
    Threaded(u64),
    #[error("slot {0} is in use by another jail")]
    SlotBusy(u32),
    #[error("no free slot between {0} and {1}")]
    NoFreeSlot(u32, u32),
    #[error("{0}")]
    BadRequest(String),
}

pub(crate) fn sys(what: &'static str) -> impl FnOnce(Errno) -> SandboxError {
    move |errno| SandboxError::Sys { what, errno }
}

/// An errno from an `std::io` error (EIO if it carries none).
pub(crate) fn errno_of(e: &std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO))
}

/// [`at`] for `std::io` errors.
pub(crate) fn io_at<'a>(
    what: &'static str,
    path: &'a std::path::Path,
) -> impl FnOnce(std::io::Error) -> SandboxError + 'a {
    move |e| at(what, path)(errno_of(&e))
}

pub(crate) fn at<'a>(
    what: &'static str,
    path: &'a std::path::Path,
) -> impl FnOnce(Errno) -> SandboxError + 'a {
    move |errno| SandboxError::Path {
        what,
        path: path.to_path_buf(),
        errno,
    }
}
