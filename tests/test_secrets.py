"""Secrets and transport safety: the key leaks nowhere, plain HTTP is loopback-only, TLS verifies.

The key must not appear in any repr or str (client, stream, response, every exception and the
exceptions chained to it), in a formatted traceback, or in any log record at any level. A key is
never sent over plain ``http://`` to a host other than loopback unless the caller opts in: those
tests use TEST-NET addresses (192.0.2.0/24) behind a tripwire that aborts any request before a
connection is made, so no packet ever leaves the machine. TLS is verified by default and a custom
CA bundle works (certificates made with the ``openssl`` command on the fly).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import ssl
import subprocess
import sys
import textwrap
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from _support import FAST
from openresponses import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    Client,
    InvalidRequestError,
    StreamError,
    Timeout,
)
from openresponses.testing import HTTPReply, InBandError, LocalServer, Text, Turn

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-SECRETSECRET"


# -- helpers


def exception_texts(exc: BaseException) -> list[str]:
    """Every text an exception shows: str, repr, its traceback, and the same for its chain."""
    texts = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args)]
        current = current.__cause__ or current.__context__
    return texts


def assert_no_key(*texts: str) -> None:
    leaked = [text for text in texts if KEY in text]
    assert not leaked, f"the API key leaked in: {leaked[0][:600]}"


class Records(logging.Handler):
    """Every log record of every logger, formatted with its exception (if any)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def records() -> Iterator[Records]:
    """Capture all loggers at DEBUG (the ``openresponses`` logger included) for one test."""
    handler = Records()
    root = logging.getLogger()
    ours = logging.getLogger("openresponses")
    levels = (root.level, ours.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ours.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        ours.setLevel(levels[1])


class Tripped(Exception):
    """A request was started towards a host the test forbids contacting."""


class Tripwire:
    """An aiohttp trace that aborts every request before it connects, remembering its URL."""

    def __init__(self, *, allow: tuple[str, ...] = ()) -> None:
        self.allow = allow
        self.started: list[str] = []
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_start.append(self._on_start)

    async def _on_start(self, _session: Any, _ctx: Any, params: Any) -> None:
        url = str(params.url)
        self.started.append(url)
        if params.url.host not in self.allow:
            raise Tripped(f"the client started a request to {url}")


# -- the key in reprs, strs and exceptions


async def test_key_absent_from_reprs_and_every_error(server: LocalServer) -> None:
    """Client, stream, response and each error (status, in-band, timeout, broken) hide the key."""
    server.add(
        HTTPReply(401, body={"error": {"code": 401, "message": "No auth credentials found"}}),
        HTTPReply(503),
        HTTPReply(503),
        Turn("Hello", stream_error=InBandError(message="crash"), error_after=5),
        Turn("late", delay=5),
        Turn("Hello", drop_after=0),
    )
    texts: list[str] = []
    client = AsyncClient(api_key=KEY, base_url=server.base_url, retry_policy=FAST, max_retries=1)
    async with client:
        texts += [repr(client), str(client)]
        with pytest.raises(AuthenticationError) as auth:
            await client.responses.create(model="m", input="Hi")
        with pytest.raises(APIStatusError) as unavailable:
            await client.responses.create(model="m", input="Hi")
        stream = client.responses.stream(model="m", input="Hi")
        texts.append(repr(stream))
        async with stream:
            texts.append(repr(stream))
            with pytest.raises(StreamError) as in_band:
                await stream.final_response()
        with pytest.raises(APITimeoutError) as timeout:
            await client.responses.create(model="m", input="Hi", timeout=0.2, max_retries=0)
        with pytest.raises(APIConnectionError) as broken:
            await client.responses.create(model="m", input="Hi", max_retries=0)
        response = await client.responses.create(model="m", input="Hi")
        async with client.responses.stream(model="m", input="Hi") as stream:
            streamed = await stream.final_response()
            texts.append(repr(stream))
        texts += [repr(response), str(response), repr(streamed), repr(stream)]
    for caught in (auth, unavailable, in_band, timeout, broken):
        texts += exception_texts(caught.value)
    assert server.requests[0].headers["Authorization"] == f"Bearer {KEY}"  # it was sent
    assert_no_key(*texts)


async def _garble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 abc Garbage\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()
    writer.close()


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.close()


async def _attempt(client: AsyncClient, *, stream: bool) -> None:
    if stream:
        async with client.responses.stream(model="m", input="Hi"):
            pass
    else:
        await client.responses.create(model="m", input="Hi")


@pytest.mark.parametrize("fault", ["refused", "hang-up", "garbled status line"])
@pytest.mark.parametrize("stream", [False, True])
async def test_key_absent_from_connection_errors(fault: str, stream: bool) -> None:
    """Refused, hung-up and garbled answers: no error text or chained exception shows the key."""
    raw: asyncio.Server | None = None
    if fault == "refused":
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    else:
        raw = await asyncio.start_server(
            _garble if fault == "garbled status line" else _hang_up, "127.0.0.1", 0
        )
        port = raw.sockets[0].getsockname()[1]
    try:
        async with AsyncClient(
            api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0
        ) as client:
            with pytest.raises(APIConnectionError) as caught:
                await _attempt(client, stream=stream)
    finally:
        if raw is not None:
            raw.close()
            await raw.wait_closed()
    assert_no_key(*exception_texts(caught.value))


async def test_key_echoed_by_the_server_is_redacted_from_errors(server: LocalServer) -> None:
    """A server that echoes the bearer token in its 401 body: the error still hides the key."""
    echo = {"error": {"code": 401, "message": f"Invalid API key: Bearer {KEY}"}}
    server.add(HTTPReply(401, body=echo), HTTPReply(401, body=echo))
    async with AsyncClient(api_key=KEY, base_url=server.base_url) as client:
        with pytest.raises(AuthenticationError) as plain:
            await client.responses.create(model="m", input="Hi")
        with pytest.raises(AuthenticationError) as streamed:
            async with client.responses.stream(model="m", input="Hi"):
                pass
    for caught in (plain, streamed):
        assert "Invalid API key" in str(caught.value)
        assert_no_key(*exception_texts(caught.value))


async def test_create_error_body_echoing_the_key_is_redacted(server: LocalServer) -> None:
    """create(): an error body under HTTP 200 that echoes the key shows it redacted."""
    server.add(HTTPReply(200, body={"error": {"code": 401, "message": f"bad key {KEY}"}}))
    async with AsyncClient(api_key=KEY, base_url=server.base_url, retry_policy=FAST) as client:
        with pytest.raises(APIStatusError) as caught:
            await client.responses.create(model="m", input="Hi")
    assert_no_key(*exception_texts(caught.value))
    assert KEY not in repr(caught.value.body)
    assert "sk-...redacted" in caught.value.message


async def test_in_band_error_echoing_the_key_is_redacted(server: LocalServer) -> None:
    """An in-band error frame that echoes the key: StreamError message and payload redact it."""
    error = InBandError(code="invalid_key", message=f"rejected Bearer {KEY}", shape="flat")
    server.add(Turn(Text("alpha beta gamma"), stream_error=error, error_after=4))
    async with AsyncClient(api_key=KEY, base_url=server.base_url, retry_policy=FAST) as client:
        with pytest.raises(StreamError) as caught:
            async with client.responses.stream(model="m", input="Hi") as stream:
                await stream.final_response()
    assert caught.value.message == "rejected Bearer sk-...redacted"
    assert KEY not in repr(caught.value.payload)
    assert_no_key(*exception_texts(caught.value))


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
    assert_no_key(*exception_texts(caught.value))


def test_key_absent_from_the_sync_client(server: LocalServer) -> None:
    """The blocking Client, its stream, its response and its errors hide the key too."""
    texts: list[str] = []
    server.add(HTTPReply(401), HTTPReply(401))
    with Client(api_key=KEY, base_url=server.base_url, max_retries=0) as client:
        texts += [repr(client), str(client)]
        with pytest.raises(AuthenticationError) as plain:
            client.responses.create(model="m", input="Hi")
        with pytest.raises(AuthenticationError) as streamed:  # noqa: SIM117
            with client.responses.stream(model="m", input="Hi"):
                pass
        response = client.responses.create(model="m", input="Hi")
        with client.responses.stream(model="m", input="Hi") as stream:
            texts += [repr(stream), repr(stream.final_response())]
        texts += [repr(response), repr(stream)]
    texts += exception_texts(plain.value) + exception_texts(streamed.value)
    assert server.requests[-1].headers["Authorization"] == f"Bearer {KEY}"
    assert_no_key(*texts)


# -- the key in logs


async def test_key_absent_from_every_log_record(server: LocalServer, records: Records) -> None:
    """At DEBUG on every logger (header dumps, retries, errors) the key is never logged."""
    server.add(HTTPReply(503), "Hello", HTTPReply(401))
    server.add(HTTPReply(429, headers={"Retry-After": "0"}), "Hello")
    server.add(Turn("Hi", stream_error=InBandError(code=400), error_after=5))
    async with AsyncClient(api_key=KEY, base_url=server.base_url, retry_policy=FAST) as client:
        await client.responses.create(model="m", input="Hi")  # a 503, retried
        with pytest.raises(AuthenticationError) as caught:
            await client.responses.create(model="m", input="Hi")
        logging.getLogger("openresponses").exception("caught", exc_info=caught.value)
        async with client.responses.stream(model="m", input="Hi") as stream:
            await stream.final_response()  # a 429, retried
        async with client.responses.stream(model="m", input="Hi") as stream:
            with pytest.raises(StreamError):
                await stream.final_response()
    text = "\n".join(records.lines)
    assert "<redacted>" in text  # the request headers were logged, credentials masked
    assert "retry" in text
    assert_no_key(text)


def test_key_absent_from_openresponses_log_debug_output(tmp_path: Path) -> None:
    """OPENRESPONSES_LOG=debug, key from OPENROUTER_API_KEY: stderr of a run never shows it."""
    script = textwrap.dedent(
        """
        import asyncio
        from openresponses import AsyncClient, OpenResponsesError
        from openresponses.testing import HTTPReply, LocalServer

        async def main():
            async with LocalServer() as server:
                server.add(HTTPReply(503), "Hello", HTTPReply(401))
                async with AsyncClient(base_url=server.base_url, max_retries=1) as client:
                    await client.responses.create(model="m", input="Hi")
                    try:
                        await client.responses.create(model="m", input="Hi")
                    except OpenResponsesError:
                        pass
                    async with client.responses.stream(model="m", input="Hi") as stream:
                        await stream.final_response()
                    assert server.requests[-1].headers["Authorization"].endswith("SECRET")

        asyncio.run(main())
        """
    )
    env = {**os.environ, "OPENRESPONSES_LOG": "debug", "OPENROUTER_API_KEY": KEY}
    env.pop("OPENRESPONSES_API_KEY", None)
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "<redacted>" in out.stderr
    assert "DEBUG" in out.stderr
    assert_no_key(out.stdout, out.stderr)


# -- plain HTTP only to loopback


@pytest.mark.parametrize(
    "base_url",
    ["http://192.0.2.1/v1", "http://192.0.2.7:8080/api/v1", "http://api.example.test/v1"],
)
async def test_plain_http_to_a_remote_host_is_refused_with_a_key(base_url: str) -> None:
    """With a key, a plain-http non-loopback base_url is refused before any connection."""
    wire = Tripwire()
    with pytest.raises(InvalidRequestError) as caught:
        async with AsyncClient(
            api_key=KEY,
            base_url=base_url,
            max_retries=0,
            timeout=Timeout(connect=0.2, total=0.5),
            trace_configs=[wire.trace],
        ) as client:
            await client.responses.create(model="m", input="Hi")
    assert caught.value.field == "base_url"
    assert wire.started == []
    assert_no_key(*exception_texts(caught.value))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_plain_http_to_loopback_is_allowed(server: LocalServer, host: str) -> None:
    """With a key, plain http to a loopback host works (local servers need no TLS)."""
    base_url = server.base_url.replace("127.0.0.1", host)
    async with AsyncClient(api_key=KEY, base_url=base_url) as client:
        response = await client.responses.create(model="m", input="Hi")
    assert response.output_text == "You said: Hi"
    assert server.requests[0].headers["Authorization"] == f"Bearer {KEY}"


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


async def test_https_to_a_remote_host_is_not_refused() -> None:
    """https to a remote host is attempted (the tripwire stops it before it connects)."""
    wire = Tripwire()
    async with AsyncClient(
        api_key=KEY, base_url="https://192.0.2.1/v1", max_retries=0, trace_configs=[wire.trace]
    ) as client:
        with pytest.raises(Tripped):
            await client.responses.create(model="m", input="Hi")
    assert wire.started == ["https://192.0.2.1/v1/responses"]


async def test_plain_http_without_a_key_is_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no key there is no secret to protect: plain http to any host is attempted."""
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENRESPONSES_API_KEY", raising=False)
    wire = Tripwire()
    async with AsyncClient(
        base_url="http://192.0.2.1/v1", max_retries=0, trace_configs=[wire.trace]
    ) as client:
        with pytest.raises(Tripped):
            await client.responses.create(model="m", input="Hi")
    assert wire.started == ["http://192.0.2.1/v1/responses"]


async def test_explicit_opt_in_allows_plain_http_to_a_remote_host() -> None:
    """``allow_insecure_http=True`` lets a keyed client use plain http to a remote host."""
    wire = Tripwire()
    async with AsyncClient(
        api_key=KEY,
        base_url="http://192.0.2.1/v1",
        max_retries=0,
        trace_configs=[wire.trace],
        allow_insecure_http=True,
    ) as client:
        with pytest.raises(Tripped):
            await client.responses.create(model="m", input="Hi")
    assert wire.started == ["http://192.0.2.1/v1/responses"]


async def test_redirects_are_not_followed(server: LocalServer) -> None:
    """A redirect to a plain-http remote host is not followed: the key stays on loopback."""
    wire = Tripwire(allow=("127.0.0.1",))
    server.add(HTTPReply(307, body="", headers={"Location": "http://192.0.2.1/v1/responses"}))
    async with AsyncClient(
        api_key=KEY, base_url=server.base_url, max_retries=0, trace_configs=[wire.trace]
    ) as client:
        with pytest.raises(APIStatusError) as caught:
            await client.responses.create(model="m", input="Hi")
    assert caught.value.status_code == 307
    assert [url.split("/")[2].split(":")[0] for url in wire.started] == ["127.0.0.1"]


async def test_proxy_environment_is_ignored_by_default(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """*_PROXY variables are not used unless trust_env=True: the key goes nowhere else."""
    proxied = 0

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal proxied
        proxied += 1
        writer.close()

    trap = await asyncio.start_server(proxy, "127.0.0.1", 0)
    trap_url = f"http://127.0.0.1:{trap.sockets[0].getsockname()[1]}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, trap_url)
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("no_proxy", "")
    try:
        async with AsyncClient(api_key=KEY, base_url=server.base_url) as client:
            response = await client.responses.create(model="m", input="Hi")
    finally:
        trap.close()
        await trap.wait_closed()
    assert response.output_text == "You said: Hi"
    assert proxied == 0


# -- TLS


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throw-away CA, a server certificate for 127.0.0.1 it signed, and an unrelated CA."""
    folder = tmp_path_factory.mktemp("tls")
    ca_key, ca, key, csr, cert, other_key, other = (
        folder / name
        for name in (
            "ca.key", "ca.pem", "server.key", "server.csr", "server.pem", "other.key", "other.pem"
        )
    )  # fmt: skip
    ext = folder / "server.ext"
    ext.write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    commands = [
        ["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2",
         "-subj", "/CN=openresponses test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
        ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
         "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext],
        ["openssl", "req", "-x509", *ec, "-keyout", other_key, "-out", other, "-days", "2",
         "-subj", "/CN=another CA"],
    ]  # fmt: skip
    for command in commands:
        subprocess.run([str(part) for part in command], check=True, capture_output=True)
    return {"ca": ca, "cert": cert, "key": key, "other": other}


class TLSServer:
    """An HTTPS server on 127.0.0.1 answering every POST with a finished response."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.requests = 0
        self.runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/v1"

    async def _answer(self, request: web.Request) -> web.Response:
        self.requests += 1
        await request.read()
        body = {
            "id": "resp_tls",
            "status": "completed",
            "output": [
                {
                    "type": "message",
                    "id": "m1",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "over TLS", "annotations": []}],
                }
            ],
        }
        return web.json_response(body)

    async def __aenter__(self) -> TLSServer:
        app = web.Application()
        app.router.add_post("/v1/responses", self._answer)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=self.context)
        await site.start()
        self.port = self.runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


@pytest.fixture
async def tls_server(certificates: dict[str, Path]) -> AsyncIterator[TLSServer]:
    """An HTTPS server whose certificate only the test CA vouches for."""
    async with TLSServer(certificates["cert"], certificates["key"]) as tls:
        yield tls


async def test_tls_is_verified_by_default(
    tls_server: TLSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown CA is refused by default: a final (not retried) APIConnectionError."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    async with AsyncClient(api_key=KEY, base_url=tls_server.base_url, retry_policy=FAST) as client:
        started = time.monotonic()
        with pytest.raises(APIConnectionError, match=r"(?i)certificate|TLS") as caught:
            await client.responses.create(model="m", input="Hi")
        assert time.monotonic() - started < 1.0
    assert not caught.value.retryable
    assert tls_server.requests == 0
    assert_no_key(*exception_texts(caught.value))


async def test_custom_ca_bundle_path_is_trusted(
    tls_server: TLSServer, certificates: dict[str, Path]
) -> None:
    """``verify=<CA bundle path>`` trusts that CA: the call succeeds over HTTPS."""
    async with AsyncClient(
        api_key=KEY, base_url=tls_server.base_url, verify=str(certificates["ca"])
    ) as client:
        response = await client.responses.create(model="m", input="Hi")
        async with client.responses.stream(model="m", input="Hi") as stream:
            assert stream.status_code == 200
    assert response.output_text == "over TLS"
    assert tls_server.requests == 2


async def test_custom_ssl_context_is_trusted(
    tls_server: TLSServer, certificates: dict[str, Path]
) -> None:
    """``verify=<ssl.SSLContext>`` with the CA loaded works as well."""
    context = ssl.create_default_context(cafile=str(certificates["ca"]))
    async with AsyncClient(api_key=KEY, base_url=tls_server.base_url, verify=context) as client:
        response = await client.responses.create(model="m", input="Hi")
    assert response.output_text == "over TLS"


async def test_a_wrong_ca_bundle_is_still_refused(
    tls_server: TLSServer, certificates: dict[str, Path]
) -> None:
    """A CA bundle that does not vouch for the server does not weaken verification."""
    async with AsyncClient(
        api_key=KEY, base_url=tls_server.base_url, verify=str(certificates["other"]), max_retries=0
    ) as client:
        with pytest.raises(APIConnectionError, match=r"(?i)certificate|TLS"):
            await client.responses.create(model="m", input="Hi")
    assert tls_server.requests == 0
