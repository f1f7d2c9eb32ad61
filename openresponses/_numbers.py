"""Numeric settings checked once, where they are given: an ``InvalidRequestError`` names the one
that is wrong (``connector_limit``, ``timeout.total``, ``RetryPolicy.jitter``, ``concurrency``...).

A bool is refused wherever a number is wanted (``True`` is an ``int`` to Python, never to a
caller), and so are NaN and the infinities: ``None`` is how a bound is lifted.
"""

from __future__ import annotations

import math

from ._errors import InvalidRequestError

__all__ = ["check_int", "check_number"]


def check_int(name: str, value: object, *, minimum: int) -> int:
    """``value`` when it is an int of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidRequestError(name, f"must be an int >= {minimum}, got {value!r}")
    return value


def check_number(
    name: str,
    value: object,
    *,
    minimum: float = 0.0,
    above: bool = False,
    maximum: float | None = None,
) -> float:
    """``value`` when it is a finite int or float of at least ``minimum`` (more than it with
    ``above``) and at most ``maximum``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < minimum
        or (above and value == minimum)
        or (maximum is not None and value > maximum)
    ):
        if maximum is not None:
            wanted = f"a number between {minimum:g} and {maximum:g}"
        else:
            wanted = f"a finite number {'>' if above else '>='} {minimum:g}"
        raise InvalidRequestError(name, f"must be {wanted}, got {value!r}")
    return value
