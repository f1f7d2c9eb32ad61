"""A LocalServer for synchronous code: its own event loop in a daemon thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

__all__ = ["LoopThread"]


class LoopThread:
    """A daemon thread whose event loop runs a server from ``start()`` until :meth:`stop`."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def start(
        self,
        start: Callable[[], Awaitable[object]],
        close: Callable[[], Awaitable[None]],
        timeout: float,
    ) -> None:
        """Await ``start()`` in a new thread's loop; returns once it did. ``close()`` ends it."""
        ready = threading.Event()
        failure: list[BaseException] = []

        async def main() -> None:
            self._stop = asyncio.Event()
            try:
                await start()
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                raise
            self._loop = asyncio.get_running_loop()
            ready.set()
            try:
                await self._stop.wait()
            finally:
                await close()

        def run() -> None:
            try:
                asyncio.run(main())
            except BaseException:  # reported to the starting thread through `failure`
                ready.set()

        self.thread = threading.Thread(target=run, name="openresponses-testing-server", daemon=True)
        self.thread.start()
        if not ready.wait(timeout) or failure:
            self.thread = None
            if failure:
                raise RuntimeError("the local server failed to start") from failure[0]
            raise TimeoutError("the local server did not start in time")

    def stop(self, timeout: float) -> None:
        """Have the thread's loop call ``close()``, and join the thread."""
        thread, loop, stop = self.thread, self._loop, self._stop
        if thread is None or loop is None or stop is None:
            raise RuntimeError(
                "the server is not running in a thread (use `aclose()` for `start()`)"
            )
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        self.thread = self._loop = self._stop = None
