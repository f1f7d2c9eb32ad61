"""WebSocket mode faults: drops, stalls, deadlines, closing and cancelling a turn, then the next
turn on a new socket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import WSMsgType, web

from _support import make_client
from openresponses import (
    APIConnectionError,
    APITimeoutError,
    AsyncResponseStream,
    OutputTextDeltaEvent,
    StreamError,
    Timeout,
)
from openresponses.testing import Disconnect, HTTPReply, LocalServer, Text, Turn

pytestmark = pytest.mark.anyio

STALL = {"stall_after": 6, "stall_for": None}  # after created, in_progress, two items and a delta


async def _read_all(stream: AsyncResponseStream) -> None:
    """Enter the stream and read every event."""
    async with stream:
        async for _ in stream:
            pass


async def test_a_drop_mid_turn_is_a_stream_error_then_the_next_turn_reconnects(
    server: LocalServer,
) -> None:
    """The socket drops after content: StreamError with the partial Response; then a new socket."""
    server.add(Turn(Text("one two three four", deltas=4), drop_after=6))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        with pytest.raises(StreamError, match="broke off") as caught:
            await conn.create(model="m", input="Hi")
        partial = caught.value.response
        assert partial is not None
        assert partial.output_text.startswith("one")
        assert (await conn.create(model="m", input="next")).output_text == "You said: next"
    assert server.websocket_connections == 2
    assert server.request_count == 2


async def test_a_drop_before_content_reconnects_and_succeeds(server: LocalServer) -> None:
    """A socket dropped before any event, then one dropped after response.created: retried."""
    server.add(Disconnect(), Turn(Text("never"), drop_after=1), Text("made it"))
    client = make_client(server.base_url)
    async with client, client.responses.connect() as conn, conn.stream(input="Hi") as stream:
        events = [event async for event in stream]
    assert stream.current_response is not None
    assert stream.current_response.output_text == "made it"
    assert "".join(e.delta for e in events if isinstance(e, OutputTextDeltaEvent)) == "made it"
    assert server.websocket_connections == 3
    assert server.request_count == 3


async def test_reconnects_are_bounded_by_the_retry_policy(server: LocalServer) -> None:
    """Drops before content on every attempt: APIConnectionError after max_retries retries."""
    server.add(Disconnect(), Disconnect(), Disconnect(), Text("too late"))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        with pytest.raises(APIConnectionError):
            await conn.create(model="m", input="Hi")
    assert server.request_count == 3


async def test_a_socket_dropped_between_turns_is_replaced_by_the_next(
    server: LocalServer,
) -> None:
    """The server drops the idle socket: the next turn opens a new one on its own."""
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        await conn.create(model="m", input="first")
        assert server.drop_websockets() == 1
        assert (await conn.create(model="m", input="second")).output_text == "You said: second"
    assert server.websocket_connections == 2


async def test_the_idle_watchdog_ends_a_stalled_turn(server: LocalServer) -> None:
    """A turn silent after content (keep-alives only): APITimeoutError at stream_idle."""
    server.add(Turn(Text("a b", deltas=2), keepalive=0.05, **STALL))
    idle = Timeout(stream_idle=0.3)
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        started = time.monotonic()
        stream = conn.stream(model="m", input="Hi", timeout=idle)
        with pytest.raises(APITimeoutError, match="stream_idle") as caught:
            await _read_all(stream)
        assert 0.25 < time.monotonic() - started < 2.0
        assert caught.value.response is not None
        assert (await conn.create(model="m", input="next")).output_text == "You said: next"
    assert server.websocket_connections == 2


async def test_stream_total_bounds_a_turn(server: LocalServer) -> None:
    """With no idle bound, stream_total ends a stalled turn."""
    server.add(Turn(Text("a b", deltas=2), **STALL))
    total = Timeout(stream_idle=None, stream_total=0.4)
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="stream_total"):
            async with conn.stream(model="m", input="Hi", timeout=total) as stream:
                await stream.final_response()
        assert time.monotonic() - started < 2.0


async def test_create_is_bounded_by_timeout_total(server: LocalServer) -> None:
    """conn.create on a stalled turn: APITimeoutError naming timeout.total, with the partial."""
    server.add(Turn(Text("a b", deltas=2), **STALL))
    deadline = Timeout(total=0.4, stream_idle=None)
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match=r"timeout\.total") as caught:
            await conn.create(model="m", input="Hi", timeout=deadline)
        assert 0.35 < time.monotonic() - started < 2.0
        assert caught.value.response is not None
        assert (await conn.create(model="m", input="next")).output_text == "You said: next"


async def test_closing_a_turn_early_drops_its_socket_only(server: LocalServer) -> None:
    """aclose() mid-turn, then break mid-turn: each next turn gets a clean new socket."""
    server.add(Turn(Text("a b c d", deltas=4)))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        async with conn.stream(model="m", input="1") as stream:
            await stream.__anext__()
            await stream.aclose()
        assert (await conn.create(model="m", input="2")).output_text == "You said: 2"
        server.add(Turn(Text("e f g h", deltas=4)))
        async with conn.stream(model="m", input="3") as stream:
            async for event in stream:
                if isinstance(event, OutputTextDeltaEvent):
                    break
        assert (await conn.create(model="m", input="4")).output_text == "You said: 4"
    assert server.websocket_connections == 3


async def test_cancelling_a_turn_leaves_the_connection_usable(server: LocalServer) -> None:
    """A task reading a stalled turn is cancelled; the next turn works at once."""
    server.add(Turn(Text("a b", deltas=2), **STALL))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        task = asyncio.ensure_future(conn.create(model="m", input="Hi"))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        reply = await asyncio.wait_for(conn.create(model="m", input="next"), 5)
        assert reply.output_text == "You said: next"
    assert server.websocket_connections == 2


async def test_closing_the_client_ends_a_turn_at_once(server: LocalServer) -> None:
    """client.aclose() while a turn waits for its first event: APIConnectionError, no retry."""
    server.add(Turn(Text("late"), first_event_delay=10))
    client = make_client(server.base_url)
    conn = await client.responses.connect().__aenter__()
    task = asyncio.ensure_future(conn.create(model="m", input="Hi"))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await client.aclose()
    with pytest.raises(APIConnectionError, match="the client was closed") as caught:
        await asyncio.wait_for(task, 2)
    assert time.monotonic() - started < 0.5
    assert caught.value.retryable is False
    assert server.request_count == 1
    with pytest.raises(RuntimeError, match="AsyncClient is closed"):
        await conn.create(model="m", input="again")
    await conn.aclose()


async def test_closing_the_client_mid_content_is_a_stream_error(server: LocalServer) -> None:
    """client.aclose() after content arrived: StreamError with the partial Response."""
    server.add(Turn(Text("a b", deltas=2), **STALL))
    client = make_client(server.base_url)
    async with client.responses.connect() as conn, conn.stream(model="m", input="Hi") as stream:
        async for event in stream:
            if isinstance(event, OutputTextDeltaEvent):
                break
        await client.aclose()
        with pytest.raises(StreamError) as caught:
            await asyncio.wait_for(stream.final_response(), 2)
    assert caught.value.response is not None


async def test_closing_the_connection_ends_a_turn_read_by_another_task(
    server: LocalServer,
) -> None:
    """conn.aclose() while another task waits on a turn: that turn ends at once, typed."""
    server.add(Turn(Text("late"), first_event_delay=10))
    async with make_client(server.base_url) as client:
        conn = client.responses.connect()
        await conn.open()
        task = asyncio.ensure_future(conn.create(model="m", input="Hi"))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await conn.aclose()
        with pytest.raises(APIConnectionError, match="closed"):
            await asyncio.wait_for(task, 2)
        assert time.monotonic() - started < 1.0
    assert server.request_count == 1


async def test_pings_keep_an_idle_socket_for_the_next_turn(server: LocalServer) -> None:
    """With a 0.1 s heartbeat, half a second idle leaves the same socket serving turns."""
    client = make_client(server.base_url)
    async with client, client.responses.connect(heartbeat=0.1) as conn:
        await conn.create(model="m", input="first")
        await asyncio.sleep(0.5)
        assert (await conn.create(model="m", input="second")).output_text == "You said: second"
    assert server.websocket_connections == 1


async def test_a_slow_handshake_times_out_at_timeout_connect(server: LocalServer) -> None:
    """A handshake left unanswered: APITimeoutError naming timeout.connect, at that deadline."""
    server.refuse_websocket(HTTPReply(503, delay=5))
    client = make_client(server.base_url, timeout=Timeout(connect=0.3), max_retries=0)
    async with client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match=r"timeout\.connect"):
            await client.responses.connect().open()
        assert time.monotonic() - started < 2.0


async def test_leaving_the_block_closes_the_socket(server: LocalServer) -> None:
    """After `async with conn`, the server has no socket open."""
    async with make_client(server.base_url) as client:
        async with client.responses.connect() as conn:
            await conn.create(model="m", input="Hi")
            assert server.websocket_open == 1
        for _ in range(50):
            if server.websocket_open == 0:
                break
            await asyncio.sleep(0.01)
        assert server.websocket_open == 0
        assert server.disconnects == 0  # a close frame, not a drop


@contextlib.asynccontextmanager
async def deaf_server() -> AsyncIterator[str]:
    """A WebSocket server that answers a turn with response.created, then never pongs."""

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        async for message in ws:
            if message.type is WSMsgType.TEXT:
                created = {"type": "response.created", "response": {"id": "r", "output": []}}
                await ws.send_str(json.dumps(created))
        return ws

    app = web.Application()
    app.router.add_get("/v1/responses", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    finally:
        await runner.cleanup()


async def test_an_unanswered_ping_ends_the_turn() -> None:
    """With heartbeat=0.1, a peer that stops answering pings ends the turn in 1 s: StreamError."""
    async with deaf_server() as base_url, make_client(base_url, max_retries=0) as client:
        conn = client.responses.connect(heartbeat=0.1)
        async with conn:
            started = time.monotonic()
            with pytest.raises(StreamError, match="stopped answering pings") as caught:
                await conn.create(model="m", input="Hi", timeout=Timeout(stream_idle=10))
            assert time.monotonic() - started < 1.0
            assert isinstance(caught.value.__cause__, APIConnectionError)
