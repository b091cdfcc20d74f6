#!/usr/bin/env bash
# `npm run test:python`: the Python client's and the Django engine's tests (pytest, clients/python/tests) against a
# real redis-server and a real service that the tests start on free ports. Two cached virtual environments: Django
# 5.2 LTS runs every test, Django 4.2 LTS the Django ones. Django's own session tests are fetched from its source
# distribution on PyPI on first use (clients/python/tests/django_engine/django_source.py).
set -euo pipefail
cd "$(dirname "$0")/.."

# Dependencies are installed when a venv is made, and again only when pyproject.toml changes; the package itself
# is reinstalled on every run, so the tests always see the sources as they are, installed as a user installs them.
stamp="$(sha256sum clients/python/pyproject.toml | cut -c1-16)"

run() {
  local name="$1" django="$2"
  shift 2
  local venv
  venv="$(VENV_STAMP="$stamp" bash scripts/python-venv.sh "$name" "./clients/python[django,test]" "$django" \
    "setuptools>=70.1")"
  "$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation --force-reinstall ./clients/python
  echo "pytest on $("$venv/bin/python" -c 'import django; print("Django", django.get_version())')"
  (cd clients/python && "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@")
}

run django52 "Django>=5.2,<5.3" tests
run django42 "Django>=4.2,<4.3" tests/django_engine
