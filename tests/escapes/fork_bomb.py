# tries: a fork bomb in Python: every process forks for ever and ignores the failures, and the children also hold memory
# allowed: 5 12
# why: the pids cgroup stops fork at the process limit; the processes then spin until the CPU limit of the whole box (5), unless the interpreters' combined memory reaches the memory limit first (12, the cgroup's OOM kill); either way nothing survives
# layer: cgroup, rlimit
import os

hold = []
while True:
    try:
        os.fork()
        hold.append(bytearray(64 * 1024))
    except OSError:
        pass
