"""``python -m benchmarks``: run every ``bench_*.py`` of this folder in turn and print their tables.

Each script runs as ``python -m benchmarks.bench_x`` in a process of its own (so one script's
imports and garbage never weigh on the next), its output passed straight through. ``--quick``
is handed to the scripts that take it, for a smoke run in seconds; a script without that option
is skipped by a quick run. ``--only client,serde`` picks scripts by name.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts() -> list[str]:
    """The module names of the benchmark scripts, sorted (``bench_client``, ``bench_serde``...)."""
    return sorted(path.stem for path in HERE.glob("bench_*.py"))


def takes_quick(name: str) -> bool:
    """Whether the script declares a ``--quick`` option (read from its source, not run)."""
    return '"--quick"' in (HERE / f"{name}.py").read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="a fast smoke run (rough figures)")
    parser.add_argument("--only", default="", help="comma-separated scripts, e.g. client,serde")
    args = parser.parse_args(argv)

    names = scripts()
    if args.only:
        wanted = {f"bench_{n.strip().removeprefix('bench_')}" for n in args.only.split(",")}
        unknown = wanted - set(names)
        if unknown:
            parser.error(f"no such benchmark: {', '.join(sorted(unknown))} (have {names})")
        names = [n for n in names if n in wanted]

    failed: list[str] = []
    started = time.perf_counter()
    for name in names:
        command = [sys.executable, "-m", f"benchmarks.{name}"]
        if args.quick:
            if not takes_quick(name):
                print(f"== {name}: skipped (no --quick option)\n", flush=True)
                continue
            command.append("--quick")
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        begun = time.perf_counter()
        code = subprocess.run(command, cwd=HERE.parent, check=False).returncode
        if code:
            failed.append(f"{name} (exit status {code})")
        print(f"== {name}: {time.perf_counter() - begun:.0f} s\n", flush=True)
    print(f"== all done in {time.perf_counter() - started:.0f} s", flush=True)
    if failed:
        print(f"== failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
