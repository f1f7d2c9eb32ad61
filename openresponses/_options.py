"""Per-client and per-call options that are not part of the wire format."""

from __future__ import annotations

from typing import Union

import attrs

from ._numbers import check_number

__all__ = ["Timeout", "TimeoutTypes", "to_timeout"]


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
            if value is not None:
                check_number(f"timeout.{name}", value, above=True)


TimeoutTypes = Union[float, int, Timeout, None]


def to_timeout(value: TimeoutTypes, default: Timeout) -> Timeout:
    """A number bounds a non-streaming call (``total``) and a stream's idle wait alike."""
    if value is None:
        return default
    if isinstance(value, Timeout):
        return value
    seconds = float(check_number("timeout", value, above=True))
    return attrs.evolve(default, total=seconds, stream_idle=seconds)
