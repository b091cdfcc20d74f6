"""A Django session engine on the redisession service: ``SESSION_ENGINE = "redisession.django"``.

Settings: ``settings.REDISESSION`` (see ``redisession.django.settings``). Semantics:

- New sessions get their key from CreateSession, never from Django's key generator.
- A session is stored as the JSON text its serializer (``SESSION_SERIALIZER``, JSON by default) writes, so numbers
  keep their type and digits; a serializer must write a JSON object.
- ``save()`` of a loaded session is a compare-and-set on the version it loaded. If another request saved it
  meanwhile, the two are merged when they changed different keys and UpdateError is raised when they changed the
  same one (``redisession.django.merge``); a session deleted meanwhile (a logout) raises UpdateError and is never
  brought back. ``save(must_create=True)`` never overwrites (CreateError).
- An expiry in the past deletes the session. ``cycle_key()`` is RotateSessionKey (data, version and expiry move to
  a fresh key). ``clear_expired()`` is PurgeExpired (nothing to do for a string store).
- A cookie that is not a key of the service's shape (32 lowercase hex characters) is no session, without a call.
- The ``a*`` methods of Django 5 (``aload``, ``asave``, ...) use the asyncio client.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import grpc
from django.contrib.sessions.backends.base import CreateError, SessionBase, UpdateError

from redisession.aio import AsyncSessionClient
from redisession.client import SessionClient
from redisession.django import settings as engine_settings
from redisession.django.merge import merge
from redisession.errors import SessionServiceError
from redisession.types import Session, SessionInfo

KEY_SHAPE = re.compile(r"^[0-9a-f]{32}$")
"""The shape of the service's keys; anything else is no session."""
MERGE_ATTEMPTS = 3
"""Saves retried after a lost compare-and-set before giving up with UpdateError."""
logger = logging.getLogger("redisession.django")


def is_service_key(key: Any) -> bool:
    return isinstance(key, str) and KEY_SHAPE.match(key) is not None


class SessionStore(SessionBase):
    """Django's SessionBase over SessionService."""

    _session_key: str | None

    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        # The version and data last loaded or saved: the base of the next compare-and-set and merge.
        self._version: int | None = None
        self._base: dict[str, Any] = {}

    # Encoding: the serializer's JSON text, as the service stores it.
    def _to_json(self, data: dict[str, Any]) -> str:
        return str(self.serializer().dumps(data).decode("utf-8"))

    def _from_session(self, session: Session) -> dict[str, Any]:
        assert session.data_json is not None
        data: dict[str, Any] = self.serializer().loads(session.data_json.encode("utf-8"))
        self._version = session.version
        self._base = self.serializer().loads(session.data_json.encode("utf-8"))
        return data

    def _saved(self, info: SessionInfo, data: dict[str, Any]) -> None:
        self._session_key = info.key
        self._version = info.version
        self._base = self.serializer().loads(self._to_json(data).encode("utf-8"))

    def _missing(self) -> dict[str, Any]:
        self._session_key = None
        self._version = None
        self._base = {}
        return {}

    @staticmethod
    def _not_a_session(error: SessionServiceError) -> bool:
        if error.code == grpc.StatusCode.DATA_LOSS:
            logger.warning("a session record cannot be decoded (%s); starting a new session", error.reason)
            return True
        return error.code == grpc.StatusCode.NOT_FOUND

    # Load and exists.
    def load(self) -> dict[str, Any]:
        if not is_service_key(self._session_key):
            return self._missing()
        try:
            return self._from_session(engine_settings.sync_client().get_session(self._session_key))
        except SessionServiceError as error:
            if self._not_a_session(error):
                return self._missing()
            raise

    async def aload(self) -> dict[str, Any]:
        if not is_service_key(self._session_key):
            return self._missing()
        try:
            return self._from_session(await engine_settings.async_client().get_session(self._session_key))
        except SessionServiceError as error:
            if self._not_a_session(error):
                return self._missing()
            raise

    def exists(self, session_key: str | None) -> bool:
        if not is_service_key(session_key):
            return False
        try:
            engine_settings.sync_client().get_session(session_key)
        except SessionServiceError as error:
            if self._not_a_session(error):
                return False
            raise
        return True

    async def aexists(self, session_key: str | None) -> bool:
        if not is_service_key(session_key):
            return False
        try:
            await engine_settings.async_client().get_session(session_key)
        except SessionServiceError as error:
            if self._not_a_session(error):
                return False
            raise
        return True

    # Create: the service makes the key.
    def create(self) -> None:
        data = self._get_session(no_load=True)
        age = self.get_expiry_age()
        client = engine_settings.sync_client()
        info = client.create_session(data_json=self._to_json(data), ttl=max(age, 1))
        self._saved(info, data)
        if age <= 0:
            client.delete_session(info.key)
        self.modified = True

    async def acreate(self) -> None:
        data = await self._aget_session(no_load=True)
        age = await self.aget_expiry_age()
        client = engine_settings.async_client()
        info = await client.create_session(data_json=self._to_json(data), ttl=max(age, 1))
        self._saved(info, data)
        if age <= 0:
            await client.delete_session(info.key)
        self.modified = True

    # Save.
    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        age = self.get_expiry_age()
        client = engine_settings.sync_client()
        key = self.session_key
        if must_create:
            try:
                info = client.save_session(key, **self._must_create(key, data, age))
            except SessionServiceError as error:
                raise _create_error(error) from error
            return self._saved(info, data)
        if age <= 0:
            # An expiry in the past: the session is over.
            return self.delete(key)
        if self._version is None:
            self._set_base(_get_or_none(client, key))
        for _ in range(MERGE_ATTEMPTS):
            try:
                info = client.save_session(key, **self._compare_and_set(data, age))
            except SessionServiceError as error:
                data = self._merge_after(error, _get_or_none(client, key) if _lost_race(error) else None, data)
                continue
            return self._saved(info, data)
        raise UpdateError

    async def asave(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return await self.acreate()
        data = await self._aget_session(no_load=must_create)
        age = await self.aget_expiry_age()
        client = engine_settings.async_client()
        key = self.session_key
        if must_create:
            try:
                info = await client.save_session(key, **self._must_create(key, data, age))
            except SessionServiceError as error:
                raise _create_error(error) from error
            return self._saved(info, data)
        if age <= 0:
            return await self.adelete(key)
        if self._version is None:
            self._set_base(await _aget_or_none(client, key))
        for _ in range(MERGE_ATTEMPTS):
            try:
                info = await client.save_session(key, **self._compare_and_set(data, age))
            except SessionServiceError as error:
                fresh = await _aget_or_none(client, key) if _lost_race(error) else None
                data = self._merge_after(error, fresh, data)
                continue
            return self._saved(info, data)
        raise UpdateError

    def _must_create(self, key: str, data: dict[str, Any], age: int) -> dict[str, Any]:
        # MUST_CREATE is the only save that may use a key the service did not make; it must still have its shape.
        if not is_service_key(key):
            raise CreateError
        return {"data_json": self._to_json(data), "condition": "must_create", "ttl": max(age, 1)}

    def _compare_and_set(self, data: dict[str, Any], age: int) -> dict[str, Any]:
        return {"data_json": self._to_json(data), "expected_version": self._version, "ttl": age}

    def _set_base(self, stored: Session | None) -> None:
        # Data set without a load (e.g. after clear()): compare against what is stored now.
        if stored is None:
            raise UpdateError
        assert stored.data_json is not None
        self._version = stored.version
        self._base = self.serializer().loads(stored.data_json.encode("utf-8"))

    def _merge_after(self, error: SessionServiceError, fresh: Session | None, data: dict[str, Any]) -> dict[str, Any]:
        """The data to save next after a failed save; UpdateError when it must not be retried."""
        if error.code == grpc.StatusCode.NOT_FOUND:
            # Deleted meanwhile (a logout in another request): never bring it back.
            raise UpdateError from error
        if not _lost_race(error):
            raise error
        if fresh is None:
            raise UpdateError from error
        assert fresh.data_json is not None
        theirs = self.serializer().loads(fresh.data_json.encode("utf-8"))
        merged = merge(self._base, data, theirs)
        if merged is None:
            logger.info("two requests changed the same keys of one session; the later save fails with UpdateError")
            raise UpdateError from error
        self._version = fresh.version
        self._base = theirs
        self._session_cache = merged
        return merged

    # Delete and rotate.
    def delete(self, session_key: str | None = None) -> None:
        key = self.session_key if session_key is None else session_key
        if is_service_key(key):
            engine_settings.sync_client().delete_session(key)

    async def adelete(self, session_key: str | None = None) -> None:
        key = self.session_key if session_key is None else session_key
        if is_service_key(key):
            await engine_settings.async_client().delete_session(key)

    def cycle_key(self) -> None:
        data = self._session
        key = self.session_key
        if not is_service_key(key):
            self.create()
            self._session_cache = data
            return
        try:
            rotated = engine_settings.sync_client().rotate_session_key(key)
        except SessionServiceError as error:
            if not self._not_a_session(error):
                raise
            self.create()
            self._session_cache = data
            return
        self._rotated(rotated, data)

    async def acycle_key(self) -> None:
        data = await self._aget_session()
        key = self.session_key
        if not is_service_key(key):
            await self.acreate()
            self._session_cache = data
            return
        try:
            rotated = await engine_settings.async_client().rotate_session_key(key)
        except SessionServiceError as error:
            if not self._not_a_session(error):
                raise
            await self.acreate()
            self._session_cache = data
            return
        self._rotated(rotated, data)

    def _rotated(self, rotated: Session, data: dict[str, Any]) -> None:
        # The stored data moved as it was; changes this request made and has not saved yet stay pending, and
        # `modified` makes the middleware save them and send the new key's cookie.
        self._session_key = rotated.key
        self._from_session(rotated)
        self._session_cache = data
        self.modified = True

    # Expired sessions.
    @classmethod
    def clear_expired(cls) -> None:
        admin = engine_settings.sync_client(engine_settings.AdminClient)
        next_bucket: int | None = 0
        while next_bucket is not None:
            next_bucket = admin.purge_expired(budget=PURGE_BUDGET, from_bucket=next_bucket).next_bucket

    @classmethod
    async def aclear_expired(cls) -> None:
        admin = engine_settings.async_client(engine_settings.AsyncAdminClient)
        next_bucket: int | None = 0
        while next_bucket is not None:
            next_bucket = (await admin.purge_expired(budget=PURGE_BUDGET, from_bucket=next_bucket)).next_bucket


PURGE_BUDGET = 4096
"""Buckets per PurgeExpired call, so that each call ends well within its deadline."""


def _lost_race(error: SessionServiceError) -> bool:
    # ABORTED: VERSION_MISMATCH (another save won), or CONCURRENT_MODIFICATION.
    return error.code == grpc.StatusCode.ABORTED


def _create_error(error: SessionServiceError) -> Exception:
    return CreateError() if error.code == grpc.StatusCode.ALREADY_EXISTS else error


def _get_or_none(client: SessionClient, key: str) -> Session | None:
    try:
        return client.get_session(key)
    except SessionServiceError as error:
        if error.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.DATA_LOSS):
            return None
        raise


async def _aget_or_none(client: AsyncSessionClient, key: str) -> Session | None:
    try:
        return await client.get_session(key)
    except SessionServiceError as error:
        if error.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.DATA_LOSS):
            return None
        raise


__all__ = ["SessionStore", "is_service_key"]
