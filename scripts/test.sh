#!/usr/bin/env bash
# The project's test command (README.md, and .ci/run calls it): installs what the tests
# need, then checks formatting, lints, and runs every test. The sandbox tests create real
# boxes, so this runs as root; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "scripts/test.sh: the sandbox tests need root (they create namespaces, cgroups and mounts): sudo $0" >&2
  exit 1
fi

# Toolchains the tests use: gcc and static libc for the hostile C fixtures, binutils (as, ld)
# for the escapes suite's 32-bit binary, hostname for the host's own addresses.
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v as >/dev/null || need+=(binutils)
command -v hostname >/dev/null || need+=(hostname)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

# Toolchains of the languages the engine and API tests judge real programs in: Plain Text,
# Executable, Bash, C, C++, Java, JavaScript, Python and the multi-file program; Ruby and Perl
# for the escapes suite's fixtures in them (tests/escapes/).
scripts/install-languages.sh 43 44 46 50 54 62 63 71 72 85 89

# The official Judge0 Python SDK (PyPI judge0, pinned) in a virtualenv, for
# crates/cli/tests/api_sdk.rs; quick when already there.
tests/sdk/install.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo build (the CLI tests run the built judgebox-jail beside judgebox)"
cargo build --workspace
echo "== cargo test"
cargo test --workspace

# The host matrix (tests/hosts/matrix.sh): the release binaries on Debian 11, 12 and 13's
# kernels and the newest, under systemd, in QEMU guests whose image is cached in
# /var/cache/judgebox/hosts; then the container. JUDGEBOX_HOSTS=0 skips both (for a quick
# local run; CI never does).
if [ "${JUDGEBOX_HOSTS:-1}" != 0 ]; then
  need=()
  command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
  command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
  if [ ${#need[@]} -gt 0 ]; then
    echo "== installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
  echo "== cargo build --release (the binaries the host matrix boots)"
  cargo build --release --workspace
  echo "== host matrix"
  tests/hosts/matrix.sh
  # The container image (systemd/Containerfile), built from Debian's archive, run with the
  # least privilege the README gives it, and checked over its published port.
  need=()
  command -v podman >/dev/null || need+=(podman)
  command -v runc >/dev/null || need+=(runc)
  if [ ${#need[@]} -gt 0 ]; then
    echo "== installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
  echo "== container"
  scripts/container.sh build
  scripts/container.sh test
fi
