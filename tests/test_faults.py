"""Faults: each way a server or network can fail, for create() and stream(), outcome pinned.

Each test asserts the documented outcome (a result, or the typed error carrying what arrived), the
number of attempts the retry policy allows (counted on the server), the time it took, and that the
connection was released (the server saw the client go, and the pool holds no acquired connection).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import aiohttp
import orjson
import pytest

from _support import make_client
from openresponses import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    BadGatewayError,
    BadRequestError,
    EdgeTimeoutError,
    InternalServerError,
    OpenResponsesError,
    OutputTextDeltaEvent,
    ProviderOverloadedError,
    RateLimitError,
    Response,
    ResponseValidationError,
    ServiceUnavailableError,
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
    Transcript,
    Turn,
)

pytestmark = pytest.mark.anyio

Mode = Literal["create", "stream"]
MODES: list[Mode] = ["create", "stream"]
WORDS = "alpha beta gamma delta epsilon zeta eta theta"


# -- helpers


async def call(client: AsyncClient, mode: Mode, **params: Any) -> Response:
    """One request through create() or through a stream read to its final response."""
    if mode == "create":
        return await client.responses.create(model="m", input="Hi", **params)
    async with client.responses.stream(model="m", input="Hi", **params) as stream:
        return await stream.final_response()


async def read_events(
    client: AsyncClient, seen: list[StreamEvent], **params: Any
) -> Response | None:
    """Stream, appending each event to ``seen`` as it arrives (kept when the stream fails)."""
    async with client.responses.stream(model="m", input="Hi", **params) as stream:
        async for event in stream:
            seen.append(event)  # noqa: PERF401 (kept event by event: the read may fail midway)
        return await stream.final_response()


def acquired(client: AsyncClient) -> int:
    """Connections the client's pool has handed out and not taken back."""
    session = client._transport._session
    if session is None or session.connector is None:
        return 0
    return len(session.connector._acquired)


def deltas_of(events: list[StreamEvent]) -> str:
    return "".join(e.delta for e in events if isinstance(e, OutputTextDeltaEvent))


def response_body(text: str, *, status: str = "completed", rid: str = "resp_x") -> dict[str, Any]:
    """A complete response object with one assistant message."""
    return {
        "id": rid,
        "object": "response",
        "created_at": 1,
        "status": status,
        "model": "m",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
    }


def opening_events(text_deltas: list[str]) -> list[dict[str, Any]]:
    """created, in_progress, one message item and its part, then the given deltas."""
    shell = {"id": "resp_x", "object": "response", "status": "in_progress", "output": []}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": shell},
        {"type": "response.in_progress", "response": shell},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []},
        },
        {
            "type": "response.content_part.added",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "output_text", "text": "", "annotations": []},
        },
    ]
    events += [
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": delta,
        }
        for delta in text_deltas
    ]
    return events


def completed_event(text: str) -> dict[str, Any]:
    return {"type": "response.completed", "response": response_body(text)}


RawReply = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


class RawServer:
    """A bare TCP server on 127.0.0.1: reads one HTTP request per connection, then runs ``reply``.

    ``reply`` returns True to wait until the client closes the connection (counted in
    ``hangups``), False when it closed the connection itself.
    """

    def __init__(self, reply: RawReply) -> None:
        self.reply = reply
        self.requests = 0
        self.hangups = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def wait_hangups(self, count: int, timeout: float = 3.0) -> None:
        deadline = time.monotonic() + timeout
        while self.hangups < count:
            assert time.monotonic() < deadline, f"{self.hangups} hang-ups seen, wanted {count}"
            await asyncio.sleep(0.005)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            self.requests += 1
            if await self.reply(reader, writer):
                while await reader.read(65536):
                    pass
                self.hangups += 1
        except (ConnectionError, asyncio.IncompleteReadError):
            self.hangups += 1
        finally:
            self._tasks.discard(task)
            writer.transport.abort()


def _head(status: str = "200 OK", content_type: str = "application/json", **extra: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def counting_trace() -> tuple[aiohttp.TraceConfig, list[str]]:
    """A trace config that records every attempt the client starts."""
    attempts: list[str] = []
    trace = aiohttp.TraceConfig()

    async def on_start(_session: Any, _ctx: Any, params: Any) -> None:
        attempts.append(str(params.url))

    trace.on_request_start.append(on_start)
    return trace, attempts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- the network fails


@pytest.mark.parametrize("mode", MODES)
async def test_connection_refused(mode: Mode) -> None:
    """A refused connection: APIConnectionError (not a timeout) after 1 + max_retries attempts."""
    trace, attempts = counting_trace()
    client = make_client(f"http://127.0.0.1:{free_port()}/v1", trace_configs=[trace])
    async with client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError) as caught:
            await call(client, mode)
        elapsed = time.monotonic() - started
        assert acquired(client) == 0
    assert not isinstance(caught.value, APITimeoutError)
    assert caught.value.retryable
    assert len(attempts) == 3
    assert elapsed < 1.0


@pytest.mark.parametrize("mode", MODES)
async def test_reset_before_headers(mode: Mode) -> None:
    """A TCP reset after the request, before any header: APIConnectionError after 3 attempts."""

    async def reset(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return False

    async with RawServer(reset) as raw, make_client(raw.base_url) as client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError) as caught:
            await call(client, mode)
        assert time.monotonic() - started < 1.0
        assert acquired(client) == 0
    assert not isinstance(caught.value, APITimeoutError)
    assert raw.requests == 3


async def test_close_mid_stream_after_text(server: LocalServer) -> None:
    """A stream cut after some text: StreamError carrying the partial response with that text."""
    server.add(Turn(Text(WORDS), drop_after=7))  # created..part.added, then 3 deltas
    seen: list[StreamEvent] = []
    async with make_client(server.base_url) as client:
        with pytest.raises(StreamError, match="broke off") as caught:
            await read_events(client, seen)
        assert acquired(client) == 0
    partial = caught.value.response
    assert partial is not None
    assert partial.output_text == deltas_of(seen) == "alpha beta gamma"
    assert isinstance(caught.value.__cause__, APIConnectionError)
    assert caught.value.generation_id == server.requests[0].generation_id
    assert server.request_count == 1  # content was shown: never retried


async def test_close_mid_body_create(server: LocalServer) -> None:
    """A plain body cut halfway: APIConnectionError after 1 + max_retries attempts."""
    server.add(Turn("Hello there", drop_after=0), times=3)
    async with make_client(server.base_url) as client:
        with pytest.raises(APIConnectionError, match=r"broken off|disconnected") as caught:
            await call(client, "create")
        assert acquired(client) == 0
    assert not isinstance(caught.value, APITimeoutError)
    assert server.request_count == 3


# -- the server goes quiet


async def test_keepalive_only_stall_times_out_stream(server: LocalServer) -> None:
    """Keep-alive comments only, after content: APITimeoutError at stream_idle, no retry."""
    server.add(Turn(Text(WORDS), stall_after=6, keepalive=0.025))
    seen: list[StreamEvent] = []
    client = make_client(server.base_url, timeout=Timeout(stream_idle=0.15))
    async with client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="stream_idle"):
            await read_events(client, seen)
        raised = time.monotonic()
        assert acquired(client) == 0
    assert 0.15 <= raised - started < 0.65  # the first events arrive at once, then the stall
    assert deltas_of(seen) == "alpha beta"
    await server.wait_disconnects(1, timeout=1.0)
    assert server.request_count == 1


async def test_keepalive_only_stall_times_out_create() -> None:
    """A plain body that only trickles whitespace is bounded by timeout.total, then retried."""

    async def trickle(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(_head(Content_Length="100000"))
        for _ in range(200):
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(0.025)
        return True

    async with RawServer(trickle) as raw:
        client = make_client(raw.base_url, timeout=Timeout(total=0.15), max_retries=1)
        async with client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError, match=r"timeout\.total"):
                await call(client, "create")
            elapsed = time.monotonic() - started
            assert acquired(client) == 0
        await raw.wait_hangups(2)
    assert raw.requests == 2
    assert 0.3 <= elapsed < 1.2


@pytest.mark.parametrize("mode", MODES)
async def test_total_silence_before_headers(server: LocalServer, mode: Mode) -> None:
    """No byte at all: APITimeoutError after 1 + max_retries attempts, each bounded and hung up."""
    server.add(HTTPReply(200, body={}, delay=30), times=2)
    timeout = Timeout(total=0.15, stream_idle=0.15)
    async with make_client(server.base_url, timeout=timeout, max_retries=1) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await call(client, mode)
        elapsed = time.monotonic() - started
        assert acquired(client) == 0
    await server.wait_disconnects(2, timeout=2.0)
    assert server.request_count == 2
    assert 0.3 <= elapsed < 1.2


async def test_total_silence_after_headers_stream(server: LocalServer) -> None:
    """Headers, then nothing: the idle watchdog fires; no content yet, so it is retried once."""
    server.add(Turn("late", stall_after=0), times=2)
    timeout = Timeout(stream_idle=0.15)
    async with make_client(server.base_url, timeout=timeout, max_retries=1) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="stream_idle"):
            await call(client, "stream")
        elapsed = time.monotonic() - started
        assert acquired(client) == 0
    await server.wait_disconnects(2, timeout=2.0)
    assert server.request_count == 2
    assert 0.3 <= elapsed < 1.2


async def test_slow_drip_succeeds_stream(server: LocalServer) -> None:
    """Events every 0.03 s for over three times stream_idle=0.2: the stream completes."""
    text = " ".join(f"w{i}" for i in range(16))
    server.add(Turn(Text(text), event_delay=0.03))
    async with make_client(server.base_url, timeout=Timeout(stream_idle=0.2)) as client:
        started = time.monotonic()
        final = await call(client, "stream")
        elapsed = time.monotonic() - started
        assert acquired(client) == 0
    assert final.output_text == text
    assert elapsed >= 0.6
    assert server.request_count == 1


async def test_slow_drip_succeeds_create() -> None:
    """A body dripped for longer than stream_idle, within timeout.total: it succeeds, no retry."""
    body = orjson.dumps(response_body("dripped"))
    step = len(body) // 20 + 1

    async def drip(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(_head(Content_Length=str(len(body))))
        for start in range(0, len(body), step):
            await asyncio.sleep(0.025)
            writer.write(body[start : start + step])
            await writer.drain()
        return True

    async with RawServer(drip) as raw:
        client = make_client(raw.base_url, timeout=Timeout(total=3, stream_idle=0.2))
        async with client:
            started = time.monotonic()
            final = await call(client, "create")
            elapsed = time.monotonic() - started
            assert acquired(client) == 0
    assert final.output_text == "dripped"
    assert elapsed >= 0.45
    assert raw.requests == 1


# -- the payload is broken


async def test_truncated_json_body_create(server: LocalServer) -> None:
    """HTTP 200 whose JSON is cut short: ResponseValidationError carrying the raw body, no retry."""
    whole = orjson.dumps(response_body("Hello"))
    cut = whole[: len(whole) // 2]
    server.add(HTTPReply(200, body=cut, content_type="application/json"))
    async with make_client(server.base_url) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await call(client, "create")
        assert acquired(client) == 0
    assert caught.value.payload == cut
    assert server.request_count == 1


async def test_truncated_event_at_end_of_stream(server: LocalServer) -> None:
    """A stream ending inside its terminal event: StreamError with the text that arrived."""
    events = opening_events(["Hel", "lo"])
    tail = b"data: " + orjson.dumps(completed_event("Hello"))[:40]  # no blank line, no [DONE]
    server.add(Transcript([*events, tail]))
    seen: list[StreamEvent] = []
    async with make_client(server.base_url) as client:
        with pytest.raises(StreamError, match="terminal") as caught:
            await read_events(client, seen)
        assert acquired(client) == 0
    assert caught.value.response is not None
    assert caught.value.response.output_text == "Hello"
    assert server.request_count == 1


async def test_invalid_json_on_one_data_line(server: LocalServer) -> None:
    """One data line that is not JSON: ResponseValidationError carrying that raw line."""
    bad = '{"type": "response.output_text.delta", "delta": "lo"'
    events = opening_events(["Hel"])
    server.add(
        Transcript([*events, f"data: {bad}\n\n", completed_event("Hello"), "data: [DONE]\n\n"])
    )
    seen: list[StreamEvent] = []
    async with make_client(server.base_url) as client:
        with pytest.raises(ResponseValidationError, match="JSON") as caught:
            await read_events(client, seen)
        assert acquired(client) == 0
    payload = caught.value.payload
    assert (payload.decode() if isinstance(payload, bytes) else payload) == bad
    assert deltas_of(seen) == "Hel"
    assert server.request_count == 1


@pytest.mark.parametrize("mode", MODES)
async def test_non_json_502_html_body(server: LocalServer, mode: Mode) -> None:
    """A 502 with an HTML page: BadGatewayError carrying the page, after 1 + max_retries tries."""
    page = "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
    server.add(HTTPReply(502, body=page, content_type="text/html"), times=3)
    async with make_client(server.base_url) as client:
        started = time.monotonic()
        with pytest.raises(BadGatewayError) as caught:
            await call(client, mode)
        assert time.monotonic() - started < 1.0
        assert acquired(client) == 0
    error = caught.value
    assert error.status_code == 502
    assert error.body == page
    assert "502 Bad Gateway" in error.message
    assert error.generation_id == server.requests[-1].generation_id
    assert server.request_count == 3


# -- sizes and counts


@pytest.mark.parametrize("mode", MODES)
async def test_ten_megabyte_completed_event(server: LocalServer, mode: Mode) -> None:
    """A 10 MB response (one response.completed line when streamed) is read whole."""
    text = "0123456789" * 1_000_000
    body = response_body(text, rid="resp_big")
    if mode == "create":
        server.add(HTTPReply(200, body=body))
    else:
        shell = {"id": "resp_big", "status": "in_progress", "output": []}
        server.add(
            Transcript(
                [
                    {"type": "response.created", "response": shell},
                    {"type": "response.completed", "response": body},
                ],
                done=True,
            )
        )
    async with make_client(server.base_url) as client:
        started = time.monotonic()
        final = await call(client, mode)
        assert time.monotonic() - started < 5.0
        assert acquired(client) == 0
    assert final.id == "resp_big"
    assert len(final.output_text) == 10_000_000
    assert final.output_text == text


async def test_hundred_thousand_deltas(server: LocalServer) -> None:
    """100,000 text deltas arrive in order and rebuild exactly the text that was sent."""
    text = "".join(f"{i % 10}" for i in range(100_000))
    server.add(Turn(Text(text, deltas=100_000)))
    pieces: list[str] = []
    async with make_client(server.base_url) as client:
        started = time.monotonic()
        async with client.responses.stream(model="m", input="Hi") as stream:
            pieces = [delta async for delta in stream.text_deltas()]
            final = await stream.final_response()
        assert time.monotonic() - started < 15.0
        assert acquired(client) == 0
    assert len(pieces) == 100_000
    assert "".join(pieces) == text
    assert final.output_text == text


async def test_unknown_events_interleaved_are_yielded(server: LocalServer) -> None:
    """Unknown event types between known ones are yielded in order, raw kept, none dropped."""
    known = [*opening_events(["Hel", "lo"]), completed_event("Hello")]
    frames: list[dict[str, Any]] = []
    for index, event in enumerate(known):
        frames.append(event)
        frames.append({"type": f"vendor.trace_{index}", "span": index, "data": {"k": [index]}})
    server.add(Transcript(frames, done=True))
    seen: list[StreamEvent] = []
    async with make_client(server.base_url) as client:
        final = await read_events(client, seen)
        assert acquired(client) == 0
    assert [event.type for event in seen] == [frame["type"] for frame in frames]
    unknown = [event for event in seen if isinstance(event, UnknownEvent)]
    assert len(unknown) == len(known)
    assert [event.raw for event in unknown] == frames[1::2]
    assert final is not None
    assert final.output_text == "Hello"


# -- outcomes reported by the server


@pytest.mark.parametrize("shape", ["spec", "flat", "openrouter"])
async def test_in_band_error_after_text(server: LocalServer, shape: Any) -> None:
    """An error frame after HTTP 200 and some text: StreamError with code, payload and partial."""
    error = InBandError(code="server_error", message="upstream died", shape=shape)
    server.add(Turn(Text(WORDS), stream_error=error, error_after=6))
    seen: list[StreamEvent] = []
    async with make_client(server.base_url) as client:
        with pytest.raises(StreamError) as caught:
            await read_events(client, seen)
        assert acquired(client) == 0
    failure = caught.value
    assert failure.code == "server_error"
    assert failure.message == "upstream died"
    assert failure.payload == error.payload(6)
    assert failure.response is not None
    assert failure.response.output_text == deltas_of(seen) == "alpha beta"
    assert server.request_count == 1


async def test_failed_response_stream(server: LocalServer) -> None:
    """response.failed: StreamError with the server's code and message, and the failed response."""
    failure = {"code": "server_error", "message": "the model failed"}
    server.add(Turn(Text(WORDS, deltas=4), status="failed", error=failure))
    async with make_client(server.base_url) as client:
        with pytest.raises(StreamError) as caught:
            await call(client, "stream")
        assert acquired(client) == 0
    assert caught.value.code == "server_error"
    assert caught.value.message == "the model failed"
    assert caught.value.response is not None
    assert caught.value.response.status == "failed"
    assert caught.value.response.output_text == WORDS
    assert server.request_count == 1


async def test_failed_response_create(server: LocalServer) -> None:
    """A plain answer with status failed is returned as it is, with its error object."""
    failure = {"code": "server_error", "message": "the model failed"}
    server.add(Turn("partial", status="failed", error=failure))
    async with make_client(server.base_url) as client:
        final = await call(client, "create")
        assert acquired(client) == 0
    assert final.status == "failed"
    assert final.error is not None
    assert final.error.code == "server_error"
    assert server.request_count == 1


@pytest.mark.parametrize("mode", MODES)
async def test_incomplete_response_is_returned(server: LocalServer, mode: Mode) -> None:
    """response.incomplete: final_response() / create() return it with its reason and text."""
    server.add(Turn(Text(WORDS), status="incomplete", incomplete_reason="max_output_tokens"))
    async with make_client(server.base_url) as client:
        final = await call(client, mode)
        assert acquired(client) == 0
    assert final.status == "incomplete"
    assert final.incomplete_details is not None
    assert final.incomplete_details.reason == "max_output_tokens"
    assert final.output_text == WORDS
    assert server.request_count == 1


@pytest.mark.parametrize("done", [True, False])
async def test_no_terminal_event_after_text(server: LocalServer, done: bool) -> None:
    """No terminal event ([DONE] or not): StreamError with the partial text, never retried."""
    server.add(Turn(Text(WORDS), terminal=False, done=done))
    async with make_client(server.base_url) as client:
        with pytest.raises(StreamError, match="terminal") as caught:
            await call(client, "stream")
        assert acquired(client) == 0
    assert caught.value.response is not None
    assert caught.value.response.output_text == WORDS
    assert server.request_count == 1


async def test_no_terminal_event_and_no_content_is_retried(server: LocalServer) -> None:
    """A stream that ends after response.created only is retried, then raises StreamError."""
    created = {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
    server.add(Transcript([created], done=True), times=3)
    async with make_client(server.base_url) as client:
        with pytest.raises(StreamError, match="terminal") as caught:
            await call(client, "stream")
        assert acquired(client) == 0
    assert caught.value.response is not None
    assert caught.value.response.id == "r1"
    assert server.request_count == 3


# -- retries


@pytest.mark.parametrize("mode", MODES)
async def test_429_retry_after_is_respected(server: LocalServer, mode: Mode) -> None:
    """429 with Retry-After: 0.2 waits at least 0.2 s (not the 0.01 s backoff), then succeeds."""
    server.add(HTTPReply(429, headers={"Retry-After": "0.2"}))
    async with make_client(server.base_url) as client:
        final = await call(client, mode)
        assert acquired(client) == 0
    assert final.output_text == "You said: Hi"
    first, second = server.requests
    assert 0.2 <= second.received_at - first.received_at < 0.6
    assert server.request_count == 2


@pytest.mark.parametrize("mode", MODES)
async def test_429_retries_exhausted(server: LocalServer, mode: Mode) -> None:
    """Three 429s with Retry-After: RateLimitError after 3 attempts, each wait honoured."""
    server.add(HTTPReply(429, headers={"Retry-After": "0.1"}), times=3)
    async with make_client(server.base_url) as client:
        started = time.monotonic()
        with pytest.raises(RateLimitError) as caught:
            await call(client, mode)
        elapsed = time.monotonic() - started
        assert acquired(client) == 0
    assert caught.value.headers["Retry-After"] == "0.1"
    assert server.request_count == 3
    assert 0.2 <= elapsed < 1.5  # three waits of 0.1 s, and room for a loaded machine


FIVE_XX: list[tuple[int, type[APIStatusError]]] = [
    (500, InternalServerError),
    (502, BadGatewayError),
    (503, ServiceUnavailableError),
    (524, EdgeTimeoutError),
    (529, ProviderOverloadedError),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "cls"), FIVE_XX)
async def test_5xx_run_exhausts_retries(
    server: LocalServer, mode: Mode, status: int, cls: type[APIStatusError]
) -> None:
    """A run of 5xx longer than the policy: the status's class, after exactly 3 attempts."""
    server.add(HTTPReply(status), times=3)
    async with make_client(server.base_url) as client:
        with pytest.raises(cls) as caught:
            await call(client, mode)
        assert acquired(client) == 0
    assert type(caught.value) is cls
    assert caught.value.status_code == status
    assert server.request_count == 3


@pytest.mark.parametrize("mode", MODES)
async def test_5xx_run_within_retries_succeeds(server: LocalServer, mode: Mode) -> None:
    """Two 5xx then an answer: the answer, after exactly 3 attempts."""
    server.add(HTTPReply(500), HTTPReply(503))
    async with make_client(server.base_url) as client:
        final = await call(client, mode)
        assert acquired(client) == 0
    assert final.output_text == "You said: Hi"
    assert server.request_count == 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("code", [502, "502", 503, 529])
async def test_openrouter_400_wrapping_a_transient_code_is_retried(
    server: LocalServer, mode: Mode, code: int | str
) -> None:
    """OpenRouter's HTTP 400 with error.code 502/503/529 is retried and then succeeds."""
    server.add(HTTPReply(400, body={"error": {"code": code, "message": "Provider returned error"}}))
    async with make_client(server.base_url) as client:
        final = await call(client, mode)
        assert acquired(client) == 0
    assert final.output_text == "You said: Hi"
    assert server.request_count == 2


@pytest.mark.parametrize("mode", MODES)
async def test_plain_400_is_not_retried(server: LocalServer, mode: Mode) -> None:
    """A real 400 (error.code 400) is final: BadRequestError after one attempt."""
    server.add(HTTPReply(400, body={"error": {"code": 400, "message": "bad input"}}))
    async with make_client(server.base_url) as client:
        with pytest.raises(BadRequestError, match="bad input"):
            await call(client, mode)
        assert acquired(client) == 0
    assert server.request_count == 1


# -- the caller gives up


async def test_cancelled_create_releases_the_connection() -> None:
    """A create() cancelled mid-body (wait_for) drops its connection: the server sees it go."""
    body = orjson.dumps(response_body("slow"))

    async def crawl(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(_head(Content_Length=str(len(body))) + body[:10])
        await writer.drain()
        return True

    async with RawServer(crawl) as raw, make_client(raw.base_url) as client:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(call(client, "create"), 0.3)
        await raw.wait_hangups(1, timeout=1.0)
        assert acquired(client) == 0
    assert raw.requests == 1


async def test_closing_the_client_wakes_a_stream_reader(server: LocalServer) -> None:
    """aclose() of the client while a stream is read ends that read at once, not at stream_idle."""
    server.add(Turn(Text(WORDS), stall_after=6))
    client = make_client(server.base_url, timeout=Timeout(stream_idle=5))
    shown = asyncio.Event()
    seen: list[StreamEvent] = []

    async def read() -> None:
        async with client.responses.stream(model="m", input="Hi") as stream:
            async for event in stream:
                seen.append(event)
                if isinstance(event, OutputTextDeltaEvent):
                    shown.set()

    reader = asyncio.ensure_future(read())
    await asyncio.wait_for(shown.wait(), 2.0)
    await client.aclose()
    started = time.monotonic()
    done, _ = await asyncio.wait({reader}, timeout=1.0)
    if not done:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    assert done, "the reader still waits for its stream after the client was closed"
    failure = reader.exception()
    assert failure is None or isinstance(failure, (OpenResponsesError, RuntimeError))
    assert time.monotonic() - started < 1.0
    await server.wait_disconnects(1, timeout=1.0)


async def test_closing_the_client_ends_a_pending_create(server: LocalServer) -> None:
    """aclose() while a create() waits for its answer ends that call within a second."""
    server.add(HTTPReply(200, body={}, delay=5))
    client = make_client(server.base_url)
    call_task = asyncio.ensure_future(call(client, "create"))
    await asyncio.sleep(0.2)
    await client.aclose()
    started = time.monotonic()
    with pytest.raises((OpenResponsesError, RuntimeError)):
        await asyncio.wait_for(call_task, 2.0)
    assert time.monotonic() - started < 1.0
    await server.wait_disconnects(1, timeout=1.0)
    assert server.request_count == 1
