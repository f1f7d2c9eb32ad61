"""The blocking twin of WebSocket mode: ``ResponsesConnection`` from threads and running loops,
its tool loop and conversation, its errors."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from openresponses import (
    AuthenticationError,
    Client,
    InvalidRequestError,
    RateLimitError,
    ResponsesConnection,
    ResponseStream,
    function_tool,
)
from openresponses.testing import HTTPReply, LocalServer, Text, ToolCall, Turn


@function_tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"Sunny in {city}"


@pytest.fixture
def client(server: LocalServer) -> Iterator[Client]:
    """A blocking client of the shared server, without retries."""
    with Client(base_url=server.base_url, max_retries=0) as client:
        yield client


def test_turns_create_and_stream_over_one_socket(client: Client, server: LocalServer) -> None:
    """create and stream (events, text deltas, final response) share one socket."""
    with client.responses.connect() as conn:
        assert isinstance(conn, ResponsesConnection)
        first = conn.create(model="m", input="one")
        with conn.stream(model="m", input="two") as stream:
            assert isinstance(stream, ResponseStream)
            assert stream.status_code == 101
            text = "".join(stream.text_deltas())
            final = stream.final_response()
        with conn.stream(model="m", input="three") as stream:
            types = [event.type for event in stream]
    assert first.output_text == "You said: one"
    assert text == final.output_text == "You said: two"
    assert types[-1] == "response.completed"
    assert conn.closed
    assert server.websocket_connections == 1


def test_threads_share_a_connection_one_turn_at_a_time(client: Client, server: LocalServer) -> None:
    """Four threads on one connection: every turn answered right, on one socket."""
    answers: dict[int, str] = {}
    with client.responses.connect() as conn:

        def work(number: int) -> None:
            for round_ in range(3):
                reply = conn.create(model="m", input=f"{number}-{round_}")
                answers[number * 10 + round_] = reply.output_text

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert answers == {n * 10 + r: f"You said: {n}-{r}" for n in range(4) for r in range(3)}
    assert server.websocket_connections == 1


def test_a_turn_from_the_thread_of_an_open_stream_is_refused(
    client: Client, server: LocalServer
) -> None:
    """Inside an unfinished stream, the same thread's next turn raises instead of hanging."""
    server.add(Turn(Text("a b c d", deltas=4), event_delay=0.05))
    with client.responses.connect() as conn, conn.stream(model="m", input="Hi") as stream:
        next(iter(stream))
        with pytest.raises(RuntimeError, match="holds the connection's turn"):
            conn.create(model="m", input="again")
        stream.final_response()
        assert conn.create(model="m", input="next").output_text == "You said: next"


def test_works_inside_a_running_event_loop(client: Client, server: LocalServer) -> None:
    """In ``asyncio.run`` (a notebook cell), the blocking connection serves turns."""

    async def cell() -> tuple[str, str]:
        asyncio.get_running_loop()
        with client.responses.connect() as conn:
            created = conn.create(model="m", input="from a loop")
            with conn.stream(model="m", input="streamed") as stream:
                streamed = "".join(stream.text_deltas())
        return created.output_text, streamed

    assert asyncio.run(cell()) == ("You said: from a loop", "You said: streamed")
    assert server.websocket_connections == 1


def test_errors_keep_their_classes(client: Client, server: LocalServer) -> None:
    """An error event raises its status's class; a refused handshake raises at `with`."""
    server.add(HTTPReply(429))
    with client.responses.connect() as conn, pytest.raises(RateLimitError):
        conn.create(model="m", input="Hi")
    server.refuse_websocket(HTTPReply(401))
    with pytest.raises(AuthenticationError), client.responses.connect():
        pass


def test_bad_arguments_raise_in_the_callers_thread(client: Client, server: LocalServer) -> None:
    """A forbidden key raises InvalidRequestError at the call; nothing is sent."""
    with client.responses.connect() as conn:
        with pytest.raises(InvalidRequestError, match="background"):
            conn.create(model="m", input="Hi", background=True)
        with pytest.raises(InvalidRequestError, match="stream_options"):
            conn.stream(model="m", input="Hi", stream_options={})
    assert server.requests == []


def test_a_tool_loop_and_a_conversation_over_the_socket(
    client: Client, server: LocalServer
) -> None:
    """run(connection=...) and conversation(connection=...) take the blocking connection."""
    server.add(ToolCall("get_weather", {"city": "Paris"}), Text("Sunny."))
    with client.responses.connect() as conn:
        result = client.responses.run(
            model="m", input="Weather?", tools=[get_weather], connection=conn
        )
        with client.responses.run_stream(
            model="m", input="Again", tools=[get_weather], connection=conn
        ) as run:
            streamed = run.final_result()
        chat = client.conversation(model="m", connection=conn)
        chat.send("Hello")
        reply = chat.send("Bye")
    assert result.output_text == "Sunny."
    assert streamed.output_text == "You said: Again"
    assert reply.output_text == "You said: Bye"
    assert len(chat.history) == 4
    assert server.websocket_connections == 1
    assert {request.method for request in server.requests} == {"WEBSOCKET"}


def test_closing_the_client_first_leaves_nothing_to_close(server: LocalServer) -> None:
    """A connection outliving its client: close() is a no-op, turns are refused."""
    client = Client(base_url=server.base_url)
    conn = client.responses.connect()
    conn.__enter__()
    assert conn.create(model="m", input="Hi").output_text == "You said: Hi"
    client.close()
    conn.close()
    with pytest.raises(RuntimeError, match="closed"):
        conn.create(model="m", input="again")
