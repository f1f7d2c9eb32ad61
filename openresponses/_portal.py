"""The loop thread of a blocking ``Client``: one-hop calls onto its event loop, and stream pumps.

``Runtime`` reaches the loop in one hop: ``call_soon_threadsafe`` starts the task and a bare lock
brings the outcome back, where ``BlockingPortal.call`` makes two hops (spawn, then result)
through ``concurrent.futures``; the anyio portal serves for the thread, the loop and their
shutdown. A stream is read by one ``Pump`` task that feeds a thread-safe queue: the async stream
never leaves its task, and an event costs a queue put and get instead of a hop. ``Portal`` starts
the runtime on first use and stops it on close. ``_blocking`` builds the twins on top.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Final, Generic, ParamSpec, TypeVar, Union, cast

import anyio
from anyio.from_thread import start_blocking_portal

from ._client import AsyncClient

__all__ = ["CLOSED_MESSAGE", "OWN_THREAD_MESSAGE", "Portal", "Pump", "Runtime", "Source"]

_R = TypeVar("_R")
_T = TypeVar("_T")
_P = ParamSpec("_P")

CLOSED_MESSAGE: Final = "this Client is closed; create a new one"
OWN_THREAD_MESSAGE: Final = (
    "a Client cannot be called from its own event loop thread; use its AsyncClient there"
)


# -- the portal ---------------------------------------------------------------------------------


class Runtime:
    """A started portal: its thread and loop, and the calls and pumps in flight there."""

    __slots__ = ("_portal_cm", "calls", "loop", "portal", "pumps", "thread_id")

    def __init__(self) -> None:
        self._portal_cm = start_blocking_portal("asyncio")
        self.portal = self._portal_cm.__enter__()
        try:
            self.loop, self.thread_id = self.portal.call(_boot)
        except BaseException:
            self._portal_cm.__exit__(None, None, None)
            raise
        self.calls: set[_Call] = set()
        self.pumps: set[Pump[Any]] = set()

    def call(self, fn: Callable[_P, Awaitable[_T]], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``await fn(*args, **kwargs)`` on the loop, blocking until it returns or raises."""
        call = _Call(self)
        self.calls.add(call)
        try:
            self.schedule(call.start, fn, args, kwargs)
        except RuntimeError:
            self.calls.discard(call)
            raise
        try:
            call.done.acquire()
        except BaseException:
            # Interrupted (Ctrl-C): the request must not go on without its caller.
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(call.cancel)
            raise
        error = call.error
        if error is not None:
            call.error = None
            try:
                raise error  # the same object, its frames from the loop thread kept
            finally:
                del error
        return cast("_T", call.value)

    def schedule(self, callback: Callable[..., object], *args: Any) -> None:
        """Run ``callback(*args)`` on the loop thread soon (one hop, no waiting)."""
        if threading.get_ident() == self.thread_id:
            raise RuntimeError(OWN_THREAD_MESSAGE)
        try:
            self.loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop closed under us
            raise RuntimeError(CLOSED_MESSAGE) from None

    def shutdown(self, client: AsyncClient) -> None:
        """Close the open streams, then the AsyncClient; then stop the loop and join its thread."""
        try:
            self.portal.call(self._aclose, client)
        finally:
            self._portal_cm.__exit__(None, None, None)
            # Whatever is still waiting was scheduled as the loop went away: wake it up.
            for call in list(self.calls):
                call.abandon()
            for pump in list(self.pumps):
                pump.abandon()

    async def _aclose(self, client: AsyncClient) -> None:
        pumps = list(self.pumps)
        for pump in pumps:
            pump.cancel()
        tasks = [pump.task for pump in pumps if pump.task is not None]
        if tasks:
            await asyncio.wait(tasks)
        await client.aclose()


async def _boot() -> tuple[asyncio.AbstractEventLoop, int]:
    threading.current_thread().name = "openresponses-portal"
    return asyncio.get_running_loop(), threading.get_ident()


class _Call:
    """One blocking call: the caller waits on ``done``, which the loop releases with the outcome.

    A bare lock instead of ``concurrent.futures.Future`` (what ``run_coroutine_threadsafe`` and
    ``BlockingPortal.call`` use) halves the cost of the hop.
    """

    __slots__ = ("done", "error", "runtime", "task", "value")

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.done = threading.Lock()
        self.done.acquire()
        self.value: Any = None
        self.error: BaseException | None = None
        self.task: asyncio.Task[None] | None = None

    def start(self, fn: Callable[..., Awaitable[Any]], args: Any, kwargs: Any) -> None:
        self.task = self.runtime.loop.create_task(self._run(fn, args, kwargs))

    async def _run(self, fn: Callable[..., Awaitable[Any]], args: Any, kwargs: Any) -> None:
        try:
            self.value = await fn(*args, **kwargs)
        except Exception as exc:
            self.error = exc
        except BaseException:
            self.error = RuntimeError("the Client was closed while this call was in flight")
            raise
        finally:
            self.runtime.calls.discard(self)
            self.done.release()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def abandon(self) -> None:
        if self.done.locked():
            self.error = RuntimeError(CLOSED_MESSAGE)
            self.done.release()


class Portal:
    """One Client's AsyncClient, its runtime (started on first use) and whether it was closed."""

    __slots__ = ("_closed", "_lock", "_runtime", "client")

    def __init__(self, client: AsyncClient) -> None:
        # AsyncClient.__init__ does no I/O (its session is made on first use, on the loop), so it
        # is built here: bad arguments raise from Client(...), as they do from AsyncClient(...).
        self.client = client
        self._lock = threading.Lock()
        self._runtime: Runtime | None = None
        self._closed = False

    @property
    def state(self) -> str:
        return "closed" if self._closed else "idle" if self._runtime is None else "open"

    def runtime(self) -> Runtime:
        runtime = self._runtime
        if runtime is not None:
            return runtime
        with self._lock:
            if self._closed:
                raise RuntimeError(CLOSED_MESSAGE)
            if self._runtime is None:
                self._runtime = Runtime()
            return self._runtime

    def close(self) -> None:
        with self._lock:
            runtime = self._runtime
            if runtime is not None and threading.get_ident() == runtime.thread_id:
                raise RuntimeError(OWN_THREAD_MESSAGE)  # it would have to join itself
            self._runtime = None
            self._closed = True
        if runtime is not None:
            runtime.shutdown(self.client)

    def __del__(self) -> None:
        # Only warn: a finalizer may run on the loop thread or at interpreter exit, where stopping
        # the portal would deadlock. The loop thread is a daemon, so exit never waits for it.
        if getattr(self, "_runtime", None) is not None:
            warnings.warn(
                "unclosed openresponses.Client: use `with Client() as client:` or call close()",
                ResourceWarning,
                stacklevel=1,
                source=self,
            )


# -- the pump -----------------------------------------------------------------------------------


class _Marker:
    __slots__ = ()


class _Opened(_Marker):
    __slots__ = ("target",)

    def __init__(self, target: Any) -> None:
        self.target = target


class _End(_Marker):
    """How a pump ended: ``finish`` gave ``value`` or raised ``error``; or, if ``failed``,
    opening or iterating raised ``error``, which iteration then raises too."""

    __slots__ = ("error", "failed", "traceback", "value")

    def __init__(
        self, value: Any = None, error: BaseException | None = None, *, failed: bool = False
    ) -> None:
        self.value = value
        self.error = error
        self.failed = failed
        self.traceback = None if error is None else error.__traceback__


_GONE: Final = _Marker()  # the loop went away before the pump could settle

Source = Union[Callable[[Any], AsyncIterator[Any]], None]


class Pump(Generic[_R]):
    """One task on the loop that enters an async context manager and drains an iterator from it.

    Items go onto a ``SimpleQueue`` in batches, one per burst (what the iterator gives before
    it waits for the network), then one end marker, pushed after the context has exited (so the
    HTTP response is released by then). A batch costs one queue put and get, not one per event,
    and wakes the consumer once per burst. The consumer names what to iterate (``demand``) once
    the context is open, so that opening errors raise where ``async with`` would.
    """

    def __init__(
        self,
        runtime: Runtime,
        manager: AbstractAsyncContextManager[_R],
        *,
        finish: Callable[[_R], Awaitable[Any]] | None = None,
    ) -> None:
        self._runtime = runtime
        self._manager = manager
        self._finish = finish
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._end: _Marker | None = None
        self._batch: Iterator[Any] = iter(())
        self._started = False
        self.finished = threading.Event()
        # loop-thread state
        self.task: asyncio.Task[None] | None = None
        self._scope: anyio.CancelScope | None = None
        self._cancel_requested = False
        self._demand: asyncio.Future[Source] | None = None
        self._target: _R | None = None
        self._pending: list[Any] = []

    # -- consumer side

    def open(self) -> _R:
        """Start the task; block until the context is open, or re-raise what opening raised."""
        runtime = self._runtime
        runtime.pumps.add(self)
        try:
            runtime.schedule(self._start)
        except RuntimeError:
            runtime.pumps.discard(self)
            raise
        self._started = True
        first = self._queue.get()
        if isinstance(first, _Opened):
            return cast("_R", first.target)
        self._end = first
        return cast("_R", self._settle())

    def demand(self, source: Source) -> None:
        """Say what to iterate (``None``: nothing, straight to ``finish``); does not block."""
        if self._demand is None:
            raise RuntimeError("demand() before the pump started")
        self._runtime.loop.call_soon_threadsafe(_resolve, self._demand, source)

    def items(self) -> Iterator[Any]:
        """The items as they come, from where the last reader stopped; then the end.

        A failure is raised again by every new iterator, as the async streams raise it again.
        """
        yield from self._batch
        get = self._queue.get
        while self._end is None:
            item = get()
            if item.__class__ is list:
                self._batch = batch = iter(item)
                yield from batch
            else:
                self._end = item
        end = self._end
        if not isinstance(end, _End) or end.failed:
            self._settle()

    @property
    def ended(self) -> bool:
        return self._end is not None

    def outcome(self) -> Any:
        """Drain what is left, then return what ``finish`` returned or raise what failed."""
        while self._end is None:
            item = self._queue.get()
            if isinstance(item, _Marker):
                self._end = item
        return self._settle()

    def _settle(self) -> Any:
        end = self._end
        if not isinstance(end, _End):
            raise RuntimeError("the Client was closed while this stream was open")
        if end.error is not None:
            # The same exception object, with the frames it gathered on the loop thread.
            raise end.error.with_traceback(end.traceback)
        return end.value

    def close(self) -> None:
        """Cancel the task if it still runs; return once it has released the HTTP response."""
        if not self._started or self.finished.is_set():
            return
        if threading.get_ident() == self._runtime.thread_id:
            self.cancel()  # on the loop thread (a finalizer, a callback): waiting would deadlock
            return
        try:
            self._runtime.loop.call_soon_threadsafe(self.cancel)
        except RuntimeError:  # the loop is closed, and the task ended with it
            return
        self.finished.wait()

    def abandon(self) -> None:
        """The loop is gone (the task never ran, or never finished): unblock the consumer."""
        if not self.finished.is_set():
            self.finished.set()
            self._queue.put(_GONE)

    # -- loop side

    def _start(self) -> None:
        self.task = self._runtime.loop.create_task(self._run())

    def cancel(self) -> None:
        self._cancel_requested = True
        if self._scope is not None:
            self._scope.cancel()

    async def _run(self) -> None:
        end: _Marker = _GONE
        try:
            with anyio.CancelScope() as scope:
                self._scope = scope
                if self._cancel_requested:
                    scope.cancel()
                end = await self._drive()
            if end is _GONE and self._target is not None:
                # Closed early: report what the closed async object says now (for a response
                # stream, the StreamError carrying the partial response).
                end = await self._settled(self._target)
        except Exception as exc:
            end = _End(error=exc, failed=True)
        finally:
            # A BaseException here is the loop shutting down: ``end`` stays _GONE.
            self._flush()
            self.finished.set()  # first: a consumer that sees the end marker need not wait
            self._queue.put(end)
            self._runtime.pumps.discard(self)

    async def _drive(self) -> _Marker:
        async with self._manager as target:
            self._target = target
            self._demand = asyncio.get_running_loop().create_future()
            self._queue.put(_Opened(target))
            source = await self._demand
            if source is not None:
                flush_soon = functools.partial(asyncio.get_running_loop().call_soon, self._flush)
                async for item in source(target):
                    pending = self._pending
                    pending.append(item)
                    if len(pending) == 1:
                        flush_soon()  # runs once this task waits: the end of the burst
            return await self._settled(target)

    def _flush(self) -> None:
        pending = self._pending
        if pending:
            self._pending = []
            self._queue.put(pending)

    async def _settled(self, target: _R) -> _End:
        if self._finish is None:
            return _End()
        try:
            return _End(await self._finish(target))
        except Exception as exc:
            return _End(error=exc)


def _resolve(demand: asyncio.Future[Source], source: Source) -> None:
    if not demand.done():  # cancelled already when the stream was closed first
        demand.set_result(source)
