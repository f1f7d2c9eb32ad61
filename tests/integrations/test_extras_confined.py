"""The extras stay optional: the core never imports Ray, Dask or pandas; each extra only its own."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("ray", "dask", "distributed", "pandas", "pyarrow")
REPORT = "import json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"


def _imported_after(code: str) -> set[str]:
    """The HEAVY top-level packages in ``sys.modules`` after running ``code`` in a new process."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\n{REPORT}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1])) & set(HEAVY)


def test_the_core_imports_no_extra() -> None:
    """import openresponses, a client, a batch of requests to a local server: no extra loaded."""
    code = (
        "import asyncio\n"
        "from openresponses import AsyncClient\n"
        "from openresponses.testing import LocalServer\n"
        "async def main():\n"
        "    async with LocalServer() as server:\n"
        "        async with AsyncClient(base_url=server.base_url) as client:\n"
        "            assert len(await client.responses.batch([{'input': 'hi'}] * 3)) == 3\n"
        "asyncio.run(main())\n"
    )
    assert _imported_after(code) == set()


@pytest.mark.parametrize(
    ("module", "others"),
    [("openresponses.ray", {"dask", "distributed"}), ("openresponses.dask", {"ray"})],
)
def test_each_extra_imports_its_own_engine_only(module: str, others: set[str]) -> None:
    """openresponses.ray never loads Dask, nor openresponses.dask Ray."""
    loaded = _imported_after(f"import {module}")
    assert module.rsplit(".", 1)[1] in loaded
    assert loaded & others == set()
