"""LocalServer's WebSocket mode over a real socket: turns, the HTTP stream's events, faults."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jsonschema
import pytest

from openresponses.testing import (
    Disconnect,
    HTTPReply,
    InBandError,
    LocalServer,
    Reasoning,
    RecordedRequest,
    ResponseJSON,
    Text,
    ToolCall,
    Transcript,
    Turn,
)

pytestmark = pytest.mark.anyio

TERMINAL = {"response.completed", "response.failed", "response.incomplete"}
CREATE = {"type": "response.create", "model": "m"}


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, a new connection per request (reset() hangs up idle ones)."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as client:
        yield client


def url(server: LocalServer) -> str:
    return f"{server.base_url}/responses"


async def connect(
    session: aiohttp.ClientSession, server: LocalServer, **options: Any
) -> aiohttp.ClientWebSocketResponse:
    return await session.ws_connect(url(server), **options)


async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await ws.receive(timeout=5)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    event: dict[str, Any] = json.loads(message.data)
    return event


async def turn(ws: aiohttp.ClientWebSocketResponse, **body: Any) -> list[dict[str, Any]]:
    """Send one response.create and read its events up to a terminal or an error event."""
    await ws.send_str(json.dumps({**CREATE, **body}))
    events: list[dict[str, Any]] = []
    while True:
        event = await receive(ws)
        events.append(event)
        if event.get("type") in TERMINAL or "status" in event:
            return events


async def until_closed(
    ws: aiohttp.ClientWebSocketResponse,
) -> tuple[list[dict[str, Any]], aiohttp.WSMessage]:
    """Every event until the socket ends, and the message that ended it."""
    events: list[dict[str, Any]] = []
    while True:
        message = await ws.receive(timeout=5)
        if message.type is not aiohttp.WSMsgType.TEXT:
            return events, message
        events.append(json.loads(message.data))


async def until(condition: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.005)


def sse_payloads(raw: bytes) -> list[dict[str, Any]]:
    return [
        json.loads(line[len("data: ") :])
        for line in raw.decode().split("\n")
        if line.startswith("data: ") and line != "data: [DONE]"
    ]


def without_times(value: Any) -> Any:
    """The value without `created_at`/`completed_at` (two requests may fall in two seconds)."""
    if isinstance(value, dict):
        return {
            k: without_times(v) for k, v in value.items() if k not in ("created_at", "completed_at")
        }
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def validate(spec: dict[str, Any], name: str, instance: Any) -> None:
    schema = {**spec, "$ref": f"#/components/schemas/{name}"}
    jsonschema.Draft202012Validator(schema).validate(instance)


async def test_several_turns_on_one_socket_are_recorded(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Three turns on one socket: echoed answers, numbering from 0 each time, WEBSOCKET records."""
    async with await connect(session, server, headers={"Authorization": "Bearer k"}) as ws:
        answers = []
        for text in ("one", "two", "three"):
            events = await turn(ws, input=text)
            assert [e["sequence_number"] for e in events] == list(range(len(events)))
            assert events[-1]["type"] == "response.completed"
            answers.append(events[-1]["response"]["output"][0]["content"][0]["text"])
    assert answers == ["You said: one", "You said: two", "You said: three"]
    assert server.request_count == 3
    assert server.websocket_connections == 1
    first = server.requests[0]
    assert isinstance(first, RecordedRequest)
    assert (first.method, first.path, first.websocket, first.stream) == (
        "WEBSOCKET",
        "/v1/responses",
        True,
        True,
    )
    assert first.headers["authorization"] == "Bearer k"
    assert first.json == {**CREATE, "input": "one"}
    assert json.loads(first.body) == first.json
    assert [r.generation_id for r in server.requests] == [
        "gen-local-1",
        "gen-local-2",
        "gen-local-3",
    ]


@pytest.mark.parametrize(
    "reply",
    [
        Turn(Reasoning("Plan", text="think"), Text("Hello there", deltas=3), ToolCall("f", {})),
        Turn("partial", stream_error=InBandError(code=502, message="Upstream"), error_after=4),
        Turn("cut short", status="incomplete"),
        ResponseJSON({"id": "resp_9", "object": "response", "status": "completed", "output": [
            {"type": "message", "id": "m1", "status": "completed", "role": "assistant",
             "content": [{"type": "output_text", "text": "given", "annotations": []}]}
        ]}),
    ],
    ids=["items", "in-band-error", "incomplete", "response-json"],
)  # fmt: skip
async def test_a_turn_carries_exactly_the_http_streams_events(
    server: LocalServer, session: aiohttp.ClientSession, reply: Turn | ResponseJSON
) -> None:
    """Same reply, same events: order, sequence numbers and payloads equal the SSE stream's."""
    server.add(reply)
    body = {"model": "m", "input": "same", "stream": True}
    async with session.post(url(server), json=body) as response:
        over_http = sse_payloads(await response.read())
    server.reset()
    server.add(reply)
    async with await connect(session, server) as ws:
        await ws.send_str(json.dumps({**CREATE, "input": "same"}))
        events = [await receive(ws) for _ in over_http]
        server.add(Text("next"))
        after = await turn(ws, input="again")
    assert without_times(events) == without_times(over_http)
    assert after[-1]["response"]["output"][0]["content"][0]["text"] == "next"


async def test_queued_turns_wait_for_the_one_being_sent(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A second response.create sent mid-turn is answered after the first turn's terminal."""
    server.add(Turn(Text("slow answer"), event_delay=0.01), Text("fast answer"))
    async with await connect(session, server) as ws:
        await ws.send_str(json.dumps({**CREATE, "input": "a"}))
        await ws.send_str(json.dumps({**CREATE, "input": "b"}))
        events: list[dict[str, Any]] = []
        while len([e for e in events if e["type"] == "response.completed"]) < 2:
            events.append(await receive(ws))
    responses = [e["response"]["id"] for e in events if e["type"] == "response.created"]
    first_done = [e["type"] for e in events].index("response.completed")
    assert responses == ["resp_local_1", "resp_local_2"]
    assert [e["type"] for e in events].index("response.created", 1) == first_done + 1
    assert events[first_done + 1]["sequence_number"] == 0


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (HTTPReply(429),
         {"type": "rate_limit_error", "code": "429", "message": "Too Many Requests"}),
        (HTTPReply(401, body={"error": {"type": "authentication_error", "code": "bad_key",
                                        "message": "Invalid key", "param": None}}),
         {"type": "authentication_error", "code": "bad_key", "message": "Invalid key"}),
        (HTTPReply(400, body={"type": "error", "code": "context_length_exceeded",
                              "message": "Too long", "param": "input"}),
         {"type": "invalid_request_error", "code": "context_length_exceeded",
          "message": "Too long", "param": "input"}),
        (HTTPReply(503, body="upstream is down"),
         {"type": "server_error", "code": "503", "message": "upstream is down"}),
        (HTTPReply(500, body=b""), {"type": "server_error", "code": "500",
                                     "message": "HTTP status 500"}),
        (HTTPReply(404, body={"detail": "No such model"}),
         {"type": "not_found_error", "code": "404", "message": "No such model"}),
    ],
    ids=["default-body", "spec-shape", "flat-shape", "text", "empty", "detail"],
)  # fmt: skip
async def test_http_replies_become_error_events_and_the_socket_lives_on(
    server: LocalServer,
    session: aiohttp.ClientSession,
    openapi_specs: dict[str, Any],
    reply: HTTPReply,
    expected: dict[str, Any],
) -> None:
    """An HTTPReply is one spec WebSocketErrorEvent with its status; the next turn answers."""
    server.add(reply)
    async with await connect(session, server) as ws:
        [error] = await turn(ws, input="x")
        events = await turn(ws, input="y")
    validate(openapi_specs["openresponses"], "WebSocketErrorEvent", error)
    assert error["type"] == "error"
    assert error["status"] == reply.status
    assert error["error"] == {"param": None, **expected}
    assert events[-1]["type"] == "response.completed"
    assert server.request_count == 2


@pytest.mark.parametrize(
    ("message", "param"),
    [
        ("not json", None),
        ("[1, 2]", None),
        (json.dumps({"model": "m", "input": "x"}), "type"),
        (json.dumps({"type": "response.cancel"}), "type"),
        (json.dumps({**CREATE, "stream": True}), "stream"),
        (json.dumps({**CREATE, "stream_options": {"include_usage": True}}), "stream_options"),
        (json.dumps({**CREATE, "background": False}), "background"),
    ],
    ids=["not-json", "not-object", "no-type", "other-type", "stream", "options", "background"],
)
async def test_refused_messages_get_a_400_event_and_take_no_reply(
    server: LocalServer, session: aiohttp.ClientSession, message: str, param: str | None
) -> None:
    """Bad messages and the spec's forbidden keys: a 400 event, recorded, queue untouched."""
    server.add(Text("kept for the next turn"))
    async with await connect(session, server) as ws:
        await ws.send_str(message)
        error = await receive(ws)
        events = await turn(ws, input="fine")
    assert error["type"] == "error"
    assert error["status"] == 400
    assert error["error"]["param"] == param
    assert error["error"]["code"] in ("invalid_json", "invalid_request_error")
    assert error["error"]["message"]
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "kept for the next turn"
    assert server.requests[0].body == message.encode()
    assert server.request_count == 2


async def test_drop_after_closes_the_socket_without_a_close_frame(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`drop_after=3`: three events arrive, then the connection ends with no close frame."""
    server.add(Turn("a b c d", drop_after=3))
    async with await connect(session, server) as ws:
        await ws.send_str(json.dumps({**CREATE, "input": "x"}))
        events, end = await until_closed(ws)
    assert [e["sequence_number"] for e in events] == [0, 1, 2]
    assert end.type is aiohttp.WSMsgType.CLOSED  # a close frame would have come as CLOSE
    assert ws.close_code == aiohttp.WSCloseCode.ABNORMAL_CLOSURE
    assert server.disconnects == 0
    assert server.websocket_open == 0
    async with await connect(session, server) as again:
        assert (await turn(again, input="back"))[-1]["type"] == "response.completed"
    assert server.websocket_connections == 2


async def test_disconnect_closes_the_socket_before_any_event(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A Disconnect reply ends the socket abruptly, with nothing sent for the turn."""
    server.add(Disconnect(delay=0.01))
    async with await connect(session, server) as ws:
        await ws.send_str(json.dumps({**CREATE, "input": "x"}))
        events, end = await until_closed(ws)
    assert events == []
    assert end.type is aiohttp.WSMsgType.CLOSED
    assert server.request_count == 1


def handshake_headers() -> dict[str, str]:
    return {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
    }


async def test_refused_handshakes_get_the_scripted_http_answer(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """refuse_websocket(times=2): two plain HTTP answers (status, body, headers), then upgrades."""
    body = {"error": {"code": 429, "message": "Slow down"}}
    server.refuse_websocket(HTTPReply(429, body=body, headers={"Retry-After": "3"}), times=2)
    async with session.get(url(server), headers=handshake_headers()) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "3"
        assert await response.json() == body
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await connect(session, server)
    assert refused.value.status == 429
    async with await connect(session, server) as ws:
        assert (await turn(ws, input="in"))[-1]["type"] == "response.completed"
    assert server.websocket_refused == 2
    assert server.websocket_connections == 1
    assert [r.method for r in server.requests] == ["WEBSOCKET"]


async def test_a_get_without_upgrade_is_told_to_upgrade(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A plain GET on /responses gets 426 with an error body, and POST still works."""
    async with session.get(url(server)) as response:
        assert response.status == 426
        assert (await response.json())["error"]["code"] == "upgrade_required"
    async with session.post(url(server), json={"model": "m", "input": "x"}) as response:
        assert response.status == 200
    assert server.websocket_connections == 0


async def test_drop_websockets_ends_every_socket_like_a_network_drop(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """drop_websockets() from the test's thread closes idle and mid-turn sockets, no close frame."""
    server.add(Turn("stuck", stall_after=2))
    async with await connect(session, server) as busy, await connect(session, server) as idle:
        await busy.send_str(json.dumps({**CREATE, "input": "x"}))
        assert [(await receive(busy))["type"] for _ in range(2)] == [
            "response.created",
            "response.in_progress",
        ]
        assert server.websocket_open == 2
        assert server.drop_websockets() == 2
        assert server.websocket_open == 0
        for ws in (busy, idle):
            events, end = await until_closed(ws)
            assert (events, end.type) == ([], aiohttp.WSMsgType.CLOSED)
    assert server.disconnects == 0
    await until(lambda: server.in_flight == 0)


async def test_keepalive_events_fill_a_stall_and_pings_are_answered_mid_turn(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """During a stall: `{"type": "keepalive"}` events without sequence numbers, and pongs."""
    server.add(Turn("late", stall_after=2, stall_for=0.25, keepalive=0.05))
    async with await connect(session, server, autoping=False) as ws:
        await ws.send_str(json.dumps({**CREATE, "input": "x"}))
        await receive(ws)
        await receive(ws)
        await ws.ping(b"still there?")
        kinds: list[str] = []
        while "response.completed" not in kinds:
            message = await ws.receive(timeout=5)
            if message.type is aiohttp.WSMsgType.PONG:
                kinds.append(f"pong:{message.data.decode()}")
            else:
                kinds.append(json.loads(message.data)["type"])
    assert "pong:still there?" in kinds
    assert kinds.index("pong:still there?") < kinds.index("response.output_item.added")
    assert 2 <= kinds.count("keepalive") <= 6
    assert kinds.index("keepalive") < kinds.index("response.output_item.added")


async def test_a_client_leaving_mid_turn_counts_as_a_disconnect(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Closing the socket during a stalled turn ends the turn: one disconnect, nothing in flight."""
    server.add(Turn("never", stall_after=1))
    ws = await connect(session, server)
    await ws.send_str(json.dumps({**CREATE, "input": "x"}))
    await receive(ws)
    assert server.in_flight == 1
    await ws.close()
    await until(lambda: server.disconnects == 1 and server.in_flight == 0)
    await until(lambda: server.websocket_open == 0)


async def test_a_transcript_sends_its_data_payloads_one_message_each(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Raw SSE on a socket: each event's data verbatim, comments and [DONE] left out."""
    created = json.dumps({"type": "response.created", "response": {"id": "r"}})
    server.add(
        Transcript(
            [
                ": OPENROUTER PROCESSING\n\n",
                f"data: {created[:10]}",  # an event split across two frames
                f"{created[10:]}\n\n",
                "data: {not json}\r\n\r\n",
                "data: [DONE]\n\n",
            ]
        )
    )
    async with await connect(session, server) as ws:
        await ws.send_str(json.dumps({**CREATE, "input": "x"}))
        first = await ws.receive(timeout=5)
        second = await ws.receive(timeout=5)
        after = await turn(ws, input="next")
    assert first.data == created
    assert second.data == "{not json}"
    assert after[0]["type"] == "response.created"


async def test_a_failing_reply_function_answers_500_and_the_socket_lives_on(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A reply function that raises gets a 500 error event; the socket takes the next turn."""

    def broken(request: RecordedRequest) -> str:
        raise ValueError("script bug")

    server.add(broken)
    async with await connect(session, server) as ws:
        [error] = await turn(ws, input="x")
        events = await turn(ws, input="y")
    assert error["status"] == 500
    assert "script bug" in error["error"]["message"]
    assert events[-1]["type"] == "response.completed"


async def test_reset_closes_sockets_and_forgets_websocket_state(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """reset() ends open sockets, zeroes the counters and forgets refusals not used yet."""
    async with await connect(session, server) as ws:
        await turn(ws, input="x")
        server.refuse_websocket(HTTPReply(503), times=3)
        server.reset()
        _, end = await until_closed(ws)
    assert end.type is aiohttp.WSMsgType.CLOSED
    assert (server.websocket_connections, server.websocket_open, server.request_count) == (0, 0, 0)
    assert server.requests == []
    async with await connect(session, server) as again:
        assert (await turn(again, input="y"))[-1]["response"]["id"] == "resp_local_1"
    assert server.websocket_refused == 0


async def test_aclose_sends_going_away_and_waits_for_the_sockets(
    session: aiohttp.ClientSession,
) -> None:
    """Closing the server closes each socket with a close frame (1001), mid-turn ones included."""
    own = LocalServer()
    await own.start()
    own.add(Turn("stuck", stall_after=1))
    busy = await connect(session, own)
    idle = await connect(session, own)
    await busy.send_str(json.dumps({**CREATE, "input": "x"}))
    await receive(busy)
    await own.aclose()
    for ws in (busy, idle):
        _, end = await until_closed(ws)
        assert end.type is aiohttp.WSMsgType.CLOSE
        assert end.data == aiohttp.WSCloseCode.GOING_AWAY
    assert own.websocket_open == 0
    assert own.disconnects == 0


async def test_the_module_entry_point_serves_websockets_and_compaction(
    session: aiohttp.ClientSession,
) -> None:
    """`python -m openresponses.testing` answers a WebSocket turn and a compaction."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "openresponses.testing", stdout=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        base_url = (await asyncio.wait_for(process.stdout.readline(), 20)).decode().strip()
        async with session.ws_connect(f"{base_url}/responses") as ws:
            events = await turn(ws, input="from a process")
        body = {"model": "m", "input": "keep me"}
        async with session.post(f"{base_url}/responses/compact", json=body) as response:
            compacted = await response.json()
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 10) == 0
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "You said: from a process"
    assert [item["type"] for item in compacted["output"]] == ["message", "compaction"]
