"""Concurrent batches over real HTTP: order, failures, the shared 429 pause, laziness, rate."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from openresponses import (
    AsyncBatchIterator,
    AsyncClient,
    BadRequestError,
    BatchIterator,
    Client,
    InvalidRequestError,
    RateLimitError,
    Response,
)
from openresponses.batch import run_batch
from openresponses.testing import HTTPReply, LocalServer, RecordedRequest, Text, Turn, echo_reply

pytestmark = pytest.mark.anyio


def _requests(count: int) -> list[dict[str, Any]]:
    return [{"model": "m", "input": f"req {index}"} for index in range(count)]


def _index(request: RecordedRequest) -> int:
    return int(str(request.json["input"]).split()[-1])


def _text(result: object) -> str:
    assert isinstance(result, Response), result
    return result.output_text


async def test_failures_and_a_429_give_every_result_once_in_order(server: LocalServer) -> None:
    """Injected 400/500/429 replies: each request gets exactly one result, in input order."""
    seen: dict[int, int] = {}

    def reply(request: RecordedRequest) -> Any:
        index = _index(request)
        seen[index] = seen.get(index, 0) + 1
        if index in (3, 11):
            return HTTPReply(400)
        if index == 5 and seen[index] == 1:
            return HTTPReply(500)
        if index == 8 and seen[index] <= 2:
            return HTTPReply(429, headers={"Retry-After": "0.1"})
        return Turn(Text(f"ok {index}"), delay=0.005 * (index % 4))

    server.default = reply
    async with AsyncClient(base_url=server.base_url) as client:
        results = await run_batch(client, _requests(20), concurrency=4)

    assert len(results) == 20
    for index, result in enumerate(results):
        if index in (3, 11):
            assert isinstance(result, BadRequestError)
        else:
            assert _text(result) == f"ok {index}"
    assert seen[5] == 2
    assert seen[8] == 3
    assert seen[3] == 1
    assert server.request_count == 20 + 1 + 2


async def test_a_429_with_retry_after_pauses_the_whole_batch(server: LocalServer) -> None:
    """After a 429 asking for 0.3 s, no worker starts a request until the wait is over."""
    paused_at: list[float] = []

    def reply(request: RecordedRequest) -> Any:
        if _index(request) == 6 and not paused_at:
            paused_at.append(time.monotonic())
            return HTTPReply(429, headers={"Retry-After": "0.3"})
        return Turn(Text("ok"), delay=0.01)

    server.default = reply
    async with AsyncClient(base_url=server.base_url) as client:
        results = await run_batch(client, _requests(30), concurrency=4)

    assert all(isinstance(result, Response) for result in results)
    start = paused_at[0]
    during = [r for r in server.requests if start + 0.08 < r.received_at < start + 0.27]
    after = [r for r in server.requests if r.received_at >= start + 0.27]
    assert during == []
    assert len(after) >= 20


async def test_rate_limit_error_after_retries_is_that_requests_result(server: LocalServer) -> None:
    """A request still refused with 429 after its retries ends as RateLimitError; others succeed."""

    def reply(request: RecordedRequest) -> Any:
        if _index(request) == 1:
            return HTTPReply(429, headers={"Retry-After": "0"})
        return Text("ok")

    server.default = reply
    async with AsyncClient(base_url=server.base_url) as client:
        results = await run_batch(client, _requests(3), concurrency=2, max_retries=1)

    assert isinstance(results[1], RateLimitError)
    assert [_text(results[0]), _text(results[2])] == ["ok", "ok"]
    assert server.request_count == 3 + 1


async def test_lazy_generator_keeps_in_flight_bounded_by_concurrency(server: LocalServer) -> None:
    """A generator is pulled lazily and the server never sees more than ``concurrency`` at once."""
    active = 0
    peak = 0
    done = 0
    lead = 0

    async def reply(request: RecordedRequest) -> Any:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.01)
        active -= 1
        return Text("ok")

    def generate() -> Iterator[dict[str, Any]]:
        nonlocal lead
        for index in range(120):
            lead = max(lead, index - done)
            yield {"model": "m", "input": f"req {index}"}

    def progress(count: int, total: int | None) -> None:
        nonlocal done
        done = count

    server.default = reply
    async with AsyncClient(base_url=server.base_url) as client:
        results = await run_batch(client, generate(), concurrency=8, progress=progress)

    assert len(results) == 120
    assert all(isinstance(r, Response) for r in results)
    assert peak == 8
    assert lead <= 2 * 8  # workers plus the result queue, never the whole input


async def test_batch_iter_yields_indices_as_requests_complete(server: LocalServer) -> None:
    """``AsyncBatchIterator`` yields every index once, in completion order, with its own result."""

    def reply(request: RecordedRequest) -> Any:
        index = _index(request)
        return Turn(Text(f"ok {index}"), delay=0.02 * (5 - index))

    server.default = reply
    async with (
        AsyncClient(base_url=server.base_url) as client,
        AsyncBatchIterator(client, _requests(6), concurrency=6) as batch,
    ):
        pairs = [pair async for pair in batch]

    assert sorted(index for index, _ in pairs) == list(range(6))
    assert [index for index, _ in pairs] != list(range(6))
    assert all(_text(result) == f"ok {index}" for index, result in pairs)


async def test_batch_iter_over_an_endless_async_generator_stops_when_closed(
    server: LocalServer,
) -> None:
    """An endless async source is read only as far as needed; closing cancels the rest."""

    async def endless() -> AsyncIterator[dict[str, Any]]:
        for index in itertools.count():
            yield {"model": "m", "input": f"req {index}"}

    async with AsyncClient(base_url=server.base_url) as client:
        taken = []
        async with AsyncBatchIterator(client, endless(), concurrency=4) as batch:
            async for index, result in batch:
                taken.append((index, _text(result)))
                if len(taken) == 25:
                    break

    assert len(taken) == 25
    assert all(text == f"You said: req {index}" for index, text in taken)
    assert server.request_count <= 25 + 2 * 4


async def test_return_exceptions_false_cancels_the_rest_and_raises(server: LocalServer) -> None:
    """The first failure is raised at once and the requests still running are abandoned."""

    def reply(request: RecordedRequest) -> Any:
        if _index(request) == 2:
            return HTTPReply(400)
        return Turn(Text("ok"), delay=1.0)

    server.default = reply
    async with AsyncClient(base_url=server.base_url) as client:
        started = time.monotonic()
        with pytest.raises(BadRequestError):
            await run_batch(client, _requests(50), concurrency=5, return_exceptions=False)
        elapsed = time.monotonic() - started
        await server.wait_disconnects(4)

    assert elapsed < 0.8
    assert server.request_count == 5


async def test_progress_callback_counts_every_result(server: LocalServer) -> None:
    """``progress(done, total)`` starts at 0 and counts up to the total (None for a generator)."""
    calls: list[tuple[int, int | None]] = []
    lazy_calls: list[tuple[int, int | None]] = []

    async with AsyncClient(base_url=server.base_url) as client:
        await run_batch(client, _requests(7), concurrency=3, progress=lambda *a: calls.append(a))
        await run_batch(
            client, iter(_requests(3)), progress=lambda *a: lazy_calls.append(a), concurrency=2
        )

    assert calls == [(done, 7) for done in range(8)]
    assert lazy_calls == [(done, None) for done in range(4)]


async def test_progress_true_without_tqdm_or_rich_writes_a_stderr_line(
    server: LocalServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``progress=True`` falls back to a ``batch: done/total`` line on stderr."""
    async with AsyncClient(base_url=server.base_url) as client:
        await run_batch(client, _requests(4), progress=True)

    assert capsys.readouterr().err.rstrip().endswith("batch: 4/4")


async def test_requests_per_minute_spaces_the_starts(server: LocalServer) -> None:
    """With ``requests_per_minute=1200`` requests start at least 0.05 s apart."""
    async with AsyncClient(base_url=server.base_url) as client:
        await run_batch(client, _requests(5), concurrency=5, requests_per_minute=1200)

    times = sorted(request.received_at for request in server.requests)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(times) == 5
    assert min(gaps) >= 0.04
    assert times[-1] - times[0] >= 0.19


async def test_bad_requests_are_per_item_errors_and_bad_options_refused(
    server: LocalServer,
) -> None:
    """A non-mapping request is that item's error; ``concurrency=0`` is refused before sending."""
    async with AsyncClient(base_url=server.base_url) as client:
        results = await run_batch(client, [{"model": "m", "input": "a"}, 42])  # type: ignore[list-item]
        with pytest.raises(InvalidRequestError, match="concurrency"):
            AsyncBatchIterator(client, [], concurrency=0)

    assert _text(results[0]) == "You said: a"
    assert isinstance(results[1], TypeError)
    assert server.request_count == 1


async def test_an_input_that_raises_ends_the_batch_with_its_error(server: LocalServer) -> None:
    """An exception from the request iterable itself is raised, not swallowed as a result."""

    def broken() -> Iterator[dict[str, Any]]:
        yield {"model": "m", "input": "a"}
        raise LookupError("source failed")

    async with AsyncClient(base_url=server.base_url) as client:
        with pytest.raises(LookupError, match="source failed"):
            await run_batch(client, broken(), concurrency=2)


# -- batch and batch_iter as client methods, on AsyncClient and on the blocking Client:
# later inputs answer first, and input "fail" is refused

MODEL = "openresponses/local"
BATCH_SIZE = 4


def _batch_reply(request: RecordedRequest) -> Any:
    """The server's default reply: batch inputs by number, anything else echoed."""
    text = request.json["input"]
    if text == "fail":
        return HTTPReply(400, {"error": {"code": 400, "message": "bad input"}})
    if isinstance(text, str) and text.isdigit():
        return Turn(Text(f"answer {text}"), delay=0.08 * (BATCH_SIZE - 1 - int(text)))
    return echo_reply(request)


def _batch_requests(failing: int | None = None) -> list[dict[str, Any]]:
    return [
        {"model": MODEL, "input": "fail" if index == failing else str(index)}
        for index in range(BATCH_SIZE)
    ]


def _check_batch(results: list[Response | Exception], server: LocalServer) -> None:
    assert len(results) == BATCH_SIZE
    assert isinstance(results[1], BadRequestError)
    assert results[1].message == "bad input"
    answers = [r.output_text for r in results if isinstance(r, Response)]
    assert answers == ["answer 0", "answer 2", "answer 3"]
    assert len(server.requests) == BATCH_SIZE  # a 400 is not retried


def _check_batch_iter(pairs: list[tuple[int, Any]]) -> None:
    assert sorted(index for index, _ in pairs) == list(range(BATCH_SIZE))
    assert pairs[0][0] == BATCH_SIZE - 1  # the one with no delay comes first
    assert all(result.output_text == f"answer {index}" for index, result in pairs)


async def test_batch_returns_in_input_order_async(server: LocalServer) -> None:
    """``batch`` returns results in input order, the refused request as its error."""
    server.default = _batch_reply
    async with AsyncClient(base_url=server.base_url, max_retries=0) as client:
        results = await client.responses.batch(_batch_requests(failing=1), concurrency=BATCH_SIZE)
    _check_batch(results, server)


def test_batch_returns_in_input_order_sync(server: LocalServer) -> None:
    """The blocking ``batch`` returns results in input order, the refused request as its error."""
    server.default = _batch_reply
    with Client(base_url=server.base_url, max_retries=0) as client:
        results = client.responses.batch(_batch_requests(failing=1), concurrency=BATCH_SIZE)
    _check_batch(results, server)


async def test_batch_iter_pairs_indices_async(server: LocalServer) -> None:
    """``batch_iter`` yields ``(index, result)`` as requests complete, every index once."""
    server.default = _batch_reply
    async with (
        AsyncClient(base_url=server.base_url, max_retries=0) as client,
        client.responses.batch_iter(_batch_requests(), concurrency=BATCH_SIZE) as batch,
    ):
        pairs = [pair async for pair in batch]
    _check_batch_iter(pairs)


def test_batch_iter_pairs_indices_sync(server: LocalServer) -> None:
    """The blocking ``batch_iter`` yields the same ``(index, result)`` pairs as they complete."""
    server.default = _batch_reply
    with (
        Client(base_url=server.base_url, max_retries=0) as client,
        client.responses.batch_iter(_batch_requests(), concurrency=BATCH_SIZE) as batch,
    ):
        assert isinstance(batch, BatchIterator)
        pairs = list(batch)
    _check_batch_iter(pairs)
