# tries: number_of_runs 2: the first run replaces its own script with a FIFO, so whoever opens script.sh next (the second run's bash, or a host that reads it back) blocks for ever
# allowed: 5
# why: only the box's bash opens the FIFO and it blocks in the box; the wall clock limit ends that run (Time Limit Exceeded) and the jail, reading only pipes, never blocks on it. The server must keep answering
# layer: host, cgroup
# limits: runs=2 wall=2
rm -f script.sh
mkfifo script.sh && echo "script.sh is now a FIFO"
exit 0
