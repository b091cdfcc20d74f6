"""One place that turns each RPC's Python arguments into its request and its response into plain data.

The sync and asyncio clients differ only in how they send a call; each of their methods is one line over a
``Call`` made here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from redisession import _convert
from redisession._convert import DataFormat, Ttl
from redisession.types import BatchGetResult, PurgeResult, Session, SessionInfo
from redisession.v1 import admin_service_pb2 as admin_pb
from redisession.v1 import session_service_pb2 as pb

SaveCondition = Literal["must_create", "must_exist"]


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """An RPC ready to send: the stub attribute's name, the request, and how to read the response."""

    method: str
    request: Message
    parse: Callable[[Any], T]


def _set_content(request: Any, data: Mapping[str, Any] | None, data_json: str | None, data_format: DataFormat) -> None:
    if data is not None and data_json is not None:
        raise ValueError("give either data or data_json, not both")
    if data_json is not None:
        if not isinstance(data_json, str):
            raise TypeError("data_json must be a str holding the JSON text of an object")
        request.data_json = data_json
    elif data is not None:
        checked = _convert.check_data(data)
        if data_format == "json":
            request.data_json = _convert.to_json(checked)
        else:
            request.data.CopyFrom(_convert.to_struct(checked))


class SessionCalls:
    """Builds SessionService calls for one default store and data format."""

    def __init__(self, store: str, data_format: DataFormat) -> None:
        if data_format not in ("struct", "json"):
            raise ValueError(f'data_format must be "struct" or "json", got {data_format!r}')
        self.store = store
        self.data_format: DataFormat = data_format

    def _store(self, store: str | None) -> str:
        return self.store if store is None else store

    def create(
        self,
        data: Mapping[str, Any] | None,
        data_json: str | None,
        ttl: Ttl | None,
        request_id: str | None,
        store: str | None,
    ) -> Call[SessionInfo]:
        request = pb.CreateSessionRequest(store=self._store(store), request_id=request_id or "")
        _set_content(request, data, data_json, self.data_format)
        if ttl is not None:
            request.idle_ttl.CopyFrom(_convert.to_duration(ttl))
        return Call("CreateSession", request, _info)

    def get(self, key: str, touch: bool, ttl: Ttl | None, store: str | None) -> Call[Session]:
        request = pb.GetSessionRequest(
            store=self._store(store), key=key, touch=touch, data_format=_convert.read_format(self.data_format)
        )
        if ttl is not None:
            request.idle_ttl.CopyFrom(_convert.to_duration(ttl))
        return Call("GetSession", request, _session)

    def batch_get(self, keys: Iterable[str], store: str | None) -> Call[BatchGetResult]:
        if isinstance(keys, str):
            raise TypeError("keys must be an iterable of keys, not one str")
        request = pb.BatchGetSessionsRequest(
            store=self._store(store), keys=list(keys), data_format=_convert.read_format(self.data_format)
        )

        def parse(response: pb.BatchGetSessionsResponse) -> BatchGetResult:
            return BatchGetResult(
                sessions=[_convert.session(message) for message in response.sessions],
                missing_keys=list(response.missing_keys),
                corrupt_keys=list(response.corrupt_keys),
            )

        return Call("BatchGetSessions", request, parse)

    def save(
        self,
        key: str,
        data: Mapping[str, Any] | None,
        data_json: str | None,
        condition: SaveCondition | None,
        expected_version: int | None,
        ttl: Ttl | None,
        store: str | None,
    ) -> Call[SessionInfo]:
        request = pb.SaveSessionRequest(store=self._store(store), key=key)
        if (condition is None) == (expected_version is None):
            raise ValueError('give exactly one of condition ("must_create" or "must_exist") and expected_version')
        if expected_version is not None:
            if isinstance(expected_version, bool) or not isinstance(expected_version, int):
                raise TypeError("expected_version must be an int (the version last read)")
            request.condition = pb.SAVE_CONDITION_EXPECTED_VERSION
            request.expected_version = expected_version
        elif condition == "must_create":
            request.condition = pb.SAVE_CONDITION_MUST_CREATE
        elif condition == "must_exist":
            request.condition = pb.SAVE_CONDITION_MUST_EXIST
        else:
            raise ValueError(f'condition must be "must_create" or "must_exist", got {condition!r}')
        _set_content(request, data, data_json, self.data_format)
        if ttl is not None:
            request.idle_ttl.CopyFrom(_convert.to_duration(ttl))
        return Call("SaveSession", request, _info)

    def touch(self, key: str, ttl: Ttl | None, store: str | None) -> Call[SessionInfo]:
        request = pb.TouchSessionRequest(store=self._store(store), key=key)
        if ttl is not None:
            request.idle_ttl.CopyFrom(_convert.to_duration(ttl))
        return Call("TouchSession", request, _info)

    def delete(self, key: str, store: str | None) -> Call[bool]:
        request = pb.DeleteSessionRequest(store=self._store(store), key=key)
        return Call("DeleteSession", request, _existed)

    def rotate(self, key: str, request_id: str | None, store: str | None) -> Call[Session]:
        request = pb.RotateSessionKeyRequest(
            store=self._store(store),
            key=key,
            request_id=request_id or "",
            data_format=_convert.read_format(self.data_format),
        )
        return Call("RotateSessionKey", request, _session)

    def purge_expired(self, budget: int, from_bucket: int, store: str | None) -> Call[PurgeResult]:
        request = admin_pb.PurgeExpiredRequest(store=self._store(store), budget=budget, from_bucket=from_bucket)

        def parse(response: admin_pb.PurgeExpiredResponse) -> PurgeResult:
            return PurgeResult(
                applicable=response.applicable,
                buckets_scanned=response.buckets_scanned,
                fields_scanned=response.fields_scanned,
                fields_removed=response.fields_removed,
                corrupt_fields=response.corrupt_fields,
                next_bucket=response.next_bucket if response.HasField("next_bucket") else None,
            )

        return Call("PurgeExpired", request, parse)

    def get_store_stats(self, store: str | None) -> Call[dict[str, Any]]:
        request = admin_pb.GetStoreStatsRequest(store=self._store(store))
        return Call("GetStoreStats", request, _as_dict)

    def list_stores(self) -> Call[list[dict[str, Any]]]:
        return Call("ListStores", admin_pb.ListStoresRequest(), _stores)


def _info(response: Any) -> SessionInfo:
    return _convert.session_info(response.session)


def _session(response: Any) -> Session:
    return _convert.session(response.session)


def _existed(response: Any) -> bool:
    return bool(response.existed)


def _stores(response: Any) -> list[dict[str, Any]]:
    stores: list[dict[str, Any]] = _as_dict(response).get("stores", [])
    return stores


def _as_dict(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


__all__ = ["Call", "SaveCondition", "Session", "SessionCalls", "SessionInfo"]
