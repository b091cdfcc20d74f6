"""Between Python values and the protobuf messages: session data, times, TTLs.

Numbers. A Struct carries every number as an IEEE 754 double. Writing, an int beyond +-2**53 is refused
(ValueError) rather than silently rounded; reading, a double that is integral and within +-2**53 comes back as an
int (so 42 reads back as 42, but 1.0 also reads back as 1) and any other as a float. With ``data_format="json"``
the data travels as JSON text instead and every number reads back exactly as Python's json module parses it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2

from redisession.types import Session, SessionInfo
from redisession.v1 import session_service_pb2 as pb

DataFormat = Literal["struct", "json"]
MAX_SAFE_INTEGER = 2**53
"""The largest magnitude of an integer a double holds exactly, with every smaller one."""

Ttl = timedelta | int


def check_data(data: Any) -> dict[str, Any]:
    """``data`` as a dict, after checking it is a JSON object whose keys are strings."""
    if not isinstance(data, Mapping):
        raise TypeError(f"session data must be a mapping (a JSON object), got {type(data).__name__}")
    return dict(data)


def _check_struct_numbers(value: Any, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(
                f"{path} = {value} is beyond 2**53 and would be rounded in a Struct; "
                'use data_format="json" to keep every digit'
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: object keys must be strings, got {key!r}")
            _check_struct_numbers(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_struct_numbers(item, f"{path}[{index}]")


def to_struct(data: Mapping[str, Any]) -> struct_pb2.Struct:
    """``data`` as a Struct; ValueError for an int a double cannot hold exactly."""
    _check_struct_numbers(data, "data")
    struct = struct_pb2.Struct()
    struct.update(data)
    return struct


def to_json(data: Mapping[str, Any]) -> str:
    """``data`` as compact JSON text (NaN and Infinity refused, as JSON has no spelling for them)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _number(value: float) -> int | float:
    if math.isfinite(value) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        return int(value)
    return value


def from_value(value: struct_pb2.Value) -> Any:
    """A Struct Value as plain Python, with integral doubles within 2**53 as ints."""
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        return _number(value.number_value)
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return from_struct(value.struct_value)
    if kind == "list_value":
        return [from_value(item) for item in value.list_value.values]
    return None


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A Struct as a dict (see ``from_value``)."""
    return {key: from_value(item) for key, item in struct.fields.items()}


def to_duration(ttl: Ttl) -> duration_pb2.Duration:
    """A TTL (a timedelta or whole seconds) as a Duration. The service takes whole seconds only."""
    duration = duration_pb2.Duration()
    if isinstance(ttl, timedelta):
        duration.FromTimedelta(ttl)
    elif isinstance(ttl, int) and not isinstance(ttl, bool):
        duration.seconds = ttl
    else:
        raise TypeError(f"a TTL is a timedelta or an int of seconds, got {type(ttl).__name__}")
    return duration


def _time(timestamp: timestamp_pb2.Timestamp) -> datetime:
    return timestamp.ToDatetime(tzinfo=UTC)


def session_info(message: pb.SessionInfo) -> SessionInfo:
    """A SessionInfo message as plain data."""
    return SessionInfo(
        key=message.key,
        version=message.version,
        create_time=_time(message.create_time) if message.HasField("create_time") else None,
        expire_time=_time(message.expire_time),
        idle_ttl=message.idle_ttl.ToTimedelta(),
    )


def session(message: pb.Session) -> Session:
    """A Session message as plain data, whichever form its data came in."""
    data_json: str | None = None
    if message.WhichOneof("content") == "data_json":
        data_json = message.data_json
        data = json.loads(data_json)
    else:
        data = from_struct(message.data)
    return Session(
        key=message.key,
        data=data,
        version=message.version,
        create_time=_time(message.create_time) if message.HasField("create_time") else None,
        expire_time=_time(message.expire_time),
        idle_ttl=message.idle_ttl.ToTimedelta(),
        data_json=data_json,
    )


def read_format(data_format: DataFormat) -> pb.DataFormat:
    """The DataFormat a read asks for."""
    return pb.DATA_FORMAT_JSON if data_format == "json" else pb.DATA_FORMAT_STRUCT
