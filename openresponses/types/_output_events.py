"""The events that write the output.

Output items and content parts, output text and refusals, function-call arguments, reasoning.
"""

from __future__ import annotations

from typing import Literal

import attrs

from ._response_events import _Event
from .content import Annotation, ContentPart, LogProb
from .items import Item

__all__ = [
    "ContentPartAddedEvent",
    "ContentPartDoneEvent",
    "FunctionCallArgumentsDeltaEvent",
    "FunctionCallArgumentsDoneEvent",
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
]


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
    """A new reasoning summary part starts at ``summary_index`` (a ``SummaryText``, in practice;
    the Open Responses spec allows any content part)."""

    type: Literal["response.reasoning_summary_part.added"] = "response.reasoning_summary_part.added"
    item_id: str | None = None
    output_index: int | None = None
    summary_index: int | None = None
    part: ContentPart | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningSummaryPartDoneEvent(_Event):
    """A reasoning summary part is complete (any content part, as for ``.added``)."""

    type: Literal["response.reasoning_summary_part.done"] = "response.reasoning_summary_part.done"
    item_id: str | None = None
    output_index: int | None = None
    summary_index: int | None = None
    part: ContentPart | None = None


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
