"""The blocking client: ``SessionClient`` (SessionService) and ``AdminClient`` (SessionAdminService)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

import grpc

from redisession import _channel
from redisession._calls import Call, SaveCondition, SessionCalls
from redisession._channel import RetryPolicy, TlsConfig
from redisession._convert import DataFormat, Ttl
from redisession.errors import SessionServiceError
from redisession.types import BatchGetResult, PurgeResult, Session, SessionInfo
from redisession.v1 import admin_service_pb2, admin_service_pb2_grpc, session_service_pb2, session_service_pb2_grpc

DEFAULT_TIMEOUT = 5.0
"""Seconds every call may take unless the client or the call says otherwise."""
_DEFAULT_RETRY = RetryPolicy()
T = TypeVar("T")


class _Client:
    def __init__(
        self,
        target: str,
        services: Sequence[Any],
        *,
        token: str | None,
        tls: TlsConfig | bool | None,
        credentials: grpc.ChannelCredentials | None,
        timeout: float | None,
        retry: RetryPolicy | None,
        store: str,
        data_format: DataFormat,
        options: Sequence[tuple[str, Any]],
    ) -> None:
        self._settings = _channel.resolve(
            target,
            services,
            token=token,
            tls=tls,
            credentials=credentials,
            timeout=timeout,
            retry=retry,
            options=options,
        )
        self._calls = SessionCalls(store, data_format)
        self._channel = self._settings.channel()

    def _call(self, stub: Any, call: Call[T], timeout: float | None) -> T:
        method = getattr(stub, call.method)
        try:
            response = method(
                call.request,
                timeout=self._settings.timeout if timeout is None else timeout,
                metadata=self._settings.metadata,
            )
        except grpc.RpcError as error:
            raise SessionServiceError.from_rpc_error(error) from error
        return call.parse(response)

    def close(self) -> None:
        """Closes the channel; calls in flight are cancelled."""
        self._channel.close()

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SessionClient(_Client):
    """A client of SessionService. Every method raises ``SessionServiceError`` on failure.

    ``target`` is gRPC's (``"localhost:50051"``, ``"dns:///sessions:50051"``). ``token`` is sent as
    ``authorization: Bearer <token>``. ``tls``: ``True`` (gRPC's bundled roots), a ``TlsConfig``, or ``None`` for
    plaintext; ``credentials`` instead, for anything else. ``timeout`` (seconds, default 5; ``None`` for none) bounds
    each call unless the call gives its own. ``retry``: how GetSession, TouchSession, DeleteSession and
    BatchGetSessions (the methods the proto marks idempotent) are retried on UNAVAILABLE; ``None`` for never.
    ``store``: the store calls name unless they give their own (``""`` is the server's ``default``).
    ``data_format``: ``"struct"`` (data travels as a protobuf Struct: every number is a double; integral ones within
    2**53 come back as ``int``, an ``int`` beyond that is refused on writes) or ``"json"`` (JSON text: numbers come
    back exactly as written). ``options``: gRPC channel options, which win over the client's own.
    """

    def __init__(
        self,
        target: str,
        *,
        token: str | None = None,
        tls: TlsConfig | bool | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = _DEFAULT_RETRY,
        store: str = "",
        data_format: DataFormat = "struct",
        options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        super().__init__(
            target,
            [session_service_pb2.DESCRIPTOR.services_by_name["SessionService"]],
            token=token,
            tls=tls,
            credentials=credentials,
            timeout=timeout,
            retry=retry,
            store=store,
            data_format=data_format,
            options=options,
        )
        self._stub = session_service_pb2_grpc.SessionServiceStub(self._channel)  # type: ignore[no-untyped-call]

    def create_session(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        data_json: str | None = None,
        ttl: Ttl | None = None,
        request_id: str | None = None,
        store: str | None = None,
        timeout: float | None = None,
    ) -> SessionInfo:
        """Stores ``data`` (default ``{}``) under a fresh key. Not retried: pass a ``request_id`` (a fresh uuid4
        string) and repeat the call with it to retry safely."""
        return self._call(self._stub, self._calls.create(data, data_json, ttl, request_id, store), timeout)

    def get_session(
        self,
        key: str,
        *,
        touch: bool = False,
        ttl: Ttl | None = None,
        store: str | None = None,
        timeout: float | None = None,
    ) -> Session:
        """The live session under ``key`` (NOT_FOUND if none); ``touch=True`` also slides its expiry."""
        return self._call(self._stub, self._calls.get(key, touch, ttl, store), timeout)

    def batch_get_sessions(
        self, keys: Iterable[str], *, store: str | None = None, timeout: float | None = None
    ) -> BatchGetResult:
        """Many sessions at once (up to 1000 keys); missing and corrupt keys are listed, not errors."""
        return self._call(self._stub, self._calls.batch_get(keys, store), timeout)

    def save_session(
        self,
        key: str,
        data: Mapping[str, Any] | None = None,
        *,
        data_json: str | None = None,
        condition: SaveCondition | None = None,
        expected_version: int | None = None,
        ttl: Ttl | None = None,
        store: str | None = None,
        timeout: float | None = None,
    ) -> SessionInfo:
        """Writes ``data`` under ``key`` if the condition holds: exactly one of ``condition="must_create"``
        (ALREADY_EXISTS otherwise), ``condition="must_exist"`` (NOT_FOUND otherwise) and ``expected_version=n``
        (compare-and-set: ABORTED with reason VERSION_MISMATCH when another writer won)."""
        call = self._calls.save(key, data, data_json, condition, expected_version, ttl, store)
        return self._call(self._stub, call, timeout)

    def touch_session(
        self, key: str, *, ttl: Ttl | None = None, store: str | None = None, timeout: float | None = None
    ) -> SessionInfo:
        """Slides a live session's expiry without sending its data (NOT_FOUND if none)."""
        return self._call(self._stub, self._calls.touch(key, ttl, store), timeout)

    def delete_session(self, key: str, *, store: str | None = None, timeout: float | None = None) -> bool:
        """Deletes the session; whether one was there."""
        return self._call(self._stub, self._calls.delete(key, store), timeout)

    def rotate_session_key(
        self, key: str, *, request_id: str | None = None, store: str | None = None, timeout: float | None = None
    ) -> Session:
        """Moves a live session to a fresh key (anti-fixation) and answers it; the old key is gone. Not retried:
        repeat it with the same ``request_id`` to retry safely."""
        return self._call(self._stub, self._calls.rotate(key, request_id, store), timeout)


class AdminClient(_Client):
    """A client of SessionAdminService (a token needs the admin scope). Options as ``SessionClient``'s."""

    def __init__(
        self,
        target: str,
        *,
        token: str | None = None,
        tls: TlsConfig | bool | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = _DEFAULT_RETRY,
        store: str = "",
        options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        super().__init__(
            target,
            [admin_service_pb2.DESCRIPTOR.services_by_name["SessionAdminService"]],
            token=token,
            tls=tls,
            credentials=credentials,
            timeout=timeout,
            retry=retry,
            store=store,
            data_format="struct",
            options=options,
        )
        self._stub = admin_service_pb2_grpc.SessionAdminServiceStub(self._channel)  # type: ignore[no-untyped-call]

    def purge_expired(
        self, *, budget: int = 0, from_bucket: int = 0, store: str | None = None, timeout: float | None = None
    ) -> PurgeResult:
        """Deletes expired sessions of a hash store, ``budget`` buckets from ``from_bucket`` (0: to the end)."""
        return self._call(self._stub, self._calls.purge_expired(budget, from_bucket, store), timeout)

    def get_store_stats(self, *, store: str | None = None, timeout: float | None = None) -> dict[str, Any]:
        """The store's statistics, as the proto's JSON mapping (field names as in the proto)."""
        return self._call(self._stub, self._calls.get_store_stats(store), timeout)

    def list_stores(self, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """The configured stores and their settings, without secrets."""
        return self._call(self._stub, self._calls.list_stores(), timeout)
