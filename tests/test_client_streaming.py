"""Streams: typed events, lenses, in-band errors, watchdog, reconnects, connection release."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from _support import FAST
from openresponses import (
    APITimeoutError,
    AsyncClient,
    AsyncResponseStream,
    ErrorEvent,
    OutputTextDeltaEvent,
    RateLimitError,
    Response,
    ResponseCompletedEvent,
    StreamError,
    StreamEvent,
    Timeout,
    UnknownEvent,
)
from openresponses.testing import (
    HTTPReply,
    InBandError,
    LocalServer,
    Text,
    ToolCall,
    Transcript,
    Turn,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    """A client of that server with quick retries."""
    async with AsyncClient(base_url=server.base_url, retry_policy=FAST) as c:
        yield c


async def _collect(stream: AsyncResponseStream) -> list[StreamEvent]:
    return [event async for event in stream]


async def _record(stream: AsyncResponseStream, log: list[tuple[StreamEvent, float]]) -> None:
    """Read the stream, noting each event and when it arrived (kept when the read fails)."""
    async for event in stream:
        arrived = time.monotonic()
        log.append((event, arrived))


# -- the happy path


async def test_events_arrive_typed_and_in_order(server: LocalServer, client: AsyncClient) -> None:
    """Every event is a typed object, in the server's order, ending with response.completed."""
    server.add(Turn(Text("Hello brave new world", deltas=4), ToolCall("f", {"x": 1})))
    async with client.responses.stream(model="m", input="Hi") as stream:
        events = await _collect(stream)
    types = [event.type for event in events]
    assert types[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert types[-1] == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert sum(isinstance(e, OutputTextDeltaEvent) for e in events) == 4
    assert not any(isinstance(e, UnknownEvent) for e in events)


async def test_final_response_equals_the_servers_terminal_response(
    server: LocalServer, client: AsyncClient
) -> None:
    """final_response() is the Response the terminal event carried."""
    server.add(Turn(Text("Hello there", deltas=2), ToolCall("lookup", {"q": "x"})))
    async with client.responses.stream(model="m", input="Hi") as stream:
        events = await _collect(stream)
        final = await stream.final_response()
    terminal = events[-1]
    assert isinstance(terminal, ResponseCompletedEvent)
    assert final == terminal.response
    assert final.output_text == "Hello there"
    assert final.status == "completed"


async def test_final_response_without_iterating(client: AsyncClient) -> None:
    """final_response() alone reads the whole stream."""
    async with client.responses.stream(model="m", input="Hi") as stream:
        final = await stream.final_response()
        again = await stream.final_response()
    assert final.output_text == "You said: Hi"
    assert again is final


async def test_text_deltas_yield_only_text(server: LocalServer, client: AsyncClient) -> None:
    """text_deltas() yields the output text pieces alone, which join to the whole text."""
    server.add(Turn(Text("one two three four", deltas=4), ToolCall("f")))
    async with client.responses.stream(model="m", input="Hi") as stream:
        pieces = [piece async for piece in stream.text_deltas()]
        final = await stream.final_response()
    assert len(pieces) == 4
    assert "".join(pieces) == "one two three four" == final.output_text


async def test_incomplete_stream_returns_its_response(
    server: LocalServer, client: AsyncClient
) -> None:
    """A stream ending in response.incomplete gives its Response, not an error."""
    server.add(Turn("cut short", status="incomplete"))
    async with client.responses.stream(model="m", input="Hi") as stream:
        final = await stream.final_response()
    assert final.status == "incomplete"
    assert final.incomplete_details is not None


async def test_unknown_and_keepalive_events_are_yielded(
    server: LocalServer, client: AsyncClient
) -> None:
    """Vendor and keep-alive events arrive as UnknownEvent; SSE comments are skipped."""
    created = {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
    completed = {
        "type": "response.completed",
        "response": {"id": "r1", "status": "completed", "output": []},
    }
    server.add(
        Transcript(
            [
                created,
                ": OPENROUTER PROCESSING\n\n",
                {"type": "acme:trace", "span": 7},
                {"type": "response.keep_alive"},
                completed,
                "data: [DONE]\n\n",
            ]
        )
    )
    async with client.responses.stream(model="m", input="Hi") as stream:
        events = await _collect(stream)
        final = await stream.final_response()
    assert [e.type for e in events] == [
        "response.created",
        "acme:trace",
        "response.keep_alive",
        "response.completed",
    ]
    vendor = events[1]
    assert isinstance(vendor, UnknownEvent)
    assert vendor.raw["span"] == 7
    assert final.id == "r1"


async def test_a_huge_single_event_is_read(server: LocalServer, client: AsyncClient) -> None:
    """An event line far above aiohttp's 512 KiB line cap is decoded (iter_any, not readline)."""
    text = "word " * 150_000
    server.add(Turn(Text(text, deltas=3)))
    async with client.responses.stream(model="m", input="Hi") as stream:
        final = await stream.final_response()
    assert final.output_text == text


# -- errors inside the stream


@pytest.mark.parametrize("shape", ["spec", "flat", "openrouter"])
async def test_in_band_error_raises_stream_error_with_partial_response(
    server: LocalServer, client: AsyncClient, shape: Any
) -> None:
    """An error frame after HTTP 200, in any shape, raises StreamError with code and partial."""
    error = InBandError(code="server_error", message="model crashed", shape=shape)
    server.add(Turn("Hello world", stream_error=error, error_after=5))
    log: list[tuple[StreamEvent, float]] = []
    async with client.responses.stream(model="m", input="Hi") as stream:
        with pytest.raises(StreamError) as caught:
            await _record(stream, log)
        with pytest.raises(StreamError):
            await stream.final_response()
    assert any(isinstance(event, ErrorEvent) for event, _ in log)
    failure = caught.value
    assert failure.code == "server_error"
    assert failure.message == "model crashed"
    assert failure.retryable is True
    assert failure.generation_id == server.requests[0].generation_id
    assert isinstance(failure.response, Response)
    assert server.request_count == 1


async def test_failed_response_raises_stream_error(
    server: LocalServer, client: AsyncClient
) -> None:
    """response.failed raises StreamError carrying the failed Response and its error."""
    server.add(Turn("Hello", status="failed", error={"code": "server_error", "message": "gone"}))
    async with client.responses.stream(model="m", input="Hi") as stream:
        with pytest.raises(StreamError) as caught:
            await stream.final_response()
    assert caught.value.code == "server_error"
    assert caught.value.message == "gone"
    assert caught.value.response is not None
    assert caught.value.response.status == "failed"


@pytest.mark.parametrize("done", [True, False])
async def test_stream_without_terminal_event_raises(
    server: LocalServer, client: AsyncClient, done: bool
) -> None:
    """``[DONE]`` or end of body with no terminal event raises StreamError (no retry: content)."""
    server.add(Turn("Hello there", terminal=False, done=done))
    async with client.responses.stream(model="m", input="Hi") as stream:
        with pytest.raises(StreamError, match="terminal") as caught:
            await _collect(stream)
    assert caught.value.response is not None
    assert caught.value.response.output_text == "Hello there"
    assert server.request_count == 1


async def test_broken_connection_after_content_is_not_retried(
    server: LocalServer, client: AsyncClient
) -> None:
    """A connection dropped after the first content event raises StreamError, never retries."""
    server.add(Turn(Text("one two three four", deltas=4), drop_after=6))
    async with client.responses.stream(model="m", input="Hi") as stream:
        with pytest.raises(StreamError, match="broke off") as caught:
            await stream.final_response()
    assert caught.value.retryable is True
    assert caught.value.response is not None
    assert server.request_count == 1


async def test_failure_before_content_reconnects(server: LocalServer, client: AsyncClient) -> None:
    """A stream that breaks before its first content event is retried from scratch."""
    server.add(Turn("never shown", drop_after=2))
    async with client.responses.stream(model="m", input="Hi") as stream:
        final = await stream.final_response()
    assert final.output_text == "You said: Hi"
    assert server.request_count == 2


async def test_in_band_transient_error_before_content_reconnects(
    server: LocalServer, client: AsyncClient
) -> None:
    """OpenRouter's bare ``{"error": {"code": 502}}`` before any content is retried."""
    error = InBandError(code=502, message="Provider disconnected", shape="openrouter")
    server.add(Turn("x", stream_error=error, error_after=2, terminal=False))
    async with client.responses.stream(model="m", input="Hi") as stream:
        final = await stream.final_response()
    assert final.status == "completed"
    assert server.request_count == 2


async def test_status_error_on_open_is_retried_then_raised(
    server: LocalServer, client: AsyncClient
) -> None:
    """A refused stream raises its status error on entering ``async with``, after retries."""
    server.add(HTTPReply(429, headers={"retry-after-ms": "10"}), times=3)
    with pytest.raises(RateLimitError):
        async with client.responses.stream(model="m", input="Hi"):
            pass
    assert server.request_count == 3


async def test_status_error_on_open_then_success(server: LocalServer, client: AsyncClient) -> None:
    """A 503 before the stream starts is retried and the stream then runs."""
    server.add(HTTPReply(503))
    async with client.responses.stream(model="m", input="Hi") as stream:
        final = await stream.final_response()
    assert final.output_text == "You said: Hi"
    assert server.request_count == 2


# -- the watchdog


async def test_idle_stall_with_keepalive_comments_times_out(server: LocalServer) -> None:
    """Keep-alive comments do not feed the idle watchdog: the stall ends at stream_idle."""
    server.add(Turn("Hello world", stall_after=4, keepalive=0.05))
    timeout = Timeout(stream_idle=0.4)
    log: list[tuple[StreamEvent, float]] = []
    async with (
        AsyncClient(base_url=server.base_url, timeout=timeout, retry_policy=FAST) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        with pytest.raises(APITimeoutError, match=r"stream_idle") as caught:
            await _record(stream, log)
        waited = time.monotonic() - log[-1][1]
        partial = stream.current_response
    assert 0.4 <= waited < 1.2
    assert caught.value.retryable
    assert partial is not None
    assert partial.id is not None
    assert partial.id.startswith("resp_local_")
    await server.wait_disconnects(1)
    assert server.request_count == 1


async def test_keepalive_events_do_not_reset_the_watchdog(server: LocalServer) -> None:
    """``response.keep_alive`` events are yielded but do not count as progress."""
    created = {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
    item = {
        "type": "response.output_item.added",
        "output_index": 0,
        "item": {"type": "message", "id": "m1", "role": "assistant", "content": []},
    }
    keepalives = [{"type": "response.keep_alive"}] * 40
    server.add(Transcript([created, item, *keepalives], event_delay=0.05))
    timeout = Timeout(stream_idle=0.4)
    log: list[tuple[StreamEvent, float]] = []
    async with (
        AsyncClient(base_url=server.base_url, timeout=timeout, retry_policy=FAST) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await _record(stream, log)
        elapsed = time.monotonic() - started
    assert sum(event.type == "response.keep_alive" for event, _ in log) >= 3
    assert 0.4 <= elapsed < 1.3
    await server.wait_disconnects(1)


async def test_stall_before_content_is_retried_then_times_out(server: LocalServer) -> None:
    """An idle timeout before any content is retried like a connection error."""
    server.add(Turn("Hello", stall_after=1, keepalive=0.05), times=2)
    timeout = Timeout(stream_idle=0.2)
    async with (
        AsyncClient(
            base_url=server.base_url, timeout=timeout, retry_policy=FAST, max_retries=1
        ) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        with pytest.raises(APITimeoutError):
            await stream.final_response()
    assert server.request_count == 2


async def test_stream_total_bounds_a_slow_stream(server: LocalServer) -> None:
    """stream_total ends a stream that keeps making progress but runs too long."""
    server.add(Turn(Text("word " * 100, deltas=100), event_delay=0.02))
    timeout = Timeout(stream_idle=5, stream_total=0.4)
    async with AsyncClient(base_url=server.base_url, timeout=timeout) as client:
        started = time.monotonic()
        async with client.responses.stream(model="m", input="Hi") as stream:
            with pytest.raises(APITimeoutError, match=r"stream_total"):
                await stream.final_response()
    assert 0.4 <= time.monotonic() - started < 1.3
    await server.wait_disconnects(1)


async def test_silent_server_before_headers_times_out(server: LocalServer) -> None:
    """A server that never answers the request is bounded by stream_idle too."""
    server.add(Turn("late", delay=5.0))
    timeout = Timeout(stream_idle=0.2)
    async with AsyncClient(base_url=server.base_url, timeout=timeout, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            async with client.responses.stream(model="m", input="Hi"):
                pass
    assert time.monotonic() - started < 1.0


# -- releasing the connection


async def test_leaving_the_block_early_closes_the_connection(
    server: LocalServer, client: AsyncClient
) -> None:
    """Breaking out of the loop and leaving ``async with`` drops the connection at once."""
    server.add(Turn("Hello world", stall_after=5))
    async with client.responses.stream(model="m", input="Hi") as stream:
        async for event in stream:
            if event.type == "response.output_item.added":
                break
    assert stream.closed
    await server.wait_disconnects(1, timeout=2.0)


async def test_cancelling_the_reader_closes_the_connection(
    server: LocalServer, client: AsyncClient
) -> None:
    """Cancelling the task that reads the stream releases its connection."""
    server.add(Turn("Hello world", stall_after=4))
    started = asyncio.Event()

    async def read() -> None:
        async with client.responses.stream(model="m", input="Hi") as stream:
            async for _event in stream:
                started.set()

    task = asyncio.ensure_future(read())
    await started.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await server.wait_disconnects(1, timeout=2.0)


async def test_aclose_from_another_task_ends_the_reader(
    server: LocalServer, client: AsyncClient
) -> None:
    """aclose() from another task wakes the reader, which ends quietly; the server sees it."""
    server.add(Turn("Hello world", stall_after=4))
    async with client.responses.stream(model="m", input="Hi") as stream:
        fourth = asyncio.Event()

        async def read() -> None:
            async for event in stream:
                if event.sequence_number == 3:
                    fourth.set()

        reader = asyncio.ensure_future(read())
        await asyncio.wait_for(fourth.wait(), 2.0)
        await stream.aclose()
        await asyncio.wait_for(reader, 2.0)
        with pytest.raises(StreamError, match="closed"):
            await stream.final_response()
    await server.wait_disconnects(1, timeout=2.0)


async def test_finished_streams_reuse_the_connection(client: AsyncClient) -> None:
    """A stream read to its end hands its connection back to the pool."""
    for _ in range(3):
        async with client.responses.stream(model="m", input="Hi") as stream:
            await stream.final_response()
    connector = client._transport.session().connector
    assert connector is not None
    idle = [conn for conns in connector._conns.values() for conn in conns]
    assert len(idle) == 1  # one keep-alive connection, reused by each stream


async def test_stream_without_async_with_opens_lazily(client: AsyncClient) -> None:
    """Iterating a stream that was never entered opens it and closes it at the end."""
    stream = client.responses.stream(model="m", input="Hi")
    with pytest.raises(RuntimeError, match="not open"):
        _ = stream.status_code
    events = await _collect(stream)
    assert events[-1].type == "response.completed"
    assert stream.status_code == 200


async def test_dropped_stream_releases_its_connection(
    server: LocalServer, client: AsyncClient
) -> None:
    """A stream iterated without ``async with``, left by ``break`` and dropped, frees its socket."""
    server.add(Turn("Hello world", stall_after=5))
    stream = client.responses.stream(model="m", input="Hi")
    async for event in stream:
        if event.type == "response.output_item.added":
            break
    del stream
    gc.collect()
    await server.wait_disconnects(1, timeout=2.0)


async def test_cancel_while_waiting_for_headers_stays_a_cancel(server: LocalServer) -> None:
    """Cancelling a stream that waits for its headers raises CancelledError, not a timeout."""
    server.add(Turn("late", delay=5.0))
    timeout = Timeout(stream_idle=3.0)
    async with AsyncClient(base_url=server.base_url, timeout=timeout) as client:

        async def open_stream() -> None:
            async with client.responses.stream(model="m", input="Hi"):
                pass

        task = asyncio.ensure_future(open_stream())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    await server.wait_disconnects(1, timeout=2.0)
