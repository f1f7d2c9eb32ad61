"""Budgets over real HTTP: ``max_cost`` on a batch (a ``BudgetExceededError`` in each slot not
started) and on a tool run (``stop_reason == "max_cost"``), the warning when no cost is reported,
and bad caps refused before anything is sent."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from _support import make_client
from openresponses import (
    AsyncClient,
    BudgetExceededError,
    Client,
    FunctionCall,
    FunctionCallOutput,
    InvalidRequestError,
    OpenResponsesError,
    Response,
)
from openresponses.testing import LocalServer, RecordedRequest, Text, ToolCall, Turn

pytestmark = pytest.mark.anyio


def usage(input_tokens: int, output_tokens: int, *, cost: float) -> dict[str, Any]:
    """A usage object with OpenRouter's ``cost``."""
    total = input_tokens + output_tokens
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": total,
        "cost": cost,
    }


def add(a: int, b: int) -> int:
    """Add two numbers.

    Args:
        a: The first.
        b: The second.
    """
    return a + b


def _requests(count: int) -> list[dict[str, Any]]:
    return [{"model": "m", "input": f"req {index}"} for index in range(count)]


def _index(request: RecordedRequest) -> int:
    return int(str(request.json["input"]).split()[-1])


def _costing(cost: float, *, slow: int | None = None) -> Callable[[RecordedRequest], Turn]:
    """Every request costs ``cost``; request ``slow`` takes 0.3 s."""

    def reply(request: RecordedRequest) -> Turn:
        index = _index(request)
        return Turn(Text(f"ok {index}"), usage=usage(1, 1, cost=cost), delay=0.3 * (index == slow))

    return reply


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_a_batch_starts_nothing_once_max_cost_is_spent(server: LocalServer) -> None:
    """Two workers, $0.25 a request, a $0.75 cap: the third finished request reaches the cap,
    the one still in flight finishes, and the six never started get BudgetExceededError."""
    server.default = _costing(0.25, slow=3)
    async with make_client(server.base_url) as client:
        results = await client.responses.batch(_requests(10), concurrency=2, max_cost=0.75)

    assert [isinstance(result, Response) for result in results] == [True] * 4 + [False] * 6
    refusals = results[4:]
    assert all(isinstance(error, BudgetExceededError) for error in refusals)
    error = refusals[0]
    assert isinstance(error, BudgetExceededError)
    assert isinstance(error, OpenResponsesError)
    assert error.max_cost == 0.75
    assert error.spent >= 0.75
    assert server.request_count == 4
    summary = results.summary
    assert (summary.requests, summary.succeeded, summary.failed, summary.not_started) == (
        10,
        4,
        0,
        6,
    )
    assert summary.usage.cost == 1.0


async def test_a_budget_refusal_is_raised_with_return_exceptions_false(
    server: LocalServer,
) -> None:
    """With return_exceptions=False the first request not started raises BudgetExceededError."""
    server.default = _costing(0.5)
    async with make_client(server.base_url) as client:
        with pytest.raises(BudgetExceededError) as caught:
            await client.responses.batch(
                _requests(5), concurrency=1, max_cost=1.0, return_exceptions=False
            )

    assert (caught.value.max_cost, caught.value.spent) == (1.0, 1.0)
    assert server.request_count == 2


async def test_batch_iter_gives_each_refusal_in_its_slot(server: LocalServer) -> None:
    """batch_iter with max_cost: refusals carry the slots of the requests never sent."""
    server.default = _costing(0.5)
    async with make_client(server.base_url) as client:
        batch = client.responses.batch_iter(_requests(4), concurrency=1, max_cost=0.5)
        async with batch:
            pairs = [pair async for pair in batch]

    assert [(index, type(result).__name__) for index, result in pairs] == [
        (0, "Response"),
        (1, "BudgetExceededError"),
        (2, "BudgetExceededError"),
        (3, "BudgetExceededError"),
    ]
    assert [request.json["input"] for request in server.requests] == ["req 0"]
    assert batch.summary.not_started == 3


async def test_a_batch_warns_once_when_no_cost_is_reported(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """No response reports a cost: the cap cannot apply, every request runs, one warning says so."""
    caplog.set_level(logging.WARNING, logger="openresponses")
    async with make_client(server.base_url) as client:
        results = await client.responses.batch(_requests(5), concurrency=2, max_cost=0.01)

    assert all(isinstance(result, Response) for result in results)
    assert results.summary.usage.cost is None
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert "reported no cost" in warnings[0]
    assert "max_cost=0.01" in warnings[0]


async def test_a_run_stops_before_the_next_step_once_max_cost_is_spent(
    server: LocalServer,
) -> None:
    """Two steps at $0.5 reach a $1 cap: no third request, stop_reason "max_cost", the last
    calls answered at the end of history, nothing pending; the streamed run stops alike."""
    server.default = Turn(Text("a third step"))
    server.add(
        Turn(ToolCall("add", {"a": 1, "b": 2}), usage=usage(5, 1, cost=0.5)),
        Turn(ToolCall("add", {"a": 3, "b": 4}), usage=usage(5, 1, cost=0.5)),
        times=2,
    )
    async with make_client(server.base_url) as client:
        result = await client.responses.run(model="m", input="sum", tools=[add], max_cost=1.0)
        assert server.request_count == 2
        async with client.responses.run_stream(
            model="m", input="sum", tools=[add], max_cost=1.0
        ) as run:
            streamed = await run.final_result()

    assert server.request_count == 4
    for outcome in (result, streamed):
        assert outcome.stop_reason == "max_cost"
        assert (len(outcome.steps), len(outcome.tool_results)) == (2, 2)
        assert outcome.pending_calls == []
        assert isinstance(outcome.history[-1], FunctionCallOutput)
        assert outcome.history[-1].output == "7"
        assert outcome.usage.cost == 1.0


async def test_a_run_under_its_cap_ends_as_usual(server: LocalServer) -> None:
    """A run that spends less than max_cost runs to its answer."""
    server.add(
        Turn(ToolCall("add", {"a": 1, "b": 2}), usage=usage(5, 1, cost=0.5)),
        Turn(Text("3"), usage=usage(5, 1, cost=0.25)),
    )
    async with make_client(server.base_url) as client:
        result = await client.responses.run(model="m", input="sum", tools=[add], max_cost=1.0)

    assert (result.stop_reason, result.output_text, result.usage.cost) == ("done", "3", 0.75)


async def test_a_run_warns_once_when_no_cost_is_reported(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Steps without a cost: the run goes on to its answer and one warning says the cap cannot
    apply."""
    caplog.set_level(logging.WARNING, logger="openresponses")
    server.add(ToolCall("add", {"a": 1, "b": 2}), ToolCall("add", {"a": 3, "b": 3}), "6")
    async with make_client(server.base_url) as client:
        result = await client.responses.run(model="m", input="sum", tools=[add], max_cost=0.01)

    assert (result.stop_reason, len(result.steps)) == ("done", 3)
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert "step 1 reported no cost" in warnings[0]


@pytest.mark.parametrize("bad", [0, -1.0, True, "1", math.nan, math.inf, [1]])
async def test_a_bad_max_cost_is_refused_before_anything_is_sent(
    server: LocalServer, bad: Any
) -> None:
    """max_cost must be a finite number > 0: InvalidRequestError("max_cost") and no request."""
    async with AsyncClient(base_url=server.base_url) as client:
        calls: list[Callable[[], Awaitable[object]]] = [
            lambda: client.responses.batch(_requests(1), max_cost=bad),
            lambda: client.responses.run(model="m", input="x", tools=[add], max_cost=bad),
        ]
        for call in calls:
            with pytest.raises(InvalidRequestError) as caught:
                await call()
            assert caught.value.field == "max_cost"
        with pytest.raises(InvalidRequestError, match="max_cost"):
            client.responses.batch_iter(_requests(1), max_cost=bad)
        with pytest.raises(InvalidRequestError, match="max_cost"):
            client.responses.run_stream(model="m", input="x", tools=[add], max_cost=bad)

    assert server.request_count == 0


def test_blocking_twins_apply_max_cost(server: LocalServer) -> None:
    """Client: batch and batch_iter refuse what the cap leaves out; run stops by max_cost."""
    server.default = _costing(0.5)
    with Client(base_url=server.base_url) as client:
        results = client.responses.batch(_requests(3), concurrency=1, max_cost=0.5)
        with client.responses.batch_iter(_requests(2), concurrency=1, max_cost=0.5) as batch:
            pairs = sorted(batch)
        server.default = None
        server.add(Turn(ToolCall("add", {"a": 1, "b": 2}), usage=usage(5, 1, cost=0.5)))
        run = client.responses.run(model="m", input="sum", tools=[add], max_cost=0.5)

    assert [type(result).__name__ for result in results] == ["Response"] + [
        "BudgetExceededError"
    ] * 2
    assert isinstance(pairs[1][1], BudgetExceededError)
    assert batch.summary.not_started == 1
    assert (run.stop_reason, len(run.steps)) == ("max_cost", 1)
    assert isinstance(run.history[-2], FunctionCall)
