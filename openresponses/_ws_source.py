"""The event source of one WebSocket turn: the messages of one ``response.create``.

A turn sends its message, then reads one JSON event per message until its terminal event
(``response.completed``, ``.incomplete``, ``.failed``, or an ``error`` event); then the source
reads nothing more, so the stream machine settles at once instead of winding down, and
``close`` hands the socket back for the next turn. A turn closed before its terminal event
(``aclose``, cancellation, a timeout, a failure) drops the socket instead: its unread events
would otherwise be read as the next turn's. So does a turn that ended in an ``error`` event,
since a server may follow it with the turn's ``response.failed`` (as the HTTP stream does).

The first message decides how the turn opened: the spec's ``WebSocketErrorEvent``
(``{"type": "error", "status": 429, "error": {...}}``) before any other event is the refusal an
HTTP status would be, and raises the same ``APIStatusError`` subclass (so the machine retries
429 and 5xx as it does for HTTP); anything else is the turn's first event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from ._errors import APIStatusError
from ._httpinfo import HTTPInfo
from ._serde import loads, parse_event
from ._transport_errors import status_error
from ._websocket import WebSocket
from .types import (
    ErrorEvent,
    ResponseCompletedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    StreamEvent,
)

__all__ = ["WebSocketSource", "open_turn"]

_TERMINAL: Final = frozenset(
    {ResponseCompletedEvent, ResponseIncompleteEvent, ResponseFailedEvent, ErrorEvent}
)
_NOTHING: Final[Sequence[Any]] = ()
# How a turn stands: its events are being read; it ended cleanly; it ended in an error event.
_READING: Final = 0
_KEEP: Final = 1
_DROP: Final = 2
# The first bytes of an error event as servers write it: only such a message is decoded twice.
_ERROR_TYPE: Final = '"error"'


class WebSocketSource:
    """The events of one turn on ``socket``; ``finish(keep)`` lets the socket go at ``close``.

    ``keep`` tells whether the turn ended cleanly (the socket may serve the next turn) or not
    (it must be dropped).
    """

    __slots__ = ("_done", "_finish", "_head", "_socket")

    def __init__(self, socket: WebSocket, first: Any, finish: Callable[[bool], None]) -> None:
        self._socket = socket
        self._head = first
        self._done = _READING
        self._finish: Callable[[bool], None] | None = finish

    @property
    def info(self) -> HTTPInfo:
        """The handshake's status (101) and headers."""
        return self._socket.info

    @property
    def closed(self) -> bool:
        """Whether the turn let the socket go."""
        return self._finish is None

    def parse(self, payload: Any, /) -> StreamEvent:
        """The typed event; a terminal one ends the turn's reading."""
        event = parse_event(payload)
        if event.__class__ in _TERMINAL:
            self._done = _DROP if event.__class__ is ErrorEvent else _KEEP
        return event

    async def read(self, deadline: float | None) -> Sequence[Any]:
        """The next messages (those that arrived together); nothing once the terminal event
        was parsed."""
        if self._done:  # _READING is 0
            return _NOTHING
        head = self._head
        if head is not None:
            self._head = None
            return (head,)
        return await self._socket.receive_batch(deadline)

    def hand_over(self) -> bool | None:
        """Let the socket go now if the terminal event was read (the turn's owner may start the
        next turn before its stream settles): whether it may be kept, ``None`` if the turn is
        not over. ``close`` then does nothing."""
        if self._done == _READING or self._finish is None:
            return None
        self._finish = None
        return self._done == _KEEP

    def close(self) -> None:
        """Hand the socket back after a clean end, else drop it. Idempotent."""
        finish, self._finish = self._finish, None
        if finish is not None:
            finish(self._done == _KEEP)

    def redact(self, text: str) -> str:
        """``text`` with the client's credentials replaced."""
        return self._socket.redact(text)


async def open_turn(
    socket: WebSocket, message: str, deadline: float | None, finish: Callable[[bool], None]
) -> WebSocketSource:
    """Send ``message`` and read the first event (until ``deadline``): the turn's source.

    A ``WebSocketErrorEvent`` with a status raises its ``APIStatusError`` (the turn is over
    and the socket fit for the next one); a broken socket or a passed deadline raise
    ``APIConnectionError``/``APITimeoutError``. ``finish`` is not called on failure.
    """
    await socket.send(message)
    first = await socket.receive(deadline)
    error = _refusal(first, socket)
    if error is not None:
        raise error
    return WebSocketSource(socket, first, finish)


def _refusal(payload: Any, socket: WebSocket) -> APIStatusError | None:
    """The ``APIStatusError`` a ``WebSocketErrorEvent`` with an error status stands for."""
    if not isinstance(payload, str) or _ERROR_TYPE not in payload:
        return None
    try:
        data = loads(payload)
    except Exception:
        return None  # not JSON: the machine reports it with the payload
    if data.__class__ is not dict or data.get("type") != "error":
        return None
    status = data.get("status")
    if status.__class__ is not int or not 400 <= status <= 599:
        return None
    # The spec's error event has no headers (no Retry-After): the policy's backoff applies.
    return status_error(status, {}, payload.encode(), socket.secrets)
