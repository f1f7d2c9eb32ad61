"""The helpers as client methods, async and blocking, over real HTTP to a ``LocalServer``.

``client.responses.run / run_stream / parse / batch / batch_iter`` and ``client.conversation``:
each scenario runs once on ``AsyncClient`` and once on the blocking ``Client``, and checks the
results and the requests the server recorded with the same helper.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from openresponses import (
    AsyncClient,
    AsyncConversation,
    BadRequestError,
    Client,
    Conversation,
    Message,
    ReasoningItem,
    RefusalError,
    Response,
    ToolResult,
    ToolRunResult,
    function_tool,
    to_dict,
)
from openresponses._client import AsyncResponses
from openresponses._sync import BatchIterator, ResponseStream, ToolRunStream
from openresponses.testing import (
    HTTPReply,
    LocalServer,
    Reasoning,
    RecordedRequest,
    RefusalMessage,
    Text,
    ToolCall,
    Turn,
    echo_reply,
)
from openresponses.tools import CallableTool

pytestmark = pytest.mark.anyio

MODEL = "openresponses/local"


# -- fixtures: a server and a client per test, in the test's loop or in threads


@pytest.fixture
async def aserver() -> AsyncIterator[LocalServer]:
    """A local server in the test's event loop, answering batch inputs by their number."""
    async with LocalServer(default=_batch_reply) as server:
        yield server


@pytest.fixture
async def aclient(aserver: LocalServer) -> AsyncIterator[AsyncClient]:
    """An AsyncClient of ``aserver`` that does not retry."""
    async with AsyncClient(base_url=aserver.base_url, max_retries=0) as client:
        yield client


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local server in a background thread (for the blocking client)."""
    with LocalServer(default=_batch_reply) as local:
        yield local


@pytest.fixture
def client(server: LocalServer) -> Iterator[Client]:
    """A blocking Client of ``server`` that does not retry."""
    with Client(base_url=server.base_url, max_retries=0) as blocking:
        yield blocking


# -- tools: a two-step loop whose two calls must run at the same time


def _parallel_tools() -> list[CallableTool[..., Any]]:
    """``add`` and ``mul``, each waiting until both have started: run one after the other, the
    first times out and the model is sent an error instead of its result."""
    started: list[str] = []
    both = asyncio.Event()

    async def meet(name: str) -> None:
        started.append(name)
        if len(started) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), timeout=2)

    @function_tool
    async def add(a: int, b: int) -> int:
        """Add two integers."""
        await meet("add")
        return a + b

    @function_tool
    async def mul(a: int, b: int) -> int:
        """Multiply two integers."""
        await meet("mul")
        return a * b

    return [add, mul]


def _script_tool_run(server: LocalServer) -> None:
    server.add(
        Turn(
            ToolCall("add", {"a": 2, "b": 3}, call_id="c_add"),
            ToolCall("mul", {"a": 4, "b": 5}, call_id="c_mul"),
        ),
        Text("5 and 20"),
    )


def _check_tool_run(result: ToolRunResult, server: LocalServer, *, stream: bool) -> None:
    assert result.stop_reason == "done"
    assert result.output_text == "5 and 20"
    assert len(result.steps) == 2
    assert [(r.call.call_id, r.output, r.ok) for r in result.tool_results] == [
        ("c_add", "5", True),
        ("c_mul", "20", True),
    ]
    first, second = (request.json for request in server.requests)
    assert [first["stream"], second["stream"]] == [stream, stream]
    assert [tool["name"] for tool in second["tools"]] == ["add", "mul"]
    assert first["input"] == [{"type": "message", "role": "user", "content": "Compute"}]
    # The stateless second turn resends everything: the user turn, both calls as the server
    # returned them, and one function_call_output per call.
    calls = [to_dict(item) for item in result.steps[0].output]
    assert second["input"] == [
        *first["input"],
        *calls,
        {"type": "function_call_output", "call_id": "c_add", "output": "5"},
        {"type": "function_call_output", "call_id": "c_mul", "output": "20"},
    ]
    assert [to_dict(item) for item in result.history] == [
        *second["input"],
        *(to_dict(item) for item in result.response.output),
    ]


async def test_run_answers_parallel_calls_async(aclient: AsyncClient, aserver: LocalServer) -> None:
    """``AsyncClient.responses.run`` runs both calls concurrently and resends the whole history."""
    _script_tool_run(aserver)
    result = await aclient.responses.run(model=MODEL, input="Compute", tools=_parallel_tools())
    _check_tool_run(result, aserver, stream=False)


def test_run_answers_parallel_calls_sync(client: Client, server: LocalServer) -> None:
    """``Client.responses.run`` runs both calls concurrently and resends the whole history."""
    _script_tool_run(server)
    result = client.responses.run(model=MODEL, input="Compute", tools=_parallel_tools())
    _check_tool_run(result, server, stream=False)


def _check_run_events(events: list[Any]) -> None:
    kinds = [event.type for event in events]
    assert kinds.count("response.created") == 2
    assert kinds.count("response.completed") == 2
    assert kinds.count("response.function_call_arguments.done") == 2
    assert "response.output_text.delta" in kinds
    # Turn one's events, then one ToolResult per call, then turn two's events.
    first_done = kinds.index("response.completed")
    second_start = kinds.index("response.created", first_done)
    between = events[first_done + 1 : second_start]
    assert [(type(e), e.call.call_id) for e in between] == [
        (ToolResult, "c_add"),
        (ToolResult, "c_mul"),
    ]
    assert not any(isinstance(event, ToolResult) for event in events[second_start:])


async def test_run_stream_yields_every_turn_async(
    aclient: AsyncClient, aserver: LocalServer
) -> None:
    """``run_stream`` gives the events of both turns, the tool results between, the result."""
    _script_tool_run(aserver)
    async with aclient.responses.run_stream(
        model=MODEL, input="Compute", tools=_parallel_tools()
    ) as run:
        events = [event async for event in run]
        result = await run.final_result()
    _check_run_events(events)
    _check_tool_run(result, aserver, stream=True)


def test_run_stream_yields_every_turn_sync(client: Client, server: LocalServer) -> None:
    """The blocking ``run_stream`` gives the same events of both turns, then the run's result."""
    _script_tool_run(server)
    with client.responses.run_stream(model=MODEL, input="Compute", tools=_parallel_tools()) as run:
        assert isinstance(run, ToolRunStream)
        events = list(run)
        result = run.final_result()
    _check_run_events(events)
    _check_tool_run(result, server, stream=True)


# -- structured output


@attrs.frozen
class Forecast:
    """A weather forecast."""

    city: str
    celsius: float
    alert: str | None = None


FORECAST = '{"city": "Paris", "celsius": 21, "alert": null}'
COUNT_SCHEMA = {
    "type": "object",
    "properties": {"n": {"type": "integer"}},
    "required": ["n"],
    "additionalProperties": False,
}


def _check_parse_requests(server: LocalServer) -> None:
    forecast, count = (request.json["text"]["format"] for request in server.requests)
    assert forecast["type"] == "json_schema"
    assert forecast["name"] == "Forecast"
    assert forecast["strict"] is True
    assert forecast["schema"]["required"] == ["city", "celsius", "alert"]
    assert count["schema"] == COUNT_SCHEMA


async def test_parse_builds_the_class_async(aclient: AsyncClient, aserver: LocalServer) -> None:
    """``parse`` sends the strict format and builds the attrs class (or returns the dict)."""
    aserver.add(Text(FORECAST), Text('{"n": 3}'))
    parsed = await aclient.responses.parse(model=MODEL, input="Paris?", text_format=Forecast)
    assert parsed.output_parsed == Forecast(city="Paris", celsius=21.0)
    assert isinstance(parsed.output_parsed.celsius, float)
    counted = await aclient.responses.parse(model=MODEL, input="n?", text_format=COUNT_SCHEMA)
    assert counted.output_parsed == {"n": 3}
    _check_parse_requests(aserver)


def test_parse_builds_the_class_sync(client: Client, server: LocalServer) -> None:
    """The blocking ``parse`` takes both forms of ``text_format``, as the async overloads do."""
    server.add(Text(FORECAST), Text('{"n": 3}'))
    parsed = client.responses.parse(model=MODEL, input="Paris?", text_format=Forecast)
    assert parsed.output_parsed == Forecast(city="Paris", celsius=21.0)
    counted = client.responses.parse(model=MODEL, input="n?", text_format=COUNT_SCHEMA)
    assert counted.output_parsed == {"n": 3}
    _check_parse_requests(server)


async def test_parse_refusal_raises_async(aclient: AsyncClient, aserver: LocalServer) -> None:
    """A refusal raises ``RefusalError`` carrying the refusal text and the Response."""
    aserver.add(RefusalMessage("I cannot forecast."))
    with pytest.raises(RefusalError) as caught:
        await aclient.responses.parse(model=MODEL, input="x", text_format=Forecast)
    assert caught.value.refusal == "I cannot forecast."
    assert caught.value.response.status == "completed"


def test_parse_refusal_raises_sync(client: Client, server: LocalServer) -> None:
    """The blocking ``parse`` raises the same ``RefusalError``, with its Response."""
    server.add(RefusalMessage("I cannot forecast."))
    with pytest.raises(RefusalError) as caught:
        client.responses.parse(model=MODEL, input="x", text_format=Forecast)
    assert caught.value.refusal == "I cannot forecast."
    assert caught.value.response.status == "completed"


# -- batches: later inputs answer first, and input "fail" is refused


BATCH_SIZE = 4


def _batch_reply(request: RecordedRequest) -> Any:
    """The servers' default reply: batch inputs by number, anything else echoed."""
    text = request.json["input"]
    if text == "fail":
        return HTTPReply(400, {"error": {"code": 400, "message": "bad input"}})
    if isinstance(text, str) and text.isdigit():
        return Turn(Text(f"answer {text}"), delay=0.15 * (BATCH_SIZE - 1 - int(text)))
    return echo_reply(request)


def _batch_requests(failing: int | None = None) -> list[dict[str, Any]]:
    return [
        {"model": MODEL, "input": "fail" if index == failing else str(index)}
        for index in range(BATCH_SIZE)
    ]


def _check_batch(results: list[Response | Exception], server: LocalServer) -> None:
    assert len(results) == BATCH_SIZE
    assert isinstance(results[1], BadRequestError)
    assert results[1].message == "bad input"
    answers = [r.output_text for r in results if isinstance(r, Response)]
    assert answers == ["answer 0", "answer 2", "answer 3"]
    assert len(server.requests) == BATCH_SIZE  # a 400 is not retried


def _check_batch_iter(pairs: list[tuple[int, Any]]) -> None:
    assert sorted(index for index, _ in pairs) == list(range(BATCH_SIZE))
    assert pairs[0][0] == BATCH_SIZE - 1  # the one with no delay comes first
    assert all(result.output_text == f"answer {index}" for index, result in pairs)


async def test_batch_returns_in_input_order_async(
    aclient: AsyncClient, aserver: LocalServer
) -> None:
    """``batch`` returns results in input order, the refused request as its error."""
    results = await aclient.responses.batch(_batch_requests(failing=1), concurrency=BATCH_SIZE)
    _check_batch(results, aserver)


def test_batch_returns_in_input_order_sync(client: Client, server: LocalServer) -> None:
    """The blocking ``batch`` returns results in input order, the refused request as its error."""
    results = client.responses.batch(_batch_requests(failing=1), concurrency=BATCH_SIZE)
    _check_batch(results, server)


async def test_batch_iter_pairs_indices_async(aclient: AsyncClient) -> None:
    """``batch_iter`` yields ``(index, result)`` as requests complete, every index once."""
    async with aclient.responses.batch_iter(_batch_requests(), concurrency=BATCH_SIZE) as batch:
        pairs = [pair async for pair in batch]
    _check_batch_iter(pairs)


def test_batch_iter_pairs_indices_sync(client: Client) -> None:
    """The blocking ``batch_iter`` yields the same ``(index, result)`` pairs as they complete."""
    with client.responses.batch_iter(_batch_requests(), concurrency=BATCH_SIZE) as batch:
        assert isinstance(batch, BatchIterator)
        pairs = list(batch)
    _check_batch_iter(pairs)


# -- conversations: send, stream, send; then save and load


def _user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text}


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


async def test_conversation_three_turns_async(aclient: AsyncClient, aserver: LocalServer) -> None:
    """Send, stream, send: the third request carries every earlier item, reasoning included."""
    _script_conversation(aserver)
    conv = aclient.conversation(model=MODEL, instructions="Be brief.", reasoning={"effort": "low"})
    assert isinstance(conv, AsyncConversation)
    await conv.send("one")
    async with conv.stream("two") as stream:
        streamed = "".join([delta async for delta in stream.text_deltas()])
    await conv.send("three")
    _check_conversation(conv.history, aserver, streamed)


def test_conversation_three_turns_sync(client: Client, server: LocalServer) -> None:
    """The blocking conversation: send, stream, send, with the whole history each turn."""
    _script_conversation(server)
    conv = client.conversation(model=MODEL, instructions="Be brief.", reasoning={"effort": "low"})
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


async def test_conversation_save_and_load_async(
    aclient: AsyncClient, aserver: LocalServer, tmp_path: Path
) -> None:
    """A saved conversation loads back with its history and goes on from where it stopped."""
    conv = aclient.conversation(model=MODEL, instructions="Be brief.")
    await conv.send("one")
    await conv.send("two")
    conv.save(tmp_path / "chat.json")
    loaded = AsyncConversation.load(aclient, tmp_path / "chat.json")
    assert (loaded.model, loaded.instructions) == (MODEL, "Be brief.")
    assert loaded.history == conv.history
    assert len(loaded.history) == 4
    await loaded.send("three")
    _check_reloaded(conv.history, loaded.history, aserver)


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


# -- the blocking twins mirror the async methods


def _parameters(method: Any, *, drop_first: bool) -> list[inspect.Parameter]:
    parameters = list(inspect.signature(method).parameters.values())
    return parameters[1:] if drop_first else parameters


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def test_sync_twins_mirror_the_async_signatures() -> None:
    """Every public method of ``AsyncResponses`` has a blocking twin with the same parameters,
    and so do ``conversation`` and the conversation's methods."""
    sync = Client(base_url="http://127.0.0.1:9/v1")
    try:
        assert _public(type(sync.responses)) == _public(AsyncResponses)
        for name in sorted(_public(AsyncResponses)):
            twin = getattr(sync.responses, name)
            original = getattr(AsyncResponses, name)
            assert _parameters(twin, drop_first=False) == _parameters(original, drop_first=True)
            assert twin.__doc__ == original.__doc__, name
        assert _parameters(sync.conversation, drop_first=False) == _parameters(
            AsyncClient.conversation, drop_first=True
        )
        conv = sync.conversation(model=MODEL)
        for name in ("send", "stream"):
            assert _parameters(getattr(conv, name), drop_first=False) == _parameters(
                getattr(AsyncConversation, name), drop_first=True
            )
        for name in ("load", "from_json"):
            # Both take their client first: the async one an AsyncClient, the twin a Client.
            assert _parameters(getattr(Conversation, name), drop_first=True) == _parameters(
                getattr(AsyncConversation, name), drop_first=True
            )
        stream = inspect.signature(sync.responses.run_stream).return_annotation
        assert stream == "ToolRunStream"
    finally:
        sync.close()
