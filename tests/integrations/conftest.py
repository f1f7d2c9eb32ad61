"""The engines the integration tests run on: one local Ray and one Dask LocalCluster per session.

Both are sized for a 2-core machine: Ray with two CPUs, a small object store and no dashboard;
Dask with two worker processes of one thread. Their workers are other processes, which reach the
session's LocalServer (``server``, bound to 127.0.0.1 in this process) over HTTP.
"""

from __future__ import annotations

import collections
import gc
import json
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from openresponses.testing import HTTPReply, LocalServer, RecordedRequest, ReplyLike, Text


@pytest.fixture(scope="session")
def ray_session() -> Iterator[Any]:
    """A local Ray (``num_cpus=2``), its Data progress bars off; shut down after the session."""
    import ray
    import ray.data

    ray.init(
        num_cpus=2,
        object_store_memory=100 * 1024 * 1024,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """A distributed client on a LocalCluster of two worker processes (one thread each).

    It is not the default client: a test hands it to ``compute(scheduler=...)``.
    """
    from distributed import Client, LocalCluster

    with warnings.catch_warnings():
        # The scheduler leaves a socket of its HTTP server unclosed as it starts (distributed
        # 2026.11, dashboard off): collect it here, where it is not the suite's error to report.
        warnings.simplefilter("ignore", ResourceWarning)
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        gc.collect()
    with cluster, Client(cluster, set_as_default=False) as client:
        yield client


class Script:
    """What the server answers row ``q{i}`` (its ``input``), keeping count of every attempt.

    Every 50th row from 7 on is refused (400) every time; rows ending in 3 get a 429 with
    ``Retry-After: 0.2`` first, rows ending in 5 a 503 first; then each is answered ``answer
    {i}``. Runs in the server's thread.
    """

    RETRY_AFTER = 0.2

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.attempts: dict[str, list[float]] = collections.defaultdict(list)
        self.answered: collections.Counter[str] = collections.Counter()

    @staticmethod
    def refused(index: int) -> bool:
        return index % 50 == 7

    def __call__(self, request: RecordedRequest) -> ReplyLike:
        text = str(request.json.get("input"))
        index = int(text.removeprefix("q"))
        with self._lock:
            tries = self.attempts[text]
            tries.append(request.received_at)
            if self.refused(index):
                return HTTPReply(
                    400, body={"error": {"code": "bad_prompt", "message": f"{text} is refused"}}
                )
            if len(tries) == 1 and index % 10 == 3:
                return HTTPReply(429, headers={"Retry-After": str(self.RETRY_AFTER)})
            if len(tries) == 1 and index % 10 == 5:
                return HTTPReply(503)
            self.answered[text] += 1
        return Text(f"answer {index}")

    @staticmethod
    def rows(count: int) -> list[dict[str, Any]]:
        """``count`` rows ``{"custom_id": "c{i}", "input": "q{i}"}``."""
        return [{"custom_id": f"c{i}", "input": f"q{i}"} for i in range(count)]

    def check(self, rows: list[dict[str, Any]], count: int) -> None:
        """Every row once, in its own columns: an answer, or the 400 as an error record."""
        assert sorted(row["custom_id"] for row in rows) == sorted(f"c{i}" for i in range(count))
        for row in rows:
            index = int(row["custom_id"].removeprefix("c"))
            if self.refused(index):
                assert row["output_text"] is None
                assert json.loads(row["error"]) == {
                    "type": "BadRequestError",
                    "status": 400,
                    "code": "bad_prompt",
                    "message": f"q{index} is refused",
                }
            else:
                assert row["error"] is None, row["error"]
                assert row["output_text"] == f"answer {index}"
                assert json.loads(row["response"])["status"] == "completed"
                assert row["total_tokens"] == row["input_tokens"] + row["output_tokens"] > 0
        # Each answerable row was answered exactly once; each 429 retry waited its Retry-After.
        assert all(times == 1 for times in self.answered.values())
        assert len(self.answered) == count - sum(map(self.refused, range(count)))
        for text, tries in self.attempts.items():
            if int(text.removeprefix("q")) % 10 == 3:
                assert tries[1] - tries[0] >= self.RETRY_AFTER - 0.01


def _spacing_holds(times: list[float], interval: float, count: int) -> None:
    """Requests started at ``times`` kept the job's rate: ``count`` of them spread over
    ``count - 1`` intervals, and any 10 in a row over 9. A request starts at its slot plus the
    latency of reaching it, never before; a worker whose loop stalled sends its due requests
    at once, so a window is allowed that stall (0.4 s on this busy 2-core machine), and the
    whole run the first request's lateness (0.5 s)."""
    times = sorted(times)
    assert len(times) == count
    # The first request is the latest for its slot: its worker's client was still starting.
    assert times[-1] - times[0] >= (count - 1) * interval - 0.5
    for start in range(count - 9):
        assert times[start + 9] - times[start] >= 9 * interval - 0.4, times


@pytest.fixture
def script(server: LocalServer) -> Script:
    """A fresh ``Script``, answering every request of the session's server."""
    scripted = Script()
    server.default = scripted
    return scripted


@pytest.fixture
def spacing_holds() -> Callable[[list[float], float, int], None]:
    """The check that request times kept a job's rate (see ``_spacing_holds``)."""
    return _spacing_holds
