"""The tool loop and conversations over one WebSocket: ``connection=`` on run, run_stream and
conversation, and what a connection refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from _support import make_client
from openresponses import (
    AsyncClient,
    AsyncResponsesConnection,
    InvalidRequestError,
    ToolResult,
    function_tool,
)
from openresponses.testing import LocalServer, Text, ToolCall
from openresponses.tools import run_tools

pytestmark = pytest.mark.anyio


@function_tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"Sunny in {city}"


@pytest.fixture
async def client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    """A client of the shared server with quick retries."""
    async with make_client(server.base_url) as c:
        yield c


async def test_a_tool_loop_runs_every_turn_over_one_socket(
    server: LocalServer, client: AsyncClient
) -> None:
    """Three tool turns and an answer: four messages, one handshake, the history resent."""
    server.add(
        ToolCall("get_weather", {"city": "Paris"}, call_id="c1"),
        ToolCall("get_weather", {"city": "Rome"}, call_id="c2"),
        ToolCall("get_weather", {"city": "Oslo"}, call_id="c3"),
        Text("All sunny."),
    )
    async with client.responses.connect() as conn:
        result = await client.responses.run(
            model="m", input="Weather?", tools=[get_weather], connection=conn
        )
    assert result.output_text == "All sunny."
    assert [r.output for r in result.tool_results] == [
        "Sunny in Paris",
        "Sunny in Rome",
        "Sunny in Oslo",
    ]
    assert server.websocket_connections == 1
    assert [request.method for request in server.requests] == ["WEBSOCKET"] * 4
    last = server.requests[-1].json
    assert last["type"] == "response.create"
    assert [item["type"] for item in last["input"]][-2:] == [
        "function_call",
        "function_call_output",
    ]


async def test_the_connection_is_an_engine_for_the_helpers(
    server: LocalServer, client: AsyncClient
) -> None:
    """run_tools takes the connection itself, as it takes any Engine."""
    server.add(ToolCall("get_weather", {"city": "Lima"}), Text("Done."))
    async with client.responses.connect() as conn:
        result = await run_tools(conn, model="m", input="Weather?", tools=[get_weather])
    assert result.output_text == "Done."
    assert server.websocket_connections == 1


async def test_a_streamed_tool_loop_runs_over_the_socket(
    server: LocalServer, client: AsyncClient
) -> None:
    """run_stream(connection=...) yields each turn's events and the tool results."""
    server.add(ToolCall("get_weather", {"city": "Kyiv"}), Text("Fine."))
    async with client.responses.connect() as conn:
        run = client.responses.run_stream(
            model="m", input="Weather?", tools=[get_weather], connection=conn
        )
        async with run:
            items = [item async for item in run]
            result = await run.final_result()
    results = [item for item in items if isinstance(item, ToolResult)]
    assert [r.output for r in results] == ["Sunny in Kyiv"]
    assert result.output_text == "Fine."
    assert server.websocket_connections == 1
    assert len(server.requests) == 2


async def test_a_conversation_runs_over_the_socket(
    server: LocalServer, client: AsyncClient
) -> None:
    """Sent and streamed turns of a conversation: one handshake, the history carried."""
    async with client.responses.connect() as conn:
        chat = client.conversation(model="m", instructions="Be brief.", connection=conn)
        first = await chat.send("Hello")
        async with chat.stream("And again") as stream:
            streamed = "".join([piece async for piece in stream.text_deltas()])
    assert first.output_text == "You said: Hello"
    assert streamed == "You said: And again"
    assert len(chat.history) == 4
    assert server.websocket_connections == 1
    second = server.requests[1].json
    assert second["instructions"] == "Be brief."
    assert [item.get("role") for item in second["input"]] == ["user", "assistant", "user"]


async def test_compaction_from_a_socket_conversation_goes_over_http(
    server: LocalServer, client: AsyncClient
) -> None:
    """A conversation on a connection compacts with a plain POST, then carries on the socket."""
    async with client.responses.connect() as conn:
        chat = client.conversation(model="m", connection=conn)
        await chat.send("Remember the number 7.")
        compacted = await chat.compact()
        after = await chat.send("Which number?")
    assert chat.history[: len(compacted.output)] == list(compacted.output)
    assert after.output_text == "You said: Which number?"
    methods = [(request.method, request.path) for request in server.requests]
    assert methods == [
        ("WEBSOCKET", "/v1/responses"),
        ("POST", "/v1/responses/compact"),
        ("WEBSOCKET", "/v1/responses"),
    ]
    assert server.websocket_connections == 1


async def test_a_connection_of_another_client_is_refused(server: LocalServer) -> None:
    """connection= from another client, a closed one, or not a connection: InvalidRequestError."""
    async with make_client(server.base_url) as mine, make_client(server.base_url) as theirs:
        async with theirs.responses.connect() as foreign:
            with pytest.raises(InvalidRequestError, match="another client") as caught:
                await mine.responses.run(model="m", input="Hi", tools=[], connection=foreign)
            assert caught.value.field == "connection"
            with pytest.raises(InvalidRequestError, match="another client"):
                mine.conversation(model="m", connection=foreign)
        with pytest.raises(InvalidRequestError, match="is closed"):
            theirs.responses.run_stream(model="m", input="Hi", tools=[], connection=foreign)
        with pytest.raises(InvalidRequestError, match="expected a connection"):
            mine.conversation(model="m", connection=mine)  # type: ignore[arg-type]
    assert server.requests == []


async def test_a_tool_loop_on_a_socket_refuses_per_message_headers(
    server: LocalServer, client: AsyncClient
) -> None:
    """extra_headers in a tool run over a socket is refused before the first message."""
    async with client.responses.connect() as conn:
        with pytest.raises(InvalidRequestError, match="connect"):
            await client.responses.run(
                model="m",
                input="Hi",
                tools=[get_weather],
                extra_headers={"X-A": "1"},
                connection=conn,
            )
    assert server.requests == []


def test_the_connection_satisfies_the_engine_protocol() -> None:
    """AsyncResponsesConnection has every member of Engine (create, stream, compact, policy)."""
    for name in ("create", "stream", "compact", "retry_policy"):
        assert hasattr(AsyncResponsesConnection, name), name
