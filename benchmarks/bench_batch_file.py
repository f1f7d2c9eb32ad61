"""``client.responses.batch_to_file`` (a JSONL file in, a JSONL file out) against the in-memory
``client.responses.batch``, on one local server; then its peak memory as the input grows.

Run: ``python -m benchmarks.bench_batch_file`` (``--quick`` for a smoke run, ``--help`` for the
knobs).

1. Throughput: both clients send the same ``--requests`` (default 100,000) requests at
   concurrency 64 to the fast local server (``python -m openresponses.testing --fast``, a
   process of its own). ``batch`` reads a lazy generator of request dicts and keeps every
   Response in a list; ``batch_to_file`` reads a JSONL file (half in the batch-file shape, half
   plain bodies) and appends one result line per request to a fresh output file.
2. Memory: ``batch_to_file`` alone, at concurrency 64, on inputs of ``--lines`` (default
   10,000 and 1,000,000) lines: the peak RSS of the run over the process's RSS before it,
   first pass (the ``custom_id`` check) included.

Each run is a fresh interpreter: imports, the client, a warm-up of 256 requests, then the
kernel's RSS high-water mark is reset (``/proc/self/clear_refs``) and the run is timed; peak
memory is ``ru_maxrss`` afterwards minus the RSS at the reset. Throughput runs alternate between
the clients, and each figure is the median over rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
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

MEMORY, FILE = "batch", "batch_to_file"
CONCURRENCY = 64
WARM_UP = 256


def _body(index: int) -> dict[str, Any]:
    return {"model": MODEL, "input": f"request {index}", "max_output_tokens": 64}


def _row(index: int) -> dict[str, Any]:
    if index % 2:
        return {"custom_id": f"r{index}", **_body(index)}
    return {
        "custom_id": f"r{index}",
        "method": "POST",
        "url": "/v1/responses",
        "body": _body(index),
    }


def write_input(path: str, count: int) -> None:
    """A JSONL input of ``count`` rows, both shapes."""
    with open(path, "w", encoding="utf-8") as handle:
        for start in range(0, count, 10_000):
            chunk = range(start, min(count, start + 10_000))
            handle.write("".join(json.dumps(_row(index)) + "\n" for index in chunk))


async def _child(name: str, base_url: str, count: int, source: str, output: str) -> None:
    from openresponses import AsyncClient

    async with AsyncClient(base_url=base_url) as client:
        warm_up = (_body(index) for index in range(WARM_UP))
        await client.responses.batch(warm_up, concurrency=CONCURRENCY)
        baseline_rss = _current_rss()
        baseline = peak_rss_reset()
        wall, cpu = time.perf_counter(), time.process_time()
        if name == MEMORY:
            results = await client.responses.batch(_bodies(count), concurrency=CONCURRENCY)
            done, failed = len(results), results.summary.failed
        else:
            summary = await client.responses.batch_to_file(source, output, concurrency=CONCURRENCY)
            done, failed = summary.succeeded + summary.failed, summary.failed
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rss = peak_rss_since_reset(baseline)
    figures = {
        "seconds": wall,
        "cpu": cpu,
        "rss": rss,
        "baseline": baseline_rss,
        "results": done,
        "failed": failed,
    }
    print(json.dumps(figures), flush=True)


def _bodies(count: int) -> Iterator[dict[str, Any]]:
    return (_body(index) for index in range(count))


def _current_rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _run_child(name: str, base_url: str, count: int, source: str) -> dict[str, float]:
    output = f"{source}.out"
    if os.path.exists(output):
        os.remove(output)
    command = [sys.executable, "-m", "benchmarks.bench_batch_file", "--child", name]
    command += ["--base-url", base_url, "--requests", str(count), "--input", source]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    finally:
        if os.path.exists(output):
            os.remove(output)
    if done.returncode:
        raise RuntimeError(f"{name} failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["results"] != count or figures["failed"]:
        raise RuntimeError(f"{name}: {figures}")
    return figures


def throughput(
    base_url: str, count: int, rounds: int, folder: str
) -> dict[str, dict[str, float]] | None:
    if not rounds:
        return None
    source = os.path.join(folder, f"in-{count}.jsonl")
    write_input(source, count)
    runs: dict[str, list[dict[str, float]]] = {MEMORY: [], FILE: []}
    for round_ in range(rounds):
        for name in runs:
            figures = _run_child(name, base_url, count, source)
            runs[name].append(figures)
            print(
                f"  .. round {round_ + 1}/{rounds} {name}: {count / figures['seconds']:,.0f} req/s,"
                f" peak +{figures['rss'] / 2**20:.1f} MiB",
                file=sys.stderr,
                flush=True,
            )
    os.remove(source)
    return {
        "rps": {n: median([count / r["seconds"] for r in rs]) for n, rs in runs.items()},
        "cpu": {n: median([r["cpu"] / count * 1e6 for r in rs]) for n, rs in runs.items()},
        "rss": {n: median([r["rss"] / 2**20 for r in rs]) for n, rs in runs.items()},
    }


def memory(base_url: str, sizes: list[int], folder: str) -> list[tuple[int, dict[str, float]]]:
    found = []
    for count in sizes:
        source = os.path.join(folder, f"in-{count}.jsonl")
        write_input(source, count)
        figures = _run_child(FILE, base_url, count, source)
        os.remove(source)
        found.append((count, figures))
        print(
            f"  .. {count:,} lines: {count / figures['seconds']:,.0f} req/s,"
            f" peak +{figures['rss'] / 2**20:.1f} MiB",
            file=sys.stderr,
            flush=True,
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (rough figures)")
    parser.add_argument("--requests", type=int, default=100_000, help="requests per batch")
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs per client (median; 0: memory runs only)"
    )
    parser.add_argument(
        "--lines",
        default="10000,1000000",
        help="comma-separated input sizes for the memory runs ('' for none)",
    )
    parser.add_argument("--base-url", help="a running server (default: start a local one)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        output = f"{args.input}.out"
        asyncio.run(_child(args.child, args.base_url, args.requests, args.input, output))
        return 0
    count = 2_000 if args.quick else args.requests
    rounds = 1 if args.quick else args.rounds
    sizes = [1_000, 10_000] if args.quick else [int(n) for n in args.lines.split(",") if n]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-batch-file-") as folder:
        if args.base_url:
            measured = throughput(args.base_url, count, rounds, folder)
            grown = memory(args.base_url, sizes, folder)
        else:
            with local_server() as base_url:
                measured = throughput(base_url, count, rounds, folder)
                grown = memory(base_url, sizes, folder)

    print(f"bench_batch_file: {machine()}")
    print(
        f"server: python -m openresponses.testing --fast (own process); {count:,} requests at"
        f" concurrency {CONCURRENCY}; median of {rounds} fresh interpreters per client"
        + ("; QUICK run, rough figures" if args.quick else "")
    )
    if measured is not None:
        metrics = [
            Metric("requests/s", "req/s", measured["rps"], Target(">=", 0.9), digits=0),
            Metric("client CPU per request", "µs", measured["cpu"]),
            Metric("peak RSS over baseline", "MiB", measured["rss"]),
        ]
        verdicts = print_table(metrics, [MEMORY, FILE], FILE)
        missed = [metric.name for metric, ok in verdicts if not ok]
        print(
            f"targets ({FILE} / {MEMORY}): {len(verdicts) - len(missed)} of {len(verdicts)} met"
            + (f"; missed: {'; '.join(missed)}" if missed else "")
        )
    if grown:
        print(f"\n{FILE} memory by input size (concurrency {CONCURRENCY}, one run each):")
        print(f"{'input lines':>12}  {'req/s':>8}  {'RSS before':>10}  {'peak over it':>12}")
        for lines, figures in grown:
            print(
                f"{lines:>12,}  {lines / figures['seconds']:>8,.0f}"
                f"  {figures['baseline'] / 2**20:>6.1f} MiB  {figures['rss'] / 2**20:>8.1f} MiB"
            )
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
