"""ResponseAccumulator: rebuilding a Response from the events real servers send."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openresponses._accumulator import ResponseAccumulator
from openresponses._serde import parse_event
from openresponses.types import (
    CustomToolCall,
    ErrorEvent,
    FunctionCall,
    Message,
    OutputText,
    ReasoningItem,
    ReasoningText,
    Refusal,
    Response,
    ResponseCompletedEvent,
    ResponseFailedEvent,
    StreamEvent,
    SummaryText,
    UrlCitation,
)

TRANSCRIPTS = Path(__file__).parent / "transcripts"


def wire(payload: dict[str, Any]) -> StreamEvent:
    """One event as a server sends it: a JSON object read by the SDK's own parser."""
    return parse_event(json.dumps(payload))


def transcript(name: str) -> list[dict[str, Any]]:
    """The JSON objects of a recorded SSE transcript (comments and ``[DONE]`` skipped)."""
    frames = []
    for block in (TRANSCRIPTS / name).read_text(encoding="utf-8").split("\n\n"):
        data = [line[5:].lstrip() for line in block.splitlines() if line.startswith("data:")]
        if data and data != ["[DONE]"]:
            frames.append(json.loads("\n".join(data)))
    return frames


def feed(payloads: list[dict[str, Any]]) -> ResponseAccumulator:
    """An accumulator that has seen every payload, in order."""
    acc = ResponseAccumulator()
    for payload in payloads:
        acc.add(wire(payload))
    return acc


def terminal_response(payloads: list[dict[str, Any]]) -> Response:
    """The server's own final Response, read from the transcript's terminal event."""
    event = wire(payloads[-1])
    assert isinstance(event, ResponseCompletedEvent)
    return event.response


def only(payloads: list[dict[str, Any]], *types: str) -> list[dict[str, Any]]:
    """The payloads of the given event types, in order."""
    return [p for p in payloads if p["type"] in types]


def snap(acc: ResponseAccumulator) -> Response:
    """The accumulator's snapshot, asserted to exist."""
    response = acc.snapshot()
    assert response is not None
    return response


STREAMING = (
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.function_call_arguments.delta",
    "response.reasoning.delta",
    "response.reasoning_text.delta",
    "response.reasoning_summary_part.added",
    "response.reasoning_summary_text.delta",
)

BASE = {"id": "resp_1", "object": "response", "created_at": 1764558000, "status": "in_progress"}


def text_stream(*chunks: str, item_id: str = "msg_1") -> list[dict[str, Any]]:
    """A minimal spec-shaped text stream without any ``*.done`` event or sequence number."""
    return [
        {"type": "response.created", "response": {**BASE, "output": []}},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "message", "id": item_id, "role": "assistant", "content": []},
        },
        *(
            {
                "type": "response.output_text.delta",
                "item_id": item_id,
                "output_index": 0,
                "content_index": 0,
                "delta": chunk,
            }
            for chunk in chunks
        ),
    ]


# -- whole transcripts


def test_plain_text_stream_equals_the_servers_completed_response() -> None:
    """An OpenRouter text transcript rebuilds exactly the Response of its response.completed."""
    payloads = transcript("openrouter_text.sse")
    acc = feed(payloads)
    assert acc.snapshot() == terminal_response(payloads)
    assert snap(acc).output_text == "Hello! The capital of France is Paris."
    assert acc.terminal == "completed"
    assert acc.error is None


def test_deltas_alone_rebuild_the_servers_final_message() -> None:
    """With only added + delta events, the rebuilt message matches the server's done item."""
    payloads = transcript("openrouter_text.sse")
    acc = feed(only(payloads, *STREAMING))
    (built,) = snap(acc).output
    (server_item,) = terminal_response(payloads).output
    assert acc.terminal is None
    assert isinstance(built, Message)
    assert built.status == "in_progress"
    assert attrs.evolve(built, status="completed") == server_item


def test_tool_call_and_message_sharing_an_output_index_stay_apart() -> None:
    """A function call and a message both at output_index 1 are two items, each with its text."""
    payloads = transcript("local_tool_collision.sse")
    acc = feed(only(payloads, *STREAMING))
    reasoning, call, message = snap(acc).output
    assert isinstance(reasoning, ReasoningItem)
    assert reasoning.content == [ReasoningText(text="The user wants the weather.")]
    assert isinstance(call, FunctionCall)
    assert (call.id, call.name, call.arguments) == ("fc_41b7", "get_weather", '{"city": "Paris"}')
    assert isinstance(message, Message)
    assert message.content == [OutputText(text="I'll check the weather in Paris.")]

    acc = feed(payloads)
    assert acc.snapshot() == terminal_response(payloads)


@pytest.mark.parametrize("prefix", ["response.reasoning_text", "response.reasoning"])
def test_reasoning_summary_content_and_encrypted_content(prefix: str) -> None:
    """Summary parts, raw reasoning under either event name, and encrypted_content all survive."""
    payloads: list[dict[str, Any]] = [
        {**p, "type": p["type"].replace("response.reasoning_text", prefix)}
        for p in transcript("openrouter_reasoning.sse")
    ]
    assert any(p["type"] == f"{prefix}.delta" for p in payloads)

    partial = snap(feed(only(payloads, *STREAMING, f"{prefix}.delta")))
    reasoning = partial.output[0]
    assert isinstance(reasoning, ReasoningItem)
    assert reasoning.summary == [
        SummaryText(text="**Adding numbers**\n\nTwo plus two is four."),
        SummaryText(text="Double-checked."),
    ]
    assert reasoning.content == [ReasoningText(text="2+2=4")]
    assert reasoning.format == "openai-responses-v1"
    assert partial.output_text == "2 + 2 = 4."

    # A terminal response without an output key: the items, encrypted_content included, come back.
    server = {k: v for k, v in payloads[-1]["response"].items() if k != "output"}
    final = snap(feed([*payloads[:-1], {**payloads[-1], "response": server}]))
    assert final.output == terminal_response(payloads).output
    reasoning = final.output[0]
    assert isinstance(reasoning, ReasoningItem)
    assert reasoning.encrypted_content == "gAAAAABpZ3x0-encrypted-reasoning-blob=="


# -- real-server deviations


def test_missing_sequence_numbers_and_done_events() -> None:
    """No sequence numbers, no output_text.done and an output_item.done without content still
    yield the streamed text inside the server's final item."""
    payloads: list[dict[str, Any]] = [
        *text_stream("Bon", "jour"),
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [],
            },
        },
    ]
    message = snap(feed(payloads)).output[0]
    assert isinstance(message, Message)
    assert message.status == "completed"
    assert message.content == [OutputText(text="Bonjour")]


def test_float_created_at_is_kept() -> None:
    """A server's float created_at comes through unchanged in the snapshot."""
    payloads = transcript("local_tool_collision.sse")
    response = snap(feed(payloads[:3]))
    assert response.created_at == 1764558123.482913
    assert response.status == "in_progress"


def test_deltas_for_an_unannounced_item_create_it() -> None:
    """Argument deltas for a call never announced build a function_call (name from the done)."""
    payloads: list[dict[str, Any]] = [
        {"type": "response.created", "response": {**BASE, "output": []}},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_9", "delta": '{"q":'},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_9", "delta": ' "x"}'},
        {"type": "response.function_call_arguments.done", "item_id": "fc_9", "name": "search"},
    ]
    (call,) = snap(feed(payloads)).output
    assert isinstance(call, FunctionCall)
    assert (call.id, call.name, call.arguments) == ("fc_9", "search", '{"q": "x"}')


def test_items_without_ids_pair_up_by_output_index() -> None:
    """An id-less item and later events naming it only by output_index land on the same item."""
    payloads: list[dict[str, Any]] = [
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": ""},
        },
        {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": "{}"},
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {"type": "custom_tool_call", "call_id": "call_2", "name": "g"},
        },
        {
            "type": "response.custom_tool_call_input.delta",
            "item_id": "ct_1",
            "output_index": 1,
            "delta": "ls -la",
        },
    ]
    call, custom = snap(feed(payloads)).output
    assert isinstance(call, FunctionCall)
    assert (call.call_id, call.arguments) == ("call_1", "{}")
    assert isinstance(custom, CustomToolCall)
    assert (custom.id, custom.input) == ("ct_1", "ls -la")


def test_annotations_and_refusals_are_rebuilt() -> None:
    """annotation.added lands in its output_text part; refusal deltas build a refusal part."""
    payloads: list[dict[str, Any]] = [
        *text_stream("See docs."),
        {
            "type": "response.output_text.annotation.added",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "annotation_index": 0,
            "annotation": {
                "type": "url_citation",
                "url": "https://example.org",
                "title": "Docs",
                "start_index": 4,
                "end_index": 8,
            },
        },
        {
            "type": "response.content_part.added",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 1,
            "part": {"type": "refusal", "refusal": ""},
        },
        {
            "type": "response.refusal.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 1,
            "delta": "I can't ",
        },
        {
            "type": "response.refusal.done",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 1,
            "refusal": "I can't help.",
        },
    ]
    message = snap(feed(payloads)).output[0]
    assert isinstance(message, Message)
    citation = UrlCitation(url="https://example.org", title="Docs", start_index=4, end_index=8)
    assert message.content == [
        OutputText(text="See docs.", annotations=[citation]),
        Refusal(refusal="I can't help."),
    ]


def test_logprobs_of_text_deltas_are_collected() -> None:
    """Each delta's logprobs are appended, in order, to its output_text part."""
    payloads = text_stream("Hi", "!")
    for payload, token in zip(payloads[2:], ["Hi", "!"], strict=True):
        payload["logprobs"] = [{"token": token, "logprob": -0.5, "top_logprobs": []}]
    message = snap(feed(payloads)).output[0]
    assert isinstance(message, Message)
    assert isinstance(message.content, list)
    (part,) = message.content
    assert isinstance(part, OutputText)
    assert [lp.token for lp in part.logprobs or []] == ["Hi", "!"]


# -- terminals and errors


def test_incomplete_terminal() -> None:
    """response.incomplete is terminal "incomplete" and its response (with reason) is the result."""
    final = {
        **BASE,
        "status": "incomplete",
        "incomplete_details": {"reason": "max_output_tokens"},
        "output": [],
    }
    acc = feed([*text_stream("Once upon"), {"type": "response.incomplete", "response": final}])
    response = snap(acc)
    assert acc.terminal == "incomplete"
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.output_text == "Once upon"


def test_failed_terminal_keeps_the_partial_output() -> None:
    """response.failed is terminal "failed"; its error is kept and the partial text filled in."""
    final = {
        **BASE,
        "status": "failed",
        "output": [],
        "error": {"code": "server_error", "message": "upstream died"},
    }
    acc = feed([*text_stream("Half a sen"), {"type": "response.failed", "response": final}])
    response = snap(acc)
    assert acc.terminal == "failed"
    assert response.error is not None
    assert (response.error.code, response.error.message) == ("server_error", "upstream died")
    assert response.output_text == "Half a sen"


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "error", "code": "rate_limit_exceeded", "message": "Slow down", "param": None},
        {
            "type": "error",
            "error": {
                "type": "server_error",
                "code": "rate_limit_exceeded",
                "message": "Slow down",
                "param": None,
            },
        },
        {"error": {"code": "rate_limit_exceeded", "message": "Slow down"}},
    ],
    ids=["flat", "nested", "bare"],
)
def test_error_event_is_recorded_in_every_shape(frame: dict[str, Any]) -> None:
    """An in-band error frame after HTTP 200 becomes .error; the partial response stays intact."""
    acc = feed([*text_stream("Partial"), frame])
    assert isinstance(acc.error, ErrorEvent)
    assert (acc.error.code, acc.error.message) == ("rate_limit_exceeded", "Slow down")
    assert acc.terminal is None
    assert snap(acc).output_text == "Partial"


def test_no_terminal_event_gives_the_partial_response() -> None:
    """A stream cut off mid-text snapshots as the in-progress response with the text so far."""
    acc = feed(text_stream("The ans", "wer is"))
    response = snap(acc)
    assert acc.terminal is None
    assert (response.id, response.status) == ("resp_1", "in_progress")
    assert response.output_text == "The answer is"


def test_terminal_with_empty_output_is_filled_from_the_stream() -> None:
    """A response.completed with an empty output gets the accumulated items; the rest is its own."""
    final = {
        **BASE,
        "status": "completed",
        "output": [],
        "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
    }
    acc = feed([*text_stream("Hi", " there"), {"type": "response.completed", "response": final}])
    response = snap(acc)
    assert response.status == "completed"
    assert response.usage is not None
    assert response.usage.total_tokens == 5
    assert response.output_text == "Hi there"


# -- bookkeeping


def test_snapshot_is_none_until_something_arrives_and_cached_between_adds() -> None:
    """No events: None. Two snapshots without an add are the same object; an add rebuilds it."""
    acc = ResponseAccumulator()
    assert acc.snapshot() is None
    for payload in text_stream("a"):
        acc.add(wire(payload))
    first = acc.snapshot()
    assert first is acc.snapshot()
    acc.add(wire(text_stream("b")[-1]))
    second = snap(acc)
    assert second is not first
    assert second.output_text == "ab"


def test_saw_content_turns_on_with_the_first_output_event() -> None:
    """Lifecycle, error and unknown events are not content; output_item.added is."""
    acc = ResponseAccumulator()
    created, added = text_stream()[:2]
    for payload in [
        created,
        {"type": "response.in_progress", "response": BASE},
        {"type": "response.keep_alive"},
        {"type": "error", "message": "x"},
    ]:
        acc.add(wire(payload))
    assert acc.saw_content is False
    acc.add(wire(added))
    assert acc.saw_content is True


def test_unknown_events_are_ignored() -> None:
    """Vendor and unknown events between real ones change nothing in the rebuilt response."""
    payloads = transcript("openrouter_text.sse")
    noise: list[dict[str, Any]] = [
        {"type": "acme:trace_event", "sequence_number": 99, "span": {"id": 1}},
        {"type": "response.keep_alive"},
        {"type": "response.debug", "debug": {"upstream": {}}},
    ]
    mixed = [p for payload in payloads for p in (payload, *noise)]
    assert feed(mixed).snapshot() == terminal_response(payloads)
    assert feed(only(mixed, *STREAMING)).snapshot() == feed(only(payloads, *STREAMING)).snapshot()


def test_twenty_thousand_deltas_assemble_in_order() -> None:
    """20,000 text deltas join into exactly the text sent, with a snapshot taken midway."""
    chunks = [f"{i}," for i in range(20_000)]
    acc = ResponseAccumulator()
    for index, payload in enumerate(text_stream(*chunks)):
        acc.add(wire(payload))
        if index == 10_000:
            assert snap(acc).output_text == "".join(chunks[: index - 1])
    assert snap(acc).output_text == "".join(chunks)


# -- never raise

POOL = [
    *transcript("openrouter_text.sse"),
    *transcript("local_tool_collision.sse"),
    *transcript("openrouter_reasoning.sse"),
    *text_stream("x", "y", item_id="msg_tmp_3kq9v0x1s2"),
    {"type": "response.output_item.added", "item": None},
    {
        "type": "response.output_item.done",
        "output_index": 1,
        "item": {"type": "message", "role": "assistant", "content": "plain string content"},
    },
    {
        "type": "response.output_item.added",
        "output_index": 0,
        "item": {"type": "acme:widget", "id": "w_1", "status": "in_progress"},
    },
    {
        "type": "response.content_part.added",
        "item_id": "w_1",
        "content_index": 3,
        "part": {"type": "acme:blob", "data": 1},
    },
    {"type": "response.output_text.delta", "delta": "orphan"},
    {"type": "response.reasoning.delta", "item_id": "fc_41b7", "delta": "odd"},
    {
        "type": "response.reasoning_summary_text.done",
        "item_id": "msg_c90a",
        "summary_index": 2,
        "text": "s",
    },
    {
        "type": "response.output_text.annotation.added",
        "item_id": "rs_8d2e",
        "annotation": {"type": "file_citation", "file_id": "f", "index": 1},
    },
    {
        "type": "response.content_part.done",
        "item_id": "fc_41b7",
        "content_index": 0,
        "part": {"type": "output_text", "text": "t"},
    },
    {"type": "response.code_interpreter_call_code.delta", "item_id": "ci_1", "delta": "print()"},
    {"type": "response.custom_tool_call_input.done", "item_id": "ct_2", "input": "cat"},
    {"type": "response.content_part.added", "item_id": "msg_c90a", "content_index": 1},
    {"type": "response.reasoning_summary_part.added", "item_id": "rs_8d2e"},
    {"type": "response.refusal.done", "item_id": "msg_c90a", "refusal": "no"},
    {"type": "response.custom_tool_call_input.delta", "item_id": "fc_41b7", "delta": "mixed"},
    {"type": "response.function_call_arguments.done", "item_id": "fc_41b7", "name": "renamed"},
    {
        "type": "response.output_item.added",
        "output_index": 1,
        "item": {"type": "function_call", "id": "fc_41b7", "call_id": "c", "name": ""},
    },
    {"type": "response.web_search_call.searching", "item_id": "ws_1", "output_index": 4},
    {"type": "response.failed", "response": {**BASE, "status": "failed", "output": []}},
    {"type": "error", "code": 502, "message": "upstream"},
    {"type": "acme:trace_event", "sequence_number": 7},
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(POOL), max_size=60), st.integers(min_value=1, max_value=10))
def test_any_sequence_of_events_never_raises(payloads: list[dict[str, Any]], every: int) -> None:
    """Random, duplicated and out-of-order realistic events never make add or snapshot raise."""
    events = [wire(payload) for payload in payloads]
    acc = ResponseAccumulator()
    for index, event in enumerate(events):
        acc.add(event)
        if index % every == 0:
            response = acc.snapshot()
            assert response is None or isinstance(response, Response)
    response = acc.snapshot()
    if any(hasattr(event, "response") for event in events):
        assert isinstance(response, Response)
    terminals = [e for e in events if isinstance(e, (ResponseCompletedEvent, ResponseFailedEvent))]
    if terminals and terminals[-1].response.output:
        assert response == terminals[-1].response


# Events built from the wire grammar: every event type, with ids, indexes, items and parts drawn
# from small sets so that events collide on the same item in every combination.
IDS = st.sampled_from(["msg_1", "fc_1", "rs_1", "x_1", None])
INDEXES = st.sampled_from([0, 1, None])
TEXTS = st.sampled_from(["", "a", "{}"])
ITEMS = st.one_of(
    st.none(),
    st.builds(
        lambda kind, item_id: {k: v for k, v in {**kind, "id": item_id}.items() if v is not None},
        st.sampled_from(
            [
                {"type": "message", "role": "assistant", "content": []},
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "t"}],
                },
                {"type": "function_call", "call_id": "c", "name": "f", "arguments": ""},
                {"type": "reasoning", "summary": [], "encrypted_content": "e"},
                {"type": "custom_tool_call", "call_id": "c", "name": "g"},
                {"type": "code_interpreter_call", "status": "in_progress"},
                {"type": "openrouter:web_search", "status": "completed"},
                {"type": "acme:widget"},
            ]
        ),
        IDS,
    ),
)
PARTS = st.sampled_from(
    [
        None,
        {"type": "output_text", "text": "p", "annotations": []},
        {"type": "refusal", "refusal": "r"},
        {"type": "reasoning_text", "text": "q"},
        {"type": "summary_text", "text": "s"},
        {"type": "acme:part"},
    ]
)
WIRE_TYPES = sorted(
    {p["type"] for p in POOL if p.get("type")}
    | {
        "response.queued",
        "response.incomplete",
        "response.code_interpreter_call_code.done",
        "response.custom_tool_call_input.delta",
        "response.apply_patch_call_operation_diff.delta",
    }
)
WIRE_EVENTS = st.fixed_dictionaries(
    {"type": st.sampled_from(WIRE_TYPES)},
    optional={
        "item_id": IDS,
        "output_index": INDEXES,
        "content_index": INDEXES,
        "summary_index": INDEXES,
        "annotation_index": INDEXES,
        "delta": TEXTS,
        "text": TEXTS,
        "arguments": TEXTS,
        "refusal": TEXTS,
        "input": TEXTS,
        "code": TEXTS,
        "name": TEXTS,
        "item": ITEMS,
        "part": PARTS,
        "annotation": st.just({"type": "url_citation", "url": "https://example.org"}),
        "response": st.sampled_from([BASE, {**BASE, "status": "completed", "output": []}]),
    },
)


@settings(max_examples=400, deadline=None)
@given(st.lists(WIRE_EVENTS, max_size=40))
def test_events_colliding_in_every_combination_never_raise(payloads: list[dict[str, Any]]) -> None:
    """Events of every type aimed at the same ids and indexes never make add or snapshot raise."""
    acc = ResponseAccumulator()
    for payload in payloads:
        acc.add(wire(payload))
        response = acc.snapshot()
        assert response is None or isinstance(response, Response)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(POOL), max_size=40), st.integers(min_value=1, max_value=5))
def test_cached_snapshots_equal_a_fresh_rebuild(payloads: list[dict[str, Any]], every: int) -> None:
    """A snapshot taken mid-stream (cached, appended to by hot deltas) equals one built afresh."""
    events = [wire(payload) for payload in payloads]
    acc = ResponseAccumulator()
    for index, event in enumerate(events):
        acc.add(event)
        if index % every == 0:
            fresh = ResponseAccumulator()
            for earlier in events[: index + 1]:
                fresh.add(earlier)
            assert acc.snapshot() == fresh.snapshot()
