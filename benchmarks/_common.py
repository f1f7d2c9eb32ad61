"""What the benchmark scripts share: the local server in its own process, probes, tables.

The server runs in a separate process (``python -m openresponses.testing --fast``) so that its work
never lands on the client's CPU clock; the clients are then timed with ``time.process_time()``
(user + system time of every thread of this process), which a busy neighbour on the machine
disturbs far less than the wall clock.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import NamedTuple

__all__ = [
    "DELTAS_HEADER",
    "MODEL",
    "PYCACHE_ENV",
    "Metric",
    "Target",
    "import_command",
    "last_lines",
    "local_server",
    "machine",
    "median",
    "peak_rss_reset",
    "peak_rss_since_reset",
    "print_table",
]

MODEL = "openresponses/local"
DELTAS_HEADER = "X-OpenResponses-Deltas"


@contextmanager
def local_server(*extra: str) -> Iterator[str]:
    """Run the fast local server in a child process and yield its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "openresponses.testing", "--fast", *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the local server did not start (printed {url!r})")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def machine() -> str:
    """One line naming the machine: CPU model, cores, Python, OS."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f" ({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


# -- memory

_KIB = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB elsewhere


def _current_rss() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None


def peak_rss_reset() -> int:
    """Start a peak-memory measurement; return the baseline (bytes) to subtract later.

    On Linux the kernel's high-water mark is reset (``/proc/self/clear_refs``), so the later
    ``ru_maxrss`` is the peak of the measured work alone and the baseline is the current RSS.
    Elsewhere the baseline is the ``ru_maxrss`` so far (an import-time peak can then hide some).
    """
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        pass
    else:
        current = _current_rss()
        if current is not None:
            return current
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _KIB


def peak_rss_since_reset(baseline: int) -> int:
    """Peak RSS (bytes) above ``baseline`` since :func:`peak_rss_reset`."""
    return max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _KIB - baseline)


# -- fresh interpreters


# Imports are timed as a user runs them: from cached bytecode. The cache lives in the temp
# directory (not beside the sources) and works even where PYTHONDONTWRITEBYTECODE is set.
PYCACHE_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPYCACHEPREFIX": os.path.join(tempfile.gettempdir(), "openresponses-bench-pycache"),
}


def last_lines(
    commands: Sequence[Sequence[str]],
    *,
    parallel: bool = False,
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """Run each command (one after another, or all at once) and return its last stdout line."""
    if not parallel:
        return [
            _last_line(subprocess.run(c, capture_output=True, text=True, timeout=300, env=env))
            for c in commands
        ]
    running = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for c in commands
    ]
    found = []
    for process in running:
        out, err = process.communicate(timeout=300)
        found.append(
            _last_line(subprocess.CompletedProcess(process.args, process.returncode, out, err))
        )
    return found


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, done.args))} failed:\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def import_command(code: str) -> list[str]:
    """A fresh interpreter that runs ``code`` and prints the seconds it took."""
    timed = f"import time\nt = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)\n"
    return [sys.executable, "-c", timed]


# -- tables


class Target(NamedTuple):
    """A goal for one metric: ``op`` ("<", "<=" or ">=") ``value``, on the ratio or the figure."""

    op: str
    value: float
    ratio: bool = True

    def met(self, ratio: float, absolute: float) -> bool:
        figure = ratio if self.ratio else absolute
        if self.op == "<":
            return figure < self.value
        return figure <= self.value if self.op == "<=" else figure >= self.value

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}{'x' if self.ratio else ''}"


class Metric(NamedTuple):
    """One table row: a figure per client (the first client is the floor the ratios divide by)."""

    name: str
    unit: str
    values: dict[str, float]
    target: Target | None = None  # checked on ``subject`` (the client under test)
    digits: int = 1


_NAN = float("nan")


def _fmt(value: float, digits: int) -> str:
    if value != value:  # NaN: not measured
        return "-"
    return f"{value:,.{digits}f}"


def print_table(
    metrics: Sequence[Metric],
    clients: Sequence[str],
    subject: str,
    out: Callable[[str], None] = print,
) -> list[tuple[Metric, bool]]:
    """Print the rows with each client's ratio to the first; return (metric, met) for targets."""
    floor, others = clients[0], clients[1:]
    name_w = max(len(m.name) for m in metrics)
    unit_w = max(4, *(len(m.unit) for m in metrics))
    col_w = max(12, *(len(c) for c in clients))
    head = [f"{'metric':<{name_w}}", f"{'unit':<{unit_w}}"]
    head += [f"{c:>{col_w}}" for c in clients]
    head += [f"{c + ' / floor':>{max(10, len(c) + 8)}}" for c in others]
    head += [f"{'target':>9}", " met"]
    out("  ".join(head))
    out("-" * len("  ".join(head)))
    verdicts: list[tuple[Metric, bool]] = []
    for metric in metrics:
        base = metric.values.get(floor, float("nan"))
        row = [f"{metric.name:<{name_w}}", f"{metric.unit:<{unit_w}}"]
        row += [
            f"{_fmt(metric.values.get(c, float('nan')), metric.digits):>{col_w}}" for c in clients
        ]
        for c in others:
            value = metric.values.get(c, float("nan"))
            ratio = value / base if base and base == base and value == value else float("nan")
            row.append(f"{_fmt(ratio, 2) + 'x' if ratio == ratio else '-':>{max(10, len(c) + 8)}}")
        verdict = ""
        if metric.target is not None:
            value = metric.values.get(subject, float("nan"))
            ratio = value / base if base else float("nan")
            ok = metric.target.met(ratio, value)
            verdicts.append((metric, ok))
            verdict = "yes" if ok else "NO"
        row += [f"{metric.target or ''!s:>9}", f" {verdict}"]
        out("  ".join(row))
    return verdicts
