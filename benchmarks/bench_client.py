"""The async client against the raw aiohttp floor and the openai SDK, on one local server.

Run: ``python -m benchmarks.bench_client`` (``--quick`` for a smoke run, ``--help`` for the knobs).

Three clients talk to the same fast local server (``python -m openresponses.testing --fast``, a
process of its own, so its work never lands on the client's CPU clock):

- ``floor``: one ``aiohttp.ClientSession``, the JSON body posted as bytes, ``orjson.loads`` of the
  reply; for streams ``iter_any()``, a split on blank lines and ``orjson.loads`` of each data line.
  No types, no validation, no retries: what any client on aiohttp costs at least. Its pool holds
  256 connections, like the SDK's default.
- ``openresponses``: ``AsyncClient().responses.create(...)`` / ``.stream(...)``, defaults.
- ``openai``: ``AsyncOpenAI(base_url=..., api_key="x").responses.create(...)`` / ``.stream(...)``
  (the helper that accumulates, as ours does), defaults (httpx keeps 100 idle connections).

CPU figures are ``time.process_time()`` of this process divided by the work done. Rounds run the
clients in turn (floor, openresponses, openai, floor, ...) so a busy neighbour on the machine hits
them alike, after a warm-up of every client; CPU times and latencies are the median over rounds,
rates (requests/s, events/s) the best round. The long stream runs three rounds, and in each the
floor and this SDK stream three times in turn (openai, a hundred times slower, once): nine
samples for their median, which one disturbed stream no longer moves. Everything already
imported is frozen out of the garbage collector (``gc.freeze()``) before measuring, so one
client's imports do not slow another's collections.

Peak memory runs each client in a fresh interpreter: imports, the client, one warm-up request,
then the kernel's RSS high-water mark is reset (``/proc/self/clear_refs``; elsewhere than Linux
the baseline is the ``ru_maxrss`` so far) and the figure is ``ru_maxrss`` after 512 requests at
concurrency 256 minus the RSS at the reset: new connections, buffers and objects included; the
median of three children. The row below it is the process's own peak (that baseline plus the
rise): a client that keeps less after its first request starts lower and so rises more, and
only the two together say which used more. A second batch in the last child, under
``tracemalloc``, gives the peak of Python allocations.
Import time is the best of fresh interpreters timing the imports and the first client
construction (interpreter start excluded), from cached bytecode as an installed package has it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import sys
import time
from collections.abc import Awaitable, Callable, Mapping

from benchmarks._common import (
    DELTAS_HEADER,
    MODEL,
    PYCACHE_ENV,
    Metric,
    Target,
    import_command,
    last_lines,
    local_server,
    machine,
    median,
    peak_rss_reset,
    peak_rss_since_reset,
    print_table,
)

FLOOR, SDK, OPENAI = "floor", "openresponses", "openai"
POOL = 256  # the SDK's default connection pool; the floor gets the same


class Variant:
    """One client under test: a plain request, and a stream counted event by event."""

    name = ""

    async def start(self, base_url: str) -> None:
        raise NotImplementedError

    async def create(self) -> object:
        raise NotImplementedError

    async def stream(self, headers: Mapping[str, str]) -> tuple[int, float]:
        """Read one whole stream; return (events, seconds from the call to the first event)."""
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError


class Floor(Variant):
    """aiohttp + orjson, untyped: the least any aiohttp-based client can do."""

    name = FLOOR

    async def start(self, base_url: str) -> None:
        import aiohttp
        import orjson

        self._loads = orjson.loads
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=POOL))
        self._url = f"{base_url}/responses"
        self._body = orjson.dumps({"model": MODEL, "input": "Hi", "stream": False})
        self._stream_body = orjson.dumps({"model": MODEL, "input": "Hi", "stream": True})
        self._headers = {"Content-Type": "application/json"}

    async def create(self) -> object:
        async with self._session.post(self._url, data=self._body, headers=self._headers) as resp:
            return self._loads(await resp.read())

    async def stream(self, headers: Mapping[str, str]) -> tuple[int, float]:
        loads = self._loads
        started = time.perf_counter()
        first = 0.0
        count = 0
        rest = b""
        async with self._session.post(
            self._url, data=self._stream_body, headers={**self._headers, **headers}
        ) as resp:
            async for chunk in resp.content.iter_any():
                frames = (rest + chunk).split(b"\n\n")
                rest = frames.pop()
                for frame in frames:
                    at = frame.find(b"data: ")
                    if at < 0 or frame.endswith(b"[DONE]"):
                        continue
                    loads(frame[at + 6 :])
                    if not count:
                        first = time.perf_counter()
                    count += 1
        return count, first - started

    async def aclose(self) -> None:
        await self._session.close()


class OpenResponses(Variant):
    """This SDK: typed attrs objects, validation, retries, the stream accumulator."""

    name = SDK

    async def start(self, base_url: str) -> None:
        from openresponses import AsyncClient

        self._client = AsyncClient(base_url=base_url)

    async def create(self) -> object:
        return await self._client.responses.create(model=MODEL, input="Hi")

    async def stream(self, headers: Mapping[str, str]) -> tuple[int, float]:
        started = time.perf_counter()
        first = 0.0
        count = 0
        async with self._client.responses.stream(
            model=MODEL, input="Hi", extra_headers=headers
        ) as stream:
            async for _ in stream:
                if not count:
                    first = time.perf_counter()
                count += 1
        return count, first - started

    async def aclose(self) -> None:
        await self._client.aclose()


class OpenAI(Variant):
    """The openai SDK (httpx + pydantic), its stream helper accumulating like ours."""

    name = OPENAI

    async def start(self, base_url: str) -> None:
        import openai

        self._client = openai.AsyncOpenAI(base_url=base_url, api_key="x")

    async def create(self) -> object:
        return await self._client.responses.create(model=MODEL, input="Hi")

    async def stream(self, headers: Mapping[str, str]) -> tuple[int, float]:
        started = time.perf_counter()
        first = 0.0
        count = 0
        async with self._client.responses.stream(
            model=MODEL, input="Hi", extra_headers=dict(headers)
        ) as stream:
            async for _ in stream:
                if not count:
                    first = time.perf_counter()
                count += 1
        return count, first - started

    async def aclose(self) -> None:
        await self._client.close()


VARIANTS: dict[str, type[Variant]] = {FLOOR: Floor, SDK: OpenResponses, OPENAI: OpenAI}

IMPORTS = {
    FLOOR: "import aiohttp, orjson",
    SDK: "import openresponses; openresponses.AsyncClient()",
    OPENAI: "import openai; openai.AsyncOpenAI(api_key='x')",
}


# -- measurements


async def sequential(variant: Variant, count: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per request, ``count`` requests one after another."""
    create = variant.create
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        await create()
    return (time.process_time() - cpu) / count, (time.perf_counter() - wall) / count


async def concurrent(
    create: Callable[[], Awaitable[object]], concurrency: int, total: int
) -> tuple[float, float]:
    """(requests/s, CPU seconds per request) for ``total`` requests by ``concurrency`` tasks."""
    left = total

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await create()

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - wall), (time.process_time() - cpu) / total


async def big_stream(variant: Variant, deltas: int) -> tuple[float, float, float, int]:
    """One long stream: (events per second, CPU seconds per event, first event s, events)."""
    headers = {DELTAS_HEADER: str(deltas)}
    wall, cpu = time.perf_counter(), time.process_time()
    events, first = await variant.stream(headers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return events / wall, cpu / events, first, events


async def first_events(variant: Variant, count: int) -> list[float]:
    """Seconds to the first event of ``count`` short (default-size) streams, one after another."""
    return [(await variant.stream({}))[1] for _ in range(count)]


class Settings:
    """How much work each measurement does (``--quick`` shrinks it all).

    Counts adapt to each client's speed, measured during its warm-up: a round of sequential
    requests lasts about ``sequential_budget`` seconds (and at most ``sequential`` requests), a
    concurrent round about ``concurrent_budget`` seconds (at least ``waves`` full waves).
    """

    def __init__(self, args: argparse.Namespace) -> None:
        quick = self.quick = args.quick
        self.rounds = args.rounds or (2 if quick else 5)
        self.sequential = 100 if quick else 1000
        self.sequential_budget = 0.05 if quick else 0.3
        self.concurrent_rounds = 1 if quick else 3
        self.concurrent_budget = 0.1 if quick else 0.8
        self.waves = 1 if quick else 2
        self.deltas = args.deltas or (2_000 if quick else 20_000)
        self.stream_rounds = 1 if quick else 3
        # Streams per round for the clients that take about a tenth of a second for one (all
        # but openai, which takes seconds): nine samples, not three, for their median.
        self.stream_repeats = 1 if quick else 3
        self.short_streams = 10 if quick else 100
        self.memory_requests = 256 if quick else 512
        self.memory_repeat = 1 if quick else 3
        self.import_repeat = 1 if quick else 5


async def measure(
    base_url: str, names: list[str], s: Settings, log: Callable[[str], None]
) -> dict[str, dict[str, float]]:
    """Every in-process figure, per client: {metric key: {client: value}}."""
    variants = [VARIANTS[name]() for name in names]
    for variant in variants:
        await variant.start(base_url)
    figures: dict[str, dict[str, list[float]]] = {}

    def add(key: str, name: str, value: float) -> None:
        figures.setdefault(key, {}).setdefault(name, []).append(value)

    try:
        log("warming up every client")
        latency: dict[str, float] = {}
        rate: dict[str, float] = {}
        # The first long stream makes the server build (and cache) that answer: not timed.
        await variants[0].stream({DELTAS_HEADER: str(s.deltas)})
        for variant in variants:
            latency[variant.name] = (await sequential(variant, 20))[1]
            await variant.stream({})
            await variant.stream({DELTAS_HEADER: "200"})
            wave = 64 if s.quick else 256
            rate[variant.name] = (await concurrent(variant.create, wave, wave))[0]
        gc.collect()
        gc.freeze()

        log(f"sequential requests: {s.rounds} rounds of about {s.sequential_budget} s each")
        for _ in range(s.rounds):
            for variant in variants:
                count = int(s.sequential_budget / latency[variant.name])
                cpu, wall = await sequential(variant, max(20, min(s.sequential, count)))
                add("cpu_request", variant.name, cpu)
                add("latency", variant.name, wall)

        for concurrency in (64, 256):
            log(f"concurrency {concurrency}: {s.concurrent_rounds} rounds")
            for _ in range(s.concurrent_rounds):
                for variant in variants:
                    total = int(s.concurrent_budget * rate[variant.name])
                    total = max(s.waves * concurrency, total)
                    rps, cpu = await concurrent(variant.create, concurrency, total)
                    add(f"rps{concurrency}", variant.name, rps)
                    add(f"cpu{concurrency}", variant.name, cpu)

        log(f"streams of {s.deltas:,} deltas: {s.stream_rounds} rounds of {s.stream_repeats}")
        counts: dict[str, int] = {}
        for _ in range(s.stream_rounds):
            for repeat in range(s.stream_repeats):
                for variant in variants:
                    if repeat and variant.name == OPENAI:
                        continue  # one stream a round: it alone takes seconds
                    per_s, cpu, first, events = await big_stream(variant, s.deltas)
                    add("events_per_s", variant.name, per_s)
                    add("cpu_event", variant.name, cpu)
                    add("first_big", variant.name, first)
                    counts[variant.name] = events
        if len(set(counts.values())) != 1:
            raise RuntimeError(f"the clients saw different event counts: {counts}")

        log(f"time to first event: {s.rounds} rounds of {s.short_streams} short streams")
        for _ in range(s.rounds):
            for variant in variants:
                for sample in await first_events(variant, s.short_streams):
                    add("first_small", variant.name, sample)
    finally:
        gc.unfreeze()
        for variant in variants:
            await variant.aclose()
    return {
        key: {n: (max(v) if key in _BEST_OF else median(v)) for n, v in per.items()}
        for key, per in figures.items()
    }


# Rates come from the wall clock, which a busy neighbour only ever slows: the best round is the
# least disturbed one. CPU times and latencies take the median.
_BEST_OF = frozenset({"rps64", "rps256", "events_per_s"})


# -- fresh interpreters


def _memory_command(base_url: str, name: str, s: Settings, *, traced: bool) -> list[str]:
    return [
        sys.executable,
        "-m",
        "benchmarks.bench_client",
        "--memory-child",
        name,
        "--base-url",
        base_url,
        "--memory-requests",
        str(s.memory_requests),
        *([] if traced else ["--no-tracemalloc"]),
    ]


def fresh_interpreters(base_url: str, names: list[str], s: Settings) -> dict[str, dict[str, float]]:
    """Peak memory at concurrency 256 and import time, each in fresh interpreters.

    Peak RSS is the median of ``memory_repeat`` children (the last one also traces), import
    time the best of ``import_repeat``. A quick run starts them all at once (rough figures in
    seconds instead of a minute).
    """
    n = s.memory_repeat
    memory = [
        _memory_command(base_url, name, s, traced=not s.quick and i == n - 1)
        for name in names
        for i in range(n)
    ]
    imports = [import_command(IMPORTS[name]) for name in names for _ in range(s.import_repeat)]
    if s.quick:
        # The memory children do not mind the bytecode cache; the import timings need it.
        lines = last_lines(memory + imports, parallel=True, env=PYCACHE_ENV)
        memory_lines, import_lines = lines[: len(memory)], lines[len(memory) :]
    else:
        memory_lines = last_lines(memory)
        import_lines = last_lines(imports, env=PYCACHE_ENV)
    found: dict[str, dict[str, float]] = {"rss": {}, "peak": {}, "traced": {}, "import": {}}
    for i, name in enumerate(names):
        children = [json.loads(line) for line in memory_lines[i * n : (i + 1) * n]]
        found["rss"][name] = median([child["rss"] for child in children]) / 2**20
        found["peak"][name] = median([child["peak"] for child in children]) / 2**20
        traced = children[-1]["traced"]
        found["traced"][name] = float("nan") if traced is None else traced / 2**20
        runs = import_lines[i * s.import_repeat : (i + 1) * s.import_repeat]
        found["import"][name] = 1000 * min(float(line) for line in runs)
    return found


async def _memory_child(
    name: str, base_url: str, requests: int, traced: bool
) -> dict[str, int | None]:
    """In a fresh interpreter: peak RSS of the first concurrent batch, then traced peak."""
    import tracemalloc

    variant = VARIANTS[name]()
    await variant.start(base_url)
    try:
        await variant.create()  # lazy imports and first-call caches are part of the baseline
        gc.collect()
        baseline = peak_rss_reset()
        await concurrent(variant.create, 256, requests)
        rss = peak_rss_since_reset(baseline)
        # The whole process too: a client that keeps less after its first request starts the
        # measured batch lower, and its figure over that baseline grows by what it saved.
        process_peak = baseline + rss
        peak = None
        if traced:
            gc.collect()
            tracemalloc.start()
            await concurrent(variant.create, 256, requests)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    finally:
        await variant.aclose()
    return {"rss": rss, "peak": process_peak, "traced": peak}


# -- the report


def report(
    measured: dict[str, dict[str, float]],
    fresh: dict[str, dict[str, float]],
    names: list[str],
    s: Settings,
) -> None:
    us = {key: {n: v * 1e6 for n, v in per.items()} for key, per in measured.items()}
    ms = {key: {n: v * 1e3 for n, v in per.items()} for key, per in measured.items()}
    deltas = f"{s.deltas:,}-delta stream"
    metrics = [
        Metric("client CPU per request, sequential", "µs", us["cpu_request"], Target("<=", 1.3)),
        Metric("latency per request, sequential", "µs", us["latency"]),
        Metric("requests/s, concurrency 64", "req/s", measured["rps64"], digits=0),
        Metric("client CPU per request, concurrency 64", "µs", us["cpu64"]),
        Metric(
            "requests/s, concurrency 256",
            "req/s",
            measured["rps256"],
            Target(">=", 0.8),
            digits=0,
        ),
        Metric("client CPU per request, concurrency 256", "µs", us["cpu256"]),
        Metric(f"events/s, {deltas}", "ev/s", measured["events_per_s"], digits=0),
        Metric(f"CPU per event, {deltas}", "µs", us["cpu_event"], Target("<=", 2.0), digits=2),
        Metric(
            "time to first event, 20-delta stream", "ms", ms["first_small"], Target("<=", 1.5), 3
        ),
        Metric(f"time to first event, {deltas}", "ms", ms["first_big"], digits=3),
        Metric("peak RSS over baseline, concurrency 256", "MiB", fresh["rss"], Target("<=", 1.3)),
        Metric("peak RSS of the process, concurrency 256", "MiB", fresh["peak"]),
        Metric("peak traced memory, concurrency 256", "MiB", fresh["traced"]),
        Metric("import + first client", "ms", fresh["import"], Target("<", 250, ratio=False)),
    ]
    verdicts = print_table(metrics, names, SDK if SDK in names else names[-1])
    missed = [metric.name for metric, ok in verdicts if not ok]
    print(
        f"targets ({SDK} / floor): {len(verdicts) - len(missed)} of {len(verdicts)} met"
        + (f"; missed: {'; '.join(missed)}" if missed else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (rough figures)")
    parser.add_argument("--base-url", help="a running server (default: start a local one)")
    parser.add_argument("--rounds", type=int, default=0, help="rounds per measurement (median)")
    parser.add_argument("--deltas", type=int, default=0, help="text deltas of the long stream")
    parser.add_argument(
        "--clients",
        help="comma-separated clients, the floor first (default: all three; --quick: no openai)",
    )
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    parser.add_argument("--memory-requests", type=int, default=512, help=argparse.SUPPRESS)
    parser.add_argument("--no-tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        found = asyncio.run(
            _memory_child(
                args.memory_child, args.base_url, args.memory_requests, not args.no_tracemalloc
            )
        )
        print(json.dumps(found))
        return 0

    # openai costs twenty times the CPU of the others: a smoke run leaves it out unless asked.
    clients = args.clients or (f"{FLOOR},{SDK}" if args.quick else ",".join(VARIANTS))
    names = [n.strip() for n in clients.split(",") if n.strip()]
    unknown = set(names) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown clients: {', '.join(sorted(unknown))}")
    if OPENAI in names and importlib.util.find_spec("openai") is None:
        print("openai is not installed (dependency group `benchmarks`): skipping it")
        names.remove(OPENAI)
    s = Settings(args)

    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"  {time.perf_counter() - started:5.1f} s  {message}", file=sys.stderr, flush=True)

    if args.base_url:
        return _run(args.base_url, names, s, log, started)
    with local_server() as base_url:
        return _run(base_url, names, s, log, started)


def _run(
    base_url: str, names: list[str], s: Settings, log: Callable[[str], None], started: float
) -> int:
    # Fresh interpreters first, while the server is fresh: after the in-process rounds (thousands
    # of connections opened and closed) aiohttp's first concurrent batch was seen peaking 40 to 70
    # MiB higher on this machine, for the floor and this SDK alike, in RSS only (not tracemalloc).
    log(
        f"peak memory at concurrency 256 ({s.memory_requests} requests, median of"
        f" {s.memory_repeat}) and import time (best of {s.import_repeat}): fresh interpreters"
    )
    fresh = fresh_interpreters(base_url, names, s)
    measured = asyncio.run(measure(base_url, names, s, log))
    print(f"bench_client: {machine()}")
    print(
        f"server: python -m openresponses.testing --fast (own process); {s.rounds} rounds:"
        " CPU and latency the median, rates the best round"
        + ("; QUICK run, rough figures" if s.quick else "")
    )
    report(measured, fresh, names, s)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
