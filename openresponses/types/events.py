"""Streaming events: one class per wire ``type``, the ``StreamEvent`` union and ``UnknownEvent``.

Narrow with ``match`` / ``isinstance`` (class patterns narrow exactly; ``event.type ==`` does
not, because ``UnknownEvent.type`` is any string), and end with ``case _:`` for the unknown.
The classes live by family in ``_response_events`` (lifecycle, errors, debug), ``_output_events``
(items, parts, text, reasoning) and ``_tool_events`` (tool calls at work); this module is their
public home.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

import attrs

from ._output_events import (
    ContentPartAddedEvent,
    ContentPartDoneEvent,
    FunctionCallArgumentsDeltaEvent,
    FunctionCallArgumentsDoneEvent,
    OutputItemAddedEvent,
    OutputItemDoneEvent,
    OutputTextAnnotationAddedEvent,
    OutputTextDeltaEvent,
    OutputTextDoneEvent,
    ReasoningSummaryPartAddedEvent,
    ReasoningSummaryPartDoneEvent,
    ReasoningSummaryTextDeltaEvent,
    ReasoningSummaryTextDoneEvent,
    ReasoningTextDeltaEvent,
    ReasoningTextDoneEvent,
    RefusalDeltaEvent,
    RefusalDoneEvent,
)
from ._response_events import (
    DebugEvent,
    ErrorEvent,
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    ResponseInProgressEvent,
    ResponseQueuedEvent,
)
from ._tool_events import (
    ApplyPatchDiffDeltaEvent,
    ApplyPatchDiffDoneEvent,
    CodeInterpreterCodeDeltaEvent,
    CodeInterpreterCodeDoneEvent,
    CustomToolCallInputDeltaEvent,
    CustomToolCallInputDoneEvent,
    FusionAnalysisEvent,
    FusionPanelEvent,
    ImageGenerationPartialImageEvent,
    ToolCallProgressEvent,
)

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
