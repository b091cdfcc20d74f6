"""The blocking client: ``SessionClient`` (SessionService) and ``AdminClient`` (SessionAdminService)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Self, TypeVar, Unpack

import grpc

from redisession import _options
from redisession._calls import Call, SaveCondition
from redisession._convert import Ttl
from redisession._options import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from redisession._options import ClientOptions, SessionClientOptions
from redisession.errors import SessionServiceError
from redisession.types import BatchGetResult, PurgeResult, Session, SessionInfo

T = TypeVar("T")


class _Client:
    def __init__(self, target: str, service: _options.Service, options: Mapping[str, Any]) -> None:
        self._settings, self._calls = _options.prepare(type(self).__name__, target, service, options)
        self._channel = self._settings.channel()
        self._stub = service.stub(self._channel)

    def _call(self, call: Call[T], timeout: float | None) -> T:
        method = getattr(self._stub, call.method)
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SessionClient(_Client):
    """A client of SessionService. Every method raises ``SessionServiceError`` on failure.

    ``target`` is gRPC's (``"localhost:50051"``, ``"dns:///sessions:50051"``). The keyword options, each with its
    default, are ``SessionClientOptions``' (see there what each does): ``token=None``, ``tls=None``,
    ``credentials=None``, ``timeout=5.0``, ``retry=RetryPolicy()``, ``store=""``, ``data_format="struct"``,
    ``options=()``.
    """

    def __init__(self, target: str, **options: Unpack[SessionClientOptions]) -> None:
        super().__init__(target, _options.SESSION, options)

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
        return self._call(self._calls.create(data, data_json, ttl, request_id, store), timeout)

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
        return self._call(self._calls.get(key, touch, ttl, store), timeout)

    def batch_get_sessions(
        self, keys: Iterable[str], *, store: str | None = None, timeout: float | None = None
    ) -> BatchGetResult:
        """Many sessions at once (up to 1000 keys); missing and corrupt keys are listed, not errors."""
        return self._call(self._calls.batch_get(keys, store), timeout)

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
        return self._call(call, timeout)

    def touch_session(
        self, key: str, *, ttl: Ttl | None = None, store: str | None = None, timeout: float | None = None
    ) -> SessionInfo:
        """Slides a live session's expiry without sending its data (NOT_FOUND if none)."""
        return self._call(self._calls.touch(key, ttl, store), timeout)

    def delete_session(self, key: str, *, store: str | None = None, timeout: float | None = None) -> bool:
        """Deletes the session; whether one was there."""
        return self._call(self._calls.delete(key, store), timeout)

    def rotate_session_key(
        self, key: str, *, request_id: str | None = None, store: str | None = None, timeout: float | None = None
    ) -> Session:
        """Moves a live session to a fresh key (anti-fixation) and answers it; the old key is gone. Not retried:
        repeat it with the same ``request_id`` to retry safely."""
        return self._call(self._calls.rotate(key, request_id, store), timeout)


class AdminClient(_Client):
    """A client of SessionAdminService (a token needs the admin scope). Options as ``SessionClient``'s but
    ``data_format``: ``ClientOptions``."""

    def __init__(self, target: str, **options: Unpack[ClientOptions]) -> None:
        super().__init__(target, _options.ADMIN, options)

    def purge_expired(
        self, *, budget: int = 0, from_bucket: int = 0, store: str | None = None, timeout: float | None = None
    ) -> PurgeResult:
        """Deletes expired sessions of a hash store, ``budget`` buckets from ``from_bucket`` (0: to the end)."""
        return self._call(self._calls.purge_expired(budget, from_bucket, store), timeout)

    def get_store_stats(self, *, store: str | None = None, timeout: float | None = None) -> dict[str, Any]:
        """The store's statistics, as the proto's JSON mapping (field names as in the proto)."""
        return self._call(self._calls.get_store_stats(store), timeout)

    def list_stores(self, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """The configured stores and their settings, without secrets."""
        return self._call(self._calls.list_stores(), timeout)
