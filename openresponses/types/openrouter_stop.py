"""OpenRouter's ``stop_server_tools_when``: conditions that end the server-tool loop (any one
that holds ends it). A plain mapping of the same keys is accepted where they are passed.

>>> from openresponses import to_dict
>>> from openresponses.types import StopOnStepCount
>>> to_dict(StopOnStepCount(step_count=5))
{'type': 'step_count_is', 'step_count': 5}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel

__all__ = [
    "StopCondition",
    "StopOnCost",
    "StopOnFinishReason",
    "StopOnStepCount",
    "StopOnTokens",
    "StopOnToolCall",
    "UnknownStopCondition",
]


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
