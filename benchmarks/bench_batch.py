"""``client.responses.batch`` against a plain aiohttp gather loop, on one local server.

Run: ``python -m benchmarks.bench_batch`` (``--quick`` for a smoke run, ``--help`` for the knobs).

Every client sends the same ``--requests`` (default 10,000) requests at concurrency 256 to the
fast local server (``python -m openresponses.testing --fast``, a process of its own):

- ``floor``: one ``aiohttp.ClientSession`` (pool of 256), an ``asyncio.Semaphore(256)`` and
  ``asyncio.gather`` over one coroutine per request; the JSON body posted as bytes and
  ``orjson.loads`` of each reply, every result kept. What a hand-written fan-out costs.
- ``batch``: ``client.responses.batch(requests, concurrency=256)`` over a lazy generator of
  request dicts: typed Responses, in input order, errors per item, the shared 429 gate.
- ``batch_iter``: ``client.responses.batch_iter(...)`` whose results are counted and dropped:
  memory bounded by the concurrency alone, whatever the number of requests.
- ``sdk gather``: ``client.responses.create`` in the floor's gather loop, to tell the batch
  helper's own cost from the client's.

Each run is a fresh interpreter: imports, the client, a warm-up of 256 requests, then the
kernel's RSS high-water mark is reset (``/proc/self/clear_refs``) and the batch is timed; peak
memory is ``ru_maxrss`` afterwards minus the RSS at the reset. Runs alternate between the
clients, and each figure is the median over rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from benchmarks._common import (
    MODEL,
    Metric,
    Target,
    local_server,
    machine,
    median,
    peak_rss_reset,
    peak_rss_since_reset,
    print_table,
)

FLOOR, BATCH, BATCH_ITER, SDK_GATHER = "floor", "batch", "batch_iter", "sdk gather"
CLIENTS = (FLOOR, BATCH, BATCH_ITER, SDK_GATHER)
CONCURRENCY = 256
WARM_UP = 256


def _request(index: int) -> dict[str, Any]:
    return {"model": MODEL, "input": f"request {index}", "max_output_tokens": 64}


async def _floor(base_url: str, count: int) -> Any:
    import aiohttp
    import orjson

    url = f"{base_url}/responses"
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(index: int) -> Any:
            async with (
                gate,
                session.post(url, data=orjson.dumps(_request(index)), headers=headers) as r,
            ):
                r.raise_for_status()
                return orjson.loads(await r.read())

        await asyncio.gather(*(one(index) for index in range(WARM_UP)))
        return await _timed(lambda: asyncio.gather(*(one(index) for index in range(count))), count)


async def _sdk(base_url: str, count: int, name: str) -> Any:
    from openresponses import AsyncClient, Response

    async with AsyncClient(base_url=base_url) as client:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(index: int) -> Response:
            async with gate:
                return await client.responses.create(**_request(index))

        def requests(count: int) -> Iterator[dict[str, Any]]:
            return (_request(index) for index in range(count))

        async def run(count: int) -> list[Any]:
            if name == BATCH:
                return await _batch(client, requests(count))
            if name == BATCH_ITER:
                return await _batch_iter(client, requests(count))
            return await asyncio.gather(*(one(index) for index in range(count)))

        await run(WARM_UP)
        return await _timed(lambda: run(count), count)


async def _batch(client: Any, requests: Iterator[dict[str, Any]]) -> list[Any]:
    batch = getattr(client.responses, "batch", None)
    if batch is not None:
        results: list[Any] = await batch(requests, concurrency=CONCURRENCY)
        return results
    from openresponses.batch import run_batch  # before the entry point is wired on the client

    return await run_batch(client, requests, concurrency=CONCURRENCY)


async def _batch_iter(client: Any, requests: Iterator[dict[str, Any]]) -> list[Any]:
    """Results as they complete, each dropped at once (``None`` stands in for a Response)."""
    from openresponses import AsyncBatchIterator

    opened = getattr(client.responses, "batch_iter", None)
    batch = opened(requests, concurrency=CONCURRENCY) if opened else None
    batch = batch or AsyncBatchIterator(client, requests, concurrency=CONCURRENCY)
    kept: list[Any] = []
    async with batch:
        async for _, result in batch:
            kept.append(result if isinstance(result, BaseException) else None)
    return kept


async def _timed(run: Any, count: int) -> Any:
    """Time ``run()`` and take its peak memory; print the child's figures as one JSON line."""
    baseline = peak_rss_reset()
    wall, cpu = time.perf_counter(), time.process_time()
    results = await run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss = peak_rss_since_reset(baseline)
    failed = sum(1 for result in results if isinstance(result, BaseException))
    figures = {"seconds": wall, "cpu": cpu, "rss": rss, "results": len(results), "failed": failed}
    print(json.dumps(figures), flush=True)
    return figures


def _child(name: str, base_url: str, count: int) -> None:
    if name == FLOOR:
        asyncio.run(_floor(base_url, count))
    else:
        asyncio.run(_sdk(base_url, count, name))


def _run_child(name: str, base_url: str, count: int) -> dict[str, float]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_batch",
            "--child",
            name,
            "--base-url",
            base_url,
            "--requests",
            str(count),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        raise RuntimeError(f"{name} failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["results"] != count or figures["failed"]:
        raise RuntimeError(f"{name}: {figures}")
    return figures


def measure(
    base_url: str, names: list[str], count: int, rounds: int
) -> dict[str, dict[str, float]]:
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names:
            figures = _run_child(name, base_url, count)
            runs[name].append(figures)
            print(
                f"  .. round {round_ + 1}/{rounds} {name}: {count / figures['seconds']:,.0f} req/s,"
                f" peak +{figures['rss'] / 2**20:.1f} MiB",
                file=sys.stderr,
                flush=True,
            )
    return {
        "rps": {n: median([count / r["seconds"] for r in rs]) for n, rs in runs.items()},
        "cpu": {n: median([r["cpu"] / count * 1e6 for r in rs]) for n, rs in runs.items()},
        "rss": {n: median([r["rss"] / 2**20 for r in rs]) for n, rs in runs.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (rough figures)")
    parser.add_argument("--requests", type=int, default=10_000, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=3, help="runs per client (median)")
    parser.add_argument("--base-url", help="a running server (default: start a local one)")
    parser.add_argument(
        "--clients",
        default=",".join(CLIENTS),
        help="comma-separated clients to measure, the floor first (default: all)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        _child(args.child, args.base_url, args.requests)
        return 0
    names = [name.strip() for name in args.clients.split(",") if name.strip()]
    unknown = set(names) - set(CLIENTS)
    if unknown:
        parser.error(f"unknown clients: {', '.join(sorted(unknown))}")
    count = 1_000 if args.quick else args.requests
    rounds = 1 if args.quick else args.rounds
    started = time.perf_counter()
    if args.base_url:
        measured = measure(args.base_url, names, count, rounds)
    else:
        with local_server() as base_url:
            measured = measure(base_url, names, count, rounds)

    print(f"bench_batch: {machine()}")
    print(
        f"server: python -m openresponses.testing --fast (own process); {count:,} requests at"
        f" concurrency {CONCURRENCY}; median of {rounds} fresh interpreters per client"
        + ("; QUICK run, rough figures" if args.quick else "")
    )
    metrics = [
        Metric("requests/s", "req/s", measured["rps"], Target(">=", 0.8), digits=0),
        Metric("client CPU per request", "µs", measured["cpu"]),
        Metric("peak RSS over baseline", "MiB", measured["rss"], Target("<=", 1.3)),
    ]
    verdicts = print_table(metrics, names, BATCH if BATCH in names else names[-1])
    missed = [metric.name for metric, ok in verdicts if not ok]
    print(
        f"targets ({BATCH} / floor): {len(verdicts) - len(missed)} of {len(verdicts)} met"
        + (f"; missed: {'; '.join(missed)}" if missed else "")
    )
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
