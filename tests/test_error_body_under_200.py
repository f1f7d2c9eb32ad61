"""An error body sent under HTTP 200, to create() and to stream(): which error it raises, whether
it is retried, and that a real response carrying an error is returned, not raised."""

from __future__ import annotations

import pytest

from _support import ANSWER, make_client
from openresponses import (
    APIStatusError,
    BadGatewayError,
    BadRequestError,
    PaymentRequiredError,
)
from openresponses.testing import HTTPReply, LocalServer

pytestmark = pytest.mark.anyio


# -- stream()


async def test_stream_answered_with_a_json_error_raises_the_matching_status_error(
    server: LocalServer,
) -> None:
    """A 200 JSON error body to a stream request: the APIStatusError of its code, body kept."""
    body = {"error": {"code": 400, "message": "bad input"}}
    server.add(HTTPReply(200, body=body))
    async with make_client(server.base_url) as client:
        with pytest.raises(BadRequestError) as caught:
            async with client.responses.stream(model="m", input="Hi"):
                pass
        assert len(client._transport.session().connector._acquired) == 0
    assert caught.value.body == body
    assert caught.value.message == "bad input"
    assert caught.value.retryable is False
    assert server.request_count == 1


async def test_stream_json_error_with_a_transient_code_is_retried(server: LocalServer) -> None:
    """A 200 JSON body with error code 502 is retried by policy, then the stream succeeds."""
    server.add(HTTPReply(200, body={"error": {"code": 502, "message": "upstream"}}))
    async with (
        make_client(server.base_url) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        final = await stream.final_response()
    assert final.output_text == "You said: Hi"
    assert server.request_count == 2


async def test_stream_json_error_with_a_named_code_is_a_status_error_of_200(
    server: LocalServer,
) -> None:
    """A 200 JSON error with a non-numeric, non-transient code: APIStatusError(200), no retry."""
    server.add(HTTPReply(200, body={"error": {"code": "invalid_prompt", "message": "no"}}))
    async with make_client(server.base_url) as client:
        with pytest.raises(APIStatusError) as caught:
            async with client.responses.stream(model="m", input="Hi"):
                pass
    assert type(caught.value) is APIStatusError
    assert caught.value.status_code == 200
    assert caught.value.code == "invalid_prompt"
    assert server.request_count == 1


# -- create()


async def test_create_error_body_with_a_transient_code_is_retried(server: LocalServer) -> None:
    """create(): HTTP 200 + {"error": {"code": 502}} is retried, then the answer is returned."""
    server.add(HTTPReply(200, body={"error": {"code": 502, "message": "upstream"}}))
    async with make_client(server.base_url) as client:
        response = await client.responses.create(model="m", input="Hi")
    assert response.output_text == "You said: Hi"
    assert server.request_count == 2


async def test_create_error_body_exhausting_retries_raises_its_class(server: LocalServer) -> None:
    """create(): three 200 bodies with error code 502 raise BadGatewayError carrying the body."""
    body = {"error": {"code": 502, "message": "upstream"}}
    server.add(HTTPReply(200, body=body), times=3)
    async with make_client(server.base_url) as client:
        with pytest.raises(BadGatewayError) as caught:
            await client.responses.create(model="m", input="Hi")
    assert caught.value.body == body
    assert caught.value.status_code == 502
    assert server.request_count == 3


async def test_create_error_body_with_a_final_code_is_not_retried(server: LocalServer) -> None:
    """create(): HTTP 200 + error code 402 raises PaymentRequiredError at once."""
    server.add(HTTPReply(200, body={"error": {"code": 402, "message": "no credits"}}))
    async with make_client(server.base_url) as client:
        with pytest.raises(PaymentRequiredError, match="no credits"):
            await client.responses.create(model="m", input="Hi")
    assert server.request_count == 1


async def test_create_response_with_an_error_and_an_id_is_returned(server: LocalServer) -> None:
    """create(): a real response (it has an id) with status failed is returned, not raised."""
    body = {**ANSWER, "status": "failed", "error": {"code": "server_error", "message": "x"}}
    server.add(HTTPReply(200, body=body))
    async with make_client(server.base_url) as client:
        response = await client.responses.create(model="m", input="Hi")
    assert response.status == "failed"
    assert response.error is not None
    assert server.request_count == 1
