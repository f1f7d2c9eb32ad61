"""Fixes from the hardening round: JSON answers to a stream, error bodies under HTTP 200, closing
the client under a call, the key kept out of errors and off plain http, and the size limits.

Each test talks to a real server on 127.0.0.1 (``LocalServer`` or a small aiohttp app).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import web

from openresponses import (
    APIConnectionError,
    APIStatusError,
    AsyncClient,
    BadGatewayError,
    BadRequestError,
    InvalidRequestError,
    OutputTextDeltaEvent,
    PaymentRequiredError,
    Response,
    ResponseCompletedEvent,
    ResponseValidationError,
    RetryPolicy,
    StreamError,
    Timeout,
    from_dict,
)
from openresponses.testing import HTTPReply, InBandError, LocalServer, Text, Transcript, Turn

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02, jitter=0)
KEY = "sk-or-v1-FIXESSECRET"
ANSWER = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "model": "m",
    "output": [
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "plain answer", "annotations": []}],
        }
    ],
}


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    """A local Open Responses server for one test."""
    async with LocalServer() as local:
        yield local


def make_client(base_url: str, **options: Any) -> AsyncClient:
    """A client with quick retries (2 by default) unless the test says otherwise."""
    options.setdefault("retry_policy", FAST)
    return AsyncClient(base_url=base_url, **options)


def texts_of(exc: BaseException) -> str:
    """Every text an exception and its chain show (str, repr, args, formatted traceback)."""
    texts = ["".join(traceback.format_exception(exc))]
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args)]
        current = current.__cause__ or current.__context__
    return "\n".join(texts)


@contextlib.asynccontextmanager
async def serve(handler: Any) -> AsyncIterator[str]:
    """A one-route aiohttp app on 127.0.0.1 (``POST /v1/responses``); yields its base URL."""
    app = web.Application()
    app.router.add_post("/v1/responses", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


# -- a stream answered with plain JSON (the server ignored `stream: true`)


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


# -- create() given an error body under HTTP 200


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


async def test_create_error_body_echoing_the_key_is_redacted(server: LocalServer) -> None:
    """create(): an error body under HTTP 200 that echoes the key shows it redacted."""
    server.add(HTTPReply(200, body={"error": {"code": 401, "message": f"bad key {KEY}"}}))
    async with make_client(server.base_url, api_key=KEY) as client:
        with pytest.raises(APIStatusError) as caught:
            await client.responses.create(model="m", input="Hi")
    assert KEY not in texts_of(caught.value)
    assert KEY not in repr(caught.value.body)
    assert "sk-...redacted" in caught.value.message


async def test_create_response_with_an_error_and_an_id_is_returned(server: LocalServer) -> None:
    """create(): a real response (it has an id) with status failed is returned, not raised."""
    body = {**ANSWER, "status": "failed", "error": {"code": "server_error", "message": "x"}}
    server.add(HTTPReply(200, body=body))
    async with make_client(server.base_url) as client:
        response = await client.responses.create(model="m", input="Hi")
    assert response.status == "failed"
    assert response.error is not None
    assert server.request_count == 1


# -- closing the client under a call


async def test_closing_the_client_ends_a_waiting_create_without_a_retry(
    server: LocalServer,
) -> None:
    """aclose() while create() waits for headers: APIConnectionError, not retried, at once."""
    server.add(HTTPReply(200, body=ANSWER, delay=5))
    client = make_client(server.base_url)
    task = asyncio.ensure_future(client.responses.create(model="m", input="Hi"))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await client.aclose()
    with pytest.raises(APIConnectionError, match="the client was closed") as caught:
        await asyncio.wait_for(task, 2.0)
    assert time.monotonic() - started < 0.5
    assert caught.value.retryable is False
    assert server.request_count == 1


async def test_closing_the_client_ends_a_create_reading_its_body() -> None:
    """aclose() while create() reads a body that stalls halfway ends the call at once."""
    half_sent = asyncio.Event()
    finish = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        body = orjson.dumps(ANSWER)
        reply = web.StreamResponse(headers={"Content-Type": "application/json"})
        reply.content_length = len(body)
        await reply.prepare(request)
        await reply.write(body[:20])
        half_sent.set()
        await finish.wait()
        return reply

    async with serve(handler) as base_url:
        client = make_client(base_url, timeout=Timeout(total=20))
        task = asyncio.ensure_future(client.responses.create(model="m", input="Hi"))
        await asyncio.wait_for(half_sent.wait(), 2.0)
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await client.aclose()
        try:
            with pytest.raises(APIConnectionError, match="the client was closed"):
                await asyncio.wait_for(task, 2.0)
            assert time.monotonic() - started < 0.5
        finally:
            finish.set()


async def test_closing_the_client_before_stream_content_is_not_retried(
    server: LocalServer,
) -> None:
    """aclose() while a stream waits for its first event: a typed error at once, one request."""
    server.add(Turn(Text("late"), first_event_delay=30))
    client = make_client(server.base_url, timeout=Timeout(stream_idle=20))

    async def read() -> None:
        async with client.responses.stream(model="m", input="Hi") as stream:
            await stream.final_response()

    task = asyncio.ensure_future(read())
    await asyncio.sleep(0.3)
    started = time.monotonic()
    await client.aclose()
    with pytest.raises((APIConnectionError, StreamError), match="the client was closed"):
        await asyncio.wait_for(task, 2.0)
    assert time.monotonic() - started < 0.5
    assert server.request_count == 1


async def test_a_stream_made_before_aclose_and_opened_after_raises_a_typed_error(
    server: LocalServer,
) -> None:
    """A stream prepared before aclose() and entered after: APIConnectionError, nothing sent."""
    client = make_client(server.base_url)
    stream = client.responses.stream(model="m", input="Hi")
    await client.aclose()
    with pytest.raises(APIConnectionError, match="the client was closed"):
        async with stream:
            pass
    assert server.request_count == 0


# -- the key: never in an error, never over plain http to another machine


async def test_in_band_error_echoing_the_key_is_redacted(server: LocalServer) -> None:
    """An in-band error frame that echoes the key: StreamError message and payload redact it."""
    error = InBandError(code="invalid_key", message=f"rejected Bearer {KEY}", shape="flat")
    server.add(Turn(Text("alpha beta gamma"), stream_error=error, error_after=4))
    async with make_client(server.base_url, api_key=KEY) as client:
        with pytest.raises(StreamError) as caught:
            async with client.responses.stream(model="m", input="Hi") as stream:
                await stream.final_response()
    assert caught.value.message == "rejected Bearer sk-...redacted"
    assert KEY not in repr(caught.value.payload)
    assert KEY not in texts_of(caught.value)


async def test_garbled_answer_chains_a_sanitized_aiohttp_error() -> None:
    """A garbled status line: the chained aiohttp error keeps its class but shows no key."""

    async def garble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 abc Garbage\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    raw = await asyncio.start_server(garble, "127.0.0.1", 0)
    port = raw.sockets[0].getsockname()[1]
    try:
        async with AsyncClient(
            api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.responses.create(model="m", input="Hi")
    finally:
        raw.close()
        await raw.wait_closed()
    assert "ClientResponseError" in caught.value.message
    assert caught.value.__cause__ is not None
    assert "<redacted>" in repr(caught.value.__cause__)
    assert KEY not in texts_of(caught.value)


@pytest.mark.parametrize(
    "base_url", ["http://127.5.6.7:9/v1", "http://[::1]:9/v1", "http://LOCALHOST:9/v1"]
)
def test_plain_http_to_any_loopback_form_is_allowed(base_url: str) -> None:
    """A keyed client accepts plain http to 127.0.0.0/8, ::1 and localhost (any case)."""
    client = AsyncClient(api_key=KEY, base_url=base_url)
    assert client.base_url == base_url.rstrip("/")


def test_a_key_in_default_headers_also_refuses_plain_http() -> None:
    """An Authorization header given in default_headers counts as a key for the http check."""
    with pytest.raises(InvalidRequestError) as caught:
        AsyncClient(
            base_url="http://192.0.2.1/v1", default_headers={"Authorization": f"Bearer {KEY}"}
        )
    assert caught.value.field == "base_url"
    assert KEY not in str(caught.value)


def test_an_https_base_url_with_a_key_is_accepted() -> None:
    """https to a remote host is fine with a key (the check is about plain http only)."""
    client = AsyncClient(api_key=KEY, base_url="https://192.0.2.1/v1")
    assert client.base_url == "https://192.0.2.1/v1"


# -- limits and serialization


@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_max_event_bytes_is_validated(value: Any) -> None:
    """max_event_bytes must be a positive int (or None): anything else names the field."""
    with pytest.raises(InvalidRequestError) as caught:
        AsyncClient(base_url="http://127.0.0.1:9/v1", max_event_bytes=value)
    assert caught.value.field == "max_event_bytes"


async def test_max_event_bytes_none_lifts_the_limit(server: LocalServer) -> None:
    """max_event_bytes=None reads an event bigger than the 16 MiB default."""
    created = {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}
    big = {**ANSWER, "id": "r1", "padding": "y" * (17 << 20)}
    server.add(Transcript([created, {"type": "response.completed", "response": big}], done=True))
    async with (
        make_client(server.base_url, max_event_bytes=None) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        final = await stream.final_response()
    assert final.output_text == "plain answer"


async def test_an_unwritable_value_in_a_request_is_an_invalid_request_error(
    server: LocalServer,
) -> None:
    """An int beyond 64 bits in extra_body: InvalidRequestError("body"), nothing sent."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.responses.create(model="m", input="Hi", extra_body={"seed": 2**70})
    assert caught.value.field == "body"
    assert server.request_count == 0


def test_timeout_docstring_says_total_is_per_attempt() -> None:
    """Timeout's docstring says total bounds one attempt and total_budget the whole call."""
    doc = Timeout.__doc__ or ""
    assert "one attempt" in doc
    assert "total_budget" in doc
