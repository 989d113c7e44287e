#!/usr/bin/env bash
# matrix.sh: the host matrix. Boots each supported host in QEMU (run-guest.sh), runs
# checks.sh there against the built binaries and the shipped unit, and prints one line per
# host. Exit code: the number of hosts that failed.
#
#   tests/hosts/matrix.sh [HOST...]      HOST: KERNEL/CGROUP, e.g. 6.1/v2 (default: all)
#
# Environment: JUDGEBOX_BIN (default target/x86_64-unknown-linux-gnu/release),
# JUDGEBOX_HOSTS_PARALLEL (guests at once, default 2), JUDGEBOX_HOSTS_CACHE (the image, see
# build-image.sh). Logs: $JUDGEBOX_HOSTS_CACHE/runs/*/out.log and matrix-*.log.
set -uo pipefail
cd "$(dirname "$0")/../.."
HOSTS=("$@")
[[ ${#HOSTS[@]} -gt 0 ]] || HOSTS=(5.10/v2 6.1/v2 6.12/v2 6.17/v2 6.1/hybrid)
BIN=${JUDGEBOX_BIN:-target/x86_64-unknown-linux-gnu/release}
PARALLEL=${JUDGEBOX_HOSTS_PARALLEL:-2}
CACHE=${JUDGEBOX_HOSTS_CACHE:-/var/cache/judgebox/hosts}
for b in judgebox judgebox-jail; do
    [[ -x $BIN/$b ]] || { echo "matrix.sh: no $BIN/$b: cargo build --release first" >&2; exit 2; }
done
# The image once, before the guests start in parallel.
tests/hosts/build-image.sh || exit 2
STAGE=$(mktemp -d)
cp "$BIN/judgebox" "$BIN/judgebox-jail" "$STAGE/"
mkdir -p "$CACHE"

# What `judgebox check` must name on each host: the README's "degraded" column, exactly
# (the slots outside a delegated subtree is left out: checks.sh runs check from a unit that
# is not delegated, and names it on every v2 host).
declare -A DEGRADED=(
    [5.10/v2]="cgroup v2 without memory.peak|no Landlock|no close_range(CLOSE_RANGE_CLOEXEC)|no favordynmods for cgroup2|open_tree() cannot clone a detached mount"
    [6.1/v2]="Landlock ABI 2, without signal and abstract-socket scoping (ABI 6)|open_tree() cannot clone a detached mount"
    [6.1/hybrid]="Landlock ABI 2, without signal and abstract-socket scoping (ABI 6)|open_tree() cannot clone a detached mount"
    [6.12/v2]="open_tree() cannot clone a detached mount"
    [6.17/v2]=""
)

run_host() { # KERNEL/CGROUP
    local k=${1%/*} cg=${1#*/} log="$CACHE/matrix-${1/\//-}.log"
    tests/hosts/run-guest.sh -k "$k" -c "$cg" -f tests/hosts/checks.sh -f tests/hosts/api_checks.py \
        -f systemd/judgebox.service "$STAGE" 'bash $HOSTRUN_FILES/checks.sh' >"$log" 2>&1
    local rc=$?
    local named
    named=$(sed -n 's/^degraded  \([^:]*\):.*/\1/p' "$log" | grep -v "outside any delegated subtree" | LC_ALL=C sort -u | paste -sd'|')
    if [[ $rc == 0 && -v DEGRADED[$1] && $named != "${DEGRADED[$1]}" ]]; then
        echo "host $1: FAILED: judgebox check named [$named], the README says [${DEGRADED[$1]}]"
        return 1
    fi
    if [[ $rc == 0 ]]; then echo "host $1: passed"; else
        echo "host $1: FAILED (exit code $rc); its failed steps:"
        grep -E '^FAIL' "$log" | sed 's/^/    /' | sort -u
        [[ $rc == 125 ]] && tail -20 "$log" | sed 's/^/    /'
    fi
    return $rc
}

FAILED=0
PIDS=()
declare -A NAME
for h in "${HOSTS[@]}"; do
    while [[ $(jobs -rp | wc -l) -ge $PARALLEL ]]; do wait -n; done
    run_host "$h" &
    NAME[$!]=$h
    PIDS+=($!)
done
for p in "${PIDS[@]}"; do
    wait "$p" || FAILED=$((FAILED + 1))
done
rm -rf "$STAGE"
echo "hosts: $((${#HOSTS[@]} - FAILED)) passed, $FAILED failed"
exit "$FAILED"
