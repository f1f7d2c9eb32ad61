"""Tool definitions (``tools``) and every ``tool_choice`` form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel
from ._literals import AllowedToolsMode, ToolChoiceOption
from .openrouter_params import (
    AdvisorParameters,
    ApplyPatchParameters,
    BashParameters,
    DatetimeParameters,
    FilesParameters,
    FusionParameters,
    ImageGenerationParameters,
    SearchModelsParameters,
    ServerToolParameters,
    ShellParameters,
    SubagentParameters,
    ToolSearchParameters,
    WebFetchParameters,
    WebSearchParameters,
)

__all__ = [
    "SERVER_TOOL_CLASSES",
    "AdvisorServerTool",
    "ApplyPatchServerTool",
    "ApplyPatchTool",
    "BashServerTool",
    "CodeInterpreterTool",
    "ComputerUseTool",
    "CustomTool",
    "DatetimeServerTool",
    "FileSearchTool",
    "FilesServerTool",
    "FunctionTool",
    "FusionServerTool",
    "ImageGenerationServerTool",
    "ImageGenerationTool",
    "LocalShellTool",
    "McpTool",
    "NamespaceTool",
    "SERVER_TOOL_TYPES",
    "SearchModelsServerTool",
    "ServerTool",
    "ShellServerTool",
    "ShellTool",
    "SubagentServerTool",
    "Tool",
    "ToolChoice",
    "ToolChoiceAllowed",
    "ToolChoiceFunction",
    "ToolChoiceTool",
    "ToolSearchServerTool",
    "UnknownTool",
    "WebFetchServerTool",
    "WebSearchServerTool",
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

    The base of one class per type (``WebSearchServerTool``, ``BashServerTool``, ...), whose
    ``parameters`` are typed (``WebSearchParameters``, ...) or a plain mapping; a reader makes
    those classes. ``parameters`` here takes any of them, or a mapping.
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
    parameters: ServerToolParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebSearchServerTool(ServerTool):
    """``openrouter:web_search``: OpenRouter searches the web for the model."""

    type: Literal["openrouter:web_search"] = "openrouter:web_search"
    parameters: WebSearchParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebFetchServerTool(ServerTool):
    """``openrouter:web_fetch``: OpenRouter fetches pages for the model."""

    type: Literal["openrouter:web_fetch"] = "openrouter:web_fetch"
    parameters: WebFetchParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DatetimeServerTool(ServerTool):
    """``openrouter:datetime``: the current date and time."""

    type: Literal["openrouter:datetime"] = "openrouter:datetime"
    parameters: DatetimeParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ImageGenerationServerTool(ServerTool):
    """``openrouter:image_generation``: images from an image model."""

    type: Literal["openrouter:image_generation"] = "openrouter:image_generation"
    parameters: ImageGenerationParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class BashServerTool(ServerTool):
    """``openrouter:bash``: commands in a sandbox."""

    type: Literal["openrouter:bash"] = "openrouter:bash"
    parameters: BashParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellServerTool(ServerTool):
    """``openrouter:shell``: shell commands in a sandbox."""

    type: Literal["openrouter:shell"] = "openrouter:shell"
    parameters: ShellParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ApplyPatchServerTool(ServerTool):
    """``openrouter:apply_patch``: patches validated by OpenRouter, applied by your code."""

    type: Literal["openrouter:apply_patch"] = "openrouter:apply_patch"
    parameters: ApplyPatchParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FilesServerTool(ServerTool):
    """``openrouter:files``: the model lists, reads, writes and edits your files."""

    type: Literal["openrouter:files"] = "openrouter:files"
    parameters: FilesParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionServerTool(ServerTool):
    """``openrouter:fusion``: a panel of models answers, an analyst compares them."""

    type: Literal["openrouter:fusion"] = "openrouter:fusion"
    parameters: FusionParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class AdvisorServerTool(ServerTool):
    """``openrouter:advisor``: the model consults a stronger one."""

    type: Literal["openrouter:advisor"] = "openrouter:advisor"
    parameters: AdvisorParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SubagentServerTool(ServerTool):
    """``openrouter:subagent``: the model delegates a task to a worker model."""

    type: Literal["openrouter:subagent"] = "openrouter:subagent"
    parameters: SubagentParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ToolSearchServerTool(ServerTool):
    """``openrouter:tool_search``: the model finds the tools marked ``defer_loading``."""

    type: Literal["openrouter:tool_search"] = "openrouter:tool_search"
    parameters: ToolSearchParameters | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SearchModelsServerTool(ServerTool):
    """``openrouter:experimental__search_models``: the model searches OpenRouter's models."""

    type: Literal["openrouter:experimental__search_models"] = (
        "openrouter:experimental__search_models"
    )
    parameters: SearchModelsParameters | Mapping[str, Any] | None = None


#: One class per ``SERVER_TOOL_TYPES`` entry, in that order.
SERVER_TOOL_CLASSES: tuple[type[ServerTool], ...] = (
    WebSearchServerTool,
    WebFetchServerTool,
    DatetimeServerTool,
    ImageGenerationServerTool,
    BashServerTool,
    ShellServerTool,
    ApplyPatchServerTool,
    FilesServerTool,
    FusionServerTool,
    AdvisorServerTool,
    SubagentServerTool,
    ToolSearchServerTool,
    SearchModelsServerTool,
)


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
