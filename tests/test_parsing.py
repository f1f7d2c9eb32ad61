"""Structured output: the strict json_schema request, the parsed value, and every typed failure."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from typing import Any, Literal

import attrs
import pytest

from openresponses import (
    AsyncClient,
    Client,
    IncompleteOutputError,
    InvalidRequestError,
    OpenResponsesError,
    OutputParseError,
    ParsedResponse,
    RefusalError,
    StructuredOutputError,
)
from openresponses.parsing import json_schema_format, parse_output, parse_response
from openresponses.testing import LocalServer, RefusalMessage, Text, Turn
from openresponses.types import Message, OutputText, Response, TextConfig

pytestmark = pytest.mark.anyio


class Sky(enum.Enum):
    CLEAR = "clear"
    CLOUDY = "cloudy"


@attrs.frozen
class Forecast:
    """A weather forecast.

    Attributes:
        city: Where.
        celsius: Temperature in degrees Celsius.
    """

    city: str
    celsius: float
    sky: Sky
    hours: list[int]
    alert: str | None = None


FORECAST_SCHEMA = {
    "type": "object",
    "description": "A weather forecast.",
    "properties": {
        "city": {"type": "string", "description": "Where."},
        "celsius": {"type": "number", "description": "Temperature in degrees Celsius."},
        "sky": {"type": "string", "enum": ["clear", "cloudy"]},
        "hours": {"type": "array", "items": {"type": "integer"}},
        "alert": {"type": ["string", "null"]},
    },
    "required": ["city", "celsius", "sky", "hours", "alert"],
    "additionalProperties": False,
}
GOOD = '{"city": "Paris", "celsius": 21, "sky": "clear", "hours": [9, 12], "alert": null}'


@pytest.fixture
async def client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(base_url=server.base_url, max_retries=0) as api:
        yield api


async def test_parse_success_sends_strict_format_and_builds_the_class(
    server: LocalServer, client: AsyncClient
) -> None:
    """The request carries the flat strict json_schema format; the answer becomes a Forecast."""
    server.add(Text(GOOD))
    parsed = await parse_response(client, model="m", input="Paris?", text_format=Forecast)
    assert parsed.output_parsed == Forecast(
        city="Paris", celsius=21.0, sky=Sky.CLEAR, hours=[9, 12], alert=None
    )
    assert isinstance(parsed.output_parsed.celsius, float)
    assert parsed.output_text == GOOD
    assert parsed.status == "completed"
    assert parsed.id == parsed.response.id
    assert server.requests[0].json["text"] == {
        "format": {
            "type": "json_schema",
            "name": "Forecast",
            "schema": FORECAST_SCHEMA,
            "description": "A weather forecast.",
            "strict": True,
        }
    }


async def test_refusal_raises_refusal_error(server: LocalServer, client: AsyncClient) -> None:
    """A refusal raises RefusalError with the refusal text and the Response."""
    server.add(RefusalMessage("I can't help with that."))
    with pytest.raises(RefusalError, match="the model refused: I can't help") as caught:
        await parse_response(client, model="m", input="x", text_format=Forecast)
    assert caught.value.refusal == "I can't help with that."
    assert caught.value.response.status == "completed"
    assert isinstance(caught.value, StructuredOutputError)
    assert isinstance(caught.value, OpenResponsesError)


async def test_incomplete_raises_incomplete_error(server: LocalServer, client: AsyncClient) -> None:
    """Output cut off by max_output_tokens raises IncompleteOutputError with the partial text."""
    server.add(Turn(Text('{"city": "Par'), status="incomplete"))
    with pytest.raises(IncompleteOutputError, match="max_output_tokens") as caught:
        await parse_response(
            client, model="m", input="x", text_format=Forecast, max_output_tokens=16
        )
    assert caught.value.reason == "max_output_tokens"
    assert caught.value.text == '{"city": "Par'
    assert caught.value.response.status == "incomplete"


async def test_schema_mismatch_raises_parse_error_with_paths(
    server: LocalServer, client: AsyncClient
) -> None:
    """JSON that does not fit the class raises OutputParseError listing each problem."""
    server.add(Text('{"city": 5, "celsius": "warm", "sky": "foggy", "hours": [1], "x": 1}'))
    with pytest.raises(OutputParseError, match="does not fit Forecast") as caught:
        await parse_response(client, model="m", input="x", text_format=Forecast)
    assert caught.value.errors == [
        ("$.x", "unexpected property"),
        ("$.city", "expected string, got integer 5"),
        ("$.celsius", 'expected number, got string "warm"'),
        ("$.sky", 'expected one of "clear", "cloudy", got string "foggy"'),
    ]
    assert caught.value.text.startswith('{"city": 5')
    assert caught.value.__cause__ is None


async def test_non_json_text_raises_parse_error(server: LocalServer, client: AsyncClient) -> None:
    """Prose instead of JSON raises OutputParseError, not a JSONDecodeError."""
    server.add(Text("Sure! It is sunny in Paris."))
    with pytest.raises(OutputParseError, match="not JSON") as caught:
        await parse_response(client, model="m", input="x", text_format=Forecast)
    assert not isinstance(caught.value, ValueError)
    assert caught.value.text == "Sure! It is sunny in Paris."


async def test_failed_response_raises_the_base_error(
    server: LocalServer, client: AsyncClient
) -> None:
    """A failed response raises StructuredOutputError carrying the server's message."""
    server.add(Turn(status="failed", error={"code": "server_error", "message": "boom"}))
    with pytest.raises(StructuredOutputError, match="the response failed: boom") as caught:
        await parse_response(client, model="m", input="x", text_format=Forecast)
    assert type(caught.value) is StructuredOutputError


async def test_schema_dict_is_sent_as_given_and_returns_json(
    server: LocalServer, client: AsyncClient
) -> None:
    """A JSON schema dict is sent strict under its title, and output_parsed is the decoded JSON."""
    schema = {
        "title": "Answer",
        "type": "object",
        "properties": {"ok": {"type": "boolean"}},
        "required": ["ok"],
        "additionalProperties": False,
    }
    server.add(Text('{"ok": true}'))
    parsed = await parse_response(client, model="m", input="x", text_format=schema)
    assert parsed.output_parsed == {"ok": True}
    sent = server.requests[0].json["text"]["format"]
    assert (sent["name"], sent["schema"], sent["strict"]) == ("Answer", schema, True)


async def test_text_settings_are_kept_and_conflicts_refused(
    server: LocalServer, client: AsyncClient
) -> None:
    """Other text settings survive; a second format or stream=True is refused before sending."""
    server.add(Text(GOOD))
    await parse_response(
        client, model="m", input="x", text_format=Forecast, text={"verbosity": "low"}
    )
    assert server.requests[0].json["text"]["verbosity"] == "low"
    with pytest.raises(InvalidRequestError, match=r"text_format or text\.format"):
        await parse_response(
            client,
            model="m",
            input="x",
            text_format=Forecast,
            text=TextConfig(format=json_schema_format(Forecast)),
        )
    with pytest.raises(InvalidRequestError, match="stream"):
        await parse_response(client, model="m", input="x", text_format=Forecast, stream=True)
    assert len(server.requests) == 1


async def test_parse_output_reads_a_streamed_response(
    server: LocalServer, client: AsyncClient
) -> None:
    """parse_output turns a stream's final response into the class, preambles ignored."""
    server.add(Turn(Text("Here you go:"), Text(GOOD, deltas=3)))
    async with client.responses.stream(
        model="m", input="x", text={"format": json_schema_format(Forecast)}
    ) as stream:
        final = await stream.final_response()
    parsed: ParsedResponse[Forecast] = parse_output(final, Forecast)
    assert parsed.output_parsed.city == "Paris"
    assert server.requests[0].json["text"]["format"]["strict"] is True


@attrs.frozen
class Item:
    name: str
    tags: dict[str, int]
    kind: Literal["a", "b"] = "a"


def test_class_schema_is_strict_and_reads_back_pairs() -> None:
    """Classes with dicts and defaults still give a strict schema, and pairs read back as a dict."""
    fmt = json_schema_format(Item)
    schema: Any = fmt.schema
    assert schema["required"] == ["name", "tags", "kind"]
    assert schema["properties"]["tags"]["type"] == "array"
    assert fmt.description is None  # attrs' generated docstring is not sent
    text = '{"name": "n", "tags": [{"key": "x", "value": 1}], "kind": null}'
    response = Response(
        status="completed",
        output=[Message(role="assistant", content=[OutputText(text=text)])],
    )
    assert parse_output(response, Item).output_parsed == Item(name="n", tags={"x": 1})


# -- parse as a client method, on AsyncClient and on the blocking Client

MODEL = "openresponses/local"


@attrs.frozen
class PlainForecast:
    """A weather forecast."""

    city: str
    celsius: float
    alert: str | None = None


PLAIN_FORECAST = '{"city": "Paris", "celsius": 21, "alert": null}'
COUNT_SCHEMA = {
    "type": "object",
    "properties": {"n": {"type": "integer"}},
    "required": ["n"],
    "additionalProperties": False,
}


def _check_parse_requests(server: LocalServer) -> None:
    forecast, count = (request.json["text"]["format"] for request in server.requests)
    assert forecast["type"] == "json_schema"
    assert forecast["name"] == "PlainForecast"
    assert forecast["strict"] is True
    assert forecast["schema"]["required"] == ["city", "celsius", "alert"]
    assert count["schema"] == COUNT_SCHEMA


async def test_parse_builds_the_class_async(client: AsyncClient, server: LocalServer) -> None:
    """``parse`` sends the strict format and builds the attrs class (or returns the dict)."""
    server.add(Text(PLAIN_FORECAST), Text('{"n": 3}'))
    parsed = await client.responses.parse(model=MODEL, input="Paris?", text_format=PlainForecast)
    assert parsed.output_parsed == PlainForecast(city="Paris", celsius=21.0)
    assert isinstance(parsed.output_parsed.celsius, float)
    counted = await client.responses.parse(model=MODEL, input="n?", text_format=COUNT_SCHEMA)
    assert counted.output_parsed == {"n": 3}
    _check_parse_requests(server)


def test_parse_builds_the_class_sync(server: LocalServer) -> None:
    """The blocking ``parse`` takes both forms of ``text_format``, as the async overloads do."""
    server.add(Text(PLAIN_FORECAST), Text('{"n": 3}'))
    with Client(base_url=server.base_url, max_retries=0) as client:
        parsed = client.responses.parse(model=MODEL, input="Paris?", text_format=PlainForecast)
        assert parsed.output_parsed == PlainForecast(city="Paris", celsius=21.0)
        counted = client.responses.parse(model=MODEL, input="n?", text_format=COUNT_SCHEMA)
        assert counted.output_parsed == {"n": 3}
    _check_parse_requests(server)


async def test_parse_refusal_raises_async(client: AsyncClient, server: LocalServer) -> None:
    """A refusal raises ``RefusalError`` carrying the refusal text and the Response."""
    server.add(RefusalMessage("I cannot forecast."))
    with pytest.raises(RefusalError) as caught:
        await client.responses.parse(model=MODEL, input="x", text_format=PlainForecast)
    assert caught.value.refusal == "I cannot forecast."
    assert caught.value.response.status == "completed"


def test_parse_refusal_raises_sync(server: LocalServer) -> None:
    """The blocking ``parse`` raises the same ``RefusalError``, with its Response."""
    server.add(RefusalMessage("I cannot forecast."))
    with (
        Client(base_url=server.base_url, max_retries=0) as client,
        pytest.raises(RefusalError) as caught,
    ):
        client.responses.parse(model=MODEL, input="x", text_format=PlainForecast)
    assert caught.value.refusal == "I cannot forecast."
    assert caught.value.response.status == "completed"
