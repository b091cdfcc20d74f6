"""Plain data the clients answer: sessions, session infos, batch and purge results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session without its data, as writes answer it."""

    key: str
    """32 lowercase hexadecimal characters: a bearer credential, keep it secret."""
    version: int
    """1 when created, +1 on every save; unchanged by touches and rotations."""
    create_time: datetime | None
    """When the session was created (UTC), where the store records it (stores with a maxLifetime); else None."""
    expire_time: datetime
    """When it expires unless saved or touched again (UTC)."""
    idle_ttl: timedelta
    """How far a save or touch without a TTL moves its expiry."""


@dataclass(frozen=True, slots=True)
class Session:
    """A live session with its data."""

    key: str
    data: dict[str, Any]
    """The session's JSON object (see the client's ``data_format`` for how numbers come back)."""
    version: int
    create_time: datetime | None
    expire_time: datetime
    idle_ttl: timedelta
    data_json: str | None = None
    """The stored JSON text, when the client reads with ``data_format="json"``; else None."""


@dataclass(frozen=True, slots=True)
class BatchGetResult:
    """What ``batch_get_sessions`` found: live sessions, keys with none, keys whose record cannot be decoded."""

    sessions: list[Session]
    missing_keys: list[str]
    corrupt_keys: list[str]


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a ``purge_expired`` call did; ``applicable`` is False for a string store (Redis expires its keys)."""

    applicable: bool
    buckets_scanned: int
    fields_scanned: int
    fields_removed: int
    corrupt_fields: int
    next_bucket: int | None
    """Where to continue, or None when the purge reached the last bucket."""
