"""``AsyncResponseStream``: typed events from one streamed response, with its watchdog and retries.

Each attempt (a connection, and after a failure before any content, the next one) reads batches of
payloads from an event source (``_sources``: an HTTP event stream, a JSON body), makes each a typed
event with the source's ``parse`` when it is due, and folds it into the attempt's
``ResponseAccumulator``. Everything an attempt knows lives in one ``Attempt`` (``_stream_attempt``,
with the ``StreamError`` it ends in), which a reconnect replaces whole; the stream keeps what lasts
for its life (the connect factory, the deadlines, the retry state, the outcome). The stream can be
closed from any task, and no deadline is ever held open across a ``yield`` (each read gets its
own). Its iteration is one async generator, kept for the stream's life, because a step of an async
generator costs far less than a call of an ``async def __anext__``.

Time: ``Timeout.stream_idle`` bounds the wait for the next event that is not a keep-alive (SSE
comments produce no event at all; ``*keep_alive``/``ping`` events are yielded but do not count),
``Timeout.stream_total`` the whole stream. Either raises ``APITimeoutError``.

Outcomes: ``response.completed``/``response.incomplete`` end the iteration; ``response.failed``,
an ``error`` event (either shape), a broken connection or an end without a terminal event raise
``StreamError`` (after the events that arrived were yielded). Before the first content event a
failure that the retry policy allows reconnects and starts over. After a terminal event the
source is read a moment longer (``_WIND_DOWN``) for a trailing ``response.failed`` and the end of
the body, so the connection can go back to the pool.

Hooks: a stream built with ``start`` starts its call when it opens (``start`` runs
``on_request`` and returns the call's ``Tracker``). Each connect is an attempt; ``on_event``
comes from the attempt's ``parse``, wrapped only when a hook overrides it; the call ends once,
in ``on_response`` (the final Response, once the terminal event is settled, or at a close that
comes after it) or ``on_error`` (a failure, a close before the terminal event, a cancellation).
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

from ._errors import APIConnectionError, APIStatusError, APITimeoutError, StreamError
from ._hooks import Tracker
from ._httpinfo import HTTPInfo, attach_http_info
from ._options import Timeout
from ._retry import Retrier, RetryPolicy
from ._sources import EventSource
from ._stream_attempt import Attempt
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

Connect = Callable[[float | None], Awaitable[EventSource]]

# After a terminal or error event, how long to wait for the end of the events or a trailing
# `response.failed`.
_WIND_DOWN: Final = 1.0
_FINISHED: Final = ("completed", "incomplete")  # the terminal states that are not failures
_KEEPALIVE_SUFFIXES: Final = ("keep_alive", "keepalive", "keep-alive", "ping", "heartbeat")
# The events the stream itself looks at: the terminal ones, and unknown ones (keep-alives?).
_NOTABLE: Final = frozenset(
    {ResponseCompletedEvent, ResponseIncompleteEvent, ResponseFailedEvent, ErrorEvent, UnknownEvent}
)


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
        start: Callable[[], Tracker] | None = None,
    ) -> None:
        self._connect = connect
        self._start = start
        self._tracker: Tracker | None = None  # the call as the hooks see it, once started
        self._timeout = timeout
        self._idle = timeout.stream_idle
        self._policy = policy
        self._what = what
        self._retrier: Retrier | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._total_deadline: float | None = None
        self._attempt: Attempt | None = None  # None until connected
        self._outcome: BaseException | None = None  # what ends the iteration, once it ended
        self._closed = False
        self._iterator = self._new_iterator()

    # -- lifecycle

    async def __aenter__(self) -> Self:
        if self._attempt is None and self._outcome is None:
            try:
                await self._open()
            except BaseException as exc:
                if self._tracker is not None:
                    self._tracker.fail(exc)
                raise
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
            if self._tracker is not None:
                self._closed_early(self._tracker)
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
        attempt = getattr(self, "_attempt", None)
        loop = getattr(self, "_loop", None)
        if attempt is None or loop is None or attempt.source.closed or loop.is_closed():
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            attempt.source.close()
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(attempt.source.close)

    def _release(self) -> None:
        attempt = self._attempt
        if attempt is not None:
            attempt.source.close()

    async def _open(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        now = loop.time()
        total = self._timeout.stream_total
        self._total_deadline = None if total is None else now + total
        start = self._start
        if start is not None:
            self._start = None
            self._tracker = start()
        self._retrier = Retrier(
            self._policy,
            self._what,
            started=time.monotonic(),
            deadline=self._total_deadline,
            observer=self._tracker,
        )
        await self._reconnect(None)

    async def _reconnect(self, failure: BaseException | None) -> None:
        """Connect (again), retrying status and connection failures; raise the last one."""
        retrier = self._retrier
        loop = self._loop
        tracker = self._tracker
        if retrier is None or loop is None:  # both are set by _open, which calls this first
            raise RuntimeError("the stream reconnected before it was opened")
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
            if tracker is not None:
                tracker.attempt()
            try:
                source = await self._connect(deadline)
            except (APIConnectionError, APIStatusError) as exc:
                failure = exc
                continue
            if tracker is not None:
                tracker.answered(source.info.status_code, source.info.headers)
                tracker.succeeded()
            if self.closed:  # aclose() ran while connecting (mypy would narrow self._closed)
                source.close()
                raise StopAsyncIteration
            if logger.isEnabledFor(logging.DEBUG):
                info = source.info
                logger.debug(
                    "%s: HTTP %d, generation %s", self._what, info.status_code, info.generation_id
                )
            attempt = self._attempt = Attempt(source, loop.time)
            if tracker is not None:
                attempt.parse = tracker.wrap(attempt.parse)
            return

    # -- HTTP facts

    @property
    def http(self) -> HTTPInfo:
        """Status and headers of the HTTP response (of the last attempt, after a reconnect)."""
        attempt = self._attempt
        if attempt is None:
            raise RuntimeError("the stream is not open yet; use `async with ... as stream`")
        return attempt.source.info

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
        attempt = self._attempt
        return None if attempt is None else attempt.acc.snapshot()

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
        """The iteration (see the module docstring): each batch's events, parsed one by one.

        One generator serves every loop over the stream, so a ``break`` and a later loop
        continue where the first stopped; ``aclose()`` from another task drops the connection,
        and the read the generator waits on ends.
        """
        while True:
            try:
                if self._outcome is not None:
                    break
                attempt = self._attempt
                if attempt is None:
                    await self._open()
                    continue
                try:
                    batch = await attempt.source.read(self._deadline(attempt))
                except APIConnectionError as exc:
                    await self._broken(attempt, exc)  # reconnects, or raises
                    continue
                if not batch:
                    await self._end(attempt)
                    continue
                attempt.batch = batch
                attempt.keepalives = 0
                parse = attempt.parse
                add = attempt.acc.add
                for data in batch:  # a batch is read whole before the next one
                    event: Any = parse(data)
                    add(event)
                    if event.__class__ in _NOTABLE:
                        self._notable(attempt, event, data)
                    yield event
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
                if self._tracker is not None:
                    # A generator closed unfinished (collected, or left by `break`) was abandoned.
                    self._tracker.fail(self._outcome if exc.__class__ is GeneratorExit else exc)
                raise
        outcome = self._outcome
        if not isinstance(outcome, StopAsyncIteration):
            raise outcome

    def _deadline(self, attempt: Attempt) -> float | None:
        if attempt.wind_down is not None:
            return attempt.wind_down
        idle = self._idle
        if idle is None:
            return self._total_deadline
        if len(attempt.batch) > attempt.keepalives:  # the last batch brought more than keep-alives
            attempt.last = attempt.clock()
        deadline = attempt.last + idle
        total = self._total_deadline
        return total if total is not None and total < deadline else deadline

    def _notable(self, attempt: Attempt, event: Any, data: Any) -> None:
        if event.__class__ is UnknownEvent:
            if _is_keepalive(event.type):
                attempt.keepalives += 1  # not progress for the idle watchdog
            return
        if attempt.wind_down is None:
            attempt.wind_down = attempt.clock() + _WIND_DOWN
        if event.__class__ is ErrorEvent:
            attempt.error = (event, data)
        elif event.__class__ is ResponseFailedEvent:
            attempt.failed = event
        else:
            attempt.failed = None
            attempt.error = None

    async def _broken(self, attempt: Attempt, exc: APIConnectionError) -> None:
        """A read failed: the end after a terminal event, else a failure (maybe reconnected)."""
        if self._closed:
            raise StopAsyncIteration from None
        if attempt.wind_down is not None:
            await self._end(attempt)
        elif isinstance(exc, APITimeoutError):
            failure = self._timeout_error()
            failure.__cause__ = exc
            await self._fail(attempt, failure)
        else:
            await self._fail(attempt, attempt.stream_error(exc))

    async def _end(self, attempt: Attempt) -> None:
        """The events are over (their end, or wound down): settle the outcome."""
        attempt.source.close()
        if self._closed:
            raise StopAsyncIteration
        if attempt.acc.terminal in _FINISHED:
            self._outcome = StopAsyncIteration()
            if self._tracker is not None:
                self._tracker.finish(self._final(attempt))
        else:
            await self._fail(attempt, attempt.stream_error(None))

    async def _fail(self, attempt: Attempt, failure: BaseException) -> None:
        """Reconnect when nothing was shown yet and the policy allows, else raise ``failure``."""
        attempt.source.close()
        if attempt.acc.saw_content or self._closed:
            raise failure
        await self._reconnect(failure)

    def _closed_early(self, tracker: Tracker) -> None:
        """Closed before the stream settled: a success if its terminal event arrived."""
        attempt = self._attempt
        if attempt is not None and attempt.acc.terminal in _FINISHED:
            tracker.finish(self._final(attempt))
        else:
            tracker.fail(
                StreamError(
                    "the stream was closed before a terminal event",
                    response=self.current_response,
                    generation_id=self._generation_id(),
                )
            )

    @staticmethod
    def _final(attempt: Attempt) -> Response | None:
        """The Response of a finished attempt, with its HTTP facts (as ``final_response``)."""
        response = attempt.acc.snapshot()
        if response is not None:
            attach_http_info(response, attempt.source.info)
        return response

    def _abandoned(self) -> StreamError:
        return StreamError(
            "the stream was abandoned before it finished",
            response=self.current_response,
            generation_id=self._generation_id(),
        )

    # -- errors

    def _generation_id(self) -> str | None:
        attempt = self._attempt
        return None if attempt is None else attempt.source.info.generation_id

    def _timeout_error(self) -> APITimeoutError:
        loop = self._loop
        total = self._total_deadline
        if total is not None and loop is not None and loop.time() >= total:
            what = (
                f"the stream took longer than {self._timeout.stream_total} s (timeout.stream_total)"
            )
        else:
            what = f"no stream event for {self._idle} s (timeout.stream_idle)"
        return APITimeoutError(what, response=self.current_response)

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
        attempt = self._attempt
        response = None if attempt is None else attempt.acc.snapshot()
        if attempt is None or response is None or attempt.acc.terminal not in _FINISHED:
            raise StreamError(
                "the stream was closed before a terminal event",
                response=response,
                generation_id=self._generation_id(),
            )
        attach_http_info(response, attempt.source.info)
        return response

    def __repr__(self) -> str:
        attempt = self._attempt
        status = "not open" if attempt is None else f"HTTP {attempt.source.info.status_code}"
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
