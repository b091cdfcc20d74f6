"""Fixtures over one real redis-server and one real service for the whole run (see service_process.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from service_process import Service, shared_service, stop_shared_service

from redisession import SessionClient


def pytest_unconfigure(config: pytest.Config) -> None:
    stop_shared_service()


@pytest.fixture(scope="session")
def service() -> Service:
    return shared_service()


@pytest.fixture(params=["string", "hash"])
def store(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs once per storage strategy."""
    return request.param


@pytest.fixture
def client(service: Service, store: str) -> Iterator[SessionClient]:
    with SessionClient(service.target, store=store) as session_client:
        yield session_client
