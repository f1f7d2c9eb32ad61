"""``python -m openresponses.testing``: run the local server in its own process, print its URL."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from ._server import LocalServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m openresponses.testing",
        description=(
            "Run a local Open Responses server (HTTP, WebSocket mode, /responses/compact);"
            " the first line printed is its base URL."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=0, help="port to bind (default 0: any free port)"
    )
    parser.add_argument(
        "--fast",
        action="store_true",
        help="serve a precomputed answer over HTTP only and record nothing (for benchmarks)",
    )
    parser.add_argument("--deltas", type=int, default=None, help="text deltas per streamed answer")
    return parser


async def _serve(server: LocalServer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Not on Windows: there Ctrl-C still raises KeyboardInterrupt, which main() absorbs.
    with contextlib.suppress(NotImplementedError, RuntimeError):
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    async with server:
        print(server.base_url, flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, serve until SIGINT or SIGTERM, return the exit status."""
    args = _parser().parse_args(argv)
    server = LocalServer(host=args.host, port=args.port, fast=args.fast, deltas=args.deltas)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(server))
    return 0


if __name__ == "__main__":
    sys.exit(main())
