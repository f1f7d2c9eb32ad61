"""The extras' examples run as a newcomer runs them: pointed at a server, and with no setup.

They need Ray and Dask installed, so they run here rather than in tests/docs (whose example test
leaves them out).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from openresponses.testing import LocalServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ENV_NAMES = (
    "OPENROUTER_API_KEY",
    "OPENRESPONSES_API_KEY",
    "OPENRESPONSES_BASE_URL",
    "OPENRESPONSES_MODEL",
)
RIVERS = ["amazon", "danube", "ganges", "mekong", "mississippi", "nile", "volga", "yangtze"]
# Each river's answer in name order, then the row with no input, reported as its error.
EXPECT = {
    "ray_batch.py": [
        *(f"{river}: You said: One sentence about the {river.title()}." for river in RIVERS[:2]),
        'empty: error {"type":"InvalidRequestError"',
        *(f"{river}: You said: One sentence about the {river.title()}." for river in RIVERS[2:]),
    ],
    "dask_batch.py": [
        *(f"{river}: You said: One sentence about the {river.title()}." for river in RIVERS[:2]),
        'empty: error {"type":"InvalidRequestError"',
        *(f"{river}: You said: One sentence about the {river.title()}." for river in RIVERS[2:]),
        "bag: You said: Name a river in Asia.",
    ],
}


def _run(name: str, **env: str) -> str:
    """``python examples/<name>`` with no API key in its environment, plus ``env``: its stdout,
    after checking it exited 0 with no traceback."""
    clean = {key: value for key, value in os.environ.items() if key not in ENV_NAMES}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def _assert_prints(name: str, stdout: str) -> None:
    position = 0
    for expected in EXPECT[name]:
        found = stdout.find(expected, position)
        assert found >= 0, f"{expected!r} not in the output of {name}:\n{stdout}"
        position = found + len(expected)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_example_against_the_configured_server(name: str) -> None:
    """Pointed at a server by OPENRESPONSES_BASE_URL, its workers talk to that server only."""
    with LocalServer() as server:
        stdout = _run(name, OPENRESPONSES_BASE_URL=server.base_url)
        inputs = sorted(str(request.json["input"]) for request in server.requests)
    _assert_prints(name, stdout)
    assert len([text for text in inputs if text.startswith("One sentence")]) == len(RIVERS)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_example_runs_standalone(name: str) -> None:
    """With no key and no base URL, the example starts its own local server and still works."""
    _assert_prints(name, _run(name))


def test_every_extra_example_is_checked() -> None:
    """The examples left out of tests/docs are exactly the ones checked here."""
    from importlib.util import module_from_spec, spec_from_file_location

    path = Path(__file__).resolve().parents[1] / "docs" / "test_examples.py"
    spec = spec_from_file_location("docs_test_examples", path)
    assert spec is not None
    assert spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.EXTRA_SCRIPTS) == set(EXPECT)
