"""Tool calls at work: hosted-tool progress, streamed code, input and diffs; fusion."""

from __future__ import annotations

from typing import Literal

import attrs

from ._response_events import _Event
from .openrouter_items import FusionAnalysis

__all__ = [
    "ApplyPatchDiffDeltaEvent",
    "ApplyPatchDiffDoneEvent",
    "CodeInterpreterCodeDeltaEvent",
    "CodeInterpreterCodeDoneEvent",
    "CustomToolCallInputDeltaEvent",
    "CustomToolCallInputDoneEvent",
    "FusionAnalysisEvent",
    "FusionPanelEvent",
    "ImageGenerationPartialImageEvent",
    "ToolCallProgressEvent",
]


# -- OpenRouter / OpenAI hosted-tool progress


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ToolCallProgressEvent(_Event):
    """Progress of a hosted tool call: web search, image generation, code interpreter, fusion."""

    type: Literal[
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
        "response.image_generation_call.in_progress",
        "response.image_generation_call.generating",
        "response.image_generation_call.completed",
        "response.code_interpreter_call.in_progress",
        "response.code_interpreter_call.interpreting",
        "response.code_interpreter_call.completed",
        "response.fusion_call.in_progress",
        "response.fusion_call.completed",
    ]
    item_id: str | None = None
    output_index: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ImageGenerationPartialImageEvent(_Event):
    """A partial image (base64) while an image is generated."""

    type: Literal["response.image_generation_call.partial_image"] = (
        "response.image_generation_call.partial_image"
    )
    item_id: str | None = None
    output_index: int | None = None
    partial_image_b64: str = ""
    partial_image_index: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CodeInterpreterCodeDeltaEvent(_Event):
    """More code of a code-interpreter call."""

    type: Literal["response.code_interpreter_call_code.delta"] = (
        "response.code_interpreter_call_code.delta"
    )
    item_id: str | None = None
    output_index: int | None = None
    delta: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CodeInterpreterCodeDoneEvent(_Event):
    """The full code of a code-interpreter call."""

    type: Literal["response.code_interpreter_call_code.done"] = (
        "response.code_interpreter_call_code.done"
    )
    item_id: str | None = None
    output_index: int | None = None
    code: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CustomToolCallInputDeltaEvent(_Event):
    """More input of a custom tool call."""

    type: Literal["response.custom_tool_call_input.delta"] = "response.custom_tool_call_input.delta"
    item_id: str | None = None
    output_index: int | None = None
    delta: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CustomToolCallInputDoneEvent(_Event):
    """The full input of a custom tool call."""

    type: Literal["response.custom_tool_call_input.done"] = "response.custom_tool_call_input.done"
    item_id: str | None = None
    output_index: int | None = None
    input: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ApplyPatchDiffDeltaEvent(_Event):
    """More diff of an apply-patch operation."""

    type: Literal["response.apply_patch_call_operation_diff.delta"] = (
        "response.apply_patch_call_operation_diff.delta"
    )
    item_id: str | None = None
    output_index: int | None = None
    delta: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ApplyPatchDiffDoneEvent(_Event):
    """The full diff of an apply-patch operation."""

    type: Literal["response.apply_patch_call_operation_diff.done"] = (
        "response.apply_patch_call_operation_diff.done"
    )
    item_id: str | None = None
    output_index: int | None = None
    diff: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionPanelEvent(_Event):
    """OpenRouter fusion: a panel model's progress (added, deltas, completed, failed)."""

    type: Literal[
        "response.fusion_call.panel.added",
        "response.fusion_call.panel.delta",
        "response.fusion_call.panel.reasoning.delta",
        "response.fusion_call.panel.completed",
        "response.fusion_call.panel.failed",
    ]
    item_id: str | None = None
    output_index: int | None = None
    model: str | None = None
    delta: str | None = None
    content: str | None = None
    error: str | None = None
    status_code: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FusionAnalysisEvent(_Event):
    """OpenRouter fusion: the analysis step started or finished (``analysis`` on completion)."""

    type: Literal[
        "response.fusion_call.analysis.in_progress", "response.fusion_call.analysis.completed"
    ]
    item_id: str | None = None
    output_index: int | None = None
    analyst_model: str | None = None
    judge_model: str | None = None
    analysis: FusionAnalysis | None = None
