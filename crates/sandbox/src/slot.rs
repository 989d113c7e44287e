//! A slot: one worker's pooled resources (uid, cgroup, network namespace, box directory),
//! owned by one jail process, reset between runs.

use std::collections::HashMap;
use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use judgebox_spec::{BoxFile, Profiles};
use nix::fcntl::{open, Flock, FlockArg, OFlag};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, unshare, CloneFlags};
use nix::sys::stat::Mode;
use nix::sys::timerfd::{ClockId, TimerFd, TimerFlags};
use nix::unistd::{Gid, Uid};
use seccompiler::BpfProgram;

use crate::cgroup::{self, CgroupConfig, SlotCgroup};
use crate::error::{at, sys, SandboxError};
use crate::layout::Layout;
use crate::{boxfs, seccomp};

/// How to set up a slot.
#[derive(Debug, Clone)]
pub struct SlotConfig {
    /// Where slot locks and mount points live (`/run/judgebox`).
    pub runtime_dir: PathBuf,
    /// The box of slot N runs as uid and gid `uid_base + N`.
    pub uid_base: u32,
    pub cgroup: CgroupConfig,
    /// Whether a run may ask for the host's network.
    pub allow_network: bool,
    /// Pin the jail and its boxes to this CPU. A box's processes wake each other across the
    /// CPUs otherwise, which on a VM costs an inter-processor interrupt each time (a warm run
    /// of a do-nothing program: 2.5 ms pinned, 3.5 ms not, on the development VM).
    pub cpu: Option<usize>,
    /// Set the cgroup2 root's `favordynmods` flag, which makes joining a cgroup cheap (see
    /// `cgroup::favor_dynmods`). Host-wide, hence optional.
    pub favor_dynmods: bool,
}

impl Default for SlotConfig {
    fn default() -> Self {
        SlotConfig {
            runtime_dir: PathBuf::from("/run/judgebox"),
            uid_base: 60000,
            cgroup: CgroupConfig::default(),
            allow_network: false,
            cpu: None,
            favor_dynmods: true,
        }
    }
}

/// Slots the service's pool uses start at 0; one-shot jails (the CLI) take the first free
/// one from here, so the two never compete for a slot.
pub const EPHEMERAL_SLOTS: std::ops::Range<u32> = 1000..5000;

/// A profile ready to run: its mount plan for this slot and its compiled seccomp filter.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// The per-run mount plan (its template is already built).
    pub layout: Layout,
    pub seccomp: BpfProgram,
}

#[derive(Debug)]
pub struct Slot {
    pub(crate) id: u32,
    pub(crate) uid: Uid,
    pub(crate) gid: Gid,
    dir: PathBuf,
    root_dir: PathBuf,
    box_dir: PathBuf,
    box_fd: Option<OwnedFd>,
    box_size: u64,
    pub(crate) cgroup: Box<dyn SlotCgroup>,
    pub(crate) netns: OwnedFd,
    pub(crate) jail_pidfd: OwnedFd,
    pub(crate) timer: TimerFd,
    pub(crate) profiles: Profiles,
    pub(crate) compiled: HashMap<String, Compiled>,
    pub(crate) allow_network: bool,
    pub(crate) ncpus: u32,
    _lock: Flock<File>,
}

fn lock_slot(dir: &Path, id: u32) -> Result<Option<Flock<File>>, SandboxError> {
    let path = dir.join(format!("slot-{id}.lock"));
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| SandboxError::Path {
            what: "opening slot lock",
            path: path.clone(),
            errno: nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
        })?;
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(lock) => Ok(Some(lock)),
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(None),
        Err((_, errno)) => Err(SandboxError::Path {
            what: "locking slot",
            path,
            errno,
        }),
    }
}

fn mkdir_p(path: &Path) -> Result<(), SandboxError> {
    std::fs::create_dir_all(path).map_err(|e| SandboxError::Path {
        what: "creating directory",
        path: path.to_path_buf(),
        errno: nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)),
    })
}

impl Slot {
    /// Takes slot `id`, failing if another jail holds it.
    pub fn open(config: &SlotConfig, id: u32, profiles: Profiles) -> Result<Slot, SandboxError> {
        let locks = config.runtime_dir.join("locks");
        preflight(&locks)?;
        let lock = lock_slot(&locks, id)?.ok_or(SandboxError::SlotBusy(id))?;
        Self::with_lock(config, id, profiles, lock)
    }

    /// Takes the first free slot in [`EPHEMERAL_SLOTS`].
    pub fn open_ephemeral(config: &SlotConfig, profiles: Profiles) -> Result<Slot, SandboxError> {
        let locks = config.runtime_dir.join("locks");
        preflight(&locks)?;
        for id in EPHEMERAL_SLOTS {
            if let Some(lock) = lock_slot(&locks, id)? {
                return Self::with_lock(config, id, profiles, lock);
            }
        }
        Err(SandboxError::NoFreeSlot(
            EPHEMERAL_SLOTS.start,
            EPHEMERAL_SLOTS.end,
        ))
    }

    fn with_lock(
        config: &SlotConfig,
        id: u32,
        profiles: Profiles,
        lock: Flock<File>,
    ) -> Result<Slot, SandboxError> {
        if let Some(cpu) = config.cpu {
            let mut set = nix::sched::CpuSet::new();
            set.set(cpu).map_err(sys("choosing the slot's CPU"))?;
            nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set)
                .map_err(sys("pinning the jail to its CPU"))?;
        }
        // A private mount namespace for the jail: the slot's mounts are invisible to the host
        // and vanish with the jail, however it ends.
        unshare(CloneFlags::CLONE_NEWNS).map_err(sys("unshare(CLONE_NEWNS) for the jail"))?;
        mount(
            None::<&str>,
            "/",
            None::<&str>,
            MsFlags::MS_REC | MsFlags::MS_PRIVATE,
            None::<&str>,
        )
        .map_err(sys("making / private"))?;
        let dir = config.runtime_dir.join("slots").join(format!("slot-{id}"));
        mkdir_p(&dir)?;
        mount(
            Some("tmpfs"),
            &dir,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            Some("mode=0700,size=64k,nr_inodes=64"),
        )
        .map_err(at("mounting the slot's tmpfs on", &dir))?;
        if config.favor_dynmods {
            cgroup::favor_dynmods(&dir.join("cgroup2"))?;
        }
        let root_dir = dir.join("root");
        let box_dir = dir.join("box");
        for d in [&root_dir, &box_dir] {
            nix::unistd::mkdir(d, Mode::from_bits_truncate(0o755)).map_err(at("mkdir", d))?;
        }

        // Empty the capability bounding set once for the jail: every box inherits it, and
        // the jail itself never execs, so it loses nothing by it.
        caps::clear(None, caps::CapSet::Bounding)
            .map_err(|e| SandboxError::BadRequest(format!("dropping the bounding set: {e}")))?;
        let netns = pooled_netns()?;
        let cgroup = cgroup::open_slot(&config.cgroup, &format!("slot-{id}"))?;
        let jail_pidfd =
            crate::sys::pidfd_open(std::process::id() as i32).map_err(sys("pidfd_open(self)"))?;
        let timer = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_CLOEXEC | TimerFlags::TFD_NONBLOCK,
        )
        .map_err(sys("timerfd_create"))?;
        let box_size = profiles.iter().map(|p| p.box_size).max().unwrap_or(65536);
        let id_num = config.uid_base + id;
        let mut slot = Slot {
            dir,
            id,
            uid: Uid::from_raw(id_num),
            gid: Gid::from_raw(id_num),
            root_dir,
            box_dir,
            box_fd: None,
            box_size,
            cgroup,
            netns,
            jail_pidfd,
            timer,
            profiles,
            compiled: HashMap::new(),
            allow_network: config.allow_network,
            ncpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
            _lock: lock,
        };
        slot.reset_box()?;
        Ok(slot)
    }

    pub fn id(&self) -> u32 {
        self.id
    }

    pub fn uid(&self) -> Uid {
        self.uid
    }

    pub fn cgroup_version(&self) -> cgroup::CgroupVersion {
        self.cgroup.version()
    }

    /// Replaces the box's files with an empty, fresh tmpfs. Never deletes through paths.
    pub fn reset_box(&mut self) -> Result<(), SandboxError> {
        self.box_fd = None;
        match umount2(&self.box_dir, MntFlags::MNT_DETACH) {
            Ok(()) | Err(nix::errno::Errno::EINVAL) => {}
            Err(e) => return Err(at("unmounting the old box", &self.box_dir)(e)),
        }
        let options = format!(
            "mode=0755,size={}k,nr_inodes=16384,uid={},gid={}",
            self.box_size, self.uid, self.gid
        );
        mount(
            Some("tmpfs"),
            &self.box_dir,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | crate::layout::MS_NOSYMFOLLOW,
            Some(options.as_str()),
        )
        .map_err(at("mounting the box tmpfs on", &self.box_dir))?;
        let fd = open(
            &self.box_dir,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(at("opening", &self.box_dir))?;
        self.box_fd = Some(fd);
        Ok(())
    }

    fn box_fd(&self) -> Result<&OwnedFd, SandboxError> {
        self.box_fd
            .as_ref()
            .ok_or_else(|| SandboxError::BadRequest("the box is not set up".into()))
    }

    pub fn write_files(&mut self, files: &[BoxFile]) -> Result<(), SandboxError> {
        let root = self.box_fd()?;
        for f in files {
            boxfs::write_file(
                &root.as_fd(),
                &f.path,
                &f.content.0,
                f.executable,
                self.uid,
                self.gid,
            )?;
        }
        Ok(())
    }

    pub fn read_file(&self, path: &str, max: u64) -> Result<Vec<u8>, SandboxError> {
        Ok(boxfs::read_file(&self.box_fd()?.as_fd(), path, max)?)
    }

    /// Compiles a profile for this slot on its first use: its seccomp filter, and its root
    /// template, built now in the jail's mount namespace.
    pub(crate) fn ensure_compiled(&mut self, name: &str) -> Result<(), SandboxError> {
        let profile = self.profiles.get(name)?;
        if !self.compiled.contains_key(name) {
            let template = self.dir.join(format!("template-{name}"));
            let (build, layout) = Layout::plan(profile, &template, &self.root_dir, &self.box_dir);
            let seccomp = seccomp::compile(&profile.seccomp_file, &profile.seccomp_json)?;
            nix::unistd::mkdir(&template, Mode::from_bits_truncate(0o755))
                .map_err(at("mkdir", &template))?;
            // The plan's modes are exact (devices 0666, directories 0755): no umask on them.
            let umask = nix::sys::stat::umask(Mode::empty());
            let built = build.apply();
            nix::sys::stat::umask(umask);
            built.map_err(|f| {
                SandboxError::BadRequest(format!(
                    "building the {name} profile's root template: {}: {}",
                    build.describe(f.index),
                    f.errno
                ))
            })?;
            self.compiled
                .insert(name.to_string(), Compiled { layout, seccomp });
        }
        Ok(())
    }

    pub(crate) fn compiled_layout(&self, name: &str) -> Option<&Layout> {
        self.compiled.get(name).map(|c| &c.layout)
    }

    /// Kills anything left and removes the slot's cgroup. The mounts and the network
    /// namespace go with the jail's own namespaces.
    pub fn close(self) -> Result<(), SandboxError> {
        self.cgroup.kill_all()?;
        self.cgroup.remove()?;
        Ok(())
    }
}

fn preflight(locks: &Path) -> Result<(), SandboxError> {
    if !nix::unistd::geteuid().is_root() {
        return Err(SandboxError::NotRoot);
    }
    mkdir_p(locks)
}

/// The slot's network namespace: empty but for loopback, made once, joined by every box.
fn pooled_netns() -> Result<OwnedFd, SandboxError> {
    let open_ns = || {
        open(
            "/proc/self/ns/net",
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(sys("opening /proc/self/ns/net"))
    };
    let host = open_ns()?;
    unshare(CloneFlags::CLONE_NEWNET).map_err(sys("unshare(CLONE_NEWNET)"))?;
    let made = open_ns().and_then(|ns| {
        crate::sys::loopback_up().map_err(sys("bringing up loopback"))?;
        Ok(ns)
    });
    // Back to the host's namespace whatever happened: a box asking for the network (and the
    // operator allowing it) runs in the jail's own.
    setns(host, CloneFlags::CLONE_NEWNET)
        .map_err(sys("returning to the host network namespace"))?;
    made
}
