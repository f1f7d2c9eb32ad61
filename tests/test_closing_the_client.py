"""Closing the client under a call: the call ends at once with a typed error and is not retried,
whether it waits for headers, reads a body or waits for the first event of a stream."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import web

from _support import ANSWER, make_client
from openresponses import APIConnectionError, StreamError, Timeout
from openresponses.testing import HTTPReply, LocalServer, Text, Turn

pytestmark = pytest.mark.anyio


@contextlib.asynccontextmanager
async def serve(handler: Any) -> AsyncIterator[str]:
    """A one-route aiohttp app on 127.0.0.1 (``POST /v1/responses``); yields its base URL."""
    app = web.Application()
    app.router.add_post("/v1/responses", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


async def test_closing_the_client_ends_a_waiting_create_without_a_retry(
    server: LocalServer,
) -> None:
    """aclose() while create() waits for headers: APIConnectionError, not retried, at once."""
    server.add(HTTPReply(200, body=ANSWER, delay=5))
    client = make_client(server.base_url)
    task = asyncio.ensure_future(client.responses.create(model="m", input="Hi"))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await client.aclose()
    with pytest.raises(APIConnectionError, match="the client was closed") as caught:
        await asyncio.wait_for(task, 2.0)
    assert time.monotonic() - started < 0.5
    assert caught.value.retryable is False
    assert server.request_count == 1


async def test_closing_the_client_ends_a_create_reading_its_body() -> None:
    """aclose() while create() reads a body that stalls halfway ends the call at once."""
    half_sent = asyncio.Event()
    finish = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        body = orjson.dumps(ANSWER)
        reply = web.StreamResponse(headers={"Content-Type": "application/json"})
        reply.content_length = len(body)
        await reply.prepare(request)
        await reply.write(body[:20])
        half_sent.set()
        await finish.wait()
        return reply

    async with serve(handler) as base_url:
        client = make_client(base_url, timeout=Timeout(total=20))
        task = asyncio.ensure_future(client.responses.create(model="m", input="Hi"))
        await asyncio.wait_for(half_sent.wait(), 2.0)
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await client.aclose()
        try:
            with pytest.raises(APIConnectionError, match="the client was closed"):
                await asyncio.wait_for(task, 2.0)
            assert time.monotonic() - started < 0.5
        finally:
            finish.set()


async def test_closing_the_client_before_stream_content_is_not_retried(
    server: LocalServer,
) -> None:
    """aclose() while a stream waits for its first event: a typed error at once, one request."""
    server.add(Turn(Text("late"), first_event_delay=30))
    client = make_client(server.base_url, timeout=Timeout(stream_idle=20))

    async def read() -> None:
        async with client.responses.stream(model="m", input="Hi") as stream:
            await stream.final_response()

    task = asyncio.ensure_future(read())
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await client.aclose()
    with pytest.raises((APIConnectionError, StreamError), match="the client was closed"):
        await asyncio.wait_for(task, 2.0)
    assert time.monotonic() - started < 0.5
    assert server.request_count == 1


async def test_a_stream_made_before_aclose_and_opened_after_raises_a_typed_error(
    server: LocalServer,
) -> None:
    """A stream prepared before aclose() and entered after: APIConnectionError, nothing sent."""
    client = make_client(server.base_url)
    stream = client.responses.stream(model="m", input="Hi")
    await client.aclose()
    with pytest.raises(APIConnectionError, match="the client was closed"):
        async with stream:
            pass
    assert server.request_count == 0
