"""Hooks on streams: the call starts when the stream opens, each connect is an attempt, every
event is reported, and the call ends once (its final Response, or the failure, early close or
cancellation that ended it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from test_hooks_calls import Propagator, Recorder

from _support import FAST, make_client
from openresponses import (
    AsyncClient,
    AsyncResponseStream,
    BadRequestError,
    CallInfo,
    Hook,
    ResponseCompletedEvent,
    ServiceUnavailableError,
    StreamError,
    http_info,
)
from openresponses.testing import HTTPReply, LocalServer, Turn

pytestmark = pytest.mark.anyio


async def _read_all(stream: AsyncResponseStream) -> None:
    async with stream:
        await stream.final_response()


@pytest.fixture
def recorder() -> Recorder:
    """A fresh recording hook."""
    return Recorder()


@pytest.fixture
async def client(server: LocalServer, recorder: Recorder) -> AsyncIterator[AsyncClient]:
    """A client of the shared server with quick retries and the recorder."""
    async with make_client(server.base_url, hooks=[recorder]) as c:
        yield c


async def test_a_stream_reports_each_event_then_its_final_response(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """The call starts at the open; one attempt; every event read; on_response gets the final
    Response (with its HTTP facts)."""
    stream = client.responses.stream(model="m", input="Hi")
    assert recorder.seen == []  # building a stream starts no call
    async with stream:
        events = [event async for event in stream]
        final = await stream.final_response()
    assert recorder.names() == ["request", "attempt", "events", "response"]
    assert recorder.of("event") == events
    assert recorder.of("response") == [final]
    assert recorder.of("response")[0] is final
    call = recorder.call()
    assert (call.operation, call.method) == ("stream", "POST")
    assert call.headers == {"Accept": "text/event-stream"}
    assert call.request_headers["Accept"] == "text/event-stream"
    [attempt] = recorder.of("attempt")
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, None)
    info = http_info(final)
    assert info is not None
    assert info.generation_id == server.requests[0].generation_id


async def test_the_final_response_is_reported_without_final_response(
    client: AsyncClient, recorder: Recorder
) -> None:
    """A stream left right after its terminal event still reports on_response, not an error."""
    async with client.responses.stream(model="m", input="Hi") as stream:
        async for event in stream:
            if isinstance(event, ResponseCompletedEvent):
                break
    assert recorder.names() == ["request", "attempt", "events", "response"]
    [response] = recorder.of("response")
    assert response.output_text == "You said: Hi"


async def test_a_broken_stream_reports_its_error_once(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """A connection dropped after content: on_error once with the StreamError, no response."""
    server.add(Turn("Hello there world", drop_after=6))
    with pytest.raises(StreamError) as caught:
        await _read_all(client.responses.stream(model="m", input="Hi"))
    assert recorder.names() == ["request", "attempt", "events", "error"]
    assert recorder.of("error") == [caught.value]


async def test_an_early_closed_stream_reports_an_error_once(
    client: AsyncClient, recorder: Recorder
) -> None:
    """Leaving the block before the terminal event: on_error once, a StreamError."""
    async with client.responses.stream(model="m", input="Hi") as stream:
        await stream.__anext__()
    assert recorder.names() == ["request", "attempt", "events", "error"]
    [error] = recorder.of("error")
    assert isinstance(error, StreamError)
    assert "closed before a terminal event" in str(error)


async def test_a_cancelled_stream_reports_the_cancellation_once(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """Cancelling the reading task: on_error once, with the CancelledError."""
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
    assert recorder.names() == ["request", "attempt", "events", "error"]
    [error] = recorder.of("error")
    assert isinstance(error, asyncio.CancelledError)


async def test_a_stream_refused_at_the_open_reports_its_error(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """A refusal raised by `async with`: its attempt, then on_error once."""
    server.add(HTTPReply(400))
    with pytest.raises(BadRequestError) as caught:
        async with client.responses.stream(model="m", input="Hi"):
            pass
    assert recorder.names() == ["request", "attempt", "error"]
    assert recorder.of("error") == [caught.value]
    assert recorder.of("attempt")[0].status_code == 400


async def test_reconnects_are_attempts_and_carry_the_added_headers(
    server: LocalServer, recorder: Recorder
) -> None:
    """A 503, then a stream cut before content, then a good one: each decision is reported, and
    every request carries what on_request added."""
    server.add(HTTPReply(503), Turn("Hi", drop_after=0))
    async with make_client(server.base_url, hooks=[Propagator(), recorder]) as client:
        await _read_all(client.responses.stream(model="m", input="Hi"))
    attempts = recorder.of("attempt")
    assert [(a.number, a.status_code, a.retry_in) for a in attempts] == [
        (1, 503, FAST.backoff(0)),
        (2, 200, None),  # its status line
        (2, 200, FAST.backoff(1)),  # then its events broke before content
        (3, 200, None),
    ]
    assert isinstance(attempts[0].error, ServiceUnavailableError)
    assert isinstance(attempts[2].error, StreamError)
    assert recorder.names()[-1] == "response"
    assert len(server.requests) == 3
    for request in server.requests:
        assert request.headers["traceparent"].startswith("00-")
        assert request.json["trace"]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"


async def test_events_cost_nothing_unless_a_hook_overrides_on_event(server: LocalServer) -> None:
    """With no on_event override the attempt reads events with its source's own parse."""
    done: list[Any] = []

    class Ends(Hook):
        def on_response(self, call: CallInfo, result: Any) -> None:
            done.append(result)

    async with (
        make_client(server.base_url, hooks=[Ends()]) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        attempt = stream._attempt
        assert attempt is not None
        assert attempt.parse == attempt.source.parse
        final = await stream.final_response()
    assert done == [final]
