"""Spend accounting over real HTTP: ``UsageTotals``, and the totals of a tool run
(``result.usage``), a conversation (``chat.usage``) and a batch (``results.summary``)."""

from __future__ import annotations

from typing import Any

import pytest

from _support import ANSWER, make_client
from openresponses import (
    AsyncConversation,
    BadRequestError,
    BatchResults,
    BatchSummary,
    Client,
    Response,
    StreamError,
    UsageTotals,
)
from openresponses.testing import (
    HTTPReply,
    InBandError,
    LocalServer,
    RecordedRequest,
    ResponseJSON,
    Text,
    ToolCall,
    Turn,
)

pytestmark = pytest.mark.anyio


def usage(
    input_tokens: int,
    output_tokens: int,
    *,
    cost: float | None = None,
    reasoning: int = 0,
    cached: int = 0,
) -> dict[str, Any]:
    """A usage object as OpenRouter sends it (``cost`` left out when ``None``)."""
    body: dict[str, Any] = {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output_tokens,
    }
    if cost is not None:
        body["cost"] = cost
        body["is_byok"] = False
        body["cost_details"] = {"upstream_inference_cost": cost / 2}
    return body


def add(a: int, b: int) -> int:
    """Add two numbers.

    Args:
        a: The first.
        b: The second.
    """
    return a + b


async def _read_turn(chat: AsyncConversation, text: str) -> None:
    async with chat.stream(text) as stream:
        async for _ in stream:
            pass


def _index(request: RecordedRequest) -> int:
    return int(str(request.json["input"]).split()[-1])


async def test_totals_count_tokens_and_only_the_costs_reported(server: LocalServer) -> None:
    """Tokens add up over responses; cost stays None until one reports a cost, then sums those."""
    server.add(
        Turn(Text("a"), usage=usage(10, 5, reasoning=2, cached=4)),
        Turn(Text("b"), usage=usage(3, 1, cost=0.25)),
        Turn(Text("c"), usage=usage(1, 1, cost=0.5)),
    )
    async with make_client(server.base_url) as client:
        first, second, third = [
            await client.responses.create(model="m", input=text) for text in "abc"
        ]

    totals = UsageTotals()
    totals.add(first)
    assert (totals.requests, totals.cost) == (1, None)
    assert (totals.reasoning_tokens, totals.cached_tokens) == (2, 4)
    totals.add(second.usage)
    assert totals.cost == 0.25
    other = UsageTotals()
    other.add(third)
    other.add(None)  # a response whose server sent no usage: a request, nothing else
    both = totals + other
    assert both == UsageTotals(
        requests=4,
        input_tokens=14,
        output_tokens=7,
        total_tokens=21,
        reasoning_tokens=2,
        cached_tokens=4,
        cost=0.75,
    )
    assert totals.requests == 2  # `+` leaves both sides as they were
    totals.add(other)
    assert totals == both


async def test_tool_run_usage_sums_every_step(server: LocalServer) -> None:
    """result.usage adds the usage and cost of each step of the run, streamed or not."""
    for _ in range(2):
        server.add(
            Turn(ToolCall("add", {"a": 1, "b": 2}), usage=usage(10, 2, cost=0.001)),
            Turn(Text("3"), usage=usage(20, 3, cost=0.002, reasoning=1)),
        )
    async with make_client(server.base_url) as client:
        result = await client.responses.run(model="m", input="1+2?", tools=[add])
        async with client.responses.run_stream(model="m", input="1+2?", tools=[add]) as run:
            streamed = await run.final_result()

    for totals in (result.usage, streamed.usage):
        assert (totals.requests, totals.input_tokens, totals.output_tokens) == (2, 30, 5)
        assert (totals.total_tokens, totals.reasoning_tokens) == (35, 1)
        assert totals.cost == pytest.approx(0.003)


async def test_tool_run_usage_has_no_cost_when_the_server_reports_none(
    server: LocalServer,
) -> None:
    """A server that reports tokens but no cost gives tokens and cost None, never $0."""
    server.add(ToolCall("add", {"a": 1, "b": 2}), "3")
    async with make_client(server.base_url) as client:
        result = await client.responses.run(model="m", input="what is one plus two", tools=[add])

    assert result.usage.requests == 2
    assert result.usage.input_tokens > 0
    assert result.usage.cost is None


async def test_conversation_usage_counts_turns_and_compactions(server: LocalServer) -> None:
    """chat.usage counts every turn (sent, streamed, a failed stream's reported usage) and every
    compaction; a refused turn adds nothing, and a loaded conversation starts from zero."""
    server.add(
        Turn(Text("one"), usage=usage(5, 1, cost=0.01)),
        HTTPReply(400),
        ResponseJSON({**ANSWER, "object": "response.compaction", "usage": usage(6, 2, cost=0.02)}),
        Turn(Text("two"), usage=usage(4, 1, cost=0.04)),
        Turn(stream_error=InBandError(message="boom"), usage=usage(3, 0, cost=0.08)),
    )
    async with make_client(server.base_url, max_retries=0) as client:
        chat = client.conversation(model="m")
        assert chat.usage == UsageTotals()
        await chat.send("one")
        with pytest.raises(BadRequestError):
            await chat.send("refused")
        await chat.compact()
        await _read_turn(chat, "two")
        with pytest.raises(StreamError):
            await _read_turn(chat, "three")
        loaded = type(chat).from_json(client, chat.to_json())

    assert chat.usage.requests == 4
    assert (chat.usage.input_tokens, chat.usage.output_tokens) == (18, 4)
    assert chat.usage.cost == pytest.approx(0.15)
    assert loaded.usage == UsageTotals()


async def test_batch_summary_counts_successes_failures_and_the_cost(server: LocalServer) -> None:
    """A batch returns a list with a summary: requests, successes, failures, tokens and cost."""

    def reply(request: RecordedRequest) -> Any:
        index = _index(request)
        if index == 2:
            return HTTPReply(400)
        return Turn(Text(f"ok {index}"), usage=usage(index, 1, cost=0.125))

    server.default = reply
    requests = [{"model": "m", "input": f"req {index}"} for index in range(5)]
    async with make_client(server.base_url) as client:
        results = await client.responses.batch(requests, concurrency=2)

    assert isinstance(results, list)
    assert isinstance(results, BatchResults)
    assert isinstance(results[2], BadRequestError)
    summary = results.summary
    assert (summary.requests, summary.succeeded, summary.failed, summary.not_started) == (
        5,
        4,
        1,
        0,
    )
    assert (summary.usage.requests, summary.usage.input_tokens) == (4, 0 + 1 + 3 + 4)
    assert summary.usage.cost == 0.5


async def test_batch_summary_cost_is_none_when_no_response_reports_one(
    server: LocalServer,
) -> None:
    """Responses with tokens but no cost: the summary's cost is None, its tokens counted."""
    async with make_client(server.base_url) as client:
        results = await client.responses.batch(
            [{"model": "m", "input": "a few words"}] * 3, concurrency=3
        )

    assert results.summary.succeeded == 3
    assert results.summary.usage.input_tokens == 9
    assert results.summary.usage.cost is None


async def test_batch_iter_summary_is_live(server: LocalServer) -> None:
    """batch_iter's summary grows while iterating and ends with every request counted."""
    server.default = Turn(Text("ok"), usage=usage(2, 1, cost=0.25))
    seen: list[BatchSummary] = []
    async with make_client(server.base_url) as client:
        batch = client.responses.batch_iter(
            ({"model": "m", "input": f"req {index}"} for index in range(4)), concurrency=1
        )
        assert batch.summary == BatchSummary()
        async with batch:
            seen.extend([batch.summary async for _ in batch])

    assert [summary.succeeded for summary in seen] == [1, 2, 3, 4]
    assert [summary.usage.cost for summary in seen] == [0.25, 0.5, 0.75, 1.0]
    assert batch.summary.requests == 4


def test_blocking_twins_give_the_same_totals(server: LocalServer) -> None:
    """Client: run's usage, a conversation's usage, batch's summary and batch_iter's summary."""
    server.default = Turn(Text("ok"), usage=usage(2, 1, cost=0.25))
    server.add(Turn(ToolCall("add", {"a": 1, "b": 2}), usage=usage(2, 1, cost=0.25)))
    with Client(base_url=server.base_url) as client:
        run = client.responses.run(model="m", input="1+2?", tools=[add])
        chat = client.conversation(model="m")
        chat.send("hi")
        results = client.responses.batch([{"model": "m", "input": "x"}] * 2)
        with client.responses.batch_iter([{"model": "m", "input": "x"}] * 3) as batch:
            items = list(batch)
        summary = batch.summary

    assert (run.usage.requests, run.usage.cost) == (2, 0.5)
    assert (chat.usage.requests, chat.usage.cost) == (1, 0.25)
    assert isinstance(results, BatchResults)
    assert all(isinstance(r, Response) for r in results)
    assert (results.summary.succeeded, results.summary.usage.cost) == (2, 0.5)
    assert len(items) == 3
    assert (summary.requests, summary.succeeded, summary.usage.cost) == (3, 3, 0.75)
