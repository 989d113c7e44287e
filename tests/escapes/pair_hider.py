# tries: box A of the two-box test: takes a random secret on stdin and hides it everywhere another box might look: files in its /box, /tmp and /dev/shm, its argv and environ (it re-executes itself), abstract unix sockets that hand it to anyone connecting (one named after the secret), a UDP socket, a System V shared memory segment and message queue, and an abstract socket kept alive only by an in-flight SCM_RIGHTS cycle so it could outlive the box in a reused network namespace; then it sleeps while box B hunts
# allowed: 3
# why: box A itself does nothing wrong: it hides the secret, sleeps and exits 0 (Accepted). Box B running at the same time (and later ones in the same slot) must not find it; the suite also checks B could not kill or stop A, since A must still end Accepted
# layer: namespace, mount, uid
# role: hider
# limits: cpu=2 wall=12
import ctypes
import os
import socket
import sys
import threading
import time

if len(sys.argv) > 2 and sys.argv[1] == "--hidden":
    secret = sys.argv[2]
else:
    secret = sys.stdin.read().strip()
    os.execve(sys.executable, [sys.executable, "script.py", "--hidden", secret], {**os.environ, "JBX_HIDDEN": secret})

for path in ("/box/jbx-hidden", "/tmp/jbx-hidden", "/dev/shm/jbx-hidden"):
    with open(path, "w") as f:
        f.write(secret)
    os.chmod(path, 0o644)


def serve(sock):
    while True:
        try:
            conn, _ = sock.accept()
            conn.sendall(secret.encode())
            conn.close()
        except OSError:
            return


for name in ("\0jbx-hidden", "\0jbx-hidden-" + secret):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(name)
    s.listen(8)
    threading.Thread(target=serve, args=(s,), daemon=True).start()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 47778))

# An abstract socket referenced only by a message in flight on itself: when the box dies, only the
# kernel's unix garbage collector can free it, and a pooled network namespace would keep its name.
ghost = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
ghost.bind("\0jbx-ghost-" + secret)
ghost.connect("\0jbx-ghost-" + secret)
ghost.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, bytes(ctypes.c_int(ghost.fileno())))])

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shm = libc.shmget(0x4A425831, 4096, 0o1666)
if shm >= 0:
    address = libc.shmat(shm, None, 0)
    ctypes.memmove(address, secret.encode(), len(secret))
queue = libc.msgget(0x4A425832, 0o1666)
if queue >= 0:
    message = ctypes.create_string_buffer(8 + len(secret))
    ctypes.memmove(ctypes.addressof(message), (1).to_bytes(8, "little"), 8)
    ctypes.memmove(ctypes.addressof(message) + 8, secret.encode(), len(secret))
    sent = libc.msgsnd(queue, message, len(secret), 0o4000)
print(f"uid {os.getuid()} hid its secret (shm {shm}, queue {queue})", flush=True)
time.sleep(6)
print("done", flush=True)
