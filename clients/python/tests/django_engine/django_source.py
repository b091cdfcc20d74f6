"""Django's own session tests, fetched from Django's source distribution on PyPI at test time (never committed).

The sdist of exactly the installed Django version is downloaded once (its sha256 checked against PyPI's), and its
``tests/sessions_tests`` package extracted under ``.cache/python/django-src/<version>/``, which is put on sys.path
so that ``sessions_tests.tests.SessionTestsMixin`` imports as Django's test runner would import it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[4]
CACHE = ROOT / ".cache" / "python" / "django-src"


def _sdist(version: str) -> tuple[str, str]:
    # PyPI's simple index in its JSON form (PEP 691), which pip itself reads: every file with its sha256.
    request = urllib.request.Request(
        "https://pypi.org/simple/django/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        index = json.load(answer)
    for file in index["files"]:
        if file["filename"].lower() == f"django-{version}.tar.gz":
            return file["url"], file["hashes"]["sha256"]
    raise RuntimeError(f"PyPI lists no source distribution of Django {version}")


def _fetch(version: str, into: Path) -> None:
    url, sha256 = _sdist(version)
    archive = CACHE / f"Django-{version}.tar.gz"
    CACHE.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(url, timeout=120) as answer:
        body = answer.read()
    if hashlib.sha256(body).hexdigest() != sha256:
        raise RuntimeError(f"{url}: sha256 differs from PyPI's")
    archive.write_bytes(body)
    scratch = into.with_name(into.name + ".partial")
    shutil.rmtree(scratch, ignore_errors=True)
    package = scratch / "sessions_tests"
    package.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) == 4 and parts[1:3] == ("tests", "sessions_tests") and member.isfile():
                source = tar.extractfile(member)
                assert source is not None
                (package / parts[3]).write_bytes(source.read())
    if not (package / "tests.py").is_file():
        raise RuntimeError(f"{archive.name} has no tests/sessions_tests/tests.py")
    archive.unlink()
    scratch.rename(into)


def add_session_tests_to_path() -> Path:
    """Fetches (once) the installed Django's sessions_tests and puts it on sys.path; its directory."""
    version = django.get_version()
    into = CACHE / version
    if not (into / "sessions_tests" / "tests.py").is_file():
        _fetch(version, into)
    if str(into) not in sys.path:
        sys.path.insert(0, str(into))
    return into / "sessions_tests"
