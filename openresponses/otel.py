"""OpenTelemetry tracing: one span per call, after the OpenTelemetry GenAI semantic conventions.

Install the extra (``pip install 'openresponses[otel]'``, which adds only ``opentelemetry-api``),
configure an OpenTelemetry SDK as usual, then either trace one client or every client:

>>> from openresponses import AsyncClient
>>> from openresponses.otel import OpenTelemetryHook, instrument, uninstrument
>>> client = AsyncClient(api_key="sk-or-...", hooks=[OpenTelemetryHook()])
>>> hook = instrument()   # every client, existing and future
>>> instrument() is hook  # idempotent
True
>>> uninstrument()

Each logical call (``create``, ``stream``, ``compact``, a WebSocket turn, a catalogue fetch) is one
CLIENT span named ``"{gen_ai.operation.name} {gen_ai.request.model}"``, a child of the caller's
current span; attempts and retries are its events. The W3C ``traceparent`` of the span goes out
with every request, and on OpenRouter the request's ``trace`` field carries the trace and span ids
(unless the caller set them), so OpenRouter's own trace nests under the application's.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import orjson
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, TracerProvider

from ._errors import InvalidRequestError
from ._hooks import AttemptInfo, CallInfo, Hook, add_hook, remove_hook
from ._serde import dumps, unstructure
from ._version import __version__
from .types import (
    ApplyPatchDiffDeltaEvent,
    CodeInterpreterCodeDeltaEvent,
    CompactedResponse,
    CustomToolCallInputDeltaEvent,
    FunctionCallArgumentsDeltaEvent,
    ImageGenerationPartialImageEvent,
    OutputItemDoneEvent,
    OutputTextDeltaEvent,
    ReasoningSummaryTextDeltaEvent,
    ReasoningTextDeltaEvent,
    RefusalDeltaEvent,
    Response,
    StreamEvent,
)

__all__ = ["OpenTelemetryHook", "instrument", "uninstrument"]

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"

# gen_ai.operation.name per call: the Responses API is a chat operation for the conventions
# (as OpenAI's is); the other calls are not in the conventions' list and get custom values.
_OPERATION_NAMES = {
    "create": "chat",
    "stream": "chat",
    "websocket": "chat",
    "compact": "compact",
    "websocket.connect": "connect",
    "generations.get": "get_generation",
    "models.list": "list_models",
    "models.get": "get_model",
}
# Only these bodies are OpenRouter requests that take a `trace` field (its spec has no compact).
_TRACE_OPERATIONS = frozenset({"create", "stream", "websocket"})
# The calls that make a generation: a catalogue GET's own generation id would mislead.
_GENERATING_OPERATIONS = frozenset({"create", "stream", "websocket", "compact"})
_STREAMED_OPERATIONS = frozenset({"stream", "websocket"})
_REQUEST_NUMBERS = (
    ("max_output_tokens", "gen_ai.request.max_tokens"),
    ("temperature", "gen_ai.request.temperature"),
    ("top_p", "gen_ai.request.top_p"),
    ("top_k", "gen_ai.request.top_k"),
    ("presence_penalty", "gen_ai.request.presence_penalty"),
    ("frequency_penalty", "gen_ai.request.frequency_penalty"),
)
_OUTPUT_TYPES = {"text": "text", "json_schema": "json", "json_object": "json"}
# The events that carry the model's output: the first one marks the time to first token.
_CONTENT_EVENTS = frozenset(
    {
        OutputTextDeltaEvent,
        RefusalDeltaEvent,
        ReasoningTextDeltaEvent,
        ReasoningSummaryTextDeltaEvent,
        FunctionCallArgumentsDeltaEvent,
        CustomToolCallInputDeltaEvent,
        CodeInterpreterCodeDeltaEvent,
        ApplyPatchDiffDeltaEvent,
        ImageGenerationPartialImageEvent,
        OutputItemDoneEvent,
    }
)
_TOOL_CALL_TYPES = frozenset({"function_call", "custom_tool_call"})
_TEXT_PART_TYPES = frozenset(
    {"input_text", "output_text", "text", "summary_text", "reasoning_text"}
)
_DEFAULT_PORTS = {"https": 443, "wss": 443, "http": 80, "ws": 80}


class _Call:
    """What the hook keeps in ``call.state`` for one call: its span, and whether a token came."""

    __slots__ = ("first_token", "span")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.first_token = False


class OpenTelemetryHook(Hook):
    """A :class:`~openresponses.Hook` that records each call as an OpenTelemetry span.

    ``capture_content``: record the prompt (``gen_ai.input.messages``,
    ``gen_ai.system_instructions``) and the answer (``gen_ai.output.messages``) as JSON, in the
    conventions' message shape. ``None`` reads the conventions' switch once, here:
    ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` (``true``, or ``SPAN_ONLY`` /
    ``SPAN_AND_EVENT``, turn it on); off by default.

    ``tracer_provider``: where spans go; ``None`` uses the global provider. The tracer is taken
    once, here: from the global provider it is the API's proxy tracer until a provider is set, so a
    provider installed after this hook was made is still used.

    ``provider``: the ``gen_ai.provider.name`` to report. ``None`` reads it from each call's host:
    ``openrouter`` on ``openrouter.ai`` (which also fills the request's ``trace`` field),
    ``openai`` on ``api.openai.com``, else ``open_responses``. Set ``"openrouter"`` for a proxy
    that forwards to OpenRouter.

    >>> from openresponses import AsyncClient
    >>> client = AsyncClient(api_key="sk-or-...", hooks=[OpenTelemetryHook(capture_content=False)])
    """

    def __init__(
        self,
        *,
        capture_content: bool | None = None,
        tracer_provider: TracerProvider | None = None,
        provider: str | None = None,
    ) -> None:
        if capture_content is not None and not isinstance(capture_content, bool):
            raise InvalidRequestError("capture_content", "must be True, False or None")
        if tracer_provider is not None and not callable(
            getattr(tracer_provider, "get_tracer", None)
        ):
            raise InvalidRequestError("tracer_provider", "must be an OpenTelemetry TracerProvider")
        if provider is not None and (not isinstance(provider, str) or not provider):
            raise InvalidRequestError("provider", "must be a non-empty string or None")
        self.capture_content = (
            _capture_from_environment() if capture_content is None else capture_content
        )
        self.provider = provider
        self._tracer = trace.get_tracer("openresponses", __version__, tracer_provider)

    def __repr__(self) -> str:
        return (
            f"OpenTelemetryHook(capture_content={self.capture_content}, provider={self.provider!r})"
        )

    def on_request(self, call: CallInfo) -> None:
        """Start the call's span under the current one; send its ``traceparent`` (and ``trace``)."""
        parts = urlsplit(call.url)
        host = parts.hostname or ""
        provider = self.provider or _provider_of(host)
        operation = _OPERATION_NAMES.get(call.operation, call.operation)
        model = call.model
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": operation,
            "gen_ai.provider.name": provider,
            "openresponses.operation": call.operation,
        }
        if model:
            attributes["gen_ai.request.model"] = model
        if host:
            attributes["server.address"] = host
            port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
            if port:
                attributes["server.port"] = port
        body = call.body
        if body is not None:
            _request_attributes(body, attributes)
            if self.capture_content:
                _input_content(body, attributes)
        if call.operation in _STREAMED_OPERATIONS or (body is not None and body.get("stream")):
            attributes["gen_ai.request.stream"] = True
        span = self._tracer.start_span(
            f"{operation} {model}" if model else operation,
            kind=SpanKind.CLIENT,
            attributes=attributes,
        )
        call.state[self] = _Call(span)
        context = trace.set_span_in_context(span)
        propagate.inject(call.headers, context=context)
        if provider == "openrouter" and body is not None and call.operation in _TRACE_OPERATIONS:
            _fill_trace_field(body, span)

    def on_attempt(self, call: CallInfo, attempt: AttemptInfo) -> None:
        """One span event per attempt: its status, time, error and the wait before the next."""
        record = call.state.get(self)
        if record is None:
            return
        attributes: dict[str, Any] = {
            "openresponses.attempt": attempt.number,
            "openresponses.attempt.elapsed": attempt.elapsed,
        }
        if attempt.status_code is not None:
            attributes["http.response.status_code"] = attempt.status_code
        if attempt.error is not None:
            attributes["error.type"] = _error_type(attempt.error)
        if attempt.retry_in is not None:
            attributes["openresponses.retry_in"] = attempt.retry_in
        record.span.add_event("openresponses.attempt", attributes)
        headers = attempt.headers
        if headers is not None and call.operation in _GENERATING_OPERATIONS:
            generation_id = headers.get("x-generation-id") or headers.get("X-Generation-Id")
            if generation_id:
                record.span.set_attribute("openrouter.generation_id", generation_id)

    def on_event(self, call: CallInfo, event: StreamEvent) -> None:
        """The first content event of a stream sets ``gen_ai.response.time_to_first_chunk``."""
        record = call.state.get(self)
        if record is None or record.first_token or event.__class__ not in _CONTENT_EVENTS:
            return
        record.first_token = True
        elapsed = time.monotonic() - call.started
        record.span.set_attribute("gen_ai.response.time_to_first_chunk", elapsed)

    def on_response(self, call: CallInfo, result: Any) -> None:
        """Record the answer (model, id, usage, finish reasons, cost) and end the span."""
        record = call.state.pop(self, None)
        if record is None:
            return
        span = record.span
        if isinstance(result, (Response, CompactedResponse)):
            span.set_attributes(self._response_attributes(result))
        span.end()

    def on_error(self, call: CallInfo, error: BaseException) -> None:
        """Mark the span failed with ``error.type`` (the exception's class name) and end it."""
        record = call.state.pop(self, None)
        if record is None:
            return
        span = record.span
        kind = _error_type(error)
        span.set_attribute("error.type", kind)
        span.set_status(Status(StatusCode.ERROR, str(error) or kind))
        span.end()

    def _response_attributes(self, result: Response | CompactedResponse) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        if result.id:
            attributes["gen_ai.response.id"] = result.id
        usage = result.usage
        if usage is not None:
            attributes["gen_ai.usage.input_tokens"] = usage.input_tokens
            attributes["gen_ai.usage.output_tokens"] = usage.output_tokens
            details = usage.input_tokens_details
            if details is not None and details.cached_tokens is not None:
                attributes["gen_ai.usage.cache_read.input_tokens"] = details.cached_tokens
            if details is not None and details.cache_write_tokens is not None:
                attributes["gen_ai.usage.cache_creation.input_tokens"] = details.cache_write_tokens
            reasoning = usage.output_tokens_details
            if reasoning is not None and reasoning.reasoning_tokens is not None:
                attributes["gen_ai.usage.reasoning.output_tokens"] = reasoning.reasoning_tokens
            if usage.cost is not None:
                attributes["openrouter.cost"] = usage.cost
        if isinstance(result, Response):
            if result.model:
                attributes["gen_ai.response.model"] = result.model
            reason = _finish_reason(result)
            if reason is not None:
                attributes["gen_ai.response.finish_reasons"] = (reason,)
            if self.capture_content:
                # One candidate per Response, so one output message holding every item.
                parts = _flat_parts(unstructure(result.output))
                message = {"role": "assistant", "parts": parts, "finish_reason": reason or ""}
                attributes["gen_ai.output.messages"] = _json([message])
        return attributes


def _capture_from_environment() -> bool:
    value = os.environ.get(CAPTURE_CONTENT_ENV, "").strip().lower()
    return value in ("true", "1", "span_only", "span_and_event")


def _provider_of(host: str) -> str:
    if host == "openrouter.ai" or host.endswith(".openrouter.ai"):
        return "openrouter"
    if host == "api.openai.com":
        return "openai"
    return "open_responses"


def _error_type(error: BaseException) -> str:
    return error.__class__.__qualname__


def _request_attributes(body: Mapping[str, Any], attributes: dict[str, Any]) -> None:
    """The request settings the conventions name, as far as the body carries them."""
    for key, name in _REQUEST_NUMBERS:
        value = body.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attributes[name] = value
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, Mapping) else None
    output_type = _OUTPUT_TYPES.get(str(fmt.get("type"))) if isinstance(fmt, Mapping) else None
    if output_type is not None:
        attributes["gen_ai.output.type"] = output_type
    conversation = body.get("conversation")
    if isinstance(conversation, Mapping):
        conversation = conversation.get("id")
    conversation = conversation or body.get("session_id")
    if isinstance(conversation, str) and conversation:
        attributes["gen_ai.conversation.id"] = conversation


def _fill_trace_field(body: dict[str, Any], span: Span) -> None:
    """OpenRouter's ``trace``: our trace id and span id, unless the caller gave either."""
    existing = body.get("trace")
    if existing is not None and not isinstance(existing, Mapping):
        return
    existing = existing or {}
    if "trace_id" in existing or "parent_span_id" in existing:
        return
    context = span.get_span_context()
    if not context.is_valid:
        return
    body["trace"] = {
        **existing,
        "trace_id": trace.format_trace_id(context.trace_id),
        "parent_span_id": trace.format_span_id(context.span_id),
    }


def _finish_reason(response: Response) -> str | None:
    """The conventions' finish reason for a Response (one candidate, so at most one reason)."""
    status = response.status
    if status == "completed":
        calls = any(getattr(item, "type", None) in _TOOL_CALL_TYPES for item in response.output)
        return "tool_call" if calls else "stop"
    if status == "incomplete":
        details = response.incomplete_details
        reason = details.reason if details is not None else None
        if reason == "max_output_tokens":
            return "length"
        return reason or "incomplete"
    if status == "failed":
        return "error"
    return None  # not finished (a background response), or a status the conventions lack


# -- content, in the conventions' message shape (gen-ai-input-messages.json and its siblings)


def _json(value: Any) -> str:
    return dumps(value).decode()


def _input_content(body: Mapping[str, Any], attributes: dict[str, Any]) -> None:
    given = body.get("input")
    if isinstance(given, str):
        messages = [{"role": "user", "parts": [_text(given)]}]
    elif isinstance(given, Sequence):
        messages = [_message(item) for item in given if isinstance(item, Mapping)]
    else:
        messages = []
    if messages:
        attributes["gen_ai.input.messages"] = _json(messages)
    instructions = body.get("instructions")
    if isinstance(instructions, str):
        attributes["gen_ai.system_instructions"] = _json([_text(instructions)])
    elif isinstance(instructions, Sequence) and instructions:
        attributes["gen_ai.system_instructions"] = _json(_flat_parts(instructions))


def _text(content: str) -> dict[str, Any]:
    return {"type": "text", "content": content}


def _message(item: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(item.get("type", "message"))
    if kind == "message":
        return {"role": item.get("role", "user"), "parts": _content_parts(item.get("content"))}
    # What answers a call is the tool's turn; every other item (calls, reasoning) the model's.
    role = "tool" if kind.endswith("_output") else "assistant"
    return {"role": role, "parts": _item_parts(item)}


def _flat_parts(items: Sequence[Any]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Mapping):
            parts.extend(_item_parts(item))
    return parts


def _item_parts(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    kind = item.get("type", "message")
    if kind == "message":
        return _content_parts(item.get("content"))
    if kind in _TOOL_CALL_TYPES:
        call = {"type": "tool_call", "id": item.get("call_id"), "name": item.get("name")}
        return [{**call, "arguments": _arguments(item.get("arguments", item.get("input")))}]
    if kind in ("function_call_output", "custom_tool_call_output"):
        return [
            {
                "type": "tool_call_response",
                "id": item.get("call_id"),
                "response": item.get("output"),
            }
        ]
    if kind == "reasoning":
        pieces = [*(item.get("summary") or ()), *(item.get("content") or ())]
        text = "".join(p.get("text", "") for p in pieces if isinstance(p, Mapping))
        return [{"type": "reasoning", "content": text}]
    return [dict(item)]


def _arguments(arguments: Any) -> Any:
    # The conventions want the arguments as an object: decoded when they are JSON, else as sent.
    if isinstance(arguments, str):
        try:
            return orjson.loads(arguments)
        except orjson.JSONDecodeError:
            return arguments
    return arguments


def _content_parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [_text(content)]
    parts: list[dict[str, Any]] = []
    for part in content or ():
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind in _TEXT_PART_TYPES:
            parts.append(_text(str(part.get("text", ""))))
        elif kind == "refusal":
            parts.append(_text(str(part.get("refusal", ""))))
        else:
            parts.append(dict(part))
    return parts


# -- one process-wide hook

_lock = threading.Lock()
_installed: OpenTelemetryHook | None = None


def instrument(
    *, capture_content: bool | None = None, tracer_provider: TracerProvider | None = None
) -> OpenTelemetryHook:
    """Trace every client of the process (existing and future) with one :class:`OpenTelemetryHook`.

    Idempotent: while a hook is installed, another call returns it unchanged (call
    :func:`uninstrument` first to change its settings).

    >>> hook = instrument()
    >>> instrument(capture_content=True) is hook
    True
    >>> uninstrument()
    """
    global _installed
    with _lock:
        if _installed is None:
            hook = OpenTelemetryHook(
                capture_content=capture_content, tracer_provider=tracer_provider
            )
            add_hook(hook)
            _installed = hook
        return _installed


def uninstrument() -> None:
    """Remove the hook :func:`instrument` installed; nothing happens when there is none."""
    global _installed
    with _lock:
        if _installed is not None:
            remove_hook(_installed)
            _installed = None
