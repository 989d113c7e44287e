# tries: raw system calls from Python through ctypes, bypassing anything a language runtime might filter: unshare, setns, mount, umount2, pivot_root, chroot, ptrace, kexec_load, init_module, finit_module, delete_module, reboot, swapon, acct, settimeofday, clock_settime, adjtimex, iopl, ioperm, syslog, quotactl, bpf, perf_event_open, userfaultfd, io_uring_setup, keyctl, add_key, open_by_handle_at, process_vm_readv, pidfd_getfd, kcmp, vhangup, sethostname
# allowed: 3
# why: every one of these is outside the seccomp allowlist (ENOSYS) or needs a capability the box has not (EPERM); the program exits 0 and prints each errno. A call that returns success is an escape
# layer: seccomp, caps
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
calls = {
    "unshare": (272, 0x10000000), "setns": (308, 0, 0), "mount": (165, b"none", b"/tmp", b"tmpfs", 0, 0),
    "umount2": (166, b"/proc", 2), "pivot_root": (155, b".", b"."), "chroot": (161, b"/tmp"),
    "ptrace_attach_1": (101, 16, 1, 0, 0), "kexec_load": (246, 0, 0, 0, 0), "init_module": (175, 0, 0, b""),
    "finit_module": (313, 0, b"", 0), "delete_module": (176, b"ext4", 0), "reboot": (169, 0xfee1dead, 672274793, 0xcdef0123, 0),
    "swapon": (167, b"/box/swap", 0), "acct": (163, b"/box/acct"), "settimeofday": (164, 0, 0),
    "clock_settime": (227, 0, 0), "adjtimex": (159, 0), "iopl": (172, 3), "ioperm": (173, 0, 1024, 1),
    "syslog": (103, 3, 0, 0), "quotactl": (179, 0, 0, 0, 0), "bpf": (321, 0, 0, 0), "perf_event_open": (298, 0, 0, -1, -1, 0),
    "userfaultfd": (323, 0), "io_uring_setup": (425, 8, 0), "keyctl": (250, 0, -3, 0), "add_key": (248, b"user", b"x", b"y", 1, -3),
    "open_by_handle_at": (304, -100, 0, 0), "process_vm_readv": (310, 1, 0, 0, 0, 0, 0), "pidfd_getfd": (438, 0, 0, 0),
    "kcmp": (312, 1, 2, 0, 0, 0), "vhangup": (153,), "sethostname": (170, b"jbxpwn", 6), "lookup_dcookie": (212, 0, 0, 0),
    "nfsservctl": (180, 0, 0, 0), "mbind": (237, 0, 0, 0, 0, 0, 0), "move_pages": (279, 1, 0, 0, 0, 0, 0),
}
harmless = {"sethostname"}  # the box has a UTS namespace of its own; changing its name would not reach the host
for name, (nr, *args) in calls.items():
    ctypes.set_errno(0)
    r = libc.syscall(nr, *args)
    e = ctypes.get_errno()
    if r >= 0 and name not in harmless:
        print(f"ESCAPED {name} returned {r}")
    else:
        print(f"{name}: {r} {os.strerror(e) if r < 0 else 'allowed'}")
