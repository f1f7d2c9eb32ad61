"""One retry loop: ``create``, ``stream`` and batches count, log and give up on retries alike."""

from __future__ import annotations

import logging
import re

import pytest

from openresponses import AsyncClient, InvalidRequestError, Response, RetryPolicy
from openresponses.testing import HTTPReply, LocalServer

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(initial_delay=0.01, max_delay=0.01)
RETRY_LINE = re.compile(
    r"^(?P<what>.+): retry 1 of 2 in \d+\.\d\d s after ServiceUnavailableError: .+$"
)


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "openresponses"]


async def test_create_stream_and_batch_log_each_retry_in_one_format(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 503 retried by ``create``, by a stream and inside a batch gives one INFO line each,
    in the same format, naming the call."""
    caplog.set_level(logging.INFO, logger="openresponses")
    async with LocalServer() as server:
        server.add(HTTPReply(503), "one", HTTPReply(503), "two", HTTPReply(503), "three")
        async with AsyncClient(base_url=server.base_url, retry_policy=FAST) as client:
            await client.responses.create(model="m", input="a")
            async with client.responses.stream(model="m", input="b") as stream:
                await stream.final_response()
            results = await client.responses.batch([{"model": "m", "input": "c"}])
    assert isinstance(results[0], Response)
    matches = [RETRY_LINE.match(line) for line in _lines(caplog)]
    whats = [match["what"] for match in matches if match is not None]
    assert whats == ["POST /responses", "POST /responses (stream)", "batch request 0"]


async def test_a_batch_request_that_runs_out_of_retries_logs_giving_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The last failure of a batch request is logged as the end of its retries, and returned."""
    caplog.set_level(logging.INFO, logger="openresponses")
    async with LocalServer() as server:
        server.add(HTTPReply(503), times=2)
        async with AsyncClient(base_url=server.base_url, retry_policy=FAST) as client:
            results = await client.responses.batch([{"model": "m", "input": "c"}], max_retries=1)
        assert server.request_count == 2
    assert type(results[0]).__name__ == "ServiceUnavailableError"
    assert [line for line in _lines(caplog) if "giving up" in line] == [
        f"batch request 0: giving up after 1 retries: {results[0]}"
    ]


async def test_a_bad_max_retries_in_one_request_is_that_requests_error() -> None:
    """``max_retries=-1`` in one request dict fails that request only; the others are sent."""
    async with LocalServer() as server:
        async with AsyncClient(base_url=server.base_url) as client:
            results = await client.responses.batch(
                [{"model": "m", "input": "a", "max_retries": -1}, {"model": "m", "input": "b"}]
            )
        assert server.request_count == 1
    assert isinstance(results[0], InvalidRequestError)
    assert results[0].field == "max_retries"
    assert isinstance(results[1], Response)
