"""A tool loop: the model calls Python functions, the SDK runs them and sends the results back.

Run it: ``python examples/tool_loop.py``. With OPENROUTER_API_KEY set a real model decides which
tools to call; with no key the SDK's local server plays the model, scripted to call
``get_weather``.
"""

from __future__ import annotations

import asyncio
import os
from typing import Literal

from openresponses import AsyncClient, function_tool

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")


@function_tool
async def get_weather(city: str, unit: Literal["c", "f"] = "c") -> str:
    """The current weather in a city.

    Args:
        city: City name, e.g. "Paris".
        unit: Temperature unit.
    """
    await asyncio.sleep(0.1)  # a real tool would call a weather service here
    return f"18 °{unit.upper()} and sunny in {city}"


@function_tool
def local_time(city: str) -> str:
    """The local time in a city (a sync function: it runs in a worker thread)."""
    return f"It is 14:05 in {city}."


async def main() -> None:
    async with AsyncClient() as client:
        result = await client.responses.run(
            model=MODEL,
            input="What's the weather like in Paris right now, and what time is it there?",
            tools=[get_weather, local_time],
            max_steps=5,  # model turns at most; the calls of one turn run concurrently
        )
    for tool_result in result.tool_results:
        call = tool_result.call
        print(f"{call.name}({call.arguments}) -> {tool_result.output}")
    print(f"answer ({result.stop_reason}, {len(result.steps)} responses): {result.output_text}")


if __name__ == "__main__":
    configured = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")
    if any(os.environ.get(name) for name in configured):
        asyncio.run(main())
    else:  # no key: the SDK's local server plays the model
        from openresponses.testing import LocalServer, ToolCall, Turn

        with LocalServer() as server:
            # First turn: two tool calls at once. The next turn echoes the tool output back.
            server.add(
                Turn(
                    ToolCall("get_weather", {"city": "Paris", "unit": "c"}),
                    ToolCall("local_time", {"city": "Paris"}),
                )
            )
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            asyncio.run(main())
