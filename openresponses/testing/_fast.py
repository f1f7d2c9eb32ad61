"""The benchmark path: a bare asyncio HTTP/1.1 responder serving precomputed answers.

aiohttp's server costs about as much per request as a client does, so a benchmark against it would
measure the server. This protocol does the least HTTP/1.1 that clients need (keep-alive, pipelining,
``Content-Length`` bodies) and answers every ``POST .../responses`` with bytes built once (and
``POST .../responses/compact`` with the default compaction).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import orjson

from ._catalog import model_entry
from ._compact import compact
from ._items import Text
from ._replies import Turn
from ._script import RecordedRequest, _Context
from ._wire import DONE_FRAME

if TYPE_CHECKING:
    from ._server import LocalServer

__all__ = ["FastProtocol", "FastServer", "precompute"]

_MAX_HEAD = 64 * 1024
_WORDS = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit")
Answer = Callable[[bool, int | None], bytes]


def _response(status: str, content_type: bytes, body: bytes, generation_id: bytes) -> bytes:
    return b"".join(
        (
            b"HTTP/1.1 ",
            status.encode(),
            b"\r\nContent-Type: ",
            content_type,
            b"\r\nContent-Length: ",
            str(len(body)).encode(),
            b"\r\nX-Generation-Id: ",
            generation_id,
            b"\r\n\r\n",
            body,
        )
    )


class FastProtocol(asyncio.Protocol):
    """One connection: parse request heads, skip bodies, write precomputed replies."""

    def __init__(
        self,
        answer: Answer,
        models: bytes,
        on_request: Callable[[], int],
        connections: set[FastProtocol],
    ) -> None:
        self._answer = answer
        self._models = models
        self._on_request = on_request
        self._connections = connections
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A TCP server's transports are asyncio.Transport (BaseTransport is only the annotation).
        self._transport = cast("asyncio.Transport", transport)
        self._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._connections.discard(self)

    def close(self) -> None:
        """Close the connection (the server is shutting down)."""
        if self._transport is not None:
            self._transport.close()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._transport is not None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    self._fail("431 Request Header Fields Too Large")
                return
            head = bytes(self._buffer[:end]).lower()
            length = _content_length(head)
            if length is None:
                self._fail("411 Length Required")
                return
            start = end + 4
            if len(self._buffer) < start + length:
                return
            body = bytes(self._buffer[start : start + length])
            del self._buffer[: start + length]
            self._reply(head, body)

    def _reply(self, head: bytes, body: bytes) -> None:
        if self._transport is None:  # data comes only after connection_made
            return
        request_line = head.split(b"\r\n", 1)[0]
        number = self._on_request()
        generation_id = b"gen-local-%d" % number
        if request_line.startswith(b"get ") and b"/models" in request_line:
            reply = _response("200 OK", b"application/json", self._models, generation_id)
        elif request_line.startswith(b"post ") and b"/responses" in request_line:
            try:
                parsed = orjson.loads(body)
            except orjson.JSONDecodeError:
                parsed = None
            if b"/responses/compact" in request_line:
                status, answer = compact(parsed, number=number, created_at=int(time.time()))
                phrase = "200 OK" if status == 200 else "400 Bad Request"
                reply = _response(phrase, b"application/json", orjson.dumps(answer), generation_id)
            elif not isinstance(parsed, dict):
                error = (
                    b'{"error":{"message":"The request body must be a JSON object.","code":400}}'
                )
                reply = _response("400 Bad Request", b"application/json", error, generation_id)
            else:
                stream = parsed.get("stream") is True
                kind = b"text/event-stream" if stream else b"application/json"
                payload = self._answer(stream, _header_int(head, b"x-openresponses-deltas"))
                reply = _response("200 OK", kind, payload, generation_id)
        else:
            reply = _response("404 Not Found", b"text/plain", b"Not Found", generation_id)
        self._transport.write(reply)
        if b"\r\nconnection: close" in head:
            self._transport.close()

    def _fail(self, status: str) -> None:
        if self._transport is None:
            return
        self._transport.write(_response(status, b"text/plain", status.encode(), b"gen-local-0"))
        self._transport.close()


def _header_int(head: bytes, name: bytes) -> int | None:
    at = head.find(b"\r\n" + name + b":")
    if at < 0:
        return None
    value = head[at + len(name) + 3 :].split(b"\r\n", 1)[0].strip()
    return int(value) if value.isdigit() else None


def _content_length(head: bytes) -> int | None:
    if b"\r\ntransfer-encoding:" in head:
        return None
    length = _header_int(head, b"content-length")
    return 0 if length is None else length


def precompute(model: str, stream: bool, deltas: int) -> bytes:
    """The whole answer of ``deltas`` words, as an event stream or as a JSON body."""
    text = " ".join(_WORDS[i % len(_WORDS)] for i in range(deltas))
    recorded = RecordedRequest(
        method="POST",
        path="/v1/responses",
        json={"model": model, "input": "fast", "stream": stream},
    )
    ctx = _Context(
        request=recorded, response_id="resp_local_fast", created_at=int(time.time()), model=model
    )
    # One word per delta: the words are joined by single spaces, so there are exactly `deltas`.
    plan = Turn(Text(text))._plan(ctx)
    return b"".join((*plan.frames, DONE_FRAME)) if stream else plan.body


class FastServer:
    """The listening socket of a ``LocalServer(fast=True)``, with its answers built once each."""

    def __init__(self, server: LocalServer) -> None:
        self._server = server
        self._cache: dict[tuple[bool, int], bytes] = {}
        self._connections: set[FastProtocol] = set()
        self._listener: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port``; returns the port bound."""
        models = orjson.dumps({"object": "list", "data": [model_entry(self._server.model)]})
        loop = asyncio.get_running_loop()

        def protocol() -> FastProtocol:
            return FastProtocol(self._answer, models, self._count, self._connections)

        # A batch opens hundreds of connections at once; the default backlog (100) drops SYNs.
        self._listener = await loop.create_server(protocol, host, port, backlog=1024)
        bound: int = self._listener.sockets[0].getsockname()[1]
        return bound

    async def close(self) -> None:
        """Stop listening and close every connection."""
        listener, self._listener = self._listener, None
        if listener is None:
            return
        listener.close()
        for connection in list(self._connections):
            connection.close()
        await listener.wait_closed()

    def _count(self) -> int:
        self._server.request_count += 1
        return self._server.request_count

    def _answer(self, stream: bool, deltas: int | None) -> bytes:
        key = (stream, deltas or self._server.deltas or 20)
        payload = self._cache.get(key)
        if payload is None:
            if len(self._cache) > 64:
                self._cache.clear()
            payload = self._cache[key] = precompute(self._server.model, *key)
        return payload
