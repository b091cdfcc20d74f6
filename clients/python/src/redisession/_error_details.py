"""Reads the google.rpc.Status the service sends in the ``grpc-status-details-bin`` trailer (AIP-193).

The google.rpc messages come from a descriptor set generated next to this module (``_rpc_status.binpb``) and live
in a private descriptor pool: registering ``google/rpc/status.proto`` in the default pool would clash with
googleapis-common-protos, which many applications import too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

STATUS_DETAILS_KEY = "grpc-status-details-bin"
ERROR_DOMAIN = "redisession"
_TYPE_PREFIX = "type.googleapis.com/"


def _message_classes() -> dict[str, Any]:
    files_set = descriptor_pb2.FileDescriptorSet.FromString(
        files("redisession").joinpath("_rpc_status.binpb").read_bytes()
    )
    pool = descriptor_pool.DescriptorPool()
    for file in files_set.file:
        pool.Add(file)
    names = ["google.rpc.Status", "google.rpc.ErrorInfo", "google.rpc.BadRequest"]
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name)) for name in names}


_CLASSES = _message_classes()


@dataclass(frozen=True)
class ErrorDetails:
    """What one failure's details say: the reason, its metadata, and (field, description) pairs."""

    reason: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    field_violations: tuple[tuple[str, str], ...] = ()


def decode_error_details(code: grpc.StatusCode, trailers: Iterable[tuple[str, Any]] | None) -> ErrorDetails:
    """The details in ``trailers`` of a call that ended with ``code``.

    Never raises: without the trailer, with bytes that do not decode, or with a Status whose code is not the call's
    (a proxy's, about another failure) there are no details. Only an ErrorInfo of the service's domain gives the
    reason; a gateway's own ErrorInfo is ignored.
    """
    raw = next((value for key, value in trailers or () if key == STATUS_DETAILS_KEY), None)
    if not isinstance(raw, bytes):
        return ErrorDetails()
    try:
        status = _CLASSES["google.rpc.Status"].FromString(raw)
        if status.code != code.value[0]:
            return ErrorDetails()
        reason: str | None = None
        metadata: dict[str, str] = {}
        violations: list[tuple[str, str]] = []
        for detail in status.details:
            type_name = detail.type_url.removeprefix(_TYPE_PREFIX)
            if type_name == "google.rpc.ErrorInfo" and reason is None:
                info = _CLASSES[type_name].FromString(detail.value)
                if info.domain == ERROR_DOMAIN and info.reason:
                    reason, metadata = info.reason, dict(info.metadata)
            elif type_name == "google.rpc.BadRequest":
                bad_request = _CLASSES[type_name].FromString(detail.value)
                violations.extend((v.field, v.description) for v in bad_request.field_violations)
        return ErrorDetails(reason, metadata, tuple(violations))
    except Exception:
        return ErrorDetails()
