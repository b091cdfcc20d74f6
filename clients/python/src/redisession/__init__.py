"""Client of the redisession gRPC session service.

``SessionClient`` (blocking) and ``redisession.aio.AsyncSessionClient`` (asyncio) call SessionService with plain
dicts in and out and ``datetime`` times; every failure raises ``SessionServiceError``. Their keyword options are
documented on ``SessionClientOptions`` (``ClientOptions`` for the admin clients). The Django session engine is
``redisession.django`` (``pip install redisession[django]``). Generated protobuf modules: ``redisession.v1``.
"""

from redisession._channel import RetryPolicy, TlsConfig
from redisession._options import ClientOptions, SessionClientOptions
from redisession.client import AdminClient, SessionClient
from redisession.errors import FieldViolation, SessionServiceError
from redisession.types import BatchGetResult, PurgeResult, Session, SessionInfo

__all__ = [
    "AdminClient",
    "BatchGetResult",
    "ClientOptions",
    "FieldViolation",
    "PurgeResult",
    "RetryPolicy",
    "Session",
    "SessionClient",
    "SessionClientOptions",
    "SessionInfo",
    "SessionServiceError",
    "TlsConfig",
]
