"""LocalServer: an Open Responses server on 127.0.0.1 for tests, demos and benchmarks."""

from __future__ import annotations

import asyncio
import collections
import inspect
import itertools
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import orjson
from aiohttp import web

from ._catalog import Catalog
from ._compact import NOT_AN_OBJECT, TURN_ON_COMPACT, compact, error_body
from ._fast import FastServer
from ._replies import HTTPReply, ResponseJSON, Turn, as_reply, echo_reply
from ._script import OutputItem, RecordedRequest, Reply, ReplyLike, _Context, _Plan
from ._sending import Dropped, send_body, send_stream
from ._thread import LoopThread
from ._websocket import WebSockets

__all__ = ["LocalServer"]

DEFAULT_MODEL = "openresponses/local"


class LocalServer:
    """An Open Responses server on 127.0.0.1 that answers ``POST {base_url}/responses`` as scripted.

    Replies queued with :meth:`add` are used first, one per request, in order. With the queue empty
    the server answers with ``default`` (a reply, or a function of the request); out of the box
    that is :func:`echo_reply`: ``You said: <last user text>``, streamed as the spec orders the
    events when the request has ``"stream": true`` and plain JSON otherwise. Every reply carries an
    ``X-Generation-Id``. OpenRouter's GETs: ``/generation?id=`` gives the stats of a response
    served, ``/models`` and ``/model/{author}/{slug}`` its model and the spec's example.

    WebSocket mode: ``GET {base_url}/responses`` with an upgrade opens a socket (pings answered).
    Each ``response.create`` message is a turn, recorded with ``method="WEBSOCKET"``; it takes the
    next reply of the same queue and gets the events the HTTP stream would carry, one JSON text
    message each (no ``[DONE]``). Turns on one socket run one at a time, in order: a message that
    arrives during a turn waits for it. An :class:`HTTPReply` becomes an ``error`` event with its
    status and the socket stays open; :class:`Disconnect` and ``drop_after`` close it abruptly (no
    close frame); ``keepalive`` sends ``{"type": "keepalive"}`` events. A message that is not a
    JSON object, not a ``response.create``, or carries ``stream``, ``stream_options`` or
    ``background`` gets a 400 ``error`` event and no reply (it is still recorded and counted).
    See :meth:`refuse_websocket`, :meth:`drop_websockets`, :attr:`websocket_open`.

    ``POST {base_url}/responses/compact`` takes the next queued reply too (:class:`ResponseJSON`
    is the compaction answer; :class:`HTTPReply` and :class:`Disconnect` as usual; a
    :class:`Turn` there is a script bug, answered 500). With none queued (``default`` does not
    apply) it answers a deterministic compaction: the user messages of the input, then one
    ``compaction`` item standing for the rest.

    Run it in the test's event loop::

        async with LocalServer() as server:
            server.add(Text("Hi there", deltas=2), HTTPReply(429, headers={"Retry-After": "0"}))
            ...  # point a client at server.base_url
            assert server.requests[0].json["model"] == "openai/gpt-4o"

    or in a background thread, from synchronous code (its own loop in a daemon thread)::

        with LocalServer() as server:
            requests.post(f"{server.base_url}/responses", json={"input": "Hi"})

    Options: ``host`` and ``port`` to bind (``port=0``: a free port, read back from ``port`` once
    started), ``default`` (a reply or reply function used when the queue is empty), ``deltas``
    (split the default answer into that many text deltas), ``model`` (the model name when a
    request names none).

    ``fast=True`` is for benchmarks: a bare HTTP/1.1 responder (not aiohttp) answers every request
    with a precomputed answer of ``deltas`` words (default 20; a request may ask for another count
    with an ``X-OpenResponses-Deltas`` header), streamed or plain as asked, so that benchmarks
    measure the client and not the server. It uses no scripted replies, records nothing but
    ``request_count`` and has no WebSocket mode.

    >>> server = LocalServer().start_in_thread()
    >>> server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
    True
    >>> server.stop()
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        default: ReplyLike | None = None,
        deltas: int | None = None,
        fast: bool = False,
        model: str = DEFAULT_MODEL,
    ) -> None:
        self.host = host
        self.port = port
        self._bind_port = port
        self.default: ReplyLike | None = default
        self.deltas = deltas
        self.fast = fast
        self.model = model
        self._options = (default, deltas, model)
        self.requests: list[RecordedRequest] = []
        """Every request received, in order (none in fast mode)."""
        self.request_count = 0
        """Requests (``/responses``, ``/responses/compact``, the GETs of generations and models)
        and WebSocket messages, counted even when not recorded."""
        self.disconnects = 0
        """Replies whose client closed the connection before the server finished sending them."""
        self.in_flight = 0
        """Replies being sent right now (a stalled stream counts until its connection closes)."""
        self.websocket_connections = 0
        """WebSocket handshakes accepted so far."""
        self.websocket_refused = 0
        """WebSocket handshakes answered with a :meth:`refuse_websocket` reply instead."""
        self._websockets = WebSockets(self)
        self._catalog = Catalog(self)
        self._queue: collections.deque[ReplyLike] = collections.deque()
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handlers: set[asyncio.Task[Any]] = set()
        self._closing = False
        # Bumped by reset(): a reply begun before it no longer touches the counters or the queue.
        self._epoch = 0
        self._ids = itertools.count(1)
        self._fast_server: FastServer | None = None
        self._thread = LoopThread()

    # ------------------------------------------------------------ public surface

    @property
    def url(self) -> str:
        """The server's root URL, e.g. ``http://127.0.0.1:54321``."""
        if self._runner is None and self._fast_server is None:
            raise RuntimeError(
                "the server is not running: use `async with LocalServer()` or start it"
            )
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The base URL to give a client, e.g. ``http://127.0.0.1:54321/v1``."""
        return f"{self.url}/v1"

    @property
    def pending(self) -> int:
        """Scripted replies not used yet."""
        return len(self._queue)

    def add(self, *replies: ReplyLike, times: int = 1) -> LocalServer:
        """Queue replies, each used by one request, in order; ``times`` repeats the whole group.

        ``server.add(HTTPReply(503), times=2).add("Recovered")`` fails the first two requests and
        answers the third. A function in the queue is called with the :class:`RecordedRequest` and
        returns the reply (it may be async; it runs in the server's loop, so in the server's
        thread in thread mode). Safe to call from any thread.
        """
        if self.fast:
            raise RuntimeError(
                "a fast server serves one fixed answer and takes no scripted replies"
            )
        for _ in range(times):
            self._queue.extend(replies)
        return self

    @property
    def websocket_open(self) -> int:
        """WebSockets open right now."""
        return self._websockets.open_count

    def refuse_websocket(self, reply: HTTPReply, *, times: int = 1) -> LocalServer:
        """Answer the next ``times`` WebSocket handshakes with ``reply`` instead of upgrading.

        The handshake gets that plain HTTP answer (status, body, headers, after its ``delay``),
        is recorded nowhere in :attr:`requests` and is counted in :attr:`websocket_refused`.
        Safe to call from any thread.

        >>> LocalServer().refuse_websocket(HTTPReply(401), times=2).pending
        0
        """
        if not isinstance(reply, HTTPReply):
            raise TypeError(f"refuse_websocket() takes an HTTPReply, not {reply!r}")
        self._websockets.refusals.extend([reply] * times)
        return self

    def drop_websockets(self) -> int:
        """Close every open WebSocket now like a network drop (no close frame); returns how many.

        A turn being sent stops where it is. Safe to call from any thread; from another thread
        than the server's, it returns once the sockets are closed.
        """
        loop = self._loop
        if loop is None or loop.is_closed() or _running_loop() is loop:
            return self._websockets.drop()

        async def drop() -> int:
            return self._websockets.drop()

        return asyncio.run_coroutine_threadsafe(drop(), loop).result(timeout=10)

    def reset(self) -> None:
        """Make a running server as good as new, for the next test that shares it.

        Forgets queued replies, handshake refusals and recorded requests, zeroes the counters,
        numbers generation and response ids from 1 again, and puts back the ``default``,
        ``deltas`` and ``model`` given to the constructor. It also hangs up every connection and
        WebSocket, ending any reply in flight (a stall, a delay), so that a request sent before
        the reset is answered by nothing and counted nowhere. Safe to call from any thread;
        called from another thread than the server's, it returns once the server has done all
        this.
        """
        loop = self._loop
        if loop is None or loop.is_closed() or _running_loop() is loop:
            self._forget()
            self._hang_up()
            return
        asyncio.run_coroutine_threadsafe(self._reset_serving(), loop).result(timeout=10)

    async def _reset_serving(self) -> None:
        server = self._runner.server if self._runner is not None else None
        if server is not None:
            # The kernel may still hold a connection that a client opened just before the reset.
            # It hands connections over in the order they came, so once one opened now is
            # accepted, every earlier one is too, and the hang-up below ends them all.
            _, writer = await asyncio.open_connection(self.host, self.port)
            mark = writer.get_extra_info("sockname")
            for _ in range(1000):
                peers = [
                    c.transport.get_extra_info("peername")
                    for c in server.connections
                    if c.transport
                ]
                if mark in peers:
                    break
                await asyncio.sleep(0)
            writer.close()
            await writer.wait_closed()
        self._hang_up()
        self._forget()

    def _forget(self) -> None:
        self._epoch += 1
        self._queue.clear()
        self.requests.clear()
        self.request_count = self.disconnects = self.in_flight = 0
        self.websocket_connections = self.websocket_refused = 0
        self._websockets.forget()
        self._catalog.forget()
        self._ids = itertools.count(1)
        self.default, self.deltas, self.model = self._options

    def _hang_up(self) -> None:
        self._websockets.drop()
        server = self._runner.server if self._runner is not None else None
        for connection in server.connections if server is not None else ():
            connection.force_close()
        for task in list(self._handlers):
            task.cancel()

    async def wait_disconnects(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until ``disconnects`` reaches ``count`` (``TimeoutError`` after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while self.disconnects < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.disconnects} client disconnects seen, waited for {count}"
                )
            await asyncio.sleep(0.005)

    def wait_disconnects_blocking(self, count: int = 1, timeout: float = 5.0) -> None:
        """:meth:`wait_disconnects` for synchronous code (the server runs in its thread)."""
        deadline = time.monotonic() + timeout
        while self.disconnects < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.disconnects} client disconnects seen, waited for {count}"
                )
            time.sleep(0.005)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> LocalServer:
        """Start serving in the running event loop; ``port=0`` picks a free port."""
        if self._runner is not None or self._fast_server is not None:
            raise RuntimeError("the server is already running")
        self._closing = False
        if self.fast:
            self._fast_server = FastServer(self)
            self.port = await self._fast_server.start(self.host, self._bind_port)
            return self
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_post("/v1/responses", self._handle)
        app.router.add_get("/v1/responses", self._websockets.handle)
        app.router.add_post("/v1/responses/compact", self._compact)
        app.router.add_get("/v1/generation", self._catalog.generation)
        app.router.add_get("/v1/models", self._catalog.models)
        app.router.add_get("/v1/model/{author}/{slug}", self._catalog.model)
        # handler_cancellation: a client that hangs up cancels its handler, which is how we see it.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._bind_port, backlog=1024)
        await site.start()
        self.port = runner.addresses[0][1]
        self._runner, self._loop = runner, asyncio.get_running_loop()
        return self

    async def aclose(self) -> None:
        """Stop serving: close each WebSocket (close frame 1001) and end any reply in flight."""
        thread = self._thread.thread
        if thread is not None and thread.ident != threading.get_ident():
            raise RuntimeError("the server runs in a thread: stop it with `stop()`")
        self._closing = True
        fast, self._fast_server = self._fast_server, None
        if fast is not None:
            await fast.close()
        runner, self._runner, self._loop = self._runner, None, None
        if runner is None:
            return
        await self._websockets.close()
        for task in list(self._handlers):
            task.cancel()
        await runner.cleanup()

    async def __aenter__(self) -> LocalServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def start_in_thread(self, timeout: float = 10.0) -> LocalServer:
        """Serve from a daemon thread with its own event loop; returns once it accepts requests."""
        running = self._runner is not None or self._fast_server is not None
        if self._thread.thread is not None or running:
            raise RuntimeError("the server is already running")
        self._thread.start(self.start, self.aclose, timeout)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop a server started with :meth:`start_in_thread` and join its thread."""
        self._thread.stop(timeout)

    def __enter__(self) -> LocalServer:
        return self.start_in_thread()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        running = self._runner is not None or self._fast_server is not None
        where = self.base_url if running else "not running"
        return f"<LocalServer {where} pending={self.pending} requests={self.request_count}>"

    # ------------------------------------------------------------ handlers

    def _next_reply(self) -> ReplyLike | None:
        try:
            return self._queue.popleft()
        except IndexError:
            return None

    async def _receive(self, request: web.Request) -> tuple[RecordedRequest, int] | None:
        """Count, number and record one request; ``None`` when a reset came while reading it."""
        epoch = self._epoch
        self.request_count += 1
        number = next(self._ids)
        raw = await request.read()
        if epoch != self._epoch:
            return None
        try:
            body = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            body = None
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            body=raw,
            json=body,
            generation_id=f"gen-local-{number}",
        )
        self.requests.append(recorded)
        return recorded, number

    def _context(self, recorded: RecordedRequest, number: int) -> _Context:
        return _Context(
            request=recorded,
            response_id=f"resp_local_{number}",
            created_at=int(time.time()),
            model=self.model,
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        epoch = self._epoch
        received = await self._receive(request)
        if received is None:
            return web.Response(status=499)  # begun before a reset: it belongs to no test now
        recorded, number = received
        scripted = self._next_reply()
        if scripted is None and not isinstance(recorded.json, Mapping):
            body = error_body(NOT_AN_OBJECT, code="invalid_json")
            return web.json_response(
                body, status=400, headers={"X-Generation-Id": recorded.generation_id}
            )
        reply = await self._resolve(scripted, recorded)
        plan = reply._plan(self._context(recorded, number))
        self._catalog.record(recorded, plan)
        headers = {"X-Generation-Id": recorded.generation_id, **plan.headers}
        return await self._send(request, plan, headers, epoch)

    async def _compact(self, request: web.Request) -> web.StreamResponse:
        epoch = self._epoch
        received = await self._receive(request)
        if received is None:
            return web.Response(status=499)
        recorded, number = received
        headers = {"X-Generation-Id": recorded.generation_id}
        scripted = self._next_reply()
        if scripted is None:
            status, answer = compact(recorded.json, number=number, created_at=int(time.time()))
            return web.json_response(answer, status=status, headers=headers)
        reply = await self._resolve(scripted, recorded)
        if isinstance(reply, ResponseJSON):
            plan = reply._json_plan(dict(reply.body))
        elif isinstance(reply, Turn):
            return web.json_response(TURN_ON_COMPACT, status=500, headers=headers)
        else:
            plan = reply._plan(self._context(recorded, number))
        return await self._send(request, plan, {**headers, **plan.headers}, epoch)

    async def _resolve(self, scripted: ReplyLike | None, recorded: RecordedRequest) -> Reply:
        value: Any = scripted if scripted is not None else self.default
        if value is None:
            return echo_reply(recorded, deltas=self.deltas)
        # A function may return another function (e.g. a router picking a script): follow it.
        for _ in range(8):
            if not callable(value) or isinstance(value, (Reply, OutputItem)):
                break
            value = value(recorded)
            if inspect.isawaitable(value):
                value = await value
        return as_reply(value)

    async def _send(
        self, request: web.Request, plan: _Plan, headers: Mapping[str, str], epoch: int
    ) -> web.StreamResponse:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        self.in_flight += 1
        try:
            if plan.delay:
                await asyncio.sleep(plan.delay)
            if plan.kind == "disconnect":
                raise Dropped
            if plan.kind == "http":
                return await send_body(request, plan, headers)
            return await send_stream(request, plan, headers)
        except Dropped as dropped:
            if request.transport is not None:
                request.transport.close()
            # The handler must return a response; aiohttp writes nothing more on a closed transport.
            return dropped.response or web.Response(status=499)
        except ConnectionResetError:
            if epoch == self._epoch:
                self.disconnects += 1
            return web.Response(status=499)
        except asyncio.CancelledError:
            if not self._closing and epoch == self._epoch:
                self.disconnects += 1
            raise
        finally:
            if epoch == self._epoch:
                self.in_flight -= 1
            if task is not None:
                self._handlers.discard(task)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
