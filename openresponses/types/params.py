"""The request bodies as ``TypedDict``s: ``ResponseCreateParams``, ``CompactParams``, and the
wire shape of each nested parameter that also takes a plain dict (``ReasoningConfigParam`` is
``ReasoningConfig`` as a dict, and so on).

They are type hints only: the request path reads a dict as it reads any mapping, and checks it
there (``InvalidRequestError``). What they add is the type checker's view of a dict, so a typo
fails ``mypy`` in ``reasoning={"effort": "hihg"}`` as in ``ReasoningConfig(effort="hihg")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, Union

from typing_extensions import Required

from ._literals import (
    AllowedToolsMode,
    CacheTTL,
    DataCollection,
    Includable,
    Modality,
    PromptCacheMode,
    ProviderSort,
    ProviderSortPartition,
    Quantization,
    ReasoningContext,
    ReasoningEffort,
    ReasoningMode,
    ReasoningSummary,
    Route,
    ServiceTier,
    Truncation,
    Verbosity,
)
from .items import Item
from .openrouter_stop import StopCondition
from .request import (
    CacheControl,
    DebugOptions,
    MaxPrice,
    PluginConfig,
    Prompt,
    PromptCacheOptions,
    ProviderPreferences,
    ProviderSortConfig,
    ReasoningConfig,
    StreamOptions,
    TextConfig,
    TextFormat,
    TraceConfig,
)
from .tools import Tool, ToolChoice

__all__ = [
    "CacheControlParam",
    "CompactParams",
    "DebugOptionsParam",
    "FormatJsonObjectParam",
    "FormatTextParam",
    "JsonSchemaFormatParam",
    "MaxPriceParam",
    "PromptCacheOptionsParam",
    "PromptParam",
    "ProviderPreferencesParam",
    "ProviderSortConfigParam",
    "ReasoningConfigParam",
    "ResponseCreateParams",
    "StreamOptionsParam",
    "TextConfigParam",
    "TextFormatParam",
    "ToolChoiceAllowedParam",
    "ToolChoiceFunctionParam",
    "ToolChoiceParam",
    "ToolChoiceToolParam",
]


class ReasoningConfigParam(TypedDict, total=False):
    """``ReasoningConfig`` as a dict: ``{"effort": "low", "summary": "auto"}``."""

    effort: ReasoningEffort | None
    summary: ReasoningSummary | None
    max_tokens: int | None
    enabled: bool | None
    mode: ReasoningMode | None
    context: ReasoningContext | None


class FormatTextParam(TypedDict):
    """``FormatText`` as a dict: ``{"type": "text"}``."""

    type: Literal["text"]


class FormatJsonObjectParam(TypedDict):
    """``FormatJsonObject`` as a dict: ``{"type": "json_object"}``."""

    type: Literal["json_object"]


class JsonSchemaFormatParam(TypedDict, total=False):
    """``JsonSchemaFormat`` as a dict: ``{"type": "json_schema", "name": ..., "schema": ...}``."""

    type: Required[Literal["json_schema"]]
    name: Required[str]
    schema: Mapping[str, Any] | None
    description: str | None
    strict: bool | None


TextFormatParam = Union[FormatTextParam, FormatJsonObjectParam, JsonSchemaFormatParam]


class TextConfigParam(TypedDict, total=False):
    """``TextConfig`` as a dict: ``{"format": {"type": "text"}, "verbosity": "low"}``."""

    format: TextFormat | TextFormatParam | None
    verbosity: Verbosity | None


class MaxPriceParam(TypedDict, total=False):
    """``MaxPrice`` as a dict: USD per million tokens (or per image / audio / request)."""

    prompt: float | str | None
    completion: float | str | None
    image: float | str | None
    audio: float | str | None
    request: float | str | None


class ProviderSortConfigParam(TypedDict, total=False):
    """``ProviderSortConfig`` as a dict: ``{"by": "price", "partition": "model"}``."""

    by: ProviderSort | None
    partition: ProviderSortPartition | None


class ProviderPreferencesParam(TypedDict, total=False):
    """``ProviderPreferences`` as a dict: ``{"order": ["openai"], "allow_fallbacks": False}``."""

    order: Sequence[str] | None
    only: Sequence[str] | None
    ignore: Sequence[str] | None
    allow_fallbacks: bool | None
    require_parameters: bool | None
    data_collection: DataCollection | None
    zdr: bool | None
    enforce_distillable_text: bool | None
    quantizations: Sequence[Quantization] | None
    sort: ProviderSort | ProviderSortConfig | ProviderSortConfigParam | None
    max_price: MaxPrice | MaxPriceParam | None
    preferred_max_latency: float | Mapping[str, Any] | None
    preferred_min_throughput: float | Mapping[str, Any] | None
    experimental: Mapping[str, Any] | None


class PromptParam(TypedDict, total=False):
    """``Prompt`` as a dict: ``{"id": "prompt-abc", "variables": {"name": "Ada"}}``."""

    id: Required[str]
    variables: Mapping[str, Any] | None


class DebugOptionsParam(TypedDict, total=False):
    """``DebugOptions`` as a dict: ``{"echo_upstream_body": True}``."""

    echo_upstream_body: bool | None


class CacheControlParam(TypedDict, total=False):
    """``CacheControl`` as a dict: ``{"type": "ephemeral", "ttl": "1h"}``."""

    type: Required[Literal["ephemeral"]]
    ttl: CacheTTL | None


class PromptCacheOptionsParam(TypedDict, total=False):
    """``PromptCacheOptions`` as a dict: ``{"mode": "explicit", "ttl": "30m"}``."""

    mode: Required[PromptCacheMode]
    ttl: str | None


class StreamOptionsParam(TypedDict, total=False):
    """``StreamOptions`` as a dict: ``{"include_obfuscation": False}``."""

    include_obfuscation: bool | None


class ToolChoiceFunctionParam(TypedDict, total=False):
    """``ToolChoiceFunction`` as a dict: ``{"type": "function", "name": "get_weather"}``."""

    type: Required[Literal["function"]]
    name: str | None


class ToolChoiceAllowedParam(TypedDict, total=False):
    """``ToolChoiceAllowed`` as a dict: ``tools`` (1 to 128 of them) is required."""

    type: Required[Literal["allowed_tools"]]
    tools: Required[Sequence[Mapping[str, Any]]]
    mode: AllowedToolsMode | None


class ToolChoiceToolParam(TypedDict):
    """``ToolChoiceTool`` as a dict: a hosted tool by type (``{"type": "web_search_preview"}``)."""

    type: str


ToolChoiceParam = Union[ToolChoiceFunctionParam, ToolChoiceAllowedParam, ToolChoiceToolParam]


class ResponseCreateParams(TypedDict, total=False):
    """Every request body field of both specs, declared once.

    Nested values take the attrs class or a plain dict of the wire shape (its ``XParam``
    TypedDict, for the type checker). ``stream`` is set by the client, not here. Limits are
    checked before sending (``InvalidRequestError``).
    """

    # -- both specs
    model: str
    input: str | Sequence[Item | Mapping[str, Any]]
    instructions: str | None
    tools: Sequence[Tool | Mapping[str, Any]] | None
    tool_choice: ToolChoice | ToolChoiceParam | None
    parallel_tool_calls: bool | None
    max_tool_calls: int | None
    text: TextConfig | TextConfigParam | None
    reasoning: ReasoningConfig | ReasoningConfigParam | None
    include: Sequence[Includable] | None
    metadata: Mapping[str, str] | None
    max_output_tokens: int | None
    temperature: float | None
    top_p: float | None
    presence_penalty: float | None
    frequency_penalty: float | None
    top_logprobs: int | None
    truncation: Truncation | None
    service_tier: ServiceTier | None
    background: bool | None
    store: bool | None
    previous_response_id: str | None
    safety_identifier: str | None
    prompt_cache_key: str | None
    # -- Open Responses only
    stream_options: StreamOptions | StreamOptionsParam | None
    # -- OpenRouter only
    models: Sequence[str] | None
    provider: ProviderPreferences | ProviderPreferencesParam | None
    plugins: Sequence[PluginConfig | Mapping[str, Any]] | None
    session_id: str | None
    user: str | None
    # trace and image_config take any keys (both schemas are open): a mapping, unchecked.
    trace: TraceConfig | Mapping[str, Any] | None
    debug: DebugOptions | DebugOptionsParam | None
    top_k: int | None
    modalities: Sequence[Modality] | None
    image_config: Mapping[str, Any] | None
    cache_control: CacheControl | CacheControlParam | None
    prompt_cache_options: PromptCacheOptions | PromptCacheOptionsParam | None
    prompt: Prompt | PromptParam | None
    stop_server_tools_when: Sequence[StopCondition | Mapping[str, Any]] | None
    route: Route | None


class CompactParams(TypedDict, total=False):
    """The request body of ``POST /responses/compact`` (Open Responses only), declared once.

    ``input`` takes what ``create`` takes (a string of at most 10 MiB, or items); the output of
    a ``Response`` or of an earlier compaction can be passed as it is. ``prompt_cache_key`` is at
    most 64 characters.
    """

    model: Required[str]
    input: str | Sequence[Item | Mapping[str, Any]] | None
    instructions: str | None
    previous_response_id: str | None
    prompt_cache_key: str | None
