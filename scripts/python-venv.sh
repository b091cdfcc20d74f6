#!/usr/bin/env bash
# Prints the path of a cached Python virtual environment under .cache/python/<name>, made (or remade) so that it
# holds exactly the requirements given: `bash scripts/python-venv.sh <name> <pip requirement>...`.
# The environment is reused while its requirements are the same (a stamp file records them), so a second test run
# installs nothing. PYTHON picks the interpreter (default: python3, which must be 3.11 or later).
set -euo pipefail
cd "$(dirname "$0")/.."

name="$1"
shift
python="${PYTHON:-python3}"
venv=".cache/python/$name"
want="$("$python" -c 'import sys; print(sys.version.split()[0])') $*"

if [ ! -f "$venv/stamp" ] || [ "$(cat "$venv/stamp")" != "$want" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
  printf '%s' "$want" >"$venv/stamp"
fi
printf '%s\n' "$PWD/$venv"
