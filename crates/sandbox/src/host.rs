//! Facts about the host that decide whether boxes can work here (for `judgebox check`).

use std::path::Path;

/// The kernel's Landlock ABI, or why there is none.
pub fn landlock_abi() -> Result<i32, String> {
    crate::sys::landlock_abi().map_err(|e| match e {
        nix::errno::Errno::EOPNOTSUPP => "Landlock is built in but disabled: add landlock to the lsm= boot parameter".to_string(),
        e => format!("Landlock is not available ({e}): a kernel of 5.13 or later with CONFIG_SECURITY_LANDLOCK"),
    })
}

/// The seccomp filter actions the kernel offers.
pub fn seccomp_actions() -> Result<String, String> {
    std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_avail")
        .map(|s| s.trim().to_string())
        .map_err(|e| format!("cannot read /proc/sys/kernel/seccomp/actions_avail ({e}): the kernel lacks CONFIG_SECCOMP_FILTER"))
}

/// The namespaces a box needs, each checked for in /proc/self/ns.
pub fn missing_namespaces() -> Vec<&'static str> {
    ["pid", "mnt", "ipc", "uts", "net", "cgroup"]
        .into_iter()
        .filter(|ns| !Path::new("/proc/self/ns").join(ns).exists())
        .collect()
}

/// Something this host's kernel or setup lacks that boxes work without, at a cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Degradation {
    /// What is missing.
    pub what: String,
    /// What the box or the figures lose by it.
    pub cost: String,
    /// How an operator gets it back.
    pub fix: String,
}

fn degraded(what: &str, cost: &str, fix: &str) -> Degradation {
    Degradation {
        what: what.into(),
        cost: cost.into(),
        fix: fix.into(),
    }
}

/// Every degradation this host has, each found by trying the feature (never by reading the
/// kernel's version). Needs root for the mount probes; cheap (a few syscalls and reads).
pub fn degradations(cgroup: &crate::cgroup::CgroupConfig) -> Vec<Degradation> {
    use crate::cgroup::{self, CgroupVersion};
    let mut found = Vec::new();
    match landlock_abi() {
        Err(_) => found.push(degraded(
            "no Landlock",
            "the box relies on its namespaces, seccomp filter, read-only mounts, uid and cgroups alone; \
             nothing inside it can write outside /box, /tmp and /dev/shm even so, as they are the only writable mounts",
            "a kernel of 5.13 or later with CONFIG_SECURITY_LANDLOCK=y and landlock in the lsm= boot parameter \
             (Debian 12 and later have it); JUDGEBOX_REQUIRE_LANDLOCK=true refuses to start without it",
        )),
        Ok(abi) if abi < 6 => found.push(degraded(
            &format!("Landlock ABI {abi}, without signal and abstract-socket scoping (ABI 6)"),
            "a box's signals and abstract sockets are kept in by its own pid and network namespaces only",
            "Linux 6.12 or later",
        )),
        Ok(_) => {}
    }
    if !clones_detached_mounts() {
        found.push(degraded(
            "open_tree() cannot clone a detached mount",
            "each jail attaches its box in a private mount namespace of its own first; a one-shot run costs ~0.35 ms more",
            "Linux 6.15 or later",
        ));
    }
    if !crate::sys::has_cloexec_range() {
        found.push(degraded(
            "no close_range(CLOSE_RANGE_CLOEXEC)",
            "each program marks the jail's descriptors close-on-exec one by one before it starts",
            "Linux 5.11 or later",
        ));
    }
    let version = cgroup
        .version
        .map(Ok)
        .unwrap_or_else(|| cgroup::detect(&cgroup.root));
    if version.as_ref().is_ok_and(|v| *v == CgroupVersion::V2) {
        let root = cgroup.slot_root(CgroupVersion::V2);
        if memory_peak_missing(&cgroup.root) {
            found.push(degraded(
                "cgroup v2 without memory.peak",
                "the box's peak, for a memory-limit verdict and where the exec helper cannot run, is the largest memory.current sampled every millisecond, so a short peak between samples is missed",
                "Linux 5.19 or later",
            ));
        }
        if root == cgroup.root && under_systemd() {
            found.push(degraded(
                "the slots' cgroups are outside any delegated subtree",
                "systemd owns the cgroup tree here and may move or remove groups it did not make (its single-writer rule)",
                "run `judgebox serve` under the shipped unit (systemd/judgebox.service, Delegate=yes), \
                 or a one-shot command with `systemd-run --scope -p Delegate=yes judgebox ...`",
            ));
        }
    }
    if crate::sys::personality_locked() {
        found.push(degraded(
            "the process persona is locked",
            "programs run with randomised addresses, so a memory figure moves by a few pages from run to run (a C hello world by up to 10 %)",
            "no LockPersonality= in judgebox's systemd unit (the shipped one has none), nor another seccomp filter on personality()",
        ));
    }
    if matches!(crate::sys::exec_helper(), Ok(None)) {
        found.push(degraded(
            "executable memfds refused (vm.memfd_noexec = 2)",
            "programs start without the exec helper, so a memory figure is the box's cgroup peak, which moves in per-CPU batches of 64 pages, not the program's own peak resident set",
            "vm.memfd_noexec = 0 or 1 in judgebox's pid namespace",
        ));
    }
    if !crate::cgroup::favors_dynmods() && !cgroup2_takes_favordynmods() {
        found.push(degraded(
            "no favordynmods for cgroup2",
            "a run after an idle spell can take 5-20 ms more to join its cgroup",
            "Linux 6.0 or later",
        ));
    }
    found
}

/// Whether the kernel clones a detached mount (`open_tree(OPEN_TREE_CLONE)` of an
/// `fsmount()` mount, Linux 6.15), tried on a small tmpfs.
pub fn clones_detached_mounts() -> bool {
    crate::sys::detached_tmpfs(&[(c"size", c"4k")], 0)
        .and_then(|fd| crate::sys::clone_tree(std::os::fd::AsFd::as_fd(&fd)))
        .is_ok()
}

/// Whether the cgroup2 filesystem knows the `favordynmods` option (Linux 6.0): its
/// parameters are listed by the kernel where fsconfig can be asked, else by trying.
fn cgroup2_takes_favordynmods() -> bool {
    crate::sys::fs_takes_flag(c"cgroup2", c"favordynmods")
}

/// Whether a memory-controlled v2 group here lacks `memory.peak` (before Linux 5.19): the
/// first child group of `mount` with `memory.current` decides.
fn memory_peak_missing(mount: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(mount) else {
        return false;
    };
    entries
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("memory.current").exists())
        .is_some_and(|group| !group.join("memory.peak").exists())
}

/// Whether systemd is the init of this host's pid namespace.
fn under_systemd() -> bool {
    Path::new("/run/systemd/system").is_dir()
}
