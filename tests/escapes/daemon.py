# tries: a Python double-fork daemon that closes its descriptors, ignores every catchable signal and keeps a heartbeat file in /tmp, to outlive its run
# allowed: 3
# why: the program exits 0 at once (Accepted); the daemon dies with the box's pid namespace and cgroup, and its /tmp is the box's own tmpfs: the suite checks no process survives the verdict and no jbxpwn file appears on the host
# layer: namespace, cgroup, mount
import os
import signal
import time

print("daemonizing", flush=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 1024)
        for s in range(1, 65):
            try:
                signal.signal(s, signal.SIG_IGN)
            except (OSError, ValueError, RuntimeError):
                pass
        while True:
            try:
                with open("/tmp/jbxpwn-heartbeat", "w") as f:
                    f.write(str(time.time()))
            except OSError:
                pass
            time.sleep(0.2)
    os._exit(0)
