"""OpenRouter's request-side settings: the ``parameters`` of each ``openrouter:*`` server tool,
and the ``stop_server_tools_when`` conditions of the server-tool loop.

Each server tool class of :mod:`.tools` (``WebSearchServerTool``, ...) takes its parameters
class here or a plain mapping of the same keys.

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

__all__ = [
    "AdvisorParameters",
    "ApplyPatchParameters",
    "BashParameters",
    "DatetimeParameters",
    "FilesParameters",
    "FusionParameters",
    "ImageGenerationParameters",
    "NestedTool",
    "SearchModelsParameters",
    "ServerToolParameters",
    "ServerToolReasoning",
    "ShellParameters",
    "StopCondition",
    "StopOnCost",
    "StopOnFinishReason",
    "StopOnStepCount",
    "StopOnTokens",
    "StopOnToolCall",
    "SubagentParameters",
    "ToolSearchParameters",
    "UnknownStopCondition",
    "UserLocation",
    "WebFetchParameters",
    "WebSearchParameters",
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


# -- stop_server_tools_when: any condition that holds ends the server-tool loop


@attrs.frozen(kw_only=True, repr=False, eq=False)
class StopOnStepCount(WireModel):
    """Stop after ``step_count`` steps of the loop."""

    type: Literal["step_count_is"] = "step_count_is"
    step_count: int


@attrs.frozen(kw_only=True, repr=False, eq=False)
class StopOnToolCall(WireModel):
    """Stop once the tool ``tool_name`` has been called."""

    type: Literal["has_tool_call"] = "has_tool_call"
    tool_name: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class StopOnTokens(WireModel):
    """Stop once the loop has used more than ``max_tokens`` tokens."""

    type: Literal["max_tokens_used"] = "max_tokens_used"
    max_tokens: int


@attrs.frozen(kw_only=True, repr=False, eq=False)
class StopOnCost(WireModel):
    """Stop once the loop has cost more than ``max_cost_in_dollars``."""

    type: Literal["max_cost"] = "max_cost"
    max_cost_in_dollars: float


@attrs.frozen(kw_only=True, repr=False, eq=False)
class StopOnFinishReason(WireModel):
    """Stop when the model finishes for ``reason`` (``"length"``, ...)."""

    type: Literal["finish_reason_is"] = "finish_reason_is"
    reason: str


@attrs.frozen(kw_only=True)
class UnknownStopCondition:
    """A stop condition this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


StopCondition = Union[
    StopOnStepCount,
    StopOnToolCall,
    StopOnTokens,
    StopOnCost,
    StopOnFinishReason,
    UnknownStopCondition,
]
