"""Request parameters: the nested configuration objects (``ReasoningConfig``, ``TextConfig``,
``ProviderPreferences``, ...). ``ResponseCreateParams`` and the dict forms of these classes are in
:mod:`.params`.

Every nested value accepts the attrs class here or a plain mapping of the wire shape, so a JSON
example from the docs pastes straight in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel
from ._literals import (
    CacheTTL,
    DataCollection,
    PromptCacheMode,
    ProviderSort,
    ProviderSortPartition,
    Quantization,
    ReasoningContext,
    ReasoningEffort,
    ReasoningMode,
    ReasoningSummary,
    Verbosity,
)

__all__ = [
    "CacheControl",
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

    effort: ReasoningEffort | None = None
    summary: ReasoningSummary | None = None
    max_tokens: int | None = None
    enabled: bool | None = None
    mode: ReasoningMode | None = None
    context: ReasoningContext | None = None


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
    verbosity: Verbosity | None = None


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

    by: ProviderSort | None = None
    partition: ProviderSortPartition | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ProviderPreferences(WireModel):
    """OpenRouter's routing preferences (``provider``).

    ``order`` / ``only`` / ``ignore`` take provider slugs; ``sort`` is ``price`` | ``throughput``
    | ``latency`` | ``exacto`` or a ``ProviderSortConfig``; ``data_collection``: allow | deny.
    ``experimental`` is not in the OpenAPI document, but OpenRouter's TypeScript SDK reference
    sends it (as ``{}``), so it is accepted and passed on.
    """

    order: list[str] | None = None
    only: list[str] | None = None
    ignore: list[str] | None = None
    allow_fallbacks: bool | None = None
    require_parameters: bool | None = None
    data_collection: DataCollection | None = None
    zdr: bool | None = None
    enforce_distillable_text: bool | None = None
    quantizations: list[Quantization] | None = None
    sort: ProviderSort | ProviderSortConfig | None = None
    max_price: MaxPrice | None = None
    preferred_max_latency: float | Mapping[str, Any] | None = None
    preferred_min_throughput: float | Mapping[str, Any] | None = None
    experimental: Mapping[str, Any] | None = None


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
    ttl: CacheTTL | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class PromptCacheOptions(WireModel):
    """OpenRouter explicit prompt caching (use with ``InputText.prompt_cache_breakpoint``)."""

    mode: PromptCacheMode = "explicit"
    ttl: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class StreamOptions(WireModel):
    """Open Responses stream options; ``include_obfuscation`` pads delta events."""

    include_obfuscation: bool | None = None
