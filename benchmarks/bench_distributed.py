"""Ray (2 actors) and Dask (2 worker processes) against the in-process ``batch``, same work.

Run: ``python -m benchmarks.bench_distributed`` (``--quick`` for a smoke run); it needs the
``ray`` and ``dask`` extras. Every client answers the same ``--requests`` (default 5,000)
requests, sent to the fast local server (``python -m openresponses.testing --fast``, a process
of its own):

- ``batch``: ``client.responses.batch(requests, concurrency=64)`` in this process;
- ``ray``: ``openresponses.ray.map_responses`` on a local Ray (``num_cpus=2``), 2 actors of 32
  requests in flight each, pandas batches of 250 rows, ``take_all()`` of the answered dataset;
- ``dask``: ``openresponses.dask.map_responses`` on a ``LocalCluster`` of 2 worker processes,
  32 requests in flight each, 20 partitions, ``compute()``.

Each engine runs a job of 10 requests first (its fixed cost: Ray starts its actors for every
job) and then the full job; the marginal time per request is the difference of the two walls
over the difference of the counts, so the fixed cost drops out. Ray and Dask start once (not
timed). Figures are medians over rounds; the machine's two cores carry the server, the engine's
workers and its scheduler at once, so these are an upper bound of the overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks._common import MODEL, Metric, local_server, machine, median, print_table

BATCH, RAY, DASK = "batch", "ray", "dask"
ENGINES = (BATCH, RAY, DASK)
SMALL = 10


def _rows(count: int) -> list[dict[str, Any]]:
    return [{"custom_id": f"r{index}", "input": f"request {index}"} for index in range(count)]


def _batch_job(base_url: str) -> Callable[[int], int]:
    from openresponses import AsyncClient, Response

    async def run(count: int) -> int:
        requests = (
            {"model": MODEL, "input": row["input"], "max_output_tokens": 64} for row in _rows(count)
        )
        async with AsyncClient(base_url=base_url) as client:
            results = await client.responses.batch(requests, concurrency=64)
        return sum(isinstance(result, Response) for result in results)

    return lambda count: asyncio.run(run(count))


def _ray_job(base_url: str) -> Callable[[int], int]:
    import ray
    import ray.data

    from openresponses.ray import map_responses

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=200 * 1024 * 1024,
        log_to_driver=False,
        configure_logging=False,
    )
    ray.data.DataContext.get_current().enable_progress_bars = False

    def run(count: int) -> int:
        answered = map_responses(
            ray.data.from_items(_rows(count)),
            model=MODEL,
            client_options={"base_url": base_url},
            defaults={"max_output_tokens": 64},
            actors=2,
            batch_size=250,
        )
        return sum(row["error"] is None for row in answered.take_all())

    return run


def _dask_job(base_url: str) -> tuple[Callable[[int], int], Any]:
    import dask.dataframe
    import pandas as pd  # type: ignore[import-untyped]
    from distributed import Client, LocalCluster

    from openresponses.dask import map_responses

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)

    def run(count: int) -> int:
        frame = dask.dataframe.from_pandas(pd.DataFrame(_rows(count)), npartitions=20)
        answered = map_responses(
            frame,
            model=MODEL,
            client_options={"base_url": base_url},
            defaults={"max_output_tokens": 64},
        ).compute()
        return int(answered["error"].isna().sum())

    def close() -> None:
        client.close()
        cluster.close()

    return run, close


def _timed(run: Callable[[int], int], count: int) -> float:
    started = time.perf_counter()
    answered = run(count)
    wall = time.perf_counter() - started
    if answered != count:
        raise RuntimeError(f"{answered} of {count} requests answered")
    return wall


def measure(base_url: str, names: list[str], count: int, rounds: int) -> dict[str, Any]:
    jobs: dict[str, Callable[[int], int]] = {}
    closers: list[Callable[[], None]] = []
    if BATCH in names:
        jobs[BATCH] = _batch_job(base_url)
    if RAY in names:
        jobs[RAY] = _ray_job(base_url)
    if DASK in names:
        jobs[DASK], close = _dask_job(base_url)
        closers.append(close)
    small: dict[str, list[float]] = {name: [] for name in jobs}
    full: dict[str, list[float]] = {name: [] for name in jobs}
    try:
        for run in jobs.values():
            _timed(run, SMALL)  # warm-up: imports, connections, the workers' first job
        for round_ in range(rounds):
            for name, run in jobs.items():
                small[name].append(_timed(run, SMALL))
                full[name].append(_timed(run, count))
                print(
                    f"  .. round {round_ + 1}/{rounds} {name}: {SMALL} in {small[name][-1]:.2f}"
                    f" s, {count:,} in {full[name][-1]:.2f} s",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        for close in closers:
            close()
    walls = {name: median(values) for name, values in full.items()}
    fixed = {name: median(values) for name, values in small.items()}
    return {
        "wall": walls,
        "fixed": fixed,
        "rps": {name: count / wall for name, wall in walls.items()},
        "marginal": {name: (walls[name] - fixed[name]) / (count - SMALL) * 1e6 for name in walls},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (rough figures)")
    parser.add_argument("--requests", type=int, default=5_000, help="requests per job")
    parser.add_argument("--rounds", type=int, default=3, help="jobs per engine (median)")
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="comma-separated, batch first (default: all)"
    )
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.engines.split(",") if name.strip()]
    if set(names) - set(ENGINES) or names[:1] != [BATCH]:
        parser.error(f"--engines: {BATCH} first, then any of {', '.join(ENGINES[1:])}")
    count = 500 if args.quick else args.requests
    rounds = 1 if args.quick else args.rounds
    started = time.perf_counter()
    with local_server() as base_url:
        measured = measure(base_url, names, count, rounds)

    print(f"bench_distributed: {machine()}")
    print(
        f"server: python -m openresponses.testing --fast (own process); {count:,} requests per"
        f" job; median of {rounds} jobs per engine"
        + ("; QUICK run, rough figures" if args.quick else "")
    )
    print_table(
        [
            Metric(f"wall, {count:,} requests", "s", measured["wall"], digits=2),
            Metric(f"wall, {SMALL} requests (fixed cost)", "s", measured["fixed"], digits=2),
            Metric("requests/s", "req/s", measured["rps"], digits=0),
            Metric("marginal time per request", "µs", measured["marginal"], digits=0),
        ],
        names,
        names[-1],
    )
    base = measured["marginal"][BATCH]
    for name in names[1:]:
        extra = measured["marginal"][name] - base
        print(
            f"{name}: {extra:+,.0f} µs per request over the in-process batch, plus"
            f" {measured['fixed'][name] - measured['fixed'][BATCH]:.2f} s per job"
        )
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
