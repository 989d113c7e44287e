//! cgroup v2: one group per slot under a delegated directory (`/sys/fs/cgroup` on a v2-only
//! host run as root, or a systemd unit's subtree with `Delegate=yes`).
//!
//! Each run that follows another gets the group anew (see `super::renew_group`), so its
//! counters start at zero and `memory.peak` is the run's peak. CPU (`cpu.stat`
//! `usage_usec`) and OOM kills (`memory.events` `oom_kill`) are still read at the start and
//! subtracted. `memory.oom.group` makes an OOM kill end the whole box, as a judge wants.
//!
//! Before Linux 5.19 there is no `memory.peak`: the supervisor then samples
//! `memory.current` while the run goes on (`judgebox check` names this degradation).

use std::os::fd::BorrowedFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{
    io_err, kill_listed, list_pids, renew_group, wait_empty, CgroupError, CgroupVersion, Knob,
    SlotCgroup, Usage,
};

#[derive(Debug)]
pub struct V2Slot {
    dir: PathBuf,
    procs: Knob,
    memory_max: Knob,
    swap_max: Option<Knob>,
    /// `None` before Linux 5.19.
    peak: Option<Knob>,
    current: Knob,
    /// The largest `memory.current` sampled this run, where there is no `memory.peak`.
    sampled: std::cell::Cell<u64>,
    events: Knob,
    pids_max: Knob,
    cpu_stat: Knob,
    kill: Option<Knob>,
    cpu_base: u64,
    oom_base: u64,
    /// A run has used the group since it was made: the next one gets it anew.
    used: bool,
}

/// Enables `memory` and `pids` for the children of `dir`. A delegated unit's own cgroup
/// holds processes, and v2 forbids controllers for the children of a group with processes,
/// so those move to a `supervisor` leaf first.
fn enable_controllers(dir: &Path) -> Result<(), CgroupError> {
    let control = dir.join("cgroup.subtree_control");
    let current = std::fs::read_to_string(&control).map_err(io_err(&control))?;
    if ["memory", "pids"]
        .iter()
        .all(|c| current.split_whitespace().any(|x| x == *c))
    {
        return Ok(());
    }
    match std::fs::write(&control, "+memory +pids") {
        Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
            let leaf = dir.join(super::SUPERVISOR_LEAF);
            std::fs::create_dir_all(&leaf).map_err(io_err(&leaf))?;
            let procs = dir.join("cgroup.procs");
            for pid in list_pids(&procs)? {
                // A pid that has exited meanwhile is no longer in the way.
                let _ = std::fs::write(leaf.join("cgroup.procs"), pid.to_string());
            }
            std::fs::write(&control, "+memory +pids").map_err(io_err(&control))
        }
        other => other.map_err(io_err(&control)),
    }
}

impl V2Slot {
    /// Creates `ROOT/PARENT/NAME`, enabling the controllers it needs on the way.
    pub fn create(root: &Path, parent: &str, name: &str) -> Result<Self, CgroupError> {
        let parent_dir = root.join(parent);
        std::fs::create_dir_all(&parent_dir).map_err(io_err(&parent_dir))?;
        enable_controllers(root)?;
        enable_controllers(&parent_dir)?;
        let dir = parent_dir.join(name);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        Self::open(dir)
    }

    /// The group at `dir`, which exists.
    fn open(dir: PathBuf) -> Result<Self, CgroupError> {
        let optional = |file: &str| {
            let path = dir.join(file);
            path.exists().then(|| Knob::open(path)).transpose()
        };
        if let Some(group) = optional("memory.oom.group")? {
            group.write("1")?;
        }
        let (swap_max, kill) = (optional("memory.swap.max")?, optional("cgroup.kill")?);
        Ok(V2Slot {
            procs: Knob::open(dir.join("cgroup.procs"))?,
            memory_max: Knob::open(dir.join("memory.max"))?,
            swap_max,
            peak: optional("memory.peak")?,
            current: Knob::open_read(dir.join("memory.current"))?,
            sampled: std::cell::Cell::new(0),
            events: Knob::open_read(dir.join("memory.events"))?,
            pids_max: Knob::open(dir.join("pids.max"))?,
            cpu_stat: Knob::open_read(dir.join("cpu.stat"))?,
            kill,
            cpu_base: 0,
            oom_base: 0,
            used: false,
            dir,
        })
    }
}

impl SlotCgroup for V2Slot {
    fn version(&self) -> CgroupVersion {
        CgroupVersion::V2
    }

    fn prepare(&mut self, memory_bytes: u64, max_pids: u64) -> Result<(), CgroupError> {
        if self.used {
            renew_group(&self.dir)?;
            *self = Self::open(self.dir.clone())?;
        }
        self.used = true;
        self.memory_max.write(&memory_bytes.to_string())?;
        if let Some(swap) = &self.swap_max {
            swap.write("0")?;
        }
        self.pids_max.write(&max_pids.to_string())?;
        self.sampled.set(0);
        self.cpu_base = self.cpu_stat.read_key("usage_usec")?;
        self.oom_base = self.events.read_key("oom_kill")?;
        Ok(())
    }

    fn procs(&self) -> Vec<BorrowedFd<'_>> {
        vec![self.procs.fd()]
    }

    fn cpu_usage(&self) -> Result<Duration, CgroupError> {
        let now = self.cpu_stat.read_key("usage_usec")?;
        Ok(Duration::from_micros(now.saturating_sub(self.cpu_base)))
    }

    fn samples_memory(&self) -> bool {
        self.peak.is_none()
    }

    fn sample_memory(&self) -> Result<(), CgroupError> {
        let now = self.current.read_u64()?;
        self.sampled.set(self.sampled.get().max(now));
        Ok(())
    }

    fn usage(&self) -> Result<Usage, CgroupError> {
        let memory_peak = match &self.peak {
            Some(peak) => peak.read_u64()?,
            None => {
                self.sample_memory()?;
                self.sampled.get()
            }
        };
        Ok(Usage {
            cpu: self.cpu_usage()?,
            memory_peak,
            oom_killed: self.events.read_key("oom_kill")? > self.oom_base,
        })
    }

    fn signal_all(&self) -> Result<(), CgroupError> {
        match &self.kill {
            Some(kill) => kill.write("1"),
            None => kill_listed(&self.dir.join("cgroup.procs")).map(drop),
        }
    }

    fn kill_all(&self) -> Result<(), CgroupError> {
        if self.procs.read()?.trim().is_empty() {
            return Ok(());
        }
        let procs = self.dir.join("cgroup.procs");
        wait_empty(&self.dir, || {
            if list_pids(&procs)?.is_empty() {
                return Ok(true);
            }
            self.signal_all()?;
            Ok(false)
        })
    }

    fn remove(&self) -> Result<(), CgroupError> {
        match std::fs::remove_dir(&self.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(&self.dir)(e)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake delegated v2 subtree with the files the kernel would create.
    fn fake_root(name: &str) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::write(r.join("cgroup.subtree_control"), "").unwrap();
        std::fs::create_dir_all(r.join("judgebox").join(name)).unwrap();
        std::fs::write(r.join("judgebox/cgroup.subtree_control"), "memory pids\n").unwrap();
        let dir = r.join("judgebox").join(name);
        for (file, text) in [
            ("cgroup.procs", ""),
            ("cgroup.kill", ""),
            ("memory.max", "max\n"),
            ("memory.swap.max", "max\n"),
            ("memory.peak", "4096\n"),
            ("memory.current", "4096\n"),
            ("memory.oom.group", "0\n"),
            (
                "memory.events",
                "low 0\nhigh 0\nmax 0\noom 1\noom_kill 1\noom_group_kill 0\n",
            ),
            ("pids.max", "max\n"),
            (
                "cpu.stat",
                "usage_usec 5000\nuser_usec 4000\nsystem_usec 1000\n",
            ),
        ] {
            std::fs::write(dir.join(file), text).unwrap();
        }
        root
    }

    #[test]
    fn create_enables_controllers_and_oom_group() {
        let root = fake_root("slot-0");
        V2Slot::create(root.path(), "judgebox", "slot-0").unwrap();
        let r = root.path();
        assert_eq!(
            std::fs::read_to_string(r.join("cgroup.subtree_control")).unwrap(),
            "+memory +pids"
        );
        assert!(
            std::fs::read_to_string(r.join("judgebox/slot-0/memory.oom.group"))
                .unwrap()
                .starts_with('1')
        );
    }

    #[test]
    fn prepare_sets_limits_and_usage_reads_the_run() {
        let root = fake_root("slot-2");
        let mut cg = V2Slot::create(root.path(), "judgebox", "slot-2").unwrap();
        cg.prepare(256 << 20, 60).unwrap();
        let dir = root.path().join("judgebox/slot-2");
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(read("memory.max").starts_with("268435456"));
        assert!(read("memory.swap.max").starts_with('0'));
        assert!(read("pids.max").starts_with("60"));
        assert!(
            read("memory.peak").starts_with("4096"),
            "a new group's peak is not reset"
        );
        // The run: 200 ms more CPU, a 3 MiB peak, one more OOM kill.
        std::fs::write(dir.join("cpu.stat"), "usage_usec 205000\n").unwrap();
        std::fs::write(dir.join("memory.peak"), "3145728\n").unwrap();
        let u = cg.usage().unwrap();
        assert_eq!(u.cpu, Duration::from_millis(200));
        assert_eq!(u.memory_peak, 3 << 20);
        assert!(!u.oom_killed);
        std::fs::write(dir.join("memory.events"), "oom 2\noom_kill 2\n").unwrap();
        assert!(cg.usage().unwrap().oom_killed);
    }

    /// Renewal itself needs the kernel's cgroupfs (see the jail's tests). A fake group is a
    /// plain directory that cannot be removed while it has files, so here the attempt shows
    /// as that refusal; and it comes before any limit is written.
    #[test]
    fn a_used_group_is_renewed_before_the_next_run() {
        let root = fake_root("slot-4");
        let dir = root.path().join("judgebox/slot-4");
        let mut cg = V2Slot::create(root.path(), "judgebox", "slot-4").unwrap();
        cg.prepare(64 << 20, 8).unwrap();
        std::fs::write(dir.join("memory.max"), "sentinel").unwrap();
        let err = cg.prepare(32 << 20, 8).unwrap_err();
        assert!(
            matches!(&err, CgroupError::Io { path, .. } if *path == dir),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("memory.max")).unwrap(),
            "sentinel"
        );
    }

    /// Before Linux 5.19: no `memory.peak`, so the peak is the largest sample.
    #[test]
    fn without_memory_peak_the_largest_sample_is_the_peak() {
        let root = fake_root("slot-5");
        let dir = root.path().join("judgebox/slot-5");
        std::fs::remove_file(dir.join("memory.peak")).unwrap();
        let mut cg = V2Slot::create(root.path(), "judgebox", "slot-5").unwrap();
        assert!(cg.samples_memory());
        cg.prepare(64 << 20, 8).unwrap();
        for current in ["1048576\n", "5242880\n", "2097152\n"] {
            std::fs::write(dir.join("memory.current"), current).unwrap();
            cg.sample_memory().unwrap();
        }
        std::fs::write(dir.join("memory.current"), "0\n").unwrap();
        assert_eq!(cg.usage().unwrap().memory_peak, 5 << 20);
    }
}
