"""Batches on Dask: a DataFrame's or a Bag's partitions answered, one client per worker process.

Install the extra (``pip install 'openresponses[dask]'``, which adds ``dask[dataframe,
distributed]``), then map partitions through :class:`Responses`, or let :func:`map_responses`
do it (it also gives Dask the output's ``meta``)::

    import dask.dataframe as dd
    import pandas as pd
    from openresponses.dask import map_responses

    frame = dd.from_pandas(pd.DataFrame({"custom_id": ["a", "b"], "input": ["Hi", "Yo"]}),
                           npartitions=2)
    answered = map_responses(frame, model="openai/gpt-4o-mini", requests_per_minute=600)
    print(answered.compute()[["custom_id", "output_text", "error"]])

Rows and columns are those of :mod:`openresponses.ray` (see ``openresponses._rows``): a
``body`` column holding a whole request, or ``input`` (``prompt``) with optional ``model`` and
``instructions``; the output keeps the input columns and adds ``output_text``, ``response``,
``error``, ``input_tokens``, ``output_tokens``, ``total_tokens`` and ``cost``. A Bag's
partitions are dicts, answered as dicts with the same keys added. A failed row gets its
``error``: it never fails its partition.

One client per worker process: each process keeps an event loop in a daemon thread and a cache
of clients keyed by the :class:`Responses` object's token (made with it, so every copy Dask
ships answers with the same client). A worker plugin would need registering on a
``distributed.Client`` first; the cache works under any scheduler, the threaded one included.
Partitions running at once in one process share its client and its ``concurrency_per_worker``
requests in flight.

``requests_per_minute`` is the rate of the whole job. Dask has no rate limiter (its
``distributed.Semaphore`` bounds how many run at once, not how often they start), so the next
free start slot lives in the scheduler's metadata, changed under a ``distributed.Lock``, both
named after the :class:`Responses` object (or its ``rate_limit_name``): state kept by the
scheduler, outliving any worker. The slots are
read on the workers' wall clocks, which NTP keeps within milliseconds of each other. With no
distributed scheduler (the local threaded scheduler), the limit is kept by the process that runs
everything. A ``Retry-After`` from the server pauses the slots of the whole job.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, Union

import dask.bag
import dask.dataframe
import distributed

from ._errors import InvalidRequestError
from ._rows import (
    RESULT_COLUMNS,
    Limiter,
    Settings,
    answer_rows,
    make_settings,
    with_pandas_columns,
)

__all__ = ["Responses", "map_responses"]

# Clients a worker process keeps at most (one per Responses object it has served).
MAX_CLIENTS = 16
T = TypeVar("T")
Collection = TypeVar("Collection", bound=Union[dask.dataframe.DataFrame, dask.bag.Bag])


class _Slots:
    """The job's start slots, under one lock: the next free slot and the end of any pause."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._next = 0.0
        self._paused_until = 0.0

    def reserve(self) -> float:
        with self._lock:
            now = time.time()
            slot = max(now, self._next, self._paused_until)
            self._next = slot + self.interval
            return slot - now

    def paused_for(self) -> float:
        return self._paused_until - time.time()

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, time.time() + seconds)


class _SchedulerSlots:
    """The same slots kept by the scheduler: ``[next, paused_until, interval]`` in its metadata
    under ``rate_limit_name``, read and written under a ``distributed.Lock`` of that name."""

    def __init__(self, name: str, interval: float, client: distributed.Client) -> None:
        self.interval = interval
        self._client = client
        self._key = ["openresponses", name]
        self._lock = distributed.Lock(f"openresponses/{name}")
        with self._lock:
            state = client.get_metadata(self._key, None)
            if state is None:
                client.set_metadata(self._key, [0.0, 0.0, interval])
        if state is not None and abs(state[2] - interval) > 1e-9 * interval:
            raise InvalidRequestError(
                "requests_per_minute",
                f"the job's rate limit {name!r} runs at {60.0 / state[2]:g} requests per "
                "minute; give another rate_limit_name for another rate",
            )

    def reserve(self) -> float:
        with self._lock:
            now = time.time()
            next_slot, paused_until, _ = self._client.get_metadata(self._key)
            slot = max(now, next_slot, paused_until)
            self._client.set_metadata(
                self._key, [slot + self.interval, paused_until, self.interval]
            )
        return float(slot - now)

    def paused_for(self) -> float:
        paused_until: float = self._client.get_metadata([*self._key, 1])
        return paused_until - time.time()

    def pause(self, seconds: float) -> None:
        with self._lock:
            next_slot, paused_until, _ = self._client.get_metadata(self._key)
            paused_until = max(paused_until, time.time() + seconds)
            self._client.set_metadata(self._key, [next_slot, paused_until, self.interval])


class _Limiter(Limiter):
    """The slots taken in a thread, off the loop (the scheduler's are blocking calls)."""

    def __init__(self, slots: _Slots | _SchedulerSlots, threads: ThreadPoolExecutor) -> None:
        self._slots = slots
        self._threads = threads

    async def reserve(self) -> float:
        return await asyncio.get_running_loop().run_in_executor(self._threads, self._slots.reserve)

    async def paused_for(self) -> float:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._slots.paused_for)

    def pause(self, seconds: float) -> None:
        self._threads.submit(self._slots.pause, seconds)


class _Worker:
    """What one process keeps for one ``Responses``: its client, in-flight bound and limiter."""

    def __init__(self, settings: Settings, limiter: _Limiter | None) -> None:
        self.client = settings.new_client()
        self.slots = asyncio.Semaphore(settings.concurrency)
        self.limiter = limiter


class _Process:
    """The event loop this process keeps in a daemon thread, and its ``_Worker`` per token."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.workers: dict[str, _Worker] = {}
        # A few threads for the scheduler's blocking lock calls (one at a time holds the lock).
        self.threads = ThreadPoolExecutor(4, thread_name_prefix="openresponses-slots")
        threading.Thread(
            target=self.loop.run_forever, name="openresponses-loop", daemon=True
        ).start()

    def worker(self, token: str, make: Callable[[], _Worker]) -> _Worker:
        """The ``_Worker`` of ``token``, made on first use; partitions that start together in
        this process's threads get the same one. Past ``MAX_CLIENTS``, the oldest one's client
        is closed (a long-lived cluster serves job after job, each its own ``Responses``)."""
        with _lock:
            worker = self.workers.get(token)
            if worker is None:
                worker = self.workers[token] = make()
            while len(self.workers) > MAX_CLIENTS:
                oldest = self.workers.pop(next(iter(self.workers)))
                asyncio.run_coroutine_threadsafe(oldest.client.aclose(), self.loop)
            return worker

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        async def close_all() -> None:
            await asyncio.gather(*(worker.client.aclose() for worker in self.workers.values()))

        if self.workers:
            asyncio.run_coroutine_threadsafe(close_all(), self.loop).result(timeout=5)
        self.threads.shutdown(wait=False)


_lock = threading.Lock()
_process: _Process | None = None


def _this_process() -> _Process:
    global _process
    with _lock:
        # A forked child has the parent's objects but not its loop thread: it starts its own.
        if _process is None or _process.pid != os.getpid():
            _process = _Process()
            atexit.register(_process.close)
        return _process


class Responses:
    """A callable for ``map_partitions``: a pandas DataFrame partition, or a Bag partition of
    dicts, answered row by row, with the result columns added.

    ``model``, ``client_options``, ``defaults``, ``max_retries`` and ``requests_per_minute`` (the
    whole job's rate) are those of :class:`openresponses.ray.Responses`;
    ``concurrency_per_worker`` bounds the requests in flight in one worker process;
    ``rate_limit_name`` names the scheduler's lock and metadata key that hold the rate: by
    default this object's own (every partition it answers shares it), or a name of yours for a
    rate that several jobs on one cluster share (then all must give it the same rate). Bad
    settings raise ``InvalidRequestError`` naming the field here, before anything is sent.

    >>> from openresponses.dask import Responses
    >>> answer = Responses(model="openai/gpt-4o-mini", concurrency_per_worker=16)
    >>> # frame.map_partitions(answer, meta=answer.meta(frame)); bag.map_partitions(answer)
    """

    def __init__(
        self,
        *,
        model: str | None = None,
        client_options: Mapping[str, Any] | None = None,
        defaults: Mapping[str, Any] | None = None,
        concurrency_per_worker: int = 32,
        max_retries: int | None = None,
        requests_per_minute: float | None = None,
        rate_limit_name: str | None = None,
    ) -> None:
        self._settings = make_settings(
            model=model,
            client_options=client_options,
            defaults=defaults,
            concurrency=concurrency_per_worker,
            concurrency_field="concurrency_per_worker",
            max_retries=max_retries,
            requests_per_minute=requests_per_minute,
        )
        if rate_limit_name is not None and (
            not isinstance(rate_limit_name, str) or not rate_limit_name
        ):
            raise InvalidRequestError("rate_limit_name", "must be a non-empty string or None")
        # This object's key in each worker process's cache of clients (and its rate's name).
        self._token = uuid.uuid4().hex
        self._rate_limit_name = rate_limit_name or f"job-{self._token}"

    def __call__(self, partition: Any) -> Any:
        process = _this_process()
        worker = process.worker(
            self._token, lambda: _Worker(self._settings, self._limiter(process.threads))
        )
        frame = hasattr(partition, "to_dict") and hasattr(partition, "columns")
        rows: list[dict[str, Any]] = (
            partition.to_dict("records") if frame else [dict(row) for row in partition]
        )
        columns = process.run(
            answer_rows(
                worker.client, rows, self._settings, slots=worker.slots, limiter=worker.limiter
            )
        )
        if frame:
            return with_pandas_columns(partition, columns)
        return [
            {**row, **{name: values[index] for name, values in columns.items()}}
            for index, row in enumerate(rows)
        ]

    def _limiter(self, threads: ThreadPoolExecutor) -> _Limiter | None:
        rate = self._settings.requests_per_minute
        if rate is None:
            return None
        try:
            client = distributed.get_client()
        except ValueError:  # no distributed scheduler: this process runs the whole job
            return _Limiter(_Slots(60.0 / rate), threads)
        return _Limiter(_SchedulerSlots(self._rate_limit_name, 60.0 / rate, client), threads)

    def meta(self, frame: dask.dataframe.DataFrame) -> Any:
        """The empty pandas DataFrame that ``frame.map_partitions(self, meta=...)`` needs."""
        import pandas  # type: ignore[import-untyped]  # comes with the extra; it has no types

        empty = pandas.DataFrame(
            {name: pandas.Series(dtype=dtype) for name, dtype in frame.dtypes.items()}
        )
        return with_pandas_columns(empty, {name: [] for name in RESULT_COLUMNS})


def map_responses(
    collection: Collection,
    *,
    model: str | None = None,
    client_options: Mapping[str, Any] | None = None,
    defaults: Mapping[str, Any] | None = None,
    concurrency_per_worker: int = 32,
    max_retries: int | None = None,
    requests_per_minute: float | None = None,
    rate_limit_name: str | None = None,
) -> Collection:
    """``collection.map_partitions(Responses(...))``: a Dask DataFrame (with its ``meta``) or
    a Bag, answered lazily (call ``.compute()`` or write it out)."""
    answer = Responses(
        model=model,
        client_options=client_options,
        defaults=defaults,
        concurrency_per_worker=concurrency_per_worker,
        max_retries=max_retries,
        requests_per_minute=requests_per_minute,
        rate_limit_name=rate_limit_name,
    )
    # Any: mypy reads map_partitions through the type variable as untyped code of ours.
    untyped: Any = collection
    if isinstance(collection, dask.bag.Bag):
        answered: Collection = untyped.map_partitions(answer)
    elif isinstance(collection, dask.dataframe.DataFrame):
        answered = untyped.map_partitions(answer, meta=answer.meta(collection))
    else:
        raise InvalidRequestError(
            "collection", f"must be a Dask DataFrame or Bag, got {type(collection).__name__}"
        )
    return answered
