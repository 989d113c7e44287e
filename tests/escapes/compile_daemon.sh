# tries: a multi-file program whose compile script leaves a setsid'd daemon behind; once the compile script has exited (and 50 ms more, past any teardown), the daemon keeps appending to /box/daemon.log, which the run script prints after waiting 300 ms; a live daemon could as well rewrite the run's files or read its stdin
# allowed: 3
# why: the compile step is a box of its own, killed whole before the run starts, so the daemon never writes: the run prints only "original run" and exits 0 (Accepted). A line from the daemon in the run's output is an escape
# layer: namespace, cgroup
# language: 89
# zip: compile
# zip-file: run=sleep 0.3; cat /box/daemon.log 2>/dev/null; echo original run
compile=$$
(setsid sh -c "while kill -0 $compile 2>/dev/null; do sleep 0.001; done; sleep 0.05; while :; do echo 'ESCAPED the compile step daemon is alive in the run' >> /box/daemon.log; sleep 0.01; done" < /dev/null > /dev/null 2>&1 &)
echo "compile left a daemon waiting for pid $compile to exit"
