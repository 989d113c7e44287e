#!/usr/bin/env bash
# Builds the release binaries the benches drive, then runs every bench in turn.
#
#   sudo benches/run.sh              # all benches
#   sudo benches/run.sh overhead     # only the named ones
#   JUDGEBOX_BENCH_QUICK=1 sudo benches/run.sh   # tenfold fewer runs: a smoke test
#
# Knobs (environment): JUDGEBOX_BENCH_REPS (run_overhead's rounds per language, default 20);
# JUDGEBOX_BENCH_SECONDS, JUDGEBOX_BENCH_WARMUP_SECONDS, JUDGEBOX_BENCH_CLIENTS and
# JUDGEBOX_BENCH_WORKERS (load: 10 s measured after 2 s, 8 clients, 2 server workers).
#
# Must run as root (the jail makes namespaces, mounts and cgroups). Each bench prints its own
# Markdown tables to stdout; tee them into a file to keep them.
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
    echo "benches/run.sh: the benches start judgebox-jail, which must run as root" >&2
    exit 1
fi

benches=("$@")
if [[ ${#benches[@]} -eq 0 ]]; then
    benches=(overhead accuracy run_overhead load teardown)
fi

# The binaries under test, fresh: a bench uses whatever is in target/x86_64-unknown-linux-gnu/release.
cargo build --release -p judgebox-jail -p judgebox

for bench in "${benches[@]}"; do
    cargo bench -p judgebox-benches --bench "$bench"
done
