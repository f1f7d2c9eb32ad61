"""Plain calls: status errors by class and body shape, retries, connection failures, timeouts."""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import time
from collections.abc import AsyncIterator

import pytest

from _support import FAST
from openresponses import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    EdgeTimeoutError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PermissionDeniedError,
    ProviderOverloadedError,
    RateLimitError,
    RequestTimeoutError,
    ResponseValidationError,
    RetryPolicy,
    ServiceUnavailableError,
    Timeout,
    UnprocessableEntityError,
)
from openresponses.testing import Disconnect, HTTPReply, LocalServer, Turn

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    """A client of that server with quick retries."""
    async with AsyncClient(base_url=server.base_url, retry_policy=FAST) as c:
        yield c


STATUSES: list[tuple[int, type[APIStatusError]]] = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (402, PaymentRequiredError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (408, RequestTimeoutError),
    (413, PayloadTooLargeError),
    (418, APIStatusError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, BadGatewayError),
    (503, ServiceUnavailableError),
    (524, EdgeTimeoutError),
    (529, ProviderOverloadedError),
    (599, InternalServerError),
]


@pytest.mark.parametrize(("status", "cls"), STATUSES)
async def test_status_maps_to_its_class(
    server: LocalServer, client: AsyncClient, status: int, cls: type[APIStatusError]
) -> None:
    """Each HTTP status becomes its own error class, carrying status, code, message and gen id."""
    server.add(HTTPReply(status, body={"error": {"code": status, "message": f"boom {status}"}}))
    with pytest.raises(cls) as caught:
        await client.responses.create(model="m", input="Hi", max_retries=0)
    error = caught.value
    assert type(error) is cls
    assert error.status_code == status
    assert error.code == status
    assert error.message == f"boom {status}"
    assert error.generation_id == server.requests[0].generation_id
    assert error.retryable == (status in (408, 429) or status >= 500)


BODIES = [
    pytest.param(
        {"error": {"code": 400, "message": "int code", "metadata": {"provider": "x"}}},
        400,
        "int code",
        id="openrouter-int-code",
    ),
    pytest.param(
        {"error": {"message": "nested", "type": "invalid_request", "param": "input", "code": None}},
        "invalid_request",
        "nested",
        id="spec-nested",
    ),
    pytest.param(
        {"error": {"code": "invalid_prompt", "message": "string code"}, "metadata": None},
        "invalid_prompt",
        "string code",
        id="string-code",
    ),
    pytest.param("upstream said no", None, "upstream said no", id="plain-text"),
    pytest.param(
        "<html><body><h1>400 Bad Request</h1></body></html>",
        None,
        "<html><body><h1>400 Bad Request</h1></body></html>",
        id="html",
    ),
]


@pytest.mark.parametrize(("body", "code", "message"), BODIES)
async def test_every_error_body_shape_is_read(
    server: LocalServer, client: AsyncClient, body: object, code: object, message: str
) -> None:
    """OpenRouter's int code, the spec's nested shape, string codes, text and HTML all read."""
    server.add(HTTPReply(400, body=body))
    with pytest.raises(BadRequestError) as caught:
        await client.responses.create(model="m", input="Hi")
    assert caught.value.code == code
    assert caught.value.message == message
    assert server.request_count == 1


async def test_400_wrapping_502_is_retried(server: LocalServer, client: AsyncClient) -> None:
    """OpenRouter's transient failure wrapped in HTTP 400 (error.code 502) is retried."""
    server.add(HTTPReply(400, body={"error": {"code": 502, "message": "Provider disconnected"}}))
    response = await client.responses.create(model="m", input="Hi")
    assert response.output_text == "You said: Hi"
    assert server.request_count == 2


async def test_retries_are_bounded(server: LocalServer, client: AsyncClient) -> None:
    """A persistent 503 is tried 1 + max_retries times, then raised."""
    server.add(HTTPReply(503), times=5)
    with pytest.raises(ServiceUnavailableError):
        await client.responses.create(model="m", input="Hi")
    assert server.request_count == 3


async def test_per_call_max_retries(server: LocalServer, client: AsyncClient) -> None:
    """max_retries of one call overrides the client's."""
    server.add(HTTPReply(500), times=5)
    with pytest.raises(InternalServerError):
        await client.responses.create(model="m", input="Hi", max_retries=4)
    assert server.request_count == 5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_errors_are_not_retried(
    server: LocalServer, client: AsyncClient, status: int
) -> None:
    """Errors a retry cannot fix are raised after one request."""
    server.add(HTTPReply(status), times=3)
    with pytest.raises(APIStatusError):
        await client.responses.create(model="m", input="Hi")
    assert server.request_count == 1


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 524, 529])
async def test_transient_statuses_are_retried(
    server: LocalServer, client: AsyncClient, status: int
) -> None:
    """408, 409, 429 and 5xx are retried and the call succeeds afterwards."""
    server.add(HTTPReply(status))
    response = await client.responses.create(model="m", input="Hi")
    assert response.status == "completed"
    assert server.request_count == 2


def _gaps(server: LocalServer) -> list[float]:
    times = [request.received_at for request in server.requests]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


async def test_retry_after_is_honoured(server: LocalServer, client: AsyncClient) -> None:
    """``Retry-After`` (seconds) and ``retry-after-ms`` set the wait before the next attempt."""
    server.add(HTTPReply(429, headers={"Retry-After": "0.3"}))
    server.add(HTTPReply(503, headers={"retry-after-ms": "150"}))
    await client.responses.create(model="m", input="Hi")
    first, second = _gaps(server)
    assert 0.3 <= first < 1.0
    assert 0.15 <= second < 0.8


async def test_retry_after_above_the_cap_gives_up(server: LocalServer) -> None:
    """A server asking for a wait above max_retry_after gets the error back at once."""
    server.add(HTTPReply(429, headers={"Retry-After": "30"}))
    policy = RetryPolicy(max_retry_after=1.0)
    async with AsyncClient(base_url=server.base_url, retry_policy=policy) as client:
        started = time.monotonic()
        with pytest.raises(RateLimitError) as caught:
            await client.responses.create(model="m", input="Hi")
    assert time.monotonic() - started < 1.0
    assert caught.value.headers["Retry-After"] == "30"
    assert server.request_count == 1


async def test_backoff_grows_exponentially(server: LocalServer) -> None:
    """Without Retry-After the waits follow the policy's exponential schedule."""
    server.add(HTTPReply(500), times=2)
    policy = RetryPolicy(initial_delay=0.1, multiplier=2.0, jitter=0.0)
    async with AsyncClient(base_url=server.base_url, retry_policy=policy) as client:
        await client.responses.create(model="m", input="Hi")
    first, second = _gaps(server)
    assert 0.1 <= first < 0.5
    assert 0.2 <= second < 0.7


async def test_total_budget_bounds_retries(server: LocalServer) -> None:
    """A retry whose wait would end past total_budget is not made."""
    server.add(HTTPReply(500), times=5)
    policy = RetryPolicy(max_retries=5, initial_delay=0.2, jitter=0.0, total_budget=0.3)
    async with AsyncClient(base_url=server.base_url, retry_policy=policy) as client:
        with pytest.raises(InternalServerError):
            await client.responses.create(model="m", input="Hi")
    assert server.request_count == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_connection_refused_is_retried_then_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused connection is an APIConnectionError, raised after the retries (logged)."""
    caplog.set_level(logging.INFO, logger="openresponses")
    url = f"http://127.0.0.1:{_free_port()}/v1"
    async with AsyncClient(base_url=url, retry_policy=FAST) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.responses.create(model="m", input="Hi")
    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value.__cause__, OSError)
    assert len([r for r in caplog.records if "retry" in r.getMessage()]) == 2


async def test_connection_reset_is_retried_then_raised() -> None:
    """A server that hangs up at once yields APIConnectionError after 1 + max_retries tries."""
    connections = 0

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.read(100)
        writer.close()

    raw = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = raw.sockets[0].getsockname()[1]
    try:
        async with AsyncClient(base_url=f"http://127.0.0.1:{port}/v1", retry_policy=FAST) as client:
            with pytest.raises(APIConnectionError, match=r"disconnected|connection"):
                await client.responses.create(model="m", input="Hi")
    finally:
        raw.close()
        await raw.wait_closed()
    assert connections == 3


async def test_disconnect_before_the_answer_is_retried(
    server: LocalServer, client: AsyncClient
) -> None:
    """A connection dropped before any byte of the answer is retried like any connection error."""
    server.add(Disconnect())
    response = await client.responses.create(model="m", input="Hi")
    assert response.status == "completed"
    assert server.request_count == 2


async def test_truncated_body_is_a_connection_error(
    server: LocalServer, client: AsyncClient
) -> None:
    """A body cut off halfway is an APIConnectionError (retried, then raised)."""
    server.add(Turn("Hello", drop_after=0), times=3)
    with pytest.raises(APIConnectionError):
        await client.responses.create(model="m", input="Hi")
    assert server.request_count == 3


async def test_slow_answer_hits_the_total_timeout(server: LocalServer) -> None:
    """A non-streaming call slower than timeout.total raises APITimeoutError (retried once)."""
    server.add(Turn("late", delay=2.0), times=2)
    async with AsyncClient(
        base_url=server.base_url, retry_policy=FAST, timeout=Timeout(total=0.2), max_retries=1
    ) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match=r"timeout\.total"):
            await client.responses.create(model="m", input="Hi")
    assert 0.4 <= time.monotonic() - started < 1.5
    assert server.request_count == 2


async def test_body_over_the_size_cap_is_refused(server: LocalServer) -> None:
    """A body larger than max_response_bytes raises ResponseValidationError, not MemoryError."""
    async with AsyncClient(base_url=server.base_url, max_response_bytes=200) as client:
        with pytest.raises(ResponseValidationError, match="max_response_bytes"):
            await client.responses.create(model="m", input="Hi")
    assert server.request_count == 1


async def test_non_json_success_body_is_a_validation_error(
    server: LocalServer, client: AsyncClient
) -> None:
    """HTTP 200 with a body that is not a response raises ResponseValidationError."""
    server.add(HTTPReply(200, body="<html>not json</html>"))
    with pytest.raises(ResponseValidationError):
        await client.responses.create(model="m", input="Hi")
