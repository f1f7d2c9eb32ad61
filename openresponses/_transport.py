"""The HTTP layer: one aiohttp session per client, deadlines, every failure mapped to our errors.

This module and ``_transport_errors`` (the mapping of failures) are the only core code that
imports aiohttp. It knows nothing about the Responses API: it sends bytes, returns bytes (or a
readable stream), and turns whatever aiohttp, the OS or asyncio raise into
``APIConnectionError`` / ``APITimeoutError``, and non-2xx answers into the ``APIStatusError``
subclasses. Every path releases the connection.

aiohttp is imported with the first session (on the first request), not with this module: it
costs more to import than the rest of the SDK (``aiohttp.connector`` builds SSL contexts), and
building a client should not pay for it. The functions that use it at run time import it
themselves (a ``sys.modules`` lookup once loaded); annotations name it under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ._errors import APIConnectionError, APITimeoutError, InvalidRequestError
from ._httpinfo import HTTPInfo
from ._options import Timeout
from ._redact import redact_bytes, redact_text, secrets_of
from ._transport_errors import (
    closed_error,
    connection_error,
    connection_errors,
    is_total_timeout,
    sanitize,
    status_error,
    too_large,
)

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DEFAULT_CONNECTOR_LIMIT",
    "DEFAULT_MAX_HEADER_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "HTTPStream",
    "Transport",
    "before_deadline",
]

T = TypeVar("T")

# Batch fan-out to a single host is the common heavy load; 256 keeps a concurrency-256 batch from
# queueing on the pool while staying well under typical file-descriptor limits.
DEFAULT_CONNECTOR_LIMIT = 256
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# aiohttp stops at 8,190 bytes per header line, which a proxy's cookies or a long `Link` pass.
DEFAULT_MAX_HEADER_BYTES = 64 * 1024


def _uncancel(task: asyncio.Task[Any]) -> int:
    """Undo our own cancel on 3.11+ (structured concurrency counts them); 0 when none is left."""
    uncancel = getattr(task, "uncancel", None)
    return 0 if uncancel is None else int(uncancel())


class HTTPStream:
    """A response whose body is read chunk by chunk, each wait bounded by a deadline."""

    __slots__ = ("_content", "_head", "_loop", "_resp", "_secrets", "headers", "status_code")

    def __init__(
        self,
        resp: aiohttp.ClientResponse,
        loop: asyncio.AbstractEventLoop,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self._resp = resp
        self._content = resp.content
        self._loop = loop
        self._secrets = secrets
        self._head = b""
        self.status_code: int = resp.status
        self.headers: Mapping[str, str] = resp.headers

    @property
    def info(self) -> HTTPInfo:
        """The status and headers of this response."""
        return HTTPInfo(self.status_code, self.headers)

    async def read(self, deadline: float | None) -> bytes:
        """The next bytes received (``b""`` at the end), waiting until ``deadline`` at most.

        ``deadline`` is loop time. Data already buffered is returned without arming a timer.
        On expiry the wait raises ``APITimeoutError``; the stream must then be closed.
        """
        if self._head:
            data, self._head = self._head, b""
            return data
        content = self._content
        try:
            data = content.read_nowait()
            if data or content.is_eof():
                return data
            if deadline is None:
                return await content.readany()
            handle = self._loop.call_at(deadline, self._expire)
            try:
                return await content.readany()
            finally:
                handle.cancel()
        except APITimeoutError:
            raise
        except (*connection_errors(), RuntimeError) as exc:
            # aiohttp raises RuntimeError("Connection closed.") for a read after the socket went.
            raise connection_error(exc, "reading the response") from exc

    def _expire(self) -> None:
        self._content.set_exception(APITimeoutError("deadline passed waiting for the server"))

    def push_back(self, data: bytes) -> None:
        """Make ``data`` the next bytes :meth:`read` returns (after peeking at the body)."""
        self._head = data + self._head

    def redact(self, text: str) -> str:
        """``text`` with the client's credentials replaced (for a message the server wrote)."""
        return redact_text(text, self._secrets) if self._secrets else text

    async def read_all(self, limit: int, deadline: float | None) -> bytes:
        """The rest of the body, at most ``limit`` bytes (``ResponseValidationError`` beyond)."""
        parts: list[bytes] = []
        size = 0
        while chunk := await self.read(deadline):
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            parts.append(chunk)
        return b"".join(parts)

    def close(self) -> None:
        """Give the connection back: to the pool when the body was read to its end, else drop it."""
        resp = self._resp
        if self._content.is_eof():
            resp.release()
        else:
            resp.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran (or aiohttp already let the connection go)."""
        return self._resp.closed


def _ssl_setting(verify: bool | str | ssl.SSLContext) -> bool | ssl.SSLContext:
    """The connector's ``ssl=``: a CA bundle path is loaded here, so a bad one fails early."""
    if not isinstance(verify, str):
        return verify
    try:
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError) as exc:
        raise InvalidRequestError("verify", f"cannot load CA bundle {verify!r}: {exc}") from exc


class Transport:
    """One lazily created aiohttp session and its connection pool, owned by one client.

    ``user_agent`` names the SDK (``openresponses/<version>``); the session sends it, followed by
    the Python and aiohttp versions, as ``User-Agent``, unless ``headers`` carry their own.
    """

    def __init__(
        self,
        *,
        headers: Mapping[str, str],
        user_agent: str | None = None,
        connector_limit: int = DEFAULT_CONNECTOR_LIMIT,
        connector_limit_per_host: int = 0,
        verify: bool | str | ssl.SSLContext = True,
        trust_env: bool = False,
        proxy: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
        trace_configs: Sequence[Any] | None = None,
    ) -> None:
        self._headers = dict(headers)
        if any(name.lower() == "user-agent" for name in self._headers):
            user_agent = None
        self._user_agent = user_agent
        self._secrets = secrets_of(self._headers)
        # Responses whose body may still be read: aclose() wakes their readers (aiohttp does not).
        # A stream's lives as long as its caller keeps it; a plain answer's until it is read (a
        # plain set: a WeakSet entry per request cost more than the rest of the bookkeeping).
        self._live: weakref.WeakSet[aiohttp.ClientResponse] = weakref.WeakSet()
        self._reading: set[aiohttp.ClientResponse] = set()
        # The handshake answers of open WebSockets: closing one drops its socket.
        self._sockets: weakref.WeakSet[aiohttp.ClientResponse] = weakref.WeakSet()
        self._limit = connector_limit
        self._limit_per_host = connector_limit_per_host
        self._ssl = _ssl_setting(verify)
        self._trust_env = trust_env
        self._extra: dict[str, Any] = {"allow_redirects": False}
        if proxy is not None:
            self._extra["proxy"] = proxy
        self.max_response_bytes = max_response_bytes
        self.max_header_bytes = max_header_bytes
        self._trace_configs = list(trace_configs) if trace_configs else None
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[Timeout, tuple[aiohttp.ClientTimeout, aiohttp.ClientTimeout]] = {}
        self._last_timeout: tuple[
            Timeout | None, tuple[aiohttp.ClientTimeout, aiohttp.ClientTimeout] | None
        ] = (None, None)
        self.closed = False

    @property
    def default_headers(self) -> Mapping[str, str]:
        """The headers given for every request (credentials included: redact before logging).

        The ``User-Agent`` built from ``user_agent`` is not among them: the session adds it.
        """
        return self._headers

    @property
    def secrets(self) -> tuple[str, ...]:
        """The credentials among the default headers, for redacting what a server wrote."""
        return self._secrets

    @property
    def proxy(self) -> str | None:
        """The proxy every connection goes through (``None``: direct, or ``trust_env``)."""
        proxy: str | None = self._extra.get("proxy")
        return proxy

    @property
    def has_credentials(self) -> bool:
        """Whether the default headers carry a credential (an API key)."""
        return bool(self._secrets)

    def redact(self, raw: bytes) -> bytes:
        """``raw`` with the client's credentials replaced (for a body the server wrote)."""
        return redact_bytes(raw, self._secrets) if self._secrets else raw

    @property
    def opened(self) -> bool:
        """Whether a session was ever created (and so needs closing)."""
        return self._session is not None

    def session(self) -> aiohttp.ClientSession:
        """The session, created on first use inside the running loop."""
        session = self._session
        if session is not None:
            if self._loop is not asyncio.get_running_loop():
                raise RuntimeError(
                    "this client is bound to another event loop; create one client per loop"
                )
            return session
        if self.closed:
            # Only a call already under way gets here (new calls are refused by the client).
            raise closed_error()
        import aiohttp  # the first session pays for importing aiohttp (see the module docstring)

        self._loop = asyncio.get_running_loop()
        headers = self._headers
        if self._user_agent is not None:
            python = f"python/{sys.version_info[0]}.{sys.version_info[1]}"
            user_agent = f"{self._user_agent} {python} aiohttp/{aiohttp.__version__}"
            headers = {"User-Agent": user_agent, **headers}
        connector = aiohttp.TCPConnector(
            limit=self._limit, limit_per_host=self._limit_per_host, ssl=self._ssl
        )
        session = aiohttp.ClientSession(
            connector=connector,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=None),
            trust_env=self._trust_env,
            cookie_jar=aiohttp.DummyCookieJar(),
            trace_configs=self._trace_configs,
            max_line_size=self.max_header_bytes,
            max_field_size=self.max_header_bytes,
        )
        self._session = session
        return session

    def track_socket(self, resp: aiohttp.ClientResponse) -> None:
        """Drop a WebSocket (given its handshake answer) when the client closes."""
        self._sockets.add(resp)

    def client_timeouts(
        self, timeout: Timeout
    ) -> tuple[aiohttp.ClientTimeout, aiohttp.ClientTimeout]:
        """aiohttp timeouts for (a plain call, a stream): streams have no total, only a watchdog."""
        last, last_found = self._last_timeout
        if last is timeout and last_found is not None:  # the client's own, nearly always
            return last_found
        found = self._timeouts.get(timeout)
        if found is None:
            import aiohttp

            # `connect` would also count the wait for a free pooled connection, which a big batch
            # legitimately spends; only the socket connect (and TLS handshake) is bounded.
            found = (
                aiohttp.ClientTimeout(total=timeout.total, sock_connect=timeout.connect),
                aiohttp.ClientTimeout(total=None, sock_connect=timeout.connect),
            )
            if len(self._timeouts) > 32:
                self._timeouts.clear()
            self._timeouts[timeout] = found
        self._last_timeout = (timeout, found)
        return found

    async def request(
        self,
        url: str,
        body: bytes | None,
        *,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        timeout: Timeout,
        method: str = "POST",
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send ``body`` (``None``: none, as for a GET) with ``method``; return (status, headers,
        body) of a 2xx answer, else raise."""
        session = self.session()
        limit = self.max_response_bytes
        try:
            resp = await session.request(
                method,
                url,
                data=body,
                headers=headers,
                params=params,
                timeout=self.client_timeouts(timeout)[0],
                **self._extra,
            )
            reading = self._reading
            reading.add(resp)
            try:
                length = resp.content_length
                if length is not None and length > limit:
                    raise too_large(limit)
                raw = await resp.read() if length is not None else await _read_capped(resp, limit)
            finally:
                reading.discard(resp)
                resp.release()
        except connection_errors() as exc:
            if self.closed:
                sanitize(exc)
                raise closed_error() from exc
            if is_total_timeout(exc):
                sanitize(exc)
                raise APITimeoutError(
                    f"no complete answer within {timeout.total} s (timeout.total)"
                ) from exc
            raise self._header_error(exc) or connection_error(exc, "sending the request") from exc
        status = resp.status
        if status >= 300:
            raise status_error(status, resp.headers, raw, self._secrets)
        return status, resp.headers, raw

    async def open_stream(
        self,
        url: str,
        body: bytes,
        *,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        timeout: Timeout,
        deadline: float | None,
    ) -> HTTPStream:
        """POST ``body`` and return the open response once a 2xx status line arrived.

        ``deadline`` (loop time) bounds the wait for the status line; a non-2xx answer is read
        (under the same deadline), released and raised.
        """
        session = self.session()
        loop = asyncio.get_running_loop()
        request = session.post(
            url,
            data=body,
            headers=headers,
            params=params,
            timeout=self.client_timeouts(timeout)[1],
            **self._extra,
        )
        try:
            if deadline is None:
                resp = await request
            else:
                resp = await before_deadline(loop, deadline, request)
        except APITimeoutError:
            raise
        except connection_errors() as exc:
            if self.closed:
                sanitize(exc)
                raise closed_error() from exc
            raise self._header_error(exc) or connection_error(exc, "opening the stream") from exc
        stream = HTTPStream(resp, loop, self._secrets)
        self._live.add(resp)
        if resp.status < 300:
            return stream
        try:
            raw = await stream.read_all(self.max_response_bytes, deadline)
        finally:
            stream.close()
        raise status_error(resp.status, resp.headers, raw, self._secrets)

    def _header_error(self, exc: BaseException) -> APIConnectionError | None:
        """Our error for a response header line longer than ``max_header_bytes``, else ``None``.

        aiohttp reports it as a ``ClientResponseError`` whose message, from either of its
        parsers, reads "Got more than N bytes when reading ..."; there is no narrower class.
        """
        import aiohttp

        if not isinstance(exc, aiohttp.ClientResponseError) or "Got more than" not in str(
            exc.message
        ):
            return None
        sanitize(exc)
        limit = self.max_header_bytes
        return APIConnectionError(
            f"a response header line is longer than max_header_bytes ({limit} bytes); "
            "pass a larger max_header_bytes to the client to read it",
            retryable=False,
        )

    async def aclose(self) -> None:
        """Close the session and its pool; later calls are refused. Idempotent.

        A body being read (a stream, or a plain answer still arriving) ends at once with
        ``APIConnectionError("the client was closed")``: closing the pool alone would drop the
        socket without waking its reader. Open WebSockets are dropped too.
        """
        self.closed = True
        for resp in [*self._live, *self._reading]:
            if not resp.closed:
                resp.content.set_exception(closed_error())
        for resp in list(self._sockets):
            resp.close()  # a read waiting on the socket wakes up
        self._live.clear()
        self._reading.clear()
        self._sockets.clear()
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


async def _read_capped(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        parts.append(chunk)
    return b"".join(parts)


async def before_deadline(
    loop: asyncio.AbstractEventLoop,
    deadline: float,
    aw: Awaitable[T],
    expired: Callable[[], APITimeoutError] | None = None,
) -> T:
    """Await ``aw`` in this task, cancelling it at ``deadline``: ``APITimeoutError`` then
    (``expired()`` when given, for a message that says which deadline passed).

    A hand-made ``asyncio.timeout_at`` (3.11+ only): no extra task, and a result that lands
    as the deadline fires is never dropped on the floor with its connection.
    """
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("before_deadline runs inside a task (it cancels that task)")
    fired = False

    def fire() -> None:
        nonlocal fired
        fired = True
        task.cancel()

    handle = loop.call_at(deadline, fire)
    try:
        return await aw
    except asyncio.CancelledError:
        if fired and _uncancel(task) == 0:
            if expired is not None:
                raise expired() from None
            raise APITimeoutError("no answer from the server before the stream deadline") from None
        raise
    finally:
        handle.cancel()
