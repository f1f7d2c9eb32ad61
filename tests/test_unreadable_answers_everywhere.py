"""A response with a part that is not an object is a ``ResponseValidationError`` on every
path: ``create``, a stream answered with JSON, a stream of the server's events and a WebSocket
turn; the local server streams such a body as it is instead of failing on it."""

from __future__ import annotations

from typing import Any

import pytest

from _support import ANSWER, make_client
from openresponses import AsyncClient, ResponseValidationError
from openresponses.testing import HTTPReply, LocalServer, ResponseJSON

pytestmark = pytest.mark.anyio

MESSAGE = ANSWER["output"][0]
BODIES = {
    "content part a string": (
        {**ANSWER, "output": [{**MESSAGE, "content": ["plain answer"]}]},
        "$.output[0].content[0]",
    ),
    "content part a number": (
        {**ANSWER, "output": [{**MESSAGE, "content": [5]}]},
        "$.output[0].content[0]",
    ),
    "summary part a string": (
        {**ANSWER, "output": [{"type": "reasoning", "id": "rs_1", "summary": ["why"]}]},
        "$.output[0].summary[0]",
    ),
    "reasoning part a list": (
        {**ANSWER, "output": [{"type": "reasoning", "id": "rs_1", "summary": [], "content": [[]]}]},
        "$.output[0].content[0]",
    ),
    "text not a string": (
        {**ANSWER, "output": [{**MESSAGE, "content": [{"type": "output_text", "text": 5}]}]},
        "$.output[0].content[0].text",
    ),
}


async def _stream(client: AsyncClient) -> None:
    async with client.responses.stream(model="m", input="Hi") as stream:
        await stream.final_response()


async def _turn(client: AsyncClient) -> None:
    async with client.responses.connect() as connection:
        await connection.create(model="m", input="Hi")


@pytest.mark.parametrize(("body", "path"), BODIES.values(), ids=BODIES.keys())
async def test_every_path_raises_the_same_validation_error(
    server: LocalServer, body: dict[str, Any], path: str
) -> None:
    """create, a JSON answer, the server's events and a socket turn each raise it, at the part."""
    server.add(ResponseJSON(body), HTTPReply(200, body), ResponseJSON(body), ResponseJSON(body))
    paths: list[str] = []
    async with make_client(server.base_url, max_retries=0) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.responses.create(model="m", input="Hi")
        paths.append(caught.value.path)
        for attempt in (_stream, _stream, _turn):
            with pytest.raises(ResponseValidationError) as caught:
                await attempt(client)
            paths.append(caught.value.path)
    # The events carry the item (or the part) on their own: their paths end alike.
    assert paths[:2] == [path, path]
    assert all(found.endswith(path.rpartition(".")[2]) for found in paths[2:])
    assert server.request_count == 4
