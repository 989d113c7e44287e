//! A box's processes as `/proc` shows them, for the teardown bench: which processes belong
//! to a box, and whether they are still there.
//!
//! A box's processes are those in its pid namespace (its init, which runs as root, included)
//! or running as its slot's uid. The namespace is read from `/proc/PID/ns/pid`; a zombie has
//! no namespaces left to show, so the uids of `/proc/PID/status` are read for every process
//! the namespace does not claim. (A zombie init, root's and without a namespace, is caught by
//! whoever watches it by pid: see [`ProcFs::present`].) The owner of `/proc/PID` is not
//! used: a process that makes itself non-dumpable shows as root's there.
//!
//! A process is identified by its pid *and* its start time (field 22 of `/proc/PID/stat`), so
//! a pid reused by a new process is not mistaken for the old one. A zombie still has its
//! `/proc` entry: it counts as present until its parent (or the kernel) reaps it.

use std::path::{Path, PathBuf};

/// One process as `/proc/PID/stat` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcStat {
    pub pid: i32,
    /// The command name (`PR_SET_NAME`), without the parentheses.
    pub comm: String,
    /// `R`, `S`, `D`, `T`, `Z`, ...
    pub state: char,
    /// The parent's pid (0 when the parent is outside our pid namespace).
    pub ppid: i32,
    /// Clock ticks after boot when the process started: with the pid, its identity.
    pub start: u64,
}

impl ProcStat {
    /// Exited but not reaped yet (`Z`), or being reaped (`X`).
    pub fn is_dead(&self) -> bool {
        matches!(self.state, 'Z' | 'X')
    }
}

/// Parses the text of `/proc/PID/stat`.
fn parse_stat(pid: i32, text: &str) -> Option<ProcStat> {
    // The name may hold spaces and parentheses: it runs to the last ')'.
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    let fields: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    // fields[0] is field 3 (state), fields[1] field 4 (ppid); field 22 (starttime) is
    // fields[19].
    let state = fields.first()?.chars().next()?;
    let ppid = fields.get(1)?.parse().ok()?;
    let start = fields.get(19)?.parse().ok()?;
    Some(ProcStat {
        pid,
        comm,
        state,
        ppid,
        start,
    })
}

/// The `Uid:` line of `/proc/PID/status`: real, effective, saved and filesystem uid.
fn parse_uids(status: &str) -> Option<[u32; 4]> {
    let line = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    let ids: Vec<u32> = line
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    ids.try_into().ok()
}

/// A `/proc` filesystem (its root passed in, so the parsing is testable on a directory).
#[derive(Debug, Clone)]
pub struct ProcFs {
    root: PathBuf,
}

impl ProcFs {
    pub fn new(root: impl Into<PathBuf>) -> ProcFs {
        ProcFs { root: root.into() }
    }

    fn path(&self, pid: i32, file: &str) -> PathBuf {
        self.root.join(pid.to_string()).join(file)
    }

    /// Every pid in `/proc` now.
    pub fn pids(&self) -> std::io::Result<Vec<i32>> {
        let mut pids = Vec::new();
        for entry in std::fs::read_dir(&self.root)? {
            if let Some(pid) = entry?.file_name().to_str().and_then(|n| n.parse().ok()) {
                pids.push(pid);
            }
        }
        Ok(pids)
    }

    /// The process with this pid now, or `None` once it is gone.
    pub fn stat(&self, pid: i32) -> Option<ProcStat> {
        let text = std::fs::read_to_string(self.path(pid, "stat")).ok()?;
        parse_stat(pid, &text)
    }

    /// Whether the process `p` is still there: same pid, same start time.
    pub fn present(&self, p: &ProcStat) -> Option<ProcStat> {
        self.stat(p.pid).filter(|now| now.start == p.start)
    }

    /// Its pid namespace (`pid:[4026532xyz]`); `None` for a zombie or a process gone.
    pub fn pid_namespace(&self, pid: i32) -> Option<String> {
        let link = std::fs::read_link(self.path(pid, "ns/pid")).ok()?;
        link.to_str().map(str::to_string)
    }

    /// Its real, effective, saved and filesystem uids.
    pub fn uids(&self, pid: i32) -> Option<[u32; 4]> {
        parse_uids(&std::fs::read_to_string(self.path(pid, "status")).ok()?)
    }
}

/// Which processes belong to one box: its pid namespace (once known) and its uid.
#[derive(Debug, Clone)]
pub struct BoxProcesses {
    procfs: ProcFs,
    uid: Option<u32>,
    namespace: Option<String>,
}

impl BoxProcesses {
    /// The box whose programs run as `uid`; its pid namespace is learnt by [`Self::find`].
    pub fn new(procfs: ProcFs, uid: u32) -> BoxProcesses {
        BoxProcesses {
            procfs,
            uid: Some(uid),
            namespace: None,
        }
    }

    /// The processes of one pid namespace (`pid:[…]`), whatever their uid: a bare pid
    /// namespace, for comparison.
    pub fn of_namespace(procfs: ProcFs, namespace: String) -> BoxProcesses {
        BoxProcesses {
            procfs,
            uid: None,
            namespace: Some(namespace),
        }
    }

    pub fn procfs(&self) -> &ProcFs {
        &self.procfs
    }

    /// Forgets the pid namespace: the next box (a new run) has a new one.
    pub fn forget_namespace(&mut self) {
        self.namespace = None;
    }

    /// Every process of the box now. The processes of the box's uid name its pid namespace
    /// the first time; one of that uid in another namespace is an error (two boxes of one
    /// slot at once, or one that outlived its run).
    pub fn find(&mut self) -> anyhow::Result<Vec<ProcStat>> {
        struct Seen {
            pid: i32,
            namespace: Option<String>,
            by_uid: bool,
        }
        let mut seen = Vec::new();
        for pid in self.procfs.pids()? {
            let namespace = self.procfs.pid_namespace(pid);
            // The uid is only read for what the namespace does not already claim.
            let by_uid = self.uid.is_some_and(|uid| {
                (namespace.is_none() || namespace != self.namespace)
                    && self.procfs.uids(pid).is_some_and(|ids| ids.contains(&uid))
            });
            seen.push(Seen {
                pid,
                namespace,
                by_uid,
            });
        }
        // A zombie has no namespace link: only the live ones of the uid name it.
        let mut spaces = seen
            .iter()
            .filter(|s| s.by_uid)
            .filter_map(|s| s.namespace.as_ref());
        if let Some(first) = self.namespace.clone().or_else(|| spaces.next().cloned()) {
            if let Some(other) = spaces.find(|ns| **ns != first) {
                anyhow::bail!(
                    "processes of the box's uid {} in two pid namespaces: {first} and {other}",
                    self.uid.unwrap_or_default()
                );
            }
            self.namespace = Some(first);
        }
        let mut found: Vec<ProcStat> = seen
            .iter()
            .filter(|s| s.by_uid || (s.namespace.is_some() && s.namespace == self.namespace))
            .filter_map(|s| self.procfs.stat(s.pid))
            .collect();
        found.sort_by_key(|p| p.pid);
        Ok(found)
    }
}

/// `/proc` itself.
pub fn host_procfs() -> ProcFs {
    ProcFs::new(Path::new("/proc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_a_hostile_name() {
        let text = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 3 1 0 0 20 0 1 0 \
                    987654 1000 200 18446744073709551615\n";
        let s = parse_stat(4242, text).unwrap();
        assert_eq!(s.comm, "a) b (c)");
        assert_eq!(s.state, 'S');
        assert_eq!(s.ppid, 1);
        assert_eq!(s.start, 987654);
        assert!(!s.is_dead());
        let z = parse_stat(
            7,
            "7 (tb-spin) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0\n",
        );
        assert!(z.unwrap().is_dead());
    }

    #[test]
    fn uids_from_status() {
        let status = "Name:\ttb-main\nState:\tS (sleeping)\nUid:\t60912\t60912\t60912\t60912\n";
        assert_eq!(parse_uids(status), Some([60912; 4]));
        assert_eq!(parse_uids("Name:\tx\n"), None);
    }

    #[test]
    fn a_fake_proc() {
        let dir = tempfile::tempdir().unwrap();
        let proc = dir.path();
        for (pid, uid, ns) in [
            (1, 0, "pid:[1]"),
            (50, 0, "pid:[2]"),
            (51, 60912, "pid:[2]"),
        ] {
            let d = proc.join(pid.to_string());
            std::fs::create_dir_all(d.join("ns")).unwrap();
            std::fs::write(
                d.join("stat"),
                format!("{pid} (p{pid}) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 {pid}0 0 0\n"),
            )
            .unwrap();
            std::fs::write(
                d.join("status"),
                format!("Uid:\t{uid}\t{uid}\t{uid}\t{uid}\n"),
            )
            .unwrap();
            std::os::unix::fs::symlink(ns, d.join("ns/pid")).unwrap();
        }
        // A zombie of the box: no namespace link, the uid says whose it is.
        let z = proc.join("60");
        std::fs::create_dir_all(&z).unwrap();
        std::fs::write(
            z.join("stat"),
            "60 (z) Z 51 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0\n",
        )
        .unwrap();
        std::fs::write(z.join("status"), "Uid:\t60912\t60912\t60912\t60912\n").unwrap();
        std::fs::create_dir_all(proc.join("self")).unwrap();

        let mut boxed = BoxProcesses::new(ProcFs::new(proc), 60912);
        let pids: Vec<i32> = boxed.find().unwrap().iter().map(|p| p.pid).collect();
        assert_eq!(pids, [50, 51, 60]);
        let mut bare = BoxProcesses::of_namespace(ProcFs::new(proc), "pid:[1]".into());
        let pids: Vec<i32> = bare.find().unwrap().iter().map(|p| p.pid).collect();
        assert_eq!(pids, [1]);
        let fs = ProcFs::new(proc);
        let p51 = fs.stat(51).unwrap();
        assert!(fs.present(&p51).is_some());
        assert!(fs.present(&ProcStat { start: 1, ..p51 }).is_none());
        assert!(fs.stat(99).is_none());
    }
}
