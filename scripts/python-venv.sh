#!/usr/bin/env bash
# Prints the path of a cached Python virtual environment under .cache/python/<name> (git-ignored), made (or remade)
# so that it holds the pip requirements given: `bash scripts/python-venv.sh <name> <requirement>...`.
# It is reused while the interpreter, the requirements and $VENV_STAMP (e.g. a hash of a pyproject.toml) stay the
# same, so a second run installs nothing. $PYTHON picks the interpreter (default python3; 3.11 or later).
set -euo pipefail
cd "$(dirname "$0")/.."

name="$1"
shift
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "scripts/python-venv.sh: $python must be Python 3.11 or later (set PYTHON to one)" >&2
  exit 1
fi
venv=".cache/python/$name"
want="$("$python" -c 'import sys; print(sys.version.split()[0])') ${VENV_STAMP:-} $*"

if [ ! -f "$venv/stamp" ] || [ "$(cat "$venv/stamp")" != "$want" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
  printf '%s' "$want" >"$venv/stamp"
fi
printf '%s\n' "$PWD/$venv"
