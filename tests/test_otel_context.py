"""OpenTelemetry context: spans nest under the caller's, ``traceparent`` and OpenRouter's ``trace``
field carry the span out; ``instrument()``; nothing traced or imported when tracing is off."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext, format_span_id, format_trace_id

from _support import make_client
from openresponses import AsyncClient, Client, InvalidRequestError, TraceConfig
from openresponses.otel import OpenTelemetryHook, instrument, uninstrument
from openresponses.testing import HTTPReply, LocalServer, Text, Turn

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-otel-context-key"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    """Where the test's spans land, in memory."""
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    """A provider of the test's own (never the global one), exporting each span as it ends."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


def ids(span: ReadableSpan) -> tuple[str, str]:
    """A span's trace id and span id, in hex as they go on the wire."""
    context = span.get_span_context()
    assert isinstance(context, SpanContext)
    return format_trace_id(context.trace_id), format_span_id(context.span_id)


def traceparent(span: ReadableSpan) -> str:
    """The W3C ``traceparent`` header of a span: version, trace id, span id, flags (sampled)."""
    context = span.get_span_context()
    assert context is not None
    assert context.trace_flags.sampled
    trace_id, span_id = ids(span)
    return f"00-{trace_id}-{span_id}-{context.trace_flags:02x}"


def call_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    """The spans the SDK made (those with a GenAI operation)."""
    spans = exporter.get_finished_spans()
    return [span for span in spans if "gen_ai.operation.name" in (span.attributes or {})]


async def test_the_span_nests_under_the_callers_span(
    server: LocalServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """A call made inside the caller's span is its child, in the same trace."""
    hook = OpenTelemetryHook(tracer_provider=provider)
    tracer = provider.get_tracer("the-app")
    async with make_client(server.base_url, api_key=KEY, hooks=[hook]) as client:
        with tracer.start_as_current_span("handle request") as parent:
            await client.responses.create(model="m", input="Hi")
            async with client.responses.stream(model="m", input="Hi") as stream:
                await stream.final_response()
        await client.responses.create(model="m", input="outside")
    inside_create, inside_stream, outside = call_spans(exporter)
    parent_context = parent.get_span_context()
    for span in (inside_create, inside_stream):
        assert span.parent is not None
        assert span.parent.span_id == parent_context.span_id
        assert ids(span)[0] == format_trace_id(parent_context.trace_id)
    assert outside.parent is None
    assert ids(outside)[0] != format_trace_id(parent_context.trace_id)


async def test_traceparent_goes_out_on_every_attempt(
    server: LocalServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """Each attempt of a call sends the W3C traceparent of the call's span."""
    server.add(HTTPReply(503, headers={"Retry-After": "0"}), Turn(Text("ok")))
    hook = OpenTelemetryHook(tracer_provider=provider)
    async with make_client(server.base_url, api_key=KEY, hooks=[hook]) as client:
        await client.responses.create(model="m", input="Hi")
    [span] = call_spans(exporter)
    sent = [request.headers.get("traceparent") for request in server.requests]
    assert sent == [traceparent(span)] * 2


def test_a_blocking_client_traces_too(
    server: LocalServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """The blocking Client's calls, run on its loop thread, nest under the calling thread's span."""
    hook = OpenTelemetryHook(tracer_provider=provider)
    tracer = provider.get_tracer("the-app")
    with (
        Client(base_url=server.base_url, api_key=KEY, hooks=[hook]) as client,
        tracer.start_as_current_span("a job") as parent,
    ):
        client.responses.create(model="m", input="Hi")
        with client.responses.stream(model="m", input="Hi") as stream:
            stream.final_response()
    spans = call_spans(exporter)
    assert [span.name for span in spans] == ["chat m", "chat m"]
    for span, request in zip(spans, server.requests, strict=True):
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
        assert request.headers.get("traceparent") == traceparent(span)


async def test_openrouter_gets_the_trace_field(
    server: LocalServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """As OpenRouter (provider="openrouter"), the body's trace carries the span's ids."""
    hook = OpenTelemetryHook(tracer_provider=provider, provider="openrouter")
    async with make_client(server.base_url, api_key=KEY, hooks=[hook]) as client:
        await client.responses.create(model="m", input="Hi")
        async with client.responses.stream(model="m", input="Hi") as stream:
            await stream.final_response()
    spans = call_spans(exporter)
    assert [(span.attributes or {})["gen_ai.provider.name"] for span in spans] == ["openrouter"] * 2
    for request, span in zip(server.requests, spans, strict=True):
        trace_id, span_id = ids(span)
        assert request.json["trace"] == {"trace_id": trace_id, "parent_span_id": span_id}


async def test_a_trace_the_caller_set_is_kept(
    server: LocalServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """A caller's own trace ids are sent as given; a trace with names only gains our ids."""
    hook = OpenTelemetryHook(tracer_provider=provider, provider="openrouter")
    async with make_client(server.base_url, api_key=KEY, hooks=[hook]) as client:
        await client.responses.create(model="m", input="Hi", trace=TraceConfig(trace_id="mine"))
        await client.responses.create(model="m", input="Hi", trace={"trace_name": "app"})
    assert server.requests[0].json["trace"] == {"trace_id": "mine"}
    named = server.requests[1].json["trace"]
    assert named["trace_name"] == "app"
    assert (named["trace_id"], named["parent_span_id"]) == ids(call_spans(exporter)[1])


async def test_other_servers_get_no_trace_field(
    server: LocalServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """Off OpenRouter the body is left as the caller built it: no trace field."""
    hook = OpenTelemetryHook(tracer_provider=provider)
    async with make_client(server.base_url, api_key=KEY, hooks=[hook]) as client:
        await client.responses.create(model="m", input="Hi")
    assert "trace" not in server.requests[0].json
    assert len(call_spans(exporter)) == 1


async def test_nothing_is_recorded_or_sent_with_tracing_off(
    server: LocalServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """A client without the hook records no span and sends no traceparent, even in a span."""
    async with make_client(server.base_url, api_key=KEY) as client:
        with provider.get_tracer("the-app").start_as_current_span("handle request"):
            await client.responses.create(model="m", input="Hi")
    assert call_spans(exporter) == []
    assert [span.name for span in exporter.get_finished_spans()] == ["handle request"]
    assert "traceparent" not in server.requests[0].headers


async def test_instrument_traces_every_client_until_uninstrument(
    server: LocalServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """instrument() traces clients made before and after it, once; uninstrument() stops it."""
    async with make_client(server.base_url, api_key=KEY) as before:
        hook = instrument(tracer_provider=provider)
        try:
            assert instrument() is hook
            await before.responses.create(model="m", input="Hi")
            async with make_client(server.base_url, api_key=KEY) as after:
                await after.responses.create(model="m", input="Hi")
        finally:
            uninstrument()
        uninstrument()
        await before.responses.create(model="m", input="Hi")
    assert len(call_spans(exporter)) == 2
    assert "traceparent" not in server.requests[2].headers


def test_tracing_true_builds_the_hook() -> None:
    """AsyncClient(tracing=True) carries an OpenTelemetryHook."""
    client = AsyncClient(api_key=KEY, tracing=True)
    assert any(isinstance(hook, OpenTelemetryHook) for hook in client.hooks)
    assert not any(isinstance(hook, OpenTelemetryHook) for hook in AsyncClient(api_key=KEY).hooks)


@pytest.mark.parametrize(
    ("field", "options"),
    [
        ("capture_content", {"capture_content": "yes"}),
        ("tracer_provider", {"tracer_provider": object()}),
        ("provider", {"provider": ""}),
    ],
)
def test_bad_arguments_are_refused(field: str, options: dict[str, object]) -> None:
    """Each bad argument is refused with InvalidRequestError naming it."""
    with pytest.raises(InvalidRequestError) as caught:
        OpenTelemetryHook(**options)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_the_core_does_not_import_opentelemetry() -> None:
    """Importing openresponses and making clients imports no opentelemetry module."""
    code = (
        "import sys, openresponses\n"
        "openresponses.AsyncClient(api_key='sk-test')\n"
        "openresponses.Client(api_key='sk-test').close()\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
