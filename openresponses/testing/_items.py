"""The output items a :class:`~openresponses.testing.Turn` streams: text, refusals, tool calls,
reasoning, and any item as its wire dict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import orjson

from ._script import _EMPTY, OutputItem, _Context, _mapping
from ._wire import Splitter, splitter

__all__ = ["RawItem", "Reasoning", "RefusalMessage", "Text", "ToolCall"]


@attrs.frozen
class Text(OutputItem):
    """An assistant message with one ``output_text`` part.

    The text streams one word per delta, or in ``deltas`` nearly equal pieces, or ``chunk_size``
    characters at a time. ``annotations`` (wire dicts) arrive as ``output_text.annotation.added``.

    >>> Text("Hello there", deltas=2)
    Text(text='Hello there', deltas=2, chunk_size=None, annotations=(), id=None, phase=None)
    """

    text: str
    deltas: int | None = attrs.field(default=None, kw_only=True)
    chunk_size: int | None = attrs.field(default=None, kw_only=True)
    annotations: tuple[Mapping[str, Any], ...] = attrs.field(
        default=(), kw_only=True, converter=tuple
    )
    id: str | None = attrs.field(default=None, kw_only=True)
    phase: str | None = attrs.field(default=None, kw_only=True)

    def _build(self, ctx: _Context, index: int) -> tuple[dict[str, Any], Splitter, str]:
        part = {
            "type": "output_text",
            "text": self.text,
            "annotations": [dict(a) for a in self.annotations],
        }
        item: dict[str, Any] = {
            "type": "message",
            "id": self.id or ctx.item_id("msg", index),
            "status": "completed",
            "role": "assistant",
            "content": [part],
        }
        if self.phase is not None:
            item["phase"] = self.phase
        return item, splitter(self.deltas, self.chunk_size), ""


@attrs.frozen
class RefusalMessage(OutputItem):
    """An assistant message whose only part is a ``refusal`` (streamed as ``refusal.*`` events)."""

    refusal: str
    deltas: int | None = attrs.field(default=None, kw_only=True)
    chunk_size: int | None = attrs.field(default=None, kw_only=True)
    id: str | None = attrs.field(default=None, kw_only=True)

    def _build(self, ctx: _Context, index: int) -> tuple[dict[str, Any], Splitter, str]:
        item = {
            "type": "message",
            "id": self.id or ctx.item_id("msg", index),
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "refusal", "refusal": self.refusal}],
        }
        return item, splitter(self.deltas, self.chunk_size), ""


def _arguments(value: str | Mapping[str, Any]) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


@attrs.frozen
class ToolCall(OutputItem):
    """A ``function_call`` item; ``arguments`` is a JSON string or a mapping (encoded for you).

    >>> ToolCall("get_weather", {"city": "Paris"}).arguments
    '{"city":"Paris"}'
    """

    name: str
    arguments: str = attrs.field(default="{}", converter=_arguments)
    call_id: str | None = attrs.field(default=None, kw_only=True)
    id: str | None = attrs.field(default=None, kw_only=True)
    deltas: int | None = attrs.field(default=None, kw_only=True)
    chunk_size: int | None = attrs.field(default=None, kw_only=True)

    def _build(self, ctx: _Context, index: int) -> tuple[dict[str, Any], Splitter, str]:
        item = {
            "type": "function_call",
            "id": self.id or ctx.item_id("fc", index),
            "call_id": self.call_id or ctx.item_id("call", index),
            "name": self.name,
            "arguments": self.arguments,
            "status": "completed",
        }
        # Arguments are streamed in small pieces by default: JSON has few spaces to split on.
        split = splitter(self.deltas, self.chunk_size if self.deltas or self.chunk_size else 8)
        return item, split, ""


def _summary(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen
class Reasoning(OutputItem):
    """A ``reasoning`` item: summary parts, optional raw ``text`` and ``encrypted_content``.

    Raw reasoning text streams under the spec's ``response.reasoning.*`` names, or under
    ``response.reasoning_text.*`` (OpenRouter's and OpenAI's) with ``event_names="openrouter"``.
    ``extra`` adds keys to the finished item, e.g. ``{"format": "anthropic-claude-v1"}``.

    >>> Reasoning("Thinking about it", encrypted_content="gAAA").summary
    ('Thinking about it',)
    """

    summary: tuple[str, ...] = attrs.field(default=(), converter=_summary)
    text: str | None = attrs.field(default=None, kw_only=True)
    encrypted_content: str | None = attrs.field(default=None, kw_only=True)
    event_names: Literal["spec", "openrouter"] = attrs.field(default="spec", kw_only=True)
    deltas: int | None = attrs.field(default=None, kw_only=True)
    chunk_size: int | None = attrs.field(default=None, kw_only=True)
    id: str | None = attrs.field(default=None, kw_only=True)
    extra: Mapping[str, Any] = attrs.field(default=_EMPTY, kw_only=True, converter=_mapping)

    def _build(self, ctx: _Context, index: int) -> tuple[dict[str, Any], Splitter, str]:
        item: dict[str, Any] = {
            "type": "reasoning",
            "id": self.id or ctx.item_id("rs", index),
            "summary": [{"type": "summary_text", "text": text} for text in self.summary],
        }
        if self.text is not None:
            item["content"] = [{"type": "reasoning_text", "text": self.text}]
        if self.encrypted_content is not None:
            item["encrypted_content"] = self.encrypted_content
        item["status"] = "completed"
        item.update(self.extra)
        prefix = "response.reasoning" if self.event_names == "spec" else "response.reasoning_text"
        return item, splitter(self.deltas, self.chunk_size), prefix


@attrs.frozen
class RawItem(OutputItem):
    """Any output item as its finished wire dict (vendor items too), streamed generically."""

    item: Mapping[str, Any] = attrs.field(converter=_mapping)
    deltas: int | None = attrs.field(default=None, kw_only=True)

    def _build(self, ctx: _Context, index: int) -> tuple[dict[str, Any], Splitter, str]:
        return dict(self.item), splitter(self.deltas), "response.reasoning"
