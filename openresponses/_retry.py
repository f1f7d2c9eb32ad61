"""Retries: the pure policy (what is worth retrying, how long to wait) and ``Retrier``, the one
loop half that counts attempts, logs each and sleeps, shared by ``create``, streams and batches.

The policy reads no clock except in :func:`retry_after_seconds` (an HTTP-date needs "now").
"""

from __future__ import annotations

import asyncio
import logging
import math
import random as _random
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._errors import APIStatusError, OpenResponsesError
from ._numbers import check_int, check_number

logger = logging.getLogger("openresponses")

__all__ = [
    "Retrier",
    "RetryPolicy",
    "header",
    "is_retryable_error",
    "is_retryable_status",
    "is_transient_code",
    "retry_after_seconds",
]

# OpenRouter wraps a transient upstream failure in HTTP 400 with one of these as error.code.
_WRAPPED_TRANSIENT = frozenset({502, 503, 529})
# In-band (stream) error codes that mean "try again", besides retryable HTTP statuses.
_TRANSIENT_NAMES = frozenset(
    {"server_error", "rate_limit_exceeded", "overloaded", "overloaded_error", "timeout"}
)


def _number(
    *, minimum: float = 0.0, above: bool = False, maximum: float | None = None
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """An attrs validator: ``check_number`` within these bounds, naming the field."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check_number(attribute.name, value, minimum=minimum, above=above, maximum=maximum)

    return check


def _count(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_int(attribute.name, value, minimum=0)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How one call is retried.

    - ``max_retries``: retries after the first attempt (so ``2`` means up to 3 attempts).
    - Backoff before retry ``n`` (0-based) is ``min(initial_delay * multiplier**n, max_delay)``,
      then jittered *downwards*: multiplied by ``1 - jitter * U`` with ``U`` uniform in
      ``[0, 1)``. The default ``jitter=0.25`` spreads each wait over 75-100 % of the
      schedule, so ``max_delay`` stays a true upper bound; ``jitter=1.0`` is "full jitter".
    - ``Retry-After`` / ``retry-after-ms`` from the server replace the backoff when at most
      ``max_retry_after`` seconds. A server asking for a longer wait makes the call **give
      up** at once (:meth:`next_delay` returns ``None``) rather than sleep for minutes or
      retry early into the same 429; the error then carries the headers to act on.
    - ``total_budget``: seconds for the whole call, retries and waits included; a retry
      whose wait would end past it is not made. ``None``: bounded by ``max_retries`` only.
    """

    max_retries: int = attrs.field(default=2, validator=_count)
    initial_delay: float = attrs.field(default=0.5, validator=_number())
    max_delay: float = attrs.field(default=8.0, validator=_number())
    multiplier: float = attrs.field(default=2.0, validator=_number(minimum=1))
    jitter: float = attrs.field(default=0.25, validator=_number(maximum=1))
    max_retry_after: float = attrs.field(default=60.0, validator=_number())
    total_budget: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(_number(above=True))
    )

    def backoff(self, retry_index: int, *, random: Callable[[], float] | None = None) -> float:
        """The jittered exponential wait before retry ``retry_index`` (0-based)."""
        try:
            base = self.initial_delay * self.multiplier ** max(retry_index, 0)
        except OverflowError:
            base = math.inf
        base = min(base, self.max_delay)
        draw = (random or _random.random)()
        return base * (1.0 - self.jitter * draw)

    def delay(
        self,
        retry_index: int,
        headers: Mapping[str, str] | None = None,
        *,
        random: Callable[[], float] | None = None,
    ) -> float:
        """The wait before retry ``retry_index``: the server's ``Retry-After`` (clamped to
        ``max_retry_after``) if it sent one, else :meth:`backoff`."""
        asked = retry_after_seconds(headers) if headers else None
        if asked is not None:
            return min(asked, self.max_retry_after)
        return self.backoff(retry_index, random=random)

    def next_delay(
        self,
        retry_index: int,
        headers: Mapping[str, str] | None = None,
        *,
        elapsed: float = 0.0,
        random: Callable[[], float] | None = None,
    ) -> float | None:
        """The transport's one question: wait this long and retry, or ``None`` to give up.

        Gives up when ``retry_index >= max_retries``, when the server asks for a wait
        above ``max_retry_after``, or when ``elapsed`` (seconds since the call began)
        plus the wait would exceed ``total_budget``.
        """
        if retry_index >= self.max_retries:
            return None
        asked = retry_after_seconds(headers) if headers else None
        if asked is not None and asked > self.max_retry_after:
            return None
        wait = asked if asked is not None else self.backoff(retry_index, random=random)
        if self.total_budget is not None and elapsed + wait > self.total_budget:
            return None
        return wait

    def remaining(self, elapsed: float) -> float | None:
        """Seconds left of ``total_budget`` after ``elapsed`` (never negative), or ``None``."""
        if self.total_budget is None:
            return None
        return max(self.total_budget - elapsed, 0.0)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup that works on plain dicts as well as aiohttp's CIMultiDict.

    ``name`` must be lower case.
    """
    value = headers.get(name)
    if value is not None:
        return value
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """The wait the server asked for, in seconds, or ``None``.

    ``retry-after-ms`` wins (it is more precise), then ``Retry-After`` as seconds
    (fractions accepted) or an HTTP-date (a date in the past means 0). Negative,
    non-finite and unreadable values are ignored.
    """
    raw_ms = header(headers, "retry-after-ms")
    if raw_ms is not None:
        millis = _parse_seconds(raw_ms)
        if millis is not None:
            return millis / 1000.0
    raw = header(headers, "retry-after")
    if raw is None:
        return None
    seconds = _parse_seconds(raw)
    if seconds is not None:
        return seconds
    import email.utils  # an HTTP-date is rare; the module is not worth loading up front

    try:
        when = email.utils.parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses naive
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)


def _parse_seconds(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value


def _should_retry_header(headers: Mapping[str, str] | None) -> bool | None:
    if not headers:
        return None
    value = header(headers, "x-should-retry")
    if value is None:
        return None
    value = value.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def _as_int(code: int | str | None) -> int | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().isdigit():
        return int(code.strip())
    return None


def is_retryable_status(
    status: int, code: int | str | None = None, headers: Mapping[str, str] | None = None
) -> bool:
    """Whether an HTTP error answer is worth retrying.

    ``x-should-retry: true|false`` from the server decides when present. Otherwise:
    408, 409, 429 and every 5xx; and HTTP 400 whose ``error.code`` is 502, 503 or 529
    (int or numeric string), OpenRouter's wrapping of a transient upstream failure.
    """
    override = _should_retry_header(headers)
    if override is not None:
        return override
    if status in (408, 409, 429) or status >= 500:
        return True
    return status == 400 and _as_int(code) in _WRAPPED_TRANSIENT


def is_transient_code(code: int | str | None) -> bool:
    """Whether an in-band (stream) error code means "try again".

    Numeric codes (int or string) follow the HTTP rules (408, 409, 429, 5xx); string
    codes ``server_error``, ``rate_limit_exceeded``, ``overloaded``,
    ``overloaded_error`` and ``timeout`` are transient too.
    """
    number = _as_int(code)
    if number is not None:
        return number in (408, 409, 429) or 500 <= number <= 599
    return isinstance(code, str) and code.strip().lower() in _TRANSIENT_NAMES


def is_retryable_error(error: BaseException) -> bool:
    """Whether an exception raised by an attempt is worth retrying: our errors say so in
    ``.retryable`` (connection errors and timeouts default to True); anything else is not."""
    if not isinstance(error, OpenResponsesError):
        return False
    return getattr(error, "retryable", False) is True


class Retrier:
    """Counts the retries of one call against its policy, logs each, and sleeps between attempts.

    ``started`` is ``time.monotonic()`` when the call began (for ``total_budget``); ``deadline``
    is loop time past which no new attempt starts (a stream's ``stream_total``). ``what`` names
    the call in the log lines (``POST /responses``, ``batch request 3``). ``observer``, when
    given, hears each decision: the failure and the wait before the retry (``None``: none).
    """

    __slots__ = ("_observer", "_policy", "_started", "_what", "deadline", "retries")

    def __init__(
        self,
        policy: RetryPolicy,
        what: str,
        *,
        started: float,
        deadline: float | None = None,
        observer: Callable[[BaseException, float | None], None] | None = None,
    ) -> None:
        self._policy = policy
        self._what = what
        self._started = started
        self._observer = observer
        self.deadline = deadline
        self.retries = 0

    def _delay_for(self, exc: BaseException) -> float | None:
        if not is_retryable_error(exc):
            return None
        headers = exc.headers if isinstance(exc, APIStatusError) else None
        delay = self._policy.next_delay(
            self.retries, headers, elapsed=time.monotonic() - self._started
        )
        if delay is None:
            return None
        if self.deadline is not None and asyncio.get_running_loop().time() + delay >= self.deadline:
            return None
        return delay

    def next_retry(self, exc: BaseException) -> float | None:
        """Count and log a retry after ``exc``: the seconds to wait before it, or ``None`` when
        ``exc`` is final. For a caller that waits its own way (a batch pauses every worker)."""
        delay = self._delay_for(exc)
        observer = self._observer
        if observer is not None:
            observer(exc, delay)
        if delay is None:
            if self.retries and logger.isEnabledFor(logging.INFO):
                logger.info("%s: giving up after %d retries: %s", self._what, self.retries, exc)
            return None
        self.retries += 1
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s: retry %d of %d in %.2f s after %s: %s",
                self._what,
                self.retries,
                self._policy.max_retries,
                delay,
                type(exc).__name__,
                exc,
            )
        return delay

    async def backoff(self, exc: BaseException) -> bool:
        """Sleep before the next attempt and return True, or return False when ``exc`` is final."""
        delay = self.next_retry(exc)
        if delay is None:
            return False
        await asyncio.sleep(delay)
        return True
