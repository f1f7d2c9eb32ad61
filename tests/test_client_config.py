"""AsyncClient configuration: key and URL sources, headers, per-call options, lifecycle, secrets."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

import openresponses
from openresponses import (
    AsyncBatchIterator,
    AsyncClient,
    AuthenticationError,
    InvalidRequestError,
    RetryPolicy,
    Timeout,
    http_info,
)
from openresponses.testing import HTTPReply, LocalServer
from openresponses.tools import run_tools_stream

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-SECRET-do-not-leak-0123456789"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key or base URL leaks in from the developer's environment."""
    for name in ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


async def test_api_key_argument_becomes_bearer_header(server: LocalServer) -> None:
    """An explicit key is sent as ``Authorization: Bearer <key>``."""
    async with AsyncClient(api_key=KEY, base_url=server.base_url) as client:
        await client.responses.create(model="m", input="Hi")
    assert server.requests[0].headers["Authorization"] == f"Bearer {KEY}"


async def test_key_from_openrouter_env(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OPENROUTER_API_KEY is read when no key is given, and wins over OPENRESPONSES_API_KEY."""
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-env-openrouter")
    monkeypatch.setenv("OPENRESPONSES_API_KEY", "sk-env-openresponses")
    async with AsyncClient(base_url=server.base_url) as client:
        await client.responses.create(model="m", input="Hi")
    assert server.requests[0].headers["Authorization"] == "Bearer sk-env-openrouter"


async def test_key_from_openresponses_env(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OPENRESPONSES_API_KEY is the fallback when OPENROUTER_API_KEY is unset."""
    monkeypatch.setenv("OPENRESPONSES_API_KEY", "sk-env-openresponses")
    async with AsyncClient(base_url=server.base_url) as client:
        await client.responses.create(model="m", input="Hi")
    assert server.requests[0].headers["Authorization"] == "Bearer sk-env-openresponses"


async def test_no_key_sends_no_authorization(server: LocalServer) -> None:
    """Without any key no Authorization header goes out, and a 401 is an AuthenticationError."""
    server.add(HTTPReply(401))
    async with AsyncClient(base_url=server.base_url) as client:
        with pytest.raises(AuthenticationError):
            await client.responses.create(model="m", input="Hi")
    assert "Authorization" not in server.requests[0].headers


async def test_base_url_from_env_and_trailing_slash(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OPENRESPONSES_BASE_URL is used, its trailing slash dropped; requests go to /responses."""
    monkeypatch.setenv("OPENRESPONSES_BASE_URL", server.base_url + "/")
    async with AsyncClient() as client:
        assert client.base_url == server.base_url
        await client.responses.create(model="m", input="Hi")
    assert server.requests[0].path == "/v1/responses"


async def test_default_base_url_is_openrouter() -> None:
    """With no argument and no environment, the base URL is OpenRouter's."""
    client = AsyncClient()
    assert client.base_url == "https://openrouter.ai/api/v1"
    await client.aclose()


@pytest.mark.parametrize("url", ["openrouter.ai/api/v1", "ftp://example.com", "http://"])
async def test_bad_base_url_is_refused(url: str) -> None:
    """A base URL that is not an absolute http(s) URL is an InvalidRequestError naming it."""
    with pytest.raises(InvalidRequestError, match="base_url"):
        AsyncClient(base_url=url)


async def test_attribution_and_default_headers(server: LocalServer) -> None:
    """app_url/app_title become OpenRouter's attribution headers; default_headers are sent too."""
    async with AsyncClient(
        base_url=server.base_url,
        app_url="https://example.com/app",
        app_title="Example App",
        default_headers={"X-Team": "blue"},
    ) as client:
        await client.responses.create(model="m", input="Hi")
    headers = server.requests[0].headers
    assert headers["HTTP-Referer"] == "https://example.com/app"
    assert headers["X-OpenRouter-Title"] == "Example App"
    assert headers["X-Team"] == "blue"
    assert headers["Content-Type"] == "application/json"


async def test_user_agent_names_the_sdk_python_and_aiohttp(server: LocalServer) -> None:
    """The User-Agent carries the SDK, Python and aiohttp versions (aiohttp's read once loaded)."""
    async with AsyncClient(base_url=server.base_url) as client:
        await client.responses.create(model="m", input="Hi")
    python = f"python/{sys.version_info[0]}.{sys.version_info[1]}"
    expected = f"openresponses/{openresponses.__version__} {python} aiohttp/{aiohttp.__version__}"
    assert server.requests[0].headers.getall("User-Agent") == [expected]


async def test_a_user_agent_in_default_headers_replaces_ours(server: LocalServer) -> None:
    """A User-Agent given in default_headers, in any case, is the only one sent."""
    async with AsyncClient(
        base_url=server.base_url, default_headers={"user-agent": "my-app/2"}
    ) as client:
        await client.responses.create(model="m", input="Hi")
    assert server.requests[0].headers.getall("User-Agent") == ["my-app/2"]


async def test_extra_headers_body_and_query_reach_the_server(server: LocalServer) -> None:
    """extra_headers, extra_body and extra_query of one call arrive as given."""
    async with AsyncClient(base_url=server.base_url) as client:
        await client.responses.create(
            model="m",
            input="Hi",
            extra_headers={"X-Trace": "t-1"},
            extra_body={"future_field": {"a": 1}},
            extra_query={"debug": "1"},
        )
    recorded = server.requests[0]
    assert recorded.headers["X-Trace"] == "t-1"
    assert recorded.json["future_field"] == {"a": 1}
    assert recorded.query["debug"] == "1"


async def test_stream_flag_is_always_explicit(server: LocalServer) -> None:
    """create() sends ``"stream": false`` and stream() ``"stream": true`` with an SSE Accept."""
    async with AsyncClient(base_url=server.base_url) as client:
        await client.responses.create(model="m", input="Hi")
        async with client.responses.stream(model="m", input="Hi") as stream:
            await stream.final_response()
    plain, streamed = server.requests
    assert plain.json["stream"] is False
    assert plain.headers["Accept"] == "application/json"
    assert streamed.json["stream"] is True
    assert streamed.headers["Accept"] == "text/event-stream"


async def test_bad_parameter_is_refused_before_sending(server: LocalServer) -> None:
    """An unknown keyword raises InvalidRequestError and nothing reaches the server."""
    async with AsyncClient(base_url=server.base_url) as client:
        with pytest.raises(InvalidRequestError):
            await client.responses.create(model="m", input="Hi", not_a_field=1)  # type: ignore[call-arg]
        with pytest.raises(InvalidRequestError):
            client.responses.stream(model="m", input="Hi", not_a_field=1)  # type: ignore[call-arg]
    assert server.request_count == 0


async def test_http_info_of_create(server: LocalServer) -> None:
    """http_info(response) gives the status, headers and generation id of its HTTP answer."""
    async with AsyncClient(base_url=server.base_url) as client:
        response = await client.responses.create(model="m", input="Hi")
    info = http_info(response)
    assert info is not None
    assert info.status_code == 200
    assert info.generation_id == server.requests[0].generation_id
    assert info.headers["Content-Type"].startswith("application/json")


async def test_http_info_is_per_response_under_concurrency(server: LocalServer) -> None:
    """Concurrent calls each keep their own generation id (no shared 'last response')."""
    async with AsyncClient(base_url=server.base_url) as client:
        responses = await asyncio.gather(
            *(client.responses.create(model="m", input=f"n{i}") for i in range(20))
        )
    for response in responses:
        info = http_info(response)
        assert info is not None
        # The local server numbers both: resp_local_N answers with gen-local-N.
        assert response.id is not None
        assert info.generation_id == "gen-local-" + response.id.rsplit("_", 1)[1]


async def test_http_info_of_stream(server: LocalServer) -> None:
    """A stream exposes status, headers and generation id, and so does its final response."""
    async with (
        AsyncClient(base_url=server.base_url) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        final = await stream.final_response()
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.generation_id == server.requests[0].generation_id
    info = http_info(final)
    assert info is not None
    assert info.generation_id == server.requests[0].generation_id


async def test_http_info_of_unrelated_object_is_none() -> None:
    """Objects that did not come from a request have no HTTP info."""
    assert http_info(object()) is None


async def test_per_call_timeout_and_retries_validate() -> None:
    """A bad per-call timeout or client max_retries is refused as InvalidRequestError."""
    with pytest.raises(InvalidRequestError, match="max_retries"):
        AsyncClient(max_retries=-1)
    async with AsyncClient(base_url="http://127.0.0.1:9") as client:
        with pytest.raises(InvalidRequestError, match="timeout"):
            await client.responses.create(model="m", input="Hi", timeout=-1)
    assert AsyncClient(timeout=5, max_retries=4).timeout == Timeout(total=5, stream_idle=5)


async def test_key_never_in_repr_errors_or_logs(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The API key appears in no repr, exception text or log line, even at DEBUG."""
    server.add(HTTPReply(401, body={"error": {"code": 401, "message": "bad key"}}))
    caplog.set_level(logging.DEBUG, logger="openresponses")
    client = AsyncClient(api_key=KEY, base_url=server.base_url)
    async with client:
        with pytest.raises(AuthenticationError) as caught:
            await client.responses.create(model="m", input="Hi")
        async with client.responses.stream(model="m", input="Hi") as stream:
            shown = repr(stream)
            await stream.final_response()
    texts = [repr(client), str(caught.value), repr(caught.value), shown, caplog.text]
    assert all(KEY not in text for text in texts)
    assert "<redacted>" in caplog.text


async def test_closed_client_refuses_calls(server: LocalServer) -> None:
    """After aclose() (idempotent) every call raises a clear RuntimeError."""
    client = AsyncClient(base_url=server.base_url)
    await client.responses.create(model="m", input="Hi")
    await client.aclose()
    await client.aclose()
    assert client.is_closed
    with pytest.raises(RuntimeError, match="closed"):
        await client.responses.create(model="m", input="Hi")
    with pytest.raises(RuntimeError, match="closed"):
        client.responses.stream(model="m", input="Hi")
    with pytest.raises(RuntimeError, match="closed"):
        async with client:
            pass
    assert server.request_count == 1


async def test_unclosed_client_warns(server: LocalServer) -> None:
    """A client that opened its pool and is dropped unclosed emits a ResourceWarning."""
    client = AsyncClient(base_url=server.base_url)
    await client.responses.create(model="m", input="Hi")
    session = client._transport._session  # closed by hand below, so aiohttp stays quiet
    assert session is not None
    # No reference cycle holds a client: it goes, and warns, as soon as it is dropped.
    with pytest.warns(ResourceWarning, match="unclosed"):
        del client
    await session.close()


async def test_unused_client_does_not_warn() -> None:
    """A client that never sent a request has nothing to close and does not warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        client = AsyncClient()
        del client
        gc.collect()


def test_openresponses_log_env_switches_logging_on() -> None:
    """OPENRESPONSES_LOG=debug sets the ``openresponses`` logger up once, when the first client
    is built: importing the package leaves logging alone."""
    code = (
        "import logging, openresponses; log = logging.getLogger('openresponses');"
        "print(log.level, len(log.handlers));"
        "openresponses.AsyncClient(); openresponses.AsyncClient();"
        "print(log.level, len(log.handlers))"
    )
    env = {**os.environ, "OPENRESPONSES_LOG": "debug"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0", "0", str(logging.DEBUG), "1"]


async def test_retry_attempts_are_logged(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Each retry is logged at INFO on the ``openresponses`` logger."""
    server.add(HTTPReply(503), times=2)
    caplog.set_level(logging.INFO, logger="openresponses")
    policy = RetryPolicy(initial_delay=0.01, max_delay=0.01)
    async with AsyncClient(base_url=server.base_url, retry_policy=policy) as client:
        await client.responses.create(model="m", input="Hi")
    retries = [r for r in caplog.records if "retry" in r.getMessage()]
    assert len(retries) == 2
    assert "ServiceUnavailableError" in retries[0].getMessage()


# -- numeric settings

_LOCAL = "http://127.0.0.1:9/v1"
_COUNTS = [-1, True, 1.5, "3"]
_POSITIVE_COUNTS = [0, True, 1.5, "3"]
_SECONDS = [0, -1, True, float("nan"), float("inf"), "3"]


def _tool_run(**options: Any) -> None:
    run_tools_stream(AsyncClient(base_url=_LOCAL), tools=[], model="m", **options)


@pytest.mark.parametrize(
    ("field", "build", "values"),
    [
        ("connector_limit", lambda v: AsyncClient(connector_limit=v), _COUNTS),
        ("connector_limit_per_host", lambda v: AsyncClient(connector_limit_per_host=v), _COUNTS),
        ("max_response_bytes", lambda v: AsyncClient(max_response_bytes=v), _POSITIVE_COUNTS),
        ("max_event_bytes", lambda v: AsyncClient(max_event_bytes=v), _POSITIVE_COUNTS),
        ("timeout", lambda v: AsyncClient(timeout=v), _SECONDS),
        ("timeout.total", lambda v: Timeout(total=v), _SECONDS),
        ("timeout.stream_idle", lambda v: Timeout(stream_idle=v), _SECONDS),
        (
            "concurrency",
            lambda v: AsyncBatchIterator(AsyncClient(base_url=_LOCAL), [], concurrency=v),
            _POSITIVE_COUNTS,
        ),
        (
            "requests_per_minute",
            lambda v: AsyncBatchIterator(AsyncClient(base_url=_LOCAL), [], requests_per_minute=v),
            _SECONDS,
        ),
        ("max_steps", lambda v: _tool_run(max_steps=v), _POSITIVE_COUNTS),
        ("max_concurrency", lambda v: _tool_run(max_concurrency=v), _POSITIVE_COUNTS),
        ("tool_timeout", lambda v: _tool_run(tool_timeout=v), _SECONDS),
    ],
)
def test_every_numeric_setting_refuses_what_is_not_a_number_in_range(
    field: str, build: Callable[[Any], object], values: list[Any]
) -> None:
    """Bools, strings, fractions for counts, and zero, NaN or infinity for durations are refused
    with an ``InvalidRequestError`` naming the setting and the value given."""
    for value in values:
        with pytest.raises(InvalidRequestError) as caught:
            build(value)
        assert caught.value.field == field
        assert repr(value) in str(caught.value)
