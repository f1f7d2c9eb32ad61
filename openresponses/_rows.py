"""Rows in, result and error columns out: what the Ray and Dask integrations share.

A row (a mapping, one per record of a dataset) becomes the keyword arguments of ``create``:

- a ``body`` value holding a whole request (a mapping, or its JSON text); with the batch-file
  shape's ``method`` or ``url`` beside it, the row is read by the batch file's reader
  (``_batch_rows.request_of``: ``POST``, ``/v1/responses`` and a ``custom_id`` required);
- or an ``input`` value (``prompt`` is read as ``input`` when there is none), with the optional
  ``model`` and ``instructions`` values of the row.

The settings' ``defaults`` (request fields) come first, the row's fields over them, and the
settings' ``model`` fills in a request that names none. Every other value of the row (a
``custom_id``, any column the caller keeps) is left alone: the result columns are added beside
the input columns. A row that cannot be read gets its ``error`` without any request being sent.

The rows of one call go through ``AsyncBatchIterator`` (its retries, ``Retry-After``, its shared
429 pause), over an engine that first takes a turn from the process's in-flight bound and from
the job-wide limiter, so the limit holds for every attempt, retries included.

Results become the columns of ``RESULT_COLUMNS``: ``output_text``, ``response`` (the response
as JSON text), ``error`` (``None``, or the JSON of a record ``{"type", "status", "code",
"message"}``), the token counts and the ``cost`` the server reported (``None`` when it reported
none).
"""

from __future__ import annotations

import asyncio
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import orjson

from ._batch_rows import error_record
from ._batch_rows import request_of as batch_row_request
from ._client import AsyncClient
from ._engine import Engine
from ._errors import APIStatusError, InvalidRequestError
from ._numbers import check_int, check_number
from ._retry import retry_after_seconds
from ._serde import dumps
from .batch import AsyncBatchIterator, BatchResult
from .types import Response

__all__ = [
    "RESULT_COLUMNS",
    "Limiter",
    "Settings",
    "answer_rows",
    "make_settings",
    "plain",
    "request_of",
    "with_pandas_columns",
]

# Each result column and the pandas dtype it has in every partition (nullable, so that a
# column of errors only keeps one dtype across partitions).
RESULT_COLUMNS: Final[Mapping[str, str]] = {
    "output_text": "string",
    "response": "string",
    "error": "string",
    "input_tokens": "Int64",
    "output_tokens": "Int64",
    "total_tokens": "Int64",
    "cost": "Float64",
}
_ROW_FIELDS: Final = ("model", "instructions")


@attrs.frozen(kw_only=True)
class Settings:
    """What every worker of a job needs to answer rows (checked once, where the job is set up)."""

    model: str | None
    client_options: Mapping[str, Any]
    defaults: Mapping[str, Any]
    concurrency: int
    max_retries: int | None
    requests_per_minute: float | None

    def new_client(self) -> AsyncClient:
        """A client with the job's options (it binds to the loop of its first request)."""
        return AsyncClient(**self.client_options)


def make_settings(
    *,
    model: str | None,
    client_options: Mapping[str, Any] | None,
    defaults: Mapping[str, Any] | None,
    concurrency: int,
    concurrency_field: str,
    max_retries: int | None,
    requests_per_minute: float | None,
) -> Settings:
    """The checked settings; a bad one raises ``InvalidRequestError`` naming it.

    The client options are checked by making a client with them (it opens nothing until its
    first request, so it is simply dropped).
    """
    if model is not None and (not isinstance(model, str) or not model):
        raise InvalidRequestError("model", f"must be a non-empty string, got {model!r}")
    options = _string_keys("client_options", client_options)
    fields = _string_keys("defaults", defaults)
    if "stream" in fields:
        raise InvalidRequestError("defaults", "stream is not for batches: each row gets one answer")
    check_int(concurrency_field, concurrency, minimum=1)
    if max_retries is not None:
        check_int("max_retries", max_retries, minimum=0)
    if requests_per_minute is not None:
        check_number("requests_per_minute", requests_per_minute, above=True)
    try:
        AsyncClient(**options)
    except TypeError as exc:
        raise InvalidRequestError("client_options", str(exc)) from None
    return Settings(
        model=model,
        client_options=options,
        defaults=fields,
        concurrency=concurrency,
        max_retries=max_retries,
        requests_per_minute=requests_per_minute,
    )


def _string_keys(name: str, value: Mapping[str, Any] | None) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise InvalidRequestError(name, f"must be a mapping with string keys, got {value!r}")
    return dict(value)


def plain(value: Any) -> Any:
    """A dataframe value as plain JSON data: numpy arrays and scalars as lists and numbers,
    missing values (``None``, NaN, ``pd.NA``) as ``None``, and the ``None`` values of a mapping
    left out (Arrow gives every struct every key of its column)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Mapping):
        items = ((str(key), plain(item)) for key, item in value.items())
        return {key: item for key, item in items if item is not None}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    tolist = getattr(value, "tolist", None)  # numpy arrays and numpy scalars
    if callable(tolist):
        return plain(tolist())
    return value


def request_of(row: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """The ``create`` keyword arguments of one row (see the module docstring)."""
    body = plain(row.get("body"))
    text = plain(row.get("input"))
    if text is None:
        text = plain(row.get("prompt"))
    if body is not None:
        if text is not None:
            raise InvalidRequestError("body", "a row has a body or an input (prompt), not both")
        request = {**settings.defaults, **_body(body, row)}
    elif text is None:
        raise InvalidRequestError("input", "the row has no input, prompt or body value")
    else:
        request = {**settings.defaults, "input": text}
        for name in _ROW_FIELDS:
            value = plain(row.get(name))
            if value is not None:
                request[name] = value
    if "model" not in request and settings.model is not None:
        request["model"] = settings.model
    if request.get("stream"):
        raise InvalidRequestError("stream", "is not for batches: each row gets one answer")
    request.pop("stream", None)
    return request


def _body(body: Any, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's whole request, read from its ``body``: in the batch-file shape (a ``method`` or
    ``url`` beside it) by the batch file's own row reader, which checks them."""
    if isinstance(body, (str, bytes)):
        try:
            body = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise InvalidRequestError("body", f"is not JSON: {exc}") from None
    method, url = plain(row.get("method")), plain(row.get("url"))
    if method is None and url is None:
        if not isinstance(body, Mapping):
            raise InvalidRequestError("body", f"must be a JSON object, got {type(body).__name__}")
        return dict(body)
    custom_id = plain(row.get("custom_id"))
    shaped = {"custom_id": custom_id, "method": method, "url": url, "body": body}
    return batch_row_request(shaped)[1]


class Limiter(ABC):
    """The job-wide rate limit, whose slots the engine that runs the job (Ray, Dask) keeps:
    evenly spaced start slots, and a pause that holds every slot while it lasts.

    A request never starts before its slot. One whose worker stalled (a busy CPU, a long
    garbage collection) starts as soon as it can, so a stall's worth of slots may go at once:
    over a minute the job stays within its rate, give or take those."""

    async def wait_turn(self) -> None:
        """Wait for the next start slot of the whole job."""
        while True:
            delay = await self.reserve()
            if delay <= 0:
                return
            await asyncio.sleep(delay)
            # A pause asked while this slot was waiting holds it too: then a new slot after it.
            paused = await self.paused_for()
            if paused <= 0:
                return
            await asyncio.sleep(paused)

    @abstractmethod
    async def reserve(self) -> float:
        """Take the job's next start slot: the seconds until it."""

    @abstractmethod
    async def paused_for(self) -> float:
        """The seconds left of the job's pause (0 or less: none)."""

    @abstractmethod
    def pause(self, seconds: float) -> None:
        """A server asked to wait: no slot of the job starts in the next ``seconds``."""


class _GatedEngine:
    """The client's engine, each attempt of which first waits for a slot of the process's
    in-flight bound, then for the job's turn; a server's ``Retry-After`` pauses the whole job."""

    def __init__(self, engine: Engine, slots: asyncio.Semaphore, limiter: Limiter | None) -> None:
        # Not `_engine`: batch helpers read that attribute as "the engine inside a client".
        self._inner = engine
        self._slots = slots
        self._limiter = limiter
        self.retry_policy = engine.retry_policy
        self.stream = engine.stream
        self.compact = engine.compact

    async def create(self, **params: Any) -> Response:
        async with self._slots:
            limiter = self._limiter
            if limiter is None:
                return await self._inner.create(**params)
            await limiter.wait_turn()
            try:
                return await self._inner.create(**params)
            except APIStatusError as exc:
                wait = retry_after_seconds(exc.headers)
                if wait is not None and wait <= self.retry_policy.max_retry_after:
                    limiter.pause(wait)
                raise


async def answer_rows(
    client: AsyncClient,
    rows: Sequence[Mapping[str, Any]],
    settings: Settings,
    *,
    slots: asyncio.Semaphore,
    limiter: Limiter | None,
) -> dict[str, list[Any]]:
    """Send each row's request and return the result columns, one value per row, in row order.

    A row that cannot be read, or whose request fails after its retries, gets its ``error``;
    nothing a row does stops the others.
    """
    results: list[BatchResult | None] = []
    requests: list[dict[str, Any]] = []
    sent: list[int] = []  # the row of each request sent
    for row in rows:
        try:
            request = request_of(row, settings)
        except (TypeError, ValueError) as exc:  # InvalidRequestError, or a value nothing reads
            results.append(exc)
            continue
        sent.append(len(results))
        results.append(None)  # filled in when its answer comes
        requests.append(request)
    if requests:
        engine = _GatedEngine(client._engine, slots, limiter)
        batch = AsyncBatchIterator(
            engine,
            requests,
            concurrency=min(settings.concurrency, len(requests)),
            max_retries=settings.max_retries,
        )
        async with batch:
            async for index, result in batch:
                results[sent[index]] = result
    return _columns(results)


def _columns(results: Sequence[BatchResult | None]) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {name: [] for name in RESULT_COLUMNS}
    for result in results:
        assert result is not None, "the batch answers every request it is given"
        values: tuple[Any, ...]
        if isinstance(result, Response):
            usage = result.usage
            values = (
                result.output_text,
                dumps(result).decode(),
                None,
                None if usage is None else usage.input_tokens,
                None if usage is None else usage.output_tokens,
                None if usage is None else usage.total_tokens,
                None if usage is None else usage.cost,
            )
        else:
            record = orjson.dumps(error_record(result), default=str).decode()
            values = (None, None, record, None, None, None, None)
        for column, value in zip(columns.values(), values, strict=True):
            column.append(value)
    return columns


def with_pandas_columns(frame: Any, columns: Mapping[str, Sequence[Any]]) -> Any:
    """A pandas DataFrame: ``frame``'s columns, then the result columns in their dtypes (any
    input column of the same name is replaced)."""
    import pandas  # type: ignore[import-untyped]  # comes with both extras; pandas has no types

    kept = frame.drop(columns=[name for name in RESULT_COLUMNS if name in frame.columns])
    added = {
        name: pandas.array(list(columns[name]), dtype=dtype)
        for name, dtype in RESULT_COLUMNS.items()
    }
    return kept.assign(**added)
