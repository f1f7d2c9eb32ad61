"""``openresponses demo``: a short tour of the SDK against the built-in local server (no API key,
no network): a streamed answer, a tool call round trip, a concurrent batch, errors handled, two
turns over one WebSocket before a compaction, and what a call cost and took.

Each step queues the replies it needs on the server, then calls the client as a user would.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Final

from openresponses import (
    AsyncClient,
    AuthenticationError,
    Response,
    StreamError,
    function_tool,
    http_info,
)

from ._console import DEFAULT_MODEL, OK, error_line, usd, write

if TYPE_CHECKING:
    from openresponses.testing import LocalServer, RecordedRequest, Turn

__all__ = ["demo"]

_HAIKU: Final = "Rivers carve the stone,\npatient water, endless song:\nthe sea calls them home."


async def demo() -> int:
    """Take the tour; the exit status."""
    from openresponses.testing import LocalServer

    write("openresponses demo: a tour on the built-in local server (no API key, no network)\n")
    async with (
        LocalServer() as server,
        # A placeholder key: the local server needs none, and a real one should not go there.
        AsyncClient(api_key="local", base_url=server.base_url) as client,
    ):
        for step in (
            _demo_stream,
            _demo_tools,
            _demo_batch,
            _demo_errors,
            _demo_websocket,
            _demo_catalogue,
        ):
            await step(server, client)
    write(
        '\nNext: `openresponses "your prompt"` (set OPENROUTER_API_KEY for a real model), '
        "and the README's quickstarts.\n"
    )
    return OK


def _heading(number: int, title: str, code: str) -> None:
    write(f"\n{number}. {title}\n   {code}\n   ")


async def _demo_stream(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import Text, Turn

    _heading(1, "A streamed answer", "async for text in stream.text_deltas(): print(text)")
    server.add(Turn(Text(_HAIKU), event_delay=0.03))
    async with client.responses.stream(model=DEFAULT_MODEL, input="A haiku about rivers") as stream:
        async for text in stream.text_deltas():
            write(text.replace("\n", "\n   "))
        response = await stream.final_response()
    usage = response.usage
    tokens = f", {usage.output_tokens} output tokens" if usage is not None else ""
    write(f"\n   ({response.status}, generation id {stream.generation_id}{tokens})\n")


async def _demo_tools(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import ToolCall

    _heading(2, "A tool call round trip", "await client.responses.run(..., tools=[get_weather])")

    @function_tool
    async def get_weather(city: str) -> str:
        """The current weather in a city.

        Args:
            city: City name, e.g. "Paris".
        """
        return f"18 °C and sunny in {city}"

    # The model asks for the tool; the default reply then answers with what the tool said.
    server.add(ToolCall("get_weather", {"city": "Paris"}))
    result = await client.responses.run(
        model=DEFAULT_MODEL, input="What's the weather in Paris?", tools=[get_weather]
    )
    for tool_result in result.tool_results:
        call = tool_result.call
        write(f"the model called {call.name}({call.arguments}) -> {tool_result.output!r}\n   ")
    write(f"answer after {len(result.steps)} responses: {result.output_text}\n")


async def _demo_batch(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import Turn, echo_reply

    count, latency = 8, 0.25
    _heading(3, "A concurrent batch", "await client.responses.batch(requests, concurrency=8)")

    def slow(request: RecordedRequest) -> Turn:
        return Turn(*echo_reply(request).items, delay=latency)

    def progress(done: int, total: int | None) -> None:
        # Rewritten in place on a terminal; elsewhere only the last count is worth a line.
        if sys.stdout.isatty():
            write(f"\r   batch: {done}/{total} done")
        elif done == total:
            write(f"batch: {done}/{total} done")

    server.add(slow, times=count)
    requests = [{"model": DEFAULT_MODEL, "input": f"Question {n}"} for n in range(count)]
    started = time.monotonic()
    results = await client.responses.batch(requests, concurrency=count, progress=progress)
    elapsed = time.monotonic() - started
    answered = sum(isinstance(result, Response) for result in results)
    write(
        f"\n   {answered} answers in {elapsed:.2f} s, each taking {latency} s on the server "
        f"(one after another: {count * latency:.1f} s)\n"
    )


async def _demo_errors(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import HTTPReply, InBandError, Text, Turn

    _heading(4, "Errors, handled", "except RateLimitError / AuthenticationError / StreamError")
    # A 429 is retried for you (Retry-After honoured); the caller sees only the answer.
    server.add(HTTPReply(429, headers={"Retry-After": "0"}))
    before = server.request_count
    response = await client.responses.create(model=DEFAULT_MODEL, input="Are you there?")
    tries = server.request_count - before
    write(f"429 Too Many Requests, retried: {response.output_text!r} after {tries} requests\n   ")
    # A 401 is not retried: one typed error with the server's message and generation id.
    server.add(
        HTTPReply(401, body={"error": {"code": 401, "message": "No auth credentials found"}})
    )
    try:
        await client.responses.create(model=DEFAULT_MODEL, input="Hi")
    except AuthenticationError as exc:
        write(f"{error_line(exc)}, retryable={exc.retryable}\n   ")
    # An error after HTTP 200, mid-stream: StreamError keeps what had arrived.
    broken = InBandError(code=502, message="Provider disconnected", shape="openrouter")
    server.add(
        Turn(Text("Half an answer, then"), stream_error=broken, error_after=7, terminal=False)
    )
    try:
        async with client.responses.stream(model=DEFAULT_MODEL, input="Go on") as stream:
            await stream.final_response()
    except StreamError as exc:
        partial = exc.response.output_text if exc.response is not None else ""
        write(f"{error_line(exc)}; partial text kept: {partial!r}\n")


async def _demo_websocket(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import Text, Turn

    _heading(
        5,
        "Two turns over one WebSocket, then a compaction",
        "async with client.responses.connect() as conn: client.conversation(connection=conn)",
    )
    server.add(
        Text("Nice to meet you, Ada."),
        Turn(Text("You are Ada, as you said one turn ago."), event_delay=0.03),
    )
    before = server.request_count
    async with client.responses.connect() as conn:
        chat = client.conversation(model=DEFAULT_MODEL, connection=conn)
        write("> My name is Ada.\n   ")
        write(f"{(await chat.send('My name is Ada.')).output_text}\n   ")
        write("> Who am I?\n   ")
        async with chat.stream("Who am I?") as stream:
            async for text in stream.text_deltas():
                write(text)
        turns = server.request_count - before
        write(f"\n   ({turns} turns, {server.websocket_connections} WebSocket handshake)\n   ")
        # Compaction is a plain POST /responses/compact, even for a conversation on a socket.
        length = len(chat.history)
        compacted = await chat.compact()
    kinds = ", ".join(item.type for item in compacted.output)
    write(f"await chat.compact() (POST /responses/compact): {length} history items -> {kinds}\n")


async def _demo_catalogue(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import Text, Turn

    _heading(
        6,
        "What a call cost and took, and the model catalogue",
        "await client.generations.get(generation_id); await client.models.list()",
    )
    # The usage OpenRouter reports, cost included (the local server itself charges nothing).
    usage = {"input_tokens": 12, "output_tokens": 5, "total_tokens": 17, "cost": 0.00021}
    server.add(Turn(Text("It cost next to nothing."), delay=0.2, usage=usage))
    response = await client.responses.create(model=DEFAULT_MODEL, input="What did this cost?")
    info = http_info(response)
    generation_id = info.generation_id if info is not None else None
    stats = await client.generations.get(generation_id or "")
    lines = [
        f"generation {stats.id}: {stats.tokens_prompt} + {stats.tokens_completion} tokens, "
        f"{usd(stats.total_cost or 0)}, {stats.latency} ms, served by {stats.provider_name}"
    ]
    for model in await client.models.list():
        price = model.pricing.price("prompt") if model.pricing is not None else None
        cost = "free" if not price else f"${price * 1_000_000:.2f} per million input tokens"
        lines.append(f"{model.id}: {model.context_length or 0:,} tokens of context, {cost}")
    write("\n   ".join(lines) + "\n")
