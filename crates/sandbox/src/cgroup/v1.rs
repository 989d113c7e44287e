//! cgroup v1: one group per slot in each of the `memory`, `pids` and `cpuacct` hierarchies.
//!
//! Between runs the memory group is made anew (see `super::renew_group`), so its
//! `memory.max_usage_in_bytes` is the run's peak; `cpuacct.usage` is zeroed, and the pids
//! group keeps only its limit. The OOM-kill count (`oom_kill` in `memory.oom_control`) is
//! compared with the value the run started from.

use std::os::fd::BorrowedFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{
    io_err, kill_listed, renew_group, wait_empty, CgroupError, CgroupVersion, Knob, SlotCgroup,
    Usage,
};

const CONTROLLERS: [&str; 3] = ["memory", "pids", "cpuacct"];

#[derive(Debug)]
pub struct V1Slot {
    /// The group in each of `CONTROLLERS`, in that order.
    dirs: Vec<PathBuf>,
    memory: Memory,
    /// `cgroup.procs` of the `pids` and `cpuacct` groups.
    other_procs: [Knob; 2],
    pids_max: Knob,
    cpu_usage: Knob,
    oom_base: u64,
    /// A run has used the memory group since it was made: the next one gets it anew.
    used: bool,
}

/// The memory group's files: opened again when the group is renewed.
#[derive(Debug)]
struct Memory {
    procs: Knob,
    limit: Knob,
    memsw_limit: Option<Knob>,
    /// `memory.kmem.tcp.limit_in_bytes`: socket buffers (v1's "tcp" counter takes UDP's too).
    socket_limit: Option<Knob>,
    max_usage: Knob,
    oom_control: Knob,
}

impl Memory {
    fn open(dir: &Path) -> Result<Memory, CgroupError> {
        let memsw = dir.join("memory.memsw.limit_in_bytes");
        let sockets = dir.join("memory.kmem.tcp.limit_in_bytes");
        Ok(Memory {
            socket_limit: sockets.exists().then(|| Knob::open(sockets)).transpose()?,
            procs: Knob::open(dir.join("cgroup.procs"))?,
            limit: Knob::open(dir.join("memory.limit_in_bytes"))?,
            memsw_limit: memsw.exists().then(|| Knob::open(memsw)).transpose()?,
            max_usage: Knob::open(dir.join("memory.max_usage_in_bytes"))?,
            oom_control: Knob::open_read(dir.join("memory.oom_control"))?,
        })
    }

    fn set_limit(&self, bytes: u64) -> Result<(), CgroupError> {
        // memsw must stay >= the memory limit at every step: lift it, set memory, then cap
        // memory+swap at the same value so the box never swaps.
        if let Some(memsw) = &self.memsw_limit {
            memsw.write("-1")?;
        }
        let value = bytes.to_string();
        self.limit.write(&value)?;
        if let Some(memsw) = &self.memsw_limit {
            memsw.write(&value)?;
        }
        // v1 charges socket buffers to a group only once its socket limit has been set, and
        // then to a counter of their own, not to the memory limit: without this a box held
        // ~414 MB of UDP receive buffers with a 64000 KB limit. Set to the same limit, the
        // box's sockets hold at most that much beside its memory. Where the kernel has no
        // such file or refuses it, sockets stay bounded only by their per-socket sizes
        // (sandbox-profiles/README.md).
        if let Some(sockets) = &self.socket_limit {
            let _ = sockets.write(&value);
        }
        Ok(())
    }
}

impl V1Slot {
    /// Creates `ROOT/{memory,pids,cpuacct}/PARENT/NAME`, or takes it over if it exists.
    pub fn create(root: &Path, parent: &str, name: &str) -> Result<Self, CgroupError> {
        let dirs: Vec<PathBuf> = CONTROLLERS
            .iter()
            .map(|c| root.join(c).join(parent).join(name))
            .collect();
        for dir in &dirs {
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        let [mem, pids, cpu] = [&dirs[0], &dirs[1], &dirs[2]];
        Ok(V1Slot {
            memory: Memory::open(mem)?,
            other_procs: [
                Knob::open(pids.join("cgroup.procs"))?,
                Knob::open(cpu.join("cgroup.procs"))?,
            ],
            pids_max: Knob::open(pids.join("pids.max"))?,
            cpu_usage: Knob::open(cpu.join("cpuacct.usage"))?,
            oom_base: 0,
            used: false,
            dirs,
        })
    }

    /// Replaces the (empty) memory group with a new one, leaving the page cache charged to
    /// the old one cached.
    fn renew_memory(&mut self) -> Result<(), CgroupError> {
        renew_group(&self.dirs[0])?;
        self.memory = Memory::open(&self.dirs[0])?;
        Ok(())
    }
}

impl SlotCgroup for V1Slot {
    fn version(&self) -> CgroupVersion {
        CgroupVersion::V1
    }

    fn prepare(&mut self, memory_bytes: u64, max_pids: u64) -> Result<(), CgroupError> {
        if self.used {
            self.renew_memory()?;
        }
        self.used = true;
        self.memory.set_limit(memory_bytes)?;
        self.pids_max.write(&max_pids.to_string())?;
        self.cpu_usage.write("0")?;
        self.oom_base = self.memory.oom_control.read_key("oom_kill")?;
        Ok(())
    }

    fn procs(&self) -> Vec<BorrowedFd<'_>> {
        let [pids, cpu] = &self.other_procs;
        vec![self.memory.procs.fd(), pids.fd(), cpu.fd()]
    }

    fn cpu_usage(&self) -> Result<Duration, CgroupError> {
        Ok(Duration::from_nanos(self.cpu_usage.read_u64()?))
    }

    fn usage(&self) -> Result<Usage, CgroupError> {
        Ok(Usage {
            cpu: self.cpu_usage()?,
            memory_peak: self.memory.max_usage.read_u64()?,
            oom_killed: self.memory.oom_control.read_key("oom_kill")? > self.oom_base,
        })
    }

    fn signal_all(&self) -> Result<(), CgroupError> {
        // Every box process joins all three groups at once: the memory group lists them all.
        kill_listed(&self.dirs[0].join("cgroup.procs")).map(drop)
    }

    fn kill_all(&self) -> Result<(), CgroupError> {
        // The usual case, after a box's pid namespace took its processes with it: one read
        // of an open descriptor. Every box process joins all three groups at once.
        if self.memory.procs.read()?.trim().is_empty() {
            return Ok(());
        }
        let procs: Vec<PathBuf> = self.dirs.iter().map(|d| d.join("cgroup.procs")).collect();
        wait_empty(&self.dirs[0], || {
            let mut empty = true;
            for path in &procs {
                empty &= kill_listed(path)? == 0;
            }
            Ok(empty)
        })
    }

    fn remove(&self) -> Result<(), CgroupError> {
        for dir in &self.dirs {
            match std::fs::remove_dir(dir) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io_err(dir)(e));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake v1 cgroupfs: the files the kernel would create in each group.
    fn fake_root(name: &str) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let files: [(&str, &[(&str, &str)]); 3] = [
            (
                "memory",
                &[
                    ("cgroup.procs", ""),
                    ("memory.limit_in_bytes", "9223372036854771712\n"),
                    ("memory.memsw.limit_in_bytes", "9223372036854771712\n"),
                    ("memory.max_usage_in_bytes", "7340032\n"),
                    ("memory.usage_in_bytes", "1048576\n"),
                    (
                        "memory.oom_control",
                        "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n",
                    ),
                ],
            ),
            ("pids", &[("cgroup.procs", ""), ("pids.max", "max\n")]),
            (
                "cpuacct",
                &[("cgroup.procs", ""), ("cpuacct.usage", "123456789\n")],
            ),
        ];
        for (ctrl, files) in files {
            let dir = root.path().join(ctrl).join("judgebox").join(name);
            std::fs::create_dir_all(&dir).unwrap();
            for (file, text) in files {
                std::fs::write(dir.join(file), text).unwrap();
            }
        }
        root
    }

    fn read(root: &Path, rel: &str) -> String {
        std::fs::read_to_string(root.join(rel)).unwrap()
    }

    #[test]
    fn prepare_writes_limits_and_resets_counters() {
        let root = fake_root("slot-0");
        let mut cg = V1Slot::create(root.path(), "judgebox", "slot-0").unwrap();
        cg.prepare(64 << 20, 32).unwrap();
        let r = root.path();
        // Positional writes over the fake files: the new value comes first.
        assert!(read(r, "memory/judgebox/slot-0/memory.limit_in_bytes").starts_with("67108864"));
        assert!(
            read(r, "memory/judgebox/slot-0/memory.memsw.limit_in_bytes").starts_with("67108864")
        );
        assert!(read(r, "pids/judgebox/slot-0/pids.max").starts_with("32"));
        assert!(read(r, "cpuacct/judgebox/slot-0/cpuacct.usage").starts_with('0'));
        assert_eq!(cg.oom_base, 4);
    }

    #[test]
    fn usage_reads_counters_and_oom_delta() {
        let root = fake_root("slot-1");
        let mut cg = V1Slot::create(root.path(), "judgebox", "slot-1").unwrap();
        cg.prepare(8 << 20, 8).unwrap();
        let dir = root.path().join("memory/judgebox/slot-1");
        std::fs::write(dir.join("memory.max_usage_in_bytes"), "3145728\n").unwrap();
        std::fs::write(
            root.path().join("cpuacct/judgebox/slot-1/cpuacct.usage"),
            "200000000\n",
        )
        .unwrap();
        let u = cg.usage().unwrap();
        assert_eq!(u.cpu, Duration::from_millis(200));
        assert_eq!(u.memory_peak, 3 << 20);
        assert!(!u.oom_killed);
        std::fs::write(
            dir.join("memory.oom_control"),
            "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n",
        )
        .unwrap();
        assert!(cg.usage().unwrap().oom_killed);
    }

    /// Renewal itself (the cache stays cached, the new group starts empty) needs the kernel's
    /// cgroupfs: see `a_large_cache_baseline_is_shed_and_the_files_stay_cached` in the jail's
    /// tests. A fake group is a plain directory that cannot be removed while it has files, so
    /// here the attempt shows as that refusal; and it comes before any limit is written.
    #[test]
    fn a_used_memory_group_is_renewed_before_the_next_run() {
        let root = fake_root("slot-2");
        let dir = root.path().join("memory/judgebox/slot-2");
        let mut cg = V1Slot::create(root.path(), "judgebox", "slot-2").unwrap();
        cg.prepare(64 << 20, 8).unwrap();
        std::fs::write(dir.join("memory.limit_in_bytes"), "sentinel").unwrap();
        let err = cg.prepare(32 << 20, 8).unwrap_err();
        assert!(
            matches!(&err, CgroupError::Io { path, .. } if *path == dir),
            "{err}"
        );
        assert_eq!(
            read(root.path(), "memory/judgebox/slot-2/memory.limit_in_bytes"),
            "sentinel"
        );
    }

    #[test]
    fn missing_files_name_the_path() {
        let root = tempfile::tempdir().unwrap();
        let err = V1Slot::create(root.path(), "judgebox", "x").unwrap_err();
        assert!(err.to_string().contains("cgroup.procs"), "{err}");
    }
}
