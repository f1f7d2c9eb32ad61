"""openresponses.testing.LocalServer over real HTTP: the spec's stream, scripts and faults."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest

from openresponses.testing import (
    Disconnect,
    HTTPReply,
    InBandError,
    LocalServer,
    RawItem,
    Reasoning,
    RecordedRequest,
    RefusalMessage,
    ReplyLike,
    ResponseJSON,
    Text,
    ToolCall,
    Transcript,
    Turn,
)

pytestmark = pytest.mark.anyio
pytest_plugins = ["pytester"]

# The 31 keys the spec's ResponseResource requires.
RESPONSE_KEYS = {
    "id", "object", "created_at", "completed_at", "status", "incomplete_details", "model",
    "previous_response_id", "instructions", "output", "error", "tools", "tool_choice",
    "truncation", "parallel_tool_calls", "text", "top_p", "presence_penalty", "frequency_penalty",
    "top_logprobs", "temperature", "reasoning", "usage", "max_output_tokens", "max_tool_calls",
    "store", "background", "service_tier", "metadata", "safety_identifier", "prompt_cache_key",
}  # fmt: skip

TEXT_ORDER = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    *["response.output_text.delta"] * 4,
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]


class Frames:
    """A parsed SSE body: (event line, data) pairs, comments and whether [DONE] closed it."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.events: list[tuple[str | None, dict[str, Any]]] = []
        self.comments: list[str] = []
        self.done = False
        for block in raw.decode().split("\n\n"):
            if not block:
                continue
            name: str | None = None
            data: list[str] = []
            for line in block.split("\n"):
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                elif line.startswith("event: "):
                    name = line[len("event: ") :]
                elif line.startswith("data: "):
                    data.append(line[len("data: ") :])
            if data == ["[DONE]"]:
                self.done = True
            elif data:
                self.events.append((name, json.loads("\n".join(data))))

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [payload for _, payload in self.events]

    @property
    def types(self) -> list[str | None]:
        return [payload.get("type") for payload in self.payloads]


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    """A LocalServer in the test's own loop."""
    async with LocalServer() as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp client session."""
    async with aiohttp.ClientSession() as client:
        yield client


async def post(
    session: aiohttp.ClientSession, server: LocalServer, body: Mapping[str, Any]
) -> tuple[int, Mapping[str, str], bytes]:
    async with session.post(f"{server.base_url}/responses", json=body) as response:
        return response.status, response.headers, await response.read()


async def stream(session: aiohttp.ClientSession, server: LocalServer, **body: Any) -> Frames:
    status, headers, raw = await post(session, server, {"model": "m", **body, "stream": True})
    assert status == 200
    assert headers["Content-Type"] == "text/event-stream"
    return Frames(raw)


def output_text(response: Mapping[str, Any]) -> str:
    return "".join(
        part["text"]
        for item in response["output"]
        if item["type"] == "message"
        for part in item["content"]
        if part["type"] == "output_text"
    )


async def test_default_stream_follows_the_spec(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """The default streamed answer has the spec's events, order, numbering, framing and [DONE]."""
    status, headers, raw = await post(
        session, server, {"model": "m", "input": "Hi there", "stream": True}
    )
    frames = Frames(raw)
    assert status == 200
    assert headers["Content-Type"] == "text/event-stream"
    assert headers["X-Generation-Id"] == "gen-local-1"
    assert frames.types == TEXT_ORDER
    assert all(name == payload["type"] for name, payload in frames.events)
    assert [p["sequence_number"] for p in frames.payloads] == list(range(len(TEXT_ORDER)))
    assert frames.done
    assert raw.endswith(b"data: [DONE]\n\n")
    final = frames.payloads[-1]["response"]
    assert set(final) >= RESPONSE_KEYS
    assert set(frames.payloads[0]["response"]) >= RESPONSE_KEYS
    assert final["status"] == "completed"
    assert final["model"] == "m"


async def test_default_stream_deltas_build_the_terminal_response(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Deltas join to the done text, the done part and item, and the terminal response's text."""
    frames = await stream(session, server, input="tell me about the sea")
    payloads = frames.payloads
    text = "".join(p["delta"] for p in payloads if p["type"] == "response.output_text.delta")
    by_type = {p["type"]: p for p in payloads}
    final = by_type["response.completed"]["response"]
    assert text == "You said: tell me about the sea"
    assert by_type["response.output_text.done"]["text"] == text
    assert by_type["response.content_part.done"]["part"]["text"] == text
    assert by_type["response.output_item.done"]["item"] == final["output"][0]
    assert output_text(final) == text
    assert final["usage"]["output_tokens"] == len(text.split())
    assert final["usage"]["total_tokens"] == 5 + len(text.split())


async def test_default_plain_reply_matches_the_streamed_one(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Without `stream`, the same answer comes back as one JSON response object."""
    status, headers, raw = await post(session, server, {"model": "m", "input": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "ping"}]}
    ]})  # fmt: skip
    body = json.loads(raw)
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert "X-Generation-Id" in headers
    assert set(body) >= RESPONSE_KEYS
    assert body["status"] == "completed"
    assert output_text(body) == "You said: ping"
    assert body["usage"] == {
        "input_tokens": 1,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 3,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 4,
    }


async def test_text_splits_into_the_requested_deltas(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`deltas` cuts text into that many pieces and `chunk_size` into fixed-size ones."""
    server.add(Text("abcdefghij", deltas=3), Text("abcdefghij", chunk_size=4))
    first = await stream(session, server, input="x")
    second = await stream(session, server, input="x")
    deltas = [
        [p["delta"] for p in frames.payloads if p["type"] == "response.output_text.delta"]
        for frames in (first, second)
    ]
    assert deltas == [["abcd", "efg", "hij"], ["abcd", "efgh", "ij"]]


async def test_reasoning_and_parallel_tool_calls_stream_in_order(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Reasoning then two calls: indices, summary and argument events, and the final output."""
    server.add(
        Turn(
            Reasoning("Need weather", text="think hard", encrypted_content="enc"),
            ToolCall("get_weather", {"city": "Paris"}, call_id="call_a"),
            ToolCall("get_time", '{"tz":"CET"}'),
        )
    )
    frames = await stream(session, server, input="weather and time?")
    payloads = frames.payloads
    final = payloads[-1]["response"]
    assert [item["type"] for item in final["output"]] == [
        "reasoning",
        "function_call",
        "function_call",
    ]
    assert final["output"][0]["encrypted_content"] == "enc"
    assert final["output"][0]["summary"] == [{"type": "summary_text", "text": "Need weather"}]
    assert final["output"][1]["call_id"] == "call_a"
    added = [p["output_index"] for p in payloads if p["type"] == "response.output_item.added"]
    assert added == [0, 1, 2]
    args = "".join(
        p["delta"]
        for p in payloads
        if p["type"] == "response.function_call_arguments.delta" and p["output_index"] == 1
    )
    assert args == '{"city":"Paris"}'
    done = [p for p in payloads if p["type"] == "response.function_call_arguments.done"]
    assert [(d["name"], d["arguments"]) for d in done] == [
        ("get_weather", '{"city":"Paris"}'),
        ("get_time", '{"tz":"CET"}'),
    ]
    assert "response.reasoning_summary_text.delta" in frames.types
    assert "response.reasoning.delta" in frames.types
    assert final["usage"]["output_tokens_details"]["reasoning_tokens"] == 4


async def test_reasoning_can_use_openrouter_event_names(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`event_names="openrouter"` streams raw reasoning as `response.reasoning_text.*`."""
    server.add(Turn(Reasoning(text="deep thought", event_names="openrouter"), "42"))
    frames = await stream(session, server, input="x")
    assert "response.reasoning_text.delta" in frames.types
    assert "response.reasoning_text.done" in frames.types
    assert "response.reasoning.delta" not in frames.types
    assert output_text(frames.payloads[-1]["response"]) == "42"


async def test_refusal_and_raw_items_stream(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A refusal streams as `refusal.*` events and a raw vendor item arrives unchanged."""
    vendor = {"type": "openrouter:web_search", "id": "ws_1", "status": "completed", "query": "q"}
    server.add(Turn(RefusalMessage("I cannot help"), RawItem(vendor)))
    frames = await stream(session, server, input="x")
    refusal = "".join(p["delta"] for p in frames.payloads if p["type"] == "response.refusal.delta")
    assert refusal == "I cannot help"
    assert frames.payloads[-1]["response"]["output"][1] == vendor


async def test_http_reply_sends_status_headers_and_body_as_given(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """Statuses, headers and bodies in any shape reach the client unchanged."""
    server.add(
        HTTPReply(429, headers={"Retry-After": "3", "X-Generation-Id": "gen-custom"}),
        HTTPReply(400, {"error": {"code": 502, "message": "Upstream down", "metadata": None}}),
        HTTPReply(502, "<html>Bad gateway</html>", content_type="text/html"),
        HTTPReply(500, b"\x00not json"),
    )
    results = [await post(session, server, {"input": "x"}) for _ in range(4)]
    assert [status for status, _, _ in results] == [429, 400, 502, 500]
    assert results[0][1]["Retry-After"] == "3"
    assert results[0][1]["X-Generation-Id"] == "gen-custom"
    assert json.loads(results[0][2]) == {"error": {"code": 429, "message": "Too Many Requests"}}
    assert json.loads(results[1][2])["error"]["code"] == 502
    assert results[2][1]["Content-Type"] == "text/html"
    assert results[2][2] == b"<html>Bad gateway</html>"
    assert results[3][2] == b"\x00not json"
    assert all("X-Generation-Id" in headers for _, headers, _ in results)


async def test_fail_first_requests_then_succeed(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`add(..., times=2)` fails two requests, then the next reply and the default take over."""
    server.add(HTTPReply(503), times=2).add("Recovered")
    statuses = [(await post(session, server, {"input": "x"}))[0] for _ in range(4)]
    _, _, last = await post(session, server, {"input": "again"})
    assert statuses == [503, 503, 200, 200]
    assert output_text(json.loads(last)) == "You said: again"
    assert server.pending == 0
    assert server.request_count == 5


async def test_in_band_error_in_the_spec_shape_then_failed(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A nested `error` event cuts the stream after N events, then `response.failed` and [DONE]."""
    error = InBandError(code="server_error", message="boom")
    server.add(Turn("one two three four", stream_error=error, error_after=5))
    frames = await stream(session, server, input="x")
    assert frames.types[5:] == ["error", "response.failed"]
    assert frames.payloads[5]["error"] == {
        "type": "server_error",
        "code": "server_error",
        "message": "boom",
        "param": None,
    }
    assert [p["sequence_number"] for p in frames.payloads] == list(range(7))
    failed = frames.payloads[6]["response"]
    assert failed["status"] == "failed"
    assert failed["error"] == {"code": "server_error", "message": "boom"}
    assert failed["output"] == []
    assert frames.done


async def test_in_band_error_in_openrouter_shapes(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """OpenRouter's untyped `{"error": {...}}` frame and its flat `error` event, no terminal."""
    server.add(
        Turn("a b", stream_error=InBandError(code=502, message="Upstream", shape="openrouter"),
             terminal=False, done=False),
        Turn("a b", stream_error=InBandError(code="rate_limit", message="slow", shape="flat"),
             error_after=3, terminal=False),
    )  # fmt: skip
    untyped = await stream(session, server, input="x")
    flat = await stream(session, server, input="x")
    assert untyped.events[-1] == (None, {"error": {"code": 502, "message": "Upstream"}})
    assert b"event: error" not in untyped.raw
    assert not untyped.done
    assert "response.completed" not in untyped.types
    assert flat.types == [*TEXT_ORDER[:3], "error"]
    assert flat.payloads[-1] == {
        "type": "error",
        "code": "rate_limit",
        "message": "slow",
        "param": None,
        "sequence_number": 3,
    }
    assert flat.done


async def test_incomplete_and_failed_terminals(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`status` picks `response.incomplete` (last item incomplete) or `response.failed`."""
    server.add(
        Turn("cut short", status="incomplete"),
        Turn("x", status="failed", error={"code": "server_error", "message": "no"}),
    )
    incomplete = (await stream(session, server, input="x")).payloads[-1]
    failed = (await stream(session, server, input="x")).payloads[-1]
    assert incomplete["type"] == "response.incomplete"
    assert incomplete["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert incomplete["response"]["output"][-1]["status"] == "incomplete"
    assert incomplete["response"]["completed_at"] is None
    assert failed["type"] == "response.failed"
    assert failed["response"]["error"] == {"code": "server_error", "message": "no"}


async def test_stream_without_terminal_or_done(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`terminal=False, done=False` ends the stream cleanly after the last item event."""
    server.add(Turn("abc", terminal=False, done=False))
    frames = await stream(session, server, input="x")
    assert frames.types[-1] == "response.output_item.done"
    assert not frames.done


async def test_keepalive_comments_fill_the_wait_before_the_first_event(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`keepalive` sends `: OPENROUTER PROCESSING` comments while `first_event_delay` runs."""
    server.add(Turn("hello", first_event_delay=0.25, keepalive=0.05))
    started = time.monotonic()
    frames = await stream(session, server, input="x")
    assert time.monotonic() - started >= 0.25
    assert 2 <= frames.comments.count("OPENROUTER PROCESSING") <= 5
    assert frames.raw.startswith(b": OPENROUTER PROCESSING\n\n")
    assert frames.types[-1] == "response.completed"


async def test_event_delay_spaces_out_events(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`event_delay` waits between events: arrival times spread over the whole stream."""
    server.add(Turn("a b", event_delay=0.03))
    async with session.post(f"{server.base_url}/responses", json={"stream": True}) as response:
        arrivals = [time.monotonic() async for _ in response.content.iter_any()]
    assert arrivals[-1] - arrivals[0] >= 0.03 * 6
    assert len(arrivals) >= 5


async def test_delay_before_headers(server: LocalServer, session: aiohttp.ClientSession) -> None:
    """`delay` holds back the status line itself."""
    server.add(HTTPReply(204, delay=0.2))
    started = time.monotonic()
    status, _, _ = await post(session, server, {"input": "x"})
    assert status == 204
    assert time.monotonic() - started >= 0.2


async def test_drop_mid_stream_cuts_the_body(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`drop_after` closes the connection after N events: the client sees a truncated body."""
    server.add(Turn("one two three", drop_after=4))
    received = bytearray()

    async def read_all() -> None:
        nonlocal received
        async with session.post(f"{server.base_url}/responses", json={"stream": True}) as response:
            async for chunk in response.content.iter_any():
                received += chunk

    with pytest.raises(aiohttp.ClientPayloadError):
        await read_all()
    assert Frames(bytes(received)).types == TEXT_ORDER[:4]
    assert server.disconnects == 0


async def test_drop_truncates_a_plain_reply(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A plain reply with `drop_after` sends half its Content-Length, then hangs up."""
    server.add(Turn("hello", drop_after=0))
    with pytest.raises(aiohttp.ClientPayloadError):
        await post(session, server, {"input": "x"})


async def test_disconnect_before_headers(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`Disconnect()` closes the connection before any byte of the reply."""
    server.add(Disconnect())
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await post(session, server, {"input": "x"})
    status, _, _ = await post(session, server, {"input": "x"})
    assert status == 200


async def test_client_leaving_a_stalled_stream_is_seen(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A client closing a stalled stream (keep-alives or silence) counts as a disconnect."""
    server.add(Turn("a b c", stall_after=3, keepalive=0.02), Turn("a b c", stall_after=3))
    for expected in (1, 2):
        async with session.post(f"{server.base_url}/responses", json={"stream": True}) as response:
            await response.content.readany()
            assert server.in_flight == 1
            response.close()
        await server.wait_disconnects(expected, timeout=2)
    assert server.in_flight == 0
    assert server.disconnects == 2


async def test_stall_for_resumes_the_stream(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """`stall_for` pauses after N events with keep-alives, then finishes the stream."""
    server.add(Turn("a b", stall_after=2, stall_for=0.15, keepalive=0.04))
    started = time.monotonic()
    frames = await stream(session, server, input="x")
    assert time.monotonic() - started >= 0.15
    assert 1 <= frames.comments.count("OPENROUTER PROCESSING") <= 3
    assert frames.types[-1] == "response.completed"


async def test_requests_are_recorded(server: LocalServer, session: aiohttp.ClientSession) -> None:
    """Each request is kept with method, path, headers, parsed body, time and generation id."""
    async with session.post(
        f"{server.base_url}/responses?trace=1",
        json={"model": "m", "input": "Hi", "stream": False},
        headers={"Authorization": "Bearer sk-test", "X-Title": "tests"},
    ) as response:
        generation_id = response.headers["X-Generation-Id"]
    await post(session, server, {"input": "second", "stream": True})
    first, second = server.requests
    assert (first.method, first.path, first.query["trace"]) == ("POST", "/v1/responses", "1")
    assert first.headers["authorization"] == "Bearer sk-test"
    assert first.json == {"model": "m", "input": "Hi", "stream": False}
    assert json.loads(first.body) == first.json
    assert first.generation_id == generation_id
    assert not first.stream
    assert second.stream
    assert second.received_at >= first.received_at
    assert second.last_input == {"type": "message", "role": "user", "content": "second"}


async def test_invalid_json_gets_a_400(server: LocalServer, session: aiohttp.ClientSession) -> None:
    """A body that is not a JSON object gets the spec's error shape and is still recorded."""
    async with session.post(f"{server.base_url}/responses", data=b"{nope") as response:
        body = await response.json()
        assert response.status == 400
    assert body["error"]["code"] == "invalid_json"
    assert server.requests[0].json is None


async def test_reply_function_drives_a_tool_loop(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A default reply function calls a tool, then answers from the tool's output."""

    def tool_loop(request: RecordedRequest) -> ReplyLike:
        last = request.last_input
        if last.get("type") == "function_call_output":
            return Text(f"It is {last['output']}")
        return ToolCall("get_weather", {"city": "Paris"}, call_id="call_1")

    server.default = tool_loop
    _, _, raw = await post(session, server, {"input": "Weather in Paris?"})
    call = json.loads(raw)["output"][0]
    history = [
        {"role": "user", "content": "Weather in Paris?"},
        call,
        {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"},
    ]
    frames = await stream(session, server, input=history)
    assert call["name"] == "get_weather"
    assert output_text(frames.payloads[-1]["response"]) == "It is sunny"


async def test_async_reply_function_in_the_queue(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A queued async function is awaited and used for exactly one request."""

    async def echo_model(request: RecordedRequest) -> ReplyLike:
        await asyncio.sleep(0)
        return f"model was {request.json['model']}"

    server.add(echo_model)
    _, _, first = await post(session, server, {"model": "x/y", "input": "a"})
    _, _, second = await post(session, server, {"model": "x/y", "input": "b"})
    assert output_text(json.loads(first)) == "model was x/y"
    assert output_text(json.loads(second)) == "You said: b"


async def test_transcript_is_sent_verbatim(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A transcript's frames arrive byte for byte, whatever the request asked for."""
    frames: list[bytes | str | Mapping[str, Any]] = [
        ": OPENROUTER PROCESSING\n\n",
        {"type": "response.created", "response": {"id": "r", "created_at": 1.5}},
        b"data: {not json}\n\n",
        "data: [DONE]\n\n",
    ]
    server.add(Transcript(frames, headers={"X-Generation-Id": "gen-t"}))
    status, headers, raw = await post(session, server, {"input": "x"})
    assert status == 200
    assert headers["Content-Type"] == "text/event-stream"
    assert headers["X-Generation-Id"] == "gen-t"
    assert raw == (
        b": OPENROUTER PROCESSING\n\n"
        b"event: response.created\n"
        b'data: {"type":"response.created","response":{"id":"r","created_at":1.5}}\n\n'
        b"data: {not json}\n\ndata: [DONE]\n\n"
    )


async def test_response_json_is_served_plain_and_streamed(
    server: LocalServer, session: aiohttp.ClientSession
) -> None:
    """A custom response body comes back unchanged, or as the terminal of a generated stream."""
    body = {
        "id": "resp_custom",
        "object": "response",
        "created_at": 1.25,
        "status": "completed",
        "model": "custom",
        "output": [
            {"type": "message", "id": "m1", "status": "completed", "role": "assistant",
             "content": [{"type": "output_text", "text": "Custom hi", "annotations": []}]},
        ],
        "openrouter_metadata": {"region": "eu"},
    }  # fmt: skip
    server.add(ResponseJSON(body), ResponseJSON(body))
    _, _, plain = await post(session, server, {"input": "x"})
    frames = await stream(session, server, input="x")
    assert json.loads(plain) == body
    assert frames.payloads[-1]["response"] == body
    assert frames.payloads[0]["response"]["output"] == []
    assert "".join(p.get("delta", "") for p in frames.payloads) == "Custom hi"


async def test_models_endpoint(server: LocalServer, session: aiohttp.ClientSession) -> None:
    """GET /v1/models lists the server's model."""
    async with session.get(f"{server.base_url}/models") as response:
        body = await response.json()
    assert body["data"][0]["id"] == "openresponses/local"


def _sync_post(url: str, body: Mapping[str, Any], headers: Mapping[str, str] = {}) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def test_thread_mode_serves_synchronous_code() -> None:
    """`with LocalServer()` runs the server in a thread, usable from plain blocking code."""
    with LocalServer() as server:
        server.add(HTTPReply(503))
        with pytest.raises(urllib.error.HTTPError) as failure:
            _sync_post(f"{server.base_url}/responses", {"input": "x"})
        body = json.loads(_sync_post(f"{server.base_url}/responses", {"input": "sync"}))
        failure.value.close()
        assert failure.value.code == 503
        assert output_text(body) == "You said: sync"
        assert len(server.requests) == 2
    with pytest.raises(RuntimeError):
        server.base_url  # noqa: B018


async def test_thread_mode_works_beside_a_running_loop(session: aiohttp.ClientSession) -> None:
    """A thread-mode server started inside async code sees disconnects like an in-loop one."""
    server = LocalServer().start_in_thread()
    try:
        server.add(Turn("a b", stall_after=1))
        async with session.post(f"{server.base_url}/responses", json={"stream": True}) as response:
            await response.content.readany()
            response.close()
        await server.wait_disconnects(1, timeout=2)
        assert server.disconnects == 1
    finally:
        server.stop()


@pytest.mark.parametrize("threaded", [True, False], ids=["thread", "loop"])
async def test_reset_makes_a_used_server_as_good_as_new(
    session: aiohttp.ClientSession, threaded: bool
) -> None:
    """reset() forgets the queue, requests, counters, ids and changed options, and ends a stall."""
    server = LocalServer(deltas=2)
    if threaded:
        server.start_in_thread()
    else:
        await server.start()
    try:
        url = f"{server.base_url}/responses"
        server.default, server.deltas, server.model = Text("changed"), 5, "other/model"
        server.add(Turn("a b", stall_after=1, stall_for=None), HTTPReply(503), times=2)
        async with session.post(url, json={"stream": True}) as stalled:
            await stalled.content.readany()
            assert (server.in_flight, server.request_count, server.pending) == (1, 1, 3)
            server.reset()
            with pytest.raises(aiohttp.ClientPayloadError):
                await asyncio.wait_for(stalled.content.read(), 2)
        assert (server.pending, server.requests, server.request_count) == (0, [], 0)
        async with session.post(url, json={"input": "again", "stream": True}) as response:
            frames = Frames(await response.read())
            assert response.headers["X-Generation-Id"] == "gen-local-1"
        assert frames.types.count("response.output_text.delta") == 2
        assert frames.payloads[-1]["response"]["id"] == "resp_local_1"
        assert frames.payloads[-1]["response"]["model"] == "openresponses/local"
        assert output_text(frames.payloads[-1]["response"]) == "You said: again"
        deadline = time.monotonic() + 2  # the server may finish its reply after the client read it
        while server.in_flight and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        assert (server.disconnects, server.in_flight, server.request_count) == (0, 0, 1)
    finally:
        if threaded:
            server.stop()
        else:
            await server.aclose()


def test_reset_drops_a_request_the_server_had_not_read_yet() -> None:
    """A request still queued in the kernel when reset() runs never reaches the next test."""
    busy = threading.Event()

    def block(_request: RecordedRequest) -> ReplyLike:
        busy.set()
        time.sleep(0.3)  # holds the server's loop, so the next connection waits to be accepted
        return Text("slow")

    request = b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
    with LocalServer() as server:
        server.add(block)
        with socket.create_connection((server.host, server.port)) as first:
            first.sendall(request)
            assert busy.wait(2)
            with socket.create_connection((server.host, server.port)) as second:
                second.sendall(request)
            server.reset()
        server.add(Text("for the next test"))
        time.sleep(0.1)
        assert (server.request_count, server.pending, server.requests) == (0, 1, [])
        body = json.loads(_sync_post(f"{server.base_url}/responses", {"input": "x"}))
        assert output_text(body) == "for the next test"
        assert server.request_count == 1


def test_fast_mode_serves_precomputed_answers() -> None:
    """`fast=True` answers streamed and plain requests, honouring the deltas header."""
    with LocalServer(fast=True, deltas=3) as server:
        url = f"{server.base_url}/responses"
        plain = json.loads(_sync_post(url, {"input": "x"}))
        streamed = Frames(_sync_post(url, {"input": "x", "stream": True}))
        many = Frames(_sync_post(url, {"stream": True}, {"X-OpenResponses-Deltas": "50"}))
        assert output_text(plain) == "lorem ipsum dolor"
        assert streamed.types.count("response.output_text.delta") == 3
        assert many.types.count("response.output_text.delta") == 50
        assert streamed.done
        assert server.request_count == 3
        with pytest.raises(RuntimeError):
            server.add("no scripting in fast mode")


def test_module_entry_point_prints_its_base_url() -> None:
    """`python -m openresponses.testing` prints a base URL it then serves from."""
    process = subprocess.Popen(
        [sys.executable, "-m", "openresponses.testing", "--deltas", "2"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        body = json.loads(_sync_post(f"{base_url}/responses", {"input": "from a process"}))
        assert output_text(body) == "You said: from a process"
    finally:
        process.terminate()
        assert process.wait(10) == 0
        if process.stdout is not None:
            process.stdout.close()


def test_pytest_plugin_provides_the_fixture(pytester: pytest.Pytester) -> None:
    """The `openresponses_server` fixture serves sync and anyio tests with a running server."""
    pytester.makepyfile(
        """
        import json, urllib.request
        import aiohttp, pytest

        def test_sync(openresponses_server):
            openresponses_server.add("scripted")
            url = openresponses_server.base_url + "/responses"
            request = urllib.request.Request(url, data=b'{"input": "x"}')
            with urllib.request.urlopen(request) as response:
                body = json.loads(response.read())
            assert body["output"][0]["content"][0]["text"] == "scripted"

        @pytest.mark.anyio
        async def test_async(openresponses_server, anyio_backend):
            async with aiohttp.ClientSession() as session:
                url = openresponses_server.base_url + "/responses"
                async with session.post(url, json={"input": "hi"}) as response:
                    assert response.status == 200
            assert len(openresponses_server.requests) == 1

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """
    )
    # Whether or not the entry point is installed, load the plugin module under its own name once.
    result = pytester.runpytest_inprocess(
        "-p", "no:openresponses", "-p", "openresponses.testing._pytest"
    )
    result.assert_outcomes(passed=2)
