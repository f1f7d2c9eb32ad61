"""Conversations and compaction: ``chat.compact()`` by hand, ``compact_at_tokens`` before a turn,
and the compacted history saved and loaded with its compaction item intact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from _support import ANSWER, FAST, make_client
from openresponses import (
    AsyncConversation,
    BadRequestError,
    Client,
    Compaction,
    InvalidRequestError,
    Message,
    to_dict,
)
from openresponses.testing import HTTPReply, LocalServer, ResponseJSON

pytestmark = pytest.mark.anyio

CREATE, COMPACT = "/v1/responses", "/v1/responses/compact"


def _user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text}


def _answer(input_tokens: int, output_tokens: int) -> ResponseJSON:
    """A plain answer whose usage the test chooses."""
    usage = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }
    return ResponseJSON({**ANSWER, "usage": usage})


def _paths(server: LocalServer) -> list[str]:
    return [request.path for request in server.requests]


async def test_compact_by_hand_replaces_the_history_and_the_next_turn_carries_it(
    server: LocalServer,
) -> None:
    """chat.compact() sends the whole history with the conversation's model, instructions and
    compact-able defaults only; its output becomes the history the next turn sends."""
    async with make_client(server.base_url) as client:
        chat = client.conversation(
            model="m", instructions="sys", temperature=0.3, prompt_cache_key="pk", max_retries=1
        )
        first = await chat.send("one")
        compacted = await chat.compact()
        assert chat.history == compacted.output
        second = await chat.send("two")

    assert second.output_text == "You said: two"
    assert _paths(server) == [CREATE, COMPACT, CREATE]
    created, compaction, follow_up = (request.json for request in server.requests)
    assert compaction == {
        "model": "m",
        "instructions": "sys",
        "prompt_cache_key": "pk",
        "input": [*created["input"], *(to_dict(item) for item in first.output)],
    }
    assert follow_up["input"] == [*(to_dict(item) for item in compacted.output), _user("two")]
    carried = follow_up["input"][-2]
    assert carried["type"] == "compaction"
    assert carried["encrypted_content"].startswith("local:")
    assert follow_up["temperature"] == 0.3
    assert [type(item) for item in chat.history] == [Message, Compaction, Message, Message]


async def test_compact_takes_overrides_and_refuses_an_input(server: LocalServer) -> None:
    """Keywords given to compact() replace the conversation's; an input is refused unsent."""
    async with make_client(server.base_url) as client:
        chat = client.conversation(model="m", history=[_user("kept")])
        with pytest.raises(InvalidRequestError) as caught:
            await chat.compact(input="other")
        assert server.request_count == 0
        await chat.compact(model="compactor", prompt_cache_key="k2")

    assert caught.value.field == "input"
    assert server.requests[0].json == {
        "model": "compactor",
        "prompt_cache_key": "k2",
        "input": [_user("kept")],
    }


@pytest.mark.parametrize(("limit", "compacts"), [(100, True), (101, False), (61, True)])
async def test_compact_at_tokens_counts_the_last_responses_input_and_output(
    server: LocalServer, limit: int, compacts: bool
) -> None:
    """Before a turn, a last usage of 60 input + 40 output tokens reaches a limit of 100 (and
    61: output counts), not 101; after compacting, the next turn does not compact again."""
    server.add(_answer(60, 40))
    async with make_client(server.base_url) as client:
        chat = client.conversation(model="m", compact_at_tokens=limit)
        await chat.send("one")
        assert _paths(server) == [CREATE]
        await chat.send("two")
        await chat.send("three")  # the echo's usage is a few words: under every limit

    expected = [CREATE, COMPACT, CREATE, CREATE] if compacts else [CREATE, CREATE, CREATE]
    assert _paths(server) == expected
    if compacts:
        sent = server.requests[2].json["input"]
        assert [item.get("type") for item in sent] == ["message", "compaction", "message"]
        assert sent[-1] == _user("two")


async def test_compact_at_tokens_also_runs_before_a_streamed_turn(server: LocalServer) -> None:
    """A streamed turn compacts first when due, then streams with the compacted history."""
    server.add(_answer(500, 1))
    async with make_client(server.base_url) as client:
        chat = client.conversation(model="m", instructions="sys", compact_at_tokens=10)
        await chat.send("one")
        async with chat.stream("two") as stream:
            text = "".join([delta async for delta in stream.text_deltas()])

    assert text == "You said: two"
    assert _paths(server) == [CREATE, COMPACT, CREATE]
    streamed = server.requests[2].json
    assert streamed["stream"] is True
    assert streamed["input"][-2]["type"] == "compaction"
    assert server.requests[1].json["instructions"] == "sys"


async def test_a_failed_compaction_fails_the_turn_and_keeps_the_history(
    server: LocalServer,
) -> None:
    """A refused compaction raises from send(); the turn is not sent, the history unchanged."""
    server.add(_answer(50, 50), HTTPReply(400))
    async with make_client(server.base_url) as client:
        chat = client.conversation(model="m", compact_at_tokens=10)
        await chat.send("one")
        before = list(chat.history)
        with pytest.raises(BadRequestError):
            await chat.send("two")

    assert _paths(server) == [CREATE, COMPACT]
    assert chat.history == before
    assert len(before) == 2


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "5"])
async def test_a_bad_compact_at_tokens_is_refused(server: LocalServer, bad: Any) -> None:
    """compact_at_tokens must be an int >= 1: InvalidRequestError naming it."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            client.conversation(model="m", compact_at_tokens=bad)
    assert caught.value.field == "compact_at_tokens"


async def test_a_compacted_history_is_saved_and_loaded_with_its_compaction_item_intact(
    server: LocalServer, tmp_path: Path
) -> None:
    """The compaction item (encrypted_content, created_by, an extra key) and compact_at_tokens
    survive save/load, and the loaded conversation sends the item exactly as it came."""
    item = {
        "type": "compaction",
        "id": "cmp_9",
        "encrypted_content": "gAAAAB-opaque==",
        "created_by": "user_1",
        "acme": {"v": 2},
    }
    kept = {
        "type": "message",
        "id": "msg_0",
        "status": "completed",
        "role": "user",
        "content": [{"type": "input_text", "text": "one"}],
    }
    compacted = {"id": "resp_c", "object": "response.compaction", "output": [kept, item]}
    server.add(ResponseJSON(ANSWER), ResponseJSON(compacted))
    async with make_client(server.base_url) as client:
        chat = client.conversation(model="m", instructions="sys", compact_at_tokens=500)
        await chat.send("one")
        await chat.compact()
        path = tmp_path / "chat.json"
        chat.save(path)
        loaded = AsyncConversation.load(client, path)
        assert loaded.to_json() == chat.to_json()
        assert AsyncConversation.from_json(client, chat.to_json()).compact_at_tokens == 500
        await loaded.send("two")

    assert (loaded.model, loaded.instructions, loaded.compact_at_tokens) == ("m", "sys", 500)
    assert isinstance(loaded.history[1], Compaction)
    assert loaded.history[1].encrypted_content == "gAAAAB-opaque=="
    assert server.requests[2].json["input"] == [kept, item, _user("two")]


def test_the_blocking_conversation_compacts_by_hand_and_by_threshold(server: LocalServer) -> None:
    """Conversation.compact blocks and replaces the history; compact_at_tokens given to
    Client.conversation compacts before the next turn."""
    server.add(_answer(10, 10))
    with Client(base_url=server.base_url, retry_policy=FAST) as client:
        chat = client.conversation(model="m", compact_at_tokens=20)
        chat.send("one")
        chat.send("two")  # 10 + 10 reached 20: compacts first
        compacted = chat.compact()
        assert chat.history == compacted.output

    assert _paths(server) == [CREATE, COMPACT, CREATE, COMPACT]
    assert isinstance(chat.history[-1], Compaction)
