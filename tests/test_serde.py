"""The converter: lenient reading, strict writing, unknown types kept, errors with a path."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson
import pytest

from openresponses import (
    ErrorEvent,
    FunctionCall,
    FunctionCallOutput,
    InputImage,
    InputText,
    Item,
    ItemReference,
    Message,
    OutputText,
    OutputTextDeltaEvent,
    ReasoningItem,
    ReasoningTextDeltaEvent,
    ReasoningTextDoneEvent,
    Response,
    ResponseCompletedEvent,
    ResponseValidationError,
    ServerToolCall,
    StreamEvent,
    SummaryText,
    ToolChoiceFunction,
    UnknownAnnotation,
    UnknownContent,
    UnknownEvent,
    UnknownFormat,
    UnknownItem,
    UnknownTool,
    UrlCitation,
)
from openresponses import types as t
from openresponses._request import build_request_body
from openresponses._serde import (
    dumps,
    loads,
    parse_event,
    parse_response,
    structure,
    unstructure,
)
from openresponses.types.openrouter_tools import SERVER_TOOL_CLASSES

# The seed documents the SDK was specified from (001 holds a real response body).
SEEDS = Path(__file__).parent / "data" / "seeds"


def _event(payload: dict[str, Any]) -> StreamEvent:
    return parse_event(orjson.dumps(payload))


# -- every event type of both specs reads as its class and writes back unchanged

_R = {"id": "r", "object": "response", "output": []}

EVENTS: list[tuple[dict[str, Any], type]] = [
    ({"type": "response.created", "sequence_number": 0, "response": _R}, t.ResponseCreatedEvent),
    ({"type": "response.queued", "sequence_number": 1, "response": _R}, t.ResponseQueuedEvent),
    ({"type": "response.in_progress", "response": _R}, t.ResponseInProgressEvent),
    (
        {"type": "response.completed", "response": {**_R, "status": "completed"}},
        t.ResponseCompletedEvent,
    ),
    ({"type": "response.incomplete", "response": _R}, t.ResponseIncompleteEvent),
    (
        {
            "type": "response.failed",
            "response": {**_R, "error": {"code": "server_error", "message": "x"}},
        },
        t.ResponseFailedEvent,
    ),
    (
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {
                "type": "message",
                "id": "m",
                "role": "assistant",
                "content": [],
                "status": "in_progress",
            },
        },
        t.OutputItemAddedEvent,
    ),
    (
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
        },
        t.OutputItemDoneEvent,
    ),
    (
        {
            "type": "response.content_part.added",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "output_text", "text": "", "annotations": []},
        },
        t.ContentPartAddedEvent,
    ),
    (
        {
            "type": "response.content_part.done",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "reasoning_text", "text": "r"},
        },
        t.ContentPartDoneEvent,
    ),
    (
        {
            "type": "response.output_text.delta",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "delta": "Hi",
            "logprobs": [],
            "obfuscation": "xx",
        },
        t.OutputTextDeltaEvent,
    ),
    (
        {
            "type": "response.output_text.done",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "text": "Hi",
            "logprobs": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105], "top_logprobs": []}],
        },
        t.OutputTextDoneEvent,
    ),
    (
        {
            "type": "response.output_text.annotation.added",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "annotation_index": 0,
            "annotation": {
                "type": "url_citation",
                "url": "https://a",
                "title": "A",
                "start_index": 0,
                "end_index": 2,
            },
        },
        t.OutputTextAnnotationAddedEvent,
    ),
    (
        {
            "type": "response.refusal.delta",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "delta": "no",
        },
        t.RefusalDeltaEvent,
    ),
    (
        {
            "type": "response.refusal.done",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "refusal": "no",
        },
        t.RefusalDoneEvent,
    ),
    (
        {
            "type": "response.function_call_arguments.delta",
            "item_id": "f",
            "output_index": 1,
            "delta": "{",
        },
        t.FunctionCallArgumentsDeltaEvent,
    ),
    (
        {
            "type": "response.function_call_arguments.done",
            "item_id": "f",
            "output_index": 1,
            "arguments": "{}",
            "name": "f",
        },
        t.FunctionCallArgumentsDoneEvent,
    ),
    (
        {
            "type": "response.reasoning.delta",
            "item_id": "r",
            "output_index": 0,
            "content_index": 0,
            "delta": "th",
        },
        t.ReasoningTextDeltaEvent,
    ),
    (
        {
            "type": "response.reasoning_text.delta",
            "item_id": "r",
            "output_index": 0,
            "content_index": 0,
            "delta": "th",
        },
        t.ReasoningTextDeltaEvent,
    ),
    (
        {
            "type": "response.reasoning.done",
            "item_id": "r",
            "output_index": 0,
            "content_index": 0,
            "text": "think",
        },
        t.ReasoningTextDoneEvent,
    ),
    (
        {
            "type": "response.reasoning_text.done",
            "item_id": "r",
            "output_index": 0,
            "content_index": 0,
            "text": "think",
        },
        t.ReasoningTextDoneEvent,
    ),
    (
        {
            "type": "response.reasoning_summary_part.added",
            "item_id": "r",
            "output_index": 0,
            "summary_index": 0,
            "part": {"type": "summary_text", "text": ""},
        },
        t.ReasoningSummaryPartAddedEvent,
    ),
    (
        {
            "type": "response.reasoning_summary_part.done",
            "item_id": "r",
            "output_index": 0,
            "summary_index": 0,
            "part": {"type": "summary_text", "text": "s"},
        },
        t.ReasoningSummaryPartDoneEvent,
    ),
    (
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": "r",
            "output_index": 0,
            "summary_index": 0,
            "delta": "s",
        },
        t.ReasoningSummaryTextDeltaEvent,
    ),
    (
        {
            "type": "response.reasoning_summary_text.done",
            "item_id": "r",
            "output_index": 0,
            "summary_index": 0,
            "text": "s",
        },
        t.ReasoningSummaryTextDoneEvent,
    ),
    (
        {
            "type": "error",
            "sequence_number": 9,
            "code": "server_error",
            "message": "boom",
            "param": "model",
        },
        t.ErrorEvent,
    ),
    (
        {"type": "response.web_search_call.searching", "item_id": "w", "output_index": 0},
        t.ToolCallProgressEvent,
    ),
    (
        {
            "type": "response.image_generation_call.partial_image",
            "item_id": "i",
            "output_index": 0,
            "partial_image_b64": "AA==",
            "partial_image_index": 0,
        },
        t.ImageGenerationPartialImageEvent,
    ),
    (
        {
            "type": "response.code_interpreter_call_code.delta",
            "item_id": "c",
            "output_index": 0,
            "delta": "print(",
        },
        t.CodeInterpreterCodeDeltaEvent,
    ),
    (
        {
            "type": "response.code_interpreter_call_code.done",
            "item_id": "c",
            "output_index": 0,
            "code": "print()",
        },
        t.CodeInterpreterCodeDoneEvent,
    ),
    (
        {
            "type": "response.custom_tool_call_input.delta",
            "item_id": "c",
            "output_index": 0,
            "delta": "x",
        },
        t.CustomToolCallInputDeltaEvent,
    ),
    (
        {
            "type": "response.custom_tool_call_input.done",
            "item_id": "c",
            "output_index": 0,
            "input": "x",
        },
        t.CustomToolCallInputDoneEvent,
    ),
    (
        {
            "type": "response.apply_patch_call_operation_diff.delta",
            "item_id": "a",
            "output_index": 0,
            "delta": "+",
        },
        t.ApplyPatchDiffDeltaEvent,
    ),
    (
        {
            "type": "response.apply_patch_call_operation_diff.done",
            "item_id": "a",
            "output_index": 0,
            "diff": "+x",
        },
        t.ApplyPatchDiffDoneEvent,
    ),
    (
        {
            "type": "response.fusion_call.panel.failed",
            "item_id": "f",
            "output_index": 0,
            "model": "m",
            "error": "e",
            "status_code": 500,
        },
        t.FusionPanelEvent,
    ),
    (
        {
            "type": "response.fusion_call.analysis.completed",
            "item_id": "f",
            "output_index": 0,
            "analysis": {"consensus": []},
        },
        t.FusionAnalysisEvent,
    ),
    (
        {"type": "response.fusion_call.completed", "item_id": "f", "output_index": 0},
        t.ToolCallProgressEvent,
    ),
    (
        {"type": "response.debug", "sequence_number": 0, "debug": {"echo_upstream_body": {"a": 1}}},
        t.DebugEvent,
    ),
]


@pytest.mark.parametrize(("payload", "cls"), EVENTS, ids=[p["type"] for p, _ in EVENTS])
def test_every_event_type_reads_as_its_class_and_writes_back(
    payload: dict[str, Any], cls: type
) -> None:
    """Each wire event type becomes its own class, and unstructure gives the payload back."""
    event = _event(payload)
    assert type(event) is cls
    assert event.type == payload["type"]
    assert unstructure(event) == payload


def test_both_reasoning_event_names_map_to_one_class_each() -> None:
    """response.reasoning.* and response.reasoning_text.* read as the same class, name kept."""
    old = _event({"type": "response.reasoning.delta", "delta": "a"})
    new = _event({"type": "response.reasoning_text.delta", "delta": "b"})
    assert isinstance(old, ReasoningTextDeltaEvent)
    assert isinstance(new, ReasoningTextDeltaEvent)
    assert (old.type, new.type) == ("response.reasoning.delta", "response.reasoning_text.delta")
    done = _event({"type": "response.reasoning.done", "text": "t"})
    assert isinstance(done, ReasoningTextDoneEvent)
    assert done.text == "t"


def test_every_union_member_has_a_tag_in_the_dispatch_table() -> None:
    """No event class of the StreamEvent union is unreachable from parse_event."""
    from typing import get_args

    from openresponses._serde import _EVENT_TABLE

    reachable = {_EVENT_TABLE[p["type"]][0](p).__class__ for p, _ in EVENTS}
    members = {c for c in get_args(StreamEvent) if c is not UnknownEvent}
    assert members <= reachable | {t.ErrorEvent}


# -- error events in all three shapes


def test_flat_openrouter_error_event() -> None:
    """The flat {"type": "error", "code", "message", "param"} shape fills the fields directly."""
    event = _event(
        {"type": "error", "code": "rate_limit_exceeded", "message": "slow", "param": None}
    )
    assert isinstance(event, ErrorEvent)
    assert (event.code, event.message, event.param, event.error) == (
        "rate_limit_exceeded",
        "slow",
        None,
        None,
    )


def test_nested_spec_error_event_is_normalised_and_written_back_nested() -> None:
    """The spec's nested error object fills code/message/param and round-trips nested."""
    payload = {
        "type": "error",
        "sequence_number": 3,
        "error": {"type": "server_error", "code": None, "message": "down", "param": "model"},
    }
    event = _event(payload)
    assert isinstance(event, ErrorEvent)
    assert (event.code, event.message, event.param) == (None, "down", "model")
    assert event.sequence_number == 3
    assert unstructure(event) == payload


def test_bare_openrouter_error_frame_becomes_error_event() -> None:
    """{"error": {"code": 502, "message": ...}} with no type is an ErrorEvent with an int code."""
    event = parse_event(b'{"error": {"code": 502, "message": "Provider returned error"}}')
    assert isinstance(event, ErrorEvent)
    assert event.code == 502
    assert event.message == "Provider returned error"
    assert unstructure(event) == {
        "type": "error",
        "error": {"code": 502, "message": "Provider returned error"},
    }


def test_error_frame_with_string_error_keeps_it() -> None:
    """{"error": "text"} becomes an ErrorEvent whose message is the text, written back as sent."""
    event = parse_event(b'{"error": "upstream went away", "user_id": "u1"}')
    assert isinstance(event, ErrorEvent)
    assert event.message == "upstream went away"
    assert unstructure(event) == {
        "type": "error",
        "error": "upstream went away",
        "user_id": "u1",
    }


# -- unknown types and fields survive a round trip


def test_unknown_event_keeps_the_raw_payload() -> None:
    """A vendor event becomes UnknownEvent with its raw mapping and sequence number."""
    payload = {"type": "acme:trace", "sequence_number": 7, "span": {"a": [1, None]}}
    event = _event(payload)
    assert isinstance(event, UnknownEvent)
    assert (event.type, event.sequence_number) == ("acme:trace", 7)
    assert unstructure(event) == payload
    assert orjson.loads(dumps(event)) == payload


def test_event_without_a_string_type_is_unknown() -> None:
    """A JSON object without a string type (and no error) is an UnknownEvent, kept as sent."""
    for payload in ({"hello": 1}, {"type": {"not": "hashable"}}, {"type": 5}):
        event = _event(payload)
        assert isinstance(event, UnknownEvent)
        assert event.type == ""
        assert unstructure(event) == payload


def test_unknown_item_content_annotation_tool_and_format_round_trip() -> None:
    """Every nested unknown tag becomes its Unknown* class and is written back unchanged."""
    body = {
        "id": "r",
        "object": "response",
        "output": [
            {"type": "acme:search_result", "id": "x", "status": "completed", "hits": [1, 2]},
            {
                "type": "message",
                "id": "m",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {"type": "acme:chart", "svg": "<svg/>"},
                    {
                        "type": "output_text",
                        "text": "t",
                        "annotations": [{"type": "acme:cite", "ref": 3}],
                    },
                ],
            },
        ],
        "tools": [{"type": "acme:tool", "config": {"k": "v"}}],
        "text": {"format": {"type": "acme:yaml", "indent": 2}},
    }
    resp = parse_response(body)
    unknown_item, message = resp.output
    assert isinstance(unknown_item, UnknownItem)
    assert unknown_item.type == "acme:search_result"
    assert isinstance(message, Message)
    assert not isinstance(message.content, str)
    assert isinstance(message.content[0], UnknownContent)
    part = message.content[1]
    assert isinstance(part, OutputText)
    assert isinstance(part.annotations[0], UnknownAnnotation)
    assert resp.tools is not None
    assert isinstance(resp.tools[0], UnknownTool)
    assert resp.text is not None
    assert isinstance(resp.text.format, UnknownFormat)
    assert unstructure(resp) == body


def test_extra_fields_are_kept_and_written_back_at_every_level() -> None:
    """Keys the models do not declare land in extra_fields and come back out."""
    body = {
        "id": "r",
        "object": "response",
        "brand_new": {"x": 1},
        "output": [
            {
                "type": "function_call",
                "call_id": "c",
                "name": "f",
                "arguments": "{}",
                "vendor_hint": None,
            }
        ],
        "usage": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3, "cost": 0.5, "x": 1},
    }
    resp = parse_response(body)
    assert resp.extra_fields == {"brand_new": {"x": 1}}
    call = resp.output[0]
    assert isinstance(call, FunctionCall)
    assert call.extra_fields == {"vendor_hint": None}
    assert resp.usage is not None
    assert resp.usage.extra_fields == {"x": 1}
    assert unstructure(resp) == body


def test_declared_fields_win_over_clashing_extra_fields() -> None:
    """A hand-made extra_fields entry never overrides a declared field on write."""
    msg = Message(role="user", content="hi", extra_fields={"role": "system", "note": 1})
    assert unstructure(msg) == {"type": "message", "role": "user", "content": "hi", "note": 1}


def test_models_without_extras_share_one_empty_mapping() -> None:
    """Reading a payload without unknown keys allocates no extras mapping."""
    a = _event({"type": "response.output_text.delta", "delta": "a"})
    b = _event({"type": "response.output_text.delta", "delta": "b"})
    assert a.extra_fields is b.extra_fields
    assert isinstance(a.extra_fields, MappingProxyType)


# -- lenient reading


def test_missing_required_fields_take_defaults() -> None:
    """Items and parts missing "required" keys read with None / empty defaults."""
    item = structure({"type": "function_call"}, Item)  # type: ignore[arg-type]
    assert isinstance(item, FunctionCall)
    assert (item.call_id, item.name, item.arguments, item.id) == ("", "", "", None)
    delta = _event({"type": "response.output_text.delta"})
    assert isinstance(delta, OutputTextDeltaEvent)
    assert (delta.delta, delta.item_id, delta.output_index, delta.sequence_number) == (
        "",
        None,
        None,
        None,
    )


def test_nulls_read_as_defaults_and_are_dropped_on_write() -> None:
    """null in a declared field is the default; the written value omits it."""
    resp = parse_response(
        {"id": "r", "output": None, "usage": None, "error": None, "temperature": None}
    )
    assert resp.output == []
    assert resp.usage is None
    assert unstructure(resp) == {"id": "r", "object": "response", "output": []}


def test_floats_for_ints_and_float_created_at() -> None:
    """Integral floats in int fields become ints; created_at keeps a float as sent."""
    resp = parse_response(
        {
            "id": "r",
            "created_at": 1763365410.25,
            "max_output_tokens": 9000.0,
            "usage": {"input_tokens": 12.0, "output_tokens": 3, "total_tokens": 15.0},
        }
    )
    assert resp.created_at == 1763365410.25
    assert resp.max_output_tokens == 9000
    assert type(resp.max_output_tokens) is int
    assert resp.usage is not None
    assert type(resp.usage.input_tokens) is int


def test_unknown_enum_values_stay_strings() -> None:
    """Status, role and other enum-like fields keep values this SDK has never seen."""
    resp = parse_response(
        {
            "status": "paused",
            "truncation": "smart",
            "service_tier": "turbo",
            "output": [{"type": "message", "role": "critic", "content": "x", "status": "weird"}],
        }
    )
    assert (resp.status, resp.truncation, resp.service_tier) == ("paused", "smart", "turbo")
    message = resp.output[0]
    assert isinstance(message, Message)
    assert (message.role, message.status) == ("critic", "weird")


def test_easy_input_message_without_type_reads_as_message() -> None:
    """OpenRouter's {"role": "user", "content": "hi"} is a Message; the tag is written back."""
    item = structure({"role": "user", "content": "hi"}, Item)  # type: ignore[arg-type]
    assert item == Message(role="user", content="hi")
    assert unstructure(item) == {"type": "message", "role": "user", "content": "hi"}


def test_item_reference_without_type() -> None:
    """{"id": ...} alone is an ItemReference (the spec lets its type be omitted)."""
    item = structure({"id": "msg_1"}, Item)  # type: ignore[arg-type]
    assert item == ItemReference(id="msg_1")


def test_openrouter_server_tool_items_share_one_class() -> None:
    """openrouter:* output items read as ServerToolCall with their fields kept as extras."""
    raw = {
        "type": "openrouter:web_search",
        "id": "ws_1",
        "status": "completed",
        "action": {"type": "search", "query": "q", "sources": [{"type": "url", "url": "u"}]},
    }
    item = structure(raw, Item)  # type: ignore[arg-type]
    assert isinstance(item, ServerToolCall)
    assert (item.type, item.id, item.status) == ("openrouter:web_search", "ws_1", "completed")
    assert unstructure(item) == raw


def test_tool_choice_forms() -> None:
    """tool_choice reads as a string, a function choice, allowed tools or a hosted tool type."""
    for wire, cls in [
        ("auto", str),
        ({"type": "function", "name": "f"}, ToolChoiceFunction),
        (
            {"type": "allowed_tools", "mode": "auto", "tools": [{"type": "function", "name": "f"}]},
            t.ToolChoiceAllowed,
        ),
        ({"type": "web_search_preview"}, t.ToolChoiceTool),
        ({"type": "shell"}, t.ToolChoiceTool),
    ]:
        resp = parse_response({"tool_choice": wire})
        assert isinstance(resp.tool_choice, cls)
        assert unstructure(resp)["tool_choice"] == wire


# -- output items fed back as input


def test_output_items_fed_back_as_input_are_written_unchanged() -> None:
    """[*resp.output] as input gives exactly the output items the server sent."""
    output = [
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "s"}],
            "encrypted_content": "gAAA",
            "signature": "sig",
            "format": "anthropic-claude-v1",
            "status": "completed",
        },
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "phase": "final_answer",
            "content": [
                {
                    "type": "output_text",
                    "text": "Paris.",
                    "annotations": [
                        {
                            "type": "url_citation",
                            "url": "https://x",
                            "title": "X",
                            "start_index": 0,
                            "end_index": 6,
                        }
                    ],
                    "logprobs": [],
                }
            ],
        },
        {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city": "Paris"}',
            "status": "completed",
        },
        {"type": "openrouter:datetime", "id": "dt", "status": "completed", "datetime": "now"},
        {"type": "acme:thing", "id": "z"},
    ]
    resp = parse_response({"id": "r", "output": output})
    body = build_request_body(
        {
            "model": "m",
            "input": [
                *resp.output,
                FunctionCallOutput(call_id="call_1", output='{"temp": 20}'),
            ],
        }
    )
    assert orjson.loads(dumps(body))["input"] == [
        *output,
        {"type": "function_call_output", "call_id": "call_1", "output": '{"temp": 20}'},
    ]


# -- strict writing


def test_writing_omits_none_and_always_writes_the_tag() -> None:
    """Unset optional fields are omitted; the type tag is written even though it is a default."""
    assert unstructure(OutputTextDeltaEvent(delta="x")) == {
        "type": "response.output_text.delta",
        "delta": "x",
    }
    assert unstructure(InputImage(image_url="https://i")) == {
        "type": "input_image",
        "image_url": "https://i",
        "detail": "auto",
    }
    assert unstructure(ReasoningItem(id="rs", summary=[SummaryText(text="s")])) == {
        "type": "reasoning",
        "id": "rs",
        "summary": [{"type": "summary_text", "text": "s"}],
    }


def test_dumps_handles_models_nested_in_plain_containers() -> None:
    """dumps writes attrs models found inside dicts, tuples and read-only mappings."""
    data = {
        "input": (Message(role="user", content=[InputText(text="hi")]),),
        "meta": MappingProxyType({"a": UrlCitation(url="u")}),
    }
    assert orjson.loads(dumps(data)) == {
        "input": [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
        ],
        "meta": {"a": {"type": "url_citation", "url": "u"}},
    }


def test_dumps_refuses_what_json_cannot_hold() -> None:
    """An object JSON cannot represent raises TypeError rather than being stringified."""
    with pytest.raises(TypeError):
        dumps({"x": object()})


def test_structure_reads_lists_of_unions() -> None:
    """structure() handles container types of the unions too."""
    items = structure([{"role": "user", "content": "a"}, {"type": "x:y"}], list[Item])
    assert [type(i) for i in items] == [Message, UnknownItem]


# -- errors: ResponseValidationError with a readable path, never a raw exception


def test_invalid_json_event_raises_validation_error_with_payload() -> None:
    """Bad JSON in an event raises ResponseValidationError carrying the raw bytes."""
    with pytest.raises(ResponseValidationError) as info:
        parse_event(b'{"type": "response.output_text.delta", ')
    assert info.value.payload == b'{"type": "response.output_text.delta", '


@pytest.mark.parametrize("payload", [b"[1, 2]", b'"text"', b"null", b"3"])
def test_non_object_event_raises_validation_error(payload: bytes) -> None:
    """A JSON value that is not an object cannot be an event."""
    with pytest.raises(ResponseValidationError, match="expected an event object"):
        parse_event(payload)


def test_wrong_nested_type_reports_the_path() -> None:
    """A value of the wrong type deep inside a response reports $.output[i].content[j]."""
    body = {
        "output": [
            {"type": "message", "role": "assistant", "content": "ok"},
            {"type": "reasoning", "summary": []},
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": 5}],
            },
        ]
    }
    with pytest.raises(ResponseValidationError) as info:
        parse_response(body)
    assert info.value.path == "$.output[2].content[0].text"
    assert info.value.payload == body
    assert "expected a string" in info.value.message


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"type": "response.output_text.delta", "output_index": "zero"}, "$.output_index"),
        ({"type": "response.completed", "response": []}, "$.response"),
        ({"type": "response.completed", "response": {"output": {}}}, "$.response.output"),
        (
            {"type": "response.output_item.done", "item": {"type": "message", "content": 3}},
            "$.item.content",
        ),
        ({"type": "response.output_text.done", "logprobs": [{"token": "a"}, 7]}, "$.logprobs[1]"),
        (
            {"type": "response.created", "response": {"usage": {"input_tokens": True}}},
            "$.response.usage.input_tokens",
        ),
    ],
)
def test_event_errors_name_the_path(payload: dict[str, Any], path: str) -> None:
    """Every way an event can be unreadable gives ResponseValidationError with its path."""
    with pytest.raises(ResponseValidationError) as info:
        _event(payload)
    assert info.value.path == path
    assert info.value.payload == payload


def test_loads_and_structure_wrap_errors() -> None:
    """loads() and structure() raise ResponseValidationError, never orjson or cattrs errors."""
    with pytest.raises(ResponseValidationError):
        loads(b"{nope")
    with pytest.raises(ResponseValidationError) as info:
        structure({"summary": 3}, ReasoningItem)
    assert info.value.path == "$.summary"
    with pytest.raises(ResponseValidationError):
        parse_response(b"[]")


# -- real bodies


def _seed_response() -> dict[str, Any]:
    text = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")
    start = text.index("{\n'id': 'resp_")
    end = text.index("}Streaming Responses") + 1
    body: dict[str, Any] = ast.literal_eval(text[start:end])
    return body


def test_real_response_body_reads_with_every_field_reachable() -> None:
    """The live server body in seeds/001 reads completely, typed, and writes back equal."""
    body = _seed_response()
    resp = parse_response(dumps(body))
    assert resp.id == "resp_01dba0cc1d0017a500691ad2223c48819393303f3018ccd9d2"
    assert (resp.object, resp.created_at, resp.status, resp.model) == (
        "response",
        1763365410,
        "completed",
        "o4-mini",
    )
    assert (resp.background, resp.store, resp.parallel_tool_calls) == (False, True, True)
    assert (resp.error, resp.incomplete_details, resp.instructions) == (None, None, None)
    assert (resp.max_output_tokens, resp.max_tool_calls) == (9000, None)
    assert (resp.previous_response_id, resp.prompt_cache_key, resp.safety_identifier) == (
        None,
        None,
        None,
    )
    assert resp.reasoning == t.ReasoningConfig(effort="medium")
    assert (resp.service_tier, resp.temperature, resp.top_p, resp.top_logprobs) == (
        "auto",
        1.0,
        1.0,
        0,
    )
    assert resp.text == t.TextConfig(format=t.FormatText(), verbosity="medium")
    assert (resp.tool_choice, resp.tools, resp.truncation, resp.user, resp.metadata) == (
        "auto",
        [],
        "disabled",
        None,
        {},
    )
    assert resp.usage == t.Usage(
        input_tokens=12,
        output_tokens=147,
        total_tokens=159,
        input_tokens_details=t.InputTokensDetails(cached_tokens=0),
        output_tokens_details=t.OutputTokensDetails(reasoning_tokens=128),
    )
    reasoning, message = resp.output
    assert reasoning == ReasoningItem(
        id="rs_01dba0cc1d0017a500691ad222e6348193978f00e3bdffedc6", summary=[]
    )
    assert isinstance(message, Message)
    assert (message.id, message.role, message.status) == (
        "msg_01dba0cc1d0017a500691ad2248b808193afa1088dc35b886e",
        "assistant",
        "completed",
    )
    assert message.content == [
        OutputText(
            text="Why do programmers prefer dark mode? \nBecause light attracts bugs!",
            annotations=[],
            logprobs=[],
        )
    ]
    assert resp.output_text == "Why do programmers prefer dark mode? \nBecause light attracts bugs!"
    assert resp.extra_fields == {"content_filters": None}
    written = unstructure(resp)
    assert written == {k: v for k, v in body.items() if v is not None or k == "content_filters"} | {
        "reasoning": {"effort": "medium"}
    }


def test_spec_response_examples_read(openapi_specs: dict[str, Any]) -> None:
    """The Response examples of both specs read and write back without loss."""
    specs = openapi_specs
    examples = [
        specs["openresponses"]["components"]["schemas"]["ResponseResource"]["example"],
        specs["openrouter"]["paths"]["/responses"]["post"]["responses"]["200"]["content"][
            "application/json"
        ]["example"],
    ]
    for example in examples:
        resp = parse_response(example)
        assert resp.output_text
        assert _drop_nulls(unstructure(resp)) == _drop_nulls(example)
    stream_example = specs["openrouter"]["paths"]["/responses"]["post"]["responses"]["200"][
        "content"
    ]["text/event-stream"]["example"]["data"]
    event = _event(stream_example)
    assert isinstance(event, OutputTextDeltaEvent)
    assert event.delta == "Hello"
    assert unstructure(event) == stream_example


def test_response_output_text_joins_only_output_text_parts() -> None:
    """output_text joins output_text parts of message items, skipping refusals and other items."""
    resp = Response(
        output=[
            ReasoningItem(summary=[SummaryText(text="no")]),
            Message(role="assistant", content=[OutputText(text="a"), t.Refusal(refusal="r")]),
            Message(role="assistant", content="plain strings are input-side"),
            Message(role="assistant", content=[OutputText(text="b")]),
        ]
    )
    assert resp.output_text == "ab"


def test_response_completed_event_carries_a_typed_response() -> None:
    """The terminal event's response is a full Response with typed output."""
    event = _event(
        {
            "type": "response.completed",
            "sequence_number": 12,
            "response": {"id": "r", "status": "completed", "output": [_message("x")]},
        }
    )
    assert isinstance(event, ResponseCompletedEvent)
    assert event.response.output_text == "x"


def _message(text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": "m",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


TOOLS: list[tuple[dict[str, Any], type]] = [
    (
        {"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": True},
        t.FunctionTool,
    ),
    ({"type": "web_search_preview", "search_context_size": "low"}, t.WebSearchTool),
    ({"type": "web_search_2025_08_26", "max_results": 3}, t.WebSearchTool),
    ({"type": "file_search", "vector_store_ids": ["vs_1"]}, t.FileSearchTool),
    (
        {
            "type": "computer_use_preview",
            "display_width": 1,
            "display_height": 2,
            "environment": "mac",
        },
        t.ComputerUseTool,
    ),
    ({"type": "code_interpreter", "container": {"type": "auto"}}, t.CodeInterpreterTool),
    ({"type": "mcp", "server_label": "s", "require_approval": "never"}, t.McpTool),
    ({"type": "image_generation", "quality": "high"}, t.ImageGenerationTool),
    ({"type": "local_shell"}, t.LocalShellTool),
    ({"type": "shell"}, t.ShellTool),
    ({"type": "apply_patch"}, t.ApplyPatchTool),
    ({"type": "custom", "name": "c", "format": {"type": "text"}}, t.CustomTool),
    ({"type": "namespace", "name": "n", "description": "d", "tools": []}, t.NamespaceTool),
    *[
        ({"type": kind, "parameters": {"x": 1}}, cls)
        for kind, cls in zip(t.SERVER_TOOL_TYPES, SERVER_TOOL_CLASSES, strict=True)
    ],
]


@pytest.mark.parametrize(("raw", "cls"), TOOLS, ids=[r["type"] for r, _ in TOOLS])
def test_every_tool_type_reads_as_its_class(raw: dict[str, Any], cls: type) -> None:
    """Hosted, function and openrouter:* server tools read as their class and write back."""
    tool = structure(raw, t.Tool)  # type: ignore[arg-type]
    assert type(tool) is cls
    assert unstructure(tool) == raw


def test_unknown_item_type_variants() -> None:
    """Items with odd tags stay as sent: a null type, a non-string type, a vendor type."""
    for raw in ({"type": None, "id": "x", "a": 1}, {"type": 3}, {"type": "acme:x", "a": [None]}):
        item = structure(raw, Item)  # type: ignore[arg-type]
        assert isinstance(item, UnknownItem)
        assert unstructure(item) == raw


def test_message_without_content_has_no_parts() -> None:
    """A message item missing content (or with null) reads with an empty part list."""
    for raw in (
        {"type": "message", "id": "m", "role": "assistant", "status": "in_progress"},
        {"role": "user", "content": None},
    ):
        item = structure(raw, Item)  # type: ignore[arg-type]
        assert isinstance(item, Message)
        assert item.content == []


def test_cattrs_waits_for_a_payload_the_fast_path_cannot_read() -> None:
    """import openresponses and a client leave cattrs unimported; after an event of no known
    type, openresponses._serde.converter is the cattrs converter (not the module of its hooks)."""
    code = (
        "import sys, openresponses\n"
        "openresponses.AsyncClient(api_key='sk-test')\n"
        "print('cattrs' in sys.modules)\n"
        "from openresponses import _serde\n"
        "_serde.parse_event(b'{}')\n"
        "import cattrs\n"
        "print(isinstance(_serde.converter, cattrs.Converter))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True"]
