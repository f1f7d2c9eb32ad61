"""Load and leaks: 2,000 requests through a flaky server, 1,000 cancelled streams.

The flaky server decides each fault from a seeded hash of (request number, attempt), so the exact
outcome of every request is known in advance whatever order the requests arrive in: each one must
resolve exactly once, to the predicted answer or the predicted typed error, in the predicted
number of attempts. Faults come at 30 %, so that retries run out often enough (58 times) for every
fault to end some request with its own typed error.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import random
import time
import warnings
from collections import Counter
from typing import Any

import anyio
import pytest

from openresponses import (
    APIConnectionError,
    AsyncClient,
    BadGatewayError,
    InternalServerError,
    OpenResponsesError,
    RateLimitError,
    RetryPolicy,
    ServiceUnavailableError,
    StreamError,
    Timeout,
)
from openresponses._httpinfo import _HTTP_INFO
from openresponses.testing import (
    Disconnect,
    HTTPReply,
    LocalServer,
    RecordedRequest,
    Reply,
    Text,
    Turn,
)

pytestmark = pytest.mark.anyio

SEED = 20240607
REQUESTS = 2_000
CONCURRENCY = 200
MAX_RETRIES = 2
FAULT_RATE = 0.30
FAULTS = ("500", "502", "503", "429", "drop", "cut")
POLICY = RetryPolicy(max_retries=MAX_RETRIES, initial_delay=0.001, max_delay=0.002, jitter=0)


def fault_for(number: int, attempt: int) -> str | None:
    """The fault the server plays for attempt ``attempt`` of request ``number`` (seeded)."""
    rng = random.Random(f"{SEED}:{number}:{attempt}")
    if rng.random() >= FAULT_RATE:
        return None
    return rng.choice(FAULTS)


def is_stream(number: int) -> bool:
    return number % 5 == 0


def expected(number: int) -> tuple[str, int]:
    """(outcome, attempts): "ok" or the class name of the final error, and server requests."""
    fault = None
    for attempt in range(MAX_RETRIES + 1):
        fault = fault_for(number, attempt)
        if fault is None:
            return "ok", attempt + 1
    final = {
        "500": InternalServerError,
        "502": BadGatewayError,
        "503": ServiceUnavailableError,
        "429": RateLimitError,
        "drop": APIConnectionError,
        # Cut right after the headers: a plain body is broken off, a stream has no terminal event.
        "cut": StreamError if is_stream(number) else APIConnectionError,
    }[fault or ""]
    return final.__name__, MAX_RETRIES + 1


class FlakyServer:
    """The reply function: counts attempts per request number and plays the seeded faults."""

    def __init__(self) -> None:
        self.attempts: Counter[int] = Counter()
        self.recorded: list[RecordedRequest] | None = None

    def __call__(self, request: RecordedRequest) -> Reply:
        if self.recorded is not None and len(self.recorded) > 1000:
            # The server keeps every request; thousands of them only slow the garbage collector.
            self.recorded.clear()
        number = int(request.headers["X-Load-Id"])
        attempt = self.attempts[number]
        self.attempts[number] += 1
        fault = fault_for(number, attempt)
        if fault is None:
            return Turn(Text(f"answer {number}"))
        if fault == "drop":
            return Disconnect()
        if fault == "cut":
            return Turn(Text(f"answer {number}"), drop_after=0)
        headers = {"Retry-After": "0"} if fault == "429" else {}
        return HTTPReply(int(fault), headers=headers)


async def test_two_thousand_requests_through_a_flaky_server() -> None:
    """2,000 calls at concurrency 200, 30 % faults: each resolves once, as predicted, in policy."""
    flaky = FlakyServer()
    outcomes: dict[int, str] = {}
    duplicates: list[int] = []
    strays: list[BaseException] = []

    async with (
        LocalServer(default=flaky) as server,
        AsyncClient(base_url=server.base_url, retry_policy=POLICY) as client,
    ):
        flaky.recorded = server.requests

        async def one(number: int) -> str:
            headers = {"X-Load-Id": str(number)}
            if is_stream(number):
                async with client.responses.stream(
                    model="m", input="Hi", extra_headers=headers
                ) as stream:
                    response = await stream.final_response()
            else:
                response = await client.responses.create(
                    model="m", input="Hi", extra_headers=headers
                )
            assert response.output_text == f"answer {number}", "answer of another request"
            return "ok"

        async def worker(numbers: list[int]) -> None:
            for number in numbers:
                try:
                    outcome = await one(number)
                except OpenResponsesError as exc:
                    outcome = type(exc).__name__
                except Exception as exc:  # anything untyped is a failure of the SDK
                    strays.append(exc)
                    outcome = f"untyped {type(exc).__name__}"
                if number in outcomes:
                    duplicates.append(number)
                outcomes[number] = outcome

        started = time.monotonic()
        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                for lane in range(CONCURRENCY):
                    group.start_soon(worker, list(range(lane, REQUESTS, CONCURRENCY)))
        elapsed = time.monotonic() - started
        served = server.request_count
        gc.collect()
        remembered = len(_HTTP_INFO)  # HTTP facts kept beside Responses nobody holds any more
        acquired = len(client._transport.session().connector._acquired)

    assert not strays, strays[:3]
    assert not duplicates
    assert sorted(outcomes) == list(range(REQUESTS))
    predicted = {number: expected(number) for number in range(REQUESTS)}
    wrong = {n: (outcomes[n], predicted[n][0]) for n in outcomes if outcomes[n] != predicted[n][0]}
    assert not wrong, list(wrong.items())[:5]
    assert dict(flaky.attempts) == {n: attempts for n, (_, attempts) in predicted.items()}
    assert served == sum(attempts for _, attempts in predicted.values())
    assert served <= REQUESTS * (1 + MAX_RETRIES)
    assert acquired == 0
    assert remembered == 0
    errors = Counter(outcome for outcome in outcomes.values() if outcome != "ok")
    assert set(errors) == {
        "InternalServerError",
        "BadGatewayError",
        "ServiceUnavailableError",
        "RateLimitError",
        "APIConnectionError",
        "StreamError",
    }
    print(f"\n{REQUESTS} requests, {served} attempts, errors {dict(errors)}, {elapsed:.1f} s")


# -- 1,000 cancelled streams


class Leaks(logging.Handler):
    """Collects what a leak leaves behind: warnings, loop exception reports, "Unclosed" logs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.reports: list[str] = []
        self.warnings: list[str] = []
        self.unclosed: list[str] = []

    def handler(self, _loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.reports.append(str(context.get("message")) + " " + repr(context.get("exception")))

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "nclosed" in message or "destroyed" in message:
            self.unclosed.append(message)


class StreamReplies:
    """A 40-delta answer; with X-Stall it stalls forever at that event (only a hang-up ends it).

    With X-Fail-Once the first attempt of that stream gets a 503, so some cancellations land in
    the retry backoff. Runs in the server's thread.
    """

    def __init__(self) -> None:
        self.failed: set[str] = set()

    def __call__(self, request: RecordedRequest) -> Reply:
        name = request.headers.get("X-Fail-Once")
        if name is not None and name not in self.failed:
            self.failed.add(name)
            return HTTPReply(503)
        stall = request.headers.get("X-Stall")
        return Turn(
            Text(" ".join(f"w{i}" for i in range(40))),
            event_delay=0.001,
            stall_after=int(stall) if stall is not None else None,
            stall_for=None,
        )


async def test_a_thousand_cancelled_streams_leave_nothing_behind() -> None:
    """1,000 streams cancelled at random points: no connection, task, warning or report left."""
    rng = random.Random(SEED)
    leaks = Leaks()
    root = logging.getLogger()
    root_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(leaks)
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(leaks.handler)
    before = asyncio.all_tasks()
    outcomes: Counter[str] = Counter()
    replies = StreamReplies()
    server = LocalServer(default=replies)
    server.start_in_thread()  # its own loop: every task left in this loop is the client's
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            policy = RetryPolicy(initial_delay=0.01, max_delay=0.02, jitter=0)
            client = AsyncClient(
                base_url=server.base_url, retry_policy=policy, timeout=Timeout(stream_idle=5)
            )
            async with client:

                async def read(
                    headers: dict[str, str], stall: int | None, stop_after: int | None
                ) -> None:
                    if stall is not None:
                        headers["X-Stall"] = str(stall)
                    async with client.responses.stream(
                        model="m", input="Hi", extra_headers=headers
                    ) as stream:
                        count = 0
                        async for _event in stream:
                            count += 1
                            if count == stop_after:
                                break

                async def one(index: int) -> None:
                    how = rng.choice(["cancel", "cancel", "break", "aclose", "finish"])
                    stall = None if how == "finish" else rng.randrange(0, 46)
                    headers = {"X-Fail-Once": str(index)} if rng.random() < 0.2 else {}
                    if how == "break":
                        stop_after = rng.randrange(1, 45)
                        await read(headers, rng.randrange(stop_after, 46), stop_after)
                        outcomes["break"] += 1
                        return
                    if how == "aclose":
                        headers["X-Stall"] = str(stall)
                        async with client.responses.stream(
                            model="m", input="Hi", extra_headers=headers
                        ) as stream:
                            closer = asyncio.get_running_loop().call_later(
                                rng.uniform(0, 0.05), lambda: asyncio.ensure_future(stream.aclose())
                            )
                            try:
                                async for _event in stream:
                                    pass
                            finally:
                                closer.cancel()
                        outcomes["aclose"] += 1
                        return
                    task = asyncio.ensure_future(read(headers, stall, None))
                    if how == "finish":
                        await task
                        outcomes["finish"] += 1
                        return
                    await asyncio.sleep(rng.uniform(0, 0.06))
                    task.cancel()
                    try:
                        await task
                    except asyncio.CancelledError:
                        outcomes["cancelled"] += 1
                    else:
                        outcomes["finished before cancel"] += 1

                with anyio.fail_after(60):
                    for wave in range(10):
                        async with anyio.create_task_group() as group:
                            for index in range(100):
                                group.start_soon(one, wave * 100 + index)

                connector = client._transport.session().connector
                assert connector is not None
                acquired = len(connector._acquired)
                deadline = time.monotonic() + 5
                while server.in_flight and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)  # the server runs in another thread: poll it
                in_flight = server.in_flight
            await asyncio.sleep(0.05)
            gc.collect()
            await asyncio.sleep(0)
            pending = [t for t in asyncio.all_tasks() - before if not t.done()]
            pending = [t for t in pending if t is not asyncio.current_task()]
            leaks.warnings = [str(w.message) for w in caught]
    finally:
        loop.set_exception_handler(previous)
        root.removeHandler(leaks)
        root.setLevel(root_level)
        server.stop()

    assert sum(outcomes.values()) == 1000
    assert outcomes["cancelled"] > 100
    assert acquired == 0
    assert in_flight == 0, f"{in_flight} stalled replies still have a client connection"
    assert not pending, pending[:3]
    assert not leaks.warnings
    assert not leaks.reports
    assert not leaks.unclosed
    # Some streams were cancelled before their request left; only a 503 is ever retried.
    assert 500 <= server.request_count <= 1000 + len(replies.failed)
    print(f"\n1000 streams: {dict(outcomes)}, {server.request_count} reached the server")
