"""What the HTTP layer raises: aiohttp's, the OS's and asyncio's failures as our errors, and
non-2xx answers as the ``APIStatusError`` subclasses, with the credentials taken out of both.

Part of the transport (``_transport`` raises what these build). Like it, this imports aiohttp
only once a session exists, inside the functions that map its errors.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ResponseValidationError,
    make_status_error,
    parse_error_body,
)
from ._redact import redact_bytes, redact_headers
from ._retry import is_retryable_status

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "closed_error",
    "connection_error",
    "connection_errors",
    "is_total_timeout",
    "sanitize",
    "status_error",
    "too_large",
]


def closed_error() -> APIConnectionError:
    return APIConnectionError("the client was closed", retryable=False)


def sanitize(exc: BaseException) -> None:
    """Strip the request headers (the API key) from aiohttp errors in ``exc``'s chain.

    ``ClientResponseError`` keeps ``request_info`` (with every header sent) in its attributes,
    its ``args`` and its repr; our errors chain it, so error reporters would print the key.
    """
    import aiohttp
    from multidict import CIMultiDict, CIMultiDictProxy

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, aiohttp.ClientResponseError):
            info = current.request_info
            if info is not None:
                headers = CIMultiDictProxy(CIMultiDict(redact_headers(info.headers)))
                safe = aiohttp.RequestInfo(info.url, info.method, headers, info.real_url)
                current.request_info = safe
                current.args = (safe, ())
            # Earlier responses of a redirect chain hold their own request_info.
            current.history = ()
        current = current.__cause__ or current.__context__


def connection_error(exc: BaseException, during: str) -> APIConnectionError:
    """Our error for an aiohttp, OS or asyncio failure (the caller chains it, sanitized here)."""
    import aiohttp

    sanitize(exc)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return APITimeoutError(f"timed out connecting to the server ({during})")
    if isinstance(exc, asyncio.TimeoutError):
        return APITimeoutError(f"timed out {during}")
    if isinstance(exc, (aiohttp.ClientSSLError, ssl.SSLError)):
        return APIConnectionError(f"TLS failure {during}: {exc}", retryable=False)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return APIConnectionError(f"cannot connect to {exc.host}:{exc.port}: {exc.os_error}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return APIConnectionError(f"server disconnected {during}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return APIConnectionError(f"response body broken off {during}")
    if isinstance(exc, aiohttp.ClientResponseError):
        # Its request headers were redacted above; the text needs no more than this.
        name = type(exc).__name__
        return APIConnectionError(f"HTTP failure {during}: {name}: {exc.status} {exc.message}")
    if isinstance(exc, aiohttp.InvalidURL):
        return APIConnectionError(f"invalid URL: {exc}", retryable=False)
    text = str(exc) or type(exc).__name__
    return APIConnectionError(f"connection failed {during}: {text}")


@functools.cache
def connection_errors() -> tuple[
    type[aiohttp.ClientError], type[OSError], type[asyncio.TimeoutError]
]:
    """What a failed exchange raises: aiohttp's, the OS's and asyncio's errors.

    For ``except`` clauses, which call it only once an exception is raised: a session, and so
    aiohttp, exists by then.
    """
    import aiohttp

    return (aiohttp.ClientError, OSError, asyncio.TimeoutError)


def is_total_timeout(exc: BaseException) -> bool:
    """Whether ``exc`` is the expiry of aiohttp's ``total`` timeout (not a read or connect one)."""
    import aiohttp

    return isinstance(exc, asyncio.TimeoutError) and not isinstance(exc, aiohttp.ServerTimeoutError)


def too_large(limit: int) -> ResponseValidationError:
    return ResponseValidationError(
        f"response body larger than max_response_bytes ({limit} bytes)", payload=None
    )


def status_error(
    status: int, headers: Mapping[str, str], raw: bytes, secrets: tuple[str, ...]
) -> APIStatusError:
    if secrets:
        raw = redact_bytes(raw, secrets)
    code = parse_error_body(raw)[1]
    return make_status_error(
        status, headers, raw, retryable=is_retryable_status(status, code, headers)
    )
