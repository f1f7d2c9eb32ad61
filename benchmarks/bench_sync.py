"""What the blocking ``Client`` costs over ``AsyncClient``: per request, per stream, per event.

Run: ``python -m benchmarks.bench_sync`` (``--quick`` for a smoke run, ``--help`` for the knobs).

Both clients talk to the same fast local server (``python -m openresponses.testing --fast``, a
process of its own). Rounds alternate async and sync so that a busy neighbour hits them alike;
each figure is the best round (as ``timeit`` reports: noise only ever adds time), wall clock and
CPU time (``time.process_time()``, every thread of this process: the sync client's loop thread
included). The async rounds run in an event loop on the main thread; the sync rounds run on the
same thread while that loop sits idle, so they also show the client inside a running loop.

The per-event figure is marginal: (a stream of many events - a stream of few) / (the events in
between), so the fixed cost of a stream cancels out. Targets: at most 100 µs more per request
and 1 µs more per streamed event than async.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from benchmarks._common import DELTAS_HEADER, MODEL, local_server, machine
from openresponses import AsyncClient, Client


class Figures:
    """Seconds per call in each round, async and sync: wall clock and CPU time."""

    def __init__(self) -> None:
        self.samples: dict[tuple[str, str], list[float]] = {}
        self.units = 0

    def add(self, kind: str, side: str, seconds: float) -> None:
        self.samples.setdefault((kind, side), []).append(seconds)

    def best(self, kind: str, side: str) -> float:
        return min(self.samples[(kind, side)])


class Row(NamedTuple):
    name: str
    values: dict[tuple[str, str], float]  # µs by (wall|cpu, async|sync)
    target: float | None = None  # µs the sync side may add, on both clocks


async def _measure(
    rounds: int,
    count: int,
    run_async: Callable[[], Awaitable[int]],
    run_sync: Callable[[], int],
) -> Figures:
    """Alternate ``count`` async calls and ``count`` sync calls, ``rounds`` times."""
    figures = Figures()
    figures.units = await run_async()
    run_sync()
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            await run_async()
        figures.add("wall", "async", (time.perf_counter() - wall) / count)
        figures.add("cpu", "async", (time.process_time() - cpu) / count)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(count):
            run_sync()
        figures.add("wall", "sync", (time.perf_counter() - wall) / count)
        figures.add("cpu", "sync", (time.process_time() - cpu) / count)
    return figures


_KEYS = [(kind, side) for kind in ("wall", "cpu") for side in ("async", "sync")]


def _row(name: str, figures: Figures, target: float | None = None) -> Row:
    return Row(name, {key: figures.best(*key) * 1e6 for key in _KEYS}, target)


def _marginal(name: str, small: Figures, big: Figures, target: float) -> Row:
    events = big.units - small.units
    values = {key: (big.best(*key) - small.best(*key)) / events * 1e6 for key in _KEYS}
    return Row(name, values, target)


async def measure(
    base_url: str, rounds: int, requests: int, streams: int, events: int
) -> list[Row]:
    rows: list[Row] = []
    async with AsyncClient(base_url=base_url) as aclient:
        with Client(base_url=base_url) as client:

            async def create_async() -> int:
                await aclient.responses.create(model=MODEL, input="Hi")
                return 1

            def create_sync() -> int:
                client.responses.create(model=MODEL, input="Hi")
                return 1

            gc.freeze()
            figures = await _measure(rounds, requests, create_async, create_sync)
            rows.append(_row("create, per request", figures, 100.0))

            def stream_pair(deltas: int) -> tuple[Callable[[], Awaitable[int]], Callable[[], int]]:
                headers = {DELTAS_HEADER: str(deltas)}

                async def run_async() -> int:
                    n = 0
                    async with aclient.responses.stream(
                        model=MODEL, input="Hi", extra_headers=headers
                    ) as stream:
                        async for _ in stream:
                            n += 1
                    return n

                def run_sync() -> int:
                    n = 0
                    with client.responses.stream(
                        model=MODEL, input="Hi", extra_headers=headers
                    ) as stream:
                        for _ in stream:
                            n += 1
                    return n

                return run_async, run_sync

            small = await _measure(rounds, streams, *stream_pair(1))
            rows.append(_row(f"stream of {small.units} events, per stream", small))
            big = await _measure(rounds, max(2, streams // 20), *stream_pair(events))
            rows.append(_row(f"stream of {big.units} events, per stream", big))
            rows.append(_marginal("stream, per event (marginal)", small, big, 1.0))
    return rows


def report(rows: list[Row]) -> bool:
    """Print the table; whether every target was met on both clocks."""
    heads = ["async", "sync", "extra", "async cpu", "sync cpu", "extra cpu"]
    print(f"{'µs':34}" + "".join(f"{h:>11}" for h in heads) + "     target  met")
    all_met = True
    for row in rows:
        v = row.values
        extra_wall = v[("wall", "sync")] - v[("wall", "async")]
        extra_cpu = v[("cpu", "sync")] - v[("cpu", "async")]
        cells = [v[("wall", "async")], v[("wall", "sync")], extra_wall]
        cells += [v[("cpu", "async")], v[("cpu", "sync")], extra_cpu]
        verdict = ""
        if row.target is not None:
            met = max(extra_wall, extra_cpu) <= row.target
            all_met = all_met and met
            verdict = f"   <= {row.target:<5g} {'yes' if met else 'NO'}"
        print(f"{row.name:34}" + "".join(f"{c:11.2f}" for c in cells) + verdict)
    return all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (rough figures)")
    parser.add_argument("--base-url", help="a running server (default: start a local one)")
    parser.add_argument("--rounds", type=int, default=11, help="alternating rounds (best taken)")
    parser.add_argument("--requests", type=int, default=300, help="create calls per round")
    parser.add_argument("--streams", type=int, default=200, help="small streams per round")
    parser.add_argument("--events", type=int, default=2000, help="text deltas of the long stream")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.requests, args.streams = 3, 50, 40
    settings = (args.rounds, args.requests, args.streams, args.events)
    started = time.perf_counter()
    if args.base_url:
        rows = asyncio.run(measure(args.base_url, *settings))
    else:
        with local_server() as base_url:
            rows = asyncio.run(measure(base_url, *settings))
    print(f"bench_sync: {machine()}")
    print(
        "server: python -m openresponses.testing --fast (own process);"
        f" best of {args.rounds} rounds{'; QUICK run, rough figures' if args.quick else ''}"
    )
    met = report(rows)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0 if met or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
