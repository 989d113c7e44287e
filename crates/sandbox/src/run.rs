//! Running one program in a slot's box: prepare everything, clone the box's init, supervise
//! it until it is gone, and report.
//!
//! Supervision is one `poll` on the init's pidfd, the output pipes and a timerfd. The timer
//! is armed at the sooner of the wall deadline and the moment the CPU budget could run out
//! if every CPU burned it (remaining / CPUs, at least 1 ms); when it fires the cgroup's CPU
//! counter is read and the timer re-armed, so a CPU-limit kill lands within about a
//! millisecond of the limit without a polling tick.

use std::ffi::CString;
use std::io::{Read, Seek, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use judgebox_spec::{Bytes, Outcome, RunReport, RunRequest};
use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag, SealFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sched::CloneFlags;
use nix::sys::memfd::{memfd_create, MFdFlags};
use nix::sys::resource::Resource;
use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{Expiration, TimerSetTimeFlags};
use nix::sys::wait::{waitid, Id, WaitPidFlag};
use nix::unistd::pipe2;

use crate::child::{
    self, Prepared, Stage, RECORD_FAILURE, RECORD_LEN, RECORD_STARTED, RECORD_STATUS,
};
use crate::error::{sys, SandboxError};
use crate::slot::Slot;
use crate::sys::{clone_vm, pidfd_kill, NullTerminated};

/// Namespaces every box gets fresh. The network and mount namespaces are the slot's pooled
/// ones, joined by init; the cgroup namespace is made by the program once it is in the
/// slot's group.
const BOX_NAMESPACES: CloneFlags = CloneFlags::CLONE_NEWPID
    .union(CloneFlags::CLONE_NEWIPC)
    .union(CloneFlags::CLONE_NEWUTS);

/// How often the memory in use is sampled where the kernel keeps no peak (cgroup v2 before
/// Linux 5.19): often enough to see a program's working set, rarely enough to cost nothing
/// measurable (one `pread` a millisecond).
const SAMPLE_EVERY: Duration = Duration::from_millis(1);

/// How long init has, once the box's processes are killed at a limit, to reap the program,
/// report and end, before it is killed as well.
const KILL_GRACE: Duration = Duration::from_millis(100);

/// The smallest memory budget a run's group is given: a box whose files already hold its
/// whole limit starts with one page and is killed at its first allocation.
const PAGE: u64 = 4096;

fn cstring(what: &str, s: &str) -> Result<CString, SandboxError> {
    CString::new(s).map_err(|_| SandboxError::BadRequest(format!("{what} contains a NUL byte")))
}

/// A kill decided by the supervisor, and by how much the limit was passed when it was.
#[derive(Debug, Clone, Copy)]
enum Kill {
    CpuTime,
    WallTime,
    Output,
}

struct Captured {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    wall: Duration,
    kill: Option<Kill>,
}

fn stdin_memfd(data: &[u8]) -> Result<OwnedFd, SandboxError> {
    let fd = memfd_create("stdin", MFdFlags::MFD_CLOEXEC | MFdFlags::MFD_ALLOW_SEALING)
        .map_err(sys("memfd_create for stdin"))?;
    let mut file = std::fs::File::from(fd);
    file.write_all(data)
        .and_then(|()| file.rewind())
        .map_err(|e| SandboxError::Sys {
            what: "writing stdin",
            errno: crate::error::errno_of(&e),
        })?;
    let fd = OwnedFd::from(file);
    // Sealed: the program can read its input but not change what a later reader sees.
    let seals = SealFlag::F_SEAL_WRITE
        | SealFlag::F_SEAL_GROW
        | SealFlag::F_SEAL_SHRINK
        | SealFlag::F_SEAL_SEAL;
    fcntl(&fd, FcntlArg::F_ADD_SEALS(seals)).map_err(sys("sealing stdin"))?;
    Ok(fd)
}

fn read_some(
    fd: &OwnedFd,
    buf: &mut [u8],
    into: &mut Vec<u8>,
    room: usize,
) -> Result<usize, Errno> {
    loop {
        match nix::unistd::read(fd.as_fd(), buf) {
            Ok(n) => {
                into.extend_from_slice(&buf[..n.min(room)]);
                return Ok(n);
            }
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Waits until init has started the program (or failed to, or ended), collecting the
/// records it wrote meanwhile: until then init and the program use memory the jail must not
/// touch (see `sys::clone_vm`). Bounded by the wall limit; past it, the caller kills init.
fn await_start(
    init: &OwnedFd,
    report: &OwnedFd,
    records: &mut Vec<u8>,
    limits: &judgebox_spec::Limits,
    start: Instant,
) -> Result<(), SandboxError> {
    let deadline = Duration::from_secs_f64(limits.wall_time);
    loop {
        let mut buf = [0u8; RECORD_LEN * 4];
        match nix::unistd::read(report.as_fd(), &mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                records.extend_from_slice(&buf[..n]);
                let kinds = records
                    .chunks_exact(RECORD_LEN)
                    .map(|r| u32::from_ne_bytes(r[0..4].try_into().expect("4 bytes")));
                if kinds
                    .into_iter()
                    .any(|k| k == RECORD_STARTED || k == RECORD_FAILURE)
                {
                    return Ok(());
                }
                continue;
            }
            Err(Errno::EAGAIN) => {}
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(sys("reading the box's start-up report")(e)),
        }
        let left = deadline.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Err(SandboxError::BadRequest(
                "the box did not start within the wall-time limit".into(),
            ));
        }
        let mut fds = [
            PollFd::new(report.as_fd(), PollFlags::POLLIN),
            PollFd::new(init.as_fd(), PollFlags::POLLIN),
        ];
        let timeout = PollTimeout::try_from(left.as_millis().max(1).min(i32::MAX as u128) as i32)
            .unwrap_or(PollTimeout::MAX);
        match poll(&mut fds, timeout) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(sys("poll")(e)),
        }
        let init_gone = fds[1].revents().is_some_and(|r| !r.is_empty());
        let readable = fds[0].revents().is_some_and(|r| !r.is_empty());
        if init_gone && !readable {
            return Ok(());
        }
    }
}

impl Slot {
    /// Runs one program. A program's failure, a limit or a sandbox fault all come back as a
    /// report; only the report's `outcome` tells them apart.
    pub fn run(&mut self, req: &RunRequest) -> RunReport {
        match self.try_run(req) {
            Ok(report) => report,
            Err(e) => RunReport::fault(e.to_string()),
        }
    }

    fn try_run(&mut self, req: &RunRequest) -> Result<RunReport, SandboxError> {
        if req.network && !self.allow_network {
            return Err(SandboxError::BadRequest(
                "network access was asked for, but this jail does not allow it (--allow-network)"
                    .into(),
            ));
        }
        let Some(program) = req.argv.first() else {
            return Err(SandboxError::BadRequest(
                "no program to run (empty argv)".into(),
            ));
        };
        let limits = req.limits;
        self.ensure_compiled(&req.profile)?;
        let kb = |v: u64| v.saturating_mul(1024);
        // The box's files (from the compile step, an earlier run, the request) are in
        // memory, charged to a group of the past or to the jail's: what they hold counts
        // against this run's limit, which the run's own group gets the rest of.
        let held = self.box_bytes()?;
        let budget = kb(limits.memory).saturating_sub(held).max(PAGE);
        self.cgroup.prepare(budget, limits.processes)?;
        let profile = self.profiles.get(&req.profile)?;
        let compiled = &self.compiled[&req.profile];

        let mut env = profile.env.clone();
        for entry in &req.env {
            if !entry.contains('=') || entry.starts_with('=') {
                return Err(SandboxError::BadRequest(format!(
                    "environment entry {entry:?} is not NAME=value"
                )));
            }
            let name = entry.split('=').next().unwrap_or_default();
            env.retain(|e| e.split('=').next() != Some(name));
            env.push(entry.clone());
        }
        let exec_paths: Vec<CString> = if program.contains('/') {
            vec![cstring("program", program)?]
        } else {
            let path = env
                .iter()
                .find_map(|e| e.strip_prefix("PATH="))
                .unwrap_or("/usr/bin:/bin");
            path.split(':')
                .filter(|d| !d.is_empty())
                .map(|d| cstring("PATH", &format!("{d}/{program}")))
                .collect::<Result<_, _>>()?
        };
        let argv = req
            .argv
            .iter()
            .map(|a| cstring("argument", a))
            .collect::<Result<Vec<_>, _>>()?;
        let envp = env
            .iter()
            .map(|e| cstring("environment", e))
            .collect::<Result<Vec<_>, _>>()?;

        let stdin = stdin_memfd(&req.stdin.0)?;
        let (out_r, out_w) =
            pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK).map_err(sys("pipe for stdout"))?;
        let err_pipe = if req.stderr_to_stdout {
            None
        } else {
            Some(pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK).map_err(sys("pipe for stderr"))?)
        };
        // The write end must block in the program: only our read ends are non-blocking.
        fcntl(&out_w, FcntlArg::F_SETFL(OFlag::empty())).map_err(sys("fcntl"))?;
        if let Some((_, w)) = &err_pipe {
            fcntl(w, FcntlArg::F_SETFL(OFlag::empty())).map_err(sys("fcntl"))?;
        }
        let (report_r, report_w) =
            pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK).map_err(sys("pipe for reports"))?;

        let cpu_secs = limits.cpu_time.ceil() as u64 + 1;
        let mut rlimits = vec![
            (Resource::RLIMIT_STACK, kb(limits.stack), kb(limits.stack)),
            (
                Resource::RLIMIT_FSIZE,
                kb(limits.file_size),
                kb(limits.file_size),
            ),
            (Resource::RLIMIT_CORE, 0, 0),
            (
                Resource::RLIMIT_NOFILE,
                limits.open_files,
                limits.open_files,
            ),
            (Resource::RLIMIT_NPROC, limits.processes, limits.processes),
            // A backstop only: the supervisor kills at the exact limit long before this.
            (Resource::RLIMIT_CPU, cpu_secs, cpu_secs + 1),
            (Resource::RLIMIT_MSGQUEUE, 0, 0),
            // Queued signals are kernel memory per signal; a judged program needs few.
            (Resource::RLIMIT_SIGPENDING, 1024, 1024),
        ];
        if let Some(address_space) = req.address_space {
            rlimits.push((Resource::RLIMIT_AS, kb(address_space), kb(address_space)));
        }
        let exec_helper = self.exec_helper.as_ref().map(|helper| {
            let mut args = vec![
                c"judgebox-exec".to_owned(),
                CString::new(report_w.as_raw_fd().to_string()).expect("digits"),
                CString::new(exec_paths.len().to_string()).expect("digits"),
            ];
            args.extend(exec_paths.iter().cloned());
            args.extend(argv.iter().cloned());
            (helper.as_raw_fd(), NullTerminated::new(args))
        });
        let stderr_w = err_pipe.as_ref().map_or(&out_w, |(_, w)| w);
        let prepared = Prepared {
            layout: &compiled.layout,
            seccomp: &compiled.seccomp,
            netns: (!req.network).then(|| self.netns.as_fd()),
            mount_ns: compiled.mount_ns.as_fd(),
            jail_pidfd: self.jail_pidfd.as_fd(),
            program_stack: &self.program_stack,
            report: report_w.as_raw_fd(),
            stdin: stdin.as_raw_fd(),
            stdout: out_w.as_raw_fd(),
            stderr: stderr_w.as_raw_fd(),
            fd_ceiling: crate::sys::fd_ceiling(),
            cgroup_procs: self.cgroup.procs(),
            rlimits,
            uid: self.uid,
            gid: self.gid,
            network: req.network,
            program_cpus: self.program_cpus,
            exec_paths,
            argv: NullTerminated::new(argv),
            envp: NullTerminated::new(envp),
            exec_helper,
        };

        let start = Instant::now();
        let arg = std::ptr::from_ref(&prepared).cast_mut().cast();
        // SAFETY: the jail is single-threaded; init runs on the slot's init stack, which no
        // one else uses, and reads `prepared`, which lives until `await_start` has seen init
        // start the program (or end); after that init touches only its own stack. Init ends
        // in `_exit`.
        let (_, pidfd) = unsafe {
            clone_vm(
                &self.init_stack,
                BOX_NAMESPACES.bits(),
                child::init_entry,
                arg,
            )
        }
        .map_err(sys("clone"))?;
        let mut records = Vec::new();
        let started = await_start(&pidfd, &report_r, &mut records, &limits, start);
        // The program's setresuid, in the jail's memory, made that memory non-dumpable
        // (credentials(7): a change of effective uid sets the dumpable flag, which belongs to
        // the memory, not the process). Left so, every process the jail forks after is
        // non-dumpable too, and opening a profile helper's /proc/PID/ns/mnt then needs
        // CAP_SYS_PTRACE, which a container does not give. The program has exec'd or failed
        // by now and no longer changes credentials. (PR_SET_DUMPABLE with 1 fails for no
        // reason but a bad argument; the box is not left running on its account.)
        let _ = nix::sys::prctl::set_dumpable(true);
        drop(prepared);
        drop((stdin, out_w, report_w));
        let err_r = err_pipe.map(|(r, _)| r);
        if let Err(e) = started {
            let _ = pidfd_kill(pidfd.as_fd(), libc::SIGKILL);
            let _ = waitid(Id::PIDFd(pidfd.as_fd()), WaitPidFlag::WEXITED);
            return Err(e);
        }

        let mut scratch = std::mem::take(&mut self.scratch);
        let captured = self.supervise(&pidfd, &out_r, err_r.as_ref(), &limits, start, &mut scratch);
        self.scratch = scratch;
        // Reap init. Its exit made the kernel kill and reap every other process of the pid
        // namespace first, so the box is empty now.
        let _ = waitid(Id::PIDFd(pidfd.as_fd()), WaitPidFlag::WEXITED);
        self.clean_after_run(&req.profile)?;
        let captured = captured?;
        let usage = self.cgroup.usage()?;
        self.cgroup.kill_all()?;

        let _ = std::fs::File::from(report_r).read_to_end(&mut records);
        self.report(records, captured, usage, held, &limits, &req.profile)
    }

    fn supervise(
        &self,
        pidfd: &OwnedFd,
        out: &OwnedFd,
        err: Option<&OwnedFd>,
        limits: &judgebox_spec::Limits,
        start: Instant,
        scratch: &mut [u8],
    ) -> Result<Captured, SandboxError> {
        let wall_limit = Duration::from_secs_f64(limits.wall_time);
        let cpu_limit = Duration::from_secs_f64(limits.cpu_time);
        let cap = usize::try_from(limits.output.saturating_mul(1024)).unwrap_or(usize::MAX);
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let (mut out_open, mut err_open) = (true, err.is_some());
        let mut kill: Option<Kill> = None;
        let mut check_now = true;
        let sampling = self.cgroup.samples_memory();
        let arm = |d: Duration| {
            let d = d.max(Duration::from_micros(100));
            self.timer
                .set(
                    Expiration::OneShot(TimeSpec::from_duration(d)),
                    TimerSetTimeFlags::empty(),
                )
                .map_err(sys("timerfd_settime"))
        };
        // The box's processes are killed, not init: init, outside the group, then reaps the
        // program and reports its status and own peak, and its exit takes the rest. Should
        // it not be gone within `KILL_GRACE`, init is killed too.
        let do_kill = |why: Kill, kill: &mut Option<Kill>| -> Result<(), SandboxError> {
            if kill.is_none() {
                *kill = Some(why);
                if self.cgroup.signal_all().is_err() {
                    let _ = pidfd_kill(pidfd.as_fd(), libc::SIGKILL);
                }
                arm(KILL_GRACE)?;
            }
            Ok(())
        };
        loop {
            if check_now && kill.is_none() {
                check_now = false;
                let elapsed = start.elapsed();
                let cpu = self.cgroup.cpu_usage()?;
                if sampling {
                    self.cgroup.sample_memory()?;
                }
                if elapsed >= wall_limit {
                    do_kill(Kill::WallTime, &mut kill)?;
                } else if cpu >= cpu_limit {
                    do_kill(Kill::CpuTime, &mut kill)?;
                } else {
                    let cpu_left = (cpu_limit - cpu)
                        .div_f64(f64::from(self.ncpus))
                        .max(Duration::from_millis(1));
                    let next = cpu_left.min(wall_limit - elapsed);
                    arm(if sampling {
                        next.min(SAMPLE_EVERY)
                    } else {
                        next
                    })?;
                }
            }
            let mut fds = vec![
                PollFd::new(pidfd.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.timer.as_fd(), PollFlags::POLLIN),
            ];
            if out_open {
                fds.push(PollFd::new(out.as_fd(), PollFlags::POLLIN));
            }
            if let (true, Some(e)) = (err_open, err) {
                fds.push(PollFd::new(e.as_fd(), PollFlags::POLLIN));
            }
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => return Err(sys("poll")(e)),
            }
            let ready = |i: usize| {
                fds.get(i)
                    .and_then(|f| f.revents())
                    .is_some_and(|r| !r.is_empty())
            };
            let (init_done, timer_fired) = (ready(0), ready(1));
            let mut i = 2;
            let out_ready = out_open && {
                i += 1;
                ready(i - 1)
            };
            let err_ready = err_open && ready(i);
            if timer_fired {
                let _ = self.timer.wait();
                if kill.is_some() {
                    let _ = pidfd_kill(pidfd.as_fd(), libc::SIGKILL);
                } else {
                    check_now = true;
                }
            }
            let mut overflow = false;
            if out_ready {
                let room = cap.saturating_sub(stdout.len() + stderr.len());
                match read_some(out, scratch, &mut stdout, room) {
                    Ok(0) => out_open = false,
                    Ok(n) => overflow |= n > room,
                    Err(Errno::EAGAIN) => {}
                    Err(_) => out_open = false,
                }
            }
            if let (true, Some(err)) = (err_ready, err) {
                let room = cap.saturating_sub(stdout.len() + stderr.len());
                match read_some(err, scratch, &mut stderr, room) {
                    Ok(0) => err_open = false,
                    Ok(n) => overflow |= n > room,
                    Err(Errno::EAGAIN) => {}
                    Err(_) => err_open = false,
                }
            }
            if overflow {
                do_kill(Kill::Output, &mut kill)?;
            }
            if init_done {
                break;
            }
        }
        let wall = start.elapsed();
        // Every writer is gone; take what is still buffered in the pipes.
        for (pipe, is_out) in [(Some(out), true), (err, false)] {
            let Some(pipe) = pipe else { continue };
            loop {
                let room = cap.saturating_sub(stdout.len() + stderr.len());
                let buf = if is_out { &mut stdout } else { &mut stderr };
                match read_some(pipe, scratch, buf, room) {
                    Ok(0) | Err(_) => break,
                    Ok(n) if n > room && kill.is_none() => kill = Some(Kill::Output),
                    Ok(_) => {}
                }
            }
        }
        Ok(Captured {
            stdout,
            stderr,
            wall,
            kill,
        })
    }

    fn report(
        &self,
        records: Vec<u8>,
        captured: Captured,
        usage: crate::cgroup::Usage,
        held: u64,
        limits: &judgebox_spec::Limits,
        profile: &str,
    ) -> Result<RunReport, SandboxError> {
        let mut status: Option<i32> = None;
        // The program's own peak RSS, where it was started through the exec helper.
        let mut peak_rss: Option<u64> = None;
        let mut failure: Option<String> = None;
        let mut exec_errno: Option<i32> = None;
        for rec in records.chunks_exact(RECORD_LEN) {
            let word = |i: usize| u32::from_ne_bytes(rec[i..i + 4].try_into().expect("4 bytes"));
            match word(0) {
                RECORD_FAILURE if failure.is_none() => {
                    let stage = Stage::from_u32(word(4));
                    let errno = Errno::from_raw(word(12) as i32);
                    let what = match stage {
                        Some(Stage::Mount) => {
                            let layout = self.compiled_layout(profile);
                            format!(
                                "{}: {}",
                                Stage::Mount.describe(),
                                layout.map_or("?", |l| l.describe(word(8)))
                            )
                        }
                        Some(s) => s.describe().to_string(),
                        None => format!("stage {}", word(4)),
                    };
                    if stage == Some(Stage::Exec) {
                        exec_errno = Some(errno as i32);
                    }
                    failure = Some(format!("box start-up failed {what}: {errno}"));
                }
                RECORD_STATUS => {
                    status = Some(word(4) as i32);
                    peak_rss = (word(12) == 1).then(|| u64::from(word(8)));
                }
                _ => {}
            }
        }
        let cpu = usage.cpu;
        let cpu_limit = Duration::from_secs_f64(limits.cpu_time);
        let wall_limit = Duration::from_secs_f64(limits.wall_time);
        let over = |used: Duration, limit: Duration| Some(used.saturating_sub(limit).as_secs_f64());
        let mut report = RunReport {
            outcome: Outcome::JailFault,
            exit_code: None,
            signal: None,
            cpu_time: cpu.as_secs_f64(),
            wall_time: captured.wall.as_secs_f64(),
            memory: peak_rss.unwrap_or(usage.memory_peak / 1024),
            charged: (usage.memory_peak + held) / 1024,
            stdout: Bytes(captured.stdout),
            stderr: Bytes(captured.stderr),
            overshoot: None,
            message: None,
            exec_errno,
        };
        if let Some(status) = status {
            if libc::WIFEXITED(status) {
                report.exit_code = Some(libc::WEXITSTATUS(status));
            } else if libc::WIFSIGNALED(status) {
                report.signal = Some(libc::WTERMSIG(status));
            }
        }
        if let Some(message) = failure {
            report.message = Some(message);
            report.exit_code = None;
            return Ok(report);
        }
        (report.outcome, report.overshoot) = match captured.kill {
            Some(Kill::CpuTime) => (Outcome::CpuTimeLimit, over(cpu, cpu_limit)),
            Some(Kill::WallTime) => (Outcome::WallTimeLimit, over(captured.wall, wall_limit)),
            Some(Kill::Output) => (Outcome::OutputLimit, None),
            None if usage.oom_killed => (Outcome::MemoryLimit, None),
            // Finished, but past a limit before the supervisor's next look: still over.
            None if cpu > cpu_limit => (Outcome::CpuTimeLimit, over(cpu, cpu_limit)),
            None if captured.wall > wall_limit => {
                (Outcome::WallTimeLimit, over(captured.wall, wall_limit))
            }
            None if report.exit_code.is_some() => (Outcome::Exited, None),
            None if report.signal.is_some() => (Outcome::Signaled, None),
            None => {
                report.message =
                    Some("the box's init ended without reporting the program's status".into());
                (Outcome::JailFault, None)
            }
        };
        if report.outcome == Outcome::MemoryLimit {
            report.message = Some("Memory limit exceeded".into());
            // What the box held when it was stopped: its group's peak and its files.
            report.memory = report.charged;
        }
        Ok(report)
    }
}
