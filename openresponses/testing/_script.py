"""What scripts are made of: the recorded request, the base classes of replies and output items,
and the plan (bytes and timings) each reply compiles into for the server to execute.

A reply is a small frozen value saying what the server does with one request: stream a turn made of
output items (``_items``: :class:`Text`, :class:`ToolCall`, :class:`Reasoning`,
:class:`RefusalMessage`, :class:`RawItem`), serve a whole response body, send a raw SSE
transcript, answer with any status, body and headers, or hang up (``_replies``: :class:`Turn`,
:class:`ResponseJSON`, :class:`Transcript`, :class:`HTTPReply`, :class:`Disconnect`). Nothing here
does I/O.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, Union

import attrs

from ._wire import Splitter

__all__ = ["OutputItem", "RecordedRequest", "Reply", "ReplyFunction", "ReplyLike"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
KEEPALIVE_COMMENT = "OPENROUTER PROCESSING"


def _mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value)) if value else _EMPTY


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One request the server received, as the test sees it afterwards.

    ``headers`` look up case-insensitively. ``json`` is the parsed body (``None`` when it was not
    JSON), ``received_at`` a ``time.monotonic()`` reading (for measuring retry delays),
    ``timestamp`` the wall-clock time, and ``generation_id`` the ``X-Generation-Id`` the server
    answered with.

    A turn sent over a WebSocket is recorded too: ``method`` is ``"WEBSOCKET"`` (see
    :attr:`websocket`), ``path``, ``query`` and ``headers`` are the handshake's, ``body`` is the
    message's bytes and ``json`` the whole message, ``"type": "response.create"`` included.
    """

    method: str
    path: str
    query: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    body: bytes = attrs.field(default=b"", repr=False)
    json: Any = None
    received_at: float = attrs.field(factory=time.monotonic, repr=False)
    timestamp: float = attrs.field(factory=time.time, repr=False)
    generation_id: str = ""

    @property
    def stream(self) -> bool:
        """Whether the answer streams: ``"stream": true``, or any WebSocket turn."""
        json = self.json
        if isinstance(json, Mapping) and json.get("stream") is True:
            return True
        return self.method == "WEBSOCKET"

    @property
    def websocket(self) -> bool:
        """Whether this is a message received on a WebSocket (``method == "WEBSOCKET"``).

        >>> RecordedRequest(method="WEBSOCKET", path="/v1/responses").websocket
        True
        """
        return self.method == "WEBSOCKET"

    @property
    def last_input(self) -> Mapping[str, Any]:
        """The last input item (a string input reads as a user message); ``{}`` when there is none.

        >>> RecordedRequest(method="POST", path="/v1/responses", json={"input": "Hi"}).last_input
        {'type': 'message', 'role': 'user', 'content': 'Hi'}
        """
        value = self.json.get("input") if isinstance(self.json, Mapping) else None
        if isinstance(value, str):
            return {"type": "message", "role": "user", "content": value}
        if isinstance(value, Sequence) and value and isinstance(value[-1], Mapping):
            last: Mapping[str, Any] = value[-1]
            return last
        return {}


@attrs.frozen(kw_only=True)
class _Context:
    """What a reply needs to know to plan itself."""

    request: RecordedRequest
    response_id: str
    created_at: int
    model: str

    @property
    def body(self) -> Mapping[str, Any]:
        json = self.request.json
        return json if isinstance(json, Mapping) else _EMPTY

    def item_id(self, prefix: str, index: int) -> str:
        """A deterministic id for the output item at `index` (``msg_local_3_0``)."""
        return f"{prefix}_{self.response_id.removeprefix('resp_')}_{index}"


@attrs.frozen(kw_only=True)
class _Plan:
    """What the server does for one request: bytes to send and when."""

    kind: Literal["http", "stream", "disconnect"]
    status: int = 200
    headers: Mapping[str, str] = _EMPTY
    body: bytes = b""
    frames: tuple[bytes, ...] = ()
    # The JSON of each frame's one event, when the reply built them (a WebSocket sends these).
    payloads: tuple[bytes, ...] | None = None
    done: bool = False
    delay: float = 0.0
    first_event_delay: float = 0.0
    event_delay: float = 0.0
    keepalive: float | None = None
    keepalive_comment: str = KEEPALIVE_COMMENT
    stall_after: int | None = None
    stall_for: float | None = None
    drop_after: int | None = None


class Reply:
    """Base class of every scripted reply (what the server does with one request)."""

    __slots__ = ()

    def _plan(self, ctx: _Context) -> _Plan:
        raise NotImplementedError


class OutputItem:
    """Base class of the output items a :class:`Turn` streams."""

    __slots__ = ()

    def _build(self, ctx: _Context, index: int) -> tuple[dict[str, Any], Splitter, str]:
        raise NotImplementedError


ReplyLike = Union[
    Reply,
    OutputItem,
    str,
    Callable[[RecordedRequest], Union["ReplyLike", Awaitable["ReplyLike"]]],
]
"""What :meth:`LocalServer.add` accepts: a reply, an output item or text (a one-item :class:`Turn`),
or a :data:`ReplyFunction`."""

ReplyFunction = Callable[[RecordedRequest], Union[ReplyLike, Awaitable[ReplyLike]]]
"""A function from the request to its reply, sync or async (for tool loops and echo servers)."""
