"""What hosted tool calls produce or ask for: code interpreter outputs, file patch operations,
file search results, an MCP server's tool list, computer-use safety checks.

Each tagged union reads an unknown ``type`` as its ``Unknown*`` class, which keeps the raw
mapping and writes it back unchanged.

>>> from openresponses import from_dict
>>> from openresponses.types import ApplyPatchCall
>>> call = from_dict(
...     {"type": "apply_patch_call", "call_id": "c1", "status": "completed",
...      "operation": {"type": "delete_file", "path": "old.txt"}},
...     ApplyPatchCall,
... )
>>> type(call.operation).__name__, call.operation.path
('DeleteFileOperation', 'old.txt')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel

__all__ = [
    "ApplyPatchOperation",
    "CodeInterpreterFile",
    "CodeInterpreterImage",
    "CodeInterpreterLogs",
    "CodeInterpreterOutput",
    "CreateFileOperation",
    "DeleteFileOperation",
    "FileSearchResult",
    "McpToolInfo",
    "SafetyCheck",
    "UnknownCodeInterpreterOutput",
    "UnknownPatchOperation",
    "UpdateFileOperation",
]


# -- code interpreter (``CodeInterpreterCall.outputs``)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CodeInterpreterLogs(WireModel):
    """What the code printed."""

    type: Literal["logs"] = "logs"
    logs: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CodeInterpreterImage(WireModel):
    """An image the code made, by URL."""

    type: Literal["image"] = "image"
    url: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CodeInterpreterFile(WireModel):
    """OpenRouter: a file the code wrote, with a download link until ``expires_at``."""

    type: Literal["file"] = "file"
    id: str | None = None
    filename: str | None = None
    media_type: str | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    download_url: str | None = None
    expires_at: str | None = None
    status: str | None = None
    error_code: str | None = None


@attrs.frozen(kw_only=True)
class UnknownCodeInterpreterOutput:
    """A code interpreter output this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


CodeInterpreterOutput = Union[
    CodeInterpreterLogs, CodeInterpreterImage, CodeInterpreterFile, UnknownCodeInterpreterOutput
]


# -- apply patch (``ApplyPatchCall.operation``, and ``openrouter:apply_patch`` items)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CreateFileOperation(WireModel):
    """Create the file at ``path`` from a V4A ``diff``."""

    type: Literal["create_file"] = "create_file"
    path: str
    diff: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class UpdateFileOperation(WireModel):
    """Apply a V4A ``diff`` to the file at ``path``."""

    type: Literal["update_file"] = "update_file"
    path: str
    diff: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DeleteFileOperation(WireModel):
    """Delete the file at ``path``."""

    type: Literal["delete_file"] = "delete_file"
    path: str


@attrs.frozen(kw_only=True)
class UnknownPatchOperation:
    """A patch operation this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


ApplyPatchOperation = Union[
    CreateFileOperation, UpdateFileOperation, DeleteFileOperation, UnknownPatchOperation
]


# -- untagged results


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FileSearchResult(WireModel):
    """One chunk a file search found: its file, relevance ``score`` and ``text``."""

    file_id: str | None = None
    filename: str | None = None
    score: float | None = None
    text: str | None = None
    attributes: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class McpToolInfo(WireModel):
    """A tool an MCP server offers: its ``name`` and JSON Schema ``input_schema``."""

    name: str
    input_schema: Mapping[str, Any] | None = None
    description: str | None = None
    annotations: Any = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SafetyCheck(WireModel):
    """A computer-use safety check: pending on a call, acknowledged on its output."""

    id: str
    code: str | None = None
    message: str | None = None
