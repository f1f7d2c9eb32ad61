"""A multi-turn tool loop over one WebSocket (Open Responses WebSocket mode).

Each turn of the loop (the model asks for a tool, the SDK runs it and sends the result back) is
one ``response.create`` message on the same socket, with no new HTTP request per turn. A follow-up
question goes on over that socket with the loop's history, its text streamed as it arrives.

Run it: ``python examples/websocket.py``. OpenRouter has no WebSocket endpoint, so this talks to
the Open Responses server named by ``OPENRESPONSES_BASE_URL`` (one that speaks WebSocket mode);
with none named the SDK's local server plays the model, scripted to call the tools one turn at a
time.
"""

from __future__ import annotations

import asyncio
import os

from openresponses import AsyncClient, OutputTextDeltaEvent, function_tool

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")


@function_tool
async def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: City name, e.g. "Paris".
    """
    await asyncio.sleep(0.05)  # a real tool would call a weather service here
    weather = {"Paris": "18 °C and sunny", "Oslo": "4 °C and raining"}.get(city, "12 °C")
    return f"{weather} in {city}"


async def main() -> None:
    async with AsyncClient() as client, client.responses.connect() as conn:
        print(f"connected: {conn!r}")
        result = await client.responses.run(
            model=MODEL,
            input="Is it warmer in Paris or in Oslo right now? Check one city at a time.",
            tools=[get_weather],
            max_steps=5,
            connection=conn,  # every turn of the loop: one message on this socket
        )
        for tool_result in result.tool_results:
            call = tool_result.call
            print(f"{call.name}({call.arguments}) -> {tool_result.output}")
        print(f"answer ({result.stop_reason}, turns: {len(result.steps)}): {result.output_text}")

        # The history goes on over the same socket, in a loop streamed as it arrives.
        history = [*result.history, {"role": "user", "content": "Pack for which?"}]
        print("follow-up: ", end="")
        async with client.responses.run_stream(
            model=MODEL, input=history, tools=[get_weather], connection=conn
        ) as run:
            async for event in run:
                if isinstance(event, OutputTextDeltaEvent):
                    print(event.delta, end="", flush=True)
            follow_up = await run.final_result()
        print(f"\n({follow_up.stop_reason}, turns: {len(follow_up.steps)})")


if __name__ == "__main__":
    if os.environ.get("OPENRESPONSES_BASE_URL"):
        asyncio.run(main())
    else:  # no server named: the SDK's local server plays the model
        from openresponses.testing import LocalServer, ToolCall

        for name in ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY"):
            os.environ.pop(name, None)  # the local server needs no key; a real one stays home
        with LocalServer() as server:
            server.add(
                ToolCall("get_weather", {"city": "Paris"}),
                ToolCall("get_weather", {"city": "Oslo"}),
            )
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            asyncio.run(main())
            handshakes = server.websocket_connections
            print(
                f"local server: turns: {server.request_count}, WebSocket handshakes: {handshakes}"
            )
