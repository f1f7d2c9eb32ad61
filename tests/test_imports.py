"""What importing the SDK costs: aiohttp waits for the first request."""

from __future__ import annotations

import subprocess
import sys


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_a_client_is_built_without_importing_aiohttp() -> None:
    """Importing openresponses and building an AsyncClient or a Client does not import aiohttp."""
    code = (
        "import sys, openresponses\n"
        "openresponses.AsyncClient(api_key='sk-test')\n"
        "openresponses.Client(api_key='sk-test').close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'yarl')))"
    )
    assert _fresh(code) == "[]"
