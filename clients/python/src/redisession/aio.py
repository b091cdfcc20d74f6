"""The asyncio twin of ``redisession.client`` over ``grpc.aio``: ``AsyncSessionClient`` and ``AsyncAdminClient``.

Same arguments, results and errors as the blocking clients; every method is a coroutine. A client belongs to the
event loop it was made in (a ``grpc.aio`` channel does): make one per loop, and ``await client.close()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Self, TypeVar, Unpack

import grpc

from redisession import _options
from redisession._calls import Call, SaveCondition
from redisession._convert import Ttl
from redisession._options import ClientOptions, SessionClientOptions
from redisession.errors import SessionServiceError
from redisession.types import BatchGetResult, PurgeResult, Session, SessionInfo

T = TypeVar("T")


class _Client:
    def __init__(self, target: str, service: _options.Service, options: Mapping[str, Any]) -> None:
        self._settings, self._calls = _options.prepare(type(self).__name__, target, service, options)
        self._channel = self._settings.aio_channel()
        self._stub = service.stub(self._channel)

    async def _call(self, call: Call[T], timeout: float | None) -> T:
        method = getattr(self._stub, call.method)
        try:
            response = await method(
                call.request,
                timeout=self._settings.timeout if timeout is None else timeout,
                metadata=self._settings.metadata,
            )
        except grpc.RpcError as error:
            raise SessionServiceError.from_rpc_error(error) from error
        return call.parse(response)

    async def close(self) -> None:
        """Closes the channel; calls in flight are cancelled."""
        await self._channel.close(None)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class AsyncSessionClient(_Client):
    """An asyncio client of SessionService; every method is a coroutine and raises ``SessionServiceError``.

    ``target`` and the keyword options are ``SessionClient``'s (``SessionClientOptions``).
    """

    def __init__(self, target: str, **options: Unpack[SessionClientOptions]) -> None:
        super().__init__(target, _options.SESSION, options)

    async def create_session(
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
        return await self._call(self._calls.create(data, data_json, ttl, request_id, store), timeout)

    async def get_session(
        self,
        key: str,
        *,
        touch: bool = False,
        ttl: Ttl | None = None,
        store: str | None = None,
        timeout: float | None = None,
    ) -> Session:
        """The live session under ``key`` (NOT_FOUND if none); ``touch=True`` also slides its expiry."""
        return await self._call(self._calls.get(key, touch, ttl, store), timeout)

    async def batch_get_sessions(
        self, keys: Iterable[str], *, store: str | None = None, timeout: float | None = None
    ) -> BatchGetResult:
        """Many sessions at once (up to 1000 keys); missing and corrupt keys are listed, not errors."""
        return await self._call(self._calls.batch_get(keys, store), timeout)

    async def save_session(
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
        return await self._call(call, timeout)

    async def touch_session(
        self, key: str, *, ttl: Ttl | None = None, store: str | None = None, timeout: float | None = None
    ) -> SessionInfo:
        """Slides a live session's expiry without sending its data (NOT_FOUND if none)."""
        return await self._call(self._calls.touch(key, ttl, store), timeout)

    async def delete_session(self, key: str, *, store: str | None = None, timeout: float | None = None) -> bool:
        """Deletes the session; whether one was there."""
        return await self._call(self._calls.delete(key, store), timeout)

    async def rotate_session_key(
        self, key: str, *, request_id: str | None = None, store: str | None = None, timeout: float | None = None
    ) -> Session:
        """Moves a live session to a fresh key (anti-fixation) and answers it; the old key is gone. Not retried:
        repeat it with the same ``request_id`` to retry safely."""
        return await self._call(self._calls.rotate(key, request_id, store), timeout)


class AsyncAdminClient(_Client):
    """An asyncio client of SessionAdminService (a token needs the admin scope). Options as ``AdminClient``'s:
    ``ClientOptions``."""

    def __init__(self, target: str, **options: Unpack[ClientOptions]) -> None:
        super().__init__(target, _options.ADMIN, options)

    async def purge_expired(
        self, *, budget: int = 0, from_bucket: int = 0, store: str | None = None, timeout: float | None = None
    ) -> PurgeResult:
        """Deletes expired sessions of a hash store, ``budget`` buckets from ``from_bucket`` (0: to the end)."""
        return await self._call(self._calls.purge_expired(budget, from_bucket, store), timeout)

    async def get_store_stats(self, *, store: str | None = None, timeout: float | None = None) -> dict[str, Any]:
        """The store's statistics, as the proto's JSON mapping (field names as in the proto)."""
        return await self._call(self._calls.get_store_stats(store), timeout)

    async def list_stores(self, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """The configured stores and their settings, without secrets."""
        return await self._call(self._calls.list_stores(), timeout)
