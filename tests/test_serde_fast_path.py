"""The fast path (hooks shaped by first payloads) reads exactly what the cattrs converter reads."""

from __future__ import annotations

import ast
import copy
import inspect
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openresponses import ResponseValidationError
from openresponses import types as wire
from openresponses._serde import _EVENT_TABLE, parse_event, unstructure
from openresponses._serde.errors import to_validation_error
from openresponses._serde.fast import Reader
from openresponses._serde.hooks import structure_hook
from openresponses._serde.unions import tag_table
from openresponses.types import Item, Response, StreamEvent

HERE = Path(__file__).parent
UNIONS = (
    StreamEvent,
    Item,
    wire.ContentPart,
    wire.Annotation,
    wire.Tool,
    wire.TextFormat,
    wire.WebSearchAction,
    wire.ComputerAction,
    wire.LocalShellAction,
    wire.ShellEnvironment,
    wire.ShellOutcome,
    wire.CodeInterpreterOutput,
    wire.ApplyPatchOperation,
    wire.StopCondition,
)


# -- the real payloads: recorded streams, the live body in seeds/001, the specs' examples


def _frames() -> list[dict[str, Any]]:
    frames = []
    for path in sorted((HERE / "transcripts").glob("*.sse")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            data = [line[5:].lstrip() for line in block.splitlines() if line.startswith("data:")]
            if data and data != ["[DONE]"]:
                frames.append(json.loads("\n".join(data)))
    return frames


def _seed_response() -> dict[str, Any]:
    text = next((HERE / "data" / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")
    start = text.index("{\n'id': 'resp_")
    body: dict[str, Any] = ast.literal_eval(text[start : text.index("}Streaming Responses") + 1])
    return body


def _examples(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example":
                yield value
            yield from _examples(value)
    elif isinstance(node, list):
        for value in node:
            yield from _examples(value)


def _target(payload: Any) -> Any:
    """The class or union a payload is read as, or None when it is none of ours."""
    if not isinstance(payload, dict):
        return None
    if payload.get("object") == "response":
        return Response
    tag = payload.get("type")
    return next((u for u in UNIONS if isinstance(tag, str) and tag in tag_table(u)), None)


FRAMES = _frames()


@pytest.fixture(scope="module")
def real_payloads(openapi_specs: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
    """(class or union, payload) for every real event, response, item, part, tool and format."""
    found = [*FRAMES, _seed_response()]
    found += [f["response"] for f in FRAMES if isinstance(f.get("response"), dict)]
    for spec in openapi_specs.values():
        found += _examples(spec["components"]["schemas"])
        found += _examples(spec["paths"])
    pool = [(_target(p), p) for p in found]
    return [(target, p) for target, p in pool if target is not None and _reads(target, p)]


def _reads(target: Any, payload: dict[str, Any]) -> bool:
    """Whether the converter reads ``payload`` (a spec example can be off its own schema)."""
    try:
        structure_hook(target)(copy.deepcopy(payload))
    except Exception:
        return False
    return True


# -- the comparison: objects (classes, values, extra_fields) and what to_dict() writes


def _snapshot(value: Any) -> Any:
    """Everything a read produced: exact classes, every field, extra_fields included."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), {f.name: _snapshot(getattr(value, f.name)) for f in fields})
    if isinstance(value, Mapping):
        return (type(value), {k: _snapshot(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    return (type(value), value)


def _outcome(read: Callable[[Any], Any], payload: dict[str, Any]) -> Any:
    try:
        value = read(copy.deepcopy(payload))
    except Exception as exc:
        error = exc if isinstance(exc, ResponseValidationError) else to_validation_error(exc, {})
        return "error", error.message, error.path
    return _snapshot(value), orjson.dumps(unstructure(value))  # bytes: key order counts


def _fast(target: Any, learned_from: dict[str, Any]) -> Callable[[Any], Any]:
    """The fast path of a new reader whose first payload was ``learned_from``."""
    reader = Reader()
    reader.cell(target)[0](copy.deepcopy(learned_from))
    return reader.cell(target)[0]


def _assert_same(target: Any, fast: Callable[[Any], Any], payload: dict[str, Any]) -> None:
    assert _outcome(fast, payload) == _outcome(structure_hook(target), payload), payload


# -- mutations, key by key, at any depth

OTHER_VALUES = [None, 7, 2.0, 1.5, "seven", True, [], {}, [{"type": "x"}], {"type": "x"}]


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from _objects(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _objects(inner)


@st.composite
def _mutation(draw: st.DrawFn, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with one to three keys dropped, nulled, of another type, or added."""
    payload = copy.deepcopy(payload)
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(list(_objects(payload))))
        how = draw(st.sampled_from(["drop", "retype", "add"] if target else ["add"]))
        if how == "add":
            key = draw(st.sampled_from(["acme_extra", "extra_fields", "raw"]))
            target[key] = copy.deepcopy(draw(st.sampled_from(OTHER_VALUES)))
            continue
        key = draw(st.sampled_from(sorted(target)))
        if how == "drop":
            del target[key]
        else:  # null it, or a value of another type
            old = target[key]
            others = [v for v in OTHER_VALUES if type(v) is not type(old) or v != old]
            target[key] = copy.deepcopy(draw(st.sampled_from(others)))
    return payload


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_real_payloads_read_the_same_on_both_paths(
    real_payloads: list[tuple[Any, dict[str, Any]]], data: st.DataObject
) -> None:
    """Real payloads mutated at any depth: same objects, extras, errors and to_dict() bytes."""
    target, original = data.draw(st.sampled_from(real_payloads))
    _assert_same(target, _fast(target, original), data.draw(_mutation(original)))


def _top_level_variants(d: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield d
    yield dict(reversed(list(d.items())))
    yield {**d, "acme_extra": 1}
    for key in d:
        yield {k: v for k, v in d.items() if k != key}
        for other in OTHER_VALUES:
            if type(other) is not type(d[key]) or other != d[key]:
                yield {**d, key: copy.deepcopy(other)}


def test_every_recorded_frame_mutated_key_by_key_reads_the_same_on_both_paths() -> None:
    """Every key of every recorded event and response: dropped, nulled, retyped, or one added."""
    responses = [f["response"] for f in FRAMES if isinstance(f.get("response"), dict)]
    for target, payload in [
        *((StreamEvent, f) for f in FRAMES),
        *((Response, r) for r in responses),
    ]:
        fast = _fast(target, payload)  # which also learns the variants' shapes, up to its limit
        for variant in _top_level_variants(payload):
            _assert_same(target, fast, variant)


def test_recorded_streams_never_reach_the_converter() -> None:
    """Every recorded event of three servers, the first of each shape included, is read by
    shaped hooks (the comparisons above are between two paths); one that does not read is not."""
    calls: list[Any] = []

    def counted(tp: Any) -> Callable[..., Any]:
        hook = structure_hook(tp)

        def call(d: Any, _: Any = None) -> Any:
            calls.append(tp)
            return hook(d)

        return call

    read = Reader(counted).cell(StreamEvent)[0]
    for _ in range(2):
        for frame in FRAMES:
            read(copy.deepcopy(frame))
    assert calls == []
    with pytest.raises(Exception, match="OutputTextDeltaEvent"):
        read({"type": "response.output_text.delta", "delta": 5})
    assert calls == [wire.OutputTextDeltaEvent]


@pytest.mark.parametrize("tag", ["response.output_text.delta", "response.completed"])
def test_the_dispatch_table_learns_a_shape_and_still_reads_other_payloads(tag: str) -> None:
    """parse_event's table takes a shaped hook after a tag's first event, and reads any other
    payload of that tag as the converter does."""
    frame = next(f for f in FRAMES if f["type"] == tag)
    parse_event(orjson.dumps(frame))
    assert _EVENT_TABLE[tag][0].__code__.co_filename.endswith("shaped>")
    for variant in _top_level_variants(frame):
        fast = _outcome(lambda d: parse_event(orjson.dumps(d)), variant)
        assert fast == _outcome(structure_hook(StreamEvent), variant), variant


# -- the fast path builds objects without __init__: nothing may depend on it running


def _attrs_classes() -> Iterator[type]:
    seen: set[type] = set()
    for module in (wire, *(m for _, m in inspect.getmembers(wire, inspect.ismodule))):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if attrs.has(cls) and cls.__module__.startswith(wire.__name__) and cls not in seen:
                seen.add(cls)
                yield cls


def test_no_wire_model_needs_its_init_to_run() -> None:
    """Shaped hooks skip __init__: no wire model has a validator, a converter, an init=False
    field or a pre/post-init hook (add one and the fast path must learn to call __init__)."""
    classes = list(_attrs_classes())
    assert {wire.OutputTextDeltaEvent, wire.Response, wire.UnknownItem} <= set(classes)
    for cls in classes:
        assert not hasattr(cls, "__attrs_post_init__"), cls
        assert not hasattr(cls, "__attrs_pre_init__"), cls
        for field in attrs.fields(cls):
            assert field.validator is None, (cls, field.name)
            assert field.converter is None, (cls, field.name)
            assert field.init, (cls, field.name)
