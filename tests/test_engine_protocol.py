"""The engine and its protocol: ``client.responses`` answers with the engine's own methods, and
the helpers run on any object that can create and stream a response, not only on a client."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from typing_extensions import Unpack

from openresponses import (
    AsyncClient,
    AsyncConversation,
    AsyncResponseStream,
    Response,
    ResponseCreateArgs,
    RetryPolicy,
)
from openresponses._engine import RequestEngine
from openresponses.batch import run_batch
from openresponses.parsing import parse_response
from openresponses.testing import LocalServer, Text, ToolCall
from openresponses.tools import function_tool, run_tools

pytestmark = pytest.mark.anyio


class Recording:
    """An engine of its own: it forwards to a client's ``responses`` and counts the calls."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self.calls: list[str] = []

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(max_retries=0)

    async def create(self, **params: Unpack[ResponseCreateArgs]) -> Response:
        self.calls.append("create")
        return await self._client.responses.create(**params)

    def stream(self, **params: Unpack[ResponseCreateArgs]) -> AsyncResponseStream:
        self.calls.append("stream")
        return self._client.responses.stream(**params)


@attrs.frozen
class City:
    name: str


@function_tool
def shout(text: str) -> str:
    """Upper-case the text.

    Args:
        text: What to shout.
    """
    return text.upper()


def test_create_and_stream_are_the_engines_own_bound_methods() -> None:
    """A request goes from ``client.responses`` straight to the engine: no frame of the face."""
    client = AsyncClient(base_url="http://127.0.0.1:9/v1")
    for name in ("create", "stream"):
        method: Any = getattr(client.responses, name)
        assert isinstance(method.__self__, RequestEngine)
        assert method.__func__ is getattr(RequestEngine, name)
        assert method.__doc__ == getattr(type(client.responses), name).__doc__


async def test_tools_parsing_conversations_and_batches_run_on_any_engine() -> None:
    """Every helper takes an object with ``create``, ``stream`` and ``retry_policy``."""
    async with LocalServer() as server, AsyncClient(base_url=server.base_url) as client:
        engine = Recording(client)
        server.add(ToolCall("shout", {"text": "hi"}))
        run = await run_tools(engine, model="m", input="Shout hi", tools=[shout])
        assert run.tool_results[0].output == "HI"

        server.add(Text('{"name": "Paris"}'))
        parsed = await parse_response(engine, model="m", input="City?", text_format=City)
        assert parsed.output_parsed == City(name="Paris")

        chat = AsyncConversation(engine, model="m")
        await chat.send("one")
        async with chat.stream("two") as stream:
            await stream.final_response()
        assert len(chat.history) == 4

        results = await run_batch(engine, [{"model": "m", "input": "x"}] * 3)
        assert all(isinstance(result, Response) for result in results)
    # Two turns of the tool run, the parse, a turn sent and one streamed, then the batch.
    assert engine.calls == ["create", "create", "create", "create", "stream"] + ["create"] * 3
    assert server.request_count == 8
