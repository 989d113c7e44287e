//! The box's filesystem, in two plans of mount steps made before any `clone`.
//!
//! The *namespace* plan is carried out once per slot and profile, by a short-lived helper
//! in a new mount namespace that the jail then keeps by descriptor: a read-only tmpfs root
//! with the profile's read-only binds and symlinks, the mount points, and `/dev`, entered
//! with `pivot_root`. The slot's `/box` is attached to it by the jail. The *per-run* plan,
//! carried out by each box's init after it joins that namespace, mounts a fresh `/tmp`,
//! `/dev/shm` and `/proc` (the last for the box's new pid namespace); the jail detaches
//! them again after the run. A run thus neither copies the jail's mounts nor tears a mount
//! namespace down (measured: ~35 mounts and a pivot, 0.6 ms, per run before).
//!
//! ```text
//! /            tmpfs, read-only once built
//! /usr, /etc/… read-only, nosuid, nodev binds from the profile
//! /bin → usr/bin and the profile's other symlinks
//! /box         the slot's box tmpfs (nosuid, nodev, nosymfollow), the working directory
//! /tmp         a fresh size-capped tmpfs (nosuid, nodev, nosymfollow), mode 1777
//! /dev         read-only tmpfs: null zero full random urandom, fd/std* links, /dev/shm tmpfs
//! /proc        a fresh procfs of the box's pid namespace, other users' processes hidden
//! ```

use std::collections::BTreeSet;
use std::ffi::CString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use judgebox_spec::Profile;
use nix::errno::Errno;
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sys::stat::{mknod, Mode, SFlag};
use nix::unistd::{chdir, mkdir, pivot_root, symlinkat};

/// One mount-namespace operation, with every string already a C string.
#[derive(Debug)]
enum Step {
    Mount {
        source: Option<CString>,
        target: CString,
        fstype: Option<CString>,
        flags: MsFlags,
        data: Option<CString>,
    },
    Mkdir(CString, u32),
    /// An empty file to bind a file over.
    Touch(CString),
    Symlink {
        target: CString,
        path: CString,
    },
    CharDev(CString, u64),
    /// A small file with prepared content (the box's `/etc/passwd`).
    File(CString, Vec<u8>),
    /// Makes the mount at this path and every mount below it read-only, nosuid and nodev.
    ReadOnlyTree(CString),
}

/// The box's user database: root, the slot's own user and nobody, so that programs which look
/// their uid up (`getpwuid`: GNUstep, `whoami`, Java's `user.name`) find an answer. It lists
/// nothing of the host's accounts.
fn passwd(uid: u32, gid: u32) -> (Vec<u8>, Vec<u8>) {
    let passwd = format!(
        "root:x:0:0:root:/root:/usr/sbin/nologin\n\
         box:x:{uid}:{gid}:judgebox box:/tmp:/usr/sbin/nologin\n\
         nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    );
    let group = format!("root:x:0:\nbox:x:{gid}:\nnogroup:x:65534:\n");
    (passwd.into_bytes(), group.into_bytes())
}

/// Where a step failed, for the jail's report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepFailure {
    pub index: u32,
    pub errno: Errno,
}

/// The whole plan for one profile in one slot.
#[derive(Debug)]
pub(crate) struct Layout {
    root: CString,
    /// Whether `apply` ends by pivoting into `root` (the per-run plan).
    pivot: bool,
    steps: Vec<Step>,
    /// Human-readable name of each step, for error messages (never used in the child).
    names: Vec<String>,
}

fn c(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes())
        .expect("paths from profiles and slot dirs hold no NUL")
}

fn cs(s: &str) -> CString {
    CString::new(s).expect("no NUL in a constant")
}

/// `MS_NOSYMFOLLOW` (Linux 5.10), which `nix` does not name.
pub(crate) const MS_NOSYMFOLLOW: MsFlags = MsFlags::from_bits_retain(libc::MS_NOSYMFOLLOW);

const RO_BIND: MsFlags = MsFlags::MS_REMOUNT
    .union(MsFlags::MS_BIND)
    .union(MsFlags::MS_RDONLY)
    .union(MsFlags::MS_NOSUID)
    .union(MsFlags::MS_NODEV);

const DEVICES: [(&str, u64, u64); 5] = [
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
];

struct Builder {
    root: PathBuf,
    steps: Vec<Step>,
    names: Vec<String>,
    made: BTreeSet<PathBuf>,
}

impl Builder {
    fn push(&mut self, name: String, step: Step) {
        self.names.push(name);
        self.steps.push(step);
    }

    fn inside(&self, box_path: &Path) -> PathBuf {
        self.root
            .join(box_path.strip_prefix("/").unwrap_or(box_path))
    }

    /// mkdir -p of a path inside the new root.
    fn mkdirs(&mut self, box_path: &Path, mode: u32) {
        let mut at = PathBuf::from("/");
        for comp in box_path.components().skip(1) {
            at.push(comp);
            if self.made.insert(at.clone()) {
                let host = self.inside(&at);
                self.push(
                    format!("mkdir {}", at.display()),
                    Step::Mkdir(c(&host), mode),
                );
            }
        }
    }

    fn mount(
        &mut self,
        name: String,
        source: Option<&Path>,
        target: &Path,
        fstype: Option<&str>,
        flags: MsFlags,
        data: Option<String>,
    ) {
        let step = Step::Mount {
            source: source.map(c),
            target: c(target),
            fstype: fstype.map(cs),
            flags,
            data: data.map(|d| CString::new(d).expect("no NUL in mount options")),
        };
        self.push(name, step);
    }
}

/// `mount_setattr(path, AT_RECURSIVE)` setting read-only, nosuid and nodev on the mount at
/// `path` and every mount below it (Linux 5.12). Before 5.12 (ENOSYS), each of those mounts
/// is found in `/proc/self/mountinfo` and remounted on its own, keeping its other flags
/// (`noexec`, atime): this runs in the profile helper, a forked process, before the new
/// root is pivoted into.
fn read_only_tree(path: &std::ffi::CStr) -> Result<(), Errno> {
    const ATTRS: u64 = crate::sys::MOUNT_ATTR_RDONLY
        | crate::sys::MOUNT_ATTR_NOSUID
        | crate::sys::MOUNT_ATTR_NODEV;
    match crate::sys::mount_setattr_recursive(path, ATTRS) {
        Err(Errno::ENOSYS) => {}
        other => return other,
    }
    let top = Path::new(std::ffi::OsStr::from_bytes(path.to_bytes()));
    let info = std::fs::read_to_string("/proc/self/mountinfo").map_err(|_| Errno::EIO)?;
    let mut below = Vec::new();
    for line in info.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let (Some(point), Some(options)) = (fields.get(4), fields.get(5)) else {
            continue;
        };
        let point = PathBuf::from(unescape_mountinfo(point));
        if point.starts_with(top) {
            let mut flags = RO_BIND;
            for (name, flag) in [
                ("noexec", MsFlags::MS_NOEXEC),
                ("noatime", MsFlags::MS_NOATIME),
                ("nodiratime", MsFlags::MS_NODIRATIME),
                ("relatime", MsFlags::MS_RELATIME),
            ] {
                if options.split(',').any(|o| o == name) {
                    flags |= flag;
                }
            }
            below.push((point, flags));
        }
    }
    if below.is_empty() {
        return Err(Errno::ENOENT);
    }
    for (point, flags) in below {
        mount(None::<&str>, &point, None::<&str>, flags, None::<&str>)?;
    }
    Ok(())
}

/// A mount point as `/proc/self/mountinfo` writes it: space, tab, newline and backslash as
/// three octal digits after a backslash.
fn unescape_mountinfo(field: &str) -> std::ffi::OsString {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (bytes[i], octal) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    std::ffi::OsString::from_vec(out)
}

impl Layout {
    /// Plans the slot's mount namespace for `profile`, built at `root` (an empty directory)
    /// and pivoted into, and the per-run mounts made inside it.
    pub(crate) fn plan(profile: &Profile, root: &Path, uid: u32, gid: u32) -> (Layout, Layout) {
        let mut b = Builder {
            root: root.to_path_buf(),
            steps: Vec::new(),
            names: Vec::new(),
            made: BTreeSet::new(),
        };
        b.mount(
            "tmpfs /".into(),
            Some(Path::new("tmpfs")),
            root,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
            Some("mode=0755,size=1024k,nr_inodes=1024".into()),
        );
        for bind in &profile.binds {
            let Ok(meta) = std::fs::metadata(&bind.source) else {
                // Profiles are checked when loaded; a missing optional source is skipped.
                continue;
            };
            let target = bind.target();
            let host_target = b.inside(target);
            if meta.is_dir() {
                b.mkdirs(target, 0o755);
            } else {
                if let Some(parent) = target.parent() {
                    b.mkdirs(parent, 0o755);
                }
                b.push(
                    format!("create {}", target.display()),
                    Step::Touch(c(&host_target)),
                );
            }
            let name = format!("bind {} on {}", bind.source.display(), target.display());
            b.mount(
                name.clone(),
                Some(&bind.source),
                &host_target,
                None,
                MsFlags::MS_BIND | MsFlags::MS_REC,
                None,
            );
            // Recursively: a host filesystem mounted below the bound directory (a writable
            // disk under /opt, say) must not appear writable, or with setuid or device files,
            // in the box.
            b.push(
                format!("{name} read-only"),
                Step::ReadOnlyTree(c(&host_target)),
            );
        }
        for link in &profile.symlinks {
            if let Some(parent) = link.path.parent() {
                b.mkdirs(parent, 0o755);
            }
            let path = b.inside(&link.path);
            b.push(
                format!("symlink {}", link.path.display()),
                Step::Symlink {
                    target: c(&link.target),
                    path: c(&path),
                },
            );
        }
        let binds_etc_file = |name: &str| {
            profile
                .binds
                .iter()
                .any(|bind| bind.target() == Path::new(name) || bind.target() == Path::new("/etc"))
        };
        let (passwd, group) = passwd(uid, gid);
        for (name, content) in [("/etc/passwd", passwd), ("/etc/group", group)] {
            if !binds_etc_file(name) {
                b.mkdirs(Path::new("/etc"), 0o755);
                let path = b.inside(Path::new(name));
                b.push(format!("write {name}"), Step::File(c(&path), content));
            }
        }
        b.mkdirs(Path::new("/box"), 0o755);
        b.mkdirs(Path::new("/tmp"), 0o755);
        b.mkdirs(Path::new("/proc"), 0o555);
        b.mkdirs(Path::new("/dev"), 0o755);
        let dev = b.inside(Path::new("/dev"));
        b.mount(
            "tmpfs /dev".into(),
            Some(Path::new("tmpfs")),
            &dev,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
            Some("mode=0755,size=64k,nr_inodes=64".into()),
        );
        for (name, major, minor) in DEVICES {
            let path = dev.join(name);
            b.push(
                format!("mknod /dev/{name}"),
                Step::CharDev(c(&path), libc::makedev(major as u32, minor as u32)),
            );
        }
        for (name, target) in [
            ("fd", "/proc/self/fd"),
            ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ] {
            b.push(
                format!("symlink /dev/{name}"),
                Step::Symlink {
                    target: cs(target),
                    path: c(&dev.join(name)),
                },
            );
        }
        b.mkdirs(Path::new("/dev/shm"), 0o755);
        b.mount(
            "/dev read-only".into(),
            None,
            &dev,
            None,
            MsFlags::MS_REMOUNT
                | MsFlags::MS_BIND
                | MsFlags::MS_RDONLY
                | MsFlags::MS_NOSUID
                | MsFlags::MS_NOEXEC,
            None,
        );
        b.mount("/ read-only".into(), None, root, None, RO_BIND, None);
        let namespace = Layout {
            root: c(root),
            pivot: true,
            steps: b.steps,
            names: b.names,
        };

        // Per run, inside the namespace: what must be fresh.
        let mut r = Builder {
            root: PathBuf::from("/"),
            steps: Vec::new(),
            names: Vec::new(),
            made: BTreeSet::new(),
        };
        let nosym = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MS_NOSYMFOLLOW;
        r.mount(
            "tmpfs /tmp".into(),
            Some(Path::new("tmpfs")),
            Path::new("/tmp"),
            Some("tmpfs"),
            nosym,
            Some(format!(
                "mode=1777,size={}k,nr_inodes=16384",
                profile.tmp_size
            )),
        );
        r.mount(
            "tmpfs /dev/shm".into(),
            Some(Path::new("tmpfs")),
            Path::new("/dev/shm"),
            Some("tmpfs"),
            nosym | MsFlags::MS_NOEXEC,
            Some(format!(
                "mode=1777,size={}k,nr_inodes=4096",
                profile.tmp_size
            )),
        );
        r.mount(
            "proc /proc".into(),
            Some(Path::new("proc")),
            Path::new("/proc"),
            Some("proc"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            Some("hidepid=invisible".into()),
        );
        let per_run = Layout {
            root: cs("/"),
            pivot: false,
            steps: r.steps,
            names: r.names,
        };
        (namespace, per_run)
    }

    /// Carries out the plan (and for the per-run plan, moves into it). In the box's init,
    /// after `clone`, this makes no allocation: only syscalls on prepared strings.
    pub(crate) fn apply(&self) -> Result<(), StepFailure> {
        for (index, step) in self.steps.iter().enumerate() {
            let fail = |errno| StepFailure {
                index: index as u32,
                errno,
            };
            match step {
                Step::Mount {
                    source,
                    target,
                    fstype,
                    flags,
                    data,
                } => mount(
                    source.as_deref(),
                    target.as_c_str(),
                    fstype.as_deref(),
                    *flags,
                    data.as_deref(),
                ),
                Step::Mkdir(path, mode) => mkdir(path.as_c_str(), Mode::from_bits_truncate(*mode)),
                Step::Touch(path) => nix::fcntl::open(
                    path.as_c_str(),
                    nix::fcntl::OFlag::O_CREAT
                        | nix::fcntl::OFlag::O_WRONLY
                        | nix::fcntl::OFlag::O_CLOEXEC,
                    Mode::from_bits_truncate(0o644),
                )
                .map(drop),
                Step::Symlink { target, path } => {
                    symlinkat(target.as_c_str(), nix::fcntl::AT_FDCWD, path.as_c_str())
                }
                Step::CharDev(path, dev) => mknod(
                    path.as_c_str(),
                    SFlag::S_IFCHR,
                    Mode::from_bits_truncate(0o666),
                    *dev,
                ),
                Step::File(path, content) => nix::fcntl::open(
                    path.as_c_str(),
                    nix::fcntl::OFlag::O_CREAT
                        | nix::fcntl::OFlag::O_EXCL
                        | nix::fcntl::OFlag::O_WRONLY
                        | nix::fcntl::OFlag::O_CLOEXEC,
                    Mode::from_bits_truncate(0o644),
                )
                .and_then(|fd| nix::unistd::write(&fd, content).map(drop)),
                Step::ReadOnlyTree(path) => read_only_tree(path),
            }
            .map_err(fail)?;
        }
        if !self.pivot {
            return Ok(());
        }
        let pivot = self.steps.len() as u32;
        let fail = |errno| StepFailure {
            index: pivot,
            errno,
        };
        // pivot_root(".", ".") stacks the old root under the new one; detaching it leaves
        // only the new root (pivot_root(2), NOTES).
        chdir(self.root.as_c_str()).map_err(fail)?;
        pivot_root(c".", c".").map_err(fail)?;
        umount2(c".", MntFlags::MNT_DETACH).map_err(fail)?;
        chdir(c"/").map_err(fail)?;
        Ok(())
    }

    /// Names the step a failure index points at.
    pub(crate) fn describe(&self, index: u32) -> &str {
        match index {
            u32::MAX => "joining the slot's mount namespace",
            i if i == u32::MAX - 1 => "entering /box",
            i if i == u32::MAX - 2 => "making the helper's mounts private",
            i => self
                .names
                .get(i as usize)
                .map(String::as_str)
                .unwrap_or("pivot_root into the new root"),
        }
    }
}

/// What a run mounts in the slot's namespace, detached again by the jail after the run.
pub(crate) const PER_RUN_MOUNTS: [&std::ffi::CStr; 3] = [c"/tmp", c"/dev/shm", c"/proc"];

/// The paths Landlock lets the program write under: the box, scratch space, device sinks.
pub(crate) const WRITABLE_DIRS: [&str; 3] = ["/box", "/tmp", "/dev/shm"];
/// Writing to the device nodes: one rule on `/dev`, which is a read-only tmpfs holding only
/// `null zero full random urandom` and links, so it grants writes to those nodes and nothing
/// else (a rule per node cost 5 more path lookups per run).
pub(crate) const WRITABLE_DEVICES: &str = "/dev";

#[cfg(test)]
mod tests {
    use super::*;
    use judgebox_spec::Profiles;

    #[test]
    fn namespace_builds_mount_points_before_mounting_and_ends_read_only() {
        let profiles = Profiles::builtin().unwrap();
        let run = profiles.get("run").unwrap();
        let (ns, per_run) = Layout::plan(run, Path::new("/r/root"), 60000, 60000);
        let pos = |needle: &str| {
            ns.names
                .iter()
                .position(|n| n == needle)
                .unwrap_or_else(|| panic!("{needle} not in {:?}", ns.names))
        };
        assert_eq!(pos("tmpfs /"), 0);
        assert!(pos("mkdir /usr") < pos("bind /usr on /usr"));
        assert!(pos("bind /usr on /usr") < pos("bind /usr on /usr read-only"));
        assert!(pos("mknod /dev/null") < pos("/dev read-only"));
        for dir in ["/box", "/tmp", "/proc", "/dev/shm"] {
            pos(&format!("mkdir {dir}"));
        }
        assert_eq!(ns.names.last().unwrap(), "/ read-only");
        assert!(ns.pivot);
        assert_eq!(
            ns.describe(ns.steps.len() as u32),
            "pivot_root into the new root"
        );
        // Every directory is made once.
        let mkdirs: Vec<_> = ns
            .names
            .iter()
            .filter(|n| n.starts_with("mkdir "))
            .collect();
        let unique: BTreeSet<_> = mkdirs.iter().collect();
        assert_eq!(mkdirs.len(), unique.len());
        // A run mounts only what must be fresh, inside the namespace.
        assert_eq!(
            per_run.names,
            ["tmpfs /tmp", "tmpfs /dev/shm", "proc /proc"]
        );
        assert!(!per_run.pivot);
    }
}

#[cfg(test)]
mod mountinfo_tests {
    use super::unescape_mountinfo;

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape_mountinfo("/usr/local/a\\040b"), "/usr/local/a b");
        assert_eq!(unescape_mountinfo("/x\\011y\\012z\\134w"), "/x\ty\nz\\w");
        // Not an escape: a backslash without three octal digits stays.
        assert_eq!(unescape_mountinfo("/a\\9b\\04"), "/a\\9b\\04");
    }
}
