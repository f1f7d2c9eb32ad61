"""WebSocket mode of the local server: ``GET /v1/responses`` upgraded, one turn per message.

Each socket has two tasks. The handler reads client messages all the time, so pings are answered
and a close is seen even in the middle of a turn; a worker plays the turns one after another, so a
``response.create`` that arrives while a turn is being sent waits for that turn to end (queued,
never refused). A turn takes the server's next reply exactly as an HTTP request does and sends the
events its HTTP stream would carry, one JSON text message per event, without ``[DONE]``.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import WSCloseCode, WSMsgType, web

from ._replies import HTTPReply
from ._script import RecordedRequest, _Plan
from ._sending import Dropped, pace

if TYPE_CHECKING:
    from ._server import LocalServer

__all__ = ["WebSockets", "error_event"]

# The keys the spec forbids in a `response.create` message (`x-openresponses-disallowed`).
FORBIDDEN = ("stream", "stream_options", "background")
KEEPALIVE = '{"type":"keepalive"}'
# How long aclose() lets a client answer the close frame before the transport is cut.
CLOSE_TIMEOUT = 0.5
MAX_MESSAGE = 256 * 1024 * 1024
_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


class _Socket:
    """One accepted socket: its handshake, and whether the server is the one ending it."""

    def __init__(self, request: web.Request, ws: web.WebSocketResponse, epoch: int) -> None:
        self.request = request
        self.ws = ws
        self.epoch = epoch
        self.ended_by_server = False

    def abort(self) -> None:
        """Close the connection like a network drop: what was sent arrives, no close frame."""
        self.ended_by_server = True
        transport = self.request.transport
        if transport is not None:
            transport.close()

    async def send(self, payload: bytes | str) -> None:
        await self.ws.send_str(payload if isinstance(payload, str) else payload.decode())


class WebSockets:
    """The WebSockets of one :class:`LocalServer`: handshakes, refusals, open sockets, turns."""

    def __init__(self, server: LocalServer) -> None:
        self._server = server
        self._open: set[_Socket] = set()
        self.refusals: collections.deque[HTTPReply] = collections.deque()

    @property
    def open_count(self) -> int:
        # A socket the server closed is gone at once, though its tasks may take a moment to end.
        return sum(not socket.ended_by_server for socket in self._open)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """``GET /v1/responses``: refuse the handshake as scripted, or serve the socket."""
        server = self._server
        ws = web.WebSocketResponse(
            autoping=True, max_msg_size=MAX_MESSAGE, compress=False, timeout=CLOSE_TIMEOUT
        )
        if not ws.can_prepare(request).ok:
            return _not_an_upgrade()
        if self.refusals:
            server.websocket_refused += 1
            plan = self.refusals.popleft()._plan(server._context(_HANDSHAKE, 0))
            if plan.delay:
                await asyncio.sleep(plan.delay)
            return web.Response(status=plan.status, body=plan.body, headers=plan.headers)
        await ws.prepare(request)
        server.websocket_connections += 1
        socket = _Socket(request, ws, server._epoch)
        self._open.add(socket)
        messages: asyncio.Queue[bytes] = asyncio.Queue()
        handler = asyncio.current_task()
        worker = asyncio.create_task(self._play_turns(socket, messages))
        tasks = {worker} if handler is None else {worker, handler}
        server._handlers.update(tasks)
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    messages.put_nowait(message.data.encode())
                elif message.type is WSMsgType.BINARY:
                    messages.put_nowait(message.data)
        finally:
            # Bookkeeping first: aiohttp may cancel this handler again while it waits below.
            self._open.discard(socket)
            server._handlers.difference_update(tasks)
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        return ws

    async def _play_turns(self, socket: _Socket, messages: asyncio.Queue[bytes]) -> None:
        while True:
            raw = await messages.get()
            try:
                await self._turn(socket, raw)
            except ConnectionError:
                return  # the socket is gone

    async def _turn(self, socket: _Socket, raw: bytes) -> None:
        server = self._server
        epoch = socket.epoch
        if epoch != server._epoch:
            return
        server.request_count += 1
        number = next(server._ids)
        message, problem = _read(raw)
        recorded = RecordedRequest(
            method="WEBSOCKET",
            path=socket.request.path,
            query=socket.request.query,
            headers=socket.request.headers,
            body=raw,
            json=message,
            generation_id=f"gen-local-{number}",
        )
        server.requests.append(recorded)
        if problem is not None:
            await socket.send(orjson.dumps(problem))
            return
        try:
            reply = await server._resolve(server._next_reply(), recorded)
            plan = reply._plan(server._context(recorded, number))
            server._catalog.record(recorded, plan)
        except Exception as exc:  # a script's bug: a 500, logged, as aiohttp does over HTTP
            asyncio.get_running_loop().call_exception_handler(
                {"message": "LocalServer: a reply failed on a WebSocket turn", "exception": exc}
            )
            text = f"The reply raised {type(exc).__name__}: {exc}"
            await socket.send(orjson.dumps(_error(500, "server_error", text, kind="server_error")))
            return
        server.in_flight += 1
        try:
            await _play(socket, plan)
        except Dropped:
            socket.abort()
        except (ConnectionError, asyncio.CancelledError):
            if not socket.ended_by_server and not server._closing and epoch == server._epoch:
                server.disconnects += 1
            raise
        finally:
            if epoch == server._epoch:
                server.in_flight -= 1

    def drop(self) -> int:
        """Close every open socket like a network drop; returns how many there were."""
        sockets = [socket for socket in self._open if not socket.ended_by_server]
        self._open.clear()
        for socket in sockets:
            socket.abort()
        return len(sockets)

    def forget(self) -> None:
        """Forget refusals not used yet (the counters live on the server)."""
        self.refusals.clear()

    async def close(self) -> None:
        """Close every open socket with a close frame (1001, going away) and wait for each."""
        sockets = list(self._open)
        for socket in sockets:
            socket.ended_by_server = True
        await asyncio.gather(
            *(socket.ws.close(code=WSCloseCode.GOING_AWAY) for socket in sockets),
            return_exceptions=True,
        )


_HANDSHAKE = RecordedRequest(method="GET", path="/v1/responses")


async def _play(socket: _Socket, plan: _Plan) -> None:
    """Send one planned reply on the socket (see :class:`LocalServer` for each kind)."""
    if plan.delay:
        await asyncio.sleep(plan.delay)
    if plan.kind == "disconnect":
        raise Dropped
    if plan.kind == "http":
        await socket.send(orjson.dumps(error_event(plan.status, plan.body)))
        return
    if plan.payloads is not None:
        messages = [[payload] for payload in plan.payloads]
    else:
        messages = _transcript_messages(plan.frames)

    async def send(index: int) -> None:
        for payload in messages[index]:
            await socket.send(payload)

    await pace(plan, send, lambda: socket.send(KEEPALIVE))


def _transcript_messages(frames: tuple[bytes, ...]) -> list[list[bytes]]:
    """The ``data`` of each SSE event a transcript's frames complete, by frame; no ``[DONE]``."""
    result: list[list[bytes]] = []
    data: list[bytes] = []
    pending = b""
    for frame in frames:
        completed: list[bytes] = []
        lines = (pending + frame).split(b"\n")
        pending = lines.pop()  # a line not ended yet waits for the next frame
        for line in lines:
            line = line.removesuffix(b"\r")
            if not line:
                if data and data != [b"[DONE]"]:
                    completed.append(b"\n".join(data))
                data = []
            elif line.startswith(b"data:"):
                data.append(line[5:].removeprefix(b" "))
        result.append(completed)
    return result


def _error(
    status: int,
    code: str,
    message: str,
    param: str | None = None,
    *,
    kind: str = "invalid_request_error",
) -> dict[str, Any]:
    error = {"type": kind, "code": code, "message": message, "param": param}
    return {"type": "error", "status": status, "error": error}


def _read(raw: bytes) -> tuple[Any, dict[str, Any] | None]:
    """A client message and, when the spec refuses it, the error event that answers it."""
    try:
        message = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None, _error(400, "invalid_json", "The message must be a JSON object.")
    if not isinstance(message, dict):
        return message, _error(400, "invalid_json", "The message must be a JSON object.")
    kind = message.get("type")
    if kind != "response.create":
        text = f"Unsupported client event type {kind!r}: the only one is 'response.create'."
        return message, _error(400, "invalid_request_error", text, "type")
    for key in FORBIDDEN:
        if key in message:
            text = f"`{key}` must not be sent in a WebSocket `response.create` message."
            return message, _error(400, "invalid_request_error", text, key)
    return message, None


def error_event(status: int, body: bytes) -> dict[str, Any]:
    """The spec's ``WebSocketErrorEvent`` for an HTTP error answer (``HTTPReply`` on a socket).

    Reads the error object of the body's usual shapes (``{"error": {...}}``, a flat object with
    ``message``, ``{"error": "text"}``, ``{"detail": "text"}``, plain text); ``code`` is always a
    string, as the spec types it, and missing parts name the status.

    >>> error_event(429, b'{"error": {"code": 429, "message": "Slow down"}}')["error"]
    {'type': 'rate_limit_error', 'code': '429', 'message': 'Slow down', 'param': None}
    """
    try:
        parsed = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        parsed = body.decode(errors="replace").strip() or None
    error: Mapping[str, Any] = {}
    extra: Mapping[str, Any] = {}  # keys of a nested error object beyond the four, kept
    text: Any = parsed if isinstance(parsed, str) else None
    if isinstance(parsed, Mapping):
        inner = parsed.get("error")
        if isinstance(inner, Mapping):
            error = extra = inner
        elif "message" in parsed:
            error = parsed
        else:
            text = inner if isinstance(inner, str) else parsed.get("detail")
    message = error.get("message", text)
    code = error.get("code")
    param = error.get("param")
    kind = error.get("type")
    if not isinstance(kind, str) or kind == "error":
        kind = "server_error" if status >= 500 else _TYPES.get(status, "invalid_request_error")
    fields = {
        "type": kind,
        "code": str(status) if code is None else str(code),
        "message": message if isinstance(message, str) and message else f"HTTP status {status}",
        "param": param if isinstance(param, str) else None,
    }
    fields.update((key, value) for key, value in extra.items() if key not in fields)
    return {"type": "error", "status": status, "error": fields}


def _not_an_upgrade() -> web.Response:
    error = {
        "message": "GET /responses is WebSocket mode: send a WebSocket upgrade, or POST instead.",
        "type": "invalid_request_error",
        "param": None,
        "code": "upgrade_required",
    }
    return web.json_response(
        {"error": error}, status=426, headers={"Upgrade": "websocket", "Connection": "Upgrade"}
    )
