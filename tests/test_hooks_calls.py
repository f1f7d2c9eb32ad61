"""Hooks on plain calls: create, compact and GET report their request, attempts and end; hooks
add headers and body fields, fail safely, register process-wide, and cost nothing unless they
override something."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

from _support import FAST, make_client
from openresponses import (
    AsyncClient,
    AttemptInfo,
    BadRequestError,
    CallInfo,
    Client,
    CompactedResponse,
    Hook,
    HTTPInfo,
    InvalidRequestError,
    RateLimitError,
    Response,
    ServiceUnavailableError,
    StreamEvent,
    add_hook,
    http_info,
    remove_hook,
)
from openresponses.testing import HTTPReply, LocalServer

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-hooks-test-key-0123456789"


class Recorder(Hook):
    """Records every hook call, in order: ``(method, call, argument)``."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, CallInfo, Any]] = []
        self.threads: set[int] = set()

    def _note(self, name: str, call: CallInfo, argument: Any) -> None:
        self.seen.append((name, call, argument))
        self.threads.add(threading.get_ident())

    def on_request(self, call: CallInfo) -> None:
        self._note("request", call, None)

    def on_attempt(self, call: CallInfo, attempt: AttemptInfo) -> None:
        self._note("attempt", call, attempt)

    def on_event(self, call: CallInfo, event: StreamEvent) -> None:
        self._note("event", call, event)

    def on_response(self, call: CallInfo, result: Any) -> None:
        self._note("response", call, result)

    def on_error(self, call: CallInfo, error: BaseException) -> None:
        self._note("error", call, error)

    def names(self) -> list[str]:
        """The methods called, events collapsed into one ``"events"`` entry per run."""
        names: list[str] = []
        for name, _call, _argument in self.seen:
            if name == "event" and names and names[-1] == "events":
                continue
            names.append("events" if name == "event" else name)
        return names

    def of(self, name: str) -> list[Any]:
        """The arguments of every call of one method."""
        return [argument for seen, _call, argument in self.seen if seen == name]

    def call(self) -> CallInfo:
        """The one CallInfo every method got (each call makes exactly one)."""
        calls = {id(call): call for _name, call, _argument in self.seen}
        assert len(calls) == 1
        return next(iter(calls.values()))


@pytest.fixture
def recorder() -> Recorder:
    """A fresh recording hook."""
    return Recorder()


@pytest.fixture
async def client(server: LocalServer, recorder: Recorder) -> AsyncIterator[AsyncClient]:
    """A client of the shared server with an API key, quick retries and the recorder."""
    async with make_client(server.base_url, api_key=KEY, hooks=[recorder]) as c:
        yield c


async def test_create_reports_request_attempt_and_response(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """create: on_request, one on_attempt (200, its headers, no error), on_response with the
    Response returned; one CallInfo describes the call."""
    response = await client.responses.create(model="m", input="Hi")
    assert recorder.names() == ["request", "attempt", "response"]
    call = recorder.call()
    assert (call.operation, call.method, call.url) == (
        "create",
        "POST",
        f"{server.base_url}/responses",
    )
    assert call.model == "m"
    assert call.body is not None
    assert (call.body["input"], call.body["stream"]) == ("Hi", False)
    assert call.headers == {}
    [attempt] = recorder.of("attempt")
    assert (attempt.number, attempt.status_code, attempt.error, attempt.retry_in) == (
        1,
        200,
        None,
        None,
    )
    assert attempt.headers["X-Generation-Id"] == server.requests[0].generation_id
    assert 0 <= attempt.elapsed < 5
    assert recorder.of("response") == [response]
    assert http_info(response) is not None


async def test_compact_is_a_call_of_its_own(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """compact: operation "compact" to /responses/compact; on_response gets its result."""
    compacted = await client.responses.compact(model="m", input="Hi")
    assert isinstance(compacted, CompactedResponse)
    assert recorder.names() == ["request", "attempt", "response"]
    call = recorder.call()
    assert (call.operation, call.url) == ("compact", f"{server.base_url}/responses/compact")
    assert recorder.of("response") == [compacted]


async def test_a_get_reports_the_parsed_result(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """engine.get: a GET with its query in the URL and no body; on_response gets what parse gave."""

    def parse(data: Any) -> list[str]:
        return [model["id"] for model in data["data"]]

    info, ids = await client._engine.get(
        "/models", parse, operation="models.list", query={"limit": "5"}
    )
    assert isinstance(info, HTTPInfo)
    assert info.status_code == 200
    assert server.model in ids
    assert recorder.names() == ["request", "attempt", "response"]
    call = recorder.call()
    assert (call.operation, call.method, call.body) == ("models.list", "GET", None)
    assert call.url == f"{server.base_url}/models?limit=5"
    assert recorder.of("response") == [ids]


async def test_a_get_refuses_an_unknown_option(client: AsyncClient, recorder: Recorder) -> None:
    """engine.get names an option it does not know, and starts no call."""
    with pytest.raises(InvalidRequestError) as caught:
        await client._engine.get("/models", list, operation="models.list", stream=True)  # type: ignore[call-arg]
    assert caught.value.field == "stream"
    assert recorder.seen == []


async def test_a_retried_503_and_429_report_each_wait(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """Each failed attempt carries its status, error and the wait before the retry."""
    server.add(HTTPReply(503), HTTPReply(429, headers={"retry-after-ms": "30"}))
    await client.responses.create(model="m", input="Hi")
    assert recorder.names() == ["request", "attempt", "attempt", "attempt", "response"]
    first, second, third = recorder.of("attempt")
    assert (first.number, first.status_code, first.retry_in) == (1, 503, FAST.initial_delay)
    assert isinstance(first.error, ServiceUnavailableError)
    assert (second.number, second.status_code, second.retry_in) == (2, 429, 0.03)
    assert isinstance(second.error, RateLimitError)
    assert (third.number, third.status_code, third.error, third.retry_in) == (3, 200, None, None)


async def test_a_failed_call_reports_its_error_once(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """A refusal not retried: one attempt with no retry, on_error once, never on_response."""
    server.add(HTTPReply(400))
    with pytest.raises(BadRequestError) as caught:
        await client.responses.create(model="m", input="Hi")
    assert recorder.names() == ["request", "attempt", "error"]
    [attempt] = recorder.of("attempt")
    assert (attempt.status_code, attempt.retry_in) == (400, None)
    assert recorder.of("error") == [caught.value]


async def test_giving_up_after_retries_reports_the_last_attempt_without_a_wait(
    server: LocalServer, client: AsyncClient, recorder: Recorder
) -> None:
    """Out of retries: the last attempt has retry_in None, then on_error with the last error."""
    server.add(HTTPReply(503), times=3)
    with pytest.raises(ServiceUnavailableError):
        await client.responses.create(model="m", input="Hi")
    waits = [FAST.backoff(0), FAST.backoff(1), None]  # no jitter: the schedule itself
    assert [attempt.retry_in for attempt in recorder.of("attempt")] == waits
    assert recorder.names()[-1] == "error"


class Propagator(Hook):
    """Adds a header and a body field in on_request, as a tracing hook does."""

    def on_request(self, call: CallInfo) -> None:
        call.headers["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        if call.body is not None:
            call.body["trace"] = {"trace_id": "0af7651916cd43dd8448eb211c80319c"}


async def test_on_request_additions_are_sent(server: LocalServer) -> None:
    """A header and a body field added by on_request reach the server, on every attempt."""
    server.add(HTTPReply(503))
    async with make_client(server.base_url, hooks=[Propagator()]) as client:
        await client.responses.create(model="m", input="Hi", extra_headers={"X-Mine": "1"})
    assert len(server.requests) == 2
    for request in server.requests:
        assert request.headers["traceparent"].startswith("00-0af7651916cd43dd")
        assert request.headers["X-Mine"] == "1"
        assert request.json["trace"] == {"trace_id": "0af7651916cd43dd8448eb211c80319c"}
        assert request.json["input"] == "Hi"


async def test_request_headers_are_redacted(client: AsyncClient, recorder: Recorder) -> None:
    """request_headers: the client's defaults and the call's own, the key never among them."""
    await client.responses.create(model="m", input="Hi", extra_headers={"X-Mine": "1"})
    call = recorder.call()
    sent = call.request_headers
    assert sent["Authorization"] == "<redacted>"
    assert (sent["X-Mine"], sent["Content-Type"]) == ("1", "application/json")
    assert KEY not in repr(sent)
    assert KEY not in repr(call)


class Boom(Hook):
    """Raises from every method."""

    def on_request(self, call: CallInfo) -> None:
        raise RuntimeError("boom")

    def on_attempt(self, call: CallInfo, attempt: AttemptInfo) -> None:
        raise RuntimeError("boom")

    def on_response(self, call: CallInfo, result: Any) -> None:
        raise RuntimeError("boom")


async def test_a_raising_hook_is_logged_and_the_call_goes_on(
    server: LocalServer, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    """Each raise is logged with its traceback, naming the hook and method; the call succeeds
    and the next hook is still called."""
    caplog.set_level(logging.ERROR, logger="openresponses")
    async with make_client(server.base_url, hooks=[Boom(), recorder]) as client:
        response = await client.responses.create(model="m", input="Hi")
    assert isinstance(response, Response)
    assert recorder.names() == ["request", "attempt", "response"]
    records = [r for r in caplog.records if r.name == "openresponses"]
    assert [r.getMessage().split()[1] for r in records] == [
        "Boom.on_request",
        "Boom.on_attempt",
        "Boom.on_response",
    ]
    assert all(r.exc_info is not None and str(r.exc_info[1]) == "boom" for r in records)


async def test_process_wide_hooks_reach_every_client_after_its_own(
    client: AsyncClient, recorder: Recorder
) -> None:
    """add_hook reaches a client made before it, after the client's hooks; remove_hook stops it."""
    order: list[str] = []

    class Mine(Hook):
        def on_response(self, call: CallInfo, result: Any) -> None:
            order.append("global")

    class Own(Hook):
        def on_response(self, call: CallInfo, result: Any) -> None:
            order.append("own")

    hook = Mine()
    async with make_client(client.base_url, hooks=[Own()]) as other:
        add_hook(hook)
        try:
            add_hook(hook)  # registered once
            await other.responses.create(model="m", input="Hi")
            await client.responses.create(model="m", input="Hi")
        finally:
            remove_hook(hook)
        await other.responses.create(model="m", input="Hi")
        remove_hook(hook)  # not registered: ignored
    assert order == ["own", "global", "global", "own"]
    assert len(recorder.of("response")) == 1


def test_add_hook_refuses_what_is_not_a_hook() -> None:
    """add_hook takes a Hook only, naming the argument."""
    with pytest.raises(InvalidRequestError) as caught:
        add_hook(print)  # type: ignore[arg-type]
    assert caught.value.field == "hook"


def test_the_blocking_client_calls_hooks_on_its_loop_thread(
    server: LocalServer, recorder: Recorder
) -> None:
    """Client(hooks=...) used from another thread: the hooks see the call, on the loop thread."""
    results: list[Response] = []
    with Client(base_url=server.base_url, hooks=[recorder]) as client:
        assert client.hooks == (recorder,)
        worker = threading.Thread(
            target=lambda: results.append(client.responses.create(model="m", input="Hi"))
        )
        worker.start()
        worker.join(10)
    assert recorder.names() == ["request", "attempt", "response"]
    assert recorder.of("response") == results
    assert threading.get_ident() not in recorder.threads
    assert worker.ident not in recorder.threads


class AsyncHook(Hook):
    """Overrides a method with a coroutine: refused."""

    async def on_response(self, call: CallInfo, result: Any) -> None:  # type: ignore[override]
        return None


@pytest.mark.parametrize(
    "hooks",
    [Recorder(), [object()], "hooks", [Recorder(), AsyncHook()], 3],
    ids=["a-hook-alone", "not-a-hook", "a-string", "an-async-method", "a-number"],
)
def test_bad_hooks_are_refused(hooks: Any) -> None:
    """hooks= takes a sequence of Hook with plain methods; anything else names the field."""
    with pytest.raises(InvalidRequestError) as caught:
        AsyncClient(base_url="http://127.0.0.1:9/v1", hooks=hooks)
    assert caught.value.field == "hooks"


def test_client_hooks_is_the_tuple_given(recorder: Recorder) -> None:
    """client.hooks is the client's own hooks, as a tuple."""
    client = AsyncClient(base_url="http://127.0.0.1:9/v1", hooks=[recorder])
    assert client.hooks == (recorder,)
    assert AsyncClient(base_url="http://127.0.0.1:9/v1").hooks == ()


class Silent(Hook):
    """Overrides nothing, and counts every lookup of a hook method on it."""

    lookups = 0

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("on_"):
            type(self).lookups += 1
        return super().__getattribute__(name)


async def test_a_hook_that_overrides_nothing_is_never_called(server: LocalServer) -> None:
    """Such a hook costs nothing: no dispatcher, and none of its methods is even looked up."""
    async with make_client(server.base_url, hooks=[Silent()]) as client:
        assert client._engine.hooks.dispatcher is None
        await client.responses.create(model="m", input="Hi")
        async with client.responses.stream(model="m", input="Hi") as stream:
            await stream.final_response()
    assert Silent.lookups == 0


def test_tracing_true_appends_the_opentelemetry_hook(recorder: Recorder) -> None:
    """tracing=True adds openresponses.otel's hook after the client's own."""
    from openresponses.otel import OpenTelemetryHook

    client = AsyncClient(base_url="http://127.0.0.1:9/v1", hooks=[recorder], tracing=True)
    assert client.hooks[0] is recorder
    assert isinstance(client.hooks[1], OpenTelemetryHook)


def test_tracing_without_opentelemetry_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tracing=True where the otel extra cannot be imported names the field and the extra."""
    monkeypatch.setitem(sys.modules, "openresponses.otel", None)
    with pytest.raises(InvalidRequestError) as caught:
        AsyncClient(base_url="http://127.0.0.1:9/v1", tracing=True)
    assert caught.value.field == "tracing"
    assert "openresponses[otel]" in str(caught.value)
    with pytest.raises(InvalidRequestError) as caught:
        AsyncClient(base_url="http://127.0.0.1:9/v1", tracing="yes")  # type: ignore[arg-type]
    assert caught.value.field == "tracing"
