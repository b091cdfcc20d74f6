#!/usr/bin/env bash
# Regenerates clients/python's generated code from proto/ (part of `npm run generate`), with the grpcio-tools pinned
# here in a cached virtual environment. Arguments go to the generator (`--out DIR` writes elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
# The pin decides the generated code (its protoc, its runtime version checks): change it, then regenerate and raise
# the grpcio/protobuf floors in clients/python/pyproject.toml to match.
venv="$(bash scripts/python-venv.sh generate grpcio-tools==1.85.1)"
"$venv/bin/python" clients/python/scripts/generate.py "$@"
