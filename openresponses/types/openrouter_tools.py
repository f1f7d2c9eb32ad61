"""OpenRouter's server tools, one class per ``openrouter:*`` type, and the ``parameters`` class
of each (a plain mapping of the same keys is accepted too). Loaded on first use.

Every class derives from ``ServerTool`` (in :mod:`.tools`), which a reader never makes for
these types.

>>> from openresponses import to_dict
>>> from openresponses.types import WebSearchParameters, WebSearchServerTool
>>> to_dict(WebSearchServerTool(parameters=WebSearchParameters(max_results=3, engine="exa")))
{'type': 'openrouter:web_search', 'parameters': {'engine': 'exa', 'max_results': 3}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel
from ._literals import ReasoningEffort
from .openrouter_actions import ShellEnvironment
from .request import CacheControl
from .tools import ServerTool

__all__ = [
    "AdvisorParameters",
    "AdvisorServerTool",
    "ApplyPatchParameters",
    "ApplyPatchServerTool",
    "BashParameters",
    "BashServerTool",
    "DatetimeParameters",
    "DatetimeServerTool",
    "FilesParameters",
    "FilesServerTool",
    "FusionParameters",
    "FusionServerTool",
    "ImageGenerationParameters",
    "ImageGenerationServerTool",
    "NestedTool",
    "SearchModelsParameters",
    "SearchModelsServerTool",
    "ServerToolParameters",
    "ServerToolReasoning",
    "ShellParameters",
    "ShellServerTool",
    "SubagentParameters",
    "SubagentServerTool",
    "ToolSearchParameters",
    "ToolSearchServerTool",
    "UserLocation",
    "WebFetchParameters",
    "WebFetchServerTool",
    "WebSearchParameters",
    "WebSearchServerTool",
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class UserLocation(WireModel):
    """Where the user roughly is, to localise search results."""

    type: Literal["approximate"] = "approximate"
    city: str | None = None
    country: str | None = None
    region: str | None = None
    timezone: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ServerToolReasoning(WireModel):
    """How much a server tool's own model reasons (``effort``, or a ``max_tokens`` budget)."""

    effort: ReasoningEffort | None = None
    max_tokens: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class NestedTool(WireModel):
    """A tool handed on to a server tool's own model: a ``type`` and its ``parameters``."""

    type: str
    parameters: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebSearchParameters(WireModel):
    """``openrouter:web_search``: ``engine`` (native | exa | parallel | firecrawl | perplexity |
    auto), how many results and characters, which domains, and the user's location."""

    engine: str | None = None
    mode: str | None = None
    max_results: int | None = None
    max_total_results: int | None = None
    max_characters: int | None = None
    max_uses: int | None = None
    search_context_size: str | None = None
    allowed_domains: list[str] | None = None
    excluded_domains: list[str] | None = None
    user_location: UserLocation | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebFetchParameters(WireModel):
    """``openrouter:web_fetch``: ``engine``, limits, and the domains allowed or blocked."""

    engine: str | None = None
    max_uses: int | None = None
    max_content_tokens: int | None = None
    allowed_domains: list[str] | None = None
    blocked_domains: list[str] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DatetimeParameters(WireModel):
    """``openrouter:datetime``: the IANA ``timezone`` to answer in."""

    timezone: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ImageGenerationParameters(WireModel):
    """``openrouter:image_generation``: the image ``model`` and the image settings its spec
    names; any other setting goes in ``extra_fields``, which are sent as they are."""

    model: str | None = None
    aspect_ratio: str | None = None
    size: str | None = None
    quality: str | None = None
    background: str | None = None
    output_format: str | None = None
    output_compression: int | None = None
    moderation: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class BashParameters(WireModel):
    """``openrouter:bash``: ``engine`` (auto | native | openrouter), the sandbox ``environment``
    and how long it idles before sleeping."""

    engine: str | None = None
    environment: ShellEnvironment | None = None
    sleep_after_seconds: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellParameters(WireModel):
    """``openrouter:shell``: ``engine`` (auto | openrouter), the sandbox ``environment`` and how
    long it idles before sleeping."""

    engine: str | None = None
    environment: ShellEnvironment | None = None
    sleep_after_seconds: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ApplyPatchParameters(WireModel):
    """``openrouter:apply_patch``: ``engine`` (auto | native | openrouter)."""

    engine: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FilesParameters(WireModel):
    """``openrouter:files``: no settings yet (any given go in ``extra_fields``)."""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionParameters(WireModel):
    """``openrouter:fusion``: the analyst ``model``, the 1 to 8 ``analysis_models`` of the panel,
    their limits, and the ``tools`` the panel may use."""

    model: str | None = None
    analysis_models: list[str] | None = None
    max_completion_tokens: int | None = None
    max_tool_calls: int | None = None
    temperature: float | None = None
    reasoning: ServerToolReasoning | None = None
    cache_control: CacheControl | None = None
    tools: list[NestedTool] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class AdvisorParameters(WireModel):
    """``openrouter:advisor``: the advisor ``model``, its ``instructions`` and limits; ``name``
    tells several advisors apart; ``forward_transcript`` shows it the conversation."""

    model: str | None = None
    name: str | None = None
    instructions: str | None = None
    forward_transcript: bool | None = None
    max_completion_tokens: int | None = None
    reasoning: ServerToolReasoning | None = None
    stream: bool | None = None
    temperature: float | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SubagentParameters(WireModel):
    """``openrouter:subagent``: the worker ``model``, its ``instructions``, limits and ``tools``;
    ``inherit_functions`` (or ``inherited_function_names``) hands it your function tools."""

    model: str | None = None
    name: str | None = None
    instructions: str | None = None
    inherit_functions: bool | None = None
    inherited_function_names: list[str] | None = None
    max_completion_tokens: int | None = None
    max_tool_calls: int | None = None
    reasoning: ServerToolReasoning | None = None
    temperature: float | None = None
    tools: list[NestedTool] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ToolSearchParameters(WireModel):
    """``openrouter:tool_search``: how many deferred tools one search may load."""

    max_results: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SearchModelsParameters(WireModel):
    """``openrouter:experimental__search_models``: how many models a search returns."""

    max_results: int | None = None


ServerToolParameters = Union[
    WebSearchParameters,
    WebFetchParameters,
    DatetimeParameters,
    ImageGenerationParameters,
    BashParameters,
    ShellParameters,
    ApplyPatchParameters,
    FilesParameters,
    FusionParameters,
    AdvisorParameters,
    SubagentParameters,
    ToolSearchParameters,
    SearchModelsParameters,
]


# -- the tools


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
