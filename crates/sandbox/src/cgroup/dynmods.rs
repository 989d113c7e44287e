//! Cheap cgroup migrations: the `favordynmods` flag of the cgroup2 root.
//!
//! Every box's program moves itself into the slot's cgroup. A migration takes the kernel's
//! global `cgroup_threadgroup_rwsem` for writing, which by default waits for an RCU grace
//! period unless another migration happened moments before: measured on the development VM,
//! 0.03 ms back to back but 5-20 ms for a run after an idle spell, the largest single cost of
//! a run. `favordynmods` (Linux 6.0, cgroup2 only; see the kernel's cgroup-v2.rst) keeps the
//! rwsem in its writer-friendly mode at a small cost to fork and exit, and since the rwsem
//! is global, the flag on the cgroup2 root helps v1 hierarchies too.
//!
//! The flag belongs to the cgroup2 superblock, so it is set by mounting cgroup2 once more,
//! in the jail's private mount namespace, with the options already in force plus
//! `favordynmods` (a cgroup2 mount applies its options to the whole hierarchy, so leaving
//! out, say, `nsdelegate` would clear it for the host).

use std::path::Path;

use nix::mount::{mount, umount2, MntFlags, MsFlags};

use super::CgroupError;

/// Options the kernel accepts on a cgroup2 mount (and shows in its super options).
const CGROUP2_OPTIONS: &[&str] = &[
    "nsdelegate",
    "favordynmods",
    "memory_localevents",
    "memory_recursiveprot",
    "memory_hugetlb_accounting",
    "pids_localevents",
];

/// The cgroup2 super options in force, from `/proc/self/mountinfo` text; `None` when no
/// cgroup2 filesystem is mounted.
pub(crate) fn cgroup2_options(mountinfo: &str) -> Option<Vec<String>> {
    mountinfo.lines().find_map(|line| {
        let (_, after) = line.split_once(" - ")?;
        let mut fields = after.split_whitespace();
        (fields.next()? == "cgroup2").then(|| {
            let _source = fields.next();
            fields
                .next()
                .unwrap_or("")
                .split(',')
                .filter(|o| CGROUP2_OPTIONS.contains(o))
                .map(str::to_string)
                .collect()
        })
    })
}

/// Whether migrations are already cheap.
pub fn favors_dynmods() -> bool {
    std::fs::read_to_string("/proc/self/mountinfo")
        .ok()
        .and_then(|m| cgroup2_options(&m))
        .is_some_and(|o| o.iter().any(|x| x == "favordynmods"))
}

/// What [`favor_dynmods`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DynMods {
    /// The flag was already set.
    AlreadySet,
    /// The flag is set now.
    Set,
    /// The kernel has no such option (before Linux 6.0) or no cgroup2 mount: migrations
    /// keep their default cost, every box still runs.
    Unsupported,
}

/// Sets `favordynmods` on the cgroup2 root, keeping every other option, by a mount at
/// `scratch` (an empty directory in the jail's private mount namespace), removed again.
///
/// A kernel without the option refuses the mount with EINVAL: that is detected here, not
/// guessed from the kernel's version, and is no error (the flag only makes migrations
/// cheaper).
pub fn favor_dynmods(scratch: &Path) -> Result<DynMods, CgroupError> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(super::io_err(Path::new("/proc/self/mountinfo")))?;
    let Some(mut options) = cgroup2_options(&mountinfo) else {
        return Ok(DynMods::Unsupported);
    };
    if options.iter().any(|o| o == "favordynmods") {
        return Ok(DynMods::AlreadySet);
    }
    options.push("favordynmods".into());
    let data = options.join(",");
    let unavailable = |why: String| CgroupError::Unavailable {
        root: scratch.to_path_buf(),
        why,
    };
    std::fs::create_dir_all(scratch).map_err(super::io_err(scratch))?;
    match mount(
        Some("cgroup2"),
        scratch,
        Some("cgroup2"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        Some(data.as_str()),
    ) {
        Ok(()) => {}
        // An option the kernel does not know (favordynmods came in Linux 6.0).
        Err(nix::errno::Errno::EINVAL) => return Ok(DynMods::Unsupported),
        Err(e) => return Err(unavailable(format!("mounting cgroup2 with {data}: {e}"))),
    }
    umount2(scratch, MntFlags::MNT_DETACH)
        .map_err(|e| unavailable(format!("unmounting the cgroup2 scratch mount: {e}")))?;
    Ok(DynMods::Set)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYSTEMD_V2: &str = "25 1 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
    const HYBRID: &str = "30 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n\
                          31 25 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,favordynmods\n";

    #[test]
    fn existing_options_are_kept() {
        assert_eq!(
            cgroup2_options(SYSTEMD_V2).unwrap(),
            ["nsdelegate", "memory_recursiveprot"]
        );
        assert_eq!(cgroup2_options(HYBRID).unwrap(), ["favordynmods"]);
        assert_eq!(
            cgroup2_options("30 25 0:26 / /x rw - cgroup cgroup rw,pids\n"),
            None
        );
        // Optional fields before the separator do not confuse the parser.
        let optional = "40 1 0:30 / /c rw shared:9 master:3 - cgroup2 none rw,nsdelegate\n";
        assert_eq!(cgroup2_options(optional).unwrap(), ["nsdelegate"]);
    }
}
