"""WebSocket mode: ``AsyncResponsesConnection``, turns over one socket to ``{base_url}/responses``.

A connection is an ``Engine`` (``create``, ``stream``, ``compact``, ``retry_policy``), so the tool
loop and conversations run their turns over it unchanged. Each turn is one ``response.create``
message read by the one stream machine (``AsyncResponseStream``) through a ``WebSocketSource``:
typed events, the accumulator, the idle watchdog, ``StreamError`` and retries before the first
content work as over HTTP. The connection owns what outlives a turn: the socket (opened again
after a drop, by the next turn or the retry of this one) and whose turn it is.

Hooks: a turn is one call (``operation="websocket"``, its body the ``response.create``
message), started when its stream opens; a handshake it makes is part of its attempts, and a
header a hook adds goes with that handshake. ``open()``'s own handshake is a call of its own,
``"websocket.connect"``, whose result is the connection.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Final

import attrs
from typing_extensions import Self, Unpack

from ._engine import CompactArgs, Engine, RequestEngine, ResponseCreateArgs
from ._errors import APIConnectionError, APIStatusError, APITimeoutError, InvalidRequestError
from ._hooks import Dispatcher, Tracker, start_call
from ._numbers import check_number
from ._options import Timeout, to_timeout
from ._request import build_request_body
from ._retry import Retrier, RetryPolicy
from ._serde import dumps
from ._streaming import AsyncResponseStream
from ._transport import before_deadline
from ._websocket import WebSocket, open_websocket, websocket_url
from ._ws_source import WebSocketSource, open_turn
from .types import CompactedResponse, Response

# The package root re-exports this module's __all__ (one row of its lazy table); _client and
# _sync import DEFAULT_HEARTBEAT and engine_for by name.
__all__ = ["AsyncResponsesConnection"]

logger = logging.getLogger("openresponses")

DEFAULT_HEARTBEAT: Final = 30.0
_WHAT: Final = "WebSocket /responses"
# The spec forbids these in a `response.create` message: every turn streams, none is background.
_DISALLOWED: Final = ("stream", "stream_options", "background")
_PER_SOCKET: Final = ("extra_headers", "extra_query")
_REENTERED: Final = (
    "this task holds the connection's turn already (a stream of it is still open): a second "
    "turn from the same task would wait for itself; finish or close that stream first"
)


class AsyncResponsesConnection:
    """One WebSocket to ``{base_url}/responses`` (Open Responses WebSocket mode).

    Each :meth:`create` or :meth:`stream` is one turn: one ``response.create`` message, read
    until its terminal event, with no new HTTP request. :meth:`stream` gives the same
    ``AsyncResponseStream`` as ``client.responses.stream``, and :meth:`create` reads one to its
    final Response::

        async with client.responses.connect() as conn:
            first = await conn.create(model="m", input="Hi")
            async with conn.stream(model="m", input="And then?") as stream:
                async for text in stream.text_deltas():
                    print(text, end="")
            await client.responses.run(model="m", input="...", tools=[...], connection=conn)

    One turn at a time: a turn asked for from another task while one runs **waits** for it (turns
    are serialised, in order); one asked for from the task that holds the turn (a stream of this
    connection still open in it) raises ``RuntimeError`` at once, since it would wait for itself.

    The socket opens on entering ``async with`` (retried as the client's policy says; a refused
    handshake raises its status's ``APIStatusError``), carries the client's headers, proxy and
    TLS settings, and is pinged every ``heartbeat`` seconds. A turn that ends early (closed,
    cancelled, timed out, failed) drops the socket, and the next turn opens a new one; so does
    one that finds it dropped. Leaving the block (or :meth:`aclose`) closes it and waits for
    the close; ``client.aclose()`` ends a turn being read and closes the socket too.

    Deadlines as for a stream: ``stream_idle`` bounds each wait for an event, ``stream_total``
    the turn from entering its stream (the wait for the turn included), ``timeout.connect`` a
    handshake; :meth:`create` adds ``timeout.total``.

    Errors as over HTTP: an ``error`` event with a status before the turn's first event raises
    that status's ``APIStatusError`` (``.status_code``, ``.code``, ``.message``, ``.body`` the
    event), retried for 429 and 5xx; a later ``error`` event, ``response.failed`` or a socket that
    drops mid-turn raise ``StreamError`` with the partial Response; before the first content a
    failure the policy allows is retried on a new socket.
    """

    def __init__(
        self,
        engine: RequestEngine,
        *,
        heartbeat: float | None = DEFAULT_HEARTBEAT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> None:
        if heartbeat is not None:
            check_number("heartbeat", heartbeat, above=True)
        # Not `_engine`: the helpers take whatever has an `_engine` as a client, and use that.
        self._http = engine
        self._url = websocket_url(engine.url)
        self._heartbeat = heartbeat
        self._headers = dict(extra_headers) if extra_headers else None
        self._query = dict(extra_query) if extra_query else None
        self._socket: WebSocket | None = None
        self._turn = asyncio.Lock()
        self._holder: object = None  # who holds the turn: a task, or a blocking caller's thread
        self._current: WebSocketSource | None = None  # the turn holding it, once opened
        self._closed = False

    # -- the Engine protocol

    @property
    def engine(self) -> RequestEngine:
        """The client's request engine (``compact`` goes through it, over HTTP)."""
        return self._http

    @property
    def retry_policy(self) -> RetryPolicy:
        """The client's retry policy (a turn that sets no ``max_retries``)."""
        return self._http.retry_policy

    async def create(self, **params: Unpack[ResponseCreateArgs]) -> Response:
        """One turn, read to its final Response (every keyword of ``client.responses.create``).

        ``timeout.total`` bounds the whole turn: the wait for the connection's turn, its retries
        and every event (``APITimeoutError``, carrying the partial Response); ``stream_idle``
        and ``stream_total`` apply as to a stream. ``extra_headers`` and ``extra_query`` belong
        to the handshake: give them to ``connect``. ``stream``, ``stream_options`` and
        ``background`` are refused (the spec forbids them in WebSocket mode). A failure after
        the first content raises ``StreamError`` carrying the partial Response.
        """
        return await self._create(params, None)

    def stream(self, **params: Unpack[ResponseCreateArgs]) -> AsyncResponseStream:
        """One turn, streamed: ``async with conn.stream(...) as stream:``.

        The message is sent when the block is entered; bad parameters raise here, before
        anything is sent (the keywords are those of :meth:`create`). Leaving the block before
        the terminal event drops the socket (the next turn opens a new one).
        """
        return self._stream(params, None)[0]

    async def compact(self, **params: Unpack[CompactArgs]) -> CompactedResponse:
        """``client.responses.compact``: a compaction is a plain POST, sent over HTTP."""
        return await self._http.compact(**params)

    # -- lifecycle

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` ran; a closed connection refuses turns."""
        return self._closed

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Open the socket now, unless it is open (``async with`` does this); retried as the
        client's policy says."""
        self._check_usable()
        await self._acquire(None)
        try:
            if self._socket is None or self._socket.closed:
                hooks = self._http.hooks.dispatcher
                if hooks is None:
                    await self._open_socket(None)
                else:
                    await self._open_reported(hooks)
        finally:
            self._release()

    async def _open_reported(self, hooks: Dispatcher) -> None:
        """``open()`` as a ``"websocket.connect"`` call: its result is the connection."""
        tracker = self._start_call(hooks, "websocket.connect", None)
        try:
            await self._open_socket(tracker)
        except BaseException as exc:
            tracker.fail(exc)
            raise
        tracker.finish(self)

    async def _open_socket(self, tracker: Tracker | None) -> None:
        policy = self._http.retry_policy
        retrier: Retrier | None = None
        started = time.monotonic()
        headers = None if tracker is None else tracker.call.headers
        while self._socket is None or self._socket.closed:
            self._check_usable()
            if tracker is not None:
                tracker.attempt()
            try:
                socket = self._socket = await self._handshake(self._http.timeout, None, headers)
            except (APIConnectionError, APIStatusError) as exc:
                if retrier is None:
                    retrier = Retrier(
                        policy, f"{_WHAT} (handshake)", started=started, observer=tracker
                    )
                if not await retrier.backoff(exc):
                    raise
            else:
                if tracker is not None:
                    tracker.answered(socket.info.status_code, socket.info.headers)
                    tracker.succeeded()

    async def aclose(self) -> None:
        """Close the socket (a close frame each way) and refuse later turns; idempotent.

        A turn being read in another task ends with ``APIConnectionError`` (or ``StreamError``
        after content).
        """
        self._closed = True
        socket, self._socket = self._socket, None
        if socket is not None and not socket.closed:
            await socket.aclose()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._socket is not None else "idle"
        return f"<AsyncResponsesConnection {self._url} {state}>"

    # -- turns

    async def _create(self, params: Any, owner: object) -> Response:
        stream, timeout = self._stream(params, owner)
        total = timeout.total
        if total is None:
            return await _read_whole(stream)

        def expired() -> APITimeoutError:
            return APITimeoutError(
                f"no complete answer within {total} s (timeout.total)",
                response=stream.current_response,
            )

        loop = asyncio.get_running_loop()
        return await before_deadline(loop, loop.time() + total, _read_whole(stream), expired)

    def _stream(self, params: Any, owner: object) -> tuple[AsyncResponseStream, Timeout]:
        """A turn's stream, and its deadlines; ``owner`` is who asks (``None``: this task)."""
        body, timeout, policy = self._prepare(params)
        hooks = self._http.hooks.dispatcher
        # With hooks, the message is encoded when the turn starts, after on_request.
        message = self._encode(body) if hooks is None else ""
        headers: dict[str, str] | None = None

        async def connect(deadline: float | None) -> WebSocketSource:
            return await self._open_turn(message, timeout, deadline, owner, headers)

        if hooks is None:
            return AsyncResponseStream(connect, timeout=timeout, policy=policy, what=_WHAT), timeout
        turn_hooks = hooks  # narrowed, for the closure

        def start() -> Tracker:
            nonlocal message, headers
            tracker = self._start_call(turn_hooks, "websocket", body)
            try:
                message = self._encode(tracker.call.body)
            except BaseException as exc:
                tracker.fail(exc)
                raise
            headers = tracker.call.headers
            return tracker

        stream = AsyncResponseStream(
            connect, timeout=timeout, policy=policy, what=_WHAT, start=start
        )
        return stream, timeout

    def _start_call(
        self, hooks: Dispatcher, operation: str, body: dict[str, Any] | None
    ) -> Tracker:
        """A call on this socket, started: its headers are the handshake's."""
        headers = dict(self._headers) if self._headers else {}
        defaults = self._http.transport.default_headers
        return start_call(hooks, operation, "WEBSOCKET", self._url, headers, body, defaults)

    def _encode(self, message: dict[str, Any] | None) -> str:
        data = dumps(message)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s: response.create to %s, %d bytes", _WHAT, self._url, len(data))
        return data.decode()

    def _prepare(self, params: Any) -> tuple[dict[str, Any], Timeout, RetryPolicy]:
        """The message of a turn (the ``create`` body and ``type``), its deadlines and policy."""
        self._check_usable()
        engine = self._http
        timeout = params.pop("timeout", None)
        max_retries = params.pop("max_retries", None)
        for name in _PER_SOCKET:
            if params.pop(name, None) is not None:
                raise InvalidRequestError(
                    name,
                    "a WebSocket sends headers and query once, with its handshake: pass "
                    f"{name} to client.responses.connect(...)",
                )
        extra_body = params.pop("extra_body", None) or {}
        for name in _DISALLOWED:
            if params.pop(name, None) is not None or name in extra_body:
                raise InvalidRequestError(
                    name, "not sent in WebSocket mode (the spec forbids it in response.create)"
                )
        message = {"type": "response.create", **build_request_body(params), **extra_body}
        message["type"] = "response.create"
        policy = engine.retry_policy
        if max_retries is not None and max_retries != policy.max_retries:
            policy = attrs.evolve(policy, max_retries=max_retries)
        return (
            message,
            engine.timeout if timeout is None else to_timeout(timeout, engine.timeout),
            policy,
        )

    async def _open_turn(
        self,
        message: str,
        timeout: Timeout,
        deadline: float | None,
        owner: object,
        headers: Mapping[str, str] | None,
    ) -> WebSocketSource:
        """The stream's connect: wait for the turn, (re)open the socket (with ``headers``, or
        the connection's), send, read the first event. The turn is held until the source is
        closed."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        await self._acquire(owner)
        if deadline is not None:
            deadline += loop.time() - started  # waiting for our turn is not the server's delay
        try:
            self._check_open()
            socket = self._socket
            if socket is None or socket.closed:
                self._socket = None
                socket = self._socket = await self._handshake(timeout, deadline, headers)
            source = self._current = await open_turn(socket, message, deadline, self._finish)
            return source
        except APIStatusError:
            self._release()  # a refusal (an error event, a handshake): no event is left unread
            raise
        except BaseException:
            self._drop()
            self._release()
            raise

    def _finish(self, keep: bool) -> None:
        """A turn's source let the socket go: kept after a clean end, else dropped."""
        if not keep:
            self._drop()
        self._release()

    async def _handshake(
        self, timeout: Timeout, deadline: float | None, headers: Mapping[str, str] | None
    ) -> WebSocket:
        connect = timeout.connect
        if connect is not None:
            limit = asyncio.get_running_loop().time() + connect
            deadline = limit if deadline is None else min(deadline, limit)
        engine = self._http
        socket = await open_websocket(
            engine.transport,
            self._url,
            headers=self._headers if headers is None else headers,
            params=self._query,
            heartbeat=self._heartbeat,
            max_msg_size=engine.max_event_bytes,
            deadline=deadline,
        )
        if self._closed:  # aclose() ran during the handshake: nothing may keep this socket
            socket.abort()
            raise APIConnectionError("the connection was closed", retryable=False)
        return socket

    def _drop(self) -> None:
        socket, self._socket = self._socket, None
        if socket is not None:
            socket.abort()

    async def _acquire(self, owner: object) -> None:
        me = owner if owner is not None else asyncio.current_task()
        if me is not None and self._holder == me:
            # Its own last turn read its terminal event (a loop still at that event): it is over.
            current = self._current
            kept = None if current is None else current.hand_over()
            if kept is None:
                raise RuntimeError(_REENTERED)
            self._current = None
            if not kept:
                self._drop()
            return
        await self._turn.acquire()
        self._holder = me

    def _release(self) -> None:
        self._holder = self._current = None
        self._turn.release()

    def _check_usable(self) -> None:
        if self._http.transport.closed:
            raise RuntimeError("this AsyncClient is closed; create a new one")
        if self._closed:
            raise RuntimeError(
                "this connection is closed; open a new one with client.responses.connect()"
            )

    def _check_open(self) -> None:
        """Within a turn that began before a close: a typed error the machine will not retry."""
        if self._closed:
            raise APIConnectionError("the connection was closed", retryable=False)


async def _read_whole(stream: AsyncResponseStream) -> Response:
    async with stream:
        return await stream.final_response()


def engine_for(engine: RequestEngine, connection: object) -> Engine:
    """What a helper runs on: ``engine``, or ``connection`` when it is a usable one of it."""
    if connection is None:
        return engine
    if not isinstance(connection, AsyncResponsesConnection):
        raise InvalidRequestError(
            "connection",
            "expected a connection from client.responses.connect(), got "
            f"{type(connection).__name__}",
        )
    if connection.engine is not engine:
        raise InvalidRequestError(
            "connection", "belongs to another client; open one with this client's connect()"
        )
    if connection.closed:
        raise InvalidRequestError(
            "connection", "is closed; open a new one with client.responses.connect()"
        )
    return connection
