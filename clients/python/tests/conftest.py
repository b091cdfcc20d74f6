"""Starts one real redis-server and one real service for the whole run (see service_process.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from service_process import Service, start_service

_service: Service | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Started before collection, so that Django's settings (tests/django_tests/conftest.py) can name its address.
    global _service
    _service = start_service()
    os.environ["REDISESSION_TEST_TARGET"] = _service.target


def pytest_unconfigure(config: pytest.Config) -> None:
    if _service is not None:
        _service.stop()


@pytest.fixture(scope="session")
def service() -> Service:
    assert _service is not None
    return _service


@pytest.fixture
def client(service: Service) -> Iterator["SessionClient"]:
    from redisession import SessionClient

    with SessionClient(service.target, store="string") as session_client:
        yield session_client
