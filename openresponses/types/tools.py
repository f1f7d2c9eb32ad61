"""Tool definitions (``tools``) and every ``tool_choice`` form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel
from ._literals import AllowedToolsMode, ToolChoiceOption

__all__ = [
    "ApplyPatchTool",
    "CodeInterpreterTool",
    "ComputerUseTool",
    "CustomTool",
    "FileSearchTool",
    "FunctionTool",
    "ImageGenerationTool",
    "LocalShellTool",
    "McpTool",
    "NamespaceTool",
    "SERVER_TOOL_TYPES",
    "ServerTool",
    "ShellTool",
    "Tool",
    "ToolChoice",
    "ToolChoiceAllowed",
    "ToolChoiceFunction",
    "ToolChoiceTool",
    "UnknownTool",
    "WebSearchTool",
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FunctionTool(WireModel):
    """A function the model may call; your code runs it and sends back a ``FunctionCallOutput``.

    ``name`` matches ``^[a-zA-Z0-9_-]{1,64}$``. ``parameters`` is a JSON Schema object.
    ``defer_loading`` (OpenRouter) hides the tool until ``openrouter:tool_search`` finds it.
    Inside a ``NamespaceTool``, OpenRouter also takes ``allowed_callers`` (``direct`` |
    ``programmatic``) and an ``output_schema``.
    """

    type: Literal["function"] = "function"
    name: str
    description: str | None = None
    parameters: Mapping[str, Any] | None = None
    strict: bool | None = None
    defer_loading: bool | None = None
    allowed_callers: list[str] | None = None
    output_schema: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebSearchTool(WireModel):
    """OpenAI's hosted web search, in all its spellings (``web_search``, ``..._preview``, ...)."""

    type: Literal[
        "web_search", "web_search_preview", "web_search_preview_2025_03_11", "web_search_2025_08_26"
    ] = "web_search"
    engine: str | None = None
    filters: Mapping[str, Any] | None = None
    max_results: int | None = None
    max_uses: int | None = None
    mode: str | None = None
    search_context_size: str | None = None
    user_location: Mapping[str, Any] | None = None
    external_web_access: bool | None = None  # Open Responses prose: False for offline search


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FileSearchTool(WireModel):
    """Hosted search over vector stores."""

    type: Literal["file_search"] = "file_search"
    vector_store_ids: list[str] = attrs.Factory(list)
    filters: Mapping[str, Any] | None = None
    max_num_results: int | None = None
    ranking_options: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ComputerUseTool(WireModel):
    """OpenAI's computer-use preview tool."""

    type: Literal["computer_use_preview"] = "computer_use_preview"
    display_width: int | None = None
    display_height: int | None = None
    environment: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CodeInterpreterTool(WireModel):
    """Hosted code interpreter; ``container`` is a container id or ``{"type": "auto", ...}``."""

    type: Literal["code_interpreter"] = "code_interpreter"
    container: str | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class McpTool(WireModel):
    """A remote MCP server's tools."""

    type: Literal["mcp"] = "mcp"
    server_label: str = ""
    server_url: str | None = None
    server_description: str | None = None
    connector_id: str | None = None
    authorization: str | None = None
    headers: Mapping[str, str] | None = None
    allowed_tools: list[str] | Mapping[str, Any] | None = None
    require_approval: str | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ImageGenerationTool(WireModel):
    """OpenAI's hosted image generation."""

    type: Literal["image_generation"] = "image_generation"
    model: str | None = None
    background: str | None = None
    input_fidelity: str | None = None
    input_image_mask: Mapping[str, Any] | None = None
    moderation: str | None = None
    output_compression: int | None = None
    output_format: str | None = None
    partial_images: int | None = None
    quality: str | None = None
    size: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class LocalShellTool(WireModel):
    """Codex's local shell tool."""

    type: Literal["local_shell"] = "local_shell"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellTool(WireModel):
    """OpenAI's shell tool."""

    type: Literal["shell"] = "shell"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ApplyPatchTool(WireModel):
    """OpenAI's apply-patch tool."""

    type: Literal["apply_patch"] = "apply_patch"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CustomTool(WireModel):
    """A free-form (non-JSON) tool; ``format`` is ``{"type": "text"}`` or a grammar."""

    type: Literal["custom"] = "custom"
    name: str
    description: str | None = None
    format: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class NamespaceTool(WireModel):
    """A named group of function and custom tools."""

    type: Literal["namespace"] = "namespace"
    name: str
    description: str = ""
    tools: list[Tool] = attrs.Factory(list)


#: The ``type`` of every OpenRouter server tool (run by OpenRouter itself, not by your code).
SERVER_TOOL_TYPES = (
    "openrouter:web_search",
    "openrouter:web_fetch",
    "openrouter:datetime",
    "openrouter:image_generation",
    "openrouter:bash",
    "openrouter:shell",
    "openrouter:apply_patch",
    "openrouter:files",
    "openrouter:fusion",
    "openrouter:advisor",
    "openrouter:subagent",
    "openrouter:tool_search",
    "openrouter:experimental__search_models",
)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ServerTool(WireModel):
    """An OpenRouter server tool: ``ServerTool(type="openrouter:web_search", parameters={...})``.

    The base of one class per type (``WebSearchServerTool``, ``BashServerTool``, ... in
    :mod:`.openrouter_tools`), whose ``parameters`` are typed (``WebSearchParameters``, ...) or a
    plain mapping; a reader makes those classes. ``parameters`` here takes either.
    """

    type: Literal[
        "openrouter:web_search",
        "openrouter:web_fetch",
        "openrouter:datetime",
        "openrouter:image_generation",
        "openrouter:bash",
        "openrouter:shell",
        "openrouter:apply_patch",
        "openrouter:files",
        "openrouter:fusion",
        "openrouter:advisor",
        "openrouter:subagent",
        "openrouter:tool_search",
        "openrouter:experimental__search_models",
    ]
    parameters: Any = None  # a ``*Parameters`` class or a mapping


@attrs.frozen(kw_only=True)
class UnknownTool:
    """A tool type this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


Tool = Union[
    FunctionTool,
    WebSearchTool,
    FileSearchTool,
    ComputerUseTool,
    CodeInterpreterTool,
    McpTool,
    ImageGenerationTool,
    LocalShellTool,
    ShellTool,
    ApplyPatchTool,
    CustomTool,
    NamespaceTool,
    ServerTool,
    UnknownTool,
]


# -- tool_choice: "auto" | "none" | "required" | one of the objects below


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ToolChoiceFunction(WireModel):
    """Force a call of the function ``name``."""

    type: Literal["function"] = "function"
    name: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ToolChoiceAllowed(WireModel):
    """Limit the callable tools without changing ``tools`` (keeps prompt caches valid).

    ``tools`` (required, 1 to 128) are ``{"type": "function", "name": ...}`` objects; ``mode``
    is ``"auto"`` or ``"required"`` (OpenRouter requires it; Open Responses also allows
    ``"none"``).
    """

    type: Literal["allowed_tools"] = "allowed_tools"
    tools: list[Mapping[str, Any]]
    mode: AllowedToolsMode | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ToolChoiceTool(WireModel):
    """Force a hosted tool by type (``web_search_preview``, ``apply_patch``, ``shell``, ...)."""

    type: str


ToolChoice = Union[ToolChoiceOption, ToolChoiceFunction, ToolChoiceAllowed, ToolChoiceTool]
