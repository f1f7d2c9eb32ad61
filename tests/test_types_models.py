"""The wire models themselves: frozen attrs classes, tags, defaults, extras, request params."""

from __future__ import annotations

import typing
from typing import Any, Literal, get_args, get_origin

import attrs
import pytest

from openresponses import types as t
from openresponses.types._base import EMPTY, WireModel

UNKNOWN = {
    t.UnknownEvent,
    t.UnknownItem,
    t.UnknownContent,
    t.UnknownAnnotation,
    t.UnknownTool,
    t.UnknownFormat,
    t.UnknownWebSearchAction,
    t.UnknownComputerAction,
    t.UnknownLocalShellAction,
    t.UnknownEnvironment,
    t.UnknownShellOutcome,
    t.UnknownCodeInterpreterOutput,
    t.UnknownPatchOperation,
    t.UnknownStopCondition,
}
NOT_WIRE = {t.UsageTotals}  # a running sum of many responses' usage, never sent nor read
MODELS = [
    value
    for name in t.__all__
    if isinstance(value := getattr(t, name), type) and attrs.has(value) and value not in NOT_WIRE
]


def test_every_model_is_frozen_kw_only_with_extras() -> None:
    """Each wire model is a frozen, keyword-only attrs class carrying extra_fields."""
    assert len(MODELS) > 100
    for cls in MODELS:
        assert attrs.has(cls), cls
        if cls in UNKNOWN:
            assert [f.name for f in attrs.fields(cls)][:2] == ["type", "raw"], cls
            continue
        assert issubclass(cls, WireModel), cls
        fields = attrs.fields_dict(cls)
        extras = fields["extra_fields"]
        assert (extras.default, extras.repr, extras.eq) == (EMPTY, False, False), cls
        assert all(f.kw_only for f in attrs.fields(cls)), cls


def test_models_are_immutable() -> None:
    """Assigning to a model attribute fails: models are values."""
    msg = t.Message(role="user", content="hi")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        msg.role = "system"  # type: ignore[misc]
    assert attrs.evolve(msg, role="system").role == "system"


def test_single_tags_are_literal_defaults() -> None:
    """A class with one wire type defaults its tag, so users never pass type=."""
    checked = 0
    for cls in MODELS:
        fields = attrs.fields_dict(cls)
        if "type" not in fields or cls in UNKNOWN:
            continue
        hint = typing.get_type_hints(cls)["type"]
        if get_origin(hint) is Literal and len(get_args(hint)) == 1:
            assert fields["type"].default == get_args(hint)[0], cls
            checked += 1
    assert checked > 80


def test_shared_classes_make_the_caller_choose_the_tag() -> None:
    """Classes serving several wire types (progress, fusion, server tools) require type=."""
    for cls in (t.ToolCallProgressEvent, t.FusionPanelEvent, t.ServerTool, t.ServerToolCall):
        assert attrs.fields_dict(cls)["type"].default is attrs.NOTHING, cls


def test_equality_ignores_extras_and_repr_hides_them() -> None:
    """Two models differing only in unknown keys are equal; repr stays short."""
    a = t.InputText(text="x", extra_fields={"vendor": 1})
    b = t.InputText(text="x")
    assert a == b
    assert "vendor" not in repr(a)


def test_required_constructor_arguments() -> None:
    """What a user must say to build an item is required by the constructor."""
    with pytest.raises(TypeError):
        t.Message(role="user")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        t.FunctionCallOutput(output="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        t.Message("user", "hi")  # type: ignore[misc]
    assert t.FunctionCall(call_id="c", name="f").arguments == ""


def test_mutable_defaults_are_not_shared() -> None:
    """List defaults are fresh per instance."""
    a, b = t.OutputText(text="a"), t.OutputText(text="b")
    assert a.annotations == []
    assert a.annotations is not b.annotations


def test_reasoning_aliases_share_a_class() -> None:
    """The reasoning delta/done classes accept both spellings of their tag."""
    assert set(get_args(typing.get_type_hints(t.ReasoningTextDeltaEvent)["type"])) == {
        "response.reasoning.delta",
        "response.reasoning_text.delta",
    }
    event = t.ReasoningTextDoneEvent(type="response.reasoning.done", text="x")
    assert event.type == "response.reasoning.done"


def test_stream_event_union_lists_every_event_class() -> None:
    """StreamEvent names every event class defined in types.events."""
    from openresponses.types import events

    defined = {
        value
        for name in events.__all__
        if isinstance(value := getattr(events, name), type) and attrs.has(value)
    }
    assert defined == set(get_args(t.StreamEvent))


def test_item_union_lists_every_item_class() -> None:
    """Item names every item class defined in types.items."""
    from openresponses.types import items

    defined = {
        value
        for name in items.__all__
        if isinstance(value := getattr(items, name), type) and attrs.has(value)
    }
    assert defined == set(get_args(t.Item))


def test_every_event_has_a_sequence_number() -> None:
    """All events, the unknown one included, expose sequence_number (default None)."""
    for cls in get_args(t.StreamEvent):
        assert "sequence_number" in attrs.fields_dict(cls), cls


def test_response_output_text_is_empty_without_messages() -> None:
    """A response with no message output has an empty output_text, not None."""
    assert t.Response().output_text == ""
    assert t.Response(output=[t.FunctionCall(call_id="c", name="f")]).output_text == ""


def test_create_params_declare_every_request_field_of_both_specs(
    openapi_specs: dict[str, Any],
) -> None:
    """ResponseCreateParams has each body field of both specs (stream is the client's)."""
    schemas = {name: spec["components"]["schemas"] for name, spec in openapi_specs.items()}
    fields = set(schemas["openresponses"]["CreateResponseBody"]["properties"])
    fields |= set(schemas["openrouter"]["ResponsesRequest"]["properties"])
    declared = set(t.ResponseCreateParams.__annotations__)
    assert declared == fields - {"stream"}
    assert t.ResponseCreateParams.__total__ is False


def test_create_params_annotations_resolve() -> None:
    """The TypedDict's annotations resolve at runtime (nothing TYPE_CHECKING-only)."""
    hints: dict[str, Any] = typing.get_type_hints(t.ResponseCreateParams)
    assert "reasoning" in hints
    assert t.ReasoningConfig in get_args(hints["reasoning"])


def test_server_tool_types_are_all_accepted_by_server_tool() -> None:
    """ServerTool's tag covers every openrouter:* tool type the SDK lists."""
    hint = typing.get_type_hints(t.ServerTool)["type"]
    assert set(get_args(hint)) == set(t.SERVER_TOOL_TYPES)
