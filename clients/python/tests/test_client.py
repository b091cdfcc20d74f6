"""SessionClient against the real service, on a string store and a hash store: every RPC, plain data out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from service_process import Service

from redisession import AdminClient, Session, SessionClient, SessionInfo, SessionServiceError
from redisession.aio import AsyncAdminClient, AsyncSessionClient


def test_create_get_save_touch_rotate_delete(client: SessionClient) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    info = client.create_session({"user": "ada", "cart": [1, 2]}, ttl=timedelta(minutes=10))
    assert isinstance(info, SessionInfo)
    assert len(info.key) == 32 and info.version == 1
    assert info.idle_ttl == timedelta(minutes=10)
    assert info.expire_time.tzinfo is not None
    assert before + timedelta(minutes=10) <= info.expire_time <= datetime.now(UTC) + timedelta(minutes=11)

    session = client.get_session(info.key)
    assert isinstance(session, Session)
    assert session.data == {"user": "ada", "cart": [1, 2]} and session.version == 1

    saved = client.save_session(info.key, {"user": "ada", "cart": []}, expected_version=1, ttl=600)
    assert saved.version == 2
    assert client.save_session(info.key, {"n": 1}, condition="must_exist").version == 3

    touched = client.touch_session(info.key, ttl=timedelta(hours=1))
    assert touched.version == 3 and touched.idle_ttl == timedelta(hours=1)
    assert client.get_session(info.key, touch=True, ttl=120).idle_ttl == timedelta(seconds=120)

    rotated = client.rotate_session_key(info.key)
    assert rotated.key != info.key and rotated.data == {"n": 1} and rotated.version == 3
    with pytest.raises(SessionServiceError) as gone:
        client.get_session(info.key)
    assert gone.value.code == grpc.StatusCode.NOT_FOUND and gone.value.reason == "SESSION_NOT_FOUND"

    assert client.delete_session(rotated.key) is True
    assert client.delete_session(rotated.key) is False


def test_batch_get_reports_missing_keys(client: SessionClient) -> None:
    first = client.create_session({"i": 1})
    second = client.create_session({"i": 2})
    missing = "0" * 32
    result = client.batch_get_sessions([second.key, missing, first.key])
    assert [(s.key, s.data) for s in result.sessions] == [(second.key, {"i": 2}), (first.key, {"i": 1})]
    assert result.missing_keys == [missing] and result.corrupt_keys == []


def test_must_create_under_a_callers_key_never_overwrites(client: SessionClient) -> None:
    key = "ab" * 16
    client.delete_session(key)
    assert client.save_session(key, {"v": 1}, condition="must_create").version == 1
    with pytest.raises(SessionServiceError) as exists:
        client.save_session(key, {"v": 2}, condition="must_create")
    assert exists.value.code == grpc.StatusCode.ALREADY_EXISTS and exists.value.reason == "SESSION_EXISTS"
    assert client.get_session(key).data == {"v": 1}
    client.delete_session(key)


def test_a_lost_compare_and_set_says_the_current_version(client: SessionClient) -> None:
    info = client.create_session({})
    client.save_session(info.key, {"a": 1}, expected_version=1)
    with pytest.raises(SessionServiceError) as lost:
        client.save_session(info.key, {"b": 1}, expected_version=1)
    assert lost.value.code == grpc.StatusCode.ABORTED
    assert lost.value.reason == "VERSION_MISMATCH"
    assert lost.value.error_metadata["current_version"] == "2"
    assert client.get_session(info.key).data == {"a": 1}


def test_bad_input_names_the_field(client: SessionClient) -> None:
    with pytest.raises(SessionServiceError) as malformed:
        client.get_session("not-a-key")
    error = malformed.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT and error.reason == "MALFORMED_KEY"
    assert [violation.field for violation in error.field_violations] == ["key"]
    assert str(error).startswith("INVALID_ARGUMENT: ")

    with pytest.raises(SessionServiceError) as ttl:
        client.create_session({}, ttl=timedelta(days=400))
    assert ttl.value.reason == "TTL_OUT_OF_RANGE" and "max_seconds" in ttl.value.error_metadata

    with pytest.raises(SessionServiceError) as store:
        client.create_session({}, store="no-such-store")
    assert store.value.reason == "UNKNOWN_STORE" and store.value.error_metadata["store"] == "no-such-store"


def test_save_needs_exactly_one_condition(client: SessionClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        client.save_session("ab" * 16, {})
    with pytest.raises(ValueError, match="exactly one"):
        client.save_session("ab" * 16, {}, condition="must_exist", expected_version=1)


def test_no_server_is_unavailable_without_a_reason() -> None:
    from service_process import free_port

    with (
        SessionClient(f"127.0.0.1:{free_port()}", timeout=5, retry=None) as nowhere,
        pytest.raises(SessionServiceError) as unavailable,
    ):
        nowhere.get_session("ab" * 16)
    assert unavailable.value.code == grpc.StatusCode.UNAVAILABLE and unavailable.value.reason is None


def test_client_options_are_checked_when_made() -> None:
    with pytest.raises(ValueError, match="token"):
        SessionClient("localhost:1", token="two words")
    with pytest.raises(ValueError, match="timeout"):
        SessionClient("localhost:1", timeout=0)
    with pytest.raises(ValueError, match="data_format"):
        SessionClient("localhost:1", data_format="xml")  # type: ignore[arg-type]


def test_unknown_options_are_refused_by_name() -> None:
    # The clients take **options (typed for mypy by ClientOptions and SessionClientOptions): a misspelt name, or
    # data_format on an admin client, raises as it would against a plain signature rather than being ignored.
    with pytest.raises(TypeError, match="SessionClient\\(\\) got an unexpected keyword argument 'tokn'"):
        SessionClient("localhost:1", tokn="t")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="AdminClient\\(\\) got an unexpected keyword argument 'data_format'"):
        AdminClient("localhost:1", data_format="json")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="AsyncSessionClient\\(\\) got an unexpected keyword argument 'timout'"):
        AsyncSessionClient("localhost:1", timout=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="AsyncAdminClient\\(\\) got an unexpected keyword argument 'data_format'"):
        AsyncAdminClient("localhost:1", data_format="json")  # type: ignore[call-arg]


def test_admin_purge_on_each_strategy(service: Service) -> None:
    with AdminClient(service.target) as admin:
        assert admin.purge_expired(store="string").applicable is False
        purged = admin.purge_expired(store="hash")
        assert purged.applicable is True and purged.buckets_scanned == 16 and purged.next_bucket is None
        assert {store["name"] for store in admin.list_stores()} >= {"string", "hash"}
