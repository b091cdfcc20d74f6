"""What the client does with a server's failures, against a scripted gRPC server (a real grpc.server on a free
port whose answers each test chooses): which methods are retried on UNAVAILABLE, and how error details are read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest

from redisession import RetryPolicy, SessionClient, SessionServiceError
from redisession._error_details import _CLASSES
from redisession.client import DEFAULT_TIMEOUT
from redisession.v1 import session_service_pb2 as pb
from redisession.v1 import session_service_pb2_grpc

KEY = "ab" * 16


class ScriptedService(session_service_pb2_grpc.SessionServiceServicer):
    """Counts attempts per method and answers what ``script`` says for each attempt (1-based)."""

    def __init__(self) -> None:
        self.attempts: dict[str, int] = {}
        self.metadata: list[tuple[str, str]] = []
        self.script: Callable[[str, int, grpc.ServicerContext], Any] = lambda method, attempt, context: None

    def _answer(self, method: str, context: grpc.ServicerContext, response: Any) -> Any:
        self.attempts[method] = self.attempts.get(method, 0) + 1
        self.metadata = [(item.key, item.value) for item in context.invocation_metadata()]
        self.script(method, self.attempts[method], context)
        return response

    def GetSession(self, request: Any, context: grpc.ServicerContext) -> Any:
        session = pb.Session(key=request.key, version=1)
        session.data.update({"ok": True})
        return self._answer("GetSession", context, pb.GetSessionResponse(session=session))

    def CreateSession(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._answer("CreateSession", context, pb.CreateSessionResponse(session=pb.SessionInfo(key=KEY)))

    def SaveSession(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._answer("SaveSession", context, pb.SaveSessionResponse(session=pb.SessionInfo(key=KEY)))


@pytest.fixture
def scripted() -> Iterator[tuple[ScriptedService, str]]:
    service = ScriptedService()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    session_service_pb2_grpc.add_SessionServiceServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield service, f"127.0.0.1:{port}"
    server.stop(None)


def unavailable_first(times: int) -> Callable[[str, int, grpc.ServicerContext], None]:
    def script(method: str, attempt: int, context: grpc.ServicerContext) -> None:
        if attempt <= times:
            context.abort(grpc.StatusCode.UNAVAILABLE, "redis is restarting")

    return script


FAST = RetryPolicy(initial_backoff=0.01, max_backoff=0.01)


def test_idempotent_methods_are_retried_on_unavailable(scripted: tuple[ScriptedService, str]) -> None:
    service, target = scripted
    service.script = unavailable_first(2)
    with SessionClient(target, retry=FAST) as client:
        assert client.get_session(KEY).data == {"ok": True}
    assert service.attempts["GetSession"] == 3


def test_creates_and_saves_are_never_retried(scripted: tuple[ScriptedService, str]) -> None:
    service, target = scripted
    service.script = unavailable_first(1)
    with SessionClient(target, retry=FAST) as client:
        for call in (lambda: client.create_session({}), lambda: client.save_session(KEY, {}, expected_version=1)):
            with pytest.raises(SessionServiceError) as failed:
                call()
            assert failed.value.code == grpc.StatusCode.UNAVAILABLE
    assert service.attempts == {"CreateSession": 1, "SaveSession": 1}


def test_retries_stop_at_max_attempts_and_can_be_turned_off(scripted: tuple[ScriptedService, str]) -> None:
    service, target = scripted
    service.script = unavailable_first(100)
    twice = RetryPolicy(max_attempts=2, initial_backoff=0.01, max_backoff=0.01)
    with SessionClient(target, retry=twice) as client, pytest.raises(SessionServiceError):
        client.get_session(KEY)
    assert service.attempts["GetSession"] == 2
    with SessionClient(target, retry=None) as client, pytest.raises(SessionServiceError):
        client.get_session(KEY)
    assert service.attempts["GetSession"] == 3


def test_options_left_out_take_their_defaults(scripted: tuple[ScriptedService, str]) -> None:
    service, target = scripted
    deadlines: list[float | None] = []
    service.script = lambda method, attempt, context: deadlines.append(context.time_remaining())
    with SessionClient(target) as client:
        client.get_session(KEY)
    with SessionClient(target, timeout=None) as client:
        client.get_session(KEY)
    # timeout: DEFAULT_TIMEOUT (5 s) on each call (the server reads it back a few ms over: gRPC's timer is coarse);
    # None: no deadline (gRPC's infinite future, some 292 years away).
    assert deadlines[0] is not None and 0 < deadlines[0] <= DEFAULT_TIMEOUT + 0.5
    assert deadlines[1] is not None and deadlines[1] > 10**9
    # retry: RetryPolicy(), whose max_attempts is 4 (the call's own generous deadline leaves the backoffs room).
    service.script = unavailable_first(100)
    with SessionClient(target) as client, pytest.raises(SessionServiceError):
        client.get_session(KEY, timeout=60)
    assert service.attempts["GetSession"] == 2 + RetryPolicy().max_attempts


def status_details(code: grpc.StatusCode, *details: Any) -> bytes:
    status = _CLASSES["google.rpc.Status"](code=code.value[0], message="m")
    for detail in details:
        # Any of the private pool the client reads with.
        status.details.add(
            type_url=f"type.googleapis.com/{detail.DESCRIPTOR.full_name}", value=detail.SerializeToString()
        )
    return status.SerializeToString()


def abort_with(code: grpc.StatusCode, trailer: bytes) -> Callable[[str, int, grpc.ServicerContext], None]:
    def script(method: str, attempt: int, context: grpc.ServicerContext) -> None:
        context.set_trailing_metadata((("grpc-status-details-bin", trailer),))
        context.abort(code, "refused")

    return script


def test_details_of_the_service_domain_give_reason_metadata_and_fields(scripted: tuple[ScriptedService, str]) -> None:
    service, target = scripted
    info = _CLASSES["google.rpc.ErrorInfo"](
        reason="DATA_TOO_LARGE", domain="redisession", metadata={"limit_bytes": "10"}
    )
    bad = _CLASSES["google.rpc.BadRequest"]()
    bad.field_violations.add(field="data", description="too large")
    service.script = abort_with(
        grpc.StatusCode.RESOURCE_EXHAUSTED, status_details(grpc.StatusCode.RESOURCE_EXHAUSTED, info, bad)
    )
    with SessionClient(target) as client, pytest.raises(SessionServiceError) as failed:
        client.create_session({})
    error = failed.value
    assert (error.reason, dict(error.error_metadata)) == ("DATA_TOO_LARGE", {"limit_bytes": "10"})
    assert [(v.field, v.description) for v in error.field_violations] == [("data", "too large")]


@pytest.mark.parametrize(
    "trailer",
    [
        pytest.param(b"\xff\x00not a status", id="bytes that are not a Status"),
        pytest.param(
            status_details(
                grpc.StatusCode.INTERNAL,
                _CLASSES["google.rpc.ErrorInfo"](reason="SESSION_EXISTS", domain="redisession"),
            ),
            id="a Status of another code",
        ),
        pytest.param(
            status_details(
                grpc.StatusCode.ALREADY_EXISTS,
                _CLASSES["google.rpc.ErrorInfo"](reason="GATEWAY_SAYS", domain="gateway.example"),
            ),
            id="an ErrorInfo of another domain",
        ),
    ],
)
def test_details_that_are_not_the_services_give_no_reason(
    scripted: tuple[ScriptedService, str], trailer: bytes
) -> None:
    service, target = scripted
    service.script = abort_with(grpc.StatusCode.ALREADY_EXISTS, trailer)
    with SessionClient(target) as client, pytest.raises(SessionServiceError) as failed:
        client.create_session({})
    assert failed.value.code == grpc.StatusCode.ALREADY_EXISTS
    assert failed.value.reason is None and failed.value.field_violations == ()


def test_a_token_travels_as_a_bearer_authorization_header(scripted: tuple[ScriptedService, str]) -> None:
    service, target = scripted
    with SessionClient(target, token="s3cr3t.t0ken") as client:
        client.get_session(KEY)
    assert ("authorization", "Bearer s3cr3t.t0ken") in service.metadata
    with SessionClient(target) as client:
        client.get_session(KEY)
    assert not [key for key, _ in service.metadata if key == "authorization"]
