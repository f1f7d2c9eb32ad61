"""One WebSocket on the client's aiohttp session: JSON text messages out and in, under deadlines.

The transport's other half for WebSocket mode, and like it the only core code (with
``_transport`` and ``_transport_errors``) that touches aiohttp: the handshake goes through the
client's own session, so it carries the same default headers (the key only as
``Authorization``), proxy and TLS settings as every HTTP request. Every failure becomes our
error: a refused handshake the ``APIStatusError`` of its status, a broken or timed-out socket
``APIConnectionError``/``APITimeoutError``, a message above the size limit
``ResponseValidationError``. It knows nothing of the Responses API.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ResponseValidationError,
)
from ._httpinfo import HTTPInfo
from ._redact import redact_text
from ._transport import Transport, before_deadline
from ._transport_errors import (
    closed_error,
    connection_error,
    connection_errors,
    sanitize,
    status_error,
)

if TYPE_CHECKING:
    import aiohttp

__all__ = ["WebSocket", "open_websocket", "websocket_url"]

_SWITCHING: Final = 101
_MESSAGE_TOO_BIG: Final = 1009  # the close code of a message above max_msg_size (RFC 6455)


def websocket_url(http_url: str) -> str:
    """``http(s)://...`` as ``ws(s)://...`` (the client checked the scheme already)."""
    scheme, sep, rest = http_url.partition("://")
    return f"{'wss' if scheme.lower() == 'https' else 'ws'}{sep}{rest}"


class WebSocket:
    """An open socket: send one text message, receive the next, abort or close it.

    ``receive`` returns the text of the next data message; a socket that closed or broke
    raises ``APIConnectionError`` (``"the client was closed"`` once the client is), and a
    deadline that passed ``APITimeoutError``: the socket must then be let go, since whatever
    arrives later belongs to a read nobody waits for.
    """

    __slots__ = (
        "_buffer",
        "_loop",
        "_max_msg_size",
        "_secrets",
        "_text",
        "_transport",
        "_ws",
        "info",
    )

    def __init__(
        self,
        ws: aiohttp.ClientWebSocketResponse[bool],
        transport: Transport,
        loop: asyncio.AbstractEventLoop,
        max_msg_size: int,
    ) -> None:
        import aiohttp

        self._ws = ws
        self._transport = transport
        self._loop = loop
        self._secrets = transport.secrets
        self._max_msg_size = max_msg_size
        self._text = aiohttp.WSMsgType.TEXT
        # The messages aiohttp has read and not handed out yet, as (message, size) pairs: a
        # text message waiting there is returned without a timer, so a burst of events costs
        # no deadline bookkeeping (a timer per message cost more than the rest of the read).
        buffer = getattr(getattr(ws, "_reader", None), "_buffer", None)
        self._buffer: collections.deque[Any] | None = (
            buffer if isinstance(buffer, collections.deque) else None
        )
        # The handshake's answer: what a turn's HTTPInfo reports (101, and the server's headers).
        self.info = HTTPInfo(_SWITCHING, ws._response.headers)

    @property
    def closed(self) -> bool:
        """Whether the socket is known to be closed (a new turn then opens another)."""
        return self._ws.closed

    @property
    def secrets(self) -> tuple[str, ...]:
        """The client's credentials, for redacting what the server wrote."""
        return self._secrets

    def redact(self, text: str) -> str:
        """``text`` with the client's credentials replaced (for a message the server wrote)."""
        return redact_text(text, self._secrets) if self._secrets else text

    async def send(self, text: str) -> None:
        """Send one text message (buffered by the OS; only a full buffer makes this wait)."""
        try:
            await self._ws.send_str(text)
        except connection_errors() as exc:
            raise self._broken(exc, "sending the message") from exc

    def _text_waiting(self) -> bool:
        buffer = self._buffer
        if not buffer:
            return False
        return buffer[0][0].type is self._text

    async def receive_batch(self, deadline: float | None) -> list[Any]:
        """The next data message, and the text messages that arrived with it."""
        batch = [await self.receive(deadline)]
        if self._text_waiting():
            ws = self._ws
            while self._text_waiting():
                batch.append((await ws.receive()).data)  # there already: returns at once
        return batch

    async def receive(self, deadline: float | None) -> Any:
        """The next data message (text, or bytes for a binary one), waiting until ``deadline``."""
        ws = self._ws
        if deadline is None or self._text_waiting():
            timeout = None
        else:
            timeout = deadline - self._loop.time()
            if timeout <= 0:  # aiohttp reads a timeout of 0 as "no timeout"
                raise APITimeoutError("deadline passed waiting for the server")
        try:
            msg = await ws.receive(timeout)
        except asyncio.TimeoutError:
            raise APITimeoutError("deadline passed waiting for the server") from None
        except connection_errors() as exc:
            raise self._broken(exc, "reading the socket") from exc
        if msg.type is self._text:
            return msg.data
        return self._other(msg)

    def _other(self, msg: Any) -> Any:
        import aiohttp

        if msg.type is aiohttp.WSMsgType.BINARY:
            return msg.data
        if self._transport.closed:
            raise closed_error()
        data = msg.data
        if msg.type is aiohttp.WSMsgType.ERROR:
            if isinstance(data, aiohttp.WebSocketError) and data.code == _MESSAGE_TOO_BIG:
                raise ResponseValidationError(
                    f"WebSocket message larger than max_event_bytes={self._max_msg_size}",
                    payload=None,
                )
            if isinstance(data, aiohttp.ServerTimeoutError):  # the heartbeat's ping went unanswered
                raise APIConnectionError(f"the server stopped answering pings: {data}")
            if isinstance(data, BaseException):
                raise connection_error(data, "reading the socket") from data
        if msg.type is aiohttp.WSMsgType.CLOSE:
            raise APIConnectionError(f"the server closed the WebSocket (code {data})")
        if msg.type is aiohttp.WSMsgType.CLOSING:
            raise APIConnectionError("the WebSocket was closed", retryable=False)
        raise APIConnectionError("the WebSocket broke off")

    def _broken(self, exc: BaseException, during: str) -> APIConnectionError:
        if self._transport.closed:
            sanitize(exc)
            return closed_error()
        return connection_error(exc, during)

    def abort(self) -> None:
        """Drop the socket now, from any task: a read under way ends with ``APIConnectionError``.

        For a turn left unfinished: its unread events must never reach the next turn.
        """
        # aiohttp has no synchronous close of a WebSocket; closing its HTTP response drops the
        # connection, and the read waiting on it wakes up (as aiohttp's own heartbeat does).
        self._ws._response.close()

    async def aclose(self) -> None:
        """Close the socket cleanly: a close frame each way (aiohttp waits 10 s at most)."""
        try:
            await self._ws.close()
        except connection_errors():
            self.abort()


async def open_websocket(
    transport: Transport,
    url: str,
    *,
    headers: Mapping[str, str] | None,
    params: Mapping[str, str] | None,
    heartbeat: float | None,
    max_msg_size: int | None,
    deadline: float | None,
) -> WebSocket:
    """Open a WebSocket to ``url`` (``ws://`` or ``wss://``) on the transport's session.

    ``deadline`` (loop time) bounds the handshake. A handshake answered with an error status
    raises that status's ``APIStatusError`` (its body is not kept: aiohttp drops it); one
    answered otherwise (a server without WebSocket mode) raises ``APIConnectionError``.
    ``heartbeat`` is the ping interval in seconds (``None``: none); ``max_msg_size`` bounds one
    message (``None``: no bound).
    """
    import aiohttp

    session = transport.session()
    loop = asyncio.get_running_loop()
    connecting = session.ws_connect(
        url,
        headers=headers,
        params=params,
        heartbeat=heartbeat,
        max_msg_size=max_msg_size or 0,
        proxy=transport.proxy,
    )
    try:
        if deadline is None:
            ws = await connecting
        else:
            ws = await before_deadline(loop, deadline, connecting, _handshake_timeout)
    except APITimeoutError:
        raise
    except aiohttp.WSServerHandshakeError as exc:
        sanitize(exc)
        raise _refused(exc, transport) from None
    except connection_errors() as exc:
        if transport.closed:
            sanitize(exc)
            raise closed_error() from exc
        raise connection_error(exc, "opening the WebSocket") from exc
    transport.track_socket(ws._response)
    return WebSocket(ws, transport, loop, max_msg_size or 0)


def _handshake_timeout() -> APITimeoutError:
    return APITimeoutError("timed out opening the WebSocket (timeout.connect)")


def _refused(
    exc: aiohttp.WSServerHandshakeError, transport: Transport
) -> APIStatusError | APIConnectionError:
    status = exc.status
    headers: Mapping[str, str] = exc.headers if exc.headers is not None else {}
    if status >= 400:
        return status_error(status, headers, b"", transport.secrets)
    return APIConnectionError(
        f"the server did not open a WebSocket: HTTP {status} ({exc.message})", retryable=False
    )
