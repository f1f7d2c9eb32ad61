"""A 10-turn tool loop over one WebSocket against the same loop over HTTP, per turn.

Run: ``python -m benchmarks.bench_websocket`` (``--quick`` for a smoke run, ``--help`` for the knobs).

The server is ``LocalServer`` in a process of its own (so its work never lands on the client's CPU
clock), playing a model that calls one function on each of the first nine turns and answers on
the tenth; every turn resends the whole history, over HTTP and over the socket alike. Each
client runs the loop both ways:

- ``floor``: raw aiohttp with ``orjson``: a ``POST`` per turn on one pooled session, or one
  ``ws_connect`` per loop and a ``response.create`` message per turn, reading events until
  ``response.completed``. No types, no checks: what any client on aiohttp costs at least.
- ``openresponses``: ``client.responses.run(tools=[lookup], ...)``, and the same call with
  ``connection=conn`` inside ``async with client.responses.connect() as conn``.
- ``openai``: ``AsyncOpenAI().responses.create`` per turn, and ``responses.connect()`` (its
  ``websockets`` transport) sending ``response.create`` and reading events to the terminal one,
  the loop written by hand as its documentation shows (it has no tool runner).

A WebSocket loop opens its socket inside the timed loop (the handshake is part of the cost); the
HTTP loops keep their pooled connection, as a long-lived client would. Figures are per turn: wall
time and client CPU (``time.process_time()``), the median over rounds, the clients interleaved
so that a busy neighbour hits them alike. The goal: over the loopback a turn on the socket is
no slower than a turn over HTTP (``ws / http <= 1``).
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
from typing import Any

import orjson

from benchmarks._common import MODEL, machine, median

TURNS = 10
PROMPT = "Look the numbers up, one per call, then say done."
Loop = Callable[[], Awaitable[None]]


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


async def _floor_loops(base_url: str) -> tuple[Loop, Loop, Callable[[], Awaitable[None]]]:
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

    return over_http, over_socket, session.close


async def _sdk_loops(base_url: str) -> tuple[Loop, Loop, Callable[[], Awaitable[None]]]:
    from openresponses import AsyncClient, function_tool

    client = AsyncClient(base_url=base_url, api_key="x")
    lookup = function_tool(_lookup)

    async def over_http() -> None:
        result = await client.responses.run(model=MODEL, input=PROMPT, tools=[lookup])
        assert len(result.responses) == TURNS, len(result.responses)

    async def over_socket() -> None:
        async with client.responses.connect() as conn:
            result = await client.responses.run(
                model=MODEL, input=PROMPT, tools=[lookup], connection=conn
            )
        assert len(result.responses) == TURNS, len(result.responses)

    return over_http, over_socket, client.aclose


async def _openai_loops(base_url: str) -> tuple[Loop, Loop, Callable[[], Awaitable[None]]]:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="x")

    def dumped(output: Any) -> list[Mapping[str, Any]]:
        return [item.model_dump(exclude_none=True) for item in output]

    async def over_http() -> None:
        items: list[Any] = [{"type": "message", "role": "user", "content": PROMPT}]
        for _ in range(TURNS):
            response = await client.responses.create(
                model=MODEL, input=items, tools=[TOOL]  # type: ignore[list-item]
            )
            if not _next_input(items, dumped(response.output)):
                return
        raise RuntimeError("the loop did not end")

    async def over_socket() -> None:
        items: list[Any] = [{"type": "message", "role": "user", "content": PROMPT}]
        async with client.responses.connect() as conn:
            for _ in range(TURNS):
                await conn.send(
                    {"type": "response.create", "model": MODEL, "input": items, "tools": [TOOL]}  # type: ignore[typeddict-item]
                )
                async for event in conn:
                    if event.type == "response.completed":
                        break
                if not _next_input(items, dumped(event.response.output)):  # type: ignore[union-attr]
                    return
        raise RuntimeError("the loop did not end")

    return over_http, over_socket, client.close


# -- measuring


async def _timed(loop: Loop, repeat: int) -> tuple[float, float]:
    """(wall, CPU) seconds per turn over ``repeat`` loops."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        await loop()
    turns = repeat * TURNS
    return (time.perf_counter() - wall) / turns, (time.process_time() - cpu) / turns


async def measure(base_url: str, rounds: int, repeat: int) -> dict[tuple[str, str], list[float]]:
    """Per-turn samples, keyed by (client, ``"http"``/``"ws"`` + ``" wall"``/``" cpu"``)."""
    builders = {"floor": _floor_loops, "openresponses": _sdk_loops, "openai": _openai_loops}
    loops: dict[str, tuple[Loop, Loop]] = {}
    closers: list[Callable[[], Awaitable[None]]] = []
    for name, build in builders.items():
        try:
            http, ws, close = await build(base_url)
        except ImportError as exc:  # openai without `websockets`, say
            print(f"{name}: not measured ({exc})", file=sys.stderr)
            continue
        loops[name] = (http, ws)
        closers.append(close)
    samples: dict[tuple[str, str], list[float]] = {}
    try:
        for http, ws in loops.values():  # warm up every path (imports, pools, hooks)
            await http()
            await ws()
        gc.freeze()
        for _ in range(rounds):
            for name, (http, ws) in loops.items():
                for way, loop in (("http", http), ("ws", ws)):
                    wall, cpu = await _timed(loop, repeat)
                    samples.setdefault((name, f"{way} wall"), []).append(wall)
                    samples.setdefault((name, f"{way} cpu"), []).append(cpu)
    finally:
        for close in closers:
            await close()
    return samples


def report(samples: Mapping[tuple[str, str], list[float]]) -> bool:
    """Print the table; whether this SDK's socket turn is no slower than its HTTP turn."""
    figures = {key: median(values) * 1e6 for key, values in samples.items()}
    clients = list(dict.fromkeys(name for name, _ in figures))
    head = (
        f"{'client':<14}  {'wall/turn http':>14}  {'wall/turn ws':>12}  {'ws / http':>9}"
        f"  {'CPU/turn http':>13}  {'CPU/turn ws':>11}  {'ws / http':>9}"
    )
    print("per turn of a 10-turn tool loop, µs (median over rounds)")
    print(head)
    print("-" * len(head))
    for name in clients:
        hw, ww = figures[name, "http wall"], figures[name, "ws wall"]
        hc, wc = figures[name, "http cpu"], figures[name, "ws cpu"]
        print(
            f"{name:<14}  {hw:>14,.0f}  {ww:>12,.0f}  {ww / hw:>8.2f}x"
            f"  {hc:>13,.0f}  {wc:>11,.0f}  {wc / hc:>8.2f}x"
        )
    sdk, floor = "openresponses", "floor"
    for way in ("http", "ws"):
        print(
            f"openresponses / floor over {way}: wall "
            f"{figures[sdk, f'{way} wall'] / figures[floor, f'{way} wall']:.2f}x, CPU "
            f"{figures[sdk, f'{way} cpu'] / figures[floor, f'{way} cpu']:.2f}x"
        )
    ratio = figures[sdk, "ws wall"] / figures[sdk, "http wall"]
    met = ratio <= 1.0
    print(f"target (openresponses ws / http wall <= 1.00x): {ratio:.2f}x {'yes' if met else 'NO'}")
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
