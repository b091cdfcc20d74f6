#!/usr/bin/env bash
# `npm run setup`: what a new machine needs to run the service (see scripts/prerequisites.sh), then npm install.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh runtime
npm install
