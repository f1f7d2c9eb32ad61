"""The HTTP layer against purpose-built servers: TLS, proxies, pool limit, size caps, redirects."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from openresponses import (
    APIConnectionError,
    APIStatusError,
    AsyncClient,
    InvalidRequestError,
    ResponseValidationError,
)

pytestmark = pytest.mark.anyio

# A self-signed certificate for IP 127.0.0.1, valid 2000-2125, that is its own CA.
CERT = """-----BEGIN CERTIFICATE-----
MIIBbTCCAROgAwIBAgICEAAwCgYIKoZIzj0EAwIwFDESMBAGA1UEAwwJMTI3LjAu
MC4xMCAXDTAwMDEwMTAwMDAwMFoYDzIxMjUwMTAxMDAwMDAwWjAUMRIwEAYDVQQD
DAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR63nGueYcnS/T6
tn/K9K6zUcXKyRvSVVqgW8MDImx/+3Fkzcot1AMfJD/4iRfX6bb72MOScPTMzzPE
bBymUNbuo1MwUTAPBgNVHREECDAGhwR/AAABMA8GA1UdEwEB/wQFMAMBAf8wDgYD
VR0PAQH/BAQDAgKEMB0GA1UdDgQWBBRwEHDXV5o5wOVugYlQW6+VOwrdHjAKBggq
hkjOPQQDAgNIADBFAiEAh6mzsQ4l9Rj7GD4rsPJxjdAMXK1hJp6KYmvQqgoogQQC
IH+3jlV2OuQ3QzGVukafKp5pouSgNb4330Yg0VnBNteN
-----END CERTIFICATE-----
"""
KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgoa6c7cZlHEcgDpTW
a1GyCuKmn3r+ijIPBkZawg3iB8mhRANCAAR63nGueYcnS/T6tn/K9K6zUcXKyRvS
VVqgW8MDImx/+3Fkzcot1AMfJD/4iRfX6bb72MOScPTMzzPEbBymUNbu
-----END PRIVATE KEY-----
"""

RESPONSE = {"id": "resp_1", "object": "response", "status": "completed", "output": []}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Serve = Callable[..., Awaitable[str]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start an aiohttp app on 127.0.0.1:0 (optionally over TLS); return its root URL."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler, *, tls: ssl.SSLContext | None = None) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"{'https' if tls else 'http'}://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
def cert_file(tmp_path: Path) -> str:
    """The test certificate as a CA bundle file."""
    path = tmp_path / "ca.pem"
    path.write_text(CERT)
    return str(path)


@pytest.fixture
def server_tls(tmp_path: Path) -> ssl.SSLContext:
    """A server-side TLS context with the test certificate."""
    (tmp_path / "cert.pem").write_text(CERT)
    (tmp_path / "key.pem").write_text(KEY)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


async def _ok(request: web.Request) -> web.StreamResponse:
    await request.read()
    return web.json_response(RESPONSE)


async def test_custom_ca_bundle_is_trusted(
    serve: Serve, server_tls: ssl.SSLContext, cert_file: str
) -> None:
    """``verify=<CA bundle path>`` trusts a server whose certificate the bundle holds."""
    url = await serve(_ok, tls=server_tls)
    async with AsyncClient(base_url=url + "/v1", verify=cert_file) as client:
        response = await client.responses.create(model="m", input="Hi")
    assert response.id == "resp_1"


async def test_ssl_context_and_no_verification(
    serve: Serve, server_tls: ssl.SSLContext, cert_file: str
) -> None:
    """An ``ssl.SSLContext`` is used as given; ``verify=False`` skips verification."""
    url = await serve(_ok, tls=server_tls) + "/v1"
    async with AsyncClient(base_url=url, verify=ssl.create_default_context(cafile=cert_file)) as c:
        assert (await c.responses.create(model="m", input="Hi")).id == "resp_1"
    async with AsyncClient(base_url=url, verify=False) as client:
        assert (await client.responses.create(model="m", input="Hi")).id == "resp_1"


async def test_untrusted_certificate_fails_without_retry(
    serve: Serve, server_tls: ssl.SSLContext
) -> None:
    """TLS verification is on by default: an unknown certificate is a non-retryable error."""
    url = await serve(_ok, tls=server_tls)
    async with AsyncClient(base_url=url + "/v1") as client:
        with pytest.raises(APIConnectionError, match="TLS") as caught:
            await client.responses.create(model="m", input="Hi")
    assert caught.value.retryable is False


async def test_proxy_receives_the_request(serve: Serve) -> None:
    """With ``proxy=`` the request goes to the proxy, addressed to the real host."""
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.StreamResponse:
        seen.append(str(request.url))
        return await _ok(request)

    proxy_url = await serve(proxy)
    async with AsyncClient(base_url="http://api.invalid/v1", proxy=proxy_url) as client:
        response = await client.responses.create(model="m", input="Hi")
    assert response.id == "resp_1"
    assert seen == ["http://api.invalid/v1/responses"]


async def test_connector_limit_caps_parallel_connections(serve: Serve) -> None:
    """``connector_limit`` bounds how many requests are in flight on the pool."""
    active = peak = 0

    async def slow(request: web.Request) -> web.StreamResponse:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.05)
        active -= 1
        return await _ok(request)

    url = await serve(slow)
    async with AsyncClient(base_url=url + "/v1", connector_limit=3) as client:
        await asyncio.gather(*(client.responses.create(model="m", input="Hi") for _ in range(12)))
    assert peak == 3


async def test_chunked_body_over_the_cap_is_refused(serve: Serve) -> None:
    """A body without Content-Length is still cut off at max_response_bytes."""

    async def chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(50):
            await response.write(b" " * 1000)
        await response.write_eof()
        return response

    url = await serve(chunked)
    async with AsyncClient(base_url=url + "/v1", max_response_bytes=10_000) as client:
        with pytest.raises(ResponseValidationError, match="max_response_bytes"):
            await client.responses.create(model="m", input="Hi")


async def test_redirects_are_not_followed(serve: Serve) -> None:
    """A 3xx answer is reported, never followed (a POST must not turn into a GET elsewhere)."""

    async def moved(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("https://example.com/v1/responses")

    url = await serve(moved)
    async with AsyncClient(base_url=url + "/v1") as client:
        with pytest.raises(APIStatusError, match="HTTP 301") as caught:
            await client.responses.create(model="m", input="Hi")
    assert caught.value.status_code == 301


async def test_unreadable_ca_bundle_is_refused_at_construction(tmp_path: Path) -> None:
    """A CA bundle path that cannot be loaded fails when the client is built, naming ``verify``."""
    with pytest.raises(InvalidRequestError, match="verify"):
        AsyncClient(verify=str(tmp_path / "missing.pem"))
