"""WebSocket mode: turns over one socket, streamed and not, the message sent, whose turn it is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from _support import make_client
from openresponses import (
    AsyncClient,
    AsyncResponsesConnection,
    AsyncResponseStream,
    InvalidRequestError,
    OutputTextDeltaEvent,
    ResponseCompletedEvent,
    StreamError,
)
from openresponses.testing import LocalServer, Text, ToolCall, Turn

pytestmark = pytest.mark.anyio

KEY = "sk-or-v1-websocket-test-key"


@pytest.fixture
async def client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    """A client of the shared server, with an API key and quick retries."""
    async with make_client(server.base_url, api_key=KEY) as c:
        yield c


@pytest.fixture
async def conn(client: AsyncClient) -> AsyncIterator[AsyncResponsesConnection]:
    """An open connection of that client."""
    async with client.responses.connect() as c:
        yield c


async def test_many_turns_share_one_socket(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """Plain and streamed turns alternate on one socket: one handshake, every answer right."""
    texts = []
    for number in range(6):
        if number % 2:
            async with conn.stream(model="m", input=f"turn {number}") as stream:
                texts.append((await stream.final_response()).output_text)
        else:
            texts.append((await conn.create(model="m", input=f"turn {number}")).output_text)
    assert texts == [f"You said: turn {number}" for number in range(6)]
    assert server.websocket_connections == 1
    assert [request.method for request in server.requests] == ["WEBSOCKET"] * 6


async def test_a_streamed_turn_gives_typed_events_and_lenses(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """Events are typed, in order; text_deltas, current_response and final_response agree."""
    server.add(Turn(Text("Hello brave new world", deltas=4)))
    async with conn.stream(model="m", input="Hi") as stream:
        assert isinstance(stream, AsyncResponseStream)
        assert stream.status_code == 101
        events = [event async for event in stream]
        final = await stream.final_response()
        current = stream.current_response
    assert events[0].type == "response.created"
    assert isinstance(events[-1], ResponseCompletedEvent)
    deltas = [e.delta for e in events if isinstance(e, OutputTextDeltaEvent)]
    assert len(deltas) == 4
    assert "".join(deltas) == "Hello brave new world"
    assert final.output_text == "Hello brave new world"
    assert current is not None
    assert current.output_text == final.output_text

    server.add(Turn(Text("one two", deltas=2)))
    async with conn.stream(model="m", input="Hi") as stream:
        assert "".join([piece async for piece in stream.text_deltas()]) == "one two"


async def test_incomplete_and_failed_turns_end_as_over_http(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """An incomplete turn returns its Response; a failed one raises StreamError; socket kept."""
    server.add(
        Turn(Text("cut"), status="incomplete"),
        Turn(Text("partial"), status="failed", error={"code": "server_error", "message": "boom"}),
    )
    incomplete = await conn.create(model="m", input="Hi")
    assert incomplete.status == "incomplete"
    with pytest.raises(StreamError, match="boom") as caught:
        await conn.create(model="m", input="Hi", max_retries=0)
    assert caught.value.response is not None
    assert (await conn.create(model="m", input="after")).output_text == "You said: after"
    assert server.websocket_connections == 1


async def test_the_message_is_the_body_and_its_type(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """The message: type response.create, the body and extra_body; no stream nor background."""
    await conn.create(model="m", input="Hi", instructions="Be brief", extra_body={"custom": [1, 2]})
    message = server.requests[0].json
    assert message == {
        "type": "response.create",
        "model": "m",
        "input": "Hi",
        "instructions": "Be brief",
        "custom": [1, 2],
    }


async def test_the_key_goes_in_the_handshake_header_and_never_in_the_url(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """The handshake carries Authorization and the user agent; the URL has no key."""
    await conn.create(model="m", input="Hi")
    request = server.requests[0]
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["User-Agent"].startswith("openresponses/")
    assert request.path == "/v1/responses"
    assert KEY not in str(request.query)
    assert not request.query


async def test_connect_options_go_with_the_handshake(
    server: LocalServer, client: AsyncClient
) -> None:
    """extra_headers and extra_query given to connect() are sent with the handshake."""
    options = {"extra_headers": {"X-Trace": "t1"}, "extra_query": {"region": "eu"}}
    async with client.responses.connect(**options) as conn:
        await conn.create(model="m", input="Hi")
    request = server.requests[0]
    assert request.headers["X-Trace"] == "t1"
    assert dict(request.query) == {"region": "eu"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"background": True}, "background"),
        ({"stream_options": {"include_obfuscation": False}}, "stream_options"),
        ({"stream": True}, "stream"),
        ({"extra_body": {"stream": True}}, "stream"),
        ({"extra_body": {"background": False}}, "background"),
        ({"extra_headers": {"X-A": "1"}}, "extra_headers"),
        ({"extra_query": {"a": "1"}}, "extra_query"),
        ({"temperature": "hot"}, "temperature"),
        ({"timeout": -1}, "timeout"),
    ],
)
async def test_bad_arguments_are_refused_before_any_byte(
    server: LocalServer, conn: AsyncResponsesConnection, params: dict[str, object], field: str
) -> None:
    """Forbidden keys, per-socket options and bad values raise InvalidRequestError; nothing sent."""
    with pytest.raises(InvalidRequestError) as caught:
        await conn.create(model="m", input="Hi", **params)  # type: ignore[arg-type]
    assert caught.value.field == field
    with pytest.raises(InvalidRequestError):
        conn.stream(model="m", input="Hi", **params)  # type: ignore[arg-type]
    assert server.requests == []
    if field.startswith("extra_"):
        assert "connect(" in caught.value.message


async def test_bad_connect_options_are_refused(server: LocalServer, client: AsyncClient) -> None:
    """connect() refuses a heartbeat that is not a positive number, before any handshake."""
    for heartbeat in (0, -1.0, float("nan"), True):
        with pytest.raises(InvalidRequestError, match="heartbeat"):
            client.responses.connect(heartbeat=heartbeat)
    assert server.websocket_connections == 0


async def test_concurrent_turns_wait_for_each_other(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """Two tasks' turns on one connection are served one after the other, both correct."""
    server.add(Turn(Text("slow answer"), first_event_delay=0.3), Turn(Text("quick answer")))
    first = asyncio.ensure_future(conn.create(model="m", input="1"))
    await asyncio.sleep(0.05)
    second = asyncio.ensure_future(conn.create(model="m", input="2"))
    results = await asyncio.gather(first, second)
    assert [r.output_text for r in results] == ["slow answer", "quick answer"]
    assert [r.json["input"] for r in server.requests] == ["1", "2"]
    assert server.websocket_connections == 1


async def test_a_turn_waits_while_another_task_holds_the_connection(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """While one task's stream is open, another task's turn sends nothing; then it goes."""
    async with conn.stream(model="m", input="first") as stream:
        await stream.__anext__()
        waiting = asyncio.ensure_future(conn.create(model="m", input="second"))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        assert len(server.requests) == 1
        await stream.final_response()
    assert (await asyncio.wait_for(waiting, 5)).output_text == "You said: second"
    assert server.websocket_connections == 1


async def test_a_second_turn_from_the_task_holding_the_turn_is_refused(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """Within an unfinished stream, the same task's next turn raises RuntimeError at once."""
    server.add(Turn(Text("a b c d", deltas=4)))
    async with conn.stream(model="m", input="Hi") as stream:
        await stream.__anext__()
        with pytest.raises(RuntimeError, match="holds the connection's turn"):
            await conn.create(model="m", input="again")
        await stream.final_response()
        # Read to its end, the stream let the turn go: the same task goes on.
        assert (await conn.create(model="m", input="next")).output_text == "You said: next"
    assert server.websocket_connections == 1


async def test_a_turn_may_follow_inside_a_loop_at_the_terminal_event(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """At the terminal event the turn is over: the same task starts the next without waiting."""
    async with conn.stream(model="m", input="first") as stream:
        async for event in stream:
            if isinstance(event, ResponseCompletedEvent):
                second = await conn.create(model="m", input="second")
    assert second.output_text == "You said: second"
    assert server.websocket_connections == 1


async def test_a_tool_call_turn_round_trips(
    server: LocalServer, conn: AsyncResponsesConnection
) -> None:
    """A function call arrives typed; its output, sent next turn on the socket, is answered."""
    server.add(ToolCall("get_weather", {"city": "Paris"}, call_id="call_1"))
    response = await conn.create(model="m", input="Weather?")
    call = response.output[0]
    assert call.type == "function_call"
    output = {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}
    answer = await conn.create(model="m", input=[*response.output, output])
    assert answer.output_text == "Tool said: sunny"
    assert server.websocket_connections == 1


async def test_a_closed_connection_refuses_turns(server: LocalServer, client: AsyncClient) -> None:
    """After the block, turns raise RuntimeError and nothing is sent."""
    async with client.responses.connect() as conn:
        pass
    assert conn.closed
    with pytest.raises(RuntimeError, match="connection is closed"):
        await conn.create(model="m", input="Hi")
    assert server.requests == []
