"""The client benchmark runs end to end in quick mode and prints its comparison table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_client_quick_prints_a_table() -> None:
    """`python -m benchmarks.bench_client --quick` exits 0 and prints every row with figures."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_client", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("metric"))
    assert header.split()[2:4] == ["floor", "openresponses"]
    number = r"[\d,]+\.?\d*"
    for row in (
        "client CPU per request, sequential",
        "requests/s, concurrency 256",
        "CPU per event",
        "time to first event, 20-delta stream",
        "peak RSS over baseline, concurrency 256",
        "import + first client",
    ):
        found = [line for line in lines if line.startswith(row)]
        assert found, f"no row {row!r} in:\n{done.stdout}"
        # The floor, this SDK, and the SDK's ratio to the floor are all measured.
        assert re.search(rf"\s{number}\s+{number}\s.*\s{number}x\s", found[0]), found[0]
    assert any(line.startswith("targets (openresponses / floor):") for line in lines)


def test_bench_websocket_quick_prints_both_tables() -> None:
    """`bench_websocket --quick` runs the tool loop three ways and reports the ws ratios."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_websocket", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    number = r"[\d,]+"
    for client in ("floor", "openresponses"):
        rows = [line for line in done.stdout.splitlines() if re.match(rf"{client}\s+\d", line)]
        # One row per table (wall, CPU): three ways measured, then the two ratios.
        assert len(rows) == 2, done.stdout
        for row in rows:
            assert re.search(rf"({number}\s+){{3}}\d+\.\d\dx\s+\d+\.\d\dx", row), row
    assert "target (openresponses wall per turn, ws / http stream <= 1.00x)" in done.stdout
