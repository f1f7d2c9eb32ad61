"""``AsyncResponseStream``: typed events from one streamed response, with its watchdog and retries.

Bytes from the transport go through the sans-IO SSE decoder, each ``data`` payload becomes a
typed event (``parse_event``) when it is due, and the pure ``ResponseAccumulator`` folds it in.
The stream is a plain class holding all the state: it can be closed from any task, and no
deadline is ever held open across a ``yield`` (each read of the socket gets its own). Its
iteration is one async generator over that state, kept for the stream's life, because a step
of an async generator costs far less than a call of an ``async def __anext__``.

Time: ``Timeout.stream_idle`` bounds the wait for the next event that is not a keep-alive (SSE
comments produce no event at all; ``*keep_alive``/``ping`` events are yielded but do not count),
``Timeout.stream_total`` the whole stream. Either raises ``APITimeoutError``.

Outcomes: ``response.completed``/``response.incomplete`` end the iteration; ``response.failed``,
an ``error`` event (either shape), a broken connection or an end without a terminal event raise
``StreamError`` (after the events that arrived were yielded). Before the first content event a
failure that the retry policy allows reconnects and starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from types import AsyncGeneratorType, TracebackType
from typing import Any, Final, cast

from typing_extensions import Self

from ._accumulator import ResponseAccumulator
from ._errors import APIConnectionError, APIStatusError, APITimeoutError, StreamError
from ._httpinfo import HTTPInfo, attach_http_info
from ._options import Timeout
from ._retry import Retrier, RetryPolicy, is_transient_code
from ._serde import loads, parse_event
from ._sse import DEFAULT_MAX_EVENT_BYTES, SSEDecoder
from ._transport import HTTPStream
from .types import (
    ErrorEvent,
    OutputTextDeltaEvent,
    Response,
    ResponseCompletedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    StreamEvent,
    UnknownEvent,
)

__all__ = ["AsyncResponseStream", "AsyncTextDeltas"]

logger = logging.getLogger("openresponses")

Connect = Callable[[float | None], Awaitable[HTTPStream]]

# After a terminal or error event, how long to wait for `[DONE]`, the end of the body or a
# trailing `response.failed`; reading the tail lets the connection go back to the pool.
_WIND_DOWN: Final = 1.0
_KEEPALIVE_SUFFIXES: Final = ("keep_alive", "keepalive", "keep-alive", "ping", "heartbeat")
# The events the stream itself looks at: the terminal ones, and unknown ones (keep-alives?).
_NOTABLE: Final = frozenset(
    {ResponseCompletedEvent, ResponseIncompleteEvent, ResponseFailedEvent, ErrorEvent, UnknownEvent}
)
# The data of the events a chunk completed. Each is parsed only when it is due: an event the
# caller drops is freed at once, never promoted by the collector as a batch would be.
_NO_MESSAGES: Final[list[str]] = []


def _is_keepalive(event_type: str) -> bool:
    return event_type.endswith(_KEEPALIVE_SUFFIXES)


class AsyncResponseStream:
    """A streamed response: ``async with client.responses.stream(...) as stream``.

    Iterate it for typed events (unknown types arrive as ``UnknownEvent``), or use
    :meth:`text_deltas` for the output text alone, then :meth:`final_response` for the
    Response the events describe. Leaving the ``async with``, :meth:`aclose` (from any task) or
    cancelling the reading task drops the connection at once. ``status_code``, ``headers``,
    ``generation_id`` and ``http`` describe the HTTP response; ``current_response`` is the
    Response rebuilt so far (also after an error or a timeout).
    """

    def __init__(
        self,
        connect: Connect,
        *,
        timeout: Timeout,
        policy: RetryPolicy,
        what: str = "stream",
        max_event_bytes: int | None = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self._connect = connect
        self._max_event_bytes = max_event_bytes
        self._timeout = timeout
        self._idle = timeout.stream_idle
        self._policy = policy
        self._what = what
        self._retrier: Retrier | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._http: HTTPStream | None = None
        self._decoder = SSEDecoder(max_event_bytes)
        self._acc = ResponseAccumulator()
        self._messages = _NO_MESSAGES
        self._keepalives = 0  # in the chunk's events (see _deadline)
        self._done = False  # `[DONE]` arrived
        self._iterator = self._new_iterator()
        self._last = 0.0
        self._total_deadline: float | None = None
        self._wind_down: float | None = None  # set once the outcome is known
        self._error: tuple[ErrorEvent, Any] | None = None
        self._failed: ResponseFailedEvent | None = None
        self._outcome: BaseException | None = None  # what ends the iteration, once it ended
        self._closed = False

    # -- lifecycle

    async def __aenter__(self) -> Self:
        if self._http is None and self._outcome is None:
            await self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Drop the connection now (safe from any task, idempotent); iteration then ends."""
        self._closed = True
        if self._outcome is None:
            self._outcome = StopAsyncIteration()
        self._release()
        events = self._iterator
        if events.ag_frame is not None and not events.ag_running:
            # Paused at a `yield` (a loop left by `break`): finish it here, not in a task the
            # event loop would start for it once it is collected.
            await events.aclose()

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` ran (or the ``async with`` block was left)."""
        return self._closed

    def __del__(self) -> None:
        # Dropped without aclose() (a bare `async for` left by `break`): free the connection, on
        # its own loop's thread, since the collector may run anywhere.
        http = getattr(self, "_http", None)
        loop = getattr(self, "_loop", None)
        if http is None or loop is None or http.closed or loop.is_closed():
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            http.close()
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(http.close)

    def _release(self) -> None:
        http = self._http
        if http is not None:
            http.close()

    async def _open(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        now = loop.time()
        total = self._timeout.stream_total
        self._total_deadline = None if total is None else now + total
        self._retrier = Retrier(
            self._policy, self._what, started=time.monotonic(), deadline=self._total_deadline
        )
        await self._reconnect(None)

    async def _reconnect(self, failure: BaseException | None) -> None:
        """Connect (again), retrying status and connection failures; raise the last one."""
        retrier = self._retrier
        loop = self._loop
        assert retrier is not None
        assert loop is not None
        while True:
            if failure is not None and not await retrier.backoff(failure):
                raise failure
            if self._closed:
                raise StopAsyncIteration
            now = loop.time()
            deadline = None if self._idle is None else now + self._idle
            total = self._total_deadline
            if total is not None and (deadline is None or total < deadline):
                deadline = total
            try:
                http = await self._connect(deadline)
            except (APIConnectionError, APIStatusError) as exc:
                failure = exc
                continue
            if self.closed:  # aclose() ran while connecting
                http.close()
                raise StopAsyncIteration
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "%s: HTTP %d, generation %s",
                    self._what,
                    http.status_code,
                    http.info.generation_id,
                )
            self._http = http
            self._decoder = SSEDecoder(self._max_event_bytes)
            self._acc = ResponseAccumulator()
            self._messages = _NO_MESSAGES
            self._keepalives = 0
            self._done = False
            self._last = loop.time()
            self._error = None
            self._failed = None
            self._wind_down = None
            return

    # -- HTTP facts

    @property
    def http(self) -> HTTPInfo:
        """Status and headers of the HTTP response (of the last attempt, after a reconnect)."""
        http = self._http
        if http is None:
            raise RuntimeError("the stream is not open yet; use `async with ... as stream`")
        return http.info

    @property
    def status_code(self) -> int:
        """The HTTP status of the streaming response."""
        return self.http.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        """The HTTP headers of the streaming response (a case-insensitive mapping)."""
        return self.http.headers

    @property
    def generation_id(self) -> str | None:
        """``X-Generation-Id`` (OpenRouter), else ``x-request-id``."""
        return self.http.generation_id

    @property
    def current_response(self) -> Response | None:
        """The Response rebuilt from the events so far; ``None`` before the first one."""
        return self._acc.snapshot()

    # -- iteration

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        events = self._iterator
        if events.ag_frame is None:  # finished: a new one raises the outcome again
            events = self._iterator = self._new_iterator()
        return events

    async def __anext__(self) -> StreamEvent:
        return await self.__aiter__().__anext__()

    def _new_iterator(self) -> AsyncGeneratorType[StreamEvent, None]:
        # The concrete type: its ag_frame and ag_running tell whether it finished or runs.
        return cast("AsyncGeneratorType[StreamEvent, None]", self._events())

    async def _events(self) -> AsyncGenerator[StreamEvent, None]:
        """The iteration (see the module docstring): each chunk's events, parsed one by one.

        One generator serves every loop over the stream, so a ``break`` and a later loop
        continue where the first stopped; ``aclose()`` from another task drops the connection,
        and the read the generator waits on ends.
        """
        while True:
            try:
                if self._outcome is not None:
                    break
                await self._fill()
                add = self._acc.add  # a reconnect (inside _fill) starts a new accumulator
                for data in self._messages:  # a chunk is read whole before the next one
                    event: Any = parse_event(data)
                    add(event)
                    if event.__class__ in _NOTABLE:
                        self._notable(event, data)
                    yield event
                if self._done:
                    await self._end(at_eof=False)
            except StopAsyncIteration as exc:  # closed while connecting or reading
                if self._outcome is None:
                    self._outcome = exc
                self._release()
                return
            except BaseException as exc:
                # Cancelled, closed, or failed for good: remember why and let the socket go now.
                if self._outcome is None:
                    self._outcome = exc if isinstance(exc, Exception) else self._abandoned()
                self._release()
                raise
        outcome = self._outcome
        if not isinstance(outcome, StopAsyncIteration):
            raise outcome

    async def _fill(self) -> None:
        """Read and decode the next chunk; settle the outcome at the end of the body."""
        http = self._http
        if http is None:
            await self._open()
            return
        try:
            chunk = await http.read(self._deadline())
        except APIConnectionError as exc:
            if self._closed:
                raise StopAsyncIteration from None
            if self._wind_down is not None:
                await self._end(at_eof=True)
            elif isinstance(exc, APITimeoutError):
                failure = self._timeout_error()
                failure.__cause__ = exc
                await self._fail(failure)
            else:
                await self._fail(self._stream_error(exc))
            return
        if chunk:
            messages = self._decoder.feed_data(chunk)
            self._keepalives = 0
            if "[DONE]" in messages:  # the end, whatever may follow it
                messages = messages[: messages.index("[DONE]")]
                self._done = True
            self._messages = messages
        else:
            self._decoder.close()
            await self._end(at_eof=True)

    def _deadline(self) -> float | None:
        if self._wind_down is not None:
            return self._wind_down
        idle = self._idle
        if idle is None:
            return self._total_deadline
        if len(self._messages) > self._keepalives:  # the last chunk brought more than keep-alives
            assert self._loop is not None
            self._last = self._loop.time()
        deadline = self._last + idle
        total = self._total_deadline
        return total if total is not None and total < deadline else deadline

    def _notable(self, event: Any, data: str) -> None:
        if event.__class__ is UnknownEvent:
            if _is_keepalive(event.type):
                self._keepalives += 1  # not progress for the idle watchdog
        else:
            self._on_terminal(event, data)

    def _on_terminal(self, event: Any, data: str) -> None:
        if self._wind_down is None:
            assert self._loop is not None
            self._wind_down = self._loop.time() + _WIND_DOWN
        if event.__class__ is ErrorEvent:
            self._error = (event, data)
        elif event.__class__ is ResponseFailedEvent:
            self._failed = event
        else:
            self._failed = None
            self._error = None

    async def _end(self, *, at_eof: bool) -> None:
        """The events are over (``[DONE]``, end of body, or wound down): settle the outcome."""
        self._messages = _NO_MESSAGES
        if not at_eof:
            await self._drain()
        self._release()
        if self._acc.terminal in ("completed", "incomplete"):
            self._outcome = StopAsyncIteration()
        else:
            await self._fail(self._stream_error(None))

    async def _drain(self) -> None:
        """Read the tail after ``[DONE]`` (briefly) so the connection can be reused."""
        http = self._http
        loop = self._loop
        if http is None or loop is None or http.closed:
            return
        deadline = loop.time() + _WIND_DOWN
        try:
            while await http.read(deadline):
                pass
        except APIConnectionError:
            pass

    async def _fail(self, failure: BaseException) -> None:
        """Reconnect when nothing was shown yet and the policy allows, else raise ``failure``."""
        self._release()
        if self._acc.saw_content or self._closed:
            raise failure
        await self._reconnect(failure)

    def _abandoned(self) -> StreamError:
        return StreamError(
            "the stream was abandoned before it finished",
            response=self._acc.snapshot(),
            generation_id=self._generation_id(),
        )

    # -- errors

    def _generation_id(self) -> str | None:
        http = self._http
        return None if http is None else http.info.generation_id

    def _timeout_error(self) -> APITimeoutError:
        loop = self._loop
        total = self._total_deadline
        if total is not None and loop is not None and loop.time() >= total:
            what = (
                f"the stream took longer than {self._timeout.stream_total} s (timeout.stream_total)"
            )
        else:
            what = f"no stream event for {self._idle} s (timeout.stream_idle)"
        return APITimeoutError(what, response=self._acc.snapshot())

    def _stream_error(self, cause: APIConnectionError | None) -> StreamError:
        partial = self._acc.snapshot()
        generation_id = self._generation_id()
        failed = self._failed
        # A server may echo the key in its message: the transport knows it and redacts it.
        redact = self._http.redact if self._http is not None else str
        if self._error is not None:
            event, data = self._error
            data = redact(data)
            try:
                payload = loads(data)
            except Exception:
                payload = data
            # The terminal `response.failed` may list no output: keep the text that arrived
            # (the snapshot has folded in the failed response's status and error).
            if failed is not None and (partial is None or not partial.output):
                partial = failed.response
            error = StreamError(
                redact(event.message or "the server reported an error in the stream"),
                response=partial,
                code=event.code,
                payload=payload,
                retryable=is_transient_code(event.code),
                generation_id=generation_id,
            )
        elif failed is not None:
            detail = failed.response.error
            error = StreamError(
                redact((detail.message if detail is not None else None) or "the response failed"),
                response=partial if partial is not None else failed.response,
                code=detail.code if detail is not None else None,
                generation_id=generation_id,
            )
        elif cause is not None:
            error = StreamError(
                f"the stream broke off before a terminal event: {cause.message}",
                response=partial,
                retryable=cause.retryable,
                generation_id=generation_id,
            )
            error.__cause__ = cause
        else:
            error = StreamError(
                "the stream ended without a terminal event",
                response=partial,
                retryable=True,
                generation_id=generation_id,
            )
        return error

    # -- lenses

    def text_deltas(self) -> AsyncTextDeltas:
        """Iterate the output text deltas only (errors are raised as by the event iteration)."""
        return AsyncTextDeltas(self)

    async def final_response(self) -> Response:
        """Read the rest of the stream; the Response for ``completed``/``incomplete``.

        ``StreamError`` (carrying the partial Response) for a failed, errored, cut-off or
        closed stream; ``APITimeoutError`` when a deadline passed.
        """
        try:
            while True:
                await self.__anext__()
        except StopAsyncIteration:
            pass
        acc = self._acc
        response = acc.snapshot()
        if acc.terminal not in ("completed", "incomplete") or response is None:
            raise StreamError(
                "the stream was closed before a terminal event",
                response=response,
                generation_id=self._generation_id(),
            )
        if self._http is not None:
            attach_http_info(response, self._http.info)
        return response

    def __repr__(self) -> str:
        http = self._http
        status = "not open" if http is None else f"HTTP {http.status_code}"
        state = "open" if self._outcome is None else "finished"
        return f"<AsyncResponseStream {status} {state}>"


class AsyncTextDeltas:
    """The output text deltas of an ``AsyncResponseStream``, in order."""

    __slots__ = ("_stream",)

    def __init__(self, stream: AsyncResponseStream) -> None:
        self._stream = stream

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> str:
        stream = self._stream
        while True:
            event = await stream.__anext__()
            if event.__class__ is OutputTextDeltaEvent:
                return event.delta
