"""Imports point one way, as docs/architecture.md draws the rows; third-party code stays put."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import openresponses

PACKAGE = Path(openresponses.__file__).parent
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

# The rows of docs/architecture.md, lowest first. A module may import only from lower rows:
# every import counts, at module level, inside a function or under TYPE_CHECKING.
ROWS: list[set[str]] = [
    {"types", "_version", "_redact", "_httpinfo", "_schema"},  # plain data and pure functions
    {"_errors"},
    {"_numbers", "_hooks"},  # the argument checks every option shares; the hook seam
    {"_options", "_retry", "_sse"},  # sans-IO: timeouts, the retry policy, the SSE decoder
    {"_serde"},  # the wire converter
    {"_request", "_accumulator"},  # sans-IO on typed models: request bodies, the accumulator
    {"_transport_errors"},  # aiohttp's failures as our errors
    {"_transport"},  # the HTTP session: the only other code that touches aiohttp
    {"_websocket"},  # one WebSocket on the transport's session (touches aiohttp too)
    {"_sources", "_ws_source"},  # event sources: what one stream attempt reads
    {"_stream_attempt"},  # one stream attempt: its state and the StreamError it ends in
    {"_streaming"},  # the one stream machine
    {"_engine"},  # the request engine and the protocol the helpers use
    {"_connection"},  # WebSocket mode: an Engine whose turns go over one socket
    {"_function_tools"},  # Python functions as tools
    {"_batch_rows"},  # batch-file rows and result lines, sans-IO
    # helpers; _usage: a hook; _catalog: generation stats and models, on the engine's GET
    {"batch", "conversation", "parsing", "tools", "_usage", "_catalog"},
    {"_batch_file"},  # durable batches: a JSONL file in, results appended to one, resumable
    {"otel"},  # OpenTelemetry tracing, a hook (the optional extra); the client makes it on request
    {"_responses"},  # client.responses: the engine's calls and the helpers wired on top
    {"_client"},  # the async face
    {"_portal"},  # the loop thread, calls and pumps of the blocking facade
    {"_blocking"},  # async methods turned into blocking twins
    {"_sync"},  # the blocking face, forwarding only
    {"_rows"},  # what the Ray and Dask extras share: rows in, result and error columns out
    {"ray", "dask"},  # batches on Ray Data and on Dask (the optional extras)
    {"__init__"},  # the package root
    {"testing"},  # the local test server and its pytest plugin
    {"_console"},  # the command's output: stdout, stderr lines, errors on one line
    {"_cli_demo", "_cli_batch"},  # the command's tour of the SDK; its batch subcommand
    {"_cli"},  # the command line
    {"__main__"},
]
ROW_OF = {name: index for index, names in enumerate(ROWS) for name in names}
ONLY = {
    "aiohttp": {"_transport", "_transport_errors", "_websocket", "testing", "_cli"},
    "cattrs": {"_serde"},
    "anyio.from_thread": {"_portal"},
    "opentelemetry": {"otel"},
    "ray": {"ray"},
    "pyarrow": {"ray"},
    "dask": {"dask"},
    "distributed": {"dask"},
    "pandas": {"_rows", "dask"},
}


def _owner(path: Path) -> str:
    """The top-level module or subpackage a file belongs to (``types/items.py`` -> ``types``)."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _package_parts(path: Path) -> list[str]:
    """The package a file's relative imports start from, as parts below ``openresponses``."""
    return list(path.relative_to(PACKAGE).parent.parts)


def _is_module(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def internal_imports(path: Path, source: str | None = None) -> Iterator[str]:
    """The package's modules (by top-level name) that a file imports, in any way.

    ``from . import x`` names module ``x`` when there is one, else the root (``__init__``).
    """
    text = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "openresponses":
                    yield parts[1] if len(parts) > 1 else "__init__"
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_parts(path)[: len(_package_parts(path)) - node.level + 1]
                parts = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "openresponses":
                parts = node.module.split(".")[1:]
            else:
                continue
            if parts:
                yield parts[0]
            else:
                for alias in node.names:
                    yield alias.name if _is_module(alias.name) else "__init__"


def external_imports(path: Path) -> Iterator[str]:
    """The third-party and standard modules a file imports, in any way."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module


def _files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_row() -> None:
    """A module added to the package must be placed in a row (and in docs/architecture.md)."""
    assert {_owner(path) for path in _files()} - set(ROW_OF) == set()
    assert set(ROW_OF) - {_owner(path) for path in _files()} == set()


def test_imports_point_down() -> None:
    """No module imports from its own row or above: not lazily, not for type checking."""
    offences = [
        f"{path.relative_to(PACKAGE)} imports {target}"
        for path in _files()
        for target in internal_imports(path)
        if target != _owner(path) and ROW_OF[target] >= ROW_OF[_owner(path)]
    ]
    assert offences == []


def test_nothing_below_the_root_imports_the_root() -> None:
    """Only the programs above the root (CLI, test tools) import ``openresponses`` itself."""
    offences = [
        str(path.relative_to(PACKAGE))
        for path in _files()
        if ROW_OF[_owner(path)] < ROW_OF["__init__"] and "__init__" in internal_imports(path)
    ]
    assert offences == []


def test_third_party_imports_stay_in_their_modules() -> None:
    """aiohttp, cattrs, anyio.from_thread and the extras' packages: only where they belong."""
    offences = []
    for path in _files():
        owner = _owner(path)
        for module in external_imports(path):
            for lib, allowed in ONLY.items():
                if (module == lib or module.startswith(lib + ".")) and owner not in allowed:
                    offences.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offences == []


def test_the_architecture_page_names_every_module() -> None:
    """docs/architecture.md describes each module the rows place."""
    page = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [name for name in ROW_OF if f"`{name}" not in page]
    assert missing == []


def test_the_rule_catches_an_upward_import() -> None:
    """The import reader sees lazy, TYPE_CHECKING and ``from . import`` forms (the test's test)."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ._client import AsyncClient\n"
        "def f():\n    from . import tools\n    from . import StreamError\n"
        "import openresponses.batch\n"
    )
    probe = PACKAGE / "_layering_probe.py"
    assert sorted(internal_imports(probe, source)) == ["__init__", "_client", "batch", "tools"]
