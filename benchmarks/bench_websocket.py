"""A 10-turn tool loop over one WebSocket against the same loop over HTTP, per turn.

Run: ``python -m benchmarks.bench_websocket`` (``--quick``: a smoke run; ``--help``: the knobs).

The server is ``LocalServer`` in a process of its own (so its work never lands on the client's CPU
clock), playing a model that calls one function on each of the first nine turns and answers on
the tenth; every turn resends the whole history, over HTTP and over the socket alike. Each
client runs the loop both ways:

- ``floor``: raw aiohttp with ``orjson``: a ``POST`` per turn on one pooled session (plain, or
  streamed with every ``data:`` line decoded), or one ``ws_connect`` per loop and a
  ``response.create`` message per turn, decoding events until ``response.completed``. No types,
  no checks: what any client on aiohttp costs at least.
- ``openresponses``: ``client.responses.run(tools=[lookup], ...)``, ``run_stream`` (every turn
  streamed), and ``run`` with ``connection=conn`` inside ``client.responses.connect()``.
- ``openai``: ``AsyncOpenAI().responses.create`` per turn, ``responses.stream`` per turn, and
  ``responses.connect()`` (its ``websockets`` transport) sending ``response.create`` and reading
  events to the terminal one; the loop written by hand (it has no tool runner).

Three ways, because a socket turn always streams: it does the work of a streamed HTTP turn (every
event decoded and typed), which costs more than one plain JSON answer. Like for like is
``ws / stream``; ``ws / http`` is what switching a non-streaming loop to the socket costs.

A WebSocket loop opens its socket inside the timed loop (the handshake is part of the cost); the
HTTP loops keep their pooled connection, as a long-lived client would. Figures are per turn: wall
time and client CPU (``time.process_time()``), the median over rounds, the clients interleaved
so that a busy neighbour hits them alike. The goal: over the loopback a turn on the socket is
no slower than the same streamed turn over HTTP (``ws / stream <= 1``, wall time).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple, cast

import orjson

from benchmarks._common import MODEL, machine, median

TURNS = 10
PROMPT = "Look the numbers up, one per call, then say done."
Loop = Callable[[], Awaitable[None]]
WAYS = ("http", "http stream", "ws")


class Ways(NamedTuple):
    """One client's tool loop three ways: plain POSTs, streamed POSTs, one WebSocket."""

    http: Loop
    http_stream: Loop
    ws: Loop


# -- the server (in its own process)


def _reply(request: Any) -> Any:
    """A function call until the input holds TURNS - 1 results, then the answer."""
    from openresponses.testing import Text, ToolCall

    body = request.json if isinstance(request.json, Mapping) else {}
    items = body.get("input")
    done = sum(
        1
        for item in (items if isinstance(items, list) else ())
        if isinstance(item, Mapping) and item.get("type") == "function_call_output"
    )
    if done < TURNS - 1:
        return ToolCall("lookup", {"n": done})
    return Text("done")


async def _serve() -> None:
    from openresponses.testing import LocalServer

    async with LocalServer(default=_reply) as server:
        print(server.base_url, flush=True)
        await asyncio.Event().wait()


@contextmanager
def loop_server() -> Iterator[str]:
    """The tool-loop server in a child process; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_websocket", "--serve"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the loop server did not start (printed {url!r})")
        yield url
    finally:
        process.terminate()
        process.wait(10)


# -- the loops


def _next_input(items: list[Any], output: list[Mapping[str, Any]]) -> bool:
    """Append the turn's output and each call's result; whether the model called a function."""
    called = False
    for item in output:
        items.append(item)
        if item.get("type") == "function_call":
            called = True
            items.append(
                {"type": "function_call_output", "call_id": item["call_id"], "output": "42"}
            )
    return called


def _lookup(n: int) -> str:
    """Look a number up."""
    return "42"


TOOL = {
    "type": "function",
    "name": "lookup",
    "description": "Look a number up.",
    "parameters": {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
        "additionalProperties": False,
    },
}


async def _floor_loops(base_url: str) -> tuple[Ways, Callable[[], Awaitable[None]]]:
    import aiohttp

    session = aiohttp.ClientSession()
    url = f"{base_url}/responses"
    ws_url = "ws" + url.removeprefix("http")

    async def over_http() -> None:
        items: list[Any] = [{"type": "message", "role": "user", "content": PROMPT}]
        for _ in range(TURNS):
            body = orjson.dumps({"model": MODEL, "input": items, "tools": [TOOL], "stream": False})
            async with session.post(
                url, data=body, headers={"Content-Type": "application/json"}
            ) as resp:
                data = orjson.loads(await resp.read())
            if not _next_input(items, data["output"]):
                return
        raise RuntimeError("the loop did not end")

    async def over_http_stream() -> None:
        items: list[Any] = [{"type": "message", "role": "user", "content": PROMPT}]
        for _ in range(TURNS):
            body = orjson.dumps({"model": MODEL, "input": items, "tools": [TOOL], "stream": True})
            final: Any = None
            async with session.post(
                url, data=body, headers={"Content-Type": "application/json"}
            ) as resp:
                buffer = b""
                async for chunk in resp.content.iter_any():
                    *frames, buffer = (buffer + chunk).split(b"\n\n")
                    for frame in frames:
                        for line in frame.split(b"\n"):
                            if line.startswith(b"data: ") and line != b"data: [DONE]":
                                event = orjson.loads(line[6:])
                                if event["type"] == "response.completed":
                                    final = event["response"]
            if not _next_input(items, final["output"]):
                return
        raise RuntimeError("the loop did not end")

    async def over_socket() -> None:
        items: list[Any] = [{"type": "message", "role": "user", "content": PROMPT}]
        async with session.ws_connect(ws_url) as ws:
            for _ in range(TURNS):
                message = {"type": "response.create", "model": MODEL, "input": items}
                await ws.send_bytes(orjson.dumps({**message, "tools": [TOOL]}))
                while True:
                    event = orjson.loads((await ws.receive()).data)
                    if event["type"] == "response.completed":
                        break
                if not _next_input(items, event["response"]["output"]):
                    return
        raise RuntimeError("the loop did not end")

    return Ways(over_http, over_http_stream, over_socket), session.close


async def _sdk_loops(base_url: str) -> tuple[Ways, Callable[[], Awaitable[None]]]:
    from openresponses import AsyncClient, function_tool

    client = AsyncClient(base_url=base_url, api_key="x")
    lookup = function_tool(_lookup)

    async def over_http() -> None:
        result = await client.responses.run(model=MODEL, input=PROMPT, tools=[lookup])
        assert len(result.steps) == TURNS, len(result.steps)

    async def over_http_stream() -> None:
        async with client.responses.run_stream(model=MODEL, input=PROMPT, tools=[lookup]) as run:
            result = await run.final_result()
        assert len(result.steps) == TURNS, len(result.steps)

    async def over_socket() -> None:
        async with client.responses.connect() as conn:
            result = await client.responses.run(
                model=MODEL, input=PROMPT, tools=[lookup], connection=conn
            )
        assert len(result.steps) == TURNS, len(result.steps)

    return Ways(over_http, over_http_stream, over_socket), client.aclose


async def _openai_loops(base_url: str) -> tuple[Ways, Callable[[], Awaitable[None]]]:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="x")

    def dumped(output: Any) -> list[Mapping[str, Any]]:
        return [item.model_dump(exclude_none=True) for item in output]

    async def over_http() -> None:
        items: list[Any] = [{"type": "message", "role": "user", "content": PROMPT}]
        for _ in range(TURNS):
            response = await client.responses.create(
                model=MODEL,
                input=items,
                tools=[TOOL],  # type: ignore[list-item]
            )
            if not _next_input(items, dumped(response.output)):
                return
        raise RuntimeError("the loop did not end")

    async def over_http_stream() -> None:
        items: list[Any] = [{"type": "message", "role": "user", "content": PROMPT}]
        for _ in range(TURNS):
            async with client.responses.stream(
                model=MODEL,
                input=items,
                tools=[TOOL],  # type: ignore[list-item]
            ) as stream:
                response = await stream.get_final_response()
            if not _next_input(items, dumped(response.output)):
                return
        raise RuntimeError("the loop did not end")

    async def over_socket() -> None:
        items: list[Any] = [{"type": "message", "role": "user", "content": PROMPT}]
        async with client.responses.connect() as conn:
            for _ in range(TURNS):
                create = {"type": "response.create", "model": MODEL, "input": items}
                await conn.send(cast("Any", {**create, "tools": [TOOL]}))
                async for event in conn:
                    if event.type == "response.completed":
                        break
                if not _next_input(items, dumped(event.response.output)):  # type: ignore[union-attr]
                    return
        raise RuntimeError("the loop did not end")

    return Ways(over_http, over_http_stream, over_socket), client.close


# -- measuring


async def _timed(loop: Loop, repeat: int) -> tuple[float, float]:
    """(wall, CPU) seconds per turn over ``repeat`` loops."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        await loop()
    turns = repeat * TURNS
    return (time.perf_counter() - wall) / turns, (time.process_time() - cpu) / turns


async def measure(base_url: str, rounds: int, repeat: int) -> dict[tuple[str, str], list[float]]:
    """Per-turn samples, keyed by (client, way + ``" wall"``/``" cpu"``)."""
    builders = {"floor": _floor_loops, "openresponses": _sdk_loops, "openai": _openai_loops}
    clients: dict[str, Ways] = {}
    closers: list[Callable[[], Awaitable[None]]] = []
    for name, build in builders.items():
        try:
            ways, close = await build(base_url)
        except ImportError as exc:  # openai without `websockets`, say
            print(f"{name}: not measured ({exc})", file=sys.stderr)
            continue
        clients[name] = ways
        closers.append(close)
    samples: dict[tuple[str, str], list[float]] = {}
    try:
        for ways in clients.values():  # warm up every path (imports, pools, hooks)
            for loop in ways:
                await loop()
        gc.freeze()
        for _ in range(rounds):
            for name, ways in clients.items():
                for way, loop in zip(WAYS, ways, strict=True):
                    wall, cpu = await _timed(loop, repeat)
                    samples.setdefault((name, f"{way} wall"), []).append(wall)
                    samples.setdefault((name, f"{way} cpu"), []).append(cpu)
    finally:
        for close in closers:
            await close()
    return samples


def report(samples: Mapping[tuple[str, str], list[float]]) -> bool:
    """Print the tables; whether this SDK's socket turn is no slower than its streamed HTTP turn
    (the same work: every turn streams over the socket)."""
    figures = {key: median(values) * 1e6 for key, values in samples.items()}
    clients = list(dict.fromkeys(name for name, _ in figures))
    for kind, title in (("wall", "wall time"), ("cpu", "client CPU")):
        print(f"\n{title} per turn of a {TURNS}-turn tool loop, µs (median over rounds)")
        head = f"{'client':<14}" + "".join(f"  {way:>11}" for way in WAYS)
        head += f"  {'ws / http':>9}  {'ws / stream':>11}"
        print(head)
        print("-" * len(head))
        for name in clients:
            http, stream, ws = (figures[name, f"{way} {kind}"] for way in WAYS)
            row = f"{name:<14}" + "".join(f"  {value:>11,.0f}" for value in (http, stream, ws))
            print(row + f"  {ws / http:>8.2f}x  {ws / stream:>10.2f}x")
        sdk = {way: figures["openresponses", f"{way} {kind}"] for way in WAYS}
        floor = {way: figures["floor", f"{way} {kind}"] for way in WAYS}
        print(
            "openresponses / floor: "
            + ", ".join(f"{way} {sdk[way] / floor[way]:.2f}x" for way in WAYS)
        )
    ratio = figures["openresponses", "ws wall"] / figures["openresponses", "http stream wall"]
    met = ratio <= 1.0
    print(
        f"\ntarget (openresponses wall per turn, ws / http stream <= 1.00x): {ratio:.2f}x "
        f"{'yes' if met else 'NO'}"
    )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_websocket", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (rough figures)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of every client (7)")
    parser.add_argument("--repeat", type=int, default=20, help="loops per round and way (20)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve())
        return 0
    rounds, repeat = (2, 2) if args.quick else (args.rounds, args.repeat)
    print(machine())
    print(f"rounds {rounds}, loops per round {repeat}, {TURNS} turns per loop\n")
    with loop_server() as base_url:
        samples = asyncio.run(measure(base_url, rounds, repeat))
    report(samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
