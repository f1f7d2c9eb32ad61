"""Streaming events: one class per wire ``type``, the ``StreamEvent`` union and ``UnknownEvent``.

Narrow with ``match`` / ``isinstance`` (class patterns narrow exactly; ``event.type ==`` does
not, because ``UnknownEvent.type`` is any string), and end with ``case _:`` for the unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel
from .content import Annotation, ContentPart, LogProb, SummaryText
from .items import Item
from .response import Response

__all__ = [
    "ApplyPatchDiffDeltaEvent",
    "ApplyPatchDiffDoneEvent",
    "CodeInterpreterCodeDeltaEvent",
    "CodeInterpreterCodeDoneEvent",
    "ContentPartAddedEvent",
    "ContentPartDoneEvent",
    "CustomToolCallInputDeltaEvent",
    "CustomToolCallInputDoneEvent",
    "DebugEvent",
    "ErrorEvent",
    "FunctionCallArgumentsDeltaEvent",
    "FunctionCallArgumentsDoneEvent",
    "FusionAnalysisEvent",
    "FusionPanelEvent",
    "ImageGenerationPartialImageEvent",
    "OutputItemAddedEvent",
    "OutputItemDoneEvent",
    "OutputTextAnnotationAddedEvent",
    "OutputTextDeltaEvent",
    "OutputTextDoneEvent",
    "ReasoningSummaryPartAddedEvent",
    "ReasoningSummaryPartDoneEvent",
    "ReasoningSummaryTextDeltaEvent",
    "ReasoningSummaryTextDoneEvent",
    "ReasoningTextDeltaEvent",
    "ReasoningTextDoneEvent",
    "RefusalDeltaEvent",
    "RefusalDoneEvent",
    "ResponseCompletedEvent",
    "ResponseCreatedEvent",
    "ResponseFailedEvent",
    "ResponseInProgressEvent",
    "ResponseIncompleteEvent",
    "ResponseQueuedEvent",
    "StreamEvent",
    "ToolCallProgressEvent",
    "UnknownEvent",
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class _Event(WireModel):
    # Some servers leave sequence_number off most events, hence optional.
    sequence_number: int | None = None


# -- response lifecycle (each carries a Response snapshot)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseCreatedEvent(_Event):
    """The response exists (status ``in_progress`` or ``queued``)."""

    type: Literal["response.created"] = "response.created"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseQueuedEvent(_Event):
    """A background response is queued (Open Responses)."""

    type: Literal["response.queued"] = "response.queued"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseInProgressEvent(_Event):
    """Generation started."""

    type: Literal["response.in_progress"] = "response.in_progress"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseCompletedEvent(_Event):
    """Terminal: the final response, with ``output`` and ``usage``."""

    type: Literal["response.completed"] = "response.completed"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseIncompleteEvent(_Event):
    """Terminal: the response stopped early (see ``response.incomplete_details``)."""

    type: Literal["response.incomplete"] = "response.incomplete"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseFailedEvent(_Event):
    """Terminal: the response failed (see ``response.error``)."""

    type: Literal["response.failed"] = "response.failed"
    response: Response = attrs.Factory(Response)


# -- output items and content parts


@attrs.frozen(kw_only=True, repr=False, eq=False)
class OutputItemAddedEvent(_Event):
    """A new output item starts at ``output_index``."""

    type: Literal["response.output_item.added"] = "response.output_item.added"
    output_index: int | None = None
    item: Item | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class OutputItemDoneEvent(_Event):
    """An output item is complete."""

    type: Literal["response.output_item.done"] = "response.output_item.done"
    output_index: int | None = None
    item: Item | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ContentPartAddedEvent(_Event):
    """A new content part starts at ``content_index`` of item ``item_id``."""

    type: Literal["response.content_part.added"] = "response.content_part.added"
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    part: ContentPart | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ContentPartDoneEvent(_Event):
    """A content part is complete."""

    type: Literal["response.content_part.done"] = "response.content_part.done"
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    part: ContentPart | None = None


# -- text, refusal, function arguments


@attrs.frozen(kw_only=True, repr=False, eq=False)
class OutputTextDeltaEvent(_Event):
    """More output text."""

    type: Literal["response.output_text.delta"] = "response.output_text.delta"
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    delta: str = ""
    logprobs: list[LogProb] | None = None
    obfuscation: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class OutputTextDoneEvent(_Event):
    """The full text of an output_text part."""

    type: Literal["response.output_text.done"] = "response.output_text.done"
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    text: str = ""
    logprobs: list[LogProb] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class OutputTextAnnotationAddedEvent(_Event):
    """An annotation (e.g. a URL citation) was added to an output_text part."""

    type: Literal["response.output_text.annotation.added"] = "response.output_text.annotation.added"
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    annotation_index: int | None = None
    annotation: Annotation | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class RefusalDeltaEvent(_Event):
    """More refusal text."""

    type: Literal["response.refusal.delta"] = "response.refusal.delta"
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    delta: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class RefusalDoneEvent(_Event):
    """The full refusal text."""

    type: Literal["response.refusal.done"] = "response.refusal.done"
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    refusal: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FunctionCallArgumentsDeltaEvent(_Event):
    """More JSON arguments of a function call."""

    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    item_id: str | None = None
    output_index: int | None = None
    delta: str = ""
    obfuscation: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FunctionCallArgumentsDoneEvent(_Event):
    """The full arguments of a function call (OpenRouter also sends ``name``)."""

    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    item_id: str | None = None
    output_index: int | None = None
    arguments: str = ""
    name: str | None = None


# -- reasoning (both event names: the Open Responses spec's and OpenAI/OpenRouter's)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningTextDeltaEvent(_Event):
    """More raw reasoning text (``response.reasoning[_text].delta``: both names)."""

    type: Literal["response.reasoning.delta", "response.reasoning_text.delta"] = (
        "response.reasoning_text.delta"
    )
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    delta: str = ""
    obfuscation: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningTextDoneEvent(_Event):
    """The full raw reasoning text of one part (either event name)."""

    type: Literal["response.reasoning.done", "response.reasoning_text.done"] = (
        "response.reasoning_text.done"
    )
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    text: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningSummaryPartAddedEvent(_Event):
    """A new reasoning summary part starts at ``summary_index``."""

    type: Literal["response.reasoning_summary_part.added"] = "response.reasoning_summary_part.added"
    item_id: str | None = None
    output_index: int | None = None
    summary_index: int | None = None
    part: SummaryText | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningSummaryPartDoneEvent(_Event):
    """A reasoning summary part is complete."""

    type: Literal["response.reasoning_summary_part.done"] = "response.reasoning_summary_part.done"
    item_id: str | None = None
    output_index: int | None = None
    summary_index: int | None = None
    part: SummaryText | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningSummaryTextDeltaEvent(_Event):
    """More reasoning summary text."""

    type: Literal["response.reasoning_summary_text.delta"] = "response.reasoning_summary_text.delta"
    item_id: str | None = None
    output_index: int | None = None
    summary_index: int | None = None
    delta: str = ""
    obfuscation: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningSummaryTextDoneEvent(_Event):
    """The full text of a reasoning summary part."""

    type: Literal["response.reasoning_summary_text.done"] = "response.reasoning_summary_text.done"
    item_id: str | None = None
    output_index: int | None = None
    summary_index: int | None = None
    text: str = ""


# -- errors


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ErrorEvent(_Event):
    """An in-band error, read from every shape servers send.

    Flat (OpenRouter): ``{"type": "error", "code", "message", "param"}``; nested (spec):
    ``{"type": "error", "error": {"type", "code", "message", "param"}}``; and OpenRouter's
    bare frame ``{"error": {"code": 502, "message": ...}}``. ``code``, ``message`` and
    ``param`` are always filled from wherever they were; ``error`` keeps the nested object
    (when there was one) and is what gets written back.
    """

    type: Literal["error"] = "error"
    code: int | str | None = None
    message: str = ""
    param: str | None = None
    error: Mapping[str, Any] | None = None


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
    analysis: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DebugEvent(_Event):
    """OpenRouter ``response.debug``: the upstream request body and timings (``debug`` option)."""

    type: Literal["response.debug"] = "response.debug"
    debug: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class UnknownEvent:
    """An event type this SDK does not know (vendor events such as ``acme:trace``).

    ``raw`` is the whole JSON object, written back unchanged.
    """

    type: str
    raw: Mapping[str, Any]
    sequence_number: int | None = None


StreamEvent = Union[
    ResponseCreatedEvent,
    ResponseQueuedEvent,
    ResponseInProgressEvent,
    ResponseCompletedEvent,
    ResponseIncompleteEvent,
    ResponseFailedEvent,
    OutputItemAddedEvent,
    OutputItemDoneEvent,
    ContentPartAddedEvent,
    ContentPartDoneEvent,
    OutputTextDeltaEvent,
    OutputTextDoneEvent,
    OutputTextAnnotationAddedEvent,
    RefusalDeltaEvent,
    RefusalDoneEvent,
    FunctionCallArgumentsDeltaEvent,
    FunctionCallArgumentsDoneEvent,
    ReasoningTextDeltaEvent,
    ReasoningTextDoneEvent,
    ReasoningSummaryPartAddedEvent,
    ReasoningSummaryPartDoneEvent,
    ReasoningSummaryTextDeltaEvent,
    ReasoningSummaryTextDoneEvent,
    ErrorEvent,
    ToolCallProgressEvent,
    ImageGenerationPartialImageEvent,
    CodeInterpreterCodeDeltaEvent,
    CodeInterpreterCodeDoneEvent,
    CustomToolCallInputDeltaEvent,
    CustomToolCallInputDoneEvent,
    ApplyPatchDiffDeltaEvent,
    ApplyPatchDiffDoneEvent,
    FusionPanelEvent,
    FusionAnalysisEvent,
    DebugEvent,
    UnknownEvent,
]
