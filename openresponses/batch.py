"""Many requests at once: bounded workers, ordered or as-completed results, one shared rate gate.

``run_batch`` and ``AsyncBatchIterator`` use only the engine's ``create`` (an ``AsyncClient``
hands over its own). A fixed pool of ``concurrency`` workers pulls requests lazily from the
input, so memory follows ``concurrency``, not the number of requests. Each call is made with
``max_retries=0`` and retried here, by the same ``Retrier`` as ``create`` (so every retry is
logged alike), because a 429 must pause *every* worker at once: when one worker is told to wait,
the whole batch waits, then resumes.

A batch keeps a ``BatchSummary`` (requests, successes, failures, the usage and cost of every
response) and, with ``max_cost``, starts no request once its finished ones have spent that much.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
import threading
import time
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sized,
)
from types import TracebackType
from typing import Any, Final, Union

import attrs

from ._engine import EngineLike, engine_of
from ._errors import BudgetExceededError, RateLimitError
from ._numbers import check_int, check_number
from ._retry import Retrier, retry_after_seconds
from .types import Response, UsageTotals

# What the package root re-exports (one row of its lazy table); the module's own API
# also has ``run_batch`` and the rest.
__all__ = [
    "AsyncBatchIterator",
    "BatchRequests",
    "BatchResult",
    "BatchResults",
    "BatchSummary",
    "ProgressCallback",
]

logger = logging.getLogger("openresponses")

BatchRequests = Union[Iterable[Mapping[str, Any]], AsyncIterable[Mapping[str, Any]]]
"""Request dicts (keyword arguments of ``create``), from any iterable or async iterable."""

BatchResult = Union[Response, Exception]
"""What a batch gives back for one request: its Response, or the error that ended it."""

ProgressCallback = Callable[[int, Union[int, None]], object]
"""``progress(done, total)``; ``total`` is ``None`` when the input has no ``len()``."""

_DONE: Final = object()


@attrs.frozen(kw_only=True)
class BatchSummary:
    """What a batch did: ``results.summary``, or ``batch.summary`` live while iterating.

    ``requests`` counts the requests taken from the input so far; each finished one is then
    ``succeeded`` (a Response, whatever its ``status``), ``failed`` (an error after its retries)
    or ``not_started`` (refused with ``BudgetExceededError``: ``max_cost`` was spent). The rest
    are in flight, or were cancelled when the batch was left early. ``usage`` sums the usage of
    every Response received, those not yet handed to the caller included; its ``cost`` is
    ``None`` when no server reported one (see ``UsageTotals``)::

        results = await client.responses.batch(requests, max_cost=5.0)
        done = results.summary
        print(f"{done.succeeded}/{done.requests} ok, {done.usage.total_tokens} tokens, "
              f"cost {done.usage.cost if done.usage.cost is not None else 'not reported'}")
    """

    requests: int = 0
    succeeded: int = 0
    failed: int = 0
    not_started: int = 0
    usage: UsageTotals = attrs.Factory(UsageTotals)


class BatchResults(list[BatchResult]):
    """The results of ``run_batch`` in input order (a plain ``list``), and their ``summary``."""

    summary: BatchSummary

    def __init__(self, results: Iterable[BatchResult], summary: BatchSummary) -> None:
        super().__init__(results)
        self.summary = summary


async def run_batch(
    client: EngineLike,
    requests: BatchRequests,
    *,
    concurrency: int = 64,
    requests_per_minute: float | None = None,
    return_exceptions: bool = True,
    max_retries: int | None = None,
    progress: ProgressCallback | bool | None = None,
    max_cost: float | None = None,
) -> BatchResults:
    """Send every request through ``client`` (an ``AsyncClient``) and return the results in
    input order, with their ``summary`` (a ``BatchSummary``).

    Each result is the Response, or the exception that ended that request after its retries;
    one failure never stops the others. With ``return_exceptions=False`` the first failure
    cancels the requests still running and is raised.

    ``max_cost`` (USD): once the cost reported by the batch's finished requests reaches it, no
    request starts; those in flight finish, and each request not started gets a
    ``BudgetExceededError`` in its slot (raised with ``return_exceptions=False``). Only a cost
    the server reports counts: when a response reports none (most Open Responses servers),
    one warning is logged, since the cap cannot see what that request cost.
    """
    results: list[BatchResult | None] = []
    batch = AsyncBatchIterator(
        client,
        requests,
        concurrency=concurrency,
        requests_per_minute=requests_per_minute,
        return_exceptions=return_exceptions,
        max_retries=max_retries,
        progress=progress,
        max_cost=max_cost,
    )
    async with batch:
        async for index, result in batch:
            if index >= len(results):
                results.extend([None] * (index + 1 - len(results)))
            results[index] = result
    # Every index below the last one was filled: an index is handed out only when its request is.
    return BatchResults((result for result in results if result is not None), batch.summary)


class AsyncBatchIterator:
    """``(index, result)`` pairs in completion order; an async iterator and async context manager.

    Workers start on the first ``__anext__``. Leaving ``async with`` (or ``aclose()``) early
    cancels the requests still running. Results wait in a queue of ``concurrency`` slots, so a
    slow consumer slows the workers instead of piling results up. ``summary`` is what the batch
    did so far; ``max_cost`` is as for ``run_batch``.
    """

    def __init__(
        self,
        client: EngineLike,
        requests: BatchRequests,
        *,
        concurrency: int = 64,
        requests_per_minute: float | None = None,
        return_exceptions: bool = True,
        max_retries: int | None = None,
        progress: ProgressCallback | bool | None = None,
        max_cost: float | None = None,
    ) -> None:
        check_int("concurrency", concurrency, minimum=1)
        if requests_per_minute is not None:
            check_number("requests_per_minute", requests_per_minute, above=True)
        if max_cost is not None:
            check_number("max_cost", max_cost, above=True)
        engine = engine_of(client)
        policy = engine.retry_policy
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)
        self._create = engine.create
        self._sync_source: Iterator[Mapping[str, Any]] | None = None
        self._async_source: AsyncIterator[Mapping[str, Any]] | None = None
        if isinstance(requests, AsyncIterable):
            self._async_source = aiter(requests)
        else:
            self._sync_source = iter(requests)
        total = len(requests) if isinstance(requests, Sized) else None
        self._concurrency = concurrency
        self._return_exceptions = return_exceptions
        self._policy = policy
        self._progress = _make_progress(progress, total)
        self._gate = _Gate(60.0 / requests_per_minute if requests_per_minute else 0.0)
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=concurrency)
        self._source_lock = asyncio.Lock()
        self._workers: list[asyncio.Task[None]] = []
        self._running = 0
        self._next_index = 0
        self._done = 0
        self._stopping = False
        self._started = False
        self._closed = False
        self._fatal: BaseException | None = None
        self._max_cost = max_cost
        self._usage = UsageTotals()
        self._succeeded = self._failed = self._not_started = 0
        self._warned_no_cost = False
        # The blocking twin reads the summary from another thread than the loop's.
        self._counting = threading.Lock()

    @property
    def summary(self) -> BatchSummary:
        """What the batch did so far (a snapshot; see ``BatchSummary``)."""
        with self._counting:
            return BatchSummary(
                requests=self._next_index,
                succeeded=self._succeeded,
                failed=self._failed,
                not_started=self._not_started,
                usage=attrs.evolve(self._usage),
            )

    def __aiter__(self) -> AsyncBatchIterator:
        return self

    async def __anext__(self) -> tuple[int, BatchResult]:
        if self._closed:
            raise StopAsyncIteration
        if not self._started:
            self._start()
        item = await self._queue.get()
        if item is _DONE:
            fatal = self._fatal
            await self.aclose()
            if fatal is not None:
                raise fatal
            raise StopAsyncIteration
        index, result = item
        self._done += 1
        self._progress.update(self._done)
        if isinstance(result, Exception) and not self._return_exceptions:
            await self.aclose()
            raise result
        return index, result

    async def __aenter__(self) -> AsyncBatchIterator:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancel whatever is still running and close the progress display; idempotent."""
        if self._closed:
            return
        self._closed = True
        for task in self._workers:
            task.cancel()
        if self._workers:
            await asyncio.gather(*self._workers, return_exceptions=True)
        self._progress.close()

    def _start(self) -> None:
        self._started = True
        self._progress.update(0)
        self._running = self._concurrency
        self._workers = [asyncio.create_task(self._work()) for _ in range(self._concurrency)]

    async def _work(self) -> None:
        try:
            while not self._stopping:
                pulled = await self._pull()
                if pulled is None:
                    break
                index, request = pulled
                result = await self._send(index, request)
                self._count(index, result)
                if isinstance(result, Exception) and not self._return_exceptions:
                    self._stopping = True
                await self._queue.put((index, result))
        except Exception as exc:  # the input iterable raised: end the batch with its error
            self._fatal = self._fatal or exc
            self._stopping = True
        self._running -= 1
        if self._running == 0:
            await self._queue.put(_DONE)

    async def _pull(self) -> tuple[int, Mapping[str, Any]] | None:
        """The next request and its index, or None once the input is exhausted."""
        try:
            if self._sync_source is not None:
                request = next(self._sync_source)
            elif self._async_source is None:
                return None
            else:
                # An async generator refuses a second __anext__ while one is pending.
                async with self._source_lock:
                    if self._stopping:
                        return None
                    request = await anext(self._async_source)
        except (StopIteration, StopAsyncIteration):
            self._stopping = True
            return None
        index = self._next_index
        self._next_index += 1
        return index, request

    def _count(self, index: int, result: BatchResult) -> None:
        """Add a finished request to the summary (and to what the budget has spent)."""
        with self._counting:
            if isinstance(result, Response):
                self._succeeded += 1
                self._usage.add(result)
            elif isinstance(result, BudgetExceededError):
                self._not_started += 1
            else:
                self._failed += 1
        if self._max_cost is not None and isinstance(result, Response):
            usage = result.usage
            if usage is None or usage.cost is None:
                self._warn_no_cost(index)

    def _warn_no_cost(self, index: int) -> None:
        if not self._warned_no_cost:
            self._warned_no_cost = True
            logger.warning(
                "batch: the response to request %d reported no cost, so max_cost=%g cannot "
                "count it (the cap counts only the costs servers report)",
                index,
                self._max_cost,
            )

    def _over_budget(self) -> BudgetExceededError | None:
        """The refusal of a request about to start, once the finished ones spent ``max_cost``."""
        cap, spent = self._max_cost, self._usage.cost
        if cap is None or spent is None or spent < cap:
            return None
        return BudgetExceededError(max_cost=cap, spent=spent)

    async def _send(self, index: int, request: Mapping[str, Any]) -> BatchResult:
        """One request with retries; a wait asked by the server holds every worker."""
        refused = self._over_budget()
        if refused is not None:
            return refused  # before the rate gate: a refusal takes no start slot
        started = time.monotonic()
        try:
            params = dict(request)
            policy = self._policy
            if "max_retries" in params:
                policy = attrs.evolve(policy, max_retries=params.pop("max_retries"))
        except (TypeError, ValueError) as exc:
            return exc  # not a mapping, or a bad max_retries: an error of that request alone
        params["max_retries"] = 0
        retrier: Retrier | None = None
        while True:
            await self._gate.enter()
            if retrier is None and (refused := self._over_budget()) is not None:
                return refused  # the cap was reached during the wait: still not started
            try:
                return await self._create(**params)
            except Exception as exc:
                if retrier is None:
                    retrier = Retrier(policy, f"batch request {index}", started=started)
                wait = retrier.next_retry(exc)
                if wait is None:
                    return exc
                if isinstance(exc, RateLimitError) or _asks_to_wait(getattr(exc, "headers", None)):
                    self._gate.pause(wait)
                else:
                    await asyncio.sleep(wait)


class _Gate:
    """Where every attempt waits its turn: a shared pause (429) and evenly spaced starts (rpm)."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._paused_until = 0.0
        self._next_start = 0.0

    def pause(self, seconds: float) -> None:
        now = asyncio.get_running_loop().time()
        self._paused_until = max(self._paused_until, now + seconds)

    async def enter(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if now < self._paused_until:
                await asyncio.sleep(self._paused_until - now)
                continue
            if not self._interval:
                return
            # Claim a start slot only once the gate is open, so a pause does not bank a burst.
            slot = max(now, self._next_start)
            self._next_start = slot + self._interval
            if slot > now:
                await asyncio.sleep(slot - now)
            if loop.time() >= self._paused_until:
                return


def _asks_to_wait(headers: Mapping[str, str] | None) -> bool:
    """Whether the server asked for a wait the retry policy reads (then every worker waits)."""
    return headers is not None and retry_after_seconds(headers) is not None


class _Progress:
    """Reports ``done`` counts to a callback, a progress bar, or a stderr line."""

    def __init__(self, total: int | None) -> None:
        self.total = total

    def update(self, done: int) -> None:
        """Report ``done`` finished requests."""

    def close(self) -> None:
        """Finish the display."""


class _CallbackProgress(_Progress):
    def __init__(self, total: int | None, callback: ProgressCallback) -> None:
        super().__init__(total)
        self._callback = callback

    def update(self, done: int) -> None:
        self._callback(done, self.total)


class _TqdmProgress(_Progress):
    def __init__(self, total: int | None, tqdm: Any) -> None:
        super().__init__(total)
        self._bar = tqdm.tqdm(total=total, unit="req")
        self._shown = 0

    def update(self, done: int) -> None:
        self._bar.update(done - self._shown)
        self._shown = done

    def close(self) -> None:
        self._bar.close()


class _RichProgress(_Progress):
    def __init__(self, total: int | None, rich_progress: Any) -> None:
        super().__init__(total)
        self._bar = rich_progress.Progress()
        self._task = self._bar.add_task("batch", total=total)
        self._bar.start()

    def update(self, done: int) -> None:
        self._bar.update(self._task, completed=done)

    def close(self) -> None:
        self._bar.stop()


class _LineProgress(_Progress):
    """A ``batch: done/total`` line rewritten in place on stderr, at most ten times a second."""

    def __init__(self, total: int | None) -> None:
        super().__init__(total)
        self._last = 0.0
        self._done = 0

    def update(self, done: int) -> None:
        self._done = done
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            self._write()

    def close(self) -> None:
        self._write()
        sys.stderr.write("\n")
        sys.stderr.flush()

    def _write(self) -> None:
        total = "?" if self.total is None else str(self.total)
        sys.stderr.write(f"\rbatch: {self._done}/{total}")
        sys.stderr.flush()


def _make_progress(progress: ProgressCallback | bool | None, total: int | None) -> _Progress:
    if progress is None or progress is False:
        return _Progress(total)
    if progress is not True:
        return _CallbackProgress(total, progress)
    # Optional extras, imported by name so that neither becomes a dependency.
    try:
        return _TqdmProgress(total, importlib.import_module("tqdm"))
    except ImportError:
        pass
    try:
        return _RichProgress(total, importlib.import_module("rich.progress"))
    except ImportError:
        return _LineProgress(total)
