# tries: reads kernel and device secrets: /proc/kcore, /dev/mem, /dev/kmsg, /proc/kmsg, syslog() through ctypes, kernel pointers in /proc/kallsyms and /proc/modules, /proc/keys, /proc/timer_list, /sys/kernel/debug
# allowed: 3
# why: the box's /dev has only null, zero, full, random and urandom; the root-only proc files refuse its uid; syslog() is not in the seccomp allowlist; kallsyms shows zeros without CAP_SYSLOG. It exits 0 after reporting; a real kernel address is printed as an escape
# layer: mount, uid, seccomp
import ctypes
import os

for p in ["/proc/kcore", "/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg", "/proc/kmsg", "/proc/keys",
          "/proc/timer_list", "/sys/kernel/debug", "/dev/vda", "/dev/sda", "/dev/console", "/dev/tty"]:
    try:
        with open(p, "rb") as f:
            data = f.read(64)
        print(p, "readable:", data[:32])
    except OSError as e:
        print(p, e.strerror)
addresses = set()
for line in open("/proc/kallsyms"):
    addresses.add(line.split()[0])
    if len(addresses) > 2:
        break
print("kallsyms addresses:", sorted(addresses))
if any(a.strip("0") for a in addresses):
    print("ESCAPED kernel addresses visible")
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(4096)
r = libc.syscall(103, 3, buf, 4096)  # syslog(SYSLOG_ACTION_READ_ALL)
print("syslog:", r, os.strerror(ctypes.get_errno()) if r < 0 else buf.raw[:64])
if r > 0:
    print("ESCAPED syslog readable")
