"""``HTTPInfo``: the status and headers behind a Response, kept beside it while it lives."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["HTTPInfo", "attach_http_info", "http_info"]


@attrs.frozen
class HTTPInfo:
    """What the HTTP layer saw for one response: status, headers and the server's generation id."""

    status_code: int
    headers: Mapping[str, str] = attrs.field(repr=False)

    @property
    def generation_id(self) -> str | None:
        """``X-Generation-Id`` (OpenRouter), else ``x-request-id``; ``None`` without either."""
        headers = self.headers
        return headers.get("x-generation-id") or headers.get("x-request-id") or None


# Responses are frozen, slotted attrs objects, so HTTP facts ride beside them: keyed by id(), and
# dropped by a weakref callback when the Response dies (before its id can be reused).
_HTTP_INFO: dict[int, tuple[weakref.ref[Any], HTTPInfo]] = {}


def attach_http_info(obj: object, info: HTTPInfo) -> None:
    """Remember ``info`` for ``obj`` for as long as ``obj`` lives."""
    key = id(obj)
    _HTTP_INFO[key] = (weakref.ref(obj, lambda _ref: _HTTP_INFO.pop(key, None)), info)


def http_info(response: object) -> HTTPInfo | None:
    """The HTTP status, headers and generation id behind a Response this SDK returned.

    ``None`` for objects that did not come from a request (built by hand, or parsed from JSON).
    """
    entry = _HTTP_INFO.get(id(response))
    if entry is None or entry[0]() is not response:
        return None
    return entry[1]
