# tries: number_of_runs 2: the first run leaves a setsid'd daemon that writes a heartbeat into /box (which the two runs share) every 10 ms; the second run watches the heartbeat to learn whether the daemon lived on into it, where it could tamper with the run's files or read its stdin
# allowed: 3
# why: each run is a box of its own (pid namespace, cgroup), killed whole before its report, so the heartbeat is still in the second run; both runs exit 0: Accepted. A heartbeat that moves in the second run is printed as an escape
# layer: namespace, cgroup
# limits: runs=2
if [ -e /box/started ]; then
  before=$(cat /box/heartbeat 2>/dev/null)
  sleep 0.3
  after=$(cat /box/heartbeat 2>/dev/null)
  if [ "$before" != "$after" ]; then echo "ESCAPED the first run's daemon is still running ($before -> $after)"; else echo "heartbeat still at $after"; fi
else
  touch /box/started
  (setsid sh -c 'i=0; while :; do i=$((i + 1)); echo $i > /box/heartbeat; sleep 0.01; done' < /dev/null > /dev/null 2>&1 &)
  sleep 0.1
  echo "first run left a daemon at heartbeat $(cat /box/heartbeat)"
fi
exit 0
