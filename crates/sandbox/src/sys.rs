//! Every `unsafe` block of the crate: raw syscalls that `nix` does not wrap, or wraps with
//! allocations we cannot make in a freshly cloned child.

use std::ffi::{c_char, c_int, CStr};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;

/// The result of a fork-like clone.
pub(crate) enum Forked {
    /// In the parent: the child's pid and, when asked for, a pidfd for it.
    Parent {
        pid: libc::pid_t,
        pidfd: Option<OwnedFd>,
    },
    Child,
}

/// `clone(2)` with fork semantics (a copy of the address space, no new stack) plus the given
/// namespace flags, optionally returning a pidfd (`CLONE_PIDFD`).
///
/// # Safety
/// The calling process must be single-threaded: the child gets a copy of memory in which no
/// other thread can be holding a lock (malloc's, stdio's), and must only do what is safe
/// after `fork`. The jail is single-threaded by design, and so is the box's init.
pub(crate) unsafe fn clone_fork(ns_flags: c_int, want_pidfd: bool) -> Result<Forked, Errno> {
    let mut pidfd: c_int = -1;
    let flags = ns_flags | libc::SIGCHLD | if want_pidfd { libc::CLONE_PIDFD } else { 0 };
    // SAFETY: x86_64's raw clone takes (flags, stack, parent_tid, child_tid, tls). A null
    // stack means "share the caller's stack pointer", i.e. fork semantics, which is sound
    // because without CLONE_VM the child has its own copy of that stack. With CLONE_PIDFD
    // the kernel writes the pidfd into `pidfd` (the parent_tid slot).
    let ret = unsafe {
        libc::syscall(
            libc::SYS_clone,
            flags as libc::c_ulong,
            0usize,
            &mut pidfd as *mut c_int,
            0usize,
            0usize,
        )
    };
    match ret {
        -1 => Err(Errno::last()),
        0 => Ok(Forked::Child),
        pid => Ok(Forked::Parent {
            pid: pid as libc::pid_t,
            // SAFETY: with CLONE_PIDFD the kernel returned a new descriptor we now own.
            pidfd: want_pidfd.then(|| unsafe { OwnedFd::from_raw_fd(pidfd) }),
        }),
    }
}

/// A child stack for [`spawn_vfork`] and [`clone_vm`]: anonymous memory with a guard page
/// below it, so an overflow faults instead of writing over the parent's memory.
#[derive(Debug)]
pub(crate) struct ChildStack {
    base: std::ptr::NonNull<libc::c_void>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; nothing about it is tied to the
// thread that made it.
unsafe impl Send for ChildStack {}

impl ChildStack {
    /// Usable bytes: init and the program's pre-exec set-up (Landlock's ruleset, a few
    /// syscalls) use a few KiB each; pages are only touched when used.
    const SIZE: usize = 256 * 1024;
    const GUARD: usize = 4096;

    pub(crate) fn new() -> Result<ChildStack, Errno> {
        let len = Self::SIZE + Self::GUARD;
        // SAFETY: a fresh private anonymous mapping, owned by the returned value.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(Errno::last());
        }
        let stack = ChildStack {
            // SAFETY: mmap succeeded, so `base` is not null.
            base: unsafe { std::ptr::NonNull::new_unchecked(base) },
            len,
        };
        // SAFETY: the lowest page of our own mapping; the stack grows down towards it.
        if unsafe { libc::mprotect(base, Self::GUARD, libc::PROT_NONE) } < 0 {
            return Err(Errno::last());
        }
        Ok(stack)
    }

    /// The initial stack pointer: the top of the mapping (16-byte aligned, as mmap's pages are).
    fn top(&self) -> *mut libc::c_void {
        // SAFETY: one past the end of our own mapping, which clone(2) takes as the top.
        unsafe { self.base.as_ptr().cast::<u8>().add(self.len).cast() }
    }
}

impl Drop for ChildStack {
    fn drop(&mut self) {
        // SAFETY: our own mapping, no longer used: the child that ran on it has exec'd or
        // exited before `spawn_vfork` returned.
        unsafe { libc::munmap(self.base.as_ptr(), self.len) };
    }
}

/// `clone(CLONE_VM | CLONE_VFORK)` as `posix_spawn` does it: the child runs `entry(arg)` on
/// `stack`, in the caller's memory, and the caller sleeps until the child has exec'd or
/// exited. No page tables are copied and nothing is copied on write, which is most of what
/// a fork costs.
///
/// # Safety
/// The caller must be single-threaded (no other thread runs in the memory the child
/// writes), `arg` must be what `entry` expects and live until this returns, and `entry`
/// must end in `execve` or `_exit`, never return into the caller's frames.
pub(crate) unsafe fn spawn_vfork(
    stack: &ChildStack,
    entry: extern "C" fn(*mut libc::c_void) -> c_int,
    arg: *mut libc::c_void,
) -> Result<libc::pid_t, Errno> {
    // SAFETY: as the caller promises; the stack is ours and unused by anyone else.
    let pid = unsafe {
        libc::clone(
            entry,
            stack.top(),
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            arg,
        )
    };
    if pid < 0 {
        Err(Errno::last())
    } else {
        Ok(pid)
    }
}

/// `clone(CLONE_VM | CLONE_PIDFD | ns_flags)`: a child process (not a thread: its own
/// descriptors, credentials and namespaces) that runs `entry(arg)` on `stack` in the
/// caller's memory, while the caller goes on. Returns its pid and a pidfd.
///
/// # Safety
/// Caller and child run at the same time in one address space, and glibc does not know it:
/// they share `errno` and malloc's unlocked arenas. So while both run, the child must only
/// make syscalls that do not fail in practice on memory no one else touches (its stack),
/// and the caller must keep `stack`, `arg` and all the child reads alive and unchanged
/// until the child has exited. `entry` must end in `_exit`, never return.
pub(crate) unsafe fn clone_vm(
    stack: &ChildStack,
    ns_flags: c_int,
    entry: extern "C" fn(*mut libc::c_void) -> c_int,
    arg: *mut libc::c_void,
) -> Result<(libc::pid_t, OwnedFd), Errno> {
    let mut pidfd: c_int = -1;
    let flags = libc::CLONE_VM | libc::CLONE_PIDFD | libc::SIGCHLD | ns_flags;
    // SAFETY: as the caller promises. With CLONE_PIDFD the kernel writes the pidfd through
    // the parent_tid argument.
    let pid = unsafe { libc::clone(entry, stack.top(), flags, arg, &mut pidfd as *mut c_int) };
    if pid < 0 {
        return Err(Errno::last());
    }
    // SAFETY: with CLONE_PIDFD the kernel returned a new descriptor we now own.
    Ok((pid, unsafe { OwnedFd::from_raw_fd(pidfd) }))
}

/// `pidfd_open(2)`.
pub(crate) fn pidfd_open(pid: libc::pid_t) -> Result<OwnedFd, Errno> {
    // SAFETY: a plain syscall with integer arguments.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(Errno::last());
    }
    // SAFETY: the kernel returned a new descriptor we now own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// `pidfd_send_signal(2)`: signal exactly the process the pidfd names, never a recycled pid.
pub(crate) fn pidfd_kill(pidfd: BorrowedFd<'_>, signal: c_int) -> Result<(), Errno> {
    // SAFETY: a plain syscall; a null siginfo means "as kill(2) would send it".
    let ret = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            signal,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    if ret < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// Marks every descriptor from `first` up close-on-exec (`close_range(2)`,
/// `CLOSE_RANGE_CLOEXEC`, Linux 5.11), so an exec leaves the program only 0, 1 and 2.
/// Before 5.11 the kernel refuses the flag (EINVAL; ENOSYS before 5.9), and each descriptor
/// up to `ceiling` (see [`fd_ceiling`]) is marked with `fcntl` instead. Syscalls only: the
/// program calls this in init's memory.
pub(crate) fn cloexec_from(first: u32, ceiling: u32) -> Result<(), Errno> {
    // SAFETY: a plain syscall with integer arguments; it only changes descriptor flags.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if ret >= 0 {
        return Ok(());
    }
    match Errno::last() {
        Errno::EINVAL | Errno::ENOSYS => {}
        e => return Err(e),
    }
    for fd in first..=ceiling {
        // SAFETY: integer arguments; F_SETFD changes only the descriptor's flags.
        if unsafe { libc::fcntl(fd as RawFd, libc::F_SETFD, libc::FD_CLOEXEC) } < 0
            && Errno::last() != Errno::EBADF
        {
            return Err(Errno::last());
        }
    }
    Ok(())
}

/// Whether `close_range` takes `CLOSE_RANGE_CLOEXEC` (Linux 5.11).
pub(crate) fn has_cloexec_range() -> bool {
    // SAFETY: integer arguments; the range holds no open descriptor.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            u32::MAX - 1,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    ret == 0
}

/// Whether filesystem `fs` takes the flag parameter `flag` (`fsopen`, then
/// `fsconfig(FSCONFIG_SET_FLAG)`; nothing is created or mounted).
pub(crate) fn fs_takes_flag(fs: &CStr, flag: &CStr) -> bool {
    const FSOPEN_CLOEXEC: libc::c_uint = 1;
    const FSCONFIG_SET_FLAG: libc::c_uint = 0;
    // SAFETY: a valid C string; the call only returns a new descriptor.
    let fd = unsafe { libc::syscall(libc::SYS_fsopen, fs.as_ptr(), FSOPEN_CLOEXEC) };
    if fd < 0 {
        return false;
    }
    // SAFETY: the kernel returned a new descriptor we now own.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
    // SAFETY: a live descriptor and a valid C string; no value pointer for a flag.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            fd.as_raw_fd(),
            FSCONFIG_SET_FLAG,
            flag.as_ptr(),
            std::ptr::null::<libc::c_void>(),
            0,
        )
    };
    ret == 0
}

/// The highest descriptor number the calling process has open, where [`cloexec_from`] may
/// need it (a kernel without `CLOSE_RANGE_CLOEXEC`), else 0. Checked once per process by a
/// `close_range` over an empty range, then the descriptor table is listed on each call.
pub(crate) fn fd_ceiling() -> u32 {
    use std::sync::atomic::{AtomicU8, Ordering};
    static HAS_CLOEXEC_RANGE: AtomicU8 = AtomicU8::new(0);
    if HAS_CLOEXEC_RANGE.load(Ordering::Relaxed) == 0 {
        let has = has_cloexec_range();
        HAS_CLOEXEC_RANGE.store(if has { 1 } else { 2 }, Ordering::Relaxed);
    }
    if HAS_CLOEXEC_RANGE.load(Ordering::Relaxed) == 1 {
        return 0;
    }
    std::fs::read_dir("/proc/self/fd")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(1024)
}

/// `dup2(2)` on descriptor numbers (the child's stdio plumbing; `nix` wants owned fds).
pub(crate) fn dup2(from: RawFd, to: RawFd) -> Result<(), Errno> {
    // SAFETY: dup2 only manipulates the descriptor table; `to` is 0, 1 or 2, which the
    // caller means to replace.
    if unsafe { libc::dup2(from, to) } < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// `execve(2)` with argument and environment arrays prepared before the clone.
///
/// Returns only on failure.
pub(crate) fn execve(path: &CStr, argv: &NullTerminated, envp: &NullTerminated) -> Errno {
    // SAFETY: `path` is a valid C string; `argv` and `envp` are null-terminated arrays of
    // pointers into C strings they own, alive for the call.
    unsafe { libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    Errno::last()
}

/// `execveat(fd, "", argv, envp, AT_EMPTY_PATH)`: executes the file `fd` refers to.
///
/// Returns only on failure.
pub(crate) fn execve_fd(fd: RawFd, argv: &NullTerminated, envp: &NullTerminated) -> Errno {
    // SAFETY: the path is an empty C string; `argv` and `envp` are null-terminated arrays of
    // pointers into C strings they own, alive for the call.
    unsafe {
        libc::syscall(
            libc::SYS_execveat,
            fd,
            c"".as_ptr(),
            argv.as_ptr(),
            envp.as_ptr(),
            libc::AT_EMPTY_PATH,
        )
    };
    Errno::last()
}

/// `wait4(-1, ..., 0, ...)`: reaps any child; its pid, raw wait status and peak resident
/// set in KB (`ru_maxrss`, with its waited-for descendants').
pub(crate) fn wait4_any() -> Result<(libc::pid_t, c_int, u32), Errno> {
    let mut status: c_int = 0;
    // SAFETY: rusage is plain data; all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live locals the kernel fills in.
    let pid = unsafe { libc::wait4(-1, &mut status, 0, &mut usage) };
    if pid < 0 {
        Err(Errno::last())
    } else {
        Ok((
            pid,
            status,
            u32::try_from(usage.ru_maxrss).unwrap_or(u32::MAX),
        ))
    }
}

pub(crate) const MOUNT_ATTR_RDONLY: u64 = 0x1;
pub(crate) const MOUNT_ATTR_NOSUID: u64 = 0x2;
pub(crate) const MOUNT_ATTR_NODEV: u64 = 0x4;

/// `mount_setattr(AT_FDCWD, path, AT_RECURSIVE, {attr_set: attrs})` (Linux 5.12): sets
/// `attrs` on the mount at `path` and every mount below it.
pub(crate) fn mount_setattr_recursive(path: &CStr, attrs: u64) -> Result<(), Errno> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    let attr = MountAttr {
        attr_set: attrs,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: a valid C string and a live, correctly sized mount_attr the kernel only reads.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::AT_RECURSIVE,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// Sets or clears `FD_CLOEXEC` on `fd`.
pub(crate) fn set_cloexec(fd: RawFd, on: bool) -> Result<(), Errno> {
    let flags = if on { libc::FD_CLOEXEC } else { 0 };
    // SAFETY: F_SETFD takes an int and touches only the descriptor table.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, flags) } < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// Turns off address-space randomisation for this process and what it execs
/// (`personality(ADDR_NO_RANDOMIZE)`), keeping the rest of its persona.
pub(crate) fn no_aslr() -> Result<(), Errno> {
    // SAFETY: personality only reads or sets this process's execution domain flags.
    let current = unsafe { libc::personality(0xffff_ffff) };
    if current < 0 {
        return Err(Errno::last());
    }
    let wanted = current as libc::c_ulong | libc::ADDR_NO_RANDOMIZE as libc::c_ulong;
    // SAFETY: as above.
    if unsafe { libc::personality(wanted) } < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// Whether this process may not set `ADDR_NO_RANDOMIZE` (a seccomp filter such as
/// systemd's `LockPersonality=` refuses persona changes with EPERM). Tried, then undone.
pub(crate) fn personality_locked() -> bool {
    // SAFETY: personality only reads or sets this process's execution domain flags.
    let current = unsafe { libc::personality(0xffff_ffff) };
    if current < 0 {
        return true;
    }
    let wanted = current as libc::c_ulong ^ libc::ADDR_NO_RANDOMIZE as libc::c_ulong;
    // SAFETY: as above; the old persona is put back at once.
    if unsafe { libc::personality(wanted) } < 0 {
        return true;
    }
    // SAFETY: as above.
    unsafe { libc::personality(current as libc::c_ulong) };
    false
}

/// The box's exec helper (`exec/exec.c`, built by `build.rs`).
const EXEC_HELPER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/judgebox-exec"));

/// The exec helper in a sealed memfd that can be executed (close-on-exec in the jail), or
/// `None` where the kernel refuses executable memfds (`vm.memfd_noexec = 2`).
///
/// `MFD_EXEC` (Linux 6.3) says the memfd is meant to be executed; before 6.3 the flag is
/// unknown (EINVAL) and every memfd is executable.
pub(crate) fn exec_helper() -> Result<Option<OwnedFd>, Errno> {
    const MFD_EXEC: libc::c_uint = 0x10;
    let base = libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING;
    let create = |flags: libc::c_uint| {
        // SAFETY: a valid C string and flags; returns a new descriptor or -1.
        let fd = unsafe { libc::memfd_create(c"judgebox-exec".as_ptr(), flags) };
        if fd < 0 {
            Err(Errno::last())
        } else {
            // SAFETY: the descriptor was just created and is owned by no one else.
            Ok(unsafe { OwnedFd::from_raw_fd(fd) })
        }
    };
    let fd = match create(base | MFD_EXEC) {
        Ok(fd) => fd,
        Err(Errno::EINVAL) => create(base)?,
        Err(Errno::EACCES) => return Ok(None),
        Err(e) => return Err(e),
    };
    if !write_raw(fd.as_raw_fd(), EXEC_HELPER) {
        return Err(Errno::last());
    }
    let seals = libc::F_SEAL_WRITE | libc::F_SEAL_GROW | libc::F_SEAL_SHRINK | libc::F_SEAL_SEAL;
    // SAFETY: F_ADD_SEALS takes an int of seal bits.
    if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_ADD_SEALS, seals) } < 0 {
        return Err(Errno::last());
    }
    Ok(Some(fd))
}

/// A null-terminated array of C string pointers (`argv`, `envp`) that owns its strings.
#[derive(Debug)]
pub(crate) struct NullTerminated {
    _strings: Vec<std::ffi::CString>,
    ptrs: Vec<*const c_char>,
}

impl NullTerminated {
    pub(crate) fn new(strings: Vec<std::ffi::CString>) -> Self {
        let mut ptrs: Vec<*const c_char> = strings.iter().map(|s| s.as_ptr()).collect();
        ptrs.push(std::ptr::null());
        NullTerminated {
            _strings: strings,
            ptrs,
        }
    }

    fn as_ptr(&self) -> *const *const c_char {
        self.ptrs.as_ptr()
    }
}

/// Writes all of `buf` to a raw descriptor without allocating (for the cloned child).
pub(crate) fn write_raw(fd: RawFd, buf: &[u8]) -> bool {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: the pointer and length describe the live slice `buf[done..]`.
        let n = unsafe { libc::write(fd, buf[done..].as_ptr().cast(), buf.len() - done) };
        if n < 0 {
            if Errno::last() == Errno::EINTR {
                continue;
            }
            return false;
        }
        done += n as usize;
    }
    true
}

/// Brings the loopback interface up in the current network namespace (`SIOCSIFFLAGS`).
pub(crate) fn loopback_up() -> Result<(), Errno> {
    // SAFETY: a plain socket(2) call; the result is checked and owned below.
    let raw = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return Err(Errno::last());
    }
    // SAFETY: socket(2) returned a new descriptor we now own.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: ifreq is plain old data for which all-zeroes is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as c_char;
    }
    // SAFETY: SIOCGIFFLAGS reads the flags of the interface named in `req` into it.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) } < 0 {
        return Err(Errno::last());
    }
    // SAFETY: the union member ifru_flags is the one SIOCGIFFLAGS just filled in.
    unsafe { req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short };
    // SAFETY: SIOCSIFFLAGS sets the flags from `req` on the named interface.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) } < 0 {
        return Err(Errno::last());
    }
    Ok(())
}

/// `_exit(2)`: leaves the cloned child without running the parent's atexit handlers or
/// flushing its copies of the parent's buffers.
pub(crate) fn exit_now(code: c_int) -> ! {
    // SAFETY: _exit is always safe to call; it does not return.
    unsafe { libc::_exit(code) }
}

/// Whether the extended attribute `name` of `path` holds exactly `value` (`getxattr(2)`).
pub(crate) fn xattr_is(path: &CStr, name: &CStr, value: &[u8]) -> bool {
    let mut buf = [0u8; 16];
    // SAFETY: valid C strings; the kernel writes at most `buf.len()` bytes into `buf`.
    let n = unsafe {
        libc::getxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    n >= 0 && buf.get(..n as usize) == Some(value)
}

/// The kernel's Landlock ABI version (`landlock_create_ruleset(NULL, 0, VERSION)`).
pub(crate) fn landlock_abi() -> Result<i32, Errno> {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute pointer and size 0 and only the VERSION flag, the call
    // reads no memory and returns the ABI version.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if v < 0 {
        Err(Errno::last())
    } else {
        Ok(v as i32)
    }
}

/// `move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)`: attaches a detached
/// tree from [`clone_tree`] at `target` in the caller's mount namespace.
pub(crate) fn move_mount_to(tree: BorrowedFd<'_>, target: &CStr) -> Result<(), Errno> {
    const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x4;
    // SAFETY: both strings are valid C strings and `tree` is a live descriptor.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    if ret < 0 {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

/// A new tmpfs that is mounted nowhere (`fsopen`, `fsconfig`, `fsmount`; Linux 5.2): the
/// descriptor is its root, usable as a directory descriptor and by [`clone_tree`]. It goes
/// away with its last descriptor and its last attached clone, however the jail ends.
pub(crate) fn detached_tmpfs(options: &[(&CStr, &CStr)], attrs: u32) -> Result<OwnedFd, Errno> {
    const FSOPEN_CLOEXEC: libc::c_uint = 1;
    const FSCONFIG_SET_STRING: libc::c_uint = 1;
    const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
    const FSMOUNT_CLOEXEC: libc::c_uint = 1;
    let owned = |ret: libc::c_long| {
        if ret < 0 {
            Err(Errno::last())
        } else {
            // SAFETY: the kernel returned a new descriptor we now own.
            Ok(unsafe { OwnedFd::from_raw_fd(ret as RawFd) })
        }
    };
    // SAFETY: a constant C string; the call only returns a new descriptor.
    let fs = owned(unsafe { libc::syscall(libc::SYS_fsopen, c"tmpfs".as_ptr(), FSOPEN_CLOEXEC) })?;
    for (key, value) in options {
        // SAFETY: valid C strings and a live descriptor; the kernel copies them.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_fsconfig,
                fs.as_raw_fd(),
                FSCONFIG_SET_STRING,
                key.as_ptr(),
                value.as_ptr(),
                0,
            )
        };
        if ret < 0 {
            return Err(Errno::last());
        }
    }
    // SAFETY: a live descriptor; no pointers.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            fs.as_raw_fd(),
            FSCONFIG_CMD_CREATE,
            std::ptr::null::<libc::c_char>(),
            std::ptr::null::<libc::c_void>(),
            0,
        )
    };
    if ret < 0 {
        return Err(Errno::last());
    }
    // SAFETY: a live descriptor; no pointers.
    owned(unsafe { libc::syscall(libc::SYS_fsmount, fs.as_raw_fd(), FSMOUNT_CLOEXEC, attrs) })
}

/// `open_tree(fd, "", OPEN_TREE_CLONE | AT_EMPTY_PATH)`: a detached copy of the mount whose
/// root `fd` is, for [`move_mount_to`].
pub(crate) fn clone_tree(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    const OPEN_TREE_CLONE: libc::c_uint = 1;
    // SAFETY: an empty C string and a live descriptor; the call only returns a new one.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            fd.as_raw_fd(),
            c"".as_ptr(),
            OPEN_TREE_CLONE | libc::O_CLOEXEC as libc::c_uint | libc::AT_EMPTY_PATH as libc::c_uint,
        )
    };
    if ret < 0 {
        return Err(Errno::last());
    }
    // SAFETY: the kernel returned a new descriptor we now own.
    Ok(unsafe { OwnedFd::from_raw_fd(ret as RawFd) })
}
