"""A multi-turn chat on a stateless server: the SDK keeps the history and resends all of it.

OpenRouter stores nothing between requests, so every turn must carry the earlier ones (reasoning
items with their encrypted content included); ``client.conversation(...)`` does that for you.

Run it: ``python examples/conversation.py``. With no key the SDK's local server answers, scripted
to remember the name only when the history arrives with the second request.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from openresponses import AsyncClient
from openresponses.conversation import AsyncConversation

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")


async def main() -> None:
    async with AsyncClient() as client:
        chat = client.conversation(model=MODEL, instructions="Answer in one short sentence.")
        first = await chat.send("Hi! My name is Ada and I map rivers.")
        print("assistant:", first.output_text)

        async with chat.stream("What is my name, and what do I do?") as stream:
            print("assistant: ", end="")
            async for text in stream.text_deltas():
                print(text, end="", flush=True)
            print()
        print(f"history: {len(chat.history)} items")

        # A conversation is plain data: save it, load it later, carry on.
        path = Path(tempfile.gettempdir()) / "openresponses-chat.json"
        chat.save(path)
        again = AsyncConversation.load(client, path)
        print(f"reloaded: {len(again.history)} items, model {again.model}")


if __name__ == "__main__":
    configured = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")
    if any(os.environ.get(name) for name in configured):
        asyncio.run(main())
    else:  # no key: the SDK's local server plays the model
        from openresponses.testing import LocalServer, RecordedRequest, Text

        def remember(request: RecordedRequest) -> Text:
            # The server keeps nothing: it can only know the name if the client resent it.
            sent = str(request.json["input"])
            return Text("You are Ada, and you map rivers." if "Ada" in sent else "Who are you?")

        with LocalServer() as server:
            server.add("Nice to meet you, Ada!", remember)
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            asyncio.run(main())
