# tries: sleeps for ever in a child (sleep infinity) while the shell ignores SIGTERM, SIGINT and SIGHUP
# allowed: 5
# why: the wall clock limit ends it with SIGKILL to the whole box: Time Limit Exceeded (wall clock)
# layer: cgroup, namespace
trap '' TERM INT HUP
sleep infinity
