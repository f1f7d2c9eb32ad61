"""OpenRouter's routing report on a response (``Response.openrouter_metadata``): the model asked
for, how it was routed, the providers tried and the pipeline stages that ran.

>>> from openresponses._serde import parse_response
>>> response = parse_response(
...     {"object": "response", "output": [], "openrouter_metadata": {
...         "requested": "openai/gpt-5", "strategy": "direct", "region": None,
...         "summary": "1 attempt", "attempt": 1, "is_byok": False,
...         "endpoints": {"total": 1, "available": [
...             {"provider": "OpenAI", "model": "openai/gpt-5", "selected": True}]}}}
... )
>>> response.openrouter_metadata.endpoints.available[0].provider
'OpenAI'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._base import WireModel

__all__ = [
    "EndpointInfo",
    "EndpointsMetadata",
    "OpenRouterMetadata",
    "PipelineStage",
    "RouterAttempt",
    "RouterParams",
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class RouterAttempt(WireModel):
    """One attempt at a provider: its HTTP ``status``."""

    provider: str
    model: str
    status: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class EndpointInfo(WireModel):
    """A provider endpoint that could serve the model; ``selected`` for the one that did."""

    provider: str
    model: str
    selected: bool | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class EndpointsMetadata(WireModel):
    """How many endpoints could serve the model, and which."""

    total: int | None = None
    available: list[EndpointInfo] = attrs.Factory(list)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class RouterParams(WireModel):
    """The router's floors and version group (other keys are kept in ``extra_fields``)."""

    quality_floor: float | None = None
    throughput_floor: float | None = None
    version_group: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class PipelineStage(WireModel):
    """A stage that ran around the model: ``type`` is ``guardrail`` | ``plugin`` |
    ``server_tools`` | ``response_healing`` | ``context_compression``; ``name`` says which."""

    type: str
    name: str
    summary: str | None = None
    cost_usd: float | None = None
    data: Mapping[str, Any] | None = None
    guardrail_id: str | None = None
    guardrail_scope: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class OpenRouterMetadata(WireModel):
    """How OpenRouter routed a request: ``requested`` model, ``strategy`` (``direct``,
    ``fallback``, ``auto``, ...), the ``attempts`` made and the ``endpoints`` available."""

    requested: str | None = None
    strategy: str | None = None
    region: str | None = None
    summary: str | None = None
    attempt: int | None = None
    is_byok: bool | None = None
    endpoints: EndpointsMetadata | None = None
    attempts: list[RouterAttempt] | None = None
    params: RouterParams | None = None
    pipeline: list[PipelineStage] | None = None
