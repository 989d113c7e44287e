//! What runs after `clone`: the box's init (pid 1 of the new pid namespace) and the program.
//!
//! Neither copies the jail's memory. The jail starts init with `CLONE_VM` on a stack of the
//! slot's; init joins the slot's network namespace and the slot's mount namespace for the
//! profile, mounts a fresh `/tmp`, `/dev/shm` and `/proc` there, and spawns the program with
//! `CLONE_VM | CLONE_VFORK` (as `posix_spawn` does). The jail waits until the program has
//! exec'd; from then on init, still in the jail's memory, only reaps until the program is
//! gone, with syscalls on its own stack. Its exit then makes the kernel kill everything
//! else left in the pid namespace. Measured against forking both (a do-nothing static
//! binary, alternating runs of two jails): 1.36 ms of CPU per run against 1.89 ms, round
//! trip 1.9 ms against 2.6 ms. The program is not pid 1 because pid 1 ignores signals it has
//! no handler for, even its own `abort()` and the kernel's SIGXFSZ, which would turn those
//! verdicts into something else.
//!
//! The program takes its stdio, sets rlimits, restricts itself with Landlock, joins the
//! slot's cgroup (late, so set-up is not charged to it), drops to the slot's uid with no
//! capabilities and no_new_privs, turns off address randomisation, installs seccomp and
//! execs the exec helper (`exec/exec.c`), which starts the real program as init's child from
//! its own small memory, so that init's `wait4` gives the program's own peak RSS. Each
//! failure is one record on a CLOEXEC pipe; an exec closes it.

use std::ffi::CString;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

use landlock::{
    AccessFs, AccessNet, PathBeneath, PathFd, Ruleset, RulesetAttr, RulesetCreatedAttr, Scope, ABI,
};
use nix::errno::Errno;
use nix::sched::{sched_setaffinity, CloneFlags, CpuSet};
use nix::sys::resource::{setrlimit, Resource};
use nix::sys::stat::{umask, Mode};
use nix::unistd::{setresgid, setresuid, Gid, Pid, Uid};
use seccompiler::BpfProgram;

use crate::layout::{Layout, WRITABLE_DEVICES, WRITABLE_DIRS};
use crate::sys::{self, NullTerminated};

/// Where a box failed to start. The numbers travel over the pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Stage {
    ParentGone = 1,
    NetNs,
    Hostname,
    Mount,
    Fork,
    Cgroup,
    Stdio,
    Rlimit,
    Landlock,
    Ids,
    Seccomp,
    Exec,
    Affinity,
    Helper,
}

impl Stage {
    pub(crate) fn from_u32(n: u32) -> Option<Stage> {
        use Stage::*;
        [
            ParentGone, NetNs, Hostname, Mount, Fork, Cgroup, Stdio, Rlimit, Landlock, Ids,
            Seccomp, Exec, Affinity, Helper,
        ]
        .into_iter()
        .find(|s| *s as u32 == n)
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Stage::ParentGone => "the jail went away during start-up",
            Stage::NetNs => "joining the slot's network namespace",
            Stage::Hostname => "setting the box's hostname",
            Stage::Mount => "building the box's filesystem",
            Stage::Fork => "forking the program from the box's init",
            Stage::Cgroup => "joining the slot's cgroup",
            Stage::Stdio => "connecting stdin, stdout and stderr",
            Stage::Rlimit => "setting resource limits",
            Stage::Landlock => "applying the Landlock ruleset",
            Stage::Ids => "switching to the slot's uid and gid",
            Stage::Seccomp => "installing the seccomp filter",
            Stage::Exec => "executing the program",
            Stage::Affinity => "giving the program the jail's CPUs",
            Stage::Helper => "starting the exec helper (judgebox-exec)",
        }
    }
}

/// Record kinds on the report pipe.
pub(crate) const RECORD_FAILURE: u32 = 1;
pub(crate) const RECORD_STATUS: u32 = 2;
/// The program has exec'd (or failed, in a failure record before this): the jail may go on.
pub(crate) const RECORD_STARTED: u32 = 3;
pub(crate) const RECORD_LEN: usize = 16;

/// One 16-byte record: kind, then three words (failure: stage, detail, errno; status: the
/// raw wait status, the program's peak RSS in KB, and 1 if that peak is the program's own
/// (started through the exec helper) or 0 if it is not).
pub(crate) fn encode(kind: u32, a: u32, b: u32, c: i32) -> [u8; RECORD_LEN] {
    let mut r = [0u8; RECORD_LEN];
    r[0..4].copy_from_slice(&kind.to_ne_bytes());
    r[4..8].copy_from_slice(&a.to_ne_bytes());
    r[8..12].copy_from_slice(&b.to_ne_bytes());
    r[12..16].copy_from_slice(&c.to_ne_bytes());
    r
}

/// Everything the children need, made before `clone`.
pub(crate) struct Prepared<'a> {
    pub layout: &'a Layout,
    pub seccomp: &'a BpfProgram,
    pub netns: Option<BorrowedFd<'a>>,
    /// The slot's mount namespace for this profile, with `/box` attached.
    pub mount_ns: BorrowedFd<'a>,
    pub jail_pidfd: BorrowedFd<'a>,
    /// Where init spawns the program from.
    pub program_stack: &'a sys::ChildStack,
    pub report: RawFd,
    pub stdin: RawFd,
    pub stdout: RawFd,
    pub stderr: RawFd,
    /// The highest descriptor open in the jail where `sys::cloexec_from` needs it.
    pub fd_ceiling: u32,
    pub cgroup_procs: Vec<BorrowedFd<'a>>,
    pub rlimits: Vec<(Resource, u64, u64)>,
    pub uid: Uid,
    pub gid: Gid,
    pub network: bool,
    /// The CPUs the program may run on, when the jail (and so init) is pinned to one.
    pub program_cpus: Option<CpuSet>,
    /// Paths to try in order (argv[0] resolved along PATH, or as given).
    pub exec_paths: Vec<CString>,
    pub argv: NullTerminated,
    pub envp: NullTerminated,
    /// The exec helper's memfd and its argv (`exec/exec.c`), where the kernel runs it.
    pub exec_helper: Option<(RawFd, NullTerminated)>,
}

fn fail(report: RawFd, stage: Stage, detail: u32, errno: Errno) -> ! {
    sys::write_raw(
        report,
        &encode(RECORD_FAILURE, stage as u32, detail, errno as i32),
    );
    sys::exit_now(127)
}

/// Where the jail's `clone_vm` starts init.
pub(crate) extern "C" fn init_entry(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: the jail passes a pointer to its live `Prepared`, kept until init is started.
    let p = unsafe { &*arg.cast::<Prepared<'_>>() };
    box_init(p)
}

/// The box's init, in the jail's memory. Never returns.
fn box_init(p: &Prepared<'_>) -> ! {
    let report = p.report;
    // Die with the jail; and if it died before this line, notice now.
    if nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).is_err() {
        fail(report, Stage::ParentGone, 0, Errno::last());
    }
    let mut fds = [nix::poll::PollFd::new(
        p.jail_pidfd,
        nix::poll::PollFlags::POLLIN,
    )];
    if nix::poll::poll(&mut fds, nix::poll::PollTimeout::ZERO).unwrap_or(0) > 0 {
        sys::exit_now(127);
    }
    umask(Mode::empty());
    if let Some(ns) = p.netns {
        if let Err(e) = nix::sched::setns(ns, CloneFlags::CLONE_NEWNET) {
            fail(report, Stage::NetNs, 0, e);
        }
    }
    if let Err(e) = nix::unistd::sethostname("judgebox") {
        fail(report, Stage::Hostname, 0, e);
    }
    // Into the slot's filesystem (root and cwd move to its root), then what is fresh per run.
    if let Err(e) = nix::sched::setns(p.mount_ns, CloneFlags::CLONE_NEWNS) {
        fail(report, Stage::Mount, u32::MAX, e);
    }
    if let Err(f) = p.layout.apply() {
        fail(report, Stage::Mount, f.index, f.errno);
    }
    if let Err(e) = nix::unistd::chdir(c"/box") {
        fail(report, Stage::Mount, u32::MAX - 1, e);
    }
    // The program shares init's memory (the jail's) until it execs, as after posix_spawn:
    // it changes only its own descriptors, credentials and limits, and init sleeps
    // meanwhile.
    let arg = std::ptr::from_ref(p).cast_mut().cast();
    // SAFETY: init sleeps until the program has exec'd and the jail waits for our STARTED
    // record, so nothing else runs in this memory; `arg` is the `Prepared` that
    // `program_entry` expects, alive until the jail has that record; `program` ends in
    // execve or _exit.
    let spawned = match unsafe { sys::spawn_vfork(p.program_stack, program_entry, arg) } {
        Ok(pid) => pid,
        Err(e) => fail(report, Stage::Fork, 0, e),
    };
    // From here the jail runs again, beside us in the same memory: only syscalls on our
    // own stack's values until we exit (see `sys::clone_vm`).
    sys::write_raw(report, &encode(RECORD_STARTED, 0, 0, 0));
    // Through the exec helper, what was spawned is the helper, and the program is its child
    // (made ours with CLONE_PARENT): the next pid in this new namespace (exec/exec.c).
    let helper = p.exec_helper.is_some();
    let program = if helper { spawned + 1 } else { spawned };
    let mut helper_status = 0;
    loop {
        match sys::wait4_any() {
            Ok((pid, status, peak_kb)) if pid == program => {
                let own = u32::from(helper);
                sys::write_raw(
                    report,
                    &encode(RECORD_STATUS, status as u32, peak_kb, own as i32),
                );
                sys::exit_now(0)
            }
            // The helper failed before the program ran (and said why in a record).
            Ok((pid, status, _)) if pid == spawned => {
                if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) != 0 {
                    send_status(report, status);
                }
                helper_status = status;
            }
            Ok(_) | Err(Errno::EINTR) => continue,
            // Nothing left to wait for: the helper was killed before it started the program.
            Err(Errno::ECHILD) if helper => send_status(report, helper_status),
            Err(e) => fail(report, Stage::Fork, 1, e),
        }
    }
}

fn send_status(report: RawFd, wait_status: i32) -> ! {
    sys::write_raw(report, &encode(RECORD_STATUS, wait_status as u32, 0, 0));
    sys::exit_now(0)
}

fn landlock(network: bool) -> Result<(), ()> {
    landlock_rules(network).map_err(drop)
}

fn landlock_rules(network: bool) -> Result<(), Box<dyn std::error::Error>> {
    let abi = ABI::V6;
    let write = AccessFs::from_write(abi);
    let mut ruleset = Ruleset::default().handle_access(write)?;
    if !network {
        ruleset = ruleset.handle_access(AccessNet::BindTcp | AccessNet::ConnectTcp)?;
    }
    let mut created = ruleset
        .scope(Scope::AbstractUnixSocket | Scope::Signal)?
        .create()?;
    for dir in WRITABLE_DIRS {
        created = created.add_rule(PathBeneath::new(PathFd::new(dir)?, write))?;
    }
    let device = AccessFs::WriteFile | AccessFs::Truncate;
    created = created.add_rule(PathBeneath::new(PathFd::new(WRITABLE_DEVICES)?, device))?;
    created.restrict_self()?;
    Ok(())
}

extern "C" fn program_entry(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `box_init` passes a pointer to its live `Prepared`, only read here.
    let p = unsafe { &*arg.cast::<Prepared<'_>>() };
    program(p)
}

/// The program, spawned by init in init's memory. Never returns.
fn program(p: &Prepared<'_>) -> ! {
    let report = p.report;
    // A new session: no controlling terminal to push input into (TIOCSTI).
    if let Err(e) = nix::unistd::setsid() {
        fail(report, Stage::Stdio, 0, e);
    }
    if let Some(cpus) = &p.program_cpus {
        if let Err(e) = sched_setaffinity(Pid::from_raw(0), cpus) {
            fail(report, Stage::Affinity, 0, e);
        }
    }
    for (from, to) in [(p.stdin, 0), (p.stdout, 1), (p.stderr, 2)] {
        if let Err(e) = sys::dup2(from, to) {
            fail(report, Stage::Stdio, to as u32, e);
        }
    }
    if let Err(e) = sys::cloexec_from(3, p.fd_ceiling) {
        fail(report, Stage::Stdio, 3, e);
    }
    umask(Mode::from_bits_truncate(0o022));
    for (i, (resource, soft, hard)) in p.rlimits.iter().enumerate() {
        if let Err(e) = setrlimit(*resource, *soft, *hard) {
            fail(report, Stage::Rlimit, i as u32, e);
        }
    }
    if landlock(p.network).is_err() {
        fail(report, Stage::Landlock, 0, Errno::last());
    }
    // The capability bounding set is already empty: the jail emptied its own once.
    if let Err(e) = nix::unistd::setgroups(&[]) {
        fail(report, Stage::Ids, 0, e);
    }
    if let Err(e) = setresgid(p.gid, p.gid, p.gid) {
        fail(report, Stage::Ids, 1, e);
    }
    // Join the slot's cgroup as late as possible, so the set-up above is not charged to the
    // program's CPU time; the cgroup namespace needs CAP_SYS_ADMIN, so before the uid drop.
    for fd in &p.cgroup_procs {
        if !sys::write_raw(fd.as_raw_fd(), b"0") {
            fail(report, Stage::Cgroup, 0, Errno::last());
        }
    }
    // Its own cgroup namespace, rooted at the slot's group: /proc/self/cgroup shows "/".
    if let Err(e) = nix::sched::unshare(CloneFlags::CLONE_NEWCGROUP) {
        fail(report, Stage::Cgroup, 1, e);
    }
    // From root to an unprivileged uid without SECBIT_KEEP_CAPS: the kernel clears the
    // permitted, effective and ambient sets (capabilities(7), "Effect of user ID changes").
    if let Err(e) = setresuid(p.uid, p.uid, p.uid) {
        fail(report, Stage::Ids, 2, e);
    }
    if let Err(e) = nix::sys::prctl::set_no_new_privs() {
        fail(report, Stage::Ids, 3, e);
    }
    // Addresses that repeat from run to run, so that the peak resident set does too: with
    // randomised bases, fault-around maps a different number of a library's cached pages,
    // and a C hello world's peak moved between 1108 and 1232 KB. Nothing in a box is a
    // victim of the program but the program itself. Where the persona is locked (systemd's
    // LockPersonality=, whose filter refuses it with EPERM) the program runs with random
    // addresses and its figure moves by a few pages; `judgebox check` says so.
    let _ = sys::no_aslr();
    // No transparent huge pages either: on a host with THP "always", whether a fault gets a
    // huge page depends on how fragmented the host's memory is at that moment, and a Python
    // hello world's peak read 1.4 MB more in one run of twenty. Kept across exec; a program
    // may turn them back on for itself (prctl is allowed).
    let _ = nix::sys::prctl::set_thp_disable(true);
    if let Err(e) = crate::seccomp::install(p.seccomp) {
        fail(report, Stage::Seccomp, 0, e);
    }
    // Through the helper, which starts the program from its own small memory: exec'd from
    // here, in the jail's memory, the program's peak RSS would start at the jail's. Where
    // the kernel runs no executable memfd, there is no helper, the program is exec'd
    // directly and its figure is the cgroup's.
    if let Some((helper, args)) = &p.exec_helper {
        if let Err(e) = sys::set_cloexec(report, false) {
            fail(report, Stage::Helper, 0, e);
        }
        let e = sys::execve_fd(*helper, args, &p.envp);
        let _ = sys::set_cloexec(report, true);
        fail(report, Stage::Helper, 1, e);
    }
    let mut last = Errno::ENOENT;
    for path in &p.exec_paths {
        match sys::execve(path, &p.argv, &p.envp) {
            Errno::ENOENT | Errno::ENOTDIR => continue,
            e => last = e,
        }
    }
    fail(report, Stage::Exec, 0, last)
}
