"""Stream an answer and react to each kind of event with ``match``.

Run it: ``python examples/streaming.py``. With OPENROUTER_API_KEY set it asks OpenRouter; with
OPENRESPONSES_BASE_URL set it asks that server; with neither, the SDK's local server answers.
"""

from __future__ import annotations

import asyncio
import os

from openresponses import (
    AsyncClient,
    FunctionCallArgumentsDoneEvent,
    OutputTextDeltaEvent,
    ReasoningSummaryTextDeltaEvent,
    RefusalDeltaEvent,
    ResponseCompletedEvent,
    ResponseIncompleteEvent,
    StreamError,
    UnknownEvent,
)

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")


async def main() -> None:
    async with AsyncClient() as client:
        try:
            async with client.responses.stream(
                model=MODEL,
                input="Describe a river delta in two sentences.",
                reasoning={"effort": "low", "summary": "auto"},
            ) as stream:
                async for event in stream:
                    match event:
                        case OutputTextDeltaEvent(delta=text) | RefusalDeltaEvent(delta=text):
                            print(text, end="", flush=True)
                        case ReasoningSummaryTextDeltaEvent(delta=text):
                            print(f"[thinking] {text}", flush=True)
                        case FunctionCallArgumentsDoneEvent(name=name, arguments=arguments):
                            print(f"\n[tool call] {name}({arguments})")
                        case ResponseIncompleteEvent(response=response):
                            reason = response.incomplete_details
                            print(f"\n[cut short: {reason.reason if reason else 'unknown'}]")
                        case ResponseCompletedEvent(response=response) if response.usage:
                            print(f"\n[done: {response.usage.output_tokens} output tokens]")
                        case UnknownEvent(type=kind):
                            print(f"\n[an event this SDK does not know yet: {kind}]")
                        case _:
                            pass  # lifecycle events: created, in_progress, item added/done, ...
                final = await stream.final_response()
        except StreamError as exc:
            # The server failed mid-stream; exc.response holds what had arrived.
            print(f"\nstream failed: {exc} (generation id {exc.generation_id})")
            return
        print(f"status: {final.status}, generation id: {stream.generation_id}")


if __name__ == "__main__":
    configured = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")
    if any(os.environ.get(name) for name in configured):
        asyncio.run(main())
    else:  # no key: the SDK's local server answers instead (it echoes the prompt)
        from openresponses.testing import LocalServer

        with LocalServer() as server:
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            asyncio.run(main())
