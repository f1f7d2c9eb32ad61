"""Event sources: what one attempt of a stream reads its event payloads from.

The stream machine (``_streaming``) asks its source for the next batch of payloads, turns each
into a typed event with the source's ``parse`` and folds it into its accumulator; it never learns
how the events travel. Two sources answer a stream request over HTTP: ``SSESource`` decodes an
event stream, ``JSONSource`` holds the events that describe a whole JSON response (a server that
ignored ``stream: true``). A WebSocket, whose every message is one JSON event, is one more class:
``parse`` is ``parse_event`` noting the terminal event, after which ``read`` returns nothing, and
``close`` gives the socket back for the next response instead of closing it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol

from ._errors import (
    APIConnectionError,
    APIStatusError,
    ResponseValidationError,
    make_status_error,
    parse_error_body,
)
from ._httpinfo import HTTPInfo
from ._options import Timeout
from ._retry import is_retryable_status, is_transient_code
from ._serde import loads, parse_event, parse_response
from ._sse import DEFAULT_MAX_EVENT_BYTES, SSEDecoder
from ._transport import HTTPStream, Transport
from .types import (
    Message,
    OutputText,
    OutputTextDeltaEvent,
    ResponseCompletedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    StreamEvent,
)

__all__ = [
    "EventSource",
    "JSONSource",
    "SSESource",
    "body_error",
    "is_error_body",
    "open_http_source",
]

# After `[DONE]`, how long to read the rest of the body so the connection can go back to the pool.
_DRAIN: Final = 1.0
_NOTHING: Final[Sequence[Any]] = ()
# The first byte of every JSON value; an event stream starts with a field name, ":" or a BOM.
_JSON_STARTS: Final = frozenset(bytes([byte]) for byte in b'{["-0123456789tfn')


class EventSource(Protocol):
    """The events of one attempt, as the stream machine reads them.

    ``read`` waits until ``deadline`` (loop time; ``None``: no bound) for the next batch of
    payloads, and returns an empty batch once the events are over: the source decides what
    ends them (the end of the body, ``[DONE]``). A broken connection raises
    ``APIConnectionError``, an expired deadline ``APITimeoutError``; the source must then be
    closed. ``parse`` makes the typed event of one payload: a payload that is not text is
    never an ``error`` event (the machine keeps the text of those for ``StreamError.payload``).
    """

    @property
    def info(self) -> HTTPInfo:
        """The status and headers of the answer the events came with."""
        ...

    @property
    def closed(self) -> bool:
        """Whether the connection was let go."""
        ...

    def parse(self, payload: Any, /) -> StreamEvent:
        """The typed event of one payload (``ResponseValidationError`` if it cannot be read)."""
        ...

    async def read(self, deadline: float | None) -> Sequence[Any]:
        """The next payloads; empty at the end."""
        ...

    def close(self) -> None:
        """Let the connection go (back to the pool when it was read to the end)."""
        ...

    def redact(self, text: str) -> str:
        """``text`` with the client's credentials replaced (for a message the server wrote)."""
        ...


class _OverHTTP:
    """What a source over one HTTP response has: its status and headers, its connection."""

    __slots__ = ("_http",)

    def __init__(self, http: HTTPStream) -> None:
        self._http = http

    @property
    def info(self) -> HTTPInfo:
        """The status and headers of the HTTP response."""
        return self._http.info

    @property
    def closed(self) -> bool:
        """Whether the connection was let go."""
        return self._http.closed

    def close(self) -> None:
        """Let the connection go (back to the pool when the body was read to its end)."""
        self._http.close()

    def redact(self, text: str) -> str:
        """``text`` with the client's credentials replaced."""
        return self._http.redact(text)


class SSESource(_OverHTTP):
    """An event stream: the ``data`` of each event, decoded as the bytes arrive.

    ``data: [DONE]`` ends the events whatever follows it; the tail is read briefly so the
    connection can be reused.
    """

    __slots__ = ("_decoder", "_done")

    parse = staticmethod(parse_event)

    def __init__(self, http: HTTPStream, max_event_bytes: int | None) -> None:
        super().__init__(http)
        self._decoder = SSEDecoder(max_event_bytes)
        self._done = False

    async def read(self, deadline: float | None) -> Sequence[str]:
        """The ``data`` of the events the next chunks complete; empty at the end."""
        if self._done:
            await self._drain()
            return _NOTHING
        http = self._http
        feed = self._decoder.feed_data
        while chunk := await http.read(deadline):
            datas = feed(chunk)
            if datas:  # else a comment, or part of an event: read on
                if "[DONE]" in datas:
                    self._done = True
                    datas = datas[: datas.index("[DONE]")]
                    if not datas:
                        await self._drain()
                return datas
        return _NOTHING  # the end of the body; an unfinished event there is dropped

    async def _drain(self) -> None:
        http = self._http
        deadline = asyncio.get_running_loop().time() + _DRAIN
        try:
            while await http.read(deadline):
                pass
        except APIConnectionError:
            pass


class JSONSource(_OverHTTP):
    """A whole JSON response where events were asked for: the events that describe it.

    One ``response.output_text.delta`` per ``output_text`` part (so ``text_deltas()`` works),
    then the terminal event its status calls for. The body was read in full when it was opened.
    """

    __slots__ = ("_events",)

    def __init__(self, http: HTTPStream, events: list[StreamEvent]) -> None:
        super().__init__(http)
        self._events = events

    @staticmethod
    def parse(payload: StreamEvent, /) -> StreamEvent:
        """The events are typed already."""
        return payload

    async def read(self, deadline: float | None) -> Sequence[StreamEvent]:
        """Every event at once, then nothing."""
        events, self._events = self._events, []
        return events


async def open_http_source(
    transport: Transport,
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str] | None,
    params: Mapping[str, str] | None,
    timeout: Timeout,
    deadline: float | None,
    max_event_bytes: int | None = DEFAULT_MAX_EVENT_BYTES,
) -> SSESource | JSONSource:
    """POST a stream request; the source of its events.

    A JSON answer is read whole here: a response becomes a ``JSONSource``, an error body raises
    the ``APIStatusError`` that ``create`` would, and anything else ``ResponseValidationError``.
    The first chunk decides whether a body labelled JSON holds JSON (empty, or a JSON value
    starts it), so an event stream labelled ``application/json`` still streams.
    ``max_event_bytes`` bounds one server-sent event (``None``: no bound).
    """
    http = await transport.open_stream(
        url, body, headers=headers, params=params, timeout=timeout, deadline=deadline
    )
    if not _is_json(http.headers):
        return SSESource(http, max_event_bytes)
    try:
        first = await http.read(deadline)
        http.push_back(first)
        if first and first.lstrip()[:1] not in _JSON_STARTS:
            return SSESource(http, max_event_bytes)
        raw = await http.read_all(transport.max_response_bytes, deadline)
        return JSONSource(http, _events_of(raw, http.headers, transport))
    except BaseException:
        http.close()
        raise


def _is_json(headers: Mapping[str, str]) -> bool:
    media = headers.get("Content-Type", "").partition(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def is_error_body(data: dict[str, Any]) -> bool:
    """An error object in place of a response: ``error`` set, no ``id`` and no ``output``."""
    return bool(data.get("error")) and data.get("id") is None and not data.get("output")


def body_error(headers: Mapping[str, str], raw: bytes) -> APIStatusError:
    """The typed error for an error body that came with HTTP 200 (see ``create``)."""
    code = parse_error_body(raw)[1]
    number = code if isinstance(code, int) else None
    if isinstance(code, str) and code.strip().isdigit():
        number = int(code)
    if number is not None and 400 <= number <= 599:
        return make_status_error(
            number, headers, raw, retryable=is_retryable_status(number, number, headers)
        )
    return make_status_error(200, headers, raw, retryable=is_transient_code(code))


def _events_of(raw: bytes, headers: Mapping[str, str], transport: Transport) -> list[StreamEvent]:
    """The events a JSON answer stands for; its error, or ``ResponseValidationError``."""
    data = loads(raw)
    if data.__class__ is not dict:
        raise ResponseValidationError("expected a response object", payload=raw)
    if is_error_body(data):
        raise body_error(headers, transport.redact(raw))
    try:
        response = parse_response(data)
    except ResponseValidationError as exc:
        raise ResponseValidationError(exc.message, payload=raw, path=exc.path) from None
    events: list[StreamEvent] = []
    for index, item in enumerate(response.output):
        if not isinstance(item, Message) or isinstance(item.content, str):
            continue
        for part_index, part in enumerate(item.content):
            if isinstance(part, OutputText) and part.text:
                events.append(
                    OutputTextDeltaEvent(
                        item_id=item.id,
                        output_index=index,
                        content_index=part_index,
                        delta=part.text,
                    )
                )
    if response.status == "failed":
        events.append(ResponseFailedEvent(response=response))
    elif response.status == "incomplete":
        events.append(ResponseIncompleteEvent(response=response))
    else:  # "completed", or a status no finished answer should have
        events.append(ResponseCompletedEvent(response=response))
    return events
