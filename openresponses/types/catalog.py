"""OpenRouter's generation stats (``GET /generation``) and model catalogue (``GET /models``).

Read leniently like every payload: a missing or ``null`` field is ``None`` (or empty), a key this
SDK does not model is kept in ``extra_fields``. Prices stay the decimal strings the wire carries
(``"0.00003"`` USD per token); :meth:`ModelPricing.price` reads one as a float.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, TypedDict, Union

import attrs

from ._base import WireModel

__all__ = [
    "Generation",
    "GenerationProviderResponse",
    "Model",
    "ModelAliasTarget",
    "ModelArchitecture",
    "ModelBenchmarkIndexes",
    "ModelBenchmarks",
    "ModelDefaultParameters",
    "ModelDesignArenaEntry",
    "ModelLinks",
    "ModelListParams",
    "ModelPerRequestLimits",
    "ModelPricing",
    "ModelPricingOverride",
    "ModelReasoning",
    "ModelTopProvider",
]


# -- generation stats


@attrs.frozen(kw_only=True, repr=False, eq=False)
class GenerationProviderResponse(WireModel):
    """One provider's answer to a generation (fallback attempts included)."""

    status: int | None = None
    provider_name: str | None = None
    model_permaslug: str | None = None
    id: str | None = None
    endpoint_id: str | None = None
    latency: float | None = None
    is_byok: bool | None = None
    routed_service_tier: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Generation(WireModel):
    """OpenRouter's stats of one generation: ``await client.generations.get(generation_id)``.

    Times are milliseconds (``latency`` the whole request, ``generation_time`` the model's part,
    ``moderation_latency``), costs USD (``total_cost``, ``usage``; ``upstream_inference_cost``
    is what the provider charged, with BYOK). ``tokens_prompt``/``tokens_completion`` are
    OpenRouter's normalized counts, the ``native_tokens_*`` the provider's own. ``created_at``
    is the ISO 8601 string the wire carries.

    >>> from openresponses import from_dict
    >>> stats = from_dict(
    ...     {"id": "gen-1", "model": "openai/gpt-4o", "total_cost": 0.0015, "latency": 1250,
    ...      "tokens_prompt": 10, "tokens_completion": 25, "provider_name": "OpenAI"},
    ...     Generation,
    ... )
    >>> stats.total_cost, stats.latency, stats.provider_name
    (0.0015, 1250, 'OpenAI')
    """

    id: str
    model: str | None = None
    provider_name: str | None = None
    router: str | None = None
    created_at: str | None = None
    # what it cost (USD)
    total_cost: float | None = None
    usage: float | None = None
    upstream_inference_cost: float | None = None
    cache_discount: float | None = None
    is_byok: bool | None = None
    # tokens: OpenRouter's normalized counts, then the provider's native ones
    tokens_prompt: int | None = None
    tokens_completion: int | None = None
    native_tokens_prompt: int | None = None
    native_tokens_completion: int | None = None
    native_tokens_completion_images: int | None = None
    native_tokens_reasoning: int | None = None
    native_tokens_cached: int | None = None
    # time (milliseconds)
    latency: float | None = None
    generation_time: float | None = None
    moderation_latency: float | None = None
    # how it ended
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    streamed: bool | None = None
    cancelled: bool | None = None
    # media, search and fetches
    num_media_prompt: int | None = None
    num_input_audio_prompt: int | None = None
    num_media_completion: int | None = None
    num_search_results: int | None = None
    num_fetches: int | None = None
    web_search_engine: str | None = None
    # where it came from and where it went
    api_type: str | None = None
    app_id: int | None = None
    origin: str | None = None
    http_referer: str | None = None
    user_agent: str | None = None
    external_user: str | None = None
    session_id: str | None = None
    request_id: str | None = None
    upstream_id: str | None = None
    preset_id: str | None = None
    workspace_id: str | None = None
    data_region: str | None = None
    service_tier: str | None = None
    response_cache_source_id: str | None = None
    provider_responses: list[GenerationProviderResponse] | None = None


# -- the model catalogue


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelArchitecture(WireModel):
    """What a model takes and gives: ``modality`` (``"text->text"``), the input and output
    modalities (``"text"``, ``"image"``, ``"audio"``, ...), its tokenizer family (``"GPT"``,
    ``"Claude"``, ...) and instruction format."""

    modality: str | None = None
    input_modalities: list[str] = attrs.Factory(list)
    output_modalities: list[str] = attrs.Factory(list)
    tokenizer: str | None = None
    instruct_type: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelPricingOverride(WireModel):
    """A price that applies under conditions (over ``min_prompt_tokens`` prompt tokens, or in a
    daily UTC window ``utc_start``-``utc_end``, HHMM); unset prices inherit the base ones."""

    prompt: str | None = None
    completion: str | None = None
    audio: str | None = None
    input_audio_cache: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    input_cache_write_1h: str | None = None
    min_prompt_tokens: float | None = None
    utc_start: float | None = None
    utc_end: float | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelPricing(WireModel):
    """Prices in USD as decimal strings, as on the wire: per token (``prompt``, ``completion``,
    ``internal_reasoning``, the cache and audio ones), per ``request``, per input ``image``, per
    ``web_search``. A negative price (``"-1"``, the auto router's) means it varies.

    >>> ModelPricing(prompt="0.00003", completion="0.00006").price("prompt") * 1_000_000
    30.0
    """

    prompt: str | None = None
    completion: str | None = None
    request: str | None = None
    image: str | None = None
    image_output: str | None = None
    image_token: str | None = None
    audio: str | None = None
    audio_output: str | None = None
    input_audio_cache: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    input_cache_write_1h: str | None = None
    internal_reasoning: str | None = None
    web_search: str | None = None
    discount: float | None = None
    overrides: list[ModelPricingOverride] | None = None

    def price(self, name: str) -> float | None:
        """The price ``name`` (a field, or a key kept in ``extra_fields``) as a float in USD;
        ``None`` when it is absent or not a finite number."""
        value = getattr(self, name, None) if name in _PRICE_FIELDS else self.extra_fields.get(name)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return None
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None


_PRICE_FIELDS = frozenset(
    field.name
    for field in attrs.fields(ModelPricing)
    if field.name not in ("discount", "overrides", "extra_fields")
)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelTopProvider(WireModel):
    """The limits of the provider OpenRouter routes to first."""

    context_length: int | None = None
    max_completion_tokens: int | None = None
    is_moderated: bool | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelPerRequestLimits(WireModel):
    """Token caps on one request."""

    prompt_tokens: float | None = None
    completion_tokens: float | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelDefaultParameters(WireModel):
    """The sampling parameters a request gets when it sets none."""

    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelLinks(WireModel):
    """Related API paths: ``details``, the model's endpoints."""

    details: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelReasoning(WireModel):
    """How a reasoning model reasons: the efforts it accepts (highest first; ``None``: any), the
    default effort, whether reasoning is on by default or cannot be turned off."""

    mandatory: bool | None = None
    default_enabled: bool | None = None
    default_effort: str | None = None
    supported_efforts: list[str] | None = None
    supports_max_tokens: bool | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelAliasTarget(WireModel):
    """The concrete model a ``~latest`` alias stands for."""

    slug: str | None = None
    name: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelBenchmarkIndexes(WireModel):
    """Artificial Analysis index scores."""

    intelligence_index: float | None = None
    coding_index: float | None = None
    agentic_index: float | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelDesignArenaEntry(WireModel):
    """A Design Arena ranking in one arena and category."""

    arena: str | None = None
    category: str | None = None
    elo: float | None = None
    win_rate: float | None = None
    rank: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModelBenchmarks(WireModel):
    """Third-party benchmark results."""

    artificial_analysis: ModelBenchmarkIndexes | None = None
    design_arena: list[ModelDesignArenaEntry] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Model(WireModel):
    """A model of OpenRouter's catalogue: ``await client.models.list()`` or ``.get(id)``.

    ``id`` is what a request's ``model`` takes; ``context_length`` is in tokens, ``created`` a
    Unix time, ``pricing`` the prices as the wire spells them (see :class:`ModelPricing`),
    ``supported_parameters`` the request parameters the model honours (``"tools"``,
    ``"reasoning"``, ``"temperature"``, ...).

    >>> from openresponses import from_dict
    >>> model = from_dict(
    ...     {"id": "openai/gpt-4", "context_length": 8192,
    ...      "pricing": {"prompt": "0.00003", "completion": "0.00006"}},
    ...     Model,
    ... )
    >>> model.context_length, model.pricing.prompt
    (8192, '0.00003')
    """

    id: str
    canonical_slug: str | None = None
    name: str | None = None
    created: int | None = None
    description: str | None = None
    context_length: int | None = None
    architecture: ModelArchitecture | None = None
    pricing: ModelPricing | None = None
    top_provider: ModelTopProvider | None = None
    per_request_limits: ModelPerRequestLimits | None = None
    supported_parameters: list[str] = attrs.Factory(list)
    default_parameters: ModelDefaultParameters | None = None
    reasoning: ModelReasoning | None = None
    supported_voices: list[str] | None = None
    hugging_face_id: str | None = None
    knowledge_cutoff: str | None = None
    expiration_date: str | None = None
    alias_target: ModelAliasTarget | None = None
    benchmarks: ModelBenchmarks | None = None
    links: ModelLinks | None = None


_Names = Union[str, Sequence[str]]


class ModelListParams(TypedDict, total=False):
    """The filters of ``client.models.list`` (OpenRouter's ``GET /models`` query).

    Lists of names may be given as a sequence or as one comma-separated string. With neither
    ``offset`` nor ``limit`` the whole list comes back. Numbers are checked against the spec's
    bounds before anything is sent; names are not checked, so values OpenRouter adds later work.
    """

    category: str
    """A use case: ``"programming"``, ``"roleplay"``, ``"marketing"``, ``"marketing/seo"``,
    ``"technology"``, ``"science"``, ``"translation"``, ``"legal"``, ``"finance"``, ``"health"``,
    ``"trivia"``, ``"academia"``."""
    supported_parameters: _Names
    """Models supporting every one of these request parameters (``"tools"``, ...)."""
    output_modalities: _Names
    """Output modalities (``"text"``, ``"image"``, ``"audio"``, ``"embeddings"``) or ``"all"``;
    OpenRouter's default is ``"text"``."""
    input_modalities: _Names
    """Input modalities: ``"text"``, ``"image"``, ``"audio"``, ``"file"``."""
    q: str
    """Free-text search in the name or slug."""
    sort: str
    """Server-side order: ``"newest"``, ``"pricing-low-to-high"``, ``"context-high-to-low"``,
    ``"most-popular"``, ... (see the spec)."""
    offset: int
    """Models to skip (>= 0)."""
    limit: int
    """Models to return, 1 to 1000."""
    context: int
    """Minimum context length in tokens (>= 1)."""
    min_price: float
    """Minimum prompt price, USD per million tokens."""
    max_price: float
    """Maximum prompt price, USD per million tokens."""
    min_output_price: float
    """Minimum completion price, USD per million tokens."""
    max_output_price: float
    """Maximum completion price, USD per million tokens."""
    arch: str
    """Architecture family (``"GPT"``, ``"Claude"``, ``"Llama"``, ...)."""
    model_authors: _Names
    """Authors' slugs (``"openai"``, ``"anthropic"``)."""
    providers: _Names
    """Hosting providers' names (``"OpenAI"``, ...)."""
    distillable: bool
    """Only distillable models (``True``) or none of them (``False``)."""
    zdr: Literal[True]
    """Only models with zero-data-retention endpoints."""
    region: str
    """Models with endpoints in this data region: ``"eu"`` or ``"us"``."""
    min_age_days: int
    """Minimum age in days since the model's creation."""
    max_age_days: int
    """Maximum age in days."""
    min_intelligence_index: float
    max_intelligence_index: float
    min_coding_index: float
    max_coding_index: float
    min_agentic_index: float
    max_agentic_index: float
    min_tool_success_rate: float
    """Minimum tool-calling success rate, 0 to 1."""
    max_tool_success_rate: float
    """Maximum tool-calling success rate, 0 to 1."""
