"""The pure retry policy: what is retryable, how long to wait, when to give up."""

from __future__ import annotations

import email.utils
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import openresponses
from openresponses._errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidRequestError,
    ResponseValidationError,
    StreamError,
    make_status_error,
)
from openresponses._retry import (
    RetryPolicy,
    header,
    is_retryable_error,
    is_retryable_status,
    is_transient_code,
    retry_after_seconds,
)

NOW = 1_800_000_000.0


def fixed(value: float) -> Callable[[], float]:
    """A random source that always returns ``value``."""
    return lambda: value


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 524, 529, 599])
def test_transient_statuses_are_retryable(status: int) -> None:
    """408, 409, 429 and every 5xx are retried."""
    assert is_retryable_status(status, None, {})


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 413, 422, 418])
def test_client_errors_are_not_retryable(status: int) -> None:
    """Other 4xx answers are final."""
    assert not is_retryable_status(status, None, {})


@pytest.mark.parametrize("code", [502, 503, 529, "502", "503", " 529 "])
def test_openrouter_400_wrapping_transient_code_is_retryable(code: int | str) -> None:
    """HTTP 400 with error.code 502/503/529 (int or numeric string) is a transient failure."""
    assert is_retryable_status(400, code, {})


@pytest.mark.parametrize("code", [400, 500, 429, "invalid_prompt", "", None, True])
def test_400_with_other_codes_is_not_retryable(code: int | str | None) -> None:
    """Only the three wrapped codes make a 400 retryable; a bool is not a code."""
    assert not is_retryable_status(400, code, {})


def test_wrapped_codes_only_matter_on_400() -> None:
    """A 401 or 404 carrying code 503 stays final."""
    assert not is_retryable_status(401, 503, {})
    assert not is_retryable_status(404, "529", {})


@pytest.mark.parametrize(
    ("status", "value", "expected"),
    [
        (400, "true", True),
        (401, "TRUE", True),
        (500, "false", False),
        (429, " False ", False),
        (500, "maybe", True),
        (400, "maybe", False),
    ],
)
def test_x_should_retry_overrides(status: int, value: str, expected: bool) -> None:
    """``x-should-retry: true|false`` decides, in any case and spelling; other values don't."""
    assert is_retryable_status(status, None, {"X-Should-Retry": value}) is expected
    assert is_retryable_status(status, None, {"x-should-retry": value}) is expected


def test_retry_after_seconds_forms() -> None:
    """Retry-After as integer or fractional seconds, and retry-after-ms, in any header case."""
    assert retry_after_seconds({"Retry-After": "3"}) == 3.0
    assert retry_after_seconds({"retry-after": "1.5"}) == 1.5
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({"Retry-After-Ms": "1200", "Retry-After": "9"}) == 1.2
    assert retry_after_seconds({}) is None


def test_retry_after_http_date() -> None:
    """An HTTP-date counts from now; a date in the past means retry at once."""
    future = email.utils.formatdate(NOW + 30, usegmt=True)
    past = email.utils.formatdate(NOW - 30, usegmt=True)
    assert retry_after_seconds({"Retry-After": future}, now=NOW) == pytest.approx(30.0)
    assert retry_after_seconds({"Retry-After": past}, now=NOW) == 0.0


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf", "", "Mon, 99 Foo 2020"])
def test_unreadable_retry_after_is_ignored(value: str) -> None:
    """Garbage, negative and non-finite values give None rather than an error."""
    assert retry_after_seconds({"Retry-After": value}, now=NOW) is None


def test_bad_retry_after_ms_falls_back_to_retry_after() -> None:
    """An unreadable retry-after-ms does not hide a good Retry-After."""
    assert retry_after_seconds({"retry-after-ms": "x", "retry-after": "2"}) == 2.0


def test_header_lookup_is_case_insensitive() -> None:
    """``header`` finds a name in any case in a plain dict."""
    assert header({"X-Should-Retry": "true"}, "x-should-retry") == "true"
    assert header({"other": "1"}, "x-should-retry") is None


def test_exponential_growth_and_cap() -> None:
    """With no jitter the waits double from initial_delay and stop at max_delay."""
    policy = RetryPolicy(jitter=0.0, max_retries=10)
    assert [policy.backoff(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert policy.backoff(10_000) == 8.0  # no overflow


def test_multiplier_is_honoured() -> None:
    """The growth factor is configurable."""
    policy = RetryPolicy(jitter=0.0, initial_delay=1.0, multiplier=3.0, max_delay=100.0)
    assert [policy.backoff(n) for n in range(4)] == [1.0, 3.0, 9.0, 27.0]


def test_jitter_bounds() -> None:
    """Jitter only shortens a wait: U=0 gives the schedule, U→1 gives 75 % of it."""
    policy = RetryPolicy()
    assert policy.backoff(2, random=fixed(0.0)) == 2.0
    assert policy.backoff(2, random=fixed(0.999999)) == pytest.approx(1.5, rel=1e-5)
    full = RetryPolicy(jitter=1.0)
    assert full.backoff(1, random=fixed(0.5)) == 0.5


@given(st.integers(0, 50), st.floats(0.0, 1.0, exclude_max=True))
def test_jitter_stays_within_the_schedule(retry_index: int, draw: float) -> None:
    """For any retry and draw, the wait lies in [75 %, 100 %] of the capped schedule."""
    policy = RetryPolicy()
    scheduled = min(0.5 * 2.0 ** min(retry_index, 60), 8.0)
    wait = policy.backoff(retry_index, random=fixed(draw))
    assert 0.75 * scheduled <= wait <= scheduled


def test_default_random_source_varies() -> None:
    """Without a source, waits are jittered by the module's RNG and stay in bounds."""
    waits = {RetryPolicy().backoff(3) for _ in range(50)}
    assert len(waits) > 1
    assert all(3.0 <= w <= 4.0 for w in waits)


def test_delay_prefers_retry_after() -> None:
    """A Retry-After within the cap replaces the backoff exactly; above it is clamped."""
    policy = RetryPolicy()
    assert policy.delay(0, {"Retry-After": "7"}) == 7.0
    assert policy.delay(0, {"retry-after-ms": "20"}) == 0.02
    assert policy.delay(0, {"Retry-After": "600"}) == 60.0
    assert policy.delay(1, {}, random=fixed(0.0)) == 1.0
    assert policy.delay(1, None, random=fixed(0.0)) == 1.0


def test_next_delay_stops_after_max_retries() -> None:
    """Retries 0 and 1 are allowed by default; the third is not; max_retries=0 never retries."""
    policy = RetryPolicy(jitter=0.0)
    assert [policy.next_delay(n) for n in range(3)] == [0.5, 1.0, None]
    assert RetryPolicy(max_retries=0).next_delay(0) is None


def test_retry_after_above_cap_gives_up() -> None:
    """A server asking for a longer wait than max_retry_after ends the retries at once."""
    policy = RetryPolicy(max_retry_after=60.0)
    assert policy.next_delay(0, {"Retry-After": "61"}) is None
    assert policy.next_delay(0, {"Retry-After": "60"}) == 60.0
    assert policy.next_delay(0, {"retry-after-ms": "90000"}) is None


def test_total_budget_bounds_the_waits() -> None:
    """A retry whose wait would end past total_budget is not made."""
    policy = RetryPolicy(jitter=0.0, total_budget=5.0, max_retries=5)
    assert policy.next_delay(0, elapsed=1.0) == 0.5
    assert policy.next_delay(2, elapsed=2.9) == 2.0
    assert policy.next_delay(2, elapsed=3.1) is None
    assert policy.next_delay(0, {"Retry-After": "10"}, elapsed=0.0) is None
    assert policy.remaining(3.0) == 2.0
    assert policy.remaining(9.0) == 0.0
    assert RetryPolicy().remaining(100.0) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_retries", -1),
        ("max_retries", 1.5),
        ("max_retries", True),
        ("initial_delay", -0.1),
        ("initial_delay", float("nan")),
        ("max_delay", float("inf")),
        ("multiplier", 0.5),
        ("jitter", 1.5),
        ("jitter", -0.1),
        ("max_retry_after", "60"),
        ("total_budget", 0),
        ("total_budget", -5.0),
    ],
)
def test_invalid_fields_name_themselves(field: str, value: object) -> None:
    """Each bad setting raises InvalidRequestError (a ValueError) naming the field."""
    with pytest.raises(InvalidRequestError) as info:
        RetryPolicy(**{field: value})  # type: ignore[arg-type]
    assert info.value.field == field
    assert isinstance(info.value, ValueError)


def test_policy_is_frozen_and_public() -> None:
    """RetryPolicy is exported from the root, keyword-only and immutable."""
    assert openresponses.RetryPolicy is RetryPolicy
    policy = RetryPolicy(max_retries=5, total_budget=30)
    with pytest.raises(AttributeError):
        policy.max_retries = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        RetryPolicy(5)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (429, True),
        ("502", True),
        (529, True),
        ("server_error", True),
        ("rate_limit_exceeded", True),
        (400, False),
        ("invalid_prompt", False),
        (None, False),
    ],
)
def test_in_band_codes(code: int | str | None, expected: bool) -> None:
    """Stream error codes: numeric ones follow the HTTP rules, a few names are transient."""
    assert is_transient_code(code) is expected


def test_is_retryable_error_reads_our_flag() -> None:
    """Our errors say whether to retry; foreign exceptions never are."""
    assert is_retryable_error(APIConnectionError("reset"))
    assert is_retryable_error(APITimeoutError("slow"))
    assert not is_retryable_error(APIConnectionError("bad url", retryable=False))
    assert is_retryable_error(make_status_error(503, {}, b"{}", retryable=True))
    assert not is_retryable_error(make_status_error(401, {}, b"{}", retryable=False))
    assert is_retryable_error(StreamError("cut", response=None, retryable=True))
    assert not is_retryable_error(ResponseValidationError("bad", payload=b""))
    assert not is_retryable_error(ConnectionResetError())
