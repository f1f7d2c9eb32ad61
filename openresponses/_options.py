"""Per-client and per-call options that are not part of the wire format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

import attrs
from typing_extensions import TypedDict

__all__ = ["RequestOptions", "Timeout", "TimeoutTypes", "to_timeout"]


@attrs.frozen(kw_only=True)
class Timeout:
    """Deadlines, in seconds; ``None`` means no bound.

    - ``connect``: establishing the connection (TCP and TLS).
    - ``total``: one attempt of a non-streaming call, body included. Each retry gets its own
      ``total``, so a call may take ``(1 + max_retries) * total`` plus the backoff. To bound
      the whole call, set ``RetryPolicy.total_budget``: no retry starts whose wait would end
      past it (so a call lasts at most about ``total_budget + total``).
    - ``stream_idle``: the longest wait for the next *content* event of a stream;
      keep-alive comments and keep-alive events do not reset it.
    - ``stream_total``: an optional bound on a whole stream.
    """

    connect: float | None = 10.0
    total: float | None = 600.0
    stream_idle: float | None = 120.0
    stream_total: float | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("connect", "total", "stream_idle", "stream_total"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not value > 0):
                from ._errors import InvalidRequestError

                raise InvalidRequestError(
                    f"timeout.{name}", f"must be a positive number, got {value!r}"
                )


TimeoutTypes = Union[float, int, Timeout, None]


def to_timeout(value: TimeoutTypes, default: Timeout) -> Timeout:
    """A number bounds a non-streaming call (``total``) and a stream's idle wait alike."""
    from ._errors import InvalidRequestError

    if value is None:
        return default
    if isinstance(value, Timeout):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidRequestError("timeout", f"must be a positive number or Timeout, got {value!r}")
    return attrs.evolve(default, total=float(value), stream_idle=float(value))


class RequestOptions(TypedDict, total=False):
    """Options of one call that are not request body fields."""

    timeout: TimeoutTypes
    max_retries: int
    extra_headers: Mapping[str, str]
    extra_body: Mapping[str, Any]
    extra_query: Mapping[str, str]
