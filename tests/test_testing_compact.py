"""LocalServer's POST /responses/compact: the default compaction, scripted answers, and reuse."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jsonschema
import pytest

from openresponses.testing import (
    Disconnect,
    HTTPReply,
    LocalServer,
    ResponseJSON,
    Text,
    ToolCall,
    Transcript,
    Turn,
)

pytestmark = pytest.mark.anyio

HISTORY: list[dict[str, Any]] = [
    {"type": "message", "role": "user", "content": "What is the weather in Paris?"},
    {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": "{}"},
    {"type": "function_call_output", "call_id": "c1", "output": "Sunny"},
    {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "It is sunny."}],
    },
    {
        "type": "message",
        "id": "msg_user_2",
        "role": "user",
        "content": [{"type": "input_text", "text": "And tomorrow?"}],
    },
]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, a new connection per request (reset() hangs up idle ones)."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as client:
        yield client


async def compact(
    session: aiohttp.ClientSession, server: LocalServer, body: Any
) -> tuple[int, dict[str, str], Any]:
    async with session.post(f"{server.base_url}/responses/compact", json=body) as response:
        raw = await response.read()
        return response.status, dict(response.headers), json.loads(raw) if raw else None


def validate(spec: dict[str, Any], name: str, instance: Any) -> None:
    schema = {**spec, "$ref": f"#/components/schemas/{name}"}
    jsonschema.Draft202012Validator(schema).validate(instance)


def unseal(content: str) -> Any:
    assert content.startswith("local:")
    return json.loads(base64.b64decode(content.removeprefix("local:")))


async def test_default_compaction_keeps_user_messages_and_seals_the_rest(
    server: LocalServer, session: aiohttp.ClientSession, openapi_specs: dict[str, Any]
) -> None:
    """The default answer is a spec CompactResource: user messages, then one compaction item."""
    status, headers, body = await compact(session, server, {"model": "m", "input": HISTORY})
    spec = openapi_specs["openresponses"]
    validate(spec, "CompactResource", body)
    assert status == 200
    assert headers["X-Generation-Id"] == "gen-local-1"
    assert (body["id"], body["object"]) == ("resp_local_1", "response.compaction")
    assert isinstance(body["created_at"], int)
    first, second, sealed = body["output"]
    assert first == {
        "type": "message",
        "id": "msg_local_1_0",
        "status": "completed",
        "role": "user",
        "content": [{"type": "input_text", "text": "What is the weather in Paris?"}],
    }
    assert (second["id"], second["content"]) == ("msg_user_2", HISTORY[4]["content"])
    assert (sealed["type"], sealed["id"]) == ("compaction", "cmp_local_1")
    assert unseal(sealed["encrypted_content"]) == HISTORY[1:4]
    assert body["usage"] == {
        "input_tokens": 13,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 8,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 21,
    }
    validate(spec, "CreateResponseBody", {"model": "m", "input": body["output"]})
    assert server.requests[0].path == "/v1/responses/compact"
    assert server.request_count == 1


async def test_compaction_is_deterministic_and_takes_any_input(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Same input, same items; a string is one user message; no input is a compaction alone."""
    _, _, once = await compact(session, server, {"model": "m", "input": HISTORY})
    server.reset()
    _, _, twice = await compact(session, server, {"model": "m", "input": HISTORY})
    _, _, text = await compact(session, server, {"model": "m", "input": "Hi there"})
    _, _, empty = await compact(session, server, {"model": "m", "input": None})
    _, _, absent = await compact(session, server, {"model": "m"})
    assert once["output"] == twice["output"]
    assert [item["type"] for item in text["output"]] == ["message", "compaction"]
    assert text["output"][0]["content"] == [{"type": "input_text", "text": "Hi there"}]
    for answer in (empty, absent):
        [sealed] = answer["output"]
        assert unseal(sealed["encrypted_content"]) == []


async def test_a_second_compaction_folds_the_first_one_in(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Compacting compacted output plus new turns seals every dropped item flat, none nested."""
    _, _, first = await compact(session, server, {"model": "m", "input": HISTORY})
    later = {"type": "message", "role": "assistant", "content": "Rain."}
    foreign = {"type": "compaction", "id": "cmp_x", "encrypted_content": "gAAAA-opaque"}
    body = {"model": "m", "input": [foreign, *first["output"], later]}
    _, _, second = await compact(session, server, body)
    assert [item["type"] for item in second["output"]] == ["message", "message", "compaction"]
    assert second["output"][-1]["id"] == "cmp_local_2"
    assert unseal(second["output"][-1]["encrypted_content"]) == [foreign, *HISTORY[1:4], later]


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"input": "Hi"}, "model", "missing_required_parameter"),
        ({"model": "", "input": "Hi"}, "model", "missing_required_parameter"),
        ({"model": "m", "input": 7}, "input", "invalid_type"),
        ([1, 2], None, "invalid_json"),
    ],
    ids=["no-model", "empty-model", "bad-input", "not-an-object"],
)
async def test_bad_compaction_requests_get_a_spec_400(
    server: LocalServer,
    session: aiohttp.ClientSession,
    openapi_specs: dict[str, Any],
    body: Any,
    param: str | None,
    code: str,
) -> None:
    """A request without `model` (or not an object) gets a 400 in the spec's error shape."""
    status, _, answer = await compact(session, server, body)
    assert status == 400
    validate(openapi_specs["openresponses"], "ErrorPayload", answer["error"])
    assert (answer["error"]["param"], answer["error"]["code"]) == (param, code)
    assert answer["error"]["type"] == "invalid_request_error"
    assert server.request_count == 1


async def test_queued_replies_answer_compaction_requests(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """ResponseJSON is the answer as given; HTTPReply, Transcript and Disconnect act as usual."""
    given = {"id": "cmp_9", "object": "response.compaction", "output": [], "created_at": 1}
    server.add(
        ResponseJSON(given, headers={"X-Extra": "yes"}),
        HTTPReply(429, headers={"Retry-After": "2"}),
        Transcript("not json at all", content_type="application/json"),
        Disconnect(),
    )
    status, headers, answer = await compact(session, server, {"model": "m"})
    assert (status, answer, headers["X-Extra"]) == (200, given, "yes")
    status, headers, answer = await compact(session, server, {"model": "m"})
    assert (status, headers["Retry-After"]) == (429, "2")
    assert answer == {"error": {"code": 429, "message": "Too Many Requests"}}
    async with session.post(f"{server.base_url}/responses/compact", json={}) as response:
        assert await response.read() == b"not json at all"
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await compact(session, server, {"model": "m"})
    assert server.pending == 0
    assert [r.path for r in server.requests] == ["/v1/responses/compact"] * 4


@pytest.mark.parametrize("reply", [Turn("hello"), Text("hello"), "hello", ToolCall("f")])
async def test_a_turn_queued_for_compaction_is_a_500_naming_the_bug(
    server: LocalServer, session: aiohttp.ClientSession, reply: Any
) -> None:
    """Output items make no compaction: the answer is a 500 telling the test what to queue."""
    server.add(reply)
    status, headers, answer = await compact(session, server, {"model": "m"})
    assert status == 500
    assert "X-Generation-Id" in headers
    assert "ResponseJSON" in answer["error"]["message"]
    assert "/responses/compact" in answer["error"]["message"]


async def test_a_create_after_compaction_takes_its_output_as_input(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Compaction items are opaque input: the echo answers the newest user message."""
    _, _, compacted = await compact(session, server, {"model": "m", "input": HISTORY})
    history = [*compacted["output"], {"type": "message", "role": "user", "content": "Thanks!"}]
    body = {"model": "m", "input": history}
    async with session.post(f"{server.base_url}/responses", json=body) as response:
        plain = await response.json()
    server.add(Turn("scripted"))
    async with session.ws_connect(f"{server.base_url}/responses") as ws:
        await ws.send_json({"type": "response.create", **body})
        events: list[dict[str, Any]] = []
        while not events or events[-1]["type"] != "response.completed":
            events.append(await ws.receive_json(timeout=5))
    only_compacted = {"model": "m", "input": compacted["output"], "stream": True}
    async with session.post(f"{server.base_url}/responses", json=only_compacted) as response:
        streamed = await response.text()
    assert plain["status"] == "completed"
    assert plain["output"][0]["content"][0]["text"] == "You said: Thanks!"
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "scripted"
    assert "You said: And tomorrow?" in streamed
    assert server.requests[1].json["input"][2]["type"] == "compaction"


async def test_fast_mode_answers_compaction_with_the_default() -> None:
    """A benchmark server (fast=True) answers /responses/compact with a compaction, not a turn."""
    async with (
        LocalServer(fast=True) as fast,
        aiohttp.ClientSession() as session,
    ):
        status, headers, answer = await compact(session, fast, {"model": "m", "input": "Hi"})
        bad, _, error = await compact(session, fast, {"input": "Hi"})
    assert (status, answer["object"], headers["X-Generation-Id"]) == (
        200,
        "response.compaction",
        "gen-local-1",
    )
    assert [item["type"] for item in answer["output"]] == ["message", "compaction"]
    assert (bad, error["error"]["param"]) == (400, "model")
