//! cgroup v1: one group per slot in each of the `memory`, `pids` and `cpuacct` hierarchies.
//!
//! Reset between runs: `memory.max_usage_in_bytes` (reset to the current usage by writing
//! `0`) and `cpuacct.usage` (zeroed). Page cache an earlier run brought in stays charged to
//! the group; it is the baseline a run's peak is measured from, and it is dropped with
//! `memory.force_empty` only when it grows large, because dropping it evicts the cache and
//! makes the next interpreter start cold (python3: 17 ms instead of 11). The OOM-kill count
//! (`oom_kill` in `memory.oom_control`) cannot be reset, so a run compares it with the value
//! it started from.

use std::os::fd::BorrowedFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{io_err, list_pids, wait_empty, CgroupError, CgroupVersion, Knob, SlotCgroup, Usage};

const CONTROLLERS: [&str; 3] = ["memory", "pids", "cpuacct"];

#[derive(Debug)]
pub struct V1Slot {
    dirs: Vec<PathBuf>,
    procs: Vec<Knob>,
    mem_limit: Knob,
    memsw_limit: Option<Knob>,
    max_usage: Knob,
    usage: Knob,
    force_empty: Knob,
    oom_control: Knob,
    pids_max: Knob,
    cpu_usage: Knob,
    oom_base: u64,
    memory_base: u64,
    applied: Option<(u64, u64)>,
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
        let memsw = mem.join("memory.memsw.limit_in_bytes");
        Ok(V1Slot {
            procs: dirs
                .iter()
                .map(|d| Knob::open(d.join("cgroup.procs")))
                .collect::<Result<_, _>>()?,
            mem_limit: Knob::open(mem.join("memory.limit_in_bytes"))?,
            memsw_limit: if memsw.exists() {
                Some(Knob::open(memsw)?)
            } else {
                None
            },
            max_usage: Knob::open(mem.join("memory.max_usage_in_bytes"))?,
            usage: Knob::open_read(mem.join("memory.usage_in_bytes"))?,
            force_empty: Knob::open(mem.join("memory.force_empty"))?,
            oom_control: Knob::open_read(mem.join("memory.oom_control"))?,
            pids_max: Knob::open(pids.join("pids.max"))?,
            cpu_usage: Knob::open(cpu.join("cpuacct.usage"))?,
            oom_base: 0,
            memory_base: 0,
            applied: None,
            dirs,
        })
    }

    fn set_memory(&self, bytes: u64) -> Result<(), CgroupError> {
        // memsw must stay >= the memory limit at every step: lift it, set memory, then cap
        // memory+swap at the same value so the box never swaps.
        if let Some(memsw) = &self.memsw_limit {
            memsw.write("-1")?;
        }
        let value = bytes.to_string();
        if let Err(e) = self.mem_limit.write(&value) {
            // EBUSY: cache from an earlier run is charged above the new limit. Drop it, retry.
            self.force_empty.write("0")?;
            self.mem_limit.write(&value).map_err(|_| e)?;
        }
        if let Some(memsw) = &self.memsw_limit {
            memsw.write(&value)?;
        }
        Ok(())
    }
}

impl SlotCgroup for V1Slot {
    fn version(&self) -> CgroupVersion {
        CgroupVersion::V1
    }

    fn prepare(&mut self, memory_bytes: u64, max_pids: u64) -> Result<(), CgroupError> {
        if self.applied != Some((memory_bytes, max_pids)) {
            self.set_memory(memory_bytes)?;
            self.pids_max.write(&max_pids.to_string())?;
            self.applied = Some((memory_bytes, max_pids));
        }
        self.memory_base = self.usage.read_u64()?;
        if self.memory_base > super::baseline_cap(memory_bytes) {
            self.force_empty.write("0")?;
            self.memory_base = self.usage.read_u64()?;
        }
        self.max_usage.write("0")?;
        self.cpu_usage.write("0")?;
        self.oom_base = self.oom_control.read_key("oom_kill")?;
        Ok(())
    }

    fn procs(&self) -> Vec<BorrowedFd<'_>> {
        self.procs.iter().map(Knob::fd).collect()
    }

    fn cpu_usage(&self) -> Result<Duration, CgroupError> {
        Ok(Duration::from_nanos(self.cpu_usage.read_u64()?))
    }

    fn usage(&self) -> Result<Usage, CgroupError> {
        Ok(Usage {
            cpu: self.cpu_usage()?,
            memory_peak: self.max_usage.read_u64()?.saturating_sub(self.memory_base),
            oom_killed: self.oom_control.read_key("oom_kill")? > self.oom_base,
        })
    }

    fn kill_all(&self) -> Result<(), CgroupError> {
        // The usual case, after a box's pid namespace took its processes with it: one read
        // of an open descriptor. Every box process joins all three groups at once.
        if self.procs[0].read()?.trim().is_empty() {
            return Ok(());
        }
        let procs: Vec<PathBuf> = self.dirs.iter().map(|d| d.join("cgroup.procs")).collect();
        wait_empty(&self.dirs[0], || {
            let mut empty = true;
            for path in &procs {
                for pid in list_pids(path)? {
                    empty = false;
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
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
                    ("memory.force_empty", ""),
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
        assert!(read(r, "memory/judgebox/slot-0/memory.max_usage_in_bytes").starts_with('0'));
        assert_eq!(cg.oom_base, 4);
        assert_eq!(cg.memory_base, 1 << 20);
    }

    #[test]
    fn usage_reads_counters_and_oom_delta() {
        let root = fake_root("slot-1");
        let mut cg = V1Slot::create(root.path(), "judgebox", "slot-1").unwrap();
        cg.prepare(1 << 20, 8).unwrap();
        let dir = root.path().join("memory/judgebox/slot-1");
        std::fs::write(dir.join("memory.max_usage_in_bytes"), "3145728\n").unwrap();
        std::fs::write(
            root.path().join("cpuacct/judgebox/slot-1/cpuacct.usage"),
            "200000000\n",
        )
        .unwrap();
        let u = cg.usage().unwrap();
        assert_eq!(u.cpu, Duration::from_millis(200));
        // The peak counts from the cache left by earlier runs (1 MiB here).
        assert_eq!(u.memory_peak, 2 << 20);
        assert!(!u.oom_killed);
        std::fs::write(
            dir.join("memory.oom_control"),
            "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n",
        )
        .unwrap();
        assert!(cg.usage().unwrap().oom_killed);
    }

    #[test]
    fn large_leftover_cache_is_dropped_first() {
        let root = fake_root("slot-2");
        let dir = root.path().join("memory/judgebox/slot-2");
        std::fs::write(dir.join("memory.usage_in_bytes"), "900000000\n").unwrap();
        std::fs::write(dir.join("memory.force_empty"), "").unwrap();
        let mut cg = V1Slot::create(root.path(), "judgebox", "slot-2").unwrap();
        cg.prepare(64 << 20, 8).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("memory.force_empty")).unwrap(),
            "0"
        );
        let small = fake_root("slot-3");
        let mut cg = V1Slot::create(small.path(), "judgebox", "slot-3").unwrap();
        cg.prepare(64 << 20, 8).unwrap();
        let untouched = small
            .path()
            .join("memory/judgebox/slot-3/memory.force_empty");
        assert_eq!(
            std::fs::read_to_string(untouched).unwrap(),
            "",
            "a small baseline stays cached"
        );
    }

    #[test]
    fn missing_files_name_the_path() {
        let root = tempfile::tempdir().unwrap();
        let err = V1Slot::create(root.path(), "judgebox", "x").unwrap_err();
        assert!(err.to_string().contains("cgroup.procs"), "{err}");
    }
}
