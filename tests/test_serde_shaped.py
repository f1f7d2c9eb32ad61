"""Shaped hooks (learned from a first payload) read any payload exactly as the general ones do."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openresponses._serde import _TABLES, _hook, _shaped
from openresponses.types import Response, StreamEvent

TRANSCRIPTS = Path(__file__).parent / "transcripts"
_TAGGED = _TABLES[StreamEvent]


def _frames() -> list[dict[str, Any]]:
    """Every event of the recorded transcripts."""
    frames = []
    for path in sorted(TRANSCRIPTS.glob("*.sse")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            data = [line[5:].lstrip() for line in block.splitlines() if line.startswith("data:")]
            if data and data != ["[DONE]"]:
                frames.append(json.loads("\n".join(data)))
    return frames


FRAMES = _frames()
RESPONSES = [f["response"] for f in FRAMES if isinstance(f.get("response"), dict)]


def _variants(d: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``d`` itself, then ``d`` with one key dropped, added, reordered or of another type."""
    yield d
    keys = list(d)
    yield dict(reversed(list(d.items())))
    yield {**d, "acme_extra": 1}
    for key in keys:
        yield {k: v for k, v in d.items() if k != key}
        for other in (None, 7, "seven", 1.5, True, [], {}, [{"type": "x"}]):
            if type(other) is not type(d[key]) or other != d[key]:
                yield {**d, key: other}


def _read(hook: Any, d: dict[str, Any]) -> Any:
    """What a hook makes of ``d``: the object, or the error's text."""
    try:
        return hook(copy.deepcopy(d))
    except Exception as exc:  # the hooks' own error, turned into ResponseValidationError above
        return f"{type(exc).__name__}: {exc}"


def _check(cls: type, learned_from: dict[str, Any]) -> int:
    """Compare the shaped and the general hook of ``cls`` on every variant; how many shaped."""
    general = _hook(cls)
    shaped = _shaped(cls, general, copy.deepcopy(learned_from))
    if shaped is None:
        return 0
    for variant in _variants(learned_from):
        assert _read(shaped, variant) == _read(general, variant), variant
    return 1


def test_event_hooks_shaped_by_real_frames_agree_with_the_general_ones() -> None:
    """For every recorded event, mutated key by key, the shaped hook equals the general one."""
    shaped = sum(_check(type(_hook(StreamEvent)(frame)), frame) for frame in FRAMES)
    assert shaped >= 10  # the deltas, the item and part events: most frames take a shape


def test_response_hooks_shaped_by_real_responses_agree_with_the_general_ones() -> None:
    """A Response shape (nested output, usage, text) agrees with the general hook, mutated."""
    # A response that needs a conversion (a float created_at, a null for a default) gets none.
    assert sum(_check(Response, response) for response in RESPONSES) >= 2


@pytest.mark.parametrize("tag", ["response.output_text.delta", "response.completed"])
def test_the_dispatch_table_learns_a_shape_and_still_reads_other_payloads(tag: str) -> None:
    """After the first payload of a type, the table's hook reads other shapes correctly too."""
    frame = next(f for f in FRAMES if f["type"] == tag)
    hook = _hook(StreamEvent)
    first = hook(copy.deepcopy(frame))
    assert _TAGGED[tag] is not None
    for variant in _variants(frame):
        if variant.get("type") == tag:
            assert _read(hook, variant) == _read(_hook(type(first)), variant)
