"""What every client is made of, in one place: the keyword options it takes (documented here, once), checked, and
the service it calls. The sync and asyncio clients differ only in the channel they open over it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import grpc
from google.protobuf import descriptor

from redisession import _channel
from redisession._calls import SessionCalls
from redisession._channel import ChannelSettings, RetryPolicy, TlsConfig
from redisession._convert import DataFormat
from redisession.v1 import admin_service_pb2, admin_service_pb2_grpc, session_service_pb2, session_service_pb2_grpc

DEFAULT_TIMEOUT = 5.0
"""Seconds every call may take unless the client or the call says otherwise."""
_DEFAULT_RETRY = RetryPolicy()


class ClientOptions(TypedDict, total=False):
    """The keyword options of ``AdminClient`` and ``AsyncAdminClient``; every one may be left out, for its default.
    ``SessionClientOptions`` (the session clients') adds ``data_format``."""

    token: str | None
    """Sent as ``authorization: Bearer <token>`` on every call. Default ``None``: no token."""
    tls: TlsConfig | bool | None
    """``True`` (gRPC's bundled roots), a ``TlsConfig``, or ``None`` (the default) for plaintext."""
    credentials: grpc.ChannelCredentials | None
    """Any ``grpc.ChannelCredentials``, instead of ``tls``. Default ``None``."""
    timeout: float | None
    """Seconds each call may take unless the call gives its own: default 5 (``DEFAULT_TIMEOUT``); ``None`` for no
    limit."""
    retry: RetryPolicy | None
    """How the methods the proto marks idempotent (GetSession, TouchSession, DeleteSession, BatchGetSessions and the
    admin ones) are retried on UNAVAILABLE. Default ``RetryPolicy()``; ``None`` for never."""
    store: str
    """The store calls name unless they give their own. Default ``""``: the server's ``default``."""
    options: Sequence[tuple[str, Any]]
    """gRPC channel options, which win over the client's own. Default none."""


class SessionClientOptions(ClientOptions, total=False):
    """The keyword options of ``SessionClient`` and ``AsyncSessionClient``: ``ClientOptions`` and ``data_format``."""

    data_format: DataFormat
    """``"struct"`` (the default: data travels as a protobuf Struct, every number a double; integral ones within 2**53
    come back as ``int``, an ``int`` beyond that is refused on writes) or ``"json"`` (JSON text: numbers come back
    exactly as written)."""


@dataclass(frozen=True, slots=True)
class Service:
    """A service a client calls: its descriptor (for the retry config), its stub, and the option names it takes."""

    descriptor: descriptor.ServiceDescriptor
    # The generated stubs serve grpc and grpc.aio channels alike.
    stub: Callable[[Any], Any]
    option_names: frozenset[str]


SESSION = Service(
    session_service_pb2.DESCRIPTOR.services_by_name["SessionService"],
    session_service_pb2_grpc.SessionServiceStub,
    SessionClientOptions.__optional_keys__,
)
ADMIN = Service(
    admin_service_pb2.DESCRIPTOR.services_by_name["SessionAdminService"],
    admin_service_pb2_grpc.SessionAdminServiceStub,
    ClientOptions.__optional_keys__,
)


def prepare(
    client: str, target: str, service: Service, options: Mapping[str, Any]
) -> tuple[ChannelSettings, SessionCalls]:
    """Checks a client's options, defaults filled in; mistakes raise here, when the client is made."""
    # mypy checks the names for a typed caller; Python's own message for anyone else, as a plain signature gives.
    for name in options:
        if name not in service.option_names:
            raise TypeError(f"{client}() got an unexpected keyword argument {name!r}")
    settings = _channel.resolve(
        target,
        [service.descriptor],
        token=options.get("token"),
        tls=options.get("tls"),
        credentials=options.get("credentials"),
        timeout=options.get("timeout", DEFAULT_TIMEOUT),
        retry=options.get("retry", _DEFAULT_RETRY),
        options=options.get("options", ()),
    )
    return settings, SessionCalls(options.get("store", ""), options.get("data_format", "struct"))
