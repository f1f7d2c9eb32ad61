"""Response headers longer than aiohttp's 8,190-byte line limit (a proxy's cookies, a long
``Link``): read up to ``max_header_bytes`` (64 KiB by default), a clear error beyond, over real
HTTP against the local server."""

from __future__ import annotations

from typing import Any

import pytest

from _support import ANSWER, make_client
from openresponses import APIConnectionError, Client, InvalidRequestError
from openresponses.testing import HTTPReply, LocalServer, Text

pytestmark = pytest.mark.anyio

KIB = 1024


def _cookie(size: int) -> dict[str, str]:
    return {"Set-Cookie": "session=" + "x" * size}


async def test_a_header_of_60_kib_is_read_by_create_and_stream(server: LocalServer) -> None:
    """A 60 KiB cookie and a 20 KiB Link header pass with the default limit."""
    server.add(HTTPReply(200, ANSWER, headers=_cookie(60 * KIB)))
    server.add(HTTPReply(200, ANSWER, headers={"Link": "<https://a>; rel=next, " * 800}))
    async with make_client(server.base_url) as client:
        response = await client.responses.create(model="m", input="Hi")
        async with client.responses.stream(model="m", input="Hi") as stream:
            final = await stream.final_response()
    assert response.output_text == final.output_text == "plain answer"
    assert server.request_count == 2


async def test_a_header_over_the_limit_is_a_clear_error_not_retried(server: LocalServer) -> None:
    """Beyond max_header_bytes: APIConnectionError naming the option, one request only."""
    server.add(HTTPReply(200, ANSWER, headers=_cookie(70 * KIB)))
    server.add(HTTPReply(200, ANSWER, headers=_cookie(70 * KIB)))
    async with make_client(server.base_url) as client:
        with pytest.raises(APIConnectionError, match=r"max_header_bytes \(65536 bytes\)") as caught:
            await client.responses.create(model="m", input="Hi")
        with pytest.raises(APIConnectionError, match="max_header_bytes"):
            async with client.responses.stream(model="m", input="Hi"):
                pass
    assert caught.value.retryable is False
    assert server.request_count == 2


async def test_max_header_bytes_raises_and_lowers_the_limit(server: LocalServer) -> None:
    """max_header_bytes=128 KiB reads a 100 KiB header; 4 KiB refuses a 5 KiB one."""
    server.add(HTTPReply(200, ANSWER, headers=_cookie(100 * KIB)))
    async with make_client(server.base_url, max_header_bytes=128 * KIB) as client:
        assert (await client.responses.create(model="m", input="Hi")).output_text
    server.add(HTTPReply(200, ANSWER, headers=_cookie(5 * KIB)))
    async with make_client(server.base_url, max_header_bytes=4 * KIB, max_retries=0) as client:
        with pytest.raises(APIConnectionError, match=r"max_header_bytes \(4096 bytes\)"):
            await client.responses.create(model="m", input="Hi")


@pytest.mark.parametrize("value", [0, -1, 1.5, "64k", True])
def test_a_bad_max_header_bytes_is_refused(value: Any) -> None:
    """max_header_bytes must be a positive integer: InvalidRequestError naming it."""
    with pytest.raises(InvalidRequestError) as caught:
        make_client("http://127.0.0.1:9", max_header_bytes=value)
    assert caught.value.field == "max_header_bytes"


def test_the_blocking_client_takes_the_same_option(server: LocalServer) -> None:
    """Client(max_header_bytes=...) reads a header its default would too; Text replies as well."""
    server.add(HTTPReply(200, ANSWER, headers=_cookie(90 * KIB)), Text("second"))
    with Client(base_url=server.base_url, max_header_bytes=96 * KIB) as client:
        assert client.responses.create(model="m", input="Hi").output_text == "plain answer"
        assert client.responses.create(model="m", input="Hi").output_text == "second"
