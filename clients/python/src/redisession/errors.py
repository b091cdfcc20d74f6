"""The one exception every client call raises, with the service's machine-readable error details."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import grpc

from redisession._error_details import ErrorDetails, decode_error_details


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One request field the service refused, and why (a ``google.rpc.BadRequest.FieldViolation``)."""

    field: str
    """The field's path in proto field names, e.g. ``"key"`` or ``"keys[3]"``."""
    description: str


class SessionServiceError(Exception):
    """A failed call. Branch on ``code`` and, to tell failures of one code apart, on ``reason``; never on the text.

    ``reason`` is a name from ``proto/redisession/v1/error_reason.proto`` without its ``ERROR_REASON_`` prefix (e.g.
    ``"MALFORMED_KEY"``, ``"VERSION_MISMATCH"``), or ``None`` when the service sent none: failures made on the
    client side (no connection: UNAVAILABLE; its own deadline: DEADLINE_EXCEEDED) and proxies' answers.
    ``error_metadata`` holds the reason's facts (``current_version`` for ``VERSION_MISMATCH``, ``limit_bytes`` for
    ``DATA_TOO_LARGE``); ``field_violations`` the request fields to blame.
    """

    code: grpc.StatusCode
    details: str
    reason: str | None
    error_metadata: MappingProxyType[str, str]
    field_violations: tuple[FieldViolation, ...]

    def __init__(
        self,
        code: grpc.StatusCode,
        details: str,
        *,
        reason: str | None = None,
        error_metadata: dict[str, str] | None = None,
        field_violations: tuple[FieldViolation, ...] = (),
    ) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details
        self.reason = reason
        self.error_metadata = MappingProxyType(dict(error_metadata or {}))
        self.field_violations = field_violations

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> SessionServiceError:
        """The exception for a failed call of ``grpc`` or ``grpc.aio`` (both are ``grpc.Call``-like)."""
        call: Any = error
        code = call.code() if callable(getattr(call, "code", None)) else grpc.StatusCode.UNKNOWN
        details = (call.details() if callable(getattr(call, "details", None)) else None) or ""
        trailers = call.trailing_metadata() if callable(getattr(call, "trailing_metadata", None)) else None
        decoded: ErrorDetails = decode_error_details(code, trailers)
        violations = tuple(FieldViolation(field, description) for field, description in decoded.field_violations)
        exception = cls(
            code,
            details,
            reason=decoded.reason,
            error_metadata=decoded.metadata,
            field_violations=violations,
        )
        exception.__cause__ = error
        return exception
