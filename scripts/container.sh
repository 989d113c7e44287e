#!/usr/bin/env bash
# judgebox's container image, built and tested without any registry.
#
#   scripts/container.sh build [ID...]   the image localhost/judgebox (languages: the ids
#                                         given, default Plain Text, Executable, Bash, C,
#                                         C++, Python)
#   scripts/container.sh test            runs it with the least privilege it needs (the
#                                         README, "In a container") and checks it: judgebox
#                                         check, then every verdict over its published port
#   scripts/container.sh run             prints the podman command `test` uses
#
# The base image is a Debian bookworm root made by mmdebstrap from Debian's archive,
# imported with `podman import` and cached in $JUDGEBOX_CONTAINER_CACHE (default
# /var/cache/judgebox/container). The binaries come from JUDGEBOX_BIN (default
# target/x86_64-unknown-linux-gnu/release). Needs root, podman and mmdebstrap.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${JUDGEBOX_CONTAINER_CACHE:-/var/cache/judgebox/container}
BIN=${JUDGEBOX_BIN:-target/x86_64-unknown-linux-gnu/release}
PORT=${JUDGEBOX_CONTAINER_PORT:-23580}
NAME=judgebox-container-test

# The least privilege judgebox runs with in a container: the capabilities its jails use
# (namespaces and mounts: SYS_ADMIN; joining a mount namespace: SYS_CHROOT as well; the
# boxes' uids: SETUID, SETGID; emptying the bounding set every box inherits: SETPCAP; the
# box's /dev nodes: MKNOD; box files: CHOWN, FOWNER, DAC_OVERRIDE; killing boxes: KILL;
# rlimits above the container's: SYS_RESOURCE; the box's loopback: NET_ADMIN), a writable
# cgroup tree of its own (a private cgroup
# namespace), and /proc unmasked so each box can mount a procfs of its own (the kernel
# refuses a new procfs where the runtime has covered parts of the old one). The runtime's
# seccomp profile stays on (it lets these capabilities' system calls through), as does
# no_new_privs for the container's own processes.
run_args() {
    local args=(--cap-drop=all
        --cap-add=SYS_ADMIN,SYS_CHROOT,SETUID,SETGID,SETPCAP,MKNOD,CHOWN,FOWNER,DAC_OVERRIDE,KILL,SYS_RESOURCE,NET_ADMIN
        --security-opt unmask=/proc/*
        --security-opt unmask=/sys/fs/cgroup
        --cgroupns=private
        --tmpfs /run:rw,nosuid,nodev,mode=0755
        --ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
    # crun refuses a host whose controllers are on cgroup v1 ("hybrid mode"); runc does not.
    if [[ $(stat -fc %T /sys/fs/cgroup) != cgroup2fs ]] && command -v runc >/dev/null; then
        args+=(--runtime runc)
    fi
    printf '%s\n' "${args[@]}"
}

build() {
    local ids=("$@")
    [[ ${#ids[@]} -gt 0 ]] || ids=(43 44 46 50 54 71)
    local pkgs
    pkgs=$(scripts/install-languages.sh --print "${ids[@]}" | sort -u | paste -sd,)
    local key
    key=$(echo "$pkgs" | sha256sum | cut -c1-12)
    mkdir -p "$CACHE"
    if ! podman image exists "localhost/judgebox-base:$key"; then
        echo "== the base image: bookworm with $pkgs (mmdebstrap, a few minutes)"
        local mirror
        mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)\/\?$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
        [[ -n $mirror ]] || mirror=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
        [[ -n $mirror ]] || mirror=http://deb.debian.org/debian
        mmdebstrap --mode=root --variant=apt --include="ca-certificates,$pkgs" \
            --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
            --dpkgopt='path-include=/usr/share/doc/*/copyright' \
            --customize-hook='chroot "$1" apt-get clean' \
            bookworm "$CACHE/base.tar" "deb ${mirror%/} bookworm main" "deb ${mirror%/} bookworm-updates main"
        podman import "$CACHE/base.tar" "localhost/judgebox-base:$key" >/dev/null
        rm -f "$CACHE/base.tar"
    fi
    local ctx
    ctx=$(mktemp -d)
    cp "$BIN/judgebox" "$BIN/judgebox-jail" "$ctx/"
    podman build -q --build-arg "BASE=localhost/judgebox-base:$key" -f systemd/Containerfile -t localhost/judgebox "$ctx"
    rm -rf "$ctx"
}

test_image() {
    mapfile -t args < <(run_args)
    podman rm -f "$NAME" >/dev/null 2>&1 || true
    local failed=0
    echo "== judgebox check in the container"
    podman run --rm "${args[@]}" localhost/judgebox check || failed=$((failed + 1))
    echo "== ten one-shot boxes in a row in the container (each keeps its slot's namespaces)"
    local oneshots
    oneshots=$(podman run --rm "${args[@]}" --entrypoint /bin/sh localhost/judgebox -c \
        'for i in 1 2 3 4 5 6 7 8 9 10; do judgebox sandbox run --json -- /bin/echo box-ok; done' 2>&1)
    if [[ $(grep -c '"stdout": "box-ok' <<<"$oneshots") == 10 ]]; then
        echo "pass  ten one-shot boxes"
    else
        echo "FAIL  ten one-shot boxes:"
        grep -E '"outcome"|"message"' <<<"$oneshots" | sort | uniq -c
        failed=$((failed + 1))
    fi
    echo "== judgebox serve in the container, every verdict over its port"
    podman run -d --name "$NAME" "${args[@]}" -p "127.0.0.1:$PORT:2358" localhost/judgebox >/dev/null
    local up=1
    for _ in $(seq 150); do
        curl -sf "http://127.0.0.1:$PORT/about" >/dev/null && { up=0; break; }
        sleep 0.2
    done
    if [[ $up == 0 ]]; then
        python3 tests/hosts/api_checks.py "$PORT" verdicts || failed=$((failed + 1))
    else
        echo "FAIL  the container's service did not answer"
        failed=$((failed + 1))
    fi
    podman logs "$NAME" 2>&1 | grep -v 'language unavailable' | tail -15
    podman rm -f "$NAME" >/dev/null
    echo "container: $((failed == 0 ? 1 : 0)) passed, $failed failed"
    return "$failed"
}

case ${1:-} in
    build) shift; build "$@" ;;
    test) test_image ;;
    run) mapfile -t args < <(run_args); echo "podman run -d ${args[*]} -p 127.0.0.1:2358:2358 -v judgebox:/var/lib/judgebox localhost/judgebox" ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
esac
