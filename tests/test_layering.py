"""Imports flow one way, as DESIGN.md draws them; aiohttp, cattrs and the portal stay put."""

from __future__ import annotations

import ast
from pathlib import Path

import openresponses

PACKAGE = Path(openresponses.__file__).parent

# A module may import only from modules in lower rows. Helpers above the client are listed last.
ROWS: list[set[str]] = [
    {"types", "_errors"},
    {"_options", "_serde", "_sse", "_retry", "_redact", "_httpinfo"},
    {"_request", "_accumulator"},
    {"_transport"},
    {"_sources"},
    {"_streaming"},
    {"_client"},
    {"_blocking"},
    {"_sync"},
]
CORE = set().union(*ROWS)
ONLY = {
    "aiohttp": {"_transport", "testing", "_cli"},
    "cattrs": {"_serde"},
    "anyio.from_thread": {"_blocking"},
}


def _top(module: str) -> str:
    """The first component of a module path inside the package (``types.items`` -> ``types``)."""
    return module.split(".")[0]


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, is-relative-to-package) for every runtime import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(child) for child in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, False) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.module or "", True))
            elif node.module and node.module.startswith("openresponses"):
                found.append((node.module.removeprefix("openresponses").lstrip("."), True))
            elif node.module:
                found.append((node.module, False))
    return found


def _owner(path: Path) -> str:
    """The top-level module or subpackage a file belongs to."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_core_imports_flow_downwards() -> None:
    """No core module imports from its own row or above (types/ may import within itself)."""
    row_of = {name: index for index, names in enumerate(ROWS) for name in names}
    offences = []
    for path in PACKAGE.rglob("*.py"):
        owner = _owner(path)
        if owner not in row_of:
            continue
        for module, relative in _imports(path):
            if not relative:
                continue
            target = _top(module) if module else owner
            if target == owner or target not in row_of:
                continue
            if row_of[target] >= row_of[owner]:
                offences.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert offences == []


def test_third_party_imports_stay_in_their_modules() -> None:
    """aiohttp, cattrs and anyio.from_thread are imported only by the modules that own them."""
    offences = []
    for path in PACKAGE.rglob("*.py"):
        owner = _owner(path)
        for module, relative in _imports(path):
            if relative:
                continue
            for lib, allowed in ONLY.items():
                if (module == lib or module.startswith(lib + ".")) and owner not in allowed:
                    offences.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offences == []


def test_helpers_use_only_the_public_surface() -> None:
    """Modules above the client import only the root or public modules, never core private ones."""
    offences = []
    for path in PACKAGE.rglob("*.py"):
        owner = _owner(path)
        if owner in CORE or owner == "__init__":
            continue
        for module, relative in _imports(path):
            if relative and module and _top(module) in CORE and _top(module) != "types":
                offences.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offences == []
