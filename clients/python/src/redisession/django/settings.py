"""The engine's one settings dict, ``settings.REDISESSION``, validated, and the clients made from it.

```python
REDISESSION = {
    "TARGET": "sessions:50051",  # required: the service's gRPC address
    "STORE": "default",          # the service's store for this site's sessions
    "TOKEN": None,               # bearer token, for a server with auth
    "TLS": None,                 # None (plaintext), True (public roots) or {"CA_FILE", "CERT_FILE", "KEY_FILE"}
    "TIMEOUT": 5.0,              # seconds per call
}
```
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from redisession import AdminClient, SessionClient, TlsConfig
from redisession.aio import AsyncAdminClient, AsyncSessionClient

_KEYS = {"TARGET", "STORE", "TOKEN", "TLS", "TIMEOUT"}
_TLS_KEYS = {"CA_FILE", "CERT_FILE", "KEY_FILE"}


@dataclass(frozen=True)
class EngineSettings:
    """``settings.REDISESSION``, checked."""

    target: str
    store: str
    token: str | None
    tls: tuple[str | None, str | None, str | None] | bool | None
    timeout: float

    def client_options(self) -> dict[str, Any]:
        tls: TlsConfig | bool | None = None
        if self.tls is True:
            tls = True
        elif isinstance(self.tls, tuple):
            ca, cert, key = (None if path is None else Path(path).read_bytes() for path in self.tls)
            tls = TlsConfig(root_certificates=ca, certificate_chain=cert, private_key=key)
        return {"token": self.token, "tls": tls, "timeout": self.timeout, "store": self.store}


def _fail(message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"settings.REDISESSION: {message}")


def read_settings() -> EngineSettings:
    """``settings.REDISESSION`` checked; ImproperlyConfigured naming the key that is wrong."""
    raw = getattr(settings, "REDISESSION", None)
    if not isinstance(raw, dict):
        raise _fail('must be a dict such as {"TARGET": "sessions:50051"} (SESSION_ENGINE is "redisession.django")')
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _fail(f"unknown key {unknown[0]!r}; the keys are {', '.join(sorted(_KEYS))}")
    target = raw.get("TARGET")
    if not isinstance(target, str) or not target:
        raise _fail('"TARGET" must be the service\'s address, e.g. "sessions:50051"')
    store = raw.get("STORE", "default")
    if not isinstance(store, str) or not store:
        raise _fail('"STORE" must be a non-empty store name')
    token = raw.get("TOKEN")
    if token is not None and (not isinstance(token, str) or not token or any(c.isspace() for c in token)):
        raise _fail('"TOKEN" must be a string without spaces, or None')
    timeout = raw.get("TIMEOUT", 5.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise _fail('"TIMEOUT" must be a number of seconds above 0')
    tls_raw = raw.get("TLS")
    tls: tuple[str | None, str | None, str | None] | bool | None
    if tls_raw is None or tls_raw is False:
        tls = None
    elif tls_raw is True:
        tls = True
    elif isinstance(tls_raw, dict):
        unknown_tls = sorted(set(tls_raw) - _TLS_KEYS)
        if unknown_tls:
            raise _fail(f'unknown key {unknown_tls[0]!r} in "TLS"; the keys are {", ".join(sorted(_TLS_KEYS))}')
        paths = tuple(tls_raw.get(name) for name in ("CA_FILE", "CERT_FILE", "KEY_FILE"))
        for name, path in zip(("CA_FILE", "CERT_FILE", "KEY_FILE"), paths, strict=True):
            if path is not None and not Path(path).is_file():
                raise _fail(f'"TLS"["{name}"] is not a readable file: {path}')
        if (paths[1] is None) != (paths[2] is None):
            raise _fail('"TLS": "CERT_FILE" and "KEY_FILE" go together')
        tls = (paths[0], paths[1], paths[2])
    else:
        raise _fail('"TLS" must be None, True, or a dict with "CA_FILE", "CERT_FILE", "KEY_FILE"')
    return EngineSettings(target, store, token, tls, float(timeout))


_lock = threading.Lock()
_sync_clients: dict[tuple[type, EngineSettings], Any] = {}
# grpc.aio channels belong to the event loop they were made in: one client per loop, dropped with the loop.
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[type, EngineSettings], Any]] = (
    weakref.WeakKeyDictionary()
)


def _make(kind: type, engine: EngineSettings) -> Any:
    options = engine.client_options()
    if kind in (SessionClient, AsyncSessionClient):
        # JSON text both ways: the session's serializer writes it, so numbers keep their type and every digit.
        options["data_format"] = "json"
    return kind(engine.target, **options)


def sync_client(kind: type = SessionClient) -> Any:
    """The process' client for the current settings (made once per settings value; channels are thread-safe)."""
    engine = read_settings()
    with _lock:
        client = _sync_clients.get((kind, engine))
        if client is None:
            client = _sync_clients[(kind, engine)] = _make(kind, engine)
        return client


def async_client(kind: type = AsyncSessionClient) -> Any:
    """The running event loop's asyncio client for the current settings."""
    engine = read_settings()
    loop = asyncio.get_running_loop()
    with _lock:
        clients = _async_clients.setdefault(loop, {})
        client = clients.get((kind, engine))
        if client is None:
            client = clients[(kind, engine)] = _make(kind, engine)
        return client


__all__ = ["AdminClient", "AsyncAdminClient", "EngineSettings", "async_client", "read_settings", "sync_client"]
