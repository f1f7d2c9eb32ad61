"""Never run, only type-checked (``mypy --strict``): the public API as users write it."""

from __future__ import annotations

import attrs

import openresponses
from openresponses import (
    APIStatusError,
    AsyncClient,
    AsyncResponsesConnection,
    AttemptInfo,
    CallInfo,
    Client,
    CompactedResponse,
    Generation,
    Hook,
    Model,
    OutputTextDeltaEvent,
    ReasoningConfig,
    ReasoningEffort,
    Response,
    ResponseCompletedEvent,
    ResponseCreateParams,
    ResponsesConnection,
    StreamError,
    Timeout,
    ToolChoiceAllowed,
    UsageTotals,
    UsageTracker,
    function_tool,
)


@attrs.frozen
class City:
    name: str
    population: int


@function_tool
def weather(city: str, unit: str = "c") -> str:
    """Current weather.

    Args:
        city: City name.
        unit: "c" or "f".
    """
    return f"sunny in {city} ({unit})"


async def async_usage() -> None:
    async with AsyncClient(timeout=Timeout(stream_idle=30)) as client:
        resp: Response = await client.responses.create(model="m", input="Hi", max_output_tokens=64)
        text: str = resp.output_text
        print(text, resp.id, resp.status, resp.usage)

        async with client.responses.stream(model="m", input="Hi") as stream:
            async for event in stream:
                match event:
                    case OutputTextDeltaEvent(delta=delta):
                        print(delta)
                    case ResponseCompletedEvent():
                        pass
                    case _:
                        pass
            final: Response = await stream.final_response()
            print(final.output_text)

        async with client.responses.stream(model="m", input="Hi") as stream:
            async for piece in stream.text_deltas():
                print(piece, end="")

        parsed = await client.responses.parse(model="m", input="Paris?", text_format=City)
        city: City | None = parsed.output_parsed
        print(city)

        result = await client.responses.run(model="m", input="Weather?", tools=[weather])
        print(result.response.output_text, len(result.steps))

        results = await client.responses.batch([{"model": "m", "input": "a"}], concurrency=8)
        for item in results:
            if isinstance(item, Response):
                print(item.output_text)

        conversation = client.conversation(model="m", instructions="Be brief.")
        reply: Response = await conversation.send("Hello")
        print(reply.output_text)

        conn: AsyncResponsesConnection
        async with client.responses.connect(heartbeat=None) as conn:
            turn: Response = await conn.create(model="m", input="Hi")
            async with conn.stream(model="m", input="Hi") as turn_stream:
                async for piece in turn_stream.text_deltas():
                    print(piece, turn.output_text)
            ran = await client.responses.run(model="m", input="W", tools=[weather], connection=conn)
            over_socket = client.conversation(model="m", connection=conn)
            print(ran.output_text, (await over_socket.send("Hi")).output_text)

        compacted: CompactedResponse = await client.responses.compact(model="m", input="Hi")
        print(compacted.usage.input_tokens if compacted.usage else 0, compacted.output)
        long_chat = client.conversation(model="m", compact_at_tokens=100_000)
        again: CompactedResponse = await long_chat.compact()
        print(again.id)

        batch = await client.responses.batch([{"model": "m", "input": "Hi"}], max_cost=1.0)
        spent: UsageTotals = batch.summary.usage
        print(spent.cost, spent.total_tokens, batch.summary.not_started)
        stats: Generation = await client.generations.get("gen-1")
        models: list[Model] = await client.models.list(supported_parameters=["tools"])
        print(stats.model, [model.id for model in models])


class Timings(Hook):
    def on_attempt(self, call: CallInfo, attempt: AttemptInfo) -> None:
        print(call.operation, attempt.status_code, attempt.retry_in)


async def observed_usage() -> None:
    tracker = UsageTracker()
    async with AsyncClient(hooks=[Timings(), tracker], tracing=False) as client:
        await client.responses.create(model="m", input="Hi")
    totals: UsageTotals = tracker.totals
    print(totals.cost)
    try:
        pass
    except StreamError as exc:
        partial: Response | None = exc.response
        print(partial)
    except APIStatusError as exc:
        print(exc.status_code, exc.generation_id, exc.retryable)


async def typed_parameters(client: AsyncClient) -> None:
    """Enum fields are Literals and dict parameters TypedDicts of the wire shape, in both forms."""
    await client.responses.create(
        model="m",
        input="Hi",
        reasoning={"effort": "high", "summary": "auto", "max_tokens": 512},
        text={"format": {"type": "json_schema", "name": "city", "schema": {}}, "verbosity": "low"},
        provider={"order": ["openai"], "sort": {"by": "price"}, "max_price": {"prompt": 1}},
        tool_choice={"type": "allowed_tools", "tools": [{"type": "function", "name": "f"}]},
        include=["reasoning.encrypted_content"],
        service_tier="flex",
        truncation="auto",
    )
    effort: ReasoningEffort = "low"
    params: ResponseCreateParams = {"model": "m", "reasoning": ReasoningConfig(effort=effort)}
    await client.responses.create(**params)


async def typos_fail_mypy(client: AsyncClient) -> None:
    """What ``mypy --strict`` must refuse. Each ignore names the error it expects, and strict's
    ``warn_unused_ignores`` fails the run if a line stops being that error."""
    ReasoningConfig(effort="hihg")  # type: ignore[arg-type]
    await client.responses.create(model="m", reasoning={"effort": "hihg"})  # type: ignore[arg-type]
    await client.responses.create(model="m", reasoning={"efort": "low"})  # type: ignore[arg-type]
    await client.responses.create(model="m", provider={"sort": "cheap"})  # type: ignore[arg-type]
    await client.responses.create(model="m", text={"verbosity": "loud"})  # type: ignore[arg-type]
    await client.responses.create(model="m", service_tier="flexible")  # type: ignore[arg-type]
    await client.responses.create(model="m", tool_choice="requried")  # type: ignore[arg-type]
    await client.responses.create(model="m", include=["reasoning"])  # type: ignore[list-item]
    ToolChoiceAllowed()  # type: ignore[call-arg]
    bad: ResponseCreateParams = {"reasoning": {"effort": "hihg"}}  # type: ignore[typeddict-item]
    with Client() as blocking:
        blocking.responses.create(model="m", reasoning={"effort": "hihg"})  # type: ignore[arg-type]
    print(bad)


def sync_usage() -> None:
    with Client() as client:
        resp: Response = client.responses.create(model="m", input="Hi")
        print(resp.output_text)
        with client.responses.stream(model="m", input="Hi") as stream:
            for event in stream:
                print(event.type)
            final: Response = stream.final_response()
            print(final.id)
        by_schema = client.responses.parse(
            model="m", input="Paris?", text_format={"type": "object", "properties": {}}
        )
        print(by_schema.output_parsed)
        chat = client.conversation(model="m")
        print(chat.send("Hello").output_text, len(chat.history))
        blocking: ResponsesConnection
        with client.responses.connect() as blocking:
            print(blocking.create(model="m", input="Hi").output_text)
            with blocking.stream(model="m", input="Hi") as socket_stream:
                print("".join(socket_stream.text_deltas()))
            print(client.conversation(model="m", connection=blocking).send("Hi").output_text)
        print(client.responses.compact(model="m", input="Hi").id)
        print(client.conversation(model="m", compact_at_tokens=10).compact().output)
    print(openresponses.__version__)
