"""The state of one output item while the stream tells it, and the frozen model it becomes.

An ``ItemState`` holds its content parts and reasoning summary parts (``PartState``) by index
and its streamed tool-call fields by name; each streamed string is a ``TextState``, whose chunks
are joined only when a snapshot is taken. ``build`` merges what was streamed into what the server
sent (the announcement, or the final ``*.done`` form, whose filled fields win).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..types import (
    Annotation,
    CodeInterpreterCall,
    CustomToolCall,
    FunctionCall,
    Item,
    Message,
    OutputText,
    ReasoningItem,
    ReasoningText,
    Refusal,
    SummaryText,
)

__all__ = ["ItemState", "PartState", "TextState", "part_at"]

# The string field of each tool-call item that arrives as deltas.
_STREAMED_FIELD = {
    "function_call": "arguments",
    "custom_tool_call": "input",
    "code_interpreter_call": "code",
}
_TEXT_PARTS = (OutputText, Refusal, ReasoningText, SummaryText)


class TextState:
    """One streamed string: the chunks so far, and the full text of a ``*.done`` event (it wins)."""

    __slots__ = ("chunks", "final")

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.final: str | None = None

    def __bool__(self) -> bool:
        return self.final is not None or bool(self.chunks)

    def finish(self, full: str | None) -> None:
        # An empty full text after deltas reads as "omitted" (lenient models default missing
        # fields to ""), not as "the text was wiped".
        if isinstance(full, str) and (full or not self.chunks):
            self.final = full

    def value(self) -> str:
        if self.final is not None:
            return self.final
        if len(self.chunks) > 1:
            # Collapse, so the next snapshot does not join the same chunks again.
            self.chunks[:] = ["".join(self.chunks)]
        return self.chunks[0] if self.chunks else ""


class PartState:
    """One content part or reasoning summary part, as far as the stream has told."""

    __slots__ = ("added", "annotations", "done", "kind", "logprobs", "text")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.added: Any = None
        self.done: Any = None
        self.text = TextState()
        self.annotations: dict[int, Annotation] = {}
        self.logprobs: list[Any] = []

    def build(self) -> Any:
        if self.done is not None:
            return self._fill(self.done, server_wins=True)
        if self.added is not None:
            return self._fill(self.added, server_wins=False)
        blank: Any
        if self.kind == "refusal":
            blank = Refusal(refusal="")
        elif self.kind == "reasoning_text":
            blank = ReasoningText(text="")
        elif self.kind == "summary_text":
            blank = SummaryText(text="")
        else:
            blank = OutputText(text="")
        return self._fill(blank, server_wins=False)

    def _fill(self, part: Any, *, server_wins: bool) -> Any:
        """``part`` with what was streamed; a final part keeps every field the server filled."""
        changes: dict[str, Any] = {}
        field = "refusal" if isinstance(part, Refusal) else "text"
        kept = server_wins and bool(getattr(part, field, None))
        if self.text and isinstance(part, _TEXT_PARTS) and not kept:
            changes[field] = self.text.value()
        if isinstance(part, OutputText):
            if self.annotations and not (server_wins and part.annotations):
                merged = dict(enumerate(part.annotations))
                merged.update(self.annotations)
                changes["annotations"] = [merged[i] for i in sorted(merged)]
            if self.logprobs and not part.logprobs:
                changes["logprobs"] = list(self.logprobs)
        return attrs.evolve(part, **changes) if changes else part


class ItemState:
    """Mutable state of one output item; ``built`` caches its frozen form until the next change."""

    __slots__ = ("added", "built", "done", "fields", "id", "kind", "name", "parts", "summary")

    def __init__(self, item_id: str | None, kind: str) -> None:
        self.id = item_id
        self.kind = kind
        self.added: Item | None = None
        self.done: Item | None = None
        self.parts: dict[int, PartState] = {}
        self.summary: dict[int, PartState] = {}
        # Streamed string fields of tool calls, by field name (see _STREAMED_FIELD).
        self.fields: dict[str, TextState] = {}
        self.name: str | None = None
        self.built: Item | None = None

    def build(self) -> Item:
        if self.built is None:
            if self.done is not None:
                self.built = self._fill(self.done, server_wins=True)
            else:
                self.built = self._fill(self.added or self._blank(), server_wins=False)
        return self.built

    def _blank(self) -> Item:
        status = "in_progress"
        if self.kind == "function_call":
            return FunctionCall(id=self.id, call_id="", name=self.name or "", status=status)
        if self.kind == "reasoning":
            return ReasoningItem(id=self.id, status=status)
        if self.kind == "custom_tool_call":
            return CustomToolCall(id=self.id, name=self.name, status=status)
        if self.kind == "code_interpreter_call":
            return CodeInterpreterCall(id=self.id, status=status)
        return Message(id=self.id, role="assistant", content=[], status=status)

    def _fill(self, item: Item, *, server_wins: bool) -> Item:
        """``item`` with what was streamed; a final item keeps every field the server filled."""
        changes: dict[str, Any] = {}
        if self.id is not None and getattr(item, "id", "") is None:
            changes["id"] = self.id  # the stream named an item its announcement left anonymous
        if isinstance(item, Message):
            if self.parts and not (server_wins and item.content):
                changes["content"] = _merged(item.content, self.parts)
        elif isinstance(item, ReasoningItem):
            if self.summary and not (server_wins and item.summary):
                changes["summary"] = _merged(item.summary, self.summary)
            if self.parts and not (server_wins and item.content):
                texts = _merged(item.content, self.parts)
                changes["content"] = [p for p in texts if isinstance(p, ReasoningText)]
        elif isinstance(item, (FunctionCall, CustomToolCall, CodeInterpreterCall)):
            field = _STREAMED_FIELD[item.type]
            text = self.fields.get(field)
            if text and not (server_wins and getattr(item, field)):
                changes[field] = text.value()
            if self.name and isinstance(item, (FunctionCall, CustomToolCall)) and not item.name:
                changes["name"] = self.name
        return attrs.evolve(item, **changes) if changes else item


def part_at(parts: dict[int, PartState], index: int | None, kind: str) -> PartState:
    # A missing index means "the part being streamed": the last one, else the first.
    if index is None:
        index = max(parts) if parts else 0
    part = parts.get(index)
    if part is None:
        part = parts[index] = PartState(kind)
    return part


def _merged(server: object, parts: Mapping[int, PartState]) -> list[Any]:
    """The server's list of parts, with each part the stream told about put in at its index."""
    merged: dict[int, Any] = dict(enumerate(server)) if isinstance(server, list) else {}
    merged.update((index, part.build()) for index, part in parts.items())
    return [merged[i] for i in sorted(merged)]
