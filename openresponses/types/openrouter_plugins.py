"""OpenRouter's plugins with settings of their own (loaded on first use); ``WebPlugin`` and
``FileParserPlugin`` are in :mod:`.request`, beside ``Plugin``, the base of these classes.

Each class fixes its ``id``; a plain mapping (``{"id": "moderation"}``) is still accepted where
plugins are passed, and a plugin this SDK does not know reads as ``Plugin``.

>>> from openresponses import to_dict
>>> from openresponses.types import ParetoRouterPlugin
>>> to_dict(ParetoRouterPlugin(min_coding_score=0.8))
{'id': 'pareto-router', 'min_coding_score': 0.8}
"""

from __future__ import annotations

from typing import Literal

import attrs

from ._base import WireModel
from .openrouter_tools import NestedTool
from .request import FileParserPlugin, Plugin, WebPlugin

__all__ = [
    "AutoBetaRouterPlugin",
    "AutoRouterPlugin",
    "ContextCompressionPlugin",
    "FusionPlugin",
    "ModerationPlugin",
    "ParetoRouterPlugin",
    "ResponseHealingPlugin",
    "WebFetchPlugin",
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class AutoRouterPlugin(Plugin):
    """``auto-router``: OpenRouter picks the model; ``cost_tier`` (low | medium | high | xhigh |
    max) sets the budget, ``allowed_models`` / ``excluded_models`` the choice (globs allowed)."""

    id: Literal["auto-router"] = "auto-router"
    allowed_models: list[str] | None = None
    excluded_models: list[str] | None = None
    cost_tier: str | None = None
    cost_quality_tradeoff: int | None = None  # deprecated by OpenRouter: use cost_tier
    pin_model: bool | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class AutoBetaRouterPlugin(Plugin):
    """``auto-beta-router``: the auto router's beta, with the same settings but ``pin_model``."""

    id: Literal["auto-beta-router"] = "auto-beta-router"
    allowed_models: list[str] | None = None
    excluded_models: list[str] | None = None
    cost_tier: str | None = None
    cost_quality_tradeoff: int | None = None  # deprecated by OpenRouter: use cost_tier


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ModerationPlugin(Plugin):
    """``moderation``: OpenRouter moderates the input."""

    id: Literal["moderation"] = "moderation"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebFetchPlugin(Plugin):
    """``web-fetch``: the model may fetch pages (limits, and the domains allowed or blocked)."""

    id: Literal["web-fetch"] = "web-fetch"
    max_uses: int | None = None
    max_content_tokens: int | None = None
    allowed_domains: list[str] | None = None
    blocked_domains: list[str] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseHealingPlugin(Plugin):
    """``response-healing``: OpenRouter repairs malformed JSON output."""

    id: Literal["response-healing"] = "response-healing"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ContextCompressionPlugin(Plugin):
    """``context-compression``: an over-long prompt is compressed (``engine``: middle-out)."""

    id: Literal["context-compression"] = "context-compression"
    engine: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ParetoRouterPlugin(Plugin):
    """``pareto-router``: the cheapest model above ``min_coding_score`` (0 to 1), priced by
    ``price_source`` (prompt | weighted_avg), up to ``max_price``."""

    id: Literal["pareto-router"] = "pareto-router"
    min_coding_score: float | None = None
    max_price: float | None = None
    price_source: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionPlugin(Plugin):
    """``fusion``: a panel of ``analysis_models`` answers and ``model`` combines them (or a
    ``preset``: general-high | general-budget | general-fast)."""

    id: Literal["fusion"] = "fusion"
    model: str | None = None
    analysis_models: list[str] | None = None
    preset: str | None = None
    max_tool_calls: int | None = None
    tools: list[NestedTool] | None = None


#: Every plugin class with its own ``id``, ``WebPlugin`` and ``FileParserPlugin`` included.
PLUGIN_CLASSES: tuple[type[WireModel], ...] = (
    WebPlugin,
    FileParserPlugin,
    AutoRouterPlugin,
    AutoBetaRouterPlugin,
    ModerationPlugin,
    WebFetchPlugin,
    ResponseHealingPlugin,
    ContextCompressionPlugin,
    ParetoRouterPlugin,
    FusionPlugin,
)
