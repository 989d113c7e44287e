#!/usr/bin/env bash
# checks.sh: everything the README claims of a supported host, checked on the host it runs
# on, as root. The host matrix runs it in each guest (matrix.sh); on any other host:
#   JUDGEBOX_BIN=target/x86_64-unknown-linux-gnu/release bash tests/hosts/checks.sh
# Every step runs even after a failure; the exit code is the number of failed steps.
#
# Steps: judgebox check (and the degradations it names); one-shot boxes (hello, Python, CPU,
# memory and process limits, the same slot again); the memory figures of 20 one-shot runs;
# `languages test` of the languages the guest has; then `judgebox serve` under the shipped
# systemd unit (Delegate=yes) where systemd runs, with every verdict over the API, the
# pooled figures, its cgroups inside the unit's, and submissions that survive a
# `daemon-reload`, a restart and a stop while they run.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
FILES=${HOSTRUN_FILES:-$HERE}
BIN=${JUDGEBOX_BIN:-/usr/local/bin}
JB=$BIN/judgebox
PORT=${PORT:-2358}
WORK=$(mktemp -d /tmp/jbhost.XXXXXX)
FAILED=0
STEPS=()

say() { printf '\n=== %s\n' "$*"; }
result() { # NAME OK DETAIL
    if [[ $2 == 0 ]]; then STEPS+=("pass  $1"); else STEPS+=("FAIL  $1${3:+: $3}"); FAILED=$((FAILED + 1)); fi
}
# step NAME CHECK CMD...: runs CMD; CHECK is a bash expression over $out and $rc.
step() {
    local name=$1 check=$2
    shift 2
    say "$name"
    out=$("$@" 2>&1)
    rc=$?
    printf '%s\n--- exit code %s\n' "$out" "$rc"
    eval "$check"
    result "$name" $? "exit code $rc"
}
field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): v=v.get(k) if isinstance(v,dict) else None
print(v)' "$out" "$1" 2>/dev/null; }

say "host"
echo "kernel $(uname -r); pid 1: $(cat /proc/1/comm); cmdline: $(cat /proc/cmdline)"
grep -E ' - cgroup2? ' /proc/self/mountinfo | awk '{print "cgroup mount:", $5, $(NF-2), $NF}'
echo "own cgroup: $(tr '\n' ' ' </proc/self/cgroup)"

cat >"$WORK/hello.c" <<'C'
#include <stdio.h>
int main(void) { puts("hello, world"); return 0; }
C
cat >"$WORK/spin.c" <<'C'
int main(void) { volatile unsigned long n = 0; for (;;) n++; }
C
cat >"$WORK/hog.c" <<'C'
#include <stdlib.h>
#include <string.h>
int main(void) { for (int i = 0; i < 512; i++) { char *p = malloc(1 << 20); if (!p) return 1; memset(p, 1, 1 << 20); } return 0; }
C
cat >"$WORK/touch64.c" <<'C'
#include <stdlib.h>
#include <string.h>
int main(void) { char *p = malloc(64 << 20); memset(p, 1, 64 << 20); return p[4096] != 1; }
C
cat >"$WORK/forkcount.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void) { int ok = 0; for (int i = 0; i < 200; i++) { pid_t p = fork(); if (p == 0) { pause(); _exit(0); } if (p < 0) break; ok++; } printf("forks %d\n", ok); return 0; }
C
# -O0: at -O1 gcc drops a malloc whose memory is only memset and read back.
for p in hello spin hog touch64 forkcount; do gcc -O0 -o "$WORK/$p" "$WORK/$p.c" || echo "gcc $p failed"; done

step "judgebox check" '[[ $rc == 0 ]]' "$JB" check
echo "$out" | grep '^degraded' >"$WORK/degraded"

sbx() { "$JB" sandbox run --json "$@"; }
step "one-shot: C hello" '[[ $(field outcome) == exited && $(field stdout) == "hello, world" && $(field memory) -gt 0 ]]' \
    sbx --file "$WORK/hello:hello" -- ./hello
step "one-shot: Python" '[[ $(field outcome) == exited && $(field stdout) == 42 ]]' \
    sbx --memory 65536 -- /usr/bin/python3 -c 'print(6*7)'
step "one-shot: CPU limit" '[[ $(field outcome) == cpu_time_limit ]]' \
    sbx --cpu-time 1 --file "$WORK/spin:spin" -- ./spin
step "one-shot: memory limit" '[[ $(field outcome) == memory_limit && $(field memory) -ge 60000 && $(field memory) -le 66000 ]]' \
    sbx --memory 65536 --file "$WORK/hog:hog" -- ./hog
step "one-shot: process limit" '[[ $(field outcome) == exited && $(field stdout) =~ ^forks\ (2[0-9]|3[01])$ ]]' \
    sbx --processes 32 --wall-time 4 --file "$WORK/forkcount:forkcount" -- ./forkcount

# The memory figures of 20 one-shot runs: each run exits 0 and figures_ok (api_checks.py)
# holds.
figures() { # NAME ARGS...
    local name=$1
    shift
    sbx "$@" >/dev/null 2>&1 # the first run reads the program's files into the cache
    local mems=()
    for _ in $(seq 20); do
        out=$(sbx "$@" 2>&1)
        if [[ $(field outcome) == exited && $(field exit_code) == 0 ]]; then mems+=("$(field memory)"); else mems+=(0); fi
    done
    say "one-shot memory figures of $name: ${mems[*]}"
    python3 "$FILES/api_checks.py" 0 figures-ok "${mems[@]}"
    result "one-shot memory figure of $name repeats" $? "${mems[*]}"
}
figures "C hello" --file "$WORK/hello:hello" -- ./hello
figures "Python hello" --memory 65536 -- /usr/bin/env PYTHONHASHSEED=0 /usr/bin/python3 -c 'print(1)'
figures "C 64 MiB touch" --memory 262144 --file "$WORK/touch64:touch64" -- ./touch64

step "languages test 43 46 50 71" '[[ $rc == 0 ]]' "$JB" languages test 43 46 50 71

if [[ $(cat /proc/1/comm) == systemd && -f $FILES/judgebox.service ]]; then
    say "judgebox serve under the shipped unit"
    install -m 0755 "$BIN/judgebox" /usr/local/bin/judgebox 2>/dev/null
    install -m 0755 "$BIN/judgebox-jail" /usr/local/bin/judgebox-jail 2>/dev/null
    sed "s/127.0.0.1:2358/127.0.0.1:$PORT/" "$FILES/judgebox.service" >/etc/systemd/system/judgebox.service
    systemctl daemon-reload
    systemctl start judgebox.service
    up() { for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/about" >/dev/null && return 0; sleep 0.2; done; return 1; }
    up
    result "the unit starts and answers" $? "$(systemctl is-active judgebox.service)"
    api() { python3 "$FILES/api_checks.py" "$PORT" "$@"; }
    step "API: every verdict" '[[ $rc == 0 ]]' api verdicts
    step "API: pooled memory figures" '[[ $rc == 0 ]]' api figures
    # Where the slots' groups are: inside the unit's on cgroup v2, in each controller's
    # hierarchy on a host with v1 controllers.
    unit_cg=/sys/fs/cgroup$(systemctl show -P ControlGroup judgebox.service)
    if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
        step "cgroups: the slots are inside the unit's delegated group" \
            '[[ -d $unit_cg/judgebox/slot-0 && -d $unit_cg/supervisor && ! -d /sys/fs/cgroup/judgebox/slot-0 ]]' \
            bash -c "ls $unit_cg $unit_cg/judgebox; cat $unit_cg/supervisor/cgroup.procs"
    else
        step "cgroups: the slots are in the v1 memory hierarchy" '[[ -d /sys/fs/cgroup/memory/judgebox/slot-0 ]]' \
            ls /sys/fs/cgroup/memory/judgebox
    fi
    # Busy, then: daemon-reload, restart, stop and start. Nothing accepted is lost.
    step "submissions survive daemon-reload" '[[ $rc == 0 ]]' bash -c "
        python3 $FILES/api_checks.py $PORT submit 6 $WORK/t1 && systemctl daemon-reload &&
        python3 $FILES/api_checks.py $PORT await $WORK/t1"
    step "submissions survive a restart" '[[ $rc == 0 ]]' bash -c "
        python3 $FILES/api_checks.py $PORT submit 8 $WORK/t2 && sleep 1 && systemctl restart judgebox.service &&
        python3 $FILES/api_checks.py $PORT await $WORK/t2"
    step "submissions survive a stop and a start" '[[ $rc == 0 ]]' bash -c "
        python3 $FILES/api_checks.py $PORT submit 8 $WORK/t3 && sleep 1 && systemctl stop judgebox.service &&
        systemctl start judgebox.service && python3 $FILES/api_checks.py $PORT await $WORK/t3"
    say "the unit's log"
    journalctl --no-pager -u judgebox.service | grep -v 'language unavailable' | tail -25
    systemctl stop judgebox.service
fi

say "degradations judgebox check named"
cat "$WORK/degraded"
say "summary ($(uname -r), $(stat -fc %T /sys/fs/cgroup))"
printf '%s\n' "${STEPS[@]}"
echo "$FAILED failed"
rm -rf "$WORK"
exit "$FAILED"
