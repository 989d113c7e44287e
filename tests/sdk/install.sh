#!/usr/bin/env bash
# Installs the official Judge0 Python SDK (PyPI `judge0`, pinned) in a virtualenv for
# crates/cli/tests/api_sdk.rs, which runs tests/sdk/check_sdk.py with it. Idempotent: when
# the venv already has the pinned version this returns at once, without the network.
#
#   tests/sdk/install.sh            # into /opt/judgebox-sdk-venv
#   JUDGEBOX_SDK_VENV=DIR tests/sdk/install.sh
set -euo pipefail

VENV="${JUDGEBOX_SDK_VENV:-/opt/judgebox-sdk-venv}"
SDK_VERSION=0.0.8
# Debian's interpreter, not whatever python3 is first on PATH: the venv must outlive
# changes to a user's shell setup.
PYTHON=/usr/bin/python3

installed() {
  "$VENV/bin/python" - "$SDK_VERSION" <<'PY' 2>/dev/null
import importlib.metadata, sys
sys.exit(0 if importlib.metadata.version("judge0") == sys.argv[1] else 1)
PY
}

if installed; then
  exit 0
fi

need=()
[ -x "$PYTHON" ] || need+=(python3)
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} (for the Judge0 SDK venv)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

echo "== installing the judge0 Python SDK $SDK_VERSION in $VENV"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "judge0==$SDK_VERSION"
installed || { echo "tests/sdk/install.sh: judge0 $SDK_VERSION is not importable from $VENV" >&2; exit 1; }
