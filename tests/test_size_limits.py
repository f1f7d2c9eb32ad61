"""Size limits: one SSE event (``max_event_bytes``) and one body (``max_response_bytes``), each
refused with ResponseValidationError before it exhausts memory, and generous by default."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest

from _support import ANSWER
from openresponses import AsyncClient, InvalidRequestError, ResponseValidationError, Timeout
from openresponses.testing import HTTPReply, LocalServer, Text, Transcript, Turn

pytestmark = pytest.mark.anyio


def _frame(event: dict[str, Any]) -> bytes:
    return b"data: " + orjson.dumps(event) + b"\n\n"


async def test_oversize_sse_event_is_refused_at_the_default_limit(server: LocalServer) -> None:
    """One SSE event over the 16 MiB default raises ResponseValidationError, not MemoryError."""
    created = {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
    huge = {"type": "response.completed", "response": {"id": "r1", "x": "y" * (17 << 20)}}
    server.add(Transcript([_frame(created), _frame(huge)], done=True))
    async with AsyncClient(base_url=server.base_url, max_retries=0) as client:
        async with client.responses.stream(model="m", input="Hi") as stream:
            with pytest.raises(ResponseValidationError, match="max_event_bytes"):
                await stream.final_response()
        assert len(client._transport.session().connector._acquired) == 0
    assert server.request_count == 1


async def test_sse_event_limit_is_configurable(server: LocalServer) -> None:
    """``max_event_bytes`` on the client bounds one SSE event (64 KiB here, 100 KiB sent)."""
    created = {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
    big = {"type": "response.completed", "response": {"id": "r1", "x": "y" * 100_000}}
    server.add(Transcript([_frame(created), _frame(big)], done=True))
    async with (
        AsyncClient(base_url=server.base_url, max_retries=0, max_event_bytes=64 * 1024) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        with pytest.raises(ResponseValidationError, match="max_event_bytes"):
            await stream.final_response()
    assert server.request_count == 1


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_oversize_plain_body_is_refused(server: LocalServer, framing: str) -> None:
    """A body over max_response_bytes raises ResponseValidationError, announced or chunked."""
    body = orjson.dumps({"id": "r1", "status": "completed", "x": "y" * (2 << 20)})
    if framing == "content-length":
        server.add(HTTPReply(200, body=body, content_type="application/json"))
    else:  # a Transcript is written chunked, with no Content-Length to check up front
        server.add(
            Transcript(
                [body[i : i + 65536] for i in range(0, len(body), 65536)],
                content_type="application/json",
                event_delay=0.0,
            )
        )
    limit = 1 << 20
    async with AsyncClient(
        base_url=server.base_url, max_retries=0, max_response_bytes=limit
    ) as client:
        started = time.monotonic()
        with pytest.raises(ResponseValidationError, match="max_response_bytes"):
            await client.responses.create(model="m", input="Hi")
        assert time.monotonic() - started < 2.0
        assert len(client._transport.session().connector._acquired) == 0
    assert server.request_count == 1


async def test_oversize_error_body_is_refused_on_a_stream(server: LocalServer) -> None:
    """An error status with a body over max_response_bytes is refused before it is all read."""
    server.add(HTTPReply(500, body="x" * (2 << 20)))
    async with AsyncClient(
        base_url=server.base_url, max_retries=0, max_response_bytes=1 << 20
    ) as client:
        with pytest.raises(ResponseValidationError, match="max_response_bytes"):
            async with client.responses.stream(model="m", input="Hi"):
                pass
        assert len(client._transport.session().connector._acquired) == 0
    assert server.request_count == 1


async def test_generous_default_body_limit_reads_ten_megabytes(server: LocalServer) -> None:
    """The default limit (64 MiB) lets a 10 MB plain answer through."""
    server.add(Turn(Text("z" * 10_000_000, deltas=1)))
    async with AsyncClient(base_url=server.base_url, timeout=Timeout(total=10)) as client:
        final = await client.responses.create(model="m", input="Hi")
    assert len(final.output_text) == 10_000_000


@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_max_event_bytes_is_validated(value: Any) -> None:
    """max_event_bytes must be a positive int (or None): anything else names the field."""
    with pytest.raises(InvalidRequestError) as caught:
        AsyncClient(base_url="http://127.0.0.1:9/v1", max_event_bytes=value)
    assert caught.value.field == "max_event_bytes"


async def test_max_event_bytes_none_lifts_the_limit(server: LocalServer) -> None:
    """max_event_bytes=None reads an event bigger than the 16 MiB default."""
    created = {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
    big = {**ANSWER, "padding": "y" * (17 << 20)}
    server.add(Transcript([created, {"type": "response.completed", "response": big}], done=True))
    async with (
        AsyncClient(base_url=server.base_url, max_retries=0, max_event_bytes=None) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        final = await stream.final_response()
    assert final.output_text == "plain answer"
