"""A stream request answered with plain JSON (the server ignored ``stream: true``), and SSE sent
under a JSON label: what the stream yields, raises and retries, over real HTTP."""

from __future__ import annotations

import pytest

from _support import ANSWER, make_client
from openresponses import (
    OutputTextDeltaEvent,
    Response,
    ResponseCompletedEvent,
    ResponseValidationError,
    StreamError,
    from_dict,
)
from openresponses.testing import HTTPReply, LocalServer, Transcript

pytestmark = pytest.mark.anyio


async def test_stream_answered_with_a_json_response_delivers_it(server: LocalServer) -> None:
    """A JSON response to a stream request is yielded as response.completed; one request only."""
    server.add(HTTPReply(200, body=ANSWER))
    async with make_client(server.base_url) as client:
        async with client.responses.stream(model="m", input="Hi") as stream:
            events = [event async for event in stream]
            final = await stream.final_response()
        assert stream.status_code == 200
        assert len(client._transport.session().connector._acquired) == 0
    assert [type(event) for event in events] == [OutputTextDeltaEvent, ResponseCompletedEvent]
    assert final.id == "resp_1"
    assert final.output_text == "plain answer"
    assert server.request_count == 1


async def test_stream_answered_with_json_still_gives_its_text_deltas(server: LocalServer) -> None:
    """text_deltas() of a JSON-answered stream yields each output text part, in order."""
    two_parts = {
        **ANSWER,
        "output": [
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {
                **ANSWER["output"][0],
                "content": [
                    {"type": "output_text", "text": "first ", "annotations": []},
                    {"type": "refusal", "refusal": "no"},
                    {"type": "output_text", "text": "second", "annotations": []},
                ],
            },
        ],
    }
    server.add(HTTPReply(200, body=two_parts))
    async with (
        make_client(server.base_url) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        texts = [text async for text in stream.text_deltas()]
        final = await stream.final_response()
    assert texts == ["first ", "second"]
    assert final.output_text == "first second"
    assert final.output == from_dict(two_parts, Response).output


async def test_stream_answered_with_a_failed_json_response_raises_stream_error(
    server: LocalServer,
) -> None:
    """A failed JSON response to a stream request: StreamError carrying it, not retried."""
    failed = {**ANSWER, "status": "failed", "error": {"code": "server_error", "message": "boom"}}
    server.add(HTTPReply(200, body=failed))
    async with make_client(server.base_url) as client:
        with pytest.raises(StreamError) as caught:
            async with client.responses.stream(model="m", input="Hi") as stream:
                await stream.final_response()
    assert caught.value.code == "server_error"
    assert caught.value.response is not None
    assert caught.value.response.status == "failed"
    assert caught.value.response.output_text == "plain answer"
    assert server.request_count == 1


async def test_stream_answered_with_invalid_json_is_a_validation_error(
    server: LocalServer,
) -> None:
    """A broken JSON body to a stream request: ResponseValidationError with the bytes, no retry."""
    server.add(HTTPReply(200, body=b'{"id": "r1", "outp', content_type="application/json"))
    async with make_client(server.base_url) as client:
        with pytest.raises(ResponseValidationError) as caught:
            async with client.responses.stream(model="m", input="Hi"):
                pass
        assert len(client._transport.session().connector._acquired) == 0
    assert caught.value.payload == b'{"id": "r1", "outp'
    assert server.request_count == 1


async def test_event_stream_labelled_json_still_streams(server: LocalServer) -> None:
    """SSE sent as application/json is still read as events (the body's first byte decides)."""
    created = {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
    done = {"type": "response.completed", "response": {**ANSWER, "id": "r1"}}
    server.add(Transcript([created, done], done=True, content_type="application/json"))
    async with (
        make_client(server.base_url) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        events = [event.type async for event in stream]
        final = await stream.final_response()
    assert events == ["response.created", "response.completed"]
    assert final.output_text == "plain answer"
