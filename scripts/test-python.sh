#!/usr/bin/env bash
# `npm run test:python`: the Python package's checks and tests, in two cached virtual environments under
# .cache/python. Django 5.2 LTS: ruff and mypy over the package (pinned; settings in clients/python/pyproject.toml),
# then every test. Django 4.2 LTS: the Django tests. The tests (pytest, clients/python/tests) run against a real
# redis-server and a real service that they start on free ports; Django's own session tests are fetched from its
# source distribution on PyPI on first use (clients/python/tests/django_engine/django_source.py).
set -euo pipefail
cd "$(dirname "$0")/.."

# Dependencies are installed when a venv is made, and again only when pyproject.toml changes; the package itself
# is reinstalled on every run, so the tests always see the sources as they are, installed as a user installs them.
stamp="$(sha256sum clients/python/pyproject.toml | cut -c1-16)"
checkers=(ruff==0.17.6 mypy==2.4.1 types-protobuf==7.35.1.20261122 grpc-stubs==1.53.0.6)

venv_for() {
  local name="$1"
  shift
  local venv
  venv="$(VENV_STAMP="$stamp" bash scripts/python-venv.sh "$name" "./clients/python[django,test]" "setuptools>=70.1" "$@")"
  "$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation --force-reinstall ./clients/python
  printf '%s\n' "$venv"
}

pytest_in() {
  local venv="$1"
  shift
  echo "pytest on $("$venv/bin/python" -c 'import django; print("Django", django.get_version())')"
  (cd clients/python && "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@")
}

django52="$(venv_for django52 "Django>=5.2,<5.3" "${checkers[@]}")"
(cd clients/python && "$django52/bin/ruff" check src tests scripts && "$django52/bin/ruff" format --check src tests scripts &&
  "$django52/bin/mypy")
pytest_in "$django52" tests

django42="$(venv_for django42 "Django>=4.2,<4.3")"
pytest_in "$django42" tests/django_engine
