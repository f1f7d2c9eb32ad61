"""A batch process killed with SIGKILL at random moments, resumed each time: at the end the
output holds every ``custom_id`` exactly once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from openresponses.testing import LocalServer, RecordedRequest, Text, Turn

LINES = 400
KILLS = 5

_CHILD = """
import asyncio, sys
from openresponses import AsyncClient, RetryPolicy

async def main():
    policy = RetryPolicy(initial_delay=0.01, max_delay=0.02, jitter=0)
    async with AsyncClient(base_url=sys.argv[1], retry_policy=policy) as client:
        summary = await client.responses.batch_to_file(sys.argv[2], sys.argv[3], concurrency=8)
    print(summary.succeeded, summary.skipped, summary.failed, flush=True)

asyncio.run(main())
"""


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def test_sigkill_at_random_moments_then_resume_gives_each_id_once(
    server: LocalServer, tmp_path: Path
) -> None:
    """Five SIGKILLs, each while results are being written, then a run to the end: every id is
    in the output once, every line is whole JSON, and the server saw every request."""
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    server.default = lambda request: Turn(Text("ok"), delay=rng.uniform(0.02, 0.06))
    source = tmp_path / "in.jsonl"
    rows = (
        {"custom_id": f"c{index}", "model": "m", "input": f"req {index}"}
        if index % 2
        else {
            "custom_id": f"c{index}",
            "method": "POST",
            "url": "/v1/responses",
            "body": {"model": "m", "input": f"req {index}"},
        }
        for index in range(LINES)
    )
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    command = [sys.executable, "-c", _CHILD, server.base_url, str(source), str(output)]

    kills = 0
    for _ in range(KILLS):
        before = _size(output)
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while _size(output) == before and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.15))  # somewhere while results are being written
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            kills += 1
        _, err = child.communicate(timeout=15)
        assert child.returncode in (0, -signal.SIGKILL), err.decode()

    final = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert final.returncode == 0, final.stderr
    succeeded, skipped, failed = map(int, final.stdout.split())

    assert kills >= 3, f"seed {seed}: the batch finished before it could be killed"
    assert failed == 0
    assert succeeded + skipped == LINES
    data = output.read_bytes()
    assert data.endswith(b"\n")
    ids = Counter(json.loads(line)["custom_id"] for line in data.splitlines())
    assert ids == Counter({f"c{index}": 1 for index in range(LINES)}), f"seed {seed}"
    seen = {_input(request) for request in server.requests}
    assert seen == {f"req {index}" for index in range(LINES)}


def _input(request: RecordedRequest) -> str:
    return str(request.json["input"])
