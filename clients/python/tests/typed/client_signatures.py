"""Checked by mypy (``npm run test:python``), never run: the clients' constructors as a caller's type checker sees
them. Every line marked ``# type: ignore[...]`` must be an error: mypy's strict ``warn_unused_ignores`` fails the
check when one is accepted."""

from __future__ import annotations

from typing import assert_type

import grpc

from redisession import AdminClient, RetryPolicy, SessionClient, TlsConfig
from redisession.aio import AsyncAdminClient, AsyncSessionClient

CHANNEL_OPTIONS = [("grpc.max_receive_message_length", 1 << 20)]


def every_option_accepted(credentials: grpc.ChannelCredentials) -> None:
    SessionClient("localhost:1")
    SessionClient("localhost:1", token="t", tls=TlsConfig(), timeout=2.5, retry=RetryPolicy(), store="s")
    SessionClient("localhost:1", token=None, tls=True, credentials=None, timeout=None, retry=None, store="")
    SessionClient("localhost:1", credentials=credentials, timeout=5, data_format="json", options=CHANNEL_OPTIONS)
    AsyncSessionClient("localhost:1", token="t", tls=None, timeout=1, retry=None, data_format="struct", options=())
    AdminClient("localhost:1", token="t", tls=True, credentials=None, timeout=None, retry=RetryPolicy(), store="s")
    AsyncAdminClient("localhost:1", credentials=credentials, options=CHANNEL_OPTIONS)


def wrong_calls_refused() -> None:
    SessionClient("localhost:1", data_format="xml")  # type: ignore[arg-type]
    SessionClient("localhost:1", timeout="5")  # type: ignore[arg-type]
    AsyncSessionClient("localhost:1", tls="yes")  # type: ignore[arg-type]
    SessionClient("localhost:1", tokn="t")  # type: ignore[call-arg]
    AdminClient("localhost:1", data_format="json")  # type: ignore[call-arg]
    AsyncAdminClient("localhost:1", data_format="json")  # type: ignore[call-arg]
    SessionClient("localhost:1", "t")  # type: ignore[call-arg]
    SessionClient()  # type: ignore[call-arg]


def context_managers_answer_the_client() -> None:
    with SessionClient("localhost:1") as client:
        assert_type(client, SessionClient)
    with AdminClient("localhost:1") as admin:
        assert_type(admin, AdminClient)


async def async_context_managers_answer_the_client() -> None:
    async with AsyncSessionClient("localhost:1") as client:
        assert_type(client, AsyncSessionClient)
    async with AsyncAdminClient("localhost:1") as admin:
        assert_type(admin, AsyncAdminClient)
