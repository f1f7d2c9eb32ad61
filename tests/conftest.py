"""Shared test configuration: anyio's pytest plugin on asyncio (aiohttp is asyncio-only)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Pin anyio's test backend to asyncio."""
    return "asyncio"
