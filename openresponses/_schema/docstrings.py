"""Descriptions from docstrings: a function's or a class's, and each parameter's or attribute's."""

from __future__ import annotations

import inspect
import re

__all__ = ["parse_docstring"]

_PARAM_SECTIONS = {
    "args",
    "arguments",
    "parameters",
    "params",
    "keyword args",
    "keyword arguments",
    "other parameters",
    "attributes",
}
_HEADER = re.compile(
    r"^(args|arguments|parameters|params|keyword args|keyword arguments|other parameters|"
    r"attributes|returns?|yields?|raises|examples?|notes?|warnings?|see also|references|todo)"
    r"\s*:\s*$",
    re.IGNORECASE,
)
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?::.*)?$")
_SPHINX_PARAM = re.compile(
    r"^:(?:param|parameter|arg|argument|key|keyword|ivar|var)\s+(?:[^:]*?\s)?\*{0,2}(\w+)\s*:\s*(.*)$"
)


def parse_docstring(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """``(description, {parameter: text})`` from a Google, NumPy or Sphinx style docstring.

    The description is the text before the first section; section bodies other than
    parameters and attributes (returns, raises, examples) are left out.
    """
    if not doc:
        return None, {}
    lines = inspect.cleandoc(doc).splitlines()
    description: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None
    style = ""
    current: str | None = None
    entry_indent = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        index += 1
        if indent == 0 and stripped and len(following) >= 3 and set(following) == {"-"}:
            section, style, current = stripped.lower(), "numpy", None
            index += 1
            continue
        if indent == 0 and _HEADER.match(stripped):
            section, style, current = stripped[:-1].strip().lower(), "google", None
            continue
        if indent == 0 and stripped.startswith(":"):
            section, style, current = "sphinx", "sphinx", None
            match = _SPHINX_PARAM.match(stripped)
            if match:
                current = match[1]
                params[current] = match[2].strip()
            continue
        if section is None:
            description.append(line)
            continue
        if not stripped:
            continue
        if style == "sphinx" or section not in _PARAM_SECTIONS:
            if style == "sphinx" and current and indent > 0:
                params[current] = f"{params[current]} {stripped}".strip()
            continue
        entry = None
        if style == "numpy" and indent == 0:
            entry = _NUMPY_ENTRY.match(stripped)
        elif style == "google" and (current is None or indent <= entry_indent):
            entry = _GOOGLE_ENTRY.match(stripped)
        if entry:
            current, entry_indent = entry[1], indent
            params[current] = entry[2].strip() if style == "google" else ""
        elif current:
            params[current] = f"{params[current]} {stripped}".strip()
    text = "\n".join(description).strip()
    return (text or None), params
