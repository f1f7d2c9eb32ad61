"""WebSocket mode errors: error events as HTTP statuses, refused handshakes, in-band failures."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from _support import make_client
from openresponses import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServiceUnavailableError,
    StreamError,
    UnprocessableEntityError,
)
from openresponses.testing import HTTPReply, InBandError, LocalServer, Text, Turn

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-websocket-error-key"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, PaymentRequiredError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, BadGatewayError),
        (503, ServiceUnavailableError),
    ],
)
async def test_an_error_event_raises_its_statuss_class(
    server: LocalServer, status: int, cls: type[APIStatusError]
) -> None:
    """The spec's error event: that status's class, code, message and body; the socket lives."""
    server.add(HTTPReply(status, {"error": {"code": "some_code", "message": "it went wrong"}}))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        with pytest.raises(cls) as caught:
            await conn.create(model="m", input="Hi", max_retries=0)
        error = caught.value
        assert type(error) is cls
        assert error.status_code == status
        assert error.code == "some_code"
        assert error.message == "it went wrong"
        assert error.body["type"] == "error"
        assert error.body["status"] == status
        assert (await conn.create(model="m", input="next")).output_text == "You said: next"
    assert server.websocket_connections == 1


async def test_rate_limits_and_unavailability_are_retried_on_the_same_socket(
    server: LocalServer,
) -> None:
    """429 then 503 as error events, then an answer: create succeeds after two retries."""
    server.add(HTTPReply(429), HTTPReply(503), Text("third time lucky"))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        response = await conn.create(model="m", input="Hi")
    assert response.output_text == "third time lucky"
    assert server.request_count == 3
    assert server.websocket_connections == 1


async def test_a_streamed_turn_raises_the_status_when_retries_run_out(
    server: LocalServer,
) -> None:
    """A stream's refusals are retried; the last one raises from `async with`."""
    server.add(HTTPReply(503), HTTPReply(503), HTTPReply(503))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        with pytest.raises(ServiceUnavailableError):
            async with conn.stream(model="m", input="Hi"):
                pass
        assert (await conn.create(model="m", input="next")).output_text == "You said: next"
    assert server.request_count == 4


async def test_a_client_error_event_is_not_retried(server: LocalServer) -> None:
    """A 400 error event (the server refusing the message) is raised at once."""
    server.add(HTTPReply(400), Text("never"))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        with pytest.raises(BadRequestError):
            await conn.create(model="m", input="Hi")
    assert server.request_count == 1


async def test_a_refused_handshake_raises_its_status_without_a_retry(
    server: LocalServer,
) -> None:
    """A handshake answered 401: AuthenticationError from `async with`, one attempt."""
    server.refuse_websocket(HTTPReply(401), times=3)
    async with make_client(server.base_url) as client:
        with pytest.raises(AuthenticationError) as caught:
            async with client.responses.connect():
                pass
    assert caught.value.status_code == 401
    assert server.websocket_refused == 1
    assert server.websocket_connections == 0


async def test_an_unavailable_handshake_is_retried(server: LocalServer) -> None:
    """Two handshakes answered 503, then an upgrade: the connection opens and serves a turn."""
    server.refuse_websocket(HTTPReply(503, headers={"Retry-After": "0"}), times=2)
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        assert (await conn.create(model="m", input="Hi")).output_text == "You said: Hi"
    assert server.websocket_refused == 2
    assert server.websocket_connections == 1


async def test_an_error_event_mid_turn_is_a_stream_error(server: LocalServer) -> None:
    """An error event after content: StreamError with the partial Response, then a new socket."""
    error = InBandError(code="server_error", message="upstream died")
    server.add(Turn(Text("half an answer", deltas=2), stream_error=error, terminal=False))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        with pytest.raises(StreamError, match="upstream died") as caught:
            await conn.create(model="m", input="Hi")
        assert caught.value.response is not None
        assert "half" in caught.value.response.output_text
        assert caught.value.code == "server_error"
        assert (await conn.create(model="m", input="next")).output_text == "You said: next"
    assert server.websocket_connections == 2


async def test_a_failed_event_after_an_error_never_reaches_the_next_turn(
    server: LocalServer,
) -> None:
    """An error event, then the turn's response.failed: the next turns get their own answers."""
    error = InBandError(code="server_error", message="upstream died")
    server.add(Turn(Text("half", deltas=2), stream_error=error, event_delay=0.02))
    async with make_client(server.base_url) as client, client.responses.connect() as conn:
        with pytest.raises(StreamError, match="upstream died"):
            await conn.create(model="m", input="Hi")
        for number in range(3):
            answer = await conn.create(model="m", input=f"next {number}")
            assert answer.output_text == f"You said: next {number}"
    assert server.request_count == 4


async def test_an_echoed_key_is_redacted_from_the_error(server: LocalServer) -> None:
    """A server repeating the key in its error event: the error never shows it."""
    server.add(HTTPReply(401, {"error": {"code": "bad_key", "message": f"bad key {KEY}"}}))
    client = make_client(server.base_url, api_key=KEY)
    async with client, client.responses.connect() as conn:
        with pytest.raises(AuthenticationError) as caught:
            await conn.create(model="m", input="Hi")
    error = caught.value
    assert KEY not in str(error)
    assert KEY not in repr(error.body)
    assert KEY not in error.message


async def test_a_message_above_max_event_bytes_is_refused_and_the_socket_replaced(
    server: LocalServer,
) -> None:
    """An event message larger than max_event_bytes: ResponseValidationError; next turn reopens."""
    server.add(Turn(Text("x" * 4000)))
    client = make_client(server.base_url, max_event_bytes=2000)
    async with client, client.responses.connect() as conn:
        with pytest.raises(ResponseValidationError, match="max_event_bytes"):
            await conn.create(model="m", input="Hi")
        assert (await conn.create(model="m", input="small")).output_text == "You said: small"
    assert server.websocket_connections == 2


@contextlib.asynccontextmanager
async def plain_http_server() -> AsyncIterator[str]:
    """A server whose GET /v1/responses answers 200 with JSON: no WebSocket mode."""

    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"object": "list"})

    app = web.Application()
    app.router.add_get("/v1/responses", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    finally:
        await runner.cleanup()


async def test_a_server_without_websocket_mode_is_a_connection_error() -> None:
    """A handshake answered 200: APIConnectionError naming the status, not retried."""
    refused = "did not open a WebSocket: HTTP 200"
    async with plain_http_server() as base_url, make_client(base_url) as client:
        with pytest.raises(APIConnectionError, match=refused) as caught:
            await client.responses.connect().open()
    assert caught.value.retryable is False
