//! A slot: one worker's pooled resources (uid, cgroup, network namespace, box directory),
//! owned by one jail process, reset between runs.

use std::collections::HashMap;
use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use judgebox_spec::{BoxFile, Profiles};
use nix::fcntl::{open, Flock, FlockArg, OFlag};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{sched_getaffinity, sched_setaffinity, setns, unshare, CloneFlags, CpuSet};
use nix::sys::stat::Mode;
use nix::sys::timerfd::{ClockId, TimerFd, TimerFlags};
use nix::unistd::{Gid, Pid, Uid};
use seccompiler::BpfProgram;

use crate::cgroup::{self, CgroupConfig, SlotCgroup};
use crate::error::{at, errno_of, io_at, sys, SandboxError};
use crate::keep::{self, Kept};
use crate::layout::Layout;
use crate::sys::ChildStack;
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
    /// Pin the jail and its boxes' inits to this CPU; each program gets back the CPUs the
    /// jail had, so a compiler or a JVM keeps its threads' parallelism. The jail and init
    /// wake each other and the program at each step of a run, and a wake-up on another CPU
    /// costs an inter-processor interrupt, which on a VM is an exit to the hypervisor:
    /// pinned, a one-shot Python hello world took ~2 ms less on the development VM.
    pub cpu: Option<usize>,
    /// Set the cgroup2 root's `favordynmods` flag, which makes joining a cgroup cheap (see
    /// `cgroup::favor_dynmods`). Host-wide, hence optional.
    pub favor_dynmods: bool,
    /// Refuse to open the slot on a kernel without Landlock (`JUDGEBOX_REQUIRE_LANDLOCK`).
    /// Without this, a box runs on its other layers there: the Landlock ruleset is applied
    /// best-effort, and `judgebox check` names the degradation.
    pub require_landlock: bool,
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
            require_landlock: false,
        }
    }
}

/// How many CPUs `set` holds: the CPUs a box's program may burn time on at once (counted
/// from the affinity mask: `available_parallelism` also reads the cgroup's CPU quota files,
/// ~0.1 ms, and a quota does not change how many CPUs run a box's threads at once).
fn count_cpus(set: &CpuSet) -> u32 {
    let n = (0..CpuSet::count())
        .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
        .count();
    u32::try_from(n.max(1)).unwrap_or(u32::MAX)
}

/// The CPU this process runs on now: where a one-shot jail pins itself.
pub fn current_cpu() -> Option<usize> {
    nix::sched::sched_getcpu().ok()
}

/// Slots the service's pool uses start at 0; one-shot jails (the CLI) take the first free
/// one from here, so the two never compete for a slot.
pub const EPHEMERAL_SLOTS: std::ops::Range<u32> = 1000..5000;

/// How long opening a named slot waits for its last jail's box to finish dying (see
/// [`Slot::open`]); a slot held longer than this belongs to a live jail.
pub const SLOT_RELEASE: std::time::Duration = std::time::Duration::from_secs(2);

/// A profile ready to run in this slot: its mount namespace (built, with the slot's `/box`
/// attached), the per-run mounts made in it, and its compiled seccomp filter.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub mount_ns: OwnedFd,
    pub layout: Layout,
    pub seccomp: BpfProgram,
}

#[derive(Debug)]
pub struct Slot {
    pub(crate) id: u32,
    pub(crate) uid: Uid,
    pub(crate) gid: Gid,
    dir: PathBuf,
    box_fd: Option<OwnedFd>,
    box_size: u64,
    /// Where the box tmpfs is attached in the jail's own mount namespace, on kernels that
    /// cannot clone a detached mount (see [`Slot::set_box`]); `None` where it stays detached.
    box_mount: Option<PathBuf>,
    pub(crate) cgroup: Box<dyn SlotCgroup>,
    pub(crate) netns: OwnedFd,
    /// The jail's own (private) mount namespace, to return to after working in a slot's.
    jail_mount_ns: OwnedFd,
    pub(crate) jail_pidfd: OwnedFd,
    pub(crate) timer: TimerFd,
    pub(crate) profiles: Profiles,
    pub(crate) compiled: HashMap<String, Compiled>,
    pub(crate) allow_network: bool,
    pub(crate) ncpus: u32,
    /// The CPUs a program runs on when the jail is pinned to one (see [`SlotConfig::cpu`]).
    pub(crate) program_cpus: Option<CpuSet>,
    /// The stacks a run's init and program start on (they run in the jail's memory, see
    /// `sys::clone_vm`); made once, reused by every run.
    pub(crate) init_stack: ChildStack,
    pub(crate) program_stack: ChildStack,
    /// The exec helper every program starts through (see `sys::exec_helper`), where the
    /// kernel runs executable memfds.
    pub(crate) exec_helper: Option<OwnedFd>,
    /// Where the box's output is read into before it is kept (allocated once: zeroing 64 KiB
    /// on every read showed in profiles).
    pub(crate) scratch: Box<[u8]>,
    /// A one-shot slot's state kept for the next jail (see `keep`).
    kept: Option<Kept>,
    _lock: Flock<File>,
}

fn lock_slot(dir: &Path, id: u32) -> Result<Option<Flock<File>>, SandboxError> {
    let path = dir.join(format!("slot-{id}.lock"));
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_at("opening slot lock", &path))?;
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
    std::fs::create_dir_all(path).map_err(io_at("creating directory", path))
}

impl Slot {
    /// Takes slot `id`, failing if another jail holds it for longer than [`SLOT_RELEASE`].
    ///
    /// A jail's lock is also held by its running box's init (which has a copy of the jail's
    /// descriptors), so a slot whose jail was just killed stays locked until the kernel has
    /// killed that init too (`PR_SET_PDEATHSIG`), which on a busy host is not at once. A jail
    /// started for the slot in that moment (`serve` replacing a killed jail, the next
    /// one-shot run on a named slot) waits for it rather than failing.
    pub fn open(config: &SlotConfig, id: u32, profiles: Profiles) -> Result<Slot, SandboxError> {
        let locks = config.runtime_dir.join("locks");
        preflight(&locks)?;
        let deadline = std::time::Instant::now() + SLOT_RELEASE;
        let lock = loop {
            if let Some(lock) = lock_slot(&locks, id)? {
                break lock;
            }
            if std::time::Instant::now() >= deadline {
                return Err(SandboxError::SlotBusy(id));
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        };
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
        if config.require_landlock {
            crate::host::landlock_abi().map_err(|why| {
                SandboxError::BadRequest(format!("{why} (JUDGEBOX_REQUIRE_LANDLOCK is set)"))
            })?;
        }
        let cpus = sched_getaffinity(Pid::from_raw(0)).map_err(sys("sched_getaffinity"))?;
        if let Some(cpu) = config.cpu {
            let mut set = CpuSet::new();
            set.set(cpu).map_err(sys("choosing the slot's CPU"))?;
            sched_setaffinity(Pid::from_raw(0), &set)
                .map_err(sys("pinning the jail to its CPU"))?;
        }
        // One-shot slots keep their namespaces, filters and cgroup from one jail to the next
        // (see `keep`), in the host's mount namespace: opened before the jail leaves it.
        let kept = if EPHEMERAL_SLOTS.contains(&id) {
            Some(Kept::open(&config.runtime_dir, id)?)
        } else {
            None
        };
        let (netns, reused) = match &kept {
            Some(kept) => kept.netns(pooled_netns)?,
            None => (pooled_netns()?, false),
        };
        let box_size = profiles.iter().map(|p| p.box_size).max().unwrap_or(65536);
        let id_num = config.uid_base + id;
        let (uid, gid) = (Uid::from_raw(id_num), Gid::from_raw(id_num));
        let first_box = new_box(box_size, uid, gid)?;
        let detached_ok = can_clone_detached(&first_box)?;
        let dir = match &kept {
            // A one-shot jail mounts nothing in its own namespace (its box is a detached
            // tmpfs, its profile namespaces are built by helpers in theirs), so it stays in
            // the host's: copying the host's mounts into a private namespace and tearing
            // them down at exit cost ~0.35 ms of a ~5 ms run. Its directory holds only the
            // empty directories those helpers build profile roots on.
            Some(kept) if reused && detached_ok => kept.dir().to_path_buf(),
            _ => {
                // A private mount namespace for the jail: the slot's mounts are invisible to
                // the host and vanish with the jail, however it ends.
                unshare(CloneFlags::CLONE_NEWNS)
                    .map_err(sys("unshare(CLONE_NEWNS) for the jail"))?;
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
                // The flag is the host's: a one-shot slot's first jail sees to it for all.
                if config.favor_dynmods {
                    cgroup::favor_dynmods(&dir.join("cgroup2"))?;
                }
                dir
            }
        };
        let box_mount = if detached_ok {
            None
        } else {
            let path = dir.join("box");
            mkdir_p(&path)?;
            Some(path)
        };

        // Empty the capability bounding set once for the jail: every box inherits it, and
        // the jail itself never execs, so it loses nothing by it.
        caps::clear(None, caps::CapSet::Bounding)
            .map_err(|e| SandboxError::BadRequest(format!("dropping the bounding set: {e}")))?;
        let jail_mount_ns = open(
            "/proc/self/ns/mnt",
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(sys("opening /proc/self/ns/mnt"))?;
        let cgroup = cgroup::open_slot(&config.cgroup, &format!("slot-{id}"))?;
        let jail_pidfd =
            crate::sys::pidfd_open(std::process::id() as i32).map_err(sys("pidfd_open(self)"))?;
        let timer = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_CLOEXEC | TimerFlags::TFD_NONBLOCK,
        )
        .map_err(sys("timerfd_create"))?;
        let mut slot = Slot {
            dir,
            id,
            uid,
            gid,
            box_fd: None,
            box_size,
            box_mount,
            cgroup,
            netns,
            jail_mount_ns,
            jail_pidfd,
            timer,
            profiles,
            compiled: HashMap::new(),
            allow_network: config.allow_network,
            ncpus: count_cpus(&cpus),
            program_cpus: config.cpu.map(|_| cpus),
            init_stack: ChildStack::new().map_err(sys("mapping a stack for the box's init"))?,
            program_stack: ChildStack::new()
                .map_err(sys("mapping a stack for the box's program"))?,
            exec_helper: crate::sys::exec_helper().map_err(sys("loading the exec helper"))?,
            scratch: vec![0; 65536].into_boxed_slice(),
            kept,
            _lock: lock,
        };
        slot.set_box(first_box)?;
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
    ///
    /// The tmpfs is mounted nowhere in the jail (`sys::detached_tmpfs`): the jail reaches it
    /// by its descriptor, each profile namespace gets a clone at `/box`, and it is freed once
    /// the descriptor and the clones are gone.
    pub fn reset_box(&mut self) -> Result<(), SandboxError> {
        self.box_fd = None;
        let fd = new_box(self.box_size, self.uid, self.gid)?;
        self.set_box(fd)
    }

    /// Makes `fd` (from [`new_box`]) the box and attaches it in every profile namespace.
    ///
    /// Each profile namespace gets a clone of the box mount (`open_tree(OPEN_TREE_CLONE)`).
    /// Before Linux 6.15 the kernel clones only a mount attached in the caller's namespace
    /// (EINVAL for a detached one), so there the box is first attached at `box_mount`, in
    /// the jail's private mount namespace, where no other process sees it.
    fn set_box(&mut self, fd: OwnedFd) -> Result<(), SandboxError> {
        if let Some(path) = &self.box_mount {
            let target = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
                .map_err(|_| SandboxError::BadRequest("a NUL in the runtime directory".into()))?;
            keep::detach_all(target.as_c_str()).map_err(at("detaching the old box at", path))?;
            crate::sys::move_mount_to(fd.as_fd(), &target)
                .map_err(at("attaching the box at", path))?;
            if !NOSYMFOLLOW_IN_FSMOUNT.load(Ordering::Relaxed) {
                // Before 5.14 fsmount() knows no nosymfollow; mount(2) has had it since 5.10.
                let flags = MsFlags::MS_BIND
                    | MsFlags::MS_REMOUNT
                    | MsFlags::MS_NOSUID
                    | MsFlags::MS_NODEV
                    | MsFlags::from_bits_retain(libc::MS_NOSYMFOLLOW);
                match mount(None::<&str>, path, None::<&str>, flags, None::<&str>) {
                    Ok(()) | Err(nix::errno::Errno::EINVAL) => {}
                    Err(e) => return Err(at("remounting nosymfollow", path)(e)),
                }
            }
        }
        self.box_fd = Some(fd);
        for compiled in self.compiled.values() {
            self.attach_box(&compiled.mount_ns)?;
        }
        Ok(())
    }

    fn box_fd(&self) -> Result<&OwnedFd, SandboxError> {
        self.box_fd
            .as_ref()
            .ok_or_else(|| SandboxError::BadRequest("the box is not set up".into()))
    }

    /// The bytes the box's files hold in memory now (its tmpfs's used blocks).
    pub(crate) fn box_bytes(&self) -> Result<u64, SandboxError> {
        let st = nix::sys::statvfs::fstatvfs(self.box_fd()?).map_err(sys("statfs of the box"))?;
        Ok((st.blocks() - st.blocks_free()) * st.fragment_size())
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

    /// Compiles a profile for this slot on its first use: its seccomp filter and its mount
    /// namespace, with the current box attached.
    pub(crate) fn ensure_compiled(&mut self, name: &str) -> Result<(), SandboxError> {
        let profile = self.profiles.get(name)?;
        if !self.compiled.contains_key(name) {
            let root = self.dir.join(format!("root-{name}"));
            let (build, layout) =
                Layout::plan(profile, &root, self.uid.as_raw(), self.gid.as_raw());
            let key = self
                .kept
                .as_ref()
                .map(|_| keep::profile_key(&build, &profile.seccomp_json));
            let kept = key
                .as_deref()
                .zip(self.kept.as_mut())
                .and_then(|(key, k)| k.profile(name, key));
            let (mount_ns, seccomp) = match kept {
                Some((mount_ns, seccomp)) => {
                    // Its last jail may have been killed mid-run.
                    self.detach_run_mounts(&mount_ns)?;
                    (mount_ns, seccomp)
                }
                None => {
                    match nix::unistd::mkdir(&root, Mode::from_bits_truncate(0o755)) {
                        // A kept slot's directory has it from an earlier build.
                        Ok(()) | Err(nix::errno::Errno::EEXIST) => {}
                        Err(e) => return Err(at("mkdir", &root)(e)),
                    }
                    // The helper builds the filesystem while the jail compiles the filter.
                    let helper = MountNsHelper::start(&build)?;
                    let seccomp = seccomp::compile(&profile.seccomp_file, &profile.seccomp_json);
                    let mount_ns = helper.finish(&build, name)?;
                    let seccomp = seccomp?;
                    if let Some((kept, key)) = self.kept.as_ref().zip(key.as_deref()) {
                        kept.keep_profile(name, key, &mount_ns, &seccomp)?;
                    }
                    (mount_ns, seccomp)
                }
            };
            self.attach_box(&mount_ns)?;
            self.compiled.insert(
                name.to_string(),
                Compiled {
                    mount_ns,
                    layout,
                    seccomp,
                },
            );
        }
        Ok(())
    }

    /// Runs `f` inside a slot mount namespace, then returns to the jail's own. The jail is
    /// single-threaded, as `setns(CLONE_NEWNS)` requires.
    fn inside<T>(
        &self,
        ns: &OwnedFd,
        f: impl FnOnce() -> Result<T, SandboxError>,
    ) -> Result<T, SandboxError> {
        setns(ns, CloneFlags::CLONE_NEWNS).map_err(sys("entering the slot's mount namespace"))?;
        let result = f();
        setns(&self.jail_mount_ns, CloneFlags::CLONE_NEWNS)
            .map_err(sys("returning to the jail's mount namespace"))?;
        result
    }

    /// Attaches (a clone of) the slot's current box tmpfs at `/box` in a slot namespace.
    fn attach_box(&self, ns: &OwnedFd) -> Result<(), SandboxError> {
        let tree =
            crate::sys::clone_tree(self.box_fd()?.as_fd()).map_err(sys("cloning the box mount"))?;
        self.inside(ns, || {
            match umount2("/box", MntFlags::MNT_DETACH) {
                Ok(()) | Err(nix::errno::Errno::EINVAL) => {}
                Err(e) => return Err(sys("detaching the old /box")(e)),
            }
            crate::sys::move_mount_to(tree.as_fd(), c"/box").map_err(sys("attaching /box"))
        })
    }

    /// Detaches what a run mounted in a slot namespace (its /tmp, /dev/shm and /proc), so
    /// their memory is freed now, not counted into the next run's baseline.
    pub(crate) fn clean_after_run(&self, name: &str) -> Result<(), SandboxError> {
        let Some(compiled) = self.compiled.get(name) else {
            return Ok(());
        };
        self.detach_run_mounts(&compiled.mount_ns)
    }

    /// Detaches a run's /tmp, /dev/shm and /proc from a slot mount namespace, however many
    /// are stacked there.
    fn detach_run_mounts(&self, ns: &OwnedFd) -> Result<(), SandboxError> {
        self.inside(ns, || {
            for path in crate::layout::PER_RUN_MOUNTS {
                keep::detach_all(path).map_err(sys("detaching a run's mount"))?;
            }
            Ok(())
        })
    }

    pub(crate) fn compiled_layout(&self, name: &str) -> Option<&Layout> {
        self.compiled.get(name).map(|c| &c.layout)
    }

    /// Kills anything left and removes the slot's cgroup. The mounts go with the jail's own
    /// mount namespace, and so does the network namespace unless the slot keeps it; a kept
    /// profile namespace loses its `/box`.
    pub fn close(self) -> Result<(), SandboxError> {
        self.cgroup.kill_all()?;
        // The caller goes on with the CPUs it had (the version detection of `judgebox run`).
        if let Some(cpus) = &self.program_cpus {
            sched_setaffinity(Pid::from_raw(0), cpus).map_err(sys("unpinning the jail"))?;
        }
        // Removed even by a one-shot slot, though making it again costs the next one ~0.25
        // ms: a kept group would start the next process's run with the per-CPU charge stock
        // this one left (pages already counted in its usage), and a small program's peak read
        // 0 KB. A new group counts from its first charge.
        self.cgroup.remove()?;
        if self.kept.is_none() {
            return Ok(());
        }
        // What the box left must not outlive the jail in a kept namespace.
        for compiled in self.compiled.values() {
            self.inside(&compiled.mount_ns, || {
                keep::detach_all(c"/box").map_err(sys("detaching /box"))
            })?;
        }
        Ok(())
    }
}

/// Builds a slot mount namespace: a helper cloned into a new mount namespace carries out
/// `build` (ending in `pivot_root`), reports, and waits while the jail opens its namespace.
struct MountNsHelper {
    pid: i32,
    pidfd: OwnedFd,
    ready: OwnedFd,
    hold: OwnedFd,
}

impl MountNsHelper {
    /// Starts the helper; the jail is free to do other work until [`MountNsHelper::finish`].
    fn start(build: &Layout) -> Result<MountNsHelper, SandboxError> {
        let (ready_r, ready_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(sys("pipe"))?;
        let (hold_r, hold_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(sys("pipe"))?;
        // The plan's modes are exact (devices 0666, directories 0755): no umask on them.
        let umask = nix::sys::stat::umask(Mode::empty());
        // SAFETY: the jail is single-threaded; the child only carries out the prepared plan,
        // writes to a pipe, waits on another and exits.
        let forked = unsafe { crate::sys::clone_fork(libc::CLONE_NEWNS, true) };
        if !matches!(forked, Ok(crate::sys::Forked::Child)) {
            nix::sys::stat::umask(umask);
        }
        let (pid, pidfd) = match forked.map_err(sys("clone for the slot's mount namespace"))? {
            crate::sys::Forked::Child => {
                // Only the jail may hold the write end, so that its closing is our EOF.
                drop((hold_w, ready_r));
                // Nothing built here may reach the namespace it was copied from, which is
                // the host's own for a one-shot jail.
                let private = mount(
                    None::<&str>,
                    "/",
                    None::<&str>,
                    MsFlags::MS_REC | MsFlags::MS_PRIVATE,
                    None::<&str>,
                )
                .map_err(|errno| crate::layout::StepFailure {
                    index: u32::MAX - 2,
                    errno,
                });
                let record = match private.and_then(|()| build.apply()) {
                    Ok(()) => [0u8; 8],
                    Err(f) => {
                        let mut r = [1u8; 8];
                        r[0..4].copy_from_slice(&f.index.to_ne_bytes());
                        r[4..8].copy_from_slice(&(f.errno as i32).to_ne_bytes());
                        r
                    }
                };
                crate::sys::write_raw(std::os::fd::AsRawFd::as_raw_fd(&ready_w), &record);
                let mut byte = [0u8; 1];
                let _ = nix::unistd::read(&hold_r, &mut byte);
                crate::sys::exit_now(0)
            }
            crate::sys::Forked::Parent { pid, pidfd } => (pid, pidfd.expect("asked for a pidfd")),
        };
        drop((ready_w, hold_r));
        Ok(MountNsHelper {
            pid,
            pidfd,
            ready: ready_r,
            hold: hold_w,
        })
    }

    /// Waits for the helper's report and opens its namespace (`build` names a failed step).
    fn finish(self, build: &Layout, name: &str) -> Result<OwnedFd, SandboxError> {
        use std::io::Read;
        let MountNsHelper {
            pid,
            pidfd,
            ready,
            hold,
        } = self;
        let mut record = [0u8; 8];
        let got = std::fs::File::from(ready).read_exact(&mut record);
        let result = match got {
            Ok(()) if record == [0u8; 8] => open(
                format!("/proc/{pid}/ns/mnt").as_str(),
                OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(sys("opening the slot's mount namespace")),
            Ok(()) => {
                let index = u32::from_ne_bytes(record[0..4].try_into().expect("4 bytes"));
                let errno = nix::errno::Errno::from_raw(i32::from_ne_bytes(
                    record[4..8].try_into().expect("4 bytes"),
                ));
                Err(SandboxError::BadRequest(format!(
                    "building the {name} profile's filesystem: {}: {errno}",
                    build.describe(index)
                )))
            }
            Err(_) => Err(SandboxError::BadRequest(format!(
                "the helper building the {name} profile's filesystem died"
            ))),
        };
        drop(hold);
        let _ = nix::sys::wait::waitid(
            nix::sys::wait::Id::PIDFd(pidfd.as_fd()),
            nix::sys::wait::WaitPidFlag::WEXITED,
        );
        result
    }
}

/// Whether `fsmount()` takes `MOUNT_ATTR_NOSYMFOLLOW` (cleared the first time it refuses it).
static NOSYMFOLLOW_IN_FSMOUNT: AtomicBool = AtomicBool::new(true);

/// A new, empty box: a tmpfs of `size_kb`, owned by the slot's uid, mounted nowhere
/// (`sys::detached_tmpfs`), nosuid, nodev and, where the kernel can, nosymfollow.
fn new_box(size_kb: u64, uid: Uid, gid: Gid) -> Result<OwnedFd, SandboxError> {
    let number = |n: u64| std::ffi::CString::new(n.to_string()).expect("digits");
    let (size, uid, gid) = (
        std::ffi::CString::new(format!("{size_kb}k")).expect("no NUL"),
        number(uid.as_raw().into()),
        number(gid.as_raw().into()),
    );
    let options = [
        (c"mode", c"0755"),
        (c"size", size.as_c_str()),
        (c"nr_inodes", c"16384"),
        (c"uid", uid.as_c_str()),
        (c"gid", gid.as_c_str()),
    ];
    const NOSUID: u32 = 0x2;
    const NODEV: u32 = 0x4;
    const NOSYMFOLLOW: u32 = 0x0020_0000;
    if NOSYMFOLLOW_IN_FSMOUNT.load(Ordering::Relaxed) {
        match crate::sys::detached_tmpfs(&options, NOSUID | NODEV | NOSYMFOLLOW) {
            // MOUNT_ATTR_NOSYMFOLLOW came in Linux 5.14; `Slot::set_box` makes up for it
            // with mount(2) where the box is attached.
            Err(nix::errno::Errno::EINVAL) => {
                NOSYMFOLLOW_IN_FSMOUNT.store(false, Ordering::Relaxed)
            }
            made => return made.map_err(sys("making the box tmpfs")),
        }
    }
    crate::sys::detached_tmpfs(&options, NOSUID | NODEV).map_err(sys("making the box tmpfs"))
}

/// Whether the kernel clones a detached mount (Linux 6.15), tried on the slot's first box.
/// EINVAL means it does not; any other error is a fault.
fn can_clone_detached(detached: &OwnedFd) -> Result<bool, SandboxError> {
    match crate::sys::clone_tree(detached.as_fd()) {
        Ok(_) => Ok(true),
        Err(nix::errno::Errno::EINVAL) => Ok(false),
        Err(e) => Err(sys("cloning the box mount")(e)),
    }
}

fn preflight(locks: &Path) -> Result<(), SandboxError> {
    // Boxes are cloned from this process: a clone of a multi-threaded one can inherit a lock
    // held by a thread that does not exist in the child, and `setns` into a mount namespace
    // refuses one anyway. Said plainly here rather than as an EINVAL later.
    match threads() {
        Ok(1) => {}
        Ok(n) => return Err(SandboxError::Threaded(n)),
        Err(e) => return Err(at("reading", Path::new("/proc/self/stat"))(e)),
    }
    if !nix::unistd::geteuid().is_root() {
        return Err(SandboxError::NotRoot);
    }
    mkdir_p(locks)
}

/// How many threads this process has (`num_threads`, the 20th field of `/proc/self/stat`;
/// the fields after the command name, which may hold anything but ends at the last `)`).
fn threads() -> Result<u64, nix::errno::Errno> {
    let stat = std::fs::read_to_string("/proc/self/stat").map_err(|e| errno_of(&e))?;
    stat.rsplit_once(')')
        .and_then(|(_, fields)| fields.split_whitespace().nth(17))
        .and_then(|n| n.parse().ok())
        .ok_or(nix::errno::Errno::EINVAL)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_with_threads_cannot_open_a_slot() {
        // The test harness runs this on a thread of its own: the process has several.
        let dir = tempfile::tempdir().unwrap();
        let config = SlotConfig {
            runtime_dir: dir.path().to_path_buf(),
            ..SlotConfig::default()
        };
        let refused = Slot::open_ephemeral(&config, Profiles::builtin().unwrap());
        match refused {
            Err(SandboxError::Threaded(n)) => assert!(n >= 2, "{n}"),
            other => panic!("opened or failed otherwise: {:?}", other.map(|s| s.id())),
        }
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "refused before touching anything"
        );
    }
}
