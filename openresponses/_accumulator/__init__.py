"""Rebuild a Response from stream events: pure state, no I/O.

Real servers bend the documented event order (DESIGN.md, "Facts about real servers"), so items are
keyed by ``item_id`` and fall back to ``output_index`` only when an id is missing; every ``*.done``
event is optional; a delta for an item never announced creates it. Text chunks are appended to
lists and joined only when a snapshot is taken, so a stream of N deltas costs O(N). A delta for
the same text as the event before it (deltas come in long runs) goes straight to that text's list.
This module routes the events; ``state`` holds what each item knows and builds it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any

import attrs

from ..types import (
    ApplyPatchDiffDeltaEvent,
    ApplyPatchDiffDoneEvent,
    CodeInterpreterCodeDeltaEvent,
    CodeInterpreterCodeDoneEvent,
    ContentPartAddedEvent,
    ContentPartDoneEvent,
    CustomToolCallInputDeltaEvent,
    CustomToolCallInputDoneEvent,
    ErrorEvent,
    FunctionCallArgumentsDeltaEvent,
    FunctionCallArgumentsDoneEvent,
    FusionAnalysisEvent,
    FusionPanelEvent,
    ImageGenerationPartialImageEvent,
    Item,
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
    Response,
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    ResponseInProgressEvent,
    ResponseQueuedEvent,
    StreamEvent,
    ToolCallProgressEvent,
)
from .state import ItemState, TextState, part_at

__all__ = ["ResponseAccumulator"]

# The item type an event's content belongs to: used to create an item nobody announced, and to
# keep apart a message and a tool call that a server gave the same output_index.
_OWNER = {
    "output_text": "message",
    "refusal": "message",
    "reasoning_text": "reasoning",
    "summary_text": "reasoning",
    "arguments": "function_call",
    "input": "custom_tool_call",
    "code": "code_interpreter_call",
}


def _item_id(item: object) -> str | None:
    value = getattr(item, "id", None)
    if value is None:
        raw = getattr(item, "raw", None)  # UnknownItem
        if isinstance(raw, Mapping):
            value = raw.get("id")
    return value if isinstance(value, str) and value else None


class ResponseAccumulator:
    """Rebuild the Response a stream describes, one event at a time.

    ``add`` never raises on a typed event, whatever the order. ``snapshot`` builds the frozen
    Response on demand: the terminal event's response as sent when it lists its output, else the
    latest response snapshot with the items rebuilt from the stream.
    ``terminal`` is ``"completed"``, ``"incomplete"``, ``"failed"`` or ``None``; ``error`` is the
    last in-band error event; ``saw_content`` turns true with the first event carrying output
    (a stream is not retried after that).
    """

    def __init__(self) -> None:
        self.terminal: str | None = None
        self.error: ErrorEvent | None = None
        self.saw_content = False
        self._base: Response | None = None
        self._final: Response | None = None
        self._items: list[ItemState] = []
        self._by_id: dict[str, ItemState] = {}
        self._by_index: dict[int, list[ItemState]] = {}
        self._snapshot: Response | None = None
        self._fresh = True  # no event since the snapshot was built, but for hot appends
        # The last delta's (class, key getter, key, chunk list, item): the next delta with the
        # same key appends to that list. Any event that finds or creates an item clears it.
        self._hot: tuple[type, Callable[[Any], Any], Any, list[str], ItemState] | None = None
        self._hot_built = 0  # how many hot chunks the snapshot holds

    def add(self, event: StreamEvent) -> None:
        """Fold one event into the state; unknown and purely informative events are ignored."""
        cls = event.__class__
        hot = self._hot
        if hot is not None and hot[0] is cls and hot[1](event) == hot[2]:
            # What _track and part_at would find again: nothing was added since the last delta.
            # Nothing marked stale here: ``snapshot`` sees that the chunk list grew.
            delta = event.delta  # type: ignore[union-attr]
            if delta:
                hot[3].append(delta)
            return
        handler = _HANDLERS.get(cls)
        if handler is not None:
            handler(self, event)
            self._fresh = False

    def _heat(self, event: Any, chunks: list[str], item: ItemState) -> None:
        """Remember where a delta went, for the next one with the same key (see ``add``)."""
        key = _DELTA_KEY.get(event.__class__)
        # Logprobs are in the key of output text: a delta that carries some takes the long way.
        if key is not None and not getattr(event, "logprobs", None):
            self._cool()
            self._hot = (event.__class__, key, key(event), chunks, item)

    def _cool(self) -> None:
        # Hot appends left the item's cached form stale; only snapshot() would have noticed.
        if self._hot is not None:
            self._hot[4].built = None
            self._hot = None

    def snapshot(self) -> Response | None:
        """The Response so far, or ``None`` before any response event or item."""
        hot = self._hot
        if hot is not None and len(hot[3]) != self._hot_built:
            hot[4].built = None
            self._fresh = False
        if not self._fresh:
            self._snapshot = self._build()
            self._fresh = True
            self._hot_built = len(hot[3]) if hot is not None else 0
        return self._snapshot

    def _build(self) -> Response | None:
        if self._final is not None:
            if self._final.output or not self._items:
                return self._final
            return attrs.evolve(self._final, output=self._output())
        if self._base is not None:
            return attrs.evolve(self._base, output=self._output()) if self._items else self._base
        if self._items:
            return Response(status="in_progress", output=self._output())
        return None

    def _output(self) -> list[Item]:
        return [item.build() for item in self._items]

    # -- finding items

    def _find(self, item_id: str | None, output_index: int | None, kind: str) -> ItemState | None:
        if item_id is not None:
            found = self._by_id.get(item_id)
            if found is not None:
                return found
        if output_index is None:
            # Neither id nor index: the item being streamed, if it is of the right kind.
            if item_id is None and self._items and self._items[-1].kind == kind:
                return self._items[-1]
            return None
        for candidate in reversed(self._by_index.get(output_index, ())):
            # Servers reuse an output_index for a second item, never an id: an item that has an
            # id is never matched by index to another id, nor by kind to another kind.
            if candidate.kind != kind or (item_id is not None and candidate.id is not None):
                continue
            if item_id is not None:
                candidate.id = item_id
                self._by_id[item_id] = candidate
            return candidate
        return None

    def _track(self, item_id: str | None, output_index: int | None, kind: str) -> ItemState:
        """The item an event talks about, created if nobody announced it; marked changed."""
        self.saw_content = True
        self._cool()
        found = self._find(item_id, output_index, kind)
        if found is None:
            found = ItemState(item_id, kind)
            self._items.append(found)
            if item_id is not None:
                self._by_id[item_id] = found
            if output_index is not None:
                self._by_index.setdefault(output_index, []).append(found)
        found.built = None
        return found

    # -- handlers, one per event family

    def _on_response(self, event: Any) -> None:
        self._base = event.response

    def _on_terminal(self, event: Any) -> None:
        self._final = event.response
        self.terminal = _TERMINAL[type(event)]

    def _on_error(self, event: ErrorEvent) -> None:
        self.error = event

    def _on_progress(self, event: Any) -> None:
        # Hosted-tool progress: no state to keep, but output is being produced.
        self.saw_content = True

    def _on_item(self, event: OutputItemAddedEvent | OutputItemDoneEvent) -> None:
        self.saw_content = True
        item = event.item
        if item is None:
            return
        kind = item.type
        state = self._track(_item_id(item), event.output_index, kind)
        state.kind = kind
        if isinstance(event, OutputItemDoneEvent):
            state.done = item
        else:
            state.added = item

    def _on_part(self, event: ContentPartAddedEvent | ContentPartDoneEvent) -> None:
        part = event.part
        kind = part.type if part is not None else "output_text"
        state = self._track(event.item_id, event.output_index, _OWNER.get(kind, "message"))
        if part is None:
            return
        slot = part_at(state.parts, event.content_index, kind)
        if isinstance(event, ContentPartDoneEvent):
            slot.done = part
        else:
            slot.added = part

    def _on_text(self, event: Any) -> None:
        kind = _TEXT_KIND[type(event)]
        state = self._track(event.item_id, event.output_index, _OWNER[kind])
        slot = part_at(state.parts, event.content_index, kind)
        if isinstance(event, RefusalDoneEvent):
            slot.text.finish(event.refusal)
        elif isinstance(event, (OutputTextDoneEvent, ReasoningTextDoneEvent)):
            slot.text.finish(event.text)
        else:
            if event.delta:
                slot.text.chunks.append(event.delta)
            self._heat(event, slot.text.chunks, state)
        if isinstance(event, OutputTextDeltaEvent) and event.logprobs:
            slot.logprobs.extend(event.logprobs)
        elif isinstance(event, OutputTextDoneEvent) and event.logprobs:
            slot.logprobs = list(event.logprobs)

    def _on_annotation(self, event: OutputTextAnnotationAddedEvent) -> None:
        state = self._track(event.item_id, event.output_index, "message")
        slot = part_at(state.parts, event.content_index, "output_text")
        if event.annotation is not None:
            index = event.annotation_index
            if index is None:
                index = max(slot.annotations, default=-1) + 1
            slot.annotations[index] = event.annotation

    def _on_field(self, event: Any) -> None:
        field, full = _FIELD[type(event)]
        state = self._track(event.item_id, event.output_index, _OWNER[field])
        text = state.fields.get(field)
        if text is None:
            text = state.fields[field] = TextState()
        if full is None:
            if event.delta:
                text.chunks.append(event.delta)
            self._heat(event, text.chunks, state)
        else:
            text.finish(getattr(event, full))
        if isinstance(event, FunctionCallArgumentsDoneEvent) and event.name:
            state.name = event.name

    def _on_summary(self, event: Any) -> None:
        state = self._track(event.item_id, event.output_index, "reasoning")
        slot = part_at(state.summary, event.summary_index, "summary_text")
        if isinstance(event, ReasoningSummaryTextDeltaEvent):
            if event.delta:
                slot.text.chunks.append(event.delta)
            self._heat(event, slot.text.chunks, state)
        elif isinstance(event, ReasoningSummaryTextDoneEvent):
            slot.text.finish(event.text)
        elif event.part is not None:
            if isinstance(event, ReasoningSummaryPartDoneEvent):
                slot.done = event.part
            else:
                slot.added = event.part


_TERMINAL: dict[type, str] = {
    ResponseCompletedEvent: "completed",
    ResponseIncompleteEvent: "incomplete",
    ResponseFailedEvent: "failed",
}
_TEXT_KIND: dict[type, str] = {
    OutputTextDeltaEvent: "output_text",
    OutputTextDoneEvent: "output_text",
    RefusalDeltaEvent: "refusal",
    RefusalDoneEvent: "refusal",
    ReasoningTextDeltaEvent: "reasoning_text",
    ReasoningTextDoneEvent: "reasoning_text",
}
# Streamed string fields of tool-call items: (item field, attribute holding the full value on
# the done event, or None for a delta).
_FIELD: dict[type, tuple[str, str | None]] = {
    FunctionCallArgumentsDeltaEvent: ("arguments", None),
    FunctionCallArgumentsDoneEvent: ("arguments", "arguments"),
    CustomToolCallInputDeltaEvent: ("input", None),
    CustomToolCallInputDoneEvent: ("input", "input"),
    CodeInterpreterCodeDeltaEvent: ("code", None),
    CodeInterpreterCodeDoneEvent: ("code", "code"),
}
# What makes two deltas land in the same text (output text: and no logprobs to keep).
_DELTA_KEY: dict[type, Callable[[Any], Any]] = {
    OutputTextDeltaEvent: attrgetter("item_id", "output_index", "content_index", "logprobs"),
    RefusalDeltaEvent: attrgetter("item_id", "output_index", "content_index"),
    ReasoningTextDeltaEvent: attrgetter("item_id", "output_index", "content_index"),
    ReasoningSummaryTextDeltaEvent: attrgetter("item_id", "output_index", "summary_index"),
    **dict.fromkeys(
        (
            FunctionCallArgumentsDeltaEvent,
            CustomToolCallInputDeltaEvent,
            CodeInterpreterCodeDeltaEvent,
        ),
        attrgetter("item_id", "output_index"),
    ),
}
_HANDLERS: dict[type, Callable[[ResponseAccumulator, Any], None]] = {
    ResponseCreatedEvent: ResponseAccumulator._on_response,
    ResponseQueuedEvent: ResponseAccumulator._on_response,
    ResponseInProgressEvent: ResponseAccumulator._on_response,
    **dict.fromkeys(_TERMINAL, ResponseAccumulator._on_terminal),
    ErrorEvent: ResponseAccumulator._on_error,
    OutputItemAddedEvent: ResponseAccumulator._on_item,
    OutputItemDoneEvent: ResponseAccumulator._on_item,
    ContentPartAddedEvent: ResponseAccumulator._on_part,
    ContentPartDoneEvent: ResponseAccumulator._on_part,
    **dict.fromkeys(_TEXT_KIND, ResponseAccumulator._on_text),
    OutputTextAnnotationAddedEvent: ResponseAccumulator._on_annotation,
    **dict.fromkeys(_FIELD, ResponseAccumulator._on_field),
    ReasoningSummaryPartAddedEvent: ResponseAccumulator._on_summary,
    ReasoningSummaryPartDoneEvent: ResponseAccumulator._on_summary,
    ReasoningSummaryTextDeltaEvent: ResponseAccumulator._on_summary,
    ReasoningSummaryTextDoneEvent: ResponseAccumulator._on_summary,
    **dict.fromkeys(
        (
            ToolCallProgressEvent,
            ImageGenerationPartialImageEvent,
            ApplyPatchDiffDeltaEvent,
            ApplyPatchDiffDoneEvent,
            FusionPanelEvent,
            FusionAnalysisEvent,
        ),
        ResponseAccumulator._on_progress,
    ),
}
