#!/usr/bin/env bash
# Installs the Debian packages that serve judgebox's languages.
#
#   scripts/install-languages.sh            every language that Debian can serve
#   scripts/install-languages.sh 50 62 71   only these Judge0 language ids
#   scripts/install-languages.sh --print 62 the packages it would install, one a line
#
# The packages come from the `packages` key of languages/<id>-*.toml (LANGUAGES_DIR overrides
# the folder). Ids marked `unavailable` (not packaged by Debian) are skipped with a note.
# Idempotent: when every package is already installed it changes nothing and does not even
# run `apt-get update`; otherwise it runs `apt-get update` once and one `apt-get install`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
languages_dir="${LANGUAGES_DIR:-$here/../languages}"

print_only=0
ids=()
for arg in "$@"; do
  case "$arg" in
    --print) print_only=1 ;;
    -h|--help)
      sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *[!0-9]*|'')
      echo "install-languages: not a language id: $arg" >&2
      exit 2
      ;;
    *) ids+=("$arg") ;;
  esac
done

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import tomllib' 2>/dev/null; then
  echo "install-languages: needs python3 >= 3.11 (for tomllib) to read $languages_dir" >&2
  echo "  (apt-get install python3 on Debian bookworm)" >&2
  exit 1
fi

# One package name a line, each once; notes about skipped ids go to stderr. Fails on an id
# that has no file and on a file that is not valid TOML.
packages="$(python3 - "$languages_dir" "${ids[@]}" <<'PY'
import glob, os, sys, tomllib

folder, wanted = sys.argv[1], [int(a) for a in sys.argv[2:]]
specs = {}
for path in glob.glob(os.path.join(folder, "*.toml")):
    with open(path, "rb") as f:
        try:
            spec = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            sys.exit(f"install-languages: {path}: {e}")
    specs[spec["id"]] = (os.path.basename(path), spec)
if not specs:
    sys.exit(f"install-languages: no languages (*.toml) in {folder}")
missing = [i for i in wanted if i not in specs]
if missing:
    sys.exit("install-languages: no language file for id " + ", ".join(map(str, missing)))
seen = []
for i in wanted or sorted(specs):
    name, spec = specs[i]
    if spec.get("unavailable"):
        print(f"install-languages: skipping {i} ({spec['judge0_name']}): {spec['unavailable']}",
              file=sys.stderr)
        continue
    for p in spec.get("packages", []):
        if p not in seen:
            seen.append(p)
print("\n".join(seen))
PY
)"

if [ "$print_only" = 1 ]; then
  [ -z "$packages" ] || printf '%s\n' "$packages"
  exit 0
fi
if [ -z "$packages" ]; then
  echo "install-languages: nothing to install"
  exit 0
fi

# Only what is not installed yet.
todo=()
while IFS= read -r pkg; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  [ "$status" = installed ] || todo+=("$pkg")
done <<<"$packages"

if [ "${#todo[@]}" -eq 0 ]; then
  echo "install-languages: all $(wc -l <<<"$packages") packages are installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-languages: run as root (apt-get install ${todo[*]})" >&2
    exit 1
  fi
fi

echo "install-languages: installing ${todo[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${todo[@]}"
