# tries: unix sockets of the host: connects to the suite's abstract socket (name in argv) and to its filesystem socket in /tmp, lists /proc/net/unix for names to try, and connects to each abstract name it finds
# allowed: 3
# why: abstract unix names belong to a network namespace and the box has its own, and the host's /tmp is not the box's /tmp, so every connect fails (ECONNREFUSED, ENOENT); the program exits 0. The suite checks its unix listeners received nothing
# layer: namespace, mount
# args: {abstract} {unix_path}
import socket
import sys

name, path = sys.argv[1], sys.argv[2]
targets = ["\0" + name, path, "\0/tmp/.X11-unix/X0", "/run/systemd/private", "/var/run/docker.sock", "/run/dbus/system_bus_socket"]
try:
    for line in open("/proc/net/unix").read().splitlines()[1:]:
        fields = line.split()
        if len(fields) > 7 and fields[7].startswith("@"):
            targets.append("\0" + fields[7][1:])
except OSError as e:
    print("/proc/net/unix:", e.strerror)
for t in targets:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect(t)
        print("ESCAPED connected to", repr(t))
    except OSError as e:
        print(repr(t), e.strerror)
