"""Developer sessions: lint, typecheck, tests on every supported Python, docs, benchmarks."""

from __future__ import annotations

import os

import nox

nox.needs_version = ">=2024.4.15"
nox.options.error_on_external_run = True
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests", "docs", "integrations"]
# uv makes each environment in a second or two where pip takes half a minute; without uv
# (`pip install nox`, not `nox[uv]`) the sessions fall back to virtualenv and pip.
nox.options.default_venv_backend = "uv|virtualenv"

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)
SOURCES = ["openresponses", "tests", "benchmarks", "examples", "noxfile.py"]
# pytest-xdist: a worker per core and one more, since a third of the suite's time is spent
# waiting on timers (timeouts, retries, slow servers); worksteal evens out the long tests.
PARALLEL = ["-n", str((os.cpu_count() or 1) + 1), "--dist", "worksteal"]
# What needs the ray and dask extras installed: type-checked and run by `integrations` only.
INTEGRATION_SOURCES = [
    "openresponses/_rows.py",
    "openresponses/ray.py",
    "openresponses/dask.py",
    "examples/ray_batch.py",
    "examples/dask_batch.py",
]


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install(*_group("lint"))
    session.run("ruff", "check", *SOURCES)
    session.run("ruff", "format", "--check", *SOURCES)


@nox.session(python=[PYTHONS[0], PYTHONS[-1]])
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package, typing tests, examples and this file, oldest and newest."""
    session.install(".", *_group("typing"))
    # The integrations import Ray, Dask and pandas, which this session does not install.
    excluded = [f"--exclude=^{path.replace('.', '[.]')}$" for path in INTEGRATION_SOURCES]
    session.run("mypy", *excluded, "openresponses", "tests/typing", "examples", "noxfile.py")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The suite against the installed (non-editable) package; docs have their own session."""
    session.install(".", *_group("tests"))
    args = session.posargs or [*PARALLEL, "--ignore=tests/docs", "--ignore=tests/integrations"]
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *args)


@nox.session
def docs(session: nox.Session) -> None:
    """Every README code block and every example runs against the local server."""
    session.install(".", *_group("tests"))
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/docs")


@nox.session(python=PYTHONS[-1])
def integrations(session: nox.Session) -> None:
    """The Ray and Dask extras on a local cluster each, against the local server: their tests
    and examples (tests/integrations), and mypy --strict with the real packages installed.

    The newest Python: Ray publishes wheels for it, and one version keeps the session short.
    """
    session.install(".[ray,dask]", *_group("integrations"))
    session.run("mypy", *INTEGRATION_SOURCES)
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/integrations")


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Benchmarks against the raw aiohttp floor and the openai SDK, and Ray against the
    in-process batch (not in the default run)."""
    session.install(".[ray,dask]", *_group("benchmarks"))
    session.run("python", "-m", "benchmarks", *session.posargs)
