"""``UsageTracker`` over real HTTP: the hook summing every response's usage, on one client
(``hooks=[tracker]``) or process-wide (``openresponses.add_hook``), per model, from any thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from _support import ANSWER, make_client
from openresponses import (
    Client,
    Hook,
    StreamError,
    UsageTotals,
    UsageTracker,
    add_hook,
    remove_hook,
)
from openresponses.testing import InBandError, LocalServer, ResponseJSON, Text, Turn

pytestmark = pytest.mark.anyio


def usage(input_tokens: int, output_tokens: int, *, cost: float | None = None) -> dict[str, Any]:
    """A usage object, with OpenRouter's ``cost`` when given."""
    body: dict[str, Any] = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }
    if cost is not None:
        body["cost"] = cost
    return body


@pytest.fixture
def process_wide() -> Iterator[UsageTracker]:
    """A tracker registered with ``add_hook`` for the test, removed after it."""
    tracker = UsageTracker()
    add_hook(tracker)
    try:
        yield tracker
    finally:
        remove_hook(tracker)


async def test_a_clients_tracker_counts_every_response_per_model(server: LocalServer) -> None:
    """create, a stream, a compaction and a batch all count, each under the model that answered
    (else the one asked for); a client without the tracker counts nowhere."""
    server.add(
        Turn(Text("a"), model="model-a", usage=usage(3, 1, cost=0.25)),
        Turn(Text("b"), model="model-b", usage=usage(5, 2, cost=0.5)),
        ResponseJSON({**ANSWER, "object": "response.compaction", "usage": usage(7, 1)}),
        Turn(Text("c"), model="model-a", usage=usage(1, 1, cost=0.125)),
        Turn(Text("d"), model="model-a", usage=usage(1, 1)),
        Turn(Text("not counted"), usage=usage(100, 100, cost=100.0)),
    )
    tracker = UsageTracker()
    assert isinstance(tracker, Hook)
    async with (
        make_client(server.base_url, hooks=[tracker]) as client,
        make_client(server.base_url) as untracked,
    ):
        await client.responses.create(model="m", input="a")
        async with client.responses.stream(model="m", input="b") as stream:
            await stream.final_response()
        await client.responses.compact(model="compactor", input="c")
        await client.responses.batch([{"model": "m", "input": "x"}] * 2, concurrency=1)
        await untracked.responses.create(model="m", input="not counted")

    totals = tracker.totals
    assert (totals.requests, totals.input_tokens, totals.output_tokens) == (5, 17, 6)
    assert totals.cost == 0.875
    by_model = tracker.by_model
    assert set(by_model) == {"model-a", "model-b", "compactor"}
    assert (by_model["model-a"].requests, by_model["model-a"].cost) == (3, 0.375)
    assert (by_model["model-b"].requests, by_model["model-b"].cost) == (1, 0.5)
    assert (by_model["compactor"].requests, by_model["compactor"].cost) == (1, None)
    by_model["model-a"].add(None)  # a snapshot: the tracker is not changed through it
    assert tracker.by_model["model-a"].requests == 3


async def test_a_failed_stream_counts_the_usage_it_reported(server: LocalServer) -> None:
    """A stream ended by response.failed with usage counts; a refused request adds nothing."""
    server.add(Turn(stream_error=InBandError(message="boom"), usage=usage(4, 2, cost=0.25)))
    tracker = UsageTracker()
    async with make_client(server.base_url, hooks=[tracker], max_retries=0) as client:
        with pytest.raises(StreamError):
            await _final(client, "fails")

    assert tracker.totals == UsageTotals(
        requests=1, input_tokens=4, output_tokens=2, total_tokens=6, cost=0.25
    )


async def _final(client: Any, text: str) -> None:
    async with client.responses.stream(model="m", input=text) as stream:
        await stream.final_response()


async def test_a_process_wide_tracker_counts_every_client_until_removed(
    server: LocalServer,
) -> None:
    """add_hook: clients made before and after it count; after remove_hook, nothing more."""
    server.default = Turn(Text("ok"), usage=usage(2, 2, cost=0.25))
    tracker = UsageTracker()
    async with make_client(server.base_url) as before:
        add_hook(tracker)
        try:
            async with make_client(server.base_url) as after:
                await before.responses.create(model="m", input="x")
                await after.responses.create(model="m", input="x")
        finally:
            remove_hook(tracker)
        await before.responses.create(model="m", input="x")

    assert (tracker.totals.requests, tracker.totals.cost) == (2, 0.5)
    assert server.request_count == 3


def test_a_process_wide_tracker_sums_blocking_clients_in_many_threads(
    server: LocalServer, process_wide: UsageTracker
) -> None:
    """Four threads, each with its own Client (its own loop): every response counted once."""
    server.default = Turn(Text("ok"), usage=usage(1, 1, cost=0.25))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with Client(base_url=server.base_url) as client:
                for _ in range(5):
                    client.responses.create(model="m", input="x")
        except BaseException as exc:  # pragma: no cover - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert (process_wide.totals.requests, process_wide.totals.total_tokens) == (20, 40)
    assert process_wide.totals.cost == 5.0


def test_a_blocking_clients_tracker_counts_its_calls(server: LocalServer) -> None:
    """Client(hooks=[tracker]): create and a streamed response count."""
    server.default = Turn(Text("ok"), usage=usage(1, 2, cost=0.5))
    tracker = UsageTracker()
    with Client(base_url=server.base_url, hooks=[tracker]) as client:
        client.responses.create(model="m", input="x")
        with client.responses.stream(model="m", input="y") as stream:
            stream.final_response()

    assert (tracker.totals.requests, tracker.totals.output_tokens, tracker.totals.cost) == (
        2,
        4,
        1.0,
    )
    assert "requests=2" in repr(tracker)
