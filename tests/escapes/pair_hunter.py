# tries: box B of the two-box test, run while box A hides a secret and again after A has finished (so once in the other slot and once in A's own slot): reads every file in /box, /tmp and /dev/shm, every /proc/*/cmdline and environ, lists /proc/net/unix and connects to every abstract socket (and A's known name), connects to A's UDP port, attaches A's System V shared memory and message queue by key and every segment /proc/sysvipc lists, looks through /proc/*/root and /proc/*/cwd, and ptraces and signals (SIGSTOP) every pid from 1 to 4096; it prints everything it finds
# allowed: 3
# why: each box has its own mount, pid, IPC and network namespaces and its own uid, and nothing of a box survives it, so B sees only itself and prints nothing of A's; it exits 0. The suite checks B's output never holds A's secret, and that A still ended Accepted
# layer: namespace, mount, uid
# role: hunter
# limits: cpu=2 wall=6
import ctypes
import glob
import os
import socket

print(f"uid {os.getuid()} hunting", flush=True)
for pattern in ("/box/*", "/tmp/*", "/dev/shm/*", "/tmp/.*", "/dev/shm/.*", "/proc/*/root/box/*",
                "/proc/*/root/tmp/*", "/proc/*/root/dev/shm/*", "/proc/*/cwd/*"):
    for path in glob.glob(pattern):
        if path.endswith("script.py") or not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as f:
                print(f"{path}: {f.read(200)!r}")
        except OSError as e:
            print(f"{path}: {e.strerror}")
for proc in glob.glob("/proc/[0-9]*"):
    for name in ("cmdline", "environ"):
        try:
            with open(f"{proc}/{name}", "rb") as f:
                text = f.read().replace(b"\0", b" ")
            print(f"{proc}/{name}: {text!r}")
        except OSError:
            pass
names = {"\0jbx-hidden"}
try:
    with open("/proc/net/unix") as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split()
            print("unix socket:", line)
            if len(fields) > 7 and fields[7].startswith("@"):
                names.add("\0" + fields[7][1:])
except OSError as e:
    print("/proc/net/unix:", e.strerror)
for name in names:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect(name)
        print(f"connected to {name!r}: {s.recv(200)!r}")
    except OSError as e:
        print(f"{name!r}: {e.strerror}")
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(0.3)
try:
    u.sendto(b"?", ("127.0.0.1", 47778))
    print("udp answer:", u.recvfrom(200))
except OSError as e:
    print("udp 47778:", e)
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
ids = []
try:
    with open("/proc/sysvipc/shm") as f:
        for line in f.read().splitlines()[1:]:
            print("sysv shm:", line)
            ids.append(int(line.split()[1]))
except OSError as e:
    print("/proc/sysvipc/shm:", e.strerror)
key_id = libc.shmget(0x4A425831, 0, 0)
if key_id >= 0:
    ids.append(key_id)
for shm in ids:
    address = libc.shmat(shm, None, 0o10000)
    if address not in (None, ctypes.c_void_p(-1).value):
        print(f"shm {shm}: {ctypes.string_at(address, 64)!r}")
queue = libc.msgget(0x4A425832, 0)
if queue >= 0:
    message = ctypes.create_string_buffer(264)
    n = libc.msgrcv(queue, message, 256, 0, 0o4000)
    print("message queue:", message.raw[8:8 + max(n, 0)])
else:
    print("message queue: none")
libc.ptrace.restype = ctypes.c_long
visible = traced = 0
for pid in range(1, 4097):
    if pid == os.getpid():
        continue
    if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
        traced += 1
        print(f"attached to pid {pid}")
    try:
        os.kill(pid, 0)
        visible += 1
        os.kill(pid, 19)
        print(f"stopped pid {pid}")
    except OSError:
        pass
print(f"pids it could signal: {visible}, attach to: {traced}")
