"""Shared test configuration: anyio on asyncio, one local server for the whole session, and the
two API specs, read once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openresponses.testing import LocalServer

SPEC_DIR = Path(__file__).parent / "data" / "spec"


@pytest.fixture
def anyio_backend() -> str:
    """Pin anyio's test backend to asyncio (aiohttp is asyncio-only)."""
    return "asyncio"


@pytest.fixture(scope="session")
def session_server() -> Iterator[LocalServer]:
    """One LocalServer for the session, in its own thread, so sync and async tests can share it."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def server(session_server: LocalServer) -> LocalServer:
    """The session's server, reset: nothing queued, recorded or counted, no reply in flight.

    Reply functions run in the server's thread: a test whose replies share state with its own
    event loop, or that stops or breaks the server, starts a ``LocalServer`` of its own.
    """
    session_server.reset()
    return session_server


@pytest.fixture(scope="session")
def openapi_specs() -> dict[str, Any]:
    """Both specs by name, ``openrouter`` and ``openresponses``, parsed once (read, never change).

    The OpenRouter spec is 1.3 MB of YAML, which takes most of a second to parse each time.
    """
    import yaml

    with (SPEC_DIR / "openrouter.openapi.yaml").open(encoding="utf-8") as handle:
        openrouter = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    openresponses = json.loads((SPEC_DIR / "openresponses.openapi.json").read_text("utf-8"))
    return {"openrouter": openrouter, "openresponses": openresponses}
