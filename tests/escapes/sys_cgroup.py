# tries: reaches the cgroup filesystem and /sys: lists /sys and /sys/fs/cgroup, reads /proc/self/cgroup for its own group's path, and tries to raise its own memory and pids limits or move itself out of its group by writing the host paths
# allowed: 3
# why: the box has no /sys at all and a cgroup namespace, so every path is missing and nothing can be written; the program exits 0 after reporting. Limits raised here would show as an escape in the fixtures that test those limits
# layer: mount, namespace
import os

print("self cgroup:", open("/proc/self/cgroup").read().strip().replace("\n", " | "))
for d in ["/sys", "/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/kernel", "/sys/class/net"]:
    try:
        print(d, sorted(os.listdir(d))[:20])
    except OSError as e:
        print(d, e.strerror)
targets = {
    "/sys/fs/cgroup/memory/memory.limit_in_bytes": "-1",
    "/sys/fs/cgroup/pids/pids.max": "max",
    "/sys/fs/cgroup/memory/cgroup.procs": str(os.getpid()),
    "/sys/fs/cgroup/cgroup.procs": str(os.getpid()),
    "/sys/fs/cgroup/memory/judgebox/memory.limit_in_bytes": "-1",
}
for line in open("/proc/self/cgroup"):
    parts = line.strip().split(":", 2)
    if len(parts) == 3 and parts[2] not in ("/", ""):
        targets[f"/sys/fs/cgroup/{parts[1]}{parts[2]}/cgroup.procs"] = "1"
for path, value in targets.items():
    try:
        with open(path, "w") as f:
            f.write(value)
        print("ESCAPED wrote", path)
    except OSError as e:
        print(path, e.strerror)
