"""Request parameters: the nested configuration objects, ``ResponseCreateParams`` and
``CompactParams``.

Every nested value accepts the attrs class here or a plain mapping of the wire shape, so a JSON
example from the docs pastes straight in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, Union

import attrs
from typing_extensions import Required

from ._base import WireModel
from .items import Item
from .tools import Tool, ToolChoice

__all__ = [
    "CacheControl",
    "CompactParams",
    "DebugOptions",
    "FileParserPlugin",
    "FormatJsonObject",
    "FormatText",
    "JsonSchemaFormat",
    "MaxPrice",
    "Plugin",
    "PluginConfig",
    "Prompt",
    "PromptCacheOptions",
    "ProviderPreferences",
    "ProviderSortConfig",
    "ReasoningConfig",
    "ResponseCreateParams",
    "StreamOptions",
    "TextConfig",
    "TextFormat",
    "TraceConfig",
    "UnknownFormat",
    "WebPlugin",
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningConfig(WireModel):
    """How much the model reasons, and what it reports.

    ``effort``: ``none`` | ``minimal`` | ``low`` | ``medium`` | ``high`` | ``xhigh`` | ``max``.
    ``summary``: ``auto`` | ``concise`` | ``detailed``. OpenRouter adds ``max_tokens``,
    ``enabled``, ``mode`` (``standard`` | ``pro``) and ``context``
    (``auto`` | ``all_turns`` | ``current_turn``). Also the ``reasoning`` echoed in a Response.
    """

    effort: str | None = None
    summary: str | None = None
    max_tokens: int | None = None
    enabled: bool | None = None
    mode: str | None = None
    context: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FormatText(WireModel):
    """Plain text output (the default)."""

    type: Literal["text"] = "text"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FormatJsonObject(WireModel):
    """Any JSON object (OpenRouter; not in the Open Responses request union)."""

    type: Literal["json_object"] = "json_object"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class JsonSchemaFormat(WireModel):
    """Structured output: JSON matching ``schema``, fields flat (no ``json_schema`` wrapper)."""

    type: Literal["json_schema"] = "json_schema"
    name: str
    schema: Mapping[str, Any] | None = None
    description: str | None = None
    strict: bool | None = None


@attrs.frozen(kw_only=True)
class UnknownFormat:
    """A ``text.format`` type this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


TextFormat = Union[FormatText, FormatJsonObject, JsonSchemaFormat, UnknownFormat]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class TextConfig(WireModel):
    """Text output options: ``format`` and ``verbosity``.

    ``verbosity``: ``low`` | ``medium`` | ``high`` (OpenRouter adds ``xhigh`` and ``max``).
    """

    format: TextFormat | None = None
    verbosity: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class MaxPrice(WireModel):
    """The most to pay per million tokens (or per image / audio / request), in USD."""

    prompt: float | str | None = None
    completion: float | str | None = None
    image: float | str | None = None
    audio: float | str | None = None
    request: float | str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ProviderSortConfig(WireModel):
    """Sort providers ``by`` price / throughput / latency / exacto, optionally per ``partition``."""

    by: str | None = None
    partition: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ProviderPreferences(WireModel):
    """OpenRouter's routing preferences (``provider``).

    ``order`` / ``only`` / ``ignore`` take provider slugs; ``sort`` is ``price`` | ``throughput``
    | ``latency`` | ``exacto`` or a ``ProviderSortConfig``; ``data_collection``: allow | deny.
    """

    order: list[str] | None = None
    only: list[str] | None = None
    ignore: list[str] | None = None
    allow_fallbacks: bool | None = None
    require_parameters: bool | None = None
    data_collection: str | None = None
    zdr: bool | None = None
    enforce_distillable_text: bool | None = None
    quantizations: list[str] | None = None
    sort: str | ProviderSortConfig | None = None
    max_price: MaxPrice | None = None
    preferred_max_latency: float | Mapping[str, Any] | None = None
    preferred_min_throughput: float | Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebPlugin(WireModel):
    """OpenRouter's web search plugin (``{"id": "web", ...}``)."""

    id: Literal["web"] = "web"
    enabled: bool | None = None
    engine: str | None = None
    max_results: int | None = None
    max_uses: int | None = None
    mode: str | None = None
    search_prompt: str | None = None
    include_domains: list[str] | None = None
    exclude_domains: list[str] | None = None
    user_location: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FileParserPlugin(WireModel):
    """OpenRouter's file parser plugin; ``pdf`` is e.g. ``{"engine": "pdf-text"}``."""

    id: Literal["file-parser"] = "file-parser"
    enabled: bool | None = None
    pdf: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Plugin(WireModel):
    """Any other OpenRouter plugin by ``id`` (``auto-router``, ``moderation``, ``web-fetch``,
    ``response-healing``, ``context-compression``, ``pareto-router``, ``fusion``, ...);
    its settings go in ``extra_fields``."""

    id: str
    enabled: bool | None = None


PluginConfig = Union[WebPlugin, FileParserPlugin, Plugin]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Prompt(WireModel):
    """A stored prompt template and its ``variables`` (strings or input parts)."""

    id: str
    variables: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class TraceConfig(WireModel):
    """OpenRouter observability: trace and span names and ids (any extra keys are passed on)."""

    trace_id: str | None = None
    trace_name: str | None = None
    span_name: str | None = None
    generation_name: str | None = None
    parent_span_id: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DebugOptions(WireModel):
    """OpenRouter (streaming only): ``echo_upstream_body`` emits a ``response.debug`` event."""

    echo_upstream_body: bool | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CacheControl(WireModel):
    """Anthropic-style automatic prompt caching; ``ttl`` is ``"5m"`` or ``"1h"``."""

    type: Literal["ephemeral"] = "ephemeral"
    ttl: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class PromptCacheOptions(WireModel):
    """OpenRouter explicit prompt caching (use with ``InputText.prompt_cache_breakpoint``)."""

    mode: str = "explicit"
    ttl: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class StreamOptions(WireModel):
    """Open Responses stream options; ``include_obfuscation`` pads delta events."""

    include_obfuscation: bool | None = None


class ResponseCreateParams(TypedDict, total=False):
    """Every request body field of both specs, declared once.

    Nested values take the attrs class or a plain mapping of the wire shape. ``stream`` is set
    by the client, not here. Limits are checked before sending (``InvalidRequestError``).
    """

    # -- both specs
    model: str
    input: str | Sequence[Item | Mapping[str, Any]]
    instructions: str | None
    tools: Sequence[Tool | Mapping[str, Any]] | None
    tool_choice: ToolChoice | Mapping[str, Any] | None
    parallel_tool_calls: bool | None
    max_tool_calls: int | None
    text: TextConfig | Mapping[str, Any] | None
    reasoning: ReasoningConfig | Mapping[str, Any] | None
    include: Sequence[str] | None
    metadata: Mapping[str, str] | None
    max_output_tokens: int | None
    temperature: float | None
    top_p: float | None
    presence_penalty: float | None
    frequency_penalty: float | None
    top_logprobs: int | None
    truncation: str | None
    service_tier: str | None
    background: bool | None
    store: bool | None
    previous_response_id: str | None
    safety_identifier: str | None
    prompt_cache_key: str | None
    # -- Open Responses only
    stream_options: StreamOptions | Mapping[str, Any] | None
    # -- OpenRouter only
    models: Sequence[str] | None
    provider: ProviderPreferences | Mapping[str, Any] | None
    plugins: Sequence[PluginConfig | Mapping[str, Any]] | None
    session_id: str | None
    user: str | None
    trace: TraceConfig | Mapping[str, Any] | None
    debug: DebugOptions | Mapping[str, Any] | None
    top_k: int | None
    modalities: Sequence[str] | None
    image_config: Mapping[str, Any] | None
    cache_control: CacheControl | Mapping[str, Any] | None
    prompt_cache_options: PromptCacheOptions | Mapping[str, Any] | None
    prompt: Prompt | Mapping[str, Any] | None
    stop_server_tools_when: Sequence[Mapping[str, Any]] | None
    route: str | None


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
