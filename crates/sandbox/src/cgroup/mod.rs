//! Control groups for a slot: limits, accounting and a kill switch, behind one trait with a
//! v1 (named hierarchies `memory`, `pids`, `cpuacct`) and a v2 (unified, delegated subtree)
//! backend.
//!
//! A slot's groups are created once; the memory group is made anew for each run that
//! follows another (`renew_group` says why), the others are reset. Every path hangs off a
//! root passed in, so both backends are tested against a temp-dir cgroupfs.
//!
//! Why not the `cgroups-rs` crate: it hard-codes `/sys/fs/cgroup` as the v2 root (no
//! delegated subtree elsewhere, no temp-dir tests), re-opens a file on every read (the
//! supervisor reads the CPU counter in its loop; we `pread` an open descriptor), cannot do
//! the descriptor-local `memory.peak` reset a reused v2 group needs, and pulls in a D-Bus
//! stack and a second `nix`. What we need is a dozen reads and writes of small files.

mod dynmods;
mod v1;
mod v2;

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use dynmods::{favor_dynmods, favors_dynmods, DynMods};
pub use v1::V1Slot;
pub use v2::V2Slot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupVersion {
    V1,
    V2,
}

impl std::fmt::Display for CgroupVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CgroupVersion::V1 => "v1",
            CgroupVersion::V2 => "v2",
        })
    }
}

impl std::str::FromStr for CgroupVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "v1" | "1" => Ok(CgroupVersion::V1),
            "v2" | "2" => Ok(CgroupVersion::V2),
            other => Err(format!("cgroup version must be v1 or v2, not {other:?}")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error("cgroup file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("cgroup file {path} holds {text:?}, not a number")]
    Parse { path: PathBuf, text: String },
    #[error("no usable cgroup hierarchy at {root}: {why}")]
    Unavailable { root: PathBuf, why: String },
    #[error("processes are still in {path} after killing them")]
    NotEmpty { path: PathBuf },
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CgroupError + '_ {
    move |source| CgroupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a run consumed, read after its last process is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub cpu: Duration,
    /// Peak bytes charged to the run's memory group: its `memory.peak` (v2) or
    /// `memory.max_usage_in_bytes` (v1), the group being new for the run. On a v2 kernel
    /// without `memory.peak` (before 5.19), the largest `memory.current` sampled.
    pub memory_peak: u64,
    /// The kernel's OOM killer ended a process of the group during the run.
    pub oom_killed: bool,
}

/// One slot's control group.
pub trait SlotCgroup: std::fmt::Debug {
    fn version(&self) -> CgroupVersion;
    /// Applies a run's limits and zeroes the counters. Called with the group empty.
    fn prepare(&mut self, memory_bytes: u64, max_pids: u64) -> Result<(), CgroupError>;
    /// The `cgroup.procs` descriptors a process writes `0` into to join the group.
    fn procs(&self) -> Vec<BorrowedFd<'_>>;
    /// CPU time used since `prepare`.
    fn cpu_usage(&self) -> Result<Duration, CgroupError>;
    /// Whether the peak must be sampled while the run goes on: the kernel keeps none.
    fn samples_memory(&self) -> bool {
        false
    }
    /// Takes one sample of the memory in use, where [`SlotCgroup::samples_memory`].
    fn sample_memory(&self) -> Result<(), CgroupError> {
        Ok(())
    }
    /// Everything measured since `prepare`.
    fn usage(&self) -> Result<Usage, CgroupError>;
    /// Sends SIGKILL to every process in the group once, without waiting: the box's init
    /// (outside the group) then reaps the program and reports it.
    fn signal_all(&self) -> Result<(), CgroupError>;
    /// Kills whatever is still in the group and waits (briefly) until it is empty.
    fn kill_all(&self) -> Result<(), CgroupError>;
    /// Removes the group (it must be empty).
    fn remove(&self) -> Result<(), CgroupError>;
}

/// Replaces the empty group at `dir` with a new one of the same name.
///
/// Every run gets a memory group of its own, made fresh, for two reasons:
///
/// - **Repeatable figures.** The kernel charges memory to a group in batches of 64 pages
///   per CPU, keeping what a batch did not use as a per-CPU stock for the group's next
///   charges. A reused group starts a run with whatever stock the last one left, so a
///   small program's peak over its baseline read 0 KB in one run and 256 KB in the next.
///   A new group has no stock: the same program charges the same batches every time, and a
///   program that ran is never measured at 0.
/// - **No peak reset needed.** A new group's peak counts from its first charge, so neither
///   `memory.peak`'s reset (Linux 6.12) nor a baseline to subtract is needed.
///
/// The page cache earlier runs brought in stays cached: it remains charged to the old
/// group, which the kernel keeps offline until the cache is reclaimed, and a new group is
/// not charged for pages already cached (so a compiler's files are not counted into every
/// run's peak). Dropping the charge in place instead (`memory.force_empty` on v1,
/// `memory.reclaim` on v2) evicts the files: for javac's ~40 MB of JDK that took ~8 ms, and
/// the next compile read them all again. Removing and making a group takes ~0.1 ms.
pub(crate) fn renew_group(dir: &Path) -> Result<(), CgroupError> {
    std::fs::remove_dir(dir).map_err(io_err(dir))?;
    std::fs::create_dir(dir).map_err(io_err(dir))
}

/// Where the hierarchies are and which kind to use.
#[derive(Debug, Clone)]
pub struct CgroupConfig {
    /// `/sys/fs/cgroup` on a normal host; for v2, the delegated directory.
    pub root: PathBuf,
    /// `None` detects from the filesystem at `root`.
    pub version: Option<CgroupVersion>,
    /// The directory under the root (v2) or under each controller (v1) holding the slots.
    pub parent: String,
}

/// Where cgroup filesystems are mounted on every distribution.
pub const DEFAULT_ROOT: &str = "/sys/fs/cgroup";

/// The leaf a delegated group's own processes move to, so that its other children may have
/// controllers (cgroup v2 lets only leaves hold processes).
pub const SUPERVISOR_LEAF: &str = "supervisor";

impl CgroupConfig {
    /// The directory the slots' tree goes under for `version`.
    ///
    /// With cgroup v2 at the default root, a process in a group that was delegated to it
    /// (systemd's `Delegate=yes`, which marks the group with the `trusted.delegate` extended
    /// attribute) keeps its slots inside that group, as systemd's single-writer rule asks: a
    /// service may write only in its own delegated subtree. Elsewhere (no systemd, a
    /// container's own namespace, a shell), the slots go under the root itself.
    pub fn slot_root(&self, version: CgroupVersion) -> PathBuf {
        if version == CgroupVersion::V2 && self.root == Path::new(DEFAULT_ROOT) {
            let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
            if let Some(group) = delegated_group(&self.root, &own, is_delegated) {
                return group;
            }
        }
        self.root.clone()
    }
}

/// Whether systemd delegated the group at `dir` (systemd 251 and later mark it so).
fn is_delegated(dir: &Path) -> bool {
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    crate::sys::xattr_is(&path, c"trusted.delegate", b"1")
        || crate::sys::xattr_is(&path, c"user.delegate", b"1")
}

/// The delegated v2 group this process is in (or whose supervisor leaf it is in), from the
/// text of `/proc/self/cgroup`.
pub(crate) fn delegated_group(
    mount: &Path,
    proc_self_cgroup: &str,
    delegated: impl Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let own = proc_self_cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))?
        .trim()
        .trim_start_matches('/');
    if own.is_empty() {
        return None;
    }
    let mut group = mount.join(own);
    if group.file_name().is_some_and(|n| n == SUPERVISOR_LEAF) {
        group.pop();
    }
    delegated(&group).then_some(group)
}

impl Default for CgroupConfig {
    fn default() -> Self {
        CgroupConfig {
            root: PathBuf::from(DEFAULT_ROOT),
            version: None,
            parent: "judgebox".into(),
        }
    }
}

/// Decides v1 or v2 from what is mounted at `root`: a cgroup2 filesystem whose controllers
/// include `memory` and `pids` is v2; a tmpfs with v1 `memory`, `pids` and `cpuacct`
/// hierarchies under it is v1 (this also covers hybrid hosts, whose v2 mount lacks them).
pub fn detect(root: &Path) -> Result<CgroupVersion, CgroupError> {
    use nix::sys::statfs::{statfs, CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC};
    let unavailable = |why: String| CgroupError::Unavailable {
        root: root.to_path_buf(),
        why,
    };
    let fs = statfs(root).map_err(|e| unavailable(format!("statfs: {e}")))?;
    if fs.filesystem_type() == CGROUP2_SUPER_MAGIC {
        let controllers = std::fs::read_to_string(root.join("cgroup.controllers"))
            .map_err(|e| unavailable(format!("reading cgroup.controllers: {e}")))?;
        let has = |c| controllers.split_whitespace().any(|x| x == c);
        if has("memory") && has("pids") {
            return Ok(CgroupVersion::V2);
        }
        return Err(unavailable(format!(
            "cgroup2 is mounted but offers only {controllers:?}; delegate memory and pids"
        )));
    }
    let v1_ok = ["memory", "pids", "cpuacct"]
        .iter()
        .all(|c| statfs(&root.join(c)).is_ok_and(|fs| fs.filesystem_type() == CGROUP_SUPER_MAGIC));
    if v1_ok {
        return Ok(CgroupVersion::V1);
    }
    Err(unavailable(
        "neither a cgroup2 mount with memory and pids nor v1 memory, pids and cpuacct hierarchies"
            .into(),
    ))
}

/// Makes the cgroup mounts the slots need writable in the caller's mount namespace, where
/// they are mounted read-only: a container runtime mounts the cgroup tree read-only into a
/// container that is not privileged (podman, docker), though with `CAP_SYS_ADMIN` and a
/// cgroup namespace of its own the container may write its own subtree. The remount is of
/// the mount alone (`MS_REMOUNT | MS_BIND`, other flags kept), in the jail's private mount
/// namespace for a pooled jail; a mount that is writable already is left alone.
pub fn ensure_writable(config: &CgroupConfig, version: CgroupVersion) -> Result<(), CgroupError> {
    use nix::mount::{mount, MsFlags};
    use nix::sys::statvfs::{statvfs, FsFlags};
    let mounts: Vec<PathBuf> = match version {
        CgroupVersion::V2 => vec![config.root.clone()],
        CgroupVersion::V1 => ["memory", "pids", "cpuacct"]
            .iter()
            .map(|c| {
                let path = config.root.join(c);
                // `cpuacct` is often a link to the `cpu,cpuacct` hierarchy.
                std::fs::canonicalize(&path).unwrap_or(path)
            })
            .collect(),
    };
    for path in mounts {
        let Ok(fs) = statvfs(&path) else { continue };
        let flags = fs.flags();
        if !flags.contains(FsFlags::ST_RDONLY) {
            continue;
        }
        let mut keep = MsFlags::MS_REMOUNT | MsFlags::MS_BIND;
        for (st, ms) in [
            (FsFlags::ST_NOSUID, MsFlags::MS_NOSUID),
            (FsFlags::ST_NODEV, MsFlags::MS_NODEV),
            (FsFlags::ST_NOEXEC, MsFlags::MS_NOEXEC),
            (FsFlags::ST_RELATIME, MsFlags::MS_RELATIME),
        ] {
            if flags.contains(st) {
                keep |= ms;
            }
        }
        mount(None::<&str>, &path, None::<&str>, keep, None::<&str>).map_err(|e| {
            CgroupError::Unavailable {
                root: path.clone(),
                why: format!(
                    "the cgroup hierarchy is mounted read-only and remounting it failed ({e}); \
                     in a container, judgebox needs CAP_SYS_ADMIN and a cgroup namespace of its own"
                ),
            }
        })?;
    }
    Ok(())
}

/// Creates (or takes over) the group for slot `name`.
pub fn open_slot(config: &CgroupConfig, name: &str) -> Result<Box<dyn SlotCgroup>, CgroupError> {
    let version = match config.version {
        Some(v) => v,
        None => detect(&config.root)?,
    };
    ensure_writable(config, version)?;
    let root = config.slot_root(version);
    Ok(match version {
        CgroupVersion::V1 => Box::new(V1Slot::create(&root, &config.parent, name)?),
        CgroupVersion::V2 => Box::new(V2Slot::create(&root, &config.parent, name)?),
    })
}

/// An open cgroup file read and written at offset 0, as cgroupfs expects.
#[derive(Debug)]
pub(crate) struct Knob {
    path: PathBuf,
    file: File,
}

impl Knob {
    pub(crate) fn open(path: PathBuf) -> Result<Self, CgroupError> {
        let file = File::options()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        Ok(Knob { path, file })
    }

    pub(crate) fn open_read(path: PathBuf) -> Result<Self, CgroupError> {
        let file = File::open(&path).map_err(io_err(&path))?;
        Ok(Knob { path, file })
    }

    pub(crate) fn read(&self) -> Result<String, CgroupError> {
        let mut buf = [0u8; 4096];
        let n = self.file.read_at(&mut buf, 0).map_err(io_err(&self.path))?;
        Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
    }

    pub(crate) fn read_u64(&self) -> Result<u64, CgroupError> {
        let text = self.read()?;
        text.trim().parse().map_err(|_| CgroupError::Parse {
            path: self.path.clone(),
            text,
        })
    }

    /// The value of `key` in a `key value` per line file (`cpu.stat`, `memory.events`).
    pub(crate) fn read_key(&self, key: &str) -> Result<u64, CgroupError> {
        let text = self.read()?;
        parse_key(&text, key).ok_or_else(|| CgroupError::Parse {
            path: self.path.clone(),
            text,
        })
    }

    pub(crate) fn write(&self, value: &str) -> Result<(), CgroupError> {
        self.file
            .write_at(value.as_bytes(), 0)
            .map(drop)
            .map_err(io_err(&self.path))
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

pub(crate) fn parse_key(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    })
}

/// Reads the pids listed in a `cgroup.procs` file.
pub(crate) fn list_pids(path: &Path) -> Result<Vec<i32>, CgroupError> {
    let text = std::fs::read_to_string(path).map_err(io_err(path))?;
    Ok(text.lines().filter_map(|l| l.trim().parse().ok()).collect())
}

/// SIGKILL to every pid listed in `procs`; how many there were.
pub(crate) fn kill_listed(procs: &Path) -> Result<usize, CgroupError> {
    let pids = list_pids(procs)?;
    for &pid in &pids {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    Ok(pids.len())
}

/// Waits until `empty()` holds, up to ~200 ms (killed processes take a moment to be reaped).
pub(crate) fn wait_empty(
    dir: &Path,
    mut empty: impl FnMut() -> Result<bool, CgroupError>,
) -> Result<(), CgroupError> {
    for i in 0..200 {
        if empty()? {
            return Ok(());
        }
        std::thread::sleep(Duration::from_micros(if i < 20 { 100 } else { 1000 }));
    }
    Err(CgroupError::NotEmpty {
        path: dir.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_key_finds_exact_keys_only() {
        let text = "usage_usec 1500\nuser_usec 1000\noom_kill 2\noom 3\n";
        assert_eq!(parse_key(text, "usage_usec"), Some(1500));
        assert_eq!(parse_key(text, "oom"), Some(3));
        assert_eq!(parse_key(text, "oom_kill"), Some(2));
        assert_eq!(parse_key(text, "usage"), None);
    }

    #[test]
    fn detect_refuses_a_plain_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            detect(dir.path()),
            Err(CgroupError::Unavailable { .. })
        ));
    }

    #[test]
    fn a_delegated_group_or_its_supervisor_leaf_holds_the_slots() {
        let mount = Path::new("/sys/fs/cgroup");
        let unit = Path::new("/sys/fs/cgroup/system.slice/judgebox.service");
        let only_unit = |p: &Path| p == unit;
        for own in [
            "0::/system.slice/judgebox.service\n",
            "0::/system.slice/judgebox.service/supervisor\n",
        ] {
            assert_eq!(
                delegated_group(mount, own, only_unit).as_deref(),
                Some(unit),
                "{own}"
            );
        }
        // Not delegated, the root itself, or a v1-only host.
        assert_eq!(
            delegated_group(mount, "0::/user.slice/session-1.scope\n", only_unit),
            None
        );
        assert_eq!(delegated_group(mount, "0::/\n", |_| true), None);
        assert_eq!(
            delegated_group(mount, "4:memory:/\n3:pids:/\n", |_| true),
            None
        );
    }

    #[test]
    fn version_parses_and_prints() {
        assert_eq!("v2".parse::<CgroupVersion>().unwrap(), CgroupVersion::V2);
        assert_eq!("1".parse::<CgroupVersion>().unwrap(), CgroupVersion::V1);
        assert!("v3".parse::<CgroupVersion>().is_err());
        assert_eq!(CgroupVersion::V1.to_string(), "v1");
    }
}
