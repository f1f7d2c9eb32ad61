"""The event sources under a stream: a JSON answer's events and errors, an event stream's end."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest

from _support import FAST
from openresponses import (
    AsyncClient,
    OutputTextDeltaEvent,
    ResponseIncompleteEvent,
    ResponseValidationError,
    Timeout,
)
from openresponses.testing import HTTPReply, LocalServer, Transcript

pytestmark = pytest.mark.anyio

MESSAGE = {
    "type": "message",
    "id": "msg_1",
    "role": "assistant",
    "status": "completed",
    "content": [{"type": "output_text", "text": "plain answer", "annotations": []}],
}
ANSWER = {"id": "resp_1", "object": "response", "status": "completed", "output": [MESSAGE]}
CREATED = {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
COMPLETED = {"type": "response.completed", "response": {**ANSWER, "id": "r1"}}


def _connections(client: AsyncClient) -> tuple[int, int]:
    """(connections in use, idle connections in the pool) of the client's session."""
    connector = client._transport.session().connector
    assert connector is not None
    idle = sum(len(conns) for conns in connector._conns.values())
    return len(connector._acquired), idle


async def test_an_incomplete_json_answer_is_its_deltas_then_its_terminal_event(
    server: LocalServer,
) -> None:
    """A JSON answer with status incomplete: typed deltas placed as in the body, then its end."""
    server.add(HTTPReply(200, body={**ANSWER, "status": "incomplete"}))
    async with (
        AsyncClient(base_url=server.base_url, retry_policy=FAST) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        events = [event async for event in stream]
        final = await stream.final_response()
    delta, terminal = events
    assert isinstance(delta, OutputTextDeltaEvent)
    assert (delta.item_id, delta.output_index, delta.content_index) == ("msg_1", 0, 0)
    assert delta.delta == "plain answer"
    assert isinstance(terminal, ResponseIncompleteEvent)
    assert final.status == "incomplete"
    assert final.output_text == "plain answer"


def _body(**changes: Any) -> bytes:
    return orjson.dumps({**ANSWER, **changes})


UNREADABLE = {
    "item not an object": (_body(output=[1]), "$.output[0]"),
    "content part not an object": (
        _body(output=[{**MESSAGE, "content": ["plain answer"]}]),
        "$.output[0].content[0]",
    ),
    "text not a string": (
        _body(output=[{**MESSAGE, "content": [{"type": "output_text", "text": 5}]}]),
        "$.output[0].content[0].text",
    ),
    "output not a list": (_body(output={"0": MESSAGE}), "$.output"),
    "body an array": (b"[1, 2]", "$"),
    "body a string": (b'"plain answer"', "$"),
    "body empty": (b"", "$"),
}


@pytest.mark.parametrize(("raw", "path"), UNREADABLE.values(), ids=UNREADABLE.keys())
async def test_an_unreadable_json_answer_is_a_validation_error_with_the_body(
    server: LocalServer, raw: bytes, path: str
) -> None:
    """What a JSON answer cannot be read as: ResponseValidationError, raw bytes, no retry."""
    server.add(HTTPReply(200, body=raw, content_type="application/json"))
    async with AsyncClient(base_url=server.base_url, retry_policy=FAST) as client:
        with pytest.raises(ResponseValidationError) as caught:
            async with client.responses.stream(model="m", input="Hi"):
                pass
        assert _connections(client)[0] == 0
    assert caught.value.payload == raw
    assert caught.value.path == path
    assert server.request_count == 1


async def test_what_follows_done_is_ignored_and_the_connection_kept(server: LocalServer) -> None:
    """After ``[DONE]`` the rest of the body is read past, and the connection goes to the pool."""
    failed = {"type": "response.failed", "response": {"id": "r1", "status": "failed"}}
    server.add(Transcript([CREATED, COMPLETED, "data: [DONE]\n\n", "data: {not json\n\n", failed]))
    async with AsyncClient(base_url=server.base_url, retry_policy=FAST) as client:
        async with client.responses.stream(model="m", input="Hi") as stream:
            events = [event.type async for event in stream]
            final = await stream.final_response()
        assert _connections(client) == (0, 1)
    assert events == ["response.created", "response.completed"]
    assert final.output_text == "plain answer"


async def test_silence_after_the_terminal_event_ends_the_stream_after_the_wind_down(
    server: LocalServer,
) -> None:
    """A terminal event and then nothing: the stream ends a second later, not at stream_idle."""
    server.add(Transcript([CREATED, COMPLETED], stall_after=2, stall_for=None))
    timeout = Timeout(stream_idle=20.0)
    async with AsyncClient(base_url=server.base_url, timeout=timeout) as client:
        started = time.monotonic()
        async with client.responses.stream(model="m", input="Hi") as stream:
            events = [event.type async for event in stream]
            final = await stream.final_response()
        elapsed = time.monotonic() - started
    assert events == ["response.created", "response.completed"]
    assert final.output_text == "plain answer"
    assert 0.9 < elapsed < 5.0
    await server.wait_disconnects(1, timeout=2.0)
