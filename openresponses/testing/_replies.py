"""The replies a script queues: a turn of output items, a whole response, a raw transcript, any
HTTP answer, a hang-up; and the default echo."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import orjson

from ._items import Text
from ._script import (
    _EMPTY,
    KEEPALIVE_COMMENT,
    OutputItem,
    RecordedRequest,
    Reply,
    _Context,
    _mapping,
    _Plan,
)
from ._wire import (
    REASONS,
    encode_event,
    item_events,
    last_user_text,
    response_object,
    splitter,
    sse_frame,
    usage_for,
)

__all__ = [
    "Disconnect",
    "HTTPReply",
    "InBandError",
    "ResponseJSON",
    "Transcript",
    "Turn",
    "as_reply",
    "echo_reply",
]


@attrs.frozen(kw_only=True)
class _Delivery(Reply):
    """Timing and faults shared by the streaming replies (see :class:`Turn` for each option)."""

    headers: Mapping[str, str] = attrs.field(default=_EMPTY, converter=_mapping)
    delay: float = 0.0
    first_event_delay: float = 0.0
    event_delay: float = 0.0
    keepalive: float | None = None
    keepalive_comment: str = KEEPALIVE_COMMENT
    stall_after: int | None = None
    stall_for: float | None = None
    drop_after: int | None = None
    done: bool = True

    def _stream_plan(
        self,
        frames: Sequence[bytes],
        *,
        payloads: Sequence[bytes] | None = None,
        status: int = 200,
        content_type: str,
    ) -> _Plan:
        return _Plan(
            kind="stream",
            status=status,
            headers=_with_content_type(self.headers, content_type),
            frames=tuple(frames),
            payloads=None if payloads is None else tuple(payloads),
            done=self.done,
            delay=self.delay,
            first_event_delay=self.first_event_delay,
            event_delay=self.event_delay,
            keepalive=self.keepalive,
            keepalive_comment=self.keepalive_comment,
            stall_after=self.stall_after,
            stall_for=self.stall_for,
            drop_after=self.drop_after,
        )

    def _json_plan(self, body: Any) -> _Plan:
        # A plain reply can only be cut short: any drop_after truncates the body halfway.
        return _Plan(
            kind="http",
            headers=_with_content_type(self.headers, "application/json"),
            body=orjson.dumps(body),
            delay=self.delay,
            drop_after=self.drop_after,
        )


def _with_content_type(headers: Mapping[str, str], content_type: str | None) -> Mapping[str, str]:
    if content_type is None or any(key.lower() == "content-type" for key in headers):
        return headers
    return {**headers, "Content-Type": content_type}


@attrs.frozen(kw_only=True)
class InBandError:
    """An error frame sent after HTTP 200, in one of the three shapes real servers use.

    - ``"spec"``: ``{"type": "error", "sequence_number": n, "error": {"type", "code", "message",
      "param"}}``
    - ``"flat"``: ``{"type": "error", "sequence_number": n, "code", "message", "param"}``
      (OpenRouter's schema)
    - ``"openrouter"``: ``{"error": {"code": 502, "message": "..."}}`` with no ``type``
      (OpenRouter's wire)

    >>> InBandError(code=502, message="Upstream failed", shape="openrouter").payload(7)
    {'error': {'code': 502, 'message': 'Upstream failed'}}
    """

    code: int | str | None = "server_error"
    message: str = "The server had an error while processing the request."
    shape: Literal["spec", "flat", "openrouter"] = "spec"
    type: str = "server_error"
    param: str | None = None

    def payload(self, sequence_number: int) -> dict[str, Any]:
        """The frame's JSON for a given sequence number."""
        if self.shape == "openrouter":
            return {"error": {"code": self.code, "message": self.message}}
        if self.shape == "flat":
            return {
                "type": "error",
                "sequence_number": sequence_number,
                "code": self.code,
                "message": self.message,
                "param": self.param,
            }
        error = {"type": self.type, "code": self.code, "message": self.message, "param": self.param}
        return {"type": "error", "sequence_number": sequence_number, "error": error}


def _sequence(events: Sequence[dict[str, Any]]) -> tuple[list[bytes], list[bytes]]:
    """The SSE frames of the events, numbered from 0, and the JSON of each (a WebSocket's)."""
    frames, payloads = [], []
    number = 0
    for event in events:
        if "type" in event:
            event = {"type": event["type"], **event, "sequence_number": number}
            number += 1
        data = orjson.dumps(event)
        frames.append(sse_frame(event.get("type"), data))
        payloads.append(data)
    return frames, payloads


@attrs.frozen(init=False)
class Turn(_Delivery):
    """One model turn made of output items, streamed as the spec orders it or served as plain JSON.

    Items are :class:`Text`, :class:`ToolCall`, :class:`Reasoning`, :class:`RefusalMessage`,
    :class:`RawItem` or plain strings (read as :class:`Text`). The request's ``stream`` flag picks
    SSE or JSON.

    Outcome: ``status`` is ``"completed"`` (default), ``"incomplete"`` (the last item is marked
    incomplete, ``incomplete_details.reason`` is ``incomplete_reason``) or ``"failed"`` (``error``
    is the response's ``error`` object). ``stream_error`` sends an :class:`InBandError` frame after
    ``error_after`` events (default: after every item event) and cuts the stream there; the status
    then defaults to ``"failed"`` and the terminal ``response.failed`` carries the items already
    finished (a plain request gets the failed response). ``terminal=False`` leaves out the terminal
    event and ``done=False`` the ``data: [DONE]`` line. ``model``, ``usage`` and
    ``response_fields`` (merged into every response object) override what the server fills in.

    Timing and faults (streams; a plain reply honours ``delay``, ``headers`` and ``drop_after``):
    ``delay`` before the headers, ``first_event_delay`` after them, ``event_delay`` between events;
    ``keepalive`` sends ``: OPENROUTER PROCESSING`` comments at that interval during every wait;
    ``stall_after`` N events waits ``stall_for`` seconds (forever when ``None``: until the client
    leaves), silent or with keep-alives; ``drop_after`` N events closes the connection (``0``:
    right after the headers; a plain reply is cut halfway). Event counts include every data frame.

    >>> from openresponses.testing import Reasoning, ToolCall
    >>> Turn(Reasoning("Plan"), "Hello", ToolCall("lookup", {"q": "x"}), keepalive=0.5).items[1]
    Text(text='Hello', deltas=None, chunk_size=None, annotations=(), id=None, phase=None)
    """

    items: tuple[OutputItem, ...]
    status: Literal["completed", "incomplete", "failed"] | None
    error: Mapping[str, Any] | None
    incomplete_reason: str
    stream_error: InBandError | None
    error_after: int | None
    terminal: bool
    model: str | None
    usage: Mapping[str, Any] | None
    response_fields: Mapping[str, Any]

    def __init__(
        self,
        *items: OutputItem | str,
        status: Literal["completed", "incomplete", "failed"] | None = None,
        error: Mapping[str, Any] | None = None,
        incomplete_reason: str = "max_output_tokens",
        stream_error: InBandError | None = None,
        error_after: int | None = None,
        terminal: bool = True,
        model: str | None = None,
        usage: Mapping[str, Any] | None = None,
        response_fields: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        first_event_delay: float = 0.0,
        event_delay: float = 0.0,
        keepalive: float | None = None,
        keepalive_comment: str = KEEPALIVE_COMMENT,
        stall_after: int | None = None,
        stall_for: float | None = None,
        drop_after: int | None = None,
        done: bool = True,
    ) -> None:
        self.__attrs_init__(
            items=tuple(Text(item) if isinstance(item, str) else item for item in items),
            status=status,
            error=error,
            incomplete_reason=incomplete_reason,
            stream_error=stream_error,
            error_after=error_after,
            terminal=terminal,
            model=model,
            usage=usage,
            response_fields=_mapping(response_fields),
            headers=_mapping(headers),
            delay=delay,
            first_event_delay=first_event_delay,
            event_delay=event_delay,
            keepalive=keepalive,
            keepalive_comment=keepalive_comment,
            stall_after=stall_after,
            stall_for=stall_for,
            drop_after=drop_after,
            done=done,
        )

    def _error_object(self) -> dict[str, Any]:
        if self.error is not None:
            return dict(self.error)
        if self.stream_error is not None:
            return {"code": str(self.stream_error.code), "message": self.stream_error.message}
        return {"code": "server_error", "message": "The model failed to generate a response."}

    def _plan(self, ctx: _Context) -> _Plan:
        body = ctx.body
        built = [item._build(ctx, index) for index, item in enumerate(self.items)]
        output = [item for item, _, _ in built]
        status = self.status or ("failed" if self.stream_error is not None else "completed")
        if status == "incomplete" and output and "status" in output[-1]:
            output[-1]["status"] = "incomplete"
        model = self.model or str(body.get("model") or ctx.model)

        def response(state: str, items: list[dict[str, Any]]) -> dict[str, Any]:
            final = state != "in_progress"
            resp = response_object(
                body,
                response_id=ctx.response_id,
                created_at=ctx.created_at,
                status=state,
                model=model,
                output=items,
                usage=(self.usage if self.usage is not None else usage_for(body, items))
                if final
                else None,
                completed_at=ctx.created_at if state == "completed" else None,
                error=self._error_object() if state == "failed" else None,
                incomplete_details={"reason": self.incomplete_reason}
                if state == "incomplete"
                else None,
            )
            resp.update(self.response_fields)
            return resp

        if not ctx.request.stream:
            return self._json_plan(response(status, output))

        events = [
            {"type": "response.created", "response": response("in_progress", [])},
            {"type": "response.in_progress", "response": response("in_progress", [])},
        ]
        finished_at: list[int] = []
        for index, (item, split, prefix) in enumerate(built):
            events.extend(item_events(item, index, split, prefix or "response.reasoning"))
            finished_at.append(len(events))
        if self.stream_error is not None:
            cut = len(events) if self.error_after is None else min(self.error_after, len(events))
            output = [item for item, end in zip(output, finished_at, strict=True) if end <= cut]
            events = events[:cut]
            events.append(self.stream_error.payload(0))
        if self.terminal:
            events.append({"type": f"response.{status}", "response": response(status, output)})
        frames, payloads = _sequence(events)
        return self._stream_plan(frames, payloads=payloads, content_type="text/event-stream")


@attrs.frozen
class ResponseJSON(_Delivery):
    """A whole response object given by the test: served as-is, or streamed item by item.

    When the request streams, the server sends ``response.created`` and ``response.in_progress``
    (the body with no output and status ``in_progress``), the events of each output item, then
    ``response.completed`` (or ``.incomplete`` / ``.failed``, after the body's ``status``) carrying
    ``body`` unchanged.

    >>> ResponseJSON({"id": "resp_1", "status": "completed", "output": []}).body["id"]
    'resp_1'
    """

    body: Mapping[str, Any] = attrs.field(converter=_mapping)
    deltas: int | None = attrs.field(default=None, kw_only=True)

    def _plan(self, ctx: _Context) -> _Plan:
        body = dict(self.body)
        if not ctx.request.stream:
            return self._json_plan(body)
        snapshot = {
            **body,
            "status": "in_progress",
            "output": [],
            "usage": None,
            "completed_at": None,
        }
        snapshot["error"] = snapshot["incomplete_details"] = None
        events = [
            {"type": "response.created", "response": snapshot},
            {"type": "response.in_progress", "response": snapshot},
        ]
        split = splitter(self.deltas)
        output = body.get("output")
        for index, item in enumerate(output if isinstance(output, list) else []):
            if isinstance(item, Mapping):
                events.extend(item_events(item, index, split))
        status = body.get("status")
        terminal = status if status in ("incomplete", "failed") else "completed"
        events.append({"type": f"response.{terminal}", "response": body})
        frames, payloads = _sequence(events)
        return self._stream_plan(frames, payloads=payloads, content_type="text/event-stream")


def _frame(frame: bytes | str | Mapping[str, Any]) -> bytes:
    if isinstance(frame, bytes):
        return frame
    if isinstance(frame, str):
        return frame.encode()
    return encode_event(frame)


def _frames(value: bytes | str | Sequence[bytes | str | Mapping[str, Any]]) -> tuple[bytes, ...]:
    if isinstance(value, (bytes, str)):
        return (_frame(value),)
    return tuple(_frame(frame) for frame in value)


@attrs.frozen
class Transcript(_Delivery):
    """A raw SSE transcript sent verbatim, whatever the request asked for.

    ``frames`` is one blob of bytes/text, or a list of frames: bytes and strings are written
    exactly as given (so ``": OPENROUTER PROCESSING\\n\\n"`` or a malformed line is possible), and
    a mapping is encoded as ``event: <type>`` plus its ``data:`` line, unchanged (no sequence
    number is added). ``done`` defaults to ``False`` here: add ``data: [DONE]`` yourself or pass
    ``done=True``. The timing and fault options of :class:`Turn` apply, counting frames.

    >>> Transcript([{"type": "response.created", "response": {}}, "data: [DONE]\\n\\n"]).frames[1]
    b'data: [DONE]\\n\\n'
    """

    frames: tuple[bytes, ...] = attrs.field(converter=_frames)
    status: int = attrs.field(default=200, kw_only=True)
    content_type: str = attrs.field(default="text/event-stream", kw_only=True)
    done: bool = attrs.field(default=False, kw_only=True)

    def _plan(self, ctx: _Context) -> _Plan:
        return self._stream_plan(self.frames, status=self.status, content_type=self.content_type)


@attrs.frozen
class HTTPReply(Reply):
    """Any HTTP status, with a body in any shape and any headers (``Retry-After``, ...).

    ``body`` may be a mapping or list (sent as JSON), text or bytes (sent verbatim), or ``None``:
    then an error status gets OpenRouter's shape ``{"error": {"code": status, "message": reason}}``
    and a 2xx an empty body. ``delay`` waits before anything is sent.

    >>> HTTPReply(429, headers={"Retry-After": "1"}).status
    429
    """

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = attrs.field(default=_EMPTY, kw_only=True, converter=_mapping)
    content_type: str | None = attrs.field(default=None, kw_only=True)
    delay: float = attrs.field(default=0.0, kw_only=True)

    def _plan(self, ctx: _Context) -> _Plan:
        body = self.body
        content_type = self.content_type
        if body is None and self.status >= 400:
            body = {"error": {"code": self.status, "message": REASONS.get(self.status, "Error")}}
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
            content_type = content_type or "application/octet-stream"
        elif isinstance(body, str):
            data = body.encode()
            content_type = content_type or "text/plain; charset=utf-8"
        else:
            data = orjson.dumps(body)
            content_type = content_type or "application/json"
        return _Plan(
            kind="http",
            status=self.status,
            headers=_with_content_type(self.headers, content_type),
            body=data,
            delay=self.delay,
        )


@attrs.frozen
class Disconnect(Reply):
    """Close the connection before sending any byte of the reply (after ``delay`` seconds)."""

    delay: float = attrs.field(default=0.0, kw_only=True)

    def _plan(self, ctx: _Context) -> _Plan:
        return _Plan(kind="disconnect", delay=self.delay)


def echo_reply(request: RecordedRequest, *, deltas: int | None = None) -> Turn:
    """The default answer: ``You said: <last user text>``, or ``Tool said: <output>`` after a tool.

    >>> echo_reply(RecordedRequest(method="POST", path="/v1/responses", json={"input": "Hi"})).items
    (Text(text='You said: Hi', deltas=None, chunk_size=None, annotations=(), id=None, phase=None),)
    """
    kind, text = last_user_text(request.json if isinstance(request.json, Mapping) else {})
    if kind == "tool":
        answer = f"Tool said: {text}"
    elif kind == "user" and text:
        answer = f"You said: {text}"
    else:
        answer = "Hello from the local Open Responses server."
    return Turn(Text(answer, deltas=deltas))


def as_reply(value: Reply | OutputItem | str) -> Reply:
    """A reply from anything :meth:`LocalServer.add` accepts, except functions."""
    if isinstance(value, Reply):
        return value
    if isinstance(value, (OutputItem, str)):
        return Turn(value)
    raise TypeError(f"not a reply: {value!r}")
