"""Stateless conversations over real HTTP: history carried, reasoning kept, save/load, trimming."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openresponses import (
    AsyncClient,
    AsyncConversation,
    BadRequestError,
    FunctionCall,
    FunctionCallOutput,
    Message,
    ReasoningItem,
    StreamError,
    keep_last,
    to_dict,
    trim_to_tokens,
)
from openresponses.testing import (
    HTTPReply,
    InBandError,
    LocalServer,
    RawItem,
    Reasoning,
    Text,
    ToolCall,
    Turn,
)
from openresponses.types import Item

pytestmark = pytest.mark.anyio


def _user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text}


async def _read_all(conv: AsyncConversation, text: str) -> None:
    async with conv.stream(text) as stream:
        async for _ in stream:
            pass


def _said(output: dict[str, Any]) -> str:
    return str(output["content"][0]["text"])


async def test_third_request_carries_the_whole_history() -> None:
    """Three turns: the third request holds every earlier user turn and assistant item, in order."""
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        conv = AsyncConversation(client, model="m", instructions="Be brief.", temperature=0.5)
        for text in ("one", "two", "three"):
            response = await conv.send(text)
        assert response.output_text == "You said: three"

    bodies = [request.json for request in server.requests]
    assert [body["input"][-1] for body in bodies] == [_user("one"), _user("two"), _user("three")]
    third = bodies[2]["input"]
    assert [item.get("role") for item in third] == ["user", "assistant"] * 2 + ["user"]
    assert third[1]["id"] == getattr(conv.history[1], "id", None)
    assert [third[1]["status"], _said(third[1])] == ["completed", "You said: one"]
    assert _said(third[3]) == "You said: two"
    assert all(body["model"] == "m" and body["instructions"] == "Be brief." for body in bodies)
    assert all(body["temperature"] == 0.5 and "include" not in body for body in bodies)
    assert len(conv.history) == 6
    assert isinstance(conv.history[-1], Message)
    assert conv.history[-1].id is not None


async def test_reasoning_items_with_encrypted_content_are_carried_forward() -> None:
    """A reasoning item comes back verbatim (id, encrypted_content, format) on the next turn."""
    reasoning = Reasoning("plan", encrypted_content="gAAA-secret", extra={"format": "f-v1"})
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        server.add(Turn(reasoning, "first answer"))
        conv = AsyncConversation(client, model="m", reasoning={"effort": "low"})
        await conv.send("think")
        await conv.send("again", include=[])

    first, second = (request.json for request in server.requests)
    assert first["include"] == ["reasoning.encrypted_content"]
    assert second["include"] == []
    carried = second["input"][1]
    assert carried["type"] == "reasoning"
    assert carried["encrypted_content"] == "gAAA-secret"
    assert carried["format"] == "f-v1"
    assert isinstance(conv.history[1], ReasoningItem)
    assert carried["id"] == conv.history[1].id is not None


async def test_function_calls_and_outputs_stay_in_the_history() -> None:
    """A function call turn, then its output as the next input: both are sent on the next turn."""
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        server.add(ToolCall("lookup", {"q": "x"}, call_id="call_9"))
        conv = AsyncConversation(client, model="m")
        response = await conv.send("look it up")
        call = response.output[0]
        assert isinstance(call, FunctionCall)
        answer = await conv.send([FunctionCallOutput(call_id=call.call_id, output="42")])

    assert answer.output_text == "Tool said: 42"
    sent = server.requests[1].json["input"]
    assert [item["type"] for item in sent] == ["message", "function_call", "function_call_output"]
    assert sent[1]["call_id"] == sent[2]["call_id"] == "call_9"


async def test_streamed_turn_is_recorded_when_the_stream_completes() -> None:
    """``conv.stream`` yields the client's stream; the turn joins the history once it completed."""
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        conv = AsyncConversation(client, model="m")
        async with conv.stream("hello") as stream:
            assert conv.history == []
            text = "".join([delta async for delta in stream.text_deltas()])
        await conv.send("next")

    assert text == "You said: hello"
    assert server.requests[0].json["stream"] is True
    sent = server.requests[1].json["input"]
    assert [sent[0], _said(sent[1]), sent[2]] == [_user("hello"), "You said: hello", _user("next")]


async def test_failed_or_abandoned_stream_leaves_the_history_unchanged() -> None:
    """Stream errors and refused turns raise and record nothing; closing a stream early drops it."""
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        conv = AsyncConversation(client, model="m")
        await conv.send("kept")
        server.add(Turn(Text("partial answer"), stream_error=InBandError(code="boom")))
        with pytest.raises(StreamError):
            await _read_all(conv, "lost")
        async with conv.stream("dropped") as stream:
            await stream.aclose()
        server.add(HTTPReply(400))
        with pytest.raises(BadRequestError):
            await conv.send("refused")

    assert len(conv.history) == 2
    assert conv.history[0] == Message(role="user", content="kept")


async def test_save_and_load_round_trip_every_item_exactly(tmp_path: Path) -> None:
    """Saved and loaded history is identical on the wire, unknown items and extra keys included."""
    vendor = {"type": "openrouter:web_search", "id": "ws_1", "status": "completed", "q": {"n": 1}}
    cited = {
        "type": "output_text",
        "text": "answer",
        "annotations": [{"type": "url_citation", "x": 2}],
    }
    message = {"type": "message", "id": "msg_1", "role": "assistant", "content": [cited]}
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        server.add(
            Turn(
                Reasoning("why", encrypted_content="enc", extra={"signature": "sig", "new": [1]}),
                RawItem(vendor),
                RawItem(message),
            )
        )
        conv = AsyncConversation(client, model="m", instructions="sys")
        response = await conv.send([{"type": "message", "role": "user", "content": "q", "x": 1}])
        path = tmp_path / "conv.json"
        conv.save(path)
        loaded = AsyncConversation.load(client, path)
        assert loaded.to_json() == conv.to_json()
        await loaded.send("follow-up")

    assert [to_dict(item) for item in loaded.history[:4]] == [to_dict(i) for i in conv.history]
    assert (loaded.model, loaded.instructions) == ("m", "sys")
    first, second = server.requests
    carried = second.json["input"][:4]
    assert carried == [*first.json["input"], *(to_dict(item) for item in response.output)]
    assert carried[0]["x"] == 1
    assert carried[1]["signature"] == "sig"
    assert carried[1]["new"] == [1]
    assert carried[2] == vendor
    assert carried[3]["content"][0]["annotations"][0]["x"] == 2


async def test_keep_last_trims_history_before_each_send() -> None:
    """With ``keep_last(2)`` the third request carries only the last two turns."""
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        conv = AsyncConversation(client, model="m", trim=keep_last(2))
        for text in ("one", "two", "three"):
            await conv.send(text)

    third = server.requests[2].json["input"]
    assert [third[0], _said(third[1]), third[2]] == [_user("two"), "You said: two", _user("three")]
    assert len(conv.history) == 4


def _history() -> list[Item]:
    return [
        Message(role="developer", content="rules"),
        Message(role="user", content="a"),
        ReasoningItem(id="rs_1", summary=[], encrypted_content="e" * 400),
        FunctionCall(call_id="c1", name="f", arguments="{}"),
        FunctionCallOutput(call_id="c1", output="1"),
        Message(role="assistant", content="done"),
        Message(role="user", content="b"),
        Message(role="user", content="b, too"),
        Message(role="assistant", content="ok"),
    ]


def test_keep_last_never_splits_a_turn_and_keeps_the_head() -> None:
    """Turns start at user messages: reasoning, calls and outputs go with their turn."""
    items = _history()
    assert keep_last(1)(items) == [items[0], *items[6:]]
    assert keep_last(2)(items) == items
    with pytest.raises(ValueError, match="turns"):
        keep_last(0)


def test_trim_to_tokens_drops_whole_old_turns() -> None:
    """The oldest turns go first, the newest always stays, a fitting history is untouched."""
    items = _history()
    assert trim_to_tokens(10_000)(items) == items
    assert trim_to_tokens(60)(items) == [items[0], *items[6:]]
    assert trim_to_tokens(1)(items) == [items[0], *items[6:]]
    assert trim_to_tokens(100, estimate=lambda item: 1)(items) == items


async def test_a_second_turn_while_one_runs_is_refused() -> None:
    """Turns are sequential: starting one inside a running stream raises RuntimeError."""
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        conv = AsyncConversation(client, model="m")
        async with conv.stream("one") as stream:
            with pytest.raises(RuntimeError, match="already running"):
                await conv.send("two")
            await stream.final_response()

    assert server.request_count == 1
    assert len(conv.history) == 2


async def test_unreadable_saves_and_inputs_are_refused() -> None:
    """Loading something that is not a saved conversation, or sending a non-item, raises early."""
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        for data in ("not json", "{}", '{"format": "openresponses.conversation", "history": {}}'):
            with pytest.raises(ValueError, match="not a saved openresponses conversation"):
                AsyncConversation.from_json(client, data)
        conv = AsyncConversation(client, model="m")
        with pytest.raises(TypeError, match="expected an item"):
            await conv.send([42])  # type: ignore[list-item]

    assert server.request_count == 0
    assert conv.history == []
