"""The output items of OpenRouter's server tools: one class per ``openrouter:*`` type.

Every class derives from ``ServerToolCall`` and has snake_case attributes; where OpenRouter's
wire key is camelCase (``exitCode``, ``imageUrl``, ``httpStatus``, ...) the attribute is
snake_case (``exit_code``) and the wire key is kept on the wire, both ways.

>>> from openresponses import from_dict, to_dict
>>> from openresponses.types import Item
>>> item = from_dict(
...     {"type": "openrouter:bash", "id": "b1", "status": "completed", "command": "ls",
...      "exitCode": 0, "stdout": "a.txt\\n"},
...     Item,
... )
>>> type(item).__name__, item.exit_code, item.stdout
('BashServerToolCall', 0, 'a.txt\\n')
>>> to_dict(item)["exitCode"]
0
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from ._base import WireModel
from .items import ServerToolCall
from .openrouter_actions import ShellAction, ShellCommandOutput, WebSearchAction
from .openrouter_results import ApplyPatchOperation

__all__ = [
    "AdvisorServerToolCall",
    "ApplyPatchServerToolCall",
    "BashServerToolCall",
    "BrowserUseServerToolCall",
    "CodeInterpreterServerToolCall",
    "DatetimeServerToolCall",
    "FileSearchServerToolCall",
    "FilesServerToolCall",
    "FusionAnalysis",
    "FusionContradiction",
    "FusionFailedModel",
    "FusionInsight",
    "FusionPanelResponse",
    "FusionPartialCoverage",
    "FusionServerToolCall",
    "FusionSource",
    "FusionStance",
    "ImageGenerationServerToolCall",
    "McpServerToolCall",
    "MemoryServerToolCall",
    "SearchModelsServerToolCall",
    "ShellServerToolCall",
    "SubagentServerToolCall",
    "TextEditorServerToolCall",
    "ToolSearchServerToolCall",
    "WebFetchServerToolCall",
    "WebSearchServerToolCall",
]


def _wire(key: str) -> dict[str, str]:
    """attrs metadata naming a field's key on the wire, which ``_serde`` reads and writes."""
    return {"wire": key}


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebSearchServerToolCall(ServerToolCall):
    """``openrouter:web_search``: the search run (``action.query``, ``action.sources``)."""

    type: Literal["openrouter:web_search"] = "openrouter:web_search"
    action: WebSearchAction | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebFetchServerToolCall(ServerToolCall):
    """``openrouter:web_fetch``: the page at ``url``, its ``title`` and ``content``."""

    type: Literal["openrouter:web_fetch"] = "openrouter:web_fetch"
    url: str | None = None
    title: str | None = None
    content: str | None = None
    http_status: int | None = attrs.field(default=None, metadata=_wire("httpStatus"))
    error: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DatetimeServerToolCall(ServerToolCall):
    """``openrouter:datetime``: the ISO 8601 ``datetime`` in the IANA ``timezone``."""

    type: Literal["openrouter:datetime"] = "openrouter:datetime"
    datetime: str | None = None
    timezone: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CodeInterpreterServerToolCall(ServerToolCall):
    """``openrouter:code_interpreter``: the ``code`` run, what it printed, its exit code."""

    type: Literal["openrouter:code_interpreter"] = "openrouter:code_interpreter"
    code: str | None = None
    language: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    exit_code: int | None = attrs.field(default=None, metadata=_wire("exitCode"))


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FileSearchServerToolCall(ServerToolCall):
    """``openrouter:file_search``: the ``queries`` searched."""

    type: Literal["openrouter:file_search"] = "openrouter:file_search"
    queries: list[str] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ImageGenerationServerToolCall(ServerToolCall):
    """``openrouter:image_generation``: the image (``result``, ``image_url`` or ``image_b64``)."""

    type: Literal["openrouter:image_generation"] = "openrouter:image_generation"
    result: str | None = None
    image_url: str | None = attrs.field(default=None, metadata=_wire("imageUrl"))
    image_b64: str | None = attrs.field(default=None, metadata=_wire("imageB64"))
    prompt: str | None = None
    revised_prompt: str | None = attrs.field(default=None, metadata=_wire("revisedPrompt"))


@attrs.frozen(kw_only=True, repr=False, eq=False)
class BrowserUseServerToolCall(ServerToolCall):
    """``openrouter:browser_use``: the browser ``action`` and its screenshot."""

    type: Literal["openrouter:browser_use"] = "openrouter:browser_use"
    action: str | None = None
    screenshot_b64: str | None = attrs.field(default=None, metadata=_wire("screenshotB64"))


@attrs.frozen(kw_only=True, repr=False, eq=False)
class BashServerToolCall(ServerToolCall):
    """``openrouter:bash``: the ``command`` run, what it printed, its exit code."""

    type: Literal["openrouter:bash"] = "openrouter:bash"
    command: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    exit_code: int | None = attrs.field(default=None, metadata=_wire("exitCode"))
    arguments: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class TextEditorServerToolCall(ServerToolCall):
    """``openrouter:text_editor``: ``command`` (view | create | str_replace | insert) on a file."""

    type: Literal["openrouter:text_editor"] = "openrouter:text_editor"
    command: str | None = None
    file_path: str | None = attrs.field(default=None, metadata=_wire("filePath"))


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ApplyPatchServerToolCall(ServerToolCall):
    """``openrouter:apply_patch``: a validated patch for your code to apply and answer with an
    ``ApplyPatchCallOutput``."""

    type: Literal["openrouter:apply_patch"] = "openrouter:apply_patch"
    operation: ApplyPatchOperation | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellServerToolCall(ServerToolCall):
    """``openrouter:shell``: the commands run in the sandbox and each one's ``output``."""

    type: Literal["openrouter:shell"] = "openrouter:shell"
    action: ShellAction | None = None
    output: list[ShellCommandOutput] | None = None
    arguments: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ToolSearchServerToolCall(ServerToolCall):
    """``openrouter:tool_search``: the ``query`` the model searched its deferred tools for."""

    type: Literal["openrouter:tool_search"] = "openrouter:tool_search"
    query: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class MemoryServerToolCall(ServerToolCall):
    """``openrouter:memory``: ``action`` (read | write | delete) on ``key``, with its ``value``."""

    type: Literal["openrouter:memory"] = "openrouter:memory"
    action: str | None = None
    key: str | None = None
    value: Any = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class McpServerToolCall(ServerToolCall):
    """``openrouter:mcp``: the tool ``tool_name`` called on the MCP server ``server_label``."""

    type: Literal["openrouter:mcp"] = "openrouter:mcp"
    server_label: str | None = attrs.field(default=None, metadata=_wire("serverLabel"))
    tool_name: str | None = attrs.field(default=None, metadata=_wire("toolName"))


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SearchModelsServerToolCall(ServerToolCall):
    """``openrouter:experimental__search_models``: a search of OpenRouter's models."""

    type: Literal["openrouter:experimental__search_models"] = (
        "openrouter:experimental__search_models"
    )
    query: str | None = None
    arguments: str | None = None


# -- fusion: several models answer, an analyst compares them


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionStance(WireModel):
    """What one model holds on a contested topic."""

    model: str
    stance: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionContradiction(WireModel):
    """A ``topic`` the panel models disagree on, with each one's stance."""

    topic: str
    stances: list[FusionStance]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionPartialCoverage(WireModel):
    """A ``point`` only some of the ``models`` made."""

    models: list[str]
    point: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionInsight(WireModel):
    """An ``insight`` only ``model`` had."""

    model: str
    insight: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionAnalysis(WireModel):
    """The analyst's comparison of the panel's answers."""

    consensus: list[str] | None = None
    contradictions: list[FusionContradiction] | None = None
    partial_coverage: list[FusionPartialCoverage] | None = None
    unique_insights: list[FusionInsight] | None = None
    blind_spots: list[str] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionPanelResponse(WireModel):
    """One panel model's full answer."""

    model: str
    content: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionFailedModel(WireModel):
    """A panel model that gave no answer, and why (``status_code``: the upstream HTTP status)."""

    model: str
    error: str
    status_code: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionSource(WireModel):
    """A web page the panel or the analyst read."""

    url: str
    title: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionServerToolCall(ServerToolCall):
    """``openrouter:fusion``: the panel's ``responses``, the ``analysis``, the ``sources`` read;
    ``failure_reason`` and ``error`` when it failed."""

    type: Literal["openrouter:fusion"] = "openrouter:fusion"
    analysis: FusionAnalysis | None = None
    responses: list[FusionPanelResponse] | None = None
    failed_models: list[FusionFailedModel] | None = None
    sources: list[FusionSource] | None = None
    failure_reason: str | None = None
    error: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class AdvisorServerToolCall(ServerToolCall):
    """``openrouter:advisor``: the ``advice`` the advisor ``model`` gave for ``prompt``.

    Send ``instance_name`` back unchanged: it keys the advisor's memory across requests.
    """

    type: Literal["openrouter:advisor"] = "openrouter:advisor"
    advice: str | None = None
    model: str | None = None
    prompt: str | None = None
    instance_name: str | None = None
    error: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SubagentServerToolCall(ServerToolCall):
    """``openrouter:subagent``: a task delegated to a worker ``model``, and its ``outcome``.

    Experimental on OpenRouter. ``call_id`` is the ``subagent_id`` of the function calls the
    subagent makes; send ``instance_name`` back unchanged.
    """

    type: Literal["openrouter:subagent"] = "openrouter:subagent"
    name: str | None = None
    model: str | None = None
    task_name: str | None = None
    task_description: str | None = None
    outcome: str | None = None
    instance_name: str | None = None
    error: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FilesServerToolCall(ServerToolCall):
    """``openrouter:files``: ``operation`` (list | read | write | edit) and its JSON ``result``."""

    type: Literal["openrouter:files"] = "openrouter:files"
    operation: str | None = None
    file_id: str | None = None
    filename: str | None = None
    result: str | None = None
    error: str | None = None
    arguments: str | None = None


#: One class per ``SERVER_TOOL_ITEM_TYPES`` entry, in that order.
SERVER_TOOL_CALL_CLASSES: tuple[type[ServerToolCall], ...] = (
    WebSearchServerToolCall,
    WebFetchServerToolCall,
    DatetimeServerToolCall,
    CodeInterpreterServerToolCall,
    FileSearchServerToolCall,
    ImageGenerationServerToolCall,
    BrowserUseServerToolCall,
    BashServerToolCall,
    TextEditorServerToolCall,
    ApplyPatchServerToolCall,
    ShellServerToolCall,
    ToolSearchServerToolCall,
    MemoryServerToolCall,
    McpServerToolCall,
    SearchModelsServerToolCall,
    FusionServerToolCall,
    AdvisorServerToolCall,
    SubagentServerToolCall,
    FilesServerToolCall,
)
