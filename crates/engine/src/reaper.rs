//! Reaping the box inits that a killed jail leaves behind.
//!
//! A jail that dies (SIGKILL, the OOM killer, a crash) orphans its box's init. Init has
//! `PR_SET_PDEATHSIG` SIGKILL, so it dies at once and the kernel empties its pid namespace,
//! but its zombie stays until its new parent reaps it. Without a child subreaper that parent
//! is the host's pid 1: systemd reaps at once, but a container's shell may never, and this
//! project's own VM's agent takes up to 2 s (`benches/README.md`, the teardown bench). So
//! the server makes itself a child subreaper and reaps those zombies itself, on SIGCHLD.
//!
//! Only box inits are reaped: zombie children that are pid 1 of a pid namespace of their
//! own (the last `NSpid` entry is 1). The jails are children too, but they live in the
//! server's pid namespace and belong to `tokio::process`, which reaps them; reaping one of
//! them here would steal its exit status.

use std::path::Path;

use nix::sys::wait::{waitpid, WaitPidFlag};
use nix::unistd::Pid;
use tokio::signal::unix::{signal, SignalKind};

/// Makes this process a child subreaper and starts a task that reaps orphaned box inits
/// whenever a child of ours ends. Call it once, inside the runtime, before jails start.
pub fn adopt_orphaned_boxes() -> std::io::Result<tokio::task::JoinHandle<()>> {
    nix::sys::prctl::set_child_subreaper(true).map_err(std::io::Error::from)?;
    let mut children = signal(SignalKind::child())?;
    Ok(tokio::spawn(async move {
        while children.recv().await.is_some() {
            let reaped = reap_orphaned_inits(Path::new("/proc"));
            if reaped > 0 {
                tracing::debug!(reaped, "reaped the init of a box whose jail died");
            }
        }
    }))
}

/// Reaps every zombie child of this process that is a box init; returns how many.
pub fn reap_orphaned_inits(procfs: &Path) -> usize {
    orphaned_inits(procfs, std::process::id())
        .into_iter()
        .filter(|&pid| {
            // WNOHANG: it is a zombie already; if something else reaped it first, ECHILD.
            waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)).is_ok()
        })
        .count()
}

/// The zombie children of `parent` that were the init of a nested pid namespace. The whole
/// of `/proc` is scanned (kernels without CONFIG_PROC_CHILDREN have no children list); it
/// runs only when a child of the server ends, which is rare.
fn orphaned_inits(procfs: &Path, parent: u32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir(procfs) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(procfs.join(pid.to_string()).join("status"))
                .is_ok_and(|status| is_orphaned_init(&status, parent))
        })
        .collect()
}

/// Whether a `/proc/PID/status` text is a zombie child of `parent` that was pid 1 of its
/// own pid namespace.
fn is_orphaned_init(status: &str, parent: u32) -> bool {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
    };
    let zombie = field("State").is_some_and(|s| s.starts_with('Z'));
    let ours = field("PPid").and_then(|p| p.parse::<u32>().ok()) == Some(parent);
    let init = field("NSpid").is_some_and(|ids| {
        let ids: Vec<&str> = ids.split_whitespace().collect();
        ids.len() > 1 && ids.last() == Some(&"1")
    });
    zombie && ours && init
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: &str, ppid: u32, nspid: &str) -> String {
        format!(
            "Name:\tjudgebox-jail\nState:\t{state}\nTgid:\t8680\nPid:\t8680\nPPid:\t{ppid}\n\
             NStgid:\t{nspid}\nNSpid:\t{nspid}\n"
        )
    }

    #[test]
    fn only_a_zombie_child_that_was_a_namespace_init_is_an_orphaned_init() {
        assert!(is_orphaned_init(&status("Z (zombie)", 7, "8680\t1"), 7));
        // Nested twice: still pid 1 of its own namespace.
        assert!(is_orphaned_init(&status("Z (zombie)", 7, "8680\t12\t1"), 7));
        // A jail: our pid namespace.
        assert!(!is_orphaned_init(&status("Z (zombie)", 7, "8680"), 7));
        // Still running: not ours to reap yet.
        assert!(!is_orphaned_init(&status("S (sleeping)", 7, "8680\t1"), 7));
        // Someone else's child.
        assert!(!is_orphaned_init(&status("Z (zombie)", 8, "8680\t1"), 7));
        // A box process that is not init.
        assert!(!is_orphaned_init(&status("Z (zombie)", 7, "8680\t3"), 7));
        assert!(!is_orphaned_init("garbage", 7));
    }
}
