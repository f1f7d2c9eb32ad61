"""Property tests (bounded): re-chunked streams over real HTTP, hostile JSON, any event sequence.

- A transcript cut into any chunks, with any line ending, and written by a real server gives the
  client exactly the events (and final response) of the same transcript read in one piece.
- Random and mutated JSON into ``parse_event`` / ``parse_response`` gives a value (that writes
  back out) or ``ResponseValidationError``, never another exception; random bytes likewise.
- The accumulator takes any sequence of events that parse, and always yields a snapshot.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from openresponses import (
    AsyncClient,
    Response,
    ResponseValidationError,
    StreamError,
    StreamEvent,
)
from openresponses._accumulator import ResponseAccumulator
from openresponses._serde import _EVENT_TABLE, dumps, parse_event, parse_response, unstructure
from openresponses._sse import SSEDecoder
from openresponses.testing import HTTPReply, LocalServer, Transcript

pytestmark = pytest.mark.anyio

HERE = Path(__file__).parent / "transcripts"

# A synthetic transcript with what real ones rarely show together: a BOM, comments, `event:` and
# `id:` lines, a data payload split over two `data:` lines, unknown and keep-alive events.
SYNTHETIC = (
    "\ufeff: OPENROUTER PROCESSING\n\n"
    'event: response.created\nid: 1\ndata: {"type":"response.created","response":'
    '{"id":"r1","status":"in_progress","output":[]}}\n\n'
    'data: {"type":"vendor.trace",\ndata: "span":{"k":[1,2]}}\n\n'
    'data: {"type":"response.output_item.added","output_index":0,"item":{"type":"message",'
    '"id":"m1","role":"assistant","content":[]}}\n\n'
    ": keep-alive\n\n"
    'data: {"type":"response.output_text.delta","item_id":"m1","output_index":0,'
    '"content_index":0,"delta":"h\\u00e9llo \\ud83d\\ude00"}\n\n'
    'data: {"type":"response.keep_alive"}\n\n'
    'data: {"type":"response.output_text.delta","item_id":"m1","output_index":0,'
    '"content_index":0,"delta":" w\\u00f6rld"}\n\n'
    'data: {"type":"response.completed","response":{"id":"r1","status":"completed",'
    '"output":[]}}\n\n'
    "data: [DONE]\n\n"
)
TRANSCRIPTS: dict[str, str] = {
    path.stem: path.read_text(encoding="utf-8") for path in sorted(HERE.glob("*.sse"))
}
TRANSCRIPTS["synthetic"] = SYNTHETIC


def with_newlines(text: str, newline: str) -> bytes:
    return text.replace("\n", newline).encode()


def reference(blob: bytes) -> list[Any]:
    """The events of a transcript decoded in one piece, without any I/O, up to ``[DONE]``."""
    events = []
    for data in SSEDecoder().feed_data(blob):
        if data == "[DONE]":
            break
        events.append(unstructure(parse_event(data)))
    return events


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(sorted(TRANSCRIPTS)),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    cuts=st.lists(st.integers(min_value=0, max_value=1 << 16), max_size=30),
)
async def test_any_rechunking_over_http_gives_the_same_events(
    server: LocalServer, name: str, newline: str, cuts: list[int]
) -> None:
    """A transcript written in arbitrary chunks yields the events of its one-piece reading."""
    blob = with_newlines(TRANSCRIPTS[name], newline)
    bounds = sorted({0, len(blob), *(cut % len(blob) for cut in cuts)})
    chunks = [blob[a:b] for a, b in itertools.pairwise(bounds)]
    server.add(Transcript(chunks, first_event_delay=0.0005, event_delay=0.0005))
    seen: list[StreamEvent] = []
    final: Response | None = None
    async with (
        AsyncClient(base_url=server.base_url, max_retries=0) as client,
        client.responses.stream(model="m", input="Hi") as stream,
    ):
        try:
            async for event in stream:
                seen.append(event)  # noqa: PERF401 (kept event by event: the read may fail)
            final = await stream.final_response()
        except StreamError:
            final = None
    expected = reference(blob)
    assert [unstructure(event) for event in seen] == expected
    one_piece = ResponseAccumulator()
    for payload in expected:
        one_piece.add(parse_event(orjson.dumps(payload)))
    if one_piece.terminal in ("completed", "incomplete"):
        assert final is not None
        assert unstructure(final) == unstructure(one_piece.snapshot())
    else:
        assert final is None


# -- hostile JSON into the converter


def _payloads() -> list[Any]:
    return [
        orjson.loads(data)
        for text in TRANSCRIPTS.values()
        for data in SSEDecoder().feed_data(text.encode())
        if data != "[DONE]"
    ]


PAYLOADS = _payloads()
RESPONSES = [p["response"] for p in PAYLOADS if isinstance(p.get("response"), dict)]
ITEMS = [p["item"] for p in PAYLOADS if isinstance(p.get("item"), dict)]
PARTS = [p["part"] for p in PAYLOADS if isinstance(p.get("part"), dict)]


def _all_keys(value: Any, into: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            into.add(key)
            _all_keys(inner, into)
    elif isinstance(value, list):
        for inner in value:
            _all_keys(inner, into)
    return into


FIELD_NAMES = sorted(_all_keys(PAYLOADS, set()))
TAGS = [
    *sorted(_EVENT_TABLE),
    "message",
    "function_call",
    "reasoning",
    "output_text",
    "refusal",
    "summary_text",
    "reasoning_text",
    "url_citation",
    "vendor.thing",
]

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(1 << 63), max_value=(1 << 64) - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(TAGS)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=25,
)


@st.composite
def mutated(draw: st.DrawFn, pool: list[Any]) -> Any:
    """A real payload with a few nodes replaced by random JSON, deleted, or added."""
    value = orjson.loads(orjson.dumps(draw(st.sampled_from(pool))))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        node = value
        while True:
            if isinstance(node, dict) and node:
                key = draw(st.sampled_from(sorted(node)))
                action = draw(st.sampled_from(["descend", "replace", "delete", "add"]))
                if action == "descend" and isinstance(node[key], (dict, list)) and node[key]:
                    node = node[key]
                    continue
                if action == "delete":
                    del node[key]
                elif action == "add":
                    node[draw(st.sampled_from(FIELD_NAMES))] = draw(JSON)
                else:
                    node[key] = draw(JSON)
            elif isinstance(node, list) and node:
                index = draw(st.integers(min_value=0, max_value=len(node) - 1))
                if isinstance(node[index], (dict, list)) and node[index] and draw(st.booleans()):
                    node = node[index]
                    continue
                node[index] = draw(JSON)
            break
    return value


def _check_event(data: bytes) -> None:
    try:
        event = parse_event(data)
    except ResponseValidationError as exc:
        assert exc.payload is not None  # noqa: PT017 (either outcome is fine; both are checked)
        return
    dumps(event)  # a value that parsed also writes back out
    assert isinstance(unstructure(event), dict)


def _check_response(data: Any) -> None:
    try:
        response = parse_response(data)
    except ResponseValidationError:
        return
    assert isinstance(response, Response)
    dumps(response)
    _ = response.output_text


# What orjson reads for the integer 18446744073709551616 (2**64): a float the converter turns back
# into an int that no longer fits the 64 bits orjson can write.
BEYOND_64_BITS = 1.8446744073709552e19


@settings(max_examples=400, deadline=None)
@example(
    {
        "type": "response.output_item.added",
        "output_index": BEYOND_64_BITS,
        "item": {"type": "message", "id": "m1", "role": "assistant", "content": []},
    }
)
@given(st.one_of(JSON, mutated(PAYLOADS)))
def test_random_json_into_parse_event_is_a_value_or_a_validation_error(value: Any) -> None:
    """Any JSON as an event payload: a typed event, or ResponseValidationError; nothing else."""
    _check_event(orjson.dumps(value))


@settings(max_examples=300, deadline=None)
@example({"id": "r1", "status": "completed", "output": [], "usage": {"input_tokens": 2.0**64}})
@given(st.one_of(JSON, mutated(RESPONSES)))
def test_random_json_into_parse_response_is_a_value_or_a_validation_error(value: Any) -> None:
    """Any JSON as a response (bytes or decoded): a Response, or ResponseValidationError."""
    _check_response(orjson.dumps(value))
    _check_response(value)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_into_parse_event_is_a_value_or_a_validation_error(data: bytes) -> None:
    """Arbitrary bytes (bad UTF-8, bad JSON) as an event: a validation error, never a crash."""
    _check_event(data)
    _check_response(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_random_bytes_into_the_decoder_are_messages_or_a_validation_error(
    data: bytes, cuts: list[int]
) -> None:
    """Arbitrary bytes, arbitrarily cut, into a small-limit decoder: messages or a typed error."""
    decoder = SSEDecoder(max_event_bytes=32)
    bounds = sorted({0, len(data), *(min(cut, len(data)) for cut in cuts)})
    try:
        for a, b in itertools.pairwise(bounds):
            for message in decoder.feed_data(data[a:b]):
                assert isinstance(message, str)
    except ResponseValidationError as exc:
        assert "max_event_bytes" in exc.message  # noqa: PT017 (the only error allowed)


# -- the accumulator takes any sequence of events that parse

IDS = st.sampled_from(["m1", "fc1", "rs1", "x"]) | st.none()
INDEXES = st.sampled_from([0, 1, 2, 7]) | st.none()
OVERRIDES: dict[str, st.SearchStrategy[Any]] = {
    "item_id": IDS,
    "output_index": INDEXES,
    "content_index": INDEXES,
    "summary_index": INDEXES,
    "annotation_index": INDEXES,
    "delta": st.text(max_size=5),
    "text": st.text(max_size=5),
    "arguments": st.text(max_size=5),
    "item": st.sampled_from(ITEMS) | st.fixed_dictionaries({"type": st.sampled_from(TAGS)}),
    "part": st.sampled_from(PARTS) | st.fixed_dictionaries({"type": st.sampled_from(TAGS)}),
    "response": st.sampled_from(RESPONSES),
    "annotation": st.fixed_dictionaries(
        {"type": st.sampled_from(["url_citation", "file_citation", "x"])}
    ),
    "logprobs": st.lists(st.fixed_dictionaries({"token": st.text(max_size=2)}), max_size=2),
}


@st.composite
def wire_events(draw: st.DrawFn) -> dict[str, Any]:
    """An event of any known type whose fields point at any item, part or index."""
    event: dict[str, Any] = {"type": draw(st.sampled_from(sorted(_EVENT_TABLE)))}
    for key in draw(st.lists(st.sampled_from(sorted(OVERRIDES)), unique=True, max_size=6)):
        event[key] = draw(OVERRIDES[key])
    return event


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(wire_events(), mutated(PAYLOADS)), max_size=30))
def test_accumulator_never_raises_on_any_sequence_of_events(payloads: list[Any]) -> None:
    """Events that parse, in any order and combination, always fold into a snapshot."""
    accumulator = ResponseAccumulator()
    for payload in payloads:
        try:
            event = parse_event(orjson.dumps(payload))
        except ResponseValidationError:
            continue
        accumulator.add(event)
        snapshot = accumulator.snapshot()
        if snapshot is not None:
            assert isinstance(snapshot, Response)
            _ = snapshot.output_text
    final = accumulator.snapshot()
    if final is not None:
        assert isinstance(unstructure(final), dict)


async def test_an_integer_beyond_64_bits_from_a_server_can_be_sent_back(
    server: LocalServer,
) -> None:
    """A response holding 2**64 in an int field can be resent as input (no bare TypeError)."""
    citation = (
        b'{"type":"url_citation","url":"https://x.test","title":"t",'
        b'"start_index":0,"end_index":18446744073709551616}'
    )
    body = (
        b'{"id":"r1","object":"response","status":"completed","output":[{"type":"message",'
        b'"id":"m1","role":"assistant","status":"completed","content":[{"type":"output_text",'
        b'"text":"x","annotations":[' + citation + b"]}]}]}"
    )
    server.add(HTTPReply(200, body=body, content_type="application/json"))
    async with AsyncClient(base_url=server.base_url, max_retries=0) as client:
        first = await client.responses.create(model="m", input="Hi")
        again = await client.responses.create(
            model="m", input=[*first.output, {"role": "user", "content": "more"}]
        )
    assert again.output_text == "You said: more"
    sent = orjson.loads(server.requests[1].body)["input"][0]["content"][0]["annotations"][0]
    assert sent["end_index"] == BEYOND_64_BITS


def test_fuzz_pools_are_not_empty() -> None:
    """The mutation pools hold real payloads of every family (else the fuzz tests prove little)."""
    assert len(PAYLOADS) > 50
    assert RESPONSES
    assert ITEMS
    assert PARTS
    assert "output_index" in FIELD_NAMES
