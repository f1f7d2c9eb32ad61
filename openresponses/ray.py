"""Batches on Ray Data: one ``AsyncClient`` per actor, results and errors as columns.

Install the extra (``pip install 'openresponses[ray]'``, which adds ``ray[data]``), then map a
dataset's batches through :class:`Responses`, or let :func:`map_responses` do it::

    import ray
    from openresponses.ray import Responses, map_responses

    ds = ray.data.from_items([{"custom_id": "a", "input": "Hi"}, {"custom_id": "b", "input": "Yo"}])
    answered = ds.map_batches(
        Responses,
        fn_constructor_kwargs={"model": "openai/gpt-4o-mini", "requests_per_minute": 600},
        compute=ray.data.ActorPoolStrategy(size=2),   # two actors
        num_cpus=0.5,              # an actor mostly waits on the network
        batch_format="pandas",
    )
    # the same, with those defaults:
    answered = map_responses(ds, model="openai/gpt-4o-mini", requests_per_minute=600)
    for row in answered.iter_rows():
        print(row["custom_id"], row["output_text"] if row["error"] is None else row["error"])

Each row is read as ``openresponses._rows`` says: a ``body`` column holding a whole request (a
dict or its JSON text, with the batch-file shape's ``method`` and ``url`` checked when present),
or an ``input`` column (``prompt`` also read) with optional ``model`` and ``instructions``
columns; ``defaults`` gives request fields for every row. The output keeps every input column and
adds ``output_text``, ``response`` (JSON text), ``error`` (``None`` or the JSON of ``{"type",
"status", "code", "message"}``), ``input_tokens``, ``output_tokens``, ``total_tokens`` and
``cost``. A row that fails, or cannot be read, gets its ``error``: it never fails its block.

Each actor makes its client in its own process, which binds it to the event loop Ray Data keeps
for the actor's async calls; up to ``concurrency_per_actor`` requests of the actor are in flight
at once, whichever batches they come from, each retried by the client's retry policy (honouring
``Retry-After``).

``requests_per_minute`` is the rate of the whole job, not of each actor. A named Ray actor holds
it: the first :class:`Responses` of the job creates it (``get_if_exists``), every other finds it
by name, and each attempt of every actor asks it for the next start slot. It is Ray's own
mechanism for state shared by a job (placed, named and cleaned up by Ray, reached with ordinary
actor calls), so there is no server of ours to run or reach. A ``Retry-After`` from the server
pauses the slots of the whole job for that long. Stages that give the same ``rate_limit_name``
share one limit (in a named Ray namespace, jobs do too); it must then be given one rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import ray
import ray.data
from ray.exceptions import RayActorError

from ._errors import InvalidRequestError
from ._numbers import check_int, check_number
from ._rows import RESULT_COLUMNS, Limiter, answer_rows, make_settings, with_pandas_columns

__all__ = ["Responses", "map_responses"]

DEFAULT_RATE_LIMIT_NAME = "openresponses-rate-limit"


class _StartSlots:
    """The job's rate limit, run as a named Ray actor: the next free start slot, and a pause.

    Its clock is its own (``time.monotonic``): a caller is told how long to wait, not when, so
    the clocks of the machines never have to agree.
    """

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._next = 0.0
        self._paused_until = 0.0

    def interval(self) -> float:
        return self._interval

    def reserve(self) -> float:
        """Take the next slot; the seconds to wait for it."""
        now = time.monotonic()
        slot = max(now, self._next, self._paused_until)
        self._next = slot + self._interval
        return slot - now

    def paused_for(self) -> float:
        return self._paused_until - time.monotonic()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)


# num_cpus=0: the limiter must never wait for a CPU the answering actors hold. Typed Any: an
# actor's methods are reached through `.remote()` attributes that Ray's types do not describe.
_StartSlotsActor: Any = ray.remote(num_cpus=0)(_StartSlots)


class _RayLimiter(Limiter):
    """A handle on the job's ``_StartSlots`` actor, found or made by name."""

    def __init__(self, name: str, interval: float) -> None:
        self._name = name
        self._interval = interval
        self._handle = self._lookup()
        running = ray.get(self._handle.interval.remote())
        if abs(running - interval) > 1e-9 * interval:
            raise InvalidRequestError(
                "requests_per_minute",
                f"the job's rate limit {name!r} runs at {60.0 / running:g} requests per minute; "
                "give another rate_limit_name for another rate",
            )

    def _lookup(self) -> Any:
        # The actor lives as long as the actor that made it; when that one is gone (the pool
        # shrank), the next call makes it again under the same name.
        return _StartSlotsActor.options(name=self._name, get_if_exists=True).remote(self._interval)

    async def reserve(self) -> float:
        try:
            delay: float = await self._handle.reserve.remote()
        except RayActorError:
            self._handle = self._lookup()
            delay = await self._handle.reserve.remote()
        return delay

    async def paused_for(self) -> float:
        try:
            seconds: float = await self._handle.paused_for.remote()
        except RayActorError:  # gone with its pause: the next reserve makes a new one
            return 0.0
        return seconds

    def pause(self, seconds: float) -> None:
        self._handle.pause.remote(seconds)


class Responses:
    """A callable class for ``Dataset.map_batches``: each batch's rows answered, as columns.

    ``model``: the model of rows that name none. ``client_options``: ``AsyncClient`` keyword
    arguments (``api_key``, ``base_url``, ``timeout``, ``retry_policy``...), sent to each actor.
    ``defaults``: request fields for every row (``max_output_tokens``, ``temperature``...).
    ``concurrency_per_actor``: requests in flight at once in one actor. ``max_retries``: retries
    of each request (the client's policy otherwise). ``requests_per_minute``: the rate of the
    whole job, across actors; ``rate_limit_name`` names the Ray actor that holds it.

    Works with every ``batch_format``: a pandas DataFrame comes back as one, a pyarrow Table as
    one, a dict of numpy arrays as a pyarrow Table. Bad settings raise ``InvalidRequestError``
    naming the field when the actor starts, before any request.
    """

    def __init__(
        self,
        *,
        model: str | None = None,
        client_options: Mapping[str, Any] | None = None,
        defaults: Mapping[str, Any] | None = None,
        concurrency_per_actor: int = 32,
        max_retries: int | None = None,
        requests_per_minute: float | None = None,
        rate_limit_name: str = DEFAULT_RATE_LIMIT_NAME,
    ) -> None:
        self._settings = make_settings(
            model=model,
            client_options=client_options,
            defaults=defaults,
            concurrency=concurrency_per_actor,
            concurrency_field="concurrency_per_actor",
            max_retries=max_retries,
            requests_per_minute=requests_per_minute,
        )
        if not isinstance(rate_limit_name, str) or not rate_limit_name:
            raise InvalidRequestError("rate_limit_name", "must be a non-empty string")
        self._limiter = (
            None
            if requests_per_minute is None
            else _RayLimiter(rate_limit_name, 60.0 / requests_per_minute)
        )
        self._client = self._settings.new_client()
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, batch: Any) -> AsyncIterator[Any]:
        # An async generator: the form of async callable class that every Ray Data release
        # since async UDFs came runs on the actor's own event loop.
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._settings.concurrency)
            self._loop = asyncio.get_running_loop()
        rows = _rows_of(batch)
        columns = await answer_rows(
            self._client, rows, self._settings, slots=self._slots, limiter=self._limiter
        )
        yield _with_columns(batch, columns)

    def __del__(self) -> None:
        # The actor is going away: close the client's connections on the loop it is bound to.
        loop = getattr(self, "_loop", None)
        if loop is not None and loop.is_running():
            asyncio.run_coroutine_threadsafe(self._client.aclose(), loop)


def _rows_of(batch: Any) -> list[dict[str, Any]]:
    """The rows of a pandas DataFrame, a pyarrow Table or a dict of column arrays."""
    if isinstance(batch, Mapping):
        names = list(batch)
        count = len(batch[names[0]]) if names else 0
        return [{name: batch[name][index] for name in names} for index in range(count)]
    if hasattr(batch, "to_pylist"):  # pyarrow
        rows: list[dict[str, Any]] = batch.to_pylist()
        return rows
    records: list[dict[str, Any]] = batch.to_dict("records")  # pandas
    return records


def _with_columns(batch: Any, columns: dict[str, list[Any]]) -> Any:
    """``batch`` with the result columns added: pandas in, pandas out; else a pyarrow Table."""
    if not isinstance(batch, Mapping) and not hasattr(batch, "to_pylist"):
        return with_pandas_columns(batch, columns)
    import pyarrow  # type: ignore[import-untyped]  # comes with ray[data]; it has no types

    if isinstance(batch, Mapping):
        batch = pyarrow.table({name: _arrow_column(pyarrow, batch[name]) for name in batch})
    kept = batch.drop_columns([name for name in RESULT_COLUMNS if name in batch.column_names])
    types = {"string": pyarrow.string(), "Int64": pyarrow.int64(), "Float64": pyarrow.float64()}
    for name, dtype in RESULT_COLUMNS.items():
        kept = kept.append_column(name, pyarrow.array(columns[name], type=types[dtype]))
    return kept


def _arrow_column(pyarrow: Any, values: Any) -> Any:
    """A numpy column as Arrow: an object column (strings, dicts) through its Python values."""
    if getattr(values, "dtype", None) is not None and values.dtype.kind == "O":
        return pyarrow.array(values.tolist())
    return pyarrow.array(values)


def map_responses(
    dataset: ray.data.Dataset,
    *,
    model: str | None = None,
    client_options: Mapping[str, Any] | None = None,
    defaults: Mapping[str, Any] | None = None,
    concurrency_per_actor: int = 32,
    max_retries: int | None = None,
    requests_per_minute: float | None = None,
    rate_limit_name: str = DEFAULT_RATE_LIMIT_NAME,
    actors: int = 2,
    num_cpus: float = 0.5,
    batch_size: int = 256,
) -> ray.data.Dataset:
    """``dataset.map_batches(Responses, ...)``: ``actors`` actors of ``num_cpus`` each (an actor
    mostly waits on the network), pandas batches of ``batch_size`` rows; the other arguments
    are :class:`Responses`'s, checked here, before anything runs.
    """
    options: dict[str, Any] = {
        "model": model,
        "client_options": client_options,
        "defaults": defaults,
        "concurrency_per_actor": concurrency_per_actor,
        "max_retries": max_retries,
        "requests_per_minute": requests_per_minute,
    }
    make_settings(
        **{name: value for name, value in options.items() if name != "concurrency_per_actor"},
        concurrency=concurrency_per_actor,
        concurrency_field="concurrency_per_actor",
    )
    check_int("actors", actors, minimum=1)
    check_number("num_cpus", num_cpus)
    check_int("batch_size", batch_size, minimum=1)
    return dataset.map_batches(
        Responses,
        fn_constructor_kwargs={**options, "rate_limit_name": rate_limit_name},
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=num_cpus,
        batch_size=batch_size,
        batch_format="pandas",
    )
