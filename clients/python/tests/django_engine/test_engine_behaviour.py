"""The engine's own promises beyond Django's mixin: settings checked, keys from the service, forged keys cost no
call, expiry in the past deletes, clear_expired purges, and the asyncio methods."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from redisession import AdminClient, SessionClient, SessionServiceError
from redisession.django import SessionStore
from redisession.django.settings import read_settings


def on_store(store: str, **changes: object) -> override_settings:
    return override_settings(REDISESSION={**settings.REDISESSION, "STORE": store, **changes})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "must be a dict"),
        ({}, '"TARGET"'),
        ({"TARGET": "x:1", "HOST": "y"}, "unknown key 'HOST'"),
        ({"TARGET": "x:1", "STORE": ""}, '"STORE"'),
        ({"TARGET": "x:1", "TOKEN": "a b"}, '"TOKEN"'),
        ({"TARGET": "x:1", "TIMEOUT": 0}, '"TIMEOUT"'),
        ({"TARGET": "x:1", "TLS": "yes"}, '"TLS" must be'),
        ({"TARGET": "x:1", "TLS": {"CA": "/x"}}, "unknown key 'CA' in \"TLS\""),
        ({"TARGET": "x:1", "TLS": {"CA_FILE": "/no/such/file"}}, '"TLS"["CA_FILE"] is not a readable file'),
        ({"TARGET": "x:1", "TLS": {"CERT_FILE": __file__}}, '"CERT_FILE" and "KEY_FILE" go together'),
    ],
)
def test_settings_are_checked_with_errors_naming_the_key(value: object, message: str) -> None:
    with override_settings(REDISESSION=value), pytest.raises(ImproperlyConfigured) as failed:
        read_settings()
    assert str(failed.value).startswith("settings.REDISESSION: ") and message in str(failed.value)


def test_settings_defaults() -> None:
    with override_settings(REDISESSION={"TARGET": "sessions:50051"}):
        engine = read_settings()
    assert (engine.target, engine.store, engine.token, engine.tls, engine.timeout) == (
        "sessions:50051",
        "default",
        None,
        None,
        5.0,
    )


@pytest.mark.parametrize("store", ["string", "hash"])
def test_keys_come_from_the_service_and_data_keeps_its_types(store: str) -> None:
    with on_store(store):
        session = SessionStore()
        session.update({"n": 2**60 + 1, "f": 1.0, "s": "ü"})
        session.save()
        assert session.session_key is not None and len(session.session_key) == 32
        with SessionClient(settings.REDISESSION["TARGET"], store=store, data_format="json") as client:
            stored = client.get_session(session.session_key)
        assert stored.data == {"n": 2**60 + 1, "f": 1.0, "s": "ü"} and type(stored.data["f"]) is float
        loaded = SessionStore(session.session_key)
        assert loaded["n"] == 2**60 + 1 and type(loaded["f"]) is float
        session.delete()


def test_a_key_not_of_the_services_shape_is_no_session_without_a_call() -> None:
    # A target nothing listens on: any call would fail with UNAVAILABLE, so passing means no call was made.
    with override_settings(REDISESSION={"TARGET": "127.0.0.1:1", "TIMEOUT": 5}):
        for forged in ("x" * 40, "0" * 31, "AB" * 16, "../" * 11, "' OR 1=1 --"):
            session = SessionStore(forged)
            assert session.load() == {}
            assert session.session_key is None
            assert session.exists(forged) is False
            session.delete(forged)
        with pytest.raises(SessionServiceError) as unavailable:
            SessionStore("ab" * 16).load()
        assert unavailable.value.code == grpc.StatusCode.UNAVAILABLE


@pytest.mark.parametrize("store", ["string", "hash"])
def test_an_expiry_in_the_past_deletes_the_session(store: str) -> None:
    with on_store(store):
        session = SessionStore()
        session["a"] = 1
        session.save()
        key = session.session_key
        session.set_expiry(datetime.now(UTC) - timedelta(seconds=5))
        session.save()
        assert SessionStore().exists(key) is False


def test_clear_expired_purges_the_hash_store() -> None:
    target = settings.REDISESSION["TARGET"]
    with on_store("hash"), SessionClient(target, store="hash") as client, AdminClient(target) as admin:
        info = client.create_session({"short": True}, ttl=1)
        # Wait for the expiry itself, never for a guessed while: the service reads the same system clock and holds
        # the session until its whole-second expire_time, so once this clock is past it the session is dead, however
        # slowly either process runs. Nothing reads the session meanwhile: a read would delete it lazily and leave
        # the purge nothing to do.
        while datetime.now(UTC) <= info.expire_time:
            time.sleep(0.05)
        stats_before = admin.get_store_stats(store="hash")
        SessionStore.clear_expired()
        stats_after = admin.get_store_stats(store="hash")
        assert int(stats_after["sessions"]) == int(stats_before["sessions"]) - 1
        # What the purge removed is gone for good; a second purge finds nothing.
        assert admin.purge_expired(store="hash").fields_removed == 0


def test_clear_expired_on_a_string_store_has_nothing_to_do() -> None:
    with on_store("string"):
        SessionStore.clear_expired()


@pytest.mark.parametrize("store", ["string", "hash"])
def test_async_methods_use_the_asyncio_client(store: str) -> None:
    if not hasattr(SessionStore, "aget"):
        pytest.skip("Django before 5.0 has no asynchronous session API")

    async def scenario() -> None:
        session = SessionStore()
        await session.aset("n", 1)
        await session.asave()
        key = session.session_key
        loaded = SessionStore(key)
        assert await loaded.aget("n") == 1
        await loaded.aset("m", 2)
        await session.aset("o", 3)
        await loaded.asave()
        await session.asave()  # lost the race on version, merged: changed keys differ
        assert await SessionStore(key).aitems() is not None
        assert dict(await SessionStore(key).aitems()) == {"n": 1, "m": 2, "o": 3}
        await session.acycle_key()
        assert await SessionStore().aexists(key) is False
        assert dict(await SessionStore(session.session_key).aitems()) == {"n": 1, "m": 2, "o": 3}
        await SessionStore.aclear_expired()
        await session.adelete()
        assert await SessionStore().aexists(session.session_key) is False

    with on_store(store):
        asyncio.run(scenario())


def test_a_record_that_cannot_be_decoded_is_no_session(caplog: pytest.LogCaptureFixture) -> None:
    from service_process import redis_command, shared_service

    with on_store("string"):
        session = SessionStore()
        session["a"] = 1
        session.save()
        key = session.session_key
        assert key is not None
        # The string store keeps a session under its prefix and the key's 16 bytes; overwrite it with garbage.
        assert redis_command(shared_service().redis_port, b"SET", b"py-string:" + bytes.fromhex(key), b"junk") == b"+OK"
        with caplog.at_level("WARNING", logger="redisession.django"):
            loaded = SessionStore(key)
            assert loaded.load() == {}
        assert loaded.session_key is None
        assert "cannot be decoded (RECORD_CORRUPT)" in caplog.text
        loaded["b"] = 2
        loaded.save()
        assert loaded.session_key not in (None, key)


@pytest.mark.parametrize("store", ["string", "hash"])
def test_save_must_create_never_overwrites(store: str) -> None:
    from django.contrib.sessions.backends.base import CreateError

    with on_store(store):
        existing = SessionStore()
        existing["mine"] = True
        existing.save()
        intruder = SessionStore(existing.session_key)
        intruder["theirs"] = True
        with pytest.raises(CreateError):
            intruder.save(must_create=True)
        assert SessionStore(existing.session_key)["mine"] is True
        assert "theirs" not in SessionStore(existing.session_key)
        # A key that is not the service's shape cannot be created at all (no call is made for it).
        with pytest.raises(CreateError):
            SessionStore("not-a-service-key").save(must_create=True)
        # A fresh key of the service's shape can (MUST_CREATE is the one way to use a key of the caller's).
        # (Without a load: loading an unknown key drops it, as Django's backends do against session fixation.)
        own = SessionStore("cd" * 16)
        own.delete()
        own.save(must_create=True)
        assert own.session_key == "cd" * 16 and own.exists("cd" * 16) is True
        own.delete()
        existing.delete()


@pytest.mark.parametrize("store", ["string", "hash"])
def test_cycle_key_rotates_rather_than_copies(store: str) -> None:
    with on_store(store), SessionClient(settings.REDISESSION["TARGET"], store=store) as client:
        session = SessionStore()
        session["a"] = 1
        session.save()
        session["b"] = 2
        session.save()
        old = session.session_key
        assert client.get_session(old).version == 2
        session.cycle_key()
        # A rotation moves the record as it is (version 2); a create and copy would start again at version 1.
        assert client.get_session(session.session_key).version == 2
        assert session.exists(old) is False
        assert session.modified is True  # so the middleware sends the new key's cookie
        session.delete()
