"""The asyncio twin against the real service: the same calls, awaited, and the same errors."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from service_process import Service

from redisession import SessionServiceError
from redisession.aio import AsyncAdminClient, AsyncSessionClient


def test_every_call_awaited(service: Service, store: str) -> None:
    async def scenario() -> None:
        async with AsyncSessionClient(service.target, store=store) as client:
            info = await client.create_session({"n": 1})
            assert (await client.get_session(info.key)).data == {"n": 1}
            assert (await client.save_session(info.key, {"n": 2}, expected_version=1)).version == 2
            assert (await client.touch_session(info.key, ttl=60)).version == 2
            result = await client.batch_get_sessions([info.key])
            assert [s.data for s in result.sessions] == [{"n": 2}]
            rotated = await client.rotate_session_key(info.key)
            with pytest.raises(SessionServiceError) as gone:
                await client.get_session(info.key)
            assert gone.value.code == grpc.StatusCode.NOT_FOUND and gone.value.reason == "SESSION_NOT_FOUND"
            assert await client.delete_session(rotated.key) is True
            with pytest.raises(SessionServiceError) as malformed:
                await client.delete_session("nope")
            assert malformed.value.reason == "MALFORMED_KEY"
        async with AsyncAdminClient(service.target) as admin:
            assert (await admin.purge_expired(store=store)).applicable is (store == "hash")

    asyncio.run(scenario())
