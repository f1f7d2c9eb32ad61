"""OpenTelemetry spans: one per call, named and attributed after the GenAI conventions; attempts
as events; time to first token; failures and cancellations; prompt text only when opted in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from _support import make_client
from openresponses import AsyncClient, ServiceUnavailableError, StreamError, http_info
from openresponses.otel import OpenTelemetryHook
from openresponses.testing import HTTPReply, InBandError, LocalServer, Text, ToolCall, Turn

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-otel-test-key"
PROMPT = "a secret prompt about otters"
INSTRUCTIONS = "answer like a pirate"


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


@pytest.fixture
async def client(server: LocalServer, provider: TracerProvider) -> AsyncIterator[AsyncClient]:
    """A client of the shared server traced into ``provider``, content capture off."""
    hook = OpenTelemetryHook(tracer_provider=provider, capture_content=False)
    async with make_client(server.base_url, api_key=KEY, hooks=[hook]) as c:
        yield c


def only_span(exporter: InMemorySpanExporter) -> ReadableSpan:
    """The one span the test made."""
    spans = exporter.get_finished_spans()
    assert len(spans) == 1, [span.name for span in spans]
    return spans[0]


def attempt_events(span: ReadableSpan) -> list[dict[str, Any]]:
    """The attributes of the span's attempt events, in order."""
    return [dict(e.attributes or {}) for e in span.events if e.name == "openresponses.attempt"]


async def test_create_is_one_chat_span_with_the_conventions_attributes(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """create: a CLIENT span "chat {model}" with request, response, usage and server attributes."""
    usage = {
        "input_tokens": 7,
        "output_tokens": 3,
        "total_tokens": 10,
        "cost": 0.0042,
        "input_tokens_details": {"cached_tokens": 2},
        "output_tokens_details": {"reasoning_tokens": 1},
    }
    server.add(Turn(Text("Hello there"), model="m-2024", usage=usage))
    response = await client.responses.create(
        model="m", input="Hi", max_output_tokens=50, temperature=0.2, top_p=0.9
    )
    span = only_span(exporter)
    attributes = dict(span.attributes or {})
    assert span.name == "chat m"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "open_responses",
        "openresponses.operation": "create",
        "gen_ai.request.model": "m",
        "gen_ai.request.max_tokens": 50,
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.top_p": 0.9,
        "server.address": "127.0.0.1",
        "server.port": server.port,
        "gen_ai.response.id": response.id,
        "gen_ai.response.model": "m-2024",
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 7,
        "gen_ai.usage.output_tokens": 3,
        "gen_ai.usage.cache_read.input_tokens": 2,
        "gen_ai.usage.reasoning.output_tokens": 1,
        "openrouter.cost": 0.0042,
        "openrouter.generation_id": server.requests[0].generation_id,
    }
    [attempt] = attempt_events(span)
    assert attempt["openresponses.attempt"] == 1
    assert attempt["http.response.status_code"] == 200
    assert "retry_in" not in attempt


async def test_no_cost_reported_means_no_cost_attribute(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """A server that reports no cost gets no openrouter.cost (never a made-up 0)."""
    await client.responses.create(model="m", input="Hi")
    attributes = only_span(exporter).attributes or {}
    assert "openrouter.cost" not in attributes
    assert isinstance(attributes["gen_ai.usage.output_tokens"], int)
    assert attributes["gen_ai.usage.output_tokens"] > 0


async def test_finish_reasons_follow_the_response(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """A tool call finishes with "tool_call", a response cut by max_output_tokens with "length"."""
    server.add(Turn(ToolCall("lookup", {"q": "x"})))
    server.add(Turn(Text("cut"), status="incomplete"))
    await client.responses.create(model="m", input="Hi")
    await client.responses.create(model="m", input="Hi")
    spans = exporter.get_finished_spans()
    reasons = [(span.attributes or {})["gen_ai.response.finish_reasons"] for span in spans]
    assert reasons == [("tool_call",), ("length",)]


async def test_stream_records_time_to_first_chunk(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """A stream is one span, marked streaming, with the time to its first content event."""
    server.add(Turn(Text("one two three", deltas=3), first_event_delay=0.05))
    async with client.responses.stream(model="m", input="Hi") as stream:
        final = await stream.final_response()
    span = only_span(exporter)
    attributes = span.attributes or {}
    assert span.name == "chat m"
    assert attributes["openresponses.operation"] == "stream"
    assert attributes["gen_ai.request.stream"] is True
    assert attributes["gen_ai.response.id"] == final.id
    ttft = attributes["gen_ai.response.time_to_first_chunk"]
    assert isinstance(ttft, float)
    assert span.end_time is not None
    assert span.start_time is not None
    assert 0.05 <= ttft <= (span.end_time - span.start_time) / 1e9
    assert [e["http.response.status_code"] for e in attempt_events(span)] == [200]


async def test_compact_is_a_compact_span(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """compact: a span "compact {model}" with the compaction's id and usage."""
    compacted = await client.responses.compact(model="m", input="Keep this")
    span = only_span(exporter)
    attributes = span.attributes or {}
    assert span.name == "compact m"
    assert attributes["gen_ai.operation.name"] == "compact"
    assert attributes["openresponses.operation"] == "compact"
    assert attributes["gen_ai.response.id"] == compacted.id
    assert compacted.usage is not None
    assert attributes["gen_ai.usage.input_tokens"] == compacted.usage.input_tokens
    assert "gen_ai.response.finish_reasons" not in attributes


async def test_catalogue_calls_are_spans_without_usage(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """generations.get and models.list are spans of their own, with no tokens counted twice."""
    response = await client.responses.create(model="m", input="Hi")
    info = http_info(response)
    assert info is not None
    assert info.generation_id is not None
    await client.generations.get(info.generation_id)
    await client.models.list()
    chat, generation, models = exporter.get_finished_spans()
    assert (generation.name, models.name) == ("get_generation", "list_models")
    for span in (generation, models):
        attributes = span.attributes or {}
        assert attributes["gen_ai.operation.name"] == span.name
        assert attributes["server.port"] == server.port
        assert not any(key.startswith(("gen_ai.usage.", "openrouter.")) for key in attributes)
    assert "gen_ai.usage.input_tokens" in (chat.attributes or {})


async def test_a_websocket_turn_is_one_chat_span(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """Each turn over a socket is its own "chat {model}" span, to the ws URL's host and port."""
    server.add(Turn(Text("first", deltas=2)), Turn(Text("second")))
    async with client.responses.connect() as conn:
        async with conn.stream(model="m", input="one") as stream:
            await stream.final_response()
        second = await conn.create(model="m", input="two")
    turns = [s for s in exporter.get_finished_spans() if s.name == "chat m"]
    assert len(turns) == 2
    for span in turns:
        attributes = span.attributes or {}
        assert attributes["openresponses.operation"] == "websocket"
        assert attributes["gen_ai.request.stream"] is True
        assert attributes["server.address"] == "127.0.0.1"
        assert attributes["server.port"] == server.port
    assert "gen_ai.response.time_to_first_chunk" in (turns[0].attributes or {})
    assert (turns[1].attributes or {})["gen_ai.response.id"] == second.id


async def test_a_retried_call_has_one_span_and_an_event_per_attempt(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """503 then 200: one span, two attempt events, the first with its error and its wait."""
    server.add(HTTPReply(503, headers={"Retry-After": "0"}), Turn(Text("ok")))
    await client.responses.create(model="m", input="Hi")
    span = only_span(exporter)
    first, second = attempt_events(span)
    assert first["openresponses.attempt"] == 1
    assert first["http.response.status_code"] == 503
    assert first["error.type"] == ServiceUnavailableError.__qualname__
    assert first["openresponses.retry_in"] >= 0
    assert first["openresponses.attempt.elapsed"] >= 0
    assert second["openresponses.attempt"] == 2
    assert second["http.response.status_code"] == 200
    assert "error.type" not in second
    assert "openresponses.retry_in" not in second
    assert span.status.status_code is StatusCode.UNSET
    assert "error.type" not in (span.attributes or {})


async def test_a_call_that_fails_for_good_is_an_error_span(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """503 on every attempt: the span ends in ERROR with error.type, after one event per attempt."""
    server.add(HTTPReply(503, headers={"Retry-After": "0"}), times=3)
    with pytest.raises(ServiceUnavailableError):
        await client.responses.create(model="m", input="Hi")
    span = only_span(exporter)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "ServiceUnavailableError"
    events = attempt_events(span)
    assert [e["http.response.status_code"] for e in events] == [503, 503, 503]
    assert "openresponses.retry_in" not in events[-1]


async def test_a_failed_stream_is_an_error_span(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """An error frame after content: the stream's span ends in ERROR, error.type StreamError."""
    server.add(Turn(Text("Hello world", deltas=2), stream_error=InBandError(), error_after=5))
    async with client.responses.stream(model="m", input="Hi") as stream:
        with pytest.raises(StreamError):
            await stream.final_response()
    span = only_span(exporter)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "StreamError"
    assert "gen_ai.response.time_to_first_chunk" in (span.attributes or {})


async def test_a_cancelled_stream_ends_its_span(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """Cancelling the reader ends the span in ERROR with error.type CancelledError."""
    server.add(Turn(Text("Hello brave new world", deltas=4), stall_after=4))
    started = asyncio.Event()

    async def read() -> None:
        async with client.responses.stream(model="m", input="Hi") as stream:
            async for _event in stream:
                started.set()

    task = asyncio.ensure_future(read())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    span = only_span(exporter)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "CancelledError"


async def test_no_prompt_text_unless_opted_in(
    server: LocalServer, client: AsyncClient, exporter: InMemorySpanExporter
) -> None:
    """With capture off, neither the prompt, the instructions nor the answer reach the span."""
    await client.responses.create(model="m", input=PROMPT, instructions=INSTRUCTIONS)
    span = only_span(exporter)
    everything = [dict(span.attributes or {}), *(dict(e.attributes or {}) for e in span.events)]
    recorded = json.dumps(everything, default=str)
    assert "otters" not in recorded
    assert "pirate" not in recorded
    assert not any(key.startswith("gen_ai.input") for key in span.attributes or {})


async def test_opted_in_content_follows_the_message_schema(
    server: LocalServer, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """capture_content=True: input, instructions and output as JSON in the conventions' shape."""
    hook = OpenTelemetryHook(tracer_provider=provider, capture_content=True)
    server.add(Turn(Text("Arr, otters"), ToolCall("lookup", {"q": "otters"}, call_id="call_1")))
    history: list[dict[str, Any]] = [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": PROMPT}]},
        {"type": "function_call_output", "call_id": "call_0", "output": "42"},
    ]
    async with make_client(server.base_url, api_key=KEY, hooks=[hook]) as c:
        await c.responses.create(model="m", input=history, instructions=INSTRUCTIONS)
    attributes = only_span(exporter).attributes or {}
    assert json.loads(str(attributes["gen_ai.input.messages"])) == [
        {"role": "user", "parts": [{"type": "text", "content": PROMPT}]},
        {
            "role": "tool",
            "parts": [{"type": "tool_call_response", "id": "call_0", "response": "42"}],
        },
    ]
    assert json.loads(str(attributes["gen_ai.system_instructions"])) == [
        {"type": "text", "content": INSTRUCTIONS}
    ]
    [message] = json.loads(str(attributes["gen_ai.output.messages"]))
    assert message["role"] == "assistant"
    assert message["finish_reason"] == "tool_call"
    text, call = message["parts"]
    assert text == {"type": "text", "content": "Arr, otters"}
    assert call["type"] == "tool_call"
    assert call["name"] == "lookup"
    assert call["id"] == "call_1"
    assert call["arguments"] == {"q": "otters"}


def test_the_conventions_switch_turns_capture_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """capture_content=None reads OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT."""
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "True")
    assert OpenTelemetryHook().capture_content is True
    assert OpenTelemetryHook(capture_content=False).capture_content is False
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "false")
    assert OpenTelemetryHook().capture_content is False
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")
    assert OpenTelemetryHook().capture_content is False
