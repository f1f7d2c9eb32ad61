"""pytest plugin (entry point ``pytest11: openresponses``): the ``openresponses_server`` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import LocalServer

__all__ = ["openresponses_server"]


@pytest.fixture
def openresponses_server() -> Iterator[LocalServer]:
    """A started :class:`~openresponses.testing.LocalServer`, stopped after the test.

    It runs in a background thread with its own event loop, so the same fixture serves sync tests
    and async tests under any plugin (anyio, pytest-asyncio); script it with ``add()``, inspect
    ``requests``. For a server inside the test's own loop, use ``async with LocalServer()``.

    .. code-block:: python

        async def test_answer(openresponses_server):
            openresponses_server.add(Text("Hi"))
            client = AsyncClient(base_url=openresponses_server.base_url)
            ...
    """
    with LocalServer() as server:
        yield server
