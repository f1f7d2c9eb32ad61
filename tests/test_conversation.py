"""Stateless conversations over real HTTP: history carried, reasoning kept, save/load, trimming."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openresponses import (
    AsyncClient,
    AsyncConversation,
    BadRequestError,
    Client,
    Conversation,
    FunctionCall,
    FunctionCallOutput,
    Message,
    ReasoningItem,
    ResponseStream,
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


async def test_third_request_carries_the_whole_history(server: LocalServer) -> None:
    """Three turns: the third request holds every earlier user turn and assistant item, in order."""
    async with AsyncClient(base_url=server.base_url) as client:
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


async def test_reasoning_items_with_encrypted_content_are_carried_forward(
    server: LocalServer,
) -> None:
    """A reasoning item comes back verbatim (id, encrypted_content, format) on the next turn."""
    reasoning = Reasoning("plan", encrypted_content="gAAA-secret", extra={"format": "f-v1"})
    async with AsyncClient(base_url=server.base_url) as client:
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


async def test_function_calls_and_outputs_stay_in_the_history(server: LocalServer) -> None:
    """A function call turn, then its output as the next input: both are sent on the next turn."""
    async with AsyncClient(base_url=server.base_url) as client:
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


async def test_streamed_turn_is_recorded_when_the_stream_completes(server: LocalServer) -> None:
    """``conv.stream`` yields the client's stream; the turn joins the history once it completed."""
    async with AsyncClient(base_url=server.base_url) as client:
        conv = AsyncConversation(client, model="m")
        async with conv.stream("hello") as stream:
            assert conv.history == []
            text = "".join([delta async for delta in stream.text_deltas()])
        await conv.send("next")

    assert text == "You said: hello"
    assert server.requests[0].json["stream"] is True
    sent = server.requests[1].json["input"]
    assert [sent[0], _said(sent[1]), sent[2]] == [_user("hello"), "You said: hello", _user("next")]


async def test_failed_or_abandoned_stream_leaves_the_history_unchanged(server: LocalServer) -> None:
    """Stream errors and refused turns raise and record nothing; closing a stream early drops it."""
    async with AsyncClient(base_url=server.base_url) as client:
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


async def test_save_and_load_round_trip_every_item_exactly(
    server: LocalServer, tmp_path: Path
) -> None:
    """Saved and loaded history is identical on the wire, unknown items and extra keys included."""
    vendor = {"type": "openrouter:web_search", "id": "ws_1", "status": "completed", "q": {"n": 1}}
    cited = {
        "type": "output_text",
        "text": "answer",
        "annotations": [{"type": "url_citation", "x": 2}],
    }
    message = {"type": "message", "id": "msg_1", "role": "assistant", "content": [cited]}
    async with AsyncClient(base_url=server.base_url) as client:
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


async def test_keep_last_trims_history_before_each_send(server: LocalServer) -> None:
    """With ``keep_last(2)`` the third request carries only the last two turns."""
    async with AsyncClient(base_url=server.base_url) as client:
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


async def test_a_second_turn_while_one_runs_is_refused(server: LocalServer) -> None:
    """Turns are sequential: starting one inside a running stream raises RuntimeError."""
    async with AsyncClient(base_url=server.base_url) as client:
        conv = AsyncConversation(client, model="m")
        async with conv.stream("one") as stream:
            with pytest.raises(RuntimeError, match="already running"):
                await conv.send("two")
            await stream.final_response()

    assert server.request_count == 1
    assert len(conv.history) == 2


async def test_unreadable_saves_and_inputs_are_refused(server: LocalServer) -> None:
    """Loading something that is not a saved conversation, or sending a non-item, raises early."""
    async with AsyncClient(base_url=server.base_url) as client:
        for data in ("not json", "{}", '{"format": "openresponses.conversation", "history": {}}'):
            with pytest.raises(ValueError, match="not a saved openresponses conversation"):
                AsyncConversation.from_json(client, data)
        conv = AsyncConversation(client, model="m")
        with pytest.raises(TypeError, match="expected an item"):
            await conv.send([42])  # type: ignore[list-item]

    assert server.request_count == 0
    assert conv.history == []


# -- client.conversation on AsyncClient and on the blocking Client: send, stream, send; then
# save and load

MODEL = "openresponses/local"


def _script_conversation(server: LocalServer) -> None:
    server.add(
        Turn(Reasoning("Planning", encrypted_content="enc-1"), Text("first answer")),
        Text("second answer", deltas=3),
        Text("third answer"),
    )


def _check_conversation(history: list[Any], server: LocalServer, streamed: str) -> None:
    assert streamed == "second answer"
    bodies = [request.json for request in server.requests]
    assert [body["stream"] for body in bodies] == [False, True, False]
    for body in bodies:
        assert body["model"] == MODEL
        assert body["instructions"] == "Be brief."
        assert body["include"] == ["reasoning.encrypted_content"]
    third = bodies[2]["input"]
    assert [item.get("role", item["type"]) for item in third] == [
        "user",
        "reasoning",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert [third[0], third[3], third[5]] == [_user("one"), _user("two"), _user("three")]
    assert third[1]["encrypted_content"] == "enc-1"
    assert all(third[index]["id"] for index in (1, 2, 4))
    assert third[4]["content"][0]["text"] == "second answer"
    assert [to_dict(item) for item in history[:6]] == third
    assert isinstance(history[1], ReasoningItem)
    assert isinstance(history[6], Message)
    assert to_dict(history[6])["content"][0]["text"] == "third answer"


async def test_conversation_three_turns_async(server: LocalServer) -> None:
    """Send, stream, send: the third request carries every earlier item, reasoning included."""
    _script_conversation(server)
    async with AsyncClient(base_url=server.base_url, max_retries=0) as client:
        conv = client.conversation(
            model=MODEL, instructions="Be brief.", reasoning={"effort": "low"}
        )
        assert isinstance(conv, AsyncConversation)
        await conv.send("one")
        async with conv.stream("two") as stream:
            streamed = "".join([delta async for delta in stream.text_deltas()])
        await conv.send("three")
    _check_conversation(conv.history, server, streamed)


def test_conversation_three_turns_sync(server: LocalServer) -> None:
    """The blocking conversation: send, stream, send, with the whole history each turn."""
    _script_conversation(server)
    with Client(base_url=server.base_url, max_retries=0) as client:
        conv = client.conversation(
            model=MODEL, instructions="Be brief.", reasoning={"effort": "low"}
        )
        conv.send("one")
        with conv.stream("two") as stream:
            assert isinstance(stream, ResponseStream)
            streamed = "".join(stream.text_deltas())
        conv.send("three")
    _check_conversation(conv.history, server, streamed)


def _check_reloaded(before: list[Any], after: list[Any], server: LocalServer) -> None:
    assert after[: len(before)] == before
    last = server.requests[-1].json
    assert (last["model"], last["instructions"]) == (MODEL, "Be brief.")
    assert last["input"] == [*(to_dict(item) for item in before), _user("three")]
    assert after[-1].content[0].text == "You said: three"


async def test_conversation_save_and_load_async(server: LocalServer, tmp_path: Path) -> None:
    """A saved conversation loads back with its history and goes on from where it stopped."""
    async with AsyncClient(base_url=server.base_url, max_retries=0) as client:
        conv = client.conversation(model=MODEL, instructions="Be brief.")
        await conv.send("one")
        await conv.send("two")
        conv.save(tmp_path / "chat.json")
        loaded = AsyncConversation.load(client, tmp_path / "chat.json")
        assert (loaded.model, loaded.instructions) == (MODEL, "Be brief.")
        assert loaded.history == conv.history
        assert len(loaded.history) == 4
        await loaded.send("three")
    _check_reloaded(conv.history, loaded.history, server)


def test_conversation_save_and_load_sync(server: LocalServer, tmp_path: Path) -> None:
    """The blocking conversation saves, loads on another Client and goes on; its history and
    ``to_json`` still work once the client is closed."""
    with Client(base_url=server.base_url, max_retries=0) as first:
        conv = first.conversation(model=MODEL, instructions="Be brief.")
        conv.send("one")
        conv.send("two")
    assert len(conv.history) == 4  # no loop needed to read it
    assert '"You said: two"' in conv.to_json()
    conv.save(tmp_path / "chat.json")
    with Client(base_url=server.base_url, max_retries=0) as second:
        loaded = Conversation.load(second, tmp_path / "chat.json")
        assert loaded.history == conv.history
        loaded.send("three")
    _check_reloaded(conv.history, loaded.history, server)
