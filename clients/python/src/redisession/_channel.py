"""What a client hands gRPC: credentials, channel options (the retrying service config), per-call metadata."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import descriptor, descriptor_pb2


@dataclass(frozen=True, slots=True)
class TlsConfig:
    """Trust roots and a client certificate for TLS, as PEM bytes. ``TlsConfig()`` trusts gRPC's bundled roots.

    ``private_key`` and ``certificate_chain`` go together, for a server that asks for client certificates.
    """

    root_certificates: bytes | None = None
    private_key: bytes | None = None
    certificate_chain: bytes | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the methods the proto marks idempotent are retried on UNAVAILABLE (gRFC A6, inside gRPC itself).

    Attempts share the call's deadline; no other status is retried (ABORTED asks for a fresh read first).
    """

    max_attempts: int = 4
    """Attempts in all, the first included: 2 to 5 (gRPC's own cap)."""
    initial_backoff: float = 0.1
    """Seconds before the first retry (gRPC adds jitter)."""
    max_backoff: float = 2.0
    backoff_multiplier: float = 2.0

    def __post_init__(self) -> None:
        if not (isinstance(self.max_attempts, int) and 2 <= self.max_attempts <= 5):
            raise ValueError(f"max_attempts must be an int from 2 to 5, got {self.max_attempts!r}")
        for name in ("initial_backoff", "max_backoff", "backoff_multiplier"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0):
                raise ValueError(f"{name} must be a number above 0, got {value!r}")


def _seconds(value: float) -> str:
    # The service config's duration syntax: decimal seconds with an "s", never exponent notation.
    return f"{value:.9f}".rstrip("0").rstrip(".") + "s"


def _idempotent(method: descriptor.MethodDescriptor) -> bool:
    level = method.GetOptions().idempotency_level
    return level != descriptor_pb2.MethodOptions.IDEMPOTENCY_UNKNOWN


def service_config(services: Sequence[descriptor.ServiceDescriptor], retry: RetryPolicy | None) -> str:
    """The JSON service config: fail fast while the server is down; retry idempotent methods per ``retry``."""
    configs: list[dict[str, Any]] = [
        {"name": [{"service": service.full_name} for service in services], "waitForReady": False}
    ]
    retried = [
        {"service": service.full_name, "method": method.name}
        for service in services
        for method in service.methods
        if _idempotent(method)
    ]
    if retry is not None and retried:
        configs.append(
            {
                "name": retried,
                "waitForReady": False,
                "retryPolicy": {
                    "maxAttempts": retry.max_attempts,
                    "initialBackoff": _seconds(retry.initial_backoff),
                    "maxBackoff": _seconds(retry.max_backoff),
                    "backoffMultiplier": retry.backoff_multiplier,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        )
    return json.dumps({"methodConfig": configs}, sort_keys=True)


_TOKEN = re.compile(r"^[\x21-\x7e]+$")


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """Checked client options, ready for ``grpc`` or ``grpc.aio``."""

    target: str
    credentials: grpc.ChannelCredentials | None
    options: tuple[tuple[str, Any], ...]
    metadata: tuple[tuple[str, str], ...]
    timeout: float | None

    def channel(self) -> grpc.Channel:
        if self.credentials is None:
            return grpc.insecure_channel(self.target, options=self.options)
        return grpc.secure_channel(self.target, self.credentials, options=self.options)

    def aio_channel(self) -> grpc.aio.Channel:
        if self.credentials is None:
            return grpc.aio.insecure_channel(self.target, options=self.options)
        return grpc.aio.secure_channel(self.target, self.credentials, options=self.options)


def resolve(
    target: str,
    services: Sequence[descriptor.ServiceDescriptor],
    *,
    token: str | None,
    tls: TlsConfig | bool | None,
    credentials: grpc.ChannelCredentials | None,
    timeout: float | None,
    retry: RetryPolicy | None,
    options: Sequence[tuple[str, Any]],
) -> ChannelSettings:
    """Checks a client's options; mistakes raise here, when the client is made, not on its first call."""
    if not isinstance(target, str) or not target:
        raise ValueError("target must be a non-empty string such as 'localhost:50051'")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a number of seconds above 0, or None, got {timeout!r}")
    metadata: tuple[tuple[str, str], ...] = ()
    if token is not None:
        if not isinstance(token, str) or not _TOKEN.match(token):
            # The message never repeats the token.
            raise ValueError("token must be a non-empty string of visible ASCII characters without spaces")
        metadata = (("authorization", f"Bearer {token}"),)
    if credentials is not None and tls not in (None, False):
        raise ValueError("give either tls or credentials, not both")
    if tls is True:
        tls = TlsConfig()
    if isinstance(tls, TlsConfig):
        if (tls.private_key is None) != (tls.certificate_chain is None):
            raise ValueError("tls.private_key and tls.certificate_chain go together")
        credentials = grpc.ssl_channel_credentials(tls.root_certificates, tls.private_key, tls.certificate_chain)
    elif tls not in (None, False):
        raise TypeError(f"tls must be a TlsConfig, True or None, got {type(tls).__name__}")
    generated = [
        ("grpc.service_config", service_config(services, retry)),
        ("grpc.enable_retries", 1),
        # Otherwise a DNS TXT record of the target's host could replace the config (and its retry policy).
        ("grpc.service_config_disable_resolution", 1),
    ]
    given = {name for name, _ in options}
    merged = tuple([option for option in generated if option[0] not in given] + list(options))
    return ChannelSettings(target, credentials, merged, metadata, timeout)
