"""Items: the entries of ``input`` and of ``Response.output``.

Every class is valid both ways: an output item of one response can be sent back as an input
item of the next, unchanged (the stateless multi-turn pattern).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel
from .content import ContentPart
from .openrouter_actions import (
    ComputerAction,
    LocalShellAction,
    ShellAction,
    ShellCommandOutput,
    ShellEnvironment,
    WebSearchAction,
)
from .openrouter_results import (
    ApplyPatchOperation,
    CodeInterpreterOutput,
    FileSearchResult,
    McpToolInfo,
    SafetyCheck,
)
from .tools import Tool

__all__ = [
    "SERVER_TOOL_ITEM_TYPES",
    "AdditionalTools",
    "AgentMessage",
    "ApplyPatchCall",
    "ApplyPatchCallOutput",
    "CodeInterpreterCall",
    "Compaction",
    "ComputerCall",
    "ComputerCallOutput",
    "CustomToolCall",
    "CustomToolCallOutput",
    "FileSearchCall",
    "FunctionCall",
    "FunctionCallOutput",
    "ImageGenerationCall",
    "Item",
    "ItemReference",
    "LocalShellCall",
    "LocalShellCallOutput",
    "McpApprovalRequest",
    "McpApprovalResponse",
    "McpCall",
    "McpListTools",
    "Message",
    "ReasoningItem",
    "ServerToolCall",
    "ShellCall",
    "ShellCallOutput",
    "UnknownItem",
    "WebSearchCall",
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Message(WireModel):
    """A message in any role: ``"user"``, ``"system"``, ``"developer"`` or ``"assistant"``.

    ``content`` is a string or a list of content parts. Output messages carry ``id`` and
    ``status`` (``in_progress`` | ``completed`` | ``incomplete``); assistant messages may carry
    ``phase`` (``commentary`` | ``final_answer``), which should be sent back on follow-ups.
    A dict without ``type`` but with ``role`` (OpenRouter's EasyInputMessage) reads as a Message.
    """

    type: Literal["message"] = "message"
    role: str
    content: str | list[ContentPart]
    id: str | None = None
    status: str | None = None
    phase: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FunctionCall(WireModel):
    """The model asks your code to call function ``name`` with JSON ``arguments``."""

    type: Literal["function_call"] = "function_call"
    call_id: str
    name: str
    arguments: str = ""
    id: str | None = None
    status: str | None = None
    namespace: str | None = None
    subagent_id: str | None = None
    subagent_items: list[Mapping[str, Any]] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FunctionCallOutput(WireModel):
    """What your code returned for the call ``call_id``: a string or a list of input parts."""

    type: Literal["function_call_output"] = "function_call_output"
    call_id: str
    output: str | list[ContentPart]
    id: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningItem(WireModel):
    """The model's reasoning.

    ``summary`` is safe to show; ``content`` is raw reasoning (often withheld);
    ``encrypted_content`` (ask for it with ``include=["reasoning.encrypted_content"]``) plus
    OpenRouter's ``signature`` and ``format`` let a stateless client send the item back.
    Servers send ``SummaryText`` and ``ReasoningText`` parts; the Open Responses spec allows
    any content part in both lists, so any is read.
    """

    type: Literal["reasoning"] = "reasoning"
    id: str | None = None
    summary: list[ContentPart] = attrs.Factory(list)
    content: list[ContentPart] | None = None
    encrypted_content: str | None = None
    signature: str | None = None
    format: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ItemReference(WireModel):
    """A reference to an earlier item by ``id`` (servers with storage only)."""

    type: Literal["item_reference"] = "item_reference"
    id: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Compaction(WireModel):
    """An opaque summary of earlier turns (``compaction``, OpenRouter's ``context_compaction``)."""

    type: Literal["compaction", "context_compaction"] = "compaction"
    encrypted_content: str | None = None
    id: str | None = None
    created_by: str | None = None


# -- hosted tool calls (OpenAI-style, also relayed by OpenRouter)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebSearchCall(WireModel):
    """A hosted web search; ``action`` is a ``SearchAction``, ``OpenPageAction`` or
    ``FindInPageAction``."""

    type: Literal["web_search_call"] = "web_search_call"
    id: str | None = None
    status: str | None = None
    action: WebSearchAction | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FileSearchCall(WireModel):
    """A hosted file search."""

    type: Literal["file_search_call"] = "file_search_call"
    id: str | None = None
    status: str | None = None
    queries: list[str] | None = None
    results: list[FileSearchResult] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ImageGenerationCall(WireModel):
    """A hosted image generation; ``result`` is the base64 image."""

    type: Literal["image_generation_call"] = "image_generation_call"
    id: str | None = None
    status: str | None = None
    result: str | None = None
    prompt: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CodeInterpreterCall(WireModel):
    """A hosted code-interpreter run; ``outputs`` are logs, images and (OpenRouter) files."""

    type: Literal["code_interpreter_call"] = "code_interpreter_call"
    id: str | None = None
    status: str | None = None
    code: str | None = None
    container_id: str | None = None
    outputs: list[CodeInterpreterOutput] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ComputerCall(WireModel):
    """A computer-use action (``ClickAction``, ``TypeAction``, ...) for your code to perform.

    OpenRouter's spec leaves ``action`` open: a value that is not an object is kept as sent.
    """

    type: Literal["computer_call"] = "computer_call"
    call_id: str | None = None
    id: str | None = None
    status: str | None = None
    action: ComputerAction | Any = None
    pending_safety_checks: list[SafetyCheck] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ComputerCallOutput(WireModel):
    """The result of a computer-use action (a screenshot)."""

    type: Literal["computer_call_output"] = "computer_call_output"
    call_id: str | None = None
    output: Any = None
    id: str | None = None
    status: str | None = None
    acknowledged_safety_checks: list[SafetyCheck] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CustomToolCall(WireModel):
    """A call of a custom (free-form) tool with raw ``input`` text."""

    type: Literal["custom_tool_call"] = "custom_tool_call"
    call_id: str | None = None
    name: str | None = None
    input: str = ""
    id: str | None = None
    status: str | None = None
    namespace: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CustomToolCallOutput(WireModel):
    """What your code returned for a custom tool call."""

    type: Literal["custom_tool_call_output"] = "custom_tool_call_output"
    call_id: str | None = None
    output: str | list[ContentPart] = ""
    id: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ApplyPatchCall(WireModel):
    """A file operation (``CreateFileOperation``, ``UpdateFileOperation`` with a diff, or
    ``DeleteFileOperation``) for your code to apply."""

    type: Literal["apply_patch_call"] = "apply_patch_call"
    call_id: str | None = None
    operation: ApplyPatchOperation | None = None
    id: str | None = None
    status: str | None = None
    created_by: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ApplyPatchCallOutput(WireModel):
    """The outcome of an apply-patch call."""

    type: Literal["apply_patch_call_output"] = "apply_patch_call_output"
    call_id: str | None = None
    output: str | None = None
    id: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellCall(WireModel):
    """Shell commands for your code to run, and the ``environment`` they run in.

    OpenRouter's spec leaves ``environment`` open: a value that is not an object is kept as sent.
    """

    type: Literal["shell_call"] = "shell_call"
    call_id: str | None = None
    action: ShellAction | None = None
    id: str | None = None
    status: str | None = None
    arguments: str | None = None
    environment: ShellEnvironment | Any = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellCallOutput(WireModel):
    """The outcome of shell commands (``stdout``, ``stderr``, ``outcome`` per command)."""

    type: Literal["shell_call_output"] = "shell_call_output"
    call_id: str | None = None
    output: list[ShellCommandOutput] = attrs.Factory(list)
    id: str | None = None
    status: str | None = None
    max_output_length: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class LocalShellCall(WireModel):
    """Codex's local shell call; ``action`` is a ``LocalShellExecAction``."""

    type: Literal["local_shell_call"] = "local_shell_call"
    call_id: str | None = None
    action: LocalShellAction | None = None
    id: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class LocalShellCallOutput(WireModel):
    """The outcome of a local shell call."""

    type: Literal["local_shell_call_output"] = "local_shell_call_output"
    id: str | None = None
    output: str = ""
    status: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class McpListTools(WireModel):
    """The tools an MCP server offers."""

    type: Literal["mcp_list_tools"] = "mcp_list_tools"
    id: str | None = None
    server_label: str | None = None
    tools: list[McpToolInfo] = attrs.Factory(list)
    error: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class McpApprovalRequest(WireModel):
    """An MCP call waiting for your approval."""

    type: Literal["mcp_approval_request"] = "mcp_approval_request"
    id: str | None = None
    server_label: str | None = None
    name: str | None = None
    arguments: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class McpApprovalResponse(WireModel):
    """Your answer to an ``McpApprovalRequest``."""

    type: Literal["mcp_approval_response"] = "mcp_approval_response"
    approval_request_id: str | None = None
    approve: bool | None = None
    id: str | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class McpCall(WireModel):
    """A call of a tool on an MCP server."""

    type: Literal["mcp_call"] = "mcp_call"
    id: str | None = None
    server_label: str | None = None
    name: str | None = None
    arguments: str | None = None
    output: str | None = None
    error: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class AdditionalTools(WireModel):
    """OpenRouter: tools added mid-conversation (``role`` and the ``tools``)."""

    type: Literal["additional_tools"] = "additional_tools"
    role: str | None = None
    tools: list[Tool] = attrs.Factory(list)
    id: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class AgentMessage(WireModel):
    """OpenRouter: a message between agents (``author`` to ``recipient``)."""

    type: Literal["agent_message"] = "agent_message"
    author: str | None = None
    recipient: str | None = None
    content: list[ContentPart] = attrs.Factory(list)
    agent: Mapping[str, Any] | None = None
    id: str | None = None


#: The ``type`` of every OpenRouter server-tool output item.
SERVER_TOOL_ITEM_TYPES = (
    "openrouter:web_search",
    "openrouter:web_fetch",
    "openrouter:datetime",
    "openrouter:code_interpreter",
    "openrouter:file_search",
    "openrouter:image_generation",
    "openrouter:browser_use",
    "openrouter:bash",
    "openrouter:text_editor",
    "openrouter:apply_patch",
    "openrouter:shell",
    "openrouter:tool_search",
    "openrouter:memory",
    "openrouter:mcp",
    "openrouter:experimental__search_models",
    "openrouter:fusion",
    "openrouter:advisor",
    "openrouter:subagent",
    "openrouter:files",
)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ServerToolCall(WireModel):
    """A call OpenRouter ran itself (``openrouter:web_search``, ``openrouter:datetime``, ...).

    The base of one class per type of ``SERVER_TOOL_ITEM_TYPES`` (``BashServerToolCall``,
    ``WebFetchServerToolCall``, ... in :mod:`.openrouter_items`), which is what a reader makes
    of them: ``isinstance(item, ServerToolCall)`` holds for all. An ``openrouter:*`` type not
    known here reads as ``UnknownItem``. Build one of those classes to send an item back; this
    base takes any ``type`` and its fields in ``extra_fields``.
    """

    type: str
    id: str | None = None
    status: str | None = None
    call_id: str | None = None


@attrs.frozen(kw_only=True)
class UnknownItem:
    """An item type this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


Item = Union[
    Message,
    FunctionCall,
    FunctionCallOutput,
    ReasoningItem,
    ItemReference,
    Compaction,
    WebSearchCall,
    FileSearchCall,
    ImageGenerationCall,
    CodeInterpreterCall,
    ComputerCall,
    ComputerCallOutput,
    CustomToolCall,
    CustomToolCallOutput,
    ApplyPatchCall,
    ApplyPatchCallOutput,
    ShellCall,
    ShellCallOutput,
    LocalShellCall,
    LocalShellCallOutput,
    McpListTools,
    McpApprovalRequest,
    McpApprovalResponse,
    McpCall,
    AdditionalTools,
    AgentMessage,
    ServerToolCall,
    UnknownItem,
]
