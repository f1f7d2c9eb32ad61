"""Hooks in WebSocket mode: a turn is one call (its handshake among its attempts), and
``connect()`` opening the socket is a ``"websocket.connect"`` call, its result the connection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from test_hooks_calls import Propagator, Recorder

from _support import FAST, make_client
from openresponses import (
    AsyncClient,
    RateLimitError,
    Response,
    ServiceUnavailableError,
    StreamError,
)
from openresponses.testing import HTTPReply, LocalServer, Turn

pytestmark = pytest.mark.anyio


@pytest.fixture
def recorder() -> Recorder:
    """A fresh recording hook."""
    return Recorder()


@pytest.fixture
async def client(server: LocalServer, recorder: Recorder) -> AsyncIterator[AsyncClient]:
    """A client of the shared server with quick retries and the recorder."""
    async with make_client(server.base_url, hooks=[recorder]) as c:
        yield c


async def test_connect_then_a_turn(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """connect() is a websocket.connect call (101, the connection as result); a turn is a
    websocket call: the message as body, one attempt, its events, its Response."""
    async with client.responses.connect() as conn:
        response = await conn.create(model="m", input="Hi")
    ws_url = server.base_url.replace("http://", "ws://") + "/responses"
    connect, turn = (call for name, call, _ in recorder.seen if name == "request")
    assert (connect.operation, connect.method, connect.url) == (
        "websocket.connect",
        "WEBSOCKET",
        ws_url,
    )
    assert connect.body is None
    assert (turn.operation, turn.method, turn.url) == ("websocket", "WEBSOCKET", ws_url)
    assert turn.body == {"type": "response.create", "model": "m", "input": "Hi"}
    assert recorder.names() == [
        "request",
        "attempt",
        "response",
        "request",
        "attempt",
        "events",
        "response",
    ]
    first, second = recorder.of("attempt")
    assert (first.status_code, first.error) == (101, None)
    assert (second.status_code, second.error) == (101, None)
    assert recorder.of("response") == [conn, response]
    assert isinstance(response, Response)
    assert recorder.of("event")[-1].response.id == response.id


async def test_a_turn_refused_by_an_error_event_is_retried(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """A 429 error event before the turn's first event: an attempt with that status and a wait."""
    async with client.responses.connect() as conn:
        recorder.seen.clear()
        server.add(HTTPReply(429))
        await conn.create(model="m", input="Hi")
    first, second = recorder.of("attempt")
    assert (first.number, first.status_code, first.retry_in) == (1, 429, FAST.backoff(0))
    assert isinstance(first.error, RateLimitError)
    assert (second.number, second.status_code, second.retry_in) == (2, 101, None)
    assert recorder.names()[-1] == "response"


async def test_a_turn_that_opens_the_socket_sends_added_headers_with_its_handshake(
    server: LocalServer, recorder: Recorder
) -> None:
    """A turn on an unopened connection: the handshake is its attempt (no websocket.connect
    call), and the header and body field its hook added go with the handshake and message."""
    async with make_client(server.base_url, hooks=[Propagator(), recorder]) as client:
        conn = client.responses.connect()
        try:
            await conn.create(model="m", input="Hi")
        finally:
            await conn.aclose()
    assert [call.operation for name, call, _ in recorder.seen if name == "request"] == ["websocket"]
    [turn] = server.requests
    assert turn.websocket
    assert turn.headers["traceparent"].startswith("00-0af7651916cd43dd")
    assert turn.json["trace"] == {"trace_id": "0af7651916cd43dd8448eb211c80319c"}


async def test_a_refused_handshake_is_an_attempt_of_connect(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """connect() retried after a 503 handshake: two attempts, then the connection."""
    server.refuse_websocket(HTTPReply(503))
    async with client.responses.connect() as conn:
        pass
    first, second = recorder.of("attempt")
    assert (first.status_code, first.retry_in) == (503, FAST.backoff(0))
    assert isinstance(first.error, ServiceUnavailableError)
    assert (second.status_code, second.retry_in) == (101, None)
    assert recorder.of("response") == [conn]


async def test_a_turn_that_breaks_reports_its_error_once(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """A socket dropped mid-turn after content: on_error once, with the StreamError."""
    async with client.responses.connect() as conn:
        recorder.seen.clear()
        server.add(Turn("Hello there world", drop_after=6))
        with pytest.raises(StreamError) as caught:
            await conn.create(model="m", input="Hi")
    assert recorder.names() == ["request", "attempt", "events", "error"]
    assert recorder.of("error") == [caught.value]
